// Stage: one step of the notification pipeline (Alertmanager's notify.Stage), and the two ways
// of composing stages, MultiStage (in sequence) and FanoutStage (in parallel).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "alerting/alert.h"
#include "alerting/notify/notifier.h"
#include "base/status.h"

namespace alerting::notify {

// What a pipeline run carries besides the alerts (the values Alertmanager puts in the
// context.Context). Each FanoutStage branch works on its own copy.
struct StageContext {
  NotifyContext notify;
  // The run gives up (retries stop) at the deadline or when `stop` is requested.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::stop_token stop;
  std::vector<std::string> mute_time_intervals;    // of the group's route
  std::vector<std::string> active_time_intervals;  // of the group's route
  // Set by the dedup stage: fingerprints of the firing and of the resolved alerts.
  bool has_alert_sets = false;
  std::vector<uint64_t> firing_alerts;
  std::vector<uint64_t> resolved_alerts;

  // Whether the run should give up now.
  bool Done() const;
  // Waits until `t`, the deadline or a stop request, whichever comes first; returns whether
  // `t` was reached with the run not done.
  bool SleepUntil(std::chrono::steady_clock::time_point t) const;
  // "context deadline exceeded" or "context canceled" (Go's ctx.Err()), for error messages.
  std::string DoneReason() const;
};

// Implementations are thread-safe: one stage object serves every group's runs at once.
class Stage {
 public:
  virtual ~Stage() = default;
  // Processes `alerts`: returns the alerts for the next stage (possibly fewer, or none), or an
  // error that ends the run.
  virtual base::Result<Alerts> Exec(StageContext& ctx, Alerts alerts) const = 0;
};

// Runs its stages in order, each on the previous one's output; stops with an empty result as
// soon as no alert is left, and at the first error (notify.MultiStage).
class MultiStage final : public Stage {
 public:
  explicit MultiStage(std::vector<std::shared_ptr<const Stage>> stages)
      : stages_(std::move(stages)) {}
  base::Result<Alerts> Exec(StageContext& ctx, Alerts alerts) const override;

 private:
  std::vector<std::shared_ptr<const Stage>> stages_;
};

// Runs every stage on the same alerts at once (one thread each), each with a copy of the
// context, and waits for all; returns no alerts, or the errors of the failed stages joined
// with "; " (notify.FanoutStage).
class FanoutStage final : public Stage {
 public:
  explicit FanoutStage(std::vector<std::shared_ptr<const Stage>> stages)
      : stages_(std::move(stages)) {}
  base::Result<Alerts> Exec(StageContext& ctx, Alerts alerts) const override;

 private:
  std::vector<std::shared_ptr<const Stage>> stages_;
};

}  // namespace alerting::notify

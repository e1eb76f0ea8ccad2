// The notification pipeline (Alertmanager's notify.PipelineBuilder.New): per receiver
//   inhibit -> time active -> time mute -> silence -> fanout over integrations of
//   (dedup -> retry -> set notifies)
// and the RoutingStage that picks the receiver's pipeline by ctx.notify.receiver.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alerting/config/time_interval.h"
#include "alerting/inhibit.h"
#include "alerting/marker.h"
#include "alerting/nflog.h"
#include "alerting/notify/notifier.h"
#include "alerting/notify/stage.h"
#include "alerting/silence.h"
#include "base/clock.h"
#include "base/logger.h"
#include "base/metrics.h"

namespace alerting::notify {

// Time intervals by name (the config's time_intervals and mute_time_intervals together).
using TimeIntervals = std::map<std::string, std::vector<config::TimeInterval>>;

// alertmanager_notification* counters by integration name (notify.Metrics); all null-safe.
class PipelineMetrics {
 public:
  // `registry` may be null (nothing is counted then). Registers the counters of the known
  // integrations at 0, as Alertmanager does.
  explicit PipelineMetrics(base::metrics::Registry* registry);
  void Notification(const std::string& integration);
  void NotificationFailed(const std::string& integration);
  void Request(const std::string& integration);
  void RequestFailed(const std::string& integration);
  void Latency(const std::string& integration, double seconds);

 private:
  base::metrics::Registry* registry_;
};

// Drops the alerts the inhibitor mutes; records each alert's inhibitors in the marker
// (inhibit.Inhibitor.Mutes with notify.MuteStage).
class InhibitStage final : public Stage {
 public:
  InhibitStage(std::shared_ptr<const Inhibitor> inhibitor, Marker& marker)
      : inhibitor_(std::move(inhibitor)), marker_(marker) {}
  base::Result<Alerts> Exec(StageContext& ctx, Alerts alerts) const override;

 private:
  std::shared_ptr<const Inhibitor> inhibitor_;
  Marker& marker_;
};

// Drops the alerts an active silence mutes; records the silences in the marker
// (silence.Silencer.Mutes with notify.MuteStage).
class SilenceStage final : public Stage {
 public:
  SilenceStage(const Silences& silences, Marker& marker) : silences_(silences), marker_(marker) {}
  base::Result<Alerts> Exec(StageContext& ctx, Alerts alerts) const override;

 private:
  const Silences& silences_;
  Marker& marker_;
};

// Drops every alert unless ctx.notify.now_ms lies in one of the route's active time intervals
// (none configured: keeps all). notify.TimeActiveStage. Error: an unknown interval name.
class TimeActiveStage final : public Stage {
 public:
  explicit TimeActiveStage(std::shared_ptr<const TimeIntervals> intervals)
      : intervals_(std::move(intervals)) {}
  base::Result<Alerts> Exec(StageContext& ctx, Alerts alerts) const override;

 private:
  std::shared_ptr<const TimeIntervals> intervals_;
};

// Drops every alert while ctx.notify.now_ms lies in one of the route's mute time intervals.
// notify.TimeMuteStage. Error: an unknown interval name.
class TimeMuteStage final : public Stage {
 public:
  explicit TimeMuteStage(std::shared_ptr<const TimeIntervals> intervals)
      : intervals_(std::move(intervals)) {}
  base::Result<Alerts> Exec(StageContext& ctx, Alerts alerts) const override;

 private:
  std::shared_ptr<const TimeIntervals> intervals_;
};

// notify.DedupStage: sets ctx's firing/resolved sets and passes the alerts on only when the
// group needs a notification: nothing logged yet and something fires; the firing set is not a
// subset of the logged one; everything resolved that was firing; with send_resolved, the
// resolved set not a subset of the logged one; or repeat_interval passed since the last one.
class DedupStage final : public Stage {
 public:
  DedupStage(const Nflog& nflog, NflogReceiver receiver, bool send_resolved,
             const base::Clock& clock)
      : nflog_(nflog),
        receiver_(std::move(receiver)),
        send_resolved_(send_resolved),
        clock_(clock) {}
  base::Result<Alerts> Exec(StageContext& ctx, Alerts alerts) const override;

 private:
  const Nflog& nflog_;
  const NflogReceiver receiver_;
  const bool send_resolved_;
  const base::Clock& clock_;
};

// notify.RetryStage: without send_resolved, only the firing alerts are sent, and nothing when
// none fires (the run still counts as successful so that the nflog records it). Retries with
// exponential backoff (500ms, x1.5, +-50%, at most 60s) while the error is retryable, until the
// context's deadline or stop. Counts attempts and failures.
class RetryStage final : public Stage {
 public:
  RetryStage(Integration integration, std::string receiver, PipelineMetrics& metrics,
             base::Logger& logger, const base::Clock& clock)
      : integration_(std::move(integration)),
        receiver_(std::move(receiver)),
        metrics_(metrics),
        logger_(logger),
        clock_(clock) {}
  base::Result<Alerts> Exec(StageContext& ctx, Alerts alerts) const override;

 private:
  base::Result<Alerts> Attempt(StageContext& ctx, Alerts alerts) const;
  const Integration integration_;
  const std::string receiver_;
  PipelineMetrics& metrics_;
  base::Logger& logger_;
  const base::Clock& clock_;
};

// notify.SetNotifiesStage: logs ctx's firing/resolved sets in the nflog.
class SetNotifiesStage final : public Stage {
 public:
  SetNotifiesStage(Nflog& nflog, NflogReceiver receiver)
      : nflog_(nflog), receiver_(std::move(receiver)) {}
  base::Result<Alerts> Exec(StageContext& ctx, Alerts alerts) const override;

 private:
  Nflog& nflog_;
  const NflogReceiver receiver_;
};

// Runs the pipeline of ctx.notify.receiver. Error: "receiver missing" for an unknown one.
class RoutingStage final : public Stage {
 public:
  explicit RoutingStage(std::map<std::string, std::shared_ptr<const Stage>> receivers)
      : receivers_(std::move(receivers)) {}
  base::Result<Alerts> Exec(StageContext& ctx, Alerts alerts) const override;

 private:
  std::map<std::string, std::shared_ptr<const Stage>> receivers_;
};

struct PipelineDeps {
  std::shared_ptr<const Inhibitor> inhibitor;
  const Silences* silences = nullptr;
  Marker* marker = nullptr;
  Nflog* nflog = nullptr;
  std::shared_ptr<const TimeIntervals> time_intervals;
  PipelineMetrics* metrics = nullptr;
  base::Logger* logger = nullptr;
  const base::Clock* clock = nullptr;
};

// PipelineBuilder.New: the routing stage over every receiver's pipeline.
// REQUIRES: every pointer in `deps` set and outliving the pipeline.
std::unique_ptr<Stage> BuildPipeline(
    const std::map<std::string, std::vector<Integration>>& receivers, const PipelineDeps& deps);

}  // namespace alerting::notify

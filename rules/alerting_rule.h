// AlertingRule: an expression whose result series are alerts, with Prometheus's state machine
// inactive -> pending -> firing -> inactive (resolved), `for`, `keep_firing_for`, and the
// ALERTS / ALERTS_FOR_STATE series (Prometheus rules/alerting.go).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "rules/rule.h"
#include "storage/querier.h"

namespace rules {

enum class AlertState { kInactive, kPending, kFiring };
// "inactive", "pending", "firing".
std::string_view AlertStateName(AlertState s);

// One alert of an alerting rule (Prometheus's rules.Alert). Times are ms since the epoch, 0
// meaning unset (Go's zero time).
struct Alert {
  AlertState state = AlertState::kInactive;
  model::Labels labels;  // without __name__, with alertname and the rule's expanded labels
  Annotations annotations;
  double value = 0;
  model::Timestamp active_at = 0;
  model::Timestamp fired_at = 0;
  model::Timestamp resolved_at = 0;
  model::Timestamp last_sent_at = 0;
  model::Timestamp valid_until = 0;
  model::Timestamp keep_firing_since = 0;
};

// Thread-safety: as Rule; the alert map has its own mutex.
class AlertingRule final : public Rule {
 public:
  // How long a resolved alert is kept (and re-sent as resolved): Prometheus's resolvedRetention.
  static constexpr std::chrono::milliseconds kResolvedRetention{std::chrono::minutes(15)};

  struct Spec {
    std::string name;
    promql::ExprPtr expr;
    std::chrono::milliseconds hold{0};  // "for"
    std::chrono::milliseconds keep_firing_for{0};
    model::Labels labels;  // templates, expanded per alert
    Annotations annotations;  // templates, expanded per alert
    model::Labels external_labels;
    std::string external_url;
    // False while the group has yet to restore the `for` state from ALERTS_FOR_STATE: no
    // ALERTS series are produced until then.
    bool restored = true;
  };
  explicit AlertingRule(Spec spec);

  bool is_alerting() const override { return true; }
  std::chrono::milliseconds hold() const { return hold_; }
  std::chrono::milliseconds keep_firing_for() const { return keep_firing_for_; }
  const Annotations& annotations() const { return annotations_; }

  // Queries at ts - query_offset, expands label and annotation templates per result sample,
  // advances every alert's state, and returns the ALERTS and ALERTS_FOR_STATE samples (at
  // ts - query_offset) once restored. Errors: the query's; kExecution "vector contains metrics
  // with the same labelset after applying alert labels" and "exceeded limit of L with N alerts"
  // (which also clears the alerts), as Prometheus.
  base::Result<promql::Vector> Eval(const EvalContext& ctx) override;
  std::string ConfigString() const override;

  // The alerts due to be sent at `ts` as the notifier gets them (Prometheus's sendAlerts +
  // SendAlerts): firing alerts not sent within resend_delay and alerts resolved since last
  // sent; marks them sent. starts_at is the firing time; ends_at the resolution time, or
  // ts + 4 * max(interval, resend_delay) for an alert still firing.
  std::vector<NotifierAlert> AlertsToSend(model::Timestamp ts, std::chrono::milliseconds resend_delay,
                                          std::chrono::milliseconds interval);

  // The highest state of the rule's alerts; kInactive when there are none (also before the
  // first evaluation, as Prometheus 2.42).
  AlertState State() const;
  // Copies of the alerts that are pending or firing (not resolved), sorted by labels.
  std::vector<Alert> ActiveAlerts() const;
  size_t ActiveAlertsCount() const;

  bool restored() const;
  void SetRestored(bool restored);
  // Prometheus's RestoreForState for this rule: moves each alert's active_at as its last
  // ALERTS_FOR_STATE sample in `q` says (see Group::RestoreForState).
  void RestoreForState(storage::Querier& q, model::Timestamp now,
                       std::chrono::milliseconds for_grace_period);
  // Takes over the alerts of the same rule in a group being replaced (Group::CopyState).
  void CopyAlertsFrom(const AlertingRule& from);

 private:
  promql::Sample AlertsSample(const Alert& a, model::Timestamp t) const;
  promql::Sample ForStateSample(const Alert* a, model::Timestamp t, double v) const;

  const std::chrono::milliseconds hold_;
  const std::chrono::milliseconds keep_firing_for_;
  const Annotations annotations_;
  const model::Labels external_labels_;
  const std::string external_url_;

  mutable std::mutex mu_;
  // Alerts by the hash of their labels. Invariant: resolved alerts (state kInactive) are kept
  // for kResolvedRetention, then dropped; pending alerts are dropped when their series goes.
  std::map<uint64_t, Alert> active_;  // guarded by mu_
  bool restored_;                     // guarded by mu_
};

}  // namespace rules

// Group: rules evaluated in order at a common interval (Prometheus rules/group.go). A later
// rule sees the earlier rules' output of the same evaluation, because each rule's samples are
// committed before the next rule runs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/logger.h"
#include "base/metrics.h"
#include "rules/alerting_rule.h"
#include "rules/rule.h"
#include "storage/appender.h"
#include "storage/querier.h"

namespace rules {

// What every group of a Manager shares. Pointers are borrowed from the Manager's owner.
struct GroupDeps {
  QueryFn query;
  NotifyFn notify;  // may be empty: alerts are then not sent
  storage::Appendable* appendable = nullptr;
  storage::Queryable* queryable = nullptr;  // for restoring the `for` state; may be null
  base::Clock* clock = &base::Clock::Real();
  base::Logger* logger = &base::Logger::Quiet();
  base::metrics::Registry* registry = nullptr;
  std::string external_url;
  std::chrono::milliseconds resend_delay{std::chrono::minutes(1)};
  std::chrono::milliseconds outage_tolerance{std::chrono::hours(1)};
  std::chrono::milliseconds for_grace_period{std::chrono::minutes(10)};
  std::chrono::milliseconds default_query_offset{0};
  // Longest wall-clock sleep between two readings of the clock while waiting for the next
  // evaluation (so that a FakeClock moved by a test is noticed).
  std::chrono::milliseconds poll_interval{std::chrono::milliseconds(250)};
};

struct GroupSpec {
  std::string name;
  std::string file;
  std::chrono::milliseconds interval{std::chrono::minutes(1)};  // REQUIRES: > 0
  std::optional<std::chrono::milliseconds> query_offset;
  int64_t limit = 0;
  std::vector<std::unique_ptr<Rule>> rules;
  // Restore alerts' `for` state from ALERTS_FOR_STATE after the second evaluation (set for
  // the groups loaded when the server starts).
  bool should_restore = false;
};

// Thread-safety: Eval, Run, RestoreForState, CopyState and MarkStale are called by one thread
// at a time (the group's own, or the Manager's while the group is stopped); the accessors may
// be called from any thread.
class Group {
 public:
  Group(GroupSpec spec, const GroupDeps* deps);
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  const std::string& name() const { return name_; }
  const std::string& file() const { return file_; }
  std::chrono::milliseconds interval() const { return interval_; }
  int64_t limit() const { return limit_; }
  std::chrono::milliseconds QueryOffset() const;
  const std::vector<std::unique_ptr<Rule>>& rules() const { return rules_; }
  // "file;name", the rule_group label of the group's self-metrics.
  std::string Key() const { return file_ + ";" + name_; }

  // The evaluation slot at or before now_ms: Prometheus's EvalTimestamp, which spreads groups
  // over the interval by an offset from the hash of the group's name and file.
  model::Timestamp EvalTimestamp(int64_t now_ms) const;

  // Evaluates every rule at ts in order: appends recording-rule output and alert series,
  // staleness markers for series the previous evaluation produced and this one did not, sends
  // due alerts; updates each rule's status.
  void Eval(model::Timestamp ts);
  // Eval plus the group's timing (Prometheus's DefaultEvalIterationFunc).
  void Iterate(model::Timestamp ts);
  // Evaluates at each slot until stop is requested (Prometheus's Group.run).
  void Run(std::stop_token stop);

  // Restores the `for` state of the alerting rules from ALERTS_FOR_STATE in
  // [now - outage_tolerance, now] (Prometheus's RestoreForState, with its grace period).
  void RestoreForState(model::Timestamp now);
  // Whether `other` has the same configuration (then a reload keeps this group running).
  bool Equals(const Group& other) const;
  // Takes over the state of the group it replaces: series of the previous evaluation and
  // alerts, matched by rule name and labels; series of rules that are gone become stale.
  void CopyState(Group& from);
  // Appends staleness markers at `ts` for every series the group produced last (the group is
  // being removed). Markers older than a sample another group wrote since are rejected by
  // storage as out of order, and ignored.
  void MarkStale(model::Timestamp ts);

  // Returns when the clock reaches t or stop is requested, whichever comes first.
  void SleepUntil(model::Timestamp t, std::stop_token& stop);

  // Timing of the last evaluation, for /api/v1/rules.
  std::chrono::nanoseconds evaluation_time() const;
  model::Timestamp last_evaluation() const;       // wall time it started; 0 before the first
  model::Timestamp last_eval_timestamp() const;   // its evaluation slot
  std::vector<AlertingRule*> AlertingRules() const;

 private:
  void AppendStale(const std::vector<model::Labels>& series, model::Timestamp t);

  const std::string name_;
  const std::string file_;
  const std::chrono::milliseconds interval_;
  const std::optional<std::chrono::milliseconds> query_offset_;
  const int64_t limit_;
  const std::vector<std::unique_ptr<Rule>> rules_;
  const GroupDeps* const deps_;
  bool should_restore_;

  // Owned by the evaluating thread. Invariant: one map per rule, keyed by Labels::bytes().
  std::vector<std::map<std::string, model::Labels>> series_in_previous_eval_;
  std::vector<model::Labels> stale_series_;  // of replaced rules, marked stale at the next Eval

  mutable std::mutex mu_;
  std::chrono::nanoseconds evaluation_time_{0};  // guarded by mu_
  model::Timestamp last_evaluation_ = 0;         // guarded by mu_
  model::Timestamp last_eval_timestamp_ = 0;     // guarded by mu_

  std::mutex sleep_mu_;
  std::condition_variable_any sleep_cv_;

  base::metrics::Counter* eval_total_ = nullptr;
  base::metrics::Counter* eval_failures_ = nullptr;
  base::metrics::Counter* iterations_ = nullptr;
  base::metrics::Counter* iterations_missed_ = nullptr;
  base::metrics::Gauge* last_eval_time_ = nullptr;
  base::metrics::Gauge* last_duration_ = nullptr;
  base::metrics::Gauge* samples_ = nullptr;
};

}  // namespace rules

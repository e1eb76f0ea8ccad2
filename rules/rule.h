// Rule: what recording and alerting rules share (Prometheus rules/rule.go), and the functions
// through which rules reach the query engine (QueryFn) and the notifier (NotifyFn): rules/
// holds no Engine and includes nothing from alerting/; cmd/ wires both, as Prometheus does in
// rules/manager.go.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/sample.h"
#include "promql/ast.h"
#include "promql/value.h"

namespace rules {

// Evaluates the PromQL expression `query` as an instant query at `ts` (Prometheus's
// rules.QueryFunc). A scalar result is returned as a one-sample vector without labels; any
// other non-vector result is an error. Called from group threads: must be thread-safe.
using QueryFn =
    std::function<base::Result<promql::Vector>(std::string_view query, model::Timestamp ts)>;

// Annotations of an alert: name/value pairs sorted by name. Unlike Labels, an empty value is
// kept (Prometheus keeps an annotation whose template expands to nothing).
using Annotations = std::vector<std::pair<std::string, std::string>>;

// One alert as the notifier sends it (Prometheus's notifier.Alert). Stands in for model::Alert
// until that type exists. Times are ms since the epoch; 0 means unset.
struct NotifierAlert {
  model::Labels labels;
  Annotations annotations;
  model::Timestamp starts_at = 0;
  model::Timestamp ends_at = 0;
  std::string generator_url;
};

// Receives the alerts of one alerting rule that are due to be sent (Prometheus's
// rules.SendAlerts semantics: see AlertingRule::AlertsToSend). Called from group threads only
// when there is at least one alert: must be thread-safe. External labels are not added here:
// as in Prometheus, that is the notifier's job.
using NotifyFn = std::function<void(std::string_view expr, std::vector<NotifierAlert> alerts)>;

// A rule's health as /api/v1/rules reports it: "unknown", "ok", "err".
enum class Health { kUnknown, kGood, kBad };
std::string_view HealthName(Health h);

// What one evaluation of one rule needs besides the rule.
struct EvalContext {
  model::Timestamp ts = 0;                 // the group's evaluation time
  std::chrono::milliseconds query_offset{0};  // the rule queries at ts - query_offset
  const QueryFn* query = nullptr;
  std::string external_url;
  int64_t limit = 0;  // 0: none
};

// What /api/v1/rules shows of a rule's last evaluation.
struct RuleStatus {
  Health health = Health::kUnknown;
  std::string last_error;                    // empty when the last evaluation succeeded
  std::chrono::nanoseconds evaluation_time{0};
  model::Timestamp last_evaluation = 0;      // wall time of the start of the last evaluation
};

// A recording or alerting rule. The configuration (name, expression, labels) is immutable;
// status and alert state are guarded by internal mutexes, so const methods may be called from
// any thread while the owning group's thread evaluates.
class Rule {
 public:
  Rule(std::string name, promql::ExprPtr expr, model::Labels labels);
  virtual ~Rule() = default;
  Rule(const Rule&) = delete;
  Rule& operator=(const Rule&) = delete;

  const std::string& name() const { return name_; }
  // The expression as Prometheus prints it (Expr.String()); what the QueryFn is called with.
  const std::string& query() const { return query_; }
  const promql::Expr& expr() const { return *expr_; }
  const model::Labels& labels() const { return labels_; }
  virtual bool is_alerting() const = 0;

  // Evaluates the rule at ctx.ts; the samples to append to storage. Errors: the query's, and
  // kExecution for duplicate label sets and exceeded limits (Prometheus's messages).
  virtual base::Result<promql::Vector> Eval(const EvalContext& ctx) = 0;

  // Identity of the configuration, for deciding whether a reloaded group changed.
  virtual std::string ConfigString() const = 0;

  RuleStatus status() const;
  void SetStatus(Health h, std::string last_error);
  void SetEvaluation(std::chrono::nanoseconds took, model::Timestamp at);

 private:
  const std::string name_;
  const promql::ExprPtr expr_;
  const std::string query_;
  const model::Labels labels_;
  mutable std::mutex mu_;
  RuleStatus status_;  // guarded by mu_
};

}  // namespace rules

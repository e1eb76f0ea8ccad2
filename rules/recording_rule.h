// RecordingRule: evaluates an expression and records its result under a new metric name
// (Prometheus rules/recording.go).
#pragma once

#include <string>

#include "rules/rule.h"

namespace rules {

// Thread-safety: as Rule.
class RecordingRule final : public Rule {
 public:
  RecordingRule(std::string name, promql::ExprPtr expr, model::Labels labels)
      : Rule(std::move(name), std::move(expr), std::move(labels)) {}

  bool is_alerting() const override { return false; }
  // The query's result at ts - query_offset with __name__ set to the rule's name and the rule's
  // labels set. Errors: the query's; kExecution "vector contains metrics with the same
  // labelset after applying rule labels", "exceeded limit of L with N series".
  base::Result<promql::Vector> Eval(const EvalContext& ctx) override;
  std::string ConfigString() const override;
};

}  // namespace rules

#include "rules/rule.h"

#include "promql/printer.h"

namespace rules {

std::string_view HealthName(Health h) {
  switch (h) {
    case Health::kGood:
      return "ok";
    case Health::kBad:
      return "err";
    case Health::kUnknown:
      break;
  }
  return "unknown";
}

Rule::Rule(std::string name, promql::ExprPtr expr, model::Labels labels)
    : name_(std::move(name)),
      expr_(std::move(expr)),
      query_(promql::Print(*expr_)),
      labels_(std::move(labels)) {}

RuleStatus Rule::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void Rule::SetStatus(Health h, std::string last_error) {
  std::lock_guard lock(mu_);
  status_.health = h;
  status_.last_error = std::move(last_error);
}

void Rule::SetEvaluation(std::chrono::nanoseconds took, model::Timestamp at) {
  std::lock_guard lock(mu_);
  status_.evaluation_time = took;
  status_.last_evaluation = at;
}

}  // namespace rules

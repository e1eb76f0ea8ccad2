// Rule files loaded and validated as Prometheus loads them: config/'s parser with the PromQL
// and template checks of rulefmt.
#pragma once

#include <string>

#include "base/status.h"
#include "config/rule_file.h"

namespace rules {

// rulefmt's expression and template checks: promql::parser::Parse with Prometheus's default
// options, and tmpl::CheckAlertTemplate.
config::RuleFileChecks PrometheusRuleChecks();

// config::LoadRuleFile with PrometheusRuleChecks. Errors: as config::LoadRuleFile.
base::Result<config::RuleFile> LoadRuleFile(const std::string& path);

}  // namespace rules

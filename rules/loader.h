// Rule files loaded and validated as Prometheus loads them: config/'s parser with the PromQL
// and template checks of rulefmt.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/rule_file.h"
#include "model/labels.h"
#include "rules/group.h"

namespace rules {

// rulefmt's expression and template checks: promql::parser::Parse with Prometheus's default
// options, and tmpl::CheckAlertTemplate.
config::RuleFileChecks PrometheusRuleChecks();

// config::LoadRuleFile with PrometheusRuleChecks. Errors: as config::LoadRuleFile.
base::Result<config::RuleFile> LoadRuleFile(const std::string& path);

// How the groups of a rule file are built (Prometheus's Manager.LoadGroups).
struct GroupBuildOptions {
  std::chrono::milliseconds interval{std::chrono::minutes(1)};  // for groups without one
  model::Labels external_labels;
  std::string external_url;
  // Restore alerts' `for` state after the second evaluation (groups loaded at start-up);
  // otherwise alerting rules start restored.
  bool should_restore = false;
  // The query offset of groups without one.
  std::chrono::milliseconds default_query_offset{0};
};

// The specs of the groups of `file` (loaded from path `fn`): rules' expressions parsed, group
// labels under each rule's own. Errors: kInvalidArgument "FN: <parse error>".
base::Result<std::vector<GroupSpec>> BuildGroupSpecs(const std::string& fn, config::RuleFile& file,
                                                     const GroupBuildOptions& options);

}  // namespace rules

// The data of Prometheus's /api/v1/rules and /api/v1/alerts as JSON, independent of HTTP: web/
// wraps it in {"status":"success","data":...}. Field names, order and value formats are
// Prometheus's (web/api/v1/api.go): durations in seconds, times in RFC 3339 with nanoseconds,
// alert values as Go's strconv.FormatFloat(v, 'e', -1, 64).
#pragma once

#include <set>
#include <string>

#include "base/status.h"
#include "rules/manager.h"

namespace rules {

// The query parameters of /api/v1/rules.
struct RulesFilter {
  std::string type;                   // "", "alert" or "record" (case-insensitive)
  std::set<std::string> rule_names;   // rule_name[]; empty: all
  std::set<std::string> rule_groups;  // rule_group[]; empty: all
  std::set<std::string> files;        // file[]; empty: all
  bool exclude_alerts = false;        // exclude_alerts: alerting rules without their alerts
};

// {"groups":[...]}: the groups with at least one rule passing the filter. Errors:
// kInvalidArgument `not supported value "x"` for a bad type; web/ reports it as Prometheus's
// `invalid parameter "type": not supported value "x"` (bad_data).
base::Result<std::string> RulesJson(const Manager& manager, const RulesFilter& filter);
// {"alerts":[...]}: the pending and firing alerts of every alerting rule.
std::string AlertsJson(const Manager& manager);

}  // namespace rules

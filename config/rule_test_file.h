// Rule unit-test files: promtool's `test rules` YAML (cmd/promtool/unittest.go, 2.42) as plain
// structs. The runner is rules::TestRules (rules/unit_test_runner.h); see docs/rules.md,
// "Unit tests".
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/rule_file.h"

namespace config {

// One input series: `series` in PromQL metric notation, `values` in the expanding notation
// (`1 2 _ stale 0+10x3`), both unparsed.
struct RuleTestSeries {
  std::string series;
  std::string values;
};

// An expected alert. Maps are sorted by name; empty values are kept (promtool compares them).
struct RuleTestAlert {
  StringPairs exp_labels;
  StringPairs exp_annotations;
};

struct AlertRuleTest {
  std::chrono::milliseconds eval_time{0};
  std::string alertname;
  std::vector<RuleTestAlert> exp_alerts;
};

struct RuleTestSample {
  std::string labels;  // PromQL metric notation, unparsed; empty for a sample without labels
  double value = 0;
};

struct PromqlExprTest {
  std::string expr;
  std::chrono::milliseconds eval_time{0};
  std::vector<RuleTestSample> exp_samples;
};

// One entry of `tests`: its own storage, series and expectations.
struct RuleTestGroup {
  std::chrono::milliseconds interval{0};  // 0: as promtool 2.42, every sample at time 0
  std::vector<RuleTestSeries> input_series;
  std::vector<AlertRuleTest> alert_rule_tests;
  std::vector<PromqlExprTest> promql_expr_tests;
  StringPairs external_labels;
  std::string external_url;
  std::string name;
};

struct RuleTestFile {
  std::vector<std::string> rule_files;  // as written: relative paths and globs unresolved
  std::chrono::milliseconds evaluation_interval{0};  // 0: not set (the runner uses 1m)
  std::vector<std::string> group_eval_order;
  std::vector<RuleTestGroup> tests;
};

// Parses a unit-test file as promtool 2.42 does (yaml.v2 UnmarshalStrict): unknown and repeated
// fields and values of the wrong type are errors, all reported at once. Errors:
// kInvalidArgument with promtool's message, e.g.
//   yaml: unmarshal errors:
//     line 2: field foo not found in type main.unitTestFile
//     line 7: cannot unmarshal !!str `NaN` into float64
// or, for a bad duration, alone (yaml.v2 stops there): not a valid duration string: "abc"
base::Result<RuleTestFile> ParseRuleTestFile(std::string_view yaml);

}  // namespace config

// Rule files: Prometheus's recording- and alerting-rule YAML (model/rulefmt) as plain structs.
// Parsing and the checks rulefmt makes are here; the checks that need PromQL and templates
// (modules above config/) come in through RuleFileChecks, which rules/ supplies
// (rules::LoadRuleFile). See docs/rules.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace config {

// Where a YAML node starts, as yaml.v3 reports it: line and column from 1; 0:0 for a node
// that is absent from the file.
struct YamlPos {
  int line = 0;
  int column = 0;
};

// A name/value list sorted by name with unique names (a YAML mapping of strings).
using StringPairs = std::vector<std::pair<std::string, std::string>>;

// One rule: exactly one of record and alert is set (checked by ParseRuleFile).
struct RuleConfig {
  std::string record;
  std::string alert;
  std::string expr;
  std::chrono::milliseconds for_duration{0};  // "for"
  std::chrono::milliseconds keep_firing_for{0};
  StringPairs labels;
  StringPairs annotations;  // alerting rules only
  YamlPos record_pos, alert_pos, expr_pos;

  // The alert name of an alerting rule, else the record name (rulefmt's RuleName).
  const std::string& name() const { return alert.empty() ? record : alert; }
};

struct RuleGroupConfig {
  std::string name;
  std::chrono::milliseconds interval{0};  // 0: the global evaluation_interval
  std::optional<std::chrono::milliseconds> query_offset;  // unset: the global rule_query_offset
  int64_t limit = 0;   // 0: no limit on alerts or series per rule
  StringPairs labels;  // added to every rule's labels (rule labels win)
  std::vector<RuleConfig> rules;
  YamlPos pos;
};

struct RuleFile {
  std::string source;  // the file name as given
  std::vector<RuleGroupConfig> groups;
  size_t NumRules() const;
};

// The checks of rulefmt that need the modules above config/. An empty function skips its check.
struct RuleFileChecks {
  // Parses a PromQL expression; the error message is the parser's ("1:4: parse error: ...").
  std::function<base::Status(std::string_view expr)> expr;
  // Parses one label or annotation template of the alerting rule `alert` with the alert
  // template header; the error message is Go's ("template: __alert_X:1: ...").
  std::function<base::Status(std::string_view alert, std::string_view text)> alert_template;
};

// Parses and validates a rule file as Prometheus's rulefmt.Parse: unknown fields and values of
// the wrong type are errors (yaml.v3 with KnownFields), then every group and rule is validated.
// An empty file has no groups. Errors: kInvalidArgument whose message holds every error found,
// one per line, each prefixed "SOURCE: " as promtool check rules prints them, e.g.
//   rules.yml: 5:11: group "g", rule 1, "HighLoad": could not parse expression: 1:4: parse error: ...
//   rules.yml: group "g", rule 6, "X": annotation "description": template: __alert_X:1: ...
//   rules.yml: yaml: unmarshal errors:
//     line 3: field foo not found in type rulefmt.RuleGroup
base::Result<RuleFile> ParseRuleFile(std::string_view yaml, std::string_view source,
                                     const RuleFileChecks& checks = {});

// Reads and parses the file `path` (named as given in errors). Errors: as ParseRuleFile, and
// kNotFound / kIOError "PATH: open PATH: no such file or directory" when it cannot be read.
base::Result<RuleFile> LoadRuleFile(const std::string& path, const RuleFileChecks& checks = {});

}  // namespace config

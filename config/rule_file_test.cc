#include "config/rule_file.h"

#include <catch2/catch.hpp>

#include <fstream>

#include "tests/testutil/temp_dir.h"

namespace config {
namespace {

// Stand-ins for the PromQL and template checks rules/ supplies: an expression fails when it
// contains "BAD", a template when it contains "{{ nofunc }}".
RuleFileChecks FakeChecks() {
  RuleFileChecks c;
  c.expr = [](std::string_view e) {
    if (e.find("BAD") != std::string_view::npos)
      return base::InvalidArgument("1:1: parse error: unexpected identifier \"BAD\"");
    return base::Status::Ok();
  };
  c.alert_template = [](std::string_view alert, std::string_view text) {
    if (text.find("{{ nofunc }}") != std::string_view::npos)
      return base::InvalidArgument("template: __alert_" + std::string(alert) +
                                   ":1: function \"nofunc\" not defined");
    return base::Status::Ok();
  };
  return c;
}

std::string Error(std::string_view yaml) {
  auto r = ParseRuleFile(yaml, "r.yml", FakeChecks());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == base::StatusCode::kInvalidArgument);
  return r.error().message();
}

TEST_CASE("Rule files parse into groups and rules", "[config][rules]") {
  auto r = ParseRuleFile(R"(groups:
- name: g1
  interval: 30s
  query_offset: 1m
  limit: 10
  labels:
    team: a
  rules:
  - record: job:up:sum
    expr: sum by (job) (up)
    labels:
      source: rule
  - alert: Down
    expr: up == 0
    for: 5m
    keep_firing_for: 1m
    labels:
      severity: page
    annotations:
      summary: "{{ $labels.job }} is down"
      a: b
- name: g2
  rules:
)",
                         "r.yml", FakeChecks());
  REQUIRE(r.ok());
  REQUIRE(r->groups.size() == 2);
  CHECK(r->source == "r.yml");
  CHECK(r->NumRules() == 2);
  const RuleGroupConfig& g = r->groups[0];
  CHECK(g.name == "g1");
  CHECK(g.interval == std::chrono::seconds(30));
  CHECK(g.query_offset == std::chrono::minutes(1));
  CHECK(g.limit == 10);
  CHECK(g.labels == StringPairs{{"team", "a"}});
  REQUIRE(g.rules.size() == 2);
  CHECK(g.rules[0].record == "job:up:sum");
  CHECK(g.rules[0].name() == "job:up:sum");
  CHECK(g.rules[0].expr == "sum by (job) (up)");
  CHECK(g.rules[0].labels == StringPairs{{"source", "rule"}});
  CHECK(g.rules[1].alert == "Down");
  CHECK(g.rules[1].for_duration == std::chrono::minutes(5));
  CHECK(g.rules[1].keep_firing_for == std::chrono::minutes(1));
  // Sorted by name.
  CHECK(g.rules[1].annotations ==
        StringPairs{{"a", "b"}, {"summary", "{{ $labels.job }} is down"}});
  CHECK(g.rules[1].expr_pos.line == 14);
  CHECK(g.rules[1].expr_pos.column == 11);
  CHECK(r->groups[1].name == "g2");
  CHECK_FALSE(r->groups[1].query_offset.has_value());
  CHECK(r->groups[1].rules.empty());
}

TEST_CASE("An empty rule file has no groups", "[config][rules]") {
  auto r = ParseRuleFile("", "e.yml");
  REQUIRE(r.ok());
  CHECK(r->groups.empty());
  auto c = ParseRuleFile("# only a comment\n", "e.yml");
  REQUIRE(c.ok());
  CHECK(c->NumRules() == 0);
}

// Expected texts are promtool 2.42's for the same files.
TEST_CASE("Unknown fields are errors naming their lines", "[config][rules]") {
  CHECK(Error("groups:\n- name: a\n  foo: 1\n  rules:\n  - record: x\n    expr: up\n    bar: 2\n") ==
        "r.yml: yaml: unmarshal errors:\n"
        "  line 3: field foo not found in type rulefmt.RuleGroup\n"
        "  line 7: field bar not found in type rulefmt.RuleNode");
  CHECK(Error("global:\n  x: 1\nroute: {}\n") ==
        "r.yml: yaml: unmarshal errors:\n"
        "  line 1: field global not found in type rulefmt.RuleGroups\n"
        "  line 3: field route not found in type rulefmt.RuleGroups");
}

TEST_CASE("Values of the wrong type are errors", "[config][rules]") {
  CHECK(Error("groups:\n- name: [a]\n  rules:\n  - alert: x\n    expr: up\n    labels: [1]\n") ==
        "r.yml: yaml: unmarshal errors:\n"
        "  line 2: cannot unmarshal !!seq into string\n"
        "  line 6: cannot unmarshal !!seq into map[string]string");
  CHECK(Error("groups:\n- name: a\n  limit: x\n") ==
        "r.yml: yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `x` into int");
  CHECK(Error("groups: 3\n") ==
        "r.yml: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `3` into "
        "[]rulefmt.RuleGroup");
  CHECK(Error("groups:\n- name: a\n  interval: abc\n") ==
        "r.yml: yaml: unmarshal errors:\n  line 3: not a valid duration string: \"abc\"");
  CHECK(Error("groups:\n- name: a\n  name: b\n") ==
        "r.yml: yaml: unmarshal errors:\n  line 3: mapping key \"name\" already defined at line 2");
}

TEST_CASE("YAML syntax errors name the line", "[config][rules]") {
  std::string e = Error("groups:\n- name: a\n  rules: [\n");
  CHECK(e.starts_with("r.yml: yaml: line "));
}

TEST_CASE("Group names must be set and unique", "[config][rules]") {
  CHECK(Error("groups:\n- rules:\n  - expr: up\n- name: \"\"\n  rules: []\n- name: b\n- name: b\n") ==
        "r.yml: 2:3: Groupname must not be empty\n"
        "r.yml: 0:0: group \"\", rule 1, \"\": one of 'record' or 'alert' must be set\n"
        "r.yml: 4:3: Groupname must not be empty\n"
        "r.yml: 4:3: groupname: \"\" is repeated in the same file\n"
        "r.yml: 7:3: groupname: \"b\" is repeated in the same file");
}

TEST_CASE("Rules are validated as rulefmt does", "[config][rules]") {
  CHECK(Error("groups:\n- name: a\n  rules:\n  - record: x\n    alert: y\n    expr: up\n"
              "  - record: z\n    expr: \"1\"\n    for: 5m\n    keep_firing_for: 1m\n"
              "    annotations:\n      a: b\n  - expr: \"\"\n") ==
        "r.yml: 4:13: 5:12: group \"a\", rule 1, \"y\": only one of 'record' and 'alert' must be set\n"
        "r.yml: 7:13: group \"a\", rule 2, \"z\": invalid field 'annotations' in recording rule\n"
        "r.yml: 7:13: group \"a\", rule 2, \"z\": invalid field 'for' in recording rule\n"
        "r.yml: 7:13: group \"a\", rule 2, \"z\": invalid field 'keep_firing_for' in recording rule\n"
        "r.yml: 0:0: group \"a\", rule 3, \"\": one of 'record' or 'alert' must be set\n"
        "r.yml: 13:11: group \"a\", rule 3, \"\": field 'expr' must be set in rule");
  CHECK(Error("groups:\n- name: a\n  rules:\n  - alert: x\n    expr: up{BAD\n"
              "  - record: \"bad name\"\n    expr: sum(\n    labels:\n      \"0x\": y\n"
              "      __name__: z\n") ==
        "r.yml: 5:11: group \"a\", rule 1, \"x\": could not parse expression: 1:1: parse error: "
        "unexpected identifier \"BAD\"\n"
        "r.yml: 6:13: group \"a\", rule 2, \"bad name\": invalid recording rule name: bad name\n"
        "r.yml: group \"a\", rule 2, \"bad name\": invalid label name: 0x\n"
        "r.yml: group \"a\", rule 2, \"bad name\": invalid label name: __name__");
}

TEST_CASE("Alert templates are checked with the group, rule and annotation named",
          "[config][rules]") {
  CHECK(Error("groups:\n- name: a\n  rules:\n  - alert: x\n    expr: up\n    labels:\n"
              "      sev: \"{{ nofunc }}\"\n    annotations:\n      \"a-b\": ok\n"
              "      description: \"{{ $value }} of {{ nofunc }}\"\n") ==
        "r.yml: group \"a\", rule 1, \"x\": invalid annotation name: a-b\n"
        "r.yml: group \"a\", rule 1, \"x\": label \"sev\": template: __alert_x:1: function "
        "\"nofunc\" not defined\n"
        "r.yml: group \"a\", rule 1, \"x\": annotation \"description\": template: __alert_x:1: "
        "function \"nofunc\" not defined");
  // Recording rules have no templates.
  CHECK(ParseRuleFile("groups:\n- name: a\n  rules:\n  - record: x\n    expr: up\n    labels:\n"
                      "      l: \"{{ nofunc }}\"\n",
                      "r.yml", FakeChecks())
            .ok());
}

TEST_CASE("Group labels are validated", "[config][rules]") {
  CHECK(Error("groups:\n- name: a\n  labels:\n    \"a-b\": x\n  rules: []\n") ==
        "r.yml: group \"a\": invalid label name: a-b");
}

TEST_CASE("LoadRuleFile reads a file and reports a missing one as Go does", "[config][rules]") {
  testutil::TempDir dir;
  std::string path = dir.path() + "/rules.yml";
  std::ofstream(path) << "groups:\n- name: a\n  rules:\n  - alert: A\n    expr: up\n";
  auto r = LoadRuleFile(path);
  REQUIRE(r.ok());
  CHECK(r->source == path);
  CHECK(r->NumRules() == 1);
  auto missing = LoadRuleFile(dir.path() + "/nope.yml");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code() == base::StatusCode::kNotFound);
  CHECK(missing.error().message() == dir.path() + "/nope.yml: open " + dir.path() +
                                         "/nope.yml: no such file or directory");
}

}  // namespace
}  // namespace config

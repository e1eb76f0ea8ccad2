#include "config/rule_test_file.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace config {
namespace {

std::string Error(std::string_view yaml) {
  auto f = ParseRuleTestFile(yaml);
  REQUIRE_FALSE(f.ok());
  return f.error().message();
}

TEST_CASE("rule test file: every field of promtool's format", "[config][rule_test_file]") {
  auto f = ParseRuleTestFile(R"(
rule_files: [a.yml, "rules/*.yml"]
evaluation_interval: 30s
group_eval_order: [g2, g1]
tests:
  - interval: 1m
    name: first
    external_labels: {region: eu, dc: x}
    external_url: http://example.com
    input_series:
      - series: 'up{job="a"}'
        values: '1 0 _ stale 0+1x3'
    alert_rule_test:
      - eval_time: 5m
        alertname: Down
        exp_alerts:
          - exp_labels: {severity: page, job: a}
            exp_annotations: {summary: "a is down", empty: ""}
      - eval_time: 1h
        alertname: Down
    promql_expr_test:
      - expr: sum(up)
        eval_time: 2m
        exp_samples:
          - labels: '{}'
            value: 1e3
          - labels: 'up'
            value: .nan
          - value: -.inf
  - input_series: []
)");
  REQUIRE(f.ok());
  CHECK(f->rule_files == std::vector<std::string>{"a.yml", "rules/*.yml"});
  CHECK(f->evaluation_interval == std::chrono::seconds(30));
  CHECK(f->group_eval_order == std::vector<std::string>{"g2", "g1"});
  REQUIRE(f->tests.size() == 2);
  const RuleTestGroup& g = f->tests[0];
  CHECK(g.interval == std::chrono::minutes(1));
  CHECK(g.name == "first");
  CHECK(g.external_labels == StringPairs{{"dc", "x"}, {"region", "eu"}});
  CHECK(g.external_url == "http://example.com");
  REQUIRE(g.input_series.size() == 1);
  CHECK(g.input_series[0].series == "up{job=\"a\"}");
  CHECK(g.input_series[0].values == "1 0 _ stale 0+1x3");
  REQUIRE(g.alert_rule_tests.size() == 2);
  CHECK(g.alert_rule_tests[0].eval_time == std::chrono::minutes(5));
  CHECK(g.alert_rule_tests[0].alertname == "Down");
  REQUIRE(g.alert_rule_tests[0].exp_alerts.size() == 1);
  CHECK(g.alert_rule_tests[0].exp_alerts[0].exp_labels ==
        StringPairs{{"job", "a"}, {"severity", "page"}});
  CHECK(g.alert_rule_tests[0].exp_alerts[0].exp_annotations ==
        StringPairs{{"empty", ""}, {"summary", "a is down"}});
  CHECK(g.alert_rule_tests[1].exp_alerts.empty());
  REQUIRE(g.promql_expr_tests.size() == 1);
  const PromqlExprTest& p = g.promql_expr_tests[0];
  CHECK(p.expr == "sum(up)");
  CHECK(p.eval_time == std::chrono::minutes(2));
  REQUIRE(p.exp_samples.size() == 3);
  CHECK(p.exp_samples[0].labels == "{}");
  CHECK(p.exp_samples[0].value == 1000);
  CHECK(std::isnan(p.exp_samples[1].value));
  CHECK(p.exp_samples[2].labels.empty());
  CHECK(p.exp_samples[2].value == -INFINITY);
  CHECK(f->tests[1].interval.count() == 0);
}

TEST_CASE("rule test file: empty file has no tests", "[config][rule_test_file]") {
  auto f = ParseRuleTestFile("");
  REQUIRE(f.ok());
  CHECK(f->tests.empty());
  CHECK(f->evaluation_interval.count() == 0);
}

TEST_CASE("rule test file: strict decoding errors read as yaml.v2's", "[config][rule_test_file]") {
  CHECK(Error("rule_files: [r.yml]\nfoo: 1\ntests:\n  - interval: 1m\n    bar: 2\n"
              "    input_series:\n      - series: up\n        values: 1\n        baz: 1\n") ==
        "yaml: unmarshal errors:\n"
        "  line 2: field foo not found in type main.unitTestFile\n"
        "  line 5: field bar not found in type main.testGroup\n"
        "  line 9: field baz not found in type main.series");
  CHECK(
      Error("rule_files: [a]\nrule_files: [b]\n") ==
      "yaml: unmarshal errors:\n  line 2: field rule_files already set in type main.unitTestFile");
  CHECK(Error("tests:\n  - promql_expr_test:\n      - expr: x\n        exp_samples:\n"
              "          - labels: x\n            value: NaN\n") ==
        "yaml: unmarshal errors:\n  line 6: cannot unmarshal !!str `NaN` into float64");
  CHECK(Error("tests: 3\n") ==
        "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `3` into []main.testGroup");
  CHECK(Error("rule_files: {a: b}\n") ==
        "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!map into []string");
  CHECK(Error("tests:\n  - external_labels: {a: b, a: c}\n") ==
        "yaml: unmarshal errors:\n  line 2: key \"a\" already set in map");
}

TEST_CASE("rule test file: a bad duration stops decoding with its own message",
          "[config][rule_test_file]") {
  CHECK(Error("foo: 1\nevaluation_interval: abc\n") == "not a valid duration string: \"abc\"");
  CHECK(Error("tests:\n  - alert_rule_test:\n      - eval_time: 5x\n") ==
        "not a valid duration string: \"5x\"");
}

TEST_CASE("rule test file: a YAML syntax error names its line", "[config][rule_test_file]") {
  CHECK(Error("tests:\n  - interval: [1m\n").starts_with("yaml: line "));
}

}  // namespace
}  // namespace config

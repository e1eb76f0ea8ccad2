#include "rules/unit_test_runner.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "model/sample.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/db.h"

namespace rules {
namespace {

base::Result<std::unique_ptr<UnitTestStorage>> OpenTsdb(const std::string& dir) {
  tsdb::Options o;
  o.wal_sync = tsdb::WalSyncMode::kSegment;
  ASSIGN_OR_RETURN(std::unique_ptr<tsdb::DB> db, tsdb::DB::Open(dir, o));
  return WrapUnitTestStorage(std::move(db));
}

struct Run {
  int code;
  std::string out, err;
};

Run Test(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int code = TestRules(args, out, err, OpenTsdb);
  return {code, out.str(), err.str()};
}

std::vector<double> Values(const SeriesDesc& d) {
  std::vector<double> v;
  for (const auto& x : d.values) v.push_back(x ? *x : -12345);
  return v;
}

TEST_CASE("series notation expands as promql's ParseSeriesDesc", "[rules][unittest]") {
  auto d = ParseSeriesDesc("up{job=\"a\", instance=\"x y\"} 1 _ 2+3x2 5-1x1 7x2 _x2 -1 +2 010 1e1");
  REQUIRE(d.ok());
  CHECK(d->labels.ToString() == "{__name__=\"up\", instance=\"x y\", job=\"a\"}");
  CHECK(Values(*d) ==
        std::vector<double>{1, -12345, 2, 5, 8, 5, 4, 7, 7, 7, -12345, -12345, -1, 2, 8, 10});

  d = ParseSeriesDesc("{__name__=\"x\"} stale Inf -Inf NaN");
  REQUIRE(d.ok());
  REQUIRE(d->values.size() == 4);
  CHECK(model::IsStaleNaN(*d->values[0]));
  CHECK(*d->values[1] == INFINITY);
  CHECK(*d->values[2] == -INFINITY);
  CHECK(std::isnan(*d->values[3]));
  CHECK_FALSE(model::IsStaleNaN(*d->values[3]));

  // Accumulated as Go does: 0.1 added ten times is not 1.
  d = ParseSeriesDesc("x 0+0.1x10");
  REQUIRE(d.ok());
  double acc = 0;
  for (int i = 0; i < 10; ++i) acc += 0.1;
  CHECK(*d->values.back() == acc);

  d = ParseSeriesDesc("x");
  REQUIRE(d.ok());
  CHECK(d->values.empty());
}

TEST_CASE("series notation errors name the column", "[rules][unittest]") {
  auto e = ParseSeriesDesc("x{a=\"1\"} 1 1 foo");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message() ==
        "1:14: parse error: unexpected identifier \"foo\" in series values, expected number or "
        "\"stale\"");
  for (const char* bad : {"x 1+2", "x 1x", "x 1m", "x 1x2.5", "x stalex2", "x -stale",
                          "x{a=~\"b\"} 1", "x _y", "x 1 + 2x3"}) {
    INFO(bad);
    CHECK_FALSE(ParseSeriesDesc(bad).ok());
  }
}

class Files {
 public:
  std::string Write(const std::string& name, const std::string& text) {
    std::string p = dir_.Sub(name);
    std::ofstream(p) << text;
    return p;
  }

 private:
  testutil::TempDir dir_;
};

constexpr const char* kRules = R"(groups:
  - name: g
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: InstanceDown
        expr: up == 0
        for: 2m
        labels: {severity: page}
        annotations:
          summary: "{{ $labels.instance }} down, value {{ $value }} in {{ $externalLabels.region }}"
)";

TEST_CASE("test rules passes when alerts and samples are as expected", "[rules][unittest]") {
  Files f;
  f.Write("rules.yml", kRules);
  std::string t = f.Write("t.yml", R"(rule_files: [rules.yml]
evaluation_interval: 30s
tests:
  - interval: 1m
    external_labels: {region: eu}
    input_series:
      - series: 'up{job="a",instance="x"}'
        values: '1 0 0 0 0 0'
      - series: 'up{job="a",instance="y"}'
        values: '1x5'
    alert_rule_test:
      - eval_time: 2m
        alertname: InstanceDown
      - eval_time: 4m30s
        alertname: InstanceDown
        exp_alerts:
          - exp_labels: {severity: page, job: a, instance: x}
            exp_annotations: {summary: "x down, value 0 in eu"}
    promql_expr_test:
      - expr: job:up:sum
        eval_time: 4m
        exp_samples:
          - labels: 'job:up:sum{job="a"}'
            value: 1
      - expr: scalar(sum(up))
        eval_time: 0s
        exp_samples:
          - labels: ''
            value: 2
      # Subqueries without a step use evaluation_interval: 90s, 120s, 150s, 180s.
      - expr: count_over_time(up{instance="y"}[100s:])
        eval_time: 3m
        exp_samples:
          - labels: '{job="a", instance="y"}'
            value: 4
)");
  Run r = Test({t});
  CHECK(r.err == "");
  CHECK(r.out == "Unit Testing:  " + t + "\n  SUCCESS\n\n");
  CHECK(r.code == 0);
}

TEST_CASE("test rules prints promtool's diff for a failing alert and expression",
          "[rules][unittest]") {
  Files f;
  f.Write("rules.yml", kRules);
  std::string t = f.Write("t.yml", R"(rule_files: [rules.yml]
tests:
  - interval: 1m
    name: grp
    input_series:
      - series: 'up{job="a",instance="x"}'
        values: '1 0 0 0 0 0'
    alert_rule_test:
      - eval_time: 5m
        alertname: InstanceDown
        exp_alerts:
          - exp_labels: {severity: warn, job: a, instance: x}
    promql_expr_test:
      - expr: up
        eval_time: 1m
        exp_samples:
          - labels: 'up{job="a",instance="x"}'
            value: 1
      - expr: up
        eval_time: 1m
        exp_samples:
          - labels: 'up{job=~"a"}'
)");
  Run r = Test({t});
  CHECK(r.code == 1);
  CHECK(r.out == "Unit Testing:  " + t + "\n\n\n\n\n");
  CHECK(
      r.err.starts_with("  FAILED:\n"
                        "    name: grp,\n"
                        "    alertname: InstanceDown, time: 5m, \n"
                        "        exp:[\n"
                        "            0:\n"
                        "              Labels:{alertname=\"InstanceDown\", instance=\"x\", "
                        "job=\"a\", severity=\"warn\"}\n"
                        "              Annotations:{}\n"
                        "            ], \n"
                        "        got:[\n"
                        "            0:\n"
                        "              Labels:{alertname=\"InstanceDown\", instance=\"x\", "
                        "job=\"a\", severity=\"page\"}\n"
                        "              Annotations:{summary=\"x down, value 0 in \"}\n"
                        "            ]\n"
                        "    expr: \"up\", time: 1m,\n"
                        "        exp: {__name__=\"up\", instance=\"x\", job=\"a\"} 1E+00\n"
                        "        got: {__name__=\"up\", instance=\"x\", job=\"a\"} 0E+00\n"
                        "    expr: \"up\", time: 1m, err: labels \"up{job=~\\\"a\\\"}\": "));
}

TEST_CASE("test rules: NaN never equals NaN, as promtool's DeepEqual", "[rules][unittest]") {
  Files f;
  std::string t = f.Write("t.yml", R"(tests:
  - interval: 1m
    input_series:
      - series: x
        values: NaN
    promql_expr_test:
      - expr: x
        eval_time: 0s
        exp_samples: [{labels: x, value: .nan}]
)");
  Run r = Test({t});
  CHECK(r.code == 1);
  CHECK(r.err.find("exp: {__name__=\"x\"} NaN\n        got: {__name__=\"x\"} NaN") !=
        std::string::npos);
}

TEST_CASE("test rules: without an interval every sample is at 0 and the first wins",
          "[rules][unittest]") {
  Files f;
  std::string t = f.Write("t.yml", R"(tests:
  - input_series:
      - series: x
        values: 5 6 7
    promql_expr_test:
      - expr: x
        eval_time: 3m
        exp_samples: [{labels: x, value: 5}]
)");
  CHECK(Test({t}).code == 0);
}

TEST_CASE("test rules: rule evaluation errors stop the test group", "[rules][unittest]") {
  Files f;
  f.Write("bad.yml",
          "groups:\n  - name: g\n    rules:\n      - record: a\n        expr: y + on() x\n");
  std::string t = f.Write("t.yml", R"(rule_files: [bad.yml]
tests:
  - interval: 1m
    input_series:
      - series: 'x{a="1"}'
        values: 1 1
      - series: 'x{a="2"}'
        values: 1 1
      - series: y
        values: 1 1
    promql_expr_test:
      - expr: x
        eval_time: 1m
)");
  Run r = Test({t});
  CHECK(r.code == 1);
  CHECK(r.err.starts_with("  FAILED:\n    rule: a, time: 0s, err: found duplicate series"));
  // Stopped at the first evaluation: the expression test is not reported.
  CHECK(r.err.find("expr:") == std::string::npos);
}

TEST_CASE("test rules: file-level errors", "[rules][unittest]") {
  Files f;
  f.Write("bad_rule.yml",
          "groups:\n  - name: g\n    rules:\n      - record: a\n        expr: y +\n");
  std::string bad_rule =
      f.Write("t1.yml", "rule_files: [bad_rule.yml]\ntests:\n  - interval: 1m\n");
  std::string missing = f.Write("t2.yml", "rule_files: [nothere.yml]\ntests: []\n");
  std::string no_name =
      f.Write("t3.yml", "tests:\n  - name: tg\n    alert_rule_test:\n      - eval_time: 1m\n");
  std::string order = f.Write("t4.yml", "group_eval_order: [a, b, a]\n");
  std::string bad_series =
      f.Write("t5.yml",
              "tests:\n  - interval: 1m\n    input_series:\n      - series: 'x{a=\"1\"}'\n"
              "        values: 1 1 foo\n");

  Run r = Test({bad_rule});
  CHECK(r.code == 1);
  CHECK(r.err.find("bad_rule.yml: 5:15: group \"g\", rule 1, \"a\": could not parse expression: "
                   "1:4: parse error:") != std::string::npos);

  r = Test({missing});
  CHECK(r.code == 0);
  CHECK(r.err.find("  WARNING: no file match pattern ") != std::string::npos);
  CHECK(r.err.find("nothere.yml\n") != std::string::npos);

  r = Test({no_name});
  CHECK(r.err ==
        "  FAILED:\nan item under alert_rule_test misses required attribute alertname "
        "at eval_time 1m (in TestGroup tg)\n");

  r = Test({order});
  CHECK(r.err == "  FAILED:\ngroup name repeated in evaluation order: a\n");

  r = Test({bad_series});
  CHECK(r.err ==
        "  FAILED:\n1:14: parse error: unexpected identifier \"foo\" in series values, "
        "expected number or \"stale\"\n");

  r = Test({f.Write("ok.yml", ""), "/nonexistent/file.yml"});
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "hestia test rules: error: path '/nonexistent/file.yml' does not exist\n");
}

TEST_CASE("test rules: group_eval_order lets a later group read an earlier one's output",
          "[rules][unittest]") {
  Files f;
  f.Write("r.yml", R"(groups:
  - name: reads
    rules:
      - record: b
        expr: a * 2
  - name: writes
    rules:
      - record: a
        expr: x
)");
  auto run = [&](const std::string& order) {
    return Test({f.Write("t.yml", "rule_files: [r.yml]\ngroup_eval_order: " + order + R"(
tests:
  - interval: 1m
    input_series:
      - series: x
        values: 1+1x3
    promql_expr_test:
      - expr: b
        eval_time: 2m
        exp_samples: [{labels: b, value: 6}]
)")});
  };
  CHECK(run("[writes, reads]").code == 0);
  // Evaluated the other way round, b at 2m still reads a from 1m (2 * 2).
  CHECK(run("[reads, writes]").code == 1);
}

}  // namespace
}  // namespace rules

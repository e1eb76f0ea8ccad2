#include "rules/api.h"

#include <catch2/catch.hpp>

#include <fstream>

#include "rules/rules_test_util.h"

namespace rules {
namespace {

using testing::Env;
using std::chrono::milliseconds;

TEST_CASE("Rules and alerts render as Prometheus's API data", "[rules][api]") {
  Env env;
  env.clock.Set(1'700'000'000'250);
  testutil::TempDir dir;
  std::string path = dir.Sub("r.yml");
  std::ofstream(path) << R"(groups:
- name: g
  interval: 30s
  limit: 5
  rules:
  - record: job:r
    expr: vector(1)
  - alert: Up
    expr: vector(2) > 1
    for: 1m
    labels:
      severity: "<page>"
    annotations:
      summary: 'value {{ $value }}'
- name: other
  rules:
  - record: other:r
    expr: vector(1)
    labels:
      team: x
)";
  Manager m(env.Deps());
  REQUIRE(m.Update(milliseconds(60000), {path}, {}).ok());
  // The clock does not move: the group threads wait; evaluate by hand.
  for (const auto& g : m.RuleGroups()) g->Iterate(1'700'000'000'000);

  auto all = RulesJson(m, {});
  REQUIRE(all.ok());
  const std::string t = "\"2023-11-14T22:13:20.25Z\"";
  CHECK(all->starts_with("{\"groups\":[{\"name\":\"g\",\"file\":\"" + path +
                        "\",\"rules\":[{\"name\":\"job:r\",\"query\":\"vector(1)\","
                        "\"health\":\"ok\",\"evaluationTime\":"));
  CHECK(all->find("\"lastEvaluation\":" + t + ",\"type\":\"recording\"}") != std::string::npos);
  CHECK(all->find("],\"interval\":30,\"limit\":5,\"evaluationTime\":") != std::string::npos);
  CHECK(all->find("{\"name\":\"other\",\"file\":\"" + path + "\",\"rules\":[") !=
        std::string::npos);
  CHECK(all->find("],\"interval\":60,\"limit\":0,\"evaluationTime\":") != std::string::npos);
  CHECK(all->ends_with(",\"lastEvaluation\":" + t + "}]}"));
  // The alerting rule in full (times aside).
  CHECK(all->find("{\"state\":\"pending\",\"name\":\"Up\",\"query\":\"vector(2) \\u003e 1\","
                  "\"duration\":60,\"keepFiringFor\":0,"
                  "\"labels\":{\"severity\":\"\\u003cpage\\u003e\"},"
                  "\"annotations\":{\"summary\":\"value {{ $value }}\"},"
                  "\"alerts\":[{\"labels\":{\"alertname\":\"Up\",\"severity\":\"\\u003cpage\\u003e\"},"
                  "\"annotations\":{\"summary\":\"value 2\"},\"state\":\"pending\","
                  "\"activeAt\":\"2023-11-14T22:13:20Z\",\"value\":\"2e+00\"}],"
                  "\"health\":\"ok\",") != std::string::npos);

  RulesFilter f1;
  f1.type = "ALERT";
  auto alerts_only = RulesJson(m, f1);
  REQUIRE(alerts_only.ok());
  CHECK(alerts_only->find("job:r") == std::string::npos);
  CHECK(alerts_only->find("\"other\"") == std::string::npos);  // no rule left: group omitted
  CHECK(alerts_only->find("\"Up\"") != std::string::npos);

  RulesFilter f2;
  f2.type = "record";
  f2.rule_groups = {"other"};
  auto records = RulesJson(m, f2);
  REQUIRE(records.ok());
  CHECK(records->find("\"name\":\"g\"") == std::string::npos);
  CHECK(records->find("{\"name\":\"other:r\",\"query\":\"vector(1)\",\"labels\":{\"team\":\"x\"},"
                      "\"health\":\"ok\",") != std::string::npos);

  RulesFilter f3;
  f3.rule_names = {"Up"};
  f3.files = {path};
  f3.exclude_alerts = true;
  auto by_name = RulesJson(m, f3);
  REQUIRE(by_name.ok());
  CHECK(by_name->find("\"alerts\":null") != std::string::npos);
  CHECK(by_name->find("job:r") == std::string::npos);
  RulesFilter f4;
  f4.files = {"nope"};
  CHECK(RulesJson(m, f4).value() == "{\"groups\":[]}");

  RulesFilter f5;
  f5.type = "x";
  auto bad = RulesJson(m, f5);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message() == "not supported value \"x\"");

  CHECK(AlertsJson(m) ==
        "{\"alerts\":[{\"labels\":{\"alertname\":\"Up\",\"severity\":\"\\u003cpage\\u003e\"},"
        "\"annotations\":{\"summary\":\"value 2\"},\"state\":\"pending\","
        "\"activeAt\":\"2023-11-14T22:13:20Z\",\"value\":\"2e+00\"}]}");
}

}  // namespace
}  // namespace rules

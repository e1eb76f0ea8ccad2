#include "rules/manager.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "config/config.h"
#include "rules/rules_test_util.h"

namespace rules {
namespace {

using testing::Env;
using std::chrono::milliseconds;

constexpr model::Timestamp kT0 = 1'700'000'000'000;

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Moves the fake clock in steps until `done` holds (or 20 s of wall time pass).
template <typename F>
bool AdvanceUntil(Env& env, F done, int64_t step_ms = 1000) {
  for (int i = 0; i < 4000; ++i) {
    if (done()) return true;
    env.clock.Advance(step_ms);
    std::this_thread::sleep_for(milliseconds(5));
  }
  return done();
}

TEST_CASE("The manager loads rule_files globs relative to the config and evaluates on schedule",
          "[rules][manager]") {
  Env env;
  testutil::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/rules");
  Write(dir.path() + "/rules/a.yml",
        "groups:\n- name: rec\n  interval: 10s\n  rules:\n  - record: r\n    expr: vector(1)\n");
  Write(dir.path() + "/rules/b.yml",
        "groups:\n- name: alerts\n  rules:\n  - alert: Always\n    expr: vector(1)\n"
        "    annotations:\n      summary: '{{ $externalLabels.cluster }}'\n");
  Write(dir.path() + "/hestia.yml",
        "global:\n  evaluation_interval: 20s\n  external_labels:\n    cluster: c1\n"
        "rule_files:\n  - rules/*.yml\n");
  auto cfg = config::LoadFile(dir.path() + "/hestia.yml");
  REQUIRE(cfg.ok());
  auto paths = Manager::RuleFilePaths(*cfg);
  REQUIRE(paths.ok());
  CHECK(*paths == std::vector<std::string>{dir.path() + "/rules/a.yml", dir.path() + "/rules/b.yml"});

  Manager m(env.Deps());
  REQUIRE(m.ApplyConfig(*cfg).ok());
  auto groups = m.RuleGroups();
  REQUIRE(groups.size() == 2);
  CHECK(groups[0]->name() == "rec");
  CHECK(groups[0]->interval() == milliseconds(10000));
  CHECK(groups[1]->name() == "alerts");
  CHECK(groups[1]->interval() == milliseconds(20000));

  // Three evaluations of "rec", each at its slot.
  REQUIRE(AdvanceUntil(env, [&] {
    auto s = env.Samples("r");
    return !s.empty() && s.begin()->second.size() >= 3;
  }));
  auto samples = env.Samples("r").begin()->second;
  // A slot has a sub-millisecond phase, so its ms timestamp lies just before it.
  model::Timestamp slot = groups[0]->EvalTimestamp(samples[0].t + 1);
  CHECK(slot == samples[0].t);
  CHECK(samples[1].t - samples[0].t == 10000);
  // The alert fires (no `for`) and carries the external label in its annotation.
  REQUIRE(AdvanceUntil(env, [&] {
    std::lock_guard lock(env.sent_mu);
    return !env.sent.empty();
  }));
  {
    std::lock_guard lock(env.sent_mu);
    CHECK(env.sent[0].second.annotations ==
          Annotations{{"summary", "c1"}});
  }
  m.Stop();
}

TEST_CASE("A bad rule file keeps the previous rules and names the problem", "[rules][manager]") {
  Env env;
  testutil::TempDir dir;
  std::string path = dir.path() + "/r.yml";
  Write(path, "groups:\n- name: g\n  rules:\n  - record: r\n    expr: vector(1)\n");
  Manager m(env.Deps());
  REQUIRE(m.Update(milliseconds(60000), {path}, {}).ok());
  REQUIRE(m.RuleGroups().size() == 1);
  std::shared_ptr<Group> before = m.RuleGroups()[0];
  Write(path, "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n"
              "    annotations:\n      d: '{{ nofunc }}'\n");
  base::Status st = m.Update(milliseconds(60000), {path}, {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == path + ": group \"g\", rule 1, \"A\": annotation \"d\": template: "
                               "__alert_A:1: function \"nofunc\" not defined");
  REQUIRE(m.RuleGroups().size() == 1);
  CHECK(m.RuleGroups()[0] == before);

  // Unchanged on reload: the same group object keeps running.
  Write(path, "groups:\n- name: g\n  rules:\n  - record: r\n    expr: vector(1)\n");
  REQUIRE(m.Update(milliseconds(60000), {path}, {}).ok());
  CHECK(m.RuleGroups()[0] == before);
  // Changed: a new group.
  Write(path, "groups:\n- name: g\n  rules:\n  - record: r\n    expr: vector(2)\n");
  REQUIRE(m.Update(milliseconds(60000), {path}, {}).ok());
  CHECK(m.RuleGroups()[0] != before);
  // Removed.
  REQUIRE(m.Update(milliseconds(60000), {}, {}).ok());
  CHECK(m.RuleGroups().empty());
}

TEST_CASE("rule_query_offset applies to groups without their own query_offset", "[rules][manager]") {
  Env env;
  testutil::TempDir dir;
  std::string path = dir.path() + "/r.yml";
  Write(path, "groups:\n- name: a\n  rules:\n  - record: r\n    expr: vector(1)\n"
              "- name: b\n  query_offset: 10s\n  rules:\n  - record: s\n    expr: vector(1)\n");
  Manager m(env.Deps());
  REQUIRE(m.Update(milliseconds(60000), {path}, {}, milliseconds(30000)).ok());
  auto groups = m.RuleGroups();
  REQUIRE(groups.size() == 2);
  CHECK(groups[0]->QueryOffset() == milliseconds(30000));
  CHECK(groups[1]->QueryOffset() == milliseconds(10000));
  // A changed global offset is a changed group: it is replaced.
  std::shared_ptr<Group> before = groups[0];
  REQUIRE(m.Update(milliseconds(60000), {path}, {}, milliseconds(0)).ok());
  CHECK(m.RuleGroups()[0] != before);
  CHECK(m.RuleGroups()[0]->QueryOffset() == milliseconds(0));
}

TEST_CASE("A removed group's series are marked stale", "[rules][manager]") {
  Env env;
  testutil::TempDir dir;
  std::string path = dir.path() + "/r.yml";
  Write(path, "groups:\n- name: g\n  interval: 5s\n  rules:\n  - record: r\n    expr: vector(1)\n");
  Manager m(env.Deps());
  REQUIRE(m.Update(milliseconds(60000), {path}, {}).ok());
  REQUIRE(AdvanceUntil(env, [&] { return !env.Samples("r").empty(); }));
  env.clock.Advance(1);
  const model::Timestamp removed = env.clock.NowMs();
  REQUIRE(m.Update(milliseconds(60000), {}, {}).ok());
  CHECK(m.RuleGroups().empty());
  // Two intervals later, a staleness marker as of the removal.
  CHECK_FALSE(model::IsStaleNaN(env.Samples("r").begin()->second.back().v));
  REQUIRE(AdvanceUntil(env, [&] {
    return model::IsStaleNaN(env.Samples("r").begin()->second.back().v);
  }));
  CHECK(env.Samples("r").begin()->second.back().t == removed);
  CHECK(env.clock.NowMs() >= removed + 10000);
}

TEST_CASE("Stopping the manager writes no staleness markers", "[rules][manager]") {
  Env env;
  testutil::TempDir dir;
  std::string path = dir.path() + "/r.yml";
  Write(path, "groups:\n- name: g\n  interval: 5s\n  rules:\n  - record: r\n    expr: vector(1)\n");
  Manager m(env.Deps());
  REQUIRE(m.Update(milliseconds(60000), {path}, {}).ok());
  REQUIRE(AdvanceUntil(env, [&] { return !env.Samples("r").empty(); }));
  REQUIRE(m.Update(milliseconds(60000), {}, {}).ok());  // removal pending
  m.Stop();
  env.clock.Advance(60000);
  auto samples = env.Samples("r");
  REQUIRE(samples.size() == 1);
  for (const model::Sample& s : samples.begin()->second) CHECK_FALSE(model::IsStaleNaN(s.v));
}

TEST_CASE("The seed configurations' valid rule files load and evaluate", "[rules][manager]") {
  // Tests run in the source directory (hestia_test); the seeds live beside the checkout.
  const std::string seeds = "../shared/examples/seed-configs/";
  if (!std::filesystem::exists(seeds + "rentguy-alert-rules.yml")) {
    WARN("no seed configurations at " << seeds);
    return;
  }
  Env env;
  Manager m(env.Deps());
  REQUIRE(m.Update(milliseconds(15000), {seeds + "rentguy-alert-rules.yml"}, {}).ok());
  CHECK_FALSE(m.Update(milliseconds(15000), {seeds + "rental-ml-alerts.yml"}, {}).ok());
  auto groups = m.RuleGroups();
  REQUIRE(groups.size() == 1);
  CHECK(groups[0]->name() == "RentGuy Critical Alerts");
  const model::Timestamp t = env.clock.NowMs();
  env.Add({{"__name__", "node_cpu_usage"}, {"instance", "web-1"}}, t, 95);
  groups[0]->Iterate(t);
  auto alerting = groups[0]->AlertingRules();
  REQUIRE(alerting.size() == 2);
  for (AlertingRule* r : alerting) CHECK(r->status().health == Health::kGood);
  auto alerts = alerting[0]->ActiveAlerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].labels.ToString() ==
        "{alertname=\"HighCPUUtilization\", instance=\"web-1\", severity=\"critical\"}");
  CHECK(alerts[0].state == AlertState::kPending);
  CHECK(alerts[0].annotations == Annotations{{"description", "CPU usage exceeds 80% for 5 minutes"},
                                             {"summary", "High CPU Utilization Detected"}});
}

}  // namespace
}  // namespace rules

#include "rules/alerting_rule.h"

#include <catch2/catch.hpp>

#include "rules/group.h"
#include "rules/rules_test_util.h"

namespace rules {
namespace {

using testing::Env;
using testing::Expr;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr model::Timestamp kT0 = 1'700'000'000'000;
constexpr int64_t kStep = 15000;

std::unique_ptr<AlertingRule> Alerting(const std::string& name, const std::string& expr,
                                       milliseconds hold, milliseconds keep = milliseconds(0),
                                       model::Labels labels = {}, Annotations ann = {}) {
  AlertingRule::Spec s;
  s.name = name;
  s.expr = Expr(expr);
  s.hold = hold;
  s.keep_firing_for = keep;
  s.labels = std::move(labels);
  s.annotations = std::move(ann);
  s.external_labels = {{"cluster", "prod"}};
  s.external_url = "http://hestia:9090";
  return std::make_unique<AlertingRule>(std::move(s));
}

struct Fixture {
  Env env;
  GroupDeps deps = env.Deps();
  std::unique_ptr<Group> group;
  AlertingRule* rule = nullptr;

  void Make(std::unique_ptr<AlertingRule> r, int64_t limit = 0) {
    rule = r.get();
    GroupSpec s;
    s.name = "g";
    s.file = "f.yml";
    s.interval = milliseconds(kStep);
    s.limit = limit;
    s.rules.push_back(std::move(r));
    group = std::make_unique<Group>(std::move(s), &deps);
  }
  // Sets load{i=...} at t and evaluates at t.
  void Step(model::Timestamp t, std::vector<std::pair<std::string, double>> values) {
    for (auto& [i, v] : values) env.Add({{"__name__", "load"}, {"i", i}}, t, v);
    group->Eval(t);
  }
};

TEST_CASE("Alerts go pending, then firing after `for`, then resolve", "[rules][alerting]") {
  Fixture f;
  f.Make(Alerting("High", "load > 1", seconds(30)));
  CHECK(f.rule->State() == AlertState::kInactive);
  f.Step(kT0, {{"a", 2}});
  CHECK(f.rule->State() == AlertState::kPending);
  auto alerts = f.rule->ActiveAlerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].labels.ToString() == "{alertname=\"High\", i=\"a\"}");
  CHECK(alerts[0].active_at == kT0);
  CHECK(alerts[0].value == 2);
  CHECK(f.env.sent.empty());  // pending alerts are not sent

  f.Step(kT0 + kStep, {{"a", 3}});
  CHECK(f.rule->State() == AlertState::kPending);
  f.Step(kT0 + 2 * kStep, {{"a", 3}});
  CHECK(f.rule->State() == AlertState::kFiring);
  alerts = f.rule->ActiveAlerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].fired_at == kT0 + 2 * kStep);
  CHECK(alerts[0].value == 3);
  REQUIRE(f.env.sent.size() == 1);
  CHECK(f.env.sent[0].first == "load > 1");
  const NotifierAlert& n = f.env.sent[0].second;
  CHECK(n.starts_at == kT0 + 2 * kStep);
  // Still firing: valid for 4 * max(interval, resend delay).
  CHECK(n.ends_at == kT0 + 2 * kStep + 4 * 60000);
  CHECK(n.generator_url == "http://hestia:9090/graph?g0.expr=load+%3E+1&g0.tab=1");

  // ALERTS{alertstate} and ALERTS_FOR_STATE series, at each evaluation.
  auto pending = f.env.Samples("ALERTS{alertstate=\"pending\"}");
  REQUIRE(pending.size() == 1);
  CHECK(pending.begin()->first ==
        "{__name__=\"ALERTS\", alertname=\"High\", alertstate=\"pending\", i=\"a\"}");
  REQUIRE(pending.begin()->second.size() == 3);  // 2 evaluations + staleness marker
  CHECK(pending.begin()->second[0].v == 1);
  CHECK(model::IsStaleNaN(pending.begin()->second[2].v));
  auto firing = f.env.Samples("ALERTS{alertstate=\"firing\"}");
  REQUIRE(firing.size() == 1);
  CHECK(firing.begin()->second.size() == 1);
  auto for_state = f.env.Samples("ALERTS_FOR_STATE");
  REQUIRE(for_state.size() == 1);
  CHECK(for_state.begin()->first == "{__name__=\"ALERTS_FOR_STATE\", alertname=\"High\", i=\"a\"}");
  CHECK(for_state.begin()->second.back().v == static_cast<double>(kT0 / 1000));

  // Not re-sent before the resend delay.
  f.Step(kT0 + 3 * kStep, {{"a", 3}});
  CHECK(f.env.sent.size() == 1);

  // Resolved: inactive, sent with endsAt = resolution time; firing series goes stale.
  f.Step(kT0 + 4 * kStep, {{"a", 0}});
  CHECK(f.rule->State() == AlertState::kInactive);
  CHECK(f.rule->ActiveAlerts().empty());
  REQUIRE(f.env.sent.size() == 2);
  CHECK(f.env.sent[1].second.ends_at == kT0 + 4 * kStep);
  CHECK(f.env.sent[1].second.starts_at == kT0 + 2 * kStep);
  firing = f.env.Samples("ALERTS{alertstate=\"firing\"}");
  CHECK(model::IsStaleNaN(firing.begin()->second.back().v));
  // A resolved alert is re-sent as resolved with the resend delay, then dropped after 15m.
  for (int i = 5; i <= 9; ++i) f.Step(kT0 + i * kStep, {{"a", 0}});
  CHECK(f.env.sent.size() == 3);
  CHECK(f.rule->ActiveAlertsCount() == 1);
  f.group->Eval(kT0 + 4 * kStep + 15 * 60000 + 1);
  CHECK(f.rule->ActiveAlertsCount() == 0);
}

TEST_CASE("A pending alert whose series goes away is dropped", "[rules][alerting]") {
  Fixture f;
  f.Make(Alerting("High", "load > 1", minutes(5)));
  f.Step(kT0, {{"a", 2}});
  f.Step(kT0 + kStep, {{"a", 0}});
  CHECK(f.rule->ActiveAlertsCount() == 0);
  CHECK(f.rule->State() == AlertState::kInactive);
}

TEST_CASE("An alert with no `for` fires at once and resends after the delay", "[rules][alerting]") {
  Fixture f;
  f.Make(Alerting("Now", "load > 1", milliseconds(0)));
  f.Step(kT0, {{"a", 2}});
  CHECK(f.rule->State() == AlertState::kFiring);
  REQUIRE(f.env.sent.size() == 1);
  f.Step(kT0 + 60000, {{"a", 2}});
  CHECK(f.env.sent.size() == 1);  // exactly the delay: not yet
  f.Step(kT0 + 60001, {{"a", 2}});
  CHECK(f.env.sent.size() == 2);
}

TEST_CASE("keep_firing_for keeps a firing alert after its series goes", "[rules][alerting]") {
  Fixture f;
  f.Make(Alerting("Keep", "load > 1", milliseconds(0), seconds(30)));
  f.Step(kT0, {{"a", 2}});
  CHECK(f.rule->State() == AlertState::kFiring);
  f.Step(kT0 + kStep, {{"a", 0}});
  CHECK(f.rule->State() == AlertState::kFiring);
  auto alerts = f.rule->ActiveAlerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].keep_firing_since == kT0 + kStep);
  f.Step(kT0 + 2 * kStep, {{"a", 0}});
  CHECK(f.rule->State() == AlertState::kFiring);
  f.Step(kT0 + 3 * kStep, {{"a", 0}});  // 30s since keep_firing_since
  CHECK(f.rule->State() == AlertState::kInactive);
  // Back before it expires resets keep_firing_since.
  Fixture g;
  g.Make(Alerting("Keep", "load > 1", milliseconds(0), seconds(30)));
  g.Step(kT0, {{"a", 2}});
  g.Step(kT0 + kStep, {{"a", 0}});
  g.Step(kT0 + 2 * kStep, {{"a", 2}});
  alerts = g.rule->ActiveAlerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].keep_firing_since == 0);
}

TEST_CASE("Label and annotation templates see $labels, $value, $externalLabels, $externalURL",
          "[rules][alerting]") {
  Fixture f;
  f.Make(Alerting("T", "load > 1", milliseconds(0), milliseconds(0),
                  {{"severity", "{{ if gt $value 5.0 }}page{{ else }}ticket{{ end }}"}},
                  {{"description", "{{ $labels.i }} at {{ $value | humanize }} in "
                                   "{{ $externalLabels.cluster }}, see {{ $externalURL }}"},
                   {"empty", "{{ if false }}x{{ end }}"},
                   {"summary", "{{ nosuch }}"}}));
  f.Step(kT0, {{"a", 2}, {"b", 7000}});
  auto alerts = f.rule->ActiveAlerts();
  REQUIRE(alerts.size() == 2);
  CHECK(alerts[0].labels.ToString() == "{alertname=\"T\", i=\"a\", severity=\"ticket\"}");
  CHECK(alerts[1].labels.ToString() == "{alertname=\"T\", i=\"b\", severity=\"page\"}");
  REQUIRE(alerts[1].annotations.size() == 3);
  CHECK(alerts[1].annotations[0] ==
        std::pair<std::string, std::string>{"description",
                                            "b at 7k in prod, see http://hestia:9090"});
  CHECK(alerts[1].annotations[1] == std::pair<std::string, std::string>{"empty", ""});
  CHECK(alerts[1].annotations[2].second.starts_with("<error expanding template: "));
  auto series = f.env.Samples("ALERTS");
  REQUIRE(series.size() == 2);
  CHECK(series.begin()->first ==
        "{__name__=\"ALERTS\", alertname=\"T\", alertstate=\"firing\", i=\"a\", "
        "severity=\"ticket\"}");
}

TEST_CASE("Alert limits and duplicate label sets are errors", "[rules][alerting]") {
  Fixture f;
  f.Make(Alerting("L", "load > 1", milliseconds(0)), /*limit=*/1);
  f.Step(kT0, {{"a", 2}, {"b", 2}});
  RuleStatus st = f.rule->status();
  CHECK(st.health == Health::kBad);
  CHECK(st.last_error == "exceeded limit of 1 with 2 alerts");
  CHECK(f.rule->ActiveAlertsCount() == 0);
  CHECK(f.env.Samples("ALERTS").empty());

  Fixture d;
  d.Make(Alerting("D", "load > 1", milliseconds(0), milliseconds(0), {{"i", "same"}}));
  d.Step(kT0, {{"a", 2}, {"b", 2}});
  CHECK(d.rule->status().last_error ==
        "vector contains metrics with the same labelset after applying alert labels");
}

TEST_CASE("The `for` state is restored from ALERTS_FOR_STATE after a restart", "[rules][alerting]") {
  Env env;
  GroupDeps deps = env.Deps();
  deps.for_grace_period = minutes(2);
  // Before the restart: active since kT0, last written at kT0 + 60s, hold 10m.
  env.Add({{"__name__", "ALERTS_FOR_STATE"}, {"alertname", "R"}, {"i", "a"}}, kT0 + 60000,
          static_cast<double>(kT0 / 1000));
  // Another alert of the same rule that had been pending 9.5 of 10 minutes.
  env.Add({{"__name__", "ALERTS_FOR_STATE"}, {"alertname", "R"}, {"i", "b"}}, kT0 + 570000,
          static_cast<double>(kT0 / 1000));
  const model::Timestamp up = kT0 + 600000;  // back 10 minutes after kT0
  env.Add({{"__name__", "load"}, {"i", "a"}}, up, 2);
  env.Add({{"__name__", "load"}, {"i", "b"}}, up, 2);
  auto r = Alerting("R", "load > 1", minutes(10));
  AlertingRule* rule = r.get();
  GroupSpec s;
  s.name = "g";
  s.file = "f.yml";
  s.interval = milliseconds(kStep);
  s.should_restore = true;
  s.rules.push_back(std::move(r));
  // Built as the Manager builds groups at startup: not yet restored.
  rule->SetRestored(false);
  Group g(std::move(s), &deps);
  g.Eval(up);
  CHECK(env.Samples("ALERTS").empty());  // no ALERTS until restored
  g.RestoreForState(up);
  CHECK(rule->restored());
  auto alerts = rule->ActiveAlerts();
  REQUIRE(alerts.size() == 2);
  // a: spent 60s pending, 9m to go: the outage (540s) is added to its active time.
  CHECK(alerts[0].active_at == kT0 + (up - (kT0 + 60000)));
  // b: 30s to go, less than the grace period: fires one grace period from now at the earliest.
  CHECK(alerts[1].active_at == up + 120000 - 600000);
}

}  // namespace
}  // namespace rules

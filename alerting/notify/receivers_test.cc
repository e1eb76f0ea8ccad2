// Receivers built from an alertmanager.yml (BuildIntegrations) and driven against a local HTTP
// sink: the Slack, PagerDuty, OpsGenie and MS Teams payloads and requests, retry decisions and
// template errors; kinds Hestia does not implement are refused.
#include "alerting/notify/receivers.h"

#include <catch2/catch.hpp>

#include "alerting/notify/pagerduty.h"
#include "alerting/notify/test_util.h"
#include "tests/testutil/fake_clock.h"

namespace alerting::notify {
namespace {

using testing::HttpSink;

// sha256(`{}:{alertname="HighLoad"}`), computed with Python's hashlib.
constexpr const char* kKeyHash = "196cd8f79681ecfe82cc3e2d31612835c7d1ce897fd702ce61839eace2d49e26";
constexpr const char* kSubject = "[FIRING:1] HighLoad (page)";
constexpr const char* kAmUrl = "http://am:9093/#/alerts?receiver=team-x";
// __text_alert_list of the firing and the resolved alert of MixedGroup(), JSON-escaped.
constexpr const char* kList1 =
    R"(Labels:\n - alertname = HighLoad\n - instance = a:9100\n - severity = page\n)"
    R"(Annotations:\n - summary = load is high\nSource: http://prom:9090/graph?g0.expr=up\n)";
constexpr const char* kList2 =
    R"(Labels:\n - alertname = HighLoad\n - instance = b:9100\n - severity = page\n)"
    R"(Annotations:\n - summary = load was high\nSource: http://prom:9090/graph?g0.expr=up\n)";

config::Receiver LoadReceiver(const std::string& receivers_yaml) {
  auto cfg = config::Load("route:\n  receiver: team-x\nreceivers:\n" + receivers_yaml);
  INFO(cfg.status().ToString());
  REQUIRE(cfg.ok());
  return cfg->receivers.at(0);
}

std::vector<Integration> Build(const config::Receiver& r) {
  auto templates = LoadTemplates({});
  REQUIRE(templates.ok());
  ReceiverOptions opts;
  opts.user_agent = "Alertmanager/0.25.0";
  auto ints = BuildIntegrations(r, *templates, opts);
  INFO(ints.status().ToString());
  REQUIRE(ints.ok());
  return *ints;
}

TEST_CASE("integrations come in Alertmanager's order with their indexes",
          "[alerting][notify][receivers]") {
  auto ints = Build(LoadReceiver(R"(- name: team-x
  slack_configs:
  - api_url: http://127.0.0.1:1/a
  - api_url: http://127.0.0.1:1/b
  webhook_configs:
  - url: http://127.0.0.1:1/hook
    send_resolved: false
  msteams_configs:
  - webhook_url: http://127.0.0.1:1/teams
  opsgenie_configs:
  - api_key: k
  pagerduty_configs:
  - routing_key: rk
  email_configs:
  - to: a@example.com
    from: am@example.com
    smarthost: 127.0.0.1:1
)"));
  std::vector<std::string> got;
  for (const Integration& i : ints)
    got.push_back(i.name + "/" + std::to_string(i.index) + "/" + (i.send_resolved ? "r" : "-"));
  CHECK(got == std::vector<std::string>{"webhook/0/-", "email/0/-", "pagerduty/0/r", "opsgenie/0/r",
                                        "slack/0/-", "slack/1/-", "msteams/0/r"});
  for (const Integration& i : ints) {
    CHECK(i.receiver == "team-x");
    CHECK(i.notifier != nullptr);
  }
}

TEST_CASE("the options fill the external URL and the time the context leaves unset",
          "[alerting][notify][receivers]") {
  HttpSink sink;
  config::Receiver r =
      LoadReceiver("- name: team-x\n  webhook_configs:\n  - url: " + sink.Url("/") + "\n");
  auto templates = LoadTemplates({});
  REQUIRE(templates.ok());
  testutil::FakeClock clock(testing::kNow);
  ReceiverOptions opts;
  opts.external_url = "http://opt:9093";
  opts.clock = &clock;
  auto ints = BuildIntegrations(r, *templates, opts);
  REQUIRE(ints.ok());
  NotifyContext ctx = testing::MakeContext();
  ctx.external_url.clear();
  ctx.now_ms = 0;
  bool retry = false;
  REQUIRE(ints->at(0).notifier->Notify(ctx, testing::MixedGroup(), &retry).ok());
  const std::string body = sink.requests().at(0).body;
  CHECK(body.find(R"("externalURL":"http://opt:9093")") != std::string::npos);
  // Resolved by the clock's time: the second alert ended before kNow.
  CHECK(body.find(R"("status":"resolved")") != std::string::npos);
}

TEST_CASE("receivers with kinds Hestia does not implement are refused by name",
          "[alerting][notify][receivers]") {
  auto templates = LoadTemplates({});
  REQUIRE(templates.ok());
  config::Receiver r = LoadReceiver(R"(- name: team-x
  webhook_configs:
  - url: http://127.0.0.1:1/
  telegram_configs:
  - bot_token: t
    chat_id: 1
)");
  auto ints = BuildIntegrations(r, *templates, ReceiverOptions{});
  REQUIRE(!ints.ok());
  CHECK(ints.error().message() == "receiver team-x: telegram_configs are not supported by Hestia");
}

TEST_CASE("slack posts one attachment with the default templates", "[alerting][notify][slack]") {
  HttpSink sink;
  auto ints = Build(LoadReceiver("- name: team-x\n  slack_configs:\n  - api_url: " +
                                 sink.Url("/services/x") + "\n    channel: '#alerts'\n"));
  bool retry = true;
  REQUIRE(ints.at(0).notifier->Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
  auto reqs = sink.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].path == "/services/x");
  CHECK(reqs[0].Header("Content-Type") == "application/json");
  CHECK(reqs[0].Header("User-Agent") == "Alertmanager/0.25.0");
  CHECK(
      reqs[0].body ==
      std::string(R"({"channel":"#alerts","username":"Alertmanager","attachments":[{"title":")") +
          kSubject + R"(","title_link":")" + kAmUrl + R"(","text":"","fallback":")" + kSubject +
          " | " + kAmUrl +
          R"(","callback_id":"","footer":"","color":"danger","mrkdwn_in":["fallback","pretext","text"]}]})"
          "\n");

  sink.Reply(404, "channel_not_found");
  base::Status st = ints[0].notifier->Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
  CHECK(st.message() == "channel \"#alerts\": unexpected status code 404: channel_not_found");
  CHECK_FALSE(retry);
  sink.Reply(503, "");
  st = ints[0].notifier->Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
  CHECK(st.message() == "channel \"#alerts\": unexpected status code 503");
  CHECK(retry);
}

TEST_CASE("slack fields, actions and a template error", "[alerting][notify][slack]") {
  HttpSink sink;
  auto ints =
      Build(LoadReceiver("- name: team-x\n  slack_configs:\n  - api_url: " + sink.Url("/") + R"(
    title: '{{ .CommonLabels.alertname }}'
    color: ''
    short_fields: true
    link_names: true
    fields:
    - title: sev
      value: '{{ .CommonLabels.severity }}'
    - title: long
      value: v
      short: false
    actions:
    - type: button
      text: Runbook
      url: 'http://rb/{{ .CommonLabels.alertname }}'
)"));
  bool retry = false;
  REQUIRE(ints.at(0).notifier->Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
  const std::string body = sink.requests().at(0).body;
  CHECK(body.find(R"("link_names":true,"attachments":[{"title":"HighLoad",)") != std::string::npos);
  CHECK(body.find(R"("fields":[{"title":"sev","value":"page","short":true},)"
                  R"({"title":"long","value":"v","short":false}],)"
                  R"("actions":[{"type":"button","text":"Runbook","url":"http://rb/HighLoad"}],)"
                  R"("footer":"","mrkdwn_in")") != std::string::npos);

  auto bad = Build(LoadReceiver("- name: team-x\n  slack_configs:\n  - api_url: " + sink.Url("/") +
                                "\n    title: '{{ .Nope.X }}'\n"));
  base::Status st =
      bad.at(0).notifier->Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
  CHECK(st.message().rfind("template: :1:", 0) == 0);
  CHECK_FALSE(retry);
  CHECK(sink.requests().size() == 1);
}

TEST_CASE("pagerduty v2 triggers and resolves with a hashed dedup key",
          "[alerting][notify][pagerduty]") {
  HttpSink sink;
  auto ints =
      Build(LoadReceiver("- name: team-x\n  pagerduty_configs:\n  - routing_key: rk\n"
                         "    url: " +
                         sink.Url("/v2/enqueue") + "\n"));
  bool retry = true;
  REQUIRE(ints.at(0).notifier->Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
  auto reqs = sink.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].path == "/v2/enqueue");
  CHECK(reqs[0].body ==
        std::string(R"({"routing_key":"rk","dedup_key":")") + kKeyHash +
            R"(","event_action":"trigger","payload":{"summary":")" + kSubject +
            R"(","source":"Alertmanager","severity":"error","custom_details":{"firing":")" +
            kList1 + R"(","num_firing":"1","num_resolved":"1","resolved":")" + kList2 +
            R"("}},"client":"Alertmanager","client_url":")" + kAmUrl + "\"}\n");

  const Alerts resolved = {
      testing::MakeAlert({{"alertname", "HighLoad"}}, {}, testing::kStart, testing::kResolvedEnd)};
  REQUIRE(ints[0].notifier->Notify(testing::MakeContext(), resolved, &retry).ok());
  CHECK(sink.requests().at(1).body.find(R"("event_action":"resolve")") != std::string::npos);

  // 429 is retried, other 4xx are not; a 400 shows PagerDuty's message and errors.
  sink.Reply(429, "");
  CHECK(!ints[0].notifier->Notify(testing::MakeContext(), resolved, &retry).ok());
  CHECK(retry);
  sink.Reply(400,
             R"j({"status":"invalid event","message":"Event object is invalid",)j"
             R"j("errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]})j");
  base::Status st = ints[0].notifier->Notify(testing::MakeContext(), resolved, &retry);
  CHECK(st.message() ==
        "unexpected status code 400: Event object is invalid: Length of 'routing_key' is "
        "incorrect (should be 32 characters)");
  CHECK_FALSE(retry);
  CHECK(GroupKeyHash("{}:{alertname=\"HighLoad\"}") == kKeyHash);
}

TEST_CASE("pagerduty v1 sends service_key events to the v1 API", "[alerting][notify][pagerduty]") {
  HttpSink sink;
  config::Receiver r = LoadReceiver("- name: team-x\n  pagerduty_configs:\n  - service_key: sk\n");
  auto templates = LoadTemplates({});
  REQUIRE(templates.ok());
  PagerdutyNotifier n(r.pagerduty_configs.at(0), *templates, "UA", nullptr, std::chrono::seconds(5),
                      sink.Url("/v1"));
  bool retry = false;
  REQUIRE(n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
  CHECK(sink.requests().at(0).body ==
        std::string(R"({"service_key":"sk","incident_key":")") + kKeyHash +
            R"(","event_type":"trigger","description":")" + kSubject +
            R"(","event_action":"","payload":null,"client":"Alertmanager","client_url":")" +
            kAmUrl + R"(","details":{"firing":")" + kList1 +
            R"(","num_firing":"1","num_resolved":"1","resolved":")" + kList2 + "\"}}\n");
  sink.Reply(403, "");
  CHECK(!n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
  CHECK(retry);  // v1's rate limit answer
}

TEST_CASE("opsgenie creates, updates and closes alerts by alias", "[alerting][notify][opsgenie]") {
  HttpSink sink;
  auto ints =
      Build(LoadReceiver("- name: team-x\n  opsgenie_configs:\n  - api_key: key\n"
                         "    api_url: " +
                         sink.Url("/") + R"(
    update_alerts: true
    tags: 'a, b ,,c'
    priority: P2
    responders:
    - name: 'ops,dev'
      type: teams
    - username: jane
      type: user
)"));
  bool retry = true;
  REQUIRE(ints.at(0).notifier->Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
  auto reqs = sink.requests();
  REQUIRE(reqs.size() == 3);
  for (const auto& r : reqs) CHECK(r.Header("Authorization") == "GenieKey key");
  CHECK(reqs[0].method == "POST");
  CHECK(reqs[0].path == "/v2/alerts");
  const std::string description =
      std::string(R"(\nAlerts Firing:\n)") + kList1 + R"(\nAlerts Resolved:\n)" + kList2;
  CHECK(reqs[0].body ==
        std::string(R"({"alias":")") + kKeyHash + R"(","message":")" + kSubject +
            R"(","description":")" + description +
            R"(","details":{"alertname":"HighLoad","severity":"page"},"source":")" + kAmUrl +
            R"(","responders":[{"name":"ops","type":"team"},{"name":"dev","type":"team"},)"
            R"({"username":"jane","type":"user"}],"tags":["a"," b ","c"],"priority":"P2"})"
            "\n");
  CHECK(reqs[1].method == "PUT");
  CHECK(reqs[1].path == std::string("/v2/alerts/") + kKeyHash + "/message");
  CHECK(reqs[1].query == "identifierType=alias");
  CHECK(reqs[1].body == std::string(R"({"message":")") + kSubject + "\"}\n");
  CHECK(reqs[2].path == std::string("/v2/alerts/") + kKeyHash + "/description");
  CHECK(reqs[2].body == R"({"description":")" + description + "\"}\n");

  const Alerts resolved = {
      testing::MakeAlert({{"alertname", "HighLoad"}}, {}, testing::kStart, testing::kResolvedEnd)};
  REQUIRE(ints[0].notifier->Notify(testing::MakeContext(), resolved, &retry).ok());
  reqs = sink.requests();
  REQUIRE(reqs.size() == 4);
  CHECK(reqs[3].method == "POST");
  CHECK(reqs[3].path == std::string("/v2/alerts/") + kKeyHash + "/close");
  CHECK(reqs[3].query == "identifierType=alias");
  CHECK(reqs[3].body == std::string(R"({"source":")") + kAmUrl + "\"}\n");

  sink.Reply(422, "");
  CHECK(!ints[0].notifier->Notify(testing::MakeContext(), resolved, &retry).ok());
  CHECK_FALSE(retry);
  sink.Reply(429, "");
  CHECK(!ints[0].notifier->Notify(testing::MakeContext(), resolved, &retry).ok());
  CHECK(retry);
}

TEST_CASE("msteams posts a MessageCard", "[alerting][notify][msteams]") {
  HttpSink sink;
  auto ints = Build(LoadReceiver(
      "- name: team-x\n  msteams_configs:\n  - webhook_url: " + sink.Url("/teams") + "\n"));
  bool retry = true;
  REQUIRE(ints.at(0).notifier->Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
  const std::string text =
      R"(\n\n# Alerts Firing:\n\nLabels:\n  - alertname = HighLoad\n  - instance = a:9100\n)"
      R"(  - severity = page\n\nAnnotations:\n  - summary = load is high\n\nSource: )"
      R"(http://prom:9090/graph?g0.expr=up\n\n\n\n\n# Alerts Resolved:\n\nLabels:\n)"
      R"(  - alertname = HighLoad\n  - instance = b:9100\n  - severity = page\n\n)"
      R"(Annotations:\n  - summary = load was high\n\nSource: )"
      R"(http://prom:9090/graph?g0.expr=up\n\n\n\n)";
  CHECK(
      sink.requests().at(0).body ==
      std::string(R"({"@context":"http://schema.org/extensions","type":"MessageCard","title":")") +
          kSubject + R"(","summary":")" + kSubject + R"(","text":")" + text +
          R"(","themeColor":"8C1A1A"})"
          "\n");
  const Alerts resolved = {
      testing::MakeAlert({{"alertname", "HighLoad"}}, {}, testing::kStart, testing::kResolvedEnd)};
  REQUIRE(ints[0].notifier->Notify(testing::MakeContext(), resolved, &retry).ok());
  CHECK(sink.requests().at(1).body.find(R"("themeColor":"2DC72D")") != std::string::npos);
}

}  // namespace
}  // namespace alerting::notify

#include "alerting/alertmanager.h"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "alerting/fingerprint.h"
#include "tests/testutil/temp_dir.h"

using namespace std::chrono_literals;
using alerting::Alert;

namespace {

class CountingNotifier final : public alerting::notify::Notifier {
 public:
  base::Status Notify(const alerting::notify::NotifyContext& ctx, const alerting::Alerts& alerts,
                      bool*) override {
    std::lock_guard lock(mu_);
    keys_.push_back(ctx.group_key + " n=" + std::to_string(alerts.size()));
    cv_.notify_all();
    return base::Status::Ok();
  }
  size_t WaitFor(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return keys_.size() >= n; });
    return keys_.size();
  }
  std::vector<std::string> keys() {
    std::lock_guard lock(mu_);
    return keys_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> keys_;
};

const char* kConfig = R"(
global:
  resolve_timeout: 2m
route:
  receiver: team
  group_by: [alertname]
  group_wait: 200ms
  group_interval: 400ms
  repeat_interval: 1h
  routes:
  - matchers: [severity=page]
    receiver: pager
    continue: true
  - receiver: team
receivers:
- name: team
- name: pager
- name: unused
)";

std::shared_ptr<const alerting::config::Config> Config(const char* yaml = kConfig) {
  auto c = alerting::config::Load(yaml);
  if (!c.has_value()) FAIL(c.error().message());
  return std::make_shared<const alerting::config::Config>(std::move(*c));
}

alerting::AlertmanagerOptions Options(const std::string& dir,
                                      std::shared_ptr<CountingNotifier> notifier) {
  alerting::AlertmanagerOptions o;
  o.storage_path = dir;
  o.build_integrations = [notifier](const alerting::config::Receiver& r)
      -> base::Result<std::vector<alerting::notify::Integration>> {
    return std::vector<alerting::notify::Integration>{
        alerting::notify::Integration{"webhook", 0, r.name, true, notifier}};
  };
  return o;
}

Alert MakeAlert(model::Labels labels, int64_t starts_at = 0, int64_t ends_at = 0) {
  Alert a;
  a.labels = std::move(labels);
  a.starts_at = starts_at;
  a.ends_at = ends_at;
  return a;
}

int64_t Now() { return base::Clock::Real().NowMs(); }

}  // namespace

TEST_CASE("PutAlerts validates as API v2 and fills in the times", "[alerting][alertmanager]") {
  testutil::TempDir dir;
  auto notifier = std::make_shared<CountingNotifier>();
  alerting::Alertmanager am(Options(dir.path(), notifier));
  REQUIRE(am.Open().ok());
  REQUIRE(am.ApplyConfig(Config()).ok());
  const int64_t before = Now();
  std::vector<Alert> batch;
  batch.push_back(MakeAlert({{"alertname", "Good"}}));
  batch.push_back(MakeAlert({}));
  batch.push_back(MakeAlert({{"alertname", "Backwards"}}, before, before - 1000));
  batch.push_back(MakeAlert({{"0bad", "x"}}));
  Alert bad_annotation = MakeAlert({{"alertname", "Ann"}});
  bad_annotation.annotations = {{"bad-name", "x"}};
  batch.push_back(bad_annotation);
  batch.push_back(MakeAlert({{"alertname", "Ended"}}, 0, before - 5000));
  base::Status st = am.PutAlerts(batch);
  CHECK(st.code() == base::StatusCode::kInvalidArgument);
  CHECK(st.message() ==
        "at least one label pair required; start time must be before end time; invalid label "
        "set: invalid name \"0bad\"; invalid annotations: invalid name \"bad-name\"");

  alerting::Alertmanager::AlertFilter all;
  auto alerts = am.GetAlerts(all);
  REQUIRE(alerts.has_value());
  // "Ended" is stored (starts_at = ends_at) but resolved, so not listed.
  REQUIRE(alerts->size() == 1);
  const Alert& good = *(*alerts)[0].alert;
  CHECK(good.starts_at >= before);
  CHECK(good.timeout);
  CHECK(good.ends_at == good.updated_at + 120'000);
  CHECK((*alerts)[0].receivers == std::vector<std::string>{"team"});
  CHECK((*alerts)[0].status.state == "active");
}

TEST_CASE("GetAlerts and GetAlertGroups filter as API v2", "[alerting][alertmanager]") {
  testutil::TempDir dir;
  auto notifier = std::make_shared<CountingNotifier>();
  alerting::Alertmanager am(Options(dir.path(), notifier));
  REQUIRE(am.Open().ok());
  REQUIRE(am.ApplyConfig(Config()).ok());
  CHECK(am.receivers() == std::vector<std::string>{"team", "pager", "unused"});
  REQUIRE(am.PutAlerts({MakeAlert({{"alertname", "A"}, {"severity", "page"}}),
                        MakeAlert({{"alertname", "A"}, {"severity", "info"}}),
                        MakeAlert({{"alertname", "B"}})})
              .ok());
  alerting::Silence s;
  s.matchers = {{alerting::MatchType::kEqual, "alertname", "B"}};
  s.starts_at = Now();
  s.ends_at = Now() + 3600'000;
  s.created_by = "t";
  auto id = am.silences().Set(s);
  REQUIRE(id.has_value());

  alerting::Alertmanager::AlertFilter f;
  f.matchers = {"alertname=\"A\""};
  auto r = am.GetAlerts(f);
  REQUIRE(r.has_value());
  CHECK(r->size() == 2);
  f.receiver = "pag.*";
  r = am.GetAlerts(f);
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].receivers == std::vector<std::string>{"pager", "team"});
  f = {};
  f.silenced = false;
  r = am.GetAlerts(f);
  CHECK(r->size() == 2);
  f = {};
  f.active = false;
  r = am.GetAlerts(f);
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].status.state == "suppressed");
  CHECK((*r)[0].status.silenced_by == std::vector<std::string>{*id});
  f = {};
  f.matchers = {"a=~("};
  CHECK(am.GetAlerts(f).status().code() == base::StatusCode::kInvalidArgument);

  // Groups: team gets A and B groups; pager gets the paging A.
  f = {};
  auto groups = am.GetAlertGroups(f);
  REQUIRE(groups.has_value());
  REQUIRE(groups->size() == 3);
  CHECK((*groups)[0].labels == model::Labels{{"alertname", "A"}});
  CHECK((*groups)[0].receiver == "pager");
  CHECK((*groups)[1].receiver == "team");
  CHECK((*groups)[1].alerts.size() == 2);
  CHECK((*groups)[2].labels == model::Labels{{"alertname", "B"}});
  CHECK((*groups)[2].alerts[0].status.state == "suppressed");
  f.receiver = "pager";
  groups = am.GetAlertGroups(f);
  REQUIRE(groups->size() == 1);
  CHECK((*groups)[0].route_id == "{}/{severity=\"page\"}/0");
  // Only the groups the filter keeps count, as in Alertmanager.
  CHECK((*groups)[0].alerts[0].receivers == std::vector<std::string>{"pager"});
}

TEST_CASE("nflog and silences survive Stop and Open: no repeated notification",
          "[alerting][alertmanager]") {
  testutil::TempDir dir;
  const int64_t started = Now() - 60'000;
  std::string silence_id;
  {
    auto notifier = std::make_shared<CountingNotifier>();
    alerting::Alertmanager am(Options(dir.path(), notifier));
    REQUIRE(am.Open().ok());
    REQUIRE(am.ApplyConfig(Config()).ok());
    REQUIRE(am.PutAlerts({MakeAlert({{"alertname", "A"}}, started)}).ok());
    REQUIRE(notifier->WaitFor(1, 3s) == 1);
    CHECK(notifier->keys()[0] == "{}/{}:{alertname=\"A\"} n=1");
    alerting::Silence s;
    s.matchers = {{alerting::MatchType::kEqual, "alertname", "Silenced"}};
    s.starts_at = Now();
    s.ends_at = Now() + 3600'000;
    s.created_by = "t";
    silence_id = *am.silences().Set(s);
    am.Stop();
  }
  CHECK(std::filesystem::exists(dir.Sub("nflog")));
  CHECK(std::filesystem::exists(dir.Sub("silences")));

  auto restart = [&](std::shared_ptr<CountingNotifier> notifier) {
    auto am = std::make_unique<alerting::Alertmanager>(Options(dir.path(), notifier));
    REQUIRE(am->Open().ok());
    REQUIRE(am->ApplyConfig(Config()).ok());
    // The sender re-sends the same alert, as Prometheus does.
    REQUIRE(am->PutAlerts({MakeAlert({{"alertname", "A"}}, started)}).ok());
    return am;
  };
  {
    auto notifier = std::make_shared<CountingNotifier>();
    auto am = restart(notifier);
    CHECK(am->silences().Get(silence_id).has_value());
    // The group flushes at once (the alert is older than group_wait); the nflog says it was
    // already notified within repeat_interval.
    CHECK(notifier->WaitFor(1, 1500ms) == 0);
    am->Stop();
  }
  // Control: without the nflog the same restart notifies again.
  std::filesystem::remove(dir.Sub("nflog"));
  {
    auto notifier = std::make_shared<CountingNotifier>();
    auto am = restart(notifier);
    CHECK(notifier->WaitFor(1, 3s) == 1);
  }
}

TEST_CASE("Open reports a corrupt snapshot naming the file", "[alerting][alertmanager]") {
  testutil::TempDir dir;
  {
    std::ofstream out(dir.Sub("silences"), std::ios::binary);
    out << "garbage that is not a snapshot";
  }
  alerting::Alertmanager am(Options(dir.path(), std::make_shared<CountingNotifier>()));
  base::Status st = am.Open();
  CHECK(st.code() == base::StatusCode::kCorruption);
  CHECK(st.message().find(dir.Sub("silences")) != std::string::npos);
}

TEST_CASE("ApplyConfig re-dispatches the stored alerts into new groups",
          "[alerting][alertmanager]") {
  testutil::TempDir dir;
  auto notifier = std::make_shared<CountingNotifier>();
  alerting::Alertmanager am(Options(dir.path(), notifier));
  REQUIRE(am.Open().ok());
  REQUIRE(am.ApplyConfig(Config()).ok());
  REQUIRE(am.PutAlerts({MakeAlert({{"alertname", "A"}, {"team", "x"}})}).ok());
  REQUIRE(notifier->WaitFor(1, 3s) == 1);
  // Group by team instead: a new group key, so a new notification.
  REQUIRE(am.ApplyConfig(Config(R"(
route:
  receiver: team
  group_by: [team]
  group_wait: 200ms
receivers:
- name: team
)"))
              .ok());
  REQUIRE(notifier->WaitFor(2, 3s) == 2);
  CHECK(notifier->keys()[1] == "{}:{team=\"x\"} n=1");
  auto groups = am.GetAlertGroups({});
  REQUIRE(groups.has_value());
  REQUIRE(groups->size() == 1);
  CHECK((*groups)[0].labels == model::Labels{{"team", "x"}});
}

TEST_CASE("maintenance writes snapshots without a Stop", "[alerting][alertmanager]") {
  testutil::TempDir dir;
  auto o = Options(dir.path(), std::make_shared<CountingNotifier>());
  o.maintenance_interval = 100ms;
  alerting::Alertmanager am(o);
  CHECK(am.Snapshot().code() == base::StatusCode::kUnavailable);  // not opened yet
  REQUIRE(am.Open().ok());
  alerting::Silence s;
  s.matchers = {{alerting::MatchType::kEqual, "alertname", "A"}};
  s.starts_at = Now();
  s.ends_at = Now() + 3600'000;
  s.created_by = "t";
  auto id = am.silences().Set(s);
  REQUIRE(id.has_value());
  bool found = false;
  for (int i = 0; i < 40 && !found; ++i) {
    std::this_thread::sleep_for(50ms);
    alerting::Silences loaded(base::Clock::Real());
    found = loaded.LoadSnapshot(dir.Sub("silences")).ok() && loaded.Get(*id).has_value();
  }
  CHECK(found);
}

TEST_CASE("alerts reach a real webhook receiver, firing then resolved",
          "[alerting][alertmanager]") {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> bodies;
  httplib::Server server;
  server.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    bodies.push_back(req.body);
    cv.notify_all();
    res.status = 200;
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread serving([&] { server.listen_after_bind(); });
  auto wait_for = [&](size_t n) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, 5s, [&] { return bodies.size() >= n; });
    return bodies.size();
  };

  testutil::TempDir dir;
  alerting::AlertmanagerOptions o;
  o.storage_path = dir.path();
  o.external_url = "http://am.example:9093";
  {
    alerting::Alertmanager am(o);
    REQUIRE(am.Open().ok());
    const std::string yaml = R"(
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 100ms
  group_interval: 300ms
receivers:
- name: hook
  webhook_configs:
  - url: http://127.0.0.1:)" +
                             std::to_string(port) + R"(/hook
    send_resolved: true
)";
    auto c = alerting::config::Load(yaml);
    REQUIRE(c.has_value());
    REQUIRE(am.ApplyConfig(std::make_shared<const alerting::config::Config>(std::move(*c))).ok());
    REQUIRE(am.PutAlerts({MakeAlert({{"alertname", "A"}, {"instance", "i1"}})}).ok());
    REQUIRE(wait_for(1) == 1);
    // Resolve it: the group notifies the resolution (send_resolved).
    REQUIRE(am.PutAlerts(
                  {MakeAlert({{"alertname", "A"}, {"instance", "i1"}}, Now() - 60'000, Now() - 1)})
                .ok());
    REQUIRE(wait_for(2) == 2);
    am.Stop();
  }
  server.stop();
  serving.join();
  std::lock_guard lock(mu);
  CHECK(bodies[0].find("\"status\":\"firing\"") != std::string::npos);
  CHECK(bodies[0].find("\"receiver\":\"hook\"") != std::string::npos);
  CHECK(bodies[0].find("\"groupKey\":\"{}:{alertname=\\\"A\\\"}\"") != std::string::npos);
  CHECK(bodies[0].find("\"externalURL\":\"http://am.example:9093\"") != std::string::npos);
  CHECK(bodies[1].find("\"status\":\"resolved\"") != std::string::npos);
  CHECK(bodies.size() == 2);
}

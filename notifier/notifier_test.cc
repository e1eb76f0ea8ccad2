// Notifier tests against a fake Alertmanager (an httplib server on 127.0.0.1): the v2 JSON,
// batching, external labels, relabeling, errors, queue overflow, discovery, shutdown.
#include "notifier/notifier.h"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "tests/testutil/temp_dir.h"

namespace {

using namespace std::chrono_literals;

// Records every POST; can hold requests until released, and answer with any status.
class FakeAlertmanager {
 public:
  struct Request {
    std::string path, body, content_type, user_agent, authorization;
  };

  FakeAlertmanager() {
    server_.Post(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !blocked_; });
      requests_.push_back({req.path, req.body, req.get_header_value("Content-Type"),
                           req.get_header_value("User-Agent"),
                           req.get_header_value("Authorization")});
      res.status = status_;
      cv_.notify_all();
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeAlertmanager() {
    Release();
    server_.stop();
    thread_.join();
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void Block() {
    std::lock_guard lock(mu_);
    blocked_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    blocked_ = false;
    cv_.notify_all();
  }
  void SetStatus(int status) {
    std::lock_guard lock(mu_);
    status_ = status;
  }
  // Waits until `n` requests arrived (or 10 s passed); returns all of them.
  std::vector<Request> WaitRequests(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return requests_.size() >= n; });
    return requests_;
  }
  std::vector<Request> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  int status_ = 200;
  std::vector<Request> requests_;
};

notifier::Alert MakeAlert(const std::string& name, const std::string& extra_name = "",
                          const std::string& extra_value = "") {
  notifier::Alert a;
  model::LabelsBuilder lb;
  lb.Set("alertname", name);
  if (!extra_name.empty()) lb.Set(extra_name, extra_value);
  a.labels = lb.Build();
  a.annotations = {{"summary", name + " fired"}};
  a.starts_at = 1700000000000;
  a.ends_at = 1700000240000;
  a.generator_url = "http://hestia:9090/graph?g0.expr=up";
  return a;
}

std::vector<notifier::Alert> MakeAlerts(size_t n, size_t first = 0) {
  std::vector<notifier::Alert> out;
  for (size_t i = first; i < first + n; ++i) out.push_back(MakeAlert("A" + std::to_string(i)));
  return out;
}

// Number of alerts in a v2 body.
size_t CountAlerts(const std::string& body) {
  size_t n = 0;
  for (size_t p = body.find("\"startsAt\""); p != std::string::npos; p = body.find("\"startsAt\"", p + 1)) ++n;
  return n;
}

std::vector<std::string> AlertNames(const std::vector<FakeAlertmanager::Request>& reqs) {
  std::vector<std::string> names;
  static const std::regex re("\"alertname\":\"([^\"]*)\"");
  for (const auto& r : reqs)
    for (std::sregex_iterator it(r.body.begin(), r.body.end(), re), end; it != end; ++it)
      names.push_back((*it)[1]);
  return names;
}

config::Config ParseConfig(const std::string& yaml) {
  auto cfg = config::Parse(yaml, "test.yml");
  REQUIRE(cfg.has_value());
  return *cfg;
}

std::string OneAlertmanager(const FakeAlertmanager& am, const std::string& extra = "") {
  return "alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['" + am.address() +
         "']}]\n" + extra;
}

// The value of one sample of the registry's exposition ("name{labels}"), or -1.
double MetricValue(const base::metrics::Registry& r, const std::string& series) {
  std::string text = r.Expose();
  size_t p = text.find("\n" + series + " ");
  if (p == std::string::npos) return -1;
  p += series.size() + 2;
  return std::stod(text.substr(p, text.find('\n', p) - p));
}

template <typename F>
bool Eventually(F f) {
  for (int i = 0; i < 500; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return f();
}

}  // namespace

TEST_CASE("Alerts encode as Alertmanager API v2 JSON, as Prometheus marshals them", "[notifier]") {
  notifier::Alert a;
  a.labels = model::Labels{{"alertname", "High<CPU>"}, {"instance", "a&b"}};
  a.annotations = {{"summary", "line1\nline2 \"q\""}, {"description", "caf\xc3\xa9 \xff"}};
  a.starts_at = 1700000000123;
  a.ends_at = 0;
  a.generator_url = "http://h:9090/graph?g0.expr=x%3E1&g0.tab=1";
  notifier::Alert b;
  b.labels = model::Labels{{"alertname", "B"}};
  b.starts_at = -1;  // one millisecond before the epoch
  b.ends_at = 86400000;
  std::vector<notifier::Alert> alerts = {a, b};
  CHECK(notifier::EncodeAlerts(alerts) ==
        "[{\"annotations\":{\"description\":\"caf\xc3\xa9 \\ufffd\",\"summary\":\"line1\\nline2 "
        "\\\"q\\\"\"},\"endsAt\":\"0001-01-01T00:00:00.000Z\",\"startsAt\":\"2023-11-14T22:13:20."
        "123Z\",\"generatorURL\":\"http://h:9090/graph?g0.expr=x%3E1\\u0026g0.tab=1\",\"labels\":{"
        "\"alertname\":\"High\\u003cCPU\\u003e\",\"instance\":\"a\\u0026b\"}},"
        "{\"endsAt\":\"1970-01-02T00:00:00.000Z\",\"startsAt\":\"1969-12-31T23:59:59.999Z\","
        "\"labels\":{\"alertname\":\"B\"}}]");
  CHECK(notifier::EncodeAlerts({}) == "[]");
}

TEST_CASE("The push path joins path_prefix and the API version as Go's path.Join", "[notifier]") {
  CHECK(notifier::PostPath("/", "v2") == "/api/v2/alerts");
  CHECK(notifier::PostPath("", "v2") == "/api/v2/alerts");
  CHECK(notifier::PostPath("/am/", "v2") == "/am/api/v2/alerts");
  CHECK(notifier::PostPath("am//x", "v2") == "/am/x/api/v2/alerts");
  CHECK(notifier::PostPath("/a/../b/.", "v2") == "/b/api/v2/alerts");
}

TEST_CASE("Alerts reach the Alertmanager with headers, external labels and counters",
          "[notifier]") {
  FakeAlertmanager am;
  base::metrics::Registry registry;
  notifier::Options o;
  o.registry = &registry;
  o.user_agent = "Hestia/test";
  notifier::Manager n(o);
  REQUIRE(n.ApplyConfig(ParseConfig("global:\n  external_labels: {cluster: eu, replica: r1}\n" +
                                    OneAlertmanager(am, "      path_prefix: /am/\n")))
              .ok());
  const std::string url = "http://" + am.address() + "/am/api/v2/alerts";
  CHECK(n.Alertmanagers() == std::vector<std::string>{url});
  CHECK(n.AlertmanagersJson() ==
        "{\"activeAlertmanagers\":[{\"url\":\"" + url + "\"}],\"droppedAlertmanagers\":[]}");
  CHECK(MetricValue(registry, "prometheus_notifications_alertmanagers_discovered") == 1);
  CHECK(MetricValue(registry, "prometheus_notifications_queue_capacity") == 10000);

  // The alert's own cluster label wins over the external one.
  n.Send({MakeAlert("A", "cluster", "us"), MakeAlert("B")});
  auto reqs = am.WaitRequests(1);
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].path == "/am/api/v2/alerts");
  CHECK(reqs[0].content_type == "application/json");
  CHECK(reqs[0].user_agent == "Hestia/test");
  CHECK(reqs[0].body ==
        "[{\"annotations\":{\"summary\":\"A fired\"},\"endsAt\":\"2023-11-14T22:17:20.000Z\","
        "\"startsAt\":\"2023-11-14T22:13:20.000Z\",\"generatorURL\":\"http://hestia:9090/graph?g0."
        "expr=up\",\"labels\":{\"alertname\":\"A\",\"cluster\":\"us\",\"replica\":\"r1\"}},"
        "{\"annotations\":{\"summary\":\"B fired\"},\"endsAt\":\"2023-11-14T22:17:20.000Z\","
        "\"startsAt\":\"2023-11-14T22:13:20.000Z\",\"generatorURL\":\"http://hestia:9090/graph?g0."
        "expr=up\",\"labels\":{\"alertname\":\"B\",\"cluster\":\"eu\",\"replica\":\"r1\"}}]");
  const std::string lbl = "{alertmanager=\"" + url + "\"}";
  CHECK(Eventually([&] { return MetricValue(registry, "prometheus_notifications_sent_total" + lbl) == 2; }));
  CHECK(MetricValue(registry, "prometheus_notifications_errors_total" + lbl) == 0);
  CHECK(MetricValue(registry, "prometheus_notifications_dropped_total" + lbl) == 0);
  CHECK(MetricValue(registry, "prometheus_notifications_queue_length" + lbl) == 0);
  CHECK(MetricValue(registry, "prometheus_notifications_latency_histogram_seconds_count" + lbl) == 1);
}

TEST_CASE("Queued alerts go out in batches of at most max_batch_size", "[notifier]") {
  FakeAlertmanager am;
  notifier::Options o;
  o.max_batch_size = GENERATE(256, 64);
  notifier::Manager n(o);
  REQUIRE(n.ApplyConfig(ParseConfig(OneAlertmanager(am))).ok());
  am.Block();
  n.Send(MakeAlerts(1));
  // The first request is held by the fake: everything sent meanwhile waits in the queue.
  REQUIRE(Eventually([&] { return n.QueueLength() == 0; }));
  std::this_thread::sleep_for(50ms);
  n.Send(MakeAlerts(600, 1));
  CHECK(n.QueueLength() == 600);
  am.Release();
  size_t b = o.max_batch_size;
  size_t batches = 1 + (600 + b - 1) / b;
  auto reqs = am.WaitRequests(batches);
  REQUIRE(reqs.size() == batches);
  CHECK(CountAlerts(reqs[0].body) == 1);
  size_t total = 0;
  for (size_t i = 1; i < reqs.size(); ++i) {
    CHECK(CountAlerts(reqs[i].body) == std::min(b, 600 - total));
    total += CountAlerts(reqs[i].body);
  }
  CHECK(total == 600);
  // In order.
  auto names = AlertNames(reqs);
  REQUIRE(names.size() == 601);
  for (size_t i = 0; i < names.size(); ++i) CHECK(names[i] == "A" + std::to_string(i));
}

TEST_CASE("alert_relabel_configs: global ones for all, each Alertmanager's own for it",
          "[notifier]") {
  FakeAlertmanager am1, am2;
  notifier::Manager n({});
  const std::string yaml =
      "global:\n  external_labels: {env: prod}\n"
      "alerting:\n"
      "  alert_relabel_configs:\n"
      "    - {source_labels: [severity], regex: info, action: drop}\n"
      "    - {source_labels: [env], target_label: environment}\n"
      "  alertmanagers:\n"
      "    - static_configs: [{targets: ['" + am1.address() + "']}]\n"
      "    - static_configs: [{targets: ['" + am2.address() + "']}]\n"
      "      alert_relabel_configs:\n"
      "        - {source_labels: [team], regex: db, action: keep}\n"
      "        - {regex: env, action: labeldrop}\n";
  REQUIRE(n.ApplyConfig(ParseConfig(yaml)).ok());
  n.Send({MakeAlert("Info", "severity", "info"), MakeAlert("Db", "team", "db"),
          MakeAlert("Web", "team", "web")});
  auto r1 = am1.WaitRequests(1);
  auto r2 = am2.WaitRequests(1);
  REQUIRE(r1.size() == 1);
  REQUIRE(r2.size() == 1);
  CHECK(AlertNames(r1) == std::vector<std::string>{"Db", "Web"});
  CHECK(AlertNames(r2) == std::vector<std::string>{"Db"});
  // The external label, copied by the global rule; dropped again for the second Alertmanager.
  CHECK(r1[0].body.find("\"env\":\"prod\",\"environment\":\"prod\",\"team\":\"db\"") != std::string::npos);
  CHECK(r2[0].body.find("\"labels\":{\"alertname\":\"Db\",\"environment\":\"prod\",\"team\":\"db\"}") !=
        std::string::npos);

  // Everything dropped: nothing is sent.
  n.Send({MakeAlert("Info2", "severity", "info")});
  std::this_thread::sleep_for(200ms);
  CHECK(am1.Requests().size() == 1);
  CHECK(am2.Requests().size() == 1);
}

TEST_CASE("The local callback gets each batch after external labels and global relabeling",
          "[notifier]") {
  FakeAlertmanager am;
  std::mutex mu;
  std::vector<std::vector<notifier::Alert>> batches;
  notifier::Options o;
  o.local = [&](const std::vector<notifier::Alert>& batch) {
    std::lock_guard lock(mu);
    batches.push_back(batch);
  };
  notifier::Manager n(o);
  REQUIRE(n.ApplyConfig(ParseConfig(
                  "global:\n  external_labels: {env: prod}\n"
                  "alerting:\n"
                  "  alert_relabel_configs:\n"
                  "    - {source_labels: [severity], regex: info, action: drop}\n"
                  "  alertmanagers:\n"
                  "    - static_configs: [{targets: ['" + am.address() + "']}]\n"
                  "      alert_relabel_configs:\n"
                  "        - {source_labels: [team], regex: db, action: keep}\n"))
              .ok());
  n.Send({MakeAlert("Info", "severity", "info"), MakeAlert("Db", "team", "db"),
          MakeAlert("Web", "team", "web")});
  {
    std::lock_guard lock(mu);
    REQUIRE(batches.size() == 1);
    REQUIRE(batches[0].size() == 2);
    // Not the Alertmanager configuration's own relabeling (which keeps team=db only).
    CHECK(batches[0][0].labels.Get("alertname") == "Db");
    CHECK(batches[0][1].labels.Get("alertname") == "Web");
    CHECK(batches[0][1].labels.Get("env") == "prod");
  }
  // The configured Alertmanager still gets its alerts.
  auto r = am.WaitRequests(1);
  REQUIRE(r.size() == 1);
  CHECK(AlertNames(r) == std::vector<std::string>{"Db"});

  // A batch dropped entirely by relabeling is not handed over.
  n.Send({MakeAlert("Info2", "severity", "info")});
  std::lock_guard lock(mu);
  CHECK(batches.size() == 1);
}

TEST_CASE("Failed sends count errors and dropped alerts per Alertmanager", "[notifier]") {
  FakeAlertmanager am;
  base::metrics::Registry registry;
  notifier::Options o;
  o.registry = &registry;
  notifier::Manager n(o);

  SECTION("a non-2xx status") {
    am.SetStatus(500);
    REQUIRE(n.ApplyConfig(ParseConfig(OneAlertmanager(am))).ok());
    const std::string lbl = "{alertmanager=\"http://" + am.address() + "/api/v2/alerts\"}";
    n.Send(MakeAlerts(3));
    REQUIRE(am.WaitRequests(1).size() == 1);
    CHECK(Eventually([&] { return MetricValue(registry, "prometheus_notifications_errors_total" + lbl) == 3; }));
    CHECK(MetricValue(registry, "prometheus_notifications_dropped_total" + lbl) == 3);
    CHECK(MetricValue(registry, "prometheus_notifications_sent_total" + lbl) == 0);
    // It recovers: the next batch is sent and counted.
    am.SetStatus(202);
    n.Send(MakeAlerts(2));
    REQUIRE(am.WaitRequests(2).size() == 2);
    CHECK(Eventually([&] { return MetricValue(registry, "prometheus_notifications_sent_total" + lbl) == 2; }));
    CHECK(MetricValue(registry, "prometheus_notifications_errors_total" + lbl) == 3);
  }
  SECTION("nothing listening, and a working Alertmanager beside it") {
    std::string dead;
    {
      httplib::Server s;
      dead = "127.0.0.1:" + std::to_string(s.bind_to_any_port("127.0.0.1"));
    }
    REQUIRE(n.ApplyConfig(ParseConfig("alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['" +
                                      dead + "', '" + am.address() + "']}]\n      timeout: 2s\n"))
                .ok());
    n.Send(MakeAlerts(4));
    REQUIRE(am.WaitRequests(1).size() == 1);
    const std::string dlbl = "{alertmanager=\"http://" + dead + "/api/v2/alerts\"}";
    const std::string lbl = "{alertmanager=\"http://" + am.address() + "/api/v2/alerts\"}";
    CHECK(Eventually([&] { return MetricValue(registry, "prometheus_notifications_errors_total" + dlbl) == 4; }));
    CHECK(MetricValue(registry, "prometheus_notifications_dropped_total" + dlbl) == 4);
    CHECK(Eventually([&] { return MetricValue(registry, "prometheus_notifications_sent_total" + lbl) == 4; }));
    CHECK(MetricValue(registry, "prometheus_notifications_errors_total" + lbl) == 0);
  }
}

TEST_CASE("A full queue drops its oldest alerts and counts them", "[notifier]") {
  FakeAlertmanager am;
  base::metrics::Registry registry;
  notifier::Options o;
  o.registry = &registry;
  o.queue_capacity = 10;
  notifier::Manager n(o);
  REQUIRE(n.ApplyConfig(ParseConfig(OneAlertmanager(am))).ok());
  const std::string lbl = "{alertmanager=\"http://" + am.address() + "/api/v2/alerts\"}";
  CHECK(MetricValue(registry, "prometheus_notifications_queue_capacity") == 10);
  am.Block();
  n.Send(MakeAlerts(1));  // in flight, held by the fake
  REQUIRE(Eventually([&] { return n.QueueLength() == 0; }));
  std::this_thread::sleep_for(50ms);
  n.Send(MakeAlerts(6, 1));   // A1..A6
  n.Send(MakeAlerts(6, 7));   // A7..A12: A1, A2 dropped
  CHECK(n.QueueLength() == 10);
  CHECK(MetricValue(registry, "prometheus_notifications_queue_length" + lbl) == 10);
  CHECK(MetricValue(registry, "prometheus_notifications_dropped_total" + lbl) == 2);
  n.Send(MakeAlerts(13, 13));  // A13..A25, more than the capacity: A13..A15 dropped, and A3..A12
  CHECK(MetricValue(registry, "prometheus_notifications_dropped_total" + lbl) == 15);
  am.Release();
  auto reqs = am.WaitRequests(2);
  REQUIRE(reqs.size() == 2);
  std::vector<std::string> want = {"A0"};
  for (int i = 16; i <= 25; ++i) want.push_back("A" + std::to_string(i));
  CHECK(AlertNames(reqs) == want);
  CHECK(Eventually([&] { return MetricValue(registry, "prometheus_notifications_sent_total" + lbl) == 11; }));
}

TEST_CASE("Alertmanager discovery: relabel_configs, scheme, dedup, dropped targets, reload",
          "[notifier]") {
  FakeAlertmanager am1, am2;
  base::metrics::Registry registry;
  notifier::Options o;
  o.registry = &registry;
  notifier::Manager n(o);
  const std::string yaml =
      "alerting:\n  alertmanagers:\n"
      "    - static_configs:\n"
      "        - targets: ['" + am1.address() + "', '" + am1.address() + "', 'drop-me:9093']\n"
      "          labels: {dc: x}\n"
      "      relabel_configs:\n"
      "        - {source_labels: [__address__], regex: 'drop-me.*', action: drop}\n"
      "        - {source_labels: [dc], target_label: __alerts_path__, replacement: '/${1}/push'}\n";
  REQUIRE(n.ApplyConfig(ParseConfig(yaml)).ok());
  CHECK(n.Alertmanagers() == std::vector<std::string>{"http://" + am1.address() + "/x/push"});
  CHECK(n.DroppedAlertmanagers() == std::vector<std::string>{"http://drop-me:9093/api/v2/alerts"});
  n.Send(MakeAlerts(1));
  auto reqs = am1.WaitRequests(1);
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].path == "/x/push");

  // A reload that moves to another Alertmanager with authorization; the old one gets nothing.
  REQUIRE(n.ApplyConfig(ParseConfig("alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['" +
                                    am2.address() + "']}]\n      authorization: {credentials: s3cret}\n"))
              .ok());
  CHECK(n.Alertmanagers() == std::vector<std::string>{"http://" + am2.address() + "/api/v2/alerts"});
  CHECK(n.DroppedAlertmanagers().empty());
  n.Send(MakeAlerts(1, 1));
  auto reqs2 = am2.WaitRequests(1);
  REQUIRE(reqs2.size() == 1);
  CHECK(reqs2[0].authorization == "Bearer s3cret");
  CHECK(am1.Requests().size() == 1);

  // An address with a slash makes its whole group invalid, as Prometheus.
  REQUIRE(n.ApplyConfig(ParseConfig("alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['" +
                                    am2.address() + "', 'a/b:1']}]\n"))
              .ok());
  CHECK(n.Alertmanagers().empty());
  CHECK(MetricValue(registry, "prometheus_notifications_alertmanagers_discovered") == 0);
  // Without Alertmanagers, alerts go nowhere.
  n.Send(MakeAlerts(1, 2));
  CHECK(n.QueueLength() == 0);
}

TEST_CASE("A reload keeps the queue of an unchanged Alertmanager", "[notifier]") {
  FakeAlertmanager am;
  notifier::Manager n({});
  const config::Config cfg = ParseConfig(OneAlertmanager(am));
  REQUIRE(n.ApplyConfig(cfg).ok());
  am.Block();
  n.Send(MakeAlerts(1));
  REQUIRE(Eventually([&] { return n.QueueLength() == 0; }));
  std::this_thread::sleep_for(50ms);
  n.Send(MakeAlerts(3, 1));
  REQUIRE(n.ApplyConfig(ParseConfig("global:\n  external_labels: {a: b}\n" + OneAlertmanager(am))).ok());
  CHECK(n.QueueLength() == 3);
  am.Release();
  auto reqs = am.WaitRequests(2);
  CHECK(AlertNames(reqs) == std::vector<std::string>{"A0", "A1", "A2", "A3"});
}

TEST_CASE("Stop sends the queues, or drops and counts them", "[notifier]") {
  FakeAlertmanager am;
  base::metrics::Registry registry;
  notifier::Options o;
  o.registry = &registry;
  o.drain_on_shutdown = GENERATE(true, false);
  notifier::Manager n(o);
  REQUIRE(n.ApplyConfig(ParseConfig(OneAlertmanager(am))).ok());
  const std::string lbl = "{alertmanager=\"http://" + am.address() + "/api/v2/alerts\"}";
  am.Block();
  n.Send(MakeAlerts(1));
  REQUIRE(Eventually([&] { return n.QueueLength() == 0; }));
  std::this_thread::sleep_for(50ms);
  n.Send(MakeAlerts(5, 1));
  std::thread releaser([&] {
    std::this_thread::sleep_for(100ms);
    am.Release();
  });
  n.Stop();
  releaser.join();
  n.Send(MakeAlerts(1, 6));  // ignored after Stop
  if (o.drain_on_shutdown) {
    CHECK(AlertNames(am.Requests()).size() == 6);
    CHECK(MetricValue(registry, "prometheus_notifications_sent_total" + lbl) == 6);
  } else {
    CHECK(AlertNames(am.Requests()).size() == 1);
    CHECK(MetricValue(registry, "prometheus_notifications_dropped_total" + lbl) == 5);
  }
  CHECK(n.ApplyConfig(ParseConfig(OneAlertmanager(am))).ok());
  CHECK(n.QueueLength() == 0);
}

TEST_CASE("file_sd_configs: Alertmanagers read from files, bad files skipped", "[notifier]") {
  FakeAlertmanager am;
  testutil::TempDir dir;
  {
    std::ofstream(dir.Sub("am.json")) << "[{\"targets\": [\"" << am.address() << "\"], \"labels\": {\"env\": \"x\"}}]";
    std::ofstream(dir.Sub("bad.json")) << "[{\"targets\": ";
  }
  notifier::Manager n({});
  REQUIRE(n.ApplyConfig(ParseConfig("alerting:\n  alertmanagers:\n    - file_sd_configs: [{files: ['" +
                                    dir.path() + "/*.json']}]\n      relabel_configs:\n"
                                    "        - {source_labels: [env], target_label: __alerts_path__, "
                                    "replacement: '/$1/api/v2/alerts'}\n"))
              .ok());
  CHECK(n.Alertmanagers() == std::vector<std::string>{"http://" + am.address() + "/x/api/v2/alerts"});
  n.Send(MakeAlerts(2));
  auto reqs = am.WaitRequests(1);
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].path == "/x/api/v2/alerts");
  CHECK(CountAlerts(reqs[0].body) == 2);
}

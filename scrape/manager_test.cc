#include <catch2/catch.hpp>
#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/metrics.h"
#include "config/config.h"
#include "scrape/manager.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/db.h"

namespace {

// A local exporter on 127.0.0.1 serving `body` at /metrics (or `status` when not 200).
class Exporter {
 public:
  Exporter() {
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu_);
      res.status = status_;
      res.set_content(body_, "text/plain; version=0.0.4");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Exporter() {
    server_.stop();
    thread_.join();
  }
  void Set(std::string body, int status = 200) {
    std::lock_guard lock(mu_);
    body_ = std::move(body);
    status_ = status;
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  std::mutex mu_;
  std::string body_ = "a 1\n";
  int status_ = 200;
  int port_ = 0;
};

size_t CountSamples(tsdb::DB& db, const std::string& name, bool stale_only = false) {
  auto q = *db.NewQuerier(model::kMinTime, model::kMaxTime);
  auto set = q->Select(false, nullptr, {*model::Matcher::Make(model::MatchType::kEqual, "__name__", name)});
  size_t n = 0;
  while (set->Next()) {
    auto it = set->At().NewIterator();
    while (it->Next())
      if (!stale_only || model::IsStaleNaN(it->At().second)) ++n;
  }
  return n;
}

template <typename Pred>
bool WaitFor(Pred p) {
  for (int i = 0; i < 200; ++i) {
    if (p()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

}  // namespace

TEST_CASE("the manager scrapes static targets over HTTP and stops removed ones with staleness",
          "[scrape][manager]") {
  Exporter exporter;
  testutil::TempDir dir;
  auto db = std::move(*tsdb::DB::Open(dir.path(), tsdb::Options{}));
  scrape::Manager m({db.get()});
  std::string yaml = "scrape_configs:\n  - job_name: t\n    scrape_interval: 100ms\n    scrape_timeout: 100ms\n"
                     "    static_configs: [{targets: ['127.0.0.1:" + std::to_string(exporter.port()) + "']}]\n"
                     "    relabel_configs: [{source_labels: [__address__], regex: '.*:(.*)', target_label: port}]\n";
  auto cfg = config::Parse(yaml, "t.yml");
  REQUIRE(cfg.has_value());
  m.ApplyConfig(*cfg);
  REQUIRE(WaitFor([&] { return CountSamples(*db, "a") >= 2; }));
  CHECK(m.Pools() == std::vector<std::string>{"t"});
  auto targets = m.Targets();
  REQUIRE(targets.size() == 1);
  CHECK(targets[0].labels.Get("job") == "t");
  CHECK(targets[0].labels.Get("port") == std::to_string(exporter.port()));
  CHECK(targets[0].labels.Get("instance") == "127.0.0.1:" + std::to_string(exporter.port()));
  CHECK(targets[0].scrape_url == "http://127.0.0.1:" + std::to_string(exporter.port()) + "/metrics");
  CHECK(targets[0].last.error.ok());

  // A target answering 500 is down with Prometheus's message; up is 0.
  exporter.Set("", 500);
  REQUIRE(WaitFor([&] { return !m.Targets()[0].last.error.ok(); }));
  CHECK(m.Targets()[0].last.error.message() == "server returned HTTP status 500 Internal Server Error");
  CHECK(CountSamples(*db, "a", /*stale_only=*/true) >= 1);

  // Reload without the target: it stops, its series go stale.
  exporter.Set("a 1\n");
  REQUIRE(WaitFor([&] { return m.Targets()[0].last.error.ok(); }));
  auto empty = config::Parse("scrape_configs: []\n", "t.yml");
  m.ApplyConfig(*empty);
  CHECK(m.Targets().empty());
  size_t stale_up = CountSamples(*db, "up", /*stale_only=*/true);
  CHECK(stale_up == 1);
}

TEST_CASE("unsupported service discovery shows on the targets list instead of failing the config",
          "[scrape][manager]") {
  testutil::TempDir dir;
  auto db = std::move(*tsdb::DB::Open(dir.path(), tsdb::Options{}));
  scrape::Manager m({db.get()});
  auto cfg = config::Parse(
      "scrape_configs:\n  - job_name: k8s\n    kubernetes_sd_configs: [{role: pod}]\n", "t.yml");
  REQUIRE(cfg.has_value());
  REQUIRE(cfg->warnings.size() == 1);
  m.ApplyConfig(*cfg);
  CHECK(m.Pools() == std::vector<std::string>{"k8s"});
  auto targets = m.Targets();
  REQUIRE(targets.size() == 1);
  CHECK(targets[0].scrape_pool == "k8s");
  CHECK(targets[0].discovered_labels.Get("__meta_hestia_unsupported_sd") == "kubernetes_sd_configs");
  CHECK(targets[0].last.time == 0);
  CHECK(targets[0].last.error.message() ==
        "kubernetes_sd_configs is not supported by Hestia: its targets are not discovered");
  CHECK_FALSE(targets[0].dropped);
}

TEST_CASE("targets are built from discovered labels as Prometheus's PopulateLabels", "[scrape][manager]") {
  auto cfg = config::Parse(
      "scrape_configs:\n  - job_name: j\n    params: {module: [m1]}\n    relabel_configs:\n"
      "      - {source_labels: [__param_module], target_label: module}\n"
      "      - {source_labels: [env], regex: drop, action: drop}\n",
      "t.yml");
  REQUIRE(cfg.has_value());
  bool dropped = false;
  auto t = scrape::PopulateTarget(cfg->scrape_configs[0], model::Labels{{"__address__", "h:1"}, {"env", "x"}}, &dropped);
  REQUIRE(t.has_value());
  CHECK_FALSE(dropped);
  CHECK(t->labels == model::Labels{{"env", "x"}, {"instance", "h:1"}, {"job", "j"}, {"module", "m1"}});
  CHECK(t->url == "http://h:1/metrics?module=m1");
  CHECK(t->interval == std::chrono::minutes(1));
  auto d = scrape::PopulateTarget(cfg->scrape_configs[0], model::Labels{{"__address__", "h:1"}, {"env", "drop"}}, &dropped);
  CHECK(dropped);
  auto none = scrape::PopulateTarget(cfg->scrape_configs[0], model::Labels{{"env", "x"}}, &dropped);
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().message() == "no address");
}

TEST_CASE("file_sd_configs targets are relabeled, scraped, and follow their files",
          "[scrape][manager][file_sd]") {
  Exporter a, b;
  a.Set("# HELP a Metric a.\n# TYPE a gauge\na 1\n");
  b.Set("# TYPE b counter\nb 2\n");
  testutil::TempDir dir;
  auto db = std::move(*tsdb::DB::Open(dir.Sub("data"), tsdb::Options{}));
  base::metrics::Registry registry;
  scrape::Manager m({db.get(), &base::Logger::Quiet(), &base::Clock::Real(), "Hestia", &registry});
  const std::string addr_a = "127.0.0.1:" + std::to_string(a.port());
  const std::string addr_b = "127.0.0.1:" + std::to_string(b.port());
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir.Sub(name + ".tmp")) << content;
    std::filesystem::rename(dir.Sub(name + ".tmp"), dir.Sub(name));
  };
  write("a.json", R"([{"targets": [")" + addr_a + R"("], "labels": {"env": "prod"}}])");
  std::ofstream(dir.Sub("prometheus.yaml"))
      << "scrape_configs:\n  - job_name: t\n    scrape_interval: 100ms\n    scrape_timeout: 100ms\n"
         "    file_sd_configs: [{files: ['*.json', '*.yml']}]\n"
         "    relabel_configs:\n"
         "      - {source_labels: [__meta_filepath], regex: '.*/(.*)', target_label: file}\n"
         "      - {source_labels: [env], regex: drop, action: drop}\n";
  auto cfg = config::LoadFile(dir.Sub("prometheus.yaml"));  // relative globs: the config's directory
  REQUIRE(cfg.has_value());
  m.ApplyConfig(*cfg);

  // The first read happens in ApplyConfig: the target is there at once.
  auto targets = m.Targets();
  REQUIRE(targets.size() == 1);
  CHECK(targets[0].discovered_labels.Get("__meta_filepath") == dir.Sub("a.json"));
  CHECK(targets[0].labels == model::Labels{{"env", "prod"}, {"file", "a.json"}, {"instance", addr_a}, {"job", "t"}});
  REQUIRE(WaitFor([&] { return CountSamples(*db, "a") >= 2; }));

  // The metadata of the scrapes.
  auto md = m.TargetsMetadata();
  REQUIRE(md.size() == 1);
  CHECK(md[0].scrape_pool == "t");
  CHECK(md[0].labels == targets[0].labels);
  REQUIRE(md[0].metadata.size() == 1);
  CHECK(md[0].metadata[0].metric == "a");
  CHECK(md[0].metadata[0].help == "Metric a.");
  CHECK(md[0].metadata[0].type == scrape::textparse::MetricType::kGauge);
  CHECK(m.TargetsMetadata("nope")[0].metadata.empty());

  // A second file adds a target; a dropped one is listed as dropped.
  write("b.yml", "- targets: ['" + addr_b + "']\n- targets: ['" + addr_b + "']\n  labels: {env: drop}\n");
  REQUIRE(WaitFor([&] { return CountSamples(*db, "b") >= 1; }));
  targets = m.Targets();
  CHECK(targets.size() == 3);
  CHECK(std::count_if(targets.begin(), targets.end(), [](const auto& t) { return t.dropped; }) == 1);
  md = m.TargetsMetadata("b");
  REQUIRE(md.size() == 2);  // sorted by labels: file="a.json" first
  CHECK(md[0].metadata.empty());
  REQUIRE(md[1].metadata.size() == 1);
  CHECK(md[1].metadata[0].type == scrape::textparse::MetricType::kCounter);

  // A broken file keeps its targets and is counted.
  std::ofstream(dir.Sub("a.json")) << "[{";
  REQUIRE(WaitFor([&] {
    return registry.Expose().find("prometheus_sd_file_read_errors_total 1") != std::string::npos;
  }));
  CHECK(m.Targets().size() == 3);

  // Reapplying the same configuration keeps the loops running: no staleness markers.
  write("a.json", R"([{"targets": [")" + addr_a + R"("], "labels": {"env": "prod"}}])");
  m.ApplyConfig(*cfg);
  CHECK(CountSamples(*db, "up", /*stale_only=*/true) == 0);

  // The target removed from its file stops and its series go stale, as on a reload.
  write("a.json", "[]");
  REQUIRE(WaitFor([&] { return m.Targets().size() == 2; }));
  CHECK(CountSamples(*db, "a", /*stale_only=*/true) == 1);
  CHECK(CountSamples(*db, "up", /*stale_only=*/true) == 1);
  CHECK(CountSamples(*db, "b", /*stale_only=*/true) == 0);
  m.Stop();
}

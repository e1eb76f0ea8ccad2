#include <catch2/catch.hpp>

#include <filesystem>

#include "config/config.h"

using namespace std::chrono_literals;

TEST_CASE("the embedded default configuration loads", "[config]") {
  auto c = config::Parse(config::DefaultYaml(), "<default>");
  REQUIRE(c.has_value());
  CHECK(c->global.scrape_interval == 15s);
  CHECK(c->global.scrape_timeout == 10s);
}

TEST_CASE("global section defaults and values as Prometheus's", "[config]") {
  auto c = config::Parse("global:\n  scrape_interval: 5s\n  external_labels:\n    region: eu\n", "p.yml");
  REQUIRE(c.has_value());
  CHECK(c->global.scrape_interval == 5s);
  CHECK(c->global.scrape_timeout == 5s);  // default clamped to the interval
  CHECK(c->global.evaluation_interval == 1min);
  CHECK(c->global.external_labels.Get("region") == "eu");
  auto empty = config::Parse("", "p.yml");
  REQUIRE(empty.has_value());
  CHECK(empty->global.scrape_interval == 1min);
  CHECK(empty->global.rule_query_offset == 0s);
  auto offset = config::Parse("global:\n  rule_query_offset: 30s\n", "p.yml");
  REQUIRE(offset.has_value());
  CHECK(offset->global.rule_query_offset == 30s);
  auto bad = config::Parse("global:\n  rule_query_offset: soon\n", "p.yml");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message().find("rule_query_offset") != std::string::npos);
}

TEST_CASE("global scrape limits are the defaults of every scrape config, as Prometheus 3", "[config]") {
  auto c = config::Parse(
      "global:\n  sample_limit: 100\n  label_limit: 7\n  body_size_limit: 1MB\n"
      "scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['x:1']}]\n"
      "  - job_name: b\n    sample_limit: 5\n    static_configs: [{targets: ['x:1']}]\n",
      "p.yml");
  REQUIRE(c.has_value());
  REQUIRE(c->scrape_configs.size() == 2);
  CHECK(c->scrape_configs[0].sample_limit == 100);
  CHECK(c->scrape_configs[0].label_limit == 7);
  CHECK(c->scrape_configs[0].body_size_limit == 1 << 20);  // Prometheus's base-2 units
  CHECK(c->scrape_configs[1].sample_limit == 5);
  CHECK(c->scrape_configs[1].label_limit == 7);
  auto bad = config::Parse("global:\n  sample_limit: -1\n", "p.yml");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message().find("sample_limit") != std::string::npos);
}

TEST_CASE("configuration errors name file, line and field", "[config]") {
  auto unknown = config::Parse("global:\n  scrape_intervall: 5s\n", "p.yml");
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().message() == "p.yml:2: global: field scrape_intervall not found");
  auto top = config::Parse("scrape_config:\n  - job_name: x\n", "p.yml");
  CHECK(top.error().message() == "p.yml:1: field scrape_config not found in type config.plain");
  auto dur = config::Parse("global:\n  scrape_interval: 5 s\n", "p.yml");
  CHECK(dur.error().message() == "p.yml:2: global: scrape_interval: not a valid duration string: \"5 s\"");
  auto timeout = config::Parse("global:\n  scrape_interval: 5s\n  scrape_timeout: 10s\n", "p.yml");
  CHECK(timeout.error().message() == "p.yml:2: global: scrape timeout greater than scrape interval");
  auto yaml = config::Parse("global: [\n", "p.yml");
  REQUIRE_FALSE(yaml.has_value());
  CHECK(yaml.error().message().starts_with("p.yml:"));
  auto kind = config::Parse("scrape_configs: {a: 1}\n", "p.yml");
  CHECK(kind.error().message() == "p.yml:1: scrape_configs: expected a list");
}

TEST_CASE("every seed prometheus.yml loads", "[config]") {
  std::filesystem::path dir = "../shared/examples/seed-configs";
  if (!std::filesystem::exists(dir)) dir = "../../shared/examples/seed-configs";
  REQUIRE(std::filesystem::exists(dir));
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().find("prometheus.yml") == std::string::npos) continue;
    auto c = config::LoadFile(e.path().string());
    INFO(e.path().string() << ": " << (c ? "" : c.error().message()));
    CHECK(c.has_value());
    ++n;
  }
  CHECK(n >= 2);
}

TEST_CASE("scrape configs take Prometheus's defaults", "[config][scrape]") {
  auto c = config::Parse(R"(
global:
  scrape_interval: 30s
  scrape_timeout: 20s
scrape_configs:
  - job_name: a
    static_configs:
      - targets: ["localhost:9100", "h:1"]
        labels: {env: prod}
  - job_name: b
    scrape_interval: 10s
    metrics_path: /m
    scheme: https
    params: {module: [x, y]}
    honor_labels: true
    body_size_limit: 10MB
    sample_limit: 100
    basic_auth: {username: u, password: p}
    file_sd_configs: [{files: [targets/*.json]}]
    relabel_configs:
      - source_labels: [__address__]
        target_label: instance
    kubernetes_sd_configs: [{role: pod}]
)", "p.yml");
  REQUIRE(c.has_value());
  REQUIRE(c->scrape_configs.size() == 2);
  const auto& a = c->scrape_configs[0];
  CHECK(a.scrape_interval == 30s);
  CHECK(a.scrape_timeout == 20s);
  CHECK(a.metrics_path == "/metrics");
  CHECK(a.scheme == "http");
  CHECK(a.honor_timestamps);
  REQUIRE(a.sd.static_configs.size() == 1);
  CHECK(a.sd.static_configs[0].targets.size() == 2);
  CHECK(a.sd.static_configs[0].labels.Get("env") == "prod");
  const auto& b = c->scrape_configs[1];
  CHECK(b.scrape_interval == 10s);
  CHECK(b.scrape_timeout == 10s);  // the global timeout, capped at the job's interval
  CHECK(b.scheme == "https");
  CHECK(b.params.at("module") == std::vector<std::string>{"x", "y"});
  CHECK(b.body_size_limit == 10 << 20);
  CHECK(b.sample_limit == 100);
  REQUIRE(b.http.basic_auth.has_value());
  CHECK(b.http.basic_auth->username == "u");
  CHECK(b.sd.file_sd_configs.at(0).refresh_interval == 5min);
  CHECK(b.relabel_configs.size() == 1);
  CHECK(b.sd.unsupported == std::vector<std::string>{"kubernetes_sd_configs"});
  REQUIRE(c->warnings.size() == 1);
  CHECK(c->warnings[0].find("kubernetes_sd_configs is not supported") != std::string::npos);
}

TEST_CASE("bad scrape, alerting and remote_write sections are errors naming line and field",
          "[config][scrape]") {
  auto msg = [](const char* yaml) {
    auto c = config::Parse(yaml, "p.yml");
    return c.has_value() ? std::string("OK") : c.error().message();
  };
  CHECK(msg("scrape_configs:\n  - job_name: a\n  - job_name: a\n") ==
        "p.yml:3: found multiple scrape configs with job name \"a\"");
  CHECK(msg("scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 6s\n") ==
        "p.yml:2: scrape timeout greater than scrape interval for scrape config with job name \"a\"");
  CHECK(msg("scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n") ==
        "p.yml:3: field scrape_intervall not found in scrape_config");
  CHECK(msg("scrape_configs:\n  - metrics_path: /x\n") == "p.yml:2: job_name is empty");
  CHECK(msg("scrape_configs:\n  - job_name: a\n    bearer_token: x\n    bearer_token_file: y\n") ==
        "p.yml:2: at most one of bearer_token & bearer_token_file must be configured");
  CHECK(msg("scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: [a.txt]}]\n") ==
        "p.yml:3: path name \"a.txt\" is not valid for file discovery");
  CHECK(msg("scrape_configs:\n  - job_name: a\n    scheme: ftp\n") ==
        "p.yml:3: unknown scheme \"ftp\" for scrape config with job name \"a\", expected http or https");
  CHECK(msg("remote_write:\n  - remote_timeout: 5s\n") == "p.yml:2: url for remote_write is empty");
  CHECK(msg("alerting:\n  alertmanagers:\n    - api_version: v1\n") ==
        "p.yml:3: expected Alertmanager api version to be one of [v2] but got v1");
  CHECK(msg("alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['am:9093']}]\n      timeout: 5s\n") == "OK");
}

TEST_CASE("storage section: the out-of-order window", "[config]") {
  auto none = config::Parse("global: {}\n", "p.yml");
  REQUIRE(none.has_value());
  CHECK(none->storage.out_of_order_time_window.count() == 0);
  auto ok = config::Parse("storage:\n  tsdb:\n    out_of_order_time_window: 30m\n"
                          "  exemplars:\n    max_exemplars: 5\n", "p.yml");
  REQUIRE(ok.has_value());
  CHECK(ok->storage.out_of_order_time_window == std::chrono::minutes(30));
  CHECK(ok->storage.max_exemplars == 5);
  auto bad = config::Parse("storage:\n  tsdb:\n    out_of_order_time_window: soon\n", "p.yml");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message() ==
        "p.yml:3: storage: tsdb: out_of_order_time_window: not a valid duration string: \"soon\"");
  auto field = config::Parse("storage:\n  tsdb:\n    ooo_window: 30m\n", "p.yml");
  REQUIRE_FALSE(field.has_value());
  CHECK(field.error().message() == "p.yml:3: field ooo_window not found in type config.TSDBConfig");
}

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

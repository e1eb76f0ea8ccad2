#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "base/json_reader.h"
#include "config/target_group.h"
#include "tests/testutil/temp_dir.h"

namespace {

std::string Error(std::string_view content, std::string_view path) {
  auto r = config::ParseTargetGroups(content, path);
  REQUIRE_FALSE(r.has_value());
  return r.error().message();
}

}  // namespace

TEST_CASE("file SD target groups parse from JSON with the file path label", "[config][file_sd]") {
  auto groups = config::ParseTargetGroups(R"([
    {"targets": ["a:9100", "b:9100"], "labels": {"env": "prod", "team": "x\/y\u00e9"}},
    {"Targets": ["c:1"]},
    {"targets": [], "labels": null}
  ])",
                                          "/sd/nodes.json");
  REQUIRE(groups.has_value());
  REQUIRE(groups->size() == 3);
  CHECK((*groups)[0].targets == std::vector<std::string>{"a:9100", "b:9100"});
  CHECK((*groups)[0].labels == model::Labels{{"__meta_filepath", "/sd/nodes.json"},
                                             {"env", "prod"},
                                             {"team", "x/y\xc3\xa9"}});
  CHECK((*groups)[1].targets == std::vector<std::string>{"c:1"});
  CHECK((*groups)[1].labels == model::Labels{{"__meta_filepath", "/sd/nodes.json"}});
  CHECK((*groups)[2].targets.empty());

  auto none = config::ParseTargetGroups("null", "x.JSON");
  REQUIRE(none.has_value());
  CHECK(none->empty());
  auto empty_list = config::ParseTargetGroups(" [ ] \n", "x.json");
  REQUIRE(empty_list.has_value());
  CHECK(empty_list->empty());
}

TEST_CASE("file SD JSON errors read as Go's encoding/json", "[config][file_sd]") {
  CHECK(Error("", "a.json") == "unexpected end of JSON input");
  CHECK(Error(R"([{"targets": ["a:1"])", "a.json") == "unexpected end of JSON input");
  CHECK(Error(R"([{"targets": ["a:1"]},])", "a.json") ==
        "invalid character ']' looking for beginning of value");
  CHECK(Error(R"([{"targets": ["a:1"]}] x)", "a.json") ==
        "invalid character 'x' after top-level value");
  CHECK(Error(R"([{targets: []}])", "a.json") ==
        "invalid character 't' looking for beginning of object key string");
  CHECK(Error(R"([{"targets" []}])", "a.json") == "invalid character '[' after object key");
  CHECK(Error(R"([{"targets": [] "labels": {}}])", "a.json") ==
        "invalid character '\"' after object key:value pair");
  CHECK(Error(R"([{"targets": ["a" "b"]}])", "a.json") ==
        "invalid character '\"' after array element");
  CHECK(Error("[\"a\nb\"]", "a.json") == "invalid character '\\n' in string literal");
  CHECK(Error(R"(["\x"])", "a.json") == "invalid character 'x' in string escape code");
  CHECK(Error("[tru]", "a.json") == "invalid character ']' in literal true (expecting 'e')");
  CHECK(Error("[-]", "a.json") == "invalid character ']' in numeric literal");
  CHECK(Error("[1.]", "a.json") == "invalid character ']' after decimal point in numeric literal");
  CHECK(Error(R"([{"targets": ["a:1"], "lables": {}}])", "a.json") == "json: unknown field \"lables\"");
  CHECK(Error(R"([null])", "a.json") == "nil target group item found");
  CHECK(Error(R"({"targets": []})", "a.json") ==
        "json: cannot unmarshal object into Go value of type []*targetgroup.Group");
  CHECK(Error(R"([{"targets": [1]}])", "a.json") ==
        "json: cannot unmarshal number into Go struct field .targets of type string");
  CHECK(Error(R"([{"labels": {"a-b": "x"}}])", "a.json") == "\"a-b\" is not a valid label name");
  CHECK(Error(R"([{"labels": {"a": 1}}])", "a.json") ==
        "json: cannot unmarshal number into Go value of type model.LabelValue");
}

TEST_CASE("the JSON reader decodes escapes and repairs UTF-8 as Go", "[config][file_sd]") {
  auto v = base::ParseJson(R"(["\ud83d\ude00", "\ud800x", "\"\\\b\f\n\r\t", "a)"
                                     "\xff"
                                     R"(", -0.5e+3, true, false, null, {}])");
  REQUIRE(v.has_value());
  REQUIRE(v->array.size() == 9);
  CHECK(v->array[0].text == "\xf0\x9f\x98\x80");
  CHECK(v->array[1].text == "\xef\xbf\xbdx");
  CHECK(v->array[2].text == "\"\\\b\f\n\r\t");
  CHECK(v->array[3].text == "a\xef\xbf\xbd");
  CHECK(v->array[4].kind == base::JsonValue::Kind::kNumber);
  CHECK(v->array[4].text == "-0.5e+3");
  CHECK(v->array[5].boolean);
  CHECK_FALSE(v->array[6].boolean);
  CHECK(v->array[7].kind == base::JsonValue::Kind::kNull);
  CHECK(v->array[8].kind == base::JsonValue::Kind::kObject);
  std::string deep(20000, '[');
  CHECK(base::ParseJson(deep).error().message() == "exceeded max depth");
}

TEST_CASE("file SD target groups parse from YAML strictly", "[config][file_sd]") {
  auto groups = config::ParseTargetGroups(
      "- targets: ['a:1', b:2]\n  labels:\n    env: prod\n    port: 80\n    empty:\n"
      "- targets:\n",
      "/sd/x.yml");
  REQUIRE(groups.has_value());
  REQUIRE(groups->size() == 2);
  CHECK((*groups)[0].targets == std::vector<std::string>{"a:1", "b:2"});
  CHECK((*groups)[0].labels ==
        model::Labels{{"__meta_filepath", "/sd/x.yml"}, {"env", "prod"}, {"port", "80"}});
  CHECK((*groups)[1].targets.empty());
  auto empty = config::ParseTargetGroups("", "x.yaml");
  REQUIRE(empty.has_value());
  CHECK(empty->empty());

  CHECK(Error("- targets: [a]\n  lables: {}\n", "x.yml") == "x.yml:2: field lables not found in target group");
  CHECK(Error("- targets: [a]\n  targets: [b]\n", "x.yml") == "x.yml:2: key \"targets\" already set in map");
  CHECK(Error("- labels: {a-b: x}\n", "x.yml") == "x.yml:1: \"a-b\" is not a valid label name");
  CHECK(Error("targets: [a]\n", "x.yml") == "x.yml:1: expected a list of target groups");
  CHECK(Error("- \n- targets: [a]\n", "x.yml").ends_with("nil target group item found"));
  CHECK(Error("- targets: [a\n", "x.yml").starts_with("x.yml:"));
  CHECK(Error("[]", "x.txt") == "unhandled file extension \".txt\"");
}

TEST_CASE("file_sd_configs validate paths and resolve them against the config directory",
          "[config][file_sd]") {
  CHECK(config::IsValidFileSdPath("targets/*.json"));
  CHECK(config::IsValidFileSdPath("/etc/sd/nodes-*.YML"));
  CHECK(config::IsValidFileSdPath("a.b*.yaml"));
  CHECK_FALSE(config::IsValidFileSdPath("dir*/x.json"));
  CHECK_FALSE(config::IsValidFileSdPath("x.Json"));
  CHECK_FALSE(config::IsValidFileSdPath("x.txt"));
  CHECK_FALSE(config::IsValidFileSdPath("json"));

  auto msg = [](const std::string& yaml) {
    auto c = config::Parse(yaml, "p.yml");
    REQUIRE_FALSE(c.has_value());
    return c.error().message();
  };
  CHECK(msg("scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: []\n") ==
        "p.yml:4: file service discovery config must contain at least one path name");
  CHECK(msg("scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [d*/x.json]\n") ==
        "p.yml:4: path name \"d*/x.json\" is not valid for file discovery");
  CHECK(msg("scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - {files: [x.json], refresh_interval: 0s}\n") ==
        "p.yml:4: file_sd_configs: refresh_interval must be greater than 0");

  testutil::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/conf");
  {
    std::ofstream f(dir.path() + "/conf/prometheus.yml");
    f << "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n"
         "      - files: [sd/*.json, /abs/x.yml, ../up.yaml]\n        refresh_interval: 1m\n"
         "alerting:\n  alertmanagers:\n    - file_sd_configs: [{files: [am.json]}]\n";
  }
  auto c = config::LoadFile(dir.path() + "/conf/prometheus.yml");
  REQUIRE(c.has_value());
  CHECK(c->warnings.empty());
  const auto& f = c->scrape_configs.at(0).sd.file_sd_configs.at(0);
  CHECK(f.files == std::vector<std::string>{dir.path() + "/conf/sd/*.json", "/abs/x.yml",
                                            dir.path() + "/up.yaml"});
  CHECK(f.refresh_interval == std::chrono::minutes(1));
  CHECK(c->alerting.alertmanagers.at(0).sd.file_sd_configs.at(0).files ==
        std::vector<std::string>{dir.path() + "/conf/am.json"});
}

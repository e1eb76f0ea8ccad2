// relabel_configs parsing, and relabeling checked against the real Prometheus: every case below
// is one scrape job of a prometheus.yml that the Debian /usr/bin/prometheus (2.42) loads; the
// relabeled target labels it shows on /api/v1/targets are compared with model::Process applied
// to the same target labels and the same YAML parsed by ParseRelabelConfigs. Invalid
// configurations are compared with the error /usr/bin/promtool prints.
#include "config/relabel_config.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/tools/child_process.h"
#include "model/relabel.h"
#include "tests/testutil/temp_dir.h"

namespace {

using LabelMap = std::map<std::string, std::string>;

constexpr const char* kPrometheus = "/usr/bin/prometheus";
constexpr const char* kPromtool = "/usr/bin/promtool";

base::Result<std::vector<model::RelabelConfig>> ParseText(const std::string& yaml) {
  return config::ParseRelabelConfigs(YAML::Load(yaml), "p.yml");
}

std::string ErrorOf(const std::string& yaml) {
  auto r = ParseText(yaml);
  return r ? std::string("<ok>") : r.error().message();
}

// A loopback TCP port that nothing listens on right now.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

// YAML double-quoted scalar.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string Indent(const std::string& text, int n) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += std::string(n, ' ') + line + "\n";
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Format(const LabelMap& m) {
  std::string s = "{";
  for (const auto& [k, v] : m) s += (s.size() > 1 ? ", " : "") + k + "=" + Quote(v);
  return s + "}";
}

struct OracleCase {
  std::string name;
  LabelMap labels;   // the static_configs labels of the target (besides __address__)
  std::string yaml;  // the relabel_configs list
};

// The table: every action and the edge cases Prometheus documents.
std::vector<OracleCase> OracleCases() {
  return {
      {"replace copies a label", {{"a", "foo"}}, "- source_labels: [a]\n  target_label: copy\n"},
      {"replace joins sources with ';'",
       {{"a", "foo"}, {"b", "bar"}},
       "- source_labels: [a, b]\n  target_label: joined\n"},
      {"replace with a custom separator",
       {{"a", "foo"}, {"b", "bar"}},
       "- source_labels: [a, b]\n  separator: '-'\n  target_label: joined\n"},
      {"replace with an empty separator",
       {{"a", "foo"}, {"b", "bar"}},
       "- source_labels: [a, b]\n  separator: ''\n  target_label: joined\n"},
      {"regex is anchored: a substring does not match",
       {{"a", "foo"}},
       "- source_labels: [a]\n  regex: oo\n  target_label: t\n  replacement: matched\n"},
      {"regex is anchored: a prefix does not match",
       {{"a", "foobar"}},
       "- source_labels: [a]\n  regex: foo|bar\n  target_label: t\n  replacement: matched\n"},
      {"$1 and $2 references",
       {{"a", "foooo"}},
       "- source_labels: [a]\n  regex: (f)(o+)\n  target_label: t\n  replacement: $2-$1\n"},
      {"${1} reference followed by letters",
       {{"a", "foo"}},
       "- source_labels: [a]\n  regex: (f)oo\n  target_label: t\n  replacement: ${1}x\n"},
      {"$1x names group '1x': empty, which deletes the target",
       {{"a", "foo"}, {"t", "old"}},
       "- source_labels: [a]\n  regex: (f)oo\n  target_label: t\n  replacement: $1x\n"},
      {"named groups",
       {{"a", "host-web"}},
       "- source_labels: [a]\n  regex: (?P<first>[a-z]+)-(?P<second>[a-z]+)\n  target_label: t\n"
       "  replacement: $second.${first}\n"},
      {"$$ is a literal dollar",
       {{"a", "foo"}},
       "- source_labels: [a]\n  target_label: t\n  replacement: $$1-$1\n"},
      {"unknown group name expands to nothing",
       {{"a", "foo"}},
       "- source_labels: [a]\n  target_label: t\n  replacement: <${nope}>\n"},
      {"empty source value still matches (.*)",
       {{"a", "foo"}},
       "- source_labels: [missing]\n  target_label: t\n  replacement: fallback\n"},
      {"empty source value does not match (.+)",
       {{"a", "foo"}, {"t", "kept"}},
       "- source_labels: [missing]\n  regex: (.+)\n  target_label: t\n  replacement: new\n"},
      {"empty replacement deletes the target",
       {{"a", "foo"}, {"b", "bar"}},
       "- source_labels: [a]\n  target_label: b\n  replacement: ''\n"},
      {"templated target label",
       {{"a", "env=prod"}},
       "- source_labels: [a]\n  regex: (\\w+)=(\\w+)\n  target_label: ${1}_label\n"
       "  replacement: $2\n"},
      {"invalid target after expansion is skipped",
       {{"a", "1abc"}, {"keep", "x"}},
       "- source_labels: [a]\n  regex: (.*)\n  target_label: $1\n  replacement: v\n"},
      {"replace without source labels sets a constant",
       {{"a", "foo"}},
       "- target_label: team\n  replacement: infra\n"},
      {"replace rewrites __address__ and so instance",
       {{"a", "foo"}},
       "- source_labels: [__address__]\n  regex: ([^:]+):\\d+\n  target_label: __address__\n"
       "  replacement: ${1}:9100\n"},
      {"replace sets instance explicitly",
       {{"host", "web-1"}},
       "- source_labels: [host]\n  target_label: instance\n"},
      {"keep when the regex matches",
       {{"a", "foo"}},
       "- source_labels: [a]\n  regex: fo+\n  action: keep\n"},
      {"keep drops when the regex does not match",
       {{"a", "foo"}},
       "- source_labels: [a]\n  regex: fo\n  action: keep\n"},
      {"keep with an empty regex keeps a missing label",
       {{"a", "foo"}},
       "- source_labels: [missing]\n  regex: ''\n  action: keep\n"},
      {"drop when the regex matches",
       {{"a", "foo"}},
       "- source_labels: [a]\n  regex: foo\n  action: drop\n"},
      {"drop keeps when the regex does not match",
       {{"a", "foo"}},
       "- source_labels: [a]\n  regex: bar\n  action: drop\n"},
      {"drop on joined sources with a separator",
       {{"a", "foo"}, {"b", "bar"}},
       "- source_labels: [a, b]\n  separator: '|'\n  regex: foo\\|bar\n  action: drop\n"},
      {"keepequal keeps equal values",
       {{"a", "x"}, {"b", "x"}},
       "- source_labels: [a]\n  target_label: b\n  action: keepequal\n"},
      {"keepequal drops different values",
       {{"a", "x"}, {"b", "y"}},
       "- source_labels: [a]\n  target_label: b\n  action: keepequal\n"},
      {"dropequal drops equal values",
       {{"a", "x"}, {"b", "x"}},
       "- source_labels: [a]\n  target_label: b\n  action: dropequal\n"},
      {"dropequal keeps different values",
       {{"a", "x"}, {"b", "y"}},
       "- source_labels: [a]\n  target_label: b\n  action: dropequal\n"},
      {"hashmod modulus 10 of __address__",
       {{"a", "foo"}},
       "- source_labels: [__address__]\n  modulus: 10\n  target_label: shard\n  action: hashmod\n"},
      {"hashmod modulus 1000 of joined sources",
       {{"a", "foo"}, {"b", "bär"}},
       "- source_labels: [a, b]\n  modulus: 1000\n  target_label: shard\n  action: hashmod\n"},
      {"hashmod of an empty value, then keep one shard",
       {{"a", "foo"}},
       "- source_labels: [missing]\n  modulus: 7\n  target_label: __tmp_shard\n  action: hashmod\n"
       "- source_labels: [__tmp_shard]\n  regex: '0'\n  action: keep\n"},
      {"labelmap of __meta_ labels",
       {{"__meta_env", "prod"}, {"__meta_zone_name", "eu1"}},
       "- regex: __meta_(.+)\n  action: labelmap\n"},
      {"labelmap with a replacement template",
       {{"__meta_env", "prod"}, {"__meta_zone_name", "eu1"}},
       "- regex: __meta_(\\w+?)_?(name)?\n  replacement: m_${1}\n  action: labelmap\n"},
      {"labelmap overwrites an existing label",
       {{"x_a", "new"}, {"a", "old"}},
       "- regex: x_(.*)\n  action: labelmap\n"},
      {"labeldrop",
       {{"tmp_a", "1"}, {"tmp_b", "2"}, {"c", "3"}},
       "- regex: tmp_.*\n  action: labeldrop\n"},
      {"labelkeep",
       {{"tmp_a", "1"}, {"keep_me", "2"}, {"c", "3"}},
       "- regex: __.*|job|keep_me\n  action: labelkeep\n"},
      {"lowercase",
       {{"a", "FoO"}},
       "- source_labels: [a]\n  target_label: low\n  action: lowercase\n"},
      {"uppercase of joined values",
       {{"a", "foo"}, {"b", "bar"}},
       "- source_labels: [a, b]\n  separator: _\n  target_label: up\n  action: uppercase\n"},
      {"lowercase and uppercase of Unicode",
       {{"a", "ÄÖÜ Straße İx"}},
       "- source_labels: [a]\n  target_label: low\n  action: lowercase\n"
       "- source_labels: [a]\n  target_label: up\n  action: uppercase\n"},
      {"lowercase of an empty value deletes the target",
       {{"a", "foo"}, {"t", "X"}},
       "- source_labels: [missing]\n  target_label: t\n  action: lowercase\n"},
      {"a chain: replace, then keep on the new label",
       {{"a", "foo"}},
       "- source_labels: [a]\n  regex: f(.*)\n  target_label: b\n  replacement: g$1\n"
       "- source_labels: [b]\n  regex: goo\n  action: keep\n"},
      {"a drop stops the chain",
       {{"a", "foo"}},
       "- source_labels: [a]\n  regex: foo\n  action: drop\n"
       "- target_label: never\n  replacement: set\n"},
      {"action names are case-insensitive",
       {{"a", "foo"}},
       "- source_labels: [a]\n  target_label: copy\n  action: Replace\n"},
      {"a rule may change job",
       {{"a", "foo"}},
       "- source_labels: [a]\n  target_label: job\n  replacement: other_$1\n"},
      {"regex with a character class and a literal dot",
       {{"a", "10.0.0.1"}},
       "- source_labels: [a]\n  regex: (\\d+)\\.(\\d+)\\..*\n  target_label: net\n"
       "  replacement: $1.$2\n"},
      {"removing __address__ leaves no target",
       {{"a", "foo"}},
       "- target_label: __address__\n  replacement: ''\n"},
  };
}

// Prometheus's target label processing after relabeling (scrape/target.go PopulateLabels in
// 2.42, then Target.Labels()): no __address__ is an error (no target at all), a port is
// added to a bare host, __meta_ labels go, instance defaults to the address, and the API shows
// the labels without the __ prefix.
std::optional<LabelMap> ApiLabels(const model::Labels& relabeled) {
  std::string address(relabeled.Get("__address__"));
  if (address.empty()) return std::nullopt;
  if (address.find(':') == std::string::npos) address += ":80";
  LabelMap out;
  for (const model::Label& l : relabeled)
    if (!l.name.starts_with("__")) out[std::string(l.name)] = l.value;
  if (!out.contains("instance")) out["instance"] = address;
  return out;
}

model::Labels ToLabels(const LabelMap& m) {
  std::vector<model::Label> v;
  for (const auto& [k, val] : m) v.push_back({k, val});
  return model::Labels::FromVector(v);
}

// The target labels of a case as PopulateLabels hands them to relabeling, for the job and
// global settings of the generated prometheus.yml.
model::Labels DiscoveredLabels(const OracleCase& c, const std::string& job) {
  LabelMap m = c.labels;
  m["__address__"] = "127.0.0.1:1";
  for (const auto& [k, v] : LabelMap{{"job", job},
                                     {"__scrape_interval__", "1h"},
                                     {"__scrape_timeout__", "10s"},
                                     {"__metrics_path__", "/metrics"},
                                     {"__scheme__", "http"}}) {
    if (m[k].empty()) m[k] = v;
  }
  return ToLabels(m);
}

LabelMap FromTree(const boost::property_tree::ptree& t) {
  LabelMap m;
  for (const auto& [k, v] : t) m[k] = v.data();
  return m;
}

}  // namespace

TEST_CASE("relabel_configs parse with Prometheus's defaults", "[config][relabel]") {
  auto r =
      ParseText("- source_labels: [a, b]\n  target_label: t\n- action: labeldrop\n  regex: x.*\n");
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 2);
  const model::RelabelConfig& c = (*r)[0];
  CHECK(c.source_labels == std::vector<std::string>{"a", "b"});
  CHECK(c.separator == ";");
  CHECK(c.regex.is_default());
  CHECK(c.replacement == "$1");
  CHECK(c.action == model::RelabelAction::kReplace);
  CHECK(c.modulus == 0);
  CHECK((*r)[1].action == model::RelabelAction::kLabelDrop);
  CHECK((*r)[1].regex.source() == "x.*");

  auto all = ParseText(
      "- source_labels:\n  - a\n  separator: ''\n  regex: null\n  modulus: 0x10\n"
      "  target_label: t\n  replacement: ~\n  action: HASHMOD\n");
  REQUIRE(all.has_value());
  CHECK((*all)[0].separator.empty());
  CHECK((*all)[0].regex.Matches(""));  // a null regex is the empty regex
  CHECK_FALSE((*all)[0].regex.Matches("x"));
  CHECK((*all)[0].modulus == 16);
  CHECK((*all)[0].replacement.empty());
  CHECK((*all)[0].action == model::RelabelAction::kHashMod);

  auto none = config::ParseRelabelConfigs(YAML::Load("~"), "p.yml");
  REQUIRE(none.has_value());
  CHECK(none->empty());
}

TEST_CASE("relabel_configs errors name file, line and field", "[config][relabel]") {
  CHECK(ErrorOf("- source_labels: [a]\n  target_label: t\n  regx: a\n") ==
        "p.yml:3: field regx not found in type relabel.plain");
  CHECK(ErrorOf("- target_label: t\n  regex: (a\n") ==
        "p.yml:2: regex: error parsing regexp: missing closing ): `^(?:(a)$`");
  CHECK(ErrorOf("- target_label: t\n  action: nope\n") ==
        "p.yml:2: action: unknown relabel action \"nope\"");
  CHECK(ErrorOf("- source_labels: [a]\n") ==
        "p.yml:1: relabel configuration for replace action requires 'target_label' value");
  CHECK(
      ErrorOf("- target_label: a\n- source_labels: [a]\n  action: hashmod\n  target_label: t\n") ==
      "p.yml:2: relabel configuration for hashmod requires non-zero modulus");
  CHECK(ErrorOf("- target_label: t\n  modulus: abc\n") ==
        "p.yml:2: modulus: cannot unmarshal !!str `abc` into uint64");
  CHECK(ErrorOf("- source_labels: a\n  target_label: t\n") ==
        "p.yml:1: source_labels: cannot unmarshal !!str `a` into model.LabelNames");
  CHECK(ErrorOf("- source_labels: [a-b]\n  target_label: t\n") ==
        "p.yml:1: source_labels: \"a-b\" is not a valid label name");
  CHECK(ErrorOf("- action: labelkeep\n  source_labels: []\n") ==
        "p.yml:1: labelkeep action requires only 'regex', and no other fields");
  CHECK(ErrorOf("- action:\n  target_label: t\n") == "p.yml:1: relabel action cannot be empty");
  CHECK(ErrorOf("- target_label: t\n  target_label: u\n") ==
        "p.yml:2: field target_label already set in type relabel.plain");
  CHECK(ErrorOf("- ~\n") == "p.yml:1: empty or null relabeling rule");
  CHECK(ErrorOf("a: b\n") == "p.yml:1: cannot unmarshal !!map into []*relabel.Config");
  CHECK(ErrorOf("- separator: [x]\n  target_label: t\n") ==
        "p.yml:1: separator: cannot unmarshal !!seq into string");
}

TEST_CASE("relabeling agrees with the real Prometheus on every case", "[config][relabel][oracle]") {
  if (!std::filesystem::exists(kPrometheus)) {
    FAIL(
        "/usr/bin/prometheus is missing: install the Debian package prometheus (2.42), which "
        "this test uses as the reference for relabeling");
  }
  const std::vector<OracleCase> cases = OracleCases();
  REQUIRE(cases.size() >= 40);

  testutil::TempDir dir;
  std::string yml = "global:\n  scrape_interval: 1h\n  scrape_timeout: 10s\nscrape_configs:\n";
  std::vector<std::vector<model::RelabelConfig>> parsed;
  for (size_t i = 0; i < cases.size(); ++i) {
    auto cfgs = ParseText(cases[i].yaml);
    INFO(cases[i].name << ": " << (cfgs ? "" : cfgs.error().message()));
    REQUIRE(cfgs.has_value());
    parsed.push_back(*cfgs);
    std::string labels;
    for (const auto& [k, v] : cases[i].labels)
      labels += (labels.empty() ? "" : ", ") + k + ": " + Quote(v);
    yml += "  - job_name: case_" + std::to_string(i) + "\n";
    yml += "    static_configs:\n      - targets: ['127.0.0.1:1']\n";
    yml += "        labels: {" + labels + "}\n";
    yml += "    relabel_configs:\n" + Indent(cases[i].yaml, 6);
  }
  { std::ofstream(dir.Sub("prometheus.yml")) << yml; }

  const int port = FreePort();
  auto prom = tools::ChildProcess::Start(
      {kPrometheus, "--config.file=" + dir.Sub("prometheus.yml"),
       "--storage.tsdb.path=" + dir.Sub("data"),
       "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=warn"},
      dir.Sub("prometheus.log"));
  REQUIRE(prom.has_value());

  // Wait until every job that should have a target shows up, active or dropped.
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(1));
  client.set_read_timeout(std::chrono::seconds(5));
  std::map<std::string, LabelMap> active;      // job -> labels
  std::map<std::string, LabelMap> discovered;  // job -> discovered labels
  std::set<std::string> dropped;
  // Targets whose relabeled labels have no address are rejected and shown nowhere.
  size_t want = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    auto out = model::Process(DiscoveredLabels(cases[i], "case_" + std::to_string(i)), parsed[i]);
    want += !out || ApiLabels(*out).has_value();
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(28);
  std::string last_body;
  while (std::chrono::steady_clock::now() < deadline) {
    REQUIRE_FALSE((*prom)->Exited());
    if (auto res = client.Get("/api/v1/targets?state=any"); res && res->status == 200) {
      last_body = res->body;
      boost::property_tree::ptree root;
      std::istringstream in(res->body);
      boost::property_tree::read_json(in, root);
      active.clear();
      discovered.clear();
      dropped.clear();
      for (const auto& [k, t] : root.get_child("data.activeTargets")) {
        const std::string job = t.get<std::string>("scrapePool");
        active[job] = FromTree(t.get_child("labels"));
        discovered[job] = FromTree(t.get_child("discoveredLabels"));
      }
      for (const auto& [k, t] : root.get_child("data.droppedTargets")) {
        LabelMap d = FromTree(t.get_child("discoveredLabels"));
        dropped.insert(d["job"]);
        discovered[d["job"]] = d;
      }
      if (active.size() + dropped.size() >= want) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  INFO("prometheus log:\n"
       << tools::TailFile((*prom)->log_path(), 20)
       << "last targets: " << last_body.substr(0, 2000));
  REQUIRE(active.size() + dropped.size() == want);

  size_t compared_active = 0, compared_dropped = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string job = "case_" + std::to_string(i);
    INFO("case " << i << ": " << cases[i].name << "\n" << cases[i].yaml);
    if (!discovered.contains(job)) {
      // Prometheus rejected the relabeled target (no address): ours must have no address too.
      auto out = model::Process(DiscoveredLabels(cases[i], job), parsed[i]);
      CHECK((out && !ApiLabels(*out).has_value()));
      continue;
    }
    // The labels Prometheus relabels (PopulateLabels): the target's, then job, scheme, path,
    // interval and timeout where absent. Prometheus 2.42's relabel.Process reuses its input's
    // memory, so /api/v1/targets may show discoveredLabels already changed by the rules: they
    // are not the reference here.
    const model::Labels input = DiscoveredLabels(cases[i], job);
    const std::optional<model::Labels> ours = model::Process(input, parsed[i]);
    if (dropped.contains(job)) {
      CHECK_FALSE(ours.has_value());
      ++compared_dropped;
      continue;
    }
    REQUIRE(ours.has_value());
    auto want_labels = ApiLabels(*ours);
    REQUIRE(want_labels.has_value());
    CHECK(Format(*want_labels) == Format(active[job]));
    ++compared_active;
  }
  CHECK(compared_active >= 35);
  CHECK(compared_dropped >= 5);
  INFO("prometheus log:\n" << tools::TailFile((*prom)->log_path(), 20));
  CHECK((*prom)->Stop(std::chrono::seconds(10)) != "");
}

TEST_CASE("invalid relabel_configs fail as promtool check config fails",
          "[config][relabel][oracle]") {
  if (!std::filesystem::exists(kPromtool)) {
    FAIL("/usr/bin/promtool is missing: install the Debian package prometheus (2.42)");
  }
  const std::vector<std::string> invalid = {
      "- source_labels: [a]\n",
      "- source_labels: [a]\n  target_label: t\n  action: hashmod\n",
      "- source_labels: [a]\n  regex: x\n  action: labeldrop\n",
      "- source_labels: [a]\n  target_label: t\n  regex: (.*)\n  action: keepequal\n",
      "- source_labels: [a]\n  target_label: t\n  action: nope\n",
      "- source_labels: [a]\n  target_label: 1abc\n",
      "- regex: (.*)\n  replacement: a-$1\n  action: labelmap\n",
      "- source_labels: [a]\n  target_label: t\n  replacement: x\n  action: lowercase\n",
      "- source_labels: [a-b]\n  target_label: t\n",
      "- source_labels: [a]\n  target_label: t\n  regex: (a\n",
      "- source_labels: [a]\n  target_label: t\n  regx: a\n",
      "- source_labels: [a]\n  target_label: ${1}\n  modulus: 2\n  action: hashmod\n",
      "- source_labels: [a]\n  target_label: t\n  action: keepequal\n  separator: ','\n",
  };
  testutil::TempDir dir;
  for (size_t i = 0; i < invalid.size(); ++i) {
    INFO("case " << i << ":\n" << invalid[i]);
    auto ours = ParseText(invalid[i]);
    REQUIRE_FALSE(ours.has_value());
    // Our message without "p.yml:LINE: " and without a leading "field: ".
    std::string msg = ours.error().message();
    msg = msg.substr(msg.find(": ") + 2);
    for (std::string field : {"regex: ", "action: ", "source_labels: "})
      if (msg.starts_with(field)) msg = msg.substr(field.size());

    const std::string path = dir.Sub("case" + std::to_string(i) + ".yml");
    std::ofstream(path) << "scrape_configs:\n  - job_name: x\n    static_configs:\n"
                           "      - targets: ['127.0.0.1:1']\n    relabel_configs:\n"
                        << Indent(invalid[i], 6);
    const std::string log = dir.Sub("promtool" + std::to_string(i) + ".log");
    auto tool = tools::ChildProcess::Start({kPromtool, "check", "config", path}, log);
    REQUIRE(tool.has_value());
    REQUIRE((*tool)->Wait(std::chrono::seconds(20)));
    const std::string out = ReadFile(log);
    INFO("promtool: " << out << "ours: " << msg);
    CHECK((*tool)->exit_code() != 0);
    CHECK(out.find(msg) != std::string::npos);
  }
}

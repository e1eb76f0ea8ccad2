// The parsers on real output: the Debian prometheus-node-exporter's /metrics, fetched as the
// text format and with the OpenMetrics Accept header, parses without errors; the same scrape
// re-encoded as OpenMetrics (as client_golang encodes it) parses into exactly the same samples.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "base/strconv.h"
#include "tests/tools/child_process.h"
#include "scrape/textparse/parser.h"
#include "tests/testutil/temp_dir.h"

namespace {

constexpr const char* kNodeExporter = "/usr/bin/prometheus-node-exporter";
constexpr std::string_view kTextType = "text/plain; version=0.0.4";

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

struct Parsed {
  std::map<std::string, double> series;  // {__name__=..., sorted labels} -> value
  size_t samples = 0;
  size_t types = 0;
  size_t helps = 0;
};

Parsed ParseAll(const std::string& body, std::string_view content_type) {
  Parsed out;
  auto p = scrape::textparse::NewParser(body, content_type);
  for (;;) {
    auto e = p->Next();
    INFO(content_type << " line " << p->line());
    REQUIRE(e.has_value());
    if (*e == scrape::textparse::Entry::kEof) break;
    switch (*e) {
      case scrape::textparse::Entry::kSeries: {
        std::vector<model::Label> labels(p->labels().begin(), p->labels().end());
        labels.push_back({model::kMetricName, p->metric_name()});
        const model::Labels lset = model::Labels::FromVector(std::move(labels));
        REQUIRE(lset.Validate().ok());
        out.series[lset.ToString()] = p->value();
        ++out.samples;
        break;
      }
      case scrape::textparse::Entry::kType:
        ++out.types;
        break;
      case scrape::textparse::Entry::kHelp:
        ++out.helps;
        break;
      default:
        break;
    }
  }
  return out;
}

std::string EscapeOM(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

// Re-encodes a text-format body as OpenMetrics the way client_golang's expfmt does
// (MetricFamilyToOpenMetrics): counter families lose their _total suffix, "untyped" becomes
// "unknown", help and label values use OpenMetrics escaping, and "# EOF" ends the body.
std::string ToOpenMetrics(const std::string& text) {
  std::string om;
  std::string help_name, help;
  auto p = scrape::textparse::NewParser(text, kTextType);
  for (;;) {
    auto e = p->Next();
    REQUIRE(e.has_value());
    if (*e == scrape::textparse::Entry::kEof) break;
    switch (*e) {
      case scrape::textparse::Entry::kHelp:
        help_name = p->metric_name();
        help = p->help();
        break;
      case scrape::textparse::Entry::kType: {
        std::string family(p->metric_name());
        const auto type = p->type();
        if (type == scrape::textparse::MetricType::kCounter && family.ends_with("_total"))
          family.resize(family.size() - 6);
        if (help_name == p->metric_name()) om += "# HELP " + family + " " + EscapeOM(help) + "\n";
        om += "# TYPE " + family + " " + std::string(scrape::textparse::MetricTypeString(type)) +
              "\n";
        break;
      }
      case scrape::textparse::Entry::kSeries: {
        om += p->metric_name();
        if (!p->labels().empty()) {
          om += "{";
          for (size_t i = 0; i < p->labels().size(); ++i) {
            if (i > 0) om += ",";
            om += std::string(p->labels()[i].name) + "=\"" + EscapeOM(p->labels()[i].value) + "\"";
          }
          om += "}";
        }
        om += " " + base::FormatFloatG(p->value()) + "\n";
        break;
      }
      default:
        break;
    }
  }
  return om + "# EOF\n";
}

}  // namespace

TEST_CASE("node_exporter's /metrics parses as text and as OpenMetrics",
          "[scrape][textparse][node_exporter]") {
  if (!std::filesystem::exists(kNodeExporter)) {
    FAIL(
        "/usr/bin/prometheus-node-exporter is missing: install the Debian package "
        "prometheus-node-exporter, whose output this test parses");
  }
  testutil::TempDir dir;
  const int port = FreePort();
  auto exporter = tools::ChildProcess::Start(
      {kNodeExporter, "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      dir.Sub("node_exporter.log"));
  REQUIRE(exporter.has_value());

  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(1));
  client.set_read_timeout(std::chrono::seconds(20));
  auto fetch = [&](const std::string& accept) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      REQUIRE_FALSE((*exporter)->Exited());
      if (auto res = client.Get("/metrics", {{"Accept", accept}}); res && res->status == 200)
        return std::pair{res->body, res->get_header_value("Content-Type")};
      INFO(tools::TailFile((*exporter)->log_path(), 10));
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  const auto [text, text_type] = fetch("text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
  const auto [om, om_type] =
      fetch("application/openmetrics-text;version=1.0.0;q=0.6,text/plain;version=0.0.4;q=0.5");
  INFO("content types: " << text_type << " | " << om_type);
  CHECK_FALSE(scrape::textparse::IsOpenMetrics(text_type));

  const Parsed t = ParseAll(text, text_type);
  // A node_exporter exposes several hundred series (Go runtime, process, CPU, memory, ...).
  CHECK(t.samples >= 200);
  CHECK(t.samples < 100000);
  CHECK(t.types >= 50);
  CHECK(t.helps == t.types);
  CHECK(t.series.size() == t.samples);  // no duplicate series
  for (const char* name :
       {"go_goroutines", "node_exporter_build_info", "process_cpu_seconds_total"}) {
    const std::string needle = std::string("__name__=\"") + name + "\"";
    CHECK(std::any_of(t.series.begin(), t.series.end(),
                      [&](const auto& s) { return s.first.find(needle) != std::string::npos; }));
  }

  // node_exporter 1.5.0 does not offer OpenMetrics (it answers the OpenMetrics Accept header
  // with the text format); a later one would, and then its answer is parsed as such.
  const Parsed o = ParseAll(om, om_type);
  if (scrape::textparse::IsOpenMetrics(om_type)) CHECK(om.ends_with("# EOF\n"));
  size_t differ = 0;
  for (const auto& [s, v] : t.series) differ += !o.series.contains(s);
  CHECK(differ <= 10);  // the two fetches are a moment apart: a few series may come and go

  // The same scrape as OpenMetrics, encoded as client_golang does: the same samples exactly.
  const std::string as_om = ToOpenMetrics(text);
  const Parsed r = ParseAll(as_om, "application/openmetrics-text; version=1.0.0");
  CHECK(r.samples == t.samples);
  CHECK(r.types == t.types);
  for (const auto& [s, v] : t.series) {
    INFO(s);
    REQUIRE(r.series.contains(s));
    if (!std::isnan(v)) CHECK(r.series.at(s) == v);
  }
  CHECK((*exporter)->Stop(std::chrono::seconds(10)) != "");
}

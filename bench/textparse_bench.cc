// Exposition-parser throughput: MB/s and ns per sample for a node_exporter-like body of about
// 2000 series in the text format and in OpenMetrics, and for the real
// /usr/bin/prometheus-node-exporter's /metrics when that program is installed (the bench starts
// it on a free loopback port and fetches once). Each parse touches every label, as a scrape loop
// does when it builds the series key.
// Run: build-*/scrape/textparse_bench [--benchmark-samples N]
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#define CATCH_CONFIG_MAIN
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "tests/tools/child_process.h"
#include "scrape/textparse/parser.h"

namespace {

using scrape::textparse::Entry;

constexpr std::string_view kText = "text/plain; version=0.0.4";
constexpr std::string_view kOM = "application/openmetrics-text; version=1.0.0";

std::string Num(std::mt19937_64& rng) {
  char buf[32];
  switch (rng() % 4) {
    case 0:
      std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(rng() % 100000000));
      break;
    case 1:
      std::snprintf(buf, sizeof buf, "%.6g", static_cast<double>(rng() % 1000000) / 997.0);
      break;
    case 2:
      std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(rng() % 1000000) / 1e9);
      break;
    default:
      std::snprintf(buf, sizeof buf, "%.5e", static_cast<double>(rng() % 1000000) * 1e6);
      break;
  }
  return buf;
}

// About 2000 series shaped like node_exporter's: Go runtime summaries, per-CPU counters with
// mode labels, filesystem and network gauges with device labels, a few histograms.
std::string NodeExporterLike(bool om) {
  std::mt19937_64 rng(1);
  std::string b;
  auto family = [&](const std::string& name, const char* type, const char* help) {
    b += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  family("go_gc_duration_seconds", "summary",
         "A summary of the pause duration of garbage collection cycles.");
  for (const char* q : {"0", "0.25", "0.5", "0.75", "1"})
    b += std::string("go_gc_duration_seconds{quantile=\"") + q + "\"} " + Num(rng) + "\n";
  b += "go_gc_duration_seconds_sum " + Num(rng) + "\ngo_gc_duration_seconds_count " + Num(rng) +
       "\n";
  for (int i = 0; i < 30; ++i) {
    family("go_memstats_metric_" + std::to_string(i) + "_bytes", "gauge",
           "Number of bytes of something.");
    b += "go_memstats_metric_" + std::to_string(i) + "_bytes " + Num(rng) + "\n";
  }
  const char* modes[] = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
  const std::string cpu = om ? "node_cpu_seconds" : "node_cpu_seconds_total";
  family(cpu, "counter", "Seconds the CPUs spent in each mode.");
  for (int c = 0; c < 96; ++c)
    for (const char* m : modes)
      b += "node_cpu_seconds_total{cpu=\"" + std::to_string(c) + "\",mode=\"" + m + "\"} " +
           Num(rng) + "\n";
  for (int f = 0; f < 20; ++f) {
    const std::string name = "node_filesystem_metric" + std::to_string(f) + "_bytes";
    family(name, "gauge", "Filesystem metric in bytes.");
    for (int d = 0; d < 20; ++d)
      b += name + "{device=\"/dev/nvme0n1p" + std::to_string(d) +
           "\",fstype=\"ext4\",mountpoint=\"/srv/data" + std::to_string(d) + "\"} " + Num(rng) +
           "\n";
  }
  for (int f = 0; f < 24; ++f) {
    const std::string base = "node_network_stat" + std::to_string(f);
    const std::string name = om ? base : base + "_total";
    family(name, "counter", "Network device statistic.");
    for (int d = 0; d < 24; ++d)
      b += base + "_total{device=\"eth" + std::to_string(d) + "\"} " + Num(rng) + "\n";
  }
  for (int h = 0; h < 16; ++h) {
    const std::string name = "http_request_duration_seconds_" + std::to_string(h);
    family(name, "histogram", "Request latency.");
    for (const char* le :
         {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"})
      b += name + "_bucket{handler=\"/api/v1/query\",le=\"" + le + "\"} " + Num(rng) + "\n";
    b += name + "_sum{handler=\"/api/v1/query\"} " + Num(rng) + "\n" + name +
         "_count{handler=\"/api/v1/query\"} " + Num(rng) + "\n";
  }
  if (om) b += "# EOF\n";
  return b;
}

struct Counts {
  size_t samples = 0;
  uint64_t touched = 0;
};

Counts ParseAll(std::string_view body, std::string_view content_type) {
  Counts c;
  auto p = scrape::textparse::NewParser(body, content_type);
  for (;;) {
    auto e = p->Next();
    if (!e) {
      std::fprintf(stderr, "parse error at line %d: %s\n", p->line(), e.error().message().c_str());
      std::abort();
    }
    if (*e == Entry::kEof) return c;
    if (*e != Entry::kSeries) continue;
    ++c.samples;
    c.touched += p->metric_name().size() + static_cast<uint64_t>(p->value() > 0);
    for (const model::Label& l : p->labels()) c.touched += l.name.size() + l.value.size();
  }
}

// Parses for at least 1 s and prints MB/s and ns/sample.
void Report(const char* what, std::string_view body, std::string_view content_type) {
  const Counts once = ParseAll(body, content_type);
  size_t rounds = 0;
  uint64_t sink = 0;
  const auto start = std::chrono::steady_clock::now();
  std::chrono::duration<double> elapsed{};
  do {
    sink += ParseAll(body, content_type).touched;
    ++rounds;
    elapsed = std::chrono::steady_clock::now() - start;
  } while (elapsed.count() < 1.0);
  const double per_parse = elapsed.count() / static_cast<double>(rounds);
  std::printf(
      "%-34s %7zu bytes %5zu samples  %8.1f MB/s  %6.1f ns/sample  (%zu rounds, sink %llu)\n", what,
      body.size(), once.samples, static_cast<double>(body.size()) / per_parse / 1e6,
      per_parse * 1e9 / static_cast<double>(once.samples), rounds,
      static_cast<unsigned long long>(sink % 10));
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 0;
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// The real node_exporter's /metrics: the text body, and the OpenMetrics body when the exporter
// offers that format (node_exporter 1.5.0 does not); empty strings without the program.
std::pair<std::string, std::string> FetchNodeExporter() {
  constexpr const char* kBinary = "/usr/bin/prometheus-node-exporter";
  if (!std::filesystem::exists(kBinary)) return {};
  const int port = FreePort();
  const std::string log =
      (std::filesystem::temp_directory_path() / "textparse_bench_node_exporter.log").string();
  auto child = tools::ChildProcess::Start(
      {kBinary, "--web.listen-address=127.0.0.1:" + std::to_string(port)}, log);
  if (!child) return {};
  httplib::Client client("127.0.0.1", port);
  std::pair<std::string, std::string> out;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto text = client.Get("/metrics", {{"Accept", "text/plain;version=0.0.4"}});
    auto om = client.Get("/metrics", {{"Accept", "application/openmetrics-text;version=1.0.0"}});
    if (text && text->status == 200 && om && om->status == 200) {
      out = {text->body, ""};
      if (scrape::textparse::IsOpenMetrics(om->get_header_value("Content-Type")))
        out.second = om->body;
      break;
    }
  }
  (*child)->Stop(std::chrono::seconds(10));
  std::filesystem::remove(log);
  return out;
}

}  // namespace

TEST_CASE("exposition parse throughput", "[bench][textparse]") {
  const std::string text = NodeExporterLike(false);
  const std::string om = NodeExporterLike(true);
  Report("synthetic 2000 series, text", text, kText);
  Report("synthetic 2000 series, OpenMetrics", om, kOM);
  const auto [real_text, real_om] = FetchNodeExporter();
  if (!real_text.empty()) {
    Report("node_exporter /metrics, text", real_text, kText);
    if (!real_om.empty()) {
      Report("node_exporter /metrics, OpenMetrics", real_om, kOM);
    } else {
      std::printf("(this node_exporter serves no OpenMetrics: real OpenMetrics body skipped)\n");
    }
  } else {
    std::printf("(no /usr/bin/prometheus-node-exporter: real body skipped)\n");
  }

  BENCHMARK("parse synthetic text body") { return ParseAll(text, kText).touched; };
  BENCHMARK("parse synthetic OpenMetrics body") { return ParseAll(om, kOM).touched; };
}

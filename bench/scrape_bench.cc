// scrape_bench: the CPU that scraping costs Hestia, Prometheus and VictoriaMetrics, measured the
// same way in one run. One scrape_exporter serves --targets targets of --series series each
// (/bench/N: realistic names and labels, HELP and TYPE, values moving on every scrape); then
// for each server, one after another (2 shared cores; the exporter runs beside the server and
// its CPU is reported, never charged to the server):
//   1. write a prometheus.yml with one job of --targets static targets (each with its own
//      __metrics_path__ and instance label), every --interval-s, timeout = interval;
//   2. start the server on a free 127.0.0.1 port with a fresh data directory (VictoriaMetrics:
//      -promscrape.config); wait for readiness;
//   3. warm-up (--warmup-s): every target scraped at least once (series created);
//   4. window (--duration-s): server CPU (/proc/<pid>/stat utime+stime, all threads) and the
//      samples the exporter served (its /stats) read at both ends: CPU-s per million samples;
//   5. RSS, and through the server's query API: targets up, series stored;
//   6. SIGTERM (SIGKILL after 30 s); the data directory is removed unless --keep.
// Figures and how to run: docs/performance.md, "Scrape".

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_main.h"
#include "bench/proc_stats.h"
#include "tests/tools/child_process.h"
#include "tests/tools/flags.h"
#include "tests/tools/net.h"

namespace bench {
namespace {

using tools::ChildProcess;
using tools::Died;
using tools::FreePort;
using tools::Interrupted;
using tools::TailFile;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Set by SIGINT/SIGTERM/SIGHUP; every wait checks it, and the ChildProcess destructors stop
// what was started.

// Sleeps up to `d`; false if interrupted.
bool Sleep(std::chrono::duration<double> d) {
  return tools::InterruptibleSleep(d, &g_interrupted);
}

struct Options {
  std::vector<std::string> servers;
  int64_t targets = 100;
  int64_t series = 2000;
  int64_t interval_s = 5;
  double warmup_s = 15;
  double duration_s = 60;
  int64_t repeat = 1;
  std::string work_dir;
  bool keep = false;
  bool markdown = false;
  std::string hestia;
  std::string prometheus = "/usr/bin/prometheus";
  std::string victoria_metrics = "/usr/bin/victoria-metrics";
  std::string exporter;
  bool compression = true;  // the exporter gzips bodies for clients that accept it
};

void Usage() {
  std::fprintf(stderr, R"(usage: scrape_bench [flags]
  --servers LIST        comma-separated subset of hestia,prometheus,victoriametrics (all three)
  --targets N (100)     --series S per target (2000)     --interval-s I scrape interval (5)
  --warmup-s W          after readiness, before the window: series creation (15)
  --duration-s D        the measured window (60)
  --repeat N            measure every server N times, runs interleaved, one row each (1)
  --quick               20 targets, 10 s warm-up, 20 s window (about 1.5 minutes)
  --work-dir DIR        data directories, configurations and logs (a new /tmp/scrape_bench.XXXXXX)
  --keep                keep the work directory
  --markdown            also print the table as Markdown
  --hestia PATH         Hestia binary (default: hestia in this build directory, then the source
                        tree's build/hestia); its row is skipped with a message when absent
  --prometheus PATH (/usr/bin/prometheus)   --victoria-metrics PATH (/usr/bin/victoria-metrics)
  --exporter PATH       scrape_exporter (default: next to this binary)
  --compression auto|never  auto (default): the exporter gzips bodies for a server that sends
                        Accept-Encoding: gzip, as client_golang does; never: plain bodies for all
)");
}

std::string ExeDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

base::Result<Options> ParseOptions(int argc, char** argv) {
  ASSIGN_OR_RETURN(tools::Flags flags, tools::Flags::Parse(argc, argv));
  Options o;
  ASSIGN_OR_RETURN(bool quick, flags.Bool("quick", false));
  if (quick) {
    o.targets = 20;
    o.warmup_s = 10;
    o.duration_s = 20;
  }
  ASSIGN_OR_RETURN(std::string servers,
                   flags.String("servers", "hestia,prometheus,victoriametrics"));
  ASSIGN_OR_RETURN(o.targets, flags.Int("targets", o.targets));
  ASSIGN_OR_RETURN(o.series, flags.Int("series", o.series));
  ASSIGN_OR_RETURN(o.interval_s, flags.Int("interval-s", o.interval_s));
  ASSIGN_OR_RETURN(o.warmup_s, flags.Double("warmup-s", o.warmup_s));
  ASSIGN_OR_RETURN(o.duration_s, flags.Double("duration-s", o.duration_s));
  ASSIGN_OR_RETURN(o.repeat, flags.Int("repeat", o.repeat));
  ASSIGN_OR_RETURN(o.work_dir, flags.String("work-dir", ""));
  ASSIGN_OR_RETURN(o.keep, flags.Bool("keep", false));
  ASSIGN_OR_RETURN(o.markdown, flags.Bool("markdown", false));
  ASSIGN_OR_RETURN(o.hestia, flags.String("hestia", ""));
  ASSIGN_OR_RETURN(o.prometheus, flags.String("prometheus", o.prometheus));
  ASSIGN_OR_RETURN(o.victoria_metrics, flags.String("victoria-metrics", o.victoria_metrics));
  ASSIGN_OR_RETURN(o.exporter, flags.String("exporter", ExeDir() + "/scrape_exporter"));
  ASSIGN_OR_RETURN(std::string compression, flags.String("compression", "auto"));
  ASSIGN_OR_RETURN(bool help, flags.Bool("help", false));
  RETURN_IF_ERROR(flags.Finish());
  if (help) return base::InvalidArgument("help requested");
  if (compression != "auto" && compression != "never") {
    return base::InvalidArgument("--compression must be auto or never");
  }
  o.compression = compression == "auto";

  std::stringstream ss(servers);
  std::string s;
  while (std::getline(ss, s, ',')) {
    if (s != "hestia" && s != "prometheus" && s != "victoriametrics") {
      return base::InvalidArgument("unknown server '" + s + "'");
    }
    o.servers.push_back(s);
  }
  if (o.targets < 1 || o.targets > 10000)
    return base::InvalidArgument("--targets must be 1..10000");
  if (o.series < 1 || o.series > 100000) return base::InvalidArgument("--series must be 1..100000");
  if (o.interval_s < 1 || o.interval_s > 600) {
    return base::InvalidArgument("--interval-s must be 1..600");
  }
  if (o.warmup_s < o.interval_s || o.warmup_s > 3600) {
    return base::InvalidArgument("--warmup-s must be at least one interval and at most 3600");
  }
  if (o.duration_s < 2.0 * static_cast<double>(o.interval_s) || o.duration_s > 7200) {
    return base::InvalidArgument("--duration-s must be at least two intervals and at most 7200");
  }
  if (o.repeat < 1 || o.repeat > 10) return base::InvalidArgument("--repeat must be 1..10");
  return o;
}

// Finds the Hestia binary; empty, with the candidates tried in `tried`, when there is none.
std::string FindHestia(const Options& o, std::string* tried) {
  std::vector<std::string> candidates;
  if (!o.hestia.empty()) {
    candidates.push_back(o.hestia);
  } else {
    const fs::path build = fs::path(ExeDir()).parent_path();
    candidates = {(build / "hestia").string(), std::string(HESTIA_SOURCE_DIR) + "/build/hestia"};
  }
  for (const std::string& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec) && access(c.c_str(), X_OK) == 0) return c;
    *tried += (tried->empty() ? "" : ", ") + c;
  }
  return "";
}

bool IsExecutable(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && access(path.c_str(), X_OK) == 0;
}

// The exporter's counters of /bench bodies and samples served.
struct ExporterStats {
  uint64_t bodies = 0, samples = 0;
};

base::Result<ExporterStats> ReadStats(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  auto res = client.Get("/stats");
  if (!res || res->status != 200) return base::Unavailable("exporter /stats did not answer");
  ExporterStats s;
  std::istringstream in(res->body);
  std::string name;
  uint64_t value = 0;
  while (in >> name >> value) {
    if (name == "bench_bodies_total") s.bodies = value;
    if (name == "bench_samples_total") s.samples = value;
  }
  return s;
}

// The single value of an instant query answering a one-element vector; nullopt otherwise.
std::optional<double> QueryScalar(int port, const std::string& query) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  auto res = client.Get("/api/v1/query", httplib::Params{{"query", query}}, httplib::Headers{});
  if (!res || res->status != 200) return std::nullopt;
  // ...,"value":[<time>,"<number>"]}]}}
  const size_t value = res->body.find("\"value\":[");
  if (value == std::string::npos) return std::nullopt;
  const size_t quote = res->body.find('"', res->body.find(',', value));
  if (quote == std::string::npos) return std::nullopt;
  return std::strtod(res->body.c_str() + quote + 1, nullptr);
}

std::string Config(const Options& o, int exporter_port) {
  std::string c = "# scrape_bench: " + std::to_string(o.targets) + " targets of " +
                  std::to_string(o.series) +
                  " series.\nglobal:\n  scrape_interval: " + std::to_string(o.interval_s) +
                  "s\n  scrape_timeout: " + std::to_string(o.interval_s) +
                  "s\nscrape_configs:\n  - job_name: bench\n" + "    static_configs:\n";
  char buf[64];
  for (int64_t t = 0; t < o.targets; ++t) {
    std::snprintf(buf, sizeof(buf), "host-%04lld:9100", static_cast<long long>(t));
    c += "      - targets: [\"127.0.0.1:" + std::to_string(exporter_port) + "\"]\n" +
         "        labels: {__metrics_path__: /bench/" + std::to_string(t) + ", instance: \"" + buf +
         "\"}\n";
  }
  return c;
}

struct ServerSpec {
  std::string name, binary, ready_path;
  std::vector<std::string> args;
};

ServerSpec Spec(const std::string& name, const std::string& binary, const std::string& data_dir,
                int port, const std::string& config) {
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  if (name == "victoriametrics") {
    // -search.latencyOffset only lets the final queries see the last 30 s (VictoriaMetrics
    // hides them by default); it changes nothing in scraping or ingestion.
    return {name,
            binary,
            "/health",
            {binary, "-storageDataPath=" + data_dir, "-httpListenAddr=" + addr,
             "-promscrape.config=" + config, "-search.latencyOffset=1s"}};
  }
  return {name,
          binary,
          "/-/ready",
          {binary, "--storage.tsdb.path=" + data_dir, "--web.listen-address=" + addr,
           "--config.file=" + config}};
}

// What one server run measured.
struct Measurement {
  std::string server;
  std::string skipped;  // non-empty: why there are no figures
  double window_s = 0;
  uint64_t bodies = 0, samples = 0;  // served by the exporter in the window
  double cpu_s = 0;
  double warmup_cpu_s = 0;  // from readiness to the window: series creation
  double exporter_cpu_s = 0;
  uint64_t rss = 0, peak_rss = 0;
  std::optional<double> up, stored_series;
};

base::Status Measure(const Options& o, const std::string& binary, ChildProcess& exporter,
                     int exporter_port, const std::string& dir, Measurement* m) {
  const std::string data_dir = dir + "/data";
  const std::string config_path = dir + "/prometheus.yml";
  fs::create_directories(data_dir);
  {
    std::ofstream config(config_path);
    config << Config(o, exporter_port);
    if (!config) return base::IOError("cannot write " + config_path);
  }
  ASSIGN_OR_RETURN(int port, FreePort());
  const std::string server_name = m->server.substr(0, m->server.find('#'));
  const ServerSpec spec = Spec(server_name, binary, data_dir, port, config_path);
  std::fprintf(stderr, "[%s] starting on 127.0.0.1:%d, data in %s\n", m->server.c_str(), port,
               data_dir.c_str());
  ASSIGN_OR_RETURN(auto server, ChildProcess::Start(spec.args, dir + "/server.log"));
  RETURN_IF_ERROR(
      tools::WaitReady(*server, port, spec.ready_path, seconds(60), &g_interrupted));
  const pid_t pid = server->pid();
  ASSIGN_OR_RETURN(double cpu_ready, ProcessCpuSeconds(pid));
  ASSIGN_OR_RETURN(ExporterStats at_ready, ReadStats(exporter_port));

  std::fprintf(stderr, "[%s] warm-up %.0f s\n", m->server.c_str(), o.warmup_s);
  if (!Sleep(std::chrono::duration<double>(o.warmup_s))) return Interrupted();
  if (server->Exited()) return Died(*server, "server", "during the warm-up");
  if (exporter.Exited()) return Died(exporter, "exporter", "during the warm-up");
  ASSIGN_OR_RETURN(ExporterStats s0, ReadStats(exporter_port));
  if (s0.bodies - at_ready.bodies < static_cast<uint64_t>(o.targets)) {
    std::fprintf(stderr,
                 "[%s] WARNING: only %" PRIu64 " scrapes during the warm-up for %lld targets\n",
                 m->server.c_str(), s0.bodies - at_ready.bodies, static_cast<long long>(o.targets));
  }
  ASSIGN_OR_RETURN(double cpu0, ProcessCpuSeconds(pid));
  ASSIGN_OR_RETURN(double exporter_cpu0, ProcessCpuSeconds(exporter.pid()));
  const auto t0 = Clock::now();

  std::fprintf(stderr, "[%s] window %.0f s\n", m->server.c_str(), o.duration_s);
  if (!Sleep(std::chrono::duration<double>(o.duration_s))) return Interrupted();
  if (server->Exited()) return Died(*server, "server", "during the window");
  ASSIGN_OR_RETURN(double cpu1, ProcessCpuSeconds(pid));
  ASSIGN_OR_RETURN(double exporter_cpu1, ProcessCpuSeconds(exporter.pid()));
  ASSIGN_OR_RETURN(ExporterStats s1, ReadStats(exporter_port));
  m->window_s = std::chrono::duration<double>(Clock::now() - t0).count();
  ASSIGN_OR_RETURN(ProcessMemory mem, ReadProcessMemory(pid));

  m->bodies = s1.bodies - s0.bodies;
  m->samples = s1.samples - s0.samples;
  m->cpu_s = cpu1 - cpu0;
  m->warmup_cpu_s = cpu0 - cpu_ready;
  m->exporter_cpu_s = exporter_cpu1 - exporter_cpu0;
  m->rss = mem.rss_bytes;
  m->peak_rss = mem.peak_rss_bytes;
  const double expected_bodies =
      static_cast<double>(o.targets) * m->window_s / static_cast<double>(o.interval_s);
  if (static_cast<double>(m->bodies) < 0.9 * expected_bodies) {
    std::fprintf(stderr,
                 "[%s] WARNING: %" PRIu64
                 " scrapes in the window, %.0f expected: the server "
                 "does not keep up\n",
                 m->server.c_str(), m->bodies, expected_bodies);
  }
  // What the server stored, through its query API (VictoriaMetrics makes fresh samples
  // searchable after a second or so).
  if (!Sleep(seconds(2))) return Interrupted();
  m->up = QueryScalar(port, "count(up == 1)");
  m->stored_series = QueryScalar(port, "count({__name__=~\".+\"})");
  const std::string stop = server->Stop(seconds(30));
  std::fprintf(stderr, "[%s] stopped (%s)\n", m->server.c_str(), stop.c_str());
  return base::Status::Ok();
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

std::vector<std::string> Header() {
  return {"server",       "targets",    "series/target", "interval_s",    "window_s",     "scrapes",
          "samples",      "cpu_s",      "cpu_s/M",       "cores",         "warmup_cpu_s", "rss_MiB",
          "peak_rss_MiB", "targets_up", "stored_series", "exporter_cpu_s"};
}

std::vector<std::string> Cells(const Options& o, const Measurement& m) {
  if (!m.skipped.empty()) {
    std::vector<std::string> cells(Header().size(), "-");
    cells[0] = m.server;
    cells[1] = "not measured";
    return cells;
  }
  const double mib = 1024.0 * 1024.0;
  return {m.server,
          std::to_string(o.targets),
          std::to_string(o.series),
          std::to_string(o.interval_s),
          Fmt("%.1f", m.window_s),
          std::to_string(m.bodies),
          std::to_string(m.samples),
          Fmt("%.2f", m.cpu_s),
          m.samples > 0 ? Fmt("%.2f", m.cpu_s / (static_cast<double>(m.samples) / 1e6)) : "-",
          Fmt("%.3f", m.cpu_s / m.window_s),
          Fmt("%.2f", m.warmup_cpu_s),
          Fmt("%.0f", static_cast<double>(m.rss) / mib),
          Fmt("%.0f", static_cast<double>(m.peak_rss) / mib),
          m.up ? Fmt("%.0f", *m.up) : "-",
          m.stored_series ? Fmt("%.0f", *m.stored_series) : "-",
          Fmt("%.2f", m.exporter_cpu_s)};
}

void PrintTable(const Options& o, const std::vector<Measurement>& results) {
  std::vector<std::vector<std::string>> rows = {Header()};
  for (const Measurement& m : results) rows.push_back(Cells(o, m));
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::printf("\n");
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) {
      std::printf(c == 0 ? "%-*s" : "  %*s", static_cast<int>(width[c]), r[c].c_str());
    }
    std::printf("\n");
  }
  if (o.markdown) {
    std::printf("\n");
    for (size_t i = 0; i < rows.size(); ++i) {
      std::printf("|");
      for (const auto& cell : rows[i]) std::printf(" %s |", cell.c_str());
      std::printf("\n");
      if (i == 0) {
        std::printf("|");
        for (size_t c = 0; c < rows[i].size(); ++c) std::printf(c == 0 ? " --- |" : " ---: |");
        std::printf("\n");
      }
    }
  }
  std::printf(
      "\nscrapes, samples: bodies and samples the exporter served in the window; cpu_s: server\n"
      "CPU (user+sys, all threads) in the window; cpu_s/M: per million scraped samples;\n"
      "cores: cpu_s / window_s; warmup_cpu_s: from readiness to the window (series creation);\n"
      "rss: VmRSS and VmHWM at the end of the window; targets_up: count(up == 1);\n"
      "stored_series: count({__name__=~\".+\"}); exporter_cpu_s: the exporter, same window,\n"
      "not charged to the server. Compression: %s.\n",
      o.compression ? "auto (gzip for servers that accept it)" : "never (plain bodies)");
  // Hestia against Prometheus, the issue's target (at most half).
  std::optional<double> hestia, prometheus;
  for (const Measurement& m : results) {
    if (!m.skipped.empty() || m.samples == 0) continue;
    const double per_m = m.cpu_s / (static_cast<double>(m.samples) / 1e6);
    const std::string name = m.server.substr(0, m.server.find('#'));
    if (name == "hestia" && (!hestia || per_m < *hestia)) hestia = per_m;
    if (name == "prometheus" && (!prometheus || per_m < *prometheus)) prometheus = per_m;
  }
  if (hestia && prometheus && *prometheus > 0) {
    std::printf("hestia / prometheus cpu_s/M (best of each): %.2f (target: at most 0.5)\n",
                *hestia / *prometheus);
  }
  for (const Measurement& m : results) {
    if (!m.skipped.empty()) std::printf("%s: %s\n", m.server.c_str(), m.skipped.c_str());
  }
}

// Fetches every target once so that the exporter has built its bodies before any server runs.
base::Status PrimeExporter(const Options& o, int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30, 0);
  for (int64_t t = 0; t < o.targets; ++t) {
    if (g_interrupted) return Interrupted();
    auto res = client.Get("/bench/" + std::to_string(t));
    if (!res || res->status != 200) {
      return base::Unavailable("exporter did not serve /bench/" + std::to_string(t));
    }
  }
  return base::Status::Ok();
}

int Main(int argc, char** argv) {
  auto parsed = ParseOptions(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "scrape_bench: %s\n", parsed.error().message().c_str());
    Usage();
    return 2;
  }
  Options o = std::move(parsed).value();
  HandleStopSignals();

  if (!IsExecutable(o.exporter)) {
    std::fprintf(stderr, "scrape_bench: no scrape_exporter at %s (build target scrape_exporter)\n",
                 o.exporter.c_str());
    return 2;
  }
  auto work_dir = MakeWorkDir(o.work_dir, "scrape_bench");
  if (!work_dir) {
    std::fprintf(stderr, "scrape_bench: %s\n", work_dir.error().message().c_str());
    return 1;
  }
  o.work_dir = work_dir->path;
  std::fprintf(stderr,
               "scrape_bench: %lld targets x %lld series every %lld s, warm-up %.0f s, window "
               "%.0f s, compression %s; work dir %s\n",
               static_cast<long long>(o.targets), static_cast<long long>(o.series),
               static_cast<long long>(o.interval_s), o.warmup_s, o.duration_s,
               o.compression ? "auto" : "never", o.work_dir.c_str());

  auto exporter_port = FreePort();
  if (!exporter_port) {
    std::fprintf(stderr, "scrape_bench: %s\n", exporter_port.error().message().c_str());
    return 1;
  }
  std::vector<std::string> exporter_argv = {o.exporter, "--port=" + std::to_string(*exporter_port),
                                            "--bench-targets=" + std::to_string(o.targets),
                                            "--bench-series=" + std::to_string(o.series),
                                            "--threads=" + std::to_string(o.targets + 32)};
  if (!o.compression) exporter_argv.push_back("--no-compression");
  auto exporter = ChildProcess::Start(exporter_argv, o.work_dir + "/exporter.log");
  if (!exporter) {
    std::fprintf(stderr, "scrape_bench: %s\n", exporter.error().message().c_str());
    return 1;
  }
  if (auto st = tools::WaitReady(**exporter, *exporter_port, "/-/ready", seconds(30),
                                 &g_interrupted);
      !st.ok()) {
    std::fprintf(stderr, "scrape_bench: exporter: %s\n", st.message().c_str());
    return 1;
  }
  if (auto st = PrimeExporter(o, *exporter_port); !st.ok()) {
    std::fprintf(stderr, "scrape_bench: %s\n", st.message().c_str());
    return 1;
  }

  std::vector<Measurement> results;
  int failures = 0;
  for (int64_t run = 1; run <= o.repeat && !g_interrupted; ++run) {
    for (const std::string& name : o.servers) {
      if (g_interrupted) break;
      Measurement m;
      m.server = o.repeat > 1 ? name + "#" + std::to_string(run) : name;
      std::string binary;
      if (name == "hestia") {
        std::string tried;
        binary = FindHestia(o, &tried);
        if (binary.empty()) {
          m.skipped = "SKIPPED: no Hestia binary (tried " + tried +
                      "); build target hestia or pass --hestia PATH";
        }
      } else {
        binary = name == "prometheus" ? o.prometheus : o.victoria_metrics;
        if (!IsExecutable(binary)) m.skipped = "SKIPPED: " + binary + " is not an executable";
      }
      if (!m.skipped.empty()) {
        std::fprintf(stderr, "[%s] %s\n", m.server.c_str(), m.skipped.c_str());
        results.push_back(m);
        continue;
      }
      const std::string dir = o.work_dir + "/" + m.server;
      fs::create_directories(dir);
      if (auto st = Measure(o, binary, **exporter, *exporter_port, dir, &m); !st.ok()) {
        std::fprintf(stderr, "[%s] FAILED: %s\n", m.server.c_str(), st.message().c_str());
        m.skipped =
            "FAILED: " + st.message().substr(0, st.message().find('\n')) + " (logs in " + dir + ")";
        ++failures;  // the work directory (logs) is then kept
      }
      results.push_back(m);
      if (!o.keep) {
        std::error_code ec;
        fs::remove_all(dir + "/data", ec);
      }
    }
  }
  (*exporter)->Stop(seconds(10));
  PrintTable(o, results);
  return FinishRun(*work_dir, o.keep, failures);
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) { return bench::Main(argc, argv); }

// ingest_bench: remote-write ingest cost of Hestia, Prometheus and VictoriaMetrics, measured the
// same way in one run. For each server, one after another (the machine has 2 cores; the load
// generator runs on the same machine and its CPU is reported, never charged to the server):
//   1. start it on a free 127.0.0.1 port with a fresh data directory; wait for readiness;
//   2. phase A: rw_loadgen sends round 0 (every series is new: series creation + 1 sample each);
//   3. phase B: rw_loadgen sends rounds 1 .. R-1 (steady state: appends to existing series);
//      the server's CPU time (/proc/<pid>/stat utime+stime) is read before and after each phase;
//   4. RSS (/proc/<pid>/status VmRSS) right after ingest and again after --settle-s;
//      WAL bytes (DIR/wal) and whole data-directory bytes after the settle;
//   5. SIGTERM, SIGKILL after 30 s; the data directory is removed unless --keep.
// Figures and how to run: docs/performance.md.

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/tools/child_process.h"
#include "bench/bench_main.h"
#include "bench/proc_stats.h"
#include "tests/tools/flags.h"
#include "tests/tools/net.h"

namespace bench {
namespace {

using tools::ChildProcess;
using tools::FreePort;
using tools::Interrupted;
using tools::TailFile;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Set by SIGINT/SIGTERM/SIGHUP; every wait below checks it and unwinds, and the ChildProcess
// destructors stop what was started.

// Sleeps up to `d`; false if interrupted.
bool Sleep(std::chrono::duration<double> d) {
  return tools::InterruptibleSleep(d, &g_interrupted);
}

struct Options {
  std::vector<std::string> servers;
  uint64_t series = 200000;
  int64_t rounds = 40;
  int64_t labels_per_series = 8;
  int64_t interval_ms = 15000;
  int64_t batch = 2000;
  int64_t concurrency = 2;
  double settle_s = 10;
  int64_t repeat = 1;
  double phase_timeout_s = 300;
  std::string work_dir;
  bool keep = false;
  bool markdown = false;
  std::string hestia;
  std::string prometheus = "/usr/bin/prometheus";
  std::string victoria_metrics = "/usr/bin/victoria-metrics";
  std::string loadgen;
};

struct ServerSpec {
  std::string name;
  std::string binary;
  std::string ready_path;
  std::string wal_subdir;  // empty: the server has no WAL
  std::string flush_path;  // empty: nothing to flush before measuring disk
  std::vector<std::string> (*args)(const std::string& binary, const std::string& data_dir, int port,
                                   const std::string& config_path);
};

// Hestia's and Prometheus's common flags; the configuration has no scrape jobs, so that only
// remote write brings data (without it Hestia would scrape itself).
std::vector<std::string> PrometheusStyleArgs(const std::string& binary, const std::string& dir,
                                             int port, const std::string& config_path) {
  return {binary, "--storage.tsdb.path=" + dir,
          "--web.listen-address=127.0.0.1:" + std::to_string(port),
          "--config.file=" + config_path};
}

std::vector<std::string> PrometheusArgs(const std::string& binary, const std::string& dir, int port,
                                        const std::string& config_path) {
  auto args = PrometheusStyleArgs(binary, dir, port, config_path);
  args.push_back("--web.enable-remote-write-receiver");
  return args;
}

std::vector<std::string> VictoriaMetricsArgs(const std::string& binary, const std::string& dir,
                                             int port, const std::string&) {
  return {binary, "-storageDataPath=" + dir, "-httpListenAddr=127.0.0.1:" + std::to_string(port)};
}

// What one server run measured; absent fields print as "-".
struct Measurement {
  std::string server;
  std::string skipped;  // non-empty: why there are no figures
  uint64_t series = 0;
  uint64_t samples = 0;  // acknowledged, both phases
  uint64_t samples_round0 = 0;
  uint64_t samples_failed = 0;
  double ingest_wall_s = 0;  // both phases
  double client_cpu_s = 0;
  double cpu_round0_s = 0;
  double cpu_steady_s = 0;
  uint64_t rss_idle = 0;
  uint64_t rss_after_ingest = 0;
  uint64_t rss_settled = 0;
  uint64_t rss_peak = 0;
  std::optional<uint64_t> wal_bytes;
  uint64_t data_bytes = 0;
  std::optional<uint64_t> stored_series;  // what the server's query API counts; absent if none
  std::string stop;                       // how the server ended
};

void Usage() {
  std::fprintf(stderr, R"(usage: ingest_bench [flags]
  --servers LIST        comma-separated subset of hestia,prometheus,victoriametrics (all three)
  --series N            active series (200000)
  --rounds R            scrapes per series, 15 s apart by default; round 0 creates series (40)
  --labels-per-series K (8)   --interval-ms MS (15000)   --batch B (2000)   --concurrency C (2)
  --settle-s S          wait after ingest before the second RSS reading and disk sizes (10)
  --phase-timeout-s S   limit of each load phase (300)
  --repeat N            measure every server N times, runs interleaved, one row each (1)
  --quick               50000 series, 12 rounds, 3 s settle, 60 s phase limit (about 1 minute)
  --work-dir DIR        where data directories and logs go (a new /tmp/ingest_bench.XXXXXX)
  --keep                keep the work directory
  --markdown            also print the table as Markdown
  --hestia PATH         Hestia binary (default: build/hestia next to this build, then the
                        source tree's build/hestia); skipped with a message when absent
  --prometheus PATH (/usr/bin/prometheus)   --victoria-metrics PATH (/usr/bin/victoria-metrics)
  --loadgen PATH        rw_loadgen (default: next to this binary)
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
    o.series = 50000;
    o.rounds = 12;
    o.settle_s = 3;
    o.phase_timeout_s = 60;
  }
  ASSIGN_OR_RETURN(std::string servers,
                   flags.String("servers", "hestia,prometheus,victoriametrics"));
  ASSIGN_OR_RETURN(int64_t series, flags.Int("series", static_cast<int64_t>(o.series)));
  ASSIGN_OR_RETURN(o.rounds, flags.Int("rounds", o.rounds));
  ASSIGN_OR_RETURN(o.labels_per_series, flags.Int("labels-per-series", o.labels_per_series));
  ASSIGN_OR_RETURN(o.interval_ms, flags.Int("interval-ms", o.interval_ms));
  ASSIGN_OR_RETURN(o.batch, flags.Int("batch", o.batch));
  ASSIGN_OR_RETURN(o.concurrency, flags.Int("concurrency", o.concurrency));
  ASSIGN_OR_RETURN(o.settle_s, flags.Double("settle-s", o.settle_s));
  ASSIGN_OR_RETURN(o.repeat, flags.Int("repeat", o.repeat));
  ASSIGN_OR_RETURN(o.phase_timeout_s, flags.Double("phase-timeout-s", o.phase_timeout_s));
  ASSIGN_OR_RETURN(o.work_dir, flags.String("work-dir", ""));
  ASSIGN_OR_RETURN(o.keep, flags.Bool("keep", false));
  ASSIGN_OR_RETURN(o.markdown, flags.Bool("markdown", false));
  ASSIGN_OR_RETURN(o.hestia, flags.String("hestia", ""));
  ASSIGN_OR_RETURN(o.prometheus, flags.String("prometheus", o.prometheus));
  ASSIGN_OR_RETURN(o.victoria_metrics, flags.String("victoria-metrics", o.victoria_metrics));
  ASSIGN_OR_RETURN(o.loadgen, flags.String("loadgen", ExeDir() + "/rw_loadgen"));
  ASSIGN_OR_RETURN(bool help, flags.Bool("help", false));
  RETURN_IF_ERROR(flags.Finish());
  if (help) return base::InvalidArgument("help requested");

  std::stringstream ss(servers);
  std::string s;
  while (std::getline(ss, s, ',')) {
    if (s != "hestia" && s != "prometheus" && s != "victoriametrics") {
      return base::InvalidArgument("unknown server '" + s + "'");
    }
    o.servers.push_back(s);
  }
  if (series <= 0) return base::InvalidArgument("--series must be positive");
  o.series = static_cast<uint64_t>(series);
  if (o.rounds < 2) return base::InvalidArgument("--rounds must be at least 2");
  if (o.repeat < 1 || o.repeat > 10) return base::InvalidArgument("--repeat must be 1..10");
  if (o.settle_s < 0 || o.settle_s > 600) return base::InvalidArgument("--settle-s must be 0..600");
  if (o.phase_timeout_s <= 0 || o.phase_timeout_s > 3600) {
    return base::InvalidArgument("--phase-timeout-s must be in (0, 3600]");
  }
  return o;
}

// Finds the Hestia binary; empty with the candidates tried in `tried` when there is none.
std::string FindHestia(const Options& o, std::string* tried) {
  std::vector<std::string> candidates;
  if (!o.hestia.empty()) {
    candidates.push_back(o.hestia);
  } else {
    const fs::path build = fs::path(ExeDir()).parent_path();
    candidates = {(build / "hestia").string(), (build / "cmd" / "hestia").string(),
                  std::string(HESTIA_SOURCE_DIR) + "/build/hestia"};
  }
  for (const std::string& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec) && access(c.c_str(), X_OK) == 0) return c;
    *tried += (tried->empty() ? "" : ", ") + c;
  }
  return "";
}

base::Status ServerDied(ChildProcess& server, const std::string& when) {
  return tools::Died(server, "server", when);
}

struct LoadResult {
  std::map<std::string, std::string> summary;
  uint64_t Get(const std::string& key) const {
    auto it = summary.find(key);
    return it == summary.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
  }
  double GetDouble(const std::string& key) const {
    auto it = summary.find(key);
    return it == summary.end() ? 0 : std::strtod(it->second.c_str(), nullptr);
  }
};

// Runs rw_loadgen to completion (bounded by --duration-s and a kill after a further minute) and
// parses its summary line.
base::Result<LoadResult> RunLoad(const Options& o, int port, int64_t start_ts_ms,
                                 int64_t first_round, int64_t rounds, const std::string& log,
                                 ChildProcess& server) {
  const std::vector<std::string> argv = {
      o.loadgen,
      "--url=http://127.0.0.1:" + std::to_string(port) + "/api/v1/write",
      "--series=" + std::to_string(o.series),
      "--labels-per-series=" + std::to_string(o.labels_per_series),
      "--interval-ms=" + std::to_string(o.interval_ms),
      "--start-ts-ms=" + std::to_string(start_ts_ms),
      "--first-round=" + std::to_string(first_round),
      "--rounds=" + std::to_string(rounds),
      "--batch=" + std::to_string(o.batch),
      "--concurrency=" + std::to_string(o.concurrency),
      "--duration-s=" + std::to_string(o.phase_timeout_s),
      "--max-retries=3",
      "--quiet",
  };
  ASSIGN_OR_RETURN(auto loadgen, ChildProcess::Start(argv, log));
  const auto limit = std::chrono::duration<double>(o.phase_timeout_s + 60);
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(limit);
  while (!loadgen->Exited()) {
    if (g_interrupted) return Interrupted();
    if (Clock::now() >= until) {
      loadgen->Stop(seconds(5));
      return base::Status(base::StatusCode::kTimeout, "rw_loadgen overran its time limit");
    }
    if (server.Exited()) return ServerDied(server, "during ingest");
    std::this_thread::sleep_for(milliseconds(50));
  }
  if (loadgen->exit_code() != 0) {
    return base::Internal("rw_loadgen " + loadgen->ExitDescription() + "; log tail:\n" +
                          TailFile(log, 15));
  }
  std::ifstream in(log);
  std::string line;
  LoadResult result;
  while (std::getline(in, line)) {
    if (line.rfind("summary ", 0) != 0) continue;
    std::istringstream fields(line.substr(8));
    std::string kv;
    while (fields >> kv) {
      const size_t eq = kv.find('=');
      if (eq != std::string::npos) result.summary[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  if (result.summary.empty()) return base::Internal("no summary line in " + log);
  return result;
}


base::Status Measure(const Options& o, const ServerSpec& spec, const std::string& dir,
                     Measurement* m) {
  const std::string data_dir = dir + "/data";
  const std::string config_path = dir + "/prometheus.yml";
  fs::create_directories(data_dir);
  {
    std::ofstream config(config_path);
    config << "# Minimal configuration: no scrape jobs; samples come by remote write only.\n"
              "global:\n  scrape_interval: 15s\n";
  }
  ASSIGN_OR_RETURN(int port, FreePort());
  const auto argv = spec.args(spec.binary, data_dir, port, config_path);
  std::fprintf(stderr, "[%s] starting on 127.0.0.1:%d, data in %s\n", m->server.c_str(), port,
               data_dir.c_str());
  ASSIGN_OR_RETURN(auto server, ChildProcess::Start(argv, dir + "/server.log"));
  RETURN_IF_ERROR(
      tools::WaitReady(*server, port, spec.ready_path, seconds(60), &g_interrupted));
  if (!Sleep(seconds(2))) return Interrupted();
  const pid_t pid = server->pid();
  ASSIGN_OR_RETURN(ProcessMemory idle, ReadProcessMemory(pid));
  m->rss_idle = idle.rss_bytes;

  const int64_t now_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  // Rounds end near now, as Prometheus would have scraped them.
  const int64_t start_ts_ms = (now_ms - (o.rounds - 1) * o.interval_ms) / 1000 * 1000;
  std::fprintf(stderr, "[%s] phase A: round 0, %" PRIu64 " new series\n", m->server.c_str(),
               o.series);
  ASSIGN_OR_RETURN(double cpu0, ProcessCpuSeconds(pid));
  const auto t0 = Clock::now();
  ASSIGN_OR_RETURN(LoadResult a,
                   RunLoad(o, port, start_ts_ms, 0, 1, dir + "/loadgen_a.log", *server));
  ASSIGN_OR_RETURN(double cpu1, ProcessCpuSeconds(pid));
  std::fprintf(stderr, "[%s] phase B: rounds 1..%" PRId64 "\n", m->server.c_str(), o.rounds - 1);
  ASSIGN_OR_RETURN(LoadResult b,
                   RunLoad(o, port, start_ts_ms, 1, o.rounds - 1, dir + "/loadgen_b.log", *server));
  ASSIGN_OR_RETURN(double cpu2, ProcessCpuSeconds(pid));
  m->ingest_wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  ASSIGN_OR_RETURN(ProcessMemory after, ReadProcessMemory(pid));

  m->series = o.series;
  m->samples_round0 = a.Get("samples_ok");
  m->samples = a.Get("samples_ok") + b.Get("samples_ok");
  m->samples_failed = a.Get("samples_failed") + b.Get("samples_failed");
  m->client_cpu_s = a.GetDouble("client_cpu_s") + b.GetDouble("client_cpu_s");
  m->cpu_round0_s = cpu1 - cpu0;
  m->cpu_steady_s = cpu2 - cpu1;
  m->rss_after_ingest = after.rss_bytes;
  if (m->samples_failed > 0) {
    std::fprintf(stderr, "[%s] WARNING: %" PRIu64 " samples failed; see %s/loadgen_*.log\n",
                 m->server.c_str(), m->samples_failed, dir.c_str());
  }

  std::fprintf(stderr, "[%s] settling %.0f s\n", m->server.c_str(), o.settle_s);
  if (!Sleep(std::chrono::duration<double>(o.settle_s))) return Interrupted();
  if (server->Exited()) return ServerDied(*server, "while settling");
  if (!spec.flush_path.empty()) {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(60, 0);
    auto res = client.Get(spec.flush_path);
    if (!res || res->status != 200) {
      std::fprintf(stderr, "[%s] note: %s did not answer 200\n", m->server.c_str(),
                   spec.flush_path.c_str());
    }
    if (!Sleep(seconds(1))) return Interrupted();
  }
  ASSIGN_OR_RETURN(ProcessMemory settled, ReadProcessMemory(pid));
  m->rss_settled = settled.rss_bytes;
  m->rss_peak = settled.peak_rss_bytes;
  if (!spec.wal_subdir.empty()) m->wal_bytes = DirectoryBytes(data_dir + "/" + spec.wal_subdir);
  m->data_bytes = DirectoryBytes(data_dir);
  m->stored_series = tools::CountStoredSeries(port, (start_ts_ms + (o.rounds - 1) * o.interval_ms) / 1000);
  if (m->stored_series && *m->stored_series != o.series) {
    std::fprintf(stderr,
                 "[%s] WARNING: the query API counts %" PRIu64 " series, %" PRIu64 " sent\n",
                 m->server.c_str(), *m->stored_series, o.series);
  }
  m->stop = server->Stop(seconds(30));
  std::fprintf(stderr, "[%s] stopped (%s)\n", m->server.c_str(), m->stop.c_str());
  return base::Status::Ok();
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

std::vector<std::string> Header() {
  return {"server",       "series",        "samples",          "ingest_s",
          "client_cpu_s", "cpu_s/M_all",   "cpu_s/M_steady",   "cpu_us/new_series",
          "rss_MiB",      "rss_B/series",  "rss_B/series_net", "peak_rss_MiB",
          "wal_B/sample", "disk_B/sample", "stored_series"};
}

std::vector<std::string> Cells(const Measurement& m) {
  if (!m.skipped.empty()) {
    std::vector<std::string> cells(Header().size(), "-");
    cells[0] = m.server;
    cells[1] = "not measured";
    return cells;
  }
  const double samples = static_cast<double>(m.samples);
  const double steady = static_cast<double>(m.samples - m.samples_round0);
  const double series = static_cast<double>(m.series);
  const double mib = 1024.0 * 1024.0;
  return {
      m.server,
      std::to_string(m.series),
      std::to_string(m.samples),
      Fmt("%.1f", m.ingest_wall_s),
      Fmt("%.1f", m.client_cpu_s),
      Fmt("%.2f", (m.cpu_round0_s + m.cpu_steady_s) / (samples / 1e6)),
      steady > 0 ? Fmt("%.2f", m.cpu_steady_s / (steady / 1e6)) : "-",
      Fmt("%.1f", m.cpu_round0_s / series * 1e6),
      Fmt("%.0f", static_cast<double>(m.rss_settled) / mib),
      Fmt("%.0f", static_cast<double>(m.rss_settled) / series),
      Fmt("%.0f", (static_cast<double>(m.rss_settled) - static_cast<double>(m.rss_idle)) / series),
      Fmt("%.0f", static_cast<double>(m.rss_peak) / mib),
      m.wal_bytes ? Fmt("%.2f", static_cast<double>(*m.wal_bytes) / samples) : "n/a",
      Fmt("%.2f", static_cast<double>(m.data_bytes) / samples),
      m.stored_series ? std::to_string(*m.stored_series) : "-",
  };
}

void PrintTable(const std::vector<Measurement>& results, bool markdown) {
  std::vector<std::vector<std::string>> rows = {Header()};
  for (const Measurement& m : results) rows.push_back(Cells(m));
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
  if (markdown) {
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
      "\ncpu_s/M_all: server CPU-s (user+sys) per million acknowledged samples, all rounds;\n"
      "cpu_s/M_steady: the same for rounds 1..R-1 (existing series); cpu_us/new_series: round 0\n"
      "CPU (series creation + first sample) per series; rss_*: VmRSS after a settle, per active\n"
      "series (net: minus the idle RSS before ingest); wal_B/sample: bytes under DIR/wal per\n"
      "sample (n/a: VictoriaMetrics has no WAL); disk_B/sample: whole data directory per sample;\n"
      "stored_series: count({__name__=~\".+\"}) from the server's query API after ingest.\n"
      "The load generator ran on the same machine (client_cpu_s) and is not charged to servers.\n");
  for (const Measurement& m : results) {
    if (!m.skipped.empty()) std::printf("%s: %s\n", m.server.c_str(), m.skipped.c_str());
  }
}

int Main(int argc, char** argv) {
  auto parsed = ParseOptions(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "ingest_bench: %s\n", parsed.error().message().c_str());
    Usage();
    return 2;
  }
  Options o = std::move(parsed).value();
  HandleStopSignals();

  if (access(o.loadgen.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "ingest_bench: no rw_loadgen at %s (build target rw_loadgen or pass "
                 "--loadgen)\n",
                 o.loadgen.c_str());
    return 2;
  }
  auto work_dir = MakeWorkDir(o.work_dir, "ingest_bench");
  if (!work_dir) {
    std::fprintf(stderr, "ingest_bench: %s\n", work_dir.error().message().c_str());
    return 1;
  }
  o.work_dir = work_dir->path;
  std::fprintf(stderr,
               "ingest_bench: %" PRIu64 " series x %" PRId64 " rounds (%" PRId64
               " ms apart), batch %" PRId64 ", %" PRId64 " senders; work dir %s\n",
               o.series, o.rounds, o.interval_ms, o.batch, o.concurrency, o.work_dir.c_str());

  std::vector<Measurement> results;
  int failures = 0;
  for (int64_t run = 1; run <= o.repeat && !g_interrupted; ++run) {
    for (const std::string& name : o.servers) {
      if (g_interrupted) break;
      Measurement m;
      m.server = o.repeat > 1 ? name + "#" + std::to_string(run) : name;
      ServerSpec spec;
      if (name == "hestia") {
        std::string tried;
        spec = {name, FindHestia(o, &tried), "/-/ready", "wal", "", PrometheusStyleArgs};
        if (spec.binary.empty()) {
          m.skipped = "SKIPPED: no Hestia binary (tried " + tried +
                      "); build target hestia or pass --hestia PATH";
          std::fprintf(stderr, "[hestia] %s\n", m.skipped.c_str());
          results.push_back(m);
          continue;
        }
      } else if (name == "prometheus") {
        spec = {name, o.prometheus, "/-/ready", "wal", "", PrometheusArgs};
      } else {
        spec = {name, o.victoria_metrics,      "/health",
                "",   "/internal/force_flush", VictoriaMetricsArgs};
      }
      std::error_code ec;
      if (!fs::is_regular_file(spec.binary, ec) || access(spec.binary.c_str(), X_OK) != 0) {
        m.skipped = "SKIPPED: " + spec.binary + " is not an executable";
        std::fprintf(stderr, "[%s] %s\n", name.c_str(), m.skipped.c_str());
        results.push_back(m);
        continue;
      }
      const std::string dir = o.work_dir + "/" + m.server;
      fs::create_directories(dir);
      if (auto st = Measure(o, spec, dir, &m); !st.ok()) {
        std::fprintf(stderr, "[%s] FAILED: %s\n", name.c_str(), st.message().c_str());
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
  PrintTable(results, o.markdown);
  return FinishRun(*work_dir, o.keep, failures);
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) { return bench::Main(argc, argv); }

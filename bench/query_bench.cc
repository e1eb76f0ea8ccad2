// query_bench: latency of Grafana-style PromQL range queries on Hestia, Prometheus and
// VictoriaMetrics, measured the same way in one run. For each server, one after another (the
// machine has 2 cores; a server is alone while it is queried; with --together, steps 1-3 for
// all servers first, then step 4 round-robin: per query, one timed run per server in turn):
//   1. start it on a free 127.0.0.1 port with a fresh data directory; wait for readiness;
//   2. backfill the same data set by remote write, oldest first (bench/query_bench_fleet.h:
//      counters x{job,instance} and histogram buckets x_bucket{job,instance,le}, >= 200k series,
//      --hours of 15 s samples ending when the run started);
//   3. make sure every series is searchable (VictoriaMetrics: /internal/force_flush, then poll),
//      and wait until the server's CPU is idle (background merges, GC) before timing;
//   4. for each query: one warm-up, then --runs timed runs of /api/v1/query_range over the last
//      --range-hours of the data at --step-s; wall-clock latency per run, the server's CPU time
//      per run (/proc/<pid>/stat), result series and response bytes;
//   5. SIGTERM (SIGKILL after 30 s); the data directory is removed unless --keep.
// Then one table per query and server, a summary against the goal (Hestia's median at most half
// of VictoriaMetrics's) and a warning where servers disagree on the number of result series.
// Figures and how to run: docs/performance.md, "PromQL query latency".

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
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

#include "bench/bench_main.h"
#include "bench/proc_stats.h"
#include "bench/query_bench_fleet.h"
#include "bench/query_bench_server.h"
#include "tests/tools/child_process.h"
#include "tests/tools/flags.h"
#include "tests/tools/net.h"

namespace bench {
namespace {

using tools::ChildProcess;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Set by SIGINT/SIGTERM/SIGHUP; every wait checks it, and the ChildProcess destructors stop
// what was started.

// The queries of the issue, on the data set of query_bench_fleet.h. `x` has one series per
// instance, `x_bucket` ten; the regex matches the even-numbered half of the instances.
struct Query {
  const char* name;
  const char* expr;
};
constexpr Query kQueries[] = {
    {"sum_rate", "sum(rate(x[5m]))"},
    {"sum_by_job_rate", "sum by (job) (rate(x[5m]))"},
    {"histogram_quantile", "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))"},
    {"topk", "topk(10, rate(x[5m]))"},
    {"regex_selector", "sum(rate(x_bucket{instance=~\"host-.*[02468]:9100\"}[5m]))"},
    {"count_by_name", "count by (__name__) ({__name__=~\".+\"})"},
    {"avg_over_time", "avg_over_time(x[1h])"},
};
constexpr size_t kQueryCount = sizeof(kQueries) / sizeof(kQueries[0]);

struct Options {
  std::vector<std::string> servers;
  std::vector<size_t> queries;  // indices into kQueries
  uint64_t series = 200000;
  double hours = 1;        // of data
  double range_hours = 1;  // of each query
  int64_t step_s = 15;
  int64_t runs = 7;
  int64_t concurrency = 2;
  double settle_max_s = 120;
  double query_timeout_s = 300;
  bool vm_cache = false;
  bool together = false;
  std::string perf_dir;
  std::string work_dir;
  bool keep = false;
  bool markdown = false;
  std::string hestia;
  std::string prometheus = "/usr/bin/prometheus";
  std::string victoria_metrics = "/usr/bin/victoria-metrics";
};

void Usage() {
  std::fprintf(stderr, R"(usage: query_bench [flags]
  --servers LIST        comma-separated subset of hestia,prometheus,victoriametrics (all three)
  --series N            at least N series: N/11 instances with x and 10 x_bucket each (200000)
  --hours H             hours of 15 s samples loaded, ending at the start of the run (1)
  --range-hours H       window of each query_range, the newest H hours of the data (1)
  --step-s S            query_range step (15)
  --runs N              timed runs per query after one warm-up (7)
  --queries LIST        comma-separated query numbers 1..7 (all; see the table)
  --concurrency C       remote-write senders while loading (2)
  --settle-max-s S      after loading, wait at most S s for the server's CPU to go idle (120)
  --query-timeout-s S   client limit of one query; servers get the same limit (300)
  --together            load all servers first, then time each query on them in turn, one run
                        per server per round (default: one server at a time: start, load,
                        query, stop; only that server runs while it is timed)
  --vm-cache            run VictoriaMetrics with its rollup result cache (default: disabled,
                        -search.disableCache)
  --perf DIR            record `perf record --call-graph dwarf` of Hestia during each query's
                        timed runs into DIR/hestia_<query>.perf.data
  --quick               20000 series, 3 runs (a smoke run of about a minute)
  --work-dir DIR        where data directories and logs go (a new /tmp/query_bench.XXXXXX)
  --keep                keep the work directory and data
  --markdown            also print the tables as Markdown
  --hestia PATH         Hestia binary (default: hestia in the parent of this binary's directory)
  --prometheus PATH (/usr/bin/prometheus)   --victoria-metrics PATH (/usr/bin/victoria-metrics)
)");
}
base::Result<std::vector<std::string>> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) return base::InvalidArgument("empty item in list '" + s + "'");
    out.push_back(item);
  }
  return out;
}

base::Result<Options> ParseOptions(int argc, char** argv) {
  ASSIGN_OR_RETURN(tools::Flags flags, tools::Flags::Parse(argc, argv));
  Options o;
  ASSIGN_OR_RETURN(bool quick, flags.Bool("quick", false));
  if (quick) {
    o.series = 20000;
    o.runs = 3;
  }
  ASSIGN_OR_RETURN(std::string servers,
                   flags.String("servers", "hestia,prometheus,victoriametrics"));
  ASSIGN_OR_RETURN(std::string queries, flags.String("queries", ""));
  ASSIGN_OR_RETURN(int64_t series, flags.Int("series", static_cast<int64_t>(o.series)));
  ASSIGN_OR_RETURN(o.hours, flags.Double("hours", o.hours));
  ASSIGN_OR_RETURN(o.range_hours, flags.Double("range-hours", o.range_hours));
  ASSIGN_OR_RETURN(o.step_s, flags.Int("step-s", o.step_s));
  ASSIGN_OR_RETURN(o.runs, flags.Int("runs", o.runs));
  ASSIGN_OR_RETURN(o.concurrency, flags.Int("concurrency", o.concurrency));
  ASSIGN_OR_RETURN(o.settle_max_s, flags.Double("settle-max-s", o.settle_max_s));
  ASSIGN_OR_RETURN(o.query_timeout_s, flags.Double("query-timeout-s", o.query_timeout_s));
  ASSIGN_OR_RETURN(o.vm_cache, flags.Bool("vm-cache", false));
  ASSIGN_OR_RETURN(o.together, flags.Bool("together", false));
  ASSIGN_OR_RETURN(o.perf_dir, flags.String("perf", ""));
  ASSIGN_OR_RETURN(o.work_dir, flags.String("work-dir", ""));
  ASSIGN_OR_RETURN(o.keep, flags.Bool("keep", false));
  ASSIGN_OR_RETURN(o.markdown, flags.Bool("markdown", false));
  ASSIGN_OR_RETURN(o.hestia, flags.String("hestia", ExeDir() + "/../hestia"));
  ASSIGN_OR_RETURN(o.prometheus, flags.String("prometheus", o.prometheus));
  ASSIGN_OR_RETURN(o.victoria_metrics, flags.String("victoria-metrics", o.victoria_metrics));
  ASSIGN_OR_RETURN(bool help, flags.Bool("help", false));
  RETURN_IF_ERROR(flags.Finish());
  if (help) return base::InvalidArgument("help requested");

  ASSIGN_OR_RETURN(o.servers, SplitList(servers));
  for (const std::string& s : o.servers) {
    if (s != "hestia" && s != "prometheus" && s != "victoriametrics") {
      return base::InvalidArgument("unknown server '" + s + "'");
    }
  }
  if (queries.empty()) {
    for (size_t q = 0; q < kQueryCount; ++q) o.queries.push_back(q);
  } else {
    ASSIGN_OR_RETURN(auto numbers, SplitList(queries));
    for (const std::string& n : numbers) {
      const long q = std::strtol(n.c_str(), nullptr, 10);
      if (q < 1 || q > static_cast<long>(kQueryCount)) {
        return base::InvalidArgument("--queries takes numbers 1.." + std::to_string(kQueryCount));
      }
      if (std::find(o.queries.begin(), o.queries.end(), static_cast<size_t>(q - 1)) !=
          o.queries.end()) {
        return base::InvalidArgument("--queries names query " + n + " twice");
      }
      o.queries.push_back(static_cast<size_t>(q - 1));
    }
  }
  if (series <= 0) return base::InvalidArgument("--series must be positive");
  o.series = static_cast<uint64_t>(series);
  if (o.hours <= 0 || o.hours > 24 * 7) return base::InvalidArgument("--hours must be in (0, 168]");
  if (o.range_hours <= 0 || o.range_hours > o.hours) {
    return base::InvalidArgument("--range-hours must be in (0, --hours]");
  }
  if (o.step_s <= 0) return base::InvalidArgument("--step-s must be positive");
  if (o.runs < 1 || o.runs > 1000) return base::InvalidArgument("--runs must be 1..1000");
  if (o.concurrency < 1 || o.concurrency > 64) {
    return base::InvalidArgument("--concurrency must be 1..64");
  }
  if (o.settle_max_s < 0) return base::InvalidArgument("--settle-max-s must be >= 0");
  if (o.query_timeout_s <= 0) return base::InvalidArgument("--query-timeout-s must be positive");
  return o;
}

// Where the data lie: rounds [0, rounds) at first_ts_ms + r * 15 s, each instance a little
// earlier (Fleet::OffsetMs), so last_ts_ms - 15 s < newest sample < last_ts_ms; queries cover
// [query_start_s, query_end_s], both multiples of the step.
struct Window {
  int64_t first_ts_ms = 0;
  int64_t rounds = 0;
  int64_t last_ts_ms = 0;
  int64_t query_start_s = 0;
  int64_t query_end_s = 0;
};

constexpr int64_t kIntervalMs = Fleet::kIntervalMs;

Window MakeWindow(const Options& o) {
  const int64_t now_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  Window w;
  w.last_ts_ms = now_ms / kIntervalMs * kIntervalMs;
  w.rounds = static_cast<int64_t>(std::llround(o.hours * 3600e3 / kIntervalMs)) + 1;
  w.first_ts_ms = w.last_ts_ms - (w.rounds - 1) * kIntervalMs;
  const int64_t step_ms = o.step_s * 1000;
  w.query_end_s = w.last_ts_ms / step_ms * step_ms / 1000;
  w.query_start_s = w.query_end_s - static_cast<int64_t>(std::llround(o.range_hours * 3600));
  return w;
}

// One server kind: how to start it and where it answers.
struct ServerSpec {
  std::string name;
  std::string binary;
  std::string ready_path;
  std::string flush_path;  // empty: acknowledged samples are searchable at once
};

std::vector<std::string> ServerArgs(const Options& o, const ServerSpec& spec,
                                    const std::string& data_dir, int port,
                                    const std::string& config_path) {
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  const std::string timeout = std::to_string(static_cast<int64_t>(o.query_timeout_s)) + "s";
  if (spec.name == "victoriametrics") {
    // -search.latencyOffset=0s: query the newest points as they are (the data are in the past
    // anyway); the series limit (default 300000) is raised for larger fleets.
    std::vector<std::string> args = {
        spec.binary,
        "-storageDataPath=" + data_dir,
        "-httpListenAddr=" + addr,
        "-search.latencyOffset=0s",
        "-search.maxQueryDuration=" + timeout,
        "-search.maxUniqueTimeseries=" + std::to_string(std::max<uint64_t>(300000, 2 * o.series)),
    };
    if (!o.vm_cache) args.push_back("-search.disableCache");
    return args;
  }
  // Hestia and Prometheus take the same flags. --query.max-samples is raised from 50 M because
  // count by (__name__) ({__name__=~".+"}) holds series x steps points (48 M at 200k series).
  std::vector<std::string> args = {spec.binary,
                                   "--storage.tsdb.path=" + data_dir,
                                   "--web.listen-address=" + addr,
                                   "--config.file=" + config_path,
                                   "--query.max-samples=1000000000",
                                   "--query.timeout=" + timeout};
  if (spec.name == "prometheus") args.push_back("--web.enable-remote-write-receiver");
  return args;
}

base::Status Died(ChildProcess& server, const std::string& when) {
  return tools::Died(server, "server", when);
}

// Sleeps `d`; kCanceled if interrupted first.
base::Status Pause(std::chrono::duration<double> d) {
  return tools::InterruptibleSleep(d, &g_interrupted) ? base::Status::Ok() : tools::Interrupted();
}

// What one query_range call returned.
struct Reply {
  double wall_s = 0;
  size_t series = 0;
  size_t bytes = 0;
};

// The number of series in a query API result: one "metric" object each (our label values hold
// no such text).
size_t CountResultSeries(const std::string& body) {
  size_t n = 0;
  for (size_t at = body.find("\"metric\":"); at != std::string::npos;
       at = body.find("\"metric\":", at + 9)) {
    ++n;
  }
  return n;
}

// GET /api/v1/query_range; kExecution with the start of the body unless it is a 200 with
// "status":"success". No Accept-Encoding: every server answers uncompressed JSON.
base::Result<Reply> QueryRange(httplib::Client& client, const std::string& expr, const Window& w,
                               int64_t step_s) {
  const httplib::Params params = {{"query", expr},
                                  {"start", std::to_string(w.query_start_s)},
                                  {"end", std::to_string(w.query_end_s)},
                                  {"step", std::to_string(step_s)}};
  const auto t0 = Clock::now();
  auto res = client.Get("/api/v1/query_range", params, httplib::Headers{});
  Reply reply;
  reply.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!res) return base::Unavailable("query_range: " + httplib::to_string(res.error()));
  if (res->status != 200 || res->body.find("\"status\":\"success\"") == std::string::npos) {
    return base::Status(base::StatusCode::kExecution,
                        "HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 300));
  }
  reply.series = CountResultSeries(res->body);
  reply.bytes = res->body.size();
  return reply;
}

// Measurements of one query on one server.
struct QueryResult {
  std::vector<double> wall_s;
  std::vector<double> cpu_s;  // server CPU time of each run
  uint64_t peak_rss = 0;      // the server's VmHWM over this query's runs; 0 if unknown
  size_t series = 0;
  size_t bytes = 0;
  std::string error;  // non-empty: no figures
};

struct ServerResult {
  std::string server;
  std::string skipped;  // non-empty: not measured, and why
  uint64_t samples = 0;
  double load_s = 0;
  double settle_s = 0;
  uint64_t rss_loaded = 0;
  uint64_t rss_peak = 0;
  std::map<size_t, QueryResult> queries;  // by index into kQueries
};

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  // Nearest rank: the smallest value with at least p of the values at or below it.
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size(), std::max<size_t>(rank, 1)) - 1];
}
// Sets the VmHWM of `pid` back to its current RSS (Linux >= 4.0, our own child); false if the
// kernel refused.
bool ResetPeakRss(pid_t pid) {
  std::ofstream clear("/proc/" + std::to_string(pid) + "/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

// A server that is started, loaded and idle.
struct Running {
  ServerResult* result;
  std::string kind;  // ServerSpec::name
  std::string dir;   // work directory of this server; its data in dir/data
  std::unique_ptr<ChildProcess> server;
  int port = 0;
  std::unique_ptr<httplib::Client> client;
};

// Starts the server of `spec` in `dir`, loads the fleet, waits until every series answers and
// the server is idle.
base::Result<Running> Prepare(const Options& o, const Fleet& fleet, const Window& w,
                              const ServerSpec& spec, const std::string& dir, ServerResult* m) {
  const std::string data_dir = dir + "/data";
  const std::string config_path = dir + "/prometheus.yml";
  fs::create_directories(data_dir);
  {
    std::ofstream config(config_path);
    config << "# No scrape jobs: samples come by remote write only.\n"
              "global:\n  scrape_interval: 15s\n";
  }
  Running r{m, spec.name, dir, nullptr, 0, nullptr};
  ASSIGN_OR_RETURN(r.port, tools::FreePort());
  std::fprintf(stderr, "[%s] starting on 127.0.0.1:%d, data in %s\n", m->server.c_str(), r.port,
               data_dir.c_str());
  ASSIGN_OR_RETURN(r.server, ChildProcess::Start(ServerArgs(o, spec, data_dir, r.port, config_path),
                                                 dir + "/server.log"));
  ChildProcess& server = *r.server;
  RETURN_IF_ERROR(tools::WaitReady(server, r.port, spec.ready_path, seconds(60), &g_interrupted));

  std::fprintf(stderr, "[%s] loading %" PRIu64 " series x %" PRId64 " samples\n", m->server.c_str(),
               fleet.series(), w.rounds);
  LoadOptions lo;
  lo.port = r.port;
  lo.first_ts_ms = w.first_ts_ms;
  lo.rounds = w.rounds;
  lo.concurrency = static_cast<int>(o.concurrency);
  ASSIGN_OR_RETURN(LoadStats load, LoadFleet(fleet, lo, [] { return g_interrupted != 0; }));
  if (server.Exited()) return Died(server, "during loading");
  m->samples = load.samples_ok;
  m->load_s = load.elapsed_s;
  std::fprintf(stderr, "[%s] loaded %" PRIu64 " samples in %.1f s (%" PRIu64 " requests)\n",
               m->server.c_str(), load.samples_ok, load.elapsed_s, load.requests);
  if (load.samples_failed > 0) {
    std::fprintf(stderr, "[%s] WARNING: %" PRIu64 " samples failed; first error: %s\n",
                 m->server.c_str(), load.samples_failed, load.first_error.c_str());
  }

  if (!spec.flush_path.empty()) {
    httplib::Client client("127.0.0.1", r.port);
    client.set_read_timeout(120, 0);
    auto res = client.Get(spec.flush_path);
    if (!res || res->status != 200) {
      std::fprintf(stderr, "[%s] note: %s did not answer 200\n", m->server.c_str(),
                   spec.flush_path.c_str());
    }
  }
  // Every series must answer at the newest timestamp before anything is timed.
  std::optional<uint64_t> stored;
  const auto until = Clock::now() + seconds(60);
  for (;;) {
    stored = tools::CountStoredSeries(r.port, w.last_ts_ms / 1000);
    if ((stored && *stored >= fleet.series()) || Clock::now() >= until) break;
    RETURN_IF_ERROR(Pause(seconds(1)));
  }
  if (!stored || *stored != fleet.series()) {
    std::fprintf(stderr, "[%s] WARNING: count({__name__=~\".+\"}) is %s, %" PRIu64 " were sent\n",
                 m->server.c_str(), stored ? std::to_string(*stored).c_str() : "unanswered",
                 fleet.series());
  }
  ASSIGN_OR_RETURN(m->settle_s, AwaitIdle(server, o.settle_max_s, &g_interrupted));
  ASSIGN_OR_RETURN(ProcessMemory loaded, ReadProcessMemory(server.pid()));
  m->rss_loaded = loaded.rss_bytes;
  m->rss_peak = loaded.peak_rss_bytes;
  std::fprintf(stderr, "[%s] idle after %.0f s; RSS %.0f MiB\n", m->server.c_str(), m->settle_s,
               static_cast<double>(loaded.rss_bytes) / (1024.0 * 1024.0));

  r.client = std::make_unique<httplib::Client>("127.0.0.1", r.port);
  r.client->set_keep_alive(true);
  r.client->set_tcp_nodelay(true);
  r.client->set_decompress(false);
  const auto timeout = static_cast<time_t>(o.query_timeout_s + 30);
  r.client->set_read_timeout(timeout, 0);
  r.client->set_write_timeout(timeout, 0);
  return r;
}

// Times every query of `o` on `servers`: per query, a warm-up on each server, then o.runs rounds
// of one timed run per server in turn (with one server, its runs back to back). A query that
// fails on a server is recorded as its error and skipped there; a server that dies ends it all.
// With o.perf_dir, Hestia is recorded by perf around its timed runs.
base::Status TimeQueries(const Options& o, const Window& w, std::vector<Running>& servers) {
  for (size_t q : o.queries) {
    std::vector<bool> peak_reset(servers.size(), false);
    std::vector<std::unique_ptr<ChildProcess>> perf(servers.size());
    for (size_t k = 0; k < servers.size(); ++k) {
      Running& r = servers[k];
      std::fprintf(stderr, "[%s] %s: %s\n", r.result->server.c_str(), kQueries[q].name,
                   kQueries[q].expr);
      QueryResult& qr = r.result->queries[q];
      peak_reset[k] = ResetPeakRss(r.server->pid());
      auto warm = QueryRange(*r.client, kQueries[q].expr, w, o.step_s);
      if (r.server->Exited()) return Died(*r.server, "during a query");
      if (!warm) {
        qr.error = warm.error().message();
        std::fprintf(stderr, "[%s] %s FAILED: %s\n", r.result->server.c_str(), kQueries[q].name,
                     qr.error.c_str());
        continue;
      }
      qr.series = warm->series;
      qr.bytes = warm->bytes;
      if (!o.perf_dir.empty() && r.kind == "hestia") {
        const std::string data = o.perf_dir + "/hestia_" + kQueries[q].name + ".perf.data";
        ASSIGN_OR_RETURN(perf[k], ChildProcess::Start({"/usr/bin/perf", "record", "-F", "199",
                                                       "--call-graph", "dwarf,16384", "-o", data,
                                                       "-p", std::to_string(r.server->pid())},
                                                      data + ".log"));
        RETURN_IF_ERROR(Pause(seconds(1)));
      }
    }
    for (int64_t run = 0; run < o.runs; ++run) {
      for (Running& r : servers) {
        QueryResult& qr = r.result->queries[q];
        if (!qr.error.empty()) continue;
        if (g_interrupted) return tools::Interrupted();
        ASSIGN_OR_RETURN(double cpu0, ProcessCpuSeconds(r.server->pid()));
        auto reply = QueryRange(*r.client, kQueries[q].expr, w, o.step_s);
        if (r.server->Exited()) return Died(*r.server, "during a query");
        ASSIGN_OR_RETURN(double cpu1, ProcessCpuSeconds(r.server->pid()));
        if (!reply) {
          qr.error = reply.error().message();
          std::fprintf(stderr, "[%s] %s FAILED: %s\n", r.result->server.c_str(), kQueries[q].name,
                       qr.error.c_str());
          continue;
        }
        if (reply->series != qr.series) {
          std::fprintf(stderr, "[%s] WARNING: %s returned %zu series, the warm-up %zu\n",
                       r.result->server.c_str(), kQueries[q].name, reply->series, qr.series);
        }
        qr.wall_s.push_back(reply->wall_s);
        qr.cpu_s.push_back(cpu1 - cpu0);
      }
    }
    for (size_t k = 0; k < servers.size(); ++k) {
      if (perf[k]) perf[k]->Stop(seconds(60));
      ASSIGN_OR_RETURN(ProcessMemory mem, ReadProcessMemory(servers[k].server->pid()));
      ServerResult& m = *servers[k].result;
      if (peak_reset[k]) m.queries[q].peak_rss = mem.peak_rss_bytes;
      m.rss_peak = std::max(m.rss_peak, mem.peak_rss_bytes);
    }
  }
  return base::Status::Ok();
}

// Stops a server: SIGTERM, SIGKILL after 30 s; removes its data unless o.keep.
void Finish(const Options& o, Running& r) {
  const std::string stop = r.server->Stop(seconds(30));
  std::fprintf(stderr, "[%s] stopped (%s)\n", r.result->server.c_str(), stop.c_str());
  if (!o.keep) {
    std::error_code ec;
    fs::remove_all(r.dir + "/data", ec);
  }
}

std::string Ms(double seconds_value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), seconds_value < 0.1 ? "%.1f" : "%.0f", seconds_value * 1e3);
  return buf;
}

const ServerResult* Find(const std::vector<ServerResult>& results, const std::string& server) {
  for (const ServerResult& r : results) {
    if (r.server == server && r.skipped.empty()) return &r;
  }
  return nullptr;
}

const QueryResult* Find(const ServerResult* s, size_t q) {
  if (s == nullptr) return nullptr;
  auto it = s->queries.find(q);
  if (it == s->queries.end() || !it->second.error.empty() || it->second.wall_s.empty()) {
    return nullptr;
  }
  return &it->second;
}

void PrintResults(const Options& o, const Fleet& fleet, const Window& w,
                  const std::vector<ServerResult>& results) {
  std::printf("\nquery_bench: %" PRIu64 " series (%" PRIu64
              " instances: x + 10 x_bucket each), %.3g h of 15 s samples; query_range over the "
              "newest %.3g h, step %" PRId64 " s, %" PRId64
              " timed runs after one warm-up; %s; VictoriaMetrics %s\n",
              fleet.series(), fleet.instances(), o.hours, o.range_hours, o.step_s, o.runs,
              o.together ? "all servers loaded, then each query's runs taken in turn, one per "
                           "server per round"
                         : "servers loaded and queried one at a time, each alone on the machine",
              o.vm_cache ? "with its rollup result cache" : "with -search.disableCache");
  std::printf("window: start=%" PRId64 " end=%" PRId64 " (data %" PRId64 " .. %" PRId64 " ms)\n",
              w.query_start_s, w.query_end_s, w.first_ts_ms, w.last_ts_ms);
  for (const ServerResult& s : results) {
    if (!s.skipped.empty()) {
      std::printf("%s: %s\n", s.server.c_str(), s.skipped.c_str());
      continue;
    }
    std::printf("%s: loaded %" PRIu64
                " samples in %.1f s, idle %.0f s later, RSS %.0f MiB "
                "loaded, %.0f MiB peak\n",
                s.server.c_str(), s.samples, s.load_s, s.settle_s,
                static_cast<double>(s.rss_loaded) / (1024.0 * 1024.0),
                static_cast<double>(s.rss_peak) / (1024.0 * 1024.0));
  }

  std::vector<std::vector<std::string>> rows = {{"query", "server", "median_ms", "p90_ms", "min_ms",
                                                 "cpu_ms", "peak_rss_MiB", "series", "resp_KiB"}};
  for (size_t q : o.queries) {
    for (const ServerResult& s : results) {
      if (!s.skipped.empty()) continue;
      auto it = s.queries.find(q);
      if (it == s.queries.end()) continue;
      const QueryResult& r = it->second;
      const std::string label = std::to_string(q + 1) + " " + kQueries[q].name;
      if (!r.error.empty() || r.wall_s.empty()) {
        rows.push_back({label, s.server, "error", "-", "-", "-", "-", "-", "-"});
        continue;
      }
      rows.push_back({label, s.server, Ms(Percentile(r.wall_s, 0.5)), Ms(Percentile(r.wall_s, 0.9)),
                      Ms(*std::min_element(r.wall_s.begin(), r.wall_s.end())),
                      Ms(Percentile(r.cpu_s, 0.5)),
                      r.peak_rss == 0 ? "-" : std::to_string(r.peak_rss >> 20),
                      std::to_string(r.series), std::to_string((r.bytes + 1023) / 1024)});
    }
  }
  PrintTable(rows, 2, o.markdown);

  // Against the goal: Hestia's median at most half of VictoriaMetrics's.
  const ServerResult* hestia = Find(results, "hestia");
  const ServerResult* prometheus = Find(results, "prometheus");
  const ServerResult* vm = Find(results, "victoriametrics");
  std::vector<std::vector<std::string>> summary = {
      {"query", "expr", "hestia_ms", "prometheus_ms", "vm_ms", "hestia/vm", "goal"}};
  auto median = [](const QueryResult* r) {
    return r == nullptr ? std::string("-") : Ms(Percentile(r->wall_s, 0.5));
  };
  for (size_t q : o.queries) {
    const QueryResult* h = Find(hestia, q);
    const QueryResult* p = Find(prometheus, q);
    const QueryResult* v = Find(vm, q);
    std::string ratio = "-";
    std::string goal = "-";
    if (h != nullptr && v != nullptr) {
      const double x = Percentile(h->wall_s, 0.5) / Percentile(v->wall_s, 0.5);
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.2f", x);
      ratio = buf;
      goal = x <= 0.5 ? "met" : "NOT met";
    }
    summary.push_back(
        {std::to_string(q + 1), kQueries[q].expr, median(h), median(p), median(v), ratio, goal});
    // The servers should agree on the number of result series.
    std::string counts;
    bool differ = false;
    size_t first = 0;
    bool have = false;
    for (const ServerResult* s : {hestia, prometheus, vm}) {
      const QueryResult* r = Find(s, q);
      if (r == nullptr) continue;
      counts += (counts.empty() ? "" : ", ") + s->server + " " + std::to_string(r->series);
      if (have && r->series != first) differ = true;
      first = r->series;
      have = true;
    }
    if (differ) {
      std::printf("WARNING: query %zu (%s): result series differ: %s\n", q + 1, kQueries[q].name,
                  counts.c_str());
    }
  }
  PrintTable(summary, 2, o.markdown, 1);
  std::printf(
      "\nmedian/p90/min: wall-clock of one query_range call, request to last body byte, over the\n"
      "timed runs (p90 by nearest rank: with under 10 runs, the slowest); cpu_ms: median server\n"
      "CPU time (user+sys, all threads, 10 ms ticks) per run; peak_rss_MiB: the server's VmHWM\n"
      "over the query's runs (reset before its warm-up); series: result series; resp_KiB: JSON\n"
      "body. goal: Hestia's median at most half of VictoriaMetrics's.\n");
}

int Main(int argc, char** argv) {
  auto parsed = ParseOptions(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "query_bench: %s\n", parsed.error().message().c_str());
    Usage();
    return 2;
  }
  Options o = std::move(parsed).value();
  HandleStopSignals();

  auto work_dir = MakeWorkDir(o.work_dir, "query_bench");
  if (!work_dir) {
    std::fprintf(stderr, "query_bench: %s\n", work_dir.error().message().c_str());
    return 1;
  }
  o.work_dir = work_dir->path;
  if (!o.perf_dir.empty()) fs::create_directories(o.perf_dir);
  const Fleet fleet = Fleet::WithSeries(o.series, 1);
  const Window w = MakeWindow(o);
  std::fprintf(stderr,
               "query_bench: %" PRIu64 " series, %" PRId64 " samples each, %" PRId64
               " runs per query; work dir %s\n",
               fleet.series(), w.rounds, o.runs, o.work_dir.c_str());

  std::vector<ServerResult> results;
  results.reserve(o.servers.size());  // Running::result points into it
  std::vector<Running> running;       // loaded and not yet stopped
  int failures = 0;
  // Records a failure on every server in `servers` that died, or on all of them if none did.
  auto fail = [&](std::vector<Running>& servers, const base::Status& st) {
    std::fprintf(stderr, "FAILED: %s\n", st.message().c_str());
    bool any_died = false;
    for (Running& r : servers) any_died = any_died || r.server->Exited();
    for (Running& r : servers) {
      if (any_died && !r.server->Exited()) continue;
      r.result->skipped =
          "FAILED: " + st.message().substr(0, st.message().find('\n')) + " (logs in " + r.dir + ")";
      ++failures;
    }
  };
  auto query_and_stop = [&](std::vector<Running>& servers) {
    if (auto st = TimeQueries(o, w, servers); !st.ok()) fail(servers, st);
    for (Running& r : servers) Finish(o, r);
    servers.clear();
  };
  for (const std::string& name : o.servers) {
    if (g_interrupted) break;
    results.push_back(ServerResult{});
    ServerResult& m = results.back();
    m.server = name;
    ServerSpec spec;
    if (name == "hestia") {
      spec = {name, o.hestia, "/-/ready", ""};
    } else if (name == "prometheus") {
      spec = {name, o.prometheus, "/-/ready", ""};
    } else {
      spec = {name, o.victoria_metrics, "/health", "/internal/force_flush"};
    }
    std::error_code ec;
    if (!fs::is_regular_file(spec.binary, ec) || access(spec.binary.c_str(), X_OK) != 0) {
      m.skipped = "SKIPPED: " + spec.binary + " is not an executable" +
                  (name == "hestia" ? " (build target hestia or pass --hestia PATH)" : "");
      std::fprintf(stderr, "[%s] %s\n", name.c_str(), m.skipped.c_str());
      continue;
    }
    const std::string dir = o.work_dir + "/" + name;
    fs::create_directories(dir);
    auto prepared = Prepare(o, fleet, w, spec, dir, &m);
    if (!prepared) {
      std::fprintf(stderr, "[%s] FAILED: %s\n", name.c_str(), prepared.error().message().c_str());
      m.skipped =
          "FAILED: " + prepared.error().message().substr(0, prepared.error().message().find('\n')) +
          " (logs in " + dir + ")";
      ++failures;
      if (!o.keep) fs::remove_all(dir + "/data", ec);
      continue;
    }
    running.push_back(std::move(prepared).value());
    if (!o.together) query_and_stop(running);
  }
  if (!running.empty()) {
    // The servers loaded first may have worked in the background while the others loaded.
    base::Status settled = g_interrupted ? tools::Interrupted() : base::Status::Ok();
    for (Running& r : running) {
      if (!settled.ok()) break;
      if (auto waited = AwaitIdle(*r.server, o.settle_max_s, &g_interrupted); !waited) settled = waited.error();
    }
    if (settled.ok()) {
      query_and_stop(running);
    } else {
      fail(running, settled);
      for (Running& r : running) Finish(o, r);
    }
  }
  PrintResults(o, fleet, w, results);
  return FinishRun(*work_dir, o.keep, failures);
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) { return bench::Main(argc, argv); }

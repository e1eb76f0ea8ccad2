// storage_bench: what persisted data cost on Hestia, Prometheus and VictoriaMetrics loaded with
// the same data (issue 7): bytes per sample on disk after compaction, resident memory per series
// once the head is persisted and after a restart, query latency over persisted-only time ranges,
// and restart time. For each server, one after another (the machine has 2 cores):
//   1. start it on a free 127.0.0.1 port with a fresh data directory; wait for readiness;
//   2. backfill the fleet of bench/query_bench_fleet.h with its gauges (counter x, histogram
//      buckets x_bucket, gauges mem_bytes, temp_celsius, disk_used_ratio; 14 series per
//      instance) by remote write, oldest first: --hours H of 15 s samples in (B - H, B), B a 2 h
//      boundary chosen so that the blocks but the newest two end as one (struct Window);
//      --late-percent of the scrapes a few ms late (Fleet::LateMs), the rest on the grid;
//   3. get the data persisted: Hestia and Prometheus cut their head into 2 h blocks once it
//      spans more than 3 h (1.5 block ranges) and compact three blocks of a range into one of
//      three times that range, never the newest block: wait until the measured block exists
//      (with the default --hours 12 the 6 h block [B - 12h, B - 6h) compacted from three 2 h
//      blocks; with --hours 4 the 2 h block [B - 4h, B - 2h) cut from the head), nothing is
//      being written and the server is idle; VictoriaMetrics: /internal/force_flush, then
//      /internal/force_merge and wait until idle, repeated until the size stays;
//   4. measure: bytes on disk of the persisted data (Hestia, Prometheus: every file of the
//      measured block over its meta.json's numSamples, and of all blocks together;
//      VictoriaMetrics: data/ and indexdb/ under -storageDataPath, samples as loaded),
//      RSS / series;
//   5. time --runs range queries of 1 h over persisted time only: the last hour of the measured
//      block, [B - 7h - 1m, B - 6h - 1m] with --hours 12, lookback included;
//   6. restart: SIGTERM, start again on the same data, time until /-/ready (/health) answers and
//      until the first query answers; RSS / series after it went idle again;
//   7. SIGTERM; the data directory is removed unless --keep.
// With --startup-series N, one more run per --startup-servers: load N series x --startup-hours,
// wait until idle, restart as in 6 (the head's WAL replayed, blocks only if hours > 3).
// With --estimate-series N (default 20000), the measured block's samples of the first N series
// are also encoded with chunkenc::EncodeBest, cut into chunks as Hestia's block writer cuts them
// (one chunk per series up to 65535 samples), to show bytes per sample by kind of series (and
// check the block's figure against it).
// Then one table per part (Markdown too with --markdown).
// Figures and how to run: docs/performance.md, "Storage: bytes per sample, memory, restart".

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_main.h"
#include "bench/proc_stats.h"
#include "bench/query_bench_fleet.h"
#include "bench/query_bench_server.h"
#include "tests/tools/child_process.h"
#include "tests/tools/flags.h"
#include "tests/tools/net.h"
#include "tsdb/block/chunks.h"
#include "tsdb/chunkenc/chunk.h"

namespace bench {
namespace {

using tools::ChildProcess;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Set by SIGINT/SIGTERM/SIGHUP; every wait checks it, and the ChildProcess destructors stop
// what was started.

constexpr int64_t kIntervalMs = Fleet::kIntervalMs;
constexpr int64_t kHourMs = 3600 * 1000;
// Prometheus's and Hestia's defaults: the head is cut into blocks of kBlockMs; blocks are
// compacted into ranges of 3, 9, ... times that, up to the largest block, 10 % of the 15 d
// retention (36 h): 6 h and 18 h.
constexpr int64_t kBlockMs = 2 * kHourMs;
constexpr int64_t kMaxBlockMs = 36 * kHourMs;

// The range of the measured block for --hours H, 0 when H has none. The data (B - H, B) end as
// 2 h blocks [B - H, B - 2h) and the head's newest 2 h. With H = 4 the one block [B - 4h, B - 2h)
// is measured: 2 h, cut from the head. With more, the blocks but the newest two, [B - H, B - 6h),
// are measured once compacted into one block: H - 6 h when that is a compaction range (2 h x 3^k,
// k >= 1, at most kMaxBlockMs: 6 h or 18 h). Why two: Prometheus's LeveledCompactor.Plan drops
// the newest block, then compacts a group that does not fill its range exactly (it never does:
// Prometheus's minTime is the oldest sample's time) only when the group ends at or before the
// minTime of the newest block left, the second newest overall.
int64_t MeasuredRangeMs(double hours) {
  if (hours == 4) return kBlockMs;
  const double ms = (hours - 6) * static_cast<double>(kHourMs);
  for (int64_t range = 3 * kBlockMs; range <= kMaxBlockMs; range *= 3) {
    if (ms == static_cast<double>(range)) return range;
  }
  return 0;
}

// Where the data lie and what is measured, one computation from the hours and the time now.
// Rounds [0, rounds) at first_ts_ms + r * 15 s, each instance up to 15 s earlier
// (Fleet::OffsetMs), all within (end_ms - hours, end_ms) = (B - H, B).
// Hestia and Prometheus cut the head into 2 h blocks aligned to multiples of 2 h once it spans
// more than 3 h, so all but the newest 2 h end in blocks [B - H, B - H + 2h) ... [B - 4h, B - 2h).
// They compact blocks within windows aligned to multiples of each range (k * 6h, k * 18h of
// epoch milliseconds), never taking the newest block (tsdb/db.cc DB::PlanCompaction,
// Prometheus's LeveledCompactor.Plan). The measured block is [block_min_ms, block_max_ms) =
// [B - H, B - H + R), R = MeasuredRangeMs(H): with H = 12, the 6 h block [B - 12h, B - 6h)
// compacted from three 2 h blocks, followed by the 2 h blocks [B - 6h, B - 4h) and
// [B - 4h, B - 2h); with H = 4, the 2 h block [B - 4h, B - 2h). B is the newest 2 h boundary not
// after now for which B - H is a multiple of R and, for a compacted block, B - H + R a multiple
// of the next range 3 R if there is one (18 h for R = 6 h): the block and the 2 h block after
// it are then in different windows of every range, and neither server merges them. So B is at most
// 16 h before the newest 2 h boundary with H = 12.
// The queries cover [query_start_s, query_end_s], the last hour of that block, inside it with
// their 10 m lookback. Without a measured block (the start-up run's hours, when MeasuredRangeMs
// has none), block_min_ms == block_max_ms == 0 and the queries cover the newest hour of data.
struct Window {
  int64_t end_ms = 0;  // B
  int64_t first_ts_ms = 0;
  int64_t rounds = 0;
  int64_t block_min_ms = 0;
  int64_t block_max_ms = 0;
  int64_t query_start_s = 0;
  int64_t query_end_s = 0;

  // Hours relative to B, for messages.
  double HoursFromEnd(int64_t t_ms) const {
    return static_cast<double>(t_ms - end_ms) / static_cast<double>(kHourMs);
  }
};

Window MakeWindow(double hours, int64_t now_ms) {
  Window w;
  const int64_t range = MeasuredRangeMs(hours);
  const int64_t next = range > kBlockMs && 3 * range <= kMaxBlockMs ? 3 * range : range;
  const auto hours_ms = static_cast<int64_t>(std::llround(hours * 3600e3));
  w.end_ms = now_ms / kBlockMs * kBlockMs;
  if (range > 0) {
    while ((w.end_ms - hours_ms) % range != 0 || (w.end_ms - hours_ms + range) % next != 0) {
      w.end_ms -= kBlockMs;
    }
  }
  w.rounds = static_cast<int64_t>(std::llround(hours * 3600e3 / kIntervalMs));
  w.first_ts_ms = w.end_ms - (w.rounds - 1) * kIntervalMs;
  if (range > 0) {
    w.block_min_ms = w.end_ms - hours_ms;
    w.block_max_ms = w.block_min_ms + range;
    w.query_end_s = (w.block_max_ms - 60 * 1000) / 1000;
    w.query_start_s = w.query_end_s - 3600;
  } else {
    w.query_end_s = (w.end_ms - 60 * 1000) / 1000;
    w.query_start_s = std::max(w.query_end_s - 3600, w.first_ts_ms / 1000 + 600);
  }
  return w;
}

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Query {
  const char* name;
  const char* expr;
};
// Counters, histogram buckets and each kind of gauge, over persisted data only.
constexpr Query kQueries[] = {
    {"sum_rate", "sum(rate(x[5m]))"},
    {"histogram_quantile", "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))"},
    {"max_mem_by_job", "max by (job) (mem_bytes)"},
    {"avg_temp_10m", "avg(avg_over_time(temp_celsius[10m]))"},
    {"disk_ratio_gt", "count(disk_used_ratio > 0.8)"},
};
constexpr size_t kQueryCount = sizeof(kQueries) / sizeof(kQueries[0]);

struct Options {
  std::vector<std::string> servers;
  uint64_t series = 200000;
  double hours = 12;
  double late_percent = 10;
  int64_t runs = 5;
  int64_t concurrency = 2;
  double settle_max_s = 300;
  double persist_max_s = 900;
  uint64_t startup_series = 0;
  double startup_hours = 0.5;
  uint64_t estimate_series = 20000;
  std::vector<std::string> startup_servers;
  std::string work_dir;
  bool keep = false;
  bool markdown = false;
  std::string hestia;
  std::string prometheus = "/usr/bin/prometheus";
  std::string victoria_metrics = "/usr/bin/victoria-metrics";
};

void Usage() {
  std::fprintf(stderr, R"(usage: storage_bench [flags]
  --servers LIST          comma-separated subset of hestia,prometheus,victoriametrics (all three)
  --series N              at least N series: N/14 instances, each x, 10 x_bucket, 3 gauges (200000)
  --hours H               hours of 15 s samples in (B - H, B), B a 2 h boundary, and the block
                          measured: 12 (the 6 h block [B-12h, B-6h) compacted from three 2 h
                          blocks), 4 (the 2 h block [B-4h, B-2h) cut from the head) or 24 (the
                          18 h block [B-24h, B-6h); not tried) (12)
  --late-percent P        percent of scrapes 3-200 ms late, the rest exactly on the 15 s grid
                          (10; as chunk_size_bench's default, docs/performance.md section 9)
  --runs N                timed runs of each query after one warm-up (5)
  --concurrency C         remote-write senders while loading (2)
  --settle-max-s S        wait at most S s for a server to go idle (300)
  --persist-max-s S       wait at most S s for the measured block to be written (900)
  --startup-series N      also time the restart of --startup-servers holding N series (0: no)
  --startup-hours H       hours of data of the start-up run (0.5)
  --startup-servers LIST  servers of the start-up run (hestia)
  --estimate-series N     encode the measured block's samples of the first N series with
                          chunkenc::EncodeBest, chunks as the block writer cuts them (20000; 0: no)
  --quick                 20000 series, 3 runs
  --work-dir DIR          where data directories and logs go (a new /tmp/storage_bench.XXXXXX)
  --keep                  keep the work directory and data
  --markdown              also print the tables as Markdown
  --hestia PATH           Hestia binary (default: hestia in the parent of this binary's directory)
  --prometheus PATH (/usr/bin/prometheus)   --victoria-metrics PATH (/usr/bin/victoria-metrics)
)");
}
base::Result<std::vector<std::string>> ServerList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item != "hestia" && item != "prometheus" && item != "victoriametrics") {
      return base::InvalidArgument("unknown server '" + item + "' in '" + s + "'");
    }
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
  ASSIGN_OR_RETURN(int64_t series, flags.Int("series", static_cast<int64_t>(o.series)));
  ASSIGN_OR_RETURN(o.hours, flags.Double("hours", o.hours));
  ASSIGN_OR_RETURN(o.late_percent, flags.Double("late-percent", o.late_percent));
  ASSIGN_OR_RETURN(o.runs, flags.Int("runs", o.runs));
  ASSIGN_OR_RETURN(o.concurrency, flags.Int("concurrency", o.concurrency));
  ASSIGN_OR_RETURN(o.settle_max_s, flags.Double("settle-max-s", o.settle_max_s));
  ASSIGN_OR_RETURN(o.persist_max_s, flags.Double("persist-max-s", o.persist_max_s));
  ASSIGN_OR_RETURN(int64_t startup_series, flags.Int("startup-series", 0));
  ASSIGN_OR_RETURN(o.startup_hours, flags.Double("startup-hours", o.startup_hours));
  ASSIGN_OR_RETURN(std::string startup_servers, flags.String("startup-servers", "hestia"));
  ASSIGN_OR_RETURN(int64_t estimate_series,
                   flags.Int("estimate-series", static_cast<int64_t>(o.estimate_series)));
  ASSIGN_OR_RETURN(o.work_dir, flags.String("work-dir", ""));
  ASSIGN_OR_RETURN(o.keep, flags.Bool("keep", false));
  ASSIGN_OR_RETURN(o.markdown, flags.Bool("markdown", false));
  ASSIGN_OR_RETURN(o.hestia, flags.String("hestia", ExeDir() + "/../hestia"));
  ASSIGN_OR_RETURN(o.prometheus, flags.String("prometheus", o.prometheus));
  ASSIGN_OR_RETURN(o.victoria_metrics, flags.String("victoria-metrics", o.victoria_metrics));
  ASSIGN_OR_RETURN(bool help, flags.Bool("help", false));
  RETURN_IF_ERROR(flags.Finish());
  if (help) return base::InvalidArgument("help requested");

  if (servers != "none") {
    ASSIGN_OR_RETURN(o.servers, ServerList(servers));
  }
  ASSIGN_OR_RETURN(o.startup_servers, ServerList(startup_servers));
  if (series <= 0) return base::InvalidArgument("--series must be positive");
  o.series = static_cast<uint64_t>(series);
  if (MeasuredRangeMs(o.hours) == 0) {
    return base::InvalidArgument(
        "--hours must be 4 (a 2 h block), 12 (a 6 h compacted block) or 24 (18 h)");
  }
  if (o.late_percent < 0 || o.late_percent > 100) {
    return base::InvalidArgument("--late-percent must be in [0, 100]");
  }
  if (o.runs < 1 || o.runs > 1000) return base::InvalidArgument("--runs must be 1..1000");
  if (o.concurrency < 1 || o.concurrency > 64) {
    return base::InvalidArgument("--concurrency must be 1..64");
  }
  if (o.settle_max_s < 0 || o.persist_max_s < 0) {
    return base::InvalidArgument("--settle-max-s and --persist-max-s must be >= 0");
  }
  if (estimate_series < 0) return base::InvalidArgument("--estimate-series must be >= 0");
  o.estimate_series = static_cast<uint64_t>(estimate_series);
  if (startup_series < 0) return base::InvalidArgument("--startup-series must be >= 0");
  o.startup_series = static_cast<uint64_t>(startup_series);
  if (o.startup_hours <= 0 || o.startup_hours > 48) {
    return base::InvalidArgument("--startup-hours must be in (0, 48]");
  }
  return o;
}

// How one server is started.
struct ServerSpec {
  std::string name;
  std::string binary;
  std::string ready_path;
};

std::vector<std::string> ServerArgs(uint64_t series, const ServerSpec& spec,
                                    const std::string& data_dir, int port,
                                    const std::string& config_path) {
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  if (spec.name == "victoriametrics") {
    // -search.disableCache: no rollup result cache, so repeated queries are computed again;
    // -search.latencyOffset=0s as in query_bench; the series limit raised for large fleets.
    return {spec.binary,
            "-storageDataPath=" + data_dir,
            "-httpListenAddr=" + addr,
            "-search.latencyOffset=0s",
            "-search.disableCache",
            "-search.maxUniqueTimeseries=" +
                std::to_string(std::max<uint64_t>(300000, 2 * series))};
  }
  // Hestia and Prometheus take the same flags; both keep their defaults for blocks (2 h),
  // retention (15 d) and WAL compression (on).
  return {spec.binary,
          "--storage.tsdb.path=" + data_dir,
          "--web.listen-address=" + addr,
          "--config.file=" + config_path,
          "--web.enable-remote-write-receiver",
          "--query.max-samples=1000000000"};
}

base::Status Died(ChildProcess& server, const std::string& when) {
  return tools::Died(server, "server", when);
}

base::Status Pause(std::chrono::duration<double> d) {
  return tools::InterruptibleSleep(d, &g_interrupted) ? base::Status::Ok() : tools::Interrupted();
}

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
// GET /api/v1/query_range over the window; the wall-clock seconds, or kExecution with the
// start of the body unless it is a 200 with "status":"success".
base::Result<double> QueryRange(httplib::Client& client, const std::string& expr, const Window& w) {
  const httplib::Params params = {{"query", expr},
                                  {"start", std::to_string(w.query_start_s)},
                                  {"end", std::to_string(w.query_end_s)},
                                  {"step", "15"}};
  const auto t0 = Clock::now();
  auto res = client.Get("/api/v1/query_range", params, httplib::Headers{});
  const double wall = Since(t0);
  if (!res) return base::Unavailable("query_range: " + httplib::to_string(res.error()));
  if (res->status != 200 || res->body.find("\"status\":\"success\"") == std::string::npos ||
      res->body.find("\"result\":[]") != std::string::npos) {
    return base::Status(base::StatusCode::kExecution,
                        "HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 300));
  }
  return wall;
}

double Median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) / 2];
}

// The integer after "key": in a JSON text (meta.json: flat enough); nullopt if absent.
std::optional<int64_t> JsonInt(const std::string& text, const std::string& key) {
  const size_t at = text.find("\"" + key + "\"");
  if (at == std::string::npos) return std::nullopt;
  const size_t colon = text.find(':', at);
  if (colon == std::string::npos) return std::nullopt;
  return std::strtoll(text.c_str() + colon + 1, nullptr, 10);
}

// One persistent block of Hestia or Prometheus: a directory <ulid> holding meta.json.
struct BlockOnDisk {
  std::string name;
  int64_t min_time = 0;
  int64_t max_time = 0;
  int64_t samples = 0;
  uint64_t bytes = 0;  // every file in the directory (index, chunks/, tombstones, meta.json)
  uint64_t index_bytes = 0;
};

// The blocks in `data_dir`, skipping directories being written (names with a '.', as
// Prometheus's <ulid>.tmp-for-creation) and those without a readable meta.json.
std::vector<BlockOnDisk> ListBlocks(const std::string& data_dir) {
  std::vector<BlockOnDisk> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(data_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!e.is_directory() || name.find('.') != std::string::npos) continue;
    std::ifstream in(e.path() / "meta.json");
    if (!in) continue;
    std::stringstream text;
    text << in.rdbuf();
    auto mint = JsonInt(text.str(), "minTime");
    auto maxt = JsonInt(text.str(), "maxTime");
    auto samples = JsonInt(text.str(), "numSamples");
    if (!mint || !maxt || !samples) continue;
    std::error_code size_ec;
    const auto index_bytes = fs::file_size(e.path() / "index", size_ec);
    out.push_back({name, *mint, *maxt, *samples, DirectoryBytes(e.path().string()),
                   size_ec ? 0 : static_cast<uint64_t>(index_bytes)});
  }
  std::sort(out.begin(), out.end(),
            [](const BlockOnDisk& a, const BlockOnDisk& b) { return a.min_time < b.min_time; });
  return out;
}

struct ServerResult {
  std::string server;
  std::string skipped;  // non-empty: not measured, and why
  uint64_t series = 0;
  uint64_t samples = 0;  // acknowledged by the server
  double load_s = 0;
  double persist_s = 0;  // from the end of loading until persisted and idle
  // Hestia, Prometheus: the measured block; VictoriaMetrics: data/ and indexdb/, all samples.
  uint64_t persisted_samples = 0;
  uint64_t persisted_bytes = 0;
  uint64_t persisted_index_bytes = 0;  // of that, index files (Hestia, Prometheus)
  // Hestia, Prometheus: all blocks together (the measured one and the newer 2 h blocks).
  uint64_t blocks_samples = 0;
  uint64_t blocks_bytes = 0;
  std::string persisted_what;  // what was counted
  uint64_t disk_all_bytes = 0;  // the whole data directory, WAL included
  uint64_t rss_persisted = 0;
  std::vector<double> query_ms;  // median per kQueries entry; NAN when it failed
  double ready_s = 0;            // restart: start until ready
  double first_query_s = 0;      // restart: start until the first query answered
  uint64_t rss_restarted = 0;
};

// Bytes per sample chunkenc::EncodeBest gives the measured block's samples of the first `series`
// series of the run's fleet (the same samples the servers got), cut into chunks as Hestia's
// block writer cuts them, head blocks and compacted blocks alike (tsdb/block/block_writer.cc
// AddSeries: chunks of at most kMaxChunkSamples, so one per series for 15 s samples up to 273
// h), plus the framing a chunk takes in a segment file (uvarint length, encoding byte, CRC32C).
// Per kind of series and overall.
struct KindEstimate {
  std::string kind;
  uint64_t series = 0;
  uint64_t samples = 0;
  uint64_t bytes = 0;
  uint64_t chunks = 0;
  uint64_t packed = 0;  // chunks that came out packed
};

// Bytes of a chunk of `data_bytes` in a segment file: uvarint length, encoding, data, CRC32C.
uint64_t FramedChunkBytes(uint64_t data_bytes) {
  uint64_t varint = 1;
  for (uint64_t v = data_bytes; v >= 0x80; v >>= 7) ++varint;
  return varint + 1 + data_bytes + 4;
}

base::Result<std::vector<KindEstimate>> EstimateBest(const Options& o, const Window& w) {
  const Fleet fleet = Fleet::WithSeries(o.series, 1, /*with_gauges=*/true, o.late_percent);
  const int per = fleet.series_per_instance();
  const uint64_t instances =
      std::min<uint64_t>(fleet.instances(), (o.estimate_series + static_cast<uint64_t>(per) - 1) /
                                                static_cast<uint64_t>(per));
  std::vector<KindEstimate> kinds = {{"x (counter, 0.001 resolution)"},
                                     {"x_bucket (integer counters)"}};
  for (std::string_view g : Fleet::kGaugeNames) kinds.push_back({std::string(g) + " (gauge)"});
  kinds.push_back({"all"});
  std::vector<std::vector<model::Sample>> samples(static_cast<size_t>(per));
  for (uint64_t i = 0; i < instances; ++i) {
    if (g_interrupted) return tools::Interrupted();
    for (auto& s : samples) s.clear();
    Fleet::Values v = fleet.Initial(i);
    const int64_t t0 = w.first_ts_ms - fleet.OffsetMs(i);
    for (int64_t r = 0; r < w.rounds; ++r) {
      if (r > 0) fleet.Advance(i, r, &v);
      const int64_t ts = t0 + r * kIntervalMs + fleet.LateMs(i, r);
      if (ts < w.block_min_ms) continue;
      if (ts >= w.block_max_ms) break;
      for (size_t k = 0; k < samples.size(); ++k) samples[k].push_back({ts, v[k]});
    }
    for (size_t k = 0; k < samples.size(); ++k) {
      const size_t kind = k == 0 ? 0 : k <= static_cast<size_t>(Fleet::kBuckets) ? 1 : k - 9;
      for (KindEstimate* e : {&kinds[kind], &kinds.back()}) {
        e->series += 1;
        e->samples += samples[k].size();
      }
      const std::span<const model::Sample> all(samples[k]);
      for (size_t start = 0; start < all.size(); start += tsdb::block::kMaxChunkSamples) {
        const auto part =
            all.subspan(start, std::min(tsdb::block::kMaxChunkSamples, all.size() - start));
        ASSIGN_OR_RETURN(auto chunk, tsdb::chunkenc::EncodeBest(part));
        for (KindEstimate* e : {&kinds[kind], &kinds.back()}) {
          e->bytes += FramedChunkBytes(chunk->bytes().size());
          e->chunks += 1;
          e->packed += chunk->encoding() == tsdb::chunkenc::Encoding::kPacked ? 1 : 0;
        }
      }
    }
  }
  return kinds;
}

// A started server with its client.
struct Running {
  std::unique_ptr<ChildProcess> server;
  std::unique_ptr<httplib::Client> client;
};

base::Result<Running> StartServer(uint64_t series, const ServerSpec& spec,
                                  const std::string& dir, int port) {
  const std::string data_dir = dir + "/data";
  const std::string config_path = dir + "/prometheus.yml";
  fs::create_directories(data_dir);
  {
    std::ofstream config(config_path);
    config << "# No scrape jobs: samples come by remote write only.\n"
              "global:\n  scrape_interval: 15s\n";
  }
  Running r;
  ASSIGN_OR_RETURN(r.server,
                   ChildProcess::Start(ServerArgs(series, spec, data_dir, port, config_path),
                                       dir + "/server.log"));
  RETURN_IF_ERROR(
      tools::WaitReady(*r.server, port, spec.ready_path, seconds(1800), &g_interrupted));
  r.client = std::make_unique<httplib::Client>("127.0.0.1", port);
  r.client->set_keep_alive(true);
  r.client->set_decompress(false);
  r.client->set_read_timeout(600, 0);
  return r;
}

void Log(const std::string& server, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void Log(const std::string& server, const char* fmt, ...) {
  std::fprintf(stderr, "[%s] ", server.c_str());
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fprintf(stderr, "\n");
}

uint64_t Rss(ChildProcess& server) {
  auto mem = ReadProcessMemory(server.pid());
  return mem ? mem->rss_bytes : 0;
}

// Loads `fleet` over window `w` into the server on `port`.
base::Status Load(const std::string& name, const Options& o, const Fleet& fleet, const Window& w,
                  int port, ChildProcess& server, ServerResult* m) {
  Log(name, "loading %" PRIu64 " series x %" PRId64 " samples", fleet.series(), w.rounds);
  LoadOptions lo;
  lo.port = port;
  lo.first_ts_ms = w.first_ts_ms;
  lo.rounds = w.rounds;
  lo.concurrency = static_cast<int>(o.concurrency);
  ASSIGN_OR_RETURN(LoadStats load, LoadFleet(fleet, lo, [] { return g_interrupted != 0; }));
  if (server.Exited()) return Died(server, "during loading");
  m->samples = load.samples_ok;
  m->load_s = load.elapsed_s;
  Log(name, "loaded %" PRIu64 " samples in %.1f s (%.0f/s)", load.samples_ok, load.elapsed_s,
      static_cast<double>(load.samples_ok) / load.elapsed_s);
  if (load.samples_failed > 0) {
    return base::Status(base::StatusCode::kExecution,
                        std::to_string(load.samples_failed) +
                            " samples failed; first error: " + load.first_error);
  }
  return base::Status::Ok();
}

// Whether `b` is the measured block [block_min_ms, block_max_ms). Prometheus's minTime is its
// oldest sample's time (at most one scrape interval after the range's start), Hestia's the
// range's start; both end at the range's end.
bool IsMeasuredBlock(const BlockOnDisk& b, const Window& w) {
  return b.min_time >= w.block_min_ms && b.min_time < w.block_min_ms + kIntervalMs &&
         b.max_time == w.block_max_ms;
}

// Whether the data directory holds the measured block, no other block overlapping its range
// (the blocks it was compacted from are gone) and no directory being written or deleted (a
// '.' in its name: <ulid>.tmp-for-creation, <ulid>.tmp-for-deletion).
bool MeasuredBlockSettled(const std::string& data_dir, const Window& w, std::string* blocks) {
  bool found = false;
  bool overlapped = false;
  blocks->clear();
  for (const BlockOnDisk& b : ListBlocks(data_dir)) {
    const bool measured = IsMeasuredBlock(b, w);
    found = found || measured;
    overlapped = overlapped ||
                 (!measured && b.min_time < w.block_max_ms && b.max_time > w.block_min_ms);
    char line[80];
    std::snprintf(line, sizeof(line), "%s[%+.1fh,%+.1fh)", blocks->empty() ? "" : " ",
                  w.HoursFromEnd(b.min_time), w.HoursFromEnd(b.max_time));
    *blocks += line;
  }
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(data_dir, ec)) {
    if (e.is_directory() && e.path().filename().string().find('.') != std::string::npos) {
      return false;
    }
  }
  return found && !overlapped;
}

// Step 3 for Hestia and Prometheus: waits until the measured block is settled and the server
// idle, then settled still (a compaction may start after an idle second), at most
// o.persist_max_s for the block and o.settle_max_s for each idle wait.
base::Status AwaitMeasuredBlock(const std::string& name, const Options& o, const Window& w,
                                const std::string& data_dir, Running& r) {
  const auto t0 = Clock::now();
  const auto until = t0 + std::chrono::duration<double>(o.persist_max_s);
  std::string blocks;
  std::string logged;
  for (;;) {
    if (MeasuredBlockSettled(data_dir, w, &blocks)) {
      ASSIGN_OR_RETURN(double idle, AwaitIdle(*r.server, o.settle_max_s, &g_interrupted));
      (void)idle;
      if (MeasuredBlockSettled(data_dir, w, &blocks)) return base::Status::Ok();
    }
    if (blocks != logged) {
      Log(name, "after %.0f s, blocks relative to B: %s", Since(t0),
          blocks.empty() ? "none" : blocks.c_str());
      logged = blocks;
    }
    if (r.server->Exited()) return Died(*r.server, "while persisting");
    if (Clock::now() >= until) {
      char range[80];
      std::snprintf(range, sizeof(range), "[B%+.0fh, B%+.0fh)", w.HoursFromEnd(w.block_min_ms),
                    w.HoursFromEnd(w.block_max_ms));
      return base::Status(base::StatusCode::kTimeout,
                          std::string("no block ") + range + " alone in its range after " +
                              std::to_string(static_cast<int64_t>(o.persist_max_s)) +
                              " s; blocks relative to B: " + (blocks.empty() ? "none" : blocks));
    }
    RETURN_IF_ERROR(Pause(seconds(1)));
  }
}

// Step 3 and 4: waits until the data are persisted, then measures disk and memory.
base::Status Persist(const std::string& name, const Options& o, const Window& w, int port,
                     const std::string& data_dir, Running& r, ServerResult* m) {
  const auto t0 = Clock::now();
  if (name == "victoriametrics") {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(static_cast<time_t>(o.persist_max_s) + 60, 0);
    auto res = client.Get("/internal/force_flush");
    if (!res || res->status != 200) return base::Unavailable("/internal/force_flush failed");
    // force_merge returns at once and merges in the background, and it skips parts that a
    // background merge holds (it then logs "finished in 0.000 seconds" and leaves the data
    // unmerged): merge again until the size stops changing (at most 5 rounds).
    uint64_t previous = 0;
    for (int round = 0; round < 5; ++round) {
      res = client.Get("/internal/force_merge");
      if (!res || res->status != 200) return base::Unavailable("/internal/force_merge failed");
      RETURN_IF_ERROR(Pause(seconds(5)));
      ASSIGN_OR_RETURN(double idle, AwaitIdle(*r.server, o.settle_max_s, &g_interrupted));
      (void)idle;
      m->persisted_bytes =
          DirectoryBytes(data_dir + "/data") + DirectoryBytes(data_dir + "/indexdb");
      Log(name, "force_merge round %d: %" PRIu64 " B", round + 1, m->persisted_bytes);
      if (m->persisted_bytes == previous) break;
      previous = m->persisted_bytes;
    }
    m->persisted_samples = m->samples;
    m->persisted_what =
        "data/ + indexdb/ under -storageDataPath after force_merge (repeated until the size "
        "stays); all samples";
  } else {
    RETURN_IF_ERROR(AwaitMeasuredBlock(name, o, w, data_dir, r));
    std::string what;
    for (const BlockOnDisk& b : ListBlocks(data_dir)) {
      const bool measured = IsMeasuredBlock(b, w);
      if (measured) {
        m->persisted_bytes = b.bytes;
        m->persisted_index_bytes = b.index_bytes;
        m->persisted_samples = static_cast<uint64_t>(b.samples);
      }
      m->blocks_bytes += b.bytes;
      m->blocks_samples += static_cast<uint64_t>(b.samples);
      char line[240];
      std::snprintf(line, sizeof(line),
                    "%s%s[%+.1fh,%+.1fh) %" PRId64 " samples %" PRIu64 " B (index %" PRIu64
                    " B)",
                    what.empty() ? "" : "; ", measured ? "MEASURED " : "",
                    w.HoursFromEnd(b.min_time), w.HoursFromEnd(b.max_time), b.samples, b.bytes,
                    b.index_bytes);
      what += line;
    }
    m->persisted_what = "block directories (all files) relative to B: " + what;
  }
  m->persist_s = Since(t0);
  m->disk_all_bytes = DirectoryBytes(data_dir);
  m->rss_persisted = Rss(*r.server);
  Log(name, "persisted after %.0f s: %" PRIu64 " B for %" PRIu64 " samples (%.3f B/sample); %s",
      m->persist_s, m->persisted_bytes, m->persisted_samples,
      static_cast<double>(m->persisted_bytes) / static_cast<double>(m->persisted_samples),
      m->persisted_what.c_str());
  if (m->blocks_samples > 0) {
    Log(name, "all blocks: %" PRIu64 " B for %" PRIu64 " samples (%.3f B/sample)",
        m->blocks_bytes, m->blocks_samples,
        static_cast<double>(m->blocks_bytes) / static_cast<double>(m->blocks_samples));
  }
  Log(name, "RSS %.0f MiB (%.0f B/series)", static_cast<double>(m->rss_persisted) / 1048576.0,
      static_cast<double>(m->rss_persisted) / static_cast<double>(m->series));
  return base::Status::Ok();
}

// Step 5: median wall-clock of each query over o.runs runs after a warm-up.
base::Status TimeQueries(const std::string& name, const Options& o, const Window& w, Running& r,
                         ServerResult* m) {
  for (const Query& q : kQueries) {
    auto warm = QueryRange(*r.client, q.expr, w);
    if (r.server->Exited()) return Died(*r.server, "during a query");
    if (!warm) {
      Log(name, "%s FAILED: %s", q.name, warm.error().message().c_str());
      m->query_ms.push_back(NAN);
      continue;
    }
    std::vector<double> wall;
    for (int64_t run = 0; run < o.runs; ++run) {
      if (g_interrupted) return tools::Interrupted();
      auto t = QueryRange(*r.client, q.expr, w);
      if (t) wall.push_back(*t);
    }
    m->query_ms.push_back(Median(wall) * 1e3);
    Log(name, "%s: median %.0f ms", q.name, m->query_ms.back());
  }
  return base::Status::Ok();
}

// Step 6: stop, start again on the same data, time readiness and the first answered query.
base::Status Restart(const std::string& name, const Options& o, const ServerSpec& spec,
                     const Window& w, const std::string& dir, Running& r, ServerResult* m) {
  const std::string stop = r.server->Stop(seconds(300));
  Log(name, "stopped (%s)", stop.c_str());
  r.client.reset();
  r.server.reset();
  ASSIGN_OR_RETURN(int port, tools::FreePort());
  const std::string data_dir = dir + "/data";
  const std::string config_path = dir + "/prometheus.yml";
  const auto t0 = Clock::now();
  ASSIGN_OR_RETURN(r.server, ChildProcess::Start(
                                 ServerArgs(m->series, spec, data_dir, port, config_path),
                                 dir + "/server.restart.log"));
  RETURN_IF_ERROR(
      tools::WaitReady(*r.server, port, spec.ready_path, seconds(1800), &g_interrupted));
  m->ready_s = Since(t0);
  r.client = std::make_unique<httplib::Client>("127.0.0.1", port);
  r.client->set_keep_alive(true);
  r.client->set_read_timeout(600, 0);
  for (;;) {
    auto answered = QueryRange(*r.client, kQueries[0].expr, w);
    if (answered) break;
    if (r.server->Exited()) return Died(*r.server, "after the restart");
    if (Since(t0) > 1800) {
      return base::Status(base::StatusCode::kTimeout, "no answer after restart");
    }
    RETURN_IF_ERROR(Pause(milliseconds(100)));
  }
  m->first_query_s = Since(t0);
  ASSIGN_OR_RETURN(double idle, AwaitIdle(*r.server, o.settle_max_s, &g_interrupted));
  (void)idle;
  m->rss_restarted = Rss(*r.server);
  Log(name, "restart: ready after %.2f s, first query answered after %.2f s; RSS %.0f MiB",
      m->ready_s, m->first_query_s, static_cast<double>(m->rss_restarted) / 1048576.0);
  return base::Status::Ok();
}

ServerSpec Spec(const Options& o, const std::string& name) {
  if (name == "hestia") return {name, o.hestia, "/-/ready"};
  if (name == "prometheus") return {name, o.prometheus, "/-/ready"};
  return {name, o.victoria_metrics, "/health"};
}

// One server through steps 1-7 (`full`), or the start-up run: 1, 2, idle, 6, 7.
base::Status Run(const Options& o, const Fleet& fleet, const Window& w, const ServerSpec& spec,
                 const std::string& dir, bool full, ServerResult* m) {
  const std::string& name = spec.name;
  ASSIGN_OR_RETURN(int port, tools::FreePort());
  Log(name, "starting on 127.0.0.1:%d, data in %s/data", port, dir.c_str());
  ASSIGN_OR_RETURN(Running r, StartServer(fleet.series(), spec, dir, port));
  RETURN_IF_ERROR(Load(name, o, fleet, w, port, *r.server, m));
  if (name == "victoriametrics") {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(120, 0);
    (void)client.Get("/internal/force_flush");
  }
  // The restart's first query reads rate(x[5m]) over w's query range: the measured block's last
  // hour, or the newest hour of the start-up run's data (MakeWindow).
  if (full) {
    RETURN_IF_ERROR(Persist(name, o, w, port, dir + "/data", r, m));
    RETURN_IF_ERROR(TimeQueries(name, o, w, r, m));
  } else {
    ASSIGN_OR_RETURN(double idle, AwaitIdle(*r.server, o.settle_max_s, &g_interrupted));
    m->persist_s = idle;
    m->rss_persisted = Rss(*r.server);
    m->disk_all_bytes = DirectoryBytes(dir + "/data");
  }
  RETURN_IF_ERROR(Restart(name, o, spec, w, dir, r, m));
  const std::string stop = r.server->Stop(seconds(300));
  Log(name, "stopped (%s)", stop.c_str());
  return base::Status::Ok();
}

std::string Fixed(double v, int decimals) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string MiB(uint64_t bytes) { return Fixed(static_cast<double>(bytes) / 1048576.0, 0); }

void PrintResults(const Options& o, const Window& w, const std::vector<ServerResult>& results,
                  const std::vector<ServerResult>& startup,
                  const std::vector<KindEstimate>& estimate) {
  const double block_h =
      static_cast<double>(w.block_max_ms - w.block_min_ms) / static_cast<double>(kHourMs);
  std::printf("\nstorage_bench: %.3g h of 15 s samples in (B - %.3g h, B), B = %" PRId64
              " ms, %.3g %% of scrapes late; measured block [B - %.3g h, B - %.3g h) (%s); "
              "queries over [%" PRId64 ", %" PRId64 "] s, step 15 s, median of %" PRId64
              " runs after one warm-up\n",
              o.hours, o.hours, w.end_ms, o.late_percent, -w.HoursFromEnd(w.block_min_ms),
              -w.HoursFromEnd(w.block_max_ms),
              w.block_max_ms - w.block_min_ms == kBlockMs ? "the 2 h block cut from the head"
                                                          : "compacted from 2 h blocks",
              w.query_start_s, w.query_end_s, o.runs);
  for (const ServerResult& s : results) {
    if (!s.skipped.empty()) {
      std::printf("%s: %s\n", s.server.c_str(), s.skipped.c_str());
    } else {
      std::printf("%s counted: %s\n", s.server.c_str(), s.persisted_what.c_str());
    }
  }
  std::vector<std::vector<std::string>> rows = {
      {"server", "series", "samples", "load_s", "persist_s", "persisted_samples",
       "persisted_MiB", "B/sample", "index_B/sample", "blocks_B/sample", "disk_all_MiB",
       "rss_MiB", "rss_B/series", "ready_s", "first_query_s", "rss_restart_MiB",
       "rss_restart_B/series"}};
  for (const ServerResult& s : results) {
    if (!s.skipped.empty()) continue;
    const auto series = static_cast<double>(s.series);
    const bool blocks = s.server != "victoriametrics";
    rows.push_back({s.server, std::to_string(s.series), std::to_string(s.samples),
                    Fixed(s.load_s, 0), Fixed(s.persist_s, 0), std::to_string(s.persisted_samples),
                    MiB(s.persisted_bytes),
                    Fixed(static_cast<double>(s.persisted_bytes) /
                              static_cast<double>(s.persisted_samples),
                          3),
                    !blocks ? std::string("-")
                            : Fixed(static_cast<double>(s.persisted_index_bytes) /
                                        static_cast<double>(s.persisted_samples),
                                    3),
                    !blocks ? std::string("-")
                            : Fixed(static_cast<double>(s.blocks_bytes) /
                                        static_cast<double>(s.blocks_samples),
                                    3),
                    MiB(s.disk_all_bytes), MiB(s.rss_persisted),
                    Fixed(static_cast<double>(s.rss_persisted) / series, 0), Fixed(s.ready_s, 2),
                    Fixed(s.first_query_s, 2), MiB(s.rss_restarted),
                    Fixed(static_cast<double>(s.rss_restarted) / series, 0)});
  }
  PrintTable(rows, 1, o.markdown);

  std::vector<std::vector<std::string>> qrows = {{"query", "expr"}};
  for (const ServerResult& s : results) {
    if (s.skipped.empty()) qrows[0].push_back(s.server + "_ms");
  }
  for (size_t q = 0; q < kQueryCount; ++q) {
    std::vector<std::string> row = {kQueries[q].name, kQueries[q].expr};
    for (const ServerResult& s : results) {
      if (!s.skipped.empty()) continue;
      row.push_back(q < s.query_ms.size() ? Fixed(s.query_ms[q], 0) : "-");
    }
    qrows.push_back(row);
  }
  PrintTable(qrows, 2, o.markdown, 1);

  if (!estimate.empty()) {
    std::printf("\nchunkenc::EncodeBest over the measured block's %.3g h of the first %" PRIu64
                " series, chunks of at most %zu samples as the block writer cuts them, with "
                "their framing in the segment file (chunk bytes only, no index):\n",
                block_h, estimate.back().series, tsdb::block::kMaxChunkSamples);
    std::vector<std::vector<std::string>> erows = {
        {"kind", "series", "samples", "best_B/sample", "chunks", "packed_chunks"}};
    for (const KindEstimate& e : estimate) {
      erows.push_back({e.kind, std::to_string(e.series), std::to_string(e.samples),
                       Fixed(static_cast<double>(e.bytes) / static_cast<double>(e.samples), 3),
                       std::to_string(e.chunks), std::to_string(e.packed)});
    }
    PrintTable(erows, 1, o.markdown);
    for (const ServerResult& s : results) {
      if (s.server != "hestia" || !s.skipped.empty() || s.persisted_samples == 0) continue;
      const double other = static_cast<double>(s.persisted_bytes);
      const double samples = static_cast<double>(s.persisted_samples);
      const double index = static_cast<double>(s.persisted_index_bytes) / samples;
      const double best = static_cast<double>(estimate.back().bytes) /
                          static_cast<double>(estimate.back().samples);
      std::printf("hestia's measured block: %.3f B/sample, of which index %.3f; EncodeBest "
                  "estimate plus that index: %.3f + %.3f = %.3f B/sample\n",
                  other / samples, index, best, index, best + index);
    }
  }
  if (startup.empty()) return;
  std::printf("\nstart-up run: %.3g h of 15 s samples, idle, then restarted\n", o.startup_hours);
  std::vector<std::vector<std::string>> srows = {
      {"server", "series", "samples", "load_s", "disk_all_MiB", "rss_MiB", "rss_B/series",
       "ready_s", "first_query_s", "rss_restart_MiB", "rss_restart_B/series"}};
  for (const ServerResult& s : startup) {
    if (!s.skipped.empty()) {
      std::printf("%s: %s\n", s.server.c_str(), s.skipped.c_str());
      continue;
    }
    const auto series = static_cast<double>(s.series);
    srows.push_back({s.server, std::to_string(s.series), std::to_string(s.samples),
                     Fixed(s.load_s, 0), MiB(s.disk_all_bytes), MiB(s.rss_persisted),
                     Fixed(static_cast<double>(s.rss_persisted) / series, 0), Fixed(s.ready_s, 2),
                     Fixed(s.first_query_s, 2), MiB(s.rss_restarted),
                     Fixed(static_cast<double>(s.rss_restarted) / series, 0)});
  }
  PrintTable(srows, 1, o.markdown);
}

// Runs `names` through Run, one at a time, into `results`; returns the number that failed.
int RunAll(const Options& o, const std::vector<std::string>& names, uint64_t series,
           const Window& w, bool full, const std::string& tag, std::vector<ServerResult>* results) {
  int failures = 0;
  const Fleet fleet = Fleet::WithSeries(series, 1, /*with_gauges=*/true, o.late_percent);
  for (const std::string& name : names) {
    if (g_interrupted) break;
    results->push_back(ServerResult{});
    ServerResult& m = results->back();
    m.server = name;
    m.series = fleet.series();
    const ServerSpec spec = Spec(o, name);
    std::error_code ec;
    if (!fs::is_regular_file(spec.binary, ec) || access(spec.binary.c_str(), X_OK) != 0) {
      m.skipped = "SKIPPED: " + spec.binary + " is not an executable";
      Log(name, "%s", m.skipped.c_str());
      continue;
    }
    const std::string dir = o.work_dir + "/" + name + tag;
    fs::create_directories(dir);
    if (base::Status st = Run(o, fleet, w, spec, dir, full, &m); !st.ok()) {
      Log(name, "FAILED: %s", st.message().c_str());
      m.skipped = "FAILED: " + st.message().substr(0, st.message().find('\n')) + " (logs in " +
                  dir + ")";
      ++failures;
    }
    if (!o.keep) fs::remove_all(dir + "/data", ec);
  }
  return failures;
}

int Main(int argc, char** argv) {
  auto parsed = ParseOptions(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "storage_bench: %s\n", parsed.error().message().c_str());
    Usage();
    return 2;
  }
  Options o = std::move(parsed).value();
  HandleStopSignals();

  auto work_dir = MakeWorkDir(o.work_dir, "storage_bench");
  if (!work_dir) {
    std::fprintf(stderr, "storage_bench: %s\n", work_dir.error().message().c_str());
    return 1;
  }
  o.work_dir = work_dir->path;
  std::fprintf(stderr, "storage_bench: work dir %s\n", o.work_dir.c_str());
  std::vector<ServerResult> results;
  std::vector<ServerResult> startup;
  const Window w = MakeWindow(o.hours, NowMs());
  int failures = RunAll(o, o.servers, o.series, w, true, "", &results);
  if (o.startup_series > 0) {
    failures += RunAll(o, o.startup_servers, o.startup_series,
                       MakeWindow(o.startup_hours, NowMs()), false, "_startup", &startup);
  }
  std::vector<KindEstimate> estimate;
  if (o.estimate_series > 0 && !g_interrupted) {
    std::fprintf(stderr, "storage_bench: encoding the first %" PRIu64 " series with EncodeBest\n",
                 o.estimate_series);
    auto e = EstimateBest(o, w);
    if (e) {
      estimate = std::move(e).value();
    } else {
      std::fprintf(stderr, "storage_bench: estimate FAILED: %s\n", e.error().message().c_str());
      ++failures;
    }
  }
  PrintResults(o, w, results, startup, estimate);
  return FinishRun(*work_dir, o.keep, failures);
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) { return bench::Main(argc, argv); }

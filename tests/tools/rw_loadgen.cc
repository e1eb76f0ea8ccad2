// rw_loadgen: a Prometheus remote-write load generator. It plays a Prometheus server that scrapes
// --series series every --interval-ms and ships them with --concurrency shards, --batch samples
// per request, snappy-compressed protobuf, retrying 5xx and connection errors with backoff as
// Prometheus's queue manager does (storage/remote/queue_manager.go, sendWriteRequestWithBackoff).
//
// Usage and flags: see Usage() below and docs/performance.md.
//
// Shards own contiguous series ranges; a shard sends round r of its series in order before
// round r + 1, so every series' samples arrive in timestamp order, as from Prometheus.
// Every request that got a 2xx is appended to --ack-log as
//   ack round=R ts=T first=F count=C
// meaning: series F .. F+C-1 (indices of tools::SeriesModel with the same --series,
// --labels-per-series and --seed) each got one sample at timestamp T (ms). --dump-series writes
// "index {labels}" lines so that a checker needs no code of ours.

#include <httplib.h>
#include <signal.h>
#include <snappy.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/tools/flags.h"
#include "tests/tools/series_model.h"
#include "tests/tools/write_request_encoder.h"

namespace tools {
namespace {

using Clock = std::chrono::steady_clock;

// Set by SIGINT/SIGTERM; the only state a signal handler may touch.
volatile std::sig_atomic_t g_interrupted = 0;
void OnSignal(int) { g_interrupted = 1; }

enum class Pace { kFast, kRealtime };

struct Config {
  std::string url;
  std::string host_port;  // "http://127.0.0.1:9090"
  std::string path;       // "/api/v1/write"
  SeriesModel::Options model;
  int64_t interval_ms = 15000;
  int64_t rounds = -1;  // -1: until --duration-s
  int64_t first_round = 0;
  int64_t start_ts_ms = 0;
  Pace pace = Pace::kFast;
  uint64_t batch = 2000;
  int concurrency = 1;
  double duration_s = 0;
  std::string ack_log;
  std::string dump_series;
  int64_t max_retries = 10;
  double retry_until_s = 0;
  int64_t min_backoff_ms = 30;
  int64_t max_backoff_ms = 5000;
  double timeout_s = 30;
  double progress_s = 10;
  bool dry_run = false;
  bool quiet = false;
};

void Usage() {
  std::fprintf(stderr, R"(usage: rw_loadgen --url http://127.0.0.1:PORT/api/v1/write [flags]
  --series N              series to simulate (1000)
  --labels-per-series K   labels per series, 4..32 (8)
  --seed S                seed of label values and sample values (1)
  --interval-ms MS        timestamp step between rounds (15000)
  --rounds R              rounds (scrapes) to send (10, or unlimited with --duration-s)
  --first-round K         index of the first round sent (0); values continue from round K-1
  --start-ts-ms T         timestamp of round 0 (fast: rounds end near now; realtime: now)
  --pace fast|realtime    fast: rounds back to back; realtime: one round per interval (fast)
  --batch B               samples per request, Prometheus's max_samples_per_send (2000)
  --concurrency C         parallel senders, Prometheus's shards (1)
  --duration-s S          stop after S seconds (0: no limit); a request still being retried
                          then is given up and counted as failed
  --ack-log FILE          append "ack round= ts= first= count=" for every 2xx request
  --dump-series FILE      write "index {labels}" for every series, then run (--rounds 0: only dump)
  --max-retries N         retries of a request on 5xx or connection errors (10)
  --retry-until-s S       keep retrying a failing request for at least S seconds, whatever
                          --max-retries says (0); for crash tests that restart the server
  --min-backoff-ms MS     first retry delay, doubled up to --max-backoff-ms (30, 5000)
  --timeout-s S           per-attempt connect/read/write timeout (30)
  --progress-s S          progress line period on stderr, 0 for none (10)
  --dry-run               encode and compress only; measures the generator itself
  --quiet                 no progress lines
Exit status: 0 when the stop condition was reached (failures are counted, not fatal),
2 for bad flags, 1 when a file cannot be written, 130 when interrupted.
)");
}

base::Result<Config> ParseConfig(int argc, char** argv) {
  ASSIGN_OR_RETURN(Flags flags, Flags::Parse(argc, argv));
  Config c;
  ASSIGN_OR_RETURN(c.url, flags.String("url", ""));
  ASSIGN_OR_RETURN(int64_t series, flags.Int("series", 1000));
  ASSIGN_OR_RETURN(int64_t labels, flags.Int("labels-per-series", 8));
  ASSIGN_OR_RETURN(int64_t seed, flags.Int("seed", 1));
  ASSIGN_OR_RETURN(c.interval_ms, flags.Int("interval-ms", 15000));
  ASSIGN_OR_RETURN(c.duration_s, flags.Double("duration-s", 0));
  ASSIGN_OR_RETURN(c.rounds, flags.Int("rounds", c.duration_s > 0 ? -1 : 10));
  ASSIGN_OR_RETURN(c.first_round, flags.Int("first-round", 0));
  ASSIGN_OR_RETURN(int64_t start_ts, flags.Int("start-ts-ms", -1));
  ASSIGN_OR_RETURN(std::string pace, flags.String("pace", "fast"));
  ASSIGN_OR_RETURN(int64_t batch, flags.Int("batch", 2000));
  ASSIGN_OR_RETURN(int64_t concurrency, flags.Int("concurrency", 1));
  ASSIGN_OR_RETURN(c.ack_log, flags.String("ack-log", ""));
  ASSIGN_OR_RETURN(c.dump_series, flags.String("dump-series", ""));
  ASSIGN_OR_RETURN(c.max_retries, flags.Int("max-retries", 10));
  ASSIGN_OR_RETURN(c.retry_until_s, flags.Double("retry-until-s", 0));
  ASSIGN_OR_RETURN(c.min_backoff_ms, flags.Int("min-backoff-ms", 30));
  ASSIGN_OR_RETURN(c.max_backoff_ms, flags.Int("max-backoff-ms", 5000));
  ASSIGN_OR_RETURN(c.timeout_s, flags.Double("timeout-s", 30));
  ASSIGN_OR_RETURN(c.progress_s, flags.Double("progress-s", 10));
  ASSIGN_OR_RETURN(c.dry_run, flags.Bool("dry-run", false));
  ASSIGN_OR_RETURN(c.quiet, flags.Bool("quiet", false));
  ASSIGN_OR_RETURN(bool help, flags.Bool("help", false));
  RETURN_IF_ERROR(flags.Finish());
  if (help) return base::InvalidArgument("help requested");

  if (series <= 0) return base::InvalidArgument("--series must be positive");
  c.model.series = static_cast<uint64_t>(series);
  c.model.labels_per_series = static_cast<int>(labels);
  c.model.seed = static_cast<uint64_t>(seed);
  if (c.interval_ms <= 0) return base::InvalidArgument("--interval-ms must be positive");
  if (c.first_round < 0) return base::InvalidArgument("--first-round must be >= 0");
  if (c.rounds < -1) return base::InvalidArgument("--rounds must be >= 0");
  if (c.rounds == -1 && c.duration_s <= 0) {
    return base::InvalidArgument("give --rounds or --duration-s");
  }
  if (pace == "fast") {
    c.pace = Pace::kFast;
  } else if (pace == "realtime") {
    c.pace = Pace::kRealtime;
  } else {
    return base::InvalidArgument("--pace must be fast or realtime");
  }
  if (batch <= 0) return base::InvalidArgument("--batch must be positive");
  c.batch = static_cast<uint64_t>(batch);
  if (concurrency <= 0 || concurrency > 256) {
    return base::InvalidArgument("--concurrency must be in 1..256");
  }
  c.concurrency = static_cast<int>(concurrency);
  if (c.min_backoff_ms <= 0 || c.max_backoff_ms < c.min_backoff_ms) {
    return base::InvalidArgument("need 0 < --min-backoff-ms <= --max-backoff-ms");
  }
  if (c.max_retries < 0) return base::InvalidArgument("--max-retries must be >= 0");
  if (c.timeout_s <= 0) return base::InvalidArgument("--timeout-s must be positive");

  if (!c.dry_run && c.rounds != 0) {
    if (c.url.rfind("http://", 0) != 0) {
      return base::InvalidArgument("--url must be http://HOST:PORT/PATH");
    }
    const size_t slash = c.url.find('/', 7);
    c.host_port = c.url.substr(0, slash);
    c.path = slash == std::string::npos ? "/api/v1/write" : c.url.substr(slash);
  }

  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  if (start_ts >= 0) {
    c.start_ts_ms = start_ts;
  } else if (c.pace == Pace::kRealtime || c.rounds < 0) {
    c.start_ts_ms = now_ms - c.first_round * c.interval_ms;
  } else {
    c.start_ts_ms = now_ms - (c.first_round + std::max<int64_t>(c.rounds, 1) - 1) * c.interval_ms;
  }
  return c;
}

// Counters shared by all shards.
struct Stats {
  std::atomic<uint64_t> requests_ok{0};
  std::atomic<uint64_t> requests_failed{0};
  std::atomic<uint64_t> samples_ok{0};
  std::atomic<uint64_t> samples_failed{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> connection_errors{0};
  std::atomic<uint64_t> http_4xx{0};
  std::atomic<uint64_t> http_5xx{0};
  std::atomic<uint64_t> bytes_sent{0};
  std::atomic<int64_t> rounds_done{0};  // summed over shards

  std::mutex mu;
  std::map<std::string, uint64_t> errors;  // GUARDED_BY(mu): first line of each distinct error

  void RecordError(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    if (errors.size() < 20 || errors.count(what) != 0) ++errors[what];
  }
};

// AckLog appends one line per acknowledged request, flushed at once so that a checker sees every
// acknowledgement even if this process is killed right after. Thread-safe.
class AckLog {
 public:
  ~AckLog() {
    if (file_ != nullptr) std::fclose(file_);
  }
  base::Status Open(const std::string& path) {
    file_ = std::fopen(path.c_str(), "a");
    if (file_ == nullptr) return base::ErrnoError("open ack log " + path);
    return base::Status::Ok();
  }
  void Ack(int64_t round, int64_t ts, uint64_t first, uint64_t count) {
    if (file_ == nullptr) return;
    std::lock_guard<std::mutex> lock(mu_);
    std::fprintf(file_,
                 "ack round=%" PRId64 " ts=%" PRId64 " first=%" PRIu64 " count=%" PRIu64 "\n",
                 round, ts, first, count);
    std::fflush(file_);
  }

 private:
  std::mutex mu_;
  std::FILE* file_ = nullptr;
};

struct Context {
  const Config& config;
  const SeriesModel& model;
  const WriteRequestEncoder& encoder;
  Stats& stats;
  AckLog& ack_log;
  Clock::time_point deadline;  // time_point::max() without --duration-s

  bool Interrupted() const { return g_interrupted != 0; }
  bool Stopped() const { return Interrupted() || Clock::now() >= deadline; }
};

// Sleeps up to `d`, waking early on interruption or at the --duration-s deadline.
void InterruptibleSleep(const Context& ctx, std::chrono::milliseconds d) {
  const auto until = Clock::now() + d;
  while (!ctx.Stopped()) {
    const auto now = Clock::now();
    if (now >= until) return;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(until - now, std::chrono::milliseconds(50)));
  }
}

std::string FirstLine(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  if (line.size() > 200) line.resize(200);
  return line;
}

// One shard: its own connection, value state for series [lo, hi), rounds in order.
class Shard {
 public:
  Shard(const Context& ctx, uint64_t lo, uint64_t hi) : ctx_(ctx), lo_(lo), hi_(hi) {}

  void Run() {
    const Config& c = ctx_.config;
    if (!c.dry_run) {
      client_ = std::make_unique<httplib::Client>(c.host_port);
      client_->set_keep_alive(true);
      // Without it, Nagle's algorithm and delayed ACKs stall every keep-alive request ~40 ms.
      client_->set_tcp_nodelay(true);
      const auto sec = static_cast<time_t>(c.timeout_s);
      const auto usec = static_cast<time_t>((c.timeout_s - static_cast<double>(sec)) * 1e6);
      client_->set_connection_timeout(sec, usec);
      client_->set_read_timeout(sec, usec);
      client_->set_write_timeout(sec, usec);
    }
    values_.resize(hi_ - lo_);
    for (uint64_t i = lo_; i < hi_; ++i) values_[i - lo_] = ctx_.model.InitialValue(i);
    for (int64_t r = 1; r <= c.first_round; ++r) Advance(r);

    for (int64_t n = 0; c.rounds < 0 || n < c.rounds; ++n) {
      const int64_t round = c.first_round + n;
      if (n > 0) Advance(round);
      const int64_t ts = c.start_ts_ms + round * c.interval_ms;
      if (c.pace == Pace::kRealtime) WaitForWallClock(ts);
      for (uint64_t first = lo_; first < hi_; first += c.batch) {
        if (ctx_.Stopped()) return;
        const uint64_t count = std::min<uint64_t>(c.batch, hi_ - first);
        ctx_.encoder.EncodeSlice(first, count, ts, &values_[first - lo_], &raw_);
        snappy::Compress(raw_.data(), raw_.size(), &compressed_);
        Send(round, ts, first, count);
      }
      ctx_.stats.rounds_done.fetch_add(1, std::memory_order_relaxed);
    }
  }

 private:
  void Advance(int64_t round) {
    for (uint64_t i = lo_; i < hi_; ++i) {
      values_[i - lo_] = ctx_.model.NextValue(i, round, values_[i - lo_]);
    }
  }

  void WaitForWallClock(int64_t ts_ms) {
    for (;;) {
      const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
      if (now_ms >= ts_ms || ctx_.Stopped()) return;
      InterruptibleSleep(ctx_, std::chrono::milliseconds(std::min<int64_t>(ts_ms - now_ms, 200)));
    }
  }

  void Succeed(int64_t round, int64_t ts, uint64_t first, uint64_t count) {
    ctx_.stats.requests_ok.fetch_add(1, std::memory_order_relaxed);
    ctx_.stats.samples_ok.fetch_add(count, std::memory_order_relaxed);
    ctx_.ack_log.Ack(round, ts, first, count);
  }

  void Fail(uint64_t count) {
    ctx_.stats.requests_failed.fetch_add(1, std::memory_order_relaxed);
    ctx_.stats.samples_failed.fetch_add(count, std::memory_order_relaxed);
  }

  // Sends compressed_ until it is acknowledged, rejected with a non-retryable status, or the
  // retry budget (--max-retries, --retry-until-s), the --duration-s deadline or an interruption
  // ends it; a request given up is counted as failed (and is not in the ack log).
  void Send(int64_t round, int64_t ts, uint64_t first, uint64_t count) {
    const Config& c = ctx_.config;
    if (c.dry_run) {
      ctx_.stats.bytes_sent.fetch_add(compressed_.size(), std::memory_order_relaxed);
      Succeed(round, ts, first, count);
      return;
    }
    static const httplib::Headers kHeaders = {
        {"Content-Encoding", "snappy"},
        {"X-Prometheus-Remote-Write-Version", "0.1.0"},
        {"User-Agent", "hestia-rw-loadgen/0.1"},
    };
    const auto started = Clock::now();
    int64_t backoff_ms = c.min_backoff_ms;
    for (int64_t attempt = 0;; ++attempt) {
      auto res = client_->Post(c.path, kHeaders, compressed_.data(), compressed_.size(),
                               "application/x-protobuf");
      ctx_.stats.bytes_sent.fetch_add(compressed_.size(), std::memory_order_relaxed);
      if (res) {
        const int status = res->status;
        if (status >= 200 && status < 300) {
          Succeed(round, ts, first, count);
          return;
        }
        ctx_.stats.RecordError("HTTP " + std::to_string(status) + ": " + FirstLine(res->body));
        if (status < 500) {
          // 4xx (429 included, as Prometheus without retry_on_http_429): not retried.
          if (status >= 400) ctx_.stats.http_4xx.fetch_add(1, std::memory_order_relaxed);
          Fail(count);
          return;
        }
        ctx_.stats.http_5xx.fetch_add(1, std::memory_order_relaxed);
      } else {
        ctx_.stats.connection_errors.fetch_add(1, std::memory_order_relaxed);
        ctx_.stats.RecordError("connection: " + httplib::to_string(res.error()));
      }
      const double tried_s = std::chrono::duration<double>(Clock::now() - started).count();
      const bool budget_left = attempt < c.max_retries || tried_s < c.retry_until_s;
      if (!budget_left || ctx_.Stopped()) {
        Fail(count);
        return;
      }
      ctx_.stats.retries.fetch_add(1, std::memory_order_relaxed);
      InterruptibleSleep(ctx_, std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min(backoff_ms * 2, c.max_backoff_ms);
    }
  }

  const Context& ctx_;
  const uint64_t lo_;
  const uint64_t hi_;
  std::unique_ptr<httplib::Client> client_;
  std::vector<double> values_;  // values_[i - lo_]: series i at the current round
  std::string raw_;
  std::string compressed_;
};

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

base::Status DumpSeries(const SeriesModel& model, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return base::ErrnoError("open " + path);
  for (uint64_t i = 0; i < model.series(); ++i) {
    std::fprintf(f, "%" PRIu64 " %s\n", i, model.LabelsText(i).c_str());
  }
  if (std::fclose(f) != 0) return base::ErrnoError("write " + path);
  return base::Status::Ok();
}

void PrintProgress(const Stats& s, double elapsed_s) {
  const uint64_t ok = s.samples_ok.load();
  std::fprintf(stderr,
               "progress elapsed_s=%.1f samples_ok=%" PRIu64
               " samples_per_s=%.0f failed_requests=%" PRIu64 " retries=%" PRIu64
               " connection_errors=%" PRIu64 "\n",
               elapsed_s, ok, elapsed_s > 0 ? static_cast<double>(ok) / elapsed_s : 0.0,
               s.requests_failed.load(), s.retries.load(), s.connection_errors.load());
}

int Main(int argc, char** argv) {
  auto config = ParseConfig(argc, argv);
  if (!config) {
    std::fprintf(stderr, "rw_loadgen: %s\n", config.error().message().c_str());
    Usage();
    return 2;
  }
  const Config& c = *config;
  auto model = SeriesModel::Create(c.model);
  if (!model) {
    std::fprintf(stderr, "rw_loadgen: %s\n", model.error().message().c_str());
    return 2;
  }
  if (!c.dump_series.empty()) {
    if (auto st = DumpSeries(*model, c.dump_series); !st.ok()) {
      std::fprintf(stderr, "rw_loadgen: %s\n", st.message().c_str());
      return 1;
    }
  }
  if (c.rounds == 0) return 0;

  signal(SIGPIPE, SIG_IGN);  // a server killed mid-request must not kill us
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);

  AckLog ack_log;
  if (!c.ack_log.empty()) {
    if (auto st = ack_log.Open(c.ack_log); !st.ok()) {
      std::fprintf(stderr, "rw_loadgen: %s\n", st.message().c_str());
      return 1;
    }
  }

  const double cpu_before_encode = CpuSeconds();
  const WriteRequestEncoder encoder(*model);
  Stats stats;
  const auto started = Clock::now();
  Context ctx{c,
              *model,
              encoder,
              stats,
              ack_log,
              c.duration_s > 0 ? started + std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(c.duration_s))
                               : Clock::time_point::max()};
  if (!c.quiet) {
    std::fprintf(stderr,
                 "rw_loadgen: %s series=%" PRIu64 " labels=%d shards=%d batch=%" PRIu64
                 " rounds=%" PRId64 " first_round=%" PRId64 " start_ts_ms=%" PRId64 " pace=%s%s\n",
                 c.dry_run ? "dry run" : c.url.c_str(), c.model.series, c.model.labels_per_series,
                 c.concurrency, c.batch, c.rounds, c.first_round, c.start_ts_ms,
                 c.pace == Pace::kFast ? "fast" : "realtime",
                 c.pace == Pace::kFast && c.rounds < 0
                     ? " (no --rounds: timestamps run ahead of the wall clock)"
                     : "");
  }

  std::vector<std::unique_ptr<Shard>> shards;
  std::vector<std::thread> threads;
  std::atomic<int> running{c.concurrency};
  for (int k = 0; k < c.concurrency; ++k) {
    const uint64_t lo =
        c.model.series * static_cast<uint64_t>(k) / static_cast<uint64_t>(c.concurrency);
    const uint64_t hi =
        c.model.series * static_cast<uint64_t>(k + 1) / static_cast<uint64_t>(c.concurrency);
    shards.push_back(std::make_unique<Shard>(ctx, lo, hi));
    threads.emplace_back([&running, shard = shards.back().get()] {
      shard->Run();
      running.fetch_sub(1);
    });
  }
  auto next_progress = started + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(c.progress_s));
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!c.quiet && c.progress_s > 0 && Clock::now() >= next_progress) {
      PrintProgress(stats, std::chrono::duration<double>(Clock::now() - started).count());
      next_progress +=
          std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(c.progress_s));
    }
  }
  for (auto& t : threads) t.join();

  const double elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();
  const double cpu_s = CpuSeconds() - cpu_before_encode;
  {
    std::lock_guard<std::mutex> lock(stats.mu);
    for (const auto& [what, n] : stats.errors) {
      std::fprintf(stderr, "rw_loadgen: error x%" PRIu64 ": %s\n", n, what.c_str());
    }
  }
  const uint64_t ok = stats.samples_ok.load();
  std::printf("summary requests_ok=%" PRIu64 " requests_failed=%" PRIu64 " samples_ok=%" PRIu64
              " samples_failed=%" PRIu64 " retries=%" PRIu64 " connection_errors=%" PRIu64
              " http_4xx=%" PRIu64 " http_5xx=%" PRIu64 " bytes_sent=%" PRIu64
              " elapsed_s=%.3f samples_per_s=%.0f client_cpu_s=%.3f"
              " interrupted=%d\n",
              stats.requests_ok.load(), stats.requests_failed.load(), ok,
              stats.samples_failed.load(), stats.retries.load(), stats.connection_errors.load(),
              stats.http_4xx.load(), stats.http_5xx.load(), stats.bytes_sent.load(), elapsed_s,
              elapsed_s > 0 ? static_cast<double>(ok) / elapsed_s : 0.0, cpu_s,
              g_interrupted != 0 ? 1 : 0);
  std::fflush(stdout);
  return g_interrupted != 0 ? 130 : 0;
}

}  // namespace
}  // namespace tools

int main(int argc, char** argv) { return tools::Main(argc, argv); }

#include "bench/query_bench_fleet.h"

#include <httplib.h>
#include <snappy.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "tests/tools/write_request_encoder.h"

namespace bench {
namespace {

// splitmix64's finaliser: a well-mixed 64-bit hash of x.
uint64_t Hash64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Per-instance constants, drawn from stream numbers of their own (round -1).
constexpr uint64_t kStreamCounterRate = 1;
constexpr uint64_t kStreamRequestRate = 2;
constexpr uint64_t kStreamMedian = 3;
constexpr uint64_t kStreamStart = 4;
constexpr uint64_t kStreamOffset = 8;
// Per-round draws.
constexpr uint64_t kStreamCounterStep = 5;
constexpr uint64_t kStreamRequests = 6;
constexpr uint64_t kStreamMedianJitter = 7;
// The gauges: per-instance starts, then per-round steps.
constexpr uint64_t kStreamMemStart = 9;
constexpr uint64_t kStreamTempStart = 10;
constexpr uint64_t kStreamDiskSize = 11;
constexpr uint64_t kStreamDiskUsed = 12;
constexpr uint64_t kStreamMemStep = 13;
constexpr uint64_t kStreamTempStep = 14;
constexpr uint64_t kStreamDiskWrite = 15;
constexpr uint64_t kStreamDiskGrowth = 16;
constexpr uint64_t kStreamLate = 17;

constexpr double kPage = 4096;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;

constexpr double kRoundSeconds = Fleet::kIntervalMs / 1000.0;
constexpr double kShape = 2.5;  // of the log-logistic latency distribution

// Upper bounds of Fleet::kLe, +Inf last.
constexpr std::array<double, Fleet::kBuckets> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                         0.25,  0.5,  1,     2.5,  INFINITY};

// Adds `n` observations with median latency `median_s` to the cumulative bucket counts
// values[1 .. kBuckets].
void Observe(double n, double median_s, Fleet::Values* values) {
  for (int b = 0; b < Fleet::kBuckets; ++b) {
    const double bound = kBounds[static_cast<size_t>(b)];
    const double cdf = std::isinf(bound) ? 1.0 : 1.0 / (1.0 + std::pow(median_s / bound, kShape));
    (*values)[static_cast<size_t>(1 + b)] += std::round(n * cdf);
  }
}

}  // namespace

Fleet Fleet::WithSeries(uint64_t min_series, uint64_t seed, bool with_gauges,
                        double late_percent) {
  const uint64_t per = with_gauges ? kMaxSeriesPerInstance : kSeriesPerInstance;
  return Fleet((min_series + per - 1) / per, seed, with_gauges, late_percent);
}

double Fleet::Uniform(uint64_t instance, int64_t round, uint64_t stream) const {
  uint64_t h = Hash64(seed_ * 0x9e3779b97f4a7c15ull + instance);
  h = Hash64(h ^ (static_cast<uint64_t>(round) * 0xd6e8feb86659fd93ull));
  h = Hash64(h + stream);
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

std::vector<std::pair<std::string, std::string>> Fleet::Labels(uint64_t instance, int k) const {
  char host[32];
  std::snprintf(host, sizeof(host), "host-%05llu:9100", static_cast<unsigned long long>(instance));
  std::string job(kJobs[instance % kJobs.size()]);
  if (k >= kSeriesPerInstance) {
    return {{"__name__", std::string(kGaugeNames[static_cast<size_t>(k - kSeriesPerInstance)])},
            {"instance", host},
            {"job", std::move(job)}};
  }
  if (k == 0) return {{"__name__", "x"}, {"instance", host}, {"job", std::move(job)}};
  return {{"__name__", "x_bucket"},
          {"instance", host},
          {"job", std::move(job)},
          {"le", std::string(kLe[static_cast<size_t>(k - 1)])}};
}

int64_t Fleet::OffsetMs(uint64_t instance) const {
  return 1 + static_cast<int64_t>(Uniform(instance, -1, kStreamOffset) * (kIntervalMs - 1));
}

int64_t Fleet::LateMs(uint64_t instance, int64_t round) const {
  if (late_fraction_ <= 0) return 0;
  const double u = Uniform(instance, round, kStreamLate);
  if (u >= late_fraction_) return 0;
  const double v = u / late_fraction_;  // uniform in [0, 1) again
  if (v < 0.1) return 11 + static_cast<int64_t>(v * 10 * 190);
  return 3 + static_cast<int64_t>((v - 0.1) / 0.9 * 8);
}

Fleet::Values Fleet::Initial(uint64_t instance) const {
  Values v{};
  // As if the process had been up for up to a day (counter) or an hour (histogram).
  const double up = Uniform(instance, -1, kStreamStart);
  v[0] =
      std::round((1 + 99 * Uniform(instance, -1, kStreamCounterRate)) * 86400 * up * 1000) / 1000;
  const double rps = 1 + 49 * Uniform(instance, -1, kStreamRequestRate);
  const double median_s = 0.01 * std::pow(50.0, Uniform(instance, -1, kStreamMedian));
  Observe(std::round(rps * 3600 * up), median_s, &v);
  if (with_gauges_) {
    const size_t g = kSeriesPerInstance;
    const double mem = 64 * kMiB + (4 * kGiB - 64 * kMiB) * Uniform(instance, -1, kStreamMemStart);
    v[g] = std::round(mem / kPage) * kPage;
    v[g + 1] = std::round(350 + 400 * Uniform(instance, -1, kStreamTempStart)) / 10;
    const double size = DiskSizeBytes(instance);
    v[g + 2] = std::round(size * (0.1 + 0.8 * Uniform(instance, -1, kStreamDiskUsed)) / kPage) *
               kPage / size;
  }
  return v;
}

double Fleet::DiskSizeBytes(uint64_t instance) const {
  return std::round(20 * kGiB * std::pow(100.0, Uniform(instance, -1, kStreamDiskSize)) / kPage) *
         kPage;
}

void Fleet::Advance(uint64_t instance, int64_t round, Values* values) const {
  const double rate = 1 + 99 * Uniform(instance, -1, kStreamCounterRate);
  const double step = rate * kRoundSeconds * (0.5 + Uniform(instance, round, kStreamCounterStep));
  // Millisecond resolution, as a duration counter in seconds would have.
  (*values)[0] += std::round(step * 1000) / 1000;
  const double rps = 1 + 49 * Uniform(instance, -1, kStreamRequestRate);
  const double n =
      std::round(rps * kRoundSeconds * (0.5 + Uniform(instance, round, kStreamRequests)));
  const double median_s = 0.01 * std::pow(50.0, Uniform(instance, -1, kStreamMedian)) *
                          (0.8 + 0.4 * Uniform(instance, round, kStreamMedianJitter));
  Observe(n, median_s, values);
  if (with_gauges_) {
    const size_t g = kSeriesPerInstance;
    double& mem = (*values)[g];
    mem += std::round(256 * (2 * Uniform(instance, round, kStreamMemStep) - 1)) * kPage;
    mem = std::max(mem, 16 * kMiB);
    double& temp = (*values)[g + 1];
    temp = std::round((temp + 0.6 * Uniform(instance, round, kStreamTempStep) - 0.3) * 10) / 10;
    temp = std::clamp(temp, 20.0, 95.0);
    // used and size are whole pages below 2^42, so used = ratio * size rounds back exactly.
    const double size = DiskSizeBytes(instance);
    double used = std::round((*values)[g + 2] * size / kPage) * kPage;
    if (Uniform(instance, round, kStreamDiskWrite) < 0.25) {
      used += std::round(64 * kMiB * Uniform(instance, round, kStreamDiskGrowth) / kPage) * kPage;
    }
    (*values)[g + 2] = std::min(used, size) / size;
  }
}

namespace {

// Counters shared by the senders of one LoadFleet call.
struct SharedStats {
  std::atomic<uint64_t> samples_ok{0};
  std::atomic<uint64_t> samples_failed{0};
  std::atomic<uint64_t> requests{0};
  std::mutex mu;
  std::string first_error;  // GUARDED_BY(mu)

  void Error(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    if (first_error.empty()) first_error = what.substr(0, 300);
  }
};

// One sender: instances [lo, hi), window after window, meeting the others at `barrier` after
// each window. Arrives at the barrier once per window even when stopped, so no sender waits for
// one that has left.
class Sender {
 public:
  Sender(const Fleet& fleet, const LoadOptions& options, uint64_t lo, uint64_t hi,
         std::barrier<>& barrier, const std::function<bool()>& cancelled, SharedStats& stats)
      : fleet_(fleet),
        options_(options),
        lo_(lo),
        hi_(hi),
        barrier_(barrier),
        cancelled_(cancelled),
        stats_(stats) {}

  void Run() {
    client_ = std::make_unique<httplib::Client>(options_.host, options_.port);
    client_->set_keep_alive(true);
    client_->set_tcp_nodelay(true);
    const auto timeout = static_cast<time_t>(options_.timeout_s);
    client_->set_connection_timeout(timeout, 0);
    client_->set_read_timeout(timeout, 0);
    client_->set_write_timeout(timeout, 0);

    std::vector<std::vector<std::pair<std::string, std::string>>> labels;
    const auto per = static_cast<size_t>(fleet_.series_per_instance());
    labels.reserve((hi_ - lo_) * per);
    std::vector<Fleet::Values> values;
    values.reserve(hi_ - lo_);
    for (uint64_t i = lo_; i < hi_; ++i) {
      for (size_t k = 0; k < per; ++k) labels.push_back(fleet_.Labels(i, static_cast<int>(k)));
      values.push_back(fleet_.Initial(i));
    }
    std::vector<std::vector<tools::EncodedSample>> samples(per);

    for (int64_t first = 0; first < options_.rounds; first += options_.rounds_per_request) {
      const int64_t end = std::min(options_.rounds, first + options_.rounds_per_request);
      for (uint64_t i = lo_; i < hi_ && !stopped_; ++i) {
        for (auto& s : samples) s.clear();
        Fleet::Values& v = values[i - lo_];
        const int64_t t0 = options_.first_ts_ms - fleet_.OffsetMs(i);
        for (int64_t r = first; r < end; ++r) {
          if (r > 0) fleet_.Advance(i, r, &v);
          const int64_t ts = t0 + r * Fleet::kIntervalMs + fleet_.LateMs(i, r);
          for (size_t k = 0; k < samples.size(); ++k) samples[k].push_back({ts, v[k]});
        }
        for (size_t k = 0; k < samples.size(); ++k) {
          tools::AppendTimeSeries(labels[(i - lo_) * per + k], samples[k],
                                  &raw_);
          pending_ += samples[k].size();
        }
        if (pending_ >= options_.samples_per_request) Flush();
      }
      Flush();
      barrier_.arrive_and_wait();
    }
  }

 private:
  // Sends what raw_ holds, retrying 5xx and connection errors up to max_retries times.
  void Flush() {
    if (pending_ == 0) return;
    if (!stopped_ && cancelled_()) stopped_ = true;
    if (stopped_) {
      raw_.clear();
      pending_ = 0;
      return;
    }
    snappy::Compress(raw_.data(), raw_.size(), &compressed_);
    static const httplib::Headers kHeaders = {
        {"Content-Encoding", "snappy"},
        {"X-Prometheus-Remote-Write-Version", "0.1.0"},
    };
    bool ok = false;
    auto backoff = std::chrono::milliseconds(50);
    for (int attempt = 0; attempt <= options_.max_retries && !ok; ++attempt) {
      if (attempt > 0) {
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
      }
      auto res = client_->Post(options_.path, kHeaders, compressed_.data(), compressed_.size(),
                               "application/x-protobuf");
      stats_.requests.fetch_add(1, std::memory_order_relaxed);
      if (!res) {
        stats_.Error("connection: " + httplib::to_string(res.error()));
        continue;
      }
      if (res->status >= 200 && res->status < 300) {
        ok = true;
      } else {
        stats_.Error("HTTP " + std::to_string(res->status) + ": " + res->body);
        if (res->status < 500) break;
      }
    }
    (ok ? stats_.samples_ok : stats_.samples_failed).fetch_add(pending_, std::memory_order_relaxed);
    raw_.clear();
    pending_ = 0;
  }

  const Fleet& fleet_;
  const LoadOptions& options_;
  const uint64_t lo_;
  const uint64_t hi_;
  std::barrier<>& barrier_;
  const std::function<bool()>& cancelled_;
  SharedStats& stats_;
  std::unique_ptr<httplib::Client> client_;
  std::string raw_;  // encoded TimeSeries not yet sent
  std::string compressed_;
  uint64_t pending_ = 0;  // samples in raw_
  bool stopped_ = false;
};

}  // namespace

base::Result<LoadStats> LoadFleet(const Fleet& fleet, const LoadOptions& options,
                                  const std::function<bool()>& cancelled) {
  if (options.concurrency < 1 || options.rounds < 1 || options.rounds_per_request < 1) {
    return base::InvalidArgument("concurrency, rounds and rounds per request must be positive");
  }
  const auto senders = static_cast<uint64_t>(options.concurrency);
  SharedStats stats;
  std::barrier<> barrier(static_cast<std::ptrdiff_t>(senders));
  std::vector<std::unique_ptr<Sender>> shards;
  for (uint64_t k = 0; k < senders; ++k) {
    shards.push_back(std::make_unique<Sender>(fleet, options, fleet.instances() * k / senders,
                                              fleet.instances() * (k + 1) / senders, barrier,
                                              cancelled, stats));
  }
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (auto& s : shards) threads.emplace_back([sender = s.get()] { sender->Run(); });
  for (auto& t : threads) t.join();
  if (cancelled()) return base::Status(base::StatusCode::kCanceled, "interrupted");

  LoadStats out;
  out.samples_ok = stats.samples_ok.load();
  out.samples_failed = stats.samples_failed.load();
  out.requests = stats.requests.load();
  out.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out.first_error = stats.first_error;
  return out;
}

}  // namespace bench

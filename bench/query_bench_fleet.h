// The data set of query_bench: a fleet of instances, each exposing one counter `x` and one
// classic histogram `x_bucket`, and the remote-write loader that backfills it into a server,
// oldest samples first. Figures and how to run: docs/performance.md, "PromQL query latency".
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace bench {

// Fleet maps instance i in [0, instances) to series_per_instance() series:
//   x{instance="host-NNNNN:9100", job=J}                 a fractional counter
//   x_bucket{instance=..., job=J, le=B}, B in kLe        the cumulative buckets of a histogram
// and, in a fleet made `with_gauges` (storage_bench), kGauges gauges more:
//   mem_bytes{instance=..., job=J}          resident bytes: a random walk in whole 4 KiB pages
//   temp_celsius{instance=..., job=J}       a temperature with one decimal, a random walk
//   disk_used_ratio{instance=..., job=J}    used / size of a disk whose used bytes change in
//                                           about a quarter of the rounds (a full-precision ratio)
// J is one of kJobs.size() jobs, i % kJobs.size(). Series k of instance i has index
// i * series_per_instance() + k: k = 0 is x, k = 1 + b is bucket b, k = kSeriesPerInstance + g
// is gauge g.
// Instances are scraped every kIntervalMs, each at its own offset within the interval, as
// Prometheus spreads its targets: round r of instance i has timestamp
// t0 + r * kIntervalMs - OffsetMs(i) + LateMs(i, r) (LateMs is 0 unless the fleet is made with
// late scrapes). So no sample sits on a query step, where Prometheus 2 (range [t - 5m, t]) and
// Prometheus 3 (range (t - 5m, t]) would select different samples.
//
// Values are a pure function of (seed, instance, round); counters and buckets only increase:
//   x grows by rate * 15 s * U(0.5, 1.5) per 15 s round, rate fixed per instance in [1, 100]/s;
//   the histogram counts n = round(rps * 15 s * U(0.5, 1.5)) observations per round, rps fixed
//   per instance in [1, 50]/s, spread over the buckets by a log-logistic latency distribution
//   whose median (10 ms .. 500 ms per instance) wanders by +-20 % per round; bucket b gains
//   round(n * F(le_b)), so buckets stay cumulative (+Inf gains n).
// The gauges (U(a, b) drawn per round): mem_bytes starts at 64 MiB .. 4 GiB and moves by
//   U(-256, 256) pages, kept at 16 MiB at least; temp_celsius starts at 35.0 .. 75.0 and moves by
//   U(-0.3, 0.3), kept in [20, 95], rounded to 0.1; disk_used_ratio is used / size, size 20 GiB ..
//   2 TiB, used 10 % .. 90 % of it, used growing by U(0, 64) MiB in 25 % of the rounds.
// Thread-safe: immutable after construction.
class Fleet {
 public:
  static constexpr std::array<std::string_view, 10> kJobs = {
      "api-gateway", "checkout", "payments",  "catalog",  "search",
      "auth",        "orders",   "inventory", "shipping", "frontend"};
  static constexpr std::array<std::string_view, 10> kLe = {
      "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"};
  static constexpr int kBuckets = static_cast<int>(kLe.size());
  // Series per instance without gauges (query_bench's fleet).
  static constexpr int kSeriesPerInstance = 1 + kBuckets;
  static constexpr std::array<std::string_view, 3> kGaugeNames = {"mem_bytes", "temp_celsius",
                                                                  "disk_used_ratio"};
  static constexpr int kGauges = static_cast<int>(kGaugeNames.size());
  static constexpr int kMaxSeriesPerInstance = kSeriesPerInstance + kGauges;
  static constexpr int64_t kIntervalMs = 15000;

  // The smallest fleet with at least `min_series` series. REQUIRES: min_series > 0,
  // 0 <= late_percent <= 100.
  static Fleet WithSeries(uint64_t min_series, uint64_t seed, bool with_gauges = false,
                          double late_percent = 0);

  uint64_t instances() const { return instances_; }
  int series_per_instance() const {
    return with_gauges_ ? kMaxSeriesPerInstance : kSeriesPerInstance;
  }
  uint64_t series() const { return instances_ * static_cast<uint64_t>(series_per_instance()); }

  // The labels of series k of `instance`, sorted by name. REQUIRES: k < series_per_instance().
  std::vector<std::pair<std::string, std::string>> Labels(uint64_t instance, int k) const;

  // The scrape offset of `instance`, in [1, kIntervalMs): never 0, so never on a step.
  int64_t OffsetMs(uint64_t instance) const;
  // How late round `round` of `instance` was scraped, added to its timestamp: 0 in a fleet made
  // with late_percent 0 (query_bench's: every sample exactly on its instance's 15 s grid).
  // Otherwise late_percent % of the rounds are 3-10 ms late, one in ten of those 11-200 ms,
  // the rest on the grid (as Prometheus aligns scrapes up to 2 ms late onto it).
  int64_t LateMs(uint64_t instance, int64_t round) const;

  // The values of one instance's series at one round: values[k] is series k (entries from
  // series_per_instance() on are unused).
  using Values = std::array<double, kMaxSeriesPerInstance>;
  Values Initial(uint64_t instance) const;
  // Moves `values` from round - 1 to `round`. REQUIRES: round >= 1.
  void Advance(uint64_t instance, int64_t round, Values* values) const;

 private:
  Fleet(uint64_t instances, uint64_t seed, bool with_gauges, double late_percent)
      : instances_(instances),
        seed_(seed),
        with_gauges_(with_gauges),
        late_fraction_(late_percent / 100) {}
  // A uniform double in [0, 1) from (seed, instance, round, stream).
  double Uniform(uint64_t instance, int64_t round, uint64_t stream) const;
  // The size of the disk of disk_used_ratio, whole pages.
  double DiskSizeBytes(uint64_t instance) const;

  uint64_t instances_;
  uint64_t seed_;
  bool with_gauges_;
  double late_fraction_;
};

struct LoadOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/api/v1/write";
  int64_t first_ts_ms = 0;  // t0: round r of instance i is at t0 + r * 15 s - OffsetMs(i)
  int64_t rounds = 241;
  // Rounds a request carries per series. All senders finish a window of this many rounds
  // before any starts the next, so the newest timestamp a server has seen is never more than
  // one window ahead of what it is sent (Prometheus rejects samples older than its newest
  // minus one hour as out of bounds).
  int64_t rounds_per_request = 20;
  uint64_t samples_per_request = 10000;  // a request is sent once it holds this many samples
  int concurrency = 2;
  int max_retries = 3;  // of a request that got a 5xx or a connection error
  double timeout_s = 60;
};

struct LoadStats {
  uint64_t samples_ok = 0;
  uint64_t samples_failed = 0;
  uint64_t requests = 0;
  double elapsed_s = 0;
  std::string first_error;  // empty when nothing failed
};

// Sends rounds [0, options.rounds) of every series of `fleet` by remote write (snappy-compressed
// prometheus.WriteRequest, one TimeSeries per series and window, samples in time order), with
// options.concurrency senders that each own a contiguous range of instances. Failed requests are
// counted, not fatal. `cancelled` is polled between requests; once it returns true the senders
// stop sending. Returns kCanceled when cancelled, else the counts.
base::Result<LoadStats> LoadFleet(const Fleet& fleet, const LoadOptions& options,
                                  const std::function<bool()>& cancelled);

}  // namespace bench

// SeriesModel: a deterministic synthetic population of series as a fleet of scraped services
// exposes them, for the remote-write load generator and the tests that check what it sent.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace tools {

// How a series' value moves from one scrape to the next.
enum class ValueKind {
  kCounterInt,    // increases by random whole increments (requests, bucket counts)
  kCounterFloat,  // increases by random fractional increments (_sum of durations)
  kGaugeInt,      // random walk on whole numbers, never below 0 (in-flight requests)
  kGaugeBytes,    // random walk in steps of 4096 (memory)
  kGaugeRatio,    // random walk within [0, 1]
  kConstant,      // always 1 (build_info)
};

// SeriesModel maps a series index in [0, series) to a label set and a value sequence.
// Everything is a pure function of (index, round, seed): two processes with the same options
// agree on every label and every value, which is what lets a checker re-derive what was sent.
//
// Series i has these labels (names in sorted order on the wire):
//   __name__   one of 100 metric names (10 subsystems x 10 metrics), index (i % 1000) / 10
//   instance   "host-NNNNN:9100", i / 1000: about series/1000 distinct values
//   job        one of 16, fixed per instance
//   le | code  the variant label, i % 10: `le` (10 buckets) on *_bucket metrics, else `code`
//   method     one of 5;  handler  one of 40;  namespace  one of 12, fixed per instance;
//   pod        one per instance
//   extra_label_K   for labels_per_series > 8, 10 values each
// The first four labels (__name__, job, instance, variant) make every index unique, hence
// labels_per_series >= 4; labels beyond the requested count are left out in the order above.
// About 10% of the series are constant, 50% counters, 40% gauges.
//
// Thread-safe: immutable after construction.
class SeriesModel {
 public:
  struct Options {
    uint64_t series = 1000;
    int labels_per_series = 8;
    uint64_t seed = 1;
  };
  static constexpr int kMinLabels = 4;
  static constexpr int kMaxLabels = 32;
  static constexpr int kMetricNames = 100;

  // Returns kInvalidArgument for zero series or labels_per_series outside [kMinLabels, kMaxLabels].
  static base::Result<SeriesModel> Create(const Options& options);

  uint64_t series() const { return options_.series; }
  int labels_per_series() const { return options_.labels_per_series; }

  // The labels of series `index`, sorted by name, no empty values. REQUIRES: index < series().
  std::vector<std::pair<std::string, std::string>> Labels(uint64_t index) const;
  // The labels in Prometheus text form: {__name__="x",a="b"} (values escaped as in PromQL).
  std::string LabelsText(uint64_t index) const;

  ValueKind Kind(uint64_t index) const;
  // The value of series `index` at round 0.
  double InitialValue(uint64_t index) const;
  // The value at round `round` (>= 1) given the value `previous` at round - 1.
  double NextValue(uint64_t index, int64_t round, double previous) const;
  // The value at `round`, computed from round 0: O(round). For checkers and fast-forwarding.
  double ValueAt(uint64_t index, int64_t round) const;

 private:
  explicit SeriesModel(const Options& options) : options_(options) {}
  // A uniform double in [0, 1) drawn from (seed, index, round).
  double Uniform(uint64_t index, int64_t round) const;

  Options options_;
};

}  // namespace tools

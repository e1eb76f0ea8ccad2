// Self-metrics: counters, gauges and histograms exposed at /metrics in the Prometheus text
// format 0.0.4, named like Prometheus's own (tsdb_head_series). Modelled on prometheus-cpp's
// Family: a family is a name, help and type; a child is one label set of that family.
// Thread-safe: registration takes a lock; updating a child is lock-free.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace base::metrics {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  void Dec(double v = 1) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);
  // Cumulative counts per upper bound, then +Inf; the sum; the count.
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;
    double sum;
    uint64_t count;
  };
  Snapshot Read() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 slots, not cumulative
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Default buckets of client_golang's DefBuckets, seconds.
std::vector<double> DefaultBuckets();
// Buckets start, start*factor, ... (count of them).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Returns the child with these labels of family `name`, creating both as needed. References
  // stay valid for the registry's lifetime. A family's type is fixed by its first registration.
  Counter& GetCounter(const std::string& name, const std::string& help, LabelPairs labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help, LabelPairs labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          std::vector<double> buckets, LabelPairs labels = {});
  // A gauge whose value is computed at exposition time (fn must be thread-safe and cheap).
  void AddGaugeFunc(const std::string& name, const std::string& help, std::function<double()> fn,
                    LabelPairs labels = {});

  // The text exposition format 0.0.4, families sorted by name.
  std::string Expose() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Child {
    LabelPairs labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> fn;
  };
  struct Family {
    std::string help;
    Type type;
    std::vector<std::unique_ptr<Child>> children;
  };
  Child& GetChild(const std::string& name, const std::string& help, Type type, LabelPairs labels);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

// Formats a float as Prometheus's text format does (Go's strconv 'g' shortest, +Inf, NaN).
std::string FormatFloat(double v);

}  // namespace base::metrics

// Decode throughput of remote-write requests: (a) snappy decompression, (b) the hand-written
// decoder (remote_write/decoder.h), (c) the generated protobuf parser for comparison, and
// (d) the whole receiver (HandleWrite: decompress, decode, label checks, Labels) into an
// Appendable that discards, i.e. the receiver's own cost without storage.
// Requests are realistic: 500, 1000 or 2000 series of 8 labels (node_exporter-like), one
// sample each, as Prometheus sends them (max_samples_per_send 500 to 2000).
// Prints ns/sample and samples/s per stage (thread CPU time, best of 5 rounds) first, then runs
// the Catch2 benchmarks (wall time).
// Run: build-*/remote_write/remote_write_decode_bench [--benchmark-samples N]
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#define CATCH_CONFIG_MAIN
#include <snappy.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "remote_write/decoder.h"
#include "remote_write/handler.h"
#include "remote_write/prompb/remote.pb.h"
#include "storage/appender.h"

namespace {

constexpr int64_t kNow = 1700000000000;

struct Request {
  std::string raw;         // serialized WriteRequest
  std::string compressed;  // snappy block, the HTTP body
  size_t samples = 0;
};

// A request of `n_series` node_exporter-like series (8 labels each, sorted by name as
// Prometheus sends them), one sample each.
Request MakeRequest(int n_series, uint64_t seed) {
  static const char* kMetrics[] = {
      "node_cpu_seconds_total",           "node_memory_MemAvailable_bytes",
      "node_network_receive_bytes_total", "node_disk_io_time_seconds_total",
      "node_filesystem_avail_bytes",      "http_requests_total",
      "process_resident_memory_bytes",    "go_gc_duration_seconds"};
  static const char* kModes[] = {"idle", "user", "system", "iowait", "irq", "softirq", "steal"};
  std::mt19937_64 rng(seed);
  prometheus::WriteRequest req;
  for (int i = 0; i < n_series; ++i) {
    prometheus::TimeSeries* ts = req.add_timeseries();
    auto add = [ts](std::string name, std::string value) {
      prometheus::Label* l = ts->add_labels();
      l->set_name(std::move(name));
      l->set_value(std::move(value));
    };
    int host = static_cast<int>(rng() % 400);
    add("__name__", kMetrics[rng() % 8]);
    add("cluster", "eu-west-1-prod");
    add("cpu", std::to_string(rng() % 64));
    add("env", "production");
    add("instance",
        "10.0." + std::to_string(host / 200) + "." + std::to_string(host % 200) + ":9100");
    add("job", "node");
    add("mode", kModes[rng() % 7]);
    add("pod", "node-exporter-" + std::to_string(host) + "-x7k2p");
    prometheus::Sample* s = ts->add_samples();
    s->set_timestamp(kNow + static_cast<int64_t>(rng() % 15000));
    s->set_value(static_cast<double>(rng() % 100000000) / 100.0);
  }
  Request r;
  r.raw = req.SerializeAsString();
  snappy::Compress(r.raw.data(), r.raw.size(), &r.compressed);
  r.samples = static_cast<size_t>(n_series);
  return r;
}

// An Appendable that accepts and forgets everything.
class DiscardAppender final : public storage::Appender {
 public:
  base::Result<storage::SeriesRef> Append(storage::SeriesRef ref, const model::Labels& labels,
                                          model::Timestamp, double,
                                          const storage::AppendOptions&) override {
    return ref != 0 ? ref : labels.hash() | 1;
  }
  base::Status Commit() override { return base::Status::Ok(); }
  void Rollback() override {}
};
class DiscardAppendable final : public storage::Appendable {
 public:
  std::unique_ptr<storage::Appender> NewAppender() override {
    return std::make_unique<DiscardAppender>();
  }
};

// CPU time of the calling thread in nanoseconds: less disturbed than wall time on a machine
// shared with other work.
double ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// Best of 5 rounds of about 0.2 s of CPU each: thread CPU nanoseconds per call of fn.
double NanosPerCall(const std::function<void()>& fn) {
  double best = 1e300;
  for (int round = 0; round < 5; ++round) {
    int64_t calls = 0;
    double start = ThreadCpuNanos();
    double elapsed = 0;
    while (elapsed < 2e8) {
      for (int i = 0; i < 10; ++i) fn();
      calls += 10;
      elapsed = ThreadCpuNanos() - start;
    }
    best = std::min(best, elapsed / static_cast<double>(calls));
  }
  return best;
}

void Report(const char* stage, int n_series, const Request& r, double ns_per_request) {
  double ns_per_sample = ns_per_request / static_cast<double>(r.samples);
  std::printf("%-34s %5d series  %9.1f us/request  %7.1f ns/sample  %6.2f M samples/s\n", stage,
              n_series, ns_per_request / 1000.0, ns_per_sample, 1000.0 / ns_per_sample);
}

TEST_CASE("remote-write decode figures", "[remote_write][bench]") {
  for (int n_series : {500, 1000, 2000}) {
    Request r = MakeRequest(n_series, static_cast<uint64_t>(n_series));
    std::printf(
        "request of %d series: %zu bytes serialized, %zu bytes snappy (%.1f bytes/series)\n",
        n_series, r.raw.size(), r.compressed.size(), static_cast<double>(r.raw.size()) / n_series);
    std::string out(r.raw.size(), '\0');
    Report("(a) snappy decompress", n_series, r, NanosPerCall([&] {
             REQUIRE(snappy::RawUncompress(r.compressed.data(), r.compressed.size(), out.data()));
           }));
    remote_write::DecodedWriteRequest decoded;
    Report("(b) hand decoder, reused", n_series, r,
           NanosPerCall([&] { REQUIRE(decoded.Decode(r.raw).ok()); }));
    Report("(b) hand decoder, fresh", n_series, r, NanosPerCall([&] {
             remote_write::DecodedWriteRequest fresh;
             REQUIRE(fresh.Decode(r.raw).ok());
           }));
    prometheus::WriteRequest reused;
    Report("(c) generated parser, reused msg", n_series, r,
           NanosPerCall([&] { REQUIRE(reused.ParseFromString(r.raw)); }));
    Report("(c) generated parser, fresh msg", n_series, r, NanosPerCall([&] {
             prometheus::WriteRequest fresh;
             REQUIRE(fresh.ParseFromString(r.raw));
           }));
    DiscardAppendable sink;
    remote_write::WriteStats stats;
    Report("(d) HandleWrite into a discard", n_series, r, NanosPerCall([&] {
             REQUIRE(remote_write::HandleWrite(r.compressed, sink, {}, &stats).ok());
           }));
  }
}

TEST_CASE("remote-write decode benchmarks", "[remote_write][bench]") {
  Request r = MakeRequest(2000, 2000);
  std::string out(r.raw.size(), '\0');
  remote_write::DecodedWriteRequest decoded;
  prometheus::WriteRequest reused;
  DiscardAppendable sink;

  BENCHMARK("snappy decompress 2000 series") {
    return snappy::RawUncompress(r.compressed.data(), r.compressed.size(), out.data());
  };
  BENCHMARK("hand decoder 2000 series") { return decoded.Decode(r.raw).ok(); };
  BENCHMARK("generated parser 2000 series") { return reused.ParseFromString(r.raw); };
  BENCHMARK("HandleWrite 2000 series into a discard") {
    return remote_write::HandleWrite(r.compressed, sink, {}, nullptr).ok();
  };
}

}  // namespace

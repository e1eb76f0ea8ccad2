// Benchmarks of the XOR chunk: appending and iterating 120-sample chunks (one chunk of a
// head series) of realistic counters and gauges, and the bytes per sample each one costs.
// Run: build-*/tsdb/chunkenc/chunkenc_bench [--benchmark-samples N]
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#define CATCH_CONFIG_MAIN
#include <bit>
#include <catch2/catch.hpp>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "model/sample.h"
#include "tsdb/chunkenc/xor_chunk.h"

namespace {

using tsdb::chunkenc::XorAppender;
using tsdb::chunkenc::XorChunk;

constexpr int kSamplesPerChunk = 120;
constexpr int kChunks = 64;  // Different series per measurement, so branches are not memorised.

// Scrape timestamps every 15 s; one scrape in ten lands a few milliseconds late or early.
int64_t NextTimestamp(int64_t t, std::mt19937_64& rng) {
  int64_t jitter = 0;
  if (rng() % 10 == 0) jitter = static_cast<int64_t>(rng() % 11) - 5;
  return t + 15000 + jitter;
}

// A request counter: integer increments of about 100 per scrape.
std::vector<model::Sample> Counter(std::mt19937_64& rng) {
  std::vector<model::Sample> out;
  int64_t t = 1700000000000 + static_cast<int64_t>(rng() % 15000);
  double v = static_cast<double>(rng() % 1000000);
  for (int i = 0; i < kSamplesPerChunk; ++i) {
    out.push_back({t, v});
    t = NextTimestamp(t, rng);
    v += static_cast<double>(70 + rng() % 60);
  }
  return out;
}

// A memory gauge: bytes around 1 GiB moving by a few pages per scrape.
std::vector<model::Sample> IntegerGauge(std::mt19937_64& rng) {
  std::vector<model::Sample> out;
  int64_t t = 1700000000000 + static_cast<int64_t>(rng() % 15000);
  double v = 1073741824.0;
  for (int i = 0; i < kSamplesPerChunk; ++i) {
    out.push_back({t, v});
    t = NextTimestamp(t, rng);
    v += static_cast<double>(static_cast<int64_t>(rng() % 65) - 32) * 4096.0;
  }
  return out;
}

// A ratio gauge (CPU usage in [0, 1]): full-precision fractions, the worst realistic case.
std::vector<model::Sample> FloatGauge(std::mt19937_64& rng) {
  std::vector<model::Sample> out;
  int64_t t = 1700000000000 + static_cast<int64_t>(rng() % 15000);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < kSamplesPerChunk; ++i) {
    out.push_back({t, u(rng)});
    t = NextTimestamp(t, rng);
  }
  return out;
}

// A counter that rarely moves (errors_total): mostly unchanged values.
std::vector<model::Sample> IdleCounter(std::mt19937_64& rng) {
  std::vector<model::Sample> out;
  int64_t t = 1700000000000 + static_cast<int64_t>(rng() % 15000);
  double v = 3;
  for (int i = 0; i < kSamplesPerChunk; ++i) {
    out.push_back({t, v});
    t = NextTimestamp(t, rng);
    if (rng() % 40 == 0) v += 1;
  }
  return out;
}

using Generator = std::vector<model::Sample> (*)(std::mt19937_64&);

std::vector<std::vector<model::Sample>> Series(Generator gen) {
  std::mt19937_64 rng(42);
  std::vector<std::vector<model::Sample>> out;
  for (int i = 0; i < kChunks; ++i) out.push_back(gen(rng));
  return out;
}

// One chunk per series; compacted as the head does when a chunk is closed, unless `open`.
std::vector<XorChunk> Encode(const std::vector<std::vector<model::Sample>>& series,
                             bool open = false) {
  std::vector<XorChunk> chunks;
  chunks.reserve(series.size());
  for (const auto& samples : series) {
    chunks.emplace_back();
    auto app = chunks.back().NewXorAppender();
    for (const auto& s : samples) app->Append(s.t, s.v);
    if (!open) chunks.back().Compact();
  }
  return chunks;
}

// Prints the encoded size per sample, and the buffer an open 120-sample chunk holds in memory
// before Compact().
void Report(const char* name, const std::vector<std::vector<model::Sample>>& series) {
  size_t bytes = 0;
  size_t samples = 0;
  for (const auto& c : Encode(series)) {
    bytes += c.bytes().size();
    samples += static_cast<size_t>(c.NumSamples());
  }
  size_t open_capacity = 0;
  for (const auto& c : Encode(series, /*open=*/true)) open_capacity += c.buffer_capacity();
  std::printf("%-14s %6.3f bytes/sample, %zu bytes per %d-sample chunk, %zu-byte buffer open\n",
              name, static_cast<double>(bytes) / static_cast<double>(samples),
              bytes / series.size(), kSamplesPerChunk, open_capacity / series.size());
}

void Run(const char* name, const std::vector<std::vector<model::Sample>>& series) {
  const auto chunks = Encode(series);

  BENCHMARK(std::string(name) + " append 120") {
    XorChunk c;
    auto app = c.NewXorAppender();
    for (const auto& s : series[0]) app->Append(s.t, s.v);
    return c.bytes().size();
  };
  BENCHMARK_ADVANCED(std::string(name) + " append 64x120")(Catch::Benchmark::Chronometer meter) {
    meter.measure([&] {
      size_t total = 0;
      for (const auto& samples : series) {
        XorChunk c;
        auto app = c.NewXorAppender();
        for (const auto& s : samples) app->Append(s.t, s.v);
        total += c.bytes().size();
      }
      return total;
    });
  };
  BENCHMARK_ADVANCED(std::string(name) + " iterate 64x120")(Catch::Benchmark::Chronometer meter) {
    std::unique_ptr<tsdb::chunkenc::Iterator> it;
    meter.measure([&] {
      double sum = 0;
      for (const auto& c : chunks) {
        it = c.NewIterator(std::move(it));
        while (it->Next()) sum += it->At().second;
      }
      return sum;
    });
  };
}

}  // namespace

TEST_CASE("XOR chunk append and iterate", "[bench][chunkenc]") {
  const std::pair<const char*, Generator> kinds[] = {
      {"counter", Counter},
      {"gauge-int", IntegerGauge},
      {"gauge-float", FloatGauge},
      {"counter-idle", IdleCounter},
  };
  std::vector<std::vector<std::vector<model::Sample>>> series;
  for (const auto& [name, gen] : kinds) {
    series.push_back(Series(gen));
    Report(name, series.back());
  }
  std::fflush(stdout);
  for (size_t i = 0; i < std::size(kinds); ++i) Run(kinds[i].first, series[i]);
}

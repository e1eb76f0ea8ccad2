// Bytes per sample of the chunk encodings on realistic synthetic series: Prometheus's XOR
// chunks of 120 samples (what its head cuts and its blocks keep) and of 2 h, against EncodeBest
// (XOR or packed, tsdb/chunkenc/packed_chunk.h) over 120 samples, 2 h and the whole range.
// Results and the generator are described in docs/performance.md section 9.
//
// Run: build-*/tsdb/chunkenc/chunk_size_bench [--series N] [--hours H] [--late P] [--unaligned]
//   --series     series generated, spread over the kinds by their share (default 20000)
//   --hours      hours of samples per series, one every 15 s (default 8)
//   --late       percent of scrapes more than 2 ms late (default 10)
//   --unaligned  scrape timestamps as Hestia's scraper takes them (no 2 ms alignment)
//
// Every figure includes the framing a chunk costs in a Prometheus chunk segment file
// (uvarint length, encoding byte, CRC32C: 6 bytes for chunks of 128 bytes to 16 KiB).
// Each encoded chunk is decoded and compared bit for bit with its input.
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#ifdef HESTIA_BENCH_ZSTD
#include <zstd.h>
#endif

#include "model/sample.h"
#include "tsdb/chunkenc/chunk.h"
#include "tsdb/chunkenc/xor_chunk.h"

namespace {

using tsdb::chunkenc::Encoding;

constexpr int64_t kIntervalMs = 15000;
constexpr int64_t kStartMs = 1700000000000;
constexpr size_t kSamplesPerDay = 86400 / 15;

// ---- the generator ----

enum Kind {
  kRequests,     // http_requests_total: Poisson increments, rate log-normal around 5/s, diurnal
  kSlowCounter,  // error counters, histogram buckets in the tail: 0.0005 to 0.05 events/s
  kBytes,        // network / disk byte counters: about 10^5 B/s (log-normal, wide), noisy
  kCpuSeconds,   // node_cpu_seconds_total: 0.01 s resolution (USER_HZ), 2 decimals
  kMemory,       // memory bytes gauge: random walk of 4 KiB pages, occasional jumps
  kTemperature,  // hardware temperature: 1 decimal, mean-reverting random walk
  kLoad,         // node_load1-like gauge: 2 decimals, random walk >= 0
  kRatio,        // cache hit ratio per interval: a / b, full double precision
  kDurationSum,  // a summary's or histogram's _sum: ms durations added to a double, per request
  kNumKinds,
};

struct KindInfo {
  const char* name;
  double share;  // of the series in the mix
};

constexpr KindInfo kKinds[kNumKinds] = {
    {"requests counter", 0.25},    {"slow counter", 0.20},        {"bytes counter", 0.10},
    {"cpu seconds (2 dec)", 0.15}, {"memory bytes gauge", 0.10},  {"temperature (1 dec)", 0.04},
    {"load (2 dec)", 0.06},        {"ratio 0..1 (17 dig)", 0.05}, {"float sum (3 dec)", 0.05},
};

// Scrape timestamps on a 15 s grid with a per-series phase. The scrape fires d ms late: 0 to 2
// ms (uniformly) except in `late_percent` of scrapes, which are 3 to 10 ms late, or 11 to 200
// ms late one time in ten (a busy scraper). Prometheus moves a timestamp back onto the grid when
// it is at most 2 ms late (scrape/scrape.go, ScrapeTimestampTolerance, AlignScrapeTimestamps);
// --unaligned keeps every delay, as Hestia's scraper does today.
std::vector<int64_t> Timestamps(size_t n, bool aligned, double late_percent, std::mt19937_64& rng) {
  std::vector<int64_t> t(n);
  const int64_t phase = static_cast<int64_t>(rng() % kIntervalMs);
  std::uniform_real_distribution<double> percent(0, 100);
  for (size_t i = 0; i < n; ++i) {
    int64_t d = 0;
    if (percent(rng) >= late_percent) {
      d = static_cast<int64_t>(rng() % 3);
    } else if (rng() % 10 != 0) {
      d = 3 + static_cast<int64_t>(rng() % 8);
    } else {
      d = 11 + static_cast<int64_t>(rng() % 190);
    }
    if (aligned && d <= 2) d = 0;
    t[i] = kStartMs + phase + static_cast<int64_t>(i) * kIntervalMs + d;
  }
  return t;
}

// A daily swing of +-30% around 1.
double Diurnal(size_t i) {
  return 1 + 0.3 * std::sin(2 * std::numbers::pi * static_cast<double>(i) / kSamplesPerDay);
}

uint64_t Poisson(double mean, std::mt19937_64& rng) {
  if (mean <= 0) return 0;
  if (mean > 500) {  // normal approximation, as accurate as needed here and fast
    std::normal_distribution<double> n(mean, std::sqrt(mean));
    return static_cast<uint64_t>(std::max(0.0, std::round(n(rng))));
  }
  std::poisson_distribution<uint64_t> p(mean);
  return p(rng);
}

std::vector<double> Values(Kind kind, size_t n, std::mt19937_64& rng) {
  std::vector<double> v(n);
  std::uniform_real_distribution<double> unit(0, 1);
  std::normal_distribution<double> gauss(0, 1);
  switch (kind) {
    case kRequests:
    case kSlowCounter: {
      const double rate = kind == kRequests
                              ? std::exp(std::log(5.0) + 1.5 * gauss(rng))
                              : std::exp(std::log(0.0005) + unit(rng) * std::log(100.0));
      uint64_t c = rng() % 10000000;
      if (kind == kSlowCounter) c %= 1000;
      for (size_t i = 0; i < n; ++i) {
        if (rng() % 20000 == 0) c = 0;  // the process restarted: a counter reset
        c += Poisson(rate * 15 * Diurnal(i), rng);
        v[i] = static_cast<double>(c);
      }
      break;
    }
    case kBytes: {
      const double rate = std::exp(std::log(1e5) + 2 * gauss(rng));
      uint64_t c = rng() % (uint64_t{1} << 40);
      for (size_t i = 0; i < n; ++i) {
        c += static_cast<uint64_t>(rate * 15 * Diurnal(i) * std::exp(0.3 * gauss(rng)));
        v[i] = static_cast<double>(c);
      }
      break;
    }
    case kCpuSeconds: {
      const double util = 0.01 + 0.89 * unit(rng);
      int64_t hundredths = static_cast<int64_t>(rng() % 100000000);
      for (size_t i = 0; i < n; ++i) {
        hundredths += std::max<int64_t>(0, std::llround(1500 * util * (1 + 0.2 * gauss(rng))));
        v[i] = static_cast<double>(hundredths) / 100;
      }
      break;
    }
    case kMemory: {
      int64_t pages = 10000 + static_cast<int64_t>(rng() % 4000000);
      for (size_t i = 0; i < n; ++i) {
        pages += std::llround(200 * gauss(rng));
        if (rng() % 100 == 0) pages += static_cast<int64_t>(rng() % 20000) - 10000;
        pages = std::max<int64_t>(pages, 1000);
        v[i] = static_cast<double>(pages * 4096);
      }
      break;
    }
    case kTemperature: {
      const int64_t mean = 300 + static_cast<int64_t>(rng() % 400);
      int64_t tenths = mean;
      for (size_t i = 0; i < n; ++i) {
        tenths += std::llround(1.5 * gauss(rng)) + (mean - tenths) / 20;
        v[i] = static_cast<double>(tenths) / 10;
      }
      break;
    }
    case kLoad: {
      int64_t hundredths = static_cast<int64_t>(rng() % 800);
      for (size_t i = 0; i < n; ++i) {
        hundredths = std::max<int64_t>(0, hundredths + std::llround(8 * gauss(rng)));
        v[i] = static_cast<double>(hundredths) / 100;
      }
      break;
    }
    case kRatio: {
      const double p = 0.5 + 0.49 * unit(rng);
      const double lookups = std::exp(std::log(200.0) + gauss(rng));
      for (size_t i = 0; i < n; ++i) {
        const uint64_t b = 1 + Poisson(lookups * 15, rng);
        std::binomial_distribution<uint64_t> hits(b, p);
        v[i] = static_cast<double>(hits(rng)) / static_cast<double>(b);
      }
      break;
    }
    case kDurationSum: {
      // As a client library keeps http_request_duration_seconds_sum: each request adds its
      // duration in seconds (whole milliseconds, log-normal around 50 ms) to a double, so the
      // sum carries float-addition noise (12345.678000000001).
      const double rate = std::min(20.0, std::exp(gauss(rng)));  // requests/s, median 1
      double sum = static_cast<double>(rng() % 100000000) / 1000;
      for (size_t i = 0; i < n; ++i) {
        for (uint64_t r = Poisson(rate * 15 * Diurnal(i), rng); r > 0; --r) {
          const double ms = std::max(1.0, std::round(std::exp(std::log(50.0) + gauss(rng))));
          sum += ms / 1000;
        }
        v[i] = sum;
      }
      break;
    }
    case kNumKinds:
      break;
  }
  return v;
}

// ---- measuring ----

size_t Framing(size_t chunk_bytes) {
  size_t len = 1;
  for (size_t x = chunk_bytes; x >= 0x80; x >>= 7) ++len;
  return len + 1 + 4;
}

std::string EncodeXor(std::span<const model::Sample> s) {
  tsdb::chunkenc::XorChunk c;
  auto app = c.NewXorAppender();
  if (!app.ok()) std::abort();
  for (const auto& x : s) app->Append(x.t, x.v);
  return std::string(c.bytes());
}

void RequireSame(Encoding e, std::string_view bytes, std::span<const model::Sample> want) {
  auto it = tsdb::chunkenc::NewIterator(e, bytes);
  std::vector<model::Sample> got;
  const base::Status st = it->ReadAll(model::kMinTime, model::kMaxTime, &got);
  bool same = st.ok() && got.size() == want.size();
  for (size_t i = 0; same && i < got.size(); ++i) {
    same = got[i].t == want[i].t &&
           std::bit_cast<uint64_t>(got[i].v) == std::bit_cast<uint64_t>(want[i].v);
  }
  if (!same) {
    std::fprintf(stderr, "round trip failed (%s)\n", st.ToString().c_str());
    std::exit(1);
  }
}

enum Column { kXor120, kXor2h, kBest120, kBest2h, kBestAll, kNumColumns };
constexpr const char* kColumnNames[kNumColumns] = {"XOR 120", "XOR 2h", "best 120", "best 2h",
                                                   "best all"};

struct Tally {
  size_t samples = 0;
  double encode_ns[kNumColumns] = {};
  size_t bytes[kNumColumns] = {};
  size_t packed_chunks = 0;  // best 2h chunks that came out packed
  size_t chunks_2h = 0;
};

struct Segments {
  std::string xor2h;   // every XOR 2h chunk of the run, back to back
  std::string best2h;  // every best 2h chunk
};

// Encodes one series in every way and adds its bytes to `tally`.
void Measure(std::span<const model::Sample> s, Tally& tally, Segments* seg) {
  tally.samples += s.size();
  auto chunks = [&](size_t len, auto&& f) {
    for (size_t i = 0; i < s.size(); i += len) f(s.subspan(i, std::min(len, s.size() - i)));
  };
  chunks(120, [&](auto part) {
    const std::string x = EncodeXor(part);
    tally.bytes[kXor120] += x.size() + Framing(x.size());
  });
  chunks(480, [&](auto part) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string x = EncodeXor(part);
    tally.encode_ns[kXor2h] +=
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    tally.bytes[kXor2h] += x.size() + Framing(x.size());
    if (seg != nullptr) seg->xor2h += x;
  });
  auto best = [&](auto part, Column col) {
    const auto t0 = std::chrono::steady_clock::now();
    auto c = tsdb::chunkenc::EncodeBest(part);
    tally.encode_ns[col] +=
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    if (!c.ok()) std::abort();
    RequireSame((*c)->encoding(), (*c)->bytes(), part);
    tally.bytes[col] += (*c)->bytes().size() + Framing((*c)->bytes().size());
    if (col == kBest2h) {
      ++tally.chunks_2h;
      if ((*c)->encoding() == Encoding::kPacked) ++tally.packed_chunks;
      if (seg != nullptr) seg->best2h += (*c)->bytes();
    }
  };
  chunks(120, [&](auto part) { best(part, kBest120); });
  chunks(480, [&](auto part) { best(part, kBest2h); });
  best(s, kBestAll);
}

#ifdef HESTIA_BENCH_ZSTD
// Bytes per sample after zstd at `level` over the data in 512 KiB pieces (the size of a
// chunk-file compression frame one would use), or -1 on error.
double ZstdPerSample(const std::string& data, int level, size_t samples) {
  size_t total = 0;
  constexpr size_t kPiece = 512 * 1024;
  std::string out;
  for (size_t i = 0; i < data.size(); i += kPiece) {
    const size_t n = std::min(kPiece, data.size() - i);
    out.resize(ZSTD_compressBound(n));
    const size_t r = ZSTD_compress(out.data(), out.size(), data.data() + i, n, level);
    if (ZSTD_isError(r)) return -1;
    total += r;
  }
  return static_cast<double>(total) / static_cast<double>(samples);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  size_t series = 20000;
  double hours = 8;
  bool aligned = true;
  double late_percent = 10;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--series" && i + 1 < argc) {
      series = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--hours" && i + 1 < argc) {
      hours = std::strtod(argv[++i], nullptr);
    } else if (a == "--late" && i + 1 < argc) {
      late_percent = std::strtod(argv[++i], nullptr);
    } else if (a == "--unaligned") {
      aligned = false;
    } else {
      std::fprintf(stderr, "usage: %s [--series N] [--hours H] [--late P] [--unaligned]\n",
                   argv[0]);
      return 2;
    }
  }
  const size_t n = static_cast<size_t>(hours * 3600 / 15);
  std::printf(
      "%zu series, %zu samples each (%.1f h at 15 s), %.1f%% of scrapes > 2 ms late, "
      "timestamps %s\n\n",
      series, n, hours, late_percent, aligned ? "aligned as Prometheus's scraper" : "unaligned");

  Tally per_kind[kNumKinds];
  Segments seg;
  std::vector<model::Sample> s(n);
  const auto start = std::chrono::steady_clock::now();
  for (size_t k = 0; k < kNumKinds; ++k) {
    const size_t count =
        static_cast<size_t>(std::llround(kKinds[k].share * static_cast<double>(series)));
    for (size_t j = 0; j < count; ++j) {
      std::mt19937_64 rng(k * 1000003 + j);
      const std::vector<int64_t> t = Timestamps(n, aligned, late_percent, rng);
      const std::vector<double> v = Values(static_cast<Kind>(k), n, rng);
      for (size_t i = 0; i < n; ++i) s[i] = {t[i], v[i]};
      Measure(s, per_kind[k], &seg);
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf("%-22s %6s", "bytes/sample", "share");
  for (const char* c : kColumnNames) std::printf(" %9s", c);
  std::printf(" %9s\n", "packed");
  Tally all;
  for (size_t k = 0; k < kNumKinds; ++k) {
    const Tally& t = per_kind[k];
    std::printf("%-22s %5.0f%%", kKinds[k].name, 100 * kKinds[k].share);
    for (size_t c = 0; c < kNumColumns; ++c) {
      std::printf(" %9.3f", static_cast<double>(t.bytes[c]) / static_cast<double>(t.samples));
      all.bytes[c] += t.bytes[c];
    }
    std::printf(" %8.0f%%\n", 100.0 * static_cast<double>(t.packed_chunks) /
                                  static_cast<double>(std::max<size_t>(1, t.chunks_2h)));
    all.samples += t.samples;
    for (size_t c = 0; c < kNumColumns; ++c) all.encode_ns[c] += t.encode_ns[c];
    all.packed_chunks += t.packed_chunks;
    all.chunks_2h += t.chunks_2h;
  }
  std::printf("%-22s %5s ", "all", "100%");
  for (size_t c = 0; c < kNumColumns; ++c) {
    std::printf(" %9.3f", static_cast<double>(all.bytes[c]) / static_cast<double>(all.samples));
  }
  std::printf(" %8.0f%%\n", 100.0 * static_cast<double>(all.packed_chunks) /
                                static_cast<double>(std::max<size_t>(1, all.chunks_2h)));
  std::printf("\n%zu samples encoded five ways and checked in %.1f s\n", all.samples, secs);
  std::printf("encode 2 h chunks: XOR %.0f ns/sample, EncodeBest %.0f ns/sample\n",
              all.encode_ns[kXor2h] / static_cast<double>(all.samples),
              all.encode_ns[kBest2h] / static_cast<double>(all.samples));

#ifdef HESTIA_BENCH_ZSTD
  std::printf("\nzstd over the 2 h chunks back to back, 512 KiB frames (framing not counted):\n");
  const double samples = static_cast<double>(all.samples);
  std::printf("  XOR 2h chunks:   %.3f raw, %.3f zstd-3, %.3f zstd-19\n",
              static_cast<double>(seg.xor2h.size()) / samples,
              ZstdPerSample(seg.xor2h, 3, all.samples), ZstdPerSample(seg.xor2h, 19, all.samples));
  std::printf("  best 2h chunks:  %.3f raw, %.3f zstd-3, %.3f zstd-19\n",
              static_cast<double>(seg.best2h.size()) / samples,
              ZstdPerSample(seg.best2h, 3, all.samples),
              ZstdPerSample(seg.best2h, 19, all.samples));
#endif

  // Decode speed of the 2 h chunks, for information (bulk ReadAll into one buffer).
  std::vector<model::Sample> one(s.begin(),
                                 s.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(480, n)));
  auto best = tsdb::chunkenc::EncodeBest(one);
  const std::string xor_bytes = EncodeXor(one);
  if (best.ok()) {
    std::vector<model::Sample> out;
    out.reserve(one.size());
    for (const auto& [e, bytes] : {std::pair{(*best)->encoding(), (*best)->bytes()},
                                   std::pair{Encoding::kXor, std::string_view(xor_bytes)}}) {
      const int reps = 20000;
      std::unique_ptr<tsdb::chunkenc::Iterator> it;
      const auto t0 = std::chrono::steady_clock::now();
      for (int r = 0; r < reps; ++r) {
        out.clear();
        it = tsdb::chunkenc::NewIterator(e, bytes, std::move(it));
        if (!it->ReadAll(model::kMinTime, model::kMaxTime, &out).ok()) return 1;
      }
      const double ns =
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
          (reps * static_cast<double>(one.size()));
      std::printf("decode %-7s (last series, %zu samples): %.1f ns/sample\n",
                  std::string(tsdb::chunkenc::EncodingName(e)).c_str(), one.size(), ns);
    }
  }
  return 0;
}

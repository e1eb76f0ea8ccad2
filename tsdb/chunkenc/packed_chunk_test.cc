// Tests of the packed chunk encoding and EncodeBest: bit-exact round trips of random and
// adversarial samples in every value coding, Seek and ReadAll, and corruption found (never a
// crash or a read outside the bytes) on truncated, extended and bit-flipped chunks.
#include "tsdb/chunkenc/packed_chunk.h"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "model/sample.h"
#include "tsdb/chunkenc/chunk.h"
#include "tsdb/chunkenc/xor_chunk.h"

namespace {

using tsdb::chunkenc::Chunk;
using tsdb::chunkenc::EncodeBest;
using tsdb::chunkenc::EncodePacked;
using tsdb::chunkenc::Encoding;
using tsdb::chunkenc::Iterator;
using tsdb::chunkenc::PackedChunk;
using tsdb::chunkenc::PackedOptions;
using tsdb::chunkenc::PackedValues;

struct Bits {
  int64_t t;
  uint64_t v;
  bool operator==(const Bits&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Bits& s) {
  return os << "{" << s.t << ", 0x" << std::hex << s.v << std::dec << "}";
}

std::vector<Bits> ToBits(const std::vector<model::Sample>& s) {
  std::vector<Bits> out;
  for (const auto& x : s) out.push_back({x.t, std::bit_cast<uint64_t>(x.v)});
  return out;
}

double D(uint64_t bits) { return std::bit_cast<double>(bits); }

Bits B2(std::pair<int64_t, double> s) { return {s.first, std::bit_cast<uint64_t>(s.second)}; }

// Decodes with Next/At and, separately, with ReadAll; both must agree and succeed.
std::vector<model::Sample> DecodeAll(Encoding e, std::string_view bytes) {
  std::vector<model::Sample> out;
  auto it = tsdb::chunkenc::NewIterator(e, bytes);
  while (it->Next()) {
    auto [t, v] = it->At();
    out.push_back({t, v});
  }
  REQUIRE(it->status().ok());
  std::vector<model::Sample> all;
  auto it2 = tsdb::chunkenc::NewIterator(e, bytes);
  REQUIRE(it2->ReadAll(model::kMinTime, model::kMaxTime, &all).ok());
  REQUIRE(ToBits(all) == ToBits(out));
  return out;
}

// Every packed variant and EncodeBest must give the samples back bit for bit.
void RequireRoundTrips(const std::vector<model::Sample>& in) {
  std::vector<PackedOptions> variants = {{.values = PackedValues::kXor},
                                         {.values = PackedValues::kDecimal, .decimal_exp = 0},
                                         {.values = PackedValues::kDecimal, .decimal_exp = -3},
                                         {.values = PackedValues::kDecimal, .decimal_exp = 22},
                                         {.values = PackedValues::kDecimalUlp, .decimal_exp = 0},
                                         {.values = PackedValues::kDecimalUlp, .decimal_exp = 3},
                                         {.values = PackedValues::kDecimalUlp, .decimal_exp = -3},
                                         {.values = PackedValues::kDecimalUlp, .decimal_exp = -22},
                                         {.values = PackedValues::kDecimalUlp, .decimal_exp = 22}};
  for (const int e : tsdb::chunkenc::DecimalExponents(in)) {
    variants.push_back({.values = PackedValues::kDecimal, .decimal_exp = e});
  }
  for (const int e : tsdb::chunkenc::UlpExponents(in)) {
    variants.push_back({.values = PackedValues::kDecimalUlp, .decimal_exp = e});
  }
  for (const PackedOptions& o : variants) {
    INFO("values "
         << (o.values == PackedValues::kXor
                 ? "xor"
                 : (o.values == PackedValues::kDecimal ? "decimal" : "decimal-ulp"))
         << " exp " << o.decimal_exp << ", " << in.size() << " samples");
    auto bytes = EncodePacked(in, o);
    REQUIRE(bytes.ok());
    REQUIRE(ToBits(DecodeAll(Encoding::kPacked, *bytes)) == ToBits(in));
  }
  auto best = EncodeBest(in);
  REQUIRE(best.ok());
  REQUIRE((*best)->NumSamples() == static_cast<int>(in.size()));
  REQUIRE(ToBits(DecodeAll((*best)->encoding(), (*best)->bytes())) == ToBits(in));
  // Through FromData, as a block reader would.
  auto again = tsdb::chunkenc::FromData((*best)->encoding(), std::string((*best)->bytes()));
  REQUIRE(again.ok());
  auto it = (*again)->NewIterator();
  size_t n = 0;
  while (it->Next()) ++n;
  REQUIRE(it->status().ok());
  REQUIRE(n == in.size());
}

const std::vector<uint64_t> kAdversarialValues = {
    0x7ff0000000000002ULL,  // Prometheus's staleness marker
    0x7ff8000000000001ULL,  // NaN with a payload
    0xfff8000000000000ULL,  // negative quiet NaN
    0x7ff0000000000001ULL,  // signalling NaN
    0x7ff8000000000000ULL,  // Go's math.NaN()
    std::bit_cast<uint64_t>(std::numeric_limits<double>::infinity()),
    std::bit_cast<uint64_t>(-std::numeric_limits<double>::infinity()),
    0x8000000000000000ULL,  // -0.0
    0x0000000000000000ULL,  // +0.0
    0x0000000000000001ULL,  // smallest denormal
    0x000fffffffffffffULL,  // largest denormal
    0x800fffffffffffffULL,  // negative denormal
    std::bit_cast<uint64_t>(std::numeric_limits<double>::max()),
    std::bit_cast<uint64_t>(-std::numeric_limits<double>::max()),
    std::bit_cast<uint64_t>(9007199254740992.0),     // 2^53
    std::bit_cast<uint64_t>(9007199254740994.0),     // 2^53 + 2
    std::bit_cast<uint64_t>(9223372036854775808.0),  // 2^63
    std::bit_cast<uint64_t>(-9223372036854775808.0),
    std::bit_cast<uint64_t>(1e300),
    std::bit_cast<uint64_t>(1e-300),
    std::bit_cast<uint64_t>(0.1),
    std::bit_cast<uint64_t>(0.1 + 0.2),  // 0.30000000000000004
    std::bit_cast<uint64_t>(123456789.123),
    std::bit_cast<uint64_t>(-42.5),
    std::bit_cast<uint64_t>(1e22),
    std::bit_cast<uint64_t>(1e23),
};

TEST_CASE("packed chunks round trip adversarial values and timestamps bit for bit",
          "[tsdb][chunkenc][packed]") {
  std::mt19937_64 rng(42);
  const std::vector<int64_t> ts_edges = {std::numeric_limits<int64_t>::min(),
                                         std::numeric_limits<int64_t>::max(), 0, -1, 1};
  SECTION("each adversarial value alone and among integers") {
    for (const uint64_t v : kAdversarialValues) {
      RequireRoundTrips({{1000, D(v)}});
      std::vector<model::Sample> s;
      for (int i = 0; i < 300; ++i) s.push_back({i * 15000, i == 150 ? D(v) : double(i * 7)});
      RequireRoundTrips(s);
    }
  }
  SECTION("all adversarial values with extreme and unordered timestamps") {
    std::vector<model::Sample> s;
    for (size_t i = 0; i < kAdversarialValues.size(); ++i) {
      s.push_back({ts_edges[i % ts_edges.size()], D(kAdversarialValues[i])});
    }
    RequireRoundTrips(s);
    std::shuffle(s.begin(), s.end(), rng);
    RequireRoundTrips(s);
  }
  SECTION("random bit patterns") {
    for (int round = 0; round < 20; ++round) {
      std::vector<model::Sample> s(1 + rng() % 700);
      for (auto& x : s) x = {static_cast<int64_t>(rng()), D(rng())};
      RequireRoundTrips(s);
    }
  }
  SECTION("random integers of every magnitude, clustered and not") {
    for (int round = 0; round < 40; ++round) {
      std::vector<model::Sample> s(1 + rng() % 1100);
      const int shift = static_cast<int>(rng() % 64);
      const int64_t center = static_cast<int64_t>(rng());
      for (auto& x : s) {
        const int64_t t = rng() % 3 == 0 ? static_cast<int64_t>(rng())
                                         : center + static_cast<int64_t>(rng() >> shift);
        const int64_t m = static_cast<int64_t>(rng() >> (11 + rng() % 53)) - (1LL << 20);
        x = {t, static_cast<double>(m)};
      }
      RequireRoundTrips(s);
    }
  }
  SECTION("random decimals of mixed precision, with stale markers") {
    for (int round = 0; round < 20; ++round) {
      std::vector<model::Sample> s(1 + rng() % 700);
      int64_t t = static_cast<int64_t>(rng() % 2000000000000);
      for (auto& x : s) {
        t += 15000 + static_cast<int64_t>(rng() % 7) - 3;
        const int digits = static_cast<int>(rng() % 5);
        double v = static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) /
                   std::pow(10.0, digits);
        if (rng() % 50 == 0) v = model::StaleNaN();
        x = {t, v};
      }
      RequireRoundTrips(s);
    }
  }
  SECTION("sizes around the block length, and 0, 1, 2 samples") {
    for (const size_t n : {0, 1, 2, 3, 127, 128, 129, 130, 256, 257, 1000}) {
      std::vector<model::Sample> s;
      for (size_t i = 0; i < n; ++i) {
        s.push_back({static_cast<int64_t>(i) * 15000 + static_cast<int64_t>(rng() % 3),
                     static_cast<double>(i * i)});
      }
      RequireRoundTrips(s);
    }
  }
  SECTION("2^16 samples, past the XOR chunk limit") {
    std::vector<model::Sample> s;
    double v = 0;
    for (int64_t i = 0; i < 65536; ++i) {
      v += static_cast<double>(rng() % 100);
      s.push_back({i * 15000, v});
    }
    RequireRoundTrips(s);
    auto best = EncodeBest(s);
    REQUIRE(best.ok());
    REQUIRE((*best)->encoding() == Encoding::kPacked);
  }
  SECTION("huge integers whose deltas wrap around") {
    const std::vector<model::Sample> s = {
        {std::numeric_limits<int64_t>::max(), 9.2e18},
        {std::numeric_limits<int64_t>::min(), -9.2e18},
        {std::numeric_limits<int64_t>::max(), 9.2e18},
        {0, 4611686018427387904.0},
        {std::numeric_limits<int64_t>::min(), -4611686018427387904.0}};
    RequireRoundTrips(s);
  }
}

// A float counter accumulated in a double: `step` times a random multiple of 10^-digits per
// sample, starting at `start`, so the values carry float-sum noise (12345.678000000001).
std::vector<model::Sample> FloatSum(std::mt19937_64& rng, size_t n, double start, int digits,
                                    int64_t max_units) {
  std::vector<model::Sample> s;
  double v = start;
  const double unit = 1 / std::pow(10.0, digits);
  for (size_t i = 0; i < n; ++i) {
    v += static_cast<double>(static_cast<int64_t>(rng() % static_cast<uint64_t>(max_units))) * unit;
    s.push_back({1700000000000 + static_cast<int64_t>(i) * 15000, v});
  }
  return s;
}

size_t PackedSize(const std::vector<model::Sample>& s, const PackedOptions& o) {
  auto b = EncodePacked(s, o);
  REQUIRE(b.ok());
  return b->size();
}

TEST_CASE("packed chunks round trip float sums in the decimal-ULP mode bit for bit",
          "[tsdb][chunkenc][packed]") {
  std::mt19937_64 rng(11);
  SECTION("float-sum noise is lossless and much smaller than XOR") {
    for (const int digits : {1, 2, 3, 6}) {
      for (const auto& [start, start_digits] : std::vector<std::pair<double, int>>{
               {0.0, 0}, {12345.678, 3}, {-987654.321, 3}, {3.5e9, 0}}) {
        INFO("digits " << digits << " start " << start);
        const int want = -std::max(digits, start_digits);  // the series' decimal exponent
        const std::vector<model::Sample> s = FloatSum(rng, 240, start, digits, 5000);
        // The series really has noise: exact decimal scaling leaves values as exceptions.
        size_t inexact = 0;
        for (const auto& x : s) {
          const double scaled = std::round(x.v * std::pow(10.0, digits)) / std::pow(10.0, digits);
          inexact += std::bit_cast<uint64_t>(scaled) != std::bit_cast<uint64_t>(x.v) ? 1 : 0;
        }
        REQUIRE(inexact > 0);
        RequireRoundTrips(s);
        const std::vector<int> exps = tsdb::chunkenc::UlpExponents(s);
        REQUIRE(!exps.empty());
        CHECK(exps.front() >= want);
        const size_t ulp =
            PackedSize(s, {.values = PackedValues::kDecimalUlp, .decimal_exp = want});
        const size_t xor_bytes = PackedSize(s, {.values = PackedValues::kXor});
        CHECK(ulp * 2 < xor_bytes);
        auto best = tsdb::chunkenc::EncodePackedBest(s);
        REQUIRE(best.ok());
        CHECK(best->size() <= ulp);
        // The ULP mode is what EncodePackedBest chose: every other mode is larger.
        size_t other = xor_bytes;
        for (const int e : tsdb::chunkenc::DecimalExponents(s)) {
          other = std::min(other, PackedSize(s, {.decimal_exp = e}));
        }
        CHECK(best->size() < other);
        INFO("sizes: best " << best->size() << " other " << other << " xor " << xor_bytes);
        CHECK(best->size() * 2 < xor_bytes);
      }
    }
  }
  SECTION("float sums mixed with stale NaNs, infinities, -0.0, huge and unrelated values") {
    for (int round = 0; round < 30; ++round) {
      std::vector<model::Sample> s = FloatSum(rng, 1 + rng() % 1100, 1e3, 3, 100000);
      for (auto& x : s) {
        if (rng() % 8 != 0) continue;
        switch (rng() % 9) {
          case 0:
            x.v = model::StaleNaN();
            break;
          case 1:
            x.v = rng() % 2 == 0 ? std::numeric_limits<double>::infinity()
                                 : -std::numeric_limits<double>::infinity();
            break;
          case 2:
            x.v = -0.0;
            break;
          case 3:
            x.v = rng() % 2 == 0 ? 1e300 : -9.3e18;
            break;
          case 4:
            x.v = D(rng());  // any bit pattern, NaN payloads included
            break;
          case 5:
            x.v = D(kAdversarialValues[rng() % kAdversarialValues.size()]);
            break;
          case 6:
            x.v = std::nextafter(x.v, 1e308);  // one ULP off the sum
            break;
          case 7:
            x.v = -x.v;
            break;
          case 8:
            x.v = 1e-300 * static_cast<double>(rng() % 1000);  // near zero, far from 10^-3
            break;
        }
      }
      RequireRoundTrips(s);
      for (int exp = -4; exp <= 12; ++exp) {
        INFO("exp " << exp);
        auto b = EncodePacked(s, {.values = PackedValues::kDecimalUlp, .decimal_exp = exp});
        REQUIRE(b.ok());
        REQUIRE(ToBits(DecodeAll(Encoding::kPacked, *b)) == ToBits(s));
      }
    }
  }
  SECTION("no exponent for values with no decimal relation, or none finite") {
    std::vector<model::Sample> s;
    for (int64_t i = 0; i < 200; ++i) s.push_back({i, D(rng() | 0x0010000000000000ULL)});
    CHECK(tsdb::chunkenc::UlpExponents(s).empty());
    for (auto& x : s) x.v = model::StaleNaN();
    CHECK(tsdb::chunkenc::UlpExponents(s).empty());
    RequireRoundTrips(s);
    // Exact decimals: kDecimal stores them without corrections, the ULP mode is not tried.
    for (size_t i = 0; i < s.size(); ++i) s[i].v = static_cast<double>(i) / 4;
    CHECK(tsdb::chunkenc::UlpExponents(s).empty());
  }
}

TEST_CASE("packed chunks round trip in each block coding", "[tsdb][chunkenc][packed]") {
  // Inputs on which the encoder picks each block coding (checked when the codings were
  // written): PFOR, PFOR with exceptions, sparse (one-sided and two-sided), bucket.
  std::mt19937_64 rng(3);
  std::normal_distribution<double> gauss(0, 300);
  for (int kind = 0; kind < 5; ++kind) {
    std::vector<model::Sample> s;
    double v = 0;
    for (int64_t i = 0; i < 1200; ++i) {
      switch (kind) {
        case 0:
          v = static_cast<double>(rng() % 1000000);
          break;
        case 1:
          v = static_cast<double>(rng() % 16) + (rng() % 50 == 0 ? 1e12 : 0);
          break;
        case 2:
          v += (rng() % 40 == 0) ? static_cast<double>(rng() % 1000) : 0;
          break;
        case 3:
          v += (rng() % 40 == 0) ? static_cast<double>(rng() % 1000) - 500 : 0;
          break;
        case 4:
          v += 1000 + std::round(gauss(rng));
          break;
      }
      // Scrape delays: mostly on the grid, some late.
      const int64_t late = rng() % 10 == 0 ? static_cast<int64_t>(rng() % 200) : 0;
      s.push_back({i * 15000 + late, v});
    }
    INFO("kind " << kind);
    RequireRoundTrips(s);
  }
}

TEST_CASE("EncodeBest picks the smaller encoding", "[tsdb][chunkenc][packed]") {
  std::mt19937_64 rng(7);
  std::vector<model::Sample> counter;
  std::vector<model::Sample> constant;
  std::vector<model::Sample> random;
  double v = 1000;
  for (int64_t i = 0; i < 480; ++i) {
    v += static_cast<double>(rng() % 200);
    counter.push_back({1700000000000 + i * 15000, v});
    constant.push_back({1700000000000 + i * 15000, 1.0});
    random.push_back({1700000000000 + i * 15000, D(rng())});
  }
  auto xor_size = [](const std::vector<model::Sample>& s) {
    tsdb::chunkenc::XorChunk c;
    auto app = c.NewXorAppender();
    REQUIRE(app.ok());
    for (const auto& x : s) app->Append(x.t, x.v);
    return c.bytes().size();
  };
  auto best = EncodeBest(counter);
  REQUIRE(best.ok());
  CHECK((*best)->encoding() == Encoding::kPacked);
  CHECK((*best)->bytes().size() < xor_size(counter) * 3 / 4);
  // A constant series on a regular interval: a few bytes, whatever its length.
  auto c = EncodeBest(constant);
  REQUIRE(c.ok());
  CHECK((*c)->bytes().size() <= 16);
  // Random bit patterns do not compress: never more than XOR.
  auto r = EncodeBest(random);
  REQUIRE(r.ok());
  CHECK((*r)->bytes().size() <= xor_size(random));
}

TEST_CASE("packed chunk bytes of the worked example in docs/format/chunks.md",
          "[tsdb][chunkenc][packed]") {
  const std::vector<model::Sample> s = {
      {1000, 1.0}, {16000, 2.0}, {31000, 2.0}, {46005, 3.0}, {61005, 4.0}};
  const std::string want = {'\x05', '\x65', '\x7a', '\x10', '\x8a', '\x63', '\xb8',
                            '\x01', '\x10', '\x60', '\x90', '\x0a', '\xc0'};
  auto bytes = tsdb::chunkenc::EncodePackedBest(s);
  REQUIRE(bytes.ok());
  CHECK(*bytes == want);
  CHECK(ToBits(DecodeAll(Encoding::kPacked, want)) == ToBits(s));
  auto best = EncodeBest(s);
  REQUIRE(best.ok());
  CHECK((*best)->encoding() == Encoding::kPacked);
  CHECK((*best)->bytes() == want);
}

TEST_CASE("packed chunk bytes of the decimal-ULP example in docs/format/chunks.md",
          "[tsdb][chunkenc][packed]") {
  const double a = 0.1;
  const double b = a + 0.2;  // 0.30000000000000004
  const double c = b + 0.3;  // 0.6000000000000001
  const std::vector<model::Sample> s = {{1000, a}, {16000, b}, {31000, c}};
  const std::string want = {'\x03', '\xa5', '\x7a', '\x13', '\xb5', '\x30', '\x11', '\x5d',
                            '\x00', '\x28', '\x20', '\x60', '\xa8', '\x80', '\x4c'};
  auto bytes = tsdb::chunkenc::EncodePackedBest(s);
  REQUIRE(bytes.ok());
  CHECK(*bytes == want);
  auto ulp = EncodePacked(s, {.values = PackedValues::kDecimalUlp, .decimal_exp = -1});
  REQUIRE(ulp.ok());
  CHECK(*ulp == want);
  CHECK(ToBits(DecodeAll(Encoding::kPacked, want)) == ToBits(s));
  // The marker's length 1 000101 becomes 1 111101: a 62-bit exponent field, out of range.
  std::string bad = want;
  bad[6] = static_cast<char>(bad[6] | 0x0f);
  auto it = tsdb::chunkenc::NewIterator(Encoding::kPacked, bad);
  while (it->Next()) {
  }
  CHECK(it->status().code() == base::StatusCode::kCorruption);
}

TEST_CASE("packed chunks are write-once", "[tsdb][chunkenc][packed]") {
  auto c = EncodeBest(std::vector<model::Sample>{{1, 1.0}, {2, 2.0}, {3, 3.0}});
  REQUIRE(c.ok());
  auto app = (*c)->NewAppender();
  if ((*c)->encoding() == Encoding::kPacked) {
    REQUIRE_FALSE(app.ok());
    CHECK(app.error().code() == base::StatusCode::kInvalidArgument);
  }
  CHECK(tsdb::chunkenc::EncodingName(Encoding::kPacked) == "packed");
  auto packed = EncodePacked(std::vector<model::Sample>{{1, 1.0}}, {});
  REQUIRE(packed.ok());
  auto chunk = tsdb::chunkenc::FromData(Encoding::kPacked, *packed);
  REQUIRE(chunk.ok());
  CHECK_FALSE((*chunk)->NewAppender().ok());
}

TEST_CASE("packed iterator Seek and ReadAll", "[tsdb][chunkenc][packed]") {
  std::vector<model::Sample> s;
  for (int64_t i = 0; i < 300; ++i) s.push_back({1000 + i * 10, static_cast<double>(i)});
  auto bytes = EncodePacked(s, {});
  REQUIRE(bytes.ok());
  auto it = tsdb::chunkenc::NewIterator(Encoding::kPacked, *bytes);
  REQUIRE(it->Seek(0));
  CHECK(it->At().first == 1000);
  REQUIRE(it->Seek(1995));  // between samples: the next one
  CHECK(it->At().first == 2000);
  REQUIRE(it->Seek(1000));  // never backwards
  CHECK(it->At().first == 2000);
  REQUIRE(it->Next());
  CHECK(it->At().first == 2010);
  REQUIRE(it->Seek(3990));  // the last sample
  CHECK(it->At() == std::pair<int64_t, double>{3990, 299.0});
  CHECK_FALSE(it->Next());
  CHECK_FALSE(it->Seek(0));
  CHECK(it->status().ok());

  auto it2 = tsdb::chunkenc::NewIterator(Encoding::kPacked, *bytes, std::move(it));
  CHECK_FALSE(it2->Seek(4000));
  CHECK(it2->status().ok());

  std::vector<model::Sample> out;
  auto it3 = tsdb::chunkenc::NewIterator(Encoding::kPacked, *bytes, std::move(it2));
  REQUIRE(it3->ReadAll(1500, 1600, &out).ok());
  REQUIRE(out.size() == 11);
  CHECK(out.front().t == 1500);
  CHECK(out.back().t == 1600);
  CHECK_FALSE(it3->Next());

  // A reused iterator of another encoding is replaced, not misread.
  auto xor_it = tsdb::chunkenc::NewIterator(Encoding::kXor, std::string_view("\0\0", 2));
  auto it4 = tsdb::chunkenc::NewIterator(Encoding::kPacked, *bytes, std::move(xor_it));
  CHECK(it4->encoding() == Encoding::kPacked);
  REQUIRE(it4->Next());
  CHECK(it4->At().first == 1000);
}

TEST_CASE("packed and XOR iterators agree on random Seek and Next sequences",
          "[tsdb][chunkenc][packed]") {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 200; ++round) {
    std::vector<model::Sample> s(1 + rng() % 300);
    int64_t t = static_cast<int64_t>(rng() % 100000);
    const bool ordered = round % 2 == 0;
    for (auto& x : s) {
      t = ordered ? t + 1 + static_cast<int64_t>(rng() % 30) : static_cast<int64_t>(rng() % 5000);
      x = {t, static_cast<double>(rng() % 1000) / 10};
    }
    tsdb::chunkenc::XorChunk xor_chunk;
    auto app = xor_chunk.NewXorAppender();
    REQUIRE(app.ok());
    for (const auto& x : s) app->Append(x.t, x.v);
    auto packed = EncodePacked(s, {.values = PackedValues::kDecimal, .decimal_exp = -1});
    REQUIRE(packed.ok());
    auto a = xor_chunk.NewIterator();
    auto b = tsdb::chunkenc::NewIterator(Encoding::kPacked, *packed);
    for (int op = 0; op < 50; ++op) {
      bool ra = false;
      bool rb = false;
      if (rng() % 2 == 0) {
        ra = a->Next();
        rb = b->Next();
      } else {
        const int64_t target = s[rng() % s.size()].t + static_cast<int64_t>(rng() % 5) - 2;
        ra = a->Seek(target);
        rb = b->Seek(target);
      }
      REQUIRE(ra == rb);
      if (ra) REQUIRE(B2(a->At()) == B2(b->At()));
    }
    REQUIRE(a->status().ok());
    REQUIRE(b->status().ok());
  }
}

// Decodes `bytes` to the end; returns the status, requiring every sample read to be one of
// `want`'s when the chunk decodes.
base::Status DecodeStatus(std::string_view bytes) {
  auto it = tsdb::chunkenc::NewIterator(Encoding::kPacked, bytes);
  while (it->Next()) {
  }
  std::vector<model::Sample> out;
  auto it2 = tsdb::chunkenc::NewIterator(Encoding::kPacked, bytes);
  const base::Status all = it2->ReadAll(model::kMinTime, model::kMaxTime, &out);
  REQUIRE(all.ok() == it->status().ok());
  return it->status();
}

TEST_CASE("packed chunk corruption is reported, never read past", "[tsdb][chunkenc][packed]") {
  std::mt19937_64 rng(99);
  std::vector<std::vector<model::Sample>> inputs;
  {
    std::vector<model::Sample> s;
    double v = 0;
    for (int64_t i = 0; i < 500; ++i) {
      v += static_cast<double>(rng() % 1000) / 100;
      s.push_back(
          {i * 15000 + static_cast<int64_t>(rng() % 5), i % 97 == 0 ? model::StaleNaN() : v});
    }
    inputs.push_back(s);
    for (auto& x : s) x.v = D(rng());
    inputs.push_back(s);
    for (auto& x : s) x.v = 5;
    inputs.push_back(s);
    // Float-sum noise with stale markers, -0.0 and infinities: the decimal-ULP mode.
    s = FloatSum(rng, 500, 4321.5, 3, 3000);
    for (size_t i = 0; i < s.size(); i += 61) s[i].v = model::StaleNaN();
    s[100].v = -0.0;
    s[200].v = -std::numeric_limits<double>::infinity();
    inputs.push_back(s);
  }
  std::vector<std::string> chunks;
  for (const auto& s : inputs) {
    for (const PackedOptions& o :
         {PackedOptions{.values = PackedValues::kXor}, PackedOptions{},
          PackedOptions{.values = PackedValues::kDecimalUlp, .decimal_exp = -3}}) {
      auto b = EncodePacked(s, o);
      REQUIRE(b.ok());
      chunks.push_back(*b);
    }
    auto best = tsdb::chunkenc::EncodePackedBest(s);
    REQUIRE(best.ok());
    chunks.push_back(*best);
  }
  SECTION("every truncation is kCorruption") {
    for (const std::string& c : chunks) {
      REQUIRE(DecodeStatus(c).ok());
      for (size_t len = 0; len < c.size(); ++len) {
        // A copy of exactly `len` bytes, so that a sanitizer sees any read past it.
        const std::string cut = c.substr(0, len);
        INFO("truncated to " << len << " of " << c.size());
        const base::Status st = DecodeStatus(cut);
        REQUIRE(st.code() == base::StatusCode::kCorruption);
      }
    }
  }
  SECTION("a byte after the end is kCorruption") {
    for (const std::string& c : chunks) {
      CHECK(DecodeStatus(c + std::string(1, '\0')).code() == base::StatusCode::kCorruption);
    }
  }
  SECTION("a huge sample count is refused before decoding") {
    const std::string c = "\xff\xff\xff\xff\x0f";
    CHECK_FALSE(tsdb::chunkenc::FromData(Encoding::kPacked, c).ok());
    CHECK(DecodeStatus(c).code() == base::StatusCode::kCorruption);
    CHECK_FALSE(tsdb::chunkenc::FromData(Encoding::kPacked, "").ok());
  }
  SECTION("random bit flips and garbage never crash") {
    int corrupt = 0;
    for (int round = 0; round < 3000; ++round) {
      std::string c = chunks[rng() % chunks.size()];
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        const size_t bit = rng() % (c.size() * 8);
        c[bit / 8] = static_cast<char>(c[bit / 8] ^ (1 << (bit % 8)));
      }
      if (rng() % 4 == 0) c.resize(rng() % (c.size() + 1));
      const base::Status st = DecodeStatus(c);
      if (!st.ok()) {
        REQUIRE(st.code() == base::StatusCode::kCorruption);
        ++corrupt;
      }
    }
    CHECK(corrupt > 0);
    for (int round = 0; round < 2000; ++round) {
      std::string c(rng() % 64, '\0');
      for (char& ch : c) ch = static_cast<char>(rng());
      const base::Status st = DecodeStatus(c);
      if (!st.ok()) REQUIRE(st.code() == base::StatusCode::kCorruption);
    }
  }
}

}  // namespace

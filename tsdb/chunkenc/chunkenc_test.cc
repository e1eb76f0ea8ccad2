#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "model/sample.h"
#include "tsdb/chunkenc/bstream.h"
#include "tsdb/chunkenc/chunk.h"
#include "tsdb/chunkenc/xor_chunk.h"

namespace {

using tsdb::chunkenc::BitReader;
using tsdb::chunkenc::BitWriter;
using tsdb::chunkenc::Chunk;
using tsdb::chunkenc::Encoding;
using tsdb::chunkenc::Iterator;
using tsdb::chunkenc::XorAppender;
using tsdb::chunkenc::XorChunk;

// A sample compared bit-exactly: NaN payloads and the sign of zero count.
struct Bits {
  int64_t t;
  uint64_t v;
  bool operator==(const Bits&) const = default;
};

Bits B(int64_t t, double v) { return {t, std::bit_cast<uint64_t>(v)}; }

std::ostream& operator<<(std::ostream& os, const Bits& s) {
  return os << "{" << s.t << ", 0x" << std::hex << s.v << std::dec << "}";
}

std::string Hex(std::string_view b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    if (!out.empty()) out += ' ';
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  int nibble = -1;
  for (char c : hex) {
    if (c == ' ') continue;
    const int d = c <= '9' ? c - '0' : c - 'a' + 10;
    if (nibble < 0) {
      nibble = d;
    } else {
      out += static_cast<char>(nibble * 16 + d);
      nibble = -1;
    }
  }
  return out;
}

XorChunk Encode(const std::vector<Bits>& samples) {
  XorChunk c;
  auto app = c.NewXorAppender();
  REQUIRE(app.ok());
  for (const Bits& s : samples) app->Append(s.t, std::bit_cast<double>(s.v));
  return c;
}

// Decodes every sample, requiring the iterator to finish without error.
std::vector<Bits> Decode(Iterator& it) {
  std::vector<Bits> out;
  while (it.Next()) {
    auto [t, v] = it.At();
    out.push_back(B(t, v));
  }
  REQUIRE(it.status().ok());
  return out;
}

std::vector<Bits> Decode(const Chunk& c) {
  auto it = c.NewIterator();
  return Decode(*it);
}

// Encodes, decodes, and checks every way the bytes can come back.
void CheckRoundTrip(const std::vector<Bits>& in) {
  XorChunk c = Encode(in);
  REQUIRE(c.NumSamples() == static_cast<int>(in.size()));
  REQUIRE(Decode(c) == in);

  auto copy = tsdb::chunkenc::FromData(Encoding::kXor, std::string(c.bytes()));
  REQUIRE(copy.ok());
  REQUIRE((*copy)->bytes() == c.bytes());
  REQUIRE(Decode(**copy) == in);

  std::string snapshot(c.bytes());
  auto it = tsdb::chunkenc::NewIterator(Encoding::kXor, snapshot);
  REQUIRE(Decode(*it) == in);
}

std::vector<Bits> RegularCounter(size_t n, int64_t start, int64_t interval, std::mt19937_64& rng) {
  std::vector<Bits> out;
  double v = static_cast<double>(rng() % 100000);
  int64_t t = start;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(B(t, v));
    t += interval + static_cast<int64_t>(rng() % 3) - 1;  // Scrape jitter of a millisecond.
    if (rng() % 4 != 0) v += static_cast<double>(rng() % 50);
  }
  return out;
}

// Random timestamps and values from a mix of regimes that reach every encoder branch.
std::vector<Bits> RandomSeries(std::mt19937_64& rng) {
  const size_t n = 1 + rng() % 400;
  const int t_mode = static_cast<int>(rng() % 5);
  const int v_mode = static_cast<int>(rng() % 6);
  std::vector<Bits> out;
  int64_t t = static_cast<int64_t>(rng() % (uint64_t{1} << 42)) - (int64_t{1} << 41);
  double gauge = 0;
  double counter = 0;
  const double choices[] = {
      0.0, -0.0, 1.0, std::numeric_limits<double>::infinity(), model::StaleNaN(), 0.5, 1e300};
  for (size_t i = 0; i < n; ++i) {
    uint64_t v = 0;
    switch (v_mode) {
      case 0:  // Counter.
        counter += static_cast<double>(rng() % 1000);
        v = std::bit_cast<uint64_t>(counter);
        break;
      case 1:  // Gauge with two decimals.
        gauge += static_cast<double>(static_cast<int>(rng() % 2001) - 1000) / 100.0;
        v = std::bit_cast<uint64_t>(gauge);
        break;
      case 2:  // Any 64-bit pattern: NaN payloads, denormals, infinities.
        v = rng();
        break;
      case 3:  // Few distinct values.
        v = std::bit_cast<uint64_t>(choices[rng() % std::size(choices)]);
        break;
      case 4: {  // Patterns with a narrow changing window.
        const uint64_t window = rng() & 0xff;
        v = (uint64_t{0x3ff} << 52) | (window << (rng() % 44));
        break;
      }
      default:  // Constant.
        v = std::bit_cast<uint64_t>(42.0);
        break;
    }
    out.push_back({t, v});
    int64_t step = 0;
    switch (t_mode) {
      case 0:
        step = 15000 + static_cast<int64_t>(rng() % 21) - 10;
        break;
      case 1: {
        const uint64_t magnitude = uint64_t{1} << (rng() % 40);
        step = static_cast<int64_t>(rng() % magnitude);
        break;
      }
      case 2: {
        static constexpr int64_t kEdges[] = {
            0,     1,      -1,     8191,   8192,   8193,   -8191,   -8192,   65535,      65536,
            65537, -65535, -65536, 524287, 524288, 524289, -524287, -524288, -1000000000};
        step = 1000000 + kEdges[rng() % std::size(kEdges)];
        break;
      }
      case 3:  // Any jump, wrapping around int64: the encoding keeps it bit-exact.
        step = static_cast<int64_t>(rng());
        break;
      default:
        step = 1000;
        break;
    }
    t = static_cast<int64_t>(static_cast<uint64_t>(t) + static_cast<uint64_t>(step));
  }
  return out;
}

}  // namespace

// ---- bstream ----

TEST_CASE("BitWriter stores bits most significant first and zero-pads the last byte",
          "[tsdb][chunkenc]") {
  BitWriter w(4);
  w.WriteBit(true);
  CHECK(Hex(w.bytes()) == "80");
  w.WriteBits(0b0101, 4);
  CHECK(Hex(w.bytes()) == "a8");
  w.WriteBits(0xabcd, 16);
  CHECK(w.bit_len() == 21);
  CHECK(Hex(w.bytes()) == "ad 5e 68");
  w.WriteBits(0xffffffffffffffff, 3);  // Only the low 3 bits are written.
  CHECK(Hex(w.bytes()) == "ad 5e 6f");
  w.WriteBits(0x0123456789abcdef, 64);
  CHECK(w.bit_len() == 88);
  w.Truncate(22);
  CHECK(Hex(w.bytes()) == "ad 5e 6c");
  w.WriteBits(0, 0);
  CHECK(w.bit_len() == 22);
}

TEST_CASE("BitReader reads back random fields and stops at the end", "[tsdb][chunkenc]") {
  for (uint64_t seed = 0; seed < 300; ++seed) {
    std::mt19937_64 rng(seed);
    BitWriter w;
    std::vector<std::pair<unsigned, uint64_t>> fields;
    const size_t n = rng() % 60;
    for (size_t i = 0; i < n; ++i) {
      const unsigned width = 1 + static_cast<unsigned>(rng() % 64);
      const uint64_t v = width == 64 ? rng() : rng() & ((uint64_t{1} << width) - 1);
      fields.emplace_back(width, v);
      if (width == 1 && rng() % 2 == 0) {
        w.WriteBit(v != 0);
      } else {
        w.WriteBits(v, static_cast<int>(width));
      }
    }
    std::string bytes(w.bytes());
    BitReader r(bytes);
    size_t pos = 0;
    for (auto [width, want] : fields) {
      uint64_t got = 0;
      if (width == 1 && rng() % 2 == 0) {
        bool bit = false;
        REQUIRE(r.ReadBit(&bit));
        got = bit;
      } else {
        REQUIRE(r.ReadBits(width, &got));
      }
      REQUIRE(got == want);
      pos += width;
      REQUIRE(r.bits_read() == pos);
    }
    // Only the zero padding of the last byte is left.
    const size_t pad = bytes.size() * 8 - pos;
    REQUIRE(pad < 8);
    if (pad > 0) {
      uint64_t zeros = 1;
      REQUIRE(r.ReadBits(static_cast<unsigned>(pad), &zeros));
      REQUIRE(zeros == 0);
    }
    bool bit = false;
    uint64_t v = 0;
    CHECK_FALSE(r.ReadBit(&bit));
    CHECK_FALSE(r.ReadBits(1, &v));
    CHECK_FALSE(r.ReadBits(64, &v));
  }
}

TEST_CASE("BitReader refuses reads longer than the remaining bits", "[tsdb][chunkenc]") {
  const std::string bytes = Unhex("12 34 56 78 9a bc de f0 11");
  for (unsigned skip = 0; skip <= 72; ++skip) {
    BitReader r(bytes);
    uint64_t v = 0;
    if (skip > 0) REQUIRE(r.ReadBits(skip > 64 ? 64 : skip, &v));
    if (skip > 64) REQUIRE(r.ReadBits(skip - 64, &v));
    const unsigned left = 72 - skip;
    if (left < 64) CHECK_FALSE(r.ReadBits(left + 1, &v));
  }
  BitReader empty{std::string_view()};
  uint64_t v = 0;
  CHECK_FALSE(empty.ReadBits(8, &v));
  CHECK_FALSE(empty.ReadUvarint(&v));
}

// ---- XOR chunk: golden bytes ----

// Derived by hand in docs/format/chunks.md ("Worked example"), following Prometheus xor.go.
TEST_CASE("XOR chunk encodes the documented example bit for bit", "[tsdb][chunkenc]") {
  const std::vector<Bits> samples = {B(1000, 1.0), B(16000, 2.0), B(31000, 2.0), B(46005, 3.0),
                                     B(61005, 4.0)};
  const std::string golden =
      "00 05 d0 0f 3f f0 00 00 00 00 00 00 98 75 c2 5f ff 20 01 76 03 bf fb d6 16";
  XorChunk c = Encode(samples);
  CHECK(Hex(c.bytes()) == golden);

  auto parsed = tsdb::chunkenc::FromData(Encoding::kXor, Unhex(golden));
  REQUIRE(parsed.ok());
  CHECK((*parsed)->NumSamples() == 5);
  CHECK(Decode(**parsed) == samples);
}

// Produced by Prometheus's own xorAppender (tsdb/chunkenc/xor.go at commit d15adb9), covering
// every delta-of-delta bucket, both value headers, the clamp of leading zeros at 31, 64
// significant bits, NaNs and the staleness marker.
TEST_CASE("XOR chunk matches bytes written by Prometheus", "[tsdb][chunkenc]") {
  const std::vector<Bits> samples = {
      {-5, 0x3ff0000000000000},       // 1.0 at -5 ms.
      {10, 0x3ff0000000000000},       // Delta 15, same value.
      {25, 0x3ff0000000000001},       // dod 0; 63 leading zeros, clamped to 31.
      {40, 0x8000000000000000},       // XOR has 64 significant bits (field written as 0).
      {8247, 0x7ff0000000000002},     // dod 8192, the 14-bit bucket's top; stale NaN.
      {8255, 0x7ff8000000000001},     // dod -8199 (17 bits); NaN with a payload.
      {74021, 0x7ff0000000000000},    // dod 65758 (20 bits); +Inf.
      {74021, 0xfff0000000000000},    // dod -65766 (20 bits), equal timestamps; -Inf.
      {1074021, 0x0000000000000000},  // dod 1000000 (64 bits); 0.0.
      {2074021, 0x8000000000000000},  // dod 0; -0.0.
      {3074021, 0x8000000000000000},  // Same value.
      {4074022, 0x4340000000000000},  // dod 1; 2^53.
      {5074023, 0x4340000000000001},  // 2^53 + 2.
      {6074024, 0x4340000000000003},  // Fits the previous window: '10' header.
  };
  const std::string golden =
      "00 0e 09 3f f0 00 00 00 00 00 00 0f 3f c2 00 00 "
      "00 01 60 02 ff c0 00 00 00 00 00 06 80 02 ff f0 "
      "00 00 00 00 00 02 dd ff 98 00 20 00 00 00 00 00 "
      "0f 84 03 7a 00 08 00 00 00 00 00 01 ee ff 1a a0 "
      "00 00 00 00 00 00 00 3c 00 00 00 00 00 3d 09 02 "
      "ff f0 00 00 00 00 00 00 50 00 00 00 00 00 00 00 "
      "04 00 0d 86 80 00 00 00 00 00 00 80 00 00 00 00 "
      "00 00 00 50 00 00 00 00 00 00 00 10";
  XorChunk c = Encode(samples);
  CHECK(Hex(c.bytes()) == golden);
  auto parsed = tsdb::chunkenc::FromData(Encoding::kXor, Unhex(golden));
  REQUIRE(parsed.ok());
  CHECK(Decode(**parsed) == samples);
}

// Prometheus's XORChunk.Appender restores leading = trailing = 0 when the chunk holds one
// sample, and then writes the second value as '10' with all 64 bits. Bytes from that path
// (oracle run at the same commit: one sample, Reset, Appender(), three more) must decode too.
TEST_CASE("XOR chunk decodes the bytes of Prometheus's restored appender", "[tsdb][chunkenc]") {
  const std::string bytes = Unhex(
      "00 04 d0 0f 3f f0 00 00 00 00 00 00 98 75 9f fc 00 00 00 00 00 00 08 00 58 00 20 00 00 "
      "00 00 00 00");
  auto c = tsdb::chunkenc::FromData(Encoding::kXor, bytes);
  REQUIRE(c.ok());
  CHECK(Decode(**c) ==
        std::vector<Bits>{B(1000, 1.0), B(16000, 2.0), B(31000, 2.0), B(46005, 3.0)});
  // Appending to it continues after the last sample.
  auto app = (*c)->NewAppender();
  REQUIRE(app.ok());
  (*app)->Append(61005, 4.0);
  CHECK(Decode(**c) == std::vector<Bits>{B(1000, 1.0), B(16000, 2.0), B(31000, 2.0), B(46005, 3.0),
                                         B(61005, 4.0)});
}

// ---- XOR chunk: round trips ----

TEST_CASE("XOR chunk round-trips random series bit-exactly", "[tsdb][chunkenc]") {
  for (uint64_t seed = 0; seed < 500; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    CheckRoundTrip(RandomSeries(rng));
  }
}

TEST_CASE("XOR chunk keeps special float values bit-exact", "[tsdb][chunkenc]") {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<uint64_t> values = {
      model::kStaleNaNBits,
      std::bit_cast<uint64_t>(std::numeric_limits<double>::quiet_NaN()),
      0x7ff8000000000001,  // Quiet NaN with a payload.
      0x7ff0000000000001,  // Signalling NaN.
      0xfff8000000000000,  // Negative NaN.
      0xffffffffffffffff,
      model::kStaleNaNBits,
      std::bit_cast<uint64_t>(inf),
      std::bit_cast<uint64_t>(-inf),
      std::bit_cast<uint64_t>(0.0),
      std::bit_cast<uint64_t>(-0.0),
      std::bit_cast<uint64_t>(0.0),
      std::bit_cast<uint64_t>(-0.0),
      std::bit_cast<uint64_t>(-0.0),
      std::bit_cast<uint64_t>(std::numeric_limits<double>::denorm_min()),
      std::bit_cast<uint64_t>(-std::numeric_limits<double>::denorm_min()),
      std::bit_cast<uint64_t>(std::numeric_limits<double>::max()),
      std::bit_cast<uint64_t>(std::numeric_limits<double>::lowest()),
      std::bit_cast<uint64_t>(9007199254740992.0),  // 2^53 and its neighbours.
      std::bit_cast<uint64_t>(std::nextafter(9007199254740992.0, 0.0)),
      std::bit_cast<uint64_t>(std::nextafter(9007199254740992.0, 1e300)),
      model::kStaleNaNBits,
  };
  std::vector<Bits> samples;
  for (size_t i = 0; i < values.size(); ++i) {
    samples.push_back({static_cast<int64_t>(i) * 15000, values[i]});
  }
  CheckRoundTrip(samples);
  // Each value alone as the first sample (stored raw) and as the second (XOR against 1.0).
  for (uint64_t v : values) {
    CheckRoundTrip({{0, v}});
    CheckRoundTrip({B(0, 1.0), {1, v}, B(2, 1.0)});
  }
  // The staleness marker survives as the staleness marker.
  XorChunk c = Encode(samples);
  auto it = c.NewIterator();
  REQUIRE(it->Next());
  CHECK(model::IsStaleNaN(it->At().second));
}

TEST_CASE("XOR chunk round-trips timestamp edge cases", "[tsdb][chunkenc]") {
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t p53 = int64_t{1} << 53;
  SECTION("equal timestamps") {
    CheckRoundTrip({B(5, 1), B(5, 2), B(5, 3), B(5, 4), B(6, 5), B(6, 6)});
  }
  SECTION("negative timestamps") {
    CheckRoundTrip(
        {B(-100000, 1), B(-85000, 2), B(-70000, 3), B(-55001, 4), B(-1, 5), B(0, 6), B(1, 7)});
  }
  SECTION("2^53 and its neighbours") {
    CheckRoundTrip({B(p53 - 1, 1), B(p53, 2), B(p53 + 1, 3), B(p53 + 3, 4)});
  }
  SECTION("the int64 extremes and jumps between them") {
    CheckRoundTrip({B(kMin, 1), B(kMin + 1, 2), B(0, 3), B(kMax - 1, 4), B(kMax, 5)});
    CheckRoundTrip({B(kMin, 1), B(kMax, 2), B(kMin, 3), B(kMax, 4)});
    CheckRoundTrip({B(kMax, 1)});
    CheckRoundTrip({B(kMin, 1)});
  }
  SECTION("huge jumps need the 64-bit bucket") {
    CheckRoundTrip({B(0, 1), B(1000, 1), B(2000, 1), B(int64_t{1} << 40, 1),
                    B((int64_t{1} << 40) + 1000, 1), B(int64_t{1} << 62, 1)});
  }
  SECTION("decreasing timestamps wrap around like Prometheus's") {
    CheckRoundTrip({B(1000, 1), B(500, 2), B(900, 3), B(-7, 4)});
  }
}

TEST_CASE("XOR chunk picks Prometheus's delta-of-delta bucket at every boundary",
          "[tsdb][chunkenc]") {
  // Bits of the prefix and payload, and the dods on either side of each bucket's edges.
  struct Bucket {
    size_t bits;
    std::vector<int64_t> dods;
  };
  const Bucket buckets[] = {
      {1, {0}},
      {16, {1, -1, 8191, 8192, -8191}},
      {20, {-8192, 8193, 65536, -65535}},
      {24, {-65536, 65537, 524288, -524287}},
      {68, {-524288, 524289, int64_t{1} << 40, -(int64_t{1} << 40)}},
  };
  std::vector<std::pair<int64_t, size_t>> cases;
  for (const Bucket& bucket : buckets) {
    for (int64_t dod : bucket.dods) cases.emplace_back(dod, bucket.bits);
  }
  for (auto [dod, bits] : cases) {
    CAPTURE(dod);
    const int64_t t2 = 2000000 + dod;
    XorChunk c = Encode({B(0, 1), B(1000000, 1), B(t2, 1)});
    // header 16 + varint(0) 8 + value 64 + uvarint(1000000) 24 + '0' 1 = 113 bits, then the
    // third sample: dod bits and '0' for the unchanged value.
    const size_t before = 16 + 8 + 64 + 24 + 1;
    CHECK(c.bytes().size() == (before + bits + 1 + 7) / 8);
    BitReader r(c.bytes());
    uint64_t skip = 0;
    REQUIRE(r.ReadBits(64, &skip));
    REQUIRE(r.ReadBits(before - 64, &skip));
    uint64_t prefix = 0;
    const size_t prefix_len = bits == 1 ? 1 : bits == 16 ? 2 : bits == 20 ? 3 : 4;
    REQUIRE(r.ReadBits(static_cast<unsigned>(prefix_len), &prefix));
    const uint64_t want_prefix = bits == 1    ? 0
                                 : bits == 16 ? 0b10
                                 : bits == 20 ? 0b110
                                 : bits == 24 ? 0b1110
                                              : 0b1111;
    CHECK(prefix == want_prefix);
    CHECK(Decode(c) == std::vector<Bits>{B(0, 1), B(1000000, 1), B(t2, 1)});
  }
}

TEST_CASE("XOR chunk value headers clamp leading zeros and write 64 significant bits as 0",
          "[tsdb][chunkenc]") {
  // Header of the second value starts after 16 + 8 + 64 + 8 (uvarint 1) = 96 bits.
  auto value_header = [](const XorChunk& c) {
    BitReader r(c.bytes());
    uint64_t v = 0;
    REQUIRE(r.ReadBits(64, &v));
    REQUIRE(r.ReadBits(32, &v));
    uint64_t control = 0;
    uint64_t leading = 0;
    uint64_t sigbits = 0;
    REQUIRE(r.ReadBits(2, &control));
    REQUIRE(r.ReadBits(5, &leading));
    REQUIRE(r.ReadBits(6, &sigbits));
    return std::tuple{control, leading, sigbits};
  };
  SECTION("63 leading zeros are written as 31") {
    XorChunk c = Encode({{0, 0x3ff0000000000000}, {1, 0x3ff0000000000001}});
    CHECK(value_header(c) == std::tuple{uint64_t{0b11}, uint64_t{31}, uint64_t{33}});
    CHECK(Decode(c) == std::vector<Bits>{{0, 0x3ff0000000000000}, {1, 0x3ff0000000000001}});
  }
  SECTION("64 significant bits are written as 0") {
    XorChunk c = Encode({{0, 0}, {1, 0x8000000000000001}});
    CHECK(value_header(c) == std::tuple{uint64_t{0b11}, uint64_t{0}, uint64_t{0}});
    CHECK(Decode(c) == std::vector<Bits>{{0, 0}, {1, 0x8000000000000001}});
  }
  SECTION("a XOR inside the previous window reuses it") {
    // XOR 0x0000f00000000000: leading 16, trailing 44, 4 significant bits.
    XorChunk a = Encode({{0, 0x3ff0000000000000}, {1, 0x3ff0f00000000000}});
    // XOR 0x0000500000000000 lies inside that window.
    XorChunk b =
        Encode({{0, 0x3ff0000000000000}, {1, 0x3ff0f00000000000}, {2, 0x3ff0a00000000000}});
    const size_t bits_a = 16 + 8 + 64 + 8 + 13 + 4;
    CHECK(a.bytes().size() == (bits_a + 7) / 8);
    // '0' (dod) + '10' + the 4 window bits.
    CHECK(b.bytes().size() == (bits_a + 1 + 2 + 4 + 7) / 8);
    CHECK(Decode(b).back() == Bits{2, 0x3ff0a00000000000});
  }
}

TEST_CASE("XOR chunk handles values alternating wildly over long chunks", "[tsdb][chunkenc]") {
  const double inf = std::numeric_limits<double>::infinity();
  const double wild[] = {1e308, -1e-308, 0.0,  std::numeric_limits<double>::denorm_min(),
                         -inf,  3.14159, -0.0, model::StaleNaN(),
                         1.0,   -1e308};
  std::vector<Bits> samples;
  for (int i = 0; i < 1000; ++i) samples.push_back(B(int64_t{i} * 15000, wild[i % 10]));
  CheckRoundTrip(samples);
  std::mt19937_64 rng(7);
  CheckRoundTrip(RegularCounter(121, 1700000000000, 15000, rng));
  CheckRoundTrip(RegularCounter(5000, 1700000000000, 15000, rng));
}

TEST_CASE("XOR chunk holds up to 65535 samples", "[tsdb][chunkenc]") {
  std::vector<Bits> samples;
  for (int i = 0; i < XorChunk::kMaxSamples; ++i) samples.push_back(B(int64_t{i} * 1000, i % 7));
  XorChunk c = Encode(samples);
  CHECK(c.NumSamples() == 65535);
  CHECK(Decode(c) == samples);
}

TEST_CASE("XOR chunk sample grows the chunk by at most kMaxSampleBytes", "[tsdb][chunkenc]") {
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  std::mt19937_64 rng(5);
  for (int round = 0; round < 200; ++round) {
    XorChunk c;
    auto app = c.NewXorAppender();
    REQUIRE(app.ok());
    // Increasing timestamps with the largest jumps, and values whose XOR has 64 significant bits.
    int64_t t = round % 2 == 0 ? kMin : 0;
    uint64_t v = rng();
    for (int i = 0; i < 20; ++i) {
      const size_t before = c.bytes().size();
      app->Append(t, std::bit_cast<double>(v));
      REQUIRE(c.bytes().size() - before <= XorChunk::kMaxSampleBytes);
      v ^= 0x8000000000000001 | rng();
      const uint64_t room = static_cast<uint64_t>(kMax) - static_cast<uint64_t>(t);
      t += static_cast<int64_t>(i % 2 == 0 ? room / 2 : 1 + rng() % 1000);
    }
  }
}

// ---- XOR chunk: appenders ----

TEST_CASE("XOR appender restored from bytes writes what an uninterrupted one would",
          "[tsdb][chunkenc]") {
  for (uint64_t seed = 0; seed < 100; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    const std::vector<Bits> samples = RandomSeries(rng);
    const XorChunk whole = Encode(samples);
    for (size_t split :
         {size_t{0}, size_t{1}, size_t{2}, size_t{3}, samples.size() / 2, samples.size()}) {
      if (split > samples.size()) continue;
      CAPTURE(split);
      XorChunk head = Encode({samples.begin(), samples.begin() + static_cast<ptrdiff_t>(split)});
      auto c = tsdb::chunkenc::FromData(Encoding::kXor, std::string(head.bytes()));
      REQUIRE(c.ok());
      auto app = (*c)->NewAppender();
      REQUIRE(app.ok());
      for (size_t i = split; i < samples.size(); ++i) {
        (*app)->Append(samples[i].t, std::bit_cast<double>(samples[i].v));
      }
      REQUIRE(Hex((*c)->bytes()) == Hex(whole.bytes()));
    }
  }
}

TEST_CASE("XOR appender drops bytes after the last sample before appending", "[tsdb][chunkenc]") {
  XorChunk c = Encode({B(1000, 1.0), B(16000, 2.0), B(31000, 2.0)});
  std::string bytes(c.bytes());
  // Set every padding bit and add garbage bytes: they are not samples.
  const size_t pad = bytes.size() * 8 - (16 + 16 + 64 + 16 + 24 + 2);
  bytes.back() = static_cast<char>(bytes.back() | ((1 << pad) - 1));
  bytes += "\xff\xff\xff";
  auto dirty = tsdb::chunkenc::FromData(Encoding::kXor, bytes);
  REQUIRE(dirty.ok());
  auto app = (*dirty)->NewAppender();
  REQUIRE(app.ok());
  (*app)->Append(46005, 3.0);
  XorChunk clean = Encode({B(1000, 1.0), B(16000, 2.0), B(31000, 2.0), B(46005, 3.0)});
  CHECK(Hex((*dirty)->bytes()) == Hex(clean.bytes()));
}

TEST_CASE("XOR appender on a corrupt chunk reports kCorruption", "[tsdb][chunkenc]") {
  XorChunk c = Encode({B(1000, 1.0), B(16000, 2.0), B(31000, 2.0)});
  std::string bytes(c.bytes());
  bytes[1] = 9;  // Claims 9 samples.
  auto corrupt = tsdb::chunkenc::FromData(Encoding::kXor, bytes);
  REQUIRE(corrupt.ok());
  auto app = (*corrupt)->NewAppender();
  REQUIRE_FALSE(app.ok());
  CHECK(app.error().code() == base::StatusCode::kCorruption);
}

TEST_CASE("XOR chunk stays small and grows geometrically", "[tsdb][chunkenc]") {
  CHECK(sizeof(XorChunk) <= 24);
  CHECK(sizeof(XorAppender) <= 48);
  XorChunk c;
  CHECK(c.bytes() == std::string_view("\0\0", 2));
  CHECK(c.buffer_capacity() >= XorChunk::kInitialCapacity);
  CHECK(c.buffer_capacity() <= 40);
  auto app = c.NewXorAppender();
  REQUIRE(app.ok());
  std::mt19937_64 rng(3);
  size_t grows = 0;
  size_t last_cap = c.buffer_capacity();
  for (const Bits& s : RegularCounter(2000, 1700000000000, 15000, rng)) {
    app->Append(s.t, std::bit_cast<double>(s.v));
    if (c.buffer_capacity() != last_cap) {
      ++grows;
      CHECK(c.buffer_capacity() >= last_cap + std::max<size_t>(last_cap / 4, 16));
      last_cap = c.buffer_capacity();
    }
    CHECK(c.buffer_capacity() <= c.bytes().size() * 5 / 4 + 40);
  }
  CHECK(grows < 30);

  XorChunk sized(400);
  CHECK(sized.buffer_capacity() >= 400);
  CHECK(sized.bytes() == std::string_view("\0\0", 2));
  CHECK(XorChunk(0).bytes() == std::string_view("\0\0", 2));

  const std::string before(c.bytes());
  c.Compact();
  CHECK(c.bytes() == before);
  CHECK(c.buffer_capacity() >= c.bytes().size());
  CHECK(c.buffer_capacity() < c.bytes().size() + 16);
  // Appending after Compact still works.
  app->Append(1800000000000, 1.0);
  CHECK(c.NumSamples() == 2001);
  CHECK(Decode(c).back() == B(1800000000000, 1.0));
}

// ---- XOR chunk: iterators ----

TEST_CASE("XOR iterator Seek moves forward only", "[tsdb][chunkenc]") {
  std::vector<Bits> samples;
  for (int64_t t = 1000; t <= 10000; t += 1000) samples.push_back(B(t, static_cast<double>(t)));
  XorChunk c = Encode(samples);

  auto it = c.NewIterator();
  REQUIRE(it->Seek(500));
  CHECK(it->At().first == 1000);
  REQUIRE(it->Seek(1000));  // Already there: stays.
  CHECK(it->At().first == 1000);
  REQUIRE(it->Seek(1500));
  CHECK(it->At() == std::pair<int64_t, double>{2000, 2000.0});
  REQUIRE(it->Seek(100));  // Never backwards.
  CHECK(it->At().first == 2000);
  REQUIRE(it->Next());
  CHECK(it->At().first == 3000);
  REQUIRE(it->Seek(10000));
  CHECK(it->At().first == 10000);
  CHECK_FALSE(it->Seek(10001));
  CHECK_FALSE(it->Seek(0));  // Exhausted stays exhausted.
  CHECK_FALSE(it->Next());
  CHECK(it->status().ok());

  auto fresh = c.NewIterator();
  CHECK_FALSE(fresh->Seek(10001));
  CHECK(fresh->status().ok());

  auto last = c.NewIterator();
  while (last->Next()) {
  }
  CHECK_FALSE(last->Seek(10000));  // After Next() returned false there is no current sample.

  XorChunk empty;
  auto none = empty.NewIterator();
  CHECK_FALSE(none->Seek(0));
  CHECK_FALSE(none->Next());
  CHECK(none->status().ok());
}

TEST_CASE("XOR iterator is recycled through reuse", "[tsdb][chunkenc]") {
  XorChunk a = Encode({B(1, 1.0), B(2, 2.0), B(3, 3.0)});
  XorChunk b = Encode({B(10, -1.0), B(20, -2.0)});
  auto it = a.NewIterator();
  Iterator* raw = it.get();
  REQUIRE(it->Next());
  REQUIRE(it->Next());

  it = b.NewIterator(std::move(it));
  CHECK(it.get() == raw);
  CHECK(Decode(*it) == std::vector<Bits>{B(10, -1.0), B(20, -2.0)});

  // A failed iterator comes back clean.
  std::string bad(a.bytes());
  bad[1] = 50;
  it = tsdb::chunkenc::NewIterator(Encoding::kXor, bad, std::move(it));
  CHECK(it.get() == raw);
  while (it->Next()) {
  }
  CHECK(it->status().code() == base::StatusCode::kCorruption);
  it = a.NewIterator(std::move(it));
  CHECK(it.get() == raw);
  CHECK(it->status().ok());
  CHECK(Decode(*it) == std::vector<Bits>{B(1, 1.0), B(2, 2.0), B(3, 3.0)});

  // An iterator of another encoding is not recycled.
  auto other = tsdb::chunkenc::NewIterator(Encoding::kNone, a.bytes());
  Iterator* other_raw = other.get();
  auto xor_it = a.NewIterator(std::move(other));
  CHECK(xor_it.get() != other_raw);
  CHECK(xor_it->encoding() == Encoding::kXor);
  CHECK(Decode(*xor_it).size() == 3);
}

TEST_CASE("An iterator over a copy of an open chunk sees the samples copied", "[tsdb][chunkenc]") {
  XorChunk c;
  auto app = c.NewXorAppender();
  REQUIRE(app.ok());
  app->Append(1, 1.0);
  app->Append(2, 2.0);
  const std::string snapshot(c.bytes());
  auto it = tsdb::chunkenc::NewIterator(Encoding::kXor, snapshot);
  for (int i = 3; i < 200; ++i) app->Append(i, i);
  CHECK(Decode(*it) == std::vector<Bits>{B(1, 1.0), B(2, 2.0)});
  CHECK(c.NumSamples() == 199);
}

// ---- Factories and garbage ----

TEST_CASE("FromData rejects unknown encodings and short bytes", "[tsdb][chunkenc]") {
  auto empty = tsdb::chunkenc::FromData(Encoding::kXor, "");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code() == base::StatusCode::kCorruption);
  CHECK_FALSE(tsdb::chunkenc::FromData(Encoding::kXor, std::string(1, '\0')).ok());
  auto none = tsdb::chunkenc::FromData(Encoding::kNone, std::string(2, '\0'));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code() == base::StatusCode::kCorruption);
  auto seven = tsdb::chunkenc::FromData(static_cast<Encoding>(7), std::string(2, '\0'));
  REQUIRE_FALSE(seven.ok());
  CHECK(seven.error().message() == "unknown chunk encoding 7");

  auto ok = tsdb::chunkenc::FromData(Encoding::kXor, std::string(2, '\0'));
  REQUIRE(ok.ok());
  CHECK((*ok)->encoding() == Encoding::kXor);
  CHECK((*ok)->NumSamples() == 0);
  CHECK(Decode(**ok).empty());

  auto it = tsdb::chunkenc::NewIterator(static_cast<Encoding>(9), "\0\0");
  CHECK_FALSE(it->Next());
  CHECK_FALSE(it->Seek(0));
  CHECK(it->status().code() == base::StatusCode::kCorruption);
  auto short_it = tsdb::chunkenc::NewIterator(Encoding::kXor, "\x01");
  CHECK_FALSE(short_it->Next());
  CHECK(short_it->status().code() == base::StatusCode::kCorruption);

  CHECK(tsdb::chunkenc::EncodingName(Encoding::kXor) == "XOR");
  CHECK(tsdb::chunkenc::EncodingName(Encoding::kNone) == "none");
  CHECK(tsdb::chunkenc::EncodingName(static_cast<Encoding>(7)) == "<unknown>");
}

TEST_CASE("XOR chunk truncated anywhere reports kCorruption, never a wrong count",
          "[tsdb][chunkenc]") {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 20; ++round) {
    const std::vector<Bits> samples = RandomSeries(rng);
    XorChunk c = Encode(samples);
    const std::string full(c.bytes());
    for (size_t len = 2; len < full.size(); ++len) {
      auto it = tsdb::chunkenc::NewIterator(Encoding::kXor, std::string_view(full).substr(0, len));
      size_t n = 0;
      while (it->Next()) {
        REQUIRE(n < samples.size());
        REQUIRE(B(it->At().first, it->At().second) == samples[n]);
        ++n;
      }
      REQUIRE(it->status().code() == base::StatusCode::kCorruption);
      REQUIRE(n < samples.size());
    }
  }
}

// Decodes `bytes` as an XOR chunk and, when that works, appends one sample and checks the
// chunk then decodes to the old samples plus the new one. Must never crash or read out of
// bounds (the ASan build checks the latter).
void FuzzOne(const std::string& bytes) {
  auto c = tsdb::chunkenc::FromData(Encoding::kXor, bytes);
  if (bytes.size() < 2) {
    REQUIRE_FALSE(c.ok());
    return;
  }
  REQUIRE(c.ok());
  std::vector<Bits> seen;
  auto it = (*c)->NewIterator();
  while (it->Next()) {
    seen.push_back(B(it->At().first, it->At().second));
    REQUIRE(seen.size() <= 65535);
  }
  if (!it->status().ok()) {
    REQUIRE(it->status().code() == base::StatusCode::kCorruption);
    REQUIRE_FALSE((*c)->NewAppender().ok());
    return;
  }
  REQUIRE(seen.size() == static_cast<size_t>((*c)->NumSamples()));
  if (seen.size() == static_cast<size_t>(XorChunk::kMaxSamples)) return;
  auto app = (*c)->NewAppender();
  REQUIRE(app.ok());
  const int64_t t = seen.empty() ? 0 : seen.back().t + 15000;
  (*app)->Append(t, 42.5);
  seen.push_back(B(t, 42.5));
  REQUIRE(Decode(**c) == seen);
}

TEST_CASE("XOR chunk survives garbage bytes", "[tsdb][chunkenc]") {
  std::mt19937_64 rng(12345);
  SECTION("random bytes") {
    for (int i = 0; i < 20000; ++i) {
      std::string bytes(rng() % 80, '\0');
      for (char& ch : bytes) ch = static_cast<char>(rng());
      // Mostly small sample counts, so decoding gets deep rather than running out of bytes.
      if (bytes.size() >= 2 && rng() % 4 != 0) {
        bytes[0] = 0;
        bytes[1] = static_cast<char>(rng() % 12);
      }
      FuzzOne(bytes);
    }
  }
  SECTION("mutated valid chunks") {
    for (int i = 0; i < 3000; ++i) {
      std::string bytes(Encode(RandomSeries(rng)).bytes());
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        const size_t at = rng() % bytes.size();
        bytes[at] ^= static_cast<char>(1 << (rng() % 8));
      }
      if (rng() % 3 == 0) bytes.resize(rng() % (bytes.size() + 1));
      FuzzOne(bytes);
    }
  }
}

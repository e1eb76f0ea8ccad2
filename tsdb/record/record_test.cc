// Tests of the WAL record encodings (docs/format/wal.md, "Records").
#include "tsdb/record/record.h"

#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tsdb::record {
namespace {

std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    out += kDigits[(static_cast<uint8_t>(c) >> 4) & 0xf];
    out += kDigits[static_cast<uint8_t>(c) & 0xf];
  }
  return out;
}

TEST_CASE("Record types are recognised by their first byte", "[tsdb][wal]") {
  CHECK(GetType("") == Type::kUnknown);
  CHECK(GetType(std::string_view("\x01", 1)) == Type::kSeries);
  CHECK(GetType(std::string_view("\x02", 1)) == Type::kSamples);
  CHECK(GetType(std::string_view("\x03", 1)) == Type::kTombstones);
  CHECK(GetType(std::string_view("\x07", 1)) == Type::kHistogramSamples);
  CHECK(GetType(std::string_view("\x00", 1)) == Type::kUnknown);
  CHECK(GetType(std::string_view("\x0f", 1)) == Type::kUnknown);
  CHECK(TypeName(Type::kSamples) == "samples");
}

TEST_CASE("Series records round-trip, UTF-8 labels included", "[tsdb][wal]") {
  std::vector<RefSeries> in = {
      {1, model::Labels{{"__name__", "up"}, {"job", "prometheus"}, {"instance", "localhost:9090"}}},
      {std::numeric_limits<uint64_t>::max(),
       model::Labels{{"__name__", "température_°C"}, {"城市", "東京"}, {"emoji", "🔥 hot"}}},
      {42, model::Labels{}},
      {7, model::Labels{{"a", std::string(300, 'x')}}},  // a length over one varint byte
  };
  std::string buf = "prefix";
  EncodeSeries(in, &buf);
  CHECK(buf.substr(0, 6) == "prefix");
  std::string_view rec = std::string_view(buf).substr(6);
  CHECK(GetType(rec) == Type::kSeries);
  std::vector<RefSeries> out = {{99, model::Labels{{"x", "y"}}}};
  REQUIRE(DecodeSeries(rec, &out).ok());
  REQUIRE(out.size() == 1 + in.size());
  CHECK(out[0].ref == 99);
  for (size_t i = 0; i < in.size(); ++i) {
    CHECK(out[i + 1].ref == in[i].ref);
    CHECK(out[i + 1].labels == in[i].labels);
    CHECK(out[i + 1].labels.hash() == in[i].labels.hash());
  }
}

TEST_CASE("Series record bytes match Prometheus's encoding", "[tsdb][wal]") {
  std::vector<RefSeries> in = {{0x0102, model::Labels{{"__name__", "up"}, {"job", "a"}}}};
  std::string buf;
  EncodeSeries(in, &buf);
  // type, ref be64, 2 labels, "__name__" "up" "job" "a".
  CHECK(Hex(buf) ==
        "01"
        "0000000000000102"
        "02"
        "085f5f6e616d655f5f"
        "027570"
        "036a6f62"
        "0161");
}

TEST_CASE("Samples records round-trip with exact value bits", "[tsdb][wal]") {
  const double kNaNPayload = std::bit_cast<double>(uint64_t{0x7ff8000000000123});
  std::vector<RefSample> in = {
      {1000, 1700000000000, 1.5},
      {999, 1699999999000, model::StaleNaN()},  // ref and time below the first: negative deltas
      {5, model::kMaxTime, -0.0},
      {std::numeric_limits<uint64_t>::max(), model::kMinTime, kNaNPayload},
      {0, 0, std::numeric_limits<double>::infinity()},
      {1000, 1700000000000, std::numeric_limits<double>::denorm_min()},
  };
  std::string buf;
  EncodeSamples(in, &buf);
  std::vector<RefSample> out;
  REQUIRE(DecodeSamples(buf, &out).ok());
  REQUIRE(out.size() == in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    INFO("sample " << i);
    CHECK(out[i].ref == in[i].ref);
    CHECK(out[i].t == in[i].t);
    CHECK(std::bit_cast<uint64_t>(out[i].v) == std::bit_cast<uint64_t>(in[i].v));
  }
  CHECK(model::IsStaleNaN(out[1].v));

  // Empty: just the type byte, decodes to nothing.
  buf.clear();
  EncodeSamples({}, &buf);
  CHECK(buf == "\x02");
  out.clear();
  REQUIRE(DecodeSamples(buf, &out).ok());
  CHECK(out.empty());
}

TEST_CASE("Samples record bytes match Prometheus's encoding", "[tsdb][wal]") {
  // The worked example of docs/format/wal.md.
  std::vector<RefSample> in = {{1, 1700000000000, 1.0}, {2, 1700000015000, 2.5}};
  std::string buf;
  EncodeSamples(in, &buf);
  CHECK(Hex(buf) ==
        "02"
        "0000000000000001"
        "0000018bcfe56800"  // ref0, t0
        "00"
        "00"
        "3ff0000000000000"  // dref 0, dt 0, 1.0
        "02"
        "b0ea01"
        "4004000000000000");  // dref +1, dt +15000, 2.5
}

TEST_CASE("Tombstones records round-trip", "[tsdb][wal]") {
  std::vector<RefTombstone> in = {
      {1, 100, 200}, {2, model::kMinTime, model::kMaxTime}, {3, -5, -1}};
  std::string buf;
  EncodeTombstones(in, &buf);
  CHECK(GetType(buf) == Type::kTombstones);
  std::vector<RefTombstone> out;
  REQUIRE(DecodeTombstones(buf, &out).ok());
  REQUIRE(out.size() == in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    CHECK(out[i].ref == in[i].ref);
    CHECK(out[i].mint == in[i].mint);
    CHECK(out[i].maxt == in[i].maxt);
  }
}

TEST_CASE("Decoding malformed records returns corruption and leaves the output alone",
          "[tsdb][wal]") {
  std::vector<RefSeries> series = {{1, model::Labels{{"a", "b"}}}};
  std::vector<RefSample> samples = {{1, 2, 3}};
  std::vector<RefTombstone> stones = {{1, 2, 3}};

  SECTION("wrong type byte") {
    CHECK(DecodeSeries("\x02", &series).code() == base::StatusCode::kCorruption);
    CHECK(DecodeSamples("\x01", &samples).code() == base::StatusCode::kCorruption);
    CHECK(DecodeTombstones("", &stones).code() == base::StatusCode::kCorruption);
  }
  SECTION("labels out of order, duplicated or empty") {
    auto rec = [](std::string pairs, int n) {
      std::string r = std::string("\x01", 1) + std::string(7, '\0') + "\x05";
      r += static_cast<char>(n);
      return r + pairs;
    };
    CHECK(DecodeSeries(rec("\x01"
                           "b"
                           "\x01"
                           "x"
                           "\x01"
                           "a"
                           "\x01"
                           "y",
                           2),
                       &series)
              .code() == base::StatusCode::kCorruption);
    CHECK(DecodeSeries(rec("\x01"
                           "a"
                           "\x01"
                           "x"
                           "\x01"
                           "a"
                           "\x01"
                           "y",
                           2),
                       &series)
              .code() == base::StatusCode::kCorruption);
    CHECK(DecodeSeries(rec(std::string("\x01"
                                       "a"
                                       "\x00",
                                       3),
                           1),
                       &series)
              .code() == base::StatusCode::kCorruption);
    CHECK(DecodeSeries(rec("\x01"
                           "a"
                           "\x01"
                           "x",
                           100),
                       &series)
              .code() == base::StatusCode::kCorruption);
    std::vector<RefSeries> ok;
    REQUIRE(DecodeSeries(rec("\x01"
                             "a"
                             "\x01"
                             "x"
                             "\x01"
                             "b"
                             "\x01"
                             "y",
                             2),
                         &ok)
                .ok());
    CHECK(ok.at(0).ref == 5);
    CHECK(ok.at(0).labels == model::Labels{{"a", "x"}, {"b", "y"}});
  }
  SECTION("every truncation decodes to a prefix or fails") {
    std::vector<RefSeries> s_in;
    std::vector<RefSample> x_in;
    for (uint64_t i = 0; i < 20; ++i) {
      s_in.push_back({i * 1000, model::Labels{{"__name__", "m"}, {"i", std::to_string(i)}}});
      x_in.push_back({i * 3, static_cast<int64_t>(i) * 15000 - 7, 0.1 * static_cast<double>(i)});
    }
    std::string s_rec, x_rec;
    EncodeSeries(s_in, &s_rec);
    EncodeSamples(x_in, &x_rec);
    for (size_t n = 0; n < s_rec.size(); ++n) {
      std::vector<RefSeries> out;
      auto st = DecodeSeries(std::string_view(s_rec).substr(0, n), &out);
      if (!st.ok()) {
        CHECK(st.code() == base::StatusCode::kCorruption);
        CHECK(out.empty());
        continue;
      }
      REQUIRE(out.size() < s_in.size());
      for (size_t i = 0; i < out.size(); ++i) CHECK(out[i].labels == s_in[i].labels);
    }
    for (size_t n = 0; n < x_rec.size(); ++n) {
      std::vector<RefSample> out;
      auto st = DecodeSamples(std::string_view(x_rec).substr(0, n), &out);
      if (!st.ok()) {
        CHECK(st.code() == base::StatusCode::kCorruption);
        CHECK(out.empty());
        continue;
      }
      REQUIRE(out.size() < x_in.size());
      for (size_t i = 0; i < out.size(); ++i) CHECK(out[i].t == x_in[i].t);
    }
  }
  SECTION("random garbage never crashes") {
    std::mt19937 rng(1);
    for (int round = 0; round < 20000; ++round) {
      std::string g(rng() % 64, '\0');
      for (char& c : g) c = static_cast<char>(rng() % 4 == 0 ? 0xff : rng());
      if (!g.empty()) g[0] = static_cast<char>(1 + rng() % 3);
      std::vector<RefSeries> a;
      std::vector<RefSample> b;
      std::vector<RefTombstone> c;
      auto sa = DecodeSeries(g, &a);
      auto sb = DecodeSamples(g, &b);
      auto sc = DecodeTombstones(g, &c);
      for (const auto* st : {&sa, &sb, &sc}) {
        CHECK((st->ok() || st->code() == base::StatusCode::kCorruption));
      }
      if (!sa.ok()) CHECK(a.empty());
      if (!sb.ok()) CHECK(b.empty());
      if (!sc.ok()) CHECK(c.empty());
    }
  }
  CHECK(series.size() == 1);
  CHECK(samples.size() == 1);
  CHECK(stones.size() == 1);
}

}  // namespace
}  // namespace tsdb::record

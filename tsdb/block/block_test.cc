// Block layout: meta.json, ULIDs, atomic creation, and damaged files reported as errors.
#include "tsdb/block/block.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "tests/testutil/fake_clock.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/block/block_test_util.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/file_util.h"

namespace tsdb::block {
namespace {

namespace fs = std::filesystem;
using model::MatchType;
using testing::M;

TEST_CASE("ULIDs encode, parse and increase monotonically", "[tsdb][block]") {
  UlidBytes b{};
  CHECK(EncodeUlid(b) == "00000000000000000000000000");
  b.fill(0xff);
  CHECK(EncodeUlid(b) == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  CHECK_FALSE(ParseUlid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ").ok());
  CHECK_FALSE(ParseUlid("01ARZ3NDEKTSV4RRFFQ69G5FA").ok());   // 25 characters
  CHECK_FALSE(ParseUlid("01ARZ3NDEKTSV4RRFFQ69G5FAU").ok());  // U is not Crockford
  // The ULID specification's example: ulid(1469918176385) == "01ARYZ6S41TSV4RRFFQ69G5FAV".
  auto p = ParseUlid("01ARYZ6S41TSV4RRFFQ69G5FAV");
  REQUIRE(p.ok());
  CHECK(UlidTime(*p) == 1469918176385);
  CHECK(EncodeUlid(*p) == "01ARYZ6S41TSV4RRFFQ69G5FAV");
  CHECK(ParseUlid("01aryz6s41tsv4rrffq69g5fav").ok());

  testutil::FakeClock clock(1469918176385);
  UlidGenerator gen(clock, 5);
  std::string prev = gen.Next();
  CHECK(prev.substr(0, 10) == "01ARYZ6S41");
  for (int i = 0; i < 1000; ++i) {
    if (i == 500) clock.Advance(-10);  // a clock going back keeps the order
    if (i == 700) clock.Advance(100);
    std::string next = gen.Next();
    CHECK(next > prev);
    prev = next;
  }
  auto last = ParseUlid(prev);
  REQUIRE(last.ok());
  CHECK(UlidTime(*last) == 1469918176385 + 90);
}

TEST_CASE("meta.json round trips and rejects bad input", "[tsdb][block]") {
  BlockMeta m;
  m.ulid = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  m.min_time = -5;
  m.max_time = 7200000;
  m.stats = {1, 2, 3, 4};
  m.compaction.level = 3;
  m.compaction.sources = {"01ARZ3NDEKTSV4RRFFQ69G5FAV", "01BKGV7JC0RY8A6MACW02A2PJD"};
  m.compaction.parents = {{"01BKGV7JC0RY8A6MACW02A2PJD", 0, 10}};
  const std::string text = EncodeMeta(m);
  auto d = DecodeMeta(text);
  REQUIRE(d.ok());
  CHECK(*d == m);

  // Prometheus's own meta.json reads.
  auto prom = DecodeMeta(R"({
	"ulid": "01BKGV7JC0RY8A6MACW02A2PJD",
	"minTime": 1602237600000,
	"maxTime": 1602244800000,
	"stats": {"numSamples": 553673232, "numSeries": 1346066, "numChunks": 4440437},
	"compaction": {"level": 1, "sources": ["01EM65SHSX4VARXBBHBF0M0FDS"]},
	"version": 1
})");
  REQUIRE(prom.ok());
  CHECK(prom->stats.num_chunks == 4440437);
  CHECK(prom->compaction.sources.size() == 1);

  for (const char* bad :
       {"", "{", "[]", R"({"ulid":"x","minTime":0,"maxTime":1,"version":1})",
        R"({"ulid":"01BKGV7JC0RY8A6MACW02A2PJD","minTime":5,"maxTime":1,"version":1})",
        R"({"ulid":"01BKGV7JC0RY8A6MACW02A2PJD","minTime":0,"maxTime":1,"version":2})",
        R"({"ulid":"01BKGV7JC0RY8A6MACW02A2PJD","minTime":0,"maxTime":1})",
        R"({"ulid":"01BKGV7JC0RY8A6MACW02A2PJD","minTime":0.5,"maxTime":1,"version":1})"}) {
    INFO(bad);
    auto r = DecodeMeta(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == base::StatusCode::kCorruption);
  }
  for (size_t n = 0; n < text.size(); n += 7) CHECK_FALSE(DecodeMeta(text.substr(0, n)).ok());
}

struct Fixture {
  testutil::TempDir dir;
  testutil::FakeClock clock{1'700'000'000'000};
  UlidGenerator ulids{clock, 77};

  std::string Write(BlockWriterOptions opts = {}) {
    testing::SeriesMap series;
    for (int i = 0; i < 50; ++i) {
      std::vector<model::Sample> s;
      for (int t = 0; t < 2000; t += 15) s.push_back({t, static_cast<double>(i * t)});
      series[model::Labels{{"__name__", "m"}, {"i", std::to_string(i)}}] = s;
    }
    testing::MapSeriesSet set(series);
    auto meta = WriteSeriesSet(dir.path(), set, NewBlockMeta(ulids, 0, 2000), opts);
    REQUIRE(meta.ok());
    REQUIRE(meta->has_value());
    return dir.Sub((*meta)->ulid);
  }
};

// Reads every series; the status of whatever failed (never a crash).
base::Status ReadEverything(const std::string& bdir) {
  auto b = Block::Open(bdir);
  if (!b) return b.error();
  auto q = (*b)->NewQuerier(model::kMinTime, model::kMaxTime);
  if (!q) return q.error();
  auto ss = (*q)->Select(true, nullptr, {M(MatchType::kEqual, "__name__", "m")});
  base::Status st;
  testing::ReadSet(*ss, false, &st);
  return st;
}

void Truncate(const std::string& path, size_t n) {
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(n)) == 0);
}

TEST_CASE("A block is created atomically and a leftover temporary directory is no block",
          "[tsdb][block]") {
  Fixture f;
  const std::string bdir = f.Write();
  CHECK(fs::exists(bdir + "/meta.json"));
  CHECK(fs::exists(bdir + "/index"));
  CHECK(fs::exists(bdir + "/tombstones"));
  CHECK(fs::exists(bdir + "/chunks/000001"));
  CHECK(ReadEverything(bdir).ok());

  // A writer that never finishes leaves nothing behind.
  {
    auto w = BlockWriter::Create(f.dir.path(), NewBlockMeta(f.ulids, 0, 100));
    REQUIRE(w.ok());
    REQUIRE((*w)->AddSeries(model::Labels{{"a", "b"}}, std::vector<model::Sample>{{1, 1}}).ok());
    CHECK(fs::exists(f.dir.Sub((*w)->meta().ulid + kTmpForCreationSuffix)));
  }
  // A crash before the rename leaves a complete-looking temporary directory: not a block.
  const std::string tmp = f.dir.Sub(f.ulids.Next() + kTmpForCreationSuffix);
  fs::copy(bdir, tmp, fs::copy_options::recursive);
  fs::create_directory(f.dir.Sub("not-a-block"));
  auto dirs = ListBlockDirs(f.dir.path());
  REQUIRE(dirs.ok());
  CHECK(*dirs == std::vector<std::string>{bdir});
  auto blocks = OpenBlocks(f.dir.path());
  REQUIRE(blocks.ok());
  REQUIRE(blocks->size() == 1);
  CHECK((*blocks)[0]->dir() == bdir);
  REQUIRE(RemoveTmpDirs(f.dir.path()).ok());
  CHECK_FALSE(fs::exists(tmp));
  CHECK(fs::exists(bdir));
}

TEST_CASE("BlockWriter rejects unsorted series and samples outside the block", "[tsdb][block]") {
  Fixture f;
  auto w = BlockWriter::Create(f.dir.path(), NewBlockMeta(f.ulids, 0, 100));
  REQUIRE(w.ok());
  const std::vector<model::Sample> ok = {{1, 1}, {2, 2}};
  REQUIRE((*w)->AddSeries(model::Labels{{"a", "2"}}, ok).ok());
  CHECK((*w)->AddSeries(model::Labels{{"a", "1"}}, ok).code() ==
        base::StatusCode::kInvalidArgument);
  CHECK((*w)->AddSeries(model::Labels{{"a", "2"}}, ok).code() ==
        base::StatusCode::kInvalidArgument);
  CHECK((*w)->AddSeries(model::Labels{{"a", "3"}}, std::vector<model::Sample>{{100, 1}}).code() ==
        base::StatusCode::kInvalidArgument);
  CHECK((*w)->AddSeries(model::Labels{{"a", "3"}}, std::vector<model::Sample>{{5, 1}, {5, 2}})
            .code() == base::StatusCode::kInvalidArgument);
  CHECK_FALSE(BlockWriter::Create(f.dir.path(), NewBlockMeta(f.ulids, 10, 10)).ok());
}

TEST_CASE("BlockWriter copies encoded chunks as they are", "[tsdb][block]") {
  Fixture f;
  auto w = BlockWriter::Create(f.dir.path(), NewBlockMeta(f.ulids, 0, 1000));
  REQUIRE(w.ok());
  const std::vector<model::Sample> first = {{10, 1.5}, {20, 2.5}}, second = {{30, -1}, {999, 7}};
  auto c1 = EncodeChunk(first);
  auto c2 = EncodeChunk(second);
  REQUIRE(c1.ok());
  REQUIRE(c2.ok());
  const std::vector<EncodedChunk> chunks = {{10, 20, (*c1)->encoding(), (*c1)->bytes()},
                                            {30, 999, (*c2)->encoding(), (*c2)->bytes()}};
  const model::Labels l{{"__name__", "copied"}};
  REQUIRE((*w)->AddSeriesChunks(l, chunks, 4).ok());
  // A chunk reaching past the block is refused.
  const std::vector<EncodedChunk> outside = {{10, 1000, (*c1)->encoding(), (*c1)->bytes()}};
  CHECK((*w)->AddSeriesChunks(model::Labels{{"__name__", "z"}}, outside, 2).code() ==
        base::StatusCode::kInvalidArgument);
  auto meta = (*w)->Finish();
  REQUIRE(meta.ok());
  CHECK(meta->stats.num_chunks == 2);
  CHECK(meta->stats.num_samples == 4);
  auto b = Block::Open(f.dir.Sub(meta->ulid));
  REQUIRE(b.ok());
  auto q = (*b)->NewQuerier(0, 1000);
  REQUIRE(q.ok());
  auto ss = (*q)->Select(true, nullptr, {M(MatchType::kEqual, "__name__", "copied")});
  auto got = testing::ReadSet(*ss);
  REQUIRE(got.size() == 1);
  CHECK(testing::Pairs(got[0].second) ==
        testing::Pairs({{10, 1.5}, {20, 2.5}, {30, -1}, {999, 7}}));
}

std::string Hex(std::string_view b) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (char c : b) {
    out.push_back(digits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(digits[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

TEST_CASE("Index, chunk segment and tombstones bytes are those of the format docs' examples",
          "[tsdb][block]") {
  // docs/format/index.md and docs/format/block.md, section 6.
  Fixture f;
  testing::SeriesMap m;
  m[model::Labels{{"__name__", "up"}, {"job", "api"}}] = {{1000, 1}, {2000, 1}, {3000, 1}};
  m[model::Labels{{"__name__", "up"}, {"job", "db"}}] = {{1000, 0}};
  testing::MapSeriesSet set(m);
  auto meta = WriteSeriesSet(f.dir.path(), set, NewBlockMeta(f.ulids, 0, 7200000));
  REQUIRE(meta.ok());
  REQUIRE(meta->has_value());
  const std::string bdir = f.dir.Sub((*meta)->ulid);
  auto index = ReadFile(bdir + "/index");
  REQUIRE(index.ok());
  CHECK(Hex(*index) ==
        "48534958010000001805085f5f6e616d655f5f03617069026462036a6f62027570c01d96540f020004030101d0"
        "0fd00f"
        "9080808020fc99f89b0e020004030201d00f00ac808080206bccf2b503022514da6cbbae03022514da6cbbae02"
        "0125"
        "f78f7567020139aa927dd80000000b020001040803020108020748d55207000000000000000500000000000000"
        "250000"
        "00000000004c000000000000006a000000000000004c7eb6a9fa");
  auto seg = ReadFile(bdir + "/chunks/000001");
  REQUIRE(seg.ok());
  CHECK(Hex(*seg) ==
        "4853434801000000088003a57a12bd003040f19e6e65058001657a0000886a1e58");
  auto empty = ReadFile(bdir + "/tombstones");
  REQUIRE(empty.ok());
  CHECK(Hex(*empty) == "485354420100527d5351");
  Tombstones t;
  t.Add(5, {1000, 2000});
  CHECK(Hex(EncodeTombstones(t)) ==
        "485354420101050"
        "1d00fe807d8ab7082");
}

TEST_CASE("A truncated or damaged block file is an error naming it, never a crash",
          "[tsdb][block]") {
  Fixture f;
  BlockWriterOptions opts;
  opts.max_samples_per_chunk = 40;
  opts.max_segment_bytes = 4096;
  const std::string bdir = f.Write(opts);
  const std::string copy = f.dir.Sub("copy");

  auto fresh = [&] {
    fs::remove_all(copy);
    fs::copy(bdir, copy, fs::copy_options::recursive);
  };

  SECTION("index truncated at any length") {
    const size_t size = fs::file_size(bdir + "/index");
    for (size_t n = 0; n < size; n += 1 + n / 16) {
      fresh();
      Truncate(copy + "/index", n);
      base::Status st = ReadEverything(copy);
      INFO("truncated to " << n << ": " << st.ToString());
      REQUIRE_FALSE(st.ok());
      CHECK(st.message().find("/index") != std::string::npos);
    }
  }
  SECTION("index bit flips") {
    const size_t size = fs::file_size(bdir + "/index");
    for (size_t pos = 0; pos < size; pos += 1 + pos / 8) {
      fresh();
      auto data = ReadFile(copy + "/index");
      REQUIRE(data.ok());
      (*data)[pos] = static_cast<char>((*data)[pos] ^ 0x04);
      REQUIRE(WriteFileSync(copy + "/index", *data).ok());
      base::Status st = ReadEverything(copy);
      INFO("flipped byte " << pos << ": " << st.ToString());
      // Some flips land in a postings list no query reads; any error must name the index.
      if (!st.ok()) CHECK(st.message().find("/index") != std::string::npos);
    }
  }
  SECTION("chunk segment truncated") {
    const std::string seg = copy + "/chunks/000001";
    const size_t size = fs::file_size(bdir + "/chunks/000001");
    for (size_t n : {size_t{0}, size_t{3}, size_t{8}, size_t{9}, size / 2, size - 1}) {
      fresh();
      Truncate(seg, n);
      base::Status st = ReadEverything(copy);
      INFO("truncated to " << n << ": " << st.ToString());
      REQUIRE_FALSE(st.ok());
      CHECK(st.message().find("000001") != std::string::npos);
    }
  }
  SECTION("chunk bit flip is a checksum error") {
    fresh();
    const std::string seg = copy + "/chunks/000001";
    auto data = ReadFile(seg);
    REQUIRE(data.ok());
    (*data)[data->size() / 2] ^= 0x20;
    REQUIRE(WriteFileSync(seg, *data).ok());
    base::Status st = ReadEverything(copy);
    REQUIRE_FALSE(st.ok());
    CHECK(st.code() == base::StatusCode::kCorruption);
    CHECK(st.message().find("000001") != std::string::npos);
  }
  SECTION("missing files") {
    for (const char* name : {"meta.json", "index", "chunks/000001"}) {
      fresh();
      fs::remove(copy + "/" + name);
      base::Status st = ReadEverything(copy);
      INFO(name << ": " << st.ToString());
      REQUIRE_FALSE(st.ok());
      if (std::string(name) != "chunks/000001") CHECK(st.message().find(name) != std::string::npos);
    }
  }
  SECTION("damaged meta.json and tombstones") {
    fresh();
    Truncate(copy + "/meta.json", 20);
    base::Status st = ReadEverything(copy);
    REQUIRE_FALSE(st.ok());
    CHECK(st.message().find("meta.json") != std::string::npos);
    fresh();
    Truncate(copy + "/tombstones", 3);
    st = ReadEverything(copy);
    REQUIRE_FALSE(st.ok());
    CHECK(st.message().find("tombstones") != std::string::npos);
  }
}

}  // namespace
}  // namespace tsdb::block

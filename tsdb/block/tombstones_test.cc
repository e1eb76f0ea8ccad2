#include "tsdb/block/tombstones.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/testutil/fake_clock.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_test_util.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/file_util.h"

namespace tsdb::block {
namespace {

using model::MatchType;
using testing::M;
using testing::Pairs;

TEST_CASE("Intervals merge when they overlap or touch", "[tsdb][block][tombstones]") {
  Intervals ivs;
  AddInterval(&ivs, {10, 20});
  AddInterval(&ivs, {30, 40});
  CHECK(ivs == Intervals{{10, 20}, {30, 40}});
  AddInterval(&ivs, {21, 22});  // touches [10, 20]
  CHECK(ivs == Intervals{{10, 22}, {30, 40}});
  AddInterval(&ivs, {0, 5});
  CHECK(ivs == Intervals{{0, 5}, {10, 22}, {30, 40}});
  AddInterval(&ivs, {4, 35});  // spans three
  CHECK(ivs == Intervals{{0, 40}});
  AddInterval(&ivs, {model::kMinTime, -100});
  CHECK(ivs == Intervals{{model::kMinTime, -100}, {0, 40}});
  AddInterval(&ivs, {100, model::kMaxTime});
  CHECK(ivs.size() == 3);
  CHECK(IsDeleted(ivs, 0));
  CHECK(IsDeleted(ivs, 40));
  CHECK_FALSE(IsDeleted(ivs, 41));
  CHECK(IsDeleted(ivs, model::kMaxTime));
  CHECK(CoversRange(ivs, 1, 39));
  CHECK_FALSE(CoversRange(ivs, 39, 41));
}

TEST_CASE("Tombstones encode, decode and detect corruption", "[tsdb][block][tombstones]") {
  Tombstones t;
  t.Add(5, {1, 10});
  t.Add(5, {20, 30});
  t.Add(1000, {-50, model::kMaxTime});
  t.Add(7, {model::kMinTime, model::kMaxTime});
  CHECK(t.NumIntervals() == 4);
  const std::string enc = EncodeTombstones(t);
  auto dec = DecodeTombstones(enc, "x/tombstones");
  REQUIRE(dec.ok());
  CHECK(*dec == t);
  CHECK(DecodeTombstones(EncodeTombstones(Tombstones()), "t").ok());

  for (size_t n = 0; n < enc.size(); ++n) {
    auto r = DecodeTombstones(enc.substr(0, n), "x/tombstones");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == base::StatusCode::kCorruption);
    CHECK(r.error().message().find("x/tombstones") != std::string::npos);
  }
  std::string flipped = enc;
  flipped[7] ^= 0x10;
  CHECK_FALSE(DecodeTombstones(flipped, "t").ok());

  testutil::TempDir dir;
  REQUIRE(WriteTombstones(dir.path(), t).ok());
  auto read = ReadTombstones(dir.path());
  REQUIRE(read.ok());
  CHECK(*read == t);
  testutil::TempDir empty;
  auto none = ReadTombstones(empty.path());
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("Block Delete adds tombstones that queries honour and reopening keeps",
          "[tsdb][block][tombstones]") {
  testutil::TempDir dir;
  testutil::FakeClock clock(1'700'000'000'000);
  UlidGenerator ulids(clock, 3);
  testing::SeriesMap series;
  std::vector<model::Sample> s;
  for (int t = 0; t < 1000; t += 10) s.push_back({t, static_cast<double>(t)});
  series[model::Labels{{"__name__", "a"}, {"job", "x"}}] = s;
  series[model::Labels{{"__name__", "a"}, {"job", "y"}}] = s;
  series[model::Labels{{"__name__", "b"}}] = {{500, 1}};
  testing::MapSeriesSet set(series);
  BlockWriterOptions opts;
  opts.max_samples_per_chunk = 7;
  auto meta = WriteSeriesSet(dir.path(), set, NewBlockMeta(ulids, 0, 1000), opts);
  REQUIRE(meta.ok());
  const std::string bdir = dir.Sub((*meta)->ulid);
  auto block = Block::Open(bdir);
  REQUIRE(block.ok());

  auto before = (*block)->NewQuerier(0, 1000);
  REQUIRE(before.ok());
  REQUIRE((*block)->Delete(100, 899, {M(MatchType::kEqual, "job", "x")}).ok());
  REQUIRE((*block)->Delete(400, 600, {M(MatchType::kEqual, "__name__", "b")}).ok());
  CHECK((*block)->meta().stats.num_tombstones == 2);

  auto check = [&](Block& b) {
    auto q = b.NewQuerier(0, 1000);
    REQUIRE(q.ok());
    auto ss = (*q)->Select(true, nullptr, {M(MatchType::kRegexMatch, "__name__", ".+")});
    auto got = testing::ReadSet(*ss);
    REQUIRE(got.size() == 2);  // b is wholly deleted and not returned
    CHECK(got[0].first.Get("job") == "x");
    std::vector<model::Sample> want;
    for (const auto& x : s)
      if (x.t < 100 || x.t > 899) want.push_back(x);
    CHECK(Pairs(got[0].second) == Pairs(want));
    CHECK(Pairs(got[1].second) == Pairs(s));
  };
  check(**block);
  // A querier created before the deletion keeps its snapshot.
  auto old = (*before)->Select(true, nullptr, {M(MatchType::kEqual, "job", "x")});
  auto old_got = testing::ReadSet(*old);
  REQUIRE(old_got.size() == 1);
  CHECK(old_got[0].second.size() == s.size());

  auto reopened = Block::Open(bdir);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->meta().stats.num_tombstones == 2);
  check(**reopened);
  // No tmp file left behind by the atomic writes.
  CHECK_FALSE(std::filesystem::exists(bdir + "/tombstones.tmp"));
  CHECK_FALSE(std::filesystem::exists(bdir + "/meta.json.tmp"));
}

}  // namespace
}  // namespace tsdb::block

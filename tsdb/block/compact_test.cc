#include "tsdb/block/compact.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "tests/testutil/fake_clock.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/block/block_test_util.h"

namespace tsdb::block {
namespace {

using model::MatchType;
using testing::M;
using testing::Pairs;
using testing::SeriesMap;

std::shared_ptr<Block> WriteAndOpen(const std::string& dir, UlidGenerator& ulids,
                                    const SeriesMap& series, model::Timestamp mint,
                                    model::Timestamp maxt, size_t chunk_samples = 0) {
  testing::MapSeriesSet set(series);
  BlockWriterOptions opts;
  if (chunk_samples > 0) opts.max_samples_per_chunk = chunk_samples;
  auto meta = WriteSeriesSet(dir, set, NewBlockMeta(ulids, mint, maxt), opts);
  REQUIRE(meta.ok());
  REQUIRE(meta->has_value());
  auto b = Block::Open(dir + "/" + (*meta)->ulid);
  REQUIRE(b.ok());
  return *b;
}

SeriesMap ReadAllSeries(Block& b) {
  auto q = b.NewQuerier(model::kMinTime, model::kMaxTime);
  REQUIRE(q.ok());
  auto ss = (*q)->Select(true, nullptr, {});
  SeriesMap out;
  for (auto& [l, s] : testing::ReadSet(*ss)) out[l] = s;
  return out;
}

TEST_CASE("Compaction merges overlapping blocks, deduplicating timestamps",
          "[tsdb][block][compact]") {
  testutil::TempDir dir;
  testutil::FakeClock clock(1'700'000'000'000);
  UlidGenerator ulids(clock, 11);
  const model::Labels x{{"__name__", "x"}}, y{{"__name__", "y"}}, z{{"__name__", "z"}};
  SeriesMap a, b;
  a[x] = {{0, 1}, {100, 2}, {600, 3}, {700, 4}};
  a[y] = {{10, 10}};
  b[x] = {{550, 30}, {600, 99}, {650, 31}, {1200, 32}};  // 600 duplicates a's sample
  b[z] = {{1400, 5}};
  auto ba = WriteAndOpen(dir.path(), ulids, a, 0, 1000);
  clock.Advance(1000);
  auto bb = WriteAndOpen(dir.path(), ulids, b, 500, 1500, 2);

  auto meta = WriteCompactedBlock(dir.path(), {ba.get(), bb.get()}, 0, 1500, ulids);
  REQUIRE(meta.ok());
  REQUIRE(meta->has_value());
  const BlockMeta& m = **meta;
  CHECK(m.min_time == 0);
  CHECK(m.max_time == 1500);
  CHECK(m.compaction.level == 2);
  std::vector<std::string> sources = {ba->ulid(), bb->ulid()};
  std::sort(sources.begin(), sources.end());
  CHECK(m.compaction.sources == sources);
  REQUIRE(m.compaction.parents.size() == 2);
  CHECK(m.compaction.parents[0] == BlockDesc{ba->ulid(), 0, 1000});
  CHECK(m.stats.num_series == 3);
  CHECK(m.stats.num_samples == 9);

  auto c = Block::Open(dir.Sub(m.ulid));
  REQUIRE(c.ok());
  CHECK((*c)->meta() == m);
  SeriesMap got = ReadAllSeries(**c);
  REQUIRE(got.size() == 3);
  CHECK(Pairs(got[x]) ==
        Pairs({{0, 1}, {100, 2}, {550, 30}, {600, 3}, {650, 31}, {700, 4}, {1200, 32}}));
  CHECK(Pairs(got[y]) == Pairs({{10, 10}}));
  CHECK(Pairs(got[z]) == Pairs({{1400, 5}}));
  // The inputs are untouched.
  CHECK(ReadAllSeries(*ba).size() == 2);

  // A range cuts samples outside it; a compaction of compactions goes up a level.
  auto part = WriteCompactedBlock(dir.path(), {c->get()}, 600, 700, ulids);
  REQUIRE(part.ok());
  REQUIRE(part->has_value());
  CHECK((*part)->compaction.level == 3);
  auto pb = Block::Open(dir.Sub((*part)->ulid));
  REQUIRE(pb.ok());
  SeriesMap pgot = ReadAllSeries(**pb);
  REQUIRE(pgot.size() == 1);
  CHECK(Pairs(pgot[x]) == Pairs({{600, 3}, {650, 31}}));
}

TEST_CASE("Compaction applies tombstones and drops emptied series", "[tsdb][block][compact]") {
  testutil::TempDir dir;
  testutil::FakeClock clock(1'700'000'000'000);
  UlidGenerator ulids(clock, 12);
  SeriesMap a;
  const model::Labels x{{"__name__", "x"}}, y{{"__name__", "y"}};
  a[x] = {{0, 1}, {100, 2}, {200, 3}};
  a[y] = {{50, 1}};
  auto ba = WriteAndOpen(dir.path(), ulids, a, 0, 1000);
  REQUIRE(ba->Delete(90, 110, {M(MatchType::kEqual, "__name__", "x")}).ok());
  REQUIRE(ba->Delete(0, 1000, {M(MatchType::kEqual, "__name__", "y")}).ok());

  SECTION("compaction") {
    auto meta = WriteCompactedBlock(dir.path(), {ba.get()}, 0, 1000, ulids);
    REQUIRE(meta.ok());
    REQUIRE(meta->has_value());
    CHECK((*meta)->stats.num_series == 1);
    auto c = Block::Open(dir.Sub((*meta)->ulid));
    REQUIRE(c.ok());
    SeriesMap got = ReadAllSeries(**c);
    REQUIRE(got.size() == 1);
    CHECK(Pairs(got[x]) == Pairs({{0, 1}, {200, 3}}));
    CHECK((*c)->tombstones()->empty());
  }
  SECTION("clean tombstones") {
    auto r = RewriteWithoutTombstones(dir.path(), *ba, ulids);
    REQUIRE(r.ok());
    CHECK(r->rewritten);
    REQUIRE(r->meta.has_value());
    CHECK(r->meta->compaction.level == 1);
    CHECK(r->meta->compaction.sources == ba->meta().compaction.sources);
    CHECK(r->meta->compaction.parents == std::vector<BlockDesc>{{ba->ulid(), 0, 1000}});
    CHECK(r->meta->min_time == 0);
    CHECK(r->meta->max_time == 1000);
    auto c = Block::Open(dir.Sub(r->meta->ulid));
    REQUIRE(c.ok());
    SeriesMap got = ReadAllSeries(**c);
    REQUIRE(got.size() == 1);
    CHECK(Pairs(got[x]) == Pairs({{0, 1}, {200, 3}}));
    // Nothing to clean in the result.
    auto again = RewriteWithoutTombstones(dir.path(), **c, ulids);
    REQUIRE(again.ok());
    CHECK_FALSE(again->rewritten);
  }
  SECTION("everything deleted: no block") {
    REQUIRE(ba->Delete(0, 999, {M(MatchType::kRegexMatch, "__name__", ".+")}).ok());
    auto before = ListBlockDirs(dir.path());
    REQUIRE(before.ok());
    auto r = RewriteWithoutTombstones(dir.path(), *ba, ulids);
    REQUIRE(r.ok());
    CHECK(r->rewritten);
    CHECK_FALSE(r->meta.has_value());
    auto after = ListBlockDirs(dir.path());
    REQUIRE(after.ok());
    CHECK(*after == *before);
    size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path()))
      ++entries;
    CHECK(entries == before->size());  // no temporary directory left
  }
}

TEST_CASE("Compaction of random overlapping blocks equals the merged model",
          "[tsdb][block][compact]") {
  testutil::TempDir dir;
  testutil::FakeClock clock(1'700'000'000'000);
  UlidGenerator ulids(clock, 13);
  const uint64_t seed = GENERATE(21, 22, 23);
  std::mt19937_64 rng(seed);
  std::vector<std::shared_ptr<Block>> blocks;
  SeriesMap want;  // first block wins on equal timestamps
  for (int bi = 0; bi < 4; ++bi) {
    const model::Timestamp mint = static_cast<model::Timestamp>(rng() % 1000);
    const model::Timestamp maxt = mint + 200 + static_cast<model::Timestamp>(rng() % 1000);
    SeriesMap s;
    for (int i = 0; i < 20; ++i) {
      model::Labels l{{"__name__", "m"}, {"i", std::to_string(rng() % 30)}};
      std::vector<model::Sample> samples;
      for (model::Timestamp t = mint + static_cast<model::Timestamp>(rng() % 10); t < maxt;
           t += 1 + static_cast<model::Timestamp>(rng() % 40))
        samples.push_back({t, static_cast<double>(bi * 1000 + static_cast<int>(rng() % 100))});
      s[l] = samples;
    }
    for (const auto& [l, samples] : s) {
      auto& w = want[l];
      for (const auto& x : samples) {
        auto pos =
            std::lower_bound(w.begin(), w.end(), x.t,
                             [](const model::Sample& a, model::Timestamp t) { return a.t < t; });
        if (pos == w.end() || pos->t != x.t) w.insert(pos, x);
      }
    }
    blocks.push_back(WriteAndOpen(dir.path(), ulids, s, mint, maxt, 1 + rng() % 50));
    clock.Advance(1);
  }
  std::vector<Block*> raw;
  for (auto& b : blocks) raw.push_back(b.get());
  auto meta = WriteCompactedBlock(dir.path(), raw, 0, 3000, ulids);
  REQUIRE(meta.ok());
  REQUIRE(meta->has_value());
  auto c = Block::Open(dir.Sub((*meta)->ulid));
  REQUIRE(c.ok());
  SeriesMap got = ReadAllSeries(**c);
  std::erase_if(want, [](const auto& kv) { return kv.second.empty(); });
  REQUIRE(got.size() == want.size());
  for (const auto& [l, s] : want) CHECK(Pairs(got[l]) == Pairs(s));
}

}  // namespace
}  // namespace tsdb::block

// Write/read round trip of persistent blocks against an in-memory model.
#include "tsdb/block/block_querier.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "storage/merge_querier.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/block/block_test_util.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/head.h"

namespace tsdb::block {
namespace {

using model::MatchType;
using testing::M;
using testing::Pairs;
using testing::SeriesMap;

const std::vector<std::string> kNames = {"__name__", "job", "inst", "zone"};
const std::vector<std::vector<std::string>> kValues = {{"up", "http_requests_total", "cpu"},
                                                       {"api", "db", "web"},
                                                       {"0", "1", "2", "3", "10"},
                                                       {"a", "b"}};

SeriesMap RandomSeries(std::mt19937_64& rng, model::Timestamp mint, model::Timestamp maxt) {
  SeriesMap m;
  const int n = std::uniform_int_distribution<int>(1, 60)(rng);
  for (int i = 0; i < n; ++i) {
    model::LabelsBuilder b;
    for (size_t k = 0; k < kNames.size(); ++k) {
      if (k > 0 && rng() % 4 == 0) continue;  // some series lack a label
      const auto& vals = kValues[k];
      b.Set(kNames[k], vals[rng() % vals.size()]);
    }
    std::vector<model::Sample> samples;
    model::Timestamp t = mint + static_cast<model::Timestamp>(rng() % 50);
    const int count = std::uniform_int_distribution<int>(0, 300)(rng);
    for (int j = 0; j < count && t < maxt; ++j) {
      samples.push_back({t, static_cast<double>(rng() % 1000) / 8});
      t += 1 + static_cast<model::Timestamp>(rng() % (j % 17 == 0 ? 400 : 30));  // some gaps
    }
    m[b.Build()] = samples;
  }
  return m;
}

model::Matcher RandomMatcher(std::mt19937_64& rng) {
  static const std::vector<std::string> regexes = {".*",  ".+", "a.*",    "api|db",
                                                   "1.*", "",   "h.*|u.", "x"};
  const size_t k = rng() % (kNames.size() + 1);
  const std::string name = k < kNames.size() ? kNames[k] : "missing";
  const auto type = static_cast<MatchType>(rng() % 4);
  std::string value;
  if (type == MatchType::kEqual || type == MatchType::kNotEqual) {
    const auto& vals = kValues[k < kNames.size() ? k : 1];
    value = rng() % 6 == 0 ? "" : vals[rng() % vals.size()];
  } else {
    value = regexes[rng() % regexes.size()];
  }
  return M(type, name, value);
}

bool MatchesAll(const model::Labels& l, const std::vector<model::Matcher>& ms) {
  return std::all_of(ms.begin(), ms.end(),
                     [&](const model::Matcher& m) { return m.Matches(l.Get(m.name())); });
}

TEST_CASE("Block round trip matches an in-memory model", "[tsdb][block]") {
  testutil::TempDir dir;
  testutil::FakeClock clock(1'700'000'000'000);
  UlidGenerator ulids(clock, 7);
  const uint64_t seed = GENERATE(1, 2, 3, 4, 5, 6);
  std::mt19937_64 rng(seed);
  const model::Timestamp mint = 1000, maxt = 8000;
  SeriesMap model_series = RandomSeries(rng, mint, maxt);

  BlockWriterOptions opts;
  opts.max_samples_per_chunk = 1 + rng() % 120;  // many chunks per series
  opts.max_segment_bytes = 512 + rng() % 4096;   // many segments
  testing::MapSeriesSet set(model_series);
  auto meta = WriteSeriesSet(dir.path(), set, NewBlockMeta(ulids, mint, maxt), opts);
  REQUIRE(meta.ok());
  std::erase_if(model_series, [](const auto& kv) { return kv.second.empty(); });
  if (model_series.empty()) {
    CHECK(!meta->has_value());
    return;
  }
  REQUIRE(meta->has_value());
  uint64_t nsamples = 0;
  for (const auto& [l, s] : model_series) nsamples += s.size();
  CHECK((*meta)->stats.num_series == model_series.size());
  CHECK((*meta)->stats.num_samples == nsamples);

  auto block = Block::Open(dir.Sub((*meta)->ulid));
  REQUIRE(block.ok());
  CHECK((*block)->meta() == **meta);
  CHECK((*block)->chunks().num_segments() >= 1);

  for (int q = 0; q < 150; ++q) {
    std::vector<model::Matcher> ms;
    const int nm = static_cast<int>(rng() % 4);
    for (int i = 0; i < nm; ++i) ms.push_back(RandomMatcher(rng));
    model::Timestamp qmin = mint - 100 + static_cast<model::Timestamp>(rng() % 8000);
    model::Timestamp qmax = qmin + static_cast<model::Timestamp>(rng() % 6000);
    if (q % 10 == 0) {
      qmin = model::kMinTime;
      qmax = model::kMaxTime;
    }
    std::string desc;
    for (const auto& m : ms) desc += m.ToString() + " ";
    INFO("seed " << seed << " query " << q << " matchers " << desc << " range " << qmin << ".."
                 << qmax);

    auto querier = (*block)->NewQuerier(qmin, qmax);
    REQUIRE(querier.ok());
    auto got_set = (*querier)->Select(q % 2 == 0, nullptr, ms);
    auto got = testing::ReadSet(*got_set, q % 3 == 0);

    // Expected: matching series with their samples in range.
    std::map<model::Labels, std::vector<model::Sample>> want;
    for (const auto& [l, s] : model_series) {
      if (!MatchesAll(l, ms)) continue;
      std::vector<model::Sample> in;
      for (const auto& x : s)
        if (x.t >= qmin && x.t <= qmax) in.push_back(x);
      if (!in.empty()) want[l] = in;
    }
    for (size_t i = 1; i < got.size(); ++i)
      CHECK(model::Labels::Compare(got[i - 1].first, got[i].first) < 0);
    size_t nonempty = 0;
    for (const auto& [l, s] : got) {
      if (s.empty()) {
        // Allowed only where a chunk straddles the range with no sample inside (as Prometheus).
        auto it = model_series.find(l);
        REQUIRE(it != model_series.end());
        CHECK(MatchesAll(l, ms));
        continue;
      }
      ++nonempty;
      auto w = want.find(l);
      INFO(l.ToString());
      REQUIRE(w != want.end());
      CHECK(Pairs(s) == Pairs(w->second));
    }
    CHECK(nonempty == want.size());

    // Label names and values over the matching series (the whole block, as Prometheus).
    std::set<std::string> names, jobs;
    for (const auto& [l, s] : model_series) {
      if (!MatchesAll(l, ms)) continue;
      for (const auto& lab : l) names.emplace(lab.name);
      if (l.Has("job")) jobs.emplace(l.Get("job"));
    }
    auto got_names = (*querier)->LabelNames({}, ms);
    REQUIRE(got_names.ok());
    CHECK(*got_names == std::vector<std::string>(names.begin(), names.end()));
    auto got_jobs = (*querier)->LabelValues("job", {}, ms);
    REQUIRE(got_jobs.ok());
    CHECK(*got_jobs == std::vector<std::string>(jobs.begin(), jobs.end()));
  }
}

TEST_CASE("Block iterators Seek like the model", "[tsdb][block]") {
  testutil::TempDir dir;
  testutil::FakeClock clock(1'700'000'000'000);
  UlidGenerator ulids(clock, 9);
  std::mt19937_64 rng(42);
  SeriesMap series = RandomSeries(rng, 0, 10000);
  std::erase_if(series, [](const auto& kv) { return kv.second.empty(); });
  BlockWriterOptions opts;
  opts.max_samples_per_chunk = 13;
  testing::MapSeriesSet set(series);
  auto meta = WriteSeriesSet(dir.path(), set, NewBlockMeta(ulids, 0, 10000), opts);
  REQUIRE(meta.ok());
  REQUIRE(meta->has_value());
  auto block = Block::Open(dir.Sub((*meta)->ulid));
  REQUIRE(block.ok());
  const model::Timestamp qmin = 500, qmax = 7000;
  auto q = (*block)->NewQuerier(qmin, qmax);
  REQUIRE(q.ok());
  auto ss = (*q)->Select(true, nullptr, {});
  while (ss->Next()) {
    const auto& want = series.at(ss->At().labels());
    auto it = ss->At().NewIterator();
    model::Timestamp t = 0;
    for (;;) {
      t += static_cast<model::Timestamp>(rng() % 700);
      const bool ok = it->Seek(t);
      auto w = std::lower_bound(want.begin(), want.end(), std::max(t, qmin),
                                [](const model::Sample& s, model::Timestamp v) { return s.t < v; });
      const bool want_ok = w != want.end() && w->t <= qmax;
      REQUIRE(ok == want_ok);
      if (!ok) break;
      CHECK(it->At().first == w->t);
      CHECK(it->At().second == w->v);
      // Seek never moves backwards; Next continues from there.
      CHECK(it->Seek(t - 100));
      CHECK(it->At().first == w->t);
      if (rng() % 2 == 0) {
        const bool n = it->Next();
        const bool want_n = w + 1 != want.end() && (w + 1)->t <= qmax;
        REQUIRE(n == want_n);
        if (!n) break;
        CHECK(it->At().first == (w + 1)->t);
        t = (w + 1)->t;
      }
    }
    CHECK(it->status().ok());
  }
  CHECK(ss->status().ok());
}

TEST_CASE("Block querier honours select hints and the block's range", "[tsdb][block]") {
  testutil::TempDir dir;
  testutil::FakeClock clock(1'700'000'000'000);
  UlidGenerator ulids(clock, 1);
  SeriesMap series;
  series[model::Labels{{"__name__", "m"}}] = {{100, 1}, {200, 2}, {300, 3}};
  testing::MapSeriesSet set(series);
  auto meta = WriteSeriesSet(dir.path(), set, NewBlockMeta(ulids, 0, 1000));
  REQUIRE(meta.ok());
  auto block = Block::Open(dir.Sub((*meta)->ulid));
  REQUIRE(block.ok());
  auto q = (*block)->NewQuerier(0, 1000);
  REQUIRE(q.ok());
  storage::SelectHints hints;
  hints.start = 150;
  hints.end = 250;
  auto ss = (*q)->Select(true, &hints, {M(MatchType::kEqual, "__name__", "m")});
  auto got = testing::ReadSet(*ss);
  REQUIRE(got.size() == 1);
  CHECK(Pairs(got[0].second) == std::vector<std::pair<int64_t, double>>{{200, 2}});
  // A range outside the block selects nothing.
  auto q2 = (*block)->NewQuerier(1000, 2000);
  REQUIRE(q2.ok());
  auto ss2 = (*q2)->Select(true, nullptr, {M(MatchType::kEqual, "__name__", "m")});
  CHECK(testing::ReadSet(*ss2).empty());
}

TEST_CASE("A block cut from the head holds its samples in [mint, maxt) and merges with it",
          "[tsdb][block]") {
  testutil::TempDir dir;
  testutil::FakeClock clock(1'700'000'000'000);
  UlidGenerator ulids(clock, 5);
  tsdb::Options opts;
  auto head = tsdb::Head::Open(dir.Sub("wal"), opts);
  REQUIRE(head.ok());
  SeriesMap want;
  {
    auto app = (*head)->NewAppender();
    for (int i = 0; i < 20; ++i) {
      model::Labels l{{"__name__", "m"}, {"i", std::to_string(i)}};
      for (model::Timestamp t = 0; t < 3000; t += 10 + i) {
        REQUIRE(app->Append(0, l, t, static_cast<double>(t * i)).has_value());
        want[l].push_back({t, static_cast<double>(t * i)});
      }
    }
    REQUIRE(app->Commit().ok());
  }
  const model::Timestamp mint = 0, maxt = 2000;
  auto hq = (*head)->NewQuerier(mint, maxt - 1);
  REQUIRE(hq.ok());
  auto set = (*hq)->Select(true, nullptr, {});
  auto meta = WriteSeriesSet(dir.path(), *set, NewBlockMeta(ulids, mint, maxt));
  REQUIRE(meta.ok());
  REQUIRE(meta->has_value());
  CHECK((*meta)->stats.num_series == 20);
  auto block = Block::Open(dir.Sub((*meta)->ulid));
  REQUIRE(block.ok());

  // Block [0, 2000) and head [2000, ...) merged: every sample once, in order.
  std::vector<std::unique_ptr<storage::Querier>> qs;
  auto bq = (*block)->NewQuerier(model::kMinTime, model::kMaxTime);
  REQUIRE(bq.ok());
  qs.push_back(std::move(*bq));
  auto hq2 = (*head)->NewQuerier(maxt, model::kMaxTime);
  REQUIRE(hq2.ok());
  qs.push_back(std::move(*hq2));
  storage::MergeQuerier merged(std::move(qs));
  auto ms = merged.Select(true, nullptr, {M(MatchType::kEqual, "__name__", "m")});
  auto got = testing::ReadSet(*ms, true);
  REQUIRE(got.size() == want.size());
  for (const auto& [l, s] : got) CHECK(Pairs(s) == Pairs(want.at(l)));
  // The block alone holds only [0, 2000).
  auto only = (*block)->NewQuerier(model::kMinTime, model::kMaxTime);
  REQUIRE(only.ok());
  auto bs = (*only)->Select(true, nullptr, {M(MatchType::kEqual, "i", "3")});
  auto bgot = testing::ReadSet(*bs);
  REQUIRE(bgot.size() == 1);
  CHECK(bgot[0].second.back().t < maxt);
  CHECK(bgot[0].second.size() == static_cast<size_t>((maxt + 12) / 13));
  REQUIRE((*head)->Close().ok());
}

}  // namespace
}  // namespace tsdb::block

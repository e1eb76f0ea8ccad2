#include <catch2/catch.hpp>

#include <bit>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "tests/testutil/temp_dir.h"
#include "tsdb/db.h"
#include "tsdb/db_test_util.h"
#include "tsdb/head.h"

using model::Labels;
using model::Matcher;
using model::MatchType;
using model::Sample;
using namespace tsdb::testing;

namespace {

Labels SeriesLabels(int i) {
  return Labels{{"__name__", i % 3 == 0 ? "http_requests_total" : "cpu_seconds"},
                {"job", "job" + std::to_string(i % 5)},
                {"instance", "host-" + std::to_string(i)}};
}

// Appends `rounds` samples to `n` series in one commit per round; returns the model.
Model Fill(storage::Appendable& db, int n, int rounds, model::Timestamp t0 = 1000, int64_t step = 15000) {
  Model m;
  std::mt19937_64 rng(42);
  for (int r = 0; r < rounds; ++r) {
    auto app = db.NewAppender();
    for (int i = 0; i < n; ++i) {
      Labels l = SeriesLabels(i);
      double v = r % 17 == 3 ? model::StaleNaN() : static_cast<double>(rng() % 1000) / 7;
      model::Timestamp t = t0 + r * step;
      REQUIRE(app->Append(0, l, t, v).has_value());
      m[l].push_back({t, v});
    }
    REQUIRE(app->Commit().ok());
  }
  return m;
}

}  // namespace

TEST_CASE("head returns what was appended, across chunk cuts, sorted by labels", "[tsdb][head]") {
  testutil::TempDir dir;
  auto db = tsdb::DB::Open(dir.path(), TestOptions());
  REQUIRE(db.has_value());
  Model m = Fill(**db, 50, 300);  // 300 samples: three chunks per series
  CheckEqual(ReadAll(**db, {Re("__name__", ".+")}), m);
  // Time-range restriction and Seek.
  auto part = ReadAll(**db, {Eq("instance", "host-7")}, 1000 + 15000 * 100, 1000 + 15000 * 200);
  REQUIRE(part.size() == 1);
  CHECK(part.begin()->second.size() == 101);
  CHECK(part.begin()->second.front().t == 1000 + 15000 * 100);
  auto q = (*db)->NewQuerier(model::kMinTime, model::kMaxTime);
  auto set = (*q)->Select(false, nullptr, {Eq("instance", "host-7")});
  REQUIRE(set->Next());
  auto it = set->At().NewIterator();
  REQUIRE(it->Seek(1000 + 15000 * 250 - 1));
  CHECK(it->At().first == 1000 + 15000 * 250);
  REQUIRE(it->Seek(0));  // never backwards
  CHECK(it->At().first == 1000 + 15000 * 250);
  CHECK_FALSE(it->Seek(model::kMaxTime));
}

TEST_CASE("appends out of order or duplicate are rejected; identical ones are no-ops", "[tsdb][head]") {
  testutil::TempDir dir;
  base::metrics::Registry registry;
  auto opts = TestOptions();
  opts.registry = &registry;
  auto db = tsdb::DB::Open(dir.path(), opts);
  REQUIRE(db.has_value());
  Labels l{{"__name__", "m"}};
  {
    auto app = (*db)->NewAppender();
    REQUIRE(app->Append(0, l, 100, 1).has_value());
    REQUIRE(app->Commit().ok());
  }
  auto app = (*db)->NewAppender();
  auto ooo = app->Append(0, l, 99, 1);
  REQUIRE_FALSE(ooo.has_value());
  CHECK(ooo.error().code() == base::StatusCode::kOutOfOrder);
  CHECK(ooo.error().message() == "out of order sample");
  auto dup = app->Append(0, l, 100, 2);
  REQUIRE_FALSE(dup.has_value());
  CHECK(dup.error().code() == base::StatusCode::kDuplicateSample);
  CHECK(app->Append(0, l, 100, 1).has_value());  // same value: accepted, no-op
  auto ref = app->Append(0, l, 200, 2);
  REQUIRE(ref.has_value());
  // Within the batch too: staged samples count.
  CHECK(app->Append(*ref, l, 150, 3).error().code() == base::StatusCode::kOutOfOrder);
  CHECK(app->Append(*ref, Labels{}, 300, 3).has_value());  // by ref alone
  REQUIRE(app->Commit().ok());
  CheckEqual(ReadAll(**db, {Eq("__name__", "m")}), Model{{l, {{100, 1}, {200, 2}, {300, 3}}}});
  std::string text = registry.Expose();
  CHECK(text.find("prometheus_tsdb_out_of_order_samples_total{type=\"float\"} 2") != std::string::npos);
  CHECK(text.find("hestia_tsdb_duplicate_samples_total 1") != std::string::npos);
  CHECK(text.find("prometheus_tsdb_head_series 1") != std::string::npos);
}

TEST_CASE("rolled back samples are not stored and do not block later ones", "[tsdb][head]") {
  testutil::TempDir dir;
  auto db = tsdb::DB::Open(dir.path(), TestOptions());
  REQUIRE(db.has_value());
  Labels l{{"__name__", "m"}};
  {
    auto app = (*db)->NewAppender();
    REQUIRE(app->Append(0, l, 500, 1).has_value());
    app->Rollback();
  }
  auto app = (*db)->NewAppender();
  REQUIRE(app->Append(0, l, 100, 1).has_value());
  REQUIRE(app->Commit().ok());
  CheckEqual(ReadAll(**db, {Eq("__name__", "m")}), Model{{l, {{100, 1}}}});
}

TEST_CASE("a reopened head replays the WAL into the same data", "[tsdb][head][wal]") {
  testutil::TempDir dir;
  Model m;
  {
    auto db = tsdb::DB::Open(dir.path(), TestOptions());
    REQUIRE(db.has_value());
    m = Fill(**db, 40, 200);
  }
  auto db = tsdb::DB::Open(dir.path(), TestOptions());
  REQUIRE(db.has_value());
  CheckEqual(ReadAll(**db, {Re("__name__", ".+")}), m);
  // And appends continue after the replayed data, new series included.
  auto app = (*db)->NewAppender();
  REQUIRE(app->Append(0, SeriesLabels(0), 1000 + 15000 * 200, 5).has_value());
  REQUIRE(app->Append(0, Labels{{"__name__", "new"}}, 7, 5).has_value());
  REQUIRE(app->Commit().ok());
  db->reset();
  auto again = tsdb::DB::Open(dir.path(), TestOptions());
  REQUIRE(again.has_value());
  m[SeriesLabels(0)].push_back({1000 + 15000 * 200, 5});
  m[Labels{{"__name__", "new"}}].push_back({7, 5});
  CheckEqual(ReadAll(**again, {Re("__name__", ".+")}), m);
}

TEST_CASE("a torn WAL tail is repaired on replay and keeps every complete commit", "[tsdb][head][wal]") {
  testutil::TempDir dir;
  std::vector<Model> after_commit;  // the model after each commit
  {
    auto db = tsdb::DB::Open(dir.path(), TestOptions());
    REQUIRE(db.has_value());
    Model m;
    for (int r = 0; r < 30; ++r) {
      auto app = (*db)->NewAppender();
      for (int i = 0; i < 20; ++i) {
        REQUIRE(app->Append(0, SeriesLabels(i), r * 1000, r + i).has_value());
        m[SeriesLabels(i)].push_back({r * 1000, static_cast<double>(r + i)});
      }
      REQUIRE(app->Commit().ok());
      after_commit.push_back(m);
    }
  }
  // The newest segment holding data.
  std::string last;
  for (const auto& e : std::filesystem::directory_iterator(dir.Sub("wal")))
    if (e.is_regular_file() && std::filesystem::file_size(e.path()) > 0 && e.path().string() > last)
      last = e.path().string();
  REQUIRE(!last.empty());
  auto full = std::filesystem::file_size(last);
  std::string copy = dir.Sub("orig");
  std::filesystem::copy_file(last, copy);
  std::mt19937 rng(7);
  for (int trial = 0; trial < 12; ++trial) {
    std::filesystem::remove_all(dir.Sub("wal"));
    // Recreate the WAL: only the one segment, cut at a random point.
    std::filesystem::create_directories(dir.Sub("wal"));
    std::filesystem::copy_file(copy, last);
    auto cut = rng() % full;
    std::filesystem::resize_file(last, cut);
    if (trial % 3 == 1) {  // zeroed tail instead of a short file
      std::filesystem::resize_file(last, full);
    }
    auto db = tsdb::DB::Open(dir.path(), TestOptions());
    REQUIRE(db.has_value());
    Model got = ReadAll(**db, {Re("__name__", ".+")});
    // Some prefix of the commits survived whole.
    size_t commits = 0;
    for (const auto& [l, s] : got) commits = std::max(commits, s.size());
    INFO("cut at " << cut << " of " << full);
    if (commits == 0) {
      CHECK(got.empty());
    } else {
      CheckEqual(got, after_commit[commits - 1]);
    }
    // And the repaired log takes new data that survives another restart.
    auto app = (*db)->NewAppender();
    REQUIRE(app->Append(0, Labels{{"__name__", "after"}}, 1, 1).has_value());
    REQUIRE(app->Commit().ok());
    db->reset();
    auto again = tsdb::DB::Open(dir.path(), TestOptions());
    REQUIRE(again.has_value());
    CHECK(ReadAll(**again, {Eq("__name__", "after")}).size() == 1);
  }
}

TEST_CASE("truncation drops old data, checkpoints the WAL, and survives restart", "[tsdb][head][wal]") {
  testutil::TempDir dir;
  auto opts = TestOptions();
  opts.wal_segment_bytes = 32 << 10;
  Model m;
  {
    auto db = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(db.has_value());
    m = Fill(**db, 30, 400);
    // Series 1000.. only have old samples: they disappear entirely.
    auto app = (*db)->NewAppender();
    REQUIRE(app->Append(0, Labels{{"__name__", "old"}}, 0, 1).has_value());
    REQUIRE(app->Commit().ok());
    auto segments_before = std::distance(std::filesystem::directory_iterator(dir.Sub("wal")), {});
    model::Timestamp cut = 1000 + 15000 * 300;
    REQUIRE((*db)->Truncate(cut).ok());
    auto segments_after = std::distance(std::filesystem::directory_iterator(dir.Sub("wal")), {});
    CHECK(segments_after < segments_before);
    auto got = ReadAll(**db, {Re("__name__", ".+")});
    CHECK(got.count(Labels{{"__name__", "old"}}) == 0);
    // Chunks ending before the cut are gone; what is returned is a suffix of each series.
    for (auto& [l, s] : got) {
      REQUIRE(!s.empty());
      CHECK(s.back().t == m[l].back().t);
      CHECK(s.front().t <= cut);
    }
    // Out of bounds from now on.
    auto late = (*db)->NewAppender();
    CHECK(late->Append(0, SeriesLabels(1), 5, 1).error().code() == base::StatusCode::kOutOfBounds);
  }
  auto db = tsdb::DB::Open(dir.path(), opts);
  REQUIRE(db.has_value());
  auto got = ReadAll(**db, {Re("__name__", ".+")}, 1000 + 15000 * 300, model::kMaxTime);
  Model want;
  for (auto& [l, s] : m)
    for (auto& smp : s)
      if (smp.t >= 1000 + 15000 * 300) want[l].push_back(smp);
  CheckEqual(got, want);
}

TEST_CASE("concurrent appenders and queriers", "[tsdb][head]") {
  testutil::TempDir dir;
  auto db = tsdb::DB::Open(dir.path(), TestOptions());
  REQUIRE(db.has_value());
  constexpr int kThreads = 4, kRounds = 100, kSeries = 50;
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      for (int r = 0; r < kRounds; ++r) {
        auto app = (*db)->NewAppender();
        for (int i = 0; i < kSeries; ++i) {
          Labels l{{"__name__", "c"}, {"w", std::to_string(w)}, {"i", std::to_string(i)}};
          if (!app->Append(0, l, r, r).has_value()) failed = true;
        }
        if (!app->Commit().ok()) failed = true;
      }
    });
  }
  threads.emplace_back([&] {
    for (int r = 0; r < 50; ++r) ReadAll(**db, {Eq("__name__", "c")});
  });
  for (auto& t : threads) t.join();
  CHECK_FALSE(failed);
  auto got = ReadAll(**db, {Eq("__name__", "c")});
  CHECK(got.size() == kThreads * kSeries);
  for (auto& [l, s] : got) CHECK(s.size() == kRounds);
}

TEST_CASE("label names and values honour matchers and time range", "[tsdb][head]") {
  testutil::TempDir dir;
  auto db = tsdb::DB::Open(dir.path(), TestOptions());
  REQUIRE(db.has_value());
  auto app = (*db)->NewAppender();
  REQUIRE(app->Append(0, Labels{{"__name__", "a"}, {"x", "1"}}, 100, 1).has_value());
  REQUIRE(app->Append(0, Labels{{"__name__", "b"}, {"y", "2"}}, 5000, 1).has_value());
  REQUIRE(app->Commit().ok());
  auto q = *(*db)->NewQuerier(model::kMinTime, model::kMaxTime);
  CHECK(*q->LabelNames({}, {}) == std::vector<std::string>{"__name__", "x", "y"});
  CHECK(*q->LabelNames({}, {Eq("__name__", "b")}) == std::vector<std::string>{"__name__", "y"});
  CHECK(*q->LabelValues("__name__", {}, {}) == std::vector<std::string>{"a", "b"});
  CHECK(*q->LabelValues("__name__", {1}, {}) == std::vector<std::string>{"a"});
  auto late = *(*db)->NewQuerier(1000, 6000);
  CHECK(*late->LabelValues("__name__", {}, {}) == std::vector<std::string>{"b"});
  CHECK(*late->LabelNames({}, {}) == std::vector<std::string>{"__name__", "y"});
  auto stats = (*db)->Stats(10);
  CHECK(stats.num_series == 2);
  CHECK(stats.min_time == 100);
  CHECK(stats.max_time == 5000);
  REQUIRE(stats.series_count_by_metric_name.size() == 2);
}

TEST_CASE("select hints narrow the samples a querier returns", "[tsdb][head]") {
  testutil::TempDir dir;
  auto db = tsdb::DB::Open(dir.path(), TestOptions());
  REQUIRE(db.has_value());
  Model m = Fill(**db, 1, 300);  // three chunks
  auto q = *(*db)->NewQuerier(model::kMinTime, model::kMaxTime);
  storage::SelectHints hints;
  hints.start = 1000 + 15000 * 200;
  hints.end = 1000 + 15000 * 210;
  auto set = q->Select(false, &hints, {Re("__name__", ".+")});
  REQUIRE(set->Next());
  auto it = set->At().NewIterator();
  std::vector<model::Timestamp> ts;
  while (it->Next()) ts.push_back(it->At().first);
  REQUIRE(ts.size() == 11);
  CHECK(ts.front() == hints.start);
  CHECK(ts.back() == hints.end);
}

TEST_CASE("ReadAll decodes the same samples as Seek/Next/At for any window", "[tsdb][head]") {
  testutil::TempDir dir;
  auto db = tsdb::DB::Open(dir.path(), TestOptions());
  REQUIRE(db.has_value());
  // 300 rounds: three chunks per series (cut at 120 samples).
  Model want = Fill(**db, 5, 300);
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    const model::Timestamp q_mint = static_cast<model::Timestamp>(rng() % 5000000);
    const model::Timestamp q_maxt = q_mint + static_cast<model::Timestamp>(rng() % 5000000);
    const model::Timestamp mint = static_cast<model::Timestamp>(rng() % 5000000);
    const model::Timestamp maxt = mint + static_cast<model::Timestamp>(rng() % 5000000);
    INFO("querier [" << q_mint << ", " << q_maxt << "], read [" << mint << ", " << maxt << "]");
    auto querier = (*db)->NewQuerier(q_mint, q_maxt);
    REQUIRE(querier.has_value());
    auto set = (*querier)->Select(true, nullptr, {Re("__name__", ".+")});
    while (set->Next()) {
      std::vector<Sample> bulk, slow;
      REQUIRE(set->At().NewIterator()->ReadAll(mint, maxt, &bulk).ok());
      auto it = set->At().NewIterator();
      if (it->Seek(mint)) {
        do {
          auto [t, v] = it->At();
          if (t > maxt) break;
          slow.push_back({t, v});
        } while (it->Next());
      }
      REQUIRE(bulk.size() == slow.size());
      for (size_t i = 0; i < bulk.size(); ++i) {
        CHECK(bulk[i].t == slow[i].t);
        CHECK(std::bit_cast<uint64_t>(bulk[i].v) == std::bit_cast<uint64_t>(slow[i].v));
      }
    }
  }
}

TEST_CASE("out-of-order samples inside the window are stored, merged and replayed", "[tsdb][head][ooo]") {
  testutil::TempDir dir;
  base::metrics::Registry registry;
  auto opts = TestOptions();
  opts.registry = &registry;
  opts.out_of_order_window = std::chrono::minutes(10);
  Labels l{{"__name__", "m"}};
  Labels other{{"__name__", "other"}};
  const int64_t min = 60'000;
  Model want;
  {
    auto db = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(db.has_value());
    {
      auto app = (*db)->NewAppender();
      // In order: every minute from 0 to 30 min; "other" moves the head's max time to 60 min.
      for (int64_t t = 0; t <= 30 * min; t += min) REQUIRE(app->Append(0, l, t, double(t)).has_value());
      REQUIRE(app->Append(0, other, 60 * min, 1).has_value());
      REQUIRE(app->Commit().ok());
    }
    auto app = (*db)->NewAppender();
    // 55 min is older than m's newest sample (30 min)? No: newer, in order.
    REQUIRE(app->Append(0, l, 55 * min, 55).has_value());
    // Inside the window [50 min, ...]: older than m's newest (55 min), accepted.
    REQUIRE(app->Append(0, l, 52 * min, 52).has_value());
    REQUIRE(app->Append(0, l, 51 * min, 51).has_value());
    REQUIRE(app->Append(0, other, 59 * min, 59).has_value());
    // Outside the window: rejected as too old (Prometheus's ErrTooOldSample once the window
    // is set; without a window it is out of order, below).
    auto old = app->Append(0, l, 49 * min, 49);
    REQUIRE_FALSE(old.has_value());
    CHECK(old.error().code() == base::StatusCode::kTooOld);
    CHECK(old.error().message() == "too old sample");
    REQUIRE(app->Commit().ok());
    for (int64_t t = 0; t <= 30 * min; t += min) want[l].push_back({t, double(t)});
    want[l].push_back({51 * min, 51});
    want[l].push_back({52 * min, 52});
    want[l].push_back({55 * min, 55});
    want[other] = {{59 * min, 59}, {60 * min, 1}};
    CheckEqual(ReadAll(**db, {Re("__name__", ".+")}), want);
    // A narrower range, cutting through the merged samples.
    Model part;
    part[l] = {{51 * min, 51}, {52 * min, 52}};
    CheckEqual(ReadAll(**db, {Eq("__name__", "m")}, 50 * min + 1, 54 * min), part);
    // A second out-of-order sample at the same timestamp is dropped, the first one stays.
    auto app2 = (*db)->NewAppender();
    REQUIRE(app2->Append(0, l, 52 * min, 1000).has_value());
    REQUIRE(app2->Commit().ok());
    CheckEqual(ReadAll(**db, {Re("__name__", ".+")}), want);
    std::string text = registry.Expose();
    CHECK(text.find("prometheus_tsdb_head_out_of_order_samples_appended_total{type=\"float\"} 3") !=
          std::string::npos);
  }
  // Replayed from the WAL.
  auto db = tsdb::DB::Open(dir.path(), opts);
  REQUIRE(db.has_value());
  CheckEqual(ReadAll(**db, {Re("__name__", ".+")}), want);
  // Truncation drops out-of-order samples before its time like any other.
  REQUIRE((*db)->Truncate(52 * min).ok());
  Model after;
  after[l] = {{52 * min, 52}, {55 * min, 55}};
  after[other] = want[other];
  CheckEqual(ReadAll(**db, {Re("__name__", ".+")}, 52 * min, model::kMaxTime), after);
}

TEST_CASE("without a window every older sample is rejected as out of order", "[tsdb][head][ooo]") {
  testutil::TempDir dir;
  auto db = tsdb::DB::Open(dir.path(), TestOptions());
  REQUIRE(db.has_value());
  Labels l{{"__name__", "m"}};
  auto app = (*db)->NewAppender();
  REQUIRE(app->Append(0, l, 1000, 1).has_value());
  REQUIRE(app->Commit().ok());
  (*db)->SetOutOfOrderWindow(std::chrono::milliseconds(0));
  auto app2 = (*db)->NewAppender();
  CHECK(app2->Append(0, l, 999, 1).error().code() == base::StatusCode::kOutOfOrder);
  (*db)->SetOutOfOrderWindow(std::chrono::seconds(1));
  CHECK(app2->Append(0, l, 999, 1).has_value());
  REQUIRE(app2->Commit().ok());
  CheckEqual(ReadAll(**db, {Eq("__name__", "m")}), Model{{l, {{999, 1}, {1000, 1}}}});
}

TEST_CASE("StreamSeries yields the series of Select(sorted) in the same order, one at a time",
          "[tsdb][head]") {
  testutil::TempDir dir;
  auto head = tsdb::Head::Open(dir.Sub("wal"), TestOptions(), dir.Sub("chunks_head"));
  REQUIRE(head.ok());
  // Label sets where one is a prefix of another, names that sort before and after __name__,
  // values interned in an order unlike their sort order.
  std::mt19937_64 rng(5);
  std::vector<Labels> sets;
  const std::vector<std::string> values = {"zeta", "a", "", "b", "ab", "aa", "Z"};
  for (int i = 0; i < 300; ++i) {
    model::LabelsBuilder b;
    b.Set("__name__", "m" + std::to_string(rng() % 3));
    if (rng() % 2) b.Set("A", values[rng() % values.size()]);
    if (rng() % 2) b.Set("job", values[rng() % values.size()]);
    if (rng() % 3) b.Set("zone", values[rng() % values.size()]);
    Labels l = b.Build();
    if (std::find(sets.begin(), sets.end(), l) == sets.end()) sets.push_back(l);
  }
  {
    auto app = (*head)->NewAppender();
    for (size_t i = 0; i < sets.size(); ++i) {
      for (int64_t t = 0; t < 20 * 60000; t += 60000) {
        double v = static_cast<double>(i * 1000 + static_cast<size_t>(t / 60000));
        auto r = app->Append(0, sets[i], t + static_cast<int64_t>(i), v);
        REQUIRE(r.has_value());
      }
    }
    REQUIRE(app->Commit().ok());
  }
  auto q = (*head)->NewQuerier(model::kMinTime, model::kMaxTime);
  REQUIRE(q.ok());
  auto selected = (*q)->Select(true, nullptr, {Re("__name__", ".+")});
  auto stream = (*head)->StreamSeries(5 * 60000, 10 * 60000);
  size_t n = 0;
  while (selected->Next()) {
    REQUIRE(stream->Next());
    CHECK(stream->At().labels() == selected->At().labels());
    // Only the samples in the stream's range.
    std::vector<Sample> got;
    auto it = stream->At().NewIterator(nullptr);
    while (it->Next()) got.push_back({it->At().first, it->At().second});
    REQUIRE(it->status().ok());
    const auto i = std::find(sets.begin(), sets.end(), stream->At().labels()) - sets.begin();
    CHECK(got.size() == (i == 0 ? 6u : 5u));  // series i has samples at k minutes + i ms
    for (const Sample& s : got) CHECK((s.t >= 5 * 60000 && s.t <= 10 * 60000));
    ++n;
  }
  CHECK_FALSE(stream->Next());
  CHECK(n == sets.size());
  CHECK(n > 50);
}

// DB with persistent blocks: cutting the head, compaction, retention, deletion, snapshots,
// out-of-order data, restarts; a randomized model test; crashes (SIGKILL) while writing blocks.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <atomic>
#include <mutex>
#include <thread>

#include "tests/testutil/temp_dir.h"
#include "tsdb/db.h"
#include "tsdb/db_test_util.h"

using namespace tsdb::testing;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kMin = 60 * 1000;

Labels L(int i) {
  return Labels{{"__name__", i % 2 ? "up" : "requests_total"},
                {"instance", "host-" + std::to_string(i)},
                {"job", i % 3 ? "api" : "db"}};
}

// Appends one sample a minute for `n` series over [from, to), one commit per minute, into the
// model too.
void Append(tsdb::DB& db, Model* m, int n, int64_t from, int64_t to, int seed = 1) {
  std::mt19937_64 rng(seed);
  for (int64_t t = from; t < to; t += kMin) {
    auto app = db.NewAppender();
    for (int i = 0; i < n; ++i) {
      double v = static_cast<double>(rng() % 10000) / 4;
      REQUIRE(app->Append(0, L(i), t, v).has_value());
      (*m)[L(i)].push_back({t, v});
    }
    REQUIRE(app->Commit().ok());
  }
}

// Test options with retention long enough never to drop the test's data.
tsdb::Options KeepAll() {
  auto o = TestOptions();
  o.retention = std::chrono::hours(24 * 365);
  return o;
}

Model All(tsdb::DB& db) { return ReadAll(db, {Re("__name__", ".+")}); }

size_t NumBlockDirs(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && fs::exists(e.path() / "meta.json")) ++n;
  return n;
}

}  // namespace

TEST_CASE("the head is cut into blocks; queries merge blocks and head; restart keeps both",
          "[tsdb][db][blocks]") {
  testutil::TempDir dir;
  auto opts = KeepAll();
  Model m;
  {
    auto db = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(db.has_value());
    Append(**db, &m, 20, 0, 7 * kHour);
    REQUIRE((*db)->Compact().ok());
    auto blocks = (*db)->Blocks();
    // 7 h of data: blocks while the head spans more than 3 h: [0,2h), [2h,4h); and maybe
    // compacted into larger ones later. The head keeps the rest.
    REQUIRE(blocks.size() >= 2);
    CHECK(blocks.front().min_time == 0);
    CHECK((*db)->Stats(1).min_time >= 4 * kHour - 2 * kHour);
    CheckEqual(All(**db), m);
    // A range inside one block, one across block and head.
    Model part;
    for (auto& [l, s] : m)
      for (auto& x : s)
        if (x.t >= 90 * kMin && x.t <= 5 * kHour) part[l].push_back(x);
    CheckEqual(ReadAll(**db, {Re("__name__", ".+")}, 90 * kMin, 5 * kHour), part);
    // Label names/values over blocks.
    auto q = (*db)->NewQuerier(0, kHour);
    REQUIRE(q.has_value());
    auto vals = (*q)->LabelValues("job", {}, {});
    REQUIRE(vals.has_value());
    CHECK(*vals == std::vector<std::string>{"api", "db"});
  }
  CHECK(NumBlockDirs(dir.path()) >= 2);
  auto db = tsdb::DB::Open(dir.path(), opts);
  REQUIRE(db.has_value());
  CheckEqual(All(**db), m);
  // The WAL replay only brought back what no block holds.
  CHECK((*db)->Stats(1).min_time >= (*db)->Blocks().back().max_time - 2 * kHour);
  Append(**db, &m, 20, 7 * kHour, 8 * kHour, 2);
  REQUIRE((*db)->FlushHead().ok());
  CHECK((*db)->Stats(1).num_series == 0);
  CheckEqual(All(**db), m);
}

TEST_CASE("closed head chunks live in chunks_head files; cuts delete them; restart rebuilds",
          "[tsdb][db][head_chunks]") {
  testutil::TempDir dir;
  auto opts = KeepAll();
  const std::string chunks_dir = dir.Sub("chunks_head");
  auto files = [&] {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(chunks_dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  };
  Model m;
  {
    auto db = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(db.has_value());
    Append(**db, &m, 600, 0, 4 * kHour);
    // 600 series x 240 samples: two closed chunks each (120 samples), in 64 KiB files.
    auto before = files();
    REQUIRE(before.size() >= 4);
    CHECK(before.front() == "000001");
    uint64_t file_bytes = 0;
    for (const auto& f : before) file_bytes += fs::file_size(chunks_dir + "/" + f);
    CHECK((*db)->SizeBytes() >= file_bytes);
    CheckEqual(All(**db), m);
    // A cut persists [0, 2h) and the segments that held only its chunks go.
    Append(**db, &m, 600, 4 * kHour, 5 * kHour, 2);
    REQUIRE((*db)->Compact().ok());
    REQUIRE((*db)->Blocks().size() == 1);
    auto after = files();
    CHECK(after.front() > before.front());
    CHECK(std::find(after.begin(), after.end(), before.back()) != after.end());
    CheckEqual(All(**db), m);
    CheckEqual(ReadAll(**db, {Eq("job", "db")}, 2 * kHour, 3 * kHour),
               [&] {
                 Model part;
                 for (auto& [l, s] : m)
                   if (l.Get("job") == "db")
                     for (auto& x : s)
                       if (x.t >= 2 * kHour && x.t <= 3 * kHour) part[l].push_back(x);
                 return part;
               }());
  }
  // The files are scratch space: a restart deletes them and the WAL replay writes new ones.
  auto db = tsdb::DB::Open(dir.path(), opts);
  REQUIRE(db.has_value());
  CheckEqual(All(**db), m);
  CHECK(files().front() == "000001");
  Append(**db, &m, 600, 5 * kHour, 6 * kHour, 3);
  CheckEqual(All(**db), m);
}

TEST_CASE("blocks are compacted into larger ranges, like Prometheus's leveled compactor",
          "[tsdb][db][blocks]") {
  testutil::TempDir dir;
  auto opts = KeepAll();
  base::metrics::Registry reg;
  opts.registry = &reg;
  auto db = tsdb::DB::Open(dir.path(), opts);
  REQUIRE(db.has_value());
  Model m;
  Append(**db, &m, 5, 0, 20 * kHour);
  REQUIRE((*db)->Compact().ok());
  auto blocks = (*db)->Blocks();
  // Nine 2 h blocks [0, 18h) cut (the head keeps the rest). As Prometheus's planner: the newest
  // block is never compacted, and a window that is not full is compacted only when it ends
  // before the newest block left after that ([14h, 16h)): [0, 6h) and [6, 12h) become level-2
  // blocks, [12h, 18h) stays three 2 h blocks until a block after it exists.
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (const auto& b : blocks) ranges.emplace_back(b.min_time, b.max_time);
  CHECK(ranges == std::vector<std::pair<int64_t, int64_t>>{{0, 6 * kHour},
                                                           {6 * kHour, 12 * kHour},
                                                           {12 * kHour, 14 * kHour},
                                                           {14 * kHour, 16 * kHour},
                                                           {16 * kHour, 18 * kHour}});
  REQUIRE(blocks.size() == 5);
  CHECK(blocks[0].level == 2);
  CHECK(blocks[1].level == 2);
  CHECK(blocks[4].level == 1);
  // Two more 2 h blocks: [12h, 18h) fills its window and [18h, 20h) is not the newest any more;
  // the 18 h window [0, 18h) is then full as well.
  Append(**db, &m, 5, 20 * kHour, 24 * kHour, 2);
  REQUIRE((*db)->Compact().ok());
  blocks = (*db)->Blocks();
  ranges.clear();
  for (const auto& b : blocks) ranges.emplace_back(b.min_time, b.max_time);
  CHECK(ranges == std::vector<std::pair<int64_t, int64_t>>{{0, 18 * kHour},
                                                           {18 * kHour, 20 * kHour},
                                                           {20 * kHour, 22 * kHour}});
  REQUIRE(!blocks.empty());
  CHECK(blocks[0].level == 3);
  CheckEqual(All(**db), m);
  CHECK(reg.Expose().find("prometheus_tsdb_compactions_total ") != std::string::npos);
  // Only whole blocks on disk: parents are gone.
  CHECK(NumBlockDirs(dir.path()) == blocks.size());
}

TEST_CASE("time retention deletes whole blocks; size retention keeps the directory under the limit",
          "[tsdb][db][retention]") {
  SECTION("time") {
    testutil::TempDir dir;
    auto opts = TestOptions();
    opts.retention = std::chrono::hours(6);
    opts.max_block_duration = std::chrono::hours(2);  // no compaction: one block per 2 h
    auto db = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(db.has_value());
    Model m;
    Append(**db, &m, 5, 0, 20 * kHour);
    REQUIRE((*db)->Compact().ok());
    auto blocks = (*db)->Blocks();
    REQUIRE_FALSE(blocks.empty());
    model::Timestamp newest = blocks.back().max_time;
    for (const auto& b : blocks) CHECK(newest - b.max_time <= 6 * kHour);
    CHECK(blocks.front().min_time > 0);
    // The deleted data is gone from queries too.
    auto got = ReadAll(**db, {Re("__name__", ".+")}, 0, kHour);
    CHECK(got.empty());
  }
  SECTION("size") {
    testutil::TempDir dir;
    auto opts = TestOptions();
    opts.max_block_duration = std::chrono::hours(2);
    auto db = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(db.has_value());
    Model m;
    Append(**db, &m, 50, 0, 20 * kHour);
    REQUIRE((*db)->Compact().ok());
    uint64_t before = (*db)->SizeBytes();
    size_t nblocks = (*db)->Blocks().size();
    REQUIRE(nblocks >= 4);
    (*db)->Close().IgnoreError();
    db->reset();
    opts.retention_bytes = before / 2;
    auto again = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(again.has_value());
    REQUIRE((*again)->Compact().ok());
    CHECK((*again)->SizeBytes() <= opts.retention_bytes);
    CHECK((*again)->Blocks().size() < nblocks);
  }
}

TEST_CASE("delete_series: tombstones in blocks, removal in the head, clean_tombstones, restart",
          "[tsdb][db][delete]") {
  testutil::TempDir dir;
  auto opts = KeepAll();
  Model m;
  auto erase = [&](const Labels& l, int64_t mint, int64_t maxt) {
    std::erase_if(m[l], [&](const Sample& s) { return s.t >= mint && s.t <= maxt; });
    if (m[l].empty()) m.erase(l);
  };
  {
    auto db = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(db.has_value());
    Append(**db, &m, 6, 0, 8 * kHour);
    REQUIRE((*db)->Compact().ok());
    REQUIRE_FALSE((*db)->Blocks().empty());
    // Across a block and the head.
    REQUIRE((*db)->Delete(kHour, 7 * kHour, {Eq("instance", "host-1")}).ok());
    erase(L(1), kHour, 7 * kHour);
    // Everything of one series.
    REQUIRE((*db)->Delete(model::kMinTime, model::kMaxTime, {Eq("instance", "host-2")}).ok());
    m.erase(L(2));
    CheckEqual(All(**db), m);
  }
  auto db = tsdb::DB::Open(dir.path(), opts);
  REQUIRE(db.has_value());
  CheckEqual(All(**db), m);
  bool tombstones = false;
  for (const auto& b : (*db)->Blocks()) tombstones |= b.num_tombstones > 0;
  CHECK(tombstones);
  REQUIRE((*db)->CleanTombstones().ok());
  for (const auto& b : (*db)->Blocks()) CHECK(b.num_tombstones == 0);
  CheckEqual(All(**db), m);
}

TEST_CASE("snapshot hard-links the blocks and writes the head as a block", "[tsdb][db][snapshot]") {
  testutil::TempDir dir;
  auto opts = KeepAll();
  auto db = tsdb::DB::Open(dir.path(), opts);
  REQUIRE(db.has_value());
  Model m;
  Append(**db, &m, 4, 0, 6 * kHour);
  REQUIRE((*db)->Compact().ok());
  std::string snap = dir.Sub("snapshots/s1");
  REQUIRE((*db)->Snapshot(snap, /*skip_head=*/false).ok());
  std::string heads = dir.Sub("snapshots/s2");
  REQUIRE((*db)->Snapshot(heads, /*skip_head=*/true).ok());
  CHECK(NumBlockDirs(heads) == (*db)->Blocks().size());
  CHECK(NumBlockDirs(snap) == (*db)->Blocks().size() + 1);
  // The snapshot is a data directory of its own.
  auto ro = TestOptions();
  auto copy = tsdb::DB::Open(snap, ro);
  REQUIRE(copy.has_value());
  CheckEqual(All(**copy), m);
}

TEST_CASE("out-of-order samples older than the newest block are persisted and survive compaction",
          "[tsdb][db][ooo]") {
  testutil::TempDir dir;
  auto opts = KeepAll();
  opts.out_of_order_window = std::chrono::hours(6);
  Model m;
  {
    auto db = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(db.has_value());
    Append(**db, &m, 3, 0, 6 * kHour);
    REQUIRE((*db)->Compact().ok());
    REQUIRE_FALSE((*db)->Blocks().empty());
    // Late samples between the existing ones, inside persisted blocks' range.
    auto app = (*db)->NewAppender();
    for (int64_t t = 30 * 1000; t < 3 * kHour; t += 20 * kMin) {
      REQUIRE(app->Append(0, L(0), t, -1).has_value());
      m[L(0)].push_back({t, -1});
    }
    // Outside the window: too old, as Prometheus with out_of_order_time_window set.
    auto too_old = app->Append(0, L(0), 6 * kHour - 7 * kHour, 1);
    REQUIRE_FALSE(too_old.has_value());
    CHECK(too_old.error().code() == base::StatusCode::kTooOld);
    REQUIRE(app->Commit().ok());
    std::sort(m[L(0)].begin(), m[L(0)].end(), [](auto& a, auto& b) { return a.t < b.t; });
    CheckEqual(All(**db), m);
    Append(**db, &m, 3, 6 * kHour, 12 * kHour, 3);
    REQUIRE((*db)->Compact().ok());
    CheckEqual(All(**db), m);
  }
  auto db = tsdb::DB::Open(dir.path(), opts);
  REQUIRE(db.has_value());
  CheckEqual(All(**db), m);
  REQUIRE((*db)->FlushHead().ok());
  REQUIRE((*db)->Compact().ok());
  CheckEqual(All(**db), m);
}

TEST_CASE("randomized: appends, cuts, compactions, deletions and restarts match a model",
          "[tsdb][db][property]") {
  for (uint64_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    testutil::TempDir dir;
    auto opts = KeepAll();
    opts.out_of_order_window = std::chrono::hours(3);
    std::mt19937_64 rng(seed);
    Model m;
    std::map<Labels, int64_t> last;  // newest sample time per series
    int64_t now = 0;
    auto db = std::move(tsdb::DB::Open(dir.path(), opts)).value();
    std::string log;
    for (int step = 0; step < 60; ++step) {
      int op = static_cast<int>(rng() % 10);
      log += std::to_string(op) + "@" + std::to_string(now) + " ";
      if (op < 5) {  // appends, some late
        auto app = db->NewAppender();
        int n = 1 + static_cast<int>(rng() % 8);
        for (int i = 0; i < n; ++i) {
          Labels l = L(static_cast<int>(rng() % 12));
          int64_t t = now + static_cast<int64_t>(rng() % (40 * kMin));
          if (rng() % 4 == 0) t -= static_cast<int64_t>(rng() % (2 * kHour));  // late
          double v = static_cast<double>(rng() % 1000);
          auto r = app->Append(0, l, t, v);
          if (!r.has_value()) continue;
          auto& s = m[l];
          auto it = std::lower_bound(s.begin(), s.end(), t, [](const Sample& a, int64_t t) { return a.t < t; });
          if (it != s.end() && it->t == t) continue;  // duplicate timestamp: first one wins
          log += "[" + l.ToString() + " " + std::to_string(t) + "]";
          s.insert(it, {t, v});
          last[l] = std::max(last[l], t);
        }
        REQUIRE(app->Commit().ok());
        now += 20 * kMin;
      } else if (op == 5) {
        REQUIRE(db->Compact().ok());
      } else if (op == 6) {
        REQUIRE(db->FlushHead().ok());
      } else if (op == 7) {
        int i = static_cast<int>(rng() % 12);
        int64_t a = static_cast<int64_t>(rng() % static_cast<uint64_t>(now + 1));
        int64_t b = a + static_cast<int64_t>(rng() % (3 * kHour));
        REQUIRE(db->Delete(a, b, {Eq("instance", "host-" + std::to_string(i))}).ok());
        auto it = m.find(L(i));
        if (it != m.end()) {
          std::erase_if(it->second, [&](const Sample& s) { return s.t >= a && s.t <= b; });
          if (it->second.empty()) m.erase(it);
        }
      } else if (op == 8) {
        REQUIRE(db->CleanTombstones().ok());
      } else {
        db.reset();
        db = std::move(tsdb::DB::Open(dir.path(), opts)).value();
      }
      INFO("operations so far (op@time, [appended sample]): " << log);
      CheckEqual(All(*db), m);
    }
  }
}

TEST_CASE("SIGKILL while blocks are written or compacted loses and duplicates nothing",
          "[tsdb][db][crash]") {
  testutil::TempDir dir;
  auto opts = KeepAll();
  Model m;
  {
    auto db = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(db.has_value());
    Append(**db, &m, 200, 0, 30 * kHour);
  }
  std::mt19937_64 rng(7);
  for (int round = 0; round < 8; ++round) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // The child compacts until killed (or done); it never returns into Catch2.
      auto db = tsdb::DB::Open(dir.path(), opts);
      if (!db) ::_exit(3);
      for (;;) {
        if (!(*db)->Compact().ok()) ::_exit(4);
        if (!(*db)->FlushHead().ok()) ::_exit(5);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 400));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK((WIFSIGNALED(status) || WEXITSTATUS(status) == 0));
    auto db = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(db.has_value());
    INFO("round " << round);
    CheckEqual(All(**db), m);
    // No partial block was loaded and no leftovers count as blocks.
    for (const auto& e : fs::directory_iterator(dir.path())) {
      std::string name = e.path().filename().string();
      CHECK(name.find(".tmp") == std::string::npos);
    }
  }
}

TEST_CASE("a restart keeps out-of-order samples below the newest block that no cut persisted yet",
          "[tsdb][db][ooo]") {
  testutil::TempDir dir;
  auto opts = KeepAll();
  opts.out_of_order_window = std::chrono::hours(4);
  Model m;
  Labels late{{"__name__", "late"}};
  {
    auto db = tsdb::DB::Open(dir.path(), opts);
    REQUIRE(db.has_value());
    Append(**db, &m, 1, 0, 7 * kHour);
    REQUIRE((*db)->Compact().ok());
    REQUIRE((*db)->Blocks().back().max_time == 4 * kHour);
    auto app = (*db)->NewAppender();
    REQUIRE(app->Append(0, late, 3 * kHour + 30'000, 1).has_value());  // below the newest block
    REQUIRE(app->Append(0, late, 4 * kHour + 30'000, 2).has_value());
    REQUIRE(app->Commit().ok());
    m[late] = {{3 * kHour + 30'000, 1}, {4 * kHour + 30'000, 2}};
    CheckEqual(All(**db), m);
  }
  auto db = tsdb::DB::Open(dir.path(), opts);
  REQUIRE(db.has_value());
  CheckEqual(All(**db), m);
  REQUIRE((*db)->Compact().ok());
  CheckEqual(All(**db), m);
}

TEST_CASE("samples committed while the head is being cut are neither lost nor duplicated",
          "[tsdb][db][concurrency]") {
  testutil::TempDir dir;
  auto opts = KeepAll();
  Model m;
  std::mutex model_mu;
  {
    auto db = std::move(tsdb::DB::Open(dir.path(), opts)).value();
    std::atomic<bool> done{false};
    std::thread compactor([&] {
      while (!done.load()) REQUIRE(db->Compact().ok());
    });
    // The driver series moves the head's max time; laggers stay 2.5 h behind it, so that their
    // in-order samples fall right where blocks are being cut.
    for (int r = 0; r < 1500; ++r) {
      auto app = db->NewAppender();
      std::vector<std::pair<Labels, Sample>> staged;
      int64_t t = r * kMin;
      Labels driver{{"__name__", "driver"}};
      if (app->Append(0, driver, t, r).has_value()) staged.push_back({driver, {t, double(r)}});
      for (int k = 0; k < 3; ++k) {
        Labels lag{{"__name__", "lag"}, {"k", std::to_string(k)}};
        int64_t lt = t - 150 * kMin + k;
        if (lt < 0) continue;
        if (app->Append(0, lag, lt, r).has_value()) staged.push_back({lag, {lt, double(r)}});
      }
      REQUIRE(app->Commit().ok());
      std::lock_guard lock(model_mu);
      for (auto& [l, s] : staged) m[l].push_back(s);
    }
    done.store(true);
    compactor.join();
    REQUIRE_FALSE(db->Blocks().empty());
    CheckEqual(All(*db), m);
  }
  auto db = tsdb::DB::Open(dir.path(), opts);
  REQUIRE(db.has_value());
  CheckEqual(All(**db), m);
  REQUIRE((*db)->FlushHead().ok());
  REQUIRE((*db)->Compact().ok());
  CheckEqual(All(**db), m);
}

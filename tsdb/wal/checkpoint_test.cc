// Tests of WAL checkpoints (docs/format/checkpoint.md).
#include "tsdb/wal/checkpoint.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/testutil/temp_dir.h"
#include "tsdb/record/record.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/writer.h"

namespace tsdb::wal {
namespace {

namespace fs = std::filesystem;
using record::RefSample;
using record::RefSeries;
using record::RefTombstone;

model::Labels SeriesLabels(uint64_t ref) {
  return model::Labels{{"__name__", "metric"}, {"id", std::to_string(ref)}};
}

// Replays like the head: the last checkpoint, then the segments after it.
struct Replayed {
  std::map<uint64_t, model::Labels> series;
  std::vector<RefSample> samples;
  std::vector<RefTombstone> tombstones;
  int other_records = 0;
};
Replayed Replay(const std::string& dir) {
  Replayed out;
  std::vector<SegmentRange> ranges;
  int after = -1;
  if (auto cp = LastCheckpoint(dir); cp.ok()) {
    ranges.push_back({cp->path, -1, -1});
    after = cp->index + 1;
  } else {
    REQUIRE(cp.error().code() == base::StatusCode::kNotFound);
  }
  ranges.push_back({dir, after, -1});
  auto r = Reader::Open(ranges);
  REQUIRE(r.ok());
  std::vector<RefSeries> series;
  while ((*r)->Next()) {
    auto rec = (*r)->Record();
    switch (record::GetType(rec)) {
      case record::Type::kSeries:
        series.clear();
        REQUIRE(record::DecodeSeries(rec, &series).ok());
        for (auto& s : series) out.series[s.ref] = s.labels;
        break;
      case record::Type::kSamples:
        REQUIRE(record::DecodeSamples(rec, &out.samples).ok());
        break;
      case record::Type::kTombstones:
        REQUIRE(record::DecodeTombstones(rec, &out.tombstones).ok());
        break;
      default:
        ++out.other_records;
    }
  }
  REQUIRE((*r)->status().ok());
  return out;
}

// Segment s (0..4) holds series 10*s .. 10*s+9, then samples of every series so far at
// t = 100*s + k for k in 0..9, then a tombstone for series s over [100*s, 100*s + 50], then an
// exemplar-typed record.
void WriteSegments(Writer& w, int count) {
  std::string buf;
  for (int s = 0; s < count; ++s) {
    const auto base = static_cast<uint64_t>(10 * s);
    std::vector<RefSeries> series;
    for (uint64_t ref = base; ref < base + 10; ++ref) series.push_back({ref, SeriesLabels(ref)});
    buf.clear();
    record::EncodeSeries(series, &buf);
    REQUIRE(w.Log(buf).ok());
    std::vector<RefSample> samples;
    for (int k = 0; k < 10; ++k) {
      for (uint64_t ref = 0; ref < base + 10; ++ref) {
        samples.push_back({ref, 100 * s + k, static_cast<double>(ref) + k * 0.5});
      }
    }
    buf.clear();
    record::EncodeSamples(samples, &buf);
    REQUIRE(w.Log(buf).ok());
    std::vector<RefTombstone> stones = {{static_cast<uint64_t>(s), 100 * s, 100 * s + 50}};
    buf.clear();
    record::EncodeTombstones(stones, &buf);
    std::string exemplar = "\x04 not decoded by Hestia";
    std::vector<std::string_view> batch = {buf, exemplar};
    REQUIRE(w.Log(batch).ok());
    REQUIRE(w.NextSegment().ok());
  }
}

TEST_CASE("Checkpoint keeps live series and samples not older than mint", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  auto w = Writer::Open(dir, {});
  REQUIRE(w.ok());
  WriteSegments(**w, 5);  // segments 0..4, active 5
  auto keep = [](uint64_t ref) { return ref % 2 == 0; };

  auto stats = Checkpoint(base::Logger::Quiet(), dir, 0, 2, keep, 150);
  REQUIRE(stats.ok());
  CHECK(stats->total_series == 30);
  CHECK(stats->dropped_series == 15);
  // Samples in segments 0..2: 10*10 + 20*10 + 30*10; those with t >= 150 are segment 1's
  // k >= 50 (none) and segment 2's (all 300).
  CHECK(stats->total_samples == 600);
  CHECK(stats->dropped_samples == 300);
  CHECK(stats->total_tombstones == 3);
  CHECK(stats->dropped_tombstones == 1);  // segment 0's [0, 50] ends before 150
  CHECK(stats->dropped_records == 3);

  auto cp = LastCheckpoint(dir);
  REQUIRE(cp.ok());
  CHECK(cp->index == 2);
  CHECK(cp->path == CheckpointDir(dir, 2));
  CHECK(fs::is_directory(cp->path));
  CHECK_FALSE(fs::exists(cp->path + ".tmp"));

  // The checkpoint alone: even series of segments 0..2 and samples with t >= 150.
  {
    auto r = Reader::Open(cp->path);
    REQUIRE(r.ok());
    std::set<uint64_t> refs;
    int64_t samples = 0;
    std::vector<RefSeries> series;
    std::vector<RefSample> s;
    std::vector<RefTombstone> t;
    while ((*r)->Next()) {
      auto rec = (*r)->Record();
      if (record::GetType(rec) == record::Type::kSeries) {
        series.clear();
        REQUIRE(record::DecodeSeries(rec, &series).ok());
        for (auto& x : series) {
          CHECK(x.labels == SeriesLabels(x.ref));
          refs.insert(x.ref);
        }
      } else if (record::GetType(rec) == record::Type::kSamples) {
        s.clear();
        REQUIRE(record::DecodeSamples(rec, &s).ok());
        for (auto& x : s) CHECK(x.t >= 150);
        samples += static_cast<int64_t>(s.size());
      } else {
        REQUIRE(record::GetType(rec) == record::Type::kTombstones);
        REQUIRE(record::DecodeTombstones(rec, &t).ok());
      }
    }
    REQUIRE((*r)->status().ok());
    CHECK(refs.size() == 15);
    for (uint64_t ref : refs) CHECK(ref % 2 == 0);
    CHECK(samples == 300);
    CHECK(t.size() == 2);
  }

  // The head then truncates the WAL; replay sees the checkpoint and segments 3..5.
  REQUIRE((*w)->Truncate(3).ok());
  Replayed got = Replay(dir);
  CHECK(got.series.size() == 15 + 20);
  CHECK(got.series.count(1) == 0);
  CHECK(got.series.count(31) == 1);
  CHECK(got.samples.size() == 300 + 400 + 500);
  CHECK(got.other_records == 2);
}

TEST_CASE("Checkpoint bytes match the worked example", "[tsdb][wal]") {
  // docs/format/checkpoint.md, section 6.
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  {
    auto w = Writer::Open(dir, {});
    REQUIRE(w.ok());
    std::vector<RefSeries> series = {{1, model::Labels{{"__name__", "a"}}},
                                     {2, model::Labels{{"__name__", "b"}}}};
    std::vector<RefSample> samples = {{1, 1000, 1.0}, {2, 1000, 2.0}, {2, 2000, 3.0}};
    std::string s, x;
    record::EncodeSeries(series, &s);
    record::EncodeSamples(samples, &x);
    std::vector<std::string_view> batch = {s, x};
    REQUIRE((*w)->Log(batch).ok());
    REQUIRE((*w)->NextSegment().ok());
  }
  auto stats = Checkpoint(
      base::Logger::Quiet(), dir, 0, 0, [](uint64_t ref) { return ref == 2; }, 1500);
  REQUIRE(stats.ok());
  std::ifstream in(CheckpointDir(dir, 0) + "/00000000", std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), {});
  REQUIRE(file.size() == kPageSize);
  const unsigned char want[] = {0x01, 0x00, 0x15, 0x27, 0xea, 0xd9, 0xc8, 0x01, 0x00, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x08, 0x5f, 0x5f, 0x6e, 0x61,
                                0x6d, 0x65, 0x5f, 0x5f, 0x01, 0x62, 0x01, 0x00, 0x1b, 0x26, 0x58,
                                0x36, 0x6f, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0xd0, 0x00, 0x00, 0x40,
                                0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  CHECK(file.substr(0, sizeof(want)) ==
        std::string_view(reinterpret_cast<const char*>(want), sizeof(want)));
  CHECK(file.find_first_not_of('\0', sizeof(want)) == std::string::npos);
}

TEST_CASE("Checkpoint folds in the previous checkpoint and deletes it", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  auto w = Writer::Open(dir, {});
  REQUIRE(w.ok());
  WriteSegments(**w, 5);
  auto keep_all = [](uint64_t) { return true; };
  REQUIRE(Checkpoint(base::Logger::Quiet(), dir, 0, 1, keep_all, 0).ok());
  REQUIRE((*w)->Truncate(2).ok());

  SECTION("a gap after the last checkpoint is refused") {
    CHECK(Checkpoint(base::Logger::Quiet(), dir, 3, 3, keep_all, 0).error().code() ==
          base::StatusCode::kInvalidArgument);
  }
  SECTION("a checkpoint not after the last one is refused") {
    CHECK(Checkpoint(base::Logger::Quiet(), dir, 0, 1, keep_all, 0).error().code() ==
          base::StatusCode::kInvalidArgument);
  }
  SECTION("the next checkpoint includes the previous one") {
    // from = 0 is raised to 2, just after checkpoint.00000001.
    auto keep_low = [](uint64_t ref) { return ref < 25; };
    auto stats = Checkpoint(base::Logger::Quiet(), dir, 0, 3, keep_low, 120);
    REQUIRE(stats.ok());
    CHECK(stats->total_series == 40);
    CHECK_FALSE(fs::exists(CheckpointDir(dir, 1)));
    auto cp = LastCheckpoint(dir);
    REQUIRE(cp.ok());
    CHECK(cp->index == 3);
    REQUIRE((*w)->Truncate(4).ok());
    Replayed got = Replay(dir);
    std::set<uint64_t> refs;
    for (auto& [ref, _] : got.series) refs.insert(ref);
    std::set<uint64_t> want;
    for (uint64_t r = 0; r < 25; ++r) want.insert(r);
    for (uint64_t r = 40; r < 50; ++r) want.insert(r);
    CHECK(refs == want);
    for (const auto& s : got.samples) CHECK(s.t >= 120);
  }
}

TEST_CASE("Checkpoint survives a crash before the rename", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  auto w = Writer::Open(dir, {});
  REQUIRE(w.ok());
  WriteSegments(**w, 4);
  auto keep_all = [](uint64_t) { return true; };
  REQUIRE(Checkpoint(base::Logger::Quiet(), dir, 0, 0, keep_all, 0).ok());
  REQUIRE((*w)->Truncate(1).ok());
  const Replayed before = Replay(dir);

  // A crash while writing checkpoint.00000002 leaves its .tmp directory with a torn segment.
  const std::string leftover = CheckpointDir(dir, 2) + ".tmp";
  fs::create_directories(leftover);
  {
    std::ofstream out(leftover + "/00000000", std::ios::binary);
    out << "\x01\x00\x10 torn";
  }
  auto cp = LastCheckpoint(dir);
  REQUIRE(cp.ok());
  CHECK(cp->index == 0);
  const Replayed after_crash = Replay(dir);
  CHECK(after_crash.series.size() == before.series.size());
  CHECK(after_crash.samples.size() == before.samples.size());

  SECTION("DeleteTempCheckpoints removes it") {
    REQUIRE(DeleteTempCheckpoints(base::Logger::Quiet(), dir).ok());
    CHECK_FALSE(fs::exists(leftover));
    CHECK(fs::exists(CheckpointDir(dir, 0)));
  }
  SECTION("the next Checkpoint removes it and succeeds") {
    auto stats = Checkpoint(base::Logger::Quiet(), dir, 1, 2, keep_all, 0);
    REQUIRE(stats.ok());
    CHECK_FALSE(fs::exists(leftover));
    CHECK_FALSE(fs::exists(CheckpointDir(dir, 0)));
    auto last = LastCheckpoint(dir);
    REQUIRE(last.ok());
    CHECK(last->index == 2);
    REQUIRE((*w)->Truncate(3).ok());
    const Replayed got = Replay(dir);
    CHECK(got.series.size() == before.series.size());
    CHECK(got.samples.size() == before.samples.size());
  }
}

TEST_CASE("Checkpoint of a corrupt segment fails and leaves nothing behind", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  {
    auto w = Writer::Open(dir, {});
    REQUIRE(w.ok());
    WriteSegments(**w, 3);
  }
  {
    std::fstream f(SegmentName(dir, 1), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(20);
    f.put('\xff');
  }
  auto stats = Checkpoint(
      base::Logger::Quiet(), dir, 0, 2, [](uint64_t) { return true; }, 0);
  REQUIRE_FALSE(stats.ok());
  CHECK(stats.error().code() == base::StatusCode::kCorruption);
  CHECK(LastCheckpoint(dir).error().code() == base::StatusCode::kNotFound);
  CHECK_FALSE(fs::exists(CheckpointDir(dir, 2) + ".tmp"));
}

TEST_CASE("LastCheckpoint picks the highest index and ignores other entries", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.path();
  CHECK(LastCheckpoint(dir).error().code() == base::StatusCode::kNotFound);
  fs::create_directories(CheckpointDir(dir, 3));
  fs::create_directories(CheckpointDir(dir, 12));
  fs::create_directories(CheckpointDir(dir, 20) + ".tmp");
  std::ofstream(dir + "/checkpoint.00000030");  // a file, not a directory
  auto cp = LastCheckpoint(dir);
  REQUIRE(cp.ok());
  CHECK(cp->index == 12);
  REQUIRE(DeleteCheckpoints(dir, 12).ok());
  CHECK_FALSE(fs::exists(CheckpointDir(dir, 3)));
  CHECK(fs::exists(CheckpointDir(dir, 12)));
}

}  // namespace
}  // namespace tsdb::wal

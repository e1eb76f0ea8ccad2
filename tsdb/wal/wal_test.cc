// Tests of the segmented WAL: Writer, Reader, Repair (docs/format/wal.md).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/metrics.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/record/record.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/segment.h"
#include "tsdb/wal/writer.h"

namespace tsdb::wal {
namespace {

namespace fs = std::filesystem;

// Deterministic contents for record i of the given size.
std::string MakeRecord(size_t i, size_t size) {
  std::string s(size, '\0');
  std::mt19937_64 rng(i * 7919 + size);
  for (char& c : s) c = static_cast<char>(rng());
  // Never start with 0 so that a record is not mistaken for anything; content is opaque anyway.
  if (!s.empty()) s[0] = static_cast<char>('A' + i % 26);
  return s;
}

struct ReadResult {
  std::vector<std::string> records;
  base::Status status;
  std::optional<CorruptionInfo> corruption;
};

ReadResult ReadAll(const std::string& dir, int first = -1, int last = -1,
                   Reporter* reporter = nullptr) {
  ReadResult out;
  auto r = Reader::Open(dir, first, last, reporter);
  REQUIRE(r.ok());
  while ((*r)->Next()) out.records.emplace_back((*r)->Record());
  out.status = (*r)->status();
  out.corruption = (*r)->corruption();
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

WriterOptions SmallSegments(size_t pages) {
  WriterOptions o;
  o.segment_size = pages * kPageSize;
  return o;
}

// The page layout the format prescribes, computed independently of the Writer: a record's
// fragments fill the rest of the current page, then whole pages; a page with no room for a
// header plus one byte is zero-padded. One segment, no rollover.
struct Fragment {
  uint64_t offset;  // of the header
  size_t len;
};
struct RecordLayout {
  std::vector<Fragment> fragments;
  uint64_t start;
  uint64_t end;
};
std::vector<RecordLayout> ModelLayout(const std::vector<size_t>& sizes) {
  std::vector<RecordLayout> out;
  uint64_t pos = 0;
  for (size_t size : sizes) {
    RecordLayout l{{}, pos, 0};
    size_t left = size;
    while (left > 0) {
      const size_t room = kPageSize - pos % kPageSize;
      const size_t n = std::min(left, room - kRecordHeaderSize);
      l.fragments.push_back({pos, n});
      pos += kRecordHeaderSize + n;
      left -= n;
      const size_t used = pos % kPageSize;
      if (used != 0 && kPageSize - used <= kRecordHeaderSize) pos += kPageSize - used;
    }
    l.end = l.fragments.back().offset + kRecordHeaderSize + l.fragments.back().len;
    out.push_back(l);
  }
  return out;
}

// Where the next record's first fragment goes after `sizes`.
uint64_t ModelNextOffset(const std::vector<size_t>& sizes) {
  if (sizes.empty()) return 0;
  uint64_t pos = ModelLayout(sizes).back().end;
  const size_t used = pos % kPageSize;
  if (used != 0 && kPageSize - used <= kRecordHeaderSize) pos += kPageSize - used;
  return pos;
}

// A record size that leaves exactly `left` bytes in the current page after `sizes`.
size_t SizeLeaving(const std::vector<size_t>& sizes, size_t left) {
  const size_t room = kPageSize - ModelNextOffset(sizes) % kPageSize;
  REQUIRE(room > kRecordHeaderSize + left);
  return room - kRecordHeaderSize - left;
}

std::vector<std::string_view> Views(const std::vector<std::string>& recs, size_t from, size_t to) {
  return std::vector<std::string_view>(recs.begin() + static_cast<ptrdiff_t>(from),
                                       recs.begin() + static_cast<ptrdiff_t>(to));
}

class CollectingReporter : public Reporter {
 public:
  void Corruption(const CorruptionInfo& info) override { seen.push_back(info); }
  std::vector<CorruptionInfo> seen;
};

TEST_CASE("WAL segment names are eight decimal digits", "[tsdb][wal]") {
  CHECK(SegmentName("/x/wal", 0) == "/x/wal/00000000");
  CHECK(SegmentName("wal", 123) == "wal/00000123");
  CHECK(ParseSegmentName("00000123") == 123);
  CHECK(ParseSegmentName("checkpoint.00000001") == -1);
  CHECK(ParseSegmentName("") == -1);
  CHECK(ParseSegmentName("12a") == -1);
}

TEST_CASE("WAL round-trips records of random sizes across pages and segments", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  std::mt19937 rng(42);
  std::vector<std::string> recs;
  for (size_t i = 0; i < 400; ++i) {
    size_t size;
    switch (rng() % 10) {
      case 0:
        size = kPageSize - kRecordHeaderSize + rng() % 3 - 1;
        break;  // about one page
      case 1:
        size = kPageSize + rng() % kPageSize;
        break;  // over a page
      case 2:
        size = 3 * kPageSize + rng() % (2 * kPageSize);
        break;  // several pages
      default:
        size = 1 + rng() % 3000;
        break;
    }
    recs.push_back(MakeRecord(i, size));
  }
  const size_t kSegmentPages = 8;
  {
    auto w = Writer::Open(dir, SmallSegments(kSegmentPages));
    REQUIRE(w.ok());
    size_t i = 0;
    while (i < recs.size()) {
      size_t n = std::min<size_t>(recs.size() - i, 1 + rng() % 5);
      auto views = Views(recs, i, i + n);
      REQUIRE((*w)->Log(views).ok());
      i += n;
    }
    auto [first, last] = (*w)->Segments();
    CHECK(first == 0);
    CHECK(last > 10);
    REQUIRE((*w)->Close().ok());
  }
  auto got = ReadAll(dir);
  REQUIRE(got.status.ok());
  REQUIRE(got.records.size() == recs.size());
  for (size_t i = 0; i < recs.size(); ++i) CHECK(got.records[i] == recs[i]);

  // No segment exceeds its size (every record here fits into one), and closed segments end on
  // a page boundary.
  auto refs = ListSegments(dir);
  REQUIRE(refs.ok());
  for (const auto& ref : *refs) {
    CHECK(ref.size_bytes <= static_cast<int64_t>(kSegmentPages * kPageSize));
    CHECK(ref.size_bytes % static_cast<int64_t>(kPageSize) == 0);
  }
}

TEST_CASE("WAL pages follow the prescribed fragment layout", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  // Sizes chosen to hit the edge cases: a page filled exactly, pages left with fewer than
  // kRecordHeaderSize bytes, exactly that many (both padded), and one more (a 1-byte first
  // fragment follows), records over one and over several pages.
  std::vector<size_t> sizes = {10};
  sizes.push_back(SizeLeaving(sizes, 0));
  sizes.push_back(1);
  sizes.push_back(SizeLeaving(sizes, kRecordHeaderSize));
  sizes.push_back(40000);
  sizes.push_back(SizeLeaving(sizes, 3));
  sizes.push_back(100000);
  sizes.push_back(kPageSize - kRecordHeaderSize);
  sizes.push_back(5);
  sizes.push_back(SizeLeaving(sizes, kRecordHeaderSize + 1));
  sizes.push_back(70000);
  sizes.push_back(2);
  sizes.push_back(3);
  std::vector<std::string> recs;
  for (size_t i = 0; i < sizes.size(); ++i) recs.push_back(MakeRecord(i, sizes[i]));
  {
    auto w = Writer::Open(dir, {});
    REQUIRE(w.ok());
    for (const auto& r : recs) REQUIRE((*w)->Log(r).ok());
  }
  const auto layout = ModelLayout(sizes);
  const std::string file = ReadFile(SegmentName(dir, 0));
  REQUIRE(file.size() % kPageSize == 0);
  REQUIRE(file.size() >= layout.back().end);

  for (size_t i = 0; i < recs.size(); ++i) {
    size_t consumed = 0;
    const auto& frags = layout[i].fragments;
    for (size_t f = 0; f < frags.size(); ++f) {
      const Fragment& fr = frags[f];
      INFO("record " << i << " fragment " << f);
      // A fragment never crosses a page.
      CHECK(fr.offset / kPageSize == (fr.offset + kRecordHeaderSize + fr.len - 1) / kPageSize);
      const char* h = file.data() + fr.offset;
      FragmentType want = frags.size() == 1       ? FragmentType::kFull
                          : f == 0                ? FragmentType::kFirst
                          : f + 1 == frags.size() ? FragmentType::kLast
                                                  : FragmentType::kMiddle;
      CHECK(static_cast<uint8_t>(h[0]) == static_cast<uint8_t>(want));
      CHECK(base::DecodeBE16(h + 1) == fr.len);
      CHECK(base::DecodeBE32(h + 3) ==
            base::Crc32c(std::string_view(h + kRecordHeaderSize, fr.len)));
      CHECK(std::string_view(h + kRecordHeaderSize, fr.len) ==
            std::string_view(recs[i]).substr(consumed, fr.len));
      consumed += fr.len;
    }
  }
  // Everything that is not a fragment is zero padding.
  std::string mask(file.size(), '\0');
  for (const auto& l : layout) {
    for (const auto& fr : l.fragments) {
      std::fill_n(mask.begin() + static_cast<ptrdiff_t>(fr.offset), kRecordHeaderSize + fr.len,
                  '\1');
    }
  }
  for (size_t i = 0; i < file.size(); ++i) {
    if (mask[i] == 0 && file[i] != 0) FAIL("non-zero padding byte at " << i);
  }

  // The reader reports the same positions.
  auto r = Reader::Open(dir);
  REQUIRE(r.ok());
  for (size_t i = 0; i < recs.size(); ++i) {
    REQUIRE((*r)->Next());
    CHECK((*r)->segment() == 0);
    CHECK(static_cast<uint64_t>((*r)->offset()) == layout[i].start);
    CHECK(static_cast<uint64_t>((*r)->end_offset()) == layout[i].end);
  }
  CHECK_FALSE((*r)->Next());
  CHECK((*r)->status().ok());
}

TEST_CASE("WAL bytes match the worked example of docs/format/wal.md", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  std::vector<record::RefSample> samples = {{1, 1700000000000, 1.0}, {2, 1700000015000, 2.5}};
  std::string rec;
  record::EncodeSamples(samples, &rec);
  {
    auto w = Writer::Open(dir, {});
    REQUIRE(w.ok());
    REQUIRE((*w)->Log(rec).ok());
    // Before Close the segment ends right after the fragment; Close pads the page.
    CHECK(fs::file_size(SegmentName(dir, 0)) == kRecordHeaderSize + rec.size());
  }
  const std::string file = ReadFile(SegmentName(dir, 0));
  REQUIRE(file.size() == kPageSize);
  const unsigned char want[] = {0x01, 0x00, 0x27, 0x85, 0xd1, 0x10, 0xd6, 0x02, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x8b,
                                0xcf, 0xe5, 0x68, 0x00, 0x00, 0x00, 0x3f, 0xf0, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x02, 0xb0, 0xea, 0x01, 0x40, 0x04,
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  CHECK(file.substr(0, sizeof(want)) ==
        std::string_view(reinterpret_cast<const char*>(want), sizeof(want)));
  CHECK(file.find_first_not_of('\0', sizeof(want)) == std::string::npos);
}

TEST_CASE("WAL Open starts a new segment after the last one", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  {
    auto w = Writer::Open(dir, {});
    REQUIRE(w.ok());
    CHECK((*w)->Segments() == std::pair(0, 0));
    REQUIRE((*w)->Log("one").ok());
  }
  {
    auto w = Writer::Open(dir, {});
    REQUIRE(w.ok());
    CHECK((*w)->Segments() == std::pair(0, 1));
    REQUIRE((*w)->Log("two").ok());
    auto next = (*w)->NextSegment();
    REQUIRE(next.ok());
    CHECK(*next == 2);
    REQUIRE((*w)->Log("three").ok());
  }
  auto got = ReadAll(dir);
  REQUIRE(got.status.ok());
  CHECK(got.records == std::vector<std::string>{"one", "two", "three"});
  CHECK(ReadAll(dir, 1, 1).records == std::vector<std::string>{"two"});
  CHECK(ReadAll(dir, 1, -1).records == std::vector<std::string>{"two", "three"});
  CHECK(ReadAll(dir, -1, 1).records == std::vector<std::string>{"one", "two"});
  auto seg = Segments(dir);
  REQUIRE(seg.ok());
  CHECK(*seg == std::pair(0, 2));

  auto single = Reader::OpenFile(SegmentName(dir, 2));
  REQUIRE(single.ok());
  REQUIRE((*single)->Next());
  CHECK((*single)->Record() == "three");
  CHECK((*single)->segment() == 2);
  CHECK_FALSE((*single)->Next());
  CHECK((*single)->status().ok());

  CHECK(Reader::OpenFile(tmp.Sub("missing")).error().code() == base::StatusCode::kNotFound);
}

TEST_CASE("WAL rolls over to a new segment when a record does not fit", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  auto w = Writer::Open(dir, SmallSegments(2));
  REQUIRE(w.ok());
  const std::string a = MakeRecord(1, kPageSize);         // page 0 and part of page 1
  const std::string b = MakeRecord(2, kPageSize);         // no longer fits: segment 1
  const std::string huge = MakeRecord(3, 5 * kPageSize);  // larger than a segment: its own
  const std::string c = MakeRecord(4, 10);
  REQUIRE((*w)->Log(a).ok());
  CHECK((*w)->Segments().second == 0);
  REQUIRE((*w)->Log(b).ok());
  CHECK((*w)->Segments().second == 1);
  REQUIRE((*w)->Log(huge).ok());
  CHECK((*w)->Segments().second == 2);
  REQUIRE((*w)->Log(c).ok());
  CHECK((*w)->Segments().second == 3);
  REQUIRE((*w)->Close().ok());

  auto refs = ListSegments(dir);
  REQUIRE(refs.ok());
  REQUIRE(refs->size() == 4);
  CHECK((*refs)[2].size_bytes > static_cast<int64_t>(2 * kPageSize));
  CHECK(ReadAll(dir, 2, 2).records == std::vector<std::string>{huge});
  CHECK(ReadAll(dir).records == std::vector<std::string>{a, b, huge, c});
}

TEST_CASE("WAL Truncate deletes the segments before an index", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  base::metrics::Registry registry;
  WriterOptions o;
  o.registry = &registry;
  auto w = Writer::Open(dir, o);
  REQUIRE(w.ok());
  for (int i = 0; i < 5; ++i) {
    REQUIRE((*w)->Log("rec" + std::to_string(i)).ok());
    REQUIRE((*w)->NextSegment().ok());
  }
  CHECK((*w)->Segments() == std::pair(0, 5));
  REQUIRE((*w)->Truncate(3).ok());
  CHECK((*w)->Segments() == std::pair(3, 5));
  CHECK_FALSE(fs::exists(SegmentName(dir, 2)));
  CHECK(fs::exists(SegmentName(dir, 3)));
  CHECK(ReadAll(dir).records == std::vector<std::string>{"rec3", "rec4"});
  CHECK((*w)->Truncate(6).code() == base::StatusCode::kInvalidArgument);
  REQUIRE((*w)->Truncate(5).ok());
  CHECK((*w)->Segments() == std::pair(5, 5));
  REQUIRE((*w)->Log("after").ok());
  CHECK(ReadAll(dir).records == std::vector<std::string>{"after"});
  CHECK(registry.Expose().find("prometheus_tsdb_wal_truncations_total 2") != std::string::npos);
}

TEST_CASE("WAL rejects empty records and bad segment sizes", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  CHECK(Writer::Open(dir, SmallSegments(0)).error().code() == base::StatusCode::kInvalidArgument);
  WriterOptions odd;
  odd.segment_size = kPageSize + 1;
  CHECK(Writer::Open(dir, odd).error().code() == base::StatusCode::kInvalidArgument);
  auto w = Writer::Open(dir, {});
  REQUIRE(w.ok());
  std::vector<std::string_view> batch = {"a", "", "b"};
  CHECK((*w)->Log(batch).code() == base::StatusCode::kInvalidArgument);
  REQUIRE((*w)->Log("c").ok());
  REQUIRE((*w)->Close().ok());
  CHECK((*w)->Close().ok());
  CHECK((*w)->Log("d").code() == base::StatusCode::kUnavailable);
  CHECK(ReadAll(dir).records == std::vector<std::string>{"c"});
}

TEST_CASE("WAL snappy compression round-trips and mixes with plain records", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  std::vector<std::string> recs;
  for (size_t i = 0; i < 50; ++i) {
    recs.push_back(std::string(100 + i * 1000, static_cast<char>('a' + i % 26)));  // compressible
    recs.push_back(MakeRecord(i, 1 + i * 37));  // random: stored plain
  }
  {
    WriterOptions o;
    o.compress = true;
    auto w = Writer::Open(dir, o);
    REQUIRE(w.ok());
    for (size_t i = 0; i < recs.size() / 2; ++i) REQUIRE((*w)->Log(recs[i]).ok());
  }
  {
    auto w = Writer::Open(dir, {});
    REQUIRE(w.ok());
    for (size_t i = recs.size() / 2; i < recs.size(); ++i) REQUIRE((*w)->Log(recs[i]).ok());
  }
  // The first segment is much smaller than the data written to it.
  auto refs = ListSegments(dir);
  REQUIRE(refs.ok());
  CHECK((*refs)[0].size_bytes < 200 * 1024);
  auto got = ReadAll(dir);
  REQUIRE(got.status.ok());
  CHECK(got.records == recs);
}

TEST_CASE("WAL reader reports zstd records as unsupported, not as corruption", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  fs::create_directories(dir);
  std::string page(kPageSize, '\0');
  const std::string data = "zstd frame would be here";
  page[0] = static_cast<char>(static_cast<uint8_t>(FragmentType::kFull) | kZstdFlag);
  base::EncodeBE16(page.data() + 1, static_cast<uint16_t>(data.size()));
  base::EncodeBE32(page.data() + 3, base::Crc32c(data));
  std::memcpy(page.data() + kRecordHeaderSize, data.data(), data.size());
  WriteFile(SegmentName(dir, 0), page);

  auto got = ReadAll(dir);
  CHECK(got.status.code() == base::StatusCode::kInvalidArgument);
  CHECK_FALSE(got.corruption.has_value());
  // Opening must not "repair" (delete) the data.
  auto w = Writer::Open(dir, {});
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().code() == base::StatusCode::kInvalidArgument);
  CHECK(ReadFile(SegmentName(dir, 0)) == page);
}

// Opens a fresh copy of `segment0` as the WAL's only segment, lets Writer::Open repair it, and
// checks that exactly `want` is read back, that the repaired segment ends on a page boundary
// and that the WAL accepts and returns new records.
void CheckRepairKeeps(const std::string& dir, const std::string& segment0,
                      const std::vector<std::string>& want) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  WriteFile(SegmentName(dir, 0), segment0);
  {
    auto w = Writer::Open(dir, {});
    REQUIRE(w.ok());
    CHECK((*w)->Segments() == std::pair(0, 1));
    // Untouched when intact, else cut and padded to a page boundary.
    const auto size = fs::file_size(SegmentName(dir, 0));
    CHECK((size == segment0.size() || size % kPageSize == 0));
    auto got = ReadAll(dir);
    REQUIRE(got.status.ok());
    REQUIRE(got.records.size() == want.size());
    CHECK(got.records == want);
    REQUIRE((*w)->Log("new-1").ok());
    REQUIRE((*w)->Log(MakeRecord(99, 50000)).ok());
  }
  auto got = ReadAll(dir);
  REQUIRE(got.status.ok());
  std::vector<std::string> all = want;
  all.push_back("new-1");
  all.push_back(MakeRecord(99, 50000));
  CHECK(got.records == all);
}

// Damages a segment in many ways (sections) and checks that Writer::Open keeps exactly the
// intact prefix. Cut points are every fragment boundary and its neighbours, plus a sweep across
// the file every `sweep_step` bytes.
void CheckTornTails(uint64_t sweep_step) {
  testutil::TempDir tmp;
  const std::string src = tmp.Sub("src");
  const size_t page_data = kPageSize - kRecordHeaderSize;
  const std::vector<size_t> sizes = {100, 5000, 40000, 200, 100000,    33, page_data - 20,
                                     13,  7000, 1,     2,   page_data, 300};
  std::vector<std::string> recs;
  for (size_t i = 0; i < sizes.size(); ++i) recs.push_back(MakeRecord(i, sizes[i]));
  {
    auto w = Writer::Open(src, {});
    REQUIRE(w.ok());
    REQUIRE((*w)->Log(Views(recs, 0, 3)).ok());
    REQUIRE((*w)->Log(Views(recs, 3, 9)).ok());
    REQUIRE((*w)->Log(Views(recs, 9, recs.size())).ok());
  }
  const std::string original = ReadFile(SegmentName(src, 0));
  const auto layout = ModelLayout(sizes);
  REQUIRE(original.size() >= layout.back().end);

  auto prefix_ending_by = [&](uint64_t cut) {
    std::vector<std::string> want;
    for (size_t i = 0; i < recs.size() && layout[i].end <= cut; ++i) want.push_back(recs[i]);
    return want;
  };
  // Cut points: around every fragment boundary, plus a sweep across the file.
  std::vector<uint64_t> cuts;
  for (const auto& l : layout) {
    for (const auto& f : l.fragments) {
      for (uint64_t d : {0, 1, 2, 3, 6, 7, 8}) cuts.push_back(f.offset + d);
      const uint64_t end = f.offset + kRecordHeaderSize + f.len;
      cuts.push_back(end - 1);
      cuts.push_back(end);
      cuts.push_back(end + 1);
    }
  }
  for (uint64_t c = 0; c < original.size(); c += sweep_step) cuts.push_back(c);
  cuts.push_back(original.size());
  std::erase_if(cuts, [&](uint64_t c) { return c > original.size(); });

  const std::string dir = tmp.Sub("wal");
  SECTION("file truncated") {
    for (uint64_t cut : cuts) {
      INFO("cut at " << cut);
      CheckRepairKeeps(dir, original.substr(0, cut), prefix_ending_by(cut));
    }
  }
  SECTION("tail overwritten with zeros") {
    for (uint64_t cut : cuts) {
      INFO("zeros from " << cut);
      std::string damaged = original;
      std::fill(damaged.begin() + static_cast<ptrdiff_t>(cut), damaged.end(), '\0');
      CheckRepairKeeps(dir, damaged, prefix_ending_by(cut));
    }
  }
  SECTION("bit flipped in the middle of a record") {
    for (size_t k = 0; k < recs.size(); ++k) {
      INFO("record " << k);
      // The file offset of the record's middle data byte.
      size_t skip = sizes[k] / 2;
      uint64_t at = 0;
      for (const auto& f : layout[k].fragments) {
        if (skip < f.len) {
          at = f.offset + kRecordHeaderSize + skip;
          break;
        }
        skip -= f.len;
      }
      std::string damaged = original;
      damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
      CheckRepairKeeps(
          dir, damaged,
          std::vector<std::string>(recs.begin(), recs.begin() + static_cast<ptrdiff_t>(k)));
    }
  }
  SECTION("garbage appended after the last record") {
    std::string damaged = original.substr(0, layout.back().end);
    damaged += "\x01garbage that is not a fragment";
    CheckRepairKeeps(dir, damaged, recs);
    damaged = original.substr(0, layout.back().end) + std::string(10, '\0') + "x";
    CheckRepairKeeps(dir, damaged, recs);
  }
  SECTION("random garbage instead of a segment") {
    std::mt19937 rng(7);
    for (int round = 0; round < 20; ++round) {
      std::string garbage(1 + rng() % (3 * kPageSize), '\0');
      for (char& c : garbage) c = static_cast<char>(rng());
      // Whatever it decodes to, repair keeps what a reader accepts as the intact prefix.
      std::error_code ec;
      fs::remove_all(dir, ec);
      fs::create_directories(dir);
      WriteFile(SegmentName(dir, 0), garbage);
      auto before = ReadAll(dir);
      CHECK_FALSE(before.status.ok());
      CheckRepairKeeps(dir, garbage, before.records);
    }
  }
}

TEST_CASE("WAL Open repairs a torn tail to exactly the intact prefix", "[tsdb][wal]") {
  CheckTornTails(4099);
}

TEST_CASE("WAL Open repairs a torn tail cut at every 97th byte", "[tsdb][wal][.slow]") {
  CheckTornTails(97);
}

TEST_CASE("WAL Open repairs a torn segment followed by empty ones", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  const std::string a = MakeRecord(1, 1000);
  const std::string b = MakeRecord(2, 50000);
  {
    auto w = Writer::Open(dir, {});
    REQUIRE(w.ok());
    REQUIRE((*w)->Log(a).ok());
    REQUIRE((*w)->Log(b).ok());
  }
  // Crash between creating segments 1 and 2 and writing to them, with 0's tail torn.
  const std::string seg0 = ReadFile(SegmentName(dir, 0));
  WriteFile(SegmentName(dir, 0), seg0.substr(0, 20000));
  WriteFile(SegmentName(dir, 1), "");
  WriteFile(SegmentName(dir, 2), "");
  auto w = Writer::Open(dir, {});
  REQUIRE(w.ok());
  CHECK((*w)->Segments() == std::pair(0, 1));
  CHECK_FALSE(fs::exists(SegmentName(dir, 2)));
  REQUIRE((*w)->Log("c").ok());
  auto got = ReadAll(dir);
  REQUIRE(got.status.ok());
  CHECK(got.records == std::vector<std::string>{a, "c"});
}

TEST_CASE("WAL reader reports a corrupt record in an older segment", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  base::metrics::Registry registry;
  std::vector<std::string> recs;
  for (size_t i = 0; i < 40; ++i) recs.push_back(MakeRecord(i, 3000 + i * 100));
  {
    auto w = Writer::Open(dir, SmallSegments(1));
    REQUIRE(w.ok());
    for (const auto& r : recs) REQUIRE((*w)->Log(r).ok());
    REQUIRE((*w)->Segments().second >= 4);
  }
  // Flip a byte in the third record of segment 1.
  auto r = Reader::Open(dir);
  REQUIRE(r.ok());
  size_t victim = 0;
  int64_t victim_offset = 0;
  int in_seg1 = 0;
  for (size_t i = 0; (*r)->Next(); ++i) {
    if ((*r)->segment() == 1 && ++in_seg1 == 3) {
      victim = i;
      victim_offset = (*r)->offset();
      break;
    }
  }
  REQUIRE(victim > 0);
  std::string seg1 = ReadFile(SegmentName(dir, 1));
  seg1[static_cast<size_t>(victim_offset) + kRecordHeaderSize] ^= 0x01;  // first data byte
  WriteFile(SegmentName(dir, 1), seg1);

  // Open only checks the tail: it succeeds and starts a new segment.
  WriterOptions o;
  o.registry = &registry;
  auto w = Writer::Open(dir, o);
  REQUIRE(w.ok());

  CollectingReporter reporter;
  auto got = ReadAll(dir, -1, -1, &reporter);
  CHECK(got.status.code() == base::StatusCode::kCorruption);
  REQUIRE(got.corruption.has_value());
  CHECK(got.corruption->segment == 1);
  CHECK(got.corruption->offset == victim_offset);
  CHECK(got.corruption->reason.find("checksum mismatch") != std::string::npos);
  CHECK(got.status.message().find("00000001") != std::string::npos);
  REQUIRE(reporter.seen.size() == 1);
  CHECK(reporter.seen[0].offset == victim_offset);
  REQUIRE(got.records.size() == victim);
  for (size_t i = 0; i < victim; ++i) CHECK(got.records[i] == recs[i]);

  // Repair through the open writer: segments after 1 go, new records follow the prefix.
  REQUIRE((*w)->Repair(*got.corruption).ok());
  CHECK((*w)->Segments() == std::pair(0, 2));
  REQUIRE((*w)->Log("after repair").ok());
  auto again = ReadAll(dir);
  REQUIRE(again.status.ok());
  REQUIRE(again.records.size() == victim + 1);
  CHECK(again.records.back() == "after repair");
  CHECK(registry.Expose().find("prometheus_tsdb_wal_corruptions_total 1") != std::string::npos);
}

TEST_CASE("WAL Repair without a writer cuts at the reported record", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  {
    auto w = Writer::Open(dir, SmallSegments(1));
    REQUIRE(w.ok());
    for (int i = 0; i < 30; ++i) REQUIRE((*w)->Log(MakeRecord(static_cast<size_t>(i), 4000)).ok());
  }
  auto seg = Segments(dir);
  REQUIRE(seg.ok());
  REQUIRE(seg->second >= 3);
  // 8 records of 4007 bytes fit into a one-page segment; the second of segment 1 starts at 4007.
  CHECK(Repair(base::Logger::Quiet(), dir, 1, 4007).ok());
  auto after = Segments(dir);
  REQUIRE(after.ok());
  CHECK(*after == std::pair(0, 1));
  CHECK(fs::file_size(SegmentName(dir, 1)) == kPageSize);
  auto got = ReadAll(dir);
  REQUIRE(got.status.ok());
  CHECK(got.records.size() == 8 + 1);
  CHECK(Repair(base::Logger::Quiet(), dir, 9, 0).code() == base::StatusCode::kNotFound);
}

TEST_CASE("WAL reader rejects a record that spans two segments", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  {
    auto w = Writer::Open(dir, {});
    REQUIRE(w.ok());
    REQUIRE((*w)->Log(MakeRecord(1, 2 * kPageSize)).ok());  // first, middle, last fragments
  }
  // Move the record's last page into a segment of its own.
  const std::string seg0 = ReadFile(SegmentName(dir, 0));
  WriteFile(SegmentName(dir, 0), seg0.substr(0, 2 * kPageSize));
  WriteFile(SegmentName(dir, 1), seg0.substr(2 * kPageSize));
  auto got = ReadAll(dir);
  CHECK(got.records.empty());
  REQUIRE(got.corruption.has_value());
  CHECK(got.corruption->segment == 0);
  CHECK(got.corruption->offset == 0);
}

TEST_CASE("WAL write failure is rolled back and later records stay readable", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  base::metrics::Registry registry;
  WriterOptions o;
  o.registry = &registry;
  auto w = Writer::Open(dir, o);
  REQUIRE(w.ok());
  const std::string small = MakeRecord(1, 1000);
  const std::string big = MakeRecord(2, 3 * kPageSize);
  REQUIRE((*w)->Log(small).ok());
  const auto size_before = fs::file_size(SegmentName(dir, 0));

  // A file size limit makes write(2) fail with EFBIG part way through the big record.
  struct rlimit old_limit;
  REQUIRE(getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = 2 * kPageSize;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
  base::Status failed = (*w)->Log(big);
  REQUIRE(setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  std::signal(SIGXFSZ, old_handler);

  CHECK(failed.code() == base::StatusCode::kIOError);
  CHECK(fs::file_size(SegmentName(dir, 0)) == size_before);
  CHECK(registry.Expose().find("prometheus_tsdb_wal_writes_failed_total 1") != std::string::npos);
  REQUIRE((*w)->Log(small).ok());
  REQUIRE((*w)->Log(big).ok());
  REQUIRE((*w)->Close().ok());
  auto got = ReadAll(dir);
  REQUIRE(got.status.ok());
  CHECK(got.records == std::vector<std::string>{small, small, big});
}

TEST_CASE("WAL Sync may run on another thread while records are logged", "[tsdb][wal]") {
  testutil::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  base::metrics::Registry registry;
  WriterOptions o;
  o.registry = &registry;
  o.segment_size = 4 * kPageSize;
  auto w = Writer::Open(dir, o);
  REQUIRE(w.ok());
  std::atomic<bool> stop{false};
  std::atomic<int> syncs{0};
  std::thread syncer([&] {
    while (!stop.load()) {
      if ((*w)->Sync().ok()) syncs.fetch_add(1);
    }
  });
  std::vector<std::string> recs;
  for (size_t i = 0; i < 300; ++i) recs.push_back(MakeRecord(i, 100 + (i * 977) % 9000));
  for (const auto& r : recs) REQUIRE((*w)->Log(r).ok());
  stop.store(true);
  syncer.join();
  REQUIRE((*w)->Sync().ok());
  REQUIRE((*w)->Close().ok());
  CHECK((*w)->Sync().ok());
  CHECK(syncs.load() > 0);
  auto got = ReadAll(dir);
  REQUIRE(got.status.ok());
  CHECK(got.records == recs);
  const std::string exposed = registry.Expose();
  CHECK(exposed.find("prometheus_tsdb_wal_fsync_duration_seconds_count") != std::string::npos);
  CHECK(exposed.find("hestia_tsdb_wal_write_duration_seconds_count 300") != std::string::npos);
  CHECK(exposed.find("prometheus_tsdb_wal_page_flushes_total") != std::string::npos);
  CHECK(exposed.find("prometheus_tsdb_wal_completed_pages_total") != std::string::npos);
}

TEST_CASE("WAL Sync fsyncs only when something was written since the last fsync", "[tsdb][wal]") {
  testutil::TempDir tmp;
  base::metrics::Registry registry;
  WriterOptions o;
  o.registry = &registry;
  auto w = Writer::Open(tmp.Sub("wal"), o);
  REQUIRE(w.ok());
  auto fsyncs = [&] {
    return registry.GetHistogram("prometheus_tsdb_wal_fsync_duration_seconds", "", {}).Read().count;
  };
  REQUIRE((*w)->Log("a").ok());
  REQUIRE((*w)->Sync().ok());
  const uint64_t after_first = fsyncs();
  CHECK(after_first >= 1);
  REQUIRE((*w)->Sync().ok());  // nothing new: shared with the previous fsync
  CHECK(fsyncs() == after_first);
  REQUIRE((*w)->Log("b").ok());
  REQUIRE((*w)->Sync().ok());
  CHECK(fsyncs() == after_first + 1);
  REQUIRE((*w)->Close().ok());  // writes the page padding, so it fsyncs once more
  CHECK(fsyncs() == after_first + 2);
}

}  // namespace
}  // namespace tsdb::wal

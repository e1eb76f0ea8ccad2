#include "tsdb/head_chunks.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/testutil/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using tsdb::HeadChunkStore;

constexpr size_t kSegment = 64 << 10;  // the smallest segment: many segments from little data

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::vector<std::string> SegmentFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadBack(const HeadChunkStore& store, uint64_t ref) {
  std::shared_ptr<const void> owner;
  std::string_view v = store.Read(ref, &owner);
  REQUIRE(owner != nullptr);
  return std::string(v);
}

}  // namespace

TEST_CASE("head chunk store: chunks written to segment files read back byte for byte",
          "[head_chunks]") {
  testutil::TempDir dir;
  const std::string chunks_dir = dir.Sub("chunks_head");
  auto store = HeadChunkStore::Open(chunks_dir, &base::Logger::Quiet(), kSegment);
  REQUIRE(store.ok());
  std::mt19937_64 rng(7);
  std::map<uint64_t, std::string> written;
  for (int i = 0; i < 1000; ++i) {
    std::string b = RandomBytes(rng, 1 + rng() % 700);
    uint64_t ref = (*store)->Write(b, /*maxt=*/i);
    REQUIRE(written.emplace(ref, b).second);
  }
  for (const auto& [ref, b] : written) CHECK(ReadBack(**store, ref) == b);
  // ~360 KB in 64 KiB segments: several files, each starting with the header.
  auto files = SegmentFiles(chunks_dir);
  CHECK(files.size() == (*store)->NumSegments());
  REQUIRE(files.size() >= 5);
  CHECK(files.front() == "000001");
  uint64_t on_disk = 0;
  for (const auto& f : files) {
    std::ifstream in(chunks_dir + "/" + f, std::ios::binary);
    char magic[5] = {};
    in.read(magic, 5);
    CHECK(std::string(magic, 4) == "HCHK");
    CHECK(magic[4] == 1);  // version
    on_disk += fs::file_size(chunks_dir + "/" + f);
    CHECK(fs::file_size(chunks_dir + "/" + f) <= kSegment);
  }
  CHECK(on_disk == (*store)->SizeBytes());
  (*store)->Close();
  CHECK(SegmentFiles(chunks_dir).empty());
}

TEST_CASE("head chunk store: DropBefore removes whole segments of older chunks only",
          "[head_chunks]") {
  testutil::TempDir dir;
  const std::string chunks_dir = dir.Sub("chunks_head");
  auto store = HeadChunkStore::Open(chunks_dir, &base::Logger::Quiet(), kSegment);
  REQUIRE(store.ok());
  std::mt19937_64 rng(11);
  std::vector<std::pair<uint64_t, std::string>> chunks;  // chunk i ends at time i
  for (int i = 0; i < 600; ++i) {
    std::string b = RandomBytes(rng, 400);
    chunks.emplace_back((*store)->Write(b, i), b);
  }
  const size_t before = (*store)->NumSegments();
  REQUIRE(before >= 3);
  // A reader holding a chunk of the first segment keeps its bytes through the drop.
  std::shared_ptr<const void> owner;
  std::string_view held = (*store)->Read(chunks[0].first, &owner);

  (*store)->DropBefore(300);
  const size_t after = (*store)->NumSegments();
  CHECK(after < before);
  CHECK(SegmentFiles(chunks_dir).size() == after);
  CHECK(held == chunks[0].second);
  owner.reset();
  // Every chunk ending at 300 or later is still there; a segment is dropped only when all of
  // its chunks end before 300.
  for (size_t i = 300; i < chunks.size(); ++i) CHECK(ReadBack(**store, chunks[i].first) == chunks[i].second);
  // Dropping everything keeps the segment being written.
  (*store)->DropBefore(1 << 30);
  CHECK((*store)->NumSegments() == 1);
  CHECK(ReadBack(**store, chunks.back().first) == chunks.back().second);
  uint64_t ref = (*store)->Write("after", 1000);
  CHECK(ReadBack(**store, ref) == "after");
}

TEST_CASE("head chunk store: files of an earlier run are deleted on opening", "[head_chunks]") {
  testutil::TempDir dir;
  const std::string chunks_dir = dir.Sub("chunks_head");
  fs::create_directories(chunks_dir);
  std::ofstream(chunks_dir + "/000001") << "left by a crashed run";
  std::ofstream(chunks_dir + "/000017") << "left by a crashed run";
  std::ofstream(chunks_dir + "/notes.txt") << "not ours";
  auto store = HeadChunkStore::Open(chunks_dir, &base::Logger::Quiet(), kSegment);
  REQUIRE(store.ok());
  CHECK(SegmentFiles(chunks_dir) == std::vector<std::string>{"notes.txt"});
  uint64_t ref = (*store)->Write("abc", 1);
  CHECK(ReadBack(**store, ref) == "abc");
  CHECK(SegmentFiles(chunks_dir) == std::vector<std::string>{"000001", "notes.txt"});
}

TEST_CASE("head chunk store: anonymous memory without a directory, and when files fail",
          "[head_chunks]") {
  std::mt19937_64 rng(3);
  SECTION("no directory") {
    auto store = HeadChunkStore::Open("", &base::Logger::Quiet(), kSegment);
    REQUIRE(store.ok());
    std::vector<std::pair<uint64_t, std::string>> chunks;
    for (int i = 0; i < 400; ++i) {
      std::string b = RandomBytes(rng, 300);
      chunks.emplace_back((*store)->Write(b, i), b);
    }
    for (const auto& [ref, b] : chunks) CHECK(ReadBack(**store, ref) == b);
    CHECK((*store)->NumSegments() >= 2);
    (*store)->DropBefore(200);
    for (size_t i = 200; i < chunks.size(); ++i) CHECK(ReadBack(**store, chunks[i].first) == chunks[i].second);
  }
  SECTION("the directory disappears: the store goes on in memory, nothing is lost") {
    testutil::TempDir dir;
    const std::string chunks_dir = dir.Sub("chunks_head");
    std::FILE* log = std::tmpfile();
    REQUIRE(log != nullptr);
    base::Logger logger(base::Logger::Level::kInfo, log);
    auto store = HeadChunkStore::Open(chunks_dir, &logger, kSegment);
    REQUIRE(store.ok());
    std::vector<std::pair<uint64_t, std::string>> chunks;
    for (int i = 0; i < 100; ++i) {
      std::string b = RandomBytes(rng, 300);
      chunks.emplace_back((*store)->Write(b, i), b);
    }
    fs::remove_all(chunks_dir);  // the next segment file cannot be created
    for (int i = 100; i < 600; ++i) {
      std::string b = RandomBytes(rng, 300);
      chunks.emplace_back((*store)->Write(b, i), b);
    }
    for (const auto& [ref, b] : chunks) CHECK(ReadBack(**store, ref) == b);
    std::rewind(log);
    std::vector<std::string> lines;
    char buf[4096];
    while (std::fgets(buf, sizeof(buf), log) != nullptr) lines.emplace_back(buf);
    std::fclose(log);
    REQUIRE(lines.size() == 1);  // logged once, not per chunk
    CHECK(lines[0].find("level=error") != std::string::npos);
    CHECK(lines[0].find("keeping head chunks in memory") != std::string::npos);
    CHECK(lines[0].find(chunks_dir) != std::string::npos);
  }
}

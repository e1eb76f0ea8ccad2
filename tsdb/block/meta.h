// BlockMeta: the meta.json of a persistent block (as Prometheus tsdb/block.go BlockMeta), and
// ULIDs, the block identifiers. Format: docs/format/block.md.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "model/sample.h"

namespace tsdb::block {

// The meta.json version this code writes and the only one it reads.
inline constexpr int kMetaVersion = 1;

struct BlockDesc {
  std::string ulid;
  model::Timestamp min_time = 0;
  model::Timestamp max_time = 0;
  friend bool operator==(const BlockDesc&, const BlockDesc&) = default;
};

struct BlockStats {
  uint64_t num_samples = 0;
  uint64_t num_series = 0;
  uint64_t num_chunks = 0;
  uint64_t num_tombstones = 0;
  friend bool operator==(const BlockStats&, const BlockStats&) = default;
};

struct BlockMeta {
  std::string ulid;
  // The block holds samples with min_time <= t < max_time (max_time exclusive, as Prometheus).
  model::Timestamp min_time = 0;
  model::Timestamp max_time = 0;
  BlockStats stats;
  struct Compaction {
    // 1 for a block cut from the head; a compaction's output is one more than its inputs' max.
    int level = 1;
    // ULIDs of the level-1 blocks whose data this block holds, sorted.
    std::vector<std::string> sources;
    // The blocks this one was compacted from (empty for level 1).
    std::vector<BlockDesc> parents;
    // The block holds no series (kept only while its deletions matter).
    bool deletable = false;
    friend bool operator==(const Compaction&, const Compaction&) = default;
  } compaction;
  int version = kMetaVersion;
  friend bool operator==(const BlockMeta&, const BlockMeta&) = default;
};

// The meta.json text of `meta` (indented, one key a line, as Prometheus writes it).
std::string EncodeMeta(const BlockMeta& meta);
// Parses meta.json text; kCorruption for malformed JSON, a missing or invalid field (ulid,
// minTime < maxTime, version), or an unknown version.
base::Result<BlockMeta> DecodeMeta(std::string_view json);
// Reads and writes <dir>/meta.json. WriteMeta writes meta.json.tmp, fsyncs and renames it.
base::Result<BlockMeta> ReadMeta(const std::string& dir);
base::Status WriteMeta(const std::string& dir, const BlockMeta& meta);

// ULIDs (github.com/oklog/ulid): 48 bits of Unix milliseconds then 80 random bits, written as
// 26 Crockford base32 characters, so that string order is time order.
using UlidBytes = std::array<uint8_t, 16>;
std::string EncodeUlid(const UlidBytes& b);
// kInvalidArgument unless `s` is 26 Crockford base32 characters whose value fits 128 bits.
base::Result<UlidBytes> ParseUlid(std::string_view s);
// The milliseconds timestamp a ULID carries.
int64_t UlidTime(const UlidBytes& b);

// Generates strictly increasing ULIDs: the time comes from the clock, and within the same
// millisecond (or when the clock goes back) the previous ULID's random part is incremented, as
// oklog/ulid's monotonic entropy. Thread-safe.
class UlidGenerator {
 public:
  explicit UlidGenerator(const base::Clock& clock, uint64_t seed = std::random_device{}());
  std::string Next();

 private:
  const base::Clock& clock_;
  std::mutex mu_;
  std::mt19937_64 rng_;    // GUARDED_BY(mu_)
  UlidBytes last_{};       // GUARDED_BY(mu_)
  bool has_last_ = false;  // GUARDED_BY(mu_)
};

}  // namespace tsdb::block

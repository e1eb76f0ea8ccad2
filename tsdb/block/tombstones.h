// Tombstones: the deleted time ranges of a block's series, kept in the file <block>/tombstones
// until the block is rewritten without them (Prometheus tsdb/tombstones). Format:
// docs/format/block.md ("tombstones").
//
//   tombstones := magic:u32be(0x48535442) version:u8(1) count:uvarint entry* crc32c:u32be
//   entry      := ref_delta:uvarint nintervals:uvarint (mint:varint maxt-mint:uvarint)*
//
// The CRC covers everything after the version byte. Entries are in ascending ref order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/sample.h"

namespace tsdb::block {

inline constexpr uint32_t kTombstonesMagic = 0x48535442;  // "HSTB"
inline constexpr uint8_t kTombstonesVersion = 1;
inline constexpr char kTombstonesFileName[] = "tombstones";

// A deleted time range, both ends inclusive.
struct Interval {
  model::Timestamp min_time = 0;
  model::Timestamp max_time = 0;
  bool Contains(model::Timestamp t) const { return min_time <= t && t <= max_time; }
  friend bool operator==(const Interval&, const Interval&) = default;
};

// Invariants: sorted by min_time; no two intervals overlap or touch (they are merged).
using Intervals = std::vector<Interval>;

// Adds `iv` to `ivs`, merging it with the intervals it overlaps or touches (as Prometheus
// tombstones.Intervals.Add).
void AddInterval(Intervals* ivs, Interval iv);
// Whether any interval of `ivs` contains t.
bool IsDeleted(const Intervals& ivs, model::Timestamp t);
// Whether [mint, maxt] lies within a single interval of `ivs`.
bool CoversRange(const Intervals& ivs, model::Timestamp mint, model::Timestamp maxt);

// Deleted intervals by series ref. A value type; thread-compatible.
class Tombstones {
 public:
  void Add(uint64_t ref, Interval iv) { AddInterval(&by_ref_[ref], iv); }
  // The intervals of `ref`, or nullptr when it has none.
  const Intervals* Get(uint64_t ref) const {
    auto it = by_ref_.find(ref);
    return it == by_ref_.end() ? nullptr : &it->second;
  }
  bool empty() const { return by_ref_.empty(); }
  // The number of intervals over all series (meta.json's numTombstones).
  uint64_t NumIntervals() const;
  const std::map<uint64_t, Intervals>& by_ref() const { return by_ref_; }
  friend bool operator==(const Tombstones&, const Tombstones&) = default;

 private:
  std::map<uint64_t, Intervals> by_ref_;
};

std::string EncodeTombstones(const Tombstones& t);
// kCorruption naming `path` for a bad magic, version, checksum or entry.
base::Result<Tombstones> DecodeTombstones(std::string_view data, const std::string& path);
// Reads <dir>/tombstones; a missing file is no tombstones (as Prometheus).
base::Result<Tombstones> ReadTombstones(const std::string& dir);
// Replaces <dir>/tombstones atomically: writes tombstones.tmp, fsyncs, renames, fsyncs dir.
base::Status WriteTombstones(const std::string& dir, const Tombstones& t);

}  // namespace tsdb::block

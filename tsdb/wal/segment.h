// Segment files of the write-ahead log: the page format's constants, segment naming and listing.
// The on-disk format is described in docs/format/wal.md; it is Prometheus's tsdb/wlog format.
//
//   wal/00000000 00000001 ...        segments, 8-digit decimal index, each a sequence of pages
//   page      := fragment* zero-padding          (kPageSize bytes; the last page may be short)
//   fragment  := type:u8 len:u16be crc32c:u32be data[len]      crc32c covers data only
//   type      := flags:5 bits (bit 3 snappy, bit 4 zstd, bits 5-7 zero) kind:3 bits
//   kind      := 0 page term (rest of page is zero) | 1 full | 2 first | 3 middle | 4 last
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace tsdb::wal {

inline constexpr size_t kPageSize = 32 * 1024;
inline constexpr size_t kRecordHeaderSize = 7;
inline constexpr size_t kDefaultSegmentSize = 128 * 1024 * 1024;

// The low three bits of a fragment header's first byte.
enum class FragmentType : uint8_t {
  kPageTerm = 0,  // this byte and the rest of the page are zero
  kFull = 1,      // a whole record
  kFirst = 2,     // first fragment of a record
  kMiddle = 3,    // middle fragment of a record
  kLast = 4,      // final fragment of a record
};
inline constexpr uint8_t kFragmentTypeMask = 0x07;
inline constexpr uint8_t kSnappyFlag = 0x08;  // the record's fragments hold snappy block data
inline constexpr uint8_t kZstdFlag = 0x10;    // zstd data (written by Prometheus; not supported)

// "dir/00000012".
std::string SegmentName(std::string_view dir, int index);

// Parses a segment file name ("00000012" -> 12); -1 when `name` is not all decimal digits.
int ParseSegmentName(std::string_view name);

struct SegmentRef {
  std::string name;  // file name within the directory, e.g. "00000012"
  int index = 0;
  int64_t size_bytes = 0;
};

// The segment files of `dir`, by ascending index. Other entries (checkpoint.N directories, temp
// files) are ignored. Errors: kIOError (unreadable directory; kNotFound when it does not exist),
// kCorruption when the indexes are not consecutive.
base::Result<std::vector<SegmentRef>> ListSegments(const std::string& dir);

// The first and last segment index in `dir`, or {-1, -1} when there is none. Errors as
// ListSegments.
base::Result<std::pair<int, int>> Segments(const std::string& dir);

// A run of segments of one directory for the Reader: segments first..last inclusive; -1 leaves
// that end open. A checkpoint directory and the WAL directory are two ranges.
struct SegmentRange {
  std::string dir;
  int first = -1;
  int last = -1;
};

namespace detail {
// fdatasyncs a file.
base::Status SyncFile(const std::string& path);
}  // namespace detail

}  // namespace tsdb::wal

// IndexWriter: writes the index file of a persistent block: symbols, series, postings, the
// label index and the TOC. Byte layout: docs/format/index.md.
//
//   index       := header symbols series* postings* label_index toc
//   header      := magic:u32be(0x48534958) version:u8(1)
//   symbols     := len:u32be  count:uvarint (len:uvarint bytes)*  crc32c:u32be
//   series      := len:uvarint nlabels:uvarint (name:uvarint value:uvarint)*
//                  nchunks:uvarint chunk*  crc32c:u32be
//   chunk       := mint:varint (first: absolute; then mint - previous maxt) maxt-mint:uvarint
//                  ref:varint (first: absolute; then delta from the previous ref)
//   postings    := len:uvarint count:uvarint (ref delta:uvarint)*  crc32c:u32be
//   label_index := len:u32be nnames:uvarint
//                  (name:uvarint nvalues:uvarint (value:uvarint postings offset delta:uvarint)*)*
//                  crc32c:u32be
//   toc         := symbols:u64be series:u64be postings:u64be label_index:u64be
//                  all_postings:u64be crc32c:u32be
//
// A series' reference is the offset of its entry in the file. len counts the payload between it
// and the CRC; every CRC covers that payload.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/sample.h"

namespace tsdb::block {

inline constexpr uint32_t kIndexMagic = 0x48534958;  // "HSIX"
inline constexpr uint8_t kIndexVersion = 1;
inline constexpr size_t kIndexHeaderSize = 5;
inline constexpr size_t kIndexTocSize = 5 * 8 + 4;

// Where a chunk lives and the time range of its samples (both ends inclusive).
struct ChunkMeta {
  model::Timestamp min_time = 0;
  model::Timestamp max_time = 0;
  uint64_t ref = 0;
  friend bool operator==(const ChunkMeta&, const ChunkMeta&) = default;
};

// Builds an index in memory and writes it at Finish (a block's index is a small fraction of its
// chunk bytes). Not thread-safe.
class IndexWriter {
 public:
  IndexWriter() = default;
  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;

  // Adds a series. REQUIRES (kInvalidArgument otherwise): labels non-empty and greater than
  // those of the previous series; chunks sorted by time and not overlapping.
  base::Status AddSeries(const model::Labels& labels, std::vector<ChunkMeta> chunks);
  // Writes the file to `path` and fsyncs it.
  base::Status Finish(const std::string& path);

 private:
  struct Entry {
    model::Labels labels;
    std::vector<ChunkMeta> chunks;
  };
  std::vector<Entry> series_;
};

}  // namespace tsdb::block

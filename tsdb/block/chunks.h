// Chunk segment files of a persistent block: <block>/chunks/000001, 000002, ... each a header
// and a sequence of chunks (Prometheus tsdb/chunks/chunks.go). Format: docs/format/block.md.
//
//   segment := magic:u32be(0x48534348) version:u8(1) padding:3 zero bytes  chunk*
//   chunk   := len:uvarint(len(data)) encoding:u8 data crc32c:u32be(encoding data)
//
// A chunk reference is segment_number << 32 | byte offset of the chunk's len in the segment.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/sample.h"
#include "tsdb/block/file_util.h"
#include "tsdb/chunkenc/chunk.h"

namespace tsdb::block {

inline constexpr uint32_t kChunksMagic = 0x48534348;  // "HSCH"
inline constexpr uint8_t kChunksVersion = 1;
inline constexpr size_t kChunksHeaderSize = 8;
// Segments are cut when the next chunk would take them past this size (offsets must fit 32 bits).
inline constexpr uint64_t kDefaultMaxSegmentBytes = uint64_t{512} << 20;

// The file name of segment `n` (1-based): "000001".
std::string SegmentFileName(uint32_t n);

// Encodes samples (sorted, strictly increasing timestamps, at most kMaxChunkSamples) into one
// chunk. The single place choosing the encoding of persisted chunks.
inline constexpr size_t kMaxChunkSamples = 0xffff;
base::Result<std::unique_ptr<chunkenc::Chunk>> EncodeChunk(std::span<const model::Sample> samples);

// Writes chunks into the segment files of one directory. Not thread-safe.
class ChunkWriter {
 public:
  // Creates `dir` (which must not exist). max_segment_bytes is capped at 4 GiB.
  static base::Result<std::unique_ptr<ChunkWriter>> Create(const std::string& dir,
                                                           uint64_t max_segment_bytes);
  ~ChunkWriter();
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  // Appends one chunk and returns its reference.
  base::Result<uint64_t> Write(chunkenc::Encoding encoding, std::string_view data);
  // Flushes and fsyncs every segment and the directory. No Write afterwards.
  base::Status Finish();

 private:
  ChunkWriter(std::string dir, uint64_t max_segment_bytes)
      : dir_(std::move(dir)), max_segment_bytes_(max_segment_bytes) {}
  base::Status Cut();
  base::Status Flush();
  base::Status CloseSegment();

  std::string dir_;
  uint64_t max_segment_bytes_;
  int fd_ = -1;
  uint32_t seq_ = 0;       // current segment number; 0 before the first
  uint64_t seg_size_ = 0;  // bytes of the current segment, buffered ones included
  std::string buf_;
};

// A chunk as stored: its encoding and bytes (a view into a memory map).
struct ChunkData {
  chunkenc::Encoding encoding = chunkenc::Encoding::kNone;
  std::string_view data;
};

// Reads the segments of a directory through memory maps. Thread-safe (immutable after Open).
class ChunkReader {
 public:
  // Maps every segment 000001..N (numbers must be contiguous from 1) and checks their headers.
  // kCorruption naming the file for a bad header or a gap.
  static base::Result<std::unique_ptr<ChunkReader>> Open(const std::string& dir);
  // The chunk at `ref`, its CRC checked. kCorruption naming the segment for a bad reference,
  // a length past the end of the file, or a CRC mismatch. The view lives as long as the reader.
  base::Result<ChunkData> Chunk(uint64_t ref) const;
  size_t num_segments() const { return segments_.size(); }

 private:
  std::string dir_;
  std::vector<MmapFile> segments_;
};

}  // namespace tsdb::block

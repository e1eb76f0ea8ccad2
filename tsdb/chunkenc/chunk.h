// Compressed chunks of samples: the Chunk, Appender and Iterator interfaces shared by every
// encoding, and the factories that rebuild a chunk or an iterator from serialized bytes
// (Prometheus tsdb/chunkenc/chunk.go). Byte layouts: docs/format/chunks.md.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "model/sample.h"
#include "storage/series.h"

namespace tsdb::chunkenc {

using model::Timestamp;

// The encoding of a chunk; serialized as one byte beside the chunk's bytes (same numbering as
// Prometheus's chunkenc.Encoding, so chunk files stay compatible). Hestia's own encodings are
// numbered from 128, clear of Prometheus's (0 to 6 so far).
enum class Encoding : uint8_t {
  kNone = 0,
  kXor = 1,
  // Write-once columns of delta / decimal-scaled integers, bit-packed (packed_chunk.h), for
  // persistent blocks. NewAppender() on such a chunk returns kInvalidArgument.
  kPacked = 128,
};

// "none", "XOR", "packed" or "<unknown>" (Prometheus's Encoding.String).
std::string_view EncodingName(Encoding e);

// Appends samples to the end of one chunk. Not thread-safe; at most one Appender per chunk, and
// the chunk must outlive it and stay at the same address.
class Appender {
 public:
  virtual ~Appender() = default;
  // Appends one sample. Timestamps are expected to increase (the head checks that); the
  // encoding stores any int64 sequence, with wrap-around deltas, as Prometheus does.
  // REQUIRES: the chunk holds fewer than its maximum number of samples (kMaxSamples for XOR);
  // violating this aborts, since the sample count would wrap and corrupt the chunk.
  virtual void Append(Timestamp t, double v) = 0;
};

// Decodes the samples of one chunk lazily, one per Next(). Not thread-safe. Malformed bytes stop
// iteration with status() kCorruption; no read leaves the chunk's bytes.
class Iterator : public storage::SampleIterator {
 public:
  // The encoding decoded; lets NewIterator recycle a `reuse` iterator of the same kind.
  virtual Encoding encoding() const = 0;
};

// A chunk of samples in one encoding. Thread-compatible: concurrent const calls are safe, an
// Appender needs exclusive access to its chunk.
class Chunk {
 public:
  virtual ~Chunk() = default;
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;

  // The exact serialized bytes; valid until the next append or Compact().
  virtual std::string_view bytes() const = 0;
  virtual Encoding encoding() const = 0;
  virtual int NumSamples() const = 0;

  // An appender positioned after the last sample. On a chunk that already holds samples this
  // decodes the chunk once to restore the encoder state; kCorruption if the bytes do not decode.
  // Only XOR chunks take appends: write-once encodings (kPacked) return kInvalidArgument.
  virtual base::Result<std::unique_ptr<Appender>> NewAppender() = 0;

  // An iterator over the samples, recycling `reuse` when it is of this chunk's encoding. It reads
  // bytes() in place: the chunk must outlive it and not be appended to or compacted while it is
  // in use (copy bytes() and use the free NewIterator to read an open chunk without a lock).
  virtual std::unique_ptr<Iterator> NewIterator(
      std::unique_ptr<Iterator> reuse = nullptr) const = 0;

  // Releases spare buffer capacity; call when the chunk is closed. Appending afterwards still
  // works (the buffer grows again).
  virtual void Compact() = 0;

  // Heap bytes held by the chunk's buffer (its capacity), for memory accounting.
  virtual size_t buffer_capacity() const = 0;

 protected:
  Chunk() = default;
  Chunk(Chunk&&) = default;
  Chunk& operator=(Chunk&&) = default;
};

// Rebuilds a chunk from its encoding and bytes (as read from disk or the network).
// kCorruption for an unknown encoding (kNone included) or bytes too short for the chunk header.
// Further damage is found lazily: the chunk's iterator reports it through status().
base::Result<std::unique_ptr<Chunk>> FromData(Encoding encoding, std::string bytes);

// Encodes `samples` (in the order given; any int64 timestamps, any values) in whichever
// encoding takes the fewest bytes: XOR (up to XorChunk::kMaxSamples samples) or packed with the
// best value coding. Every value comes back bit for bit (NaN payloads, -0.0, the staleness
// marker). For immutable chunks of blocks: the result may not accept appends. kInvalidArgument
// above PackedChunk::kMaxSamples (2^20) samples.
base::Result<std::unique_ptr<Chunk>> EncodeBest(std::span<const model::Sample> samples);

// An iterator over serialized chunk bytes that it does not own (a memory-mapped file, a copy
// of an open chunk). `bytes` must outlive the iterator's use. An unknown encoding gives an
// iterator whose Next() is false and whose status() is kCorruption.
std::unique_ptr<Iterator> NewIterator(Encoding encoding, std::string_view bytes,
                                      std::unique_ptr<Iterator> reuse = nullptr);

}  // namespace tsdb::chunkenc

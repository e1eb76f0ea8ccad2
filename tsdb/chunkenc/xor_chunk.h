// XorChunk: Gorilla-style float chunks, bit for bit the layout of Prometheus
// tsdb/chunkenc/xor.go (docs/format/chunks.md has the grammar and a worked example):
//
//   chunk      := num_samples:u16be samples padding
//   samples    := first [second [rest*]]            (num_samples of them)
//   first      := t:varint(bytes) v:f64(64 bits)
//   second     := t_delta:uvarint(bytes) xor_value
//   rest       := dod xor_value
//   dod        := '0'                                   (delta of delta == 0)
//               | '10'   dod:14 | '110' dod:17 | '1110' dod:20    (two's complement)
//               | '1111' dod:64
//   xor_value  := '0'                                   (same bits as the previous value)
//               | '10' xor >> trailing : (64 - leading - trailing)    (previous window)
//               | '11' leading:5 sigbits:6 xor >> trailing : sigbits  (sigbits 64 written as 0)
//   padding    := '0'* up to the byte boundary
#pragma once

#include <bit>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "tsdb/chunkenc/bstream.h"
#include "tsdb/chunkenc/chunk.h"

namespace tsdb::chunkenc {

class XorChunk;

namespace detail {
// The `leading` of an XOR encoder or decoder that has not yet seen a '11' value header.
inline constexpr uint8_t kLeadingUnset = 0xff;
}  // namespace detail

// Appends to one XorChunk. Holds only the encoder state (48 bytes), so the head can keep one
// per series. Not thread-safe; at most one per chunk; the chunk must outlive it and not move.
class XorAppender final : public Appender {
 public:
  XorAppender(XorAppender&&) = default;
  XorAppender& operator=(XorAppender&&) = default;
  XorAppender(const XorAppender&) = delete;  // Two appenders on one chunk would corrupt it.
  XorAppender& operator=(const XorAppender&) = delete;

  // Appending costs no allocation except the chunk's geometric buffer growth.
  void Append(Timestamp t, double v) override;

 private:
  friend class XorChunk;

  explicit XorAppender(XorChunk* chunk) : chunk_(chunk) {}
  void WriteValue(uint64_t v_bits);

  XorChunk* chunk_;
  int64_t t_ = 0;
  uint64_t v_bits_ = 0;
  uint64_t t_delta_ = 0;
  uint8_t leading_ = detail::kLeadingUnset;
  uint8_t trailing_ = 0;
};

// Decodes an XOR chunk lazily. Reusable through Reset. Not thread-safe.
class XorIterator final : public Iterator {
 public:
  XorIterator() = default;
  // Restarts over the XOR chunk `bytes` (header included), which must outlive the iterator's
  // use. Bytes shorter than the header give status() kCorruption.
  void Reset(std::string_view bytes);

  bool Next() override;
  bool Seek(Timestamp t) override;
  std::pair<Timestamp, double> At() const override { return {t_, std::bit_cast<double>(v_bits_)}; }
  base::Status status() const override { return status_; }
  Encoding encoding() const override { return Encoding::kXor; }
  base::Status ReadAll(Timestamp mint, Timestamp maxt, std::vector<model::Sample>* out) override;

 private:
  friend class XorChunk;
  bool ReadValue();
  bool Fail(std::string_view what);

  BitReader br_;
  int64_t t_ = 0;
  uint64_t v_bits_ = 0;
  uint64_t t_delta_ = 0;
  uint16_t num_total_ = 0;
  uint16_t num_read_ = 0;
  uint8_t leading_ = detail::kLeadingUnset;
  uint8_t trailing_ = 0;
  bool done_ = false;  // Next() or Seek() has returned false.
  base::Status status_;
};

// An iterator over the XOR chunk `bytes` (header included), recycling `reuse` when it is an
// XorIterator. `bytes` must outlive the iterator's use.
std::unique_ptr<Iterator> NewXorIterator(std::string_view bytes,
                                         std::unique_ptr<Iterator> reuse = nullptr);

// A chunk of float samples in Prometheus's XOR encoding. 24 bytes plus its buffer, which starts
// at kInitialCapacity bytes, grows by half, and shrinks to size with Compact(). Moving a chunk
// leaves its appender dangling: take a new one after a move.
// Thread-compatible (see Chunk).
class XorChunk final : public Chunk {
 public:
  // The 2-byte big-endian sample count in front of the bit stream.
  static constexpr size_t kHeaderSize = 2;
  static constexpr size_t kInitialCapacity = 32;
  // The sample count is 16 bits wide.
  static constexpr int kMaxSamples = 0xffff;
  // The most bytes one appended sample can add when timestamps increase: 4 + 64 bits of delta
  // of delta and 2 + 5 + 6 + 64 bits of value, or a 9-byte uvarint delta and 77 bits of value
  // for the second sample (a decreasing second timestamp takes a 10-byte uvarint: 20).
  static constexpr size_t kMaxSampleBytes = 19;
  // The size past which Prometheus's head cuts a new XOR chunk (chunkenc.MaxBytesPerXORChunk):
  // it appends only while bytes().size() <= kTargetMaxBytes - kMaxSampleBytes.
  static constexpr size_t kTargetMaxBytes = 1024;

  // An empty chunk (just the header) with a kInitialCapacity-byte buffer.
  XorChunk() : XorChunk(kInitialCapacity) {}
  // An empty chunk whose buffer starts at `capacity` bytes (at least the header): a head that
  // cuts a series' next chunk can pass the size of the previous one and allocate once.
  explicit XorChunk(size_t capacity);
  // A chunk holding a copy of `bytes`. kCorruption when shorter than the header or larger than
  // a stream can be. The samples are not decoded here.
  static base::Result<XorChunk> FromBytes(std::string_view bytes);

  XorChunk(XorChunk&&) = default;
  XorChunk& operator=(XorChunk&&) = default;

  std::string_view bytes() const override { return stream_.bytes(); }
  Encoding encoding() const override { return Encoding::kXor; }
  int NumSamples() const override;
  base::Result<std::unique_ptr<Appender>> NewAppender() override;
  std::unique_ptr<Iterator> NewIterator(std::unique_ptr<Iterator> reuse = nullptr) const override;
  void Compact() override { stream_.Shrink(); }
  size_t buffer_capacity() const override { return stream_.capacity(); }

  // As NewAppender, by value, for callers that embed the appender (no allocation, no virtual
  // call). If the chunk has bytes after its last sample (not written by an encoder), they are
  // dropped so that appending continues right after that sample.
  base::Result<XorAppender> NewXorAppender();

 private:
  friend class XorAppender;
  explicit XorChunk(BitWriter stream) : stream_(std::move(stream)) {}

  BitWriter stream_;
};

}  // namespace tsdb::chunkenc

// Bit streams for the chunk encodings: BitWriter appends bits to an owned, growable buffer and
// BitReader reads them back 64 bits at a time (same bit order as Prometheus
// tsdb/chunkenc/bstream.go). Bits are stored most significant first: bit 0 of the stream is the
// top bit of byte 0, and the unused low bits of the last byte are zero.
// Format of the streams built on these: docs/format/chunks.md.
#pragma once

#include <bit>
#include <cassert>
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "base/check.h"

namespace tsdb::chunkenc {

// BitWriter owns a byte buffer and appends bits to it. 16 bytes, so that a chunk holding one
// stays small (the open chunk of every series lives in memory).
//
// Invariants:
//   - data_[0, size()) holds the stream; size() == ceil(bit_len_ / 8) <= cap_.
//   - The bits of the last byte past bit_len_ are zero, so bytes() is always a valid stream.
//   - data_ == nullptr only when cap_ == 0.
//
// Thread-compatible: const methods may run concurrently; anything else needs exclusive access.
class BitWriter {
 public:
  // The largest stream, in bytes: bit_len_ is 32 bits wide.
  static constexpr size_t kMaxBytes = size_t{1} << 29;

  BitWriter() = default;
  // An empty stream with room for at least `capacity` bytes.
  explicit BitWriter(size_t capacity) { Reallocate(AllocationSize(capacity)); }
  // A stream holding a copy of `bytes`, positioned after its last bit.
  // REQUIRES: bytes.size() < kMaxBytes.
  static BitWriter FromBytes(std::string_view bytes) {
    INVARIANT(bytes.size() < kMaxBytes);
    BitWriter w(bytes.size());
    if (!bytes.empty()) std::memcpy(w.data_.get(), bytes.data(), bytes.size());
    w.bit_len_ = static_cast<uint32_t>(bytes.size() * 8);
    return w;
  }

  BitWriter(BitWriter&& other) noexcept
      : data_(std::move(other.data_)), bit_len_(other.bit_len_), cap_(other.cap_) {
    other.bit_len_ = 0;
    other.cap_ = 0;
  }
  BitWriter& operator=(BitWriter&& other) noexcept {
    data_ = std::move(other.data_);
    bit_len_ = other.bit_len_;
    cap_ = other.cap_;
    other.bit_len_ = 0;
    other.cap_ = 0;
    return *this;
  }
  BitWriter(const BitWriter&) = delete;
  BitWriter& operator=(const BitWriter&) = delete;

  size_t bit_len() const { return bit_len_; }
  // Bytes in the stream, counting a partly written last byte.
  size_t size() const { return (size_t{bit_len_} + 7) / 8; }
  // Bytes allocated.
  size_t capacity() const { return cap_; }
  // The stream; valid until the next non-const call.
  std::string_view bytes() const { return {reinterpret_cast<const char*>(data_.get()), size()}; }
  // For patching bytes already written (a chunk's sample count). REQUIRES: index < size().
  uint8_t* mutable_data() { return data_.get(); }

  void WriteBit(bool bit) {
    const size_t i = bit_len_ >> 3;
    const unsigned used = bit_len_ & 7;
    if (used == 0) {
      if (i >= cap_) [[unlikely]]
        Grow(i + 1);
      data_[i] = 0;
    }
    if (bit) data_[i] |= static_cast<uint8_t>(0x80u >> used);
    ++bit_len_;
  }

  // Appends the `nbits` low bits of `u`, most significant first. REQUIRES: 0 <= nbits <= 64.
  void WriteBits(uint64_t u, int nbits) {
    assert(nbits >= 0 && nbits <= 64);
    if (nbits == 0) return;
    const size_t new_len = size_t{bit_len_} + static_cast<size_t>(nbits);
    const size_t new_size = (new_len + 7) / 8;
    if (new_size > cap_) [[unlikely]]
      Grow(new_size);
    u <<= 64 - nbits;  // Left-align; drops bits above nbits.
    uint8_t* p = data_.get() + (bit_len_ >> 3);
    const unsigned used = bit_len_ & 7;
    int left = nbits;
    if (used != 0) {
      *p++ |= static_cast<uint8_t>(u >> (56 + used));
      const int free = 8 - static_cast<int>(used);
      left -= free;
      u <<= free;
    }
    for (; left > 0; left -= 8) {
      *p++ = static_cast<uint8_t>(u >> 56);
      u <<= 8;
    }
    bit_len_ = static_cast<uint32_t>(new_len);
  }

  // Drops every bit from position `bit_len` on. REQUIRES: bit_len <= this->bit_len().
  void Truncate(size_t bit_len) {
    assert(bit_len <= bit_len_);
    bit_len_ = static_cast<uint32_t>(bit_len);
    if (const unsigned used = bit_len_ & 7; used != 0) {
      data_[bit_len_ >> 3] &= static_cast<uint8_t>(0xff00u >> used);
    }
  }

  // Releases unused capacity: afterwards capacity() is the allocation size for size().
  void Shrink() {
    const size_t want = AllocationSize(size());
    if (want < cap_) Reallocate(want);
  }

  // The capacity to allocate for `n` bytes: `n` rounded up to what glibc's malloc hands out
  // anyway (16-byte size classes minus the 8-byte header, at least 24), so no slack is wasted.
  static constexpr size_t AllocationSize(size_t n) {
    const size_t rounded = ((n + 8 + 15) & ~size_t{15}) - 8;
    return rounded < 24 ? 24 : rounded;
  }

 private:
  // Grows geometrically (x1.25, at least 16 bytes) so that appends cost amortised O(1) per byte
  // while the waste of an open chunk, held for every series, stays at most a fifth of its size.
  void Grow(size_t need) {
    INVARIANT(need < kMaxBytes);
    size_t want = cap_ + std::max<size_t>(cap_ / 4, 16);
    if (want < need) want = need;
    if (want > kMaxBytes) want = kMaxBytes;
    Reallocate(AllocationSize(want));
  }
  void Reallocate(size_t cap) {
    auto data = std::make_unique_for_overwrite<uint8_t[]>(cap);
    if (const size_t n = size(); n != 0) std::memcpy(data.get(), data_.get(), n);
    data_ = std::move(data);
    cap_ = static_cast<uint32_t>(cap);
  }

  std::unique_ptr<uint8_t[]> data_;
  uint32_t bit_len_ = 0;
  uint32_t cap_ = 0;
};

// BitReader reads bits from a byte range it does not own, refilling a 64-bit buffer with one
// unaligned big-endian load whenever at least 8 bytes remain. It never reads outside the range:
// a read past its end returns false and leaves the output unset.
//
// Invariants:
//   - buf_ holds the next stream bits left-aligned; its top valid_ bits are valid, and the bits
//     below them are zero or equal to the stream bits at those positions.
//   - p_ points at the byte whose first bit is stream position bits_read() + valid_.
//
// Thread-compatible; the bytes must outlive the reader and not change while it is used.
class BitReader {
 public:
  BitReader() = default;
  explicit BitReader(std::string_view b)
      : begin_(reinterpret_cast<const uint8_t*>(b.data())), p_(begin_), end_(begin_ + b.size()) {}

  // Bits consumed so far.
  size_t bits_read() const { return static_cast<size_t>(p_ - begin_) * 8 - valid_; }

  [[nodiscard]] bool ReadBit(bool* bit) {
    if (valid_ == 0) [[unlikely]] {
      Refill();
      if (valid_ == 0) return false;
    }
    *bit = (buf_ >> 63) != 0;
    buf_ <<= 1;
    --valid_;
    return true;
  }

  // Reads `nbits` bits into the low bits of *v. REQUIRES: 1 <= nbits <= 64.
  [[nodiscard]] bool ReadBits(unsigned nbits, uint64_t* v) {
    assert(nbits >= 1 && nbits <= 64);
    if (nbits > kMaxFastBits) [[unlikely]] {
      uint64_t hi = 0;
      uint64_t lo = 0;
      if (!ReadBits(nbits - 32, &hi) || !ReadBits(32, &lo)) return false;
      *v = (hi << 32) | lo;
      return true;
    }
    if (valid_ < nbits) [[unlikely]] {
      Refill();
      if (valid_ < nbits) return false;
    }
    *v = buf_ >> (64 - nbits);
    buf_ <<= nbits;
    valid_ -= nbits;
    return true;
  }

  // Reads an unsigned LEB128 varint from the bit stream, as Go's binary.ReadUvarint: at most
  // 10 bytes, the 10th at most 1. False when truncated or overlong.
  [[nodiscard]] bool ReadUvarint(uint64_t* v) {
    uint64_t x = 0;
    for (unsigned i = 0, shift = 0; i < 10; ++i, shift += 7) {
      uint64_t byte = 0;
      if (!ReadBits(8, &byte)) return false;
      if (byte < 0x80) {
        if (i == 9 && byte > 1) return false;
        *v = x | (byte << shift);
        return true;
      }
      x |= (byte & 0x7f) << shift;
    }
    return false;
  }

 private:
  // The widest read served from one refill: after Refill() at least 57 bits are valid unless
  // the stream ends first.
  static constexpr unsigned kMaxFastBits = 56;

  void Refill() {
    if (end_ - p_ >= 8) {
      uint64_t x;
      std::memcpy(&x, p_, 8);
      if constexpr (std::endian::native == std::endian::little) x = __builtin_bswap64(x);
      buf_ |= x >> valid_;  // valid_ < 64 here: Refill runs only when a read lacks bits.
      const unsigned n = (63 - valid_) >> 3;
      p_ += n;
      valid_ += 8 * n;
      return;
    }
    while (valid_ <= 56 && p_ < end_) {
      buf_ |= uint64_t{*p_++} << (56 - valid_);
      valid_ += 8;
    }
  }

  const uint8_t* begin_ = nullptr;
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t buf_ = 0;
  unsigned valid_ = 0;
};

}  // namespace tsdb::chunkenc

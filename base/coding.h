// Byte coding shared by every on-disk and wire format: big-endian integers, Go-compatible
// uvarint/varint (as encoding/binary), and a bounds-checked Decoder.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace base {

inline void PutBE16(std::string* dst, uint16_t v) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  dst->append(b, 2);
}
inline void PutBE32(std::string* dst, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (24 - 8 * i));
  dst->append(b, 4);
}
inline void PutBE64(std::string* dst, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  dst->append(b, 8);
}
inline void EncodeBE32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (24 - 8 * i));
}
inline void EncodeBE16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
}
inline uint16_t DecodeBE16(const char* p) {
  auto u = reinterpret_cast<const uint8_t*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}
inline uint32_t DecodeBE32(const char* p) {
  auto u = reinterpret_cast<const uint8_t*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}
inline uint64_t DecodeBE64(const char* p) {
  return (uint64_t{DecodeBE32(p)} << 32) | DecodeBE32(p + 4);
}

// Writes v as an unsigned LEB128 varint (Go's binary.PutUvarint) to buf; returns bytes written.
inline int EncodeUvarint(char* buf, uint64_t v) {
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  return n;
}
inline void PutUvarint(std::string* dst, uint64_t v) {
  char buf[10];
  dst->append(buf, EncodeUvarint(buf, v));
}
inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
inline void PutVarint(std::string* dst, int64_t v) { PutUvarint(dst, ZigZag(v)); }

// Reads a uvarint from [p, end); returns the byte after it, or nullptr when truncated or overlong.
inline const char* GetUvarint(const char* p, const char* end, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && p < end; shift += 7) {
    uint64_t byte = static_cast<uint8_t>(*p++);
    if (shift == 63 && byte > 1) return nullptr;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}

// Decoder reads fields from a byte range; after the first failure every read returns 0 and
// ok() is false, so a record can be decoded straight through and checked once at the end.
// The view it reads must outlive it.
class Decoder {
 public:
  explicit Decoder(std::string_view b) : p_(b.data()), end_(b.data() + b.size()) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool empty() const { return p_ == end_; }

  uint8_t Byte() {
    if (!Need(1)) return 0;
    return static_cast<uint8_t>(*p_++);
  }
  uint32_t BE32() {
    if (!Need(4)) return 0;
    uint32_t v = DecodeBE32(p_);
    p_ += 4;
    return v;
  }
  uint64_t BE64() {
    if (!Need(8)) return 0;
    uint64_t v = DecodeBE64(p_);
    p_ += 8;
    return v;
  }
  uint64_t Uvarint() {
    if (!ok_) return 0;
    uint64_t v = 0;
    const char* next = GetUvarint(p_, end_, &v);
    if (next == nullptr) return Fail();
    p_ = next;
    return v;
  }
  int64_t Varint() { return UnZigZag(Uvarint()); }
  // A uvarint length followed by that many bytes; the view points into the decoded buffer.
  std::string_view UvarintBytes() {
    uint64_t n = Uvarint();
    if (!Need(n)) return {};
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }

 private:
  bool Need(uint64_t n) {
    if (!ok_ || remaining() < n) {
      Fail();
      return false;
    }
    return true;
  }
  uint64_t Fail() {
    ok_ = false;
    p_ = end_;
    return 0;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace base

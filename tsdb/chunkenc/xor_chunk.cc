// XOR chunk encoder and decoder; every bit as Prometheus tsdb/chunkenc/xor.go
// (xorAppender.Append, xorWrite, xorIterator.Next, xorRead). Grammar in xor_chunk.h,
// documented in docs/format/chunks.md.
#include "tsdb/chunkenc/xor_chunk.h"

#include <algorithm>
#include <bit>
#include <string>

#include "base/check.h"
#include "base/coding.h"

namespace tsdb::chunkenc {
namespace {

// Whether x fits the nbits-wide delta-of-delta bucket. The range is Prometheus's bitRange:
// -(2^(n-1) - 1) ..= 2^(n-1), one more positive value than two's complement allows; the
// decoder maps 2^(n-1) back to positive, so both sides agree on it.
constexpr bool InBitRange(int64_t x, int nbits) {
  const int64_t half = int64_t{1} << (nbits - 1);
  return -(half - 1) <= x && x <= half;
}

constexpr uint64_t LowBits(uint64_t x, int nbits) { return x & ((uint64_t{1} << nbits) - 1); }

uint16_t SampleCount(const uint8_t* header) {
  return static_cast<uint16_t>((header[0] << 8) | header[1]);
}

void WriteVarintBytes(BitWriter& b, uint64_t u) {
  char buf[10];
  const int n = base::EncodeUvarint(buf, u);
  for (int i = 0; i < n; ++i) b.WriteBits(static_cast<uint8_t>(buf[i]), 8);
}

}  // namespace

// ---- XorAppender ----

void XorAppender::Append(Timestamp t, double v) {
  BitWriter& b = chunk_->stream_;
  const uint16_t num = SampleCount(b.mutable_data());
  INVARIANT(num < XorChunk::kMaxSamples);
  const uint64_t v_bits = std::bit_cast<uint64_t>(v);
  // Deltas use wrap-around (unsigned) arithmetic, as Go's int64 does in Prometheus.
  uint64_t t_delta = 0;
  if (num == 0) {
    WriteVarintBytes(b, base::ZigZag(t));
    b.WriteBits(v_bits, 64);
  } else if (num == 1) {
    t_delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    WriteVarintBytes(b, t_delta);
    WriteValue(v_bits);
  } else {
    t_delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    const int64_t dod = static_cast<int64_t>(t_delta - t_delta_);
    const uint64_t u = static_cast<uint64_t>(dod);
    if (dod == 0) {
      b.WriteBit(false);
    } else if (InBitRange(dod, 14)) {
      b.WriteBits((uint64_t{0b10} << 14) | LowBits(u, 14), 2 + 14);
    } else if (InBitRange(dod, 17)) {
      b.WriteBits((uint64_t{0b110} << 17) | LowBits(u, 17), 3 + 17);
    } else if (InBitRange(dod, 20)) {
      b.WriteBits((uint64_t{0b1110} << 20) | LowBits(u, 20), 4 + 20);
    } else {
      b.WriteBits(0b1111, 4);
      b.WriteBits(u, 64);
    }
    WriteValue(v_bits);
  }
  t_ = t;
  v_bits_ = v_bits;
  t_delta_ = t_delta;
  // Writing may have moved the buffer: fetch it again for the header.
  base::EncodeBE16(reinterpret_cast<char*>(b.mutable_data()), static_cast<uint16_t>(num + 1));
}

// Same choices as Prometheus's xorWrite: '0' for an unchanged value, '10' when the XOR fits the
// previous leading/trailing window, otherwise '11' with a new window. Leading zeros are clamped
// to 31 to fit 5 bits; 64 significant bits are written as 0 in the 6-bit field.
void XorAppender::WriteValue(uint64_t v_bits) {
  BitWriter& b = chunk_->stream_;
  const uint64_t delta = v_bits ^ v_bits_;
  if (delta == 0) {
    b.WriteBit(false);
    return;
  }
  int leading = std::countl_zero(delta);
  const int trailing = std::countr_zero(delta);
  if (leading >= 32) leading = 31;

  if (leading_ != detail::kLeadingUnset && leading >= leading_ && trailing >= trailing_) {
    const int n = 64 - leading_ - trailing_;
    const uint64_t sig = delta >> trailing_;
    if (n <= 62) {
      b.WriteBits((uint64_t{0b10} << n) | sig, 2 + n);
    } else {
      b.WriteBits(0b10, 2);
      b.WriteBits(sig, n);
    }
    return;
  }
  leading_ = static_cast<uint8_t>(leading);
  trailing_ = static_cast<uint8_t>(trailing);
  const int sigbits = 64 - leading - trailing;
  const uint64_t control = (uint64_t{0b11} << 11) | (static_cast<uint64_t>(leading) << 6) |
                           static_cast<uint64_t>(sigbits & 63);
  const uint64_t sig = delta >> trailing;
  if (sigbits <= 64 - 13) {
    b.WriteBits((control << sigbits) | sig, 13 + sigbits);
  } else {
    b.WriteBits(control, 13);
    b.WriteBits(sig, sigbits);
  }
}

// ---- XorIterator ----

void XorIterator::Reset(std::string_view bytes) {
  br_ = BitReader();
  t_ = 0;
  v_bits_ = 0;
  t_delta_ = 0;
  num_total_ = 0;
  num_read_ = 0;
  leading_ = detail::kLeadingUnset;
  trailing_ = 0;
  done_ = false;
  status_ = base::Status::Ok();
  if (bytes.size() < XorChunk::kHeaderSize) {
    done_ = true;
    status_ = base::Corruption("xor chunk of " + std::to_string(bytes.size()) +
                               " bytes is shorter than its header");
    return;
  }
  num_total_ = SampleCount(reinterpret_cast<const uint8_t*>(bytes.data()));
  br_ = BitReader(bytes.substr(XorChunk::kHeaderSize));
}

bool XorIterator::Fail(std::string_view what) {
  done_ = true;
  status_ = base::Corruption("xor chunk sample " + std::to_string(num_read_) + " of " +
                             std::to_string(num_total_) + ": " + std::string(what));
  return false;
}

base::Status XorIterator::ReadAll(Timestamp mint, Timestamp maxt, std::vector<model::Sample>* out) {
  out->reserve(out->size() + (num_total_ - num_read_));
  while (XorIterator::Next()) {  // qualified: no virtual call
    if (t_ > maxt) break;
    if (t_ >= mint) out->push_back({t_, std::bit_cast<double>(v_bits_)});
  }
  done_ = true;
  return status_;
}

bool XorIterator::Next() {
  if (done_) return false;
  if (num_read_ == num_total_) {
    done_ = true;
    return false;
  }
  if (num_read_ == 0) {
    uint64_t zigzag = 0;
    if (!br_.ReadUvarint(&zigzag)) return Fail("bad first timestamp");
    if (!br_.ReadBits(64, &v_bits_)) return Fail("truncated first value");
    t_ = base::UnZigZag(zigzag);
    ++num_read_;
    return true;
  }
  if (num_read_ == 1) {
    if (!br_.ReadUvarint(&t_delta_)) return Fail("bad timestamp delta");
    t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + t_delta_);
    return ReadValue();
  }

  bool bit = false;
  if (!br_.ReadBit(&bit)) return Fail("truncated timestamp");
  if (bit) {
    // '10' -> 14 bits, '110' -> 17, '1110' -> 20, '1111' -> 64.
    unsigned width = 64;
    for (const unsigned w : {14u, 17u, 20u}) {
      if (!br_.ReadBit(&bit)) return Fail("truncated timestamp");
      if (!bit) {
        width = w;
        break;
      }
    }
    uint64_t u = 0;
    if (!br_.ReadBits(width, &u)) return Fail("truncated timestamp");
    // Values above 2^(width-1) are negative (see InBitRange); 64 bits are already two's
    // complement.
    if (width < 64 && u > (uint64_t{1} << (width - 1))) u -= uint64_t{1} << width;
    t_delta_ += u;
  }
  t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + t_delta_);
  return ReadValue();
}

bool XorIterator::ReadValue() {
  bool bit = false;
  if (!br_.ReadBit(&bit)) return Fail("truncated value");
  if (bit) {
    if (!br_.ReadBit(&bit)) return Fail("truncated value");
    unsigned leading = 0;
    unsigned trailing = 0;
    if (!bit) {
      // The previous window; before any '11' header Prometheus's decoder starts from 0/0.
      if (leading_ != detail::kLeadingUnset) {
        leading = leading_;
        trailing = trailing_;
      }
    } else {
      uint64_t header = 0;
      if (!br_.ReadBits(11, &header)) return Fail("truncated value");
      leading = static_cast<unsigned>(header >> 6);
      unsigned sigbits = static_cast<unsigned>(header & 63);
      if (sigbits == 0) sigbits = 64;
      if (leading + sigbits > 64) return Fail("leading and significant bits exceed 64");
      trailing = 64 - leading - sigbits;
      leading_ = static_cast<uint8_t>(leading);
      trailing_ = static_cast<uint8_t>(trailing);
    }
    uint64_t sig = 0;
    if (!br_.ReadBits(64 - leading - trailing, &sig)) return Fail("truncated value");
    v_bits_ ^= sig << trailing;
  }
  ++num_read_;
  return true;
}

bool XorIterator::Seek(Timestamp t) {
  if (done_) return false;
  if (num_read_ > 0 && t_ >= t) return true;
  while (Next()) {
    if (t_ >= t) return true;
  }
  return false;
}

std::unique_ptr<Iterator> NewXorIterator(std::string_view bytes, std::unique_ptr<Iterator> reuse) {
  if (auto* it = dynamic_cast<XorIterator*>(reuse.get()); it != nullptr) {
    it->Reset(bytes);
    return reuse;
  }
  auto it = std::make_unique<XorIterator>();
  it->Reset(bytes);
  return it;
}

// ---- XorChunk ----

XorChunk::XorChunk(size_t capacity)
    : stream_(std::clamp(capacity, kHeaderSize, BitWriter::kMaxBytes - 1)) {
  stream_.WriteBits(0, 8 * kHeaderSize);
}

base::Result<XorChunk> XorChunk::FromBytes(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) {
    return base::Corruption("xor chunk of " + std::to_string(bytes.size()) +
                            " bytes is shorter than its header");
  }
  if (bytes.size() >= BitWriter::kMaxBytes) {
    return base::Corruption("xor chunk of " + std::to_string(bytes.size()) + " bytes is too large");
  }
  return XorChunk(BitWriter::FromBytes(bytes));
}

int XorChunk::NumSamples() const {
  return SampleCount(reinterpret_cast<const uint8_t*>(stream_.bytes().data()));
}

std::unique_ptr<Iterator> XorChunk::NewIterator(std::unique_ptr<Iterator> reuse) const {
  return NewXorIterator(bytes(), std::move(reuse));
}

base::Result<XorAppender> XorChunk::NewXorAppender() {
  XorAppender app(this);
  if (NumSamples() == 0) {
    stream_.Truncate(kHeaderSize * 8);
    return app;
  }
  // Restore the encoder state by decoding everything once, as Prometheus's XORChunk.Appender.
  XorIterator it;
  it.Reset(bytes());
  while (it.Next()) {
  }
  if (!it.status().ok()) return it.status();
  stream_.Truncate(kHeaderSize * 8 + it.br_.bits_read());
  app.t_ = it.t_;
  app.v_bits_ = it.v_bits_;
  app.t_delta_ = it.t_delta_;
  // Unlike Prometheus, which restores leading = 0 here when no '11' header was read, keep the
  // window unset: a restored appender then writes the same bits as one that never stopped.
  app.leading_ = it.leading_;
  app.trailing_ = it.trailing_;
  return app;
}

base::Result<std::unique_ptr<Appender>> XorChunk::NewAppender() {
  ASSIGN_OR_RETURN(XorAppender app, NewXorAppender());
  return std::unique_ptr<Appender>(std::make_unique<XorAppender>(std::move(app)));
}

}  // namespace tsdb::chunkenc

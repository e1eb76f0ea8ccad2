// PackedChunk: Hestia's write-once chunk encoding for persistent blocks, built for the smallest
// size rather than for appending. Timestamps and values are two columns of int64, each reduced
// by a predictor (none, delta, delta of delta, linear grid) and the residuals' common divisor,
// then stored in blocks of 512 in the cheapest of three bit codings (patched frame of
// reference, a three-range prefix code, or Rice-coded gaps between values that differ from the
// block's most common one). Values are integers after decimal scaling (v == m * 10^exp, one exp
// per chunk, checked bit for bit); values that do not scale are exceptions kept as raw
// IEEE-754 bits, and a chunk whose values do not scale keeps them as Gorilla XOR values.
// Values near decimals but not on them (float-sum noise: 12345.678000000001) take the
// decimal-ULP mode: m = llround(v / 10^exp) plus a column of signed ULP corrections
// r = bits(v) - bits(m * 10^exp), so that decoding stays bit exact.
// Full grammar, field notes and a worked example: docs/format/chunks.md section 8.
//
//   chunk       := num_samples:uvarint(bytes) [int_column(t) values] padding
//   values      := '0' exp:zz exc_count:vb (gap:vb bits:64){exc_count} int_column(m)
//                | '0' 23:zz exp:zz exc_count:vb (gap:vb bits:64){exc_count} int_column(m)
//                  int_column(r)                               (decimal-ULP; exp in -22..22)
//                | '1' v_0:64 xor_value{num_samples - 1}
//   int_column  := predictor:2 seed:zz{0, 1 or 2} gcd_minus_1:vb ('0' | '1' block+)
//   block       := '0' pfor | '10' bucket | '11' sparse      (packed_chunk.cc has their grammar)
//   vb          := '0' | '1' len_minus_1:6 (u without its top bit):len_minus_1
//   zz          := vb(zigzag(x))
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/sample.h"
#include "tsdb/chunkenc/chunk.h"

namespace tsdb::chunkenc {

// How EncodePacked stores the values column.
enum class PackedValues : uint8_t {
  kDecimal,  // m * 10^exp with exceptions; `decimal_exp` chooses exp.
  kXor,      // Gorilla XOR of the raw bits.
  // m = llround(v / 10^exp) and the ULP correction bits(v) - bits(m * 10^exp), both int
  // columns; non-finite values, values off the int64 range or far from m * 10^exp (a
  // correction of 2^40 ULPs or more, -0.0 included) are exceptions.
  kDecimalUlp,
};

struct PackedOptions {
  PackedValues values = PackedValues::kDecimal;
  // For kDecimal and kDecimalUlp: the chunk's exponent (clamped to -22..22). For kDecimal,
  // values that do not equal m * 10^exp with an int64 m (bit for bit) become exceptions;
  // DecimalExponents() lists the useful candidates (UlpExponents() for kDecimalUlp).
  int decimal_exp = 0;
};

// Decodes a packed chunk in one pass. Not thread-safe. The whole chunk is decoded on the first
// Next, Seek or ReadAll into a buffer the iterator owns (reused across Reset), so At() is a
// load; malformed bytes stop iteration with status() kCorruption, and no read leaves `bytes`.
class PackedIterator final : public Iterator {
 public:
  PackedIterator() = default;
  // Restarts over the packed chunk `bytes`, which must outlive the iterator's use.
  void Reset(std::string_view bytes);

  bool Next() override;
  // Linear from the current sample (timestamps in a chunk may be unordered); never moves back.
  bool Seek(Timestamp t) override;
  std::pair<Timestamp, double> At() const override { return {samples_[pos_].t, samples_[pos_].v}; }
  base::Status status() const override { return status_; }
  Encoding encoding() const override { return Encoding::kPacked; }
  // Decodes straight into *out with no per-sample virtual call.
  base::Status ReadAll(Timestamp mint, Timestamp maxt, std::vector<model::Sample>* out) override;

 private:
  bool EnsureDecoded();

  std::string_view bytes_;
  std::vector<model::Sample> samples_;
  std::vector<int64_t> column_;                          // decoding scratch
  std::vector<std::pair<size_t, uint64_t>> exceptions_;  // decoding scratch
  size_t pos_ = 0;
  bool decoded_ = false;
  bool started_ = false;  // Next or Seek has positioned on samples_[pos_].
  bool done_ = false;
  base::Status status_;
};

// A packed chunk: immutable bytes. Thread-safe for concurrent const use.
class PackedChunk final : public Chunk {
 public:
  // At most this many samples per chunk (a bound for decoders: a corrupt count must not make
  // them allocate without limit). 2^20 samples is 182 days at 15 s.
  static constexpr uint64_t kMaxSamples = uint64_t{1} << 20;

  // Wraps encoded bytes. kCorruption when the sample count does not decode or exceeds
  // kMaxSamples; the rest is checked lazily by the iterator.
  static base::Result<PackedChunk> FromBytes(std::string bytes);

  PackedChunk(PackedChunk&&) = default;
  PackedChunk& operator=(PackedChunk&&) = default;

  std::string_view bytes() const override { return bytes_; }
  Encoding encoding() const override { return Encoding::kPacked; }
  int NumSamples() const override { return num_samples_; }
  // Packed chunks are write-once: always kInvalidArgument.
  base::Result<std::unique_ptr<Appender>> NewAppender() override;
  std::unique_ptr<Iterator> NewIterator(std::unique_ptr<Iterator> reuse = nullptr) const override;
  void Compact() override { bytes_.shrink_to_fit(); }
  size_t buffer_capacity() const override { return bytes_.capacity(); }

 private:
  PackedChunk(std::string bytes, int num_samples)
      : bytes_(std::move(bytes)), num_samples_(num_samples) {}

  std::string bytes_;
  int num_samples_ = 0;
};

// Encodes `samples` (any int64 timestamps, any values) as a packed chunk with `options`.
// kInvalidArgument when there are more than PackedChunk::kMaxSamples samples.
base::Result<std::string> EncodePacked(std::span<const model::Sample> samples,
                                       const PackedOptions& options);

// The smallest packed chunk for `samples`: XOR values, decimal values at each exponent of
// DecimalExponents, or decimal-ULP values at each exponent of UlpExponents, whichever takes
// fewest bits. Errors as EncodePacked.
base::Result<std::string> EncodePackedBest(std::span<const model::Sample> samples);

// The decimal exponents worth trying for `samples`, at most three: the smallest exponent that
// represents every value, and the ones that leave at most 1% and 10% of the values as
// exceptions. Empty when no value has a decimal form (then only kXor makes sense).
std::vector<int> DecimalExponents(std::span<const model::Sample> samples);

// The exponents worth trying for kDecimalUlp: at most two among 0, -1, ..., -9 (0 to 9
// decimals), those with the fewest estimated bits (the mantissas' deltas over their common
// divisor and the corrections, as the int columns would code them, plus 72 bits per
// exception). Left out: exponents estimated above 48 bits per value (XOR does as well), and,
// from the first exponent at which every value is exactly m * 10^exp or an exception, that
// one, every finer one and every coarser one not estimated smaller than kDecimal there. Empty
// for values with no decimal form, or exact decimals.
std::vector<int> UlpExponents(std::span<const model::Sample> samples);

// An iterator over the packed chunk `bytes`, recycling `reuse` when it is a PackedIterator.
std::unique_ptr<Iterator> NewPackedIterator(std::string_view bytes,
                                            std::unique_ptr<Iterator> reuse = nullptr);

}  // namespace tsdb::chunkenc

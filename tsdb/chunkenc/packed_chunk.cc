// Packed chunk encoder and decoder (grammar in packed_chunk.h, docs/format/chunks.md section 8).
// One integer pipeline (predictor, common divisor, blocks of PFOR / bucket / sparse codes)
// serves both columns; the decimal scaling of values follows VictoriaMetrics' decimal encoding,
// made exact: a value is scaled only when decoding gives back the same 64 bits, or (the
// decimal-ULP mode) scaled with rounding and given back exactly by a column of ULP corrections.
#include "tsdb/chunkenc/packed_chunk.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <string>

#include "base/check.h"
#include "base/coding.h"
#include "tsdb/chunkenc/bstream.h"

namespace tsdb::chunkenc {
namespace {

constexpr size_t kBlockLen = 512;  // Residuals per block; an index takes 9 bits.
constexpr int kIndexBits = 9;
constexpr int kWidthBits = 7;  // 0..64
constexpr int kMaxExp = 22;    // 10^22 is the largest power of ten a double holds exactly.

constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// ---- variable-length integers in the bit stream ----

int BitLen(uint64_t u) { return 64 - std::countl_zero(u); }

// vb := '0' (u == 0) | '1' len_minus_1:6 (u without its top bit):len_minus_1
int VbBits(uint64_t u) { return u == 0 ? 1 : 6 + BitLen(u); }

void WriteVb(BitWriter& w, uint64_t u) {
  if (u == 0) {
    w.WriteBit(false);
    return;
  }
  const int len = BitLen(u);
  w.WriteBits(uint64_t{0b1000000} | static_cast<uint64_t>(len - 1), 7);
  if (len > 1) w.WriteBits(u, len - 1);  // WriteBits drops the top bit.
}

[[nodiscard]] bool ReadVb(BitReader& r, uint64_t* u) {
  bool bit = false;
  if (!r.ReadBit(&bit)) return false;
  if (!bit) {
    *u = 0;
    return true;
  }
  uint64_t l1 = 0;
  if (!r.ReadBits(6, &l1)) return false;
  uint64_t low = 0;
  if (l1 > 0 && !r.ReadBits(static_cast<unsigned>(l1), &low)) return false;
  *u = (uint64_t{1} << l1) | low;
  return true;
}

void WriteZz(BitWriter& w, int64_t x) { WriteVb(w, base::ZigZag(x)); }

[[nodiscard]] bool ReadZz(BitReader& r, int64_t* x) {
  uint64_t u = 0;
  if (!ReadVb(r, &u)) return false;
  *x = base::UnZigZag(u);
  return true;
}

int64_t Sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t Add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

// Copies the bits of `from` to the end of `to`.
void AppendStream(BitWriter& to, const BitWriter& from) {
  BitReader r(from.bytes());
  size_t left = from.bit_len();
  while (left > 0) {
    const unsigned n = static_cast<unsigned>(std::min<size_t>(left, 56));
    uint64_t v = 0;
    const bool ok = r.ReadBits(n, &v);
    INVARIANT(ok);
    to.WriteBits(v, static_cast<int>(n));
    left -= n;
  }
}

// ---- blocks ----

// The cheapest of three codings for one block of residuals, chosen per block:
//
//   block  := '0' pfor | '10' bucket | '11' sparse
//   pfor   := base:zz width:7 count:vb (index:9 offset:zz){count} low:width{len - count}
//             values in [base, base + 2^width) are stored as their offset in `width` bits, the
//             others (exceptions) as their index and whole offset
//   bucket := center:zz signed:1 w0:6 w1:6 w2:7 code(u){len}
//             u = zigzag(x - center) if signed, else x - center (every x >= center)
//   sparse := center:zz count:vb k:3 signed:1 w0:6 w1:6 w2:7 (gap:rice(k) code(u - 1)){count}
//             only the values x != center, each after the number of center values before it
//             (gap); u as for bucket (unsigned: every x > center)
//   code(u):= '0' u:w0 | '10' (u - 2^w0):w1 | '11' (u - 2^w0 - 2^w1):w2     (w0, w1 <= 62)
//   rice(k):= '1'{g >> k} '0' (g mod 2^k):k
//
// PFOR suits values spread evenly over a range; the bucket code values piled around one value
// with a tail (noisy increments); the sparse code mostly-equal values (scrape delays on an
// aligned grid, rarely incremented counters).

enum BlockMode { kPfor, kBucket, kSparse };

// Three ranges of a prefix code: [0, 2^w0), then 2^w1 values, then 2^w2 values.
struct Code {
  int w[3] = {0, 0, 0};
  uint64_t lo1() const { return uint64_t{1} << w[0]; }
  uint64_t lo2() const { return lo1() + (uint64_t{1} << w[1]); }
};

struct BlockPlan {
  size_t bits = SIZE_MAX;
  BlockMode mode = kPfor;
  int64_t base = 0;  // pfor base or bucket / sparse center
  int width = 0;     // pfor
  bool is_signed = true;
  Code code;  // bucket, sparse
  int k = 0;  // sparse: the Rice parameter of gaps
};

constexpr int kRiceBits = 3;
constexpr int kMaxLowWidth = 62;  // w0, w1: 2^w0 + 2^w1 must fit 64 bits

// The code with the fewest bits for the ascending values `u`; returns those bits.
size_t PlanCode(std::span<const uint64_t> u, Code* best_code) {
  const size_t len = u.size();
  // The largest code decides w2, so take it from the data: the counts below only steer the
  // choice, the widths must hold every code.
  const uint64_t umax = *std::max_element(u.begin(), u.end());
  size_t best = SIZE_MAX;
  auto below = [&](uint64_t bound) {
    return static_cast<size_t>(std::lower_bound(u.begin(), u.end(), bound) - u.begin());
  };
  // Widths beyond those that take in every value only cost more.
  const int max_w0 = std::min(kMaxLowWidth, BitLen(umax));
  for (int w0 = 0; w0 <= max_w0; ++w0) {
    const uint64_t lo1 = uint64_t{1} << w0;
    const size_t n0 = below(lo1);
    if (n0 == len) {
      const size_t bits = len * static_cast<size_t>(1 + w0);
      if (bits < best) {
        best = bits;
        *best_code = {{w0, 0, 0}};
      }
      break;
    }
    const int max_w1 = std::min(kMaxLowWidth, BitLen(umax - lo1));
    for (int w1 = 0; w1 <= max_w1; ++w1) {
      const uint64_t lo2 = lo1 + (uint64_t{1} << w1);
      const size_t n01 = below(lo2);
      const int w2 = n01 == len ? 0 : BitLen(umax - lo2);
      const size_t bits = n0 * static_cast<size_t>(1 + w0) +
                          (n01 - n0) * static_cast<size_t>(2 + w1) +
                          (len - n01) * static_cast<size_t>(2 + w2);
      if (bits < best) {
        best = bits;
        *best_code = {{w0, w1, w2}};
      }
      if (n01 == len) break;
    }
  }
  return best;
}

void WriteCode(BitWriter& w, uint64_t u, const Code& c) {
  if (u < c.lo1()) {
    w.WriteBit(false);
    w.WriteBits(u, c.w[0]);
  } else if (u < c.lo2()) {
    w.WriteBits(0b10, 2);
    w.WriteBits(u - c.lo1(), c.w[1]);
  } else {
    INVARIANT(c.w[2] == 64 || (u - c.lo2()) >> c.w[2] == 0);
    w.WriteBits(0b11, 2);
    w.WriteBits(u - c.lo2(), c.w[2]);
  }
}

[[nodiscard]] bool ReadCode(BitReader& r, const Code& c, uint64_t* u) {
  bool b1 = false;
  bool b2 = false;
  if (!r.ReadBit(&b1) || (b1 && !r.ReadBit(&b2))) return false;
  const int k = !b1 ? 0 : (!b2 ? 1 : 2);
  uint64_t z = 0;
  if (c.w[k] > 0 && !r.ReadBits(static_cast<unsigned>(c.w[k]), &z)) return false;
  *u = (k == 0 ? 0 : (k == 1 ? c.lo1() : c.lo2())) + z;  // wraps on corrupt widths, harmlessly
  return true;
}

void WriteCodeHeader(BitWriter& w, bool is_signed, const Code& c) {
  w.WriteBit(is_signed);
  w.WriteBits(static_cast<uint64_t>(c.w[0]), 6);
  w.WriteBits(static_cast<uint64_t>(c.w[1]), 6);
  w.WriteBits(static_cast<uint64_t>(c.w[2]), kWidthBits);
}
constexpr size_t kCodeHeaderBits = 1 + 6 + 6 + kWidthBits;

const char* ReadCodeHeader(BitReader& r, bool* is_signed, Code* c) {
  uint64_t w0 = 0;
  uint64_t w1 = 0;
  uint64_t w2 = 0;
  if (!r.ReadBit(is_signed) || !r.ReadBits(6, &w0) || !r.ReadBits(6, &w1) ||
      !r.ReadBits(kWidthBits, &w2)) {
    return "truncated block header";
  }
  if (w0 > kMaxLowWidth || w1 > kMaxLowWidth || w2 > 64) return "bad code widths";
  *c = {{static_cast<int>(w0), static_cast<int>(w1), static_cast<int>(w2)}};
  return nullptr;
}

uint64_t ToCode(int64_t x, int64_t center, bool is_signed) {
  const int64_t d = Sub(x, center);
  return is_signed ? base::ZigZag(d) : static_cast<uint64_t>(d);
}
int64_t FromCode(uint64_t u, int64_t center, bool is_signed) {
  return Add(center, is_signed ? base::UnZigZag(u) : static_cast<int64_t>(u));
}

// Writes to u, ascending, the codes ToCode(x, center, is_signed) of the ascending values
// `sorted` (minus 1 and skipping x == center when `sparse`) in linear time: unsigned codes keep
// the order; signed ones merge the values below center (walked down) with those above (walked
// up), unless a difference wraps around. Returns how many codes it wrote.
size_t SortedCodes(std::span<const int64_t> sorted, int64_t center, bool is_signed, bool sparse,
                   uint64_t* u) {
  size_t n = 0;
  const uint64_t minus = sparse ? 1 : 0;
  if (!is_signed) {
    for (const int64_t x : sorted) {
      if (!(sparse && x == center)) u[n++] = ToCode(x, center, false) - minus;
    }
    return n;
  }
  int64_t unused = 0;
  if (__builtin_sub_overflow(sorted.front(), center, &unused) ||
      __builtin_sub_overflow(sorted.back(), center, &unused)) {
    // Differences wrap around: the codes are not monotone on either side; sort them.
    for (const int64_t x : sorted) {
      if (!(sparse && x == center)) u[n++] = ToCode(x, center, true) - minus;
    }
    std::sort(u, u + n);
    return n;
  }
  const size_t mid =
      static_cast<size_t>(std::lower_bound(sorted.begin(), sorted.end(), center) - sorted.begin());
  size_t lo = mid;  // sorted[0, lo) are below center, walked down from lo - 1
  size_t hi = mid;  // sorted[hi, len) are at or above, walked up
  if (sparse) {
    while (hi < sorted.size() && sorted[hi] == center) ++hi;
  }
  while (lo > 0 || hi < sorted.size()) {
    const uint64_t below = lo > 0 ? ToCode(sorted[lo - 1], center, true) : UINT64_MAX;
    const uint64_t above = hi < sorted.size() ? ToCode(sorted[hi], center, true) : UINT64_MAX;
    if (lo > 0 && (hi == sorted.size() || below <= above)) {
      u[n++] = below - minus;
      --lo;
    } else {
      u[n++] = above - minus;
      ++hi;
    }
  }
  return n;
}

void PlanBucket(std::span<const int64_t> sorted, int64_t center, bool is_signed, BlockPlan& best) {
  uint64_t u[kBlockLen];
  const size_t n = SortedCodes(sorted, center, is_signed, /*sparse=*/false, u);
  BlockPlan plan{.mode = kBucket, .base = center, .is_signed = is_signed, .code = {}};
  plan.bits = 2 + static_cast<size_t>(VbBits(base::ZigZag(center))) + kCodeHeaderBits +
              PlanCode(std::span<const uint64_t>(u, n), &plan.code);
  if (plan.bits < best.bits) best = plan;
}

void PlanSparse(std::span<const int64_t> q, std::span<const int64_t> sorted, int64_t center,
                bool is_signed, BlockPlan& best) {
  size_t gap_bits[1 << kRiceBits] = {};
  size_t gap = 0;
  for (const int64_t x : q) {
    if (x == center) {
      ++gap;
      continue;
    }
    for (int k = 0; k < (1 << kRiceBits); ++k) {
      gap_bits[k] += (gap >> k) + 1 + static_cast<size_t>(k);
    }
    gap = 0;
  }
  uint64_t u[kBlockLen];
  const size_t count = SortedCodes(sorted, center, is_signed, /*sparse=*/true, u);
  const int k =
      static_cast<int>(std::min_element(gap_bits, gap_bits + (1 << kRiceBits)) - gap_bits);
  BlockPlan plan{.mode = kSparse, .base = center, .is_signed = is_signed, .code = {}, .k = k};
  const size_t code_bits =
      count == 0 ? 0 : PlanCode(std::span<const uint64_t>(u, count), &plan.code);
  plan.bits = 2 + static_cast<size_t>(VbBits(base::ZigZag(center))) +
              static_cast<size_t>(VbBits(count)) + kRiceBits + kCodeHeaderBits + gap_bits[k] +
              code_bits;
  if (plan.bits < best.bits) best = plan;
}

// At most this share of a PFOR block's values (1/8) become exceptions: beyond it the bucket
// and sparse codings do better, and the search stays linear.
constexpr size_t kMaxExceptionShift = 3;

void PlanPfor(std::span<const int64_t> q, const int64_t* sorted, BlockPlan& best) {
  const size_t len = q.size();
  const int full_width = BitLen(static_cast<uint64_t>(Sub(sorted[len - 1], sorted[0])));
  auto consider = [&](int64_t base, int width) {
    size_t count = 0;  // exceptions
    size_t exc_bits = 0;
    for (const int64_t x : q) {
      const uint64_t off = static_cast<uint64_t>(Sub(x, base));
      if (width < 64 && off >> width != 0) {
        exc_bits +=
            kIndexBits + static_cast<size_t>(VbBits(base::ZigZag(static_cast<int64_t>(off))));
        ++count;
      }
    }
    const size_t bits = 1 + static_cast<size_t>(VbBits(base::ZigZag(base))) + kWidthBits +
                        static_cast<size_t>(VbBits(count)) + exc_bits +
                        (len - count) * static_cast<size_t>(width);
    if (bits < best.bits) {
      best = {.bits = bits,
              .mode = kPfor,
              .base = base,
              .width = width,
              .is_signed = true,
              .code = {},
              .k = 0};
    }
  };
  consider(sorted[0], full_width);
  // A window [sorted[i], sorted[i] + 2^width) holding all but at most `max_exc` values starts at
  // i <= max_exc and covers sorted[i + len - 1 - max_exc]; the narrowest such window bounds the
  // widths worth trying.
  const size_t max_exc = len >> kMaxExceptionShift;
  int min_width = full_width;
  for (size_t i = 0; i <= max_exc; ++i) {
    min_width = std::min(
        min_width, BitLen(static_cast<uint64_t>(Sub(sorted[i + len - 1 - max_exc], sorted[i]))));
  }
  for (int width = min_width; width < full_width; ++width) {
    // The window [base, base + 2^width) holding the most values, base one of the first
    // max_exc + 1 values.
    size_t best_count = 0;
    size_t best_i = 0;
    for (size_t i = 0, j = 0; i <= max_exc; ++i) {
      if (j < i) j = i;
      while (j < len && static_cast<uint64_t>(Sub(sorted[j], sorted[i])) >> width == 0) ++j;
      if (j - i > best_count) {
        best_count = j - i;
        best_i = i;
      }
    }
    consider(sorted[best_i], width);
  }
}

void WriteBlock(BitWriter& w, std::span<const int64_t> q) {
  const size_t len = q.size();
  int64_t sorted[kBlockLen];
  std::copy(q.begin(), q.end(), sorted);
  std::sort(sorted, sorted + len);
  int64_t mode = sorted[0];
  for (size_t i = 0, run = 0, best_run = 0; i < len; ++i) {
    run = (i > 0 && sorted[i] == sorted[i - 1]) ? run + 1 : 1;
    if (run > best_run) {
      best_run = run;
      mode = sorted[i];
    }
  }
  const int64_t median = sorted[len / 2];
  BlockPlan plan;
  PlanPfor(q, sorted, plan);
  const std::span<const int64_t> sorted_span(sorted, len);
  PlanBucket(sorted_span, sorted[0], /*is_signed=*/false, plan);
  PlanBucket(sorted_span, median, /*is_signed=*/true, plan);
  if (mode != median) PlanBucket(sorted_span, mode, /*is_signed=*/true, plan);
  PlanSparse(q, sorted_span, mode, /*is_signed=*/mode != sorted[0], plan);

  if (plan.mode == kPfor) {
    w.WriteBit(false);
  } else {
    w.WriteBits(plan.mode == kBucket ? 0b10 : 0b11, 2);
  }
  WriteZz(w, plan.base);
  if (plan.mode == kBucket) {
    WriteCodeHeader(w, plan.is_signed, plan.code);
    for (const int64_t x : q) WriteCode(w, ToCode(x, plan.base, plan.is_signed), plan.code);
    return;
  }
  if (plan.mode == kSparse) {
    WriteVb(w, static_cast<uint64_t>(
                   std::count_if(q.begin(), q.end(), [&](int64_t x) { return x != plan.base; })));
    w.WriteBits(static_cast<uint64_t>(plan.k), kRiceBits);
    WriteCodeHeader(w, plan.is_signed, plan.code);
    size_t gap = 0;
    for (const int64_t x : q) {
      if (x == plan.base) {
        ++gap;
        continue;
      }
      for (size_t u = gap >> plan.k; u > 0; --u) w.WriteBit(true);
      w.WriteBit(false);
      w.WriteBits(gap, plan.k);
      WriteCode(w, ToCode(x, plan.base, plan.is_signed) - 1, plan.code);
      gap = 0;
    }
    return;
  }
  const int width = plan.width;
  auto is_exception = [&](int64_t x) {
    return width < 64 && static_cast<uint64_t>(Sub(x, plan.base)) >> width != 0;
  };
  w.WriteBits(static_cast<uint64_t>(width), kWidthBits);
  const size_t count = static_cast<size_t>(std::count_if(q.begin(), q.end(), is_exception));
  WriteVb(w, count);
  for (size_t i = 0; i < len && count > 0; ++i) {
    if (is_exception(q[i])) {
      w.WriteBits(i, kIndexBits);
      WriteZz(w, Sub(q[i], plan.base));
    }
  }
  if (width == 0) return;
  for (const int64_t x : q) {
    if (!is_exception(x)) w.WriteBits(static_cast<uint64_t>(Sub(x, plan.base)), width);
  }
}

// Reads one block of out.size() values; nullptr on success, else what is wrong.
const char* ReadBlock(BitReader& r, std::span<int64_t> out) {
  const size_t len = out.size();
  bool b1 = false;
  bool b2 = false;
  int64_t base = 0;
  if (!r.ReadBit(&b1) || (b1 && !r.ReadBit(&b2)) || !ReadZz(r, &base)) {
    return "truncated block header";
  }
  if (b1) {
    uint64_t count = len;
    uint64_t k = 0;
    if (b2 && (!ReadVb(r, &count) || !r.ReadBits(kRiceBits, &k))) return "truncated block header";
    if (count > len) return "more sparse values than values in a block";
    bool is_signed = true;
    Code code;
    if (const char* err = ReadCodeHeader(r, &is_signed, &code); err != nullptr) return err;
    if (!b2) {  // bucket
      for (size_t i = 0; i < len; ++i) {
        uint64_t u = 0;
        if (!ReadCode(r, code, &u)) return "truncated block";
        out[i] = FromCode(u, base, is_signed);
      }
      return nullptr;
    }
    size_t i = 0;
    for (uint64_t c = 0; c < count; ++c) {
      uint64_t q = 0;
      bool bit = true;
      while (true) {
        if (!r.ReadBit(&bit)) return "truncated block";
        if (!bit) break;
        if (++q > len) return "sparse gap too long";
      }
      uint64_t low = 0;
      if (k > 0 && !r.ReadBits(static_cast<unsigned>(k), &low)) return "truncated block";
      const uint64_t gap = (q << k) | low;
      if (gap >= len - i) return "sparse gap too long";
      for (uint64_t g = 0; g < gap; ++g) out[i++] = base;
      uint64_t u = 0;
      if (!ReadCode(r, code, &u)) return "truncated block";
      out[i++] = FromCode(u + 1, base, is_signed);
    }
    while (i < len) out[i++] = base;
    return nullptr;
  }
  uint64_t width = 0;
  uint64_t count = 0;
  if (!r.ReadBits(kWidthBits, &width) || !ReadVb(r, &count)) return "truncated block header";
  if (width > 64) return "block width above 64";
  if (count > len) return "more exceptions than values in a block";
  uint64_t is_exception[kBlockLen / 64] = {};
  int64_t prev = -1;
  for (uint64_t k = 0; k < count; ++k) {
    uint64_t index = 0;
    int64_t off = 0;
    if (!r.ReadBits(kIndexBits, &index) || !ReadZz(r, &off)) return "truncated exception";
    if (static_cast<int64_t>(index) <= prev || index >= len) return "bad exception index";
    prev = static_cast<int64_t>(index);
    is_exception[index / 64] |= uint64_t{1} << (index % 64);
    out[index] = Add(base, off);
  }
  for (size_t i = 0; i < len; ++i) {
    if ((is_exception[i / 64] >> (i % 64)) & 1) continue;
    uint64_t off = 0;
    if (width > 0 && !r.ReadBits(static_cast<unsigned>(width), &off)) return "truncated block";
    out[i] = Add(base, static_cast<int64_t>(off));
  }
  return nullptr;
}

// ---- integer columns ----

// int_column := predictor:2 seed:zz{seeds} gcd_minus_1:vb ('0' | '1' block+)
//
//   predictor  seeds        residual i (for i >= first)         first
//   0 none     -            x_i                                  0
//   1 delta    x_0          x_i - x_(i-1)                        1
//   2 dod      x_0, d_1     (x_i - x_(i-1)) - (x_(i-1) - x_(i-2)) 2      (d_1 = x_1 - x_0)
//   3 linear   x_0, step    x_i - (x_0 + i * step)               1
//
// Residuals are divided by their greatest common divisor. Arithmetic wraps around (uint64).
enum Predictor { kNone = 0, kDelta = 1, kDod = 2, kLinear = 3 };
constexpr int kNumSeeds[4] = {0, 1, 2, 2};
constexpr size_t kFirstResidual[4] = {0, 1, 2, 1};

// The most frequent difference x_i - x_(i-1) (the scrape interval of timestamps).
int64_t CommonStep(std::span<const int64_t> x) {
  std::vector<int64_t> d;
  d.reserve(x.size());
  for (size_t i = 1; i < x.size(); ++i) d.push_back(Sub(x[i], x[i - 1]));
  std::sort(d.begin(), d.end());
  int64_t best = 0;
  for (size_t i = 0, run = 0, best_run = 0; i < d.size(); ++i) {
    run = (i > 0 && d[i] == d[i - 1]) ? run + 1 : 1;
    if (run > best_run) {
      best_run = run;
      best = d[i];
    }
  }
  return best;
}

void WriteIntColumnWith(BitWriter& w, std::span<const int64_t> x, Predictor p) {
  const size_t n = x.size();
  std::vector<int64_t> r(n);
  int64_t seeds[2] = {0, 0};
  switch (p) {
    case kNone:
      std::copy(x.begin(), x.end(), r.begin());
      break;
    case kDelta:
      seeds[0] = x[0];
      for (size_t i = 1; i < n; ++i) r[i] = Sub(x[i], x[i - 1]);
      break;
    case kDod:
      seeds[0] = x[0];
      seeds[1] = Sub(x[1], x[0]);
      for (size_t i = 2; i < n; ++i) r[i] = Sub(Sub(x[i], x[i - 1]), Sub(x[i - 1], x[i - 2]));
      break;
    case kLinear: {
      seeds[0] = x[0];
      seeds[1] = CommonStep(x);
      int64_t pred = x[0];
      for (size_t i = 1; i < n; ++i) {
        pred = Add(pred, seeds[1]);
        r[i] = Sub(x[i], pred);
      }
      break;
    }
  }
  const std::span<int64_t> residuals = std::span(r).subspan(kFirstResidual[p]);
  uint64_t g = 0;
  for (const int64_t v : residuals) {
    const uint64_t mag = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    g = std::gcd(g, mag);
    if (g == 1) break;
  }
  if (g == 0 || g > (uint64_t{1} << 62)) g = 1;
  if (g > 1) {
    for (int64_t& v : residuals) v /= static_cast<int64_t>(g);
  }

  w.WriteBits(static_cast<uint64_t>(p), 2);
  for (int d = 0; d < kNumSeeds[p]; ++d) WriteZz(w, seeds[d]);
  WriteVb(w, g - 1);
  const bool all_zero =
      std::all_of(residuals.begin(), residuals.end(), [](int64_t v) { return v == 0; });
  w.WriteBit(!all_zero);
  if (all_zero) return;
  for (size_t i = 0; i < residuals.size(); i += kBlockLen) {
    WriteBlock(w, residuals.subspan(i, std::min(kBlockLen, residuals.size() - i)));
  }
}

// A cheap estimate of a column's bits under predictor p, to rank predictors before encoding:
// per block, the bit lengths of the residuals' zigzagged distances from the block's median.
size_t EstimateBits(std::span<const int64_t> x, Predictor p) {
  std::vector<int64_t> r;
  r.reserve(x.size());
  int64_t pred = x[0];
  const int64_t step = p == kLinear ? CommonStep(x) : 0;
  for (size_t i = kFirstResidual[p]; i < x.size(); ++i) {
    switch (p) {
      case kNone:
        r.push_back(x[i]);
        break;
      case kDelta:
        r.push_back(Sub(x[i], x[i - 1]));
        break;
      case kDod:
        r.push_back(Sub(Sub(x[i], x[i - 1]), Sub(x[i - 1], x[i - 2])));
        break;
      case kLinear:
        pred = Add(pred, step);
        r.push_back(Sub(x[i], pred));
        break;
    }
  }
  size_t bits = 0;
  for (size_t i = 0; i < r.size(); i += kBlockLen) {
    const auto begin = r.begin() + static_cast<std::ptrdiff_t>(i);
    const auto end = r.begin() + static_cast<std::ptrdiff_t>(std::min(r.size(), i + kBlockLen));
    std::vector<int64_t> block(begin, end);
    auto mid = block.begin() + static_cast<std::ptrdiff_t>(block.size() / 2);
    std::nth_element(block.begin(), mid, block.end());
    const int64_t median = *mid;
    for (auto it = begin; it != end; ++it) {
      bits += 1 + static_cast<size_t>(BitLen(base::ZigZag(Sub(*it, median))));
    }
  }
  return bits;
}

// Columns up to this long are encoded with every predictor; longer ones with the two that
// EstimateBits ranks best.
constexpr size_t kFullSearchLen = 128;

// The smallest column among the predictors tried.
BitWriter WriteIntColumn(std::span<const int64_t> x) {
  std::vector<std::pair<size_t, Predictor>> ranked;
  for (const Predictor p : {kNone, kDelta, kDod, kLinear}) {
    if (x.size() < kFirstResidual[p] || (p == kLinear && x.size() < 2)) continue;
    ranked.push_back({x.size() <= kFullSearchLen ? 0 : EstimateBits(x, p), p});
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (x.size() > kFullSearchLen && ranked.size() > 2) ranked.resize(2);
  BitWriter best;
  bool have = false;
  for (const auto& [estimate, p] : ranked) {
    BitWriter w(64);
    WriteIntColumnWith(w, x, p);
    if (!have || w.bit_len() < best.bit_len()) {
      best = std::move(w);
      have = true;
    }
  }
  return best;
}

const char* ReadIntColumn(BitReader& r, std::span<int64_t> out) {
  const size_t n = out.size();
  uint64_t p = 0;
  if (!r.ReadBits(2, &p)) return "truncated column header";
  if (n < kFirstResidual[p] || (p == kLinear && n < 2)) return "predictor needs more values";
  int64_t seeds[2] = {0, 0};
  for (int d = 0; d < kNumSeeds[p]; ++d) {
    if (!ReadZz(r, &seeds[d])) return "truncated column seed";
  }
  uint64_t g1 = 0;
  bool any = false;
  if (!ReadVb(r, &g1) || !r.ReadBit(&any)) return "truncated column header";
  const uint64_t g = g1 + 1;
  const std::span<int64_t> residuals = out.subspan(kFirstResidual[p]);
  if (!any) {
    std::fill(residuals.begin(), residuals.end(), 0);
  } else {
    if (residuals.empty()) return "blocks in an empty column";
    for (size_t i = 0; i < residuals.size(); i += kBlockLen) {
      const char* err =
          ReadBlock(r, residuals.subspan(i, std::min(kBlockLen, residuals.size() - i)));
      if (err != nullptr) return err;
    }
    if (g != 1) {
      for (int64_t& v : residuals) v = static_cast<int64_t>(static_cast<uint64_t>(v) * g);
    }
  }
  switch (p) {
    case kNone:
      break;
    case kDelta:
      out[0] = seeds[0];
      for (size_t i = 1; i < n; ++i) out[i] = Add(out[i - 1], out[i]);
      break;
    case kDod: {
      out[0] = seeds[0];
      int64_t delta = seeds[1];
      out[1] = Add(out[0], delta);
      for (size_t i = 2; i < n; ++i) {
        delta = Add(delta, out[i]);
        out[i] = Add(out[i - 1], delta);
      }
      break;
    }
    case kLinear: {
      out[0] = seeds[0];
      int64_t pred = seeds[0];
      for (size_t i = 1; i < n; ++i) {
        pred = Add(pred, seeds[1]);
        out[i] = Add(pred, out[i]);
      }
      break;
    }
  }
  return nullptr;
}

// ---- decimal values ----

double DecimalValue(int64_t m, int exp) {
  const double d = static_cast<double>(m);
  return exp >= 0 ? d * kPow10[exp] : d / kPow10[-exp];
}

// The shortest decimal form of a finite v: v == m * 10^e in decimal (not yet checked in
// floating point). False for NaN and infinities.
bool ShortestDecimal(double v, int64_t* m, int* e) {
  if (!std::isfinite(v)) return false;
  if (std::fabs(v) < 9007199254740992.0 && v == std::trunc(v)) {  // |v| < 2^53, integral
    *m = static_cast<int64_t>(v);
    *e = 0;
    return true;
  }
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  if (res.ec != std::errc()) return false;
  // d[.ddd]e±XX
  const char* p = buf;
  const char* end = res.ptr;
  bool negative = false;
  if (*p == '-') {
    negative = true;
    ++p;
  }
  int64_t digits = 0;
  int ndigits = 0;
  for (; p < end && *p != 'e'; ++p) {
    if (*p == '.') continue;
    digits = digits * 10 + (*p - '0');
    ++ndigits;
  }
  if (p == end || ndigits > 17) return false;
  int exp10 = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exp10);
  while (ndigits > 1 && digits % 10 == 0) {
    digits /= 10;
    --ndigits;
  }
  *m = negative ? -digits : digits;
  *e = exp10 - (ndigits - 1);
  return true;
}

// The shortest decimal form of a value, when it has one.
struct Decimal {
  int64_t m = 0;
  int e = 0;
  bool ok = false;
};

std::vector<Decimal> Decimals(std::span<const model::Sample> samples) {
  std::vector<Decimal> out(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    out[i].ok = ShortestDecimal(samples[i].v, &out[i].m, &out[i].e);
  }
  return out;
}

// Scales v (whose shortest decimal form is d) to the mantissa at exponent `exp`; false when v is
// not exactly m * 10^exp.
bool ToMantissa(double v, const Decimal& d, int exp, int64_t* out) {
  if (!d.ok || d.e < exp) return false;
  int64_t m = d.m;
  for (int shift = d.e - exp; shift > 0; --shift) {
    if (__builtin_mul_overflow(m, int64_t{10}, &m)) return false;
  }
  if (std::bit_cast<uint64_t>(DecimalValue(m, exp)) != std::bit_cast<uint64_t>(v)) return false;
  *out = m;
  return true;
}

std::vector<int> DecimalExponentsOf(const std::vector<Decimal>& decimals) {
  std::vector<int> exps;
  exps.reserve(decimals.size());
  for (const Decimal& d : decimals) {
    if (d.ok) exps.push_back(std::clamp(d.e, -kMaxExp, kMaxExp));
  }
  if (exps.empty()) return {};
  std::sort(exps.begin(), exps.end());
  std::vector<int> out;
  for (const size_t k : {size_t{0}, exps.size() / 100, exps.size() / 10}) {
    if (std::find(out.begin(), out.end(), exps[k]) == out.end()) out.push_back(exps[k]);
  }
  return out;
}

// ---- decimal-ULP values ----

// The exponent field value that marks the decimal-ULP mode; the real exponent follows it.
constexpr int kUlpMarker = kMaxExp + 1;
constexpr int kMaxUlpDecimals = 9;  // UlpExponents tries exponents 0 to -9.
// Corrections this far (in ULPs) or farther make the value an exception: 64 raw bits are then
// cheaper than the correction, and -0.0 and values near zero of the other sign land here.
constexpr int64_t kMaxUlpCorrection = int64_t{1} << 40;
// UlpExponents: an exception's estimated bits (gap and raw bits), and the estimated bits per
// value above which an exponent is not tried (XOR costs about 50 on values with no decimal form).
constexpr size_t kUlpExceptionBits = 72;
constexpr size_t kUlpMaxBitsPerValue = 48;

// The mantissa m = llround(v / 10^exp) and correction r = bits(v) - bits(DecimalValue(m, exp))
// (wrapping), so that bits(DecimalValue(m, exp)) + r == bits(v). False when v is not finite,
// |v / 10^exp| >= 2^62 or |r| >= kMaxUlpCorrection: then v is an exception.
bool ToUlp(double v, int exp, int64_t* m, int64_t* r) {
  if (!std::isfinite(v)) return false;
  const double scaled = exp >= 0 ? v / kPow10[exp] : v * kPow10[-exp];
  if (!(std::fabs(scaled) < 4611686018427387904.0)) return false;  // 2^62
  *m = std::llround(scaled);
  *r = static_cast<int64_t>(std::bit_cast<uint64_t>(v) -
                            std::bit_cast<uint64_t>(DecimalValue(*m, exp)));
  return *r > -kMaxUlpCorrection && *r < kMaxUlpCorrection;
}

// ---- XOR values, as xor_chunk.cc ----

struct XorState {
  uint64_t prev = 0;
  uint8_t leading = 0xff;
  uint8_t trailing = 0;
};

void WriteXorValue(BitWriter& b, XorState& s, uint64_t v_bits) {
  const uint64_t delta = v_bits ^ s.prev;
  s.prev = v_bits;
  if (delta == 0) {
    b.WriteBit(false);
    return;
  }
  int leading = std::countl_zero(delta);
  const int trailing = std::countr_zero(delta);
  if (leading >= 32) leading = 31;
  if (s.leading != 0xff && leading >= s.leading && trailing >= s.trailing) {
    b.WriteBits(0b10, 2);
    b.WriteBits(delta >> s.trailing, 64 - s.leading - s.trailing);
    return;
  }
  s.leading = static_cast<uint8_t>(leading);
  s.trailing = static_cast<uint8_t>(trailing);
  const int sigbits = 64 - leading - trailing;
  b.WriteBits((uint64_t{0b11} << 11) | (static_cast<uint64_t>(leading) << 6) |
                  static_cast<uint64_t>(sigbits & 63),
              13);
  b.WriteBits(delta >> trailing, sigbits);
}

bool ReadXorValue(BitReader& r, XorState& s) {
  bool bit = false;
  if (!r.ReadBit(&bit)) return false;
  if (!bit) return true;
  if (!r.ReadBit(&bit)) return false;
  unsigned leading = 0;
  unsigned trailing = 0;
  if (!bit) {
    if (s.leading != 0xff) {
      leading = s.leading;
      trailing = s.trailing;
    }
  } else {
    uint64_t header = 0;
    if (!r.ReadBits(11, &header)) return false;
    leading = static_cast<unsigned>(header >> 6);
    unsigned sigbits = static_cast<unsigned>(header & 63);
    if (sigbits == 0) sigbits = 64;
    if (leading + sigbits > 64) return false;
    trailing = 64 - leading - sigbits;
    s.leading = static_cast<uint8_t>(leading);
    s.trailing = static_cast<uint8_t>(trailing);
  }
  uint64_t sig = 0;
  if (!r.ReadBits(64 - leading - trailing, &sig)) return false;
  s.prev ^= sig << trailing;
  return true;
}

// ---- columns of a chunk ----

BitWriter WriteTimestamps(std::span<const model::Sample> samples) {
  std::vector<int64_t> t(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) t[i] = samples[i].t;
  return WriteIntColumn(t);
}

// `decimals` are Decimals(samples), needed for kDecimal.
BitWriter WriteValues(std::span<const model::Sample> samples, const PackedOptions& options,
                      const std::vector<Decimal>& decimals) {
  BitWriter w(64);
  if (options.values == PackedValues::kXor) {
    w.WriteBit(true);
    XorState s;
    for (size_t i = 0; i < samples.size(); ++i) {
      const uint64_t bits = std::bit_cast<uint64_t>(samples[i].v);
      if (i == 0) {
        w.WriteBits(bits, 64);
        s.prev = bits;
      } else {
        WriteXorValue(w, s, bits);
      }
    }
    return w;
  }
  const bool ulp = options.values == PackedValues::kDecimalUlp;
  const int exp = std::clamp(options.decimal_exp, -kMaxExp, kMaxExp);
  std::vector<int64_t> m(samples.size());
  std::vector<int64_t> r(ulp ? samples.size() : 0);
  std::vector<size_t> exceptions;
  int64_t prev = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const bool ok = ulp ? ToUlp(samples[i].v, exp, &m[i], &r[i])
                        : ToMantissa(samples[i].v, decimals[i], exp, &m[i]);
    if (ok) {
      prev = m[i];
    } else {
      m[i] = prev;  // An exception repeats the previous mantissa: a zero delta.
      if (ulp) r[i] = 0;
      exceptions.push_back(i);
    }
  }
  w.WriteBit(false);
  if (ulp) WriteZz(w, kUlpMarker);
  WriteZz(w, exp);
  WriteVb(w, exceptions.size());
  size_t last = 0;
  for (size_t k = 0; k < exceptions.size(); ++k) {
    WriteVb(w, exceptions[k] - (k == 0 ? 0 : last + 1));
    w.WriteBits(std::bit_cast<uint64_t>(samples[exceptions[k]].v), 64);
    last = exceptions[k];
  }
  AppendStream(w, WriteIntColumn(m));
  if (ulp) AppendStream(w, WriteIntColumn(r));
  return w;
}

std::string Assemble(size_t n, const BitWriter& timestamps, const BitWriter& values) {
  char buf[10];
  const int len = base::EncodeUvarint(buf, n);
  BitWriter w(static_cast<size_t>(len) + timestamps.size() + values.size() + 1);
  for (int i = 0; i < len; ++i) w.WriteBits(static_cast<uint8_t>(buf[i]), 8);
  if (n > 0) {
    AppendStream(w, timestamps);
    AppendStream(w, values);
  }
  return std::string(w.bytes());
}

// Decodes a whole chunk into `out`, using `column` and `exceptions` as scratch space (kept by
// the iterator so that a reused iterator does not allocate); the empty string on success,
// else what is wrong.
std::string Decode(std::string_view bytes, std::vector<model::Sample>& out,
                   std::vector<int64_t>& column,
                   std::vector<std::pair<size_t, uint64_t>>& exceptions) {
  out.clear();
  uint64_t n = 0;
  const char* p = base::GetUvarint(bytes.data(), bytes.data() + bytes.size(), &n);
  if (p == nullptr) return "bad sample count";
  if (n > PackedChunk::kMaxSamples) return "sample count " + std::to_string(n) + " too large";
  const std::string_view rest = bytes.substr(static_cast<size_t>(p - bytes.data()));
  BitReader r(rest);
  if (n > 0) {
    column.resize(n);
    out.resize(n);
    if (const char* err = ReadIntColumn(r, column); err != nullptr) {
      return std::string("timestamps: ") + err;
    }
    for (size_t i = 0; i < n; ++i) out[i].t = column[i];
    bool is_xor = false;
    if (!r.ReadBit(&is_xor)) return "values: truncated";
    if (is_xor) {
      XorState s;
      if (!r.ReadBits(64, &s.prev)) return "values: truncated first value";
      out[0].v = std::bit_cast<double>(s.prev);
      for (size_t i = 1; i < n; ++i) {
        if (!ReadXorValue(r, s)) return "values: bad xor value " + std::to_string(i);
        out[i].v = std::bit_cast<double>(s.prev);
      }
    } else {
      int64_t exp = 0;
      uint64_t count = 0;
      if (!ReadZz(r, &exp)) return "values: truncated header";
      const bool ulp = exp == kUlpMarker;
      if ((ulp && !ReadZz(r, &exp)) || !ReadVb(r, &count)) return "values: truncated header";
      if (exp < -kMaxExp || exp > kMaxExp) return "values: decimal exponent out of range";
      if (count > n) return "values: more exceptions than samples";
      // Exceptions come before the mantissas: keep them aside as (index, bits).
      exceptions.resize(count);
      size_t next = 0;
      for (auto& [index, bits] : exceptions) {
        uint64_t gap = 0;
        if (!ReadVb(r, &gap) || !r.ReadBits(64, &bits)) return "values: truncated exception";
        if (gap >= n - next) return "values: exception index out of range";
        index = next + gap;
        next = index + 1;
      }
      if (const char* err = ReadIntColumn(r, column); err != nullptr) {
        return std::string("values: ") + err;
      }
      const int e = static_cast<int>(exp);
      for (size_t i = 0; i < n; ++i) out[i].v = DecimalValue(column[i], e);
      if (ulp) {
        if (const char* err = ReadIntColumn(r, column); err != nullptr) {
          return std::string("values: corrections: ") + err;
        }
        for (size_t i = 0; i < n; ++i) {
          out[i].v = std::bit_cast<double>(std::bit_cast<uint64_t>(out[i].v) +
                                           static_cast<uint64_t>(column[i]));
        }
      }
      for (const auto& [index, bits] : exceptions) out[index].v = std::bit_cast<double>(bits);
    }
  }
  const size_t left = rest.size() * 8 - r.bits_read();
  if (left >= 8) return "bytes after the last sample";
  uint64_t pad = 0;
  if (left > 0 && (!r.ReadBits(static_cast<unsigned>(left), &pad) || pad != 0)) {
    return "nonzero padding";
  }
  return {};
}

}  // namespace

// ---- encoder ----

base::Result<std::string> EncodePacked(std::span<const model::Sample> samples,
                                       const PackedOptions& options) {
  if (samples.size() > PackedChunk::kMaxSamples) {
    return base::InvalidArgument("packed chunk of " + std::to_string(samples.size()) +
                                 " samples exceeds the maximum of " +
                                 std::to_string(PackedChunk::kMaxSamples));
  }
  const std::vector<Decimal> decimals =
      options.values == PackedValues::kDecimal ? Decimals(samples) : std::vector<Decimal>();
  return Assemble(samples.size(), WriteTimestamps(samples),
                  WriteValues(samples, options, decimals));
}

std::vector<int> DecimalExponents(std::span<const model::Sample> samples) {
  return DecimalExponentsOf(Decimals(samples));
}

std::vector<int> UlpExponents(std::span<const model::Sample> samples) {
  // Rank exponents by EstimateBits of the two columns (the mantissas' deltas over their common
  // divisor, the corrections by the better of none and delta) plus kUlpExceptionBits per
  // exception.
  std::vector<std::pair<size_t, int>> ranked;
  std::vector<int64_t> m(samples.size());
  std::vector<int64_t> r(samples.size());
  for (int exp = 0; exp >= -kMaxUlpDecimals; --exp) {
    size_t exception_bits = 0;
    bool inexact = false;  // some value is not m * 10^exp bit for bit
    for (size_t i = 0; i < samples.size(); ++i) {
      if (!ToUlp(samples[i].v, exp, &m[i], &r[i])) {
        exception_bits += kUlpExceptionBits;
        m[i] = i > 0 ? m[i - 1] : 0;
        r[i] = 0;
        continue;
      }
      inexact |= r[i] != 0;
    }
    const size_t limit = kUlpMaxBitsPerValue * samples.size();
    if (exception_bits > limit) continue;
    size_t bits = exception_bits;
    if (samples.size() >= 2) {
      // The mantissas' deltas over their common divisor, as WriteIntColumn divides them: at
      // too fine an exponent they are all multiples of a power of ten.
      uint64_t g = 0;
      for (size_t i = samples.size() - 1; i > 0 && g != 1; --i) {
        const int64_t d = Sub(m[i], m[i - 1]);
        g = std::gcd(g, d < 0 ? uint64_t{0} - static_cast<uint64_t>(d) : static_cast<uint64_t>(d));
      }
      for (size_t i = samples.size() - 1; i > 0; --i) {
        m[i] = Sub(m[i], m[i - 1]);
        if (g > 1 && g <= (uint64_t{1} << 62)) m[i] /= static_cast<int64_t>(g);
      }
      m[0] = 0;
      bits += EstimateBits(m, kNone) + std::min(EstimateBits(r, kNone), EstimateBits(r, kDelta));
    }
    if (!inexact) {
      // Every value is m * 10^exp bit for bit or an exception: kDecimal takes these bits less
      // the corrections' (about one per value), finer exponents only cost more, and coarser
      // ones are worth a try only below it.
      std::erase_if(ranked, [&](const auto& c) { return c.first + samples.size() >= bits; });
      break;
    }
    if (bits <= limit) ranked.push_back({bits, exp});
  }
  // Fewest bits first; on a tie the fewest decimals (a smaller mantissa seed and divisor).
  std::sort(ranked.begin(), ranked.end(),
            [](const auto& a, const auto& b) {
              return a.first < b.first || (a.first == b.first && a.second > b.second);
            });
  std::vector<int> out;
  for (size_t i = 0; i < ranked.size() && i < 2; ++i) out.push_back(ranked[i].second);
  return out;
}

base::Result<std::string> EncodePackedBest(std::span<const model::Sample> samples) {
  if (samples.size() > PackedChunk::kMaxSamples) return EncodePacked(samples, {});
  const BitWriter timestamps = WriteTimestamps(samples);
  const std::vector<Decimal> decimals = Decimals(samples);
  BitWriter best = WriteValues(samples, {.values = PackedValues::kXor}, decimals);
  for (const int exp : DecimalExponentsOf(decimals)) {
    BitWriter w =
        WriteValues(samples, {.values = PackedValues::kDecimal, .decimal_exp = exp}, decimals);
    if (w.bit_len() < best.bit_len()) best = std::move(w);
  }
  for (const int exp : UlpExponents(samples)) {
    BitWriter w =
        WriteValues(samples, {.values = PackedValues::kDecimalUlp, .decimal_exp = exp}, decimals);
    if (w.bit_len() < best.bit_len()) best = std::move(w);
  }
  return Assemble(samples.size(), timestamps, best);
}

// ---- iterator ----

void PackedIterator::Reset(std::string_view bytes) {
  bytes_ = bytes;
  samples_.clear();
  pos_ = 0;
  decoded_ = false;
  started_ = false;
  done_ = false;
  status_ = base::Status::Ok();
}

bool PackedIterator::EnsureDecoded() {
  if (decoded_) return status_.ok();
  decoded_ = true;
  if (std::string err = Decode(bytes_, samples_, column_, exceptions_); !err.empty()) {
    status_ = base::Corruption("packed chunk: " + err);
    done_ = true;
    samples_.clear();
    return false;
  }
  return true;
}

bool PackedIterator::Next() {
  if (done_ || !EnsureDecoded()) return false;
  if (started_) ++pos_;
  started_ = true;
  if (pos_ >= samples_.size()) {
    done_ = true;
    return false;
  }
  return true;
}

bool PackedIterator::Seek(Timestamp t) {
  if (done_ || !EnsureDecoded()) return false;
  if (!started_) {
    started_ = true;
    pos_ = 0;
  }
  while (pos_ < samples_.size()) {
    if (samples_[pos_].t >= t) return true;
    ++pos_;
  }
  done_ = true;
  return false;
}

base::Status PackedIterator::ReadAll(Timestamp mint, Timestamp maxt,
                                     std::vector<model::Sample>* out) {
  if (done_ || !EnsureDecoded()) return status_;
  for (size_t i = started_ ? pos_ : 0; i < samples_.size(); ++i) {
    const model::Sample s = samples_[i];
    if (s.t > maxt) break;
    if (s.t >= mint) out->push_back(s);
  }
  done_ = true;
  return status_;
}

std::unique_ptr<Iterator> NewPackedIterator(std::string_view bytes,
                                            std::unique_ptr<Iterator> reuse) {
  if (auto* it = dynamic_cast<PackedIterator*>(reuse.get()); it != nullptr) {
    it->Reset(bytes);
    return reuse;
  }
  auto it = std::make_unique<PackedIterator>();
  it->Reset(bytes);
  return it;
}

// ---- chunk ----

base::Result<PackedChunk> PackedChunk::FromBytes(std::string bytes) {
  uint64_t n = 0;
  if (base::GetUvarint(bytes.data(), bytes.data() + bytes.size(), &n) == nullptr) {
    return base::Corruption("packed chunk of " + std::to_string(bytes.size()) +
                            " bytes has no sample count");
  }
  if (n > kMaxSamples) {
    return base::Corruption("packed chunk sample count " + std::to_string(n) + " too large");
  }
  return PackedChunk(std::move(bytes), static_cast<int>(n));
}

base::Result<std::unique_ptr<Appender>> PackedChunk::NewAppender() {
  return base::InvalidArgument("packed chunks are write-once: no appender");
}

std::unique_ptr<Iterator> PackedChunk::NewIterator(std::unique_ptr<Iterator> reuse) const {
  return NewPackedIterator(bytes_, std::move(reuse));
}

}  // namespace tsdb::chunkenc

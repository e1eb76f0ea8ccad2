// Character classes of the exposition lexers, and Prometheus's normal NaN.
#pragma once

#include <bit>
#include <cstdint>

namespace scrape::textparse::detail {

// [a-zA-Z_:] and [a-zA-Z0-9_:]: metric names. [a-zA-Z_] and [a-zA-Z0-9_]: label names.
inline bool IsDigit(uint8_t c) { return c >= '0' && c <= '9'; }
inline bool IsLabelNameStart(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool IsLabelNameChar(uint8_t c) { return IsLabelNameStart(c) || IsDigit(c); }
inline bool IsMetricNameStart(uint8_t c) { return IsLabelNameStart(c) || c == ':'; }
inline bool IsMetricNameChar(uint8_t c) { return IsLabelNameChar(c) || c == ':'; }

// value.NormalNaN: the NaN every parsed NaN becomes (distinct from the staleness marker).
inline constexpr uint64_t kNormalNaNBits = 0x7ff8000000000001ULL;
inline double NormalNaN() { return std::bit_cast<double>(kNormalNaNBits); }

}  // namespace scrape::textparse::detail

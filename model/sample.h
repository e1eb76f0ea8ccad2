// Sample values and timestamps, and the staleness marker.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace model {

// Milliseconds since the Unix epoch.
using Timestamp = int64_t;

inline constexpr Timestamp kMinTime = std::numeric_limits<int64_t>::min();
inline constexpr Timestamp kMaxTime = std::numeric_limits<int64_t>::max();

// The NaN Prometheus writes to mark a series stale (value.StaleNaN); compared bit-exactly.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

struct Sample {
  Timestamp t;
  double v;
};

}  // namespace model

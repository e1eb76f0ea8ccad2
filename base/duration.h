// Durations as Prometheus writes them: "1y2w3d4h5m6s7ms" (model.ParseDuration / Duration.String).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/status.h"

namespace base {

// Parses a Prometheus duration. Units y (365d), w, d, h, m, s, ms, each at most once and in that
// order; "0" alone is zero. Errors: kInvalidArgument, with Prometheus's message
// `not a valid duration string: "x"`.
Result<std::chrono::milliseconds> ParseDuration(std::string_view s);

// The shortest Prometheus spelling of d ("1h30m", "0s"); the inverse of ParseDuration.
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace base

// Conversions of PromQL literal tokens with the exact semantics (and error texts) of the Go
// functions Prometheus's parser uses: strconv.ParseInt/ParseFloat for numbers and
// model.ParseDuration for durations. Internal to promql::parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace promql::parser {

// Converts a number token as Prometheus's parser.number: strconv.ParseInt(s, 0, 64) (so "0x1f"
// is 31 and "010" is 8), else strconv.ParseFloat(s, 64) ("1e3", ".5", "Inf", "NaN", "1_000").
// On failure returns false and sets *error to Go's message, e.g.
// `strconv.ParseFloat: parsing "1e999": value out of range`.
bool ParseNumber(std::string_view s, double* out, std::string* error);

// Parses a duration as model.ParseDuration, in nanoseconds (y=365d, w, d, h, m, s, ms, each at
// most once, largest first; "0" alone is zero). Errors as Prometheus: `not a valid duration
// string: "x"`, `unknown unit "hs" in duration "1hs"`, "duration out of range",
// "empty duration string".
bool ParseDurationNanos(std::string_view s, int64_t* nanos, std::string* error);

// time.Duration(nanos).Seconds().
double NanosToSeconds(int64_t nanos);

// Go's int64(f) on amd64: truncation toward zero, and the minimum int64 for NaN or values out
// of range (where C++ leaves the conversion undefined).
int64_t GoFloatToInt64(double f);

}  // namespace promql::parser

// Number syntax of the exposition formats: Go's strconv as Prometheus uses it.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace scrape::textparse {

// Prometheus's textparse parseFloat: Go's strconv.ParseFloat(s, 64) that also refuses 'p',
// 'P' and '_' (so no hex floats and no digit separators). Accepts an optional sign, decimal
// digits with an optional point and exponent, and case-insensitive "inf", "infinity" (signed
// or not) and "nan" (unsigned). Underflow gives 0 or a denormal, as Go.
// Errors (kInvalidArgument, Go's wording):
//   "unsupported character in float"
//   strconv.ParseFloat: parsing "abc": invalid syntax
//   strconv.ParseFloat: parsing "1e400": value out of range
base::Result<double> ParseFloat(std::string_view s);

// strconv.ParseInt(s, 10, 64). Errors: strconv.ParseInt: parsing "x": invalid syntax / value out
// of range.
base::Result<int64_t> ParseInt(std::string_view s);

}  // namespace scrape::textparse

// Float formatting identical to Go's strconv.FormatFloat with precision -1 (shortest digits that
// round-trip), which Prometheus uses in its text format ('g'), its JSON API ('f') and promtool.
#pragma once

#include <string>

namespace base {

// FormatFloat(v, 'g', -1, 64): "1e+06", "123456", "1.5e-07", "NaN", "+Inf", "-Inf".
std::string FormatFloatG(double v);
// FormatFloat(v, 'f', -1, 64): "1000000", "0.00000015".
std::string FormatFloatF(double v);

}  // namespace base

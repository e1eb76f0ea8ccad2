// prometheus/common's helpers/templates, shared by Prometheus's and Alertmanager's functions:
// ConvertToFloat and HumanizeDuration, and the Go conversions they rely on.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "template/value.h"

namespace tmpl {

// helpers/templates.ConvertToFloat: float64, int and time.Duration (as seconds) values, and
// strings through strconv.ParseFloat. Errors: kInvalidArgument "can't convert T to float" or
// the ParseFloat error.
base::Result<double> ConvertToFloat(const Value& v);

// helpers/templates.HumanizeDuration of a number of seconds: "1d 2h 3m 4s", "1.5s", "100ms".
std::string HumanizeDuration(double seconds);

// fmt.Sprintf("%.4g", v).
std::string FormatFloat4(double v);

// Go's float64 to int64 conversion as on amd64: NaN and out-of-range values become MinInt64.
int64_t FloatToInt64(double v);

}  // namespace tmpl

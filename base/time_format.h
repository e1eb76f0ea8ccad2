// Timestamps (ms since the epoch, UTC) as Go's encoders write time.Time, for JSON identical to
// Prometheus's and Alertmanager's.
#pragma once

#include <cstdint>
#include <string>

namespace base {

// time.Time's MarshalJSON (RFC 3339 with the significant part of the fraction):
// "2026-11-22T06:43:26.12Z", "2026-11-22T06:43:26Z"; 0 is Go's zero time "0001-01-01T00:00:00Z".
std::string FormatGoTime(int64_t ms);

// go-openapi strfmt.DateTime, as Alertmanager's API v2 writes times: always three fraction
// digits, "2026-11-22T06:43:26.120Z"; 0 is "0001-01-01T00:00:00.000Z".
std::string FormatDateTimeMillis(int64_t ms);

}  // namespace base

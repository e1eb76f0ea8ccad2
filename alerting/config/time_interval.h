// Time intervals of Alertmanager (prometheus/alertmanager timeinterval/timeinterval.go): the
// `time_intervals` entries that routes use as mute_time_intervals / active_time_intervals.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/config/location.h"
#include "base/status.h"

namespace alerting::config {

// Minutes of the day [start_minute, end_minute), 0 <= start < end <= 1440.
struct TimeRange {
  int start_minute = 0;
  int end_minute = 0;
};

// An inclusive range of weekdays (0 = Sunday), days of the month (negative counts from the
// end, -1 = last day), months (1 = January) or years.
struct InclusiveRange {
  int begin = 0;
  int end = 0;
};

// Each list, when present, restricts the interval; absent lists do not. Thread-safe (immutable
// after loading).
struct TimeInterval {
  std::optional<std::vector<TimeRange>> times;
  std::optional<std::vector<InclusiveRange>> weekdays;
  std::optional<std::vector<InclusiveRange>> days_of_month;
  std::optional<std::vector<InclusiveRange>> months;
  std::optional<std::vector<InclusiveRange>> years;
  std::shared_ptr<const Location> location;  // null: UTC

  // Whether the instant `unix_ms` (ms since the epoch) lies in the interval, evaluated in
  // `location` (TimeInterval.ContainsTime). Days of the month count calendar days, as
  // Alertmanager does since it fixed negative days across DST changes (0.25 miscounted them).
  bool ContainsTime(int64_t unix_ms) const;
};

// Parsers of the YAML scalars, with Alertmanager's error messages.
// "HH:MM" in [00:00, 24:00] -> minutes of the day.
base::Result<int> ParseTimeOfDay(std::string_view s);
// `start_time`/`end_time` pair. Errors: "both start and end times must be provided", ...
base::Result<TimeRange> MakeTimeRange(std::string_view start, std::string_view end);
// "monday", "monday:friday" (case-insensitive).
base::Result<InclusiveRange> ParseWeekdayRange(std::string_view s);
// "1", "-1", "1:15", "-7:-1".
base::Result<InclusiveRange> ParseDayOfMonthRange(std::string_view s);
// "january", "1", "january:march", "1:3".
base::Result<InclusiveRange> ParseMonthRange(std::string_view s);
// "2024", "2024:2026".
base::Result<InclusiveRange> ParseYearRange(std::string_view s);

// Renderers (MarshalYAML): "monday:friday" / "saturday", "1:15" / "3", "HH:MM".
std::string WeekdayRangeString(const InclusiveRange& r);
std::string NumberRangeString(const InclusiveRange& r);
std::string TimeOfDayString(int minutes);

}  // namespace alerting::config

// Go's time package as templates see it: time.Time with a location, time.Duration, the layout
// formatter (Time.Format), Duration.String and time.LoadLocation over the system's zoneinfo.
// Alert templates print times (humanizeTimestamp, toTime, Alertmanager's .StartsAt, date, tz)
// and must read exactly as Go prints them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tmpl {

// A time zone: Go's *time.Location. Immutable once built; shared by the Times that use it.
// Invariants: transitions are sorted by `at`; every transition's zone index is < zones.size().
class Location {
 public:
  struct Zone {
    std::string abbreviation;  // "CET"
    int32_t offset_seconds;    // east of UTC
  };
  struct Transition {
    int64_t at;  // Unix seconds from which `zone` applies
    int zone;
  };

  // UTC, named "UTC".
  static std::shared_ptr<const Location> Utc();
  // A fixed offset with the given name (time.FixedZone).
  static std::shared_ptr<const Location> Fixed(std::string name, int32_t offset_seconds);
  // time.LoadLocation: "" and "UTC" are UTC, "Local" is /etc/localtime (or $TZ), anything else
  // a file under the zoneinfo directory ($ZONEINFO, else /usr/share/zoneinfo). Errors:
  // kInvalidArgument "unknown time zone NAME" as Go; "invalid location name" for names Go
  // refuses ("../x", absolute paths).
  static base::Result<std::shared_ptr<const Location>> Load(std::string_view name);
  // Parses TZif data (RFC 8536, version 1 to 4) with the given name; the POSIX TZ footer governs
  // times after the last transition. Errors: kInvalidArgument "malformed time zone information".
  static base::Result<std::shared_ptr<const Location>> FromTzif(std::string name,
                                                                std::string_view data);

  const std::string& name() const { return name_; }
  // The zone in effect at Unix second t.
  Zone Lookup(int64_t t) const;

 private:
  std::string name_;
  std::vector<Zone> zones_;
  std::vector<Transition> transitions_;
  std::string extend_;  // POSIX TZ rule for times after the last transition ("" if none)
  int first_zone_ = 0;  // zone for times before the first transition
};

// Go's time.Duration: signed nanoseconds.
struct Duration {
  int64_t ns = 0;
  friend bool operator==(Duration, Duration) = default;
};

// Go's time.Time: an instant (Unix seconds and nanoseconds within the second) in a location.
// The zero Time is Go's zero time, January 1, year 1, 00:00:00 UTC.
struct Time {
  int64_t unix_seconds = kZeroUnixSeconds;
  int32_t nanos = 0;                         // [0, 1e9)
  std::shared_ptr<const Location> location;  // nullptr means UTC

  static constexpr int64_t kZeroUnixSeconds = -62135596800;

  static Time FromUnix(int64_t seconds, int64_t nanos);
  static Time FromUnixMilli(int64_t ms) { return FromUnix(ms / 1000, (ms % 1000) * 1000000); }

  bool IsZero() const { return unix_seconds == kZeroUnixSeconds && nanos == 0; }
  int64_t UnixNano() const { return unix_seconds * 1000000000 + nanos; }
  int64_t UnixMilli() const { return unix_seconds * 1000 + nanos / 1000000; }
  Time In(std::shared_ptr<const Location> loc) const;
  Time Add(Duration d) const;
  // t - u, saturating at the int64 bounds as Go's Time.Sub.
  Duration Sub(const Time& u) const;
  bool Before(const Time& u) const {
    return unix_seconds < u.unix_seconds || (unix_seconds == u.unix_seconds && nanos < u.nanos);
  }
  bool Equal(const Time& u) const { return unix_seconds == u.unix_seconds && nanos == u.nanos; }

  // Calendar fields in the time's location.
  struct Civil {
    int64_t year;
    int month, day, hour, minute, second, weekday /* Sunday = 0 */, yday /* 1-based */;
    int32_t offset;
    std::string zone;
  };
  Civil Fields() const;

  // Time.Format with Go's reference-time layout ("2006-01-02T15:04:05Z07:00").
  std::string Format(std::string_view layout) const;
  // Time.String: Format("2006-01-02 15:04:05.999999999 -0700 MST").
  std::string String() const;
};

// Duration.String: "1h2m3.5s", "1.5ms", "1µs", "0s".
std::string FormatGoDuration(Duration d);

}  // namespace tmpl

// Location: an IANA time zone (Go's time.Location) read from the system's TZif files, for the
// `location` of time intervals. We parse TZif ourselves: libstdc++ 12 has no
// std::chrono::locate_zone, and localtime_r with TZ= is process-global state (not thread-safe).
// A loaded Location is immutable and answers "what is the UTC offset at instant t" without
// locks; times after the last transition follow the file's POSIX TZ footer, as Go does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace alerting::config {

// Thread-safe (immutable).
class Location {
 public:
  // Go's time.LoadLocation: "" and "UTC" are UTC; "Local" is the machine's zone ($TZ, else
  // /etc/localtime); other names are looked up under $ZONEINFO (a directory) and then
  // /usr/share/zoneinfo, /usr/share/lib/zoneinfo, /usr/lib/locale/TZ.
  // Errors: kInvalidArgument "unknown time zone NAME" or "time: invalid location name".
  static base::Result<std::shared_ptr<const Location>> Load(std::string_view name);
  // Parses TZif data (RFC 8536, versions 1 to 4). Errors: kInvalidArgument naming the defect.
  static base::Result<std::shared_ptr<const Location>> FromTzif(std::string name,
                                                                std::string_view data);
  static std::shared_ptr<const Location> Utc();

  // The name it was loaded by ("UTC", "Local", "Europe/Berlin").
  const std::string& name() const { return name_; }
  // Seconds east of UTC in effect at `unix_seconds`.
  int32_t OffsetAt(int64_t unix_seconds) const;

  // A rule of a POSIX TZ string (the TZif footer): Jn, n or Mm.w.d, with a time of day.
  struct Rule {
    enum class Kind { kJulian, kDayOfYear, kMonthWeekDay } kind = Kind::kJulian;
    int day = 0;
    int week = 0;
    int mon = 0;
    int time = 7200;  // seconds after local midnight
  };

 private:
  explicit Location(std::string name) : name_(std::move(name)) {}
  bool ParseFooter(std::string_view tz);
  int32_t FooterOffset(int64_t unix_seconds) const;

  std::string name_;
  std::vector<int64_t> transitions_;     // ascending, unix seconds
  std::vector<uint8_t> transition_idx_;  // index into offsets_ for each transition
  std::vector<int32_t> offsets_;         // utoff of each local time type
  std::vector<bool> is_dst_;
  // POSIX TZ footer: std offset, optional dst offset and rules.
  bool has_footer_ = false;
  bool footer_has_dst_ = false;
  int32_t std_offset_ = 0;
  int32_t dst_offset_ = 0;
  Rule start_rule_;
  Rule end_rule_;
};

}  // namespace alerting::config

#include "alerting/config/time_interval.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

namespace alerting::config {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"sunday",   "monday", "tuesday", "wednesday",
                                                       "thursday", "friday", "saturday"};
constexpr std::array<std::string_view, 12> kMonths = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Go's strconv.Atoi, with its error messages.
base::Result<int> Atoi(std::string_view s) {
  auto syntax = [&] {
    return base::InvalidArgument("strconv.Atoi: parsing \"" + std::string(s) +
                                 "\": invalid syntax");
  };
  std::string_view d = s;
  bool neg = false;
  if (!d.empty() && (d.front() == '+' || d.front() == '-')) {
    neg = d.front() == '-';
    d.remove_prefix(1);
  }
  if (d.empty()) return syntax();
  int64_t n = 0;
  for (char c : d) {
    if (c < '0' || c > '9') return syntax();
    n = n * 10 + (c - '0');
    if (n > std::numeric_limits<int>::max()) {
      return base::InvalidArgument("strconv.Atoi: parsing \"" + std::string(s) +
                                   "\": value out of range");
    }
  }
  return static_cast<int>(neg ? -n : n);
}

using MemberFn = base::Result<int> (*)(std::string_view);

// stringableRangeFromString: lower-cases, then "a" or "a:b".
base::Result<InclusiveRange> RangeFromString(std::string_view in, MemberFn member) {
  std::string s = Lower(in);
  InclusiveRange r;
  size_t colon = s.find(':');
  if (colon != std::string::npos) {
    if (s.find(':', colon + 1) != std::string::npos) {
      return base::InvalidArgument("couldn't parse range " + s + ", invalid format");
    }
    ASSIGN_OR_RETURN(r.begin, member(std::string_view(s).substr(0, colon)));
    ASSIGN_OR_RETURN(r.end, member(std::string_view(s).substr(colon + 1)));
    return r;
  }
  ASSIGN_OR_RETURN(r.begin, member(s));
  r.end = r.begin;
  return r;
}

base::Result<int> WeekdayMember(std::string_view s) {
  for (size_t i = 0; i < kWeekdays.size(); ++i) {
    if (kWeekdays[i] == s) return static_cast<int>(i);
  }
  return base::InvalidArgument(std::string(s) + " is not a valid weekday");
}

base::Result<int> MonthMember(std::string_view s) {
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == s) return static_cast<int>(i + 1);
  }
  auto n = Atoi(s);
  if (!n.has_value()) return base::InvalidArgument(std::string(s) + " is not a valid month");
  return n;
}

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }
int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

struct Civil {
  int64_t year;
  int month, day, weekday, minute_of_day;
};

Civil ToCivil(int64_t local_seconds) {
  int64_t days = local_seconds / 86400 - (local_seconds % 86400 < 0);
  int64_t secs = local_seconds - days * 86400;
  Civil c;
  c.minute_of_day = static_cast<int>(secs / 60);
  c.weekday = static_cast<int>(((days % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = static_cast<int64_t>(yoe) + era * 400 + (c.month <= 2);
  return c;
}

}  // namespace

base::Result<int> ParseTimeOfDay(std::string_view s) {
  auto invalid = [&] {
    return base::InvalidArgument("couldn't parse timestamp " + std::string(s) + ", invalid format");
  };
  if (s == "24:00") return 24 * 60;
  if (s.size() != 5 || s[2] != ':') return invalid();
  for (size_t i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return invalid();
  }
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return invalid();
  return h * 60 + m;
}

base::Result<TimeRange> MakeTimeRange(std::string_view start, std::string_view end) {
  if (end.empty() || start.empty()) {
    return base::InvalidArgument("both start and end times must be provided");
  }
  TimeRange r;
  ASSIGN_OR_RETURN(r.start_minute, ParseTimeOfDay(start));
  ASSIGN_OR_RETURN(r.end_minute, ParseTimeOfDay(end));
  if (r.start_minute >= r.end_minute) {
    return base::InvalidArgument("start time cannot be equal or greater than end time");
  }
  return r;
}

base::Result<InclusiveRange> ParseWeekdayRange(std::string_view s) {
  ASSIGN_OR_RETURN(InclusiveRange r, RangeFromString(s, WeekdayMember));
  if (r.begin > r.end) return base::InvalidArgument("start day cannot be before end day");
  return r;
}

base::Result<InclusiveRange> ParseDayOfMonthRange(std::string_view s) {
  ASSIGN_OR_RETURN(InclusiveRange r, RangeFromString(s, Atoi));
  auto out_of_range = [](int d) {
    return base::InvalidArgument(std::to_string(d) +
                                 " is not a valid day of the month: out of range");
  };
  if (r.begin == 0 || r.begin < -31 || r.begin > 31) return out_of_range(r.begin);
  if (r.end == 0 || r.end < -31 || r.end > 31) return out_of_range(r.end);
  if (r.begin < 0 && r.end > 0) {
    return base::InvalidArgument("end day must be negative if start day is negative");
  }
  int check_begin = r.begin < 0 ? 28 + r.begin : r.begin;
  int check_end = r.end < 0 ? 28 + r.end : r.end;
  if (check_begin > check_end) {
    return base::InvalidArgument("end day " + std::to_string(r.end) +
                                 " is always before start day " + std::to_string(r.begin));
  }
  return r;
}

base::Result<InclusiveRange> ParseMonthRange(std::string_view s) {
  ASSIGN_OR_RETURN(InclusiveRange r, RangeFromString(s, MonthMember));
  if (r.begin > r.end) {
    auto name = [](int m) {
      return m >= 1 && m <= 12 ? std::string(kMonths[m - 1]) : std::string();
    };
    return base::InvalidArgument("end month " + name(r.end) + " is before start month " +
                                 name(r.begin));
  }
  return r;
}

base::Result<InclusiveRange> ParseYearRange(std::string_view s) {
  ASSIGN_OR_RETURN(InclusiveRange r, RangeFromString(s, Atoi));
  if (r.begin > r.end) {
    return base::InvalidArgument("end year " + std::to_string(r.end) + " is before start year " +
                                 std::to_string(r.begin));
  }
  return r;
}

std::string WeekdayRangeString(const InclusiveRange& r) {
  auto name = [](int d) {
    return d >= 0 && d <= 6 ? std::string(kWeekdays[d]) : std::to_string(d);
  };
  if (r.begin == r.end) return name(r.begin);
  return name(r.begin) + ":" + name(r.end);
}

std::string NumberRangeString(const InclusiveRange& r) {
  if (r.begin == r.end) return std::to_string(r.begin);
  return std::to_string(r.begin) + ":" + std::to_string(r.end);
}

std::string TimeOfDayString(int minutes) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 100, minutes % 60);
  return buf;
}

bool TimeInterval::ContainsTime(int64_t unix_ms) const {
  int64_t secs = unix_ms / 1000 - (unix_ms % 1000 < 0);
  int32_t offset = location ? location->OffsetAt(secs) : 0;
  Civil t = ToCivil(secs + offset);
  if (times) {
    bool in = std::any_of(times->begin(), times->end(), [&](const TimeRange& r) {
      return t.minute_of_day >= r.start_minute && t.minute_of_day < r.end_minute;
    });
    if (!in) return false;
  }
  if (days_of_month) {
    const int days = DaysInMonth(t.year, t.month);
    bool in = false;
    for (const InclusiveRange& r : *days_of_month) {
      int begin = r.begin < 0 ? days + r.begin + 1 : r.begin;
      int end = r.end < 0 ? days + r.end + 1 : r.end;
      if (begin > days) continue;  // the range starts after this month's end
      begin = std::clamp(begin, -days, days);
      end = std::clamp(end, -days, days);
      if (t.day >= begin && t.day <= end) {
        in = true;
        break;
      }
    }
    if (!in) return false;
  }
  if (months) {
    bool in = std::any_of(months->begin(), months->end(), [&](const InclusiveRange& r) {
      return t.month >= r.begin && t.month <= r.end;
    });
    if (!in) return false;
  }
  if (weekdays) {
    bool in = std::any_of(weekdays->begin(), weekdays->end(), [&](const InclusiveRange& r) {
      return t.weekday >= r.begin && t.weekday <= r.end;
    });
    if (!in) return false;
  }
  if (years) {
    bool in = std::any_of(years->begin(), years->end(), [&](const InclusiveRange& r) {
      return t.year >= r.begin && t.year <= r.end;
    });
    if (!in) return false;
  }
  return true;
}

}  // namespace alerting::config

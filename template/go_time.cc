#include "template/go_time.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

namespace tmpl {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

constexpr const char* kLongDayNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
constexpr const char* kLongMonthNames[] = {"January",   "February", "March",    "April",
                                           "May",       "June",     "July",     "August",
                                           "September", "October",  "November", "December"};

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

void AppendInt(std::string* b, int64_t x, int width) {
  bool neg = x < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + u % 10));
    u /= 10;
  } while (u != 0);
  while (static_cast<int>(digits.size()) < width) digits.push_back('0');
  if (neg) b->push_back('-');
  b->append(digits.rbegin(), digits.rend());
}

// ---- POSIX TZ rules (the TZif footer), as Go's time/zoneinfo.go tzset.

struct TzRule {
  enum Kind { kJulian, kDOY, kMonthWeekDay } kind = kMonthWeekDay;
  int day = 0, week = 0, mon = 0;
  int time = 2 * 3600;
};

bool TzName(std::string_view* s, std::string* name) {
  if (s->empty()) return false;
  if ((*s)[0] == '<') {
    size_t end = s->find('>');
    if (end == std::string_view::npos || end < 2) return false;
    *name = std::string(s->substr(1, end - 1));
    s->remove_prefix(end + 1);
    return true;
  }
  size_t i = 0;
  while (i < s->size() && (*s)[i] != '-' && (*s)[i] != '+' && (*s)[i] != ',' &&
         ((*s)[i] < '0' || (*s)[i] > '9'))
    ++i;
  if (i < 3) return false;
  *name = std::string(s->substr(0, i));
  s->remove_prefix(i);
  return true;
}

bool TzNum(std::string_view* s, int min, int max, int* out) {
  size_t i = 0;
  int n = 0;
  while (i < s->size() && (*s)[i] >= '0' && (*s)[i] <= '9') {
    n = n * 10 + ((*s)[i] - '0');
    if (n > 100000) return false;
    ++i;
  }
  if (i == 0 || n < min || n > max) return false;
  s->remove_prefix(i);
  *out = n;
  return true;
}

// [+-]hh[:mm[:ss]] in seconds.
bool TzOffset(std::string_view* s, int* out) {
  int sign = 1;
  if (!s->empty() && ((*s)[0] == '+' || (*s)[0] == '-')) {
    if ((*s)[0] == '-') sign = -1;
    s->remove_prefix(1);
  }
  int h, m = 0, sec = 0;
  if (!TzNum(s, 0, 24 * 7, &h)) return false;
  if (!s->empty() && (*s)[0] == ':') {
    s->remove_prefix(1);
    if (!TzNum(s, 0, 59, &m)) return false;
    if (!s->empty() && (*s)[0] == ':') {
      s->remove_prefix(1);
      if (!TzNum(s, 0, 59, &sec)) return false;
    }
  }
  *out = sign * (h * 3600 + m * 60 + sec);
  return true;
}

bool TzParseRule(std::string_view* s, TzRule* r) {
  if (s->empty()) return false;
  if ((*s)[0] == 'J') {
    s->remove_prefix(1);
    r->kind = TzRule::kJulian;
    if (!TzNum(s, 1, 365, &r->day)) return false;
  } else if ((*s)[0] == 'M') {
    s->remove_prefix(1);
    r->kind = TzRule::kMonthWeekDay;
    if (!TzNum(s, 1, 12, &r->mon)) return false;
    if (s->empty() || (*s)[0] != '.') return false;
    s->remove_prefix(1);
    if (!TzNum(s, 1, 5, &r->week)) return false;
    if (s->empty() || (*s)[0] != '.') return false;
    s->remove_prefix(1);
    if (!TzNum(s, 0, 6, &r->day)) return false;
  } else {
    r->kind = TzRule::kDOY;
    if (!TzNum(s, 0, 365, &r->day)) return false;
  }
  r->time = 2 * 3600;
  if (!s->empty() && (*s)[0] == '/') {
    s->remove_prefix(1);
    if (!TzOffset(s, &r->time)) return false;
  }
  return true;
}

// Seconds from the start of `year` (UTC) at which the rule fires, for a zone `offset` east.
int64_t TzRuleTime(int64_t year, const TzRule& r, int offset) {
  int64_t s = 0;
  switch (r.kind) {
    case TzRule::kJulian:
      s = (r.day - 1) * kSecondsPerDay;
      if (IsLeap(year) && r.day >= 60) s += kSecondsPerDay;
      break;
    case TzRule::kDOY:
      s = r.day * kSecondsPerDay;
      break;
    case TzRule::kMonthWeekDay: {
      int64_t first = DaysFromCivil(year, r.mon, 1);
      int64_t jan1 = DaysFromCivil(year, 1, 1);
      int wd = static_cast<int>(((first % 7) + 7 + 4) % 7);  // weekday of the 1st
      int d = r.day - wd;
      if (d < 0) d += 7;
      static constexpr int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      int mdays = kDaysIn[r.mon - 1] + (r.mon == 2 && IsLeap(year) ? 1 : 0);
      for (int i = 1; i < r.week; ++i) {
        if (d + 7 >= mdays) break;
        d += 7;
      }
      s = (first - jan1 + d) * kSecondsPerDay;
      break;
    }
  }
  return s + r.time - offset;
}

// Evaluates a POSIX TZ string at Unix second t; false if the string is not understood.
bool TzSet(std::string_view s, int64_t t, Location::Zone* out) {
  std::string std_name, dst_name;
  int std_offset, dst_offset;
  if (!TzName(&s, &std_name) || !TzOffset(&s, &std_offset)) return false;
  std_offset = -std_offset;
  if (s.empty() || s[0] == ',') {
    if (!s.empty()) return false;
    *out = {std_name, std_offset};
    return true;
  }
  if (!TzName(&s, &dst_name)) return false;
  if (s.empty() || s[0] == ',' || s[0] == ';') {
    dst_offset = std_offset + 3600;
  } else {
    if (!TzOffset(&s, &dst_offset)) return false;
    dst_offset = -dst_offset;
  }
  if (s.empty()) s = ",M3.2.0,M11.1.0";
  if (s[0] != ',' && s[0] != ';') return false;
  s.remove_prefix(1);
  TzRule start, end;
  if (!TzParseRule(&s, &start) || s.empty() || s[0] != ',') return false;
  s.remove_prefix(1);
  if (!TzParseRule(&s, &end) || !s.empty()) return false;

  int64_t days = FloorDiv(t + std_offset, kSecondsPerDay);
  int64_t year;
  int m, d;
  CivilFromDays(days, &year, &m, &d);
  int64_t year_start = DaysFromCivil(year, 1, 1) * kSecondsPerDay;
  int64_t ysec = t - year_start;
  int64_t start_sec = TzRuleTime(year, start, std_offset);
  int64_t end_sec = TzRuleTime(year, end, dst_offset);
  bool dst_is_dst = true, std_is_dst = false;
  if (end_sec < start_sec) {
    std::swap(start_sec, end_sec);
    std::swap(std_name, dst_name);
    std::swap(std_offset, dst_offset);
    std::swap(dst_is_dst, std_is_dst);
  }
  if (ysec < start_sec || ysec >= end_sec) {
    *out = {std_name, std_offset};
  } else {
    *out = {dst_name, dst_offset};
  }
  return true;
}

uint32_t Be32(std::string_view d, size_t off) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(d[off])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(d[off + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(d[off + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(d[off + 3]));
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

void AppendNano(std::string* b, int32_t nanos, int digits, bool trim, char sep) {
  std::string frac;
  AppendInt(&frac, nanos, 9);
  frac.resize(static_cast<size_t>(digits));
  if (trim) {
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    if (frac.empty()) return;
  }
  b->push_back(sep);
  *b += frac;
}

}  // namespace

std::shared_ptr<const Location> Location::Utc() {
  static const std::shared_ptr<const Location> utc = Fixed("UTC", 0);
  return utc;
}

std::shared_ptr<const Location> Location::Fixed(std::string name, int32_t offset_seconds) {
  auto loc = std::make_shared<Location>();
  loc->zones_.push_back({name, offset_seconds});
  loc->name_ = std::move(name);
  return loc;
}

Location::Zone Location::Lookup(int64_t t) const {
  if (zones_.empty()) return {"UTC", 0};
  if (transitions_.empty() || t < transitions_.front().at) {
    if (transitions_.empty() && !extend_.empty()) {
      Zone z;
      if (TzSet(extend_, t, &z)) return z;
    }
    return zones_[static_cast<size_t>(first_zone_)];
  }
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t,
                             [](int64_t v, const Transition& tr) { return v < tr.at; });
  --it;
  if (it + 1 == transitions_.end() && !extend_.empty()) {
    Zone z;
    if (TzSet(extend_, t, &z)) return z;
  }
  return zones_[static_cast<size_t>(it->zone)];
}

base::Result<std::shared_ptr<const Location>> Location::FromTzif(std::string name,
                                                                 std::string_view data) {
  auto bad = [] { return base::InvalidArgument("malformed time zone information"); };
  if (data.size() < 44 || data.substr(0, 4) != "TZif") return bad();
  char version = data[4];
  auto counts = [&](size_t off, uint32_t n[6]) {
    for (int i = 0; i < 6; ++i) n[i] = Be32(data, off + 20 + 4 * static_cast<size_t>(i));
  };
  // Order of the counts: isutcnt isstdcnt leapcnt timecnt typecnt charcnt.
  uint32_t n[6];
  counts(0, n);
  size_t pos = 44;
  int time_size = 4;
  if (version >= '2') {
    size_t v1 = static_cast<size_t>(n[3]) * 5 + static_cast<size_t>(n[4]) * 6 + n[5] +
                static_cast<size_t>(n[2]) * 8 + n[1] + n[0];
    pos += v1;
    if (data.size() < pos + 44 || data.substr(pos, 4) != "TZif") return bad();
    counts(pos, n);
    pos += 44;
    time_size = 8;
  }
  const uint32_t timecnt = n[3], typecnt = n[4], charcnt = n[5];
  size_t need = static_cast<size_t>(timecnt) * (static_cast<size_t>(time_size) + 1) +
                static_cast<size_t>(typecnt) * 6 + charcnt;
  if (typecnt == 0 || data.size() < pos + need) return bad();
  auto loc = std::make_shared<Location>();
  loc->name_ = std::move(name);
  std::vector<int64_t> times(timecnt);
  for (uint32_t i = 0; i < timecnt; ++i) {
    if (time_size == 8) {
      uint64_t v = (static_cast<uint64_t>(Be32(data, pos)) << 32) | Be32(data, pos + 4);
      times[i] = static_cast<int64_t>(v);
    } else {
      times[i] = static_cast<int32_t>(Be32(data, pos));
    }
    pos += static_cast<size_t>(time_size);
  }
  std::vector<int> idx(timecnt);
  for (uint32_t i = 0; i < timecnt; ++i) {
    idx[i] = static_cast<uint8_t>(data[pos++]);
    if (static_cast<uint32_t>(idx[i]) >= typecnt) return bad();
  }
  std::vector<bool> is_dst(typecnt);
  std::vector<int> abbr_index(typecnt);
  for (uint32_t i = 0; i < typecnt; ++i) {
    int32_t off = static_cast<int32_t>(Be32(data, pos));
    is_dst[i] = data[pos + 4] != 0;
    abbr_index[i] = static_cast<uint8_t>(data[pos + 5]);
    loc->zones_.push_back({"", off});
    pos += 6;
  }
  std::string_view chars = data.substr(pos, charcnt);
  for (uint32_t i = 0; i < typecnt; ++i) {
    size_t start = static_cast<size_t>(abbr_index[i]);
    if (start > chars.size()) return bad();
    size_t end = chars.find('\0', start);
    if (end == std::string_view::npos) end = chars.size();
    loc->zones_[i].abbreviation = std::string(chars.substr(start, end - start));
  }
  pos += charcnt;
  for (uint32_t i = 0; i < timecnt; ++i) loc->transitions_.push_back({times[i], idx[i]});
  if (version >= '2') {
    pos += static_cast<size_t>(n[2]) * 12 + n[1] + n[0];
    if (pos < data.size() && data[pos] == '\n') {
      size_t end = data.find('\n', pos + 1);
      if (end != std::string_view::npos)
        loc->extend_ = std::string(data.substr(pos + 1, end - pos - 1));
    }
  }
  // The zone before the first transition, as Go's lookupFirstZone.
  bool zone0_used = false;
  for (const auto& tr : loc->transitions_) zone0_used = zone0_used || tr.zone == 0;
  loc->first_zone_ = 0;
  if (zone0_used) {
    int found = -1;
    if (!loc->transitions_.empty() && is_dst[static_cast<size_t>(loc->transitions_[0].zone)]) {
      for (int zi = loc->transitions_[0].zone - 1; zi >= 0 && found < 0; --zi)
        if (!is_dst[static_cast<size_t>(zi)]) found = zi;
    }
    for (size_t zi = 0; zi < is_dst.size() && found < 0; ++zi)
      if (!is_dst[zi]) found = static_cast<int>(zi);
    loc->first_zone_ = found < 0 ? 0 : found;
  }
  return std::shared_ptr<const Location>(loc);
}

base::Result<std::shared_ptr<const Location>> Location::Load(std::string_view name) {
  if (name.empty() || name == "UTC") return Utc();
  if (name == "Local") {
    const char* tz = std::getenv("TZ");
    if (tz != nullptr && *tz != '\0') {
      std::string_view tzname(tz);
      if (tzname.front() == ':') tzname.remove_prefix(1);
      if (tzname == "UTC" || tzname.empty()) return Fixed("Local", 0);
      std::string data;
      std::string path = tzname.front() == '/' ? std::string(tzname)
                                               : "/usr/share/zoneinfo/" + std::string(tzname);
      if (ReadFile(path, &data)) return FromTzif("Local", data);
    }
    std::string data;
    if (ReadFile("/etc/localtime", &data)) {
      auto loc = FromTzif("Local", data);
      if (loc.ok()) return loc;
    }
    return Fixed("Local", 0);
  }
  // Go refuses names that could escape the zoneinfo directory.
  if (name.find("..") != std::string_view::npos || name.front() == '/' || name.front() == '\\' ||
      name.find(':') != std::string_view::npos) {
    return base::InvalidArgument("time: invalid location name");
  }
  std::string dir = "/usr/share/zoneinfo";
  if (const char* zi = std::getenv("ZONEINFO"); zi != nullptr && *zi != '\0') dir = zi;
  std::string data;
  if (!ReadFile(dir + "/" + std::string(name), &data) || data.substr(0, 4) != "TZif") {
    return base::InvalidArgument("unknown time zone " + std::string(name));
  }
  return FromTzif(std::string(name), data);
}

Time Time::FromUnix(int64_t seconds, int64_t nanos) {
  if (nanos < 0 || nanos >= 1000000000) {
    int64_t q = FloorDiv(nanos, 1000000000);
    seconds += q;
    nanos -= q * 1000000000;
  }
  Time t;
  t.unix_seconds = seconds;
  t.nanos = static_cast<int32_t>(nanos);
  return t;
}

Time Time::In(std::shared_ptr<const Location> loc) const {
  Time t = *this;
  t.location = std::move(loc);
  return t;
}

Time Time::Add(Duration d) const {
  int64_t dsec = d.ns / 1000000000;
  int64_t nsec = nanos + d.ns % 1000000000;
  if (nsec >= 1000000000) {
    ++dsec;
    nsec -= 1000000000;
  } else if (nsec < 0) {
    --dsec;
    nsec += 1000000000;
  }
  Time t = *this;
  t.unix_seconds += dsec;
  t.nanos = static_cast<int32_t>(nsec);
  return t;
}

Duration Time::Sub(const Time& u) const {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  int64_t secs, ns;
  bool overflow = __builtin_sub_overflow(unix_seconds, u.unix_seconds, &secs) ||
                  __builtin_mul_overflow(secs, int64_t{1000000000}, &ns) ||
                  __builtin_add_overflow(ns, int64_t{nanos} - u.nanos, &ns);
  if (overflow) return {Before(u) ? kMin : kMax};
  return {ns};
}

Time::Civil Time::Fields() const {
  Location::Zone z = location ? location->Lookup(unix_seconds) : Location::Zone{"UTC", 0};
  int64_t local = unix_seconds + z.offset_seconds;
  int64_t days = FloorDiv(local, kSecondsPerDay);
  int64_t secs = local - days * kSecondsPerDay;
  Civil c;
  CivilFromDays(days, &c.year, &c.month, &c.day);
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>(secs / 60 % 60);
  c.second = static_cast<int>(secs % 60);
  c.weekday = static_cast<int>(((days % 7) + 7 + 4) % 7);
  c.yday = static_cast<int>(days - DaysFromCivil(c.year, 1, 1) + 1);
  c.offset = z.offset_seconds;
  c.zone = z.abbreviation;
  return c;
}

std::string Time::Format(std::string_view layout) const {
  Civil c = Fields();
  std::string b;
  size_t i = 0;
  auto starts = [&](std::string_view p) { return layout.substr(i, p.size()) == p; };
  auto is_digit = [&](size_t j) {
    return j < layout.size() && layout[j] >= '0' && layout[j] <= '9';
  };
  // Numeric zone offsets: kind selects Z (ISO 8601) and the parts written.
  auto num_tz = [&](bool iso, bool colon, bool minutes, bool seconds) {
    if (iso && c.offset == 0) {
      b.push_back('Z');
      return;
    }
    int zone = c.offset / 60;
    int abs_offset = c.offset;
    if (zone < 0) {
      b.push_back('-');
      zone = -zone;
      abs_offset = -abs_offset;
    } else {
      b.push_back('+');
    }
    AppendInt(&b, zone / 60, 2);
    if (colon) b.push_back(':');
    if (minutes) AppendInt(&b, zone % 60, 2);
    if (seconds) {
      if (colon) b.push_back(':');
      AppendInt(&b, abs_offset % 60, 2);
    }
  };
  while (i < layout.size()) {
    char ch = layout[i];
    size_t adv = 0;
    switch (ch) {
      case 'J':
        if (starts("January")) {
          b += kLongMonthNames[c.month - 1];
          adv = 7;
        } else if (starts("Jan")) {
          b += std::string_view(kLongMonthNames[c.month - 1]).substr(0, 3);
          adv = 3;
        }
        break;
      case 'M':
        if (starts("Monday")) {
          b += kLongDayNames[c.weekday];
          adv = 6;
        } else if (starts("Mon")) {
          b += std::string_view(kLongDayNames[c.weekday]).substr(0, 3);
          adv = 3;
        } else if (starts("MST")) {
          if (!c.zone.empty()) {
            b += c.zone;
          } else {
            int zone = c.offset / 60;
            b.push_back(zone < 0 ? '-' : '+');
            if (zone < 0) zone = -zone;
            AppendInt(&b, zone / 60, 2);
            AppendInt(&b, zone % 60, 2);
          }
          adv = 3;
        }
        break;
      case '0':
        if (i + 1 < layout.size() && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          switch (layout[i + 1]) {
            case '1':
              AppendInt(&b, c.month, 2);
              break;
            case '2':
              AppendInt(&b, c.day, 2);
              break;
            case '3':
              AppendInt(&b, c.hour % 12 == 0 ? 12 : c.hour % 12, 2);
              break;
            case '4':
              AppendInt(&b, c.minute, 2);
              break;
            case '5':
              AppendInt(&b, c.second, 2);
              break;
            case '6':
              AppendInt(&b, ((c.year % 100) + 100) % 100, 2);
              break;
          }
          adv = 2;
        } else if (starts("002")) {
          AppendInt(&b, c.yday, 3);
          adv = 3;
        }
        break;
      case '1':
        if (starts("15")) {
          AppendInt(&b, c.hour, 2);
          adv = 2;
        } else {
          AppendInt(&b, c.month, 0);
          adv = 1;
        }
        break;
      case '2':
        if (starts("2006")) {
          AppendInt(&b, c.year, 4);
          adv = 4;
        } else {
          AppendInt(&b, c.day, 0);
          adv = 1;
        }
        break;
      case '_':
        if (starts("_2")) {
          if (starts("_2006")) {
            b.push_back('_');
            AppendInt(&b, c.year, 4);
            adv = 5;
          } else {
            if (c.day < 10) b.push_back(' ');
            AppendInt(&b, c.day, 0);
            adv = 2;
          }
        } else if (starts("__2")) {
          if (c.yday < 100) b.push_back(' ');
          if (c.yday < 10) b.push_back(' ');
          AppendInt(&b, c.yday, 0);
          adv = 3;
        }
        break;
      case '3':
        AppendInt(&b, c.hour % 12 == 0 ? 12 : c.hour % 12, 0);
        adv = 1;
        break;
      case '4':
        AppendInt(&b, c.minute, 0);
        adv = 1;
        break;
      case '5':
        AppendInt(&b, c.second, 0);
        adv = 1;
        break;
      case 'P':
        if (starts("PM")) {
          b += c.hour >= 12 ? "PM" : "AM";
          adv = 2;
        }
        break;
      case 'p':
        if (starts("pm")) {
          b += c.hour >= 12 ? "pm" : "am";
          adv = 2;
        }
        break;
      case '-':
        if (starts("-07:00:00")) {
          num_tz(false, true, true, true);
          adv = 9;
        } else if (starts("-070000")) {
          num_tz(false, false, true, true);
          adv = 7;
        } else if (starts("-07:00")) {
          num_tz(false, true, true, false);
          adv = 6;
        } else if (starts("-0700")) {
          num_tz(false, false, true, false);
          adv = 5;
        } else if (starts("-07")) {
          num_tz(false, false, false, false);
          adv = 3;
        }
        break;
      case 'Z':
        if (starts("Z07:00:00")) {
          num_tz(true, true, true, true);
          adv = 9;
        } else if (starts("Z070000")) {
          num_tz(true, false, true, true);
          adv = 7;
        } else if (starts("Z07:00")) {
          num_tz(true, true, true, false);
          adv = 6;
        } else if (starts("Z0700")) {
          num_tz(true, false, true, false);
          adv = 5;
        } else if (starts("Z07")) {
          num_tz(true, false, false, false);
          adv = 3;
        }
        break;
      case '.':
      case ',':
        if (i + 1 < layout.size() && (layout[i + 1] == '0' || layout[i + 1] == '9')) {
          char d = layout[i + 1];
          size_t j = i + 1;
          while (j < layout.size() && layout[j] == d) ++j;
          if (!is_digit(j)) {
            int digits = static_cast<int>(std::min<size_t>(j - (i + 1), 9));
            AppendNano(&b, nanos, digits, d == '9', ch);
            adv = j - i;
          }
        }
        break;
      default:
        break;
    }
    if (adv == 0) {
      b.push_back(ch);
      adv = 1;
    }
    i += adv;
  }
  return b;
}

std::string Time::String() const { return Format("2006-01-02 15:04:05.999999999 -0700 MST"); }

std::string FormatGoDuration(Duration d) {
  // As Go's time.Duration.String.
  char buf[32];
  int w = static_cast<int>(sizeof buf);
  uint64_t u = static_cast<uint64_t>(d.ns);
  bool neg = d.ns < 0;
  if (neg) u = 0 - u;
  auto fmt_frac = [&](uint64_t v, int prec) {
    bool print = false;
    for (int i = 0; i < prec; ++i) {
      int digit = static_cast<int>(v % 10);
      print = print || digit != 0;
      if (print) buf[--w] = static_cast<char>('0' + digit);
      v /= 10;
    }
    if (print) buf[--w] = '.';
    return v;
  };
  auto fmt_int = [&](uint64_t v) {
    if (v == 0) {
      buf[--w] = '0';
    } else {
      while (v > 0) {
        buf[--w] = static_cast<char>('0' + v % 10);
        v /= 10;
      }
    }
  };
  std::string out;
  if (u < 1000000000) {
    if (u == 0) return "0s";
    int prec;
    const char* unit;
    if (u < 1000) {
      prec = 0;
      unit = "ns";
    } else if (u < 1000000) {
      prec = 3;
      unit = "\xC2\xB5s";  // U+00B5 'µ'
    } else {
      prec = 6;
      unit = "ms";
    }
    u = fmt_frac(u, prec);
    fmt_int(u);
    out.assign(buf + w, buf + sizeof buf);
    out += unit;
  } else {
    buf[--w] = 's';
    u = fmt_frac(u, 9);
    fmt_int(u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      fmt_int(u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        fmt_int(u);
      }
    }
    out.assign(buf + w, buf + sizeof buf);
  }
  if (neg) out.insert(out.begin(), '-');
  return out;
}

}  // namespace tmpl

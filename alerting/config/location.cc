#include "alerting/config/location.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace alerting::config {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr int kDaysBefore[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }
int DaysIn(int mon, int64_t year) {
  if (mon == 2 && IsLeap(year)) return 29;
  return kDaysBefore[mon] - kDaysBefore[mon - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Year of a day count since the epoch and the day of that year (0-based).
void YearAndYday(int64_t days, int64_t* year, int64_t* yday) {
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  *year = y;
  *yday = days - DaysFromCivil(y, 1, 1);
}

uint32_t Be32(std::string_view d, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(d[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(d[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(d[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(d[at + 3]));
}
int64_t Be64(std::string_view d, size_t at) {
  return static_cast<int64_t>((static_cast<uint64_t>(Be32(d, at)) << 32) | Be32(d, at + 4));
}

// POSIX TZ string scanning, as Go's time package (tzsetName, tzsetOffset, tzsetRule).
class TzScanner {
 public:
  explicit TzScanner(std::string_view s) : s_(s) {}
  bool done() const { return s_.empty(); }
  bool Consume(char c) {
    if (!s_.empty() && s_.front() == c) {
      s_.remove_prefix(1);
      return true;
    }
    return false;
  }
  char Peek() const { return s_.empty() ? '\0' : s_.front(); }

  bool Name() {
    if (s_.empty()) return false;
    if (s_.front() == '<') {
      size_t end = s_.find('>');
      if (end == std::string_view::npos) return false;
      s_.remove_prefix(end + 1);
      return true;
    }
    size_t i = 0;
    while (i < s_.size() &&
           std::string_view("0123456789-+,").find(s_[i]) == std::string_view::npos) {
      ++i;
    }
    if (i < 3) return false;
    s_.remove_prefix(i);
    return true;
  }

  // [+-]hh[:mm[:ss]] in seconds; hours up to 24*7 as Go allows.
  bool Offset(int* out) {
    int sign = 1;
    if (Consume('+')) {
    } else if (Consume('-')) {
      sign = -1;
    }
    int hours;
    if (!Num(0, 24 * 7, &hours)) return false;
    int off = hours * 3600;
    if (Consume(':')) {
      int mins;
      if (!Num(0, 59, &mins)) return false;
      off += mins * 60;
      if (Consume(':')) {
        int secs;
        if (!Num(0, 59, &secs)) return false;
        off += secs;
      }
    }
    *out = sign * off;
    return true;
  }

  bool RuleSpec(Location::Rule* r) {
    using Kind = Location::Rule::Kind;
    if (Consume('J')) {
      r->kind = Kind::kJulian;
      if (!Num(1, 365, &r->day)) return false;
    } else if (Consume('M')) {
      r->kind = Kind::kMonthWeekDay;
      if (!Num(1, 12, &r->mon) || !Consume('.') || !Num(1, 5, &r->week) || !Consume('.') ||
          !Num(0, 6, &r->day)) {
        return false;
      }
    } else if (Peek() >= '0' && Peek() <= '9') {
      r->kind = Kind::kDayOfYear;
      if (!Num(0, 365, &r->day)) return false;
    } else {
      return false;
    }
    r->time = 2 * 3600;
    if (Consume('/')) {
      if (!Offset(&r->time)) return false;
    }
    return true;
  }

 private:
  bool Num(int min, int max, int* out) {
    size_t i = 0;
    int64_t n = 0;
    while (i < s_.size() && s_[i] >= '0' && s_[i] <= '9' && i < 9) {
      n = n * 10 + (s_[i] - '0');
      ++i;
    }
    if (i == 0 || n < min || n > max) return false;
    s_.remove_prefix(i);
    *out = static_cast<int>(n);
    return true;
  }
  std::string_view s_;
};

// Seconds after the start of `year` (UTC) at which rule `r` fires, for a zone whose offset
// before the change is `off` (Go's tzruleTime).
int64_t RuleTime(int64_t year, const Location::Rule& r, int32_t off) {
  using Kind = Location::Rule::Kind;
  int64_t s = 0;
  switch (r.kind) {
    case Kind::kJulian:
      s = (r.day - 1) * kSecondsPerDay;
      if (IsLeap(year) && r.day >= 60) s += kSecondsPerDay;
      break;
    case Kind::kDayOfYear:
      s = r.day * kSecondsPerDay;
      break;
    case Kind::kMonthWeekDay: {
      // Weekday of the first day of the month, then the w-th occurrence of weekday d.
      int64_t first = DaysFromCivil(year, static_cast<unsigned>(r.mon), 1);
      int dow = static_cast<int>(((first % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
      int d = r.day - dow;
      if (d < 0) d += 7;
      for (int i = 1; i < r.week; ++i) {
        if (d + 7 >= DaysIn(r.mon, year)) break;
        d += 7;
      }
      d += kDaysBefore[r.mon - 1];
      if (IsLeap(year) && r.mon > 2) ++d;
      s = d * kSecondsPerDay;
      break;
    }
  }
  return s + r.time - off;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return false;
  *out = ss.str();
  return true;
}

}  // namespace

std::shared_ptr<const Location> Location::Utc() {
  static const std::shared_ptr<const Location> utc(new Location("UTC"));
  return utc;
}

base::Result<std::shared_ptr<const Location>> Location::Load(std::string_view name) {
  if (name.empty() || name == "UTC") return Utc();
  if (name == "Local") {
    const char* tz = std::getenv("TZ");
    std::string data;
    if (tz == nullptr) {
      if (ReadFile("/etc/localtime", &data)) {
        if (auto loc = FromTzif("Local", data); loc.has_value()) return loc;
      }
      return Utc();
    }
    std::string_view t = tz;
    if (!t.empty() && t.front() == ':') t.remove_prefix(1);
    if (t.empty() || t == "UTC") return Utc();
    std::string path = t.front() == '/' ? std::string(t) : "/usr/share/zoneinfo/" + std::string(t);
    if (ReadFile(path, &data)) {
      if (auto loc = FromTzif("Local", data); loc.has_value()) return loc;
    }
    return Utc();
  }
  if (name.find("..") != std::string_view::npos || name.front() == '/' || name.front() == '\\') {
    return base::InvalidArgument("time: invalid location name");
  }
  std::vector<std::string> dirs;
  if (const char* zi = std::getenv("ZONEINFO"); zi != nullptr && *zi != '\0') dirs.push_back(zi);
  dirs.insert(dirs.end(), {"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ"});
  std::string data;
  for (const std::string& dir : dirs) {
    if (!ReadFile(dir + "/" + std::string(name), &data)) continue;
    auto loc = FromTzif(std::string(name), data);
    if (loc.has_value()) return loc;
    return base::InvalidArgument("malformed time zone information");
  }
  return base::InvalidArgument("unknown time zone " + std::string(name));
}

base::Result<std::shared_ptr<const Location>> Location::FromTzif(std::string name,
                                                                 std::string_view data) {
  auto bad = [] { return base::InvalidArgument("malformed time zone information"); };
  if (data.size() < 44 || data.substr(0, 4) != "TZif") return bad();
  char version = data[4];
  std::shared_ptr<Location> loc(new Location(std::move(name)));

  auto parse_block = [&](size_t at, int time_size, size_t* end) -> bool {
    if (data.size() < at + 44 || data.substr(at, 4) != "TZif") return false;
    uint32_t isutcnt = Be32(data, at + 20), isstdcnt = Be32(data, at + 24),
             leapcnt = Be32(data, at + 28), timecnt = Be32(data, at + 32),
             typecnt = Be32(data, at + 36), charcnt = Be32(data, at + 40);
    size_t p = at + 44;
    size_t need = static_cast<size_t>(timecnt) * time_size + timecnt + typecnt * 6ull + charcnt +
                  leapcnt * static_cast<size_t>(time_size + 4) + isstdcnt + isutcnt;
    if (data.size() < p + need || typecnt == 0) return false;
    loc->transitions_.clear();
    loc->transition_idx_.clear();
    loc->offsets_.clear();
    loc->is_dst_.clear();
    for (uint32_t i = 0; i < timecnt; ++i) {
      int64_t t = time_size == 8 ? Be64(data, p + i * 8ull)
                                 : static_cast<int32_t>(Be32(data, p + i * 4ull));
      loc->transitions_.push_back(t);
    }
    p += static_cast<size_t>(timecnt) * time_size;
    for (uint32_t i = 0; i < timecnt; ++i) {
      uint8_t idx = static_cast<uint8_t>(data[p + i]);
      if (idx >= typecnt) return false;
      loc->transition_idx_.push_back(idx);
    }
    p += timecnt;
    for (uint32_t i = 0; i < typecnt; ++i) {
      loc->offsets_.push_back(static_cast<int32_t>(Be32(data, p + i * 6ull)));
      loc->is_dst_.push_back(data[p + i * 6ull + 4] != 0);
    }
    *end = at + 44 + need;
    return true;
  };

  size_t end = 0;
  if (!parse_block(0, 4, &end)) return bad();
  if (version >= '2') {
    size_t end2 = 0;
    if (!parse_block(end, 8, &end2)) return bad();
    // Footer: "\n" TZ "\n".
    if (end2 < data.size() && data[end2] == '\n') {
      size_t close = data.find('\n', end2 + 1);
      if (close != std::string_view::npos) {
        std::string_view tz = data.substr(end2 + 1, close - end2 - 1);
        if (!tz.empty()) loc->has_footer_ = loc->ParseFooter(tz);
      }
    }
  }
  return std::shared_ptr<const Location>(std::move(loc));
}

bool Location::ParseFooter(std::string_view tz) {
  TzScanner s(tz);
  int off;
  if (!s.Name() || !s.Offset(&off)) return false;
  std_offset_ = -off;
  if (s.done()) {
    footer_has_dst_ = false;
    return true;
  }
  if (!s.Name()) return false;
  dst_offset_ = std_offset_ + 3600;
  if (!s.done() && s.Peek() != ',') {
    if (!s.Offset(&off)) return false;
    dst_offset_ = -off;
  }
  footer_has_dst_ = true;
  if (s.done()) {
    // Go's default: the US rules "M3.2.0,M11.1.0".
    start_rule_ = Rule{Rule::Kind::kMonthWeekDay, 0, 2, 3, 7200};
    end_rule_ = Rule{Rule::Kind::kMonthWeekDay, 0, 1, 11, 7200};
    return true;
  }
  if (!s.Consume(',') || !s.RuleSpec(&start_rule_) || !s.Consume(',') || !s.RuleSpec(&end_rule_) ||
      !s.done()) {
    return false;
  }
  return true;
}

int32_t Location::FooterOffset(int64_t sec) const {
  if (!footer_has_dst_) return std_offset_;
  int64_t days = FloorDiv(sec, kSecondsPerDay);
  int64_t year, yday;
  YearAndYday(days, &year, &yday);
  int64_t ysec = yday * kSecondsPerDay + (sec - days * kSecondsPerDay);
  int64_t start = RuleTime(year, start_rule_, std_offset_);
  int64_t end = RuleTime(year, end_rule_, dst_offset_);
  bool dst_is_dst = true, std_is_dst = false;
  if (end < start) {
    std::swap(start, end);
    std::swap(dst_is_dst, std_is_dst);
  }
  bool dst;
  if (ysec < start) {
    dst = std_is_dst;
  } else if (ysec >= end) {
    dst = std_is_dst;
  } else {
    dst = dst_is_dst;
  }
  return dst ? dst_offset_ : std_offset_;
}

int32_t Location::OffsetAt(int64_t sec) const {
  if (offsets_.empty()) {
    return has_footer_ ? FooterOffset(sec) : 0;
  }
  if (transitions_.empty() || sec < transitions_.front()) {
    // Go's lookupFirstZone: the first standard-time type.
    bool first_used =
        std::find(transition_idx_.begin(), transition_idx_.end(), 0) != transition_idx_.end();
    if (!first_used) return offsets_[0];
    if (!transitions_.empty() && is_dst_[transition_idx_[0]]) {
      for (int zi = transition_idx_[0] - 1; zi >= 0; --zi) {
        if (!is_dst_[zi]) return offsets_[zi];
      }
    }
    for (size_t zi = 0; zi < offsets_.size(); ++zi) {
      if (!is_dst_[zi]) return offsets_[zi];
    }
    return offsets_[0];
  }
  if (sec >= transitions_.back() && has_footer_) return FooterOffset(sec);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), sec);
  size_t i = static_cast<size_t>(it - transitions_.begin()) - 1;
  return offsets_[transition_idx_[i]];
}

}  // namespace alerting::config

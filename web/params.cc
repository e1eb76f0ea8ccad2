#include "web/params.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "base/quote.h"

namespace web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualFoldPrefix(std::string_view s, std::string_view word, size_t n) {
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (Lower(s[i]) != word[i]) return false;
  return true;
}

// strconv's underscoreOK: '_' only between digits (or a base prefix and a digit).
bool UnderscoreOk(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// Go's strconv.ParseFloat(s, 64): nullopt on a syntax or range (overflow) error.
std::optional<double> GoParseFloat(std::string_view s) {
  if (s.empty()) return std::nullopt;
  // Special values: [+-]inf, [+-]infinity, nan; case-insensitive.
  {
    std::string_view t = s;
    double sign = 1;
    bool has_sign = false;
    if (t[0] == '+' || t[0] == '-') {
      sign = t[0] == '-' ? -1 : 1;
      has_sign = true;
      t.remove_prefix(1);
    }
    if ((t.size() == 3 && EqualFoldPrefix(t, "inf", 3)) ||
        (t.size() == 8 && EqualFoldPrefix(t, "infinity", 8))) {
      return sign * std::numeric_limits<double>::infinity();
    }
    if (!has_sign && t.size() == 3 && EqualFoldPrefix(t, "nan", 3)) {
      return std::numeric_limits<double>::quiet_NaN();
    }
  }
  // Syntax check of Go's readFloat; builds the text strtod reads, without underscores.
  std::string clean;
  size_t i = 0;
  if (s[i] == '+' || s[i] == '-') clean.push_back(s[i++]);
  bool hex = false;
  if (i + 2 <= s.size() && s[i] == '0' && Lower(s[i + 1]) == 'x') {
    hex = true;
    clean.append("0x");
    i += 2;
  }
  bool underscores = false, saw_dot = false, saw_digits = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c == '.') {
      if (saw_dot) break;
      saw_dot = true;
    } else if ((c >= '0' && c <= '9') || (hex && HexValue(c) >= 0)) {
      saw_digits = true;
    } else {
      break;
    }
    clean.push_back(c);
  }
  if (!saw_digits) return std::nullopt;
  if (i < s.size() && Lower(s[i]) == (hex ? 'p' : 'e')) {
    clean.push_back(s[i++]);
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) clean.push_back(s[i++]);
    bool exp_digits = false;
    for (; i < s.size(); ++i) {
      if (s[i] == '_') {
        underscores = true;
        continue;
      }
      if (s[i] < '0' || s[i] > '9') break;
      exp_digits = true;
      clean.push_back(s[i]);
    }
    if (!exp_digits) return std::nullopt;
  } else if (hex) {
    return std::nullopt;  // a hexadecimal mantissa requires a 'p' exponent
  }
  if (i != s.size()) return std::nullopt;
  if (underscores && !UnderscoreOk(s)) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return std::nullopt;
  if (errno == ERANGE && std::isinf(v)) return std::nullopt;  // overflow; underflow is fine
  return v;
}

// Go's float64 -> int64 conversion on amd64: out of range and NaN give math.MinInt64.
int64_t GoFloatToInt64(double v) {
  if (std::isnan(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(v);
}

int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// timestamp.FromTime(time.Unix(sec, nsec)), with Go's wrapping int64 arithmetic.
model::Timestamp FromUnix(int64_t sec, int64_t nsec) {
  constexpr int64_t kSecond = 1000000000;
  if (nsec < 0 || nsec >= kSecond) {
    int64_t n = nsec / kSecond;
    sec = WrapAdd(sec, n);
    nsec -= n * kSecond;
    if (nsec < 0) {
      nsec += kSecond;
      sec = WrapAdd(sec, -1);
    }
  }
  return WrapAdd(WrapMul(sec, 1000), nsec / 1000000);
}

bool ParseDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysIn(int month, int year) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// time.Parse(time.RFC3339Nano, s) as Go 1.21+ accepts it: its strict fast path
//   YYYY-MM-DDTHH:MM:SS[.d+](Z|(+|-)hh:mm)          hh <= 23, mm <= 59, any number of digits
// and, when that fails, the general layout parser, which also takes a one-digit hour, ',' before
// the fraction (at most 9 digits then) and offsets up to +24:00 or minutes up to 60.
std::optional<model::Timestamp> ParseRfc3339(std::string_view s) {
  int year, month, day, hour, minute, second;
  size_t i = 0;
  if (!ParseDigits(s, 0, 4, &year) || s.size() < 11 || s[4] != '-' ||
      !ParseDigits(s, 5, 2, &month) || s[7] != '-' || !ParseDigits(s, 8, 2, &day) || s[10] != 'T') {
    return std::nullopt;
  }
  i = 11;
  const bool two_digit_hour = ParseDigits(s, i, 2, &hour);
  if (!two_digit_hour && !ParseDigits(s, i, 1, &hour)) return std::nullopt;
  i += two_digit_hour ? 2 : 1;
  if (i >= s.size() || s[i] != ':' || !ParseDigits(s, i + 1, 2, &minute) || i + 3 >= s.size() ||
      s[i + 3] != ':' || !ParseDigits(s, i + 4, 2, &second)) {
    return std::nullopt;
  }
  i += 6;
  if (month < 1 || month > 12 || day < 1 || day > DaysIn(month, year) || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  int64_t nanos = 0;
  size_t frac_digits = 0;
  bool comma = false;
  if (i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && s[i + 1] >= '0' && s[i + 1] <= '9') {
    comma = s[i] == ',';
    size_t j = i + 1;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    frac_digits = j - i - 1;
    int64_t scale = 100000000;
    for (size_t k = 0; k < frac_digits && k < 9; ++k, scale /= 10)
      nanos += (s[i + 1 + k] - '0') * scale;
    i = j;
  }
  int offset_hours = 0, offset_minutes = 0, offset_sign = 1;
  if (i + 1 == s.size() && s[i] == 'Z') {
    // UTC
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
             ParseDigits(s, i + 1, 2, &offset_hours) && ParseDigits(s, i + 4, 2, &offset_minutes)) {
    offset_sign = s[i] == '-' ? -1 : 1;
  } else {
    return std::nullopt;
  }
  const bool fast_path = two_digit_hour && !comma && offset_hours <= 23 && offset_minutes <= 59;
  if (!fast_path && (frac_digits > 9 || offset_hours > 24 || offset_minutes > 60))
    return std::nullopt;
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t unix = days * 86400 + hour * 3600 + minute * 60 + second -
                 offset_sign * (offset_hours * 3600 + offset_minutes * 60);
  return unix * 1000 + nanos / 1000000;
}

}  // namespace

base::Result<std::string> QueryUnescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size() || HexValue(s[i + 1]) < 0 || HexValue(s[i + 2]) < 0) {
        std::string_view bad = s.substr(i, 3);
        return base::InvalidArgument("invalid URL escape " + base::GoQuote(bad));
      }
      out.push_back(static_cast<char>(HexValue(s[i + 1]) << 4 | HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Form::ParseQuery(std::string_view query) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.find(';') != std::string_view::npos) {
      if (parse_error_.ok())
        parse_error_ = base::InvalidArgument("invalid semicolon separator in query");
      continue;
    }
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = QueryUnescape(pair.substr(0, eq));
    if (!key) {
      if (parse_error_.ok()) parse_error_ = key.error();
      continue;
    }
    auto value =
        QueryUnescape(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value) {
      if (parse_error_.ok()) parse_error_ = value.error();
      continue;
    }
    values_.emplace_back(*std::move(key), *std::move(value));
  }
}

Form Form::Parse(std::string_view method, std::string_view query, std::string_view content_type,
                 std::string_view body) {
  Form form;
  if (method == "POST" || method == "PUT" || method == "PATCH") {
    std::string_view media = content_type.substr(0, content_type.find(';'));
    while (!media.empty() && (media.front() == ' ' || media.front() == '\t'))
      media.remove_prefix(1);
    while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
    std::string lower(media);
    for (char& c : lower) c = Lower(c);
    if (lower == "application/x-www-form-urlencoded") form.ParseQuery(body);
  }
  form.ParseQuery(query);
  return form;
}

std::string_view Form::Get(std::string_view key) const {
  for (const auto& [k, v] : values_)
    if (k == key) return v;
  return {};
}

std::vector<std::string_view> Form::GetAll(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : values_)
    if (k == key) out.push_back(v);
  return out;
}

base::Result<model::Timestamp> ParseTime(std::string_view s) {
  if (std::optional<double> f = GoParseFloat(s)) {
    // Go: s, ns := math.Modf(t); ns = math.Round(ns*1000) / 1000;
    //     time.Unix(int64(s), int64(ns*float64(time.Second)))
    double whole, frac;
    if (std::isinf(*f)) {
      whole = *f;
      frac = std::numeric_limits<double>::quiet_NaN();
    } else {
      frac = std::modf(*f, &whole);
    }
    frac = std::round(frac * 1000) / 1000;
    return FromUnix(GoFloatToInt64(whole), GoFloatToInt64(frac * 1e9));
  }
  if (std::optional<model::Timestamp> t = ParseRfc3339(s)) return *t;
  if (s == "-292273086-05-16T16:47:06Z") return kApiMinTime;
  if (s == "292277025-08-18T07:12:54.999999999Z") return kApiMaxTime;
  return base::InvalidArgument("cannot parse " + base::GoQuote(s) + " to a valid timestamp");
}

base::Result<model::Timestamp> ParseTimeParam(const Form& form, std::string_view name,
                                              model::Timestamp default_value) {
  std::string_view v = form.Get(name);
  if (v.empty()) return default_value;
  auto t = ParseTime(v);
  if (!t) {
    return base::InvalidArgument("invalid parameter " + base::GoQuote(name) +
                                 ": invalid time value for '" + std::string(name) +
                                 "': " + t.error().message());
  }
  return *t;
}

base::Result<int64_t> GoAtoi(std::string_view s) {
  auto fail = [&](const char* why) {
    return base::InvalidArgument("strconv.Atoi: parsing " + base::GoQuote(s) + ": " + why);
  };
  std::string_view d = s;
  bool negative = false;
  if (!d.empty() && (d[0] == '+' || d[0] == '-')) {
    negative = d[0] == '-';
    d.remove_prefix(1);
  }
  if (d.empty()) return fail("invalid syntax");
  uint64_t v = 0;
  bool overflow = false;
  for (char c : d) {
    if (c < '0' || c > '9') return fail("invalid syntax");
    if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) overflow = true;
    if (!overflow) v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (overflow || v > limit) return fail("value out of range");
  return negative ? static_cast<int64_t>(~v + 1) : static_cast<int64_t>(v);
}

base::Result<size_t> ParseLimitParam(const Form& form) {
  std::string_view s = form.Get("limit");
  if (s.empty()) return size_t{0};
  auto v = GoAtoi(s);
  if (!v) return base::InvalidArgument("invalid parameter \"limit\": " + v.error().message());
  if (*v < 0)
    return base::InvalidArgument("invalid parameter \"limit\": limit must be non-negative");
  return static_cast<size_t>(*v);
}

}  // namespace web

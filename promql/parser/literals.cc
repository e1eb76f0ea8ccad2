#include "promql/parser/literals.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "base/quote.h"
#include "base/strconv.h"

namespace promql::parser {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsDecimalDigit(char c) { return c >= '0' && c <= '9'; }

// strconv.ParseInt(s, 0, 64) for an unsigned literal; false on any error.
bool GoParseInt(std::string_view s, int64_t* out) {
  uint64_t n;
  if (!base::ParseGoUint(s, &n) || n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  *out = static_cast<int64_t>(n);
  return true;
}

// strconv.ParseFloat(s, 64) for the texts the lexer produces (no sign). Returns 0 on success,
// 1 for a syntax error, 2 for overflow (*out is then +Inf).
int GoParseFloat(std::string_view s, double* out) {
  std::string lower;
  for (char c : s) lower.push_back(Lower(c));
  if (lower == "inf" || lower == "infinity") {
    *out = std::numeric_limits<double>::infinity();
    return 0;
  }
  if (lower == "nan") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return 0;
  }
  // Hexadecimal floats need a 'p' exponent, which PromQL's lexer never produces.
  if (s.size() >= 2 && s[0] == '0' && Lower(s[1]) == 'x') return 1;
  size_t i = 0;
  bool saw_dot = false;
  bool saw_digits = false;
  bool underscores = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      underscores = true;
    } else if (c == '.') {
      if (saw_dot) break;
      saw_dot = true;
    } else if (IsDecimalDigit(c)) {
      saw_digits = true;
    } else {
      break;
    }
  }
  if (!saw_digits) return 1;
  if (i < s.size() && Lower(s[i]) == 'e') {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !IsDecimalDigit(s[i])) return 1;
    for (; i < s.size() && (IsDecimalDigit(s[i]) || s[i] == '_'); ++i) {
      if (s[i] == '_') underscores = true;
    }
  }
  if (underscores && !base::GoUnderscoreOk(s.substr(0, i))) return 1;
  if (i != s.size()) return 1;
  std::string clean;
  for (char c : s) {
    if (c != '_') clean.push_back(c);
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), v);
  if (ec == std::errc::result_out_of_range) {
    // Overflow or underflow: tell them apart by the decimal exponent of the first nonzero digit.
    size_t e = clean.find_first_of("eE");
    std::string_view mant = std::string_view(clean).substr(0, e);
    long exp10 = 0;
    if (e != std::string::npos) {
      std::string_view ex = std::string_view(clean).substr(e + 1);
      bool neg = !ex.empty() && ex[0] == '-';
      if (!ex.empty() && (ex[0] == '-' || ex[0] == '+')) ex.remove_prefix(1);
      for (char c : ex) exp10 = std::min(exp10 * 10 + (c - '0'), 100000L);
      if (neg) exp10 = -exp10;
    }
    size_t dot = mant.find('.');
    size_t int_digits = dot == std::string_view::npos ? mant.size() : dot;
    size_t first_nonzero = mant.find_first_of("123456789");
    long magnitude;
    if (first_nonzero == std::string_view::npos) {
      magnitude = -1;
    } else if (first_nonzero < int_digits) {
      magnitude = static_cast<long>(int_digits - first_nonzero);
    } else {
      magnitude = -static_cast<long>(first_nonzero - int_digits - 1);
    }
    if (magnitude + exp10 > 0) {
      *out = std::numeric_limits<double>::infinity();
      return 2;
    }
    *out = 0;
    return 0;
  }
  if (ec != std::errc() || ptr != clean.data() + clean.size()) return 1;
  *out = v;
  return 0;
}

struct DurationUnit {
  std::string_view name;
  int order;  // units must appear in increasing order
  uint64_t nanos;
};
constexpr uint64_t kSecond = 1000000000ULL;
constexpr DurationUnit kDurationUnits[] = {
    {"y", 1, 365 * 24 * 3600 * kSecond},
    {"w", 2, 7 * 24 * 3600 * kSecond},
    {"d", 3, 24 * 3600 * kSecond},
    {"h", 4, 3600 * kSecond},
    {"m", 5, 60 * kSecond},
    {"s", 6, kSecond},
    {"ms", 7, 1000000ULL},
};

}  // namespace

bool ParseNumber(std::string_view s, double* out, std::string* error) {
  int64_t i;
  if (GoParseInt(s, &i)) {
    *out = static_cast<double>(i);
    return true;
  }
  switch (GoParseFloat(s, out)) {
    case 0:
      return true;
    case 2:
      *error = "strconv.ParseFloat: parsing " + base::GoQuote(s) + ": value out of range";
      return false;
    default:
      *error = "strconv.ParseFloat: parsing " + base::GoQuote(s) + ": invalid syntax";
      return false;
  }
}

bool ParseDurationNanos(std::string_view s, int64_t* nanos, std::string* error) {
  if (s == "0") {
    *nanos = 0;
    return true;
  }
  if (s.empty()) {
    *error = "empty duration string";
    return false;
  }
  const std::string_view orig = s;
  auto invalid = [&] {
    *error = "not a valid duration string: " + base::GoQuote(orig);
    return false;
  };
  constexpr uint64_t kMaxDuration = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t total = 0;
  int last_order = 0;
  while (!s.empty()) {
    if (!IsDecimalDigit(s[0])) return invalid();
    size_t i = 0;
    uint64_t v = 0;
    bool overflow = false;
    for (; i < s.size() && IsDecimalDigit(s[i]); ++i) {
      auto d = static_cast<uint64_t>(s[i] - '0');
      if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) overflow = true;
      v = v * 10 + d;
    }
    if (overflow) return invalid();
    s.remove_prefix(i);
    size_t j = 0;
    while (j < s.size() && !IsDecimalDigit(s[j])) ++j;
    if (j == 0) return invalid();
    std::string_view unit_name = s.substr(0, j);
    s.remove_prefix(j);
    const DurationUnit* unit = nullptr;
    for (const DurationUnit& u : kDurationUnits) {
      if (u.name == unit_name) unit = &u;
    }
    if (unit == nullptr) {
      *error = "unknown unit " + base::GoQuote(unit_name) + " in duration " + base::GoQuote(orig);
      return false;
    }
    if (unit->order <= last_order) return invalid();
    last_order = unit->order;
    if (v > (kMaxDuration + 1) / unit->nanos) {
      *error = "duration out of range";
      return false;
    }
    total += v * unit->nanos;
    if (total > kMaxDuration) {
      *error = "duration out of range";
      return false;
    }
  }
  *nanos = static_cast<int64_t>(total);
  return true;
}

double NanosToSeconds(int64_t nanos) {
  int64_t sec = nanos / static_cast<int64_t>(kSecond);
  int64_t nsec = nanos % static_cast<int64_t>(kSecond);
  return static_cast<double>(sec) + static_cast<double>(nsec) / 1e9;
}

int64_t GoFloatToInt64(double f) {
  // 2^63 is exactly representable; anything at or beyond it (or NaN) is out of range.
  constexpr double kLimit = 9223372036854775808.0;
  if (!(f >= -kLimit && f < kLimit)) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(f);
}

}  // namespace promql::parser

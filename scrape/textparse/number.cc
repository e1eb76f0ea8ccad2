#include "scrape/textparse/number.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "base/quote.h"

namespace scrape::textparse {
namespace {

bool EqualFoldAscii(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

base::Status SyntaxError(std::string_view fn, std::string_view s) {
  return base::InvalidArgument("strconv." + std::string(fn) + ": parsing " + base::GoQuote(s) +
                               ": invalid syntax");
}

base::Status RangeError(std::string_view fn, std::string_view s) {
  return base::InvalidArgument("strconv." + std::string(fn) + ": parsing " + base::GoQuote(s) +
                               ": value out of range");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Clinger's fast path: [+-]? digits [. digits] with at most 15 digits in all is a mantissa
// below 2^53 divided by an exact power of ten, so one IEEE division rounds it correctly.
// Returns false for anything else (left to the general path).
bool FastDecimal(std::string_view s, double* out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  uint64_t mantissa = 0;
  int digits = 0;
  int frac = -1;  // digits after the point, -1 before one
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      if (++digits > 15) return false;
      mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
      if (frac >= 0) ++frac;
    } else if (c == '.' && frac < 0) {
      frac = 0;
    } else {
      return false;
    }
  }
  if (digits == 0) return false;
  double v = static_cast<double>(mantissa);
  if (frac > 0) v /= kPow10[frac];
  *out = negative ? -v : v;
  return true;
}

}  // namespace

base::Result<double> ParseFloat(std::string_view s) {
  if (double v; FastDecimal(s, &v)) return v;
  // Prometheus keeps to pre-Go 1.13 float formats.
  for (char c : s)
    if (c == 'p' || c == 'P' || c == '_')
      return base::InvalidArgument("unsupported character in float");

  // Go's grammar: [+-]? (digits ["." digits?] | "." digits) ([eE] [+-]? digits)?, or the
  // special values of strconv's special().
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  const std::string_view rest = s.substr(i);
  if (EqualFoldAscii(rest, "inf") || EqualFoldAscii(rest, "infinity"))
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  if (i == 0 && EqualFoldAscii(rest, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (rest.size() >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X'))
    return SyntaxError("ParseFloat", s);  // a hex mantissa needs a 'p' exponent
  bool digits = false;
  bool dot = false;
  for (; i < s.size(); ++i) {
    if (IsDigit(s[i])) {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return SyntaxError("ParseFloat", s);
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !IsDigit(s[i])) return SyntaxError("ParseFloat", s);
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i != s.size()) return SyntaxError("ParseFloat", s);

  // from_chars takes no leading '+'; it rounds correctly as Go does.
  const std::string_view num = s[0] == '+' ? s.substr(1) : s;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (ec == std::errc() && ptr == num.data() + num.size()) return v;
  if (ec == std::errc::result_out_of_range) {
    // Overflow is an error; underflow gives 0 or a denormal without error, as Go.
    const std::string copy(num);
    errno = 0;
    const double d = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(d)) return RangeError("ParseFloat", s);
    return d;
  }
  return SyntaxError("ParseFloat", s);
}

base::Result<int64_t> ParseInt(std::string_view s) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  if (i >= s.size()) return SyntaxError("ParseInt", s);
  uint64_t v = 0;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  for (; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return SyntaxError("ParseInt", s);
    const auto d = static_cast<uint64_t>(s[i] - '0');
    if (v > (limit - d) / 10) return RangeError("ParseInt", s);
    v = v * 10 + d;
  }
  return negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

}  // namespace scrape::textparse

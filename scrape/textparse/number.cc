#include "scrape/textparse/number.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "scrape/textparse/detail/go_quote.h"

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
  return base::InvalidArgument("strconv." + std::string(fn) + ": parsing " + detail::GoQuote(s) +
                               ": invalid syntax");
}

base::Status RangeError(std::string_view fn, std::string_view s) {
  return base::InvalidArgument("strconv." + std::string(fn) + ": parsing " + detail::GoQuote(s) +
                               ": value out of range");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

base::Result<double> ParseFloat(std::string_view s) {
  // Prometheus keeps to pre-Go 1.13 float formats.
  if (s.find_first_of("pP_") != std::string_view::npos)
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

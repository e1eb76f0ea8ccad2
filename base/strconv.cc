#include "base/strconv.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace base {
namespace {

// The shortest decimal digits that round-trip |v| (finite, non-zero) and the decimal point
// position: |v| = 0.d1d2...dn * 10^point, as Go's strconv decimal.
struct ShortestDecimal {
  char digits[32];
  int count = 0;
  int point = 0;
};

ShortestDecimal Shortest(double abs) {
  // to_chars in scientific form without a precision is the shortest round-trip representation
  // (the digits Go's Ryu-based shortest formatting picks): "d[.ddd]e±XX".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, abs, std::chars_format::scientific);
  (void)ec;
  ShortestDecimal d;
  const char* p = buf;
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') d.digits[d.count++] = *p;
  }
  int exp = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exp);
  while (d.count > 1 && d.digits[d.count - 1] == '0') --d.count;
  d.point = exp + 1;
  return d;
}

// Go's fmtF with shortest precision: integer part padded with zeros, then the fraction.
void AppendF(std::string* out, const ShortestDecimal& d) {
  if (d.point > 0) {
    int m = std::min(d.count, d.point);
    out->append(d.digits, static_cast<size_t>(m));
    out->append(static_cast<size_t>(d.point - m), '0');
  } else {
    out->push_back('0');
  }
  int frac = d.count - d.point;
  if (frac > 0) {
    out->push_back('.');
    for (int i = 0; i < frac; ++i) {
      int j = d.point + i;
      out->push_back(j >= 0 && j < d.count ? d.digits[j] : '0');
    }
  }
}

// Go's fmtE with shortest precision: d[.ddd]e±XX, at least two exponent digits.
void AppendE(std::string* out, const ShortestDecimal& d) {
  out->push_back(d.digits[0]);
  if (d.count > 1) {
    out->push_back('.');
    out->append(d.digits + 1, static_cast<size_t>(d.count - 1));
  }
  int exp = d.point - 1;
  out->push_back('e');
  out->push_back(exp < 0 ? '-' : '+');
  if (exp < 0) exp = -exp;
  if (exp < 10) out->push_back('0');
  char buf[8];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, exp);
  (void)ec;
  out->append(buf, end);
}

}  // namespace

void AppendFloat(std::string* out, double v, char fmt) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (std::signbit(v)) out->push_back('-');
  const double abs = std::fabs(v);
  if (abs == 0) {
    out->push_back('0');
    return;
  }
  const ShortestDecimal d = Shortest(abs);
  const int exp = d.point - 1;
  // 'g' with shortest precision: Go picks %e when the exponent is < -4 or >= 6 (eprec 6).
  const bool e = fmt == 'e' || (fmt == 'g' && (exp < -4 || exp >= 6));
  if (e) AppendE(out, d);
  else AppendF(out, d);
}

std::string FormatFloatF(double v) {
  std::string out;
  AppendFloat(&out, v, 'f');
  return out;
}

std::string FormatFloatG(double v) {
  std::string out;
  AppendFloat(&out, v, 'g');
  return out;
}

namespace {
char LowerAscii(char c) { return static_cast<char>(c | ('x' - 'X')); }
}  // namespace

bool GoUnderscoreOk(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (LowerAscii(s[1]) == 'b' || LowerAscii(s[1]) == 'o' || LowerAscii(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = LowerAscii(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    if ((s[i] >= '0' && s[i] <= '9') || (hex && LowerAscii(s[i]) >= 'a' && LowerAscii(s[i]) <= 'f')) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

bool ParseGoUint(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  std::string_view s0 = s;
  int base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && LowerAscii(s[1]) == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && LowerAscii(s[1]) == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && LowerAscii(s[1]) == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  bool underscores = false;
  uint64_t n = 0;
  for (char c : s) {
    int d;
    if (c == '_') {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (LowerAscii(c) >= 'a' && LowerAscii(c) <= 'z') {
      d = LowerAscii(c) - 'a' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (__builtin_mul_overflow(n, static_cast<uint64_t>(base), &n) ||
        __builtin_add_overflow(n, static_cast<uint64_t>(d), &n)) {
      return false;
    }
  }
  if (underscores && !GoUnderscoreOk(s0)) return false;
  *out = static_cast<uint64_t>(n);
  return true;
}

bool IsGoSpace(char32_t r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

}  // namespace base

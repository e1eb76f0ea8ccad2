#include "base/strconv.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace base {
namespace {

// The shortest round-trip decimal digits of |v| and the decimal point position: v = 0.d1d2... x
// 10^dp (Go's decimalSlice nd/dp).
struct Digits {
  std::string d;
  int dp = 0;
};

Digits Shortest(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific);
  (void)ec;
  std::string_view s(buf, static_cast<size_t>(end - buf));
  size_t e = s.find('e');
  Digits out;
  for (char c : s.substr(0, e))
    if (c != '.') out.d.push_back(c);
  int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  while (out.d.size() > 1 && out.d.back() == '0') out.d.pop_back();
  if (out.d == "0") {
    out.d.clear();
    out.dp = 0;
  } else {
    out.dp = exp + 1;
  }
  return out;
}

std::string Special(double v) {
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "+Inf" : "-Inf";
}

std::string FixedFrom(const Digits& d, bool neg) {
  std::string out = neg ? "-" : "";
  if (d.dp > 0) {
    for (int i = 0; i < d.dp; ++i) out.push_back(i < static_cast<int>(d.d.size()) ? d.d[i] : '0');
  } else {
    out.push_back('0');
  }
  if (static_cast<int>(d.d.size()) > d.dp) {
    out.push_back('.');
    for (int i = d.dp; i < static_cast<int>(d.d.size()); ++i)
      out.push_back(i < 0 ? '0' : d.d[i]);
  }
  return out;
}

}  // namespace

std::string FormatFloatF(double v) {
  if (!std::isfinite(v)) return Special(v);
  return FixedFrom(Shortest(v), std::signbit(v));
}

std::string FormatFloatG(double v) {
  if (!std::isfinite(v)) return Special(v);
  Digits d = Shortest(v);
  bool neg = std::signbit(v);
  if (d.d.empty()) return neg ? "-0" : "0";
  int exp = d.dp - 1;
  if (exp < -4 || exp >= 6) {  // Go: shortest precision decides with eprec 6
    std::string out = neg ? "-" : "";
    out.push_back(d.d[0]);
    if (d.d.size() > 1) {
      out.push_back('.');
      out.append(d.d, 1);
    }
    out.push_back('e');
    out.push_back(exp < 0 ? '-' : '+');
    int a = std::abs(exp);
    if (a < 10) out.push_back('0');
    out += std::to_string(a);
    return out;
  }
  return FixedFrom(d, neg);
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

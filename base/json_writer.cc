#include "base/json_writer.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>

#include "base/quote.h"

namespace base {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The shortest decimal digits that round-trip v (|v| finite, non-zero) and the decimal point
// position: v = 0.d1d2...dn * 10^point, as Go's strconv decimal.
struct ShortestDecimal {
  char digits[32];
  int count = 0;
  int point = 0;
};

ShortestDecimal Shortest(double abs) {
  // to_chars in scientific form without a precision is the shortest round-trip representation
  // (the same digits Go's Ryu-based shortest formatting picks): "d[.ddd]e±XX".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, abs, std::chars_format::scientific);
  assert(ec == std::errc());
  ShortestDecimal d;
  const char* p = buf;
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') d.digits[d.count++] = *p;
  }
  int exp = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exp);
  // Trailing zeros are not significant (to_chars never writes them, but be safe).
  while (d.count > 1 && d.digits[d.count - 1] == '0') --d.count;
  d.point = exp + 1;
  return d;
}

void AppendF(std::string* out, const ShortestDecimal& d) {
  // Integer part, padded with zeros (Go's fmtF).
  if (d.point > 0) {
    int m = std::min(d.count, d.point);
    out->append(d.digits, m);
    out->append(d.point - m, '0');
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

void AppendE(std::string* out, const ShortestDecimal& d) {
  // Go's fmtE with shortest precision: d[.ddd]e±XX, at least two exponent digits.
  out->push_back(d.digits[0]);
  if (d.count > 1) {
    out->push_back('.');
    out->append(d.digits + 1, d.count - 1);
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

void AppendSampleValue(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (std::signbit(v)) out->push_back('-');
  double abs = std::fabs(v);
  if (abs == 0) {
    out->push_back('0');
    return;
  }
  ShortestDecimal d = Shortest(abs);
  if (abs < 1e-6 || abs >= 1e21) {
    AppendE(out, d);
  } else {
    AppendF(out, d);
  }
}

std::string FormatSampleValue(double v) {
  std::string s;
  AppendSampleValue(&s, v);
  return s;
}

void AppendTimestamp(std::string* out, int64_t t) {
  // Unsigned arithmetic so that kMinTime negates without overflow.
  uint64_t u = static_cast<uint64_t>(t);
  if (t < 0) {
    out->push_back('-');
    u = ~u + 1;
  }
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, u / 1000);
  (void)ec;
  out->append(buf, end);
  unsigned frac = static_cast<unsigned>(u % 1000);
  if (frac != 0) {
    out->push_back('.');
    out->push_back(static_cast<char>('0' + frac / 100));
    out->push_back(static_cast<char>('0' + frac / 10 % 10));
    out->push_back(static_cast<char>('0' + frac % 10));
  }
}

void AppendJsonString(std::string* out, std::string_view s, Escaping escaping) {
  const bool standard = escaping == Escaping::kStandard;
  out->push_back('"');
  size_t start = 0;
  size_t i = 0;
  auto flush = [&] { out->append(s.data() + start, i - start); };
  while (i < s.size()) {
    uint8_t c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      bool safe =
          c >= 0x20 && c != '"' && c != '\\' && !(standard && (c == '<' || c == '>' || c == '&'));
      if (safe) {
        ++i;
        continue;
      }
      flush();
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        default:
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xf]);
      }
      start = ++i;
      continue;
    }
    if (!standard) {
      ++i;
      continue;
    }
    int32_t rune = 0;
    const size_t width = base::DecodeRune(s, i, &rune);
    if (rune == base::kRuneError && width == 1) {
      flush();
      out->append("\\ufffd");
      start = ++i;
      continue;
    }
    if (rune == 0x2028 || rune == 0x2029) {
      flush();
      out->append(rune == 0x2028 ? "\\u2028" : "\\u2029");
      i += width;
      start = i;
      continue;
    }
    i += width;
  }
  flush();
  out->push_back('"');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_member_.empty()) {
    if (has_member_.back()) out_.push_back(',');
    has_member_.back() = true;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  has_member_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  assert(!has_member_.empty() && !after_key_);
  has_member_.pop_back();
  out_.push_back('}');
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  has_member_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  assert(!has_member_.empty() && !after_key_);
  has_member_.pop_back();
  out_.push_back(']');
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view name, Escaping escaping) {
  assert(!has_member_.empty() && !after_key_);
  if (has_member_.back()) out_.push_back(',');
  has_member_.back() = true;
  AppendJsonString(&out_, name, escaping);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view s, Escaping escaping) {
  BeforeValue();
  AppendJsonString(&out_, s, escaping);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t v) {
  BeforeValue();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool v) {
  BeforeValue();
  out_.append(v ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::SampleValue(double v) {
  BeforeValue();
  out_.push_back('"');
  AppendSampleValue(&out_, v);
  out_.push_back('"');
  return *this;
}

JsonWriter& JsonWriter::Timestamp(int64_t t) {
  BeforeValue();
  AppendTimestamp(&out_, t);
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
  return *this;
}

}  // namespace base

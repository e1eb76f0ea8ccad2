#include "base/json_writer.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>

#include "base/quote.h"
#include "base/strconv.h"

namespace base {
namespace {

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

void AppendSampleValue(std::string* out, double v) {
  const double abs = std::fabs(v);
  AppendFloat(out, v, abs != 0 && (abs < 1e-6 || abs >= 1e21) ? 'e' : 'f');
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

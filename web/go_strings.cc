#include "web/go_strings.h"

#include <cstdio>

namespace web {
namespace {

constexpr int32_t kRuneError = 0xfffd;

bool IsPrint(int32_t r) {
  if (r < 0x20 || r == 0x7f) return false;
  if (r < 0x7f) return true;
  if (r >= 0x80 && r < 0xa0) return false;
  if (r == 0xad || r == 0x2028 || r == 0x2029 || r == 0xfeff) return false;
  if (r >= 0xd800 && r < 0xe000) return false;
  if ((r & 0xfffe) == 0xfffe || (r >= 0xfdd0 && r <= 0xfdef)) return false;
  return r <= 0x10ffff;
}

void AppendHex(std::string* out, const char* prefix, uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s%0*x", prefix, digits, v);
  out->append(buf);
}

// Appends r escaped as strconv's appendEscapedRune does; `quote` is the enclosing quote.
void AppendEscapedRune(std::string* out, int32_t r, char quote) {
  if (r == quote || r == '\\') {
    out->push_back('\\');
    out->push_back(static_cast<char>(r));
    return;
  }
  if (IsPrint(r)) {
    AppendUtf8(out, static_cast<uint32_t>(r));
    return;
  }
  switch (r) {
    case '\a':
      out->append("\\a");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    case '\v':
      out->append("\\v");
      return;
    default:
      break;
  }
  if (r < ' ' || r == 0x7f) {
    AppendHex(out, "\\x", static_cast<uint32_t>(r), 2);
  } else if (r < 0x10000) {
    AppendHex(out, "\\u", static_cast<uint32_t>(r), 4);
  } else {
    AppendHex(out, "\\U", static_cast<uint32_t>(r), 8);
  }
}

std::string QuoteRunes(std::string_view s, size_t max_runes) {
  std::string out = "\"";
  size_t i = 0;
  for (size_t n = 0; i < s.size() && n < max_runes; ++n) {
    Rune r = DecodeRune(s, i);
    if (r.value == kRuneError && r.width == 1) {
      AppendHex(&out, "\\x", static_cast<uint8_t>(s[i]), 2);
    } else {
      AppendEscapedRune(&out, r.value, '"');
    }
    i += r.width;
  }
  out.push_back('"');
  return out;
}

}  // namespace

Rune DecodeRune(std::string_view s, size_t i) {
  if (i >= s.size()) return {-1, 0};
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  size_t n = s.size() - i;
  auto cont = [&](size_t k) { return k < s.size() && (b(k) & 0xc0) == 0x80; };
  if (c < 0x80) return {c, 1};
  if (c >= 0xc2 && c <= 0xdf && n >= 2 && cont(i + 1)) {
    return {static_cast<int32_t>(((c & 0x1fu) << 6) | (b(i + 1) & 0x3fu)), 2};
  }
  if (c >= 0xe0 && c <= 0xef && n >= 3 && cont(i + 1) && cont(i + 2)) {
    if ((c == 0xe0 && b(i + 1) < 0xa0) || (c == 0xed && b(i + 1) >= 0xa0)) return {kRuneError, 1};
    return {
        static_cast<int32_t>(((c & 0x0fu) << 12) | ((b(i + 1) & 0x3fu) << 6) | (b(i + 2) & 0x3fu)),
        3};
  }
  if (c >= 0xf0 && c <= 0xf4 && n >= 4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
    if ((c == 0xf0 && b(i + 1) < 0x90) || (c == 0xf4 && b(i + 1) >= 0x90)) return {kRuneError, 1};
    return {static_cast<int32_t>(((c & 0x07u) << 18) | ((b(i + 1) & 0x3fu) << 12) |
                                 ((b(i + 2) & 0x3fu) << 6) | (b(i + 3) & 0x3fu)),
            4};
  }
  return {kRuneError, 1};
}

void AppendUtf8(std::string* out, uint32_t r) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3f)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3f)));
  }
}

std::string GoQuote(std::string_view s) { return QuoteRunes(s, s.size()); }

std::string GoQuotePrefix(std::string_view s, size_t max_runes) { return QuoteRunes(s, max_runes); }

std::string GoQuoteRune(int32_t r) {
  if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r < 0xe000)) r = kRuneError;
  std::string out = "'";
  AppendEscapedRune(&out, r, '\'');
  out.push_back('\'');
  return out;
}

std::string GoFormatRuneU(int32_t r) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(r));
  std::string out = buf;
  if (IsPrint(r)) {
    out += " '";
    AppendUtf8(&out, static_cast<uint32_t>(r));
    out += "'";
  }
  return out;
}

}  // namespace web

#include "scrape/textparse/detail/go_quote.h"

#include <cstdint>

namespace scrape::textparse::detail {
namespace {

// Decodes one UTF-8 sequence at s[i]: the rune and its width, or width 0 when invalid
// (truncated, overlong, surrogate, beyond U+10FFFF), as Go's utf8.DecodeRuneInString.
uint32_t Decode(std::string_view s, size_t i, size_t* width) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  size_t len;
  uint32_t r;
  uint32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, r = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, r = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, r = b0 & 0x07, min = 0x10000;
  } else {
    *width = 0;
    return 0;
  }
  if (i + len > s.size()) {
    *width = 0;
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      *width = 0;
      return 0;
    }
    r = (r << 6) | (b & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
    *width = 0;
    return 0;
  }
  *width = len;
  return r;
}

// An approximation of Go's unicode.IsPrint for runes beyond ASCII.
bool IsPrint(uint32_t r) {
  if (r >= 0x80 && r <= 0x9F) return false;  // C1 controls
  if (r == 0xAD || r == 0x2028 || r == 0x2029 || r == 0xFEFF) return false;
  if ((r & 0xFFFE) == 0xFFFE || (r >= 0xFDD0 && r <= 0xFDEF)) return false;  // noncharacters
  if (r >= 0xE000 && r <= 0xF8FF) return false;                              // private use
  return true;
}

void AppendHex(std::string* out, char kind, uint32_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('\\');
  out->push_back(kind);
  for (int d = digits - 1; d >= 0; --d) out->push_back(kHex[(v >> (4 * d)) & 0xF]);
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        default:
          if (c < 0x20 || c == 0x7F) {
            AppendHex(&out, 'x', c, 2);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t width = 0;
    const uint32_t r = Decode(s, i, &width);
    if (width == 0) {
      AppendHex(&out, 'x', c, 2);
      ++i;
    } else if (!IsPrint(r)) {
      if (r < 0x10000) {
        AppendHex(&out, 'u', r, 4);
      } else {
        AppendHex(&out, 'U', r, 8);
      }
      i += width;
    } else {
      out.append(s.substr(i, width));
      i += width;
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace scrape::textparse::detail

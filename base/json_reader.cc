#include "base/json_reader.h"

#include <cstdint>
#include <cstdio>

namespace base {
namespace {

// Go's encoding/json nesting limit (maxNestingDepth).
constexpr int kMaxDepth = 10000;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The length of the valid UTF-8 sequence at s[i], or 0 if there is none.
size_t Utf8Length(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  auto cont = [&](size_t k) { return k < s.size() && (at(k) & 0xC0) == 0x80; };
  uint8_t c = at(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    uint8_t c1 = at(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
    if (c == 0xED && c1 >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    uint8_t c1 = at(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
    if (c == 0xF4 && c1 >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Go's quoteChar: a byte as encoding/json names it in syntax errors ('x', '\n', '\'').
std::string QuoteChar(uint8_t c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  std::string out = "'";
  switch (c) {
    case '\a': out += "\\a"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\v': out += "\\v"; break;
    case '\\': out += "\\\\"; break;
    default: {
      char buf[8];
      if (c < 0x20 || c == 0x7F) {
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      } else if (c < 0x80) {
        out.push_back(static_cast<char>(c));
      } else if (c < 0xA0 || c == 0xAD) {  // Go's string(byte) is U+0080..U+00FF
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        AppendUtf8(&out, c);
      }
    }
  }
  return out + "'";
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  base::Result<JsonValue> Document() {
    SkipSpace();
    JsonValue v;
    RETURN_IF_ERROR(Value(&v, 0));
    SkipSpace();
    if (i_ < s_.size()) return Invalid("after top-level value");
    return v;
  }

 private:
  bool AtEnd() const { return i_ >= s_.size(); }
  uint8_t Peek() const { return static_cast<uint8_t>(s_[i_]); }

  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) ++i_;
  }

  // "invalid character 'x' <context>", or the end-of-input error when there is no byte.
  base::Status Invalid(std::string_view context) const {
    if (AtEnd()) return base::InvalidArgument("unexpected end of JSON input");
    return base::InvalidArgument("invalid character " + QuoteChar(Peek()) + " " +
                                 std::string(context));
  }

  base::Status Value(JsonValue* v, int depth) {
    if (AtEnd()) return Invalid("looking for beginning of value");
    switch (Peek()) {
      case '{':
        if (depth >= kMaxDepth) return base::InvalidArgument("exceeded max depth");
        return Object(v, depth + 1);
      case '[':
        if (depth >= kMaxDepth) return base::InvalidArgument("exceeded max depth");
        return Array(v, depth + 1);
      case '"':
        v->kind = JsonValue::Kind::kString;
        return String(&v->text);
      case 't':
        v->kind = JsonValue::Kind::kBool;
        v->boolean = true;
        return Literal("true");
      case 'f':
        v->kind = JsonValue::Kind::kBool;
        return Literal("false");
      case 'n':
        v->kind = JsonValue::Kind::kNull;
        return Literal("null");
      default:
        if (Peek() == '-' || (Peek() >= '0' && Peek() <= '9')) {
          v->kind = JsonValue::Kind::kNumber;
          return Number(&v->text);
        }
        return Invalid("looking for beginning of value");
    }
  }

  base::Status Literal(std::string_view word) {
    ++i_;
    for (size_t k = 1; k < word.size(); ++k, ++i_) {
      if (AtEnd()) return Invalid("");
      if (Peek() != static_cast<uint8_t>(word[k]))
        return Invalid("in literal " + std::string(word) + " (expecting " +
                       QuoteChar(static_cast<uint8_t>(word[k])) + ")");
    }
    return base::Status::Ok();
  }

  base::Status Number(std::string* out) {
    size_t start = i_;
    auto digit = [&] { return !AtEnd() && Peek() >= '0' && Peek() <= '9'; };
    if (Peek() == '-') {
      ++i_;
      if (!digit()) return Invalid("in numeric literal");
    }
    if (Peek() == '0') {
      ++i_;
    } else {
      while (digit()) ++i_;
    }
    if (!AtEnd() && Peek() == '.') {
      ++i_;
      if (!digit()) return Invalid("after decimal point in numeric literal");
      while (digit()) ++i_;
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      ++i_;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++i_;
      if (!digit()) return Invalid("in exponent of numeric literal");
      while (digit()) ++i_;
    }
    *out = std::string(s_.substr(start, i_ - start));
    return base::Status::Ok();
  }

  base::Result<uint32_t> Hex4() {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k, ++i_) {
      if (AtEnd()) return Invalid("");
      uint8_t c = Peek();
      uint32_t d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else return Invalid("in \\u hexadecimal character escape");
      v = v * 16 + d;
    }
    return v;
  }

  base::Status String(std::string* out) {
    ++i_;  // the opening quote
    out->clear();
    for (;;) {
      if (AtEnd()) return Invalid("");
      uint8_t c = Peek();
      if (c == '"') {
        ++i_;
        return base::Status::Ok();
      }
      if (c < 0x20) return Invalid("in string literal");
      if (c == '\\') {
        ++i_;
        if (AtEnd()) return Invalid("");
        uint8_t e = Peek();
        ++i_;
        switch (e) {
          case '"': out->push_back('"'); break;
          case '\\': out->push_back('\\'); break;
          case '/': out->push_back('/'); break;
          case 'b': out->push_back('\b'); break;
          case 'f': out->push_back('\f'); break;
          case 'n': out->push_back('\n'); break;
          case 'r': out->push_back('\r'); break;
          case 't': out->push_back('\t'); break;
          case 'u': {
            ASSIGN_OR_RETURN(uint32_t cp, Hex4());
            if (cp >= 0xD800 && cp < 0xDC00) {
              // A high surrogate: a low one must follow, else U+FFFD (Go's behaviour).
              if (i_ + 1 < s_.size() && s_[i_] == '\\' && s_[i_ + 1] == 'u') {
                size_t save = i_;
                i_ += 2;
                ASSIGN_OR_RETURN(uint32_t lo, Hex4());
                if (lo >= 0xDC00 && lo < 0xE000) {
                  AppendUtf8(out, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
                  break;
                }
                i_ = save;
              }
              out->append(kReplacement);
            } else if (cp >= 0xDC00 && cp < 0xE000) {
              out->append(kReplacement);
            } else {
              AppendUtf8(out, cp);
            }
            break;
          }
          default:
            --i_;
            return Invalid("in string escape code");
        }
        continue;
      }
      size_t n = Utf8Length(s_, i_);
      if (n == 0) {
        out->append(kReplacement);
        ++i_;
      } else {
        out->append(s_.substr(i_, n));
        i_ += n;
      }
    }
  }

  base::Status Array(JsonValue* v, int depth) {
    v->kind = JsonValue::Kind::kArray;
    ++i_;
    SkipSpace();
    if (!AtEnd() && Peek() == ']') {
      ++i_;
      return base::Status::Ok();
    }
    for (;;) {
      SkipSpace();
      v->array.emplace_back();
      RETURN_IF_ERROR(Value(&v->array.back(), depth));
      SkipSpace();
      if (AtEnd()) return Invalid("");
      if (Peek() == ',') {
        ++i_;
        continue;
      }
      if (Peek() == ']') {
        ++i_;
        return base::Status::Ok();
      }
      return Invalid("after array element");
    }
  }

  base::Status Object(JsonValue* v, int depth) {
    v->kind = JsonValue::Kind::kObject;
    ++i_;
    SkipSpace();
    if (!AtEnd() && Peek() == '}') {
      ++i_;
      return base::Status::Ok();
    }
    for (;;) {
      SkipSpace();
      if (AtEnd() || Peek() != '"') return Invalid("looking for beginning of object key string");
      std::string key;
      RETURN_IF_ERROR(String(&key));
      SkipSpace();
      if (AtEnd() || Peek() != ':') return Invalid("after object key");
      ++i_;
      SkipSpace();
      v->object.emplace_back(std::move(key), JsonValue{});
      RETURN_IF_ERROR(Value(&v->object.back().second, depth));
      SkipSpace();
      if (AtEnd()) return Invalid("");
      if (Peek() == ',') {
        ++i_;
        continue;
      }
      if (Peek() == '}') {
        ++i_;
        return base::Status::Ok();
      }
      return Invalid("after object key:value pair");
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::string_view JsonValue::KindName() const {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kBool: return "bool";
    case Kind::kNumber: return "number";
    case Kind::kString: return "string";
    case Kind::kArray: return "array";
    case Kind::kObject: return "object";
  }
  return "";
}

base::Result<JsonValue> ParseJson(std::string_view text) { return Reader(text).Document(); }

}  // namespace base

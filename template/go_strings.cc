#include "template/go_strings.h"

#include <arpa/inet.h>
#include <locale.h>
#include <re2/re2.h>

#include <cmath>
#include <cstdlib>
#include <cwctype>

#include "base/quote.h"
#include "base/strconv.h"
#include "model/regexp_error.h"
#include "template/detail/lex.h"
#include "template/detail/parse.h"
#include "template/go_fmt.h"

namespace tmpl {
namespace {

locale_t Utf8Locale() {
  static locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    if (l == static_cast<locale_t>(nullptr)) {
      l = newlocale(LC_CTYPE_MASK, "C.utf8", static_cast<locale_t>(nullptr));
    }
    return l;
  }();
  return loc;
}

int32_t ToUpperRune(int32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') ? r - 32 : r;
  locale_t loc = Utf8Locale();
  if (loc == static_cast<locale_t>(nullptr)) return r;
  return static_cast<int32_t>(towupper_l(static_cast<wint_t>(r), loc));
}

int32_t ToLowerRune(int32_t r) {
  if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + 32 : r;
  locale_t loc = Utf8Locale();
  if (loc == static_cast<locale_t>(nullptr)) return r;
  return static_cast<int32_t>(towlower_l(static_cast<wint_t>(r), loc));
}

template <typename F>
std::string MapRunes(std::string_view s, F f) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    int32_t r;
    i += base::DecodeRune(s, i, &r);
    base::AppendRune(&out, f(r));
  }
  return out;
}


// Word-break classes for title casing (x/text/cases info bits, approximated from Unicode
// properties): cased letters, "mid-word" punctuation, and breaks.
bool IsCased(int32_t r) {
  if (!detail::IsLetter(r)) return false;
  return ToUpperRune(r) != r || ToLowerRune(r) != r;
}

bool IsMid(int32_t r) {
  switch (r) {
    case '\'':
    case '.':
    case ':':
    case 0xB7:
    case 0x387:
    case 0x5F4:
    case 0x2018:
    case 0x2019:
    case 0x2024:
    case 0x2027:
    case 0xFE13:
    case 0xFE52:
    case 0xFE55:
    case 0xFF07:
    case 0xFF0E:
    case 0xFF1A:
      return true;
    default:
      return false;
  }
}

bool IsBreak(int32_t r) {
  if (detail::IsLetter(r) || detail::IsDigit(r) || r == '_' || IsMid(r)) return false;
  // Combining marks extend the word they follow.
  if ((r >= 0x300 && r <= 0x36F) || (r >= 0x1AB0 && r <= 0x1AFF) || (r >= 0x1DC0 && r <= 0x1DFF) ||
      (r >= 0x20D0 && r <= 0x20FF) || (r >= 0xFE20 && r <= 0xFE2F) || r == 0x200D) {
    return false;
  }
  return true;
}

std::string ParseFloatError(std::string_view s, const char* what) {
  return "strconv.ParseFloat: parsing " + base::GoQuote(s) + ": " + what;
}

void JsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&') {
        out->push_back(static_cast<char>(b));
      } else {
        switch (b) {
          case '\\':
            *out += "\\\\";
            break;
          case '"':
            *out += "\\\"";
            break;
          case '\b':
            *out += "\\b";
            break;
          case '\f':
            *out += "\\f";
            break;
          case '\n':
            *out += "\\n";
            break;
          case '\r':
            *out += "\\r";
            break;
          case '\t':
            *out += "\\t";
            break;
          default:
            *out += "\\u00";
            out->push_back(kHex[b >> 4]);
            out->push_back(kHex[b & 0xF]);
        }
      }
      ++i;
      continue;
    }
    int32_t r;
    size_t w = base::DecodeRune(s, i, &r);
    if (r == base::kRuneError && w == 1) {
      *out += "\\ufffd";
    } else if (r == 0x2028 || r == 0x2029) {
      *out += r == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out->append(s.substr(i, w));
    }
    i += w;
  }
  out->push_back('"');
}

base::Status JsonValue(std::string* out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kInvalid:
      *out += "null";
      break;
    case Value::Kind::kBool:
      *out += v.bool_value() ? "true" : "false";
      break;
    case Value::Kind::kInt:
      *out += std::to_string(v.int_value());
      break;
    case Value::Kind::kDuration:
      *out += std::to_string(v.duration().ns);
      break;
    case Value::Kind::kFloat: {
      double f = v.float_value();
      if (std::isnan(f) || std::isinf(f)) {
        return base::InvalidArgument("json: unsupported value: " + FormatFloat(f, 'g', -1));
      }
      double a = std::fabs(f);
      char fmt = (a != 0 && (a < 1e-6 || a >= 1e21)) ? 'e' : 'f';
      std::string num = FormatFloat(f, fmt, -1);
      if (fmt == 'e') {
        size_t n = num.size();
        if (n >= 4 && num[n - 4] == 'e' && num[n - 3] == '-' && num[n - 2] == '0') {
          num[n - 2] = num[n - 1];
          num.pop_back();
        }
      }
      *out += num;
      break;
    }
    case Value::Kind::kString:
      JsonString(out, v.string_value());
      break;
    case Value::Kind::kList: {
      out->push_back('[');
      bool first = true;
      for (const Value& e : v.list()) {
        if (!first) out->push_back(',');
        first = false;
        RETURN_IF_ERROR(JsonValue(out, e));
      }
      out->push_back(']');
      break;
    }
    case Value::Kind::kMap: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, e] : v.map()) {
        if (!first) out->push_back(',');
        first = false;
        JsonString(out, k);
        out->push_back(':');
        RETURN_IF_ERROR(JsonValue(out, e));
      }
      out->push_back('}');
      break;
    }
    case Value::Kind::kStruct: {
      out->push_back('{');
      bool first = true;
      const TypeInfo* t = v.type_info();
      for (size_t i = 0; i < v.fields().size(); ++i) {
        const auto& [name, e] = v.fields()[i];
        if (!first) out->push_back(',');
        first = false;
        std::string key = name;
        if (t != nullptr && i < t->json_names.size() && !t->json_names[i].empty()) {
          key = t->json_names[i];
        }
        JsonString(out, key);
        out->push_back(':');
        RETURN_IF_ERROR(JsonValue(out, e));
      }
      out->push_back('}');
      break;
    }
    case Value::Kind::kTime: {
      Time::Civil c = v.time().Fields();
      if (c.year < 0 || c.year > 9999) {
        return base::InvalidArgument(
            "json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside "
            "of range [0,9999]");
      }
      JsonString(out, v.time().Format("2006-01-02T15:04:05.999999999Z07:00"));
      break;
    }
    case Value::Kind::kFunc:
      return base::InvalidArgument("json: unsupported type: " + v.TypeName());
  }
  return base::Status::Ok();
}

}  // namespace

std::string GoToUpper(std::string_view s) { return MapRunes(s, ToUpperRune); }
std::string GoToLower(std::string_view s) { return MapRunes(s, ToLowerRune); }

std::string GoTitle(std::string_view s, bool lower_rest) {
  // As x/text/cases titleCaser.Transform: the first cased rune after a word break is
  // title-cased; two consecutive mid-word runes also break the word.
  std::string out;
  bool mid_word = false;
  bool prev_mid = false;
  bool first = true;
  for (size_t i = 0; i < s.size();) {
    int32_t r;
    i += base::DecodeRune(s, i, &r);
    bool is_mid = IsMid(r);
    if (!first && prev_mid && is_mid) mid_word = false;
    first = false;
    if (IsCased(r)) {
      if (!mid_word) {
        base::AppendRune(&out, ToUpperRune(r));
        mid_word = true;
      } else {
        base::AppendRune(&out, lower_rest ? ToLowerRune(r) : r);
      }
    } else {
      base::AppendRune(&out, r);
      if (IsBreak(r)) mid_word = false;
    }
    prev_mid = is_mid;
  }
  return out;
}

std::string GoTrimSpace(std::string_view s) {
  size_t start = 0;
  while (start < s.size()) {
    int32_t r;
    size_t w = base::DecodeRune(s, start, &r);
    if (!base::IsGoSpace(r)) break;
    start += w;
  }
  size_t end = s.size();
  while (end > start) {
    size_t p = end - 1;
    while (p > start && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80 && end - p < 4) --p;
    int32_t r;
    size_t w = base::DecodeRune(s, p, &r);
    if (p + w != end) {
      p = end - 1;
      r = base::kRuneError;
    }
    if (!base::IsGoSpace(r)) break;
    end = p;
  }
  return std::string(s.substr(start, end - start));
}

base::Result<double> GoParseFloat(std::string_view s) {
  // Special values: [+-]inf, [+-]infinity, nan (any case).
  std::string_view t = s;
  int sign = 1;
  bool signed_ = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    sign = t[0] == '-' ? -1 : 1;
    signed_ = true;
    t.remove_prefix(1);
  }
  auto iequal = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if ((a[i] | 0x20) != b[i]) return false;
    return true;
  };
  if (iequal(t, "inf") || iequal(t, "infinity")) return sign * HUGE_VAL;
  if (!signed_ && iequal(t, "nan")) return std::nan("");
  double v;
  switch (detail::ParseGoFloatChecked(s, &v)) {
    case detail::FloatParse::kOk:
      return v;
    case detail::FloatParse::kRange:
      return base::InvalidArgument(ParseFloatError(s, "value out of range"));
    case detail::FloatParse::kSyntax:
      break;
  }
  return base::InvalidArgument(ParseFloatError(s, "invalid syntax"));
}

base::Result<bool> GoRegexpMatch(std::string_view pattern, std::string_view s) {
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 re(re2::StringPiece(pattern.data(), pattern.size()), opts);
  if (!re.ok()) return base::InvalidArgument(model::GoRegexpError(re));
  return RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re);
}

base::Result<std::string> GoRegexpReplaceAll(std::string_view pattern, std::string_view src,
                                             std::string_view repl) {
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 re(re2::StringPiece(pattern.data(), pattern.size()), opts);
  if (!re.ok()) {
    std::string quoted = pattern.find('`') == std::string_view::npos
                             ? "`" + std::string(pattern) + "`"
                             : base::GoQuote(pattern);
    return base::InvalidArgument("regexp: Compile(" + quoted + "): " + model::GoRegexpError(re));
  }
  const int ngroups = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> m(static_cast<size_t>(ngroups));
  const auto& names = re.NamedCapturingGroups();
  re2::StringPiece text(src.data(), src.size());

  // regexp.expand: $name, ${name}, $$; unknown names expand to nothing.
  auto expand = [&](std::string* dst) {
    std::string_view t = repl;
    while (!t.empty()) {
      size_t d = t.find('$');
      if (d == std::string_view::npos) break;
      dst->append(t.substr(0, d));
      t.remove_prefix(d + 1);
      if (!t.empty() && t[0] == '$') {
        dst->push_back('$');
        t.remove_prefix(1);
        continue;
      }
      std::string_view str = t;
      bool brace = false;
      if (!str.empty() && str[0] == '{') {
        brace = true;
        str.remove_prefix(1);
      }
      size_t i = 0;
      while (i < str.size()) {
        int32_t r;
        size_t w = base::DecodeRune(str, i, &r);
        if (!detail::IsLetter(r) && !detail::IsDigit(r) && r != '_') break;
        i += w;
      }
      if (i == 0 || (brace && (i >= str.size() || str[i] != '}'))) {
        dst->push_back('$');  // malformed: the $ is literal text
        continue;
      }
      std::string_view name = str.substr(0, i);
      if (brace) ++i;
      t = str.substr(i);
      int num = 0;
      for (char c : name) {
        if (c < '0' || c > '9' || num >= 100000000) {
          num = -1;
          break;
        }
        num = num * 10 + (c - '0');
      }
      if (name[0] == '0' && name.size() > 1) num = -1;
      int group = -1;
      if (num >= 0) {
        group = num;
      } else {
        auto it = names.find(std::string(name));
        if (it != names.end()) group = it->second;
      }
      if (group >= 0 && group < ngroups && m[static_cast<size_t>(group)].data() != nullptr) {
        const auto& g = m[static_cast<size_t>(group)];
        dst->append(g.data(), g.size());
      }
    }
    dst->append(t);
  };

  // regexp.replaceAll: successive non-overlapping matches; an empty match right after a
  // previous match is not replaced.
  std::string out;
  size_t last_match_end = 0;
  size_t search_pos = 0;
  while (search_pos <= src.size()) {
    if (!re.Match(text, search_pos, src.size(), RE2::UNANCHORED, m.data(), ngroups)) break;
    size_t a0 = static_cast<size_t>(m[0].data() - src.data());
    size_t a1 = a0 + m[0].size();
    out.append(src.substr(last_match_end, a0 - last_match_end));
    if (a1 > last_match_end || a0 == 0) expand(&out);
    last_match_end = a1;
    size_t width = 0;
    if (search_pos < src.size()) {
      int32_t r;
      width = base::DecodeRune(src, search_pos, &r);
    }
    if (search_pos + width > a1) {
      search_pos += width;
    } else if (search_pos + 1 > a1) {
      ++search_pos;
    } else {
      search_pos = a1;
    }
  }
  out.append(src.substr(last_match_end));
  return out;
}

bool GoSplitHostPort(std::string_view hostport, std::string* host, std::string* port) {
  size_t i = hostport.rfind(':');
  if (i == std::string_view::npos) return false;
  size_t j = 0, k = 0;
  if (!hostport.empty() && hostport[0] == '[') {
    size_t end = hostport.find(']');
    if (end == std::string_view::npos) return false;
    if (end + 1 == hostport.size()) return false;
    if (end + 1 != i) return false;
    *host = std::string(hostport.substr(1, end - 1));
    j = 1;
    k = end + 1;
  } else {
    *host = std::string(hostport.substr(0, i));
    if (host->find(':') != std::string::npos) return false;
  }
  if (hostport.substr(j).find('[') != std::string_view::npos) return false;
  if (hostport.substr(k).find(']') != std::string_view::npos) return false;
  *port = std::string(hostport.substr(i + 1));
  return true;
}

std::string GoJoinHostPort(std::string_view host, std::string_view port) {
  if (host.find(':') != std::string_view::npos) {
    return "[" + std::string(host) + "]:" + std::string(port);
  }
  return std::string(host) + ":" + std::string(port);
}

bool GoIsIP(std::string_view s) {
  std::string str(s);
  unsigned char buf[16];
  if (inet_pton(AF_INET, str.c_str(), buf) == 1) return true;
  if (str.find(':') != std::string::npos && inet_pton(AF_INET6, str.c_str(), buf) == 1) {
    return true;
  }
  return false;
}

base::Result<std::string> GoJsonMarshal(const Value& v) {
  std::string out;
  RETURN_IF_ERROR(JsonValue(&out, v));
  return out;
}

}  // namespace tmpl

#include "alerting/matchers.h"

#include <re2/re2.h>

#include <algorithm>

#include "base/strconv.h"
#include "model/regexp_error.h"

namespace alerting {
namespace {

// Go's regexp rejects \C (any byte), which RE2 accepts. Returns the offset of a "\C" escape
// outside a character class, or npos.
size_t FindByteEscape(std::string_view expr) {
  bool in_class = false;
  for (size_t i = 0; i < expr.size(); ++i) {
    char c = expr[i];
    if (c == '\\') {
      if (i + 1 < expr.size() && expr[i + 1] == 'C' && !in_class) return i;
      ++i;
    } else if (c == '[') {
      in_class = true;
    } else if (c == ']') {
      in_class = false;
    }
  }
  return std::string_view::npos;
}

// Go's regexp \s: [\t\n\f\r ].
bool IsGoRegexpSpace(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}
bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

constexpr char32_t kRuneError = 0xFFFD;

// Go's utf8.DecodeRuneInString: the rune at s[i] and its width; (RuneError, 1) when invalid.
std::pair<char32_t, size_t> DecodeRune(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  size_t n = s.size() - i;
  unsigned char c = b(0);
  if (c < 0x80) return {c, 1};
  auto cont = [&](size_t k) { return k < n && (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    return {static_cast<char32_t>(((c & 0x1F) << 6) | (b(1) & 0x3F)), 2};
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    char32_t r = ((c & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    if (r >= 0x800 && (r < 0xD800 || r > 0xDFFF)) return {r, 3};
    return {kRuneError, 1};
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    char32_t r = ((c & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    if (r >= 0x10000 && r <= 0x10FFFF) return {r, 4};
  }
  return {kRuneError, 1};
}

void AppendRune(std::string& out, char32_t r) {
  if (r < 0x80) {
    out.push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (r >> 6)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (r >> 12)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (r >> 18)));
    out.push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}


// Go's strings.TrimSpace.
std::string_view TrimUnicodeSpace(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    auto [r, w] = DecodeRune(s, begin);
    if (r == kRuneError && w == 1) break;
    if (!base::IsGoSpace(r)) break;
    begin += w;
  }
  size_t end = s.size();
  while (end > begin) {
    // Step back to the start of the last rune.
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80 &&
           end - start < 4) {
      --start;
    }
    auto [r, w] = DecodeRune(s, start);
    if (start + w != end) break;  // invalid byte: not a space
    if (!base::IsGoSpace(r)) break;
    end = start;
  }
  return s.substr(begin, end - begin);
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto [r, w] = DecodeRune(s, i);
    if (r == kRuneError && w == 1) return false;
    i += w;
  }
  return true;
}

}  // namespace

base::Result<std::shared_ptr<const re2::RE2>> CompileGoRegexp(const std::string& expr) {
  if (size_t at = FindByteEscape(expr); at != std::string::npos) {
    return base::InvalidArgument("error parsing regexp: invalid escape sequence: `\\C`");
  }
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_dot_nl(false);
  auto re = std::make_shared<const RE2>(expr, opts);
  if (!re->ok()) {
    // Go names the whole expression for a missing parenthesis and the fragment otherwise;
    // RE2 reports the same fragments.
    return base::InvalidArgument(model::GoRegexpError(*re));
  }
  return std::shared_ptr<const re2::RE2>(std::move(re));
}

base::Result<Matcher> Matcher::Make(MatchType type, std::string name, std::string value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch) {
    ASSIGN_OR_RETURN(m.re_, CompileGoRegexp("^(?:" + m.value_ + ")$"));
  }
  return m;
}

bool Matcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual:
      return v == value_;
    case MatchType::kNotEqual:
      return v != value_;
    case MatchType::kRegexMatch:
      return RE2::PartialMatch(re2::StringPiece(v.data(), v.size()), *re_);
    case MatchType::kRegexNoMatch:
      return !RE2::PartialMatch(re2::StringPiece(v.data(), v.size()), *re_);
  }
  return false;
}

std::string Matcher::ToString() const {
  std::string out = name_;
  out += model::MatchTypeString(type_);
  out += '"';
  out += OpenMetricsEscape(value_);
  out += '"';
  return out;
}

bool operator<(const Matcher& a, const Matcher& b) {
  if (a.name_ != b.name_) return a.name_ < b.name_;
  if (a.value_ != b.value_) return a.value_ < b.value_;
  return static_cast<int>(a.type_) < static_cast<int>(b.type_);
}

bool MatchesAll(const Matchers& matchers, const model::Labels& labels) {
  for (const Matcher& m : matchers) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

std::string MatchersToString(const Matchers& matchers) {
  std::string out = "{";
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0) out += ',';
    out += matchers[i].ToString();
  }
  out += '}';
  return out;
}

void SortMatchers(Matchers& matchers) { std::stable_sort(matchers.begin(), matchers.end()); }

std::string OpenMetricsEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// Mirrors the regular expression of pkg/labels/parse.go
//   ^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*((?s).*?)\s*$
// followed by the unescaping loop of ParseMatcher.
base::Result<Matcher> ParseMatcher(std::string_view s) {
  auto bad_format = [&] { return base::InvalidArgument("bad matcher format: " + std::string(s)); };
  size_t i = 0;
  while (i < s.size() && IsGoRegexpSpace(s[i])) ++i;
  if (i >= s.size() || !IsNameStart(s[i])) return bad_format();
  size_t name_begin = i;
  while (i < s.size() && IsNameChar(s[i])) ++i;
  std::string name(s.substr(name_begin, i - name_begin));
  while (i < s.size() && IsGoRegexpSpace(s[i])) ++i;
  MatchType type;
  if (i < s.size() && s[i] == '=') {
    if (i + 1 < s.size() && s[i + 1] == '~') {
      type = MatchType::kRegexMatch;
      i += 2;
    } else {
      type = MatchType::kEqual;
      i += 1;
    }
  } else if (i + 1 < s.size() && s[i] == '!' && s[i + 1] == '=') {
    type = MatchType::kNotEqual;
    i += 2;
  } else if (i + 1 < s.size() && s[i] == '!' && s[i + 1] == '~') {
    type = MatchType::kRegexNoMatch;
    i += 2;
  } else {
    return bad_format();
  }
  while (i < s.size() && IsGoRegexpSpace(s[i])) ++i;
  size_t end = s.size();
  while (end > i && IsGoRegexpSpace(s[end - 1])) --end;
  const std::string_view matched_value = s.substr(i, end - i);

  std::string_view raw = matched_value;
  bool expect_trailing_quote = false;
  if (!raw.empty() && raw.front() == '"') {
    raw.remove_prefix(1);
    expect_trailing_quote = true;
  }
  if (!IsValidUtf8(raw)) {
    return base::InvalidArgument("matcher value not valid UTF-8: " + std::string(matched_value));
  }
  auto unescaped_quote = [&] {
    return base::InvalidArgument("matcher value contains unescaped double quote: " +
                                 std::string(matched_value));
  };
  std::string value;
  value.reserve(raw.size());
  bool escaped = false;
  for (size_t k = 0; k < raw.size();) {
    auto [r, w] = DecodeRune(raw, k);
    if (escaped) {
      escaped = false;
      switch (r) {
        case 'n':
          value.push_back('\n');
          break;
        case '"':
        case '\\':
          value.push_back(static_cast<char>(r));
          break;
        default:
          value.push_back('\\');
          value.append(raw.substr(k, w));
      }
      k += w;
      continue;
    }
    switch (r) {
      case '\\':
        if (k < raw.size() - 1) {
          escaped = true;
        } else {
          value.push_back('\\');
        }
        break;
      case '"':
        if (!expect_trailing_quote || k < raw.size() - 1) return unescaped_quote();
        expect_trailing_quote = false;
        break;
      default:
        value.append(raw.substr(k, w));
    }
    k += w;
  }
  if (expect_trailing_quote) return unescaped_quote();
  return Matcher::Make(type, std::move(name), std::move(value));
}

base::Result<Matchers> ParseMatchers(std::string_view s) {
  if (!s.empty() && s.front() == '{') s.remove_prefix(1);
  if (!s.empty() && s.back() == '}') s.remove_suffix(1);

  // Split on commas outside quotes, iterating over runes as Go's range loop does (an invalid
  // byte becomes U+FFFD).
  std::vector<std::string> tokens;
  std::string token;
  bool inside_quotes = false;
  bool escaped = false;
  for (size_t i = 0; i < s.size();) {
    auto [r, w] = DecodeRune(s, i);
    i += w;
    switch (r) {
      case ',':
        if (!inside_quotes) {
          tokens.push_back(std::move(token));
          token.clear();
          continue;
        }
        break;
      case '"':
        if (!escaped) {
          inside_quotes = !inside_quotes;
        } else {
          escaped = false;
        }
        break;
      case '\\':
        escaped = !escaped;
        break;
      default:
        escaped = false;
    }
    AppendRune(token, r);
  }
  if (std::string_view last = TrimUnicodeSpace(token); !last.empty()) {
    tokens.emplace_back(last);
  }
  Matchers matchers;
  matchers.reserve(tokens.size());
  for (const std::string& t : tokens) {
    ASSIGN_OR_RETURN(Matcher m, ParseMatcher(t));
    matchers.push_back(std::move(m));
  }
  return matchers;
}

}  // namespace alerting

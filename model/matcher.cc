#include "model/matcher.h"

#include <re2/re2.h>

#include "base/quote.h"
#include "model/regexp_error.h"

#include <algorithm>

namespace model {
namespace {

bool IsMeta(char c) {
  return std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos;
}

// Unescapes a regex fragment that is a plain literal (metacharacters only as \x escapes of
// punctuation). Returns false if the fragment is not literal.
bool LiteralOf(std::string_view re, std::string* out) {
  out->clear();
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\') {
      if (i + 1 >= re.size()) return false;
      char n = re[i + 1];
      if (std::isalnum(static_cast<unsigned char>(n))) return false;  // \d, \w, ...
      out->push_back(n);
      ++i;
    } else if (IsMeta(c)) {
      return false;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

// Splits on top-level '|' when no group or class is present; otherwise returns {re}.
std::vector<std::string_view> SplitAlternation(std::string_view re) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i < re.size(); ++i) {
    if (re[i] == '\\') {
      ++i;
    } else if (re[i] == '|') {
      parts.push_back(re.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(re.substr(start));
  return parts;
}

}  // namespace

std::string_view MatchTypeString(MatchType t) {
  switch (t) {
    case MatchType::kEqual: return "=";
    case MatchType::kNotEqual: return "!=";
    case MatchType::kRegexMatch: return "=~";
    case MatchType::kRegexNoMatch: return "!~";
  }
  return "=";
}

base::Result<Matcher> Matcher::Make(MatchType type, std::string name, std::string value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (type == MatchType::kEqual || type == MatchType::kNotEqual) {
    m.fast_ = Fast::kLiteral;
    m.set_ = std::vector<std::string>{m.value_};
    m.prefix_ = m.value_;
  } else {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_dot_nl(true);  // Prometheus compiles with (?s)
    auto re = std::make_shared<const RE2>("^(?:" + m.value_ + ")$", opts);
    if (!re->ok()) {
      return base::InvalidArgument(GoRegexpError(*re));
    }
    m.re_ = std::move(re);
    m.fast_ = Fast::kNone;
    const std::string& v = m.value_;
    std::string lit;
    if (v == ".*") {
      m.fast_ = Fast::kAny;
    } else if (v == ".+") {
      m.fast_ = Fast::kNonEmpty;
    } else if (v.size() >= 2 && v.ends_with(".*") && LiteralOf(std::string_view(v).substr(0, v.size() - 2), &lit)) {
      m.fast_ = Fast::kPrefixAny;
      m.prefix_ = lit;
    } else if (v.find_first_of("()[]{}") == std::string::npos) {
      std::vector<std::string> set;
      bool all_literal = true;
      for (std::string_view part : SplitAlternation(v)) {
        if (!LiteralOf(part, &lit)) {
          all_literal = false;
          break;
        }
        set.push_back(lit);
      }
      if (all_literal) {
        std::sort(set.begin(), set.end());
        set.erase(std::unique(set.begin(), set.end()), set.end());
        m.fast_ = set.size() == 1 ? Fast::kLiteral : Fast::kSet;
        if (set.size() == 1) m.prefix_ = set[0];
        m.set_ = std::move(set);
      }
    }
  }
  m.matches_empty_ = m.Matches("");
  return m;
}

bool Matcher::MatchesPositive(std::string_view v) const {
  switch (fast_) {
    case Fast::kLiteral: return v == (*set_)[0];
    case Fast::kSet: return std::binary_search(set_->begin(), set_->end(), v);
    case Fast::kPrefixAny: return v.starts_with(prefix_);
    case Fast::kAny: return true;
    case Fast::kNonEmpty: return !v.empty();
    case Fast::kNone: return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
  }
  return false;
}

bool Matcher::Matches(std::string_view v) const {
  bool m = MatchesPositive(v);
  return IsNegative() ? !m : m;
}


std::string Matcher::ToString() const {
  return name_ + std::string(MatchTypeString(type_)) + base::GoQuote(value_);
}

}  // namespace model

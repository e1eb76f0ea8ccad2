// Matcher: one label matcher of a selector (=, !=, =~, !~). Regexes are RE2, fully anchored as
// in Prometheus (labels.NewFastRegexMatcher), with fast paths for literals, alternations of
// literals, prefixes and .* / .+.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/quote.h"
#include "base/status.h"

namespace re2 {
class RE2;
}

namespace model {

enum class MatchType { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };
std::string_view MatchTypeString(MatchType t);
// Go's %q quoting, as Prometheus prints label values.
using base::GoQuote;

// Immutable after Make; thread-safe; cheap to copy (the compiled regex is shared).
class Matcher {
 public:
  // Errors: kInvalidArgument for a regex RE2 rejects, with RE2's message.
  static base::Result<Matcher> Make(MatchType type, std::string name, std::string value);

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  bool Matches(std::string_view v) const;
  // Whether the matcher matches the empty string (so also series without the label).
  bool MatchesEmpty() const { return matches_empty_; }
  bool IsNegative() const { return type_ == MatchType::kNotEqual || type_ == MatchType::kRegexNoMatch; }
  // The values a positive matcher accepts when they are a finite set of literals
  // (= "x", =~ "a|b|c"); nullopt otherwise. For negative matchers, the set rejected.
  const std::optional<std::vector<std::string>>& set_matches() const { return set_; }
  // A literal prefix every accepted (or for !~, rejected) value starts with; "" if none known.
  const std::string& prefix() const { return prefix_; }

  // name="value" with Go-style quoting, as Prometheus prints matchers.
  std::string ToString() const;

 private:
  Matcher() = default;
  enum class Fast { kNone, kLiteral, kSet, kPrefixAny, kAny, kNonEmpty };
  bool MatchesPositive(std::string_view v) const;

  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  Fast fast_ = Fast::kLiteral;
  std::optional<std::vector<std::string>> set_;
  std::string prefix_;
  std::shared_ptr<const re2::RE2> re_;
  bool matches_empty_ = false;
};


}  // namespace model

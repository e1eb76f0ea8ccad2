// Label matchers in Alertmanager's syntax (prometheus/alertmanager pkg/labels, version 0.25):
// `{foo="bar", baz=~"qux.*"}`, `foo=bar,dings!=bums`, the four operators, OpenMetrics escapes.
// Regexes are Go regexps anchored as Alertmanager anchors them ("^(?:" + value + ")$", no (?s)
// flag, so `.` does not match a newline), compiled with RE2.
//
// Why not model::Matcher: Prometheus (and so model::Matcher) compiles with (?s), Alertmanager
// does not; a value with a newline would route differently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/matcher.h"

namespace re2 {
class RE2;
}

namespace alerting {

using model::MatchType;

// A compiled Go regexp. Errors: kInvalidArgument with Go's message, e.g.
// "error parsing regexp: missing closing ): `^(?:(a)$`". `expr` is compiled as given (no
// anchoring added); `.` does not match '\n' unless the expression sets (?s).
base::Result<std::shared_ptr<const re2::RE2>> CompileGoRegexp(const std::string& expr);

// Matcher: one label matcher, as Alertmanager's labels.Matcher.
// Immutable; thread-safe; cheap to copy (the compiled regex is shared).
class Matcher {
 public:
  // labels.NewMatcher. Errors: kInvalidArgument for a regex Go would reject, with Go's message.
  static base::Result<Matcher> Make(MatchType type, std::string name, std::string value);

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  bool Matches(std::string_view v) const;
  // name, operator, value in double quotes with OpenMetrics escapes: foo=~"a\"b".
  std::string ToString() const;

  // Alertmanager's Matchers.Less: by name, then value, then type.
  friend bool operator<(const Matcher& a, const Matcher& b);

 private:
  Matcher() = default;
  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // set for the regex types only
};

using Matchers = std::vector<Matcher>;

// Whether every matcher matches the value of its label in `labels` ("" when absent).
bool MatchesAll(const Matchers& matchers, const model::Labels& labels);
// {a="b",c=~"d"}: Alertmanager's Matchers.String().
std::string MatchersToString(const Matchers& matchers);
// Sorts by operator< (Alertmanager sorts route and config matchers).
void SortMatchers(Matchers& matchers);

// OpenMetrics escaping: '\\' -> "\\\\", '\n' -> "\\n", '"' -> "\\\"".
std::string OpenMetricsEscape(std::string_view s);

// labels.ParseMatcher of Alertmanager 0.25: `name op value`, whitespace around each token,
// value optionally in double quotes. Errors (kInvalidArgument), Alertmanager's wording:
//   bad matcher format: <s>
//   matcher value not valid UTF-8: <value>
//   matcher value contains unescaped double quote: <value>
//   error parsing regexp: ...
base::Result<Matcher> ParseMatcher(std::string_view s);

// labels.ParseMatchers of Alertmanager 0.25: an optional '{' and '}', matchers separated by
// commas outside double quotes, one trailing comma allowed. Same errors as ParseMatcher.
base::Result<Matchers> ParseMatchers(std::string_view s);

}  // namespace alerting

// Go's regexp error messages for label matcher regexes. Prometheus compiles matchers with Go's
// regexp package and reports its error text; Hestia compiles them with RE2 (model::Matcher),
// whose messages differ, so the parser rewrites RE2's error into Go's wording.
// Internal to promql::parser.
#pragma once

#include <string>
#include <string_view>

namespace promql::parser {

// "" when `value` is a valid matcher regex; otherwise the message Prometheus gives, e.g.
// "error parsing regexp: missing closing ): `^(?s:()$`" (the regex as Prometheus anchors it).
std::string GoRegexpError(std::string_view value);

}  // namespace promql::parser

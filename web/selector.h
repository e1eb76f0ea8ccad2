// The series selector parser of the match[] parameter: `up`, `up{job="api",code=~"5.."}`,
// `{__name__="up"}`, `{"utf8.metric", "utf8.label"="v"}`, with Go string literals in double
// quotes, single quotes and backticks. A focused replacement for Prometheus's
// parser.ParseMetricSelector until promql/parser exists.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/matcher.h"

namespace web {

// Parses `input` as exactly one vector selector without range, offset or @ modifier.
// Returns the matchers in the order written; a metric name before the braces becomes a
// trailing __name__="name" matcher, as in Prometheus. The matchers may all match the empty
// string (`{}` is accepted): callers check for a non-empty matcher themselves.
// Errors: kInvalidArgument with Prometheus's parse error text, "<line>:<col>: parse error: <msg>"
// (col counts bytes from 1; "unknown position" for empty input), e.g.
//   `foo{a=b}`  -> 1:7: parse error: unexpected identifier "b" in label matching, expected string
//   `foo bar`   -> 1:5: parse error: unexpected identifier "bar"
//   `foo{`      -> 1:5: parse error: unexpected end of input inside braces
// The lexer and grammar follow promql/parser/lex.go and generated_parser.y (the
// START_METRIC_SELECTOR start symbol), reporting the first error as Prometheus does. A regex
// RE2 rejects is reported at the matcher's position with RE2's message, which differs from
// Go's regexp message.
base::Result<std::vector<model::Matcher>> ParseMetricSelector(std::string_view input);

}  // namespace web

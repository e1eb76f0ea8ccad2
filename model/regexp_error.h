// Go's regexp error texts for RE2's errors. Prometheus and Alertmanager compile regexes with
// Go's regexp package and report its messages; Hestia compiles them with RE2, so every user-
// visible regex error goes through here to read like theirs.
#pragma once

#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace model {

// Go's regexp/syntax ErrorCode text for an RE2 error code ("missing closing )").
std::string_view GoRegexpErrorCode(int re2_error_code);
// "error parsing regexp: <code text>: `<offending part>`" for a regex that failed to compile.
// REQUIRES: !re.ok().
std::string GoRegexpError(const re2::RE2& re);

}  // namespace model

#include "promql/parser/regexp_error.h"

#include <re2/re2.h>

namespace promql::parser {
namespace {

// Go's regexp/syntax ErrorCode texts for RE2's error codes.
std::string_view GoErrorCode(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorBadEscape:
      return "invalid escape sequence";
    case RE2::ErrorBadCharClass:
      return "invalid character class";
    case RE2::ErrorBadCharRange:
      return "invalid character class range";
    case RE2::ErrorMissingBracket:
      return "missing closing ]";
    case RE2::ErrorMissingParen:
      return "missing closing )";
    case RE2::ErrorUnexpectedParen:
      return "unexpected )";
    case RE2::ErrorTrailingBackslash:
      return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument:
      return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize:
      return "invalid repeat count";
    case RE2::ErrorRepeatOp:
      return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp:
      return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture:
      return "invalid named capture";
    case RE2::ErrorPatternTooLarge:
      return "expression too large";
    default:
      return "regexp/syntax: internal error";
  }
}

}  // namespace

std::string GoRegexpError(std::string_view value) {
  // Prometheus's FastRegexMatcher compiles "^(?s:" + v + ")$".
  std::string pattern = "^(?s:";
  pattern.append(value);
  pattern += ")$";
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 re(pattern, opts);
  if (re.ok()) return "";
  return "error parsing regexp: " + std::string(GoErrorCode(re.error_code())) + ": `" +
         re.error_arg() + "`";
}

}  // namespace promql::parser

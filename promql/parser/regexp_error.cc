#include "promql/parser/regexp_error.h"

#include <re2/re2.h>

#include "model/regexp_error.h"

namespace promql::parser {

std::string GoRegexpError(std::string_view value) {
  // Prometheus's FastRegexMatcher compiles "^(?s:" + v + ")$".
  std::string pattern = "^(?s:";
  pattern.append(value);
  pattern += ")$";
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 re(pattern, opts);
  if (re.ok()) return "";
  return model::GoRegexpError(re);
}

}  // namespace promql::parser

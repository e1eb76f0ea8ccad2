// The PromQL parser: query text -> promql AST (promql/ast.h), with Prometheus 3.x's grammar,
// type checks and error messages. See docs/promql.md for what is supported.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/matcher.h"
#include "promql/ast.h"

namespace promql::parser {

// The parser's feature switches, named after Prometheus's parser.Options. All off by default,
// as in a Prometheus server started without --enable-feature flags.
struct ParseOptions {
  // Experimental functions and aggregations (limitk, limit_ratio, sort_by_label, info,
  // double_exponential_smoothing, mad_over_time, ...).
  bool enable_experimental_functions = false;
  // Arithmetic, step(), range(), min_of() and max_of() in ranges, steps and offsets.
  bool experimental_duration_expr = false;
  // The anchored and smoothed range modifiers.
  bool enable_extended_range_selectors = false;
  // fill(), fill_left() and fill_right() on binary operators.
  bool enable_binop_fill_modifiers = false;
  // Parentheses, unary operators, function calls and binary operators nest at most this deep;
  // deeper queries fail with kInvalidArgument instead of exhausting the stack.
  int max_depth = 1000;

  // Everything enabled, as Prometheus's promqltest runs its test files.
  static ParseOptions AllEnabled() {
    return {.enable_experimental_functions = true,
            .experimental_duration_expr = true,
            .enable_extended_range_selectors = true,
            .enable_binop_fill_modifiers = true};
  }
};

// Parses and type-checks a PromQL expression (Prometheus's ParseExpr).
// Errors: kInvalidArgument with Prometheus's message for the first error found, e.g.
//   "1:15: parse error: unexpected right parenthesis ')'"
//   "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"
// Never throws; takes time linear in the input.
[[nodiscard]] base::Result<ExprPtr> Parse(std::string_view input, const ParseOptions& options = {});

// Parses a series selector such as `up{job="api"}` or `{__name__=~"x.*"}` into its matchers
// (Prometheus's ParseMetricSelector, used for match[] parameters). The name, when written
// outside the braces, becomes the last matcher. Like Prometheus, it does not require a
// non-empty matcher. Errors: kInvalidArgument as Parse.
[[nodiscard]] base::Result<std::vector<model::Matcher>> ParseMetricSelector(
    std::string_view input, const ParseOptions& options = {});

}  // namespace promql::parser

// PromQL AST back to text, byte for byte as Prometheus prints it: Print is Expr.String()
// (canonical one-line form, used for rule files and /api/v1/parse_query), Prettify is
// parser.Prettify (the indented form of /api/v1/format_query).
#pragma once

#include <chrono>
#include <string>

#include "promql/ast.h"

namespace promql {

// The canonical text of `e`, e.g. `sum by (job) (rate(http_requests_total{job="api"}[5m]))`,
// `a + on (x) group_left (y) b`. Parsing the result gives back an equivalent tree.
std::string Print(const Expr& e);

// The prettified text of `e`: nodes whose one-line form is longer than max_line_length bytes
// are split over indented lines (two spaces per level).
std::string Prettify(const Expr& e, size_t max_line_length = 100);


}  // namespace promql

// Test helpers for the PromQL parser tests. Test-only.
#pragma once

#include "promql/ast.h"

namespace promql::parser {

// Whether two trees are the same expression: equal node kinds and fields everywhere, except
// for what printing normalises as Prometheus's does: positions, the order of matchers, and a
// unary plus in a duration expression.
bool SameTree(const Expr& a, const Expr& b);

}  // namespace promql::parser

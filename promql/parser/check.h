// Type checking of a parsed PromQL expression, as Prometheus's parser.checkAST: operand and
// argument types, function arities, binary operator rules, selector rules. Internal to
// promql::parser.
#pragma once

#include "promql/ast.h"
#include "promql/parser/parser_state.h"

namespace promql::parser {

// Checks `e` and its children, recording errors on `state` in Prometheus's order, and returns
// e's type. Normalises the tree as Prometheus does: set operators become many-to-many, and
// vector matching is dropped when a side is not an instant vector; info()'s label-selector
// argument is exempted from the non-empty matcher rule.
ValueType CheckAst(Expr& e, ParserState& state);

}  // namespace promql::parser

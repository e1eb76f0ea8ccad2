#include "promql/parser/parser_test_util.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace promql::parser {
namespace {

bool SameNumber(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

bool SameOptional(const Expr* a, const Expr* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return SameTree(*a, *b);
}

bool SameMatchers(const std::vector<model::Matcher>& a, const std::vector<model::Matcher>& b) {
  auto keys = [](const std::vector<model::Matcher>& ms) {
    std::vector<std::string> out;
    for (const model::Matcher& m : ms) out.push_back(m.ToString());
    std::sort(out.begin(), out.end());
    return out;
  };
  return keys(a) == keys(b);
}

// A unary plus on a duration expression prints as nothing.
const Expr& SkipUnaryPlus(const Expr& e) {
  const auto* d = As<DurationExpr>(e);
  if (d != nullptr && d->op == DurationExpr::Op::kAdd && !d->lhs && d->rhs && !d->wrapped) {
    return SkipUnaryPlus(*d->rhs);
  }
  return e;
}

bool SameModifiers(const TimeModifiers& a, const TimeModifiers& b) {
  return a.original_offset == b.original_offset && a.offset == b.offset &&
         SameOptional(a.original_offset_expr.get(), b.original_offset_expr.get()) &&
         a.timestamp == b.timestamp && a.start_or_end == b.start_or_end;
}

bool SameMatching(const std::optional<VectorMatching>& a, const std::optional<VectorMatching>& b) {
  if (!a || !b) return a.has_value() == b.has_value();
  auto same_fill = [](const std::optional<double>& x, const std::optional<double>& y) {
    if (!x || !y) return x.has_value() == y.has_value();
    return SameNumber(*x, *y);
  };
  return a->card == b->card && a->matching_labels == b->matching_labels && a->on == b->on &&
         a->include == b->include && same_fill(a->fill_lhs, b->fill_lhs) &&
         same_fill(a->fill_rhs, b->fill_rhs);
}

}  // namespace

bool SameTree(const Expr& a_in, const Expr& b_in) {
  const Expr& a = SkipUnaryPlus(a_in);
  const Expr& b = SkipUnaryPlus(b_in);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case NodeKind::kNumberLiteral: {
      const auto& x = static_cast<const NumberLiteral&>(a);
      const auto& y = static_cast<const NumberLiteral&>(b);
      return SameNumber(x.val, y.val) && x.duration == y.duration;
    }
    case NodeKind::kStringLiteral:
      return static_cast<const StringLiteral&>(a).val == static_cast<const StringLiteral&>(b).val;
    case NodeKind::kVectorSelector: {
      const auto& x = static_cast<const VectorSelector&>(a);
      const auto& y = static_cast<const VectorSelector&>(b);
      return x.name == y.name && SameMatchers(x.matchers, y.matchers) && SameModifiers(x, y) &&
             x.anchored == y.anchored && x.smoothed == y.smoothed &&
             x.bypass_empty_matcher_check == y.bypass_empty_matcher_check;
    }
    case NodeKind::kMatrixSelector: {
      const auto& x = static_cast<const MatrixSelector&>(a);
      const auto& y = static_cast<const MatrixSelector&>(b);
      return x.range == y.range && SameOptional(x.range_expr.get(), y.range_expr.get()) &&
             SameTree(*x.vector_selector, *y.vector_selector);
    }
    case NodeKind::kSubqueryExpr: {
      const auto& x = static_cast<const SubqueryExpr&>(a);
      const auto& y = static_cast<const SubqueryExpr&>(b);
      return x.range == y.range && x.step == y.step &&
             SameOptional(x.range_expr.get(), y.range_expr.get()) &&
             SameOptional(x.step_expr.get(), y.step_expr.get()) && SameModifiers(x, y) &&
             SameTree(*x.expr, *y.expr);
    }
    case NodeKind::kParenExpr:
      return SameTree(*static_cast<const ParenExpr&>(a).expr,
                      *static_cast<const ParenExpr&>(b).expr);
    case NodeKind::kUnaryExpr: {
      const auto& x = static_cast<const UnaryExpr&>(a);
      const auto& y = static_cast<const UnaryExpr&>(b);
      return x.op == y.op && SameTree(*x.expr, *y.expr);
    }
    case NodeKind::kBinaryExpr: {
      const auto& x = static_cast<const BinaryExpr&>(a);
      const auto& y = static_cast<const BinaryExpr&>(b);
      return x.op == y.op && x.return_bool == y.return_bool &&
             SameMatching(x.vector_matching, y.vector_matching) && SameTree(*x.lhs, *y.lhs) &&
             SameTree(*x.rhs, *y.rhs);
    }
    case NodeKind::kAggregateExpr: {
      const auto& x = static_cast<const AggregateExpr&>(a);
      const auto& y = static_cast<const AggregateExpr&>(b);
      return x.op == y.op && x.grouping == y.grouping && x.without == y.without &&
             SameOptional(x.expr.get(), y.expr.get()) && SameOptional(x.param.get(), y.param.get());
    }
    case NodeKind::kCall: {
      const auto& x = static_cast<const Call&>(a);
      const auto& y = static_cast<const Call&>(b);
      if (x.func != y.func || x.args.size() != y.args.size()) return false;
      for (size_t i = 0; i < x.args.size(); ++i) {
        if (!SameTree(*x.args[i], *y.args[i])) return false;
      }
      return true;
    }
    case NodeKind::kDurationExpr: {
      const auto& x = static_cast<const DurationExpr&>(a);
      const auto& y = static_cast<const DurationExpr&>(b);
      return x.op == y.op && x.wrapped == y.wrapped && SameOptional(x.lhs.get(), y.lhs.get()) &&
             SameOptional(x.rhs.get(), y.rhs.get());
    }
  }
  return false;
}

}  // namespace promql::parser

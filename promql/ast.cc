#include "promql/ast.h"

#include "promql/functions.h"

namespace promql {
namespace {

ExprPtr CloneOrNull(const ExprPtr& e) { return e ? e->Clone() : nullptr; }

std::unique_ptr<DurationExpr> CloneOrNull(const std::unique_ptr<DurationExpr>& e) {
  return e ? e->CloneDuration() : nullptr;
}

}  // namespace

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMatrix:
      return "matrix";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

std::string_view DocumentedType(ValueType t) {
  switch (t) {
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    default:
      return ValueTypeName(t);
  }
}

std::string PositionString(std::string_view query, int pos) {
  if (query.empty()) return "unknown position";
  if (pos < 0 || static_cast<size_t>(pos) > query.size()) return "invalid position";
  int line = 1;
  int last_line_break = -1;
  for (int i = 0; i < pos; ++i) {
    if (query[i] == '\n') {
      last_line_break = i;
      ++line;
    }
  }
  return std::to_string(line) + ":" + std::to_string(pos - last_line_break);
}

std::string_view BinaryOpString(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "^";
    case BinaryOp::kAtan2:
      return "atan2";
    case BinaryOp::kEqlc:
      return "==";
    case BinaryOp::kNeq:
      return "!=";
    case BinaryOp::kGtr:
      return ">";
    case BinaryOp::kLss:
      return "<";
    case BinaryOp::kGte:
      return ">=";
    case BinaryOp::kLte:
      return "<=";
    case BinaryOp::kTrimUpper:
      return "</";
    case BinaryOp::kTrimLower:
      return ">/";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kUnless:
      return "unless";
  }
  return "?";
}

bool IsComparisonOperator(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEqlc:
    case BinaryOp::kNeq:
    case BinaryOp::kGtr:
    case BinaryOp::kLss:
    case BinaryOp::kGte:
    case BinaryOp::kLte:
      return true;
    default:
      return false;
  }
}

bool IsSetOperator(BinaryOp op) {
  return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless;
}

std::string_view UnaryOpString(UnaryOp op) { return op == UnaryOp::kAdd ? "+" : "-"; }

std::string_view AggregateOpString(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum:
      return "sum";
    case AggregateOp::kAvg:
      return "avg";
    case AggregateOp::kCount:
      return "count";
    case AggregateOp::kMin:
      return "min";
    case AggregateOp::kMax:
      return "max";
    case AggregateOp::kGroup:
      return "group";
    case AggregateOp::kStddev:
      return "stddev";
    case AggregateOp::kStdvar:
      return "stdvar";
    case AggregateOp::kTopk:
      return "topk";
    case AggregateOp::kBottomk:
      return "bottomk";
    case AggregateOp::kQuantile:
      return "quantile";
    case AggregateOp::kCountValues:
      return "count_values";
    case AggregateOp::kLimitk:
      return "limitk";
    case AggregateOp::kLimitRatio:
      return "limit_ratio";
  }
  return "?";
}

bool AggregateOpHasParam(AggregateOp op) {
  switch (op) {
    case AggregateOp::kTopk:
    case AggregateOp::kBottomk:
    case AggregateOp::kQuantile:
    case AggregateOp::kCountValues:
    case AggregateOp::kLimitk:
    case AggregateOp::kLimitRatio:
      return true;
    default:
      return false;
  }
}

bool IsExperimentalAggregateOp(AggregateOp op) {
  return op == AggregateOp::kLimitk || op == AggregateOp::kLimitRatio;
}

std::string_view DurationOpString(DurationExpr::Op op) {
  switch (op) {
    case DurationExpr::Op::kAdd:
      return "+";
    case DurationExpr::Op::kSub:
      return "-";
    case DurationExpr::Op::kMul:
      return "*";
    case DurationExpr::Op::kDiv:
      return "/";
    case DurationExpr::Op::kMod:
      return "%";
    case DurationExpr::Op::kPow:
      return "^";
    case DurationExpr::Op::kStep:
      return "step";
    case DurationExpr::Op::kRange:
      return "range";
    case DurationExpr::Op::kMinOf:
      return "min_of";
    case DurationExpr::Op::kMaxOf:
      return "max_of";
  }
  return "?";
}

std::string_view CardString(VectorMatching::Card card) {
  switch (card) {
    case VectorMatching::Card::kOneToOne:
      return "one-to-one";
    case VectorMatching::Card::kManyToOne:
      return "many-to-one";
    case VectorMatching::Card::kOneToMany:
      return "one-to-many";
    case VectorMatching::Card::kManyToMany:
      return "many-to-many";
  }
  return "?";
}

ExprPtr NumberLiteral::Clone() const {
  return std::make_unique<NumberLiteral>(val, pos_range, duration);
}

ExprPtr StringLiteral::Clone() const { return std::make_unique<StringLiteral>(val, pos_range); }

// Same rules as Prometheus's DurationExpr.PositionRange.
PositionRange DurationExpr::position_range() const {
  if (!lhs && !rhs) return {start_pos, end_pos};
  if (!rhs) return {start_pos, lhs->position_range().end};
  if (!lhs) return {start_pos, rhs->position_range().end};
  return {lhs->position_range().start, rhs->position_range().end};
}

ExprPtr DurationExpr::Clone() const { return CloneDuration(); }

std::unique_ptr<DurationExpr> DurationExpr::CloneDuration() const {
  auto c = std::make_unique<DurationExpr>();
  c->op = op;
  c->lhs = CloneOrNull(lhs);
  c->rhs = CloneOrNull(rhs);
  c->wrapped = wrapped;
  c->start_pos = start_pos;
  c->end_pos = end_pos;
  return c;
}

TimeModifiers TimeModifiers::CloneModifiers() const {
  TimeModifiers m;
  m.original_offset = original_offset;
  m.original_offset_expr = CloneOrNull(original_offset_expr);
  m.offset = offset;
  m.timestamp = timestamp;
  m.start_or_end = start_or_end;
  return m;
}

ExprPtr VectorSelector::Clone() const { return CloneSelector(); }

std::unique_ptr<VectorSelector> VectorSelector::CloneSelector() const {
  auto c = std::make_unique<VectorSelector>();
  static_cast<TimeModifiers&>(*c) = CloneModifiers();
  c->name = name;
  c->matchers = matchers;
  c->bypass_empty_matcher_check = bypass_empty_matcher_check;
  c->anchored = anchored;
  c->smoothed = smoothed;
  c->pos_range = pos_range;
  return c;
}

PositionRange MatrixSelector::position_range() const {
  return {vector_selector->position_range().start, end_pos};
}

ExprPtr MatrixSelector::Clone() const {
  auto c = std::make_unique<MatrixSelector>();
  c->vector_selector = vector_selector->CloneSelector();
  c->range = range;
  c->range_expr = CloneOrNull(range_expr);
  c->end_pos = end_pos;
  return c;
}

PositionRange SubqueryExpr::position_range() const {
  return {expr->position_range().start, end_pos};
}

ExprPtr SubqueryExpr::Clone() const {
  auto c = std::make_unique<SubqueryExpr>();
  static_cast<TimeModifiers&>(*c) = CloneModifiers();
  c->expr = expr->Clone();
  c->range = range;
  c->range_expr = CloneOrNull(range_expr);
  c->step = step;
  c->step_expr = CloneOrNull(step_expr);
  c->end_pos = end_pos;
  return c;
}

ExprPtr ParenExpr::Clone() const {
  auto c = std::make_unique<ParenExpr>();
  c->expr = expr->Clone();
  c->pos_range = pos_range;
  return c;
}

PositionRange UnaryExpr::position_range() const { return {start_pos, expr->position_range().end}; }

ExprPtr UnaryExpr::Clone() const {
  auto c = std::make_unique<UnaryExpr>();
  c->op = op;
  c->expr = expr->Clone();
  c->start_pos = start_pos;
  return c;
}

ValueType BinaryExpr::type() const {
  if (lhs->type() == ValueType::kScalar && rhs->type() == ValueType::kScalar) {
    return ValueType::kScalar;
  }
  return ValueType::kVector;
}

PositionRange BinaryExpr::position_range() const {
  return {lhs->position_range().start, rhs->position_range().end};
}

ExprPtr BinaryExpr::Clone() const {
  auto c = std::make_unique<BinaryExpr>();
  c->op = op;
  c->lhs = lhs->Clone();
  c->rhs = rhs->Clone();
  c->vector_matching = vector_matching;
  c->return_bool = return_bool;
  return c;
}

ExprPtr AggregateExpr::Clone() const {
  auto c = std::make_unique<AggregateExpr>();
  c->op = op;
  c->expr = CloneOrNull(expr);
  c->param = CloneOrNull(param);
  c->grouping = grouping;
  c->without = without;
  c->pos_range = pos_range;
  return c;
}

ValueType Call::type() const { return func ? func->return_type : ValueType::kNone; }

ExprPtr Call::Clone() const {
  auto c = std::make_unique<Call>();
  c->func = func;
  c->args.reserve(args.size());
  for (const ExprPtr& a : args) c->args.push_back(a->Clone());
  c->pos_range = pos_range;
  return c;
}

std::vector<const Expr*> Children(const Expr& e) {
  std::vector<const Expr*> out;
  auto add = [&out](const ExprPtr& c) {
    if (c) out.push_back(c.get());
  };
  switch (e.kind()) {
    case NodeKind::kAggregateExpr: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      add(a.expr);
      add(a.param);
      break;
    }
    case NodeKind::kBinaryExpr: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      add(b.lhs);
      add(b.rhs);
      break;
    }
    case NodeKind::kCall:
      for (const ExprPtr& a : static_cast<const Call&>(e).args) add(a);
      break;
    case NodeKind::kSubqueryExpr:
      add(static_cast<const SubqueryExpr&>(e).expr);
      break;
    case NodeKind::kParenExpr:
      add(static_cast<const ParenExpr&>(e).expr);
      break;
    case NodeKind::kUnaryExpr:
      add(static_cast<const UnaryExpr&>(e).expr);
      break;
    case NodeKind::kMatrixSelector: {
      const auto& m = static_cast<const MatrixSelector&>(e);
      if (m.vector_selector) out.push_back(m.vector_selector.get());
      break;
    }
    case NodeKind::kDurationExpr: {
      const auto& d = static_cast<const DurationExpr&>(e);
      add(d.lhs);
      add(d.rhs);
      break;
    }
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
    case NodeKind::kVectorSelector:
      break;
  }
  return out;
}

}  // namespace promql

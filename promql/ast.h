// The PromQL abstract syntax tree, as Prometheus's promql/parser/ast.go: a tree of expression
// nodes owned through std::unique_ptr, each with the byte range of the query text it came from
// and the value type it evaluates to. promql::parser::Parse builds it; promql::Print turns it
// back into text; the engine evaluates it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/matcher.h"
#include "model/sample.h"

namespace promql {

struct Function;

// The type of a PromQL value (parser.ValueType). kNone types lists of expressions only.
enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };

// "none", "scalar", "vector", "matrix", "string", as Prometheus's ValueType strings.
std::string_view ValueTypeName(ValueType t);
// The user-facing name used in error messages: "instant vector" and "range vector" for vector
// and matrix, ValueTypeName otherwise (parser.DocumentedType).
std::string_view DocumentedType(ValueType t);

// A byte range [start, end) of the query string (posrange.PositionRange).
struct PositionRange {
  int start = 0;
  int end = 0;
  friend bool operator==(const PositionRange&, const PositionRange&) = default;
};

// The line:column of `pos` in `query`, as Prometheus prints error positions: lines from 1,
// columns in bytes from 1; "unknown position" for an empty query, "invalid position" when pos
// lies outside it.
std::string PositionString(std::string_view query, int pos);

enum class BinaryOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kAtan2,
  kEqlc,       // ==
  kNeq,        // !=
  kGtr,        // >
  kLss,        // <
  kGte,        // >=
  kLte,        // <=
  kTrimUpper,  // </ (native histogram bucket trimming)
  kTrimLower,  // >/
  kAnd,
  kOr,
  kUnless,
};
// The operator as written in PromQL: "+", "==", "and", "atan2", ...
std::string_view BinaryOpString(BinaryOp op);
bool IsComparisonOperator(BinaryOp op);  // == != > < >= <=
bool IsSetOperator(BinaryOp op);         // and or unless

enum class UnaryOp { kAdd, kSub };
std::string_view UnaryOpString(UnaryOp op);  // "+" or "-"

enum class AggregateOp {
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kGroup,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kQuantile,
  kCountValues,
  kLimitk,
  kLimitRatio,
};
// The aggregation's keyword in lower case: "sum", "count_values", ...
std::string_view AggregateOpString(AggregateOp op);
// Whether the aggregation takes a parameter before its expression (topk, bottomk, quantile,
// count_values, limitk, limit_ratio).
bool AggregateOpHasParam(AggregateOp op);
// limitk and limit_ratio, which Prometheus guards with
// --enable-feature=promql-experimental-functions.
bool IsExperimentalAggregateOp(AggregateOp op);

// The @ modifier's start() / end() forms.
enum class AtModifier { kNone, kStart, kEnd };

enum class NodeKind {
  kNumberLiteral,
  kStringLiteral,
  kVectorSelector,
  kMatrixSelector,
  kSubqueryExpr,
  kParenExpr,
  kUnaryExpr,
  kBinaryExpr,
  kAggregateExpr,
  kCall,
  kDurationExpr,
};

class Expr;
using ExprPtr = std::unique_ptr<Expr>;

// Expr is one node of the tree. Nodes are plain data with public fields, like Prometheus's;
// a node owns its children. Immutable once parsed, except where a field says the engine sets
// it. Thread-compatible: a const tree may be read from many threads.
class Expr {
 public:
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  NodeKind kind() const { return kind_; }
  // The type the expression evaluates to, as Prometheus's Expr.Type().
  virtual ValueType type() const = 0;
  // The part of the query this node was parsed from (Prometheus's PositionRange()).
  virtual PositionRange position_range() const = 0;
  // A deep copy.
  virtual ExprPtr Clone() const = 0;

 protected:
  explicit Expr(NodeKind kind) : kind_(kind) {}

 private:
  NodeKind kind_;
};

// Downcasts by kind; nullptr when `e` is not a T.
template <typename T>
const T* As(const Expr& e) {
  return e.kind() == T::kKind ? static_cast<const T*>(&e) : nullptr;
}
template <typename T>
T* As(Expr& e) {
  return e.kind() == T::kKind ? static_cast<T*>(&e) : nullptr;
}

// A number. `duration` is set when it was written as a duration ("5m" is 300 with duration set)
// and makes the printer write it back as one.
struct NumberLiteral final : Expr {
  static constexpr NodeKind kKind = NodeKind::kNumberLiteral;
  NumberLiteral() : Expr(kKind) {}
  NumberLiteral(double v, PositionRange pos, bool is_duration = false)
      : Expr(kKind), val(v), duration(is_duration), pos_range(pos) {}
  ValueType type() const override { return ValueType::kScalar; }
  PositionRange position_range() const override { return pos_range; }
  ExprPtr Clone() const override;

  double val = 0;
  bool duration = false;
  PositionRange pos_range;
};

// A string, unquoted.
struct StringLiteral final : Expr {
  static constexpr NodeKind kKind = NodeKind::kStringLiteral;
  StringLiteral() : Expr(kKind) {}
  StringLiteral(std::string v, PositionRange pos)
      : Expr(kKind), val(std::move(v)), pos_range(pos) {}
  ValueType type() const override { return ValueType::kString; }
  PositionRange position_range() const override { return pos_range; }
  ExprPtr Clone() const override;

  std::string val;
  PositionRange pos_range;
};

// An arithmetic expression over durations, allowed where PromQL takes a duration: ranges,
// subquery steps and offsets ("foo[5m + step()]", Prometheus's experimental duration
// expressions). Operands are NumberLiterals (seconds) or DurationExprs. Evaluates to seconds.
//   op kAdd/kSub with lhs == nullptr: unary plus/minus of rhs;
//   kStep, kRange: step(), range() (no operands); kMinOf, kMaxOf: min_of(lhs, rhs), max_of(...).
struct DurationExpr final : Expr {
  enum class Op { kAdd, kSub, kMul, kDiv, kMod, kPow, kStep, kRange, kMinOf, kMaxOf };
  static constexpr NodeKind kKind = NodeKind::kDurationExpr;
  DurationExpr() : Expr(kKind) {}
  ValueType type() const override { return ValueType::kScalar; }
  PositionRange position_range() const override;
  ExprPtr Clone() const override;
  std::unique_ptr<DurationExpr> CloneDuration() const;

  Op op = Op::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool wrapped = false;  // written inside parentheses; the printer restores them
  int start_pos = 0;     // of the unary operator, step(), range(), min_of(), max_of()
  int end_pos = 0;       // of step(), range(), min_of(), max_of()
};
std::string_view DurationOpString(DurationExpr::Op op);

// Fields shared by the nodes that take offset and @ modifiers.
struct TimeModifiers {
  // The offset as written ("offset -5m" is -5m); zero when absent or given as an expression.
  std::chrono::milliseconds original_offset{0};
  // "offset (1m + step())": the expression, when the offset is not a plain duration.
  std::unique_ptr<DurationExpr> original_offset_expr;
  // The offset the engine evaluates with, computed from original_offset, @ and enclosing
  // subqueries; the parser sets it to original_offset.
  std::chrono::milliseconds offset{0};
  // "@ 1609746000": the timestamp in milliseconds; unset for no @ or @ start()/end().
  std::optional<model::Timestamp> timestamp;
  AtModifier start_or_end = AtModifier::kNone;

  TimeModifiers CloneModifiers() const;
};

// An instant vector selector: name{matchers} plus modifiers. When the name is written outside
// the braces, the last matcher is __name__="name".
struct VectorSelector final : Expr, TimeModifiers {
  static constexpr NodeKind kKind = NodeKind::kVectorSelector;
  VectorSelector() : Expr(kKind) {}
  ValueType type() const override { return ValueType::kVector; }
  PositionRange position_range() const override { return pos_range; }
  ExprPtr Clone() const override;
  std::unique_ptr<VectorSelector> CloneSelector() const;

  std::string name;
  std::vector<model::Matcher> matchers;
  // Set on info()'s second argument, which may match the empty string everywhere.
  bool bypass_empty_matcher_check = false;
  bool anchored = false;  // experimental "anchored" range modifier
  bool smoothed = false;  // experimental "smoothed" range modifier
  PositionRange pos_range;
};

// A range vector selector: selector[range]. Offset and @ live on the vector selector.
struct MatrixSelector final : Expr {
  static constexpr NodeKind kKind = NodeKind::kMatrixSelector;
  MatrixSelector() : Expr(kKind) {}
  ValueType type() const override { return ValueType::kMatrix; }
  PositionRange position_range() const override;
  ExprPtr Clone() const override;

  std::unique_ptr<VectorSelector> vector_selector;
  std::chrono::milliseconds range{0};
  std::unique_ptr<DurationExpr> range_expr;  // when the range is a duration expression
  int end_pos = 0;
};

// expr[range:step] plus modifiers. A zero step with no step_expr means the default step.
struct SubqueryExpr final : Expr, TimeModifiers {
  static constexpr NodeKind kKind = NodeKind::kSubqueryExpr;
  SubqueryExpr() : Expr(kKind) {}
  ValueType type() const override { return ValueType::kMatrix; }
  PositionRange position_range() const override;
  ExprPtr Clone() const override;

  ExprPtr expr;
  std::chrono::milliseconds range{0};
  std::unique_ptr<DurationExpr> range_expr;
  std::chrono::milliseconds step{0};
  std::unique_ptr<DurationExpr> step_expr;
  int end_pos = 0;
};

struct ParenExpr final : Expr {
  static constexpr NodeKind kKind = NodeKind::kParenExpr;
  ParenExpr() : Expr(kKind) {}
  ValueType type() const override { return expr->type(); }
  PositionRange position_range() const override { return pos_range; }
  ExprPtr Clone() const override;

  ExprPtr expr;
  PositionRange pos_range;
};

// -expr or +expr on a non-literal (a negated number literal is folded into the literal).
struct UnaryExpr final : Expr {
  static constexpr NodeKind kKind = NodeKind::kUnaryExpr;
  UnaryExpr() : Expr(kKind) {}
  ValueType type() const override { return expr->type(); }
  PositionRange position_range() const override;
  ExprPtr Clone() const override;

  UnaryOp op = UnaryOp::kSub;
  ExprPtr expr;
  int start_pos = 0;
};

// How the series of the two sides of a vector-vector binary operation are matched.
struct VectorMatching {
  enum class Card { kOneToOne, kManyToOne, kOneToMany, kManyToMany };
  Card card = Card::kOneToOne;
  // The labels of on (...) or ignoring (...).
  std::vector<std::string> matching_labels;
  bool on = false;  // on (...) rather than ignoring (...)
  // The labels of group_left (...) / group_right (...).
  std::vector<std::string> include;
  // fill / fill_left / fill_right values for a side that has no match (experimental).
  std::optional<double> fill_lhs;
  std::optional<double> fill_rhs;
};
// "one-to-one", "many-to-one", "one-to-many", "many-to-many".
std::string_view CardString(VectorMatching::Card card);

struct BinaryExpr final : Expr {
  static constexpr NodeKind kKind = NodeKind::kBinaryExpr;
  BinaryExpr() : Expr(kKind) {}
  // Scalar when both sides are scalars, vector otherwise.
  ValueType type() const override;
  PositionRange position_range() const override;
  ExprPtr Clone() const override;

  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  // Present exactly when both sides are instant vectors (set operators: many-to-many).
  std::optional<VectorMatching> vector_matching;
  bool return_bool = false;  // comparison with the bool modifier
};

struct AggregateExpr final : Expr {
  static constexpr NodeKind kKind = NodeKind::kAggregateExpr;
  AggregateExpr() : Expr(kKind) {}
  ValueType type() const override { return ValueType::kVector; }
  PositionRange position_range() const override { return pos_range; }
  ExprPtr Clone() const override;

  AggregateOp op = AggregateOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // for AggregateOpHasParam(op), else null
  std::vector<std::string> grouping;
  bool without = false;
  PositionRange pos_range;
};

// A function call. `func` points into the static function table (promql/functions.h).
struct Call final : Expr {
  static constexpr NodeKind kKind = NodeKind::kCall;
  Call() : Expr(kKind) {}
  ValueType type() const override;
  PositionRange position_range() const override { return pos_range; }
  ExprPtr Clone() const override;

  const Function* func = nullptr;
  std::vector<ExprPtr> args;
  PositionRange pos_range;
};

// The children of a node in evaluation order (Prometheus's Children): aggregation expr then
// param, lhs then rhs, call arguments, the inner expression of the others. Duration
// expressions of ranges and offsets are not children; those of a DurationExpr are.
std::vector<const Expr*> Children(const Expr& e);

}  // namespace promql

#include "promql/parser/check.h"

#include <string>

#include "model/labels.h"
#include "promql/functions.h"
#include "base/quote.h"

namespace promql::parser {
namespace {

bool IsSpaceByte(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string TypeMismatch(ValueType want, std::string_view context, ValueType got) {
  return "expected type " + std::string(DocumentedType(want)) + " in " + std::string(context) +
         ", got " + std::string(DocumentedType(got));
}

class Checker {
 public:
  explicit Checker(ParserState& state) : state_(state) {}

  ValueType Check(Expr& node) {
    ValueType type = node.type();
    switch (node.kind()) {
      case NodeKind::kAggregateExpr:
        CheckAggregate(static_cast<AggregateExpr&>(node));
        break;
      case NodeKind::kBinaryExpr:
        CheckBinary(static_cast<BinaryExpr&>(node));
        break;
      case NodeKind::kCall:
        CheckCall(static_cast<Call&>(node));
        break;
      case NodeKind::kParenExpr:
        Check(*static_cast<ParenExpr&>(node).expr);
        break;
      case NodeKind::kUnaryExpr: {
        auto& u = static_cast<UnaryExpr&>(node);
        ValueType t = Check(*u.expr);
        if (t != ValueType::kScalar && t != ValueType::kVector) {
          Error(u.position_range(),
                "unary expression only allowed on expressions of type scalar or instant vector, "
                "got " +
                    base::GoQuote(DocumentedType(t)));
        }
        break;
      }
      case NodeKind::kSubqueryExpr: {
        auto& s = static_cast<SubqueryExpr&>(node);
        ValueType t = Check(*s.expr);
        if (t != ValueType::kVector) {
          Error(s.position_range(), "subquery is only allowed on instant vector, got " +
                                        std::string(ValueTypeName(t)) + " instead");
        }
        break;
      }
      case NodeKind::kMatrixSelector:
        Check(*static_cast<MatrixSelector&>(node).vector_selector);
        break;
      case NodeKind::kVectorSelector:
        CheckSelector(static_cast<VectorSelector&>(node));
        break;
      case NodeKind::kNumberLiteral:
      case NodeKind::kStringLiteral:
        break;
      case NodeKind::kDurationExpr:
        Error(node.position_range(), "unknown node type: *parser.DurationExpr");
        break;
    }
    return type;
  }

 private:
  void Error(PositionRange pos, std::string message) { state_.AddError(pos, std::move(message)); }

  void ExpectType(Expr* e, ValueType want, std::string_view context) {
    if (e == nullptr) return;
    ValueType t = Check(*e);
    if (t != want) Error(e->position_range(), TypeMismatch(want, context, t));
  }

  void CheckAggregate(AggregateExpr& a) {
    ExpectType(a.expr.get(), ValueType::kVector, "aggregation expression");
    switch (a.op) {
      case AggregateOp::kTopk:
      case AggregateOp::kBottomk:
      case AggregateOp::kQuantile:
      case AggregateOp::kLimitk:
      case AggregateOp::kLimitRatio:
        ExpectType(a.param.get(), ValueType::kScalar, "aggregation parameter");
        break;
      case AggregateOp::kCountValues:
        ExpectType(a.param.get(), ValueType::kString, "aggregation parameter");
        break;
      default:
        break;
    }
  }

  // The operator's position: from the end of lhs to the start of rhs, without whitespace.
  PositionRange OperatorRange(const BinaryExpr& b) const {
    std::string_view in = state_.input();
    PositionRange r;
    r.start = b.lhs->position_range().end;
    while (r.start < static_cast<int>(in.size()) && IsSpaceByte(in[r.start])) ++r.start;
    r.end = b.rhs->position_range().start - 1;
    while (r.end > 0 && r.end < static_cast<int>(in.size()) && IsSpaceByte(in[r.end])) --r.end;
    return r;
  }

  void CheckBinary(BinaryExpr& b) {
    ValueType lt = Check(*b.lhs);
    ValueType rt = Check(*b.rhs);
    VectorMatching& vm = *b.vector_matching;
    if (b.return_bool && !IsComparisonOperator(b.op)) {
      Error(OperatorRange(b), "bool modifier can only be used on comparison operators");
    }
    if (IsComparisonOperator(b.op) && !b.return_bool && rt == ValueType::kScalar &&
        lt == ValueType::kScalar) {
      Error(OperatorRange(b), "comparisons between scalars must use BOOL modifier");
    }
    if (IsSetOperator(b.op) && vm.card == VectorMatching::Card::kOneToOne) {
      vm.card = VectorMatching::Card::kManyToMany;
    }
    if (vm.on) {
      for (const std::string& l1 : vm.matching_labels) {
        for (const std::string& l2 : vm.include) {
          if (l1 == l2) {
            Error(OperatorRange(b),
                  "label " + base::GoQuote(l1) + " must not occur in ON and GROUP clause at once");
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      Error(b.lhs->position_range(),
            "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      Error(b.rhs->position_range(),
            "binary expression must contain only scalar and instant vector types");
    }
    const bool fill = vm.fill_lhs.has_value() || vm.fill_rhs.has_value();
    if (lt != ValueType::kVector || rt != ValueType::kVector) {
      if (!vm.matching_labels.empty()) {
        Error(b.position_range(), "vector matching only allowed between instant vectors");
      }
      if (fill)
        Error(b.position_range(), "filling in missing series only allowed between instant vectors");
      b.vector_matching.reset();
    } else if (IsSetOperator(b.op)) {
      if (vm.card == VectorMatching::Card::kOneToMany ||
          vm.card == VectorMatching::Card::kManyToOne) {
        Error(b.position_range(),
              "no grouping allowed for " + base::GoQuote(BinaryOpString(b.op)) + " operation");
      }
      if (vm.card != VectorMatching::Card::kManyToMany) {
        Error(b.position_range(), "set operations must always be many-to-many");
      }
      if (fill)
        Error(b.position_range(), "filling in missing series not allowed for set operators");
    }
    if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOperator(b.op)) {
      Error(b.position_range(), "set operator " + base::GoQuote(BinaryOpString(b.op)) +
                                    " not allowed in binary scalar expression");
    }
  }

  void CheckCall(Call& c) {
    const Function& f = *c.func;
    const int nargs = static_cast<int>(f.arg_types.size());
    const int got = static_cast<int>(c.args.size());
    const std::string name = base::GoQuote(f.name);
    if (f.variadic == 0) {
      if (nargs != got) {
        Error(c.position_range(), "expected " + std::to_string(nargs) + " argument(s) in call to " +
                                      name + ", got " + std::to_string(got));
      }
    } else {
      const int min = nargs - 1;
      if (min > got) {
        Error(c.position_range(), "expected at least " + std::to_string(min) +
                                      " argument(s) in call to " + name + ", got " +
                                      std::to_string(got));
      } else if (f.variadic > 0 && min + f.variadic < got) {
        Error(c.position_range(), "expected at most " + std::to_string(min + f.variadic) +
                                      " argument(s) in call to " + name + ", got " +
                                      std::to_string(got));
      }
    }
    if (f.name == "info" && got > 1) {
      Expr& labels = *c.args[1];
      if (labels.type() != ValueType::kVector) {
        Error(c.position_range(),
              TypeMismatch(ValueType::kVector, "call to function " + name, labels.type()));
      }
      if (auto* vs = As<VectorSelector>(labels); vs != nullptr && !vs->name.empty()) {
        Error(labels.position_range(),
              "expected label selectors only, got vector selector instead");
      } else if (vs != nullptr) {
        vs->bypass_empty_matcher_check = true;
      } else {
        Error(labels.position_range(), "expected label selectors only");
      }
    }
    for (int i = 0; i < got; ++i) {
      int type_index = i;
      if (i >= nargs) {
        // Extra arguments of a fixed-arity call were reported above and are not checked.
        if (f.variadic == 0) break;
        type_index = nargs - 1;
      }
      ValueType t = Check(*c.args[i]);
      if (t != f.arg_types[type_index]) {
        Error(c.args[i]->position_range(),
              TypeMismatch(f.arg_types[type_index], "call to function " + name, t));
      }
    }
  }

  void CheckSelector(VectorSelector& vs) {
    if (!vs.name.empty()) {
      // The last matcher is the name written outside the braces; another __name__ matcher
      // sets it twice.
      for (size_t i = 0; i + 1 < vs.matchers.size(); ++i) {
        if (vs.matchers[i].name() == model::kMetricName) {
          Error(vs.position_range(), "metric name must not be set twice: " + base::GoQuote(vs.name) +
                                         " or " + base::GoQuote(vs.matchers[i].value()));
        }
      }
      return;
    }
    if (vs.bypass_empty_matcher_check) return;
    for (const model::Matcher& m : vs.matchers) {
      if (!m.MatchesEmpty()) return;
    }
    Error(vs.position_range(), "vector selector must contain at least one non-empty matcher");
  }

  ParserState& state_;
};

}  // namespace

ValueType CheckAst(Expr& e, ParserState& state) { return Checker(state).Check(e); }

}  // namespace promql::parser

// Tests of the trees the parser builds, its options and its API. The exact printed forms and
// error messages of many more queries are in parser_table_test.cc.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "promql/functions.h"
#include "promql/parser/parse.h"
#include "promql/printer.h"

namespace promql::parser {
namespace {

using std::chrono::milliseconds;

ExprPtr MustParse(std::string_view q, const ParseOptions& options = ParseOptions::AllEnabled()) {
  INFO("query: " << q);
  auto r = Parse(q, options);
  if (!r) FAIL(r.error().ToString());
  return std::move(*r);
}

std::string ParseError(std::string_view q, const ParseOptions& options = {}) {
  INFO("query: " << q);
  auto r = Parse(q, options);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == base::StatusCode::kInvalidArgument);
  return r.error().message();
}

template <typename T>
const T& Cast(const Expr& e) {
  const T* t = As<T>(e);
  REQUIRE(t != nullptr);
  return *t;
}

TEST_CASE("Parser builds the tree of an aggregation over a rate", "[promql][parser]") {
  ExprPtr e = MustParse(R"(sum by (job) (rate(http_requests_total{job="api"}[5m])))");
  const auto& agg = Cast<AggregateExpr>(*e);
  CHECK(agg.op == AggregateOp::kSum);
  CHECK(agg.grouping == std::vector<std::string>{"job"});
  CHECK_FALSE(agg.without);
  CHECK(agg.param == nullptr);
  CHECK(agg.position_range() == PositionRange{0, 55});
  CHECK(agg.type() == ValueType::kVector);

  const auto& call = Cast<Call>(*agg.expr);
  CHECK(call.func == GetFunction("rate"));
  CHECK(call.position_range() == PositionRange{14, 54});
  REQUIRE(call.args.size() == 1);

  const auto& ms = Cast<MatrixSelector>(*call.args[0]);
  CHECK(ms.range == milliseconds(300000));
  CHECK(ms.range_expr == nullptr);
  CHECK(ms.type() == ValueType::kMatrix);
  CHECK(ms.position_range() == PositionRange{19, 53});

  const VectorSelector& vs = *ms.vector_selector;
  CHECK(vs.name == "http_requests_total");
  CHECK(vs.position_range() == PositionRange{19, 49});
  REQUIRE(vs.matchers.size() == 2);
  CHECK(vs.matchers[0].ToString() == R"(job="api")");
  // The name written outside the braces is the last matcher.
  CHECK(vs.matchers[1].name() == "__name__");
  CHECK(vs.matchers[1].value() == "http_requests_total");
  CHECK(vs.matchers[1].type() == model::MatchType::kEqual);
}

TEST_CASE("Parser applies Prometheus's operator precedence", "[promql][parser]") {
  // Parenthesise every binary and unary node to show the tree's shape.
  std::function<std::string(const Expr&)> shape = [&](const Expr& e) -> std::string {
    if (auto* b = As<BinaryExpr>(e)) {
      return "(" + shape(*b->lhs) + " " + std::string(BinaryOpString(b->op)) + " " +
             shape(*b->rhs) + ")";
    }
    if (auto* u = As<UnaryExpr>(e))
      return "(" + std::string(UnaryOpString(u->op)) + shape(*u->expr) + ")";
    return Print(e);
  };
  struct Case {
    std::string_view input;
    std::string_view shape;
  };
  const Case cases[] = {
      {"a + b * c", "(a + (b * c))"},
      {"a * b + c", "((a * b) + c)"},
      {"a - b - c", "((a - b) - c)"},
      {"a ^ b ^ c", "(a ^ (b ^ c))"},
      {"a * b ^ c", "(a * (b ^ c))"},
      {"a / b % c atan2 d", "(((a / b) % c) atan2 d)"},
      {"-a ^ b", "(-(a ^ b))"},
      {"-a * b", "((-a) * b)"},
      {"a ^ -b * c", "((a ^ (-b)) * c)"},
      {"a + b > c", "((a + b) > c)"},
      {"a > b and c", "((a > b) and c)"},
      {"a or b and c", "(a or (b and c))"},
      {"a or b unless c", "(a or (b unless c))"},
      {"a and b unless c", "((a and b) unless c)"},
      {"a == b != c", "((a == b) != c)"},
      {"a </ b + c", "(a </ (b + c))"},
      {"-a offset 5m", "(-a offset 5m)"},
      {"a + b offset 5m", "(a + b offset 5m)"},
      {"-1 ^ 2", "(-(1 ^ 2))"},
  };
  for (const Case& c : cases) {
    INFO(c.input);
    CHECK(shape(*MustParse(c.input)) == c.shape);
  }
}

TEST_CASE("Parser fills in vector matching", "[promql][parser]") {
  {
    ExprPtr e = MustParse("a + on(x, y) group_left(z) b");
    const auto& b = Cast<BinaryExpr>(*e);
    REQUIRE(b.vector_matching);
    CHECK(b.vector_matching->card == VectorMatching::Card::kManyToOne);
    CHECK(b.vector_matching->on);
    CHECK(b.vector_matching->matching_labels == std::vector<std::string>{"x", "y"});
    CHECK(b.vector_matching->include == std::vector<std::string>{"z"});
    CHECK_FALSE(b.return_bool);
  }
  {
    ExprPtr e = MustParse("a > bool ignoring(x) group_right b");
    const auto& b = Cast<BinaryExpr>(*e);
    REQUIRE(b.vector_matching);
    CHECK(b.return_bool);
    CHECK(b.vector_matching->card == VectorMatching::Card::kOneToMany);
    CHECK_FALSE(b.vector_matching->on);
    CHECK(b.vector_matching->include.empty());
  }
  {
    // Set operators are many-to-many.
    ExprPtr e = MustParse("a and b");
    REQUIRE(Cast<BinaryExpr>(*e).vector_matching);
    CHECK(Cast<BinaryExpr>(*e).vector_matching->card == VectorMatching::Card::kManyToMany);
  }
  {
    // No vector matching unless both sides are instant vectors.
    ExprPtr e = MustParse("a * 2");
    CHECK_FALSE(Cast<BinaryExpr>(*e).vector_matching);
    CHECK(e->type() == ValueType::kVector);
    ExprPtr s = MustParse("1 + 2");
    CHECK_FALSE(Cast<BinaryExpr>(*s).vector_matching);
    CHECK(s->type() == ValueType::kScalar);
  }
  {
    ExprPtr e = MustParse("a + fill_left(1) fill_right(-2.5) b");
    const auto& vm = *Cast<BinaryExpr>(*e).vector_matching;
    CHECK(vm.fill_lhs == 1.0);
    CHECK(vm.fill_rhs == -2.5);
    ExprPtr f = MustParse("a + fill(5m) b");
    CHECK(Cast<BinaryExpr>(*f).vector_matching->fill_lhs == 300.0);
    CHECK(Cast<BinaryExpr>(*f).vector_matching->fill_rhs == 300.0);
  }
}

TEST_CASE("Parser reads offset and @ modifiers", "[promql][parser]") {
  {
    ExprPtr e = MustParse("foo offset -1h30m @ 1609746000.123");
    const auto& vs = Cast<VectorSelector>(*e);
    CHECK(vs.original_offset == milliseconds(-5400000));
    CHECK(vs.offset == vs.original_offset);
    CHECK(vs.timestamp == 1609746000123);
    CHECK(vs.start_or_end == AtModifier::kNone);
    CHECK(vs.position_range() == PositionRange{0, 34});
  }
  {
    ExprPtr e = MustParse("rate(foo[5m] @ start() offset 1.5)");
    const auto& ms = Cast<MatrixSelector>(*Cast<Call>(*e).args[0]);
    CHECK(ms.vector_selector->start_or_end == AtModifier::kStart);
    CHECK_FALSE(ms.vector_selector->timestamp);
    CHECK(ms.vector_selector->original_offset == milliseconds(1500));
    CHECK(ms.end_pos == 33);
  }
  {
    ExprPtr e = MustParse("foo[10m:1m] @ end() offset 5m");
    const auto& sq = Cast<SubqueryExpr>(*e);
    CHECK(sq.range == milliseconds(600000));
    CHECK(sq.step == milliseconds(60000));
    CHECK(sq.start_or_end == AtModifier::kEnd);
    CHECK(sq.original_offset == milliseconds(300000));
    CHECK(sq.type() == ValueType::kMatrix);
  }
  {
    ExprPtr e = MustParse("foo[10m:]");
    CHECK(Cast<SubqueryExpr>(*e).step == milliseconds(0));
    CHECK(Cast<SubqueryExpr>(*e).step_expr == nullptr);
  }
  {
    // A range in seconds, as a plain number.
    ExprPtr e = MustParse("foo[90]");
    CHECK(Cast<MatrixSelector>(*e).range == milliseconds(90000));
  }
}

TEST_CASE("Parser keeps duration expressions for the engine", "[promql][parser]") {
  ExprPtr e = MustParse("foo[5m + step():min_of(1m, range())] offset -(1m)");
  const auto& sq = Cast<SubqueryExpr>(*e);
  REQUIRE(sq.range_expr);
  CHECK(sq.range_expr->op == DurationExpr::Op::kAdd);
  CHECK(Cast<NumberLiteral>(*sq.range_expr->lhs).val == 300);
  CHECK(Cast<NumberLiteral>(*sq.range_expr->lhs).duration);
  CHECK(Cast<DurationExpr>(*sq.range_expr->rhs).op == DurationExpr::Op::kStep);
  REQUIRE(sq.step_expr);
  CHECK(sq.step_expr->op == DurationExpr::Op::kMinOf);
  CHECK(Cast<DurationExpr>(*sq.step_expr->rhs).op == DurationExpr::Op::kRange);
  REQUIRE(sq.original_offset_expr);
  CHECK(sq.original_offset_expr->op == DurationExpr::Op::kSub);
  CHECK(sq.original_offset_expr->lhs == nullptr);
  CHECK(Cast<DurationExpr>(*sq.original_offset_expr->rhs).wrapped);
  CHECK(Print(*e) == "foo[5m + step():min_of(1m, range())] offset -(1m)");
  // A duration expression that folds to a literal stays a plain duration.
  ExprPtr f = MustParse("foo offset - -5m");
  CHECK(Cast<VectorSelector>(*f).original_offset == milliseconds(300000));
  CHECK(Cast<VectorSelector>(*f).original_offset_expr == nullptr);
}

TEST_CASE("Parser reads literals", "[promql][parser]") {
  CHECK(Cast<NumberLiteral>(*MustParse("0x1f")).val == 31);
  CHECK(Cast<NumberLiteral>(*MustParse("-1e3")).val == -1000);
  CHECK(std::isinf(Cast<NumberLiteral>(*MustParse("-Inf")).val));
  CHECK(std::isnan(Cast<NumberLiteral>(*MustParse("NaN")).val));
  ExprPtr duration = MustParse("1h30m");
  CHECK(Cast<NumberLiteral>(*duration).val == 5400);
  CHECK(Cast<NumberLiteral>(*duration).duration);
  CHECK(Print(*duration) == "1h30m");
  ExprPtr negative = MustParse("- 5");
  CHECK(Cast<NumberLiteral>(*negative).val == -5);
  CHECK(negative->position_range() == PositionRange{0, 3});
  CHECK(Cast<StringLiteral>(*MustParse(R"("a\u00e9\x41\101\n")")).val == "aéAA\n");
  CHECK(Cast<StringLiteral>(*MustParse(R"('a"b\'')")).val == "a\"b'");
  CHECK(Cast<StringLiteral>(*MustParse(R"(`a\nb`)")).val == "a\\nb");
  CHECK(Cast<StringLiteral>(*MustParse(R"("\xff")")).val == "\xff");
  CHECK(MustParse(R"("x")")->type() == ValueType::kString);
}

TEST_CASE("Parser compiles matchers", "[promql][parser]") {
  ExprPtr e = MustParse(R"({"my.metric", "my.label"=~"a|b", job!="x", env!~"dev.*"})");
  const auto& vs = Cast<VectorSelector>(*e);
  CHECK(vs.name.empty());
  REQUIRE(vs.matchers.size() == 4);
  CHECK(vs.matchers[0].name() == "__name__");
  CHECK(vs.matchers[0].value() == "my.metric");
  CHECK(vs.matchers[1].name() == "my.label");
  CHECK(vs.matchers[1].type() == model::MatchType::kRegexMatch);
  CHECK(vs.matchers[1].Matches("a"));
  CHECK_FALSE(vs.matchers[1].Matches("ab"));
  CHECK(vs.matchers[2].type() == model::MatchType::kNotEqual);
  CHECK(vs.matchers[3].type() == model::MatchType::kRegexNoMatch);
  CHECK(vs.matchers[3].Matches("prod"));
  CHECK(Print(*e) == R"({"my.label"=~"a|b",__name__="my.metric",env!~"dev.*",job!="x"})");
}

TEST_CASE("Keywords stay usable as metric and label names", "[promql][parser]") {
  CHECK(Print(*MustParse(R"(sum{by="x"})")) == R"(sum{by="x"})");
  CHECK(Cast<VectorSelector>(*MustParse("by")).name == "by");
  CHECK(Cast<VectorSelector>(*MustParse("offset offset 1m")).name == "offset");
  CHECK(Print(*MustParse("sum by (on, by, offset) (x)")) == "sum by (on, by, offset) (x)");
  CHECK(Print(*MustParse("fill + fill")) == "fill + fill");
}

TEST_CASE("Parser marks info()'s label selector", "[promql][parser]") {
  ExprPtr e = MustParse(R"(info(up, {k8s_cluster_name=~".*"}))");
  const auto& c = Cast<Call>(*e);
  CHECK(Cast<VectorSelector>(*c.args[1]).bypass_empty_matcher_check);
  CHECK_FALSE(Cast<VectorSelector>(*c.args[0]).bypass_empty_matcher_check);
}

TEST_CASE("Expression types follow Prometheus", "[promql][parser]") {
  struct Case {
    std::string_view input;
    ValueType type;
  };
  const Case cases[] = {
      {"1", ValueType::kScalar},
      {"foo", ValueType::kVector},
      {"foo[5m]", ValueType::kMatrix},
      {"foo[5m:]", ValueType::kMatrix},
      {R"("s")", ValueType::kString},
      {"time()", ValueType::kScalar},
      {"scalar(foo)", ValueType::kScalar},
      {"-foo", ValueType::kVector},
      {"(1)", ValueType::kScalar},
      {"1 + foo", ValueType::kVector},
      {"1 > bool 2", ValueType::kScalar},
      {"sum(foo)", ValueType::kVector},
      {"rate(foo[5m])", ValueType::kVector},
  };
  for (const Case& c : cases) {
    INFO(c.input);
    CHECK(MustParse(c.input)->type() == c.type);
  }
}

TEST_CASE("Experimental features are off by default, as in Prometheus", "[promql][parser]") {
  const ParseOptions none;
  CHECK(ParseError("sort_by_label(foo, \"a\")", none) ==
        R"(1:1: parse error: function "sort_by_label" is not enabled)");
  CHECK(ParseError("limitk(1, foo)", none) ==
        "1:1: parse error: limitk() is experimental and must be enabled with "
        "--enable-feature=promql-experimental-functions");
  CHECK(ParseError("foo[5m + 1m]", none) ==
        "1:5: parse error: experimental duration expression is not enabled");
  CHECK(ParseError("foo[step()]", none) ==
        "1:5: parse error: experimental duration expression is not enabled");
  CHECK(ParseError("foo[5m] anchored", none) ==
        "1:1: parse error: anchored modifier is experimental and not enabled");
  CHECK(ParseError("foo smoothed", none) ==
        "1:1: parse error: smoothed modifier is experimental and not enabled");
  CHECK(ParseError("a + fill(0) b", none) ==
        "1:1: parse error: binop fill modifiers are experimental and not enabled");

  ParseOptions functions;
  functions.enable_experimental_functions = true;
  CHECK(Parse("sort_by_label(foo, \"a\")", functions).ok());
  CHECK(Parse("limitk(1, foo)", functions).ok());
  ParseOptions durations;
  durations.experimental_duration_expr = true;
  CHECK(Parse("foo[5m + 1m]", durations).ok());
  ParseOptions ranges;
  ranges.enable_extended_range_selectors = true;
  CHECK(Parse("foo[5m] anchored", ranges).ok());
  ParseOptions fill;
  fill.enable_binop_fill_modifiers = true;
  CHECK(Parse("a + fill(0) b", fill).ok());
}

TEST_CASE("Error positions count lines and bytes", "[promql][parser]") {
  CHECK(ParseError("sum(\n  rate(foo)\n)") ==
        "2:8: parse error: expected type range vector in call to function \"rate\", got instant "
        "vector");
  CHECK(ParseError("foo +\n\n  ~") == "3:3: parse error: unexpected character: '~'");
  CHECK(ParseError("\"é\" + ~") == "1:8: parse error: unexpected character: '~'");
  CHECK(ParseError("") == "unknown position: parse error: no expression found in input");
}

TEST_CASE("Deep nesting fails cleanly instead of exhausting the stack", "[promql][parser]") {
  const ParseOptions defaults;
  auto nested = [](int n, std::string_view open, std::string_view inner, std::string_view close) {
    std::string q;
    for (int i = 0; i < n; ++i) q += open;
    q += inner;
    for (int i = 0; i < n; ++i) q += close;
    return q;
  };
  // At the limit: the top expression and 999 parentheses. The tree can be walked.
  auto deepest = Parse(nested(999, "(", "1", ")"), defaults);
  REQUIRE(deepest.ok());
  CHECK(Print(**deepest) == nested(999, "(", "1", ")"));
  CHECK(Prettify(*(*deepest)->Clone()).size() > 1998);
  CHECK(Parse(nested(998, "abs(", "x", ")"), defaults).ok());
  const std::string too_deep = "parse error: expression nests too deeply: more than 1000 levels";
  for (const std::string& q :
       {nested(1000, "(", "1", ")"), nested(100000, "(", "1", ")"),
        nested(100000, "sum(", "x", ")"), nested(100000, "abs(", "x", ")"),
        nested(100000, "-(", "x", ")"), "x[" + nested(100000, "(", "1", ")") + "]",
        nested(100000, "(", "x", ")[5m:]")}) {
    auto r = Parse(q, ParseOptions::AllEnabled());
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message(), Catch::Contains(too_deep));
  }
  // Long operator chains build deep trees too.
  std::string chain = "1";
  for (int i = 0; i < 100000; ++i) chain += " + 1";
  CHECK_THAT(ParseError(chain), Catch::Contains(too_deep));
  std::string unary(100000, '-');
  CHECK_THAT(ParseError(unary + "foo"), Catch::Contains(too_deep));
  // Signs of a number fold into the literal: no depth at all.
  CHECK(Parse(unary + "1").ok());

  ParseOptions shallow;
  shallow.max_depth = 3;
  CHECK(Parse("((1))", shallow).ok());
  CHECK(Parse("(((1)))", shallow).error().message() ==
        "1:4: parse error: expression nests too deeply: more than 3 levels");
}

TEST_CASE("ParseMetricSelector returns the matchers", "[promql][parser]") {
  auto r = ParseMetricSelector(R"(up{job="api", instance=~"a.*"})");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].ToString() == R"(job="api")");
  CHECK((*r)[1].ToString() == R"(instance=~"a.*")");
  CHECK((*r)[2].ToString() == R"(__name__="up")");
  // No non-empty matcher is required, as in Prometheus.
  auto empty = ParseMetricSelector("{}");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  CHECK(ParseMetricSelector(R"({"my.metric"})")->at(0).value() == "my.metric");
  CHECK(ParseMetricSelector("sum(x)").error().message() == R"(1:4: parse error: unexpected "(")");
  CHECK(ParseMetricSelector("foo[5m]").error().message() == R"(1:4: parse error: unexpected "[")");
  CHECK(ParseMetricSelector("").error().message() ==
        "unknown position: parse error: unexpected end of input");
  CHECK(ParseMetricSelector(R"({a=~"("})").error().message() ==
        "1:2: parse error: error parsing regexp: missing closing ): `^(?s:()$`");
}

TEST_CASE("Function table has Prometheus 3's signatures", "[promql]") {
  const FunctionTable& table = FunctionTable::Default();
  CHECK(table.functions().size() == 90);
  CHECK(std::is_sorted(table.functions().begin(), table.functions().end(),
                       [](const Function& a, const Function& b) { return a.name < b.name; }));
  const Function* rate = GetFunction("rate");
  REQUIRE(rate != nullptr);
  CHECK(rate->arg_types == std::vector<ValueType>{ValueType::kMatrix});
  CHECK(rate->return_type == ValueType::kVector);
  CHECK(rate->min_args() == 1);
  CHECK(rate->max_args() == 1);
  const Function* round = GetFunction("round");
  CHECK(round->min_args() == 1);
  CHECK(round->max_args() == 2);
  const Function* join = GetFunction("label_join");
  CHECK(join->min_args() == 3);
  CHECK(join->max_args() == -1);
  CHECK(GetFunction("histogram_quantiles")->max_args() == 12);
  CHECK(GetFunction("double_exponential_smoothing")->experimental);
  CHECK_FALSE(GetFunction("holt_winters"));
  CHECK_FALSE(GetFunction("Rate"));
  CHECK(GetFunction("time")->return_type == ValueType::kScalar);
}

TEST_CASE("Children lists operands in evaluation order", "[promql]") {
  ExprPtr e = MustParse("topk(3, a) + label_join(b, \"x\", \",\", \"y\")");
  std::vector<const Expr*> top = Children(*e);
  REQUIRE(top.size() == 2);
  std::vector<const Expr*> agg = Children(*top[0]);
  REQUIRE(agg.size() == 2);
  CHECK(Print(*agg[0]) == "a");  // the expression, then the parameter
  CHECK(Print(*agg[1]) == "3");
  CHECK(Children(*top[1]).size() == 4);
  CHECK(Children(*MustParse("a")).empty());
}

TEST_CASE("Clone copies deeply", "[promql]") {
  ExprPtr e = MustParse(R"(sum by (job) (rate(foo{a=~"b.*"}[5m] offset (1m + step()))))");
  ExprPtr copy = e->Clone();
  CHECK(Print(*copy) == Print(*e));
  // Changing the copy leaves the original untouched.
  As<AggregateExpr>(*copy)->grouping.push_back("x");
  CHECK(Print(*e) == R"(sum by (job) (rate(foo{a=~"b.*"}[5m] offset (1m + step()))))");
  CHECK(Print(*copy) == R"(sum by (job, x) (rate(foo{a=~"b.*"}[5m] offset (1m + step()))))");
}

TEST_CASE("ValueType names and positions print as in Prometheus", "[promql]") {
  CHECK(ValueTypeName(ValueType::kMatrix) == "matrix");
  CHECK(DocumentedType(ValueType::kMatrix) == "range vector");
  CHECK(DocumentedType(ValueType::kVector) == "instant vector");
  CHECK(DocumentedType(ValueType::kScalar) == "scalar");
  CHECK(PositionString("abc", 1) == "1:2");
  CHECK(PositionString("a\nbc", 3) == "2:2");
  CHECK(PositionString("", 0) == "unknown position");
  CHECK(PositionString("abc", 4) == "invalid position");
}

}  // namespace
}  // namespace promql::parser

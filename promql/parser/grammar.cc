// The PromQL grammar in Spirit X3 over the lexer's tokens, and Parse / ParseMetricSelector.
// The only translation unit that instantiates X3 (STYLE.md section 11).
//
// The grammar follows Prometheus's yacc grammar (promql/parser/generated_parser.y):
//   expr      := operand (binary_op bin_modifier operand)*      precedence climbing in
//                                                               ParserState, lowest first:
//                                                               or < and unless < comparisons
//                                                               < + - < * / % atan2 < ^ (right)
//   operand   := ("+" | "-")* primary postfix*                  unary binds like *
//   primary   := "(" expr ")" | string | number | duration | aggregation | call | selector
//   postfix   := offset d | "@" t | "[" d "]" | "[" d ":" [d] "]" | anchored | smoothed
//   d         := duration expression (numbers, durations, + - * / % ^, step(), range(),
//                min_of(d, d), max_of(d, d), parentheses)
// Each place where Prometheus's grammar has an `error` production raises the same "unexpected
// <token> in <context>, expected <...>" message; elsewhere a syntax error takes the context of
// the innermost construct being parsed, as the yacc parser's error recovery does.

#include <boost/spirit/home/x3.hpp>
#include <functional>
#include <limits>
#include <string>

#include "promql/parser/check.h"
#include "promql/parser/detail/x3_tokens.h"
#include "promql/parser/lexer.h"
#include "promql/parser/parse.h"
#include "promql/parser/parser_state.h"

namespace promql::parser {
namespace detail {
namespace {

using T = TokenType;

constexpr TokenSet kAggregators = {T::kAvg, T::kBottomk, T::kCount,    T::kCountValues, T::kGroup,
                                   T::kMax, T::kMin,     T::kQuantile, T::kStddev,      T::kStdvar,
                                   T::kSum, T::kTopk,    T::kLimitk,   T::kLimitRatio};
// Tokens that may name a metric (Prometheus's metric_identifier): keywords are allowed.
constexpr TokenSet kMetricIdentifiers =
    kAggregators | TokenSet{T::kBy,        T::kFill,       T::kFillLeft,
                            T::kFillRight, T::kIdentifier, T::kLand,
                            T::kLor,       T::kLunless,    T::kMetricIdentifier,
                            T::kOffset,    T::kWithout,    T::kStart,
                            T::kEnd,       T::kStep,       T::kRange,
                            T::kAnchored,  T::kSmoothed,   T::kMaxOf,
                            T::kMinOf};
// Tokens that may name a function when followed by "(".
constexpr TokenSet kFunctionNames = {T::kIdentifier, T::kStart, T::kEnd,  T::kStep,
                                     T::kRange,      T::kMaxOf, T::kMinOf};
// The tokens an expression can start with.
constexpr TokenSet kExprStart =
    kMetricIdentifiers |
    TokenSet{T::kAdd, T::kSub, T::kLeftParen, T::kString, T::kNumber, T::kDuration, T::kLeftBrace};
// Tokens accepted as label names in grouping lists (Prometheus's maybe_label): the metric
// identifiers but without, plus a few more keywords.
constexpr TokenSet kLabelKeywords = {
    T::kBool,      T::kBy,         T::kGroupLeft, T::kGroupRight, T::kFill,  T::kFillLeft,
    T::kFillRight, T::kIdentifier, T::kIgnoring,  T::kLand,       T::kLor,   T::kLunless,
    T::kOffset,    T::kOn,         T::kStart,     T::kEnd,        T::kAtan2, T::kStep,
    T::kRange,     T::kAnchored,   T::kSmoothed,  T::kMaxOf,      T::kMinOf, T::kMetricIdentifier};
constexpr TokenSet kMaybeLabel = kAggregators | kLabelKeywords;
constexpr TokenSet kBinaryOps = {T::kAdd,  T::kSub,   T::kMul,    T::kDiv,       T::kMod,
                                 T::kPow,  T::kAtan2, T::kEqlc,   T::kNeq,       T::kGtr,
                                 T::kLss,  T::kGte,   T::kLte,    T::kTrimUpper, T::kTrimLower,
                                 T::kLand, T::kLor,   T::kLunless};
constexpr TokenSet kDurationOps = {T::kAdd, T::kSub, T::kMul, T::kDiv, T::kMod, T::kPow};
constexpr TokenSet kUnaryOps = {T::kAdd, T::kSub};
constexpr TokenSet kNumbers = {T::kNumber, T::kDuration};
constexpr TokenSet kMatchOps = {T::kEql, T::kNeq, T::kEqlRegex, T::kNeqRegex};
constexpr TokenSet kStepOrRange = {T::kStep, T::kRange};
constexpr TokenSet kMinMaxOf = {T::kMinOf, T::kMaxOf};

constexpr SyntaxContext kOffsetContext = {"offset", "number, duration, step(), or range()"};
constexpr SyntaxContext kBracketStart = {"subquery or range selector",
                                         "number, duration, step(), or range()"};
constexpr SyntaxContext kBracketAfterRange = {"subquery or range", "\":\" or \"]\""};
constexpr SyntaxContext kBracketAfterColon = {"subquery selector",
                                              "number, duration, step(), range(), or \"]\""};
constexpr SyntaxContext kBracketAfterStep = {"subquery selector", "\"]\""};

constexpr auto grouping_error = [](const char* expected) {
  return error_in("grouping opts", expected);
};
constexpr auto matching_error = [](const char* expected) {
  return error_in("label matching", expected);
};
constexpr SyntaxErrorParser at_error = error_in("@", "timestamp");

// --- Rules. ---
x3::rule<class start_expr_id> const start_expr = "start_expr";
x3::rule<class start_selector_id> const start_selector = "start_selector";
x3::rule<class expr_id> const expr = "expr";
x3::rule<class operand_id> const operand = "operand";
x3::rule<class primary_id> const primary = "primary";
x3::rule<class paren_expr_id> const paren_expr = "paren_expr";
x3::rule<class call_body_id> const call_body = "call_body";
x3::rule<class function_call_id> const function_call = "function_call";
x3::rule<class aggregate_expr_id> const aggregate_expr = "aggregate_expr";
x3::rule<class vector_selector_id> const vector_selector = "vector_selector";
x3::rule<class label_matchers_id> const label_matchers = "label_matchers";
x3::rule<class label_matcher_id> const label_matcher = "label_matcher";
x3::rule<class grouping_labels_id> const grouping_labels = "grouping_labels";
x3::rule<class grouping_label_id> const grouping_label = "grouping_label";
x3::rule<class bin_modifier_id> const bin_modifier = "bin_modifier";
x3::rule<class fill_value_id> const fill_value = "fill_value";
x3::rule<class postfix_id> const postfix = "postfix";
x3::rule<class offset_duration_id> const offset_duration = "offset_duration";
x3::rule<class bracket_id> const bracket = "bracket";
x3::rule<class duration_expr_id> const duration_expr = "duration_expr";
x3::rule<class duration_operand_id> const duration_operand = "duration_operand";
x3::rule<class min_max_of_id> const min_max_of = "min_max_of";

// --- Semantic actions: f(state, first token, one past the last token matched). ---
using Tokens = Iterator;
const auto no_expression = [](ParserState& s, Tokens, Tokens) {
  s.AddError({0, 0}, "no expression found in input");
};
const auto begin_expr = [](ParserState& s, Tokens b, Tokens) {
  if (s.Enter(b->pos)) s.BeginExpr();
};
const auto end_expr = [](ParserState& s, Tokens, Tokens) {
  s.EndExpr();
  s.Leave();
};
const auto push_binary = [](ParserState& s, Tokens b, Tokens) { s.PushBinary(*b); };
const auto push_unary = [](ParserState& s, Tokens b, Tokens) { s.PushUnary(*b); };
const auto push_string = [](ParserState& s, Tokens b, Tokens) { s.PushString(*b); };
const auto push_number = [](ParserState& s, Tokens b, Tokens) { s.PushNumber(*b); };
const auto finish_paren = [](ParserState& s, Tokens b, Tokens e) { s.FinishParen(*b, *(e - 1)); };
const auto trailing_comma = [](ParserState& s, Tokens b, Tokens) { s.TrailingComma(*b); };
const auto begin_call = [](ParserState& s, Tokens b, Tokens) { s.BeginCall(*b); };
const auto finish_call = [](ParserState& s, Tokens, Tokens e) { s.FinishCall(*(e - 1)); };
const auto begin_aggregate = [](ParserState& s, Tokens b, Tokens) { s.BeginAggregate(*b); };
const auto set_aggregate_modifier = [](ParserState& s, Tokens b, Tokens) {
  s.SetAggregateModifier(b->type == T::kWithout);
};
const auto finish_aggregate = [](ParserState& s, Tokens, Tokens e) { s.FinishAggregate(*(e - 1)); };
const auto pop_context_action = [](ParserState& s, Tokens, Tokens) { s.PopContext(); };
const auto finish_named_selector = [](ParserState& s, Tokens b, Tokens e) {
  if (e - b == 1) {
    s.FinishSelector(b, nullptr, nullptr);
  } else {
    s.FinishSelector(b, b + 1, e - 1);
  }
};
const auto finish_selector = [](ParserState& s, Tokens b, Tokens e) {
  s.FinishSelector(nullptr, b, e - 1);
};
const auto begin_matchers = [](ParserState& s, Tokens, Tokens) { s.BeginMatchers(); };
const auto add_matcher = [](ParserState& s, Tokens b, Tokens e) { s.AddMatcher(b, e); };
const auto begin_labels = [](ParserState& s, Tokens, Tokens) { s.BeginLabels(); };
const auto add_label = [](ParserState& s, Tokens b, Tokens) { s.AddLabel(*b); };
const auto add_string_label = [](ParserState& s, Tokens b, Tokens) { s.AddStringLabel(*b); };
const auto set_fill_value = [](ParserState& s, Tokens b, Tokens) { s.SetFillValue(nullptr, *b); };
const auto set_signed_fill_value = [](ParserState& s, Tokens b, Tokens) {
  s.SetFillValue(b, *(b + 1));
};
const auto set_fill = [](bool lhs, bool rhs) {
  return [lhs, rhs](ParserState& s, Tokens, Tokens) { s.SetFill(lhs, rhs); };
};
const auto set_return_bool = [](ParserState& s, Tokens, Tokens) { s.SetReturnBool(); };
const auto set_matching = [](ParserState& s, Tokens b, Tokens) {
  s.SetMatching(b->type == T::kOn);
};
const auto set_group = [](ParserState& s, Tokens b, Tokens) {
  s.SetGroup(b->type == T::kGroupLeft);
};
const auto set_group_include = [](ParserState& s, Tokens, Tokens) { s.SetGroupInclude(); };
const auto begin_offset = [](ParserState& s, Tokens, Tokens) { s.PushContext(kOffsetContext); };
const auto apply_offset = [](ParserState& s, Tokens, Tokens e) {
  s.PopContext();
  s.ApplyOffset(*(e - 1), *e);
};
const auto mark_offset_lookahead = [](ParserState& s, Tokens, Tokens) { s.MarkOffsetLookahead(); };
const auto apply_at = [](ParserState& s, Tokens b, Tokens) { s.ApplyAtNumber(nullptr, *b); };
const auto apply_signed_at = [](ParserState& s, Tokens b, Tokens) { s.ApplyAtNumber(b, *(b + 1)); };
const auto apply_at_preprocessor = [](ParserState& s, Tokens b, Tokens e) {
  s.ApplyAtPreprocessor(*b, *(e - 1));
};
const auto apply_anchored = [](ParserState& s, Tokens, Tokens) {
  s.ApplyExtendedRangeModifier(true);
};
const auto apply_smoothed = [](ParserState& s, Tokens, Tokens) {
  s.ApplyExtendedRangeModifier(false);
};
const auto begin_bracket = [](ParserState& s, Tokens b, Tokens) {
  s.PushContext(kBracketStart);
  s.BeginBracket(*b);
};
const auto set_context = [](SyntaxContext c) {
  return [c](ParserState& s, Tokens, Tokens) { s.ReplaceContext(c); };
};
const auto check_positive = [](ParserState& s, Tokens, Tokens) { s.CheckPositiveDuration(); };
const auto finish_range = [](ParserState& s, Tokens b, Tokens) { s.FinishRange(*b); };
const auto finish_subquery = [](ParserState& s, Tokens b, Tokens) { s.FinishSubquery(false, *b); };
const auto finish_subquery_step = [](ParserState& s, Tokens, Tokens e) {
  s.FinishSubquery(true, *(e - 1));
};
const auto begin_duration = [](ParserState& s, Tokens b, Tokens) {
  if (s.Enter(b->pos)) s.BeginDurationExpr();
};
const auto end_duration = [](ParserState& s, Tokens, Tokens) {
  s.EndDurationExpr();
  s.Leave();
};
const auto push_duration_binary = [](ParserState& s, Tokens b, Tokens) {
  s.PushDurationBinary(*b);
};
const auto push_duration_unary = [](ParserState& s, Tokens b, Tokens) { s.PushDurationUnary(*b); };
const auto push_duration_literal = [](ParserState& s, Tokens b, Tokens) {
  s.PushDurationLiteral(nullptr, *b);
};
const auto push_signed_duration_literal = [](ParserState& s, Tokens b, Tokens) {
  s.PushDurationLiteral(b, *(b + 1));
};
const auto push_step_or_range = [](ParserState& s, Tokens b, Tokens e) {
  s.PushStepOrRange(nullptr, *b, *(e - 1));
};
const auto push_signed_step_or_range = [](ParserState& s, Tokens b, Tokens e) {
  s.PushStepOrRange(b, *(b + 1), *(e - 1));
};
const auto finish_min_max_of = [](ParserState& s, Tokens b, Tokens e) {
  s.FinishMinMaxOf(nullptr, *b, *(e - 1));
};
const auto finish_signed_min_max_of = [](ParserState& s, Tokens b, Tokens e) {
  s.FinishMinMaxOf(b, *(b + 1), *(e - 1));
};
const auto finish_duration_paren = [](ParserState& s, Tokens b, Tokens e) {
  s.FinishDurationParen(nullptr, *b, *(e - 1));
};
const auto finish_signed_duration_paren = [](ParserState& s, Tokens b, Tokens e) {
  s.FinishDurationParen(b, *(b + 1), *(e - 1));
};

const auto lparen = tok(T::kLeftParen) | dyn_error;
const auto rparen = tok(T::kRightParen) | dyn_error;
const auto comma = tok(T::kComma) | dyn_error;
const auto pop_context = on(x3::eps, pop_context_action);

// --- Top level. ---
const auto start_expr_def = on(tok(T::kEof), no_expression) | (expr >> (tok(T::kEof) | dyn_error));
const auto start_selector_def = (vector_selector | dyn_error) >> (tok(T::kEof) | dyn_error);

// --- Expressions. ---
const auto expr_def = on(x3::eps, begin_expr) >> operand >>
                      *(on(tok(kBinaryOps), push_binary) >> noinline[bin_modifier] >> operand) >>
                      on(x3::eps, end_expr);

const auto operand_def = *on(tok(kUnaryOps), push_unary) >> primary >> *noinline[postfix];

const auto primary_def = paren_expr | on(tok(T::kString), push_string) |
                         on(tok(kNumbers), push_number) | aggregate_expr | function_call |
                         noinline[vector_selector] | dyn_error;

const auto paren_expr_def = on(tok(T::kLeftParen) >> expr >> rparen, finish_paren);

// "(" [expr ("," expr)* [","]] ")"; a trailing comma is an error Prometheus reports and parses on.
const auto call_body_def = tok(T::kLeftParen) >>
                           (tok(T::kRightParen) |
                            (expr >> *(on(tok(T::kComma) >> !tok(kExprStart), trailing_comma) |
                                       (tok(T::kComma) >> expr)) >>
                             rparen));

const auto function_call_def =
    on(on(tok(kFunctionNames) >> &tok(T::kLeftParen), begin_call) >> call_body, finish_call);

const auto aggregate_modifier =
    on(tok({T::kBy, T::kWithout}) >> noinline[grouping_labels], set_aggregate_modifier);

// The aggregation's context ends with its body, before a trailing by/without.
const auto aggregate_expr_def =
    on(on(tok(kAggregators) >> &tok({T::kLeftParen, T::kBy, T::kWithout}), begin_aggregate) >>
           ((aggregate_modifier >> (call_body | dyn_error) >> pop_context) |
            (call_body >> pop_context >> -aggregate_modifier)),
       finish_aggregate);

// --- Selectors: name, name{...} or {...}. ---
const auto vector_selector_def =
    on(tok(kMetricIdentifiers) >> -label_matchers, finish_named_selector) |
    on(label_matchers, finish_selector);

const auto label_matchers_def = on(tok(T::kLeftBrace), begin_matchers) >>
                                (tok(T::kRightBrace) |
                                 (label_matcher >>
                                  *(tok(T::kComma) >> !tok(T::kRightBrace) >> label_matcher) >>
                                  -tok(T::kComma) >>
                                  (tok(T::kRightBrace) | matching_error("\",\" or \"}\""))));

// name op "value", "name" op "value", or "name" alone (the metric name).
const auto label_matcher_def =
    on(tok(T::kIdentifier) >> (tok(kMatchOps) | matching_error("label matching operator")) >>
           (tok(T::kString) | matching_error("string")),
       add_matcher) |
    on(tok(T::kString) >> -(tok(kMatchOps) >> (tok(T::kString) | matching_error("string"))),
       add_matcher) |
    matching_error("identifier or \"}\"");

// --- Grouping labels: "(" [label ("," label)* [","]] ")". ---
const auto grouping_labels_def = (on(tok(T::kLeftParen), begin_labels) | grouping_error("\"(\"")) >>
                                 (tok(T::kRightParen) |
                                  (grouping_label >>
                                   *(tok(T::kComma) >> !tok(T::kRightParen) >> grouping_label) >>
                                   -tok(T::kComma) >>
                                   (tok(T::kRightParen) | grouping_error("\",\" or \")\""))));

const auto grouping_label_def = on(tok(kMaybeLabel), add_label) |
                                on(tok(T::kString), add_string_label) | grouping_error("label");

// --- Binary operator modifiers:
//     [bool] [(on|ignoring) (...) [(group_left|group_right) [(...)]]] [fill modifiers]. ---
const auto fill_value_def = lparen >> (on(tok(kNumbers), set_fill_value) |
                                       on(tok(kUnaryOps) >> (tok(kNumbers) | dyn_error),
                                          set_signed_fill_value) |
                                       dyn_error) >>
                            rparen;

const auto fill_modifiers = on(tok(T::kFill) >> fill_value, set_fill(true, true)) |
                            (on(tok(T::kFillLeft) >> fill_value, set_fill(true, false)) >>
                             -on(tok(T::kFillRight) >> fill_value, set_fill(false, true))) |
                            (on(tok(T::kFillRight) >> fill_value, set_fill(false, true)) >>
                             -on(tok(T::kFillLeft) >> fill_value, set_fill(true, false)));

// After group_left/group_right the label list is optional; anything that cannot start the
// right operand is reported as a missing "(".
const auto group_modifier = on(tok({T::kGroupLeft, T::kGroupRight}), set_group) >>
                            (on(&tok(T::kLeftParen) >> grouping_labels, set_group_include) |
                             &tok(kExprStart) | grouping_error("\"(\""));

const auto bin_modifier_def = -on(tok(T::kBool), set_return_bool) >>
                              -(on(tok({T::kOn, T::kIgnoring}) >> grouping_labels, set_matching) >>
                                -group_modifier) >>
                              -fill_modifiers;

// --- Postfix modifiers. ---
const auto offset_modifier = on(on(tok(T::kOffset), begin_offset) >> offset_duration, apply_offset);

const auto at_modifier = tok(T::kAt) >>
                         (on(tok(kNumbers), apply_at) |
                          on(tok(kUnaryOps) >> (tok(kNumbers) | at_error), apply_signed_at) |
                          on(tok({T::kStart, T::kEnd}) >> (tok(T::kLeftParen) | at_error) >>
                                 (tok(T::kRightParen) | at_error),
                             apply_at_preprocessor) |
                          at_error);

const auto positive_duration = duration_expr >> on(x3::eps, check_positive);

// "[" d "]" (range) or "[" d ":" [d] "]" (subquery).
const auto bracket_def = on(tok(T::kLeftBracket), begin_bracket) >> positive_duration >>
                         on(x3::eps, set_context(kBracketAfterRange)) >>
                         (on(tok(T::kRightBracket), finish_range) |
                          (tok(T::kColon) >> on(x3::eps, set_context(kBracketAfterColon)) >>
                           (on(tok(T::kRightBracket), finish_subquery) |
                            on(positive_duration >> on(x3::eps, set_context(kBracketAfterStep)) >>
                                   (tok(T::kRightBracket) | dyn_error),
                               finish_subquery_step))) |
                          dyn_error) >>
                         pop_context;

const auto postfix_def = noinline[offset_modifier] | noinline[at_modifier] | bracket |
                         on(tok(T::kAnchored), apply_anchored) |
                         on(tok(T::kSmoothed), apply_smoothed);

// --- Duration expressions. ---
const auto step_or_range_call = tok(kStepOrRange) >> lparen >> rparen;
const auto min_max_of_args = lparen >> duration_expr >> comma >> duration_expr >> rparen;

const auto min_max_of_def = on(tok(kMinMaxOf) >> min_max_of_args, finish_min_max_of);

const auto duration_expr_def = on(x3::eps, begin_duration) >> duration_operand >>
                               *(on(tok(kDurationOps), push_duration_binary) >> duration_operand) >>
                               on(x3::eps, end_duration);

const auto duration_operand_def = *on(tok(kUnaryOps), push_duration_unary) >>
                                  (on(tok(kNumbers), push_duration_literal) |
                                   on(step_or_range_call, push_step_or_range) | min_max_of |
                                   on(tok(T::kLeftParen) >> duration_expr >> rparen,
                                      finish_duration_paren) |
                                   dyn_error);

// What may follow "offset" (Prometheus's offset_duration_expr): a literal, signed or not, with
// no arithmetic after it; step(), range(), min_of(), max_of() or "-(d)", signed or not; or a
// full duration expression when it starts with "(" or with two signs.
const auto offset_duration_def =
    on((&tok(T::kLeftParen) | &(tok(kUnaryOps) >> tok(kUnaryOps))) >> duration_expr,
       mark_offset_lookahead) |
    on(tok(kNumbers), push_duration_literal) | on(step_or_range_call, push_step_or_range) |
    min_max_of | on(tok(kUnaryOps) >> tok(kNumbers), push_signed_duration_literal) |
    on(tok(kUnaryOps) >> step_or_range_call, push_signed_step_or_range) |
    on(tok(kUnaryOps) >> tok(kMinMaxOf) >> min_max_of_args, finish_signed_min_max_of) |
    on(tok(kUnaryOps) >> tok(T::kLeftParen) >> duration_expr >> rparen,
       finish_signed_duration_paren) |
    (tok(kUnaryOps) >> dyn_error) | dyn_error;

BOOST_SPIRIT_DEFINE(start_expr, start_selector, expr, operand, primary, paren_expr, call_body,
                    function_call, aggregate_expr, vector_selector, label_matchers, label_matcher,
                    grouping_labels, grouping_label, bin_modifier, fill_value, postfix,
                    offset_duration, bracket, duration_expr, duration_operand, min_max_of)

// Runs `grammar` over the tokens, turning a syntax failure into Prometheus's message.
template <typename Grammar>
void Run(const Grammar& grammar, const LexResult& lex, ParserState& state) {
  Iterator first = lex.tokens.data();
  Iterator last = first + lex.tokens.size();
  try {
    // Every rule either matches or throws, so a plain failure would be a grammar bug; report
    // it as a syntax error rather than returning no tree.
    if (!x3::parse(first, last, x3::with<state_tag>(std::ref(state))[grammar]) &&
        state.errors().empty()) {
      throw SyntaxFailure(first, std::string(1, kContextSeparator));
    }
  } catch (const SyntaxFailure& failure) {
    if (state.too_deep()) return;  // the error is recorded
    const Token& t = *failure.where();
    if (t.type == T::kError) {
      // The lexer stopped here; Prometheus reports its message.
      state.AddLexerError({t.pos, static_cast<int>(state.input().size())}, lex.error);
      return;
    }
    const std::string& which = failure.which();
    size_t sep = which.find(kContextSeparator);
    std::string context = which.substr(0, sep);
    std::string expected = sep == std::string::npos ? std::string() : which.substr(sep + 1);
    std::string message = "unexpected " + DescribeToken(t);
    if (!context.empty()) message += " in " + context;
    if (!expected.empty()) message += ", expected " + expected;
    state.AddError({t.pos, t.end()}, std::move(message));
  }
}

}  // namespace
}  // namespace detail

namespace {

// Positions are ints, as in Prometheus's posrange.Pos.
constexpr size_t kMaxInputBytes = std::numeric_limits<int>::max();
const char kInputTooLong[] = "parse error: query too long";

}  // namespace

base::Result<ExprPtr> Parse(std::string_view input, const ParseOptions& options) {
  if (input.size() > kMaxInputBytes) return base::InvalidArgument(kInputTooLong);
  LexResult lex = Lex(input);
  ParserState state(input, options);
  detail::Run(detail::start_expr, lex, state);
  if (!state.errors().empty()) return base::InvalidArgument(state.FirstErrorString());
  ExprPtr e = state.TakeResult();
  // Type checks run only on a tree without syntax errors, as in Prometheus.
  CheckAst(*e, state);
  if (!state.errors().empty()) return base::InvalidArgument(state.FirstErrorString());
  return e;
}

base::Result<std::vector<model::Matcher>> ParseMetricSelector(std::string_view input,
                                                              const ParseOptions& options) {
  if (input.size() > kMaxInputBytes) return base::InvalidArgument(kInputTooLong);
  LexResult lex = Lex(input);
  ParserState state(input, options);
  detail::Run(detail::start_selector, lex, state);
  if (!state.errors().empty()) return base::InvalidArgument(state.FirstErrorString());
  ExprPtr e = state.TakeResult();
  return std::move(static_cast<VectorSelector&>(*e).matchers);
}

}  // namespace promql::parser

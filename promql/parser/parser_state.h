// The state of one parse: the errors found so far, the syntax-error context, and the stacks
// the grammar's semantic actions build the AST on. The grammar (grammar.cc) decides what to
// call when; this class builds nodes with the checks Prometheus's grammar actions make
// (generated_parser.y, parse.go). Internal to promql::parser; free of Spirit types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "promql/ast.h"
#include "promql/parser/lexer.h"
#include "promql/parser/parse.h"

namespace promql::parser {

struct ParseError {
  PositionRange pos;
  std::string message;
};

// Where a syntax error is reported as "unexpected X in <context>, expected <expected>" (the
// `error` productions of Prometheus's grammar). Empty fields are left out. The views are of
// string literals.
struct SyntaxContext {
  std::string_view context;
  std::string_view expected;
};

// Not thread-safe; one per parse.
//
// Invariants: every completed expression leaves exactly one node on the operand stack;
// operators wait on the operator stack above the marker of the expression they belong to.
class ParserState {
 public:
  // REQUIRES: `input`, which the tokens point into, outlives the state.
  ParserState(std::string_view input, const ParseOptions& options);

  const ParseOptions& options() const { return options_; }
  std::string_view input() const { return input_; }

  // Errors, in the order Prometheus would record them; only the first is reported.
  void AddError(PositionRange pos, std::string message);
  const std::vector<ParseError>& errors() const { return errors_; }

  // Notes that the grammar looked at token t. Prometheus's parser records a lexer error as
  // soon as it reads the failing token as lookahead, so errors found after that come second.
  void Examine(const Token& t) {
    if (t.type == TokenType::kError) lex_error_examined_ = true;
  }
  // Records the lexer's error, in the place Prometheus would.
  void AddLexerError(PositionRange pos, std::string message);
  // "<line:col>: parse error: <message>" for the first error. REQUIRES: errors() not empty.
  std::string FirstErrorString() const;

  // The context for syntax errors inside nested expressions (aggregation bodies, offsets,
  // brackets); the innermost applies.
  void PushContext(SyntaxContext c) { contexts_.push_back(c); }
  void ReplaceContext(SyntaxContext c) { contexts_.back() = c; }
  void PopContext() { contexts_.pop_back(); }
  SyntaxContext CurrentContext() const {
    return contexts_.empty() ? SyntaxContext{} : contexts_.back();
  }

  // Nesting depth of the grammar's recursive rules; false (and an error recorded) when
  // options().max_depth is exceeded.
  bool Enter(int pos);
  void Leave() { --depth_; }
  // Set once the query nests deeper than options().max_depth; the parse must stop.
  bool too_deep() const { return too_deep_; }

  // --- Expressions: operands and operators. ---
  void BeginExpr();
  void EndExpr();
  void PushUnary(const Token& op);
  void PushBinary(const Token& op);
  // Binary modifiers, applied to the operator pushed last.
  void SetReturnBool();
  void SetMatching(bool on);  // takes the labels of the last grouping list
  void SetGroup(bool left);   // group_left / group_right
  void SetGroupInclude();     // takes the labels of the last grouping list
  void SetFillValue(const Token* sign, const Token& number);
  void SetFill(bool lhs, bool rhs);  // takes the last fill value

  // --- Grouping label lists. ---
  void BeginLabels() { labels_.clear(); }
  void AddLabel(const Token& t);
  void AddStringLabel(const Token& t);

  // --- Primaries. ---
  void PushNumber(const Token& t);
  void PushString(const Token& t);
  void FinishParen(const Token& lparen, const Token& rparen);
  void BeginCall(const Token& name);
  void FinishCall(const Token& rparen);
  void TrailingComma(const Token& comma);
  void BeginAggregate(const Token& op);
  void SetAggregateModifier(bool without);
  void FinishAggregate(const Token& last);
  void BeginMatchers() { matchers_.clear(); }
  // A matcher from `name op "value"`, `"name" op "value"` or `"name"` (tokens in order).
  void AddMatcher(const Token* begin, const Token* end);
  void FinishSelector(const Token* name, const Token* lbrace, const Token* rbrace);

  // --- Postfix modifiers of the operand on top. ---
  // `next` is the token after the offset. When the offset was a full duration expression
  // Prometheus reads it before finishing the offset, and a closing token there extends the
  // node's end position (its lastClosing); MarkOffsetLookahead() records that case.
  void MarkOffsetLookahead() { offset_lookahead_ = true; }
  void ApplyOffset(const Token& last, const Token& next);
  void ApplyAtNumber(const Token* sign, const Token& number);
  void ApplyAtPreprocessor(const Token& start_or_end, const Token& rparen);
  void ApplyExtendedRangeModifier(bool anchored);  // anchored or smoothed
  void BeginBracket(const Token& lbracket) { lbracket_ = &lbracket; }
  void CheckPositiveDuration();
  void FinishRange(const Token& rbracket);
  void FinishSubquery(bool has_step, const Token& rbracket);

  // --- Duration expressions (operands are pushed on the operand stack too). ---
  void PushDurationLiteral(const Token* sign, const Token& number);
  void PushStepOrRange(const Token* sign, const Token& keyword, const Token& rparen);
  void FinishMinMaxOf(const Token* sign, const Token& keyword, const Token& rparen);
  void FinishDurationParen(const Token* sign, const Token& lparen, const Token& rparen);
  void BeginDurationExpr();
  void EndDurationExpr();
  void PushDurationUnary(const Token& op);
  void PushDurationBinary(const Token& op);

  // The finished expression. REQUIRES: exactly one operand.
  ExprPtr TakeResult();

 private:
  struct Operand {
    ExprPtr expr;
    int height = 1;  // of the subtree, bounded by options_.max_depth
  };
  struct PendingOp {
    const Token* token = nullptr;
    bool unary = false;
    bool duration = false;  // an operator of a duration expression
    int precedence = 0;
    bool right_assoc = false;
    // Binary modifiers.
    bool return_bool = false;
    VectorMatching matching;
  };
  struct PendingCall {
    const Token* name;
    size_t first_arg;
  };
  struct PendingAggregate {
    const Token* op;
    size_t first_arg;
    std::vector<std::string> grouping;
    bool without = false;
  };

  void Push(ExprPtr e, int height = 1) { operands_.push_back({std::move(e), height}); }
  Operand Pop();
  Expr& Top() { return *operands_.back().expr; }
  static PendingOp MakeOp(const Token& op, bool unary, bool duration);
  void PushOperator(PendingOp op);
  void ReduceTop();
  void ReduceTo(size_t mark);
  // False (and an error recorded) when a node of this height would be too deep.
  bool CheckHeight(int height, int pos);
  ExprPtr ApplyDurationUnary(const Token& op, ExprPtr e);
  double ParseNumberToken(const Token& t);
  void CheckExperimentalDuration(const Expr& e);
  std::string UnquoteToken(const Token& t);
  // Resolves the selector the @ / offset modifiers of `e` live on; reports an error naming
  // `what` and returns nullptr when e takes no such modifier.
  TimeModifiers* ModifiersOf(Expr& e, const char* what, int** end_pos);

  std::string_view input_;
  ParseOptions options_;
  std::vector<ParseError> errors_;
  bool lex_error_examined_ = false;
  size_t errors_before_lex_error_ = 0;  // errors_ recorded before lex_error_examined_
  std::vector<SyntaxContext> contexts_;
  int depth_ = 0;
  bool too_deep_ = false;

  std::vector<Operand> operands_;
  std::vector<PendingOp> operators_;
  std::vector<size_t> expr_marks_;  // operators_.size() at the start of each open expression
  std::vector<PendingCall> calls_;
  std::vector<PendingAggregate> aggregates_;
  std::vector<std::string> labels_;
  std::vector<model::Matcher> matchers_;
  double fill_value_ = 0;
  const Token* lbracket_ = nullptr;
  bool offset_lookahead_ = false;
};

}  // namespace promql::parser

#include "promql/parser/parser_state.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "model/labels.h"
#include "promql/functions.h"
#include "promql/parser/literals.h"
#include "promql/parser/regexp_error.h"
#include "base/quote.h"

namespace promql::parser {
namespace {

// Operator precedences of Prometheus's grammar, lowest first; unary operators bind like *.
constexpr int kPrecOr = 1;
constexpr int kPrecAnd = 2;
constexpr int kPrecComparison = 3;
constexpr int kPrecAdditive = 4;
constexpr int kPrecMultiplicative = 5;
constexpr int kPrecPow = 6;

int Precedence(TokenType t) {
  switch (t) {
    case TokenType::kLor:
      return kPrecOr;
    case TokenType::kLand:
    case TokenType::kLunless:
      return kPrecAnd;
    case TokenType::kEqlc:
    case TokenType::kNeq:
    case TokenType::kLte:
    case TokenType::kLss:
    case TokenType::kGte:
    case TokenType::kGtr:
    case TokenType::kTrimUpper:
    case TokenType::kTrimLower:
      return kPrecComparison;
    case TokenType::kAdd:
    case TokenType::kSub:
      return kPrecAdditive;
    case TokenType::kMul:
    case TokenType::kDiv:
    case TokenType::kMod:
    case TokenType::kAtan2:
      return kPrecMultiplicative;
    case TokenType::kPow:
      return kPrecPow;
    default:
      return 0;
  }
}

BinaryOp ToBinaryOp(TokenType t) {
  switch (t) {
    case TokenType::kAdd:
      return BinaryOp::kAdd;
    case TokenType::kSub:
      return BinaryOp::kSub;
    case TokenType::kMul:
      return BinaryOp::kMul;
    case TokenType::kDiv:
      return BinaryOp::kDiv;
    case TokenType::kMod:
      return BinaryOp::kMod;
    case TokenType::kPow:
      return BinaryOp::kPow;
    case TokenType::kAtan2:
      return BinaryOp::kAtan2;
    case TokenType::kEqlc:
      return BinaryOp::kEqlc;
    case TokenType::kNeq:
      return BinaryOp::kNeq;
    case TokenType::kGtr:
      return BinaryOp::kGtr;
    case TokenType::kLss:
      return BinaryOp::kLss;
    case TokenType::kGte:
      return BinaryOp::kGte;
    case TokenType::kLte:
      return BinaryOp::kLte;
    case TokenType::kTrimUpper:
      return BinaryOp::kTrimUpper;
    case TokenType::kTrimLower:
      return BinaryOp::kTrimLower;
    case TokenType::kLand:
      return BinaryOp::kAnd;
    case TokenType::kLor:
      return BinaryOp::kOr;
    default:
      return BinaryOp::kUnless;
  }
}

DurationExpr::Op ToDurationOp(TokenType t) {
  switch (t) {
    case TokenType::kAdd:
      return DurationExpr::Op::kAdd;
    case TokenType::kSub:
      return DurationExpr::Op::kSub;
    case TokenType::kMul:
      return DurationExpr::Op::kMul;
    case TokenType::kDiv:
      return DurationExpr::Op::kDiv;
    case TokenType::kMod:
      return DurationExpr::Op::kMod;
    case TokenType::kPow:
      return DurationExpr::Op::kPow;
    case TokenType::kStep:
      return DurationExpr::Op::kStep;
    case TokenType::kRange:
      return DurationExpr::Op::kRange;
    case TokenType::kMinOf:
      return DurationExpr::Op::kMinOf;
    default:
      return DurationExpr::Op::kMaxOf;
  }
}

AggregateOp ToAggregateOp(TokenType t) {
  switch (t) {
    case TokenType::kSum:
      return AggregateOp::kSum;
    case TokenType::kAvg:
      return AggregateOp::kAvg;
    case TokenType::kCount:
      return AggregateOp::kCount;
    case TokenType::kMin:
      return AggregateOp::kMin;
    case TokenType::kMax:
      return AggregateOp::kMax;
    case TokenType::kGroup:
      return AggregateOp::kGroup;
    case TokenType::kStddev:
      return AggregateOp::kStddev;
    case TokenType::kStdvar:
      return AggregateOp::kStdvar;
    case TokenType::kTopk:
      return AggregateOp::kTopk;
    case TokenType::kBottomk:
      return AggregateOp::kBottomk;
    case TokenType::kQuantile:
      return AggregateOp::kQuantile;
    case TokenType::kCountValues:
      return AggregateOp::kCountValues;
    case TokenType::kLimitk:
      return AggregateOp::kLimitk;
    default:
      return AggregateOp::kLimitRatio;
  }
}

PositionRange RangeOf(const Token& t) { return {t.pos, t.end()}; }

// The tokens whose end Prometheus's parser remembers as lastClosing.
bool IsClosingToken(TokenType t) {
  return t == TokenType::kRightBrace || t == TokenType::kRightParen ||
         t == TokenType::kRightBracket || t == TokenType::kDuration || t == TokenType::kNumber;
}

// Prometheus's durationLiteralOutOfRange: seconds that do not fit a time.Duration.
bool DurationOutOfRange(double seconds) {
  constexpr double kMaxSeconds = 9223372036.854775808;  // 2^63 ns
  return seconds > kMaxSeconds || seconds < -kMaxSeconds;
}

// time.Duration(math.Round(seconds * 1e9)), truncated to milliseconds as Duration.Milliseconds().
std::chrono::milliseconds SecondsToMillis(double seconds) {
  int64_t nanos = GoFloatToInt64(std::round(seconds * 1e9));
  return std::chrono::milliseconds(nanos / 1000000);
}

// Go's %f: six decimals; +Inf, -Inf, NaN for the special values.
std::string FormatPercentF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

bool IsValidUtf8LabelName(std::string_view name) {
  return !name.empty() && model::IsValidUtf8(name);
}

// wrapParenDurationExpr: marks a duration expression as parenthesised, lifting a bare number
// into a unary-plus expression so that the printer can restore the parentheses.
std::unique_ptr<DurationExpr> WrapParen(ExprPtr e, int start, int end) {
  if (auto* d = As<DurationExpr>(*e)) {
    d->wrapped = true;
    return std::unique_ptr<DurationExpr>(static_cast<DurationExpr*>(e.release()));
  }
  auto d = std::make_unique<DurationExpr>();
  d->op = DurationExpr::Op::kAdd;
  d->rhs = std::move(e);
  d->wrapped = true;
  d->start_pos = start;
  d->end_pos = end;
  return d;
}

std::unique_ptr<DurationExpr> ToDurationExpr(ExprPtr e) {
  return std::unique_ptr<DurationExpr>(static_cast<DurationExpr*>(e.release()));
}

}  // namespace

ParserState::ParserState(std::string_view input, const ParseOptions& options)
    : input_(input), options_(options) {}

void ParserState::AddError(PositionRange pos, std::string message) {
  errors_.push_back({pos, std::move(message)});
  if (!lex_error_examined_) errors_before_lex_error_ = errors_.size();
}

void ParserState::AddLexerError(PositionRange pos, std::string message) {
  errors_.insert(errors_.begin() + static_cast<ptrdiff_t>(errors_before_lex_error_),
                 ParseError{pos, std::move(message)});
}

std::string ParserState::FirstErrorString() const {
  const ParseError& e = errors_.front();
  return PositionString(input_, e.pos.start) + ": parse error: " + e.message;
}

bool ParserState::Enter(int pos) { return CheckHeight(++depth_, pos); }

ParserState::Operand ParserState::Pop() {
  Operand o = std::move(operands_.back());
  operands_.pop_back();
  return o;
}

ExprPtr ParserState::TakeResult() { return Pop().expr; }

bool ParserState::CheckHeight(int height, int pos) {
  if (height <= options_.max_depth) return true;
  if (!too_deep_) {
    too_deep_ = true;
    AddError({pos, pos}, "expression nests too deeply: more than " +
                             std::to_string(options_.max_depth) + " levels");
  }
  return false;
}

// --- Expressions. ---

ParserState::PendingOp ParserState::MakeOp(const Token& op, bool unary, bool duration) {
  PendingOp p;
  p.token = &op;
  p.unary = unary;
  p.duration = duration;
  // Unary operators bind like * (Prometheus's %prec MUL); ^ is right-associative.
  p.precedence = unary ? kPrecMultiplicative : Precedence(op.type);
  p.right_assoc = unary || op.type == TokenType::kPow;
  return p;
}

void ParserState::BeginExpr() { expr_marks_.push_back(operators_.size()); }

void ParserState::EndExpr() {
  ReduceTo(expr_marks_.back());
  expr_marks_.pop_back();
}

void ParserState::BeginDurationExpr() { expr_marks_.push_back(operators_.size()); }

void ParserState::EndDurationExpr() { EndExpr(); }

void ParserState::PushUnary(const Token& op) {
  operators_.push_back(MakeOp(op, /*unary=*/true, /*duration=*/false));
}

void ParserState::PushDurationUnary(const Token& op) {
  operators_.push_back(MakeOp(op, /*unary=*/true, /*duration=*/true));
}

void ParserState::PushBinary(const Token& op) {
  PushOperator(MakeOp(op, /*unary=*/false, /*duration=*/false));
}

void ParserState::PushDurationBinary(const Token& op) {
  PushOperator(MakeOp(op, /*unary=*/false, /*duration=*/true));
}

// Precedence climbing: reduces the waiting operators that bind at least as tightly as `op`
// (strictly more tightly for right-associative ^) before `op` waits for its right operand.
void ParserState::PushOperator(PendingOp op) {
  const size_t mark = expr_marks_.back();
  while (operators_.size() > mark && !too_deep_) {
    const PendingOp& top = operators_.back();
    if (top.precedence > op.precedence || (top.precedence == op.precedence && !op.right_assoc)) {
      ReduceTop();
    } else {
      break;
    }
  }
  operators_.push_back(std::move(op));
}

void ParserState::ReduceTo(size_t mark) {
  while (operators_.size() > mark && !too_deep_) ReduceTop();
}

void ParserState::ReduceTop() {
  PendingOp op = std::move(operators_.back());
  operators_.pop_back();
  if (op.unary) {
    Operand x = Pop();
    if (!CheckHeight(x.height + 1, op.token->pos)) return;
    if (op.duration) {
      Push(ApplyDurationUnary(*op.token, std::move(x.expr)), x.height + 1);
      return;
    }
    if (auto* n = As<NumberLiteral>(*x.expr)) {
      // A signed number literal stays a literal.
      if (op.token->type == TokenType::kSub) n->val = -n->val;
      n->pos_range.start = op.token->pos;
      Push(std::move(x.expr), x.height);
      return;
    }
    auto u = std::make_unique<UnaryExpr>();
    u->op = op.token->type == TokenType::kSub ? UnaryOp::kSub : UnaryOp::kAdd;
    u->expr = std::move(x.expr);
    u->start_pos = op.token->pos;
    Push(std::move(u), x.height + 1);
    return;
  }
  Operand rhs = Pop();
  Operand lhs = Pop();
  const int height = std::max(lhs.height, rhs.height) + 1;
  if (!CheckHeight(height, op.token->pos)) return;
  if (op.duration) {
    // Prometheus's duration_expr binary rules.
    CheckExperimentalDuration(*lhs.expr);
    TokenType t = op.token->type;
    if (t == TokenType::kDiv || t == TokenType::kMod) {
      if (auto* n = As<NumberLiteral>(*rhs.expr); n != nullptr && n->val == 0) {
        AddError(RangeOf(*op.token), t == TokenType::kDiv ? "division by zero" : "modulo by zero");
        Push(std::make_unique<NumberLiteral>(0, PositionRange{}), height);
        return;
      }
    }
    auto d = std::make_unique<DurationExpr>();
    d->op = ToDurationOp(t);
    d->lhs = std::move(lhs.expr);
    d->rhs = std::move(rhs.expr);
    Push(std::move(d), height);
    return;
  }
  auto b = std::make_unique<BinaryExpr>();
  b->op = ToBinaryOp(op.token->type);
  b->lhs = std::move(lhs.expr);
  b->rhs = std::move(rhs.expr);
  b->return_bool = op.return_bool;
  b->vector_matching = std::move(op.matching);
  if ((b->vector_matching->fill_lhs || b->vector_matching->fill_rhs) &&
      !options_.enable_binop_fill_modifiers) {
    AddError(b->position_range(), "binop fill modifiers are experimental and not enabled");
  }
  Push(std::move(b), height);
}

void ParserState::SetReturnBool() { operators_.back().return_bool = true; }

void ParserState::SetMatching(bool on) {
  VectorMatching& m = operators_.back().matching;
  m.on = on;
  m.matching_labels = std::move(labels_);
  labels_.clear();
}

void ParserState::SetGroup(bool left) {
  operators_.back().matching.card =
      left ? VectorMatching::Card::kManyToOne : VectorMatching::Card::kOneToMany;
}

void ParserState::SetGroupInclude() {
  operators_.back().matching.include = std::move(labels_);
  labels_.clear();
}

void ParserState::SetFillValue(const Token* sign, const Token& number) {
  double v;
  if (number.type == TokenType::kDuration) {
    int64_t nanos = 0;
    std::string err;
    if (!ParseDurationNanos(number.text, &nanos, &err)) AddError(RangeOf(number), err);
    v = NanosToSeconds(nanos);
  } else {
    v = ParseNumberToken(number);
  }
  if (sign != nullptr && sign->type == TokenType::kSub) v = -v;
  fill_value_ = v;
}

void ParserState::SetFill(bool lhs, bool rhs) {
  VectorMatching& m = operators_.back().matching;
  if (lhs) m.fill_lhs = fill_value_;
  if (rhs) m.fill_rhs = fill_value_;
}

// --- Grouping labels. ---

void ParserState::AddLabel(const Token& t) {
  if (!IsValidUtf8LabelName(t.text)) {
    AddError(RangeOf(t), "invalid label name for grouping: " + base::GoQuote(t.text));
  }
  labels_.emplace_back(t.text);
}

void ParserState::AddStringLabel(const Token& t) {
  std::string name = UnquoteToken(t);
  if (!IsValidUtf8LabelName(name)) {
    AddError(RangeOf(t), "invalid label name for grouping: " + base::GoQuote(name));
  }
  labels_.push_back(std::move(name));
}

// --- Primaries. ---

double ParserState::ParseNumberToken(const Token& t) {
  double v = 0;
  std::string err;
  if (!ParseNumber(t.text, &v, &err)) AddError(RangeOf(t), "error parsing number: " + err);
  return v;
}

std::string ParserState::UnquoteToken(const Token& t) {
  std::string out;
  if (!base::Unquote(t.text, &out)) {
    AddError(RangeOf(t), "error unquoting string " + base::GoQuote(t.text) + ": invalid syntax");
  }
  return out;
}

void ParserState::PushNumber(const Token& t) {
  if (t.type == TokenType::kDuration) {
    int64_t nanos = 0;
    std::string err;
    if (!ParseDurationNanos(t.text, &nanos, &err)) AddError(RangeOf(t), err);
    Push(std::make_unique<NumberLiteral>(NanosToSeconds(nanos), RangeOf(t), true));
    return;
  }
  Push(std::make_unique<NumberLiteral>(ParseNumberToken(t), RangeOf(t)));
}

void ParserState::PushString(const Token& t) {
  Push(std::make_unique<StringLiteral>(UnquoteToken(t), RangeOf(t)));
}

void ParserState::FinishParen(const Token& lparen, const Token& rparen) {
  Operand x = Pop();
  if (!CheckHeight(x.height + 1, lparen.pos)) return;
  auto p = std::make_unique<ParenExpr>();
  p->expr = std::move(x.expr);
  p->pos_range = {lparen.pos, rparen.end()};
  Push(std::move(p), x.height + 1);
}

void ParserState::BeginCall(const Token& name) { calls_.push_back({&name, operands_.size()}); }

void ParserState::TrailingComma(const Token& comma) {
  AddError(RangeOf(comma), "trailing commas not allowed in function call args");
}

void ParserState::FinishCall(const Token& rparen) {
  PendingCall c = calls_.back();
  calls_.pop_back();
  auto call = std::make_unique<Call>();
  int height = 1;
  for (size_t i = c.first_arg; i < operands_.size(); ++i) {
    height = std::max(height, operands_[i].height + 1);
    call->args.push_back(std::move(operands_[i].expr));
  }
  operands_.resize(c.first_arg);
  if (!CheckHeight(height, c.name->pos)) return;
  call->func = GetFunction(c.name->text);
  if (call->func == nullptr) {
    AddError(RangeOf(*c.name), "unknown function with name " + base::GoQuote(c.name->text));
  } else if (call->func->experimental && !options_.enable_experimental_functions) {
    AddError(RangeOf(*c.name), "function " + base::GoQuote(c.name->text) + " is not enabled");
  }
  call->pos_range = {c.name->pos, rparen.end()};
  Push(std::move(call), height);
}

void ParserState::BeginAggregate(const Token& op) {
  aggregates_.push_back(PendingAggregate{&op, operands_.size(), {}, false});
  PushContext({"aggregation", ""});
}

void ParserState::SetAggregateModifier(bool without) {
  aggregates_.back().without = without;
  aggregates_.back().grouping = std::move(labels_);
  labels_.clear();
}

// Prometheus's newAggregateExpr.
void ParserState::FinishAggregate(const Token& last) {
  PendingAggregate a = std::move(aggregates_.back());
  aggregates_.pop_back();
  std::vector<Operand> args;
  for (size_t i = a.first_arg; i < operands_.size(); ++i) args.push_back(std::move(operands_[i]));
  operands_.resize(a.first_arg);

  auto agg = std::make_unique<AggregateExpr>();
  agg->op = ToAggregateOp(a.op->type);
  agg->grouping = std::move(a.grouping);
  agg->without = a.without;
  agg->pos_range = {a.op->pos, last.end()};
  int height = 1;
  for (const Operand& o : args) height = std::max(height, o.height + 1);
  if (!CheckHeight(height, a.op->pos)) return;
  if (args.empty()) {
    AddError(agg->pos_range, "no arguments for aggregate expression provided");
  } else {
    size_t desired = 1;
    bool ok = true;
    if (AggregateOpHasParam(agg->op)) {
      if (IsExperimentalAggregateOp(agg->op) && !options_.enable_experimental_functions) {
        AddError(agg->pos_range, std::string(AggregateOpString(agg->op)) +
                                     "() is experimental and must be enabled with "
                                     "--enable-feature=promql-experimental-functions");
        ok = false;
      }
      desired = 2;
    }
    if (ok && args.size() != desired) {
      AddError(agg->pos_range,
               "wrong number of arguments for aggregate expression provided, expected " +
                   std::to_string(desired) + ", got " + std::to_string(args.size()));
      ok = false;
    }
    if (ok) {
      if (desired == 2) agg->param = std::move(args[0].expr);
      agg->expr = std::move(args[desired - 1].expr);
    }
  }
  Push(std::move(agg), height);
}

void ParserState::AddMatcher(const Token* begin, const Token* end) {
  if (end - begin == 1) {
    // A quoted metric name alone: {"my.metric"}.
    auto m = model::Matcher::Make(model::MatchType::kEqual, std::string(model::kMetricName),
                                  UnquoteToken(*begin));
    if (m) matchers_.push_back(std::move(*m));
    return;
  }
  const Token& name = begin[0];
  const Token& op = begin[1];
  const Token& value = begin[2];
  std::string label = name.type == TokenType::kString ? UnquoteToken(name) : std::string(name.text);
  std::string v = UnquoteToken(value);
  model::MatchType type = model::MatchType::kEqual;
  switch (op.type) {
    case TokenType::kNeq:
      type = model::MatchType::kNotEqual;
      break;
    case TokenType::kEqlRegex:
      type = model::MatchType::kRegexMatch;
      break;
    case TokenType::kNeqRegex:
      type = model::MatchType::kRegexNoMatch;
      break;
    default:
      break;
  }
  std::string regex_source = v;
  auto m = model::Matcher::Make(type, std::move(label), std::move(v));
  if (!m) {
    // RE2 rejected the regex: report it in the words of Go's regexp package, as Prometheus.
    std::string message = GoRegexpError(regex_source);
    AddError({name.pos, value.end()}, message.empty() ? m.error().message() : message);
    return;
  }
  matchers_.push_back(std::move(*m));
}

void ParserState::FinishSelector(const Token* name, const Token* lbrace, const Token* rbrace) {
  auto vs = std::make_unique<VectorSelector>();
  if (lbrace != nullptr) vs->matchers = std::move(matchers_);
  matchers_.clear();
  vs->pos_range.start = name != nullptr ? name->pos : lbrace->pos;
  vs->pos_range.end = rbrace != nullptr ? rbrace->end() : name->end();
  if (name != nullptr) {
    vs->name = std::string(name->text);
    // assembleVectorSelector: a name outside the braces becomes the last matcher.
    auto m =
        model::Matcher::Make(model::MatchType::kEqual, std::string(model::kMetricName), vs->name);
    if (m) vs->matchers.push_back(std::move(*m));
  }
  Push(std::move(vs));
}

// --- Postfix modifiers. ---

TimeModifiers* ParserState::ModifiersOf(Expr& e, const char* what, int** end_pos) {
  if (auto* vs = As<VectorSelector>(e)) {
    *end_pos = &vs->pos_range.end;
    return vs;
  }
  if (auto* ms = As<MatrixSelector>(e)) {
    *end_pos = &ms->end_pos;
    return ms->vector_selector.get();
  }
  if (auto* sq = As<SubqueryExpr>(e)) {
    *end_pos = &sq->end_pos;
    return sq;
  }
  AddError(e.position_range(),
           std::string(what) +
               " modifier must be preceded by an instant vector selector or range vector "
               "selector or a subquery");
  return nullptr;
}

// Prometheus's addOffset / addOffsetExpr.
void ParserState::ApplyOffset(const Token& last, const Token& next) {
  const bool lookahead = offset_lookahead_;
  offset_lookahead_ = false;
  Operand d = Pop();
  Operand& target = operands_.back();
  int* end_pos = nullptr;
  TimeModifiers* m = ModifiersOf(*target.expr, "offset", &end_pos);
  if (m == nullptr) return;
  if (m->original_offset.count() != 0 || m->original_offset_expr) {
    AddError(target.expr->position_range(), "offset may not be set multiple times");
  } else if (auto* n = As<NumberLiteral>(*d.expr)) {
    m->original_offset = SecondsToMillis(n->val);
    m->offset = m->original_offset;
  } else {
    m->original_offset_expr = ToDurationExpr(std::move(d.expr));
    target.height = std::max(target.height, d.height + 1);
    if (!CheckHeight(target.height, last.pos)) return;
  }
  *end_pos = lookahead && IsClosingToken(next.type) ? next.end() : last.end();
}

// Prometheus's setTimestamp.
void ParserState::ApplyAtNumber(const Token* sign, const Token& number) {
  double ts;
  if (number.type == TokenType::kDuration) {
    int64_t nanos = 0;
    std::string err;
    if (!ParseDurationNanos(number.text, &nanos, &err)) AddError(RangeOf(number), err);
    ts = NanosToSeconds(nanos);
  } else {
    ts = ParseNumberToken(number);
  }
  if (sign != nullptr && sign->type == TokenType::kSub) ts = -ts;
  Expr& e = Top();
  constexpr double kLimit = 9223372036854775808.0;  // float64(math.MaxInt64)
  if (std::isinf(ts) || std::isnan(ts) || ts >= kLimit || ts <= -kLimit) {
    AddError(e.position_range(), "timestamp out of bounds for @ modifier: " + FormatPercentF(ts));
  }
  int* end_pos = nullptr;
  TimeModifiers* m = ModifiersOf(e, "@", &end_pos);
  if (m == nullptr) return;
  if (m->timestamp || m->start_or_end != AtModifier::kNone) {
    AddError(e.position_range(), "@ <timestamp> may not be set multiple times");
    return;
  }
  m->timestamp = GoFloatToInt64(std::round(ts * 1000));
  *end_pos = number.end();
}

void ParserState::ApplyAtPreprocessor(const Token& start_or_end, const Token& rparen) {
  Expr& e = Top();
  int* end_pos = nullptr;
  TimeModifiers* m = ModifiersOf(e, "@", &end_pos);
  if (m == nullptr) return;
  if (m->timestamp || m->start_or_end != AtModifier::kNone) {
    AddError(e.position_range(), "@ <timestamp> may not be set multiple times");
    return;
  }
  m->start_or_end = start_or_end.type == TokenType::kStart ? AtModifier::kStart : AtModifier::kEnd;
  *end_pos = rparen.end();
}

void ParserState::ApplyExtendedRangeModifier(bool anchored) {
  const char* name = anchored ? "anchored" : "smoothed";
  Expr& e = Top();
  if (!options_.enable_extended_range_selectors) {
    AddError(e.position_range(), std::string(name) + " modifier is experimental and not enabled");
    return;
  }
  VectorSelector* vs = As<VectorSelector>(e);
  if (auto* ms = As<MatrixSelector>(e)) vs = ms->vector_selector.get();
  if (vs != nullptr) {
    if (anchored) {
      vs->anchored = true;
    } else {
      vs->smoothed = true;
    }
    if (vs->anchored && vs->smoothed) {
      AddError(e.position_range(), "anchored and smoothed modifiers cannot be used together");
    }
    return;
  }
  if (e.kind() == NodeKind::kSubqueryExpr) {
    AddError(e.position_range(), std::string(name) + " modifier is not supported for subqueries");
    return;
  }
  AddError(e.position_range(), std::string(name) + " modifier not implemented");
}

void ParserState::CheckPositiveDuration() {
  Operand& d = operands_.back();
  if (auto* n = As<NumberLiteral>(*d.expr); n != nullptr && n->val <= 0) {
    AddError(n->pos_range, "duration must be greater than 0");
    d.expr = std::make_unique<NumberLiteral>(0, PositionRange{});
  }
}

void ParserState::FinishRange(const Token& rbracket) {
  Operand d = Pop();
  Operand x = Pop();
  auto* vs = As<VectorSelector>(*x.expr);
  const char* err = nullptr;
  if (vs == nullptr) {
    err = "ranges only allowed for vector selectors";
  } else if (vs->original_offset.count() != 0 || vs->original_offset_expr) {
    err = "no offset modifiers allowed before range";
  } else if (vs->timestamp || vs->start_or_end != AtModifier::kNone) {
    err = "no @ modifiers allowed before range";
  }
  if (err != nullptr) AddError({lbracket_->pos, rbracket.end()}, err);
  if (vs == nullptr) {
    Push(std::move(x.expr), x.height);
    return;
  }
  const int height = std::max(x.height, d.height) + 1;
  if (!CheckHeight(height, rbracket.pos)) return;
  auto ms = std::make_unique<MatrixSelector>();
  ms->vector_selector.reset(static_cast<VectorSelector*>(x.expr.release()));
  if (auto* n = As<NumberLiteral>(*d.expr)) {
    ms->range = SecondsToMillis(n->val);
  } else {
    ms->range_expr = ToDurationExpr(std::move(d.expr));
  }
  ms->end_pos = rbracket.end();
  Push(std::move(ms), height);
}

void ParserState::FinishSubquery(bool has_step, const Token& rbracket) {
  Operand step;
  if (has_step) step = Pop();
  Operand range = Pop();
  Operand x = Pop();
  int height = std::max({x.height, range.height, has_step ? step.height : 0}) + 1;
  if (!CheckHeight(height, rbracket.pos)) return;
  auto sq = std::make_unique<SubqueryExpr>();
  sq->expr = std::move(x.expr);
  if (auto* n = As<NumberLiteral>(*range.expr)) {
    sq->range = SecondsToMillis(n->val);
  } else {
    sq->range_expr = ToDurationExpr(std::move(range.expr));
  }
  if (has_step) {
    if (auto* n = As<NumberLiteral>(*step.expr)) {
      sq->step = SecondsToMillis(n->val);
    } else {
      sq->step_expr = ToDurationExpr(std::move(step.expr));
    }
  }
  sq->end_pos = rbracket.pos + 1;
  Push(std::move(sq), height);
}

// --- Duration expressions. ---

void ParserState::CheckExperimentalDuration(const Expr& e) {
  if (!options_.experimental_duration_expr) {
    AddError(e.position_range(), "experimental duration expression is not enabled");
  }
}

// A number_duration_literal, optionally signed, with the range check of duration contexts.
void ParserState::PushDurationLiteral(const Token* sign, const Token& number) {
  PushNumber(number);
  auto* n = static_cast<NumberLiteral*>(operands_.back().expr.get());
  if (sign != nullptr && sign->type == TokenType::kSub) n->val = -n->val;
  if (DurationOutOfRange(n->val)) {
    AddError(sign != nullptr ? RangeOf(*sign) : n->pos_range, "duration out of range");
    operands_.back().expr = std::make_unique<NumberLiteral>(0, PositionRange{});
    return;
  }
  if (sign != nullptr) n->pos_range.start = sign->pos;
}

// Prometheus's applyUnaryOpToDurationExpr without the parenthesised form.
ExprPtr ParserState::ApplyDurationUnary(const Token& op, ExprPtr e) {
  if (e->kind() == NodeKind::kDurationExpr) {
    if (op.type != TokenType::kSub) return e;
    auto d = std::make_unique<DurationExpr>();
    d->op = DurationExpr::Op::kSub;
    d->rhs = std::move(e);
    d->start_pos = op.pos;
    return d;
  }
  auto* n = static_cast<NumberLiteral*>(e.get());
  if (op.type == TokenType::kSub) n->val = -n->val;
  if (DurationOutOfRange(n->val)) {
    AddError(RangeOf(op), "duration out of range");
    return std::make_unique<NumberLiteral>(0, PositionRange{});
  }
  n->pos_range.start = op.pos;
  return e;
}

void ParserState::PushStepOrRange(const Token* sign, const Token& keyword, const Token& rparen) {
  auto inner = std::make_unique<DurationExpr>();
  inner->op = ToDurationOp(keyword.type);
  inner->start_pos = keyword.pos;
  inner->end_pos = rparen.end();
  if (sign == nullptr) {
    CheckExperimentalDuration(*inner);
    Push(std::move(inner));
    return;
  }
  auto outer = std::make_unique<DurationExpr>();
  outer->op = ToDurationOp(sign->type);
  outer->rhs = std::move(inner);
  outer->start_pos = sign->pos;
  CheckExperimentalDuration(*outer);
  Push(std::move(outer), 2);
}

void ParserState::FinishMinMaxOf(const Token* sign, const Token& keyword, const Token& rparen) {
  Operand rhs = Pop();
  Operand lhs = Pop();
  int height = std::max(lhs.height, rhs.height) + 1 + (sign != nullptr ? 1 : 0);
  if (!CheckHeight(height, keyword.pos)) return;
  auto d = std::make_unique<DurationExpr>();
  d->op = ToDurationOp(keyword.type);
  d->start_pos = keyword.pos;
  // Prometheus ends the signed form at its second argument rather than at the parenthesis.
  d->end_pos = sign == nullptr ? rparen.end() : rhs.expr->position_range().end;
  d->lhs = std::move(lhs.expr);
  d->rhs = std::move(rhs.expr);
  if (sign == nullptr) {
    CheckExperimentalDuration(*d);
    Push(std::move(d), height);
    return;
  }
  auto outer = std::make_unique<DurationExpr>();
  outer->op = ToDurationOp(sign->type);
  outer->start_pos = sign->pos;
  outer->end_pos = d->end_pos;
  outer->rhs = std::move(d);
  CheckExperimentalDuration(*outer);
  Push(std::move(outer), height);
}

void ParserState::FinishDurationParen(const Token* sign, const Token& lparen, const Token& rparen) {
  Operand x = Pop();
  if (!CheckHeight(x.height + 1, lparen.pos)) return;
  if (sign == nullptr) {
    // paren_duration_expr
    CheckExperimentalDuration(*x.expr);
    Push(WrapParen(std::move(x.expr), lparen.pos, rparen.end()), x.height + 1);
    return;
  }
  // The offset form "-(d)": applyUnaryOpToDurationExpr with the parenthesised flag.
  PositionRange pr = x.expr->position_range();
  std::unique_ptr<DurationExpr> d = WrapParen(std::move(x.expr), pr.start, pr.end);
  if (sign->type != TokenType::kSub) {
    Push(std::move(d), x.height + 1);
    return;
  }
  auto neg = std::make_unique<DurationExpr>();
  neg->op = DurationExpr::Op::kSub;
  neg->rhs = std::move(d);
  neg->start_pos = sign->pos;
  Push(std::move(neg), x.height + 2);
}

}  // namespace promql::parser

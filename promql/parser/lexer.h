// The PromQL tokenizer. It reproduces Prometheus's hand-written lexer (promql/parser/lex.go)
// token for token, including its states (inside braces, inside brackets), its keyword table
// and its error messages, so that the parser reports the errors Prometheus reports.
// Internal to promql::parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace promql::parser {

enum class TokenType : uint8_t {
  kEof,
  kError,
  kIdentifier,        // foo (never contains ':')
  kMetricIdentifier,  // foo:bar
  kString,            // with its quotes
  kNumber,            // 1, 0x1f, 1e3, .5, Inf, NaN
  kDuration,          // 5m, 1h30m
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kEql,  // =
  kColon,
  // Operators.
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlc,  // ==
  kNeq,   // !=
  kLte,
  kLss,
  kGte,
  kGtr,
  kTrimUpper,  // </
  kTrimLower,  // >/
  kEqlRegex,   // =~
  kNeqRegex,   // !~
  kLand,
  kLor,
  kLunless,
  kAt,
  kAtan2,
  // Aggregators.
  kAvg,
  kBottomk,
  kCount,
  kCountValues,
  kGroup,
  kMax,
  kMin,
  kQuantile,
  kStddev,
  kStdvar,
  kSum,
  kTopk,
  kLimitk,
  kLimitRatio,
  // Keywords.
  kBool,
  kBy,
  kGroupLeft,
  kGroupRight,
  kFill,
  kFillLeft,
  kFillRight,
  kIgnoring,
  kOffset,
  kSmoothed,
  kAnchored,
  kOn,
  kWithout,
  // Preprocessors (the @ modifier's start()/end() and duration-expression helpers).
  kStart,
  kEnd,
  kStep,
  kRange,
  kMaxOf,
  kMinOf,
};
inline constexpr int kTokenTypeCount = static_cast<int>(TokenType::kMinOf) + 1;

bool IsOperatorToken(TokenType t);    // kAdd .. kAtan2
bool IsAggregatorToken(TokenType t);  // kAvg .. kLimitRatio
bool IsKeywordToken(TokenType t);     // kBool .. kWithout

struct Token {
  TokenType type;
  int pos;                // byte offset of the token in the input
  std::string_view text;  // the token's source text; empty for kEof and kError
  int end() const { return pos + static_cast<int>(text.size()); }
};

// The result of lexing a whole input: the tokens (comments dropped), ending with one kEof or
// one kError token. For kError, `error` is the message and the token's pos its position.
struct LexResult {
  std::vector<Token> tokens;
  std::string error;
};

// Lexes `input`. The views in the result point into `input`.
LexResult Lex(std::string_view input);

// How Prometheus's parser names a token in "unexpected ..." messages (Item.desc()):
// `end of input`, `"("`, `<by>`, `<op:+>`, `<aggr:sum>`, `identifier "foo"`, `number "1"`,
// `string "\"abc\""`.
std::string DescribeToken(const Token& t);

}  // namespace promql::parser

#include "promql/parser/lexer.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace promql::parser {
namespace {

using T = TokenType;

// "type:text" for every token, the kEof/kError end included.
std::vector<std::string> Tokens(std::string_view input) {
  LexResult r = Lex(input);
  std::vector<std::string> out;
  for (const Token& t : r.tokens) {
    out.push_back(std::to_string(static_cast<int>(t.type)) + ":" + std::string(t.text));
  }
  return out;
}

std::string Tok(T type, std::string_view text) {
  return std::to_string(static_cast<int>(type)) + ":" + std::string(text);
}

TEST_CASE("Lexer splits a query into Prometheus's tokens", "[promql][parser][lexer]") {
  CHECK(Tokens(R"(sum by (job) (rate(http_requests_total{job="api"}[5m])))") ==
        std::vector<std::string>{Tok(T::kSum, "sum"),
                                 Tok(T::kBy, "by"),
                                 Tok(T::kLeftParen, "("),
                                 Tok(T::kIdentifier, "job"),
                                 Tok(T::kRightParen, ")"),
                                 Tok(T::kLeftParen, "("),
                                 Tok(T::kIdentifier, "rate"),
                                 Tok(T::kLeftParen, "("),
                                 Tok(T::kIdentifier, "http_requests_total"),
                                 Tok(T::kLeftBrace, "{"),
                                 Tok(T::kIdentifier, "job"),
                                 Tok(T::kEql, "="),
                                 Tok(T::kString, "\"api\""),
                                 Tok(T::kRightBrace, "}"),
                                 Tok(T::kLeftBracket, "["),
                                 Tok(T::kDuration, "5m"),
                                 Tok(T::kRightBracket, "]"),
                                 Tok(T::kRightParen, ")"),
                                 Tok(T::kRightParen, ")"),
                                 Tok(T::kEof, "")});
}

TEST_CASE("Lexer recognises operators and keywords case-insensitively", "[promql][parser][lexer]") {
  CHECK(Tokens("a AND b Or c unless d atan2 e") ==
        std::vector<std::string>{Tok(T::kIdentifier, "a"), Tok(T::kLand, "AND"),
                                 Tok(T::kIdentifier, "b"), Tok(T::kLor, "Or"),
                                 Tok(T::kIdentifier, "c"), Tok(T::kLunless, "unless"),
                                 Tok(T::kIdentifier, "d"), Tok(T::kAtan2, "atan2"),
                                 Tok(T::kIdentifier, "e"), Tok(T::kEof, "")});
  CHECK(Tokens("== != <= < >= > </ >/ + - * / % ^ @") ==
        std::vector<std::string>{Tok(T::kEqlc, "=="), Tok(T::kNeq, "!="), Tok(T::kLte, "<="),
                                 Tok(T::kLss, "<"), Tok(T::kGte, ">="), Tok(T::kGtr, ">"),
                                 Tok(T::kTrimUpper, "</"), Tok(T::kTrimLower, ">/"),
                                 Tok(T::kAdd, "+"), Tok(T::kSub, "-"), Tok(T::kMul, "*"),
                                 Tok(T::kDiv, "/"), Tok(T::kMod, "%"), Tok(T::kPow, "^"),
                                 Tok(T::kAt, "@"), Tok(T::kEof, "")});
  CHECK(Tokens("Inf nan foo:bar") ==
        std::vector<std::string>{Tok(T::kNumber, "Inf"), Tok(T::kNumber, "nan"),
                                 Tok(T::kMetricIdentifier, "foo:bar"), Tok(T::kEof, "")});
}

TEST_CASE("Lexer treats keywords inside braces as label names", "[promql][parser][lexer]") {
  CHECK(Tokens(R"({by="x", on!~'y', offset=~`z`})") ==
        std::vector<std::string>{
            Tok(T::kLeftBrace, "{"), Tok(T::kIdentifier, "by"), Tok(T::kEql, "="),
            Tok(T::kString, "\"x\""), Tok(T::kComma, ","), Tok(T::kIdentifier, "on"),
            Tok(T::kNeqRegex, "!~"), Tok(T::kString, "'y'"), Tok(T::kComma, ","),
            Tok(T::kIdentifier, "offset"), Tok(T::kEqlRegex, "=~"), Tok(T::kString, "`z`"),
            Tok(T::kRightBrace, "}"), Tok(T::kEof, "")});
}

TEST_CASE("Lexer makes fill keywords only before a parenthesis", "[promql][parser][lexer]") {
  CHECK(Tokens("fill + fill (1)") ==
        std::vector<std::string>{Tok(T::kIdentifier, "fill"), Tok(T::kAdd, "+"),
                                 Tok(T::kFill, "fill"), Tok(T::kLeftParen, "("),
                                 Tok(T::kNumber, "1"), Tok(T::kRightParen, ")"), Tok(T::kEof, "")});
}

TEST_CASE("Lexer reads numbers and durations", "[promql][parser][lexer]") {
  for (std::string_view n :
       {"1", "1.5", ".5", "5.", "1e3", "1E-3", "0x1f", "0X_1F", "1_000", "010"}) {
    INFO(n);
    CHECK(Tokens(n) == std::vector<std::string>{Tok(T::kNumber, n), Tok(T::kEof, "")});
  }
  for (std::string_view d : {"5m", "1h30m", "500ms", "1y2w3d4h5m6s7ms", "1hs", "1.5m"}) {
    INFO(d);
    CHECK(Tokens(d) == std::vector<std::string>{Tok(T::kDuration, d), Tok(T::kEof, "")});
  }
}

TEST_CASE("Lexer handles brackets, subquery colons and duration keywords",
          "[promql][parser][lexer]") {
  CHECK(Tokens("x[5m:step()]") ==
        std::vector<std::string>{
            Tok(T::kIdentifier, "x"), Tok(T::kLeftBracket, "["), Tok(T::kDuration, "5m"),
            Tok(T::kColon, ":"), Tok(T::kStep, "step"), Tok(T::kLeftParen, "("),
            Tok(T::kRightParen, ")"), Tok(T::kRightBracket, "]"), Tok(T::kEof, "")});
  CHECK(Tokens("x[ MAX_OF(1m,Range())]").at(2) == Tok(T::kMaxOf, "MAX_OF"));
}

TEST_CASE("Lexer drops comments", "[promql][parser][lexer]") {
  CHECK(Tokens("foo # a comment\n+ # another\nbar") ==
        std::vector<std::string>{Tok(T::kIdentifier, "foo"), Tok(T::kAdd, "+"),
                                 Tok(T::kIdentifier, "bar"), Tok(T::kEof, "")});
}

TEST_CASE("Lexer errors carry Prometheus's message and position", "[promql][parser][lexer]") {
  struct ErrorCase {
    std::string_view input;
    std::string_view message;
    int pos;
  };
  const ErrorCase cases[] = {
      {"~", "unexpected character: '~'", 0},
      {"a )", "unexpected right parenthesis ')'", 3},
      {"(a", "unclosed left parenthesis", 2},
      {"a[5m", "unclosed left bracket", 4},
      {"a[", "unexpected end of input in duration expression", 2},
      {"a]", "unexpected right bracket ']'", 1},
      {"a[1m [", "unexpected left bracket '['", 5},
      {"a[1m][[", "unexpected character in duration expression: '['", 6},
      {"{a", "unexpected end of input inside braces", 2},
      {"{a:b}", "unexpected character inside braces: ':'", 2},
      {"{a{}", "unexpected left brace '{'", 2},
      {"{a!b}", "unexpected character after '!' inside braces: 'b'", 2},
      {"a =~ b", "unexpected character after '=': '~'", 2},
      {"a ! b", "unexpected character after '!': ' '", 2},
      {R"("abc)", "unterminated quoted string", 0},
      {"'a\nb'", "unterminated quoted string", 0},
      {"`abc", "unterminated raw string", 0},
      {R"("\q")", "unknown escape sequence U+0071 'q'", 0},
      {R"("\x4g")", "illegal character U+0067 'g' in escape sequence", 0},
      {R"("\400")", "escape sequence is an invalid Unicode code point", 0},
      {R"("\uD800")", "escape sequence is an invalid Unicode code point", 0},
      {"\"\\", "escape sequence not terminated", 0},
      {"\"a\xff\"", "invalid UTF-8 rune", 0},
      {"1.2.3", "bad number or duration syntax: \"1.2.\"", 0},
      {"5mx", "bad number or duration syntax: \"5mx\"", 0},
      {"a[x]", "unexpected character in duration expression: 'x'", 2},
      {"a[5m x]", "unexpected character: 'x', expected ':'", 5},
      {"a[:]", "unexpected colon before duration in duration expression", 3},
      {"a[1m:1m:]", "unexpected colon ':'", 7},
      {"\xff", "unexpected character: '\xef\xbf\xbd'", 0},
  };
  for (const ErrorCase& c : cases) {
    INFO(c.input);
    LexResult r = Lex(c.input);
    REQUIRE(r.tokens.back().type == T::kError);
    CHECK(r.error == c.message);
    CHECK(r.tokens.back().pos == c.pos);
  }
}

TEST_CASE("DescribeToken names tokens as Prometheus's parser does", "[promql][parser][lexer]") {
  auto describe = [](std::string_view input) { return DescribeToken(Lex(input).tokens.front()); };
  CHECK(describe("") == "end of input");
  CHECK(describe("foo") == R"(identifier "foo")");
  CHECK(describe("a:b") == R"(metric identifier "a:b")");
  CHECK(describe("1.5") == R"(number "1.5")");
  CHECK(describe("12345678901234") == R"(number "1234567890"...)");
  CHECK(describe("5m") == R"(duration "5m")");
  CHECK(describe(R"("abc")") == R"(string "\"abc\"")");
  CHECK(describe(R"("a long string")") == R"(string "\"a long st"...)");
  CHECK(describe("(") == R"("(")");
  CHECK(describe(",") == R"(",")");
  CHECK(describe("By") == "<By>");
  CHECK(describe("+") == "<op:+>");
  CHECK(describe("and") == "<op:and>");
  CHECK(describe("@") == "<op:@>");
  CHECK(describe("sum") == "<aggr:sum>");
  CHECK(describe("step") == R"("step")");
}

}  // namespace
}  // namespace promql::parser

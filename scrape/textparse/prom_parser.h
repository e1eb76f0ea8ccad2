// PromParser: the Prometheus text exposition format 0.0.4.
#pragma once

#include <string_view>

#include "scrape/textparse/parser.h"

namespace scrape::textparse {

// Parses the text format with Prometheus's grammar (promlex.l) and messages (promparse.go).
// Lexical rules worth knowing: spaces and tabs separate tokens anywhere, label values may hold
// raw newlines, commas between labels are optional and a trailing one is allowed, timestamps
// are unsigned integer milliseconds, a NUL byte at the start of a line ends the body, and the
// body is read as if a newline followed it. Not thread-safe.
class PromParser final : public Parser {
 public:
  explicit PromParser(std::string_view body) : Parser(body, /*virtual_newline=*/true) {}

 private:
  // The golex lexer of promlex.l, one token per call.
  Token Lex();
  // Lex() skipping whitespace tokens, as PromParser.nextToken.
  Token NextToken() {
    for (;;) {
      const Token t = Lex();
      if (t != Token::kWhitespace) return t;
    }
  }
  Token Whitespace();
  Token ConsumeComment();
  Token LabelValue();

  base::Result<Entry> ParseNext() override;
  base::Status ParseLabels();
  base::Result<Entry> ParseMetricSuffix(Token t);
};

}  // namespace scrape::textparse

#include "scrape/textparse/prom_parser.h"

#include <bit>
#include <cmath>

#include "base/quote.h"
#include "model/labels.h"
#include "scrape/textparse/detail/lex.h"
#include "scrape/textparse/number.h"

namespace scrape::textparse {

using detail::IsDigit;
using detail::IsLabelNameChar;
using detail::IsLabelNameStart;
using detail::IsMetricNameChar;
using detail::IsMetricNameStart;

namespace {
// [^{ \t\n] as golex compiles it (NUL is never part of a class): the bytes of a value.
bool IsValueChar(uint8_t c) { return c != 0 && c != '\n' && c != ' ' && c != '\t' && c != '{'; }
}  // namespace

// ---- Lexer: the rules of promlex.l -----------------------------------------------------------
//
//   <INITIAL>  \0 -> EOF | \n -> LINEBREAK | [ \t]+ -> WHITESPACE
//              #[ \t]+ -> (enter sComment) | # -> consume the line as COMMENT
//              [a-zA-Z_:][a-zA-Z0-9_:]* -> MNAME, sValue
//   sComment   HELP[\t ]+ -> HELP, sMeta1 | TYPE[\t ]+ -> TYPE, sMeta1 | else: COMMENT
//   sMeta1     metric name -> MNAME, sMeta2
//   sMeta2     [^\n]* -> TEXT, INITIAL
//   sValue     \{ -> BOPEN, sLabels | [^{ \t\n]+ -> VALUE, sTimestamp
//   sLabels    [a-zA-Z_][a-zA-Z0-9_]* -> LNAME | \} -> BCLOSE, sValue | = -> EQUAL, sLValue
//              | , -> COMMA
//   sLValue    \"(\\.|[^\\"])*\" -> LVALUE, sLabels
//   sTimestamp [0-9]+ -> TIMESTAMP | \n -> LINEBREAK, INITIAL
//   any state  [ \t]+ -> WHITESPACE
// Longest match, no backtracking: a failed partial match is INVALID with the position at the
// byte that failed, as golex does. NUL bytes are skipped inside values, text and comments.

Parser::Token PromParser::Whitespace() {
  uint8_t c;
  do {
    c = Advance();
  } while (c == ' ' || c == '\t');
  return Token::kWhitespace;
}

Parser::Token PromParser::ConsumeComment() {
  uint8_t c = i_ < n_ ? Byte(i_) : 0;
  for (;;) {
    if (c == 0) return Token::kEof;
    if (c == '\n') {
      state_ = kInit;
      return Token::kComment;
    }
    c = Advance();
  }
}

Parser::Token PromParser::LabelValue() {
  SkipRun(IsPlainValueByte);  // the common case: plain bytes up to the closing quote
  uint8_t c = Advance();
  for (;;) {
    if (c == '"') {
      Advance();
      state_ = kLabels;
      return Token::kLValue;
    }
    if (c == 0) return Token::kInvalid;
    if (c == '\\') {
      escaped_values_ = true;
      c = Advance();
      if (c == 0 || c == '\n') return Token::kInvalid;
    }
    c = Advance();
  }
}

Parser::Token PromParser::Lex() {
  if (i_ >= n_) return Token::kEof;
  uint8_t c = Byte(i_);
  tok_start_ = i_;
  for (;;) {
    switch (state_) {
      case kInit:
        if (c == 0) {
          Advance();
          return Token::kEof;
        }
        if (c == '\n') {
          Advance();
          state_ = kInit;
          return Token::kLinebreak;
        }
        if (c == ' ' || c == '\t') return Whitespace();
        if (c == '#') {
          c = Advance();
          if (c != ' ' && c != '\t') return ConsumeComment();
          do {
            c = Advance();
          } while (c == ' ' || c == '\t');
          state_ = kComment;
          continue;  // the same token goes on in sComment
        }
        if (IsMetricNameStart(c)) {
          SkipRun(IsMetricNameChar);
          c = Advance();
          state_ = kValue;
          return Token::kMName;
        }
        return Token::kInvalid;

      case kComment: {
        if (c == ' ' || c == '\t') return Whitespace();
        if (c != 'H' && c != 'T') return ConsumeComment();
        const std::string_view rest = c == 'H' ? "ELP" : "YPE";
        const Token t = c == 'H' ? Token::kHelp : Token::kType;
        for (char want : rest) {
          c = Advance();
          if (c != static_cast<uint8_t>(want)) return ConsumeComment();
        }
        c = Advance();
        if (c != ' ' && c != '\t') return ConsumeComment();
        do {
          c = Advance();
        } while (c == ' ' || c == '\t');
        state_ = kMeta1;
        return t;
      }

      case kMeta1:
        if (IsMetricNameStart(c)) {
          SkipRun(IsMetricNameChar);
          c = Advance();
          state_ = kMeta2;
          return Token::kMName;
        }
        if (c == ' ' || c == '\t') return Whitespace();
        return Token::kInvalid;

      case kMeta2:
        if (c == ' ' || c == '\t') {
          do {
            c = Advance();
          } while (c == ' ' || c == '\t');
          if (c == 0 || c == '\n') return Token::kWhitespace;
        }
        while (c != 0 && c != '\n') c = Advance();
        state_ = kInit;
        return Token::kText;

      case kLabels:
        if (c == ',') {
          Advance();
          return Token::kComma;
        }
        if (c == '=') {
          Advance();
          state_ = kLValue;
          return Token::kEqual;
        }
        if (c == '}') {
          Advance();
          state_ = kValue;
          return Token::kBraceClose;
        }
        if (c == ' ' || c == '\t') return Whitespace();
        if (IsLabelNameStart(c)) {
          SkipRun(IsLabelNameChar);
          c = Advance();
          return Token::kLName;
        }
        return Token::kInvalid;

      case kLValue:
        if (c == '"') return LabelValue();
        if (c == ' ' || c == '\t') return Whitespace();
        return Token::kInvalid;

      case kValue:
        if (c == ' ' || c == '\t') return Whitespace();
        if (c == '{') {
          Advance();
          state_ = kLabels;
          return Token::kBraceOpen;
        }
        if (c != 0 && c != '\n') {
          SkipRun(IsValueChar);
          Advance();
          state_ = kTimestamp;
          return Token::kValue;
        }
        return Token::kInvalid;

      case kTimestamp:
        if (c == '\n') {
          Advance();
          state_ = kInit;
          return Token::kLinebreak;
        }
        if (c == ' ' || c == '\t') return Whitespace();
        if (IsDigit(c)) {
          SkipRun(IsDigit);
          c = Advance();
          return Token::kTimestamp;
        }
        return Token::kInvalid;

      default:
        return Token::kInvalid;
    }
  }
}

// ---- Parser: promparse.go's PromParser.Next ------------------------------------------------

base::Result<Entry> PromParser::ParseNext() {
  for (;;) {
    BeginEntry();
    const Token t = NextToken();
    switch (t) {
      case Token::kEof:
        done_ = true;
        return Entry::kEof;
      case Token::kLinebreak:
        continue;  // blank lines are allowed

      case Token::kHelp:
      case Token::kType: {
        const std::string what(TokenName(t));
        if (Token t2 = NextToken(); t2 != Token::kMName)
          return ParseError("expected metric name after " + what, t2);
        metric_name_ = TokenText();
        if (Token t2 = NextToken(); t2 != Token::kText)
          return Fail(base::InvalidArgument("expected text in " + what + ", got " +
                                            std::string(TokenName(t2))));
        text_ = TokenText();
        text_ = text_.size() > 1 ? text_.substr(1) : std::string_view();
        if (t == Token::kType) {
          if (text_ == "counter") {
            type_ = MetricType::kCounter;
          } else if (text_ == "gauge") {
            type_ = MetricType::kGauge;
          } else if (text_ == "histogram") {
            type_ = MetricType::kHistogram;
          } else if (text_ == "summary") {
            type_ = MetricType::kSummary;
          } else if (text_ == "untyped") {
            type_ = MetricType::kUnknown;
          } else {
            return Fail(base::InvalidArgument("invalid metric type " + base::GoQuote(text_)));
          }
        } else if (!model::IsValidUtf8(text_)) {
          return Fail(base::InvalidArgument("help text " + base::GoQuote(text_) +
                                            " is not a valid utf8 string"));
        }
        if (Token t2 = NextToken(); t2 != Token::kLinebreak)
          return ParseError("linebreak expected after metadata", t2);
        if (t == Token::kType) return Entry::kType;
        UnescapeHelp(/*quote=*/false);
        return Entry::kHelp;
      }

      case Token::kComment:
        text_ = TokenText();
        if (Token t2 = NextToken(); t2 != Token::kLinebreak)
          return ParseError("linebreak expected after comment", t2);
        return Entry::kComment;

      case Token::kMName: {
        // As Prometheus, the name runs from the start of the entry, so leading whitespace stays
        // in it (and CheckSeries rejects it).
        metric_name_ = View(entry_start_, i_);
        series_ = metric_name_;
        Token t2 = NextToken();
        if (t2 == Token::kBraceOpen) {
          RETURN_IF_ERROR(ParseLabels());
          series_ = View(entry_start_, std::min(i_, body_.size()));
          t2 = NextToken();
        }
        return ParseMetricSuffix(t2);
      }

      default:
        return ParseError("expected a valid start token", t);
    }
  }
}

base::Status PromParser::ParseLabels() {
  Token t = NextToken();
  for (;;) {
    if (t == Token::kBraceClose) return base::Status::Ok();
    if (t != Token::kLName) return ParseError("expected label name", t);
    const std::string_view name = TokenText();
    if (t = NextToken(); t != Token::kEqual) return ParseError("expected equal", t);
    if (t = NextToken(); t != Token::kLValue) return ParseError("expected label value", t);
    const std::string_view quoted = TokenText();
    if (!model::IsValidUtf8(quoted))
      return Fail(base::InvalidArgument("invalid UTF-8 label value: " + base::GoQuote(quoted)));
    AddLabel(name, quoted.substr(1, quoted.size() - 2));
    // Commas are optional and a trailing one is allowed (spaces may separate labels).
    if (t = NextToken(); t == Token::kComma) t = NextToken();
  }
}

base::Result<Entry> PromParser::ParseMetricSuffix(Token t) {
  if (t != Token::kValue) return ParseError("expected value after metric", t);
  auto v = ParseFloat(TokenText());
  if (!v) return WhileParsing(v.error());
  value_ = std::isnan(*v) ? detail::NormalNaN() : *v;
  switch (t = NextToken(); t) {
    case Token::kLinebreak:
      break;
    case Token::kTimestamp: {
      auto ts = ParseInt(TokenText());
      if (!ts) return WhileParsing(ts.error());
      has_timestamp_ = true;
      timestamp_ = *ts;
      if (Token t2 = NextToken(); t2 != Token::kLinebreak)
        return ParseError("expected next entry after timestamp", t2);
      break;
    }
    default:
      return ParseError("expected timestamp or new record", t);
  }
  UnescapeLabelValues();
  RETURN_IF_ERROR(CheckSeries());
  return Entry::kSeries;
}

}  // namespace scrape::textparse

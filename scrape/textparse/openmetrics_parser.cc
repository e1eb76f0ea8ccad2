#include "scrape/textparse/openmetrics_parser.h"

#include <cmath>

#include "base/quote.h"
#include "model/labels.h"
#include "scrape/textparse/detail/lex.h"
#include "scrape/textparse/number.h"

namespace scrape::textparse {
namespace {

using detail::IsLabelNameChar;
using detail::IsLabelNameStart;
using detail::IsMetricNameChar;
using detail::IsMetricNameStart;

// [^ \n] as golex compiles it (NUL is never part of a class).
bool IsWordChar(uint8_t c) { return c != 0 && c != ' ' && c != '\n'; }

// Go's %f of the non-finite values that reach the timestamp errors.
std::string FormatNonFinite(double v) {
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "+Inf" : "-Inf";
}

// int64(ts * 1000) as Go computes it on amd64: truncation toward zero, and the "integer
// indefinite" value INT64_MIN when out of range.
model::Timestamp SecondsToMillis(double ts) {
  const double ms = ts * 1000;
  if (!(ms > -9223372036854775808.0 && ms < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<model::Timestamp>(ms);
}

}  // namespace

// ---- Lexer: the rules of openmetricslex.l ----------------------------------------------------
//
//   <INITIAL>   "# " -> (enter sComment) | [a-zA-Z_:][a-zA-Z0-9_:]* -> MNAME, sValue
//   sComment    "HELP " | "TYPE " | "UNIT " -> HELP | TYPE | UNIT, sMeta1 | EOF\n? -> EOFWORD
//   sMeta1      metric name -> MNAME, sMeta2
//   sMeta2      " "[^\n]*\n -> TEXT, INITIAL
//   sValue      \{ -> BOPEN, sLabels | " "[^ \n]+ -> VALUE, sTimestamp
//   sLabels     label name -> LNAME | \} -> BCLOSE, sValue | = -> EQUAL, sLValue | , -> COMMA
//   sLValue     \"(\\.|[^\\"\n])*\" -> LVALUE, sLabels
//   sTimestamp  " "[^ \n]+ -> TIMESTAMP | \n -> LINEBREAK, INITIAL | " # {" -> COMMENT, sExemplar
//   sExemplar   label name -> LNAME | \} -> BCLOSE, sEValue | = -> EQUAL, sEValue | , -> COMMA
//   sEValue     quoted value -> LVALUE, sExemplar | " "[^ \n]+ -> VALUE, sETimestamp
//   sETimestamp " "[^ \n]+ -> TIMESTAMP | \n -> LINEBREAK, INITIAL
// No whitespace token: a second space is INVALID. Longest match without backtracking.

Parser::Token OpenMetricsParser::LabelValue(State next) {
  SkipRun(IsPlainValueByte);  // the common case: plain bytes up to the closing quote
  uint8_t c = Advance();
  for (;;) {
    if (c == '"') {
      Advance();
      state_ = next;
      return Token::kLValue;
    }
    if (c == 0 || c == '\n') return Token::kInvalid;
    if (c == '\\') {
      escaped_values_ = true;
      c = Advance();
      if (c == 0 || c == '\n') return Token::kInvalid;
    }
    c = Advance();
  }
}

Parser::Token OpenMetricsParser::SpacedWord(Token t) {
  uint8_t c = Advance();
  if (!IsWordChar(c)) return Token::kInvalid;
  SkipRun(IsWordChar);
  Advance();
  return t;
}

Parser::Token OpenMetricsParser::Lex() {
  if (i_ >= n_) return Token::kEof;
  uint8_t c = Byte(i_);
  tok_start_ = i_;
  for (;;) {
    switch (state_) {
      case kInit:
        if (c == '#') {
          c = Advance();
          if (c != ' ') return Token::kInvalid;
          c = Advance();
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
        std::string_view rest;
        Token t;
        switch (c) {
          case 'H':
            rest = "ELP ";
            t = Token::kHelp;
            break;
          case 'T':
            rest = "YPE ";
            t = Token::kType;
            break;
          case 'U':
            rest = "NIT ";
            t = Token::kUnit;
            break;
          case 'E':
            rest = "OF";
            t = Token::kEofWord;
            break;
          default:
            return Token::kInvalid;
        }
        for (char want : rest) {
          c = Advance();
          if (c != static_cast<uint8_t>(want)) return Token::kInvalid;
        }
        c = Advance();
        if (t == Token::kEofWord) {
          if (c == '\n') Advance();
          state_ = kInit;
        } else {
          state_ = kMeta1;
        }
        return t;
      }

      case kMeta1:
        if (IsMetricNameStart(c)) {
          SkipRun(IsMetricNameChar);
          c = Advance();
          state_ = kMeta2;
          return Token::kMName;
        }
        return Token::kInvalid;

      case kMeta2:
        if (c != ' ') return Token::kInvalid;
        do {
          c = Advance();
        } while (c != 0 && c != '\n');
        if (c != '\n') return Token::kInvalid;
        Advance();
        state_ = kInit;
        return Token::kText;

      case kLabels:
      case kExemplar:
        if (IsLabelNameStart(c)) {
          SkipRun(IsLabelNameChar);
          c = Advance();
          return Token::kLName;
        }
        if (c == '}') {
          Advance();
          state_ = state_ == kLabels ? kValue : kEValue;
          return Token::kBraceClose;
        }
        if (c == '=') {
          Advance();
          state_ = state_ == kLabels ? kLValue : kEValue;
          return Token::kEqual;
        }
        if (c == ',') {
          Advance();
          return Token::kComma;
        }
        return Token::kInvalid;

      case kLValue:
        if (c == '"') return LabelValue(kLabels);
        return Token::kInvalid;

      case kValue:
        if (c == '{') {
          Advance();
          state_ = kLabels;
          return Token::kBraceOpen;
        }
        if (c == ' ') {
          const Token t = SpacedWord(Token::kValue);
          if (t == Token::kValue) state_ = kTimestamp;
          return t;
        }
        return Token::kInvalid;

      case kTimestamp:
        if (c == '\n') {
          Advance();
          state_ = kInit;
          return Token::kLinebreak;
        }
        if (c != ' ') return Token::kInvalid;
        c = Advance();
        if (c == '#') {
          // " #" is a timestamp so far; " # {" opens an exemplar.
          c = Advance();
          if (c == ' ') {
            c = Advance();
            if (c != '{') return Token::kInvalid;
            Advance();
            state_ = kExemplar;
            return Token::kComment;
          }
        } else if (!IsWordChar(c)) {
          return Token::kInvalid;
        }
        if (IsWordChar(c)) {
          SkipRun(IsWordChar);
          Advance();
        }
        return Token::kTimestamp;

      case kEValue:
        if (c == '"') return LabelValue(kExemplar);
        if (c == ' ') {
          const Token t = SpacedWord(Token::kValue);
          if (t == Token::kValue) state_ = kETimestamp;
          return t;
        }
        return Token::kInvalid;

      case kETimestamp:
        if (c == '\n') {
          Advance();
          state_ = kInit;
          return Token::kLinebreak;
        }
        if (c == ' ') return SpacedWord(Token::kTimestamp);
        return Token::kInvalid;

      default:
        return Token::kInvalid;
    }
  }
}

// ---- Parser: openmetricsparse.go's OpenMetricsParser.Next ----------------------------------

base::Result<Entry> OpenMetricsParser::ParseNext() {
  for (;;) {
    BeginEntry();
    const Token t = Lex();
    switch (t) {
      case Token::kEofWord:
        if (Lex() != Token::kEof) return Fail(base::InvalidArgument("unexpected data after # EOF"));
        done_ = true;
        return Entry::kEof;
      case Token::kEof:
        return Fail(base::InvalidArgument("data does not end with # EOF"));

      case Token::kHelp:
      case Token::kType:
      case Token::kUnit: {
        const std::string what(TokenName(t));
        if (Token t2 = Lex(); t2 != Token::kMName)
          return ParseError("expected metric name after " + what, t2);
        metric_name_ = TokenText();
        family_ = metric_name_;
        if (Lex() != Token::kText) return Fail(base::InvalidArgument("expected text in " + what));
        // The token is " text\n": drop the space and the newline.
        const std::string_view raw = TokenText();
        text_ = raw.size() > 1 ? raw.substr(1, raw.size() - 2) : std::string_view();
        switch (t) {
          case Token::kType:
            if (text_ == "counter") {
              type_ = MetricType::kCounter;
            } else if (text_ == "gauge") {
              type_ = MetricType::kGauge;
            } else if (text_ == "histogram") {
              type_ = MetricType::kHistogram;
            } else if (text_ == "gaugehistogram") {
              type_ = MetricType::kGaugeHistogram;
            } else if (text_ == "summary") {
              type_ = MetricType::kSummary;
            } else if (text_ == "info") {
              type_ = MetricType::kInfo;
            } else if (text_ == "stateset") {
              type_ = MetricType::kStateset;
            } else if (text_ == "unknown") {
              type_ = MetricType::kUnknown;
            } else {
              return Fail(base::InvalidArgument("invalid metric type " + base::GoQuote(text_)));
            }
            return Entry::kType;
          case Token::kHelp:
            if (!model::IsValidUtf8(text_)) {
              return Fail(base::InvalidArgument("help text " + base::GoQuote(text_) +
                                                " is not a valid utf8 string"));
            }
            UnescapeHelp(/*quote=*/true);  // OpenMetrics escapes help as label values
            return Entry::kHelp;
          default: {
            const std::string_view m = metric_name_;
            if (!text_.empty() && !(m.size() >= text_.size() + 1 && m.ends_with(text_) &&
                                    m[m.size() - text_.size() - 1] == '_')) {
              return Fail(base::InvalidArgument("unit " + base::GoQuote(text_) +
                                                " not a suffix of metric " + base::GoQuote(m)));
            }
            return Entry::kUnit;
          }
        }
      }

      case Token::kMName: {
        metric_name_ = View(entry_start_, i_);
        series_ = metric_name_;
        Token t2 = Lex();
        if (t2 == Token::kBraceOpen) {
          RETURN_IF_ERROR(ParseLabels(/*exemplar=*/false));
          series_ = View(entry_start_, i_);
          t2 = Lex();
        }
        RETURN_IF_ERROR(ParseSeriesEndOfLine(t2));
        UnescapeLabelValues();
        RETURN_IF_ERROR(CheckSeries());
        if (options_.skip_created_series && IsCreatedSeries()) continue;
        return Entry::kSeries;
      }

      default:
        return ParseError("expected a valid start token", t);
    }
  }
}

base::Status OpenMetricsParser::ParseLabels(bool exemplar) {
  Token t = Lex();
  for (;;) {
    if (t == Token::kBraceClose) return base::Status::Ok();
    if (t != Token::kLName) return ParseError("expected label name", t);
    const std::string_view name = TokenText();
    if (t = Lex(); t != Token::kEqual) return ParseError("expected equal", t);
    if (t = Lex(); t != Token::kLValue) return ParseError("expected label value", t);
    const std::string_view quoted = TokenText();
    if (!model::IsValidUtf8(quoted))
      return Fail(base::InvalidArgument("invalid UTF-8 label value: " + base::GoQuote(quoted)));
    const std::string_view value = quoted.substr(1, quoted.size() - 2);
    if (exemplar) {
      exemplar_labels_.push_back({name, value});
    } else {
      AddLabel(name, value);
    }
    // A trailing comma is allowed.
    t = Lex();
    if (t == Token::kComma) {
      t = Lex();
    } else if (t != Token::kBraceClose) {
      return ParseError("expected comma or brace close", t);
    }
  }
}

base::Result<double> OpenMetricsParser::FloatValue(Token t, std::string_view after) {
  if (t != Token::kValue) return ParseError("expected value after " + std::string(after), t);
  auto v = ParseFloat(TokenText().substr(1));
  if (!v) return WhileParsing(v.error());
  return std::isnan(*v) ? detail::NormalNaN() : *v;
}

base::Status OpenMetricsParser::ParseSeriesEndOfLine(Token t) {
  ASSIGN_OR_RETURN(value_, FloatValue(t, "metric"));
  switch (const Token t2 = Lex(); t2) {
    case Token::kEof:
      return Fail(base::InvalidArgument("data does not end with # EOF"));
    case Token::kLinebreak:
      return base::Status::Ok();
    case Token::kComment:
      return ParseExemplar();
    case Token::kTimestamp: {
      auto ts = ParseFloat(TokenText().substr(1));
      if (!ts) return WhileParsing(ts.error());
      if (!std::isfinite(*ts))
        return Fail(base::InvalidArgument("invalid timestamp " + FormatNonFinite(*ts)));
      has_timestamp_ = true;
      timestamp_ = SecondsToMillis(*ts);
      switch (const Token t3 = Lex(); t3) {
        case Token::kLinebreak:
          return base::Status::Ok();
        case Token::kComment:
          return ParseExemplar();
        default:
          return ParseError("expected next entry after timestamp", t3);
      }
    }
    default:
      return ParseError("expected timestamp or # symbol", t2);
  }
}

base::Status OpenMetricsParser::ParseExemplar() {
  if (ignore_exemplar_) {
    for (Token t = Lex(); t != Token::kLinebreak; t = Lex()) {
      if (t == Token::kEof) return Fail(base::InvalidArgument("data does not end with # EOF"));
      if (t == Token::kInvalid) return ParseError("expected next entry after exemplar", t);
    }
    return base::Status::Ok();
  }
  RETURN_IF_ERROR(ParseLabels(/*exemplar=*/true));
  ASSIGN_OR_RETURN(exemplar_value_, FloatValue(Lex(), "exemplar labels"));
  has_exemplar_ = true;
  exemplar_has_timestamp_ = false;
  switch (const Token t = Lex(); t) {
    case Token::kEof:
      return Fail(base::InvalidArgument("data does not end with # EOF"));
    case Token::kLinebreak:
      return base::Status::Ok();
    case Token::kTimestamp: {
      auto ts = ParseFloat(TokenText().substr(1));
      if (!ts) return WhileParsing(ts.error());
      if (!std::isfinite(*ts))
        return Fail(base::InvalidArgument("invalid exemplar timestamp " + FormatNonFinite(*ts)));
      exemplar_has_timestamp_ = true;
      exemplar_timestamp_ = SecondsToMillis(*ts);
      if (const Token t2 = Lex(); t2 != Token::kLinebreak)
        return ParseError("expected next entry after exemplar timestamp", t2);
      return base::Status::Ok();
    }
    default:
      return ParseError("expected timestamp or comment", t);
  }
}

namespace {
bool TypeHasCreated(MetricType t) {
  return t == MetricType::kCounter || t == MetricType::kSummary || t == MetricType::kHistogram;
}
}  // namespace

bool OpenMetricsParser::IsCreatedSeries() const {
  return TypeHasCreated(type_) && metric_name_.size() >= 8 && metric_name_.ends_with("_created");
}

std::string OpenMetricsParser::CreatedKey(std::string_view family) const {
  std::string key(family);
  for (const model::Label& l : labels_) {
    if (type_ == MetricType::kSummary && l.name == "quantile") continue;
    if (type_ == MetricType::kHistogram && l.name == "le") continue;
    key.push_back('\xff');
    key.append(l.name);
    key.push_back('\xff');
    key.append(l.value);
  }
  return key;
}

std::optional<model::Timestamp> OpenMetricsParser::CreatedTimestamp() {
  if (!TypeHasCreated(type_) || !error_.ok() || done_) return std::nullopt;
  // The family's name is what the series name starts with (Prometheus's mfNameLen).
  std::string_view family = metric_name_.substr(0, std::min(family_.size(), metric_name_.size()));
  std::string key = CreatedKey(family);
  if (ct_valid_ && key == ct_key_) return ct_;

  OpenMetricsParser ahead(*this);
  ahead.ignore_exemplar_ = true;
  ahead.options_.skip_created_series = false;
  std::optional<model::Timestamp> found;
  for (;;) {
    auto e = ahead.Next();
    if (!e || *e != Entry::kSeries) break;  // another family, the end, or an error later on
    const std::string_view name = ahead.metric_name_;
    if (name.size() < 8 || !name.ends_with("_created")) continue;
    if (ahead.CreatedKey(name.substr(0, name.size() - 8)) == key)
      found = SecondsToMillis(ahead.value_);
    break;  // the first _created line decides
  }
  ct_key_ = std::move(key);
  ct_ = found;
  ct_valid_ = true;
  return found;
}

}  // namespace scrape::textparse

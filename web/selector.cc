#include "web/selector.h"

#include <cctype>
#include <optional>
#include <string>
#include <utility>

#include "model/labels.h"
#include "web/go_strings.h"

namespace web {
namespace {

constexpr int32_t kEof = -1;

enum class TokenType {
  kEof,
  kError,  // a lexer error; `text` holds the message
  kIdentifier,
  kMetricIdentifier,
  kString,
  kNumber,
  kDuration,
  kPunct,         // ( ) { } [ ] , = : described by their text in quotes
  kOperator,      // described as <op:text>
  kAggregator,    // <aggr:text>
  kKeyword,       // <text>
  kPreprocessor,  // start, end, step, ...: described by their text in quotes
};

struct Token {
  TokenType type = TokenType::kEof;
  size_t pos = 0;
  std::string text;  // the source text, or the error message for kError
  // Whether the token may name a metric before the braces (generated_parser.y
  // metric_identifier: identifiers, aggregators and most keywords).
  bool metric_identifier = false;
};

bool IsSpace(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsDigit(int32_t r) { return r >= '0' && r <= '9'; }
bool IsAlpha(int32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsAlphaNumeric(int32_t r) { return IsAlpha(r) || IsDigit(r); }
bool Contains(std::string_view set, int32_t r) {
  return r >= 0 && r < 0x80 && set.find(static_cast<char>(r)) != std::string_view::npos;
}

struct Word {
  std::string_view word;
  TokenType type;
  bool metric_identifier;
};

// lex.go's key table (lower case); words not here are identifiers.
constexpr Word kWords[] = {
    {"and", TokenType::kOperator, true},
    {"or", TokenType::kOperator, true},
    {"unless", TokenType::kOperator, true},
    {"atan2", TokenType::kOperator, false},
    {"sum", TokenType::kAggregator, true},
    {"avg", TokenType::kAggregator, true},
    {"count", TokenType::kAggregator, true},
    {"min", TokenType::kAggregator, true},
    {"max", TokenType::kAggregator, true},
    {"group", TokenType::kAggregator, true},
    {"stddev", TokenType::kAggregator, true},
    {"stdvar", TokenType::kAggregator, true},
    {"topk", TokenType::kAggregator, true},
    {"bottomk", TokenType::kAggregator, true},
    {"count_values", TokenType::kAggregator, true},
    {"quantile", TokenType::kAggregator, true},
    {"limitk", TokenType::kAggregator, true},
    {"limit_ratio", TokenType::kAggregator, true},
    {"offset", TokenType::kKeyword, true},
    {"smoothed", TokenType::kKeyword, true},
    {"anchored", TokenType::kKeyword, true},
    {"by", TokenType::kKeyword, true},
    {"without", TokenType::kKeyword, true},
    {"on", TokenType::kKeyword, false},
    {"ignoring", TokenType::kKeyword, false},
    {"group_left", TokenType::kKeyword, false},
    {"group_right", TokenType::kKeyword, false},
    {"fill", TokenType::kKeyword, true},
    {"fill_left", TokenType::kKeyword, true},
    {"fill_right", TokenType::kKeyword, true},
    {"bool", TokenType::kKeyword, false},
    {"start", TokenType::kPreprocessor, true},
    {"end", TokenType::kPreprocessor, true},
    {"step", TokenType::kPreprocessor, true},
    {"range", TokenType::kPreprocessor, true},
    {"max_of", TokenType::kPreprocessor, true},
    {"min_of", TokenType::kPreprocessor, true},
    {"inf", TokenType::kNumber, false},
    {"nan", TokenType::kNumber, false},
};

// Item.desc() of lex.go: how an unexpected token is named in an error message.
std::string Describe(const Token& t) {
  auto quoted = [&] {
    return t.text.size() > 10 ? GoQuotePrefix(t.text, 10) + "..." : GoQuote(t.text);
  };
  switch (t.type) {
    case TokenType::kEof:
      return "end of input";
    case TokenType::kError:
      return "error " + t.text;
    case TokenType::kIdentifier:
      return "identifier " + GoQuote(t.text);
    case TokenType::kMetricIdentifier:
      return "metric identifier " + GoQuote(t.text);
    case TokenType::kString:
      return "string " + quoted();
    case TokenType::kNumber:
      return "number " + quoted();
    case TokenType::kDuration:
      return "duration " + quoted();
    case TokenType::kPunct:
    case TokenType::kPreprocessor:
      return quoted();
    case TokenType::kOperator:
      return "<op:" + t.text + ">";
    case TokenType::kAggregator:
      return "<aggr:" + t.text + ">";
    case TokenType::kKeyword:
      return "<" + t.text + ">";
  }
  return t.text;
}

// The lexer of promql/parser/lex.go, restricted to what a selector can reach: the parser stops
// at the first token it cannot use, so the range, duration and series-description states are
// never entered. Reads runes one at a time with one step of backup, as lex.go does, so that
// error positions and quoted fragments match.
class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  Token Next() {
    for (;;) {
      if (brace_open_) {
        if (auto t = LexInsideBraces()) return *std::move(t);
      } else {
        if (auto t = LexStatement()) return *std::move(t);
      }
    }
  }

 private:
  int32_t NextRune() {
    if (pos_ >= input_.size()) {
      width_ = 0;
      return kEof;
    }
    Rune r = DecodeRune(input_, pos_);
    width_ = r.width;
    pos_ += r.width;
    return r.value;
  }
  void Backup() { pos_ -= width_; }
  int32_t Peek() {
    int32_t r = NextRune();
    Backup();
    return r;
  }
  bool Accept(std::string_view valid) {
    if (Contains(valid, NextRune())) return true;
    Backup();
    return false;
  }
  bool Is(std::string_view valid) { return Contains(valid, Peek()); }
  void AcceptRun(std::string_view valid) {
    while (Contains(valid, NextRune())) {
    }
    Backup();
  }

  Token Emit(TokenType type) {
    Token t{type, start_, std::string(input_.substr(start_, pos_ - start_))};
    start_ = pos_;
    return t;
  }
  Token Error(std::string message) const {
    return Token{TokenType::kError, start_, std::move(message)};
  }

  // Skips one run of spaces or one comment; true if it skipped anything (the caller then
  // returns to Next(), which re-dispatches on the brace state).
  bool SkipSpaceOrComment() {
    if (input_.substr(pos_).starts_with('#')) {
      while (pos_ < input_.size() && input_[pos_] != '\n' && input_[pos_] != '\r') ++pos_;
      start_ = pos_;
      return true;
    }
    if (pos_ < input_.size() && IsSpace(static_cast<unsigned char>(input_[pos_]))) {
      while (pos_ < input_.size() && IsSpace(static_cast<unsigned char>(input_[pos_]))) ++pos_;
      start_ = pos_;
      return true;
    }
    return false;
  }

  std::optional<Token> LexStatement() {
    if (SkipSpaceOrComment()) return std::nullopt;
    int32_t r = NextRune();
    switch (r) {
      case kEof:
        if (paren_depth_ != 0) return Error("unclosed left parenthesis");
        return Emit(TokenType::kEof);
      case ',':
        return Emit(TokenType::kPunct);
      case '*':
      case '/':
      case '%':
      case '+':
      case '-':
      case '^':
      case '@':
        return Emit(TokenType::kOperator);
      case '=': {
        int32_t t = Peek();
        if (t == '=') {
          NextRune();
          return Emit(TokenType::kOperator);
        }
        if (t == '~') return Error("unexpected character after '=': " + GoQuoteRune(t));
        return Emit(TokenType::kPunct);
      }
      case '!': {
        int32_t t = NextRune();
        if (t != '=') return Error("unexpected character after '!': " + GoQuoteRune(t));
        return Emit(TokenType::kOperator);
      }
      case '<':
      case '>': {
        int32_t t = Peek();
        if (t == '=' || t == '/') NextRune();
        return Emit(TokenType::kOperator);
      }
      case '"':
      case '\'':
      case '`':
        return LexString(r);
      case '(':
        ++paren_depth_;
        return Emit(TokenType::kPunct);
      case ')': {
        Token t = Emit(TokenType::kPunct);
        if (--paren_depth_ < 0) return Error("unexpected right parenthesis ')'");
        return t;
      }
      case '{':
        brace_open_ = true;
        return Emit(TokenType::kPunct);
      case '[':
        return Emit(TokenType::kPunct);
      case ']':
        return Error("unexpected right bracket ']'");
      default:
        break;
    }
    if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
      Backup();
      return LexNumberOrDuration();
    }
    if (IsAlpha(r) || r == ':') {
      Backup();
      return LexKeywordOrIdentifier();
    }
    return Error("unexpected character: " + GoQuoteRune(r));
  }

  std::optional<Token> LexInsideBraces() {
    if (SkipSpaceOrComment()) return std::nullopt;
    int32_t r = NextRune();
    switch (r) {
      case kEof:
        return Error("unexpected end of input inside braces");
      case ',':
        return Emit(TokenType::kPunct);
      case '"':
      case '\'':
      case '`':
        return LexString(r);
      case '=':
        if (NextRune() != '~') Backup();
        return Emit(pos_ - start_ == 2 ? TokenType::kOperator : TokenType::kPunct);
      case '!': {
        int32_t t = NextRune();
        if (t != '~' && t != '=') {
          return Error("unexpected character after '!' inside braces: " + GoQuoteRune(t));
        }
        return Emit(TokenType::kOperator);
      }
      case '{':
        return Error("unexpected left brace '{'");
      case '}':
        brace_open_ = false;
        return Emit(TokenType::kPunct);
      default:
        break;
    }
    if (IsAlpha(r)) {
      while (IsAlphaNumeric(NextRune())) {
      }
      Backup();
      return Emit(TokenType::kIdentifier);
    }
    return Error("unexpected character inside braces: " + GoQuoteRune(r));
  }

  // After the opening quote. Validates escapes as lex.go's lexString/lexEscape; the token text
  // keeps the quotes.
  Token LexString(int32_t quote) {
    for (;;) {
      int32_t r = NextRune();
      if (quote != '`' && r == '\\') {
        if (auto err = LexEscape(quote)) return Error(*std::move(err));
        continue;
      }
      if (r == 0xfffd) return Error("invalid UTF-8 rune");
      if (r == kEof)
        return Error(quote == '`' ? "unterminated raw string" : "unterminated quoted string");
      if (r == '\n' && quote != '`') return Error("unterminated quoted string");
      if (r == quote) return Emit(TokenType::kString);
    }
  }

  std::optional<std::string> LexEscape(int32_t quote) {
    int32_t ch = NextRune();
    int n = 0;
    uint32_t base = 0, max = 0;
    switch (ch) {
      case 'a':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
      case '\\':
        return std::nullopt;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        n = 3, base = 8, max = 255;
        break;
      case 'x':
        ch = NextRune();
        n = 2, base = 16, max = 255;
        break;
      case 'u':
        ch = NextRune();
        n = 4, base = 16, max = 0x10ffff;
        break;
      case 'U':
        ch = NextRune();
        n = 8, base = 16, max = 0x10ffff;
        break;
      case kEof:
        return "escape sequence not terminated";
      default:
        if (ch == quote) return std::nullopt;
        return "unknown escape sequence " + GoFormatRuneU(ch);
    }
    uint32_t x = 0;
    while (n > 0) {
      uint32_t d = 16;
      if (ch >= '0' && ch <= '9')
        d = static_cast<uint32_t>(ch - '0');
      else if (ch >= 'a' && ch <= 'f')
        d = static_cast<uint32_t>(ch - 'a' + 10);
      else if (ch >= 'A' && ch <= 'F')
        d = static_cast<uint32_t>(ch - 'A' + 10);
      if (d >= base) {
        if (ch == kEof) return "escape sequence not terminated";
        return "illegal character " + GoFormatRuneU(ch) + " in escape sequence";
      }
      x = x * base + d;
      if (--n > 0) ch = NextRune();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000))
      return "escape sequence is an invalid Unicode code point";
    return std::nullopt;
  }

  Token LexNumberOrDuration() {
    if (ScanNumber()) return Emit(TokenType::kNumber);
    if (AcceptRemainingDuration()) {
      Backup();
      return Emit(TokenType::kDuration);
    }
    return Error("bad number or duration syntax: " + GoQuote(input_.substr(start_, pos_ - start_)));
  }

  // lex.go's acceptRemainingDuration: units after the number ("5m", "1h30m", "10ms").
  bool AcceptRemainingDuration() {
    if (!Accept("smhdwy")) return false;
    Accept("s");
    while (Accept("0123456789")) {
      while (Accept("0123456789")) {
      }
      if (!Accept("smhdw")) return false;
      Accept("s");
    }
    return !IsAlphaNumeric(NextRune());
  }

  // lex.go's scanNumber: decimal or hexadecimal, with '.', exponent and '_' separators; false
  // if malformed or followed by a letter or digit (then it may be a duration).
  bool ScanNumber() {
    size_t initial = pos_;
    std::string_view digits = "0123456789";
    if (Accept("0") && Accept("xX")) {
      Accept("_");
      digits = "0123456789abcdefABCDEF";
    }
    const bool hex = digits.size() > 10;
    std::string loop_set = std::string(digits) + "._eE";
    Accept(".");
    Accept(digits);
    bool dot_consumed = false;
    bool exponent_consumed = false;
    while (Is(loop_set)) {
      if (Is(".") && dot_consumed) {
        Accept(".");
        return false;
      }
      if (Is("eE") && exponent_consumed) {
        Accept("eE");
        return false;
      }
      if (Accept(".")) {
        dot_consumed = true;
        if (Accept("_.") || hex) return false;
        continue;
      }
      if (Accept("eE")) {
        exponent_consumed = true;
        Accept("+-");
        if (Accept("._eE") || Peek() == kEof) return false;
        continue;
      }
      if (Accept("_")) {
        if (Accept("._eE") || Peek() == kEof) return false;
        continue;
      }
      AcceptRun(digits);
    }
    if (pos_ == initial) return false;
    return !IsAlphaNumeric(Peek());
  }

  Token LexKeywordOrIdentifier() {
    int32_t r;
    do {
      r = NextRune();
    } while (IsAlphaNumeric(r) || r == ':');
    Backup();
    std::string_view word = input_.substr(start_, pos_ - start_);
    std::string lower(word);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const Word& w : kWords) {
      if (w.word != lower) continue;
      if (lower.starts_with("fill") && !FollowedByLeftParen()) break;
      Token t = Emit(w.type);
      t.metric_identifier = w.metric_identifier;
      return t;
    }
    Token t = Emit(word.find(':') == std::string_view::npos ? TokenType::kIdentifier
                                                            : TokenType::kMetricIdentifier);
    t.metric_identifier = true;
    return t;
  }

  bool FollowedByLeftParen() const {
    for (size_t p = pos_; p < input_.size(); ++p) {
      if (!IsSpace(static_cast<unsigned char>(input_[p]))) return input_[p] == '(';
    }
    return false;
  }

  std::string_view input_;
  size_t pos_ = 0;
  size_t start_ = 0;
  size_t width_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false;
};

// posrange.StartPosInput: "line:col" of a byte offset.
std::string Position(std::string_view input, size_t pos) {
  if (input.empty()) return "unknown position";
  if (pos > input.size()) return "invalid position";
  int line = 1;
  size_t last_break = std::string_view::npos;
  for (size_t i = 0; i < pos; ++i) {
    if (input[i] == '\n') {
      last_break = i;
      ++line;
    }
  }
  size_t col = last_break == std::string_view::npos ? pos + 1 : pos - last_break;
  return std::to_string(line) + ":" + std::to_string(col);
}

// strutil.Unquote: the value of a Go string literal in ", ' or ` quotes; nullopt if malformed.
std::optional<std::string> Unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != s.back()) return std::nullopt;
  char quote = s.front();
  s = s.substr(1, s.size() - 2);
  if (quote == '`') {
    if (s.find('`') != std::string_view::npos) return std::nullopt;
    return std::string(s);
  }
  if ((quote != '"' && quote != '\'') || s.find('\n') != std::string_view::npos)
    return std::nullopt;
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == quote) return std::nullopt;
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) return std::nullopt;
    char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'a':
        out.push_back('\a');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '\'':
      case '"':
        if (e != quote) return std::nullopt;
        out.push_back(e);
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (s.size() - i < n) return std::nullopt;
        uint32_t v = 0;
        for (size_t j = 0; j < n; ++j) {
          int d = hex(s[i + j]);
          if (d < 0) return std::nullopt;
          v = v << 4 | static_cast<uint32_t>(d);
        }
        i += n;
        if (e == 'x') {
          out.push_back(static_cast<char>(v));  // a single byte, possibly not UTF-8
          break;
        }
        if (v > 0x10ffff) return std::nullopt;
        // Go encodes a surrogate as U+FFFD (the lexer rejects them before this point).
        AppendUtf8(&out, v >= 0xd800 && v < 0xe000 ? 0xfffd : v);
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        if (s.size() - i < 2) return std::nullopt;
        uint32_t v = static_cast<uint32_t>(e - '0');
        for (size_t j = 0; j < 2; ++j) {
          char d = s[i + j];
          if (d < '0' || d > '7') return std::nullopt;
          v = v << 3 | static_cast<uint32_t>(d - '0');
        }
        i += 2;
        if (v > 255) return std::nullopt;
        out.push_back(static_cast<char>(v));
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

std::optional<model::MatchType> MatchOp(const Token& t) {
  if (t.text == "=" && t.type == TokenType::kPunct) return model::MatchType::kEqual;
  if (t.type != TokenType::kOperator) return std::nullopt;
  if (t.text == "!=") return model::MatchType::kNotEqual;
  if (t.text == "=~") return model::MatchType::kRegexMatch;
  if (t.text == "!~") return model::MatchType::kRegexNoMatch;
  return std::nullopt;
}

bool IsPunct(const Token& t, std::string_view text) {
  return t.type == TokenType::kPunct && t.text == text;
}

// A recursive-descent rendering of generated_parser.y's vector_selector, label_matchers,
// label_match_list and label_matcher rules with their error productions, reporting the first
// error with the message the yacc parser's error actions produce.
class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input), lexer_(input) {}

  base::Result<std::vector<model::Matcher>> Parse() {
    Token tok = lexer_.Next();
    std::optional<Token> name;
    if (tok.metric_identifier) {
      name = std::move(tok);
      tok = lexer_.Next();
    }
    if (IsPunct(tok, "{")) {
      RETURN_IF_ERROR(ParseLabelMatchers());
      tok = lexer_.Next();
    } else if (!name) {
      return Unexpected(tok, "", "");
    }
    if (tok.type != TokenType::kEof) return Unexpected(tok, "", "");
    if (name) {
      ASSIGN_OR_RETURN(auto m, model::Matcher::Make(model::MatchType::kEqual,
                                                    std::string(model::kMetricName), name->text));
      matchers_.push_back(std::move(m));
    }
    return std::move(matchers_);
  }

 private:
  base::Status Error(size_t pos, std::string_view message) const {
    return base::InvalidArgument(Position(input_, pos) + ": parse error: " + std::string(message));
  }

  // parser.unexpected(context, expected); a lexer error is reported as itself.
  base::Status Unexpected(const Token& t, std::string_view context,
                          std::string_view expected) const {
    if (t.type == TokenType::kError) return Error(t.pos, t.text);
    std::string msg = "unexpected " + Describe(t);
    if (!context.empty()) msg += " in " + std::string(context);
    if (!expected.empty()) msg += ", expected " + std::string(expected);
    return Error(t.pos, msg);
  }

  base::Result<std::string> UnquoteToken(const Token& t) const {
    std::optional<std::string> s = Unquote(t.text);
    if (!s) return Error(t.pos, "error unquoting string " + GoQuote(t.text) + ": invalid syntax");
    return *std::move(s);
  }

  base::Status AddMatcher(size_t pos, model::MatchType type, std::string name, std::string value) {
    auto m = model::Matcher::Make(type, std::move(name), std::move(value));
    if (!m) return Error(pos, m.error().message());
    matchers_.push_back(*std::move(m));
    return base::Status::Ok();
  }

  // After '{', through the matching '}'.
  base::Status ParseLabelMatchers() {
    Token tok = lexer_.Next();
    if (IsPunct(tok, "}")) return base::Status::Ok();
    for (;;) {
      // label_matcher
      if (tok.type == TokenType::kIdentifier || tok.type == TokenType::kString) {
        const bool quoted = tok.type == TokenType::kString;
        const size_t label_pos = tok.pos;
        std::string label = tok.text;
        if (quoted) {
          ASSIGN_OR_RETURN(label, UnquoteToken(tok));
        }
        tok = lexer_.Next();
        std::optional<model::MatchType> op = MatchOp(tok);
        if (op) {
          tok = lexer_.Next();
          if (tok.type != TokenType::kString) return Unexpected(tok, "label matching", "string");
          ASSIGN_OR_RETURN(std::string value, UnquoteToken(tok));
          RETURN_IF_ERROR(AddMatcher(label_pos, *op, std::move(label), std::move(value)));
          tok = lexer_.Next();
        } else if (quoted) {
          // A lone quoted string names the metric: {"metric.name"}.
          RETURN_IF_ERROR(AddMatcher(label_pos, model::MatchType::kEqual,
                                     std::string(model::kMetricName), std::move(label)));
        } else {
          return Unexpected(tok, "label matching", "label matching operator");
        }
      } else {
        return Unexpected(tok, "label matching", "identifier or \"}\"");
      }
      // After a matcher: ',' or '}'; after ',', '}' or the next matcher.
      if (IsPunct(tok, "}")) return base::Status::Ok();
      if (!IsPunct(tok, ",")) return Unexpected(tok, "label matching", "\",\" or \"}\"");
      tok = lexer_.Next();
      if (IsPunct(tok, "}")) return base::Status::Ok();
    }
  }

  std::string_view input_;
  Lexer lexer_;
  std::vector<model::Matcher> matchers_;
};

}  // namespace

base::Result<std::vector<model::Matcher>> ParseMetricSelector(std::string_view input) {
  return Parser(input).Parse();
}

}  // namespace web

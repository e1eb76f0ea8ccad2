#include "promql/parser/lexer.h"

#include <cctype>

#include "base/quote.h"

namespace promql::parser {
namespace {

constexpr int32_t kEofRune = -1;
constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kHexDigits = "0123456789abcdefABCDEF";

bool IsSpace(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsDigit(int32_t r) { return r >= '0' && r <= '9'; }
bool IsAlpha(int32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsAlphaNumeric(int32_t r) { return IsAlpha(r) || IsDigit(r); }
bool Contains(std::string_view set, int32_t r) {
  return r >= 0 && r < 0x80 && set.find(static_cast<char>(r)) != std::string_view::npos;
}

struct Keyword {
  std::string_view word;
  TokenType type;
};

// Prometheus's `key` table: words the lexer turns into keyword tokens outside braces,
// matched case-insensitively. "inf" and "nan" become numbers.
constexpr Keyword kKeywords[] = {
    {"and", TokenType::kLand},
    {"or", TokenType::kLor},
    {"unless", TokenType::kLunless},
    {"atan2", TokenType::kAtan2},
    {"sum", TokenType::kSum},
    {"avg", TokenType::kAvg},
    {"count", TokenType::kCount},
    {"min", TokenType::kMin},
    {"max", TokenType::kMax},
    {"group", TokenType::kGroup},
    {"stddev", TokenType::kStddev},
    {"stdvar", TokenType::kStdvar},
    {"topk", TokenType::kTopk},
    {"bottomk", TokenType::kBottomk},
    {"count_values", TokenType::kCountValues},
    {"quantile", TokenType::kQuantile},
    {"limitk", TokenType::kLimitk},
    {"limit_ratio", TokenType::kLimitRatio},
    {"offset", TokenType::kOffset},
    {"smoothed", TokenType::kSmoothed},
    {"anchored", TokenType::kAnchored},
    {"by", TokenType::kBy},
    {"without", TokenType::kWithout},
    {"on", TokenType::kOn},
    {"ignoring", TokenType::kIgnoring},
    {"group_left", TokenType::kGroupLeft},
    {"group_right", TokenType::kGroupRight},
    {"fill", TokenType::kFill},
    {"fill_left", TokenType::kFillLeft},
    {"fill_right", TokenType::kFillRight},
    {"bool", TokenType::kBool},
    {"start", TokenType::kStart},
    {"end", TokenType::kEnd},
    {"step", TokenType::kStep},
    {"range", TokenType::kRange},
    {"max_of", TokenType::kMaxOf},
    {"min_of", TokenType::kMinOf},
    {"inf", TokenType::kNumber},
    {"nan", TokenType::kNumber},
};

// The keywords recognised inside brackets, where durations are expected.
constexpr Keyword kDurationKeywords[] = {
    {"step", TokenType::kStep},
    {"range", TokenType::kRange},
    {"max_of", TokenType::kMaxOf},
    {"min_of", TokenType::kMinOf},
};

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <size_t N>
bool LookupKeyword(const Keyword (&table)[N], std::string_view word, TokenType* type) {
  std::string lower = AsciiLower(word);
  for (const Keyword& k : table) {
    if (k.word == lower) {
      *type = k.type;
      return true;
    }
  }
  return false;
}

// The first letter of a duration keyword (step, range, max_of, min_of), in either case.
bool IsDurationKeywordStart(int32_t r) {
  return r == 's' || r == 'S' || r == 'r' || r == 'R' || r == 'm' || r == 'M';
}

int DigitValue(int32_t r) {
  if (r >= '0' && r <= '9') return r - '0';
  if (r >= 'a' && r <= 'f') return r - 'a' + 10;
  if (r >= 'A' && r <= 'F') return r - 'A' + 10;
  return 16;
}

// A state machine with the states of Prometheus's lexer. Each Step() consumes input and
// emits at most one token; an error ends the scan.
class Scanner {
 public:
  explicit Scanner(std::string_view input) : input_(input) {}

  LexResult Run() {
    while (state_ != State::kDone) {
      switch (state_) {
        case State::kStatements:
          LexStatements();
          break;
        case State::kInsideBraces:
          LexInsideBraces();
          break;
        case State::kDurationExpr:
          LexDurationExpr();
          break;
        case State::kDone:
          break;
      }
    }
    return std::move(result_);
  }

 private:
  enum class State { kStatements, kInsideBraces, kDurationExpr, kDone };

  int32_t Next() {
    if (pos_ >= input_.size()) {
      width_ = 0;
      return kEofRune;
    }
    int32_t r;
    width_ = base::DecodeRune(input_, pos_, &r);
    pos_ += width_;
    return r;
  }
  void Backup() { pos_ -= width_; }
  int32_t Peek() {
    int32_t r = Next();
    Backup();
    return r;
  }
  bool Accept(std::string_view valid) {
    if (Contains(valid, Next())) return true;
    Backup();
    return false;
  }
  bool Is(std::string_view valid) { return Contains(valid, Peek()); }
  void AcceptRun(std::string_view valid) {
    while (Contains(valid, Next())) {
    }
    Backup();
  }
  void Ignore() { start_ = pos_; }
  void Emit(TokenType t) {
    result_.tokens.push_back(
        Token{t, static_cast<int>(start_), input_.substr(start_, pos_ - start_)});
    start_ = pos_;
  }
  // Reports an error at the start of the pending token and ends the scan.
  void Error(std::string message) {
    result_.tokens.push_back(Token{TokenType::kError, static_cast<int>(start_), {}});
    result_.error = std::move(message);
    state_ = State::kDone;
  }
  // Replaces the token just emitted by an error, as Prometheus's lexer does when it emits a
  // token and then finds it invalid: the error lies just after that token.
  void ReplaceWithError(std::string message) {
    result_.tokens.pop_back();
    Error(std::move(message));
  }
  void SkipSpaces() {
    while (IsSpace(Peek())) Next();
    Ignore();
  }
  bool AtComment() const { return pos_ < input_.size() && input_[pos_] == '#'; }

  void LexStatements() {
    if (brace_open_) {
      state_ = State::kInsideBraces;
      return;
    }
    if (AtComment()) {
      LexLineComment();
      return;
    }
    int32_t r = Next();
    switch (r) {
      case kEofRune:
        if (paren_depth_ != 0) return Error("unclosed left parenthesis");
        if (bracket_open_) return Error("unclosed left bracket");
        Emit(TokenType::kEof);
        state_ = State::kDone;
        return;
      case ',':
        return Emit(TokenType::kComma);
      case '*':
        return Emit(TokenType::kMul);
      case '/':
        return Emit(TokenType::kDiv);
      case '%':
        return Emit(TokenType::kMod);
      case '+':
        return Emit(TokenType::kAdd);
      case '-':
        return Emit(TokenType::kSub);
      case '^':
        return Emit(TokenType::kPow);
      case '=': {
        int32_t t = Peek();
        if (t == '=') {
          Next();
          return Emit(TokenType::kEqlc);
        }
        if (t == '~') return Error("unexpected character after '=': " + base::GoQuoteRune(t));
        return Emit(TokenType::kEql);
      }
      case '!': {
        int32_t t = Next();
        if (t != '=') return Error("unexpected character after '!': " + base::GoQuoteRune(t));
        return Emit(TokenType::kNeq);
      }
      case '<':
      case '>': {
        int32_t t = Peek();
        if (t == '=') {
          Next();
          return Emit(r == '<' ? TokenType::kLte : TokenType::kGte);
        }
        if (t == '/') {
          Next();
          return Emit(r == '<' ? TokenType::kTrimUpper : TokenType::kTrimLower);
        }
        return Emit(r == '<' ? TokenType::kLss : TokenType::kGtr);
      }
      case '"':
      case '\'':
        string_open_ = r;
        return LexString();
      case '`':
        string_open_ = r;
        return LexRawString();
      case '(':
        Emit(TokenType::kLeftParen);
        ++paren_depth_;
        return;
      case ')':
        Emit(TokenType::kRightParen);
        if (--paren_depth_ < 0) ReplaceWithError("unexpected right parenthesis ')'");
        return;
      case '{':
        Emit(TokenType::kLeftBrace);
        brace_open_ = true;
        state_ = State::kInsideBraces;
        return;
      case '[':
        if (bracket_open_) return Error("unexpected left bracket '['");
        got_colon_ = false;
        Emit(TokenType::kLeftBracket);
        SkipSpaces();
        bracket_open_ = true;
        state_ = State::kDurationExpr;
        return;
      case ']':
        if (!bracket_open_) return Error("unexpected right bracket ']'");
        Emit(TokenType::kRightBracket);
        bracket_open_ = false;
        return;
      case '@':
        return Emit(TokenType::kAt);
      default:
        break;
    }
    if (IsSpace(r)) return SkipSpaces();
    if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
      Backup();
      return LexNumberOrDuration();
    }
    if (IsAlpha(r) || r == ':') {
      if (!bracket_open_) {
        Backup();
        return LexKeywordOrIdentifier();
      }
      // After a number inside brackets: a subquery colon or a duration keyword.
      if (r == ':') {
        if (got_colon_) return Error("unexpected colon ':'");
        Emit(TokenType::kColon);
        got_colon_ = true;
        return;
      }
      if (IsDurationKeywordStart(r) && ScanDurationKeyword()) return;
      return Error("unexpected character: " + base::GoQuoteRune(r) + ", expected ':'");
    }
    Error("unexpected character: " + base::GoQuoteRune(r));
  }

  void LexInsideBraces() {
    if (AtComment()) {
      LexLineComment();
      return;
    }
    int32_t r = Next();
    switch (r) {
      case kEofRune:
        return Error("unexpected end of input inside braces");
      case ',':
        return Emit(TokenType::kComma);
      case '"':
      case '\'':
        string_open_ = r;
        return LexString();
      case '`':
        string_open_ = r;
        return LexRawString();
      case '=':
        if (Next() == '~') return Emit(TokenType::kEqlRegex);
        Backup();
        return Emit(TokenType::kEql);
      case '!': {
        int32_t n = Next();
        if (n == '~') return Emit(TokenType::kNeqRegex);
        if (n == '=') return Emit(TokenType::kNeq);
        return Error("unexpected character after '!' inside braces: " + base::GoQuoteRune(n));
      }
      case '{':
        return Error("unexpected left brace '{'");
      case '}':
        Emit(TokenType::kRightBrace);
        brace_open_ = false;
        state_ = State::kStatements;
        return;
      default:
        break;
    }
    if (IsSpace(r)) return SkipSpaces();
    if (IsAlpha(r)) {
      Backup();
      while (IsAlphaNumeric(Next())) {
      }
      Backup();
      return Emit(TokenType::kIdentifier);
    }
    Error("unexpected character inside braces: " + base::GoQuoteRune(r));
  }

  // Right after '[' and after each non-number token inside brackets.
  void LexDurationExpr() {
    int32_t r = Next();
    switch (r) {
      case kEofRune:
        return Error("unexpected end of input in duration expression");
      case ']':
        Emit(TokenType::kRightBracket);
        bracket_open_ = false;
        got_colon_ = false;
        state_ = State::kStatements;
        return;
      case ':':
        Emit(TokenType::kColon);
        if (!got_duration_) {
          return ReplaceWithError("unexpected colon before duration in duration expression");
        }
        if (got_colon_) return ReplaceWithError("unexpected repeated colon in duration expression");
        got_colon_ = true;
        return;
      case '(':
        Emit(TokenType::kLeftParen);
        ++paren_depth_;
        return;
      case ')':
        Emit(TokenType::kRightParen);
        if (--paren_depth_ < 0) ReplaceWithError("unexpected right parenthesis ')'");
        return;
      case '+':
        return Emit(TokenType::kAdd);
      case '-':
        return Emit(TokenType::kSub);
      case '*':
        return Emit(TokenType::kMul);
      case '/':
        return Emit(TokenType::kDiv);
      case '%':
        return Emit(TokenType::kMod);
      case '^':
        return Emit(TokenType::kPow);
      case ',':
        return Emit(TokenType::kComma);
      default:
        break;
    }
    if (IsSpace(r)) return SkipSpaces();
    if (IsDurationKeywordStart(r)) {
      if (ScanDurationKeyword()) return;
      return Error("unexpected character in duration expression: " + base::GoQuoteRune(r));
    }
    if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
      Backup();
      got_duration_ = true;
      LexNumberOrDuration();
      // Prometheus continues in its statement state, with the bracket still open.
      if (state_ != State::kDone) state_ = State::kStatements;
      return;
    }
    Error("unexpected character in duration expression: " + base::GoQuoteRune(r));
  }

  void LexLineComment() {
    ++pos_;  // '#'
    int32_t r = Next();
    while (r != '\r' && r != '\n' && r != kEofRune) r = Next();
    Backup();
    Ignore();
  }

  bool ScanDurationKeyword() {
    while (IsAlpha(Next())) {
    }
    Backup();
    TokenType t;
    if (!LookupKeyword(kDurationKeywords, input_.substr(start_, pos_ - start_), &t)) return false;
    Emit(t);
    return true;
  }

  void LexKeywordOrIdentifier() {
    int32_t r;
    do {
      r = Next();
    } while (IsAlphaNumeric(r) || r == ':');
    Backup();
    std::string_view word = input_.substr(start_, pos_ - start_);
    TokenType kw;
    if (LookupKeyword(kKeywords, word, &kw)) {
      // fill, fill_left and fill_right are keywords only before '(', so that they stay
      // usable as metric names.
      if ((kw == TokenType::kFill || kw == TokenType::kFillLeft || kw == TokenType::kFillRight) &&
          !FollowedByLeftParen()) {
        return Emit(TokenType::kIdentifier);
      }
      return Emit(kw);
    }
    Emit(word.find(':') == std::string_view::npos ? TokenType::kIdentifier
                                                  : TokenType::kMetricIdentifier);
  }

  bool FollowedByLeftParen() const {
    size_t p = pos_;
    while (p < input_.size() && IsSpace(static_cast<unsigned char>(input_[p]))) ++p;
    return p < input_.size() && input_[p] == '(';
  }

  void LexNumberOrDuration() {
    if (ScanNumber()) return Emit(TokenType::kNumber);
    if (AcceptRemainingDuration()) {
      Backup();
      return Emit(TokenType::kDuration);
    }
    Error("bad number or duration syntax: " + base::GoQuote(input_.substr(start_, pos_ - start_)));
  }

  // Scans a decimal, hexadecimal or float number as Prometheus's scanNumber; the text is not
  // necessarily a valid number (the parser converts and reports). False when the text cannot
  // be a number, with the position wherever the scan stopped.
  bool ScanNumber() {
    size_t initial = pos_;
    std::string_view digits = kDigits;
    if (Accept("0") && Accept("xX")) {
      Accept("_");
      digits = kHexDigits;
    }
    const bool hex = digits.size() > 10;
    std::string loop_set(digits);
    loop_set += "._eE";
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
        if (Accept("_.")) return false;
        if (hex) return false;
        continue;
      }
      if (Accept("eE")) {
        exponent_consumed = true;
        Accept("+-");
        if (Accept("._eE") || Peek() == kEofRune) return false;
        continue;
      }
      if (Accept("_")) {
        if (Accept("._eE") || Peek() == kEofRune) return false;
        continue;
      }
      AcceptRun(digits);
    }
    if (pos_ == initial) return false;
    return !IsAlphaNumeric(Peek());
  }

  bool AcceptRemainingDuration() {
    if (!Accept("smhdwy")) return false;
    Accept("s");  // ms; bad units such as "hs" are reported when the duration is parsed
    while (Accept(kDigits)) {
      while (Accept(kDigits)) {
      }
      if (!Accept("smhdw")) return false;
      Accept("s");
    }
    return !IsAlphaNumeric(Next());
  }

  void LexString() {
    while (true) {
      int32_t r = Next();
      if (r == '\\') {
        if (!LexEscape()) return;
        continue;
      }
      if (r == base::kRuneError) return Error("invalid UTF-8 rune");
      if (r == kEofRune || r == '\n') return Error("unterminated quoted string");
      if (r == string_open_) break;
    }
    Emit(TokenType::kString);
  }

  void LexRawString() {
    while (true) {
      int32_t r = Next();
      if (r == base::kRuneError) return Error("invalid UTF-8 rune");
      if (r == kEofRune) return Error("unterminated raw string");
      if (r == string_open_) break;
    }
    Emit(TokenType::kString);
  }

  // Validates one escape sequence (the backslash is consumed). False after an error.
  bool LexEscape() {
    int32_t ch = Next();
    int n;
    uint32_t base;
    uint32_t max;
    switch (ch) {
      case 'a':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
      case '\\':
        return true;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        n = 3;
        base = 8;
        max = 255;
        break;
      case 'x':
        ch = Next();
        n = 2;
        base = 16;
        max = 255;
        break;
      case 'u':
        ch = Next();
        n = 4;
        base = 16;
        max = base::kMaxRune;
        break;
      case 'U':
        ch = Next();
        n = 8;
        base = 16;
        max = base::kMaxRune;
        break;
      case kEofRune:
        Error("escape sequence not terminated");
        return false;
      default:
        if (ch == string_open_) return true;
        Error("unknown escape sequence " + base::GoUnicodeFormat(ch));
        return false;
    }
    uint32_t x = 0;
    while (n > 0) {
      auto d = static_cast<uint32_t>(DigitValue(ch));
      if (d >= base) {
        if (ch == kEofRune) {
          Error("escape sequence not terminated");
        } else {
          Error("illegal character " + base::GoUnicodeFormat(ch) + " in escape sequence");
        }
        return false;
      }
      x = x * base + d;
      if (--n > 0) ch = Next();
    }
    if (x > max || (x >= 0xD800 && x < 0xE000)) {
      Error("escape sequence is an invalid Unicode code point");
      return false;
    }
    return true;
  }

  std::string_view input_;
  size_t pos_ = 0;    // next byte to read
  size_t start_ = 0;  // start of the pending token
  size_t width_ = 0;  // width of the last rune read
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  // Set by the first number inside brackets and, as in Prometheus, never reset.
  bool got_duration_ = false;
  int32_t string_open_ = 0;
  State state_ = State::kStatements;
  LexResult result_;
};

std::string ShortQuote(std::string_view text) {
  if (text.size() > 10) return base::GoQuotePrefix(text, 10) + "...";
  return base::GoQuote(text);
}

}  // namespace

bool IsOperatorToken(TokenType t) { return t >= TokenType::kAdd && t <= TokenType::kAtan2; }
bool IsAggregatorToken(TokenType t) { return t >= TokenType::kAvg && t <= TokenType::kLimitRatio; }
bool IsKeywordToken(TokenType t) { return t >= TokenType::kBool && t <= TokenType::kWithout; }

LexResult Lex(std::string_view input) { return Scanner(input).Run(); }

std::string DescribeToken(const Token& t) {
  std::string out;
  auto wrap = [&out, &t](std::string_view prefix) {
    out.append(prefix);
    out.append(t.text);
    out.push_back('>');
    return out;
  };
  switch (t.type) {
    case TokenType::kEof:
      return "end of input";
    case TokenType::kError:
      return "error";
    case TokenType::kIdentifier:
      return out.append("identifier ").append(base::GoQuote(t.text));
    case TokenType::kMetricIdentifier:
      return out.append("metric identifier ").append(base::GoQuote(t.text));
    case TokenType::kString:
      return out.append("string ").append(ShortQuote(t.text));
    case TokenType::kNumber:
      return out.append("number ").append(ShortQuote(t.text));
    case TokenType::kDuration:
      return out.append("duration ").append(ShortQuote(t.text));
    default:
      break;
  }
  if (IsKeywordToken(t.type)) return wrap("<");
  if (IsOperatorToken(t.type)) return wrap("<op:");
  if (IsAggregatorToken(t.type)) return wrap("<aggr:");
  return ShortQuote(t.text);
}

}  // namespace promql::parser

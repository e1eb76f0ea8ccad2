#include "template/detail/lex.h"

#include <locale.h>

#include <clocale>
#include <cwctype>

#include "base/quote.h"

namespace tmpl::detail {
namespace {

constexpr int32_t kEof = -1;
constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";
constexpr std::string_view kLeftComment = "/*";
constexpr std::string_view kRightComment = "*/";
constexpr std::string_view kSpaceChars = " \t\r\n";
constexpr size_t kTrimMarkerLen = 2;  // marker plus the space before or after it

bool IsSpace(int32_t r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }

bool IsAlphaNumeric(int32_t r) { return r == '_' || IsLetter(r) || IsDigit(r); }

bool HasLeftTrimMarker(std::string_view s) {
  return s.size() >= 2 && s[0] == '-' && IsSpace(static_cast<unsigned char>(s[1]));
}

bool HasRightTrimMarker(std::string_view s) {
  return s.size() >= 2 && IsSpace(static_cast<unsigned char>(s[0])) && s[1] == '-';
}

size_t RightTrimLength(std::string_view s) {
  size_t n = s.find_last_not_of(kSpaceChars);
  return n == std::string_view::npos ? s.size() : s.size() - n - 1;
}

size_t LeftTrimLength(std::string_view s) {
  size_t n = s.find_first_not_of(kSpaceChars);
  return n == std::string_view::npos ? s.size() : n;
}

int CountNewlines(std::string_view s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

locale_t Utf8Locale() {
  static locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    if (l == static_cast<locale_t>(nullptr)) {
      l = newlocale(LC_CTYPE_MASK, "C.utf8", static_cast<locale_t>(nullptr));
    }
    return l;
  }();
  return loc;
}

}  // namespace

bool IsLetter(int32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  locale_t loc = Utf8Locale();
  if (loc == static_cast<locale_t>(nullptr)) return false;
  return iswalpha_l(static_cast<wint_t>(r), loc) != 0;
}

bool IsDigit(int32_t r) {
  if (r < 0x80) return r >= '0' && r <= '9';
  locale_t loc = Utf8Locale();
  if (loc == static_cast<locale_t>(nullptr)) return false;
  return iswdigit_l(static_cast<wint_t>(r), loc) != 0;
}

std::string Item::String() const {
  if (type == ItemType::kEOF) return "EOF";
  if (type == ItemType::kError) return val;
  if (type > ItemType::kKeyword) return "<" + val + ">";
  if (val.size() > 10) return base::GoQuotePrefix(val, 10) + "...";
  return base::GoQuote(val);
}

Item Lexer::NextItem() {
  while (items_.empty() && state_ != State::kNone) state_ = Step(state_);
  if (items_.empty()) return Item{};
  Item it = std::move(items_.front());
  items_.pop_front();
  return it;
}

Lexer::State Lexer::Step(State s) {
  switch (s) {
    case State::kText:
      return LexText();
    case State::kLeftDelim:
      return LexLeftDelim();
    case State::kComment:
      return LexComment();
    case State::kRightDelim:
      return LexRightDelim();
    case State::kInsideAction:
      return LexInsideAction();
    case State::kSpace:
      return LexSpace();
    case State::kIdentifier:
      return LexIdentifier();
    case State::kField:
      return LexFieldOrVariable(ItemType::kField);
    case State::kVariable:
      if (AtTerminator()) {
        Emit(ItemType::kVariable);
        return State::kInsideAction;
      }
      return LexFieldOrVariable(ItemType::kVariable);
    case State::kChar:
      return LexChar();
    case State::kNumber:
      return LexNumber();
    case State::kQuote:
      return LexQuote();
    case State::kRawQuote:
      return LexRawQuote();
    case State::kNone:
      break;
  }
  return State::kNone;
}

int32_t Lexer::Next() {
  if (pos_ >= input_.size()) {
    at_eof_ = true;
    return kEof;
  }
  int32_t r;
  size_t w = base::DecodeRune(input_, pos_, &r);
  pos_ += w;
  if (r == '\n') ++line_;
  return r;
}

int32_t Lexer::Peek() {
  int32_t r = Next();
  Backup();
  return r;
}

void Lexer::Backup() {
  if (!at_eof_ && pos_ > 0) {
    // Step back over the last rune (UTF-8 continuation bytes first).
    size_t p = pos_ - 1;
    while (p > 0 && (static_cast<unsigned char>(input_[p]) & 0xC0) == 0x80 && pos_ - p < 4) --p;
    int32_t r;
    size_t w = base::DecodeRune(input_, p, &r);
    if (p + w != pos_) {
      p = pos_ - 1;
      r = static_cast<unsigned char>(input_[p]);
    }
    pos_ = p;
    if (r == '\n') --line_;
  }
}

void Lexer::Emit(ItemType t) {
  items_.push_back(Item{t, static_cast<int>(start_),
                        std::string(input_.substr(start_, pos_ - start_)), start_line_});
  start_ = pos_;
  start_line_ = line_;
}

void Lexer::Ignore() {
  line_ += CountNewlines(input_.substr(start_, pos_ - start_));
  start_ = pos_;
  start_line_ = line_;
}

bool Lexer::Accept(std::string_view valid) {
  int32_t r = Next();
  if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) return true;
  Backup();
  return false;
}

void Lexer::AcceptRun(std::string_view valid) {
  for (;;) {
    int32_t r = Next();
    if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) continue;
    break;
  }
  Backup();
}

Lexer::State Lexer::Errorf(std::string msg) {
  items_.push_back(Item{ItemType::kError, static_cast<int>(start_), std::move(msg), start_line_});
  return State::kNone;
}

Lexer::State Lexer::LexText() {
  size_t x = input_.find(kLeftDelim, pos_);
  if (x != std::string_view::npos) {
    pos_ = x;
    size_t trim = 0;
    if (HasLeftTrimMarker(input_.substr(pos_ + kLeftDelim.size()))) {
      trim = RightTrimLength(input_.substr(start_, pos_ - start_));
    }
    pos_ -= trim;
    if (pos_ > start_) {
      line_ += CountNewlines(input_.substr(start_, pos_ - start_));
      Emit(ItemType::kText);
    }
    pos_ += trim;
    Ignore();
    return State::kLeftDelim;
  }
  pos_ = input_.size();
  if (pos_ > start_) {
    line_ += CountNewlines(input_.substr(start_, pos_ - start_));
    Emit(ItemType::kText);
  }
  Emit(ItemType::kEOF);
  return State::kNone;
}

bool Lexer::AtRightDelim(bool* trim_spaces) {
  std::string_view rest = input_.substr(pos_);
  if (HasRightTrimMarker(rest) && rest.substr(kTrimMarkerLen).starts_with(kRightDelim)) {
    *trim_spaces = true;
    return true;
  }
  *trim_spaces = false;
  return rest.starts_with(kRightDelim);
}

Lexer::State Lexer::LexLeftDelim() {
  pos_ += kLeftDelim.size();
  bool trim_space = HasLeftTrimMarker(input_.substr(pos_));
  size_t after_marker = trim_space ? kTrimMarkerLen : 0;
  if (input_.substr(pos_ + after_marker).starts_with(kLeftComment)) {
    pos_ += after_marker;
    Ignore();
    return State::kComment;
  }
  Emit(ItemType::kLeftDelim);
  pos_ += after_marker;
  Ignore();
  paren_depth_ = 0;
  return State::kInsideAction;
}

Lexer::State Lexer::LexComment() {
  pos_ += kLeftComment.size();
  size_t i = input_.find(kRightComment, pos_);
  if (i == std::string_view::npos) return Errorf("unclosed comment");
  pos_ = i + kRightComment.size();
  bool trim_space;
  if (!AtRightDelim(&trim_space)) return Errorf("comment ends before closing delimiter");
  if (trim_space) pos_ += kTrimMarkerLen;
  pos_ += kRightDelim.size();
  if (trim_space) pos_ += LeftTrimLength(input_.substr(pos_));
  Ignore();
  return State::kText;
}

Lexer::State Lexer::LexRightDelim() {
  bool trim_space = HasRightTrimMarker(input_.substr(pos_));
  if (trim_space) {
    pos_ += kTrimMarkerLen;
    Ignore();
  }
  pos_ += kRightDelim.size();
  Emit(ItemType::kRightDelim);
  if (trim_space) {
    pos_ += LeftTrimLength(input_.substr(pos_));
    Ignore();
  }
  return State::kText;
}

Lexer::State Lexer::LexInsideAction() {
  bool trim;
  if (AtRightDelim(&trim)) {
    if (paren_depth_ == 0) return State::kRightDelim;
    return Errorf("unclosed left paren");
  }
  int32_t r = Next();
  if (r == kEof) return Errorf("unclosed action");
  if (IsSpace(r)) {
    Backup();  // put the space back in case we have " -}}"
    return State::kSpace;
  }
  switch (r) {
    case '=':
      Emit(ItemType::kAssign);
      return State::kInsideAction;
    case ':':
      if (Next() != '=') return Errorf("expected :=");
      Emit(ItemType::kDeclare);
      return State::kInsideAction;
    case '|':
      Emit(ItemType::kPipe);
      return State::kInsideAction;
    case '"':
      return State::kQuote;
    case '`':
      return State::kRawQuote;
    case '$':
      return State::kVariable;
    case '\'':
      return State::kChar;
    case '.':
      // Special look-ahead for ".field" so we don't break Backup().
      if (pos_ < input_.size()) {
        char c = input_[pos_];
        if (c < '0' || c > '9') return State::kField;
      }
      Backup();
      return State::kNumber;
    case '(':
      Emit(ItemType::kLeftParen);
      ++paren_depth_;
      return State::kInsideAction;
    case ')':
      Emit(ItemType::kRightParen);
      --paren_depth_;
      if (paren_depth_ < 0) return Errorf("unexpected right paren " + base::GoUnicodeFormat(r));
      return State::kInsideAction;
    default:
      break;
  }
  if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
    Backup();
    return State::kNumber;
  }
  if (IsAlphaNumeric(r)) {
    Backup();
    return State::kIdentifier;
  }
  if (r <= 0x7F && base::IsGoPrint(r)) {
    Emit(ItemType::kChar);
    return State::kInsideAction;
  }
  return Errorf("unrecognized character in action: " + base::GoUnicodeFormat(r));
}

Lexer::State Lexer::LexSpace() {
  int num_spaces = 0;
  for (;;) {
    int32_t r = Peek();
    if (!IsSpace(r)) break;
    Next();
    ++num_spaces;
  }
  // Be careful about a trim-marked closing delimiter, which has a minus after a space.
  if (HasRightTrimMarker(input_.substr(pos_ - 1)) &&
      input_.substr(pos_ - 1 + kTrimMarkerLen).starts_with(kRightDelim)) {
    Backup();                                        // before the space
    if (num_spaces == 1) return State::kRightDelim;  // on the delim, so go right to that
  }
  Emit(ItemType::kSpace);
  return State::kInsideAction;
}

Lexer::State Lexer::LexIdentifier() {
  for (;;) {
    int32_t r = Next();
    if (IsAlphaNumeric(r)) continue;
    Backup();
    std::string_view word = input_.substr(start_, pos_ - start_);
    if (!AtTerminator()) return Errorf("bad character " + base::GoUnicodeFormat(r));
    static constexpr std::pair<std::string_view, ItemType> kKeys[] = {
        {".", ItemType::kDot},
        {"block", ItemType::kBlock},
        {"break", ItemType::kBreak},
        {"continue", ItemType::kContinue},
        {"define", ItemType::kDefine},
        {"else", ItemType::kElse},
        {"end", ItemType::kEnd},
        {"if", ItemType::kIf},
        {"range", ItemType::kRange},
        {"nil", ItemType::kNil},
        {"template", ItemType::kTemplate},
        {"with", ItemType::kWith},
    };
    ItemType key = ItemType::kError;
    for (const auto& [k, t] : kKeys)
      if (k == word) key = t;
    if (key > ItemType::kKeyword) {
      if ((key == ItemType::kBreak && !break_ok_) ||
          (key == ItemType::kContinue && !continue_ok_)) {
        Emit(ItemType::kIdentifier);
      } else {
        Emit(key);
      }
    } else if (word[0] == '.') {
      Emit(ItemType::kField);
    } else if (word == "true" || word == "false") {
      Emit(ItemType::kBool);
    } else {
      Emit(ItemType::kIdentifier);
    }
    return State::kInsideAction;
  }
}

Lexer::State Lexer::LexFieldOrVariable(ItemType typ) {
  if (AtTerminator()) {  // nothing interesting follows: "." or "$"
    Emit(typ == ItemType::kVariable ? ItemType::kVariable : ItemType::kDot);
    return State::kInsideAction;
  }
  int32_t r;
  for (;;) {
    r = Next();
    if (!IsAlphaNumeric(r)) {
      Backup();
      break;
    }
  }
  if (!AtTerminator()) return Errorf("bad character " + base::GoUnicodeFormat(r));
  Emit(typ);
  return State::kInsideAction;
}

bool Lexer::AtTerminator() {
  int32_t r = Peek();
  if (IsSpace(r)) return true;
  switch (r) {
    case kEof:
    case '.':
    case ',':
    case '|':
    case ':':
    case ')':
    case '(':
      return true;
    default:
      break;
  }
  return input_.substr(pos_).starts_with(kRightDelim);
}

Lexer::State Lexer::LexChar() {
  for (;;) {
    int32_t r = Next();
    if (r == '\\') {
      int32_t n = Next();
      if (n != kEof && n != '\n') continue;
      return Errorf("unterminated character constant");
    }
    if (r == kEof || r == '\n') return Errorf("unterminated character constant");
    if (r == '\'') break;
  }
  Emit(ItemType::kCharConstant);
  return State::kInsideAction;
}

Lexer::State Lexer::LexNumber() {
  if (!ScanNumber()) {
    return Errorf("bad number syntax: " + base::GoQuote(input_.substr(start_, pos_ - start_)));
  }
  int32_t sign = Peek();
  if (sign == '+' || sign == '-') {
    // Complex: 1+2i. No spaces, must end in 'i'.
    if (!ScanNumber() || input_[pos_ - 1] != 'i') {
      return Errorf("bad number syntax: " + base::GoQuote(input_.substr(start_, pos_ - start_)));
    }
    Emit(ItemType::kComplex);
  } else {
    Emit(ItemType::kNumber);
  }
  return State::kInsideAction;
}

bool Lexer::ScanNumber() {
  Accept("+-");
  std::string_view digits = "0123456789_";
  if (Accept("0")) {
    if (Accept("xX")) {
      digits = "0123456789abcdefABCDEF_";
    } else if (Accept("oO")) {
      digits = "01234567_";
    } else if (Accept("bB")) {
      digits = "01_";
    }
  }
  AcceptRun(digits);
  if (Accept(".")) AcceptRun(digits);
  if (digits.size() == 10 + 1 && Accept("eE")) {
    Accept("+-");
    AcceptRun("0123456789_");
  }
  if (digits.size() == 16 + 6 + 1 && Accept("pP")) {
    Accept("+-");
    AcceptRun("0123456789_");
  }
  Accept("i");
  if (IsAlphaNumeric(Peek())) {
    Next();
    return false;
  }
  return true;
}

Lexer::State Lexer::LexQuote() {
  for (;;) {
    int32_t r = Next();
    if (r == '\\') {
      int32_t n = Next();
      if (n != kEof && n != '\n') continue;
      return Errorf("unterminated quoted string");
    }
    if (r == kEof || r == '\n') return Errorf("unterminated quoted string");
    if (r == '"') break;
  }
  Emit(ItemType::kString);
  return State::kInsideAction;
}

Lexer::State Lexer::LexRawQuote() {
  for (;;) {
    int32_t r = Next();
    if (r == kEof) return Errorf("unterminated raw quoted string");
    if (r == '`') break;
  }
  Emit(ItemType::kRawString);
  return State::kInsideAction;
}

}  // namespace tmpl::detail

// The template lexer, item for item Go's text/template/parse/lex.go: text, actions between
// {{ and }}, trim markers ({{- and -}}), comments, and the tokens inside actions.
#pragma once

#include <deque>
#include <string>
#include <string_view>

namespace tmpl::detail {

enum class ItemType {
  kError,  // the value is the error text
  kBool,
  kChar,  // printable ASCII character; grab bag for comma etc.
  kCharConstant,
  kComment,
  kComplex,
  kAssign,   // =
  kDeclare,  // :=
  kEOF,
  kField,  // .Alphanumeric
  kIdentifier,
  kLeftDelim,
  kLeftParen,
  kNumber,
  kPipe,
  kRawString,
  kRightDelim,
  kRightParen,
  kSpace,
  kString,
  kText,
  kVariable,
  // Keywords appear after all the rest.
  kKeyword,
  kBlock,
  kBreak,
  kContinue,
  kDot,
  kDefine,
  kElse,
  kEnd,
  kIf,
  kNil,
  kRange,
  kTemplate,
  kWith,
};

struct Item {
  ItemType type = ItemType::kError;
  int pos = 0;  // byte offset of the item in the input
  std::string val;
  int line = 0;  // line number at the start of the item
  // Go's item.String(), used in "unexpected X in Y" errors.
  std::string String() const;
};

// Lexer produces the items of `input` on demand. `input` must outlive the Lexer.
// Not thread-safe.
class Lexer {
 public:
  Lexer(std::string_view input, bool break_ok, bool continue_ok)
      : input_(input), break_ok_(break_ok), continue_ok_(continue_ok) {}
  // The next item; after kEOF or kError, a zero item (kError with an empty value).
  Item NextItem();

 private:
  enum class State {
    kNone,
    kText,
    kLeftDelim,
    kComment,
    kRightDelim,
    kInsideAction,
    kSpace,
    kIdentifier,
    kField,
    kVariable,
    kChar,
    kNumber,
    kQuote,
    kRawQuote,
  };
  State Step(State s);
  State LexText();
  State LexLeftDelim();
  State LexComment();
  State LexRightDelim();
  State LexInsideAction();
  State LexSpace();
  State LexIdentifier();
  State LexFieldOrVariable(ItemType typ);
  State LexChar();
  State LexNumber();
  State LexQuote();
  State LexRawQuote();

  int32_t Next();
  int32_t Peek();
  void Backup();
  void Emit(ItemType t);
  void Ignore();
  bool Accept(std::string_view valid);
  void AcceptRun(std::string_view valid);
  State Errorf(std::string msg);
  bool AtTerminator();
  bool AtRightDelim(bool* trim_spaces);
  bool ScanNumber();

  std::string_view input_;
  bool break_ok_, continue_ok_;
  size_t pos_ = 0;
  size_t start_ = 0;
  bool at_eof_ = false;
  int paren_depth_ = 0;
  int line_ = 1;
  int start_line_ = 1;
  State state_ = State::kText;
  std::deque<Item> items_;
};

// Go's unicode.IsLetter, unicode.IsDigit and unicode.IsSpace for a rune.
bool IsLetter(int32_t r);
bool IsDigit(int32_t r);

}  // namespace tmpl::detail

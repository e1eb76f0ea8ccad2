#include "base/quote.h"

#include <catch2/catch.hpp>

namespace base {
namespace {

TEST_CASE("GoQuote matches Go's strconv.Quote", "[promql]") {
  CHECK(GoQuote("") == R"("")");
  CHECK(GoQuote("abc") == R"("abc")");
  CHECK(GoQuote(R"(a"b\c)") == R"("a\"b\\c")");
  CHECK(GoQuote("it's") == R"("it's")");
  CHECK(GoQuote("\a\b\f\n\r\t\v") == R"("\a\b\f\n\r\t\v")");
  CHECK(GoQuote(std::string_view("\x00\x01\x1f\x7f", 4)) == R"("\x00\x01\x1f\x7f")");
  CHECK(GoQuote("é☺😀") == "\"é☺😀\"");                       // printable runes stay
  CHECK(GoQuote("\xc2\xa0") == R"("\u00a0")");              // no-break space is not printable
  CHECK(GoQuote("\xe2\x80\x8b") == R"("\u200b")");          // zero width space (Cf)
  CHECK(GoQuote("\xf3\xa0\x80\x81") == R"("\U000e0001")");  // language tag (Cf)
  CHECK(GoQuote("a\xff"
                "b") == R"("a\xffb")");                   // invalid UTF-8 byte
  CHECK(GoQuote("\xed\xa0\x80") == R"("\xed\xa0\x80")");  // encoded surrogate
  CHECK(GoQuote("\xef\xbf\xbd") == "\"\xef\xbf\xbd\"");   // U+FFFD itself is printable
}

TEST_CASE("GoQuotePrefix truncates by runes before quoting", "[promql]") {
  CHECK(GoQuotePrefix("abcdefghijkl", 10) == R"("abcdefghij")");
  CHECK(GoQuotePrefix("ééééééééééé", 10) == "\"éééééééééé\"");
  CHECK(GoQuotePrefix("ab", 10) == R"("ab")");
}

TEST_CASE("GoQuoteRune and GoUnicodeFormat match fmt's %q and %#U", "[promql]") {
  CHECK(GoQuoteRune('a') == "'a'");
  CHECK(GoQuoteRune('\'') == R"('\'')");
  CHECK(GoQuoteRune('"') == R"('"')");
  CHECK(GoQuoteRune('\n') == R"('\n')");
  CHECK(GoQuoteRune(0xe9) == "'é'");
  CHECK(GoQuoteRune(-1) == "'\xef\xbf\xbd'");
  CHECK(GoUnicodeFormat('c') == "U+0063 'c'");
  CHECK(GoUnicodeFormat('\n') == "U+000A");
  CHECK(GoUnicodeFormat(0x1F600) == "U+1F600 '😀'");
}

TEST_CASE("IsGoPrint follows unicode.IsPrint", "[promql]") {
  CHECK(IsGoPrint(' '));
  CHECK(IsGoPrint('~'));
  CHECK_FALSE(IsGoPrint('\t'));
  CHECK_FALSE(IsGoPrint(0x7f));
  CHECK_FALSE(IsGoPrint(0x85));
  CHECK_FALSE(IsGoPrint(0xa0));
  CHECK(IsGoPrint(0xa1));
  CHECK(IsGoPrint(0x4e2d));
  CHECK_FALSE(IsGoPrint(0x2028));
  CHECK_FALSE(IsGoPrint(0xe000));  // private use
  CHECK_FALSE(IsGoPrint(0x10ffff));
}

TEST_CASE("DecodeRune follows utf8.DecodeRuneInString", "[promql]") {
  int32_t r;
  CHECK(DecodeRune("a", 0, &r) == 1);
  CHECK(r == 'a');
  CHECK(DecodeRune("é", 0, &r) == 2);
  CHECK(r == 0xe9);
  CHECK(DecodeRune("😀", 0, &r) == 4);
  CHECK(r == 0x1f600);
  CHECK(DecodeRune("", 0, &r) == 0);
  CHECK(r == kRuneError);
  for (std::string_view bad :
       {"\xff", "\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3"}) {
    INFO(GoQuote(bad));
    CHECK(DecodeRune(bad, 0, &r) == 1);
    CHECK(r == kRuneError);
  }
}

TEST_CASE("Unquote reads PromQL string literals", "[promql]") {
  std::string out;
  REQUIRE(Unquote(R"("abc")", &out));
  CHECK(out == "abc");
  REQUIRE(Unquote(R"('a"b')", &out));
  CHECK(out == R"(a"b)");
  REQUIRE(Unquote(R"('it\'s')", &out));
  CHECK(out == "it's");
  REQUIRE(Unquote(R"("\a\b\f\n\r\t\v\\\"")", &out));
  CHECK(out == "\a\b\f\n\r\t\v\\\"");
  REQUIRE(Unquote(R"("\x41\101\u00e9\U0001F600")", &out));
  CHECK(out == "AAé😀");
  REQUIRE(Unquote(R"("\xff")", &out));
  CHECK(out == "\xff");
  REQUIRE(Unquote(R"(`a\nb`)", &out));
  CHECK(out == R"(a\nb)");
  CHECK_FALSE(Unquote(R"("a)", &out));
  CHECK_FALSE(Unquote(R"("\q")", &out));
  CHECK_FALSE(Unquote(R"("\'")", &out));
  CHECK_FALSE(Unquote(R"('\"')", &out));
  CHECK_FALSE(Unquote(R"("\400")", &out));
  CHECK_FALSE(Unquote(R"("\uD800")", &out));
  CHECK_FALSE(Unquote("\"a\nb\"", &out));
  CHECK_FALSE(Unquote("`a`b`", &out));
}

}  // namespace
}  // namespace base

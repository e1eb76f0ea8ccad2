// Go's string formatting verbs that appear in Prometheus's user-visible error messages (%q of a
// string, %q of a rune, %#U), so that Hestia's messages carry the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace web {

// strconv.Quote: "a\"b", \a \b \f \n \r \t \v, other control bytes and invalid UTF-8 as \xXX,
// non-printable runes as \uXXXX or \UXXXXXXXX, printable runes unchanged.
// Printability is approximated: Unicode control, surrogate, separator (U+2028/U+2029),
// soft hyphen, U+FEFF and noncharacter code points count as non-printable.
std::string GoQuote(std::string_view s);

// fmt's %.Nq of a string: the first max_runes runes of s, quoted.
std::string GoQuotePrefix(std::string_view s, size_t max_runes);

// strconv.QuoteRune: '}' '\'' '\n' '\x01'; an invalid rune (e.g. -1 for end of input) is quoted
// as U+FFFD.
std::string GoQuoteRune(int32_t r);

// fmt's %#U: "U+0071 'q'", or "U+0001" for a non-printable rune.
std::string GoFormatRuneU(int32_t r);

// Decodes the rune at s[i] as Go's utf8.DecodeRuneInString: the rune and its width; invalid or
// truncated sequences give (U+FFFD, 1); an empty remainder gives (-1, 0).
struct Rune {
  int32_t value;
  size_t width;
};
Rune DecodeRune(std::string_view s, size_t i);

// Appends the UTF-8 encoding of r (REQUIRES: a valid code point).
void AppendUtf8(std::string* out, uint32_t r);

}  // namespace web

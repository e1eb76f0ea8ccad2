// Go's string quoting and UTF-8 decoding rules, which PromQL's printer and error messages
// follow byte for byte: strconv.Quote (%q), strconv.QuoteRune, %#U, utf8.DecodeRuneInString,
// unicode.IsPrint, and Prometheus's util/strutil.Unquote for PromQL string literals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace base {

inline constexpr int32_t kRuneError = 0xFFFD;
inline constexpr int32_t kMaxRune = 0x10FFFF;

// Decodes the UTF-8 sequence starting at s[i] (REQUIRES: i <= s.size()) as Go's
// utf8.DecodeRuneInString: returns the width and stores the rune in *r; at the end of s the
// width is 0 and the rune kRuneError; an invalid or overlong sequence, a surrogate or a value
// above U+10FFFF decodes as kRuneError with width 1.
size_t DecodeRune(std::string_view s, size_t i, int32_t* r);

// Appends the UTF-8 encoding of r; invalid runes are encoded as U+FFFD (utf8.AppendRune).
void AppendRune(std::string* out, int32_t r);

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and U+0020.
bool IsGoPrint(int32_t r);

// strconv.Quote: a double-quoted Go string literal; printable runes are kept as they are,
// others escaped (\n, \x01, \u00a0, \U0001f600), invalid UTF-8 bytes as \xNN.
std::string GoQuote(std::string_view s);
// fmt's %.<n>q: the first max_runes runes of s (invalid bytes count as one), quoted.
std::string GoQuotePrefix(std::string_view s, size_t max_runes);
// strconv.QuoteRune (fmt %q of a rune): 'x', '\n', '\''; an invalid rune quotes as U+FFFD.
std::string GoQuoteRune(int32_t r);
// fmt's %#U: "U+0063 'c'", or "U+000A" when the rune is not printable.
std::string GoUnicodeFormat(int32_t r);

// Prometheus's strutil.Unquote: s must be a complete single-, double- or back-quoted PromQL
// string literal. Backquoted strings have no escapes; the others take Go's escapes (\a \b \f
// \n \r \t \v \\ \' or \" (the quote in use only), \xNN, \NNN octal, \uNNNN, \UNNNNNNNN).
// Returns false on a syntax error. \x and octal escapes produce raw bytes.
bool Unquote(std::string_view s, std::string* out);

}  // namespace base

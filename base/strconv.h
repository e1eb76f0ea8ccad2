// Float formatting identical to Go's strconv.FormatFloat with precision -1 (shortest digits that
// round-trip), which Prometheus uses in its text format ('g'), its JSON API ('f') and promtool.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace base {

// FormatFloat(v, 'g', -1, 64): "1e+06", "123456", "1.5e-07", "NaN", "+Inf", "-Inf".
std::string FormatFloatG(double v);
// FormatFloat(v, 'f', -1, 64): "1000000", "0.00000015".
std::string FormatFloatF(double v);
// Appends FormatFloat(v, fmt, -1, 64) for fmt 'f', 'e' or 'g' (shortest round-trip digits).
void AppendFloat(std::string* out, double v, char fmt);

// Go's strconv.ParseUint(s, 0, 64): base prefixes 0b, 0o, 0x and a leading 0 (octal), and
// underscores between digits; false on a syntax error or overflow.
bool ParseGoUint(std::string_view s, uint64_t* out);
// Go's strconv.underscoreOK: underscores only between digits, or after a base prefix; an
// optional sign first.
bool GoUnderscoreOk(std::string_view s);
// Go's unicode.IsSpace.
bool IsGoSpace(char32_t r);

}  // namespace base

// Go's fmt package over template values: what {{ . }} prints and what print, println and printf
// return. Floats print as Go's %v (strconv 'g', shortest), maps as map[k:v] in key order, nil as
// <nil>; printf supports Go's verbs (%v %+v %#v %T %t %d %b %o %O %x %X %c %q %U %e %E %f %F
// %g %G %s %p), flags (+ - # 0 space), width and precision (also *), argument indexes (%[2]d)
// and Go's error forms (%!d(string=x), %!(EXTRA ...), %!d(MISSING), %!(NOVERB)).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "template/value.h"

namespace tmpl {

// fmt.Sprint: operands formatted with %v, a space between operands when neither is a string.
std::string Sprint(std::span<const Value> args);
// fmt.Sprintln: operands formatted with %v, separated by spaces, ending in a newline.
std::string Sprintln(std::span<const Value> args);
// fmt.Sprintf.
std::string Sprintf(std::string_view format, std::span<const Value> args);
// fmt.Sprint of one value.
std::string FormatValue(const Value& v);
// What an action ({{ . }}) prints: fmt.Sprint of the value after text/template dereferenced
// a pointer (a pointer to a struct prints as {..}, not &{..}).
std::string FormatActionValue(const Value& v);

// strconv.FormatFloat(v, fmt, prec, 64) for fmt in "eEfgG" (prec -1: shortest).
std::string FormatFloat(double v, char fmt, int prec);

}  // namespace tmpl

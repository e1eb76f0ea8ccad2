// The template parser: Go's text/template/parse.Parse, with its error messages
// ("template: NAME:LINE: function \"foo\" not defined").
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "template/detail/node.h"

namespace tmpl::detail {

using TreeSet = std::map<std::string, std::unique_ptr<Tree>, std::less<>>;

// Parses `text` as the template `name`; the trees of the text and of every {{define}} and
// {{block}} in it are added to *trees. `has_function` tells whether a function name exists
// (checked at parse time, as Go). Errors: kInvalidArgument with Go's message; *trees is then
// unspecified.
base::Status Parse(std::string_view name, std::string_view text,
                   const std::function<bool(std::string_view)>& has_function, TreeSet* trees);

// Go's strconv.ParseInt(s, 0, 64) and ParseUint(s, 0, 64) (base prefixes, underscores).
bool ParseGoInt(std::string_view s, int64_t* out);
bool ParseGoUint(std::string_view s, uint64_t* out);
// strconv.ParseFloat(s, 64) for Go's numeric literal syntax (no Inf/NaN); false on a syntax
// error or overflow.
bool ParseGoFloat(std::string_view s, double* out);
enum class FloatParse { kOk, kSyntax, kRange };
FloatParse ParseGoFloatChecked(std::string_view s, double* out);

}  // namespace tmpl::detail

// The Go library functions that Prometheus's and Alertmanager's template functions are built
// on: strings.ToUpper/ToLower/TrimSpace, x/text/cases Title, strconv.ParseFloat, regexp's
// MatchString and ReplaceAllString, net.SplitHostPort/ParseIP, encoding/json's Marshal.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "template/value.h"

namespace tmpl {

// strings.ToUpper / strings.ToLower (Unicode simple case mapping, C.UTF-8 tables).
std::string GoToUpper(std::string_view s);
std::string GoToLower(std::string_view s);
// golang.org/x/text/cases Title: the first cased letter of each word upper-cased; with
// lower_rest, the other letters of the word lower-cased (cases.Title(language.AmericanEnglish)),
// otherwise kept (the cases.NoLower option Prometheus uses).
std::string GoTitle(std::string_view s, bool lower_rest);
// strings.TrimSpace (Unicode white space).
std::string GoTrimSpace(std::string_view s);

// strconv.ParseFloat(s, 64). Errors: kInvalidArgument with Go's text,
// `strconv.ParseFloat: parsing "x": invalid syntax` or `...: value out of range`.
base::Result<double> GoParseFloat(std::string_view s);

// regexp.MatchString(pattern, s). Errors: Go's regexp error text, e.g.
// "error parsing regexp: missing closing ): `(`".
base::Result<bool> GoRegexpMatch(std::string_view pattern, std::string_view s);
// regexp.MustCompile(pattern).ReplaceAllString(src, repl), with Go's $1, ${name} and $$
// expansion. Errors: the panic text of MustCompile, "regexp: Compile(`(`): error parsing ...".
base::Result<std::string> GoRegexpReplaceAll(std::string_view pattern, std::string_view src,
                                             std::string_view repl);

// net.SplitHostPort; false where Go returns an error.
bool GoSplitHostPort(std::string_view hostport, std::string* host, std::string* port);
// net.JoinHostPort.
std::string GoJoinHostPort(std::string_view host, std::string_view port);
// Whether net.ParseIP accepts s.
bool GoIsIP(std::string_view s);

// encoding/json.Marshal. Errors: "json: unsupported value: NaN", "json: unsupported type: ...".
base::Result<std::string> GoJsonMarshal(const Value& v);

}  // namespace tmpl

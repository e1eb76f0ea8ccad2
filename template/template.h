// Go's text/template for Hestia: one engine for Prometheus's alert and console templates
// (rules/) and Alertmanager's notification templates (alerting/), with Go's syntax, semantics,
// output and error messages. docs/templates.md lists what is supported and the differences.
//
//   tmpl::FuncMap funcs = tmpl::PrometheusFuncs(...);     // template/prometheus_funcs.h
//   ASSIGN_OR_RETURN(tmpl::Template t, tmpl::Template::Parse("name", text, funcs));
//   ASSIGN_OR_RETURN(std::string out, t.Execute(data));
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "template/value.h"

namespace tmpl {

namespace detail {
struct Tree;
}

// Go's Option("missingkey=..."): what a missing map key yields.
enum class MissingKey {
  kInvalid,  // "missingkey=default": the invalid value, printed "<no value>"
  kZero,     // "missingkey=zero": the zero value of the map's element type
  kError,    // "missingkey=error": execution fails
};

struct Options {
  MissingKey missing_key = MissingKey::kInvalid;
};

// Template is a set of associated templates (Go's *template.Template): the main template
// `name()` plus every template its texts define with {{define}} or {{block}}. Copies are
// independent (Go's Clone) and cheap: parsed trees are shared and immutable.
// Thread-safety: const methods may run concurrently; AddParse needs exclusive access.
class Template {
 public:
  // An empty set whose main template is `name` (Go's template.New(name).Funcs(funcs)).
  explicit Template(std::string name, FuncMap funcs = {}, Options options = {});

  // Go's template.New(name).Funcs(funcs).Option(...).Parse(text). Errors: kInvalidArgument
  // with Go's message, e.g. `template: NAME:3: function "foo" not defined`.
  static base::Result<Template> Parse(std::string_view name, std::string_view text,
                                      FuncMap funcs = {}, Options options = {});

  // Parses `text` as the template `name` of this set (Go's t.New(name).Parse(text), or
  // t.Parse(text) when name == name()); templates it defines join the set, replacing those of
  // the same name unless the new one is empty. Errors: as Parse; the set is then unchanged.
  base::Status AddParse(std::string_view name, std::string_view text);

  // Executes the main template with `data` as dot and $. Errors: kExecution with Go's message,
  // e.g. `template: NAME:1:3: executing "NAME" at <.Foo>: map has no entry for key "Foo"`.
  base::Result<std::string> Execute(const Value& data) const;
  // Executes the template `name` of the set. Errors: also `template: no template "x"
  // associated with template "y"`.
  base::Result<std::string> ExecuteTemplate(std::string_view name, const Value& data) const;

  const std::string& name() const { return name_; }
  // Whether the set has a template `name` with a body.
  bool HasTemplate(std::string_view name) const;
  // "; defined templates are: \"a\", \"b\"" (sorted), or "" (Go's DefinedTemplates).
  std::string DefinedTemplates() const;
  const FuncMap& funcs() const { return *funcs_; }
  const Options& options() const { return options_; }

 private:
  friend class ExecState;
  std::string name_;
  std::shared_ptr<const FuncMap> funcs_;
  Options options_;
  std::map<std::string, std::shared_ptr<const detail::Tree>, std::less<>> trees_;
};

// Go's builtin template functions (and, or, not, len, index, slice, call, print, printf,
// println, html, js, urlquery, eq, ne, lt, le, gt, ge). A FuncMap passed to Template overrides
// them by name, as in Go; the builtin and/or short-circuit.
const FuncMap& BuiltinFuncs();

// Go's html/template.HTMLEscapeString, text/template's JSEscapeString and url.QueryEscape.
std::string HtmlEscape(std::string_view s);
std::string JsEscape(std::string_view s);
std::string QueryEscape(std::string_view s);
// url.QueryUnescape. Errors: kInvalidArgument `invalid URL escape "%zz"`.
base::Result<std::string> QueryUnescape(std::string_view s);

}  // namespace tmpl

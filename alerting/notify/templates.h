// Notification templates as Alertmanager's template.Template: the default templates
// (template/default.tmpl and email.tmpl of Alertmanager 0.25, plus msteams.default.* of 0.27),
// the config's template files, and the execution of config fields as text or as HTML.
//
// Alertmanager keeps two sets, one text/template and one html/template. Hestia keeps one
// tmpl::Template holding both: every source is parsed once as text and once, rewritten, as HTML
// under names prefixed with kHtmlPrefix, whose output actions pipe their value through an escaper
// (Go's html/template escaping of text and quoted attributes; docs/templates.md lists the
// differences from html/template's contextual escaping).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "template/template.h"
#include "template/value.h"

namespace alerting::notify {

// The prefix of the HTML copies' template names; never shown in error messages.
inline constexpr std::string_view kHtmlPrefix = "_html_/";

// The default templates' source text (Hestia's own text that renders as default.tmpl).
std::string_view DefaultTemplateText();
// Alertmanager's email.tmpl (email.default.subject, email.default.html).
std::string_view DefaultEmailTemplateText();

// The default set plus the files matched by `globs` (template.FromGlobs); each file is parsed as
// the template named after its base name. Errors: kInvalidArgument with Go's parse message
// ("template: my.tmpl:3: unexpected ..."), kIOError "open PATH: ...", kInvalidArgument
// "syntax error in pattern" for a bad glob.
base::Result<std::shared_ptr<const tmpl::Template>> LoadNotificationTemplates(
    const std::vector<std::string>& globs);

// Template.ExecuteTextString: "" for an empty text, else `text` parsed as the template "" of a
// copy of the set, executed with `data`. Errors: kInvalidArgument (parse), kExecution.
base::Result<std::string> ExecuteText(const tmpl::Template& set, std::string_view text,
                                      const tmpl::Value& data);
// Template.ExecuteHTMLString: the same with HTML escaping of interpolated values (values of
// type template.HTML, from safeHtml, are written as they are).
base::Result<std::string> ExecuteHtml(const tmpl::Template& set, std::string_view html,
                                      const tmpl::Value& data);

// Notify's tmplText / tmplHTML: expands config fields one after another, keeping the first
// error; after an error every expansion yields "". Not thread-safe; one per notification.
class Expander {
 public:
  Expander(const tmpl::Template& set, tmpl::Value data) : set_(set), data_(std::move(data)) {}
  std::string Text(std::string_view text);
  std::string Html(std::string_view html);
  // OK, or the first template error.
  const base::Status& status() const { return status_; }
  const tmpl::Value& data() const { return data_; }

 private:
  const tmpl::Template& set_;
  tmpl::Value data_;
  base::Status status_;
};

// Rewrites template source so that output actions escape as HTML, template names get
// kHtmlPrefix and HTML comments in the text are removed (as html/template does). For tests.
std::string RewriteForHtml(std::string_view text);

// Go's html/template escaping of a value in HTML text: & < > " ' + and NUL.
std::string HtmlTemplateEscape(std::string_view s);

}  // namespace alerting::notify

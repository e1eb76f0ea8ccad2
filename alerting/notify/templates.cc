#include "alerting/notify/templates.h"

#include <glob.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "template/alertmanager_funcs.h"

namespace alerting::notify {
namespace {

constexpr std::string_view kEscaperName = "_html_template_htmlescaper";

// Hestia's text of the default templates: the same names and outputs as Alertmanager 0.25's
// template/default.tmpl plus msteams.default.* (0.27, with summary) and __text_alert_list_markdown,
// written with explicit newlines ({{ "\n" }}) and trim markers so that each definition's output is
// readable from its source. Text outside the definitions is whitespace only.
constexpr std::string_view kDefaultText = R"tmpl(
{{ define "__alertmanager" }}Alertmanager{{ end }}
{{ define "__alertmanagerURL" -}}
  {{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}
{{- end }}

{{/* [FIRING:2] group label values (other common label values) */}}
{{ define "__subject" -}}
  [{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}]
  {{- " " }}{{ .GroupLabels.SortedPairs.Values | join " " }}{{ " " }}
  {{- if gt (len .CommonLabels) (len .GroupLabels) -}}
    ({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }})
  {{- end }}
{{- end }}
{{ define "__description" }}{{ end }}

{{/* Dot is a list of alerts. */}}
{{ define "__text_alert_list" -}}
  {{ range . -}}
    Labels:{{ "\n" }}
    {{- range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}{{ "\n" }}{{ end -}}
    Annotations:{{ "\n" }}
    {{- range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}{{ "\n" }}{{ end -}}
    Source: {{ .GeneratorURL }}{{ "\n" }}
  {{- end }}
{{- end }}

{{ define "__text_alert_list_markdown" -}}
  {{ range . -}}
    {{ "\n" }}Labels:{{ "\n" }}
    {{- range .Labels.SortedPairs }}  - {{ .Name }} = {{ .Value }}{{ "\n" }}{{ end -}}
    {{ "\n" }}Annotations:{{ "\n" }}
    {{- range .Annotations.SortedPairs }}  - {{ .Name }} = {{ .Value }}{{ "\n" }}{{ end -}}
    {{ "\n" }}Source: {{ .GeneratorURL }}{{ "\n" }}
  {{- end }}{{ "\n" }}
{{- end }}

{{ define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "slack.default.fallback" -}}
  {{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}
{{- end }}
{{ define "slack.default.callbackid" }}{{ end }}
{{ define "slack.default.pretext" }}{{ end }}
{{ define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "slack.default.iconemoji" }}{{ end }}
{{ define "slack.default.iconurl" }}{{ end }}
{{ define "slack.default.text" }}{{ end }}
{{ define "slack.default.footer" }}{{ end }}

{{ define "pagerduty.default.description" }}{{ template "__subject" . }}{{ end }}
{{ define "pagerduty.default.client" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "pagerduty.default.clientURL" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "pagerduty.default.instances" }}{{ template "__text_alert_list" . }}{{ end }}

{{/* Common annotation values, a newline, then each non-empty section with no blank lines. */}}
{{ define "opsgenie.default.message" }}{{ template "__subject" . }}{{ end }}
{{ define "opsgenie.default.description" -}}
  {{ .CommonAnnotations.SortedPairs.Values | join " " }}{{ "\n" }}
  {{- if gt (len .Alerts.Firing) 0 -}}
    Alerts Firing:{{ "\n" }}{{ template "__text_alert_list" .Alerts.Firing }}
  {{- end }}{{ "\n" }}
  {{- if gt (len .Alerts.Resolved) 0 -}}
    Alerts Resolved:{{ "\n" }}{{ template "__text_alert_list" .Alerts.Resolved }}
  {{- end }}
{{- end }}
{{ define "opsgenie.default.source" }}{{ template "__alertmanagerURL" . }}{{ end }}

{{ define "wechat.default.message" -}}
  {{ template "__subject" . }}{{ "\n" }}
  {{- .CommonAnnotations.SortedPairs.Values | join " " }}{{ "\n" }}
  {{- if gt (len .Alerts.Firing) 0 -}}
    Alerts Firing:{{ "\n" }}{{ template "__text_alert_list" .Alerts.Firing }}
  {{- end }}{{ "\n" }}
  {{- if gt (len .Alerts.Resolved) 0 -}}
    Alerts Resolved:{{ "\n" }}{{ template "__text_alert_list" .Alerts.Resolved }}
  {{- end }}{{ "\n" -}}
  AlertmanagerUrl:{{ "\n" }}{{ template "__alertmanagerURL" . }}
{{- end }}
{{ define "wechat.default.to_user" }}{{ end }}
{{ define "wechat.default.to_party" }}{{ end }}
{{ define "wechat.default.to_tag" }}{{ end }}
{{ define "wechat.default.agent_id" }}{{ end }}

{{ define "victorops.default.state_message" -}}
  {{ .CommonAnnotations.SortedPairs.Values | join " " }}{{ "\n" }}
  {{- if gt (len .Alerts.Firing) 0 -}}
    Alerts Firing:{{ "\n" }}{{ template "__text_alert_list" .Alerts.Firing }}
  {{- end }}{{ "\n" }}
  {{- if gt (len .Alerts.Resolved) 0 -}}
    Alerts Resolved:{{ "\n" }}{{ template "__text_alert_list" .Alerts.Resolved }}
  {{- end }}
{{- end }}
{{ define "victorops.default.entity_display_name" }}{{ template "__subject" . }}{{ end }}
{{ define "victorops.default.monitoring_tool" }}{{ template "__alertmanager" . }}{{ end }}

{{/* The pushover, sns and webex messages: common annotation values, then each non-empty
     section between blank lines (__text_sections). Telegram and discord: the same without the
     annotations. */}}
{{ define "pushover.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "__text_sections" -}}
  {{- if gt (len .Alerts.Firing) 0 -}}
    {{ "\n" }}Alerts Firing:{{ "\n" }}{{ template "__text_alert_list" .Alerts.Firing }}{{ "\n" }}
  {{- end }}{{ "\n" }}
  {{- if gt (len .Alerts.Resolved) 0 -}}
    {{ "\n" }}Alerts Resolved:{{ "\n" }}{{ template "__text_alert_list" .Alerts.Resolved }}{{ "\n" }}
  {{- end }}{{ "\n" }}
{{- end }}
{{ define "pushover.default.message" -}}
  {{ .CommonAnnotations.SortedPairs.Values | join " " }}{{ "\n" }}
  {{- template "__text_sections" . }}
{{- end }}
{{ define "pushover.default.url" }}{{ template "__alertmanagerURL" . }}{{ end }}

{{ define "sns.default.subject" }}{{ template "__subject" . }}{{ end }}
{{ define "sns.default.message" }}{{ template "pushover.default.message" . }}{{ end }}

{{ define "telegram.default.message" -}}
  {{ "\n" }}
  {{- template "__text_sections" . }}
{{- end }}

{{ define "discord.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "discord.default.message" }}{{ template "telegram.default.message" . }}{{ end }}

{{ define "webex.default.message" }}{{ template "pushover.default.message" . }}{{ end }}

{{ define "msteams.default.summary" }}{{ template "__subject" . }}{{ end }}
{{ define "msteams.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "msteams.default.text" -}}
  {{ "\n" }}
  {{- if gt (len .Alerts.Firing) 0 -}}
    {{ "\n" }}# Alerts Firing:{{ "\n" }}
    {{- template "__text_alert_list_markdown" .Alerts.Firing }}{{ "\n" }}
  {{- end }}{{ "\n" }}
  {{- if gt (len .Alerts.Resolved) 0 -}}
    {{ "\n" }}# Alerts Resolved:{{ "\n" }}
    {{- template "__text_alert_list_markdown" .Alerts.Resolved }}{{ "\n" }}
  {{- end }}{{ "\n" }}
{{- end }}
)tmpl";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsIdent(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The position just past the quoted literal starting at text[p], or npos when unterminated.
size_t SkipQuoted(std::string_view text, size_t p) {
  const char q = text[p];
  for (size_t i = p + 1; i < text.size(); ++i) {
    if (q != '`' && text[i] == '\\') {
      ++i;
      continue;
    }
    if (text[i] == q) return i + 1;
  }
  return std::string_view::npos;
}

// The action text between the delimiters (trim markers removed), rewritten for HTML; sets
// *output to whether it is an output action (one that html/template escapes).
std::string RewriteAction(std::string_view inner, bool* output) {
  *output = false;
  size_t b = 0;
  while (b < inner.size() && IsSpace(inner[b])) ++b;
  size_t e = inner.size();
  while (e > b && IsSpace(inner[e - 1])) --e;
  std::string_view body = inner.substr(b, e - b);
  if (body.empty()) return std::string(inner);
  size_t w = 0;
  while (w < body.size() && IsIdent(body[w])) ++w;
  std::string_view word = body.substr(0, w);
  if (word == "if" || word == "else" || word == "end" || word == "range" || word == "with" ||
      word == "break" || word == "continue") {
    return std::string(inner);
  }
  if (word == "define" || word == "template" || word == "block") {
    std::string out(inner);
    size_t q = out.find_first_of("\"`", b + w);
    if (q != std::string::npos) out.insert(q + 1, kHtmlPrefix);
    return out;
  }
  if (body[0] == '$') {
    // A declaration or assignment outputs nothing: $x := ..., $x = ...
    size_t i = 1;
    while (i < body.size() && IsIdent(body[i])) ++i;
    while (i < body.size() && IsSpace(body[i])) ++i;
    if (body.substr(i).starts_with(":=") ||
        (body.substr(i).starts_with("=") && !body.substr(i).starts_with("=="))) {
      return std::string(inner);
    }
  }
  *output = true;
  std::string out(inner.substr(0, e));
  out += " | ";
  out += kEscaperName;
  out += inner.substr(e);
  return out;
}

std::string StripPrefix(std::string s) {
  for (size_t p; (p = s.find(kHtmlPrefix)) != std::string::npos;) s.erase(p, kHtmlPrefix.size());
  return s;
}

base::Status CleanError(const base::Status& s) {
  return base::Status(s.code(), StripPrefix(s.message()));
}

tmpl::FuncMap NotificationFuncs() {
  tmpl::FuncMap funcs = tmpl::AlertmanagerFuncs();
  const tmpl::Func print = tmpl::BuiltinFuncs().at("print");
  funcs[std::string(kEscaperName)] = {
      {},
      std::string(tmpl::kAnyType),
      [print](std::span<const tmpl::Value> a) -> base::Result<tmpl::Value> {
        if (a.size() == 1 && a[0].Unboxed().TypeName() == "template.HTML") {
          return tmpl::Value::String(a[0].Unboxed().string_value());
        }
        ASSIGN_OR_RETURN(tmpl::Value s, print.impl(a));
        return tmpl::Value::String(HtmlTemplateEscape(s.string_value()));
      }};
  return funcs;
}

// Parses `text` as template `name` of `set`, once as text and once rewritten for HTML.
base::Status AddBoth(tmpl::Template* set, const std::string& name, std::string_view text) {
  RETURN_IF_ERROR(set->AddParse(name, text));
  if (base::Status s = set->AddParse(std::string(kHtmlPrefix) + name, RewriteForHtml(text));
      !s.ok()) {
    return CleanError(s);
  }
  return base::Status::Ok();
}

// Whether `pattern` is well-formed for Go's filepath.Match: every '[' closed by a ']' with at
// least one character between, no trailing '\\'.
bool ValidGlob(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      if (++i >= pattern.size()) return false;
    } else if (pattern[i] == '[') {
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^') ++j;
      if (j >= pattern.size() || pattern[j] == ']') return false;
      while (j < pattern.size() && pattern[j] != ']') {
        if (pattern[j] == '\\') ++j;
        ++j;
      }
      if (j >= pattern.size()) return false;
      i = j;
    }
  }
  return true;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string_view DefaultTemplateText() { return kDefaultText; }

std::string HtmlTemplateEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      case '"':
        out += "&#34;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '+':
        out += "&#43;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// Appends template text as html/template writes it: HTML comments removed (also when one spans
// several text pieces; *in_comment carries the state).
void AppendHtmlText(std::string_view t, bool* in_comment, std::string* out) {
  while (!t.empty()) {
    if (*in_comment) {
      size_t end = t.find("-->");
      if (end == std::string_view::npos) return;
      t.remove_prefix(end + 3);
      *in_comment = false;
      continue;
    }
    size_t start = t.find("<!--");
    if (start == std::string_view::npos) {
      out->append(t);
      return;
    }
    out->append(t.substr(0, start));
    t.remove_prefix(start + 4);
    *in_comment = true;
  }
}

std::string RewriteForHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  bool in_comment = false;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string_view::npos) break;
    AppendHtmlText(text.substr(i, open - i), &in_comment, &out);
    size_t p = open + 2;
    bool left_trim = p + 1 < text.size() && text[p] == '-' && IsSpace(text[p + 1]);
    if (left_trim) ++p;
    size_t s = p;
    while (s < text.size() && IsSpace(text[s])) ++s;
    size_t close = std::string_view::npos;
    if (text.substr(s).starts_with("/*")) {
      size_t end_comment = text.find("*/", s + 2);
      if (end_comment != std::string_view::npos) close = text.find("}}", end_comment + 2);
      if (close == std::string_view::npos) break;
      out.append(text.substr(open, close + 2 - open));
      i = close + 2;
      continue;
    }
    for (size_t q = p; q < text.size();) {
      char c = text[q];
      if (c == '"' || c == '`' || c == '\'') {
        q = SkipQuoted(text, q);
        if (q == std::string_view::npos) break;
        continue;
      }
      if (text.substr(q).starts_with("}}")) {
        close = q;
        break;
      }
      ++q;
    }
    if (close == std::string_view::npos) break;  // left for the parser to report
    std::string_view inner = text.substr(p, close - p);
    bool right_trim = inner.size() >= 2 && inner.back() == '-' && IsSpace(inner[inner.size() - 2]);
    if (right_trim) inner.remove_suffix(1);
    bool output = false;
    std::string action = RewriteAction(inner, &output);
    i = close + 2;
    if (output && in_comment) continue;  // inside an HTML comment: dropped with it
    out += left_trim ? "{{-" : "{{";
    out += action;
    out += right_trim ? "-}}" : "}}";
  }
  if (i < text.size()) {
    // An unterminated action is left for the parser to report.
    if (text.substr(i).find("{{") != std::string_view::npos) {
      out.append(text.substr(i));
    } else {
      AppendHtmlText(text.substr(i), &in_comment, &out);
    }
  }
  return out;
}

base::Result<std::shared_ptr<const tmpl::Template>> LoadNotificationTemplates(
    const std::vector<std::string>& globs) {
  auto set = std::make_shared<tmpl::Template>("", NotificationFuncs(),
                                              tmpl::Options{tmpl::MissingKey::kZero});
  RETURN_IF_ERROR(AddBoth(set.get(), "", DefaultTemplateText()));
  RETURN_IF_ERROR(AddBoth(set.get(), "", DefaultEmailTemplateText()));
  for (const std::string& pattern : globs) {
    if (!ValidGlob(pattern)) {
      return base::InvalidArgument("template glob " + pattern + ": syntax error in pattern");
    }
    glob_t g{};
    int rc = glob(pattern.c_str(), 0, nullptr, &g);
    std::vector<std::string> paths;
    if (rc == 0) {
      for (size_t k = 0; k < g.gl_pathc; ++k) paths.emplace_back(g.gl_pathv[k]);
    }
    globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      return base::InvalidArgument("template glob " + pattern + ": syntax error in pattern");
    }
    for (const std::string& path : paths) {
      std::ifstream in(path, std::ios::binary);
      if (!in) return base::IOError("open " + path + ": " + std::strerror(errno));
      std::ostringstream ss;
      ss << in.rdbuf();
      RETURN_IF_ERROR(AddBoth(set.get(), BaseName(path), ss.str()));
    }
  }
  return std::shared_ptr<const tmpl::Template>(std::move(set));
}

base::Result<std::string> ExecuteText(const tmpl::Template& set, std::string_view text,
                                      const tmpl::Value& data) {
  if (text.empty()) return std::string();
  tmpl::Template t = set;
  RETURN_IF_ERROR(t.AddParse("", text));
  return t.Execute(data);
}

base::Result<std::string> ExecuteHtml(const tmpl::Template& set, std::string_view html,
                                      const tmpl::Value& data) {
  if (html.empty()) return std::string();
  tmpl::Template t = set;
  const std::string name(kHtmlPrefix);
  if (base::Status s = t.AddParse(name, RewriteForHtml(html)); !s.ok()) return CleanError(s);
  auto out = t.ExecuteTemplate(name, data);
  if (!out.ok()) return CleanError(out.error());
  return out;
}

std::string Expander::Text(std::string_view text) {
  if (!status_.ok()) return "";
  auto r = ExecuteText(set_, text, data_);
  if (!r.ok()) {
    status_ = r.error();
    return "";
  }
  return std::move(r).value();
}

std::string Expander::Html(std::string_view html) {
  if (!status_.ok()) return "";
  auto r = ExecuteHtml(set_, html, data_);
  if (!r.ok()) {
    status_ = r.error();
    return "";
  }
  return std::move(r).value();
}

}  // namespace alerting::notify

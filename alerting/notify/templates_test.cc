// The notification templates: Hestia's default templates against Alertmanager's default.tmpl
// (the Debian prometheus-alertmanager package's copy, executed by the same engine), texts derived
// by hand from default.tmpl, the template data's methods, HTML escaping and template files.
#include "alerting/notify/templates.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "alerting/notify/receivers.h"
#include "alerting/notify/template_data.h"
#include "alerting/notify/test_util.h"
#include "template/alertmanager_funcs.h"
#include "tests/testutil/temp_dir.h"

namespace alerting::notify {
namespace {

using testing::kNow;
using testing::kResolvedEnd;
using testing::kStart;
using testing::MakeAlert;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

tmpl::Value Data(const Alerts& alerts, model::Labels group = {{"alertname", "HighLoad"}},
                 std::string receiver = "team-x") {
  return TemplateDataValue(MakeTemplateData(receiver, group, alerts, "http://am:9093", kNow));
}

std::string Run(const tmpl::Template& set, std::string_view text, const tmpl::Value& data) {
  auto r = ExecuteText(set, text, data);
  if (!r.ok()) return "ERROR: " + r.error().message();
  return *r;
}

const char* const kAlertList1 =
    "Labels:\n"
    " - alertname = HighLoad\n"
    " - instance = a:9100\n"
    " - severity = page\n"
    "Annotations:\n"
    " - summary = load is high\n"
    "Source: http://prom:9090/graph?g0.expr=up\n";
const char* const kAlertList2 =
    "Labels:\n"
    " - alertname = HighLoad\n"
    " - instance = b:9100\n"
    " - severity = page\n"
    "Annotations:\n"
    " - summary = load was high\n"
    "Source: http://prom:9090/graph?g0.expr=up\n";

TEST_CASE("default templates render the texts read off Alertmanager's default.tmpl",
          "[alerting][notify][templates]") {
  auto set = LoadTemplates({});
  REQUIRE(set.ok());
  const tmpl::Value data = Data(testing::MixedGroup());
  auto t = [&](const std::string& name) {
    return Run(**set, "{{ template \"" + name + "\" . }}", data);
  };
  CHECK(t("__subject") == "[FIRING:1] HighLoad (page)");
  CHECK(t("__alertmanagerURL") == "http://am:9093/#/alerts?receiver=team-x");
  CHECK(Run(**set, "{{ template \"__text_alert_list\" .Alerts.Firing }}", data) == kAlertList1);
  CHECK(t("slack.default.fallback") ==
        "[FIRING:1] HighLoad (page) | http://am:9093/#/alerts?receiver=team-x");
  CHECK(t("slack.default.username") == "Alertmanager");
  CHECK(t("slack.default.text").empty());
  CHECK(t("pagerduty.default.description") == "[FIRING:1] HighLoad (page)");
  CHECK(t("email.default.subject") == "[FIRING:1] HighLoad (page)");
  // No common annotation: an empty first line, then both sections without blank lines.
  CHECK(t("opsgenie.default.description") ==
        std::string("\nAlerts Firing:\n") + kAlertList1 + "\nAlerts Resolved:\n" + kAlertList2);
  CHECK(t("msteams.default.text") ==
        "\n\n# Alerts Firing:\n"
        "\nLabels:\n  - alertname = HighLoad\n  - instance = a:9100\n  - severity = page\n"
        "\nAnnotations:\n  - summary = load is high\n"
        "\nSource: http://prom:9090/graph?g0.expr=up\n\n\n"
        "\n\n# Alerts Resolved:\n"
        "\nLabels:\n  - alertname = HighLoad\n  - instance = b:9100\n  - severity = page\n"
        "\nAnnotations:\n  - summary = load was high\n"
        "\nSource: http://prom:9090/graph?g0.expr=up\n\n\n\n");

  // All resolved: no count in the subject.
  const tmpl::Value resolved =
      Data({MakeAlert({{"alertname", "HighLoad"}}, {}, kStart, kResolvedEnd)});
  CHECK(Run(**set, "{{ template \"__subject\" . }}", resolved) == "[RESOLVED] HighLoad ");
}

TEST_CASE("default templates match Alertmanager's default.tmpl for varied groups",
          "[alerting][notify][templates]") {
  auto ours = LoadTemplates({});
  REQUIRE(ours.ok());
  // The oracle: Alertmanager's own default.tmpl as Debian's prometheus-alertmanager installs it
  // (scripts/install-deps.sh --with-peers). Templates it does not define (msteams: 0.26+) are
  // checked by the hand-derived texts above.
  const char* kReference = "/usr/share/prometheus/alertmanager/default.tmpl";
  if (!std::ifstream(kReference)) {
    WARN("no " << kReference << " (prometheus-alertmanager not installed): comparison skipped");
    return;
  }
  auto ref = tmpl::Template::Parse("", ReadFile(kReference), tmpl::AlertmanagerFuncs(),
                                   {tmpl::MissingKey::kZero});
  REQUIRE(ref.ok());

  const Alerts firing = {
      MakeAlert({{"alertname", "DiskFull"}, {"dev", "sda"}, {"job", "node"}},
                {{"description", "disk is full"}, {"summary", "full"}}, kStart, 0),
      MakeAlert({{"alertname", "DiskFull"}, {"dev", "sdb"}, {"job", "node"}},
                {{"description", "disk is full"}, {"summary", "full"}}, kStart, 0, "")};
  const Alerts resolved = {MakeAlert({{"alertname", "Down"}}, {}, kStart, kResolvedEnd)};
  struct Case {
    const char* what;
    tmpl::Value data;
  } cases[] = {
      {"mixed", Data(testing::MixedGroup())},
      {"firing, common annotations", Data(firing, {{"alertname", "DiskFull"}, {"job", "node"}})},
      {"firing, no group labels", Data(firing, {})},
      {"resolved, no annotations", Data(resolved, {{"alertname", "Down"}}, "a b/c?")},
      {"no alerts", Data({}, {})},
  };
  const char* names[] = {"__alertmanager",
                         "__alertmanagerURL",
                         "__subject",
                         "__description",
                         "slack.default.title",
                         "slack.default.username",
                         "slack.default.fallback",
                         "slack.default.callbackid",
                         "slack.default.pretext",
                         "slack.default.titlelink",
                         "slack.default.iconemoji",
                         "slack.default.iconurl",
                         "slack.default.text",
                         "slack.default.footer",
                         "pagerduty.default.description",
                         "pagerduty.default.client",
                         "pagerduty.default.clientURL",
                         "opsgenie.default.message",
                         "opsgenie.default.description",
                         "opsgenie.default.source",
                         "wechat.default.message",
                         "wechat.default.to_user",
                         "wechat.default.to_party",
                         "wechat.default.to_tag",
                         "wechat.default.agent_id",
                         "victorops.default.state_message",
                         "victorops.default.entity_display_name",
                         "victorops.default.monitoring_tool",
                         "pushover.default.title",
                         "pushover.default.message",
                         "pushover.default.url",
                         "sns.default.subject",
                         "sns.default.message",
                         "telegram.default.message",
                         "discord.default.title",
                         "discord.default.message",
                         "webex.default.message",
                         "msteams.default.summary",
                         "msteams.default.title",
                         "msteams.default.text"};
  for (const Case& c : cases) {
    for (const char* name : names) {
      if (!ref->HasTemplate(name)) continue;
      INFO(c.what << ": " << name);
      auto want = ref->ExecuteTemplate(name, c.data);
      REQUIRE(want.ok());
      CHECK(Run(**ours, std::string("{{ template \"") + name + "\" . }}", c.data) == *want);
    }
    for (const char* list :
         {"__text_alert_list", "__text_alert_list_markdown", "pagerduty.default.instances"}) {
      if (!ref->HasTemplate(list)) continue;
      INFO(c.what << ": " << list);
      tmpl::Template with_call = *ref;
      REQUIRE(with_call
                  .AddParse("call", std::string("{{ template \"") + list +
                                        "\" .Alerts.Firing }}{{ template \"" + list +
                                        "\" .Alerts.Resolved }}")
                  .ok());
      auto want = with_call.ExecuteTemplate("call", c.data);
      REQUIRE(want.ok());
      CHECK(Run(**ours,
                std::string("{{ template \"") + list + "\" .Alerts.Firing }}{{ template \"" + list +
                    "\" .Alerts.Resolved }}",
                c.data) == *want);
    }
  }
}

TEST_CASE("template data: receiver, status, common labels and the KV and Alerts methods",
          "[alerting][notify][templates]") {
  auto set = LoadTemplates({});
  REQUIRE(set.ok());
  const tmpl::Value data = Data(testing::MixedGroup(), {{"alertname", "HighLoad"}}, "team.x (eu)");
  // Alertmanager passes regexp.QuoteMeta(receiver) as .Receiver.
  CHECK(Run(**set, "{{ .Receiver }}|{{ .Status }}|{{ len .Alerts }}", data) ==
        "team\\.x \\(eu\\)|firing|2");
  CHECK(Run(**set, "{{ .CommonLabels.SortedPairs.Names | join \",\" }}", data) ==
        "alertname,severity");
  CHECK(Run(**set, "{{ .CommonLabels.Names }} {{ .CommonLabels.Values }}", data) ==
        "[alertname severity] [HighLoad page]");
  CHECK(Run(**set, "{{ (.CommonLabels.Remove (stringSlice \"alertname\")).Values }}", data) ==
        "[page]");
  CHECK(Run(**set, "{{ range .Alerts.Resolved }}{{ .Labels.instance }} {{ .Fingerprint }}{{ end }}",
            data) == "b:9100 " + FingerprintString(Fingerprint(testing::MixedGroup()[1]->labels)));
  CHECK(Run(**set, "{{ len .CommonAnnotations }}", data) == "0");
  // alertname sorts first.
  const tmpl::Value z =
      Data({MakeAlert({{"a", "1"}, {"alertname", "X"}, {"z", "2"}}, {}, kStart, 0)});
  CHECK(Run(**set, "{{ range (index .Alerts 0).Labels.SortedPairs }}{{ .Name }} {{ end }}", z) ==
        "alertname a z ");
  // Times are time.Time: methods, date and tz, and the zero time for an unset end.
  CHECK(Run(**set, "{{ (index .Alerts 0).StartsAt.Format \"2006-01-02 15:04:05.000\" }}", data) ==
        "2024-03-10 11:30:15.123");
  CHECK(Run(**set, "{{ (index .Alerts 0).StartsAt | tz \"Europe/Berlin\" | date \"15:04 MST\" }}",
            data) == "12:30 CET");
  CHECK(Run(**set, "{{ (index .Alerts 0).EndsAt.IsZero }} {{ (index .Alerts 1).EndsAt }}", data) ==
        "true 2024-03-10 11:45:00 +0000 UTC");
  // Firing returns []Alert, which has no Firing method, as in Alertmanager.
  CHECK(Run(**set, "{{ .Alerts.Firing.Firing }}", data).find("can't evaluate field Firing") !=
        std::string::npos);
  // missingkey=zero.
  CHECK(Run(**set, "[{{ .CommonLabels.nope }}]", data) == "[]");
}

TEST_CASE("HTML execution escapes interpolated values unless safeHtml",
          "[alerting][notify][templates]") {
  auto set = LoadTemplates({});
  REQUIRE(set.ok());
  const tmpl::Value data = Data({MakeAlert({{"alertname", "A<b>&\"c'+"}}, {}, kStart, 0)},
                                {{"alertname", "A<b>&\"c'+"}});
  auto html = [&](std::string_view text) {
    auto r = ExecuteHtml(**set, text, data);
    return r.ok() ? *r : "ERROR: " + r.error().message();
  };
  CHECK(html("<p>{{ .CommonLabels.alertname }}</p>") == "<p>A&lt;b&gt;&amp;&#34;c&#39;&#43;</p>");
  CHECK(html("{{ \"<i>x</i>\" | safeHtml }}") == "<i>x</i>");
  CHECK(html("{{ if .Alerts }}{{ $n := len .Alerts }}{{ $n }}{{ end }}") == "1");
  CHECK(html("{{ range .Alerts }}{{ .Labels.alertname }}{{ end }}") ==
        "A&lt;b&gt;&amp;&#34;c&#39;&#43;");
  // Templates called from HTML are escaped too; the text version is not.
  CHECK(html("{{ template \"__subject\" . }}") == "[FIRING:1] A&lt;b&gt;&amp;&#34;c&#39;&#43; ");
  CHECK(Run(**set, "{{ template \"__subject\" . }}", data) == "[FIRING:1] A<b>&\"c'+ ");
  // Errors name the template as Alertmanager's do, without Hestia's HTML prefix.
  CHECK(html("{{ .Nope }") == "ERROR: template: :1: unexpected \"}\" in operand");
  // The default email is the text of Alertmanager's email.tmpl with values escaped.
  std::string body = html("{{ template \"email.default.html\" . }}");
  CHECK(body.find("<title>[FIRING:1] A&lt;b&gt;&amp;&#34;c&#39;&#43; </title>") !=
        std::string::npos);
  CHECK(body.find("1 alert for") != std::string::npos);
  CHECK(body.find("Mailgun") == std::string::npos);  // the licence comment is not sent
  CHECK(body.rfind("\n\n<!DOCTYPE html PUBLIC", 0) == 0);
  CHECK(body.find("href=\"http://am:9093/#/alerts?receiver=team-x\"") != std::string::npos);
  CHECK(body.find("href=\"http://prom:9090/graph?g0.expr=up\"") != std::string::npos);
}

TEST_CASE("the HTML rewrite leaves control actions alone and prefixes template names",
          "[alerting][notify][templates]") {
  CHECK(RewriteForHtml("a{{ .X }}b") == "a{{ .X | _html_template_htmlescaper }}b");
  CHECK(RewriteForHtml("{{- .X -}}") == "{{- .X | _html_template_htmlescaper -}}");
  CHECK(RewriteForHtml("{{ if .X }}{{ else }}{{ end }}") == "{{ if .X }}{{ else }}{{ end }}");
  CHECK(RewriteForHtml("{{ $x := 1 }}{{ $x = 2 }}{{/* c }} */}}") ==
        "{{ $x := 1 }}{{ $x = 2 }}{{/* c }} */}}");
  CHECK(RewriteForHtml("{{ define \"a\" }}{{ template \"a\" . }}{{ end }}") ==
        "{{ define \"_html_/a\" }}{{ template \"_html_/a\" . }}{{ end }}");
  CHECK(RewriteForHtml("{{ print \"}}\" }}") == "{{ print \"}}\" | _html_template_htmlescaper }}");
  // html/template drops HTML comments from the text, with what they enclose.
  CHECK(RewriteForHtml("a<!-- x {{ .X }} -->b<!--c-->{{ if 1 }}d{{ end }}") ==
        "ab{{ if 1 }}d{{ end }}");
}

TEST_CASE("LoadTemplates adds the config's template files by glob",
          "[alerting][notify][templates]") {
  testutil::TempDir dir;
  std::ofstream(dir.Sub("a.tmpl")) << "{{ define \"my.title\" }}T {{ .Status }}{{ end }}";
  std::ofstream(dir.Sub("b.tmpl"))
      << "{{ define \"slack.default.title\" }}custom {{ template \"my.title\" . }}{{ end }}";
  auto set = LoadTemplates({dir.Sub("*.tmpl"), dir.Sub("none-*.tmpl")});
  REQUIRE(set.ok());
  const tmpl::Value data = Data(testing::MixedGroup());
  CHECK(Run(**set, "{{ template \"slack.default.title\" . }}", data) == "custom T firing");
  CHECK(ExecuteHtml(**set, "{{ template \"my.title\" . }}", data).value() == "T firing");

  std::ofstream(dir.Sub("c.tmpl")) << "{{ define \"x\" }}{{ .Foo ";
  auto bad = LoadTemplates({dir.Sub("*.tmpl")});
  REQUIRE(!bad.ok());
  CHECK(bad.error().message().find("template: c.tmpl:1:") == 0);
  CHECK(!LoadTemplates({dir.Sub("[")}).ok());

  auto undefined = ExecuteText(**set, "{{ template \"nope\" . }}", data);
  REQUIRE(!undefined.ok());
  CHECK(undefined.error().message() ==
        "template: :1:12: executing \"\" at <{{template \"nope\" .}}>: template \"nope\" not "
        "defined");
}

}  // namespace
}  // namespace alerting::notify

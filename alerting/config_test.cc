#include "alerting/config/config.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "alerting/config/location.h"
#include "alerting/config/time_interval.h"
#include "tests/testutil/temp_dir.h"

using alerting::config::Config;
using alerting::config::Load;
using alerting::config::LoadFile;
using alerting::config::Location;

namespace {

std::string Src(const std::string& rel) { return std::string(HESTIA_SOURCE_DIR) + "/" + rel; }

// Milliseconds since the epoch of a UTC date-time.
int64_t Utc(int y, unsigned m, unsigned d, int hh, int mm) {
  using namespace std::chrono;
  auto days = sys_days{year{y} / month{m} / day{d}}.time_since_epoch();
  return duration_cast<milliseconds>(days + hours(hh) + minutes(mm)).count();
}

}  // namespace

TEST_CASE("the rental-ml seed config fails like amtool and says what was meant",
          "[alerting][config]") {
  auto c = LoadFile(Src("alerting/testdata/seed/rental-ml-alertmanager.yml"));
  REQUIRE_FALSE(c.has_value());
  const std::string& msg = c.error().message();
  CHECK(msg.rfind("yaml: unmarshal errors:\n"
                  "  line 33: field subject not found in type config.plain\n"
                  "  line 34: field body not found in type config.plain\n"
                  "  line 56: field subject not found in type config.plain\n",
                  0) == 0);
  CHECK(msg.find("hint: email_configs has no `subject`: set it as a header, "
                 "`headers: {Subject: '...'}`") != std::string::npos);
  CHECK(msg.find("hint: email_configs has no `body`: the body is `text:` (plain text) and/or "
                 "`html:` (HTML)") != std::string::npos);
}

TEST_CASE("every routing fixture loads", "[alerting][config]") {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(Src("alerting/testdata/routing"))) {
    if (e.path().extension() != ".yml") continue;
    INFO(e.path());
    auto c = LoadFile(e.path().string());
    CHECK(c.has_value());
    if (!c.has_value()) UNSCOPED_INFO(c.error().message());
    ++n;
  }
  CHECK(n >= 10);
}

TEST_CASE("defaults and globals are filled in as Alertmanager does", "[alerting][config]") {
  auto c = Load(R"(
global:
  smtp_smarthost: 'mail:25'
  smtp_from: am@example.org
  smtp_auth_password: hunter2
  smtp_require_tls: false
  opsgenie_api_key: og-key
route:
  receiver: all
receivers:
- name: all
  email_configs: [{to: ops@example.org}, {to: x@example.org, from: me@example.org, require_tls: true}]
  webhook_configs: [{url: 'http://hook/'}]
  slack_configs: [{api_url: 'https://hooks.slack.com/x'}]
  pagerduty_configs: [{routing_key: rk}]
  opsgenie_configs: [{api_url: 'https://og.example.org/v2'}]
)");
  REQUIRE(c.has_value());
  const auto& g = c->global;
  CHECK(g.resolve_timeout == std::chrono::minutes(5));
  CHECK(g.smtp_hello == "localhost");
  REQUIRE(g.pagerduty_url);
  CHECK(g.pagerduty_url->ToString() == "https://events.pagerduty.com/v2/enqueue");
  REQUIRE(g.http_config);
  CHECK(g.http_config->follow_redirects);
  CHECK(g.http_config->enable_http2);

  const auto& r = c->receivers.at(0);
  const auto& e0 = r.email_configs.at(0);
  CHECK_FALSE(e0.send_resolved);
  CHECK(e0.from == "am@example.org");
  CHECK(e0.smarthost.ToString() == "mail:25");
  CHECK(e0.hello == "localhost");
  CHECK(e0.auth_password.value == "hunter2");
  CHECK(e0.require_tls == std::optional<bool>(false));
  CHECK(e0.html == R"({{ template "email.default.html" . }})");
  CHECK(r.email_configs.at(1).from == "me@example.org");
  CHECK(r.email_configs.at(1).require_tls == std::optional<bool>(true));

  CHECK(r.webhook_configs.at(0).send_resolved);
  CHECK(r.webhook_configs.at(0).http_config == g.http_config);
  CHECK_FALSE(r.slack_configs.at(0).send_resolved);
  CHECK(r.slack_configs.at(0).title == R"({{ template "slack.default.title" . }})");
  const auto& pd = r.pagerduty_configs.at(0);
  CHECK(pd.send_resolved);
  CHECK(pd.url->ToString() == "https://events.pagerduty.com/v2/enqueue");
  CHECK(pd.details.at("num_firing") == "{{ .Alerts.Firing | len }}");
  CHECK(pd.source == pd.client);
  const auto& og = r.opsgenie_configs.at(0);
  CHECK(og.api_url->ToString() == "https://og.example.org/v2/");
  CHECK(og.api_key.value == "og-key");
}

TEST_CASE("ToYaml renders the config with secrets masked and loads back", "[alerting][config]") {
  auto c = Load(R"(
global:
  smtp_smarthost: 'mail:25'
  smtp_from: am@example.org
  smtp_auth_password: hunter2
  slack_api_url: 'https://hooks.slack.com/services/T/B/secret-path'
route:
  receiver: a
  group_by: ['...']
  routes:
  - matchers: ['severity=~"critical|page"', team=db]
    match_re: {service: 'api|web'}
    receiver: a
    group_wait: 1m
receivers:
- name: a
  slack_configs: [{channel: '#x'}]
  email_configs: [{to: ops@example.org}]
  webhook_configs: [{url: 'http://user:pw@hook:8080/path?q=1', http_config: {basic_auth: {username: u, password: p}}}]
time_intervals:
- name: office
  time_intervals: [{times: [{start_time: '09:00', end_time: '17:00'}], weekdays: ['monday:friday'], location: Europe/Berlin}]
)");
  REQUIRE(c.has_value());
  std::string y = alerting::config::ToYaml(*c);
  INFO(y);
  CHECK(y.find("hunter2") == std::string::npos);
  CHECK(y.find("secret-path") == std::string::npos);
  CHECK(y.find("smtp_auth_password: <secret>") != std::string::npos);
  CHECK(y.find("slack_api_url: <secret>") != std::string::npos);
  CHECK(y.find("password: <secret>") != std::string::npos);
  CHECK(y.find("severity=~\"critical|page\"") != std::string::npos);
  CHECK(y.find("team=\"db\"") != std::string::npos);
  CHECK(y.find("service: api|web") != std::string::npos);
  CHECK(y.find("group_wait: 1m") != std::string::npos);
  CHECK(y.find("location: Europe/Berlin") != std::string::npos);
  CHECK(y.find("09:00") != std::string::npos);
  CHECK(y.find("monday:friday") != std::string::npos);
  CHECK(y.find("http://user:pw@hook:8080/path?q=1") != std::string::npos);
  // As Alertmanager's /api/v2/status after its email notifier filled in the default headers.
  CHECK(y.find("Subject: \"{{ template \\\"email.default.subject\\\" . }}\"") != std::string::npos);
  CHECK(y.find("To: ops@example.org") != std::string::npos);
  auto again = Load(y);
  INFO((again.has_value() ? std::string("reloaded") : again.error().message()));
  REQUIRE(again.has_value());
  CHECK(again->route.routes.at(0).matchers.size() == 2);
  CHECK(alerting::config::ToYaml(*again) == y);
}

TEST_CASE("Hestia accepts the 0.26+ msteams_configs and webhook url_file", "[alerting][config]") {
  auto c = Load(R"(
route: {receiver: a}
receivers:
- name: a
  msteams_configs: [{webhook_url: 'https://outlook.office.com/webhook/x'}]
  webhook_configs: [{url_file: /etc/hook-url}]
)");
  REQUIRE(c.has_value());
  CHECK(c->receivers[0].msteams_configs.at(0).send_resolved);
  CHECK(c->receivers[0].webhook_configs.at(0).url_file == "/etc/hook-url");
  auto both = Load(R"(
route: {receiver: a}
receivers: [{name: a, webhook_configs: [{url: 'http://x', url_file: /f}]}]
)");
  REQUIRE_FALSE(both.has_value());
  CHECK(both.error().message().rfind("at most one of url & url_file must be configured", 0) == 0);
}

TEST_CASE("errors name the line, and known mistakes get a hint", "[alerting][config]") {
  auto c =
      Load("route:\n  receiver: a\n  routes:\n  - receivers: [a, b]\nreceivers: [{name: a}]\n");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().message() ==
        "yaml: unmarshal errors:\n  line 4: field receivers not found in type config.plain\n"
        "  hint: a route names one `receiver:`; use child `routes:` with `continue: true` to "
        "notify several");
  auto d = Load(
      "route:\n  receiver: a\n  routes:\n  - receiver: b\n    group_wait: soon\n"
      "receivers: [{name: a}, {name: b}]\n");
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().message() ==
        "not a valid duration string: \"soon\"\n  at line 5: field group_wait");
  auto s = Load(
      "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{webhook_url: 'http://x'}]}]\n");
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().message().find("hint: slack_configs takes the webhook URL as `api_url:`") !=
        std::string::npos);
}

TEST_CASE("YAML anchors and merge keys work as in yaml.v2", "[alerting][config]") {
  auto c = Load(R"(
route:
  receiver: a
  routes:
  - &db
    receiver: db
    group_wait: 1s
    matchers: [team=db]
  - <<: *db
    matchers: [team=db2]
receivers: [{name: a}, {name: db}]
)");
  REQUIRE(c.has_value());
  const auto& routes = c->route.routes;
  REQUIRE(routes.size() == 2);
  CHECK(routes[1].receiver == "db");
  CHECK(routes[1].group_wait == std::chrono::seconds(1));
  CHECK(routes[1].matchers.at(0).value() == "db2");
}

TEST_CASE("LoadFile resolves relative template paths and reports missing files",
          "[alerting][config]") {
  testutil::TempDir dir;
  std::ofstream(dir.Sub("am.yml")) << "route: {receiver: a}\nreceivers: [{name: a}]\n"
                                      "templates: ['t/*.tmpl', '/abs/x.tmpl']\n";
  auto c = LoadFile(dir.Sub("am.yml"));
  REQUIRE(c.has_value());
  CHECK(c->templates == std::vector<std::string>{dir.Sub("t/*.tmpl"), "/abs/x.tmpl"});
  auto missing = LoadFile(dir.Sub("nope.yml"));
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message() == "open " + dir.Sub("nope.yml") + ": no such file or directory");
}

TEST_CASE("time zones follow the system tz database, also beyond its transition table",
          "[alerting][config][timezone]") {
  auto berlin = Location::Load("Europe/Berlin");
  REQUIRE(berlin.has_value());
  CHECK((*berlin)->OffsetAt(Utc(2024, 1, 15, 12, 0) / 1000) == 3600);
  CHECK((*berlin)->OffsetAt(Utc(2024, 7, 15, 12, 0) / 1000) == 7200);
  // DST starts 2024-03-31 01:00 UTC.
  CHECK((*berlin)->OffsetAt(Utc(2024, 3, 31, 0, 59) / 1000) == 3600);
  CHECK((*berlin)->OffsetAt(Utc(2024, 3, 31, 1, 0) / 1000) == 7200);
  // Far future: only the POSIX TZ footer knows (last Sunday of March 2100 is the 28th).
  CHECK((*berlin)->OffsetAt(Utc(2100, 3, 28, 0, 59) / 1000) == 3600);
  CHECK((*berlin)->OffsetAt(Utc(2100, 3, 28, 1, 0) / 1000) == 7200);
  CHECK((*berlin)->OffsetAt(Utc(2100, 10, 31, 0, 59) / 1000) == 7200);
  CHECK((*berlin)->OffsetAt(Utc(2100, 10, 31, 1, 0) / 1000) == 3600);
  // Southern hemisphere: DST spans the new year.
  auto sydney = Location::Load("Australia/Sydney");
  REQUIRE(sydney.has_value());
  CHECK((*sydney)->OffsetAt(Utc(2099, 1, 10, 0, 0) / 1000) == 11 * 3600);
  CHECK((*sydney)->OffsetAt(Utc(2099, 7, 10, 0, 0) / 1000) == 10 * 3600);
  auto kolkata = Location::Load("Asia/Kolkata");
  REQUIRE(kolkata.has_value());
  CHECK((*kolkata)->OffsetAt(Utc(2030, 6, 1, 0, 0) / 1000) == 19800);
  auto ny = Location::Load("America/New_York");
  REQUIRE(ny.has_value());
  CHECK((*ny)->OffsetAt(Utc(2090, 7, 4, 12, 0) / 1000) == -4 * 3600);
  CHECK((*ny)->OffsetAt(Utc(2090, 12, 25, 12, 0) / 1000) == -5 * 3600);

  CHECK(Location::Load("UTC").value()->OffsetAt(0) == 0);
  CHECK(Location::Load("").value()->name() == "UTC");
  CHECK(Location::Load("Local").has_value());
  CHECK(Location::Load("Mars/Base").error().message() == "unknown time zone Mars/Base");
  CHECK(Location::Load("../etc/passwd").error().message() == "time: invalid location name");
  CHECK(Location::Load("/etc/localtime").error().message() == "time: invalid location name");
  CHECK_FALSE(
      Location::FromTzif("x", "not a tzif file at all, but long enough to try").has_value());
}

TEST_CASE("time intervals contain the instants Alertmanager says they do",
          "[alerting][config][timezone]") {
  auto c = Load(R"(
route: {receiver: a}
receivers: [{name: a}]
time_intervals:
- name: office
  time_intervals:
  - times: [{start_time: '09:00', end_time: '17:30'}]
    weekdays: ['Monday:friday']
    location: Europe/Amsterdam
- name: month-ends
  time_intervals:
  - days_of_month: ['-3:-1']
    months: ['january:february', '12']
- name: years
  time_intervals:
  - years: ['2024:2025']
    days_of_month: ['1:7']
- name: all-day
  time_intervals:
  - times: [{start_time: '00:00', end_time: '24:00'}]
)");
  REQUIRE(c.has_value());
  const auto& office = c->time_intervals.at(0).time_intervals.at(0);
  // 2024-07-01 is a Monday; Amsterdam is UTC+2 in summer.
  CHECK(office.ContainsTime(Utc(2024, 7, 1, 7, 0)));         // 09:00 local
  CHECK_FALSE(office.ContainsTime(Utc(2024, 7, 1, 6, 59)));  // 08:59 local
  CHECK(office.ContainsTime(Utc(2024, 7, 1, 15, 29)));       // 17:29 local
  CHECK_FALSE(office.ContainsTime(Utc(2024, 7, 1, 15, 30)));
  CHECK_FALSE(office.ContainsTime(Utc(2024, 7, 6, 10, 0)));  // Saturday
  CHECK(office.ContainsTime(Utc(2024, 1, 5, 8, 0)));         // Friday, UTC+1
  CHECK_FALSE(office.ContainsTime(Utc(2024, 1, 5, 16, 30)));

  const auto& ends = c->time_intervals.at(1).time_intervals.at(0);
  CHECK(ends.ContainsTime(Utc(2024, 2, 27, 12, 0)));  // leap year: 27..29
  CHECK(ends.ContainsTime(Utc(2024, 2, 29, 23, 59)));
  CHECK_FALSE(ends.ContainsTime(Utc(2024, 2, 26, 12, 0)));
  CHECK(ends.ContainsTime(Utc(2023, 2, 26, 12, 0)));  // 26..28
  CHECK(ends.ContainsTime(Utc(2024, 12, 31, 0, 0)));
  CHECK_FALSE(ends.ContainsTime(Utc(2024, 3, 31, 0, 0)));

  const auto& years = c->time_intervals.at(2).time_intervals.at(0);
  CHECK(years.ContainsTime(Utc(2025, 5, 7, 0, 0)));
  CHECK_FALSE(years.ContainsTime(Utc(2026, 5, 7, 0, 0)));
  CHECK_FALSE(years.ContainsTime(Utc(2025, 5, 8, 0, 0)));

  const auto& all_day = c->time_intervals.at(3).time_intervals.at(0);
  CHECK(all_day.ContainsTime(Utc(2030, 1, 1, 23, 59)));
  CHECK(all_day.ContainsTime(Utc(2030, 1, 1, 0, 0)));
}

TEST_CASE("time interval fields parse and reject as Alertmanager's", "[alerting][config]") {
  using namespace alerting::config;
  CHECK(ParseWeekdayRange("Saturday").value().begin == 6);
  CHECK(ParseWeekdayRange("monday:friday:sunday").error().message() ==
        "couldn't parse range monday:friday:sunday, invalid format");
  CHECK(ParseWeekdayRange("friday:monday").error().message() ==
        "start day cannot be before end day");
  CHECK(ParseDayOfMonthRange("0").error().message() ==
        "0 is not a valid day of the month: out of range");
  CHECK(ParseDayOfMonthRange("10:5").error().message() ==
        "end day 5 is always before start day 10");
  CHECK(ParseDayOfMonthRange("x").error().message() ==
        "strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK(ParseMonthRange("March:1").error().message() ==
        "end month january is before start month march");
  CHECK(ParseMonthRange("smarch").error().message() == "smarch is not a valid month");
  CHECK(ParseYearRange("2030:2020").error().message() == "end year 2020 is before start year 2030");
  CHECK(ParseTimeOfDay("24:00").value() == 1440);
  CHECK(ParseTimeOfDay("9:00").error().message() ==
        "couldn't parse timestamp 9:00, invalid format");
  CHECK(MakeTimeRange("10:00", "").error().message() ==
        "both start and end times must be provided");
  CHECK(WeekdayRangeString({1, 5}) == "monday:friday");
  CHECK(NumberRangeString({-3, -1}) == "-3:-1");
}

TEST_CASE("value parsers follow Go's net/url, net and time packages", "[alerting][config]") {
  using namespace alerting::config;
  CHECK(ParseHttpUrl("https://u:p@h.example:8443/a/b?x=1#f").value().ToString() ==
        "https://u:p@h.example:8443/a/b?x=1#f");
  CHECK(ParseHttpUrl("ftp://x").error().message() == "unsupported scheme \"ftp\" for URL");
  CHECK(ParseHttpUrl("http:x").error().message() == "missing host for URL");
  CHECK(ParseUrl(":x").error().message() == "parse \":x\": missing protocol scheme");
  CHECK(ParseUrl("http://h:port").error().message() ==
        "parse \"http://h:port\": invalid port \":port\" after host");
  CHECK(ParseHostPort("[::1]:25").value().host == "::1");
  CHECK(ParseHostPort("a:b:25").error().message() == "address a:b:25: too many colons in address");
  CHECK(ParseGoDuration("1m30s").value() == std::chrono::seconds(90));
  CHECK(ParseGoDuration("1.5h").value() == std::chrono::minutes(90));
  CHECK(ParseGoDuration("1").error().message() == "time: missing unit in duration \"1\"");
  CHECK(FormatGoDuration(std::chrono::minutes(1)) == "1m0s");
  CHECK(FormatGoDuration(std::chrono::milliseconds(1500)) == "1.5s");
  CHECK(CanonicalMimeHeaderKey("x-priority") == "X-Priority");
  CHECK(CanonicalMimeHeaderKey("bad key") == "bad key");
}

// Acceptance against the real amtool 0.25 (Debian's /usr/bin/amtool): for every routing config
// in alerting/testdata/routing and every label set beside it, `hestia alertmanager routes test`
// (RoutesTest) must print byte for byte what `amtool config routes test` prints, with and
// without --tree; `check-config` must give amtool's verdict and text. amtool missing is a
// failure, not a skip: CI installs it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "alerting/cli.h"
#include "alerting/config/config.h"
#include "alerting/matchers.h"
#include "tests/testutil/temp_dir.h"

extern char** environ;

namespace {

constexpr const char* kAmtool = "/usr/bin/amtool";
constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

std::string SourceDir() { return HESTIA_SOURCE_DIR; }

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] with the arguments, capturing both streams. Thread-safe.
ProcessResult Run(const std::vector<std::string>& argv) {
  ProcessResult r;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return r;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return r;
  }
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* bufs[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        bufs[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

void RequireAmtool() {
  INFO("the amtool oracle "
       << kAmtool << " is missing: install Debian's prometheus-alertmanager (amtool 0.25)");
  REQUIRE(access(kAmtool, X_OK) == 0);
  ProcessResult v = Run({kAmtool, "--version"});
  INFO("amtool --version printed: " << v.out << v.err);
  REQUIRE((v.out + v.err).find("version 0.25") != std::string::npos);
}

// The message amtool printed with kingpin.Fatalf ("amtool: error: <msg>"), or "".
std::string AmtoolError(const std::string& err) {
  std::istringstream in(err);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("amtool: error: ", 0) == 0) return line.substr(15);
  }
  return "";
}

std::string HestiaError(const std::string& err) {
  std::istringstream in(err);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("hestia: error: ", 0) == 0) return line.substr(15);
  }
  return "";
}

// Removes the lines Hestia adds after Alertmanager's message ("  hint: ...", "  at line ...").
std::string WithoutAnnotations(const std::string& s) {
  std::istringstream in(s);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind("  hint: ", 0) == 0 || line.rfind("  at line ", 0) == 0) continue;
    out += line + "\n";
  }
  return out;
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> args;
  if (line.empty()) return args;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    std::string a = line.substr(start, tab == std::string::npos ? std::string::npos : tab - start);
    for (size_t p; (p = a.find("\\x0a")) != std::string::npos;) a.replace(p, 4, "\n");
    args.push_back(a);
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return args;
}

struct RoutingCase {
  std::string config;  // path
  std::string where;   // file:line for messages
  std::vector<std::string> args;
};

std::vector<RoutingCase> LoadRoutingCases(size_t* configs) {
  std::vector<RoutingCase> cases;
  std::vector<std::filesystem::path> ymls;
  for (const auto& e :
       std::filesystem::directory_iterator(SourceDir() + "/alerting/testdata/routing")) {
    if (e.path().extension() == ".yml") ymls.push_back(e.path());
  }
  std::sort(ymls.begin(), ymls.end());
  *configs = ymls.size();
  for (const auto& yml : ymls) {
    std::filesystem::path labels = yml;
    labels.replace_extension(".labels");
    std::ifstream in(labels);
    REQUIRE(in.good());
    std::string line;
    int lineno = 0;
    bool first = true;
    while (std::getline(in, line)) {
      ++lineno;
      if (!line.empty() && line[0] == '#') continue;
      std::string where = labels.filename().string() + ":" + std::to_string(lineno);
      std::vector<std::string> args = SplitTabs(line);
      std::vector<std::string> base = {"--config.file=" + yml.string()};
      RoutingCase plain{yml.string(), where, base};
      plain.args.insert(plain.args.end(), args.begin(), args.end());
      cases.push_back(plain);
      RoutingCase tree = plain;
      tree.args.insert(tree.args.begin() + 1, "--tree");
      cases.push_back(tree);
      if (first) {
        RoutingCase verify = plain;
        verify.args.insert(verify.args.begin() + 1, "--verify.receivers=nobody");
        cases.push_back(verify);
        first = false;
      }
    }
  }
  return cases;
}

}  // namespace

TEST_CASE("routes test prints what amtool 0.25 prints for every routing fixture",
          "[alerting][amtool]") {
  RequireAmtool();
  size_t configs = 0;
  std::vector<RoutingCase> cases = LoadRoutingCases(&configs);
  REQUIRE(configs >= 10);
  REQUIRE(cases.size() >= 300);  // >= 150 label sets, each with and without --tree

  struct Outcome {
    ProcessResult amtool;
    std::string out, err;
    int code = -1;
  };
  std::vector<Outcome> outcomes(cases.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < cases.size();) {
      std::vector<std::string> argv = {kAmtool, "config", "routes", "test"};
      argv.insert(argv.end(), cases[i].args.begin(), cases[i].args.end());
      outcomes[i].amtool = Run(argv);
      std::ostringstream out, err;
      outcomes[i].code = alerting::RoutesTest(cases[i].args, out, err);
      outcomes[i].out = out.str();
      outcomes[i].err = err.str();
    }
  };
  {
    std::vector<std::jthread> workers;
    for (int i = 0; i < 4; ++i) workers.emplace_back(worker);
  }
  size_t label_errors = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Outcome& o = outcomes[i];
    std::string args;
    for (const std::string& a : cases[i].args) args += " '" + a + "'";
    INFO(cases[i].where << ": routes test" << args);
    REQUIRE(o.amtool.exit_code >= 0);
    CHECK(o.out == o.amtool.out);
    CHECK(o.code == o.amtool.exit_code);
    if (o.amtool.exit_code != 0 && !AmtoolError(o.amtool.err).empty()) {
      ++label_errors;
      CHECK(HestiaError(o.err) == AmtoolError(o.amtool.err));
    }
  }
  CHECK(label_errors >= 4);
}

namespace {

// A config that amtool and Hestia must both reject, with amtool's message.
struct BrokenConfig {
  const char* name;
  const char* yaml;
  const char* message;  // amtool's text after "FAILED: "
};

const BrokenConfig kBroken[] = {
    {"undefined receiver",
     "route: {receiver: a, routes: [{receiver: nope}]}\nreceivers: [{name: a}]\n",
     "undefined receiver \"nope\" used in route"},
    {"duplicate receiver", "route: {receiver: a}\nreceivers: [{name: a}, {name: a}]\n",
     "notification config name \"a\" is not unique"},
    {"no root receiver", "route: {group_by: [a]}\nreceivers: [{name: a}]\n",
     "root route must specify a default receiver"},
    {"root matchers", "route: {receiver: a, matchers: [a=b]}\nreceivers: [{name: a}]\n",
     "root route must not have any matchers"},
    {"root match", "route: {receiver: a, match: {a: b}}\nreceivers: [{name: a}]\n",
     "root route must not have any matchers"},
    {"root continue", "route: {receiver: a, continue: true}\nreceivers: [{name: a}]\n",
     "cannot have continue in root route"},
    {"root mute", "route: {receiver: a, mute_time_intervals: [x]}\nreceivers: [{name: a}]\n",
     "root route must not have any mute time intervals"},
    {"no route", "receivers: [{name: a}]\n", "no routes provided"},
    {"empty file", "", "no route provided in config"},
    {"group_by mixed", "route: {receiver: a, group_by: ['...', a]}\nreceivers: [{name: a}]\n",
     "cannot have wildcard group_by (`...`) and other other labels at the same time"},
    {"group_by invalid", "route: {receiver: a, group_by: ['a-b']}\nreceivers: [{name: a}]\n",
     "invalid label name \"a-b\" in group_by list"},
    {"group_by duplicate", "route: {receiver: a, group_by: [a, b, a]}\nreceivers: [{name: a}]\n",
     "duplicated label \"a\" in group_by"},
    {"email without to",
     "route: {receiver: a}\nreceivers: [{name: a, email_configs: [{from: x}]}]\n",
     "missing to address in email config"},
    {"email without smarthost",
     "route: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: x}]}]\n",
     "no global SMTP smarthost set"},
    {"email without from",
     "global: {smtp_smarthost: 'h:25'}\nroute: {receiver: a}\nreceivers: [{name: a, email_configs: "
     "[{to: x}]}]\n",
     "no global SMTP from set"},
    {"webhook without url",
     "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{send_resolved: true}]}]\n",
     "missing URL in webhook config"},
    {"webhook url without scheme",
     "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'localhost:9093/x'}]}]\n",
     "unsupported scheme \"localhost\" for URL"},
    {"webhook url without host",
     "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'http:///x'}]}]\n",
     "missing host for URL"},
    {"slack without url",
     "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{channel: x}]}]\n",
     "no global Slack API URL set either inline or in a file"},
    {"pagerduty without key",
     "route: {receiver: a}\nreceivers: [{name: a, pagerduty_configs: [{severity: x}]}]\n",
     "missing service or routing key in PagerDuty config"},
    {"opsgenie without key",
     "route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{message: x}]}]\n",
     "no global OpsGenie API Key set either inline or in a file"},
    {"bad duration", "route: {receiver: a, group_wait: 5x}\nreceivers: [{name: a}]\n",
     "not a valid duration string: \"5x\""},
    {"zero group_interval", "route: {receiver: a, group_interval: 0s}\nreceivers: [{name: a}]\n",
     "group_interval cannot be zero"},
    {"bad matcher regex",
     "route: {receiver: a, routes: [{matchers: ['foo=~\"(\"']}]}\nreceivers: [{name: a}]\n",
     "error parsing regexp: missing closing ): `^(?:()$`"},
    {"bad matcher syntax",
     "route: {receiver: a, routes: [{matchers: ['foo~=bar']}]}\nreceivers: [{name: a}]\n",
     "bad matcher format: foo~=bar"},
    {"bad match_re",
     "route: {receiver: a, routes: [{match_re: {foo: '('}}]}\nreceivers: [{name: a}]\n",
     "error parsing regexp: missing closing ): `^(?:()$`"},
    {"bad match name",
     "route: {receiver: a, routes: [{match: {foo-bar: x}}]}\nreceivers: [{name: a}]\n",
     "invalid label name \"foo-bar\""},
    {"null match_re",
     "route: {receiver: a, routes: [{match_re: {foo: }}]}\nreceivers: [{name: a}]\n",
     "invalid regexp value for \"foo\""},
    {"undefined time interval",
     "route: {receiver: a, routes: [{receiver: a, mute_time_intervals: [x]}]}\nreceivers: [{name: "
     "a}]\n",
     "undefined time interval \"x\" used in route"},
    {"time range reversed",
     "route: {receiver: a}\nreceivers: [{name: a}]\ntime_intervals: [{name: x, time_intervals: "
     "[{times: [{start_time: '10:00', end_time: '09:00'}]}]}]\n",
     "start time cannot be equal or greater than end time"},
    {"bad weekday",
     "route: {receiver: a}\nreceivers: [{name: a}]\ntime_intervals: [{name: x, time_intervals: "
     "[{weekdays: [Funday]}]}]\n",
     "funday is not a valid weekday"},
    {"bad days_of_month",
     "route: {receiver: a}\nreceivers: [{name: a}]\ntime_intervals: [{name: x, time_intervals: "
     "[{days_of_month: ['-1:5']}]}]\n",
     "end day must be negative if start day is negative"},
    {"bad location",
     "route: {receiver: a}\nreceivers: [{name: a}]\ntime_intervals: [{name: x, time_intervals: "
     "[{location: Mars/Olympus}]}]\n",
     "unknown time zone Mars/Olympus"},
    {"duplicate time interval",
     "route: {receiver: a}\nreceivers: [{name: a}]\nmute_time_intervals: [{name: "
     "x}]\ntime_intervals: [{name: x}]\n",
     "time interval \"x\" is not unique"},
    {"bad equal",
     "route: {receiver: a}\nreceivers: [{name: a}]\ninhibit_rules: [{equal: [a, 'b-c']}]\n",
     "\"b-c\" is not a valid label name"},
    {"smarthost without port",
     "global: {smtp_smarthost: localhost}\nroute: {receiver: a}\nreceivers: [{name: a}]\n",
     "address localhost: missing port in address"},
    {"smarthost empty port",
     "global: {smtp_smarthost: 'localhost:'}\nroute: {receiver: a}\nreceivers: [{name: a}]\n",
     "address \"localhost:\": port cannot be empty"},
    {"bearer token twice",
     "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'http://x', http_config: "
     "{bearer_token: a, bearer_token_file: b}}]}]\n",
     "at most one of bearer_token & bearer_token_file must be configured"},
    {"webex without authorization",
     "route: {receiver: a}\nreceivers: [{name: a, webex_configs: [{room_id: x}]}]\n",
     "missing webex_configs.http_config.authorization"},
    {"telegram parse mode",
     "route: {receiver: a}\nreceivers: [{name: a, telegram_configs: [{bot_token: x, chat_id: 5, "
     "parse_mode: foo}]}]\n",
     "unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or empty string"},
    {"sns two targets",
     "route: {receiver: a}\nreceivers: [{name: a, sns_configs: [{topic_arn: x, phone_number: "
     "y}]}]\n",
     "must provide either a Target ARN, Topic ARN, or Phone Number for SNS config"},
    {"pushover retry",
     "route: {receiver: a}\nreceivers: [{name: a, pushover_configs: [{user_key: x, token: y, "
     "retry: 5x}]}]\n",
     "time: unknown unit \"x\" in duration \"5x\""},
    {"victorops reserved field",
     "route: {receiver: a}\nreceivers: [{name: a, victorops_configs: [{routing_key: x, api_key: k, "
     "custom_fields: {entity_id: x}}]}]\n",
     "victorOps config contains custom field entity_id which cannot be used as it conflicts with "
     "the fixed/static fields"},
    {"wechat message type",
     "global: {wechat_api_secret: s, wechat_api_corp_id: c}\nroute: {receiver: a}\nreceivers: "
     "[{name: a, wechat_configs: [{message_type: html}]}]\n",
     "weChat message type \"html\" does not match valid options ^(text|markdown)$"},
    {"discord without url",
     "route: {receiver: a}\nreceivers: [{name: a, discord_configs: [{title: x}]}]\n",
     "no discord webhook URL provided"},
    {"opsgenie responder",
     "global: {opsgenie_api_key: k}\nroute: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: "
     "[{responders: [{type: team}]}]}]\n",
     "opsGenieConfig responder {   team} has to have at least one of id, username or name "
     "specified"},
    {"slack action",
     "global: {slack_api_url: 'http://x'}\nroute: {receiver: a}\nreceivers: [{name: a, "
     "slack_configs: [{actions: [{type: button, text: x}]}]}]\n",
     "missing name or url in Slack action configuration"},
    {"email header collision",
     "global: {smtp_smarthost: 'h:25', smtp_from: f}\nroute: {receiver: a}\nreceivers: [{name: a, "
     "email_configs: [{to: x, headers: {subject: a, Subject: b}}]}]\n",
     "duplicate header \"Subject\" in email config"},
    {"slack url twice",
     "global: {slack_api_url: 'http://x', slack_api_url_file: /f}\nroute: {receiver: "
     "a}\nreceivers: [{name: a}]\n",
     "at most one of slack_api_url & slack_api_url_file must be configured"},
    {"receiver without name",
     "route: {receiver: a}\nreceivers: [{webhook_configs: [{url: 'http://x'}]}]\n",
     "missing name in receiver"},
    {"tls version",
     "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'http://x', http_config: "
     "{tls_config: {min_version: TLS9}}}]}]\n",
     "unknown TLS version: TLS9"},
    {"unknown fields",
     "global:\n  smtp_foo: 1\nroute:\n  receiver: a\n  routez: []\nreceivers:\n- name: a\n  "
     "webhook_configs:\n  - url: http://x\n    foo: bar\n",
     "yaml: unmarshal errors:\n  line 2: field smtp_foo not found in type config.plain\n"
     "  line 5: field routez not found in type config.plain\n"
     "  line 10: field foo not found in type config.plain"},
    {"type errors",
     "route:\n  receiver: a\n  continue: \"true\"\n  routes: abcdefghijklmnop\nreceivers:\n- name: "
     "a\ninhibit_rules:\n- equal: foo\n",
     "yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `true` into bool\n"
     "  line 4: cannot unmarshal !!str `abcdefg...` into []*config.Route\n"
     "  line 8: cannot unmarshal !!str `foo` into model.LabelNames"},
    {"repeated keys",
     "route:\n  receiver: a\n  receiver: b\n  match:\n    a: b\n    a: c\nreceivers: [{name: a}]\n",
     "yaml: unmarshal errors:\n  line 3: field receiver already set in type config.plain\n"
     "  line 6: key \"a\" already set in map"},
    {"validation error wins over unknown fields",
     "route:\n  receiver: a\n  foo: 1\nreceivers:\n- name: a\n  email_configs:\n  - from: x\n",
     "missing to address in email config"},
};

}  // namespace

TEST_CASE("check-config rejects broken configs with amtool's messages", "[alerting][amtool]") {
  RequireAmtool();
  testutil::TempDir dir;
  for (const BrokenConfig& b : kBroken) {
    INFO("broken config: " << b.name << "\n" << b.yaml);
    std::string path = dir.Sub(std::string(b.name).replace(0, 0, "c-") + ".yml");
    for (char& c : path)
      if (c == ' ') c = '_';
    std::ofstream(path) << b.yaml;
    ProcessResult am = Run({kAmtool, "check-config", path});
    std::string want_head = "Checking '" + path + "'  FAILED: " + b.message + "\n\n";
    REQUIRE(am.out == want_head);  // the table agrees with amtool
    std::ostringstream out, err;
    CHECK(alerting::CheckConfig({path}, out, err) == 1);
    CHECK(WithoutAnnotations(out.str()) == am.out);
    CHECK(err.str() == "hestia: error: failed to validate 1 file(s)\n");
  }
}

TEST_CASE("check-config parses notification templates as amtool does", "[alerting][amtool]") {
  RequireAmtool();
  testutil::TempDir dir;
  struct Case {
    const char* name;
    const char* text;
  };
  const Case cases[] = {
      {"good", "{{ define \"x\" }}{{ .CommonLabels.alertname | toUpper }}{{ end }}\n"},
      {"undefined-function", "{{ define \"x\" }}{{ nope .Status }}{{ end }}\n"},
      {"unclosed", "line one\n{{ define \"x\" }}{{ .Status \n"},
      {"bad-end", "{{ end }}\n"},
  };
  for (const Case& c : cases) {
    INFO(c.name << ": " << c.text);
    std::string tmpl = dir.Sub(std::string(c.name) + ".tmpl");
    std::ofstream(tmpl) << c.text;
    std::string cfg = dir.Sub(std::string(c.name) + ".yml");
    std::ofstream(cfg) << "route: {receiver: a}\nreceivers: [{name: a}]\ntemplates: ['" << tmpl << "']\n";
    ProcessResult am = Run({kAmtool, "check-config", cfg});
    std::ostringstream out, err;
    int code = alerting::CheckConfig({cfg}, out, err);
    CHECK(code == am.exit_code);
    CHECK(WithoutAnnotations(out.str()) == am.out);
  }
}

TEST_CASE("check-config agrees with amtool on the fixtures and the seed config",
          "[alerting][amtool]") {
  RequireAmtool();
  std::vector<std::string> files;
  for (const char* d :
       {"/alerting/testdata/routing", "/alerting/testdata/seed", "/alerting/testdata/full"}) {
    for (const auto& e : std::filesystem::directory_iterator(SourceDir() + d)) {
      if (e.path().extension() == ".yml") files.push_back(e.path().string());
    }
  }
  // Alertmanager configs users bring (when the shared examples are present).
  const std::string shared = "/work/shared/examples/seed-configs";
  if (std::filesystem::exists(shared)) {
    for (const auto& e : std::filesystem::directory_iterator(shared)) {
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      if (e.path().extension() == ".yml" && ss.str().find("receivers:") != std::string::npos) {
        files.push_back(e.path().string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 13);
  for (const std::string& f : files) {
    INFO("config " << f);
    ProcessResult am = Run({kAmtool, "check-config", f});
    std::ostringstream out, err;
    int code = alerting::CheckConfig({f}, out, err);
    CHECK(code == am.exit_code);
    CHECK(WithoutAnnotations(out.str()) == am.out);
  }
  // All at once: the per-file blocks and the failure count.
  std::vector<std::string> argv = {kAmtool, "check-config"};
  argv.insert(argv.end(), files.begin(), files.end());
  ProcessResult am = Run(argv);
  std::ostringstream out, err;
  CHECK(alerting::CheckConfig(files, out, err) == am.exit_code);
  CHECK(WithoutAnnotations(out.str()) == am.out);
  CHECK(HestiaError(err.str()) == AmtoolError(am.err));
}

TEST_CASE("matchers parse as amtool parses them in route configs", "[alerting][amtool]") {
  RequireAmtool();
  // `amtool config routes show` prints each route's matchers after ParseMatchers and sorting.
  const std::vector<std::string> inputs = {
      R"(foo=bar)",
      R"({foo = "bar", dings != "bums", })",
      R"(foo="b\"ar")",
      R"(foo=a\nb)",
      R"(foo="a\x")",
      R"(foo=\)",
      R"(foo=~"5..|4.."   )",
      R"(a:b=c, d!~e)",
      R"(foo==bar)",
      R"(foo="a,b",c=d)",
      R"(foo="a\,b",c=d)",
      R"({foo=bar}})",
      R"(x=~[[:alpha:]]+, y=Zürich)",
      R"(foo=")",
      R"(foo=bar")",
      R"(1a=b)",
      R"(foo=bar,,baz=qux)",
      R"(foo=~a**)",
      R"(foo=~\C)",
      R"(foo=~x{1001},a=b)",
      R"(foo=~(?P<>a),a=b)",
      R"(foo=~\pX,a=b)",
      R"(foo=~a{1001,},a=b)",
  };
  testutil::TempDir dir;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& in = inputs[i];
    INFO("matcher string: " << in);
    std::string quoted = "'";
    for (char c : in) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    quoted += "'";
    std::string path = dir.Sub("m" + std::to_string(i) + ".yml");
    std::ofstream(path) << "route:\n  receiver: a\n  routes:\n  - receiver: a\n    matchers: ["
                        << quoted << "]\nreceivers: [{name: a}]\n";
    ProcessResult am = Run({kAmtool, "config", "routes", "--config.file=" + path});
    auto ours = alerting::ParseMatchers(in);
    if (am.exit_code == 0) {
      REQUIRE(ours.has_value());
      alerting::SortMatchers(*ours);
      std::string want_line =
          (ours->empty() ? "default-route" : alerting::MatchersToString(*ours)) + "  receiver: a";
      CHECK(am.out.find("\u2514\u2500\u2500 " + want_line + "\n") != std::string::npos);
      std::ostringstream out, err;
      CHECK(alerting::RoutesShow({"--config.file=" + path}, out, err) == 0);
      CHECK(out.str() == am.out);
    } else {
      REQUIRE_FALSE(ours.has_value());
      CHECK(ours.error().message() == AmtoolError(am.err));
    }
  }
}

namespace {

// Differences between two YAML documents, as "path: what" lines (maps compared by key).
void YamlDiff(const YAML::Node& a, const YAML::Node& b, const std::string& path,
              std::vector<std::string>* out) {
  if (a.Type() != b.Type()) {
    out->push_back(path + ": node kinds differ");
    return;
  }
  if (a.IsMap()) {
    std::set<std::string> keys;
    for (const auto& kv : a) keys.insert(kv.first.Scalar());
    for (const auto& kv : b) keys.insert(kv.first.Scalar());
    for (const std::string& k : keys) {
      if (!a[k]) {
        out->push_back(path + "/" + k + ": only in Alertmanager's");
      } else if (!b[k]) {
        out->push_back(path + "/" + k + ": only in Hestia's");
      } else {
        YamlDiff(a[k], b[k], path + "/" + k, out);
      }
    }
  } else if (a.IsSequence()) {
    if (a.size() != b.size()) {
      out->push_back(path + ": lengths differ");
      return;
    }
    for (size_t i = 0; i < a.size(); ++i) YamlDiff(a[i], b[i], path + "/" + std::to_string(i), out);
  } else if (a.IsScalar() && a.Scalar() != b.Scalar()) {
    out->push_back(path + ": \"" + a.Scalar() + "\" vs \"" + b.Scalar() + "\"");
  }
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("ToYaml renders configs as Alertmanager's /api/v2/status does", "[alerting][amtool]") {
  INFO("the oracle " << kAlertmanager << " is missing: install Debian's prometheus-alertmanager");
  REQUIRE(access(kAlertmanager, X_OK) == 0);
  testutil::TempDir dir;
  std::vector<std::string> files;
  for (const char* d : {"/alerting/testdata/routing", "/alerting/testdata/full"}) {
    for (const auto& e : std::filesystem::directory_iterator(SourceDir() + d)) {
      if (e.path().extension() == ".yml") files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  const std::string cfg_path = dir.Sub("alertmanager.yml");
  std::filesystem::copy_file(files.front(), cfg_path);
  std::filesystem::create_directory(dir.Sub("data"));
  const int port = FreePort();
  std::vector<std::string> argv = {kAlertmanager,
                                   "--config.file=" + cfg_path,
                                   "--storage.path=" + dir.Sub("data"),
                                   "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                   "--cluster.listen-address=",
                                   "--log.level=warn"};
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const std::string log = dir.Sub("alertmanager.log");
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // Dies with the test process, even when that is killed.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    int null_fd = open("/dev/null", O_RDWR);
    int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(null_fd, 0);
    dup2(null_fd, 1);
    dup2(log_fd, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  REQUIRE(pid > 0);
  struct Stop {
    pid_t pid;
    ~Stop() {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  } stop{pid};

  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    auto r = client.Get("/-/ready");
    ready = r && r->status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(ready);
  for (const std::string& f : files) {
    INFO("config " << f);
    std::filesystem::copy_file(f, cfg_path, std::filesystem::copy_options::overwrite_existing);
    auto reload = client.Post("/-/reload");
    REQUIRE(reload);
    REQUIRE(reload->status == 200);
    auto status = client.Get("/api/v2/status");
    REQUIRE(status);
    REQUIRE(status->status == 200);
    YAML::Node theirs =
        YAML::Load(YAML::Load(status->body)["config"]["original"].as<std::string>());
    auto ours = alerting::config::LoadFile(cfg_path);  // relative paths resolved alike
    REQUIRE(ours.has_value());
    std::string rendered = alerting::config::ToYaml(*ours);
    INFO("Hestia's rendering:\n" << rendered);
    std::vector<std::string> diffs;
    YamlDiff(YAML::Load(rendered), theirs, "", &diffs);
    std::string all;
    for (const std::string& d : diffs) all += d + "\n";
    CHECK(all == "");
  }
}

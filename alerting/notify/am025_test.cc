// Byte-for-byte comparison with Alertmanager 0.25: testdata/am025/ holds what the real
// Alertmanager sent for testdata/am025.yml (recorded by testdata/record_am025.py); the same
// receivers built by Hestia must send the same requests for the same alerts. What the
// dispatcher does before notifiers run (zeroing EndsAt of firing alerts, dropping resolved
// alerts for send_resolved: false) is done here by hand.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "alerting/notify/receivers.h"
#include "alerting/notify/test_util.h"

namespace alerting::notify {
namespace {

using testing::HttpSink;
using testing::SmtpServer;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size())
    s.replace(p, from.size(), to);
  return s;
}

// The recorded text of a request: "METHOD PATH\nheaders\n\nbody".
std::string Describe(const HttpSink::Request& r) {
  std::string out = r.method + " " + r.path + (r.query.empty() ? "" : "?" + r.query) + "\n";
  for (const char* h : {"User-Agent", "Content-Type", "Authorization"})
    if (!r.Header(h).empty()) out += std::string(h) + ": " + r.Header(h) + "\n";
  return out + "\n" + r.body;
}

// An email as recorded, with the per-run parts masked and the headers sorted (Alertmanager
// writes them in Go's random map order).
std::string NormalizeEmail(const std::string& text) {
  std::string s = std::regex_replace(text, std::regex("boundary=[0-9a-f]{60}"), "boundary=B");
  s = std::regex_replace(s, std::regex("--[0-9a-f]{60}"), "--B");
  s = std::regex_replace(s, std::regex("Message-Id: <[0-9]+\\.[0-9]+@[^>]+>"), "Message-Id: M");
  s = std::regex_replace(s, std::regex("Date: [^\r\n]+"), "Date: D");
  s = Replace(s, "\r\n", "\n");
  // Sort the header lines (between the blank line after the commands and the next blank).
  size_t start = s.find("\n\n") + 2;
  size_t end = s.find("\n\n", start);
  std::vector<std::string> lines;
  for (size_t p = start; p < end;) {
    size_t nl = s.find('\n', p);
    lines.push_back(s.substr(p, std::min(nl, end) - p));
    p = nl + 1;
  }
  std::sort(lines.begin(), lines.end());
  std::string sorted;
  for (const std::string& l : lines) sorted += l + "\n";
  return s.substr(0, start) + sorted + s.substr(end + 1);
}

TEST_CASE("receivers send what Alertmanager 0.25 sends", "[alerting][notify][am025]") {
  HttpSink sink;
  SmtpServer smtp({});
  std::string yaml = ReadFile("alerting/notify/testdata/am025.yml");
  yaml = Replace(yaml, "HTTP_PORT", std::to_string(sink.port()));
  yaml = Replace(yaml, "SMTP_PORT", std::to_string(smtp.port()));
  auto cfg = config::Load(yaml);
  REQUIRE(cfg.ok());
  auto templates = LoadTemplates({});
  REQUIRE(templates.ok());
  ReceiverOptions opts;
  opts.user_agent = "Alertmanager/0.25.0";
  auto ints = BuildIntegrations(cfg->receivers.at(0), *templates, opts);
  REQUIRE(ints.ok());

  // What each group's flushes hand to the integrations, in order.
  const AlertPtr down_firing = testing::MakeAlert({{"alertname", "Down"}}, {}, testing::kStart, 0);
  const AlertPtr down_resolved =
      testing::MakeAlert({{"alertname", "Down"}}, {}, testing::kStart, testing::kResolvedEnd);
  NotifyContext down = testing::MakeContext();
  down.group_key = "{}:{alertname=\"Down\"}";
  down.group_labels = model::Labels{{"alertname", "Down"}};
  struct Flush {
    std::string group;
    NotifyContext ctx;
    Alerts alerts;
  } flushes[] = {{"highload", testing::MakeContext(), testing::MixedGroup()},
                 {"down", down, {down_firing}},
                 {"down", down, {down_resolved}}};

  std::map<std::string, std::vector<std::string>> got;  // "group-kind" -> requests
  size_t seen = 0;
  size_t mails_seen = 0;
  for (const Flush& f : flushes) {
    for (const Integration& in : *ints) {
      Alerts alerts;
      for (const AlertPtr& a : f.alerts)
        if (in.send_resolved || !a->ResolvedAt(f.ctx.now_ms)) alerts.push_back(a);
      if (alerts.empty()) continue;  // send_resolved: false and nothing firing
      bool retry = false;
      base::Status st = in.notifier->Notify(f.ctx, alerts, &retry);
      INFO(in.name << ": " << st.ToString());
      REQUIRE(st.ok());
    }
    auto reqs = sink.requests();
    for (; seen < reqs.size(); ++seen) {
      std::string kind = reqs[seen].path.substr(1, reqs[seen].path.find('/', 1) - 1);
      got[f.group + "-" + kind].push_back(Describe(reqs[seen]));
    }
    auto cmds = smtp.commands();
    auto mails = smtp.messages();
    for (; mails_seen < mails.size(); ++mails_seen) {
      // This connection's commands: from its EHLO up to DATA.
      std::string dialogue;
      int ehlo = -1;
      for (size_t i = 0; i < cmds.size(); ++i)
        if (cmds[i].rfind("EHLO", 0) == 0 && ++ehlo == static_cast<int>(mails_seen)) {
          for (size_t k = i; k < cmds.size() && cmds[k] != "QUIT"; ++k) dialogue += cmds[k] + "\n";
          break;
        }
      got[f.group + "-email"].push_back(dialogue + "\n" + mails[mails_seen]);
    }
  }

  size_t compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator("alerting/notify/testdata/am025")) {
    const std::string name = entry.path().stem().string();  // "down-webhook-2"
    const std::string key = name.substr(0, name.rfind('-'));
    const size_t index = std::stoul(name.substr(name.rfind('-') + 1)) - 1;
    INFO(name);
    REQUIRE(got[key].size() > index);
    const std::string want = ReadFile(entry.path().string());
    if (key.find("email") != std::string::npos) {
      CHECK(NormalizeEmail(got[key][index]) == NormalizeEmail(want));
    } else {
      CHECK(got[key][index] == want);
    }
    ++compared;
  }
  CHECK(compared == 20);
  size_t total = 0;
  for (const auto& [k, v] : got) total += v.size();
  CHECK(total == compared);  // and nothing sent that Alertmanager did not send
}

}  // namespace
}  // namespace alerting::notify

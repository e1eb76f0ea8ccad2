// The email notifier against a minimal SMTP server on 127.0.0.1: the SMTP dialogue with and
// without AUTH (PLAIN, LOGIN, CRAM-MD5), the exact MIME message, Q-encoded headers,
// quoted-printable bodies, and failures (bad credentials, rejected recipient, no STARTTLS,
// refused connection, silent server).
#include "alerting/notify/email.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <regex>

#include "alerting/notify/receivers.h"
#include "alerting/notify/template_data.h"
#include "alerting/notify/templates.h"
#include "alerting/notify/test_util.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/temp_dir.h"

namespace alerting::notify {
namespace {

using testing::SmtpServer;

config::EmailConfig LoadEmail(int port, const std::string& extra) {
  auto cfg = config::Load(
      "route:\n  receiver: team-x\nreceivers:\n- name: team-x\n  email_configs:\n"
      "  - to: 'ops@example.com, Dev Team <dev@example.com>'\n"
      "    from: 'Alertmanager <am@example.com>'\n"
      "    smarthost: 127.0.0.1:" +
      std::to_string(port) + "\n" + extra);
  INFO(cfg.status().ToString());
  REQUIRE(cfg.ok());
  return cfg->receivers.at(0).email_configs.at(0);
}

std::shared_ptr<const tmpl::Template> Templates() {
  auto t = LoadTemplates({});
  REQUIRE(t.ok());
  return *t;
}

TEST_CASE("quoted-printable and Q-encoding as Go's mime packages", "[alerting][notify][email]") {
  CHECK(QuotedPrintable("firing \xC3\xBCn = x  \nnext\r\nend ") ==
        "firing =C3=BCn =3D x =20\r\nnext\r\nend=20");
  // Lines are soft-broken before 76 characters.
  const std::string long_line(100, 'a');
  CHECK(QuotedPrintable(long_line) == std::string(75, 'a') + "=\r\n" + std::string(25, 'a'));
  CHECK(QuotedPrintable(std::string(74, 'a') + "\xFF") == std::string(74, 'a') + "=\r\n=FF");
  CHECK(QEncodeHeader("plain [ascii] ok") == "plain [ascii] ok");
  CHECK(QEncodeHeader("[firing] \xC3\x9Cmlaut_?") == "=?utf-8?q?[firing]_=C3=9Cmlaut=5F=3F?=");
  // Encoded-words hold at most 63 characters of content.
  CHECK(QEncodeHeader("\xC3\xBC" + std::string(70, 'x')) ==
        "=?utf-8?q?=C3=BC" + std::string(57, 'x') + "?= =?utf-8?q?" + std::string(13, 'x') + "?=");
  CHECK(ParseAddressList("a@b.c, \"Doe, J\" <j@d.e>").value() ==
        std::vector<std::string>{"a@b.c", "j@d.e"});
  CHECK(ParseAddressList("nobody").status().message() == "mail: missing @ in addr-spec");
}

TEST_CASE("email sends Alertmanager's MIME message", "[alerting][notify][email]") {
  ::setenv("TZ", "UTC", 1);
  SmtpServer server({});
  config::EmailConfig c = LoadEmail(server.port(), R"(    require_tls: false
    hello: hestia.local
    text: "{{ .Status }} \u00fcn = x  \n"
    headers:
      subject: "[{{ .Status }}] \u00dcmlaut"
      X-Group: '{{ .GroupLabels.alertname }}'
)");
  testutil::FakeClock clock(testing::kNow);
  EmailNotifier n(c, Templates(), nullptr, &clock);
  bool retry = true;
  base::Status st = n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK_FALSE(retry);
  CHECK(server.commands() == std::vector<std::string>{"EHLO hestia.local",
                                                      "MAIL FROM:<am@example.com> BODY=8BITMIME",
                                                      "RCPT TO:<ops@example.com>",
                                                      "RCPT TO:<dev@example.com>", "DATA", "QUIT"});
  REQUIRE(server.messages().size() == 1);
  const std::string msg = server.messages()[0];

  std::smatch m;
  REQUIRE(std::regex_search(msg, m, std::regex("boundary=([0-9a-f]{60})\r\n")));
  const std::string b = m[1];
  REQUIRE(std::regex_search(msg, m,
                            std::regex("Message-Id: <1710072000000000000\\.[0-9]+@[^>]+>\r\n")));
  const std::string message_id = m[0];

  auto templates = Templates();
  tmpl::Value data =
      TemplateDataValue(MakeTemplateData("team-x", {{"alertname", "HighLoad"}},
                                         testing::MixedGroup(), "http://am:9093", testing::kNow));
  const std::string html =
      ExecuteHtml(*templates, "{{ template \"email.default.html\" . }}", data).value();
  const std::string want =
      "From: Alertmanager <am@example.com>\r\n"
      "Subject: =?utf-8?q?[firing]_=C3=9Cmlaut?=\r\n"
      "To: ops@example.com, Dev Team <dev@example.com>\r\n"
      "X-Group: HighLoad\r\n" +
      message_id +
      "Date: Sun, 10 Mar 2024 12:00:00 +0000\r\n"
      "Content-Type: multipart/alternative;  boundary=" +
      b +
      "\r\n"
      "MIME-Version: 1.0\r\n"
      "\r\n"
      "--" +
      b +
      "\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "Content-Type: text/plain; charset=UTF-8\r\n"
      "\r\n"
      "firing =C3=BCn =3D x =20\r\n"
      "\r\n--" +
      b +
      "\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "Content-Type: text/html; charset=UTF-8\r\n"
      "\r\n" +
      QuotedPrintable(html) + "\r\n--" + b + "--\r\n";
  CHECK(msg == want);
  // The default HTML body, quoted-printable: '=' in attributes is encoded.
  CHECK(msg.find("<title>[FIRING:1] HighLoad (page)</title>") != std::string::npos);
  CHECK(msg.find("style=3D\"") != std::string::npos);
}

TEST_CASE("email authenticates with the first configured mechanism the server offers",
          "[alerting][notify][email]") {
  struct Case {
    const char* mechanisms;
    const char* extra;
    std::vector<std::string> auth_lines;
  } cases[] = {
      {"PLAIN LOGIN",
       "    auth_username: user\n    auth_password: secret\n",
       {"AUTH PLAIN AHVzZXIAc2VjcmV0"}},
      {"LOGIN",
       "    auth_username: user\n    auth_password: secret\n",
       {"AUTH LOGIN", "dXNlcg==", "c2VjcmV0"}},
      // CRAM-MD5 needs auth_secret; without one the next mechanism is used.
      {"CRAM-MD5 LOGIN",
       "    auth_username: user\n    auth_password: secret\n",
       {"AUTH LOGIN", "dXNlcg==", "c2VjcmV0"}},
      {"CRAM-MD5",
       "    auth_username: user\n    auth_secret: secret\n",
       {"AUTH CRAM-MD5", "dXNlciAyOWY4OGZjNjVmMTZkMjc5MzI5Yzg1MmY5ZmY0Zjc1Yg=="}},
  };
  for (const Case& c : cases) {
    INFO(c.mechanisms);
    SmtpServer::Options o;
    o.user = "user";
    o.password = "secret";
    o.mechanisms = c.mechanisms;
    SmtpServer server(o);
    EmailNotifier n(LoadEmail(server.port(), std::string("    require_tls: false\n") + c.extra),
                    Templates(), nullptr, nullptr);
    bool retry = true;
    base::Status st = n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
    INFO(st.ToString());
    CHECK(st.ok());
    std::vector<std::string> cmds = server.commands();
    REQUIRE(cmds.size() > c.auth_lines.size());
    CHECK(std::vector<std::string>(cmds.begin() + 1, cmds.begin() + 1 + c.auth_lines.size()) ==
          c.auth_lines);
    CHECK(server.messages().size() == 1);
  }
}

TEST_CASE("email upgrades with STARTTLS and verifies the server", "[alerting][notify][email]") {
  testutil::TempDir dir;
  testing::WriteSelfSignedCert(dir.path());
  SmtpServer::Options o;
  o.tls_cert_file = dir.Sub("cert.pem");
  o.tls_key_file = dir.Sub("key.pem");
  o.user = "user";
  o.password = "secret";
  o.mechanisms = "PLAIN";
  SmtpServer server(o);
  bool retry = false;

  SECTION("trusted through ca_file, then AUTH PLAIN over TLS") {
    // require_tls defaults to true; the certificate is trusted through ca_file.
    EmailNotifier n(LoadEmail(server.port(),
                              "    auth_username: user\n"
                              "    auth_password: secret\n"
                              "    tls_config:\n"
                              "      ca_file: " +
                                  dir.Sub("cert.pem") + "\n"),
                    Templates(), nullptr, nullptr);
    base::Status st = n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
    INFO(st.ToString());
    CHECK(st.ok());
    CHECK(server.tls_sessions() == 1);
    CHECK(server.commands() ==
          std::vector<std::string>{
              "EHLO localhost", "STARTTLS", "EHLO localhost", "AUTH PLAIN AHVzZXIAc2VjcmV0",
              "MAIL FROM:<am@example.com> BODY=8BITMIME", "RCPT TO:<ops@example.com>",
              "RCPT TO:<dev@example.com>", "DATA", "QUIT"});
    CHECK(server.messages().size() == 1);
  }
  SECTION("untrusted certificate") {
    EmailNotifier n(LoadEmail(server.port(), ""), Templates(), nullptr, nullptr);
    base::Status st = n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
    CHECK(st.message().rfind("send STARTTLS command: tls: failed to verify certificate: ", 0) == 0);
    CHECK(retry);
    CHECK(server.messages().empty());
  }
  SECTION("insecure_skip_verify") {
    EmailNotifier n(LoadEmail(server.port(), "    tls_config:\n      insecure_skip_verify: true\n"),
                    Templates(), nullptr, nullptr);
    CHECK(n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
    CHECK(server.messages().size() == 1);
  }
}

TEST_CASE("email failures and their retry decisions", "[alerting][notify][email]") {
  bool retry = false;
  SECTION("bad credentials") {
    SmtpServer::Options o;
    o.user = "user";
    o.password = "secret";
    SmtpServer server(o);
    EmailNotifier n(LoadEmail(server.port(),
                              "    require_tls: false\n    auth_username: user\n"
                              "    auth_password: wrong\n"),
                    Templates(), nullptr, nullptr);
    base::Status st = n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
    CHECK(st.message() == "*smtp.plainAuth auth: 535 5.7.8 Authentication credentials invalid");
    CHECK(retry);
    CHECK(server.messages().empty());
  }
  SECTION("no usable mechanism") {
    SmtpServer::Options o;
    o.user = "user";
    o.mechanisms = "PLAIN";
    SmtpServer server(o);
    EmailNotifier n(LoadEmail(server.port(), "    require_tls: false\n    auth_username: user\n"),
                    Templates(), nullptr, nullptr);
    CHECK(n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).message() ==
          "find auth mechanism: missing password for PLAIN auth mechanism");
  }
  SECTION("rejected recipient") {
    SmtpServer::Options o;
    o.rcpt_code = 550;
    SmtpServer server(o);
    EmailNotifier n(LoadEmail(server.port(), "    require_tls: false\n"), Templates(), nullptr,
                    nullptr);
    CHECK(n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).message() ==
          "send RCPT command: 550 5.1.1 Recipient address rejected");
    CHECK(retry);
  }
  SECTION("require_tls without STARTTLS") {
    SmtpServer server({});
    EmailNotifier n(LoadEmail(server.port(), ""), Templates(), nullptr, nullptr);
    CHECK(n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).message() ==
          "'require_tls' is true (default) but \"127.0.0.1:" + std::to_string(server.port()) +
              "\" does not advertise the STARTTLS extension");
    CHECK(retry);
  }
  SECTION("template error") {
    SmtpServer server({});
    EmailNotifier n(LoadEmail(server.port(), "    require_tls: false\n    html: '{{ .Nope }}'\n"),
                    Templates(), nullptr, nullptr);
    base::Status st = n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
    CHECK(st.message().rfind("execute html template: template: :1:3: executing", 0) == 0);
    CHECK_FALSE(retry);
    CHECK(server.messages().empty());
  }
  SECTION("connection refused") {
    int port;
    {
      SmtpServer gone({});
      port = gone.port();
    }
    EmailNotifier n(LoadEmail(port, "    require_tls: false\n"), Templates(), nullptr, nullptr);
    CHECK(n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).message() ==
          "establish connection to server: dial tcp 127.0.0.1:" + std::to_string(port) +
              ": connect: connection refused");
    CHECK(retry);
  }
  SECTION("a server that stops answering") {
    SmtpServer::Options o;
    o.hang_after_greeting = true;
    SmtpServer server(o);
    EmailNotifier n(LoadEmail(server.port(), "    require_tls: false\n"), Templates(), nullptr,
                    nullptr, std::chrono::milliseconds(300));
    CHECK(n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).message() ==
          "send EHLO command: read: i/o timeout");
    CHECK(retry);
  }
}

}  // namespace
}  // namespace alerting::notify

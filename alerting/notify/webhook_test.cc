// The webhook notifier against a local HTTP sink: the exact body, headers, max_alerts,
// url_file, retry decisions and an unreachable peer.
#include "alerting/notify/webhook.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "alerting/notify/test_util.h"
#include "tests/testutil/temp_dir.h"

namespace alerting::notify {
namespace {

using testing::HttpSink;

config::WebhookConfig Config(const std::string& url) {
  config::WebhookConfig c;
  c.url = config::ParseUrl(url).value();
  return c;
}

std::string Fp(const AlertPtr& a) { return FingerprintString(a->fingerprint()); }

TEST_CASE("webhook posts Alertmanager's version 4 message", "[alerting][notify][webhook]") {
  HttpSink sink;
  WebhookNotifier n(Config(sink.Url("/hook?x=1")), "Alertmanager/0.25.0");
  const Alerts alerts = testing::MixedGroup();
  bool retry = true;
  REQUIRE(n.Notify(testing::MakeContext(), alerts, &retry).ok());
  CHECK_FALSE(retry);
  auto reqs = sink.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].path == "/hook");
  CHECK(reqs[0].query == "x=1");
  CHECK(reqs[0].Header("Content-Type") == "application/json");
  CHECK(reqs[0].Header("User-Agent") == "Alertmanager/0.25.0");
  const std::string want =
      R"({"receiver":"team-x","status":"firing","alerts":[)"
      R"({"status":"firing","labels":{"alertname":"HighLoad","instance":"a:9100","severity":"page"},)"
      R"("annotations":{"summary":"load is high"},"startsAt":"2024-03-10T11:30:15.123Z",)"
      R"("endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom:9090/graph?g0.expr=up",)"
      R"("fingerprint":")" +
      Fp(alerts[0]) +
      R"("},)"
      R"({"status":"resolved","labels":{"alertname":"HighLoad","instance":"b:9100","severity":"page"},)"
      R"("annotations":{"summary":"load was high"},"startsAt":"2024-03-10T10:30:15.123Z",)"
      R"("endsAt":"2024-03-10T11:45:00Z","generatorURL":"http://prom:9090/graph?g0.expr=up",)"
      R"("fingerprint":")" +
      Fp(alerts[1]) +
      R"("}],)"
      R"("groupLabels":{"alertname":"HighLoad"},"commonLabels":{"alertname":"HighLoad","severity":"page"},)"
      R"("commonAnnotations":{},"externalURL":"http://am:9093","version":"4",)"
      R"("groupKey":"{}:{alertname=\"HighLoad\"}","truncatedAlerts":0})"
      "\n";
  CHECK(reqs[0].body == want);
  // Fingerprints are the label set's FNV-1a hash as 16 hex digits.
  CHECK(Fp(alerts[0]).size() == 16);
}

TEST_CASE("webhook max_alerts truncates and counts", "[alerting][notify][webhook]") {
  HttpSink sink;
  config::WebhookConfig c = Config(sink.Url("/"));
  c.max_alerts = 1;
  WebhookNotifier n(c, "UA");
  bool retry = false;
  REQUIRE(n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
  const std::string body = sink.requests().at(0).body;
  CHECK(body.find(R"("truncatedAlerts":1})") != std::string::npos);
  CHECK(body.find("b:9100") == std::string::npos);
  // Status and common labels are those of the alerts sent.
  CHECK(body.find(
            R"("commonLabels":{"alertname":"HighLoad","instance":"a:9100","severity":"page"})") !=
        std::string::npos);
}

TEST_CASE("webhook reads url_file at each notification", "[alerting][notify][webhook]") {
  HttpSink sink;
  testutil::TempDir dir;
  std::ofstream(dir.Sub("url")) << "  " << sink.Url("/from-file") << "\n";
  config::WebhookConfig c;
  c.url_file = dir.Sub("url");
  WebhookNotifier n(c, "UA");
  bool retry = false;
  REQUIRE(n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
  CHECK(sink.requests().at(0).path == "/from-file");

  c.url_file = dir.Sub("missing");
  WebhookNotifier missing(c, "UA");
  base::Status st = missing.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
  CHECK(st.message().rfind("read url_file: open " + dir.Sub("missing"), 0) == 0);
  CHECK_FALSE(retry);
}

TEST_CASE("webhook retries 5xx and connection errors, not 4xx", "[alerting][notify][webhook]") {
  HttpSink sink;
  const std::string url = sink.Url("/");
  WebhookNotifier n(Config(url), "UA");
  bool retry = false;

  sink.Reply(500, "boom");
  base::Status st = n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
  CHECK(st.message() == "unexpected status code 500: " + url + ": boom");
  CHECK(retry);

  sink.Reply(400, "bad");
  st = n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
  CHECK(st.message() == "unexpected status code 400: " + url + ": bad");
  CHECK_FALSE(retry);

  sink.Reply(429, "");
  st = n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
  CHECK(!st.ok());
  CHECK_FALSE(retry);  // Alertmanager's webhook retries 5xx only

  // A port nobody listens on: the connection is refused, the URL is redacted, retry.
  int dead_port;
  {
    HttpSink gone;
    dead_port = gone.port();
  }
  WebhookNotifier dead(Config("http://127.0.0.1:" + std::to_string(dead_port) + "/"), "UA");
  st = dead.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
  CHECK(st.message().rfind("Post \"<redacted>\": ", 0) == 0);
  CHECK(retry);
}

TEST_CASE("webhook gives up on a peer that never answers", "[alerting][notify][webhook]") {
  // A listening socket that never accepts: the request times out instead of hanging.
  testing::SmtpServer::Options o;
  o.hang_after_greeting = true;
  testing::SmtpServer silent(o);  // speaks SMTP, never HTTP: the HTTP reply never comes
  WebhookNotifier n(Config("http://127.0.0.1:" + std::to_string(silent.port()) + "/"), "UA",
                    std::chrono::milliseconds(300));
  bool retry = false;
  base::Status st = n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
  CHECK(!st.ok());
  CHECK(retry);
}

TEST_CASE("webhook sends basic auth and authorization from http_config",
          "[alerting][notify][webhook]") {
  HttpSink sink;
  config::WebhookConfig c = Config(sink.Url("/"));
  auto http = std::make_shared<config::HttpClientConfig>();
  http->basic_auth = config::BasicAuth{"user", {"pass"}, ""};
  c.http_config = http;
  WebhookNotifier basic(c, "UA");
  bool retry = false;
  REQUIRE(basic.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
  CHECK(sink.requests().back().Header("Authorization") == "Basic dXNlcjpwYXNz");

  auto bearer = std::make_shared<config::HttpClientConfig>();
  bearer->authorization = config::Authorization{"Bearer", {"tok"}, ""};
  c.http_config = bearer;
  WebhookNotifier with_token(c, "UA");
  REQUIRE(with_token.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
  CHECK(sink.requests().back().Header("Authorization") == "Bearer tok");
}

TEST_CASE("webhook over https trusts the configured CA", "[alerting][notify][webhook]") {
  testutil::TempDir dir;
  testing::WriteSelfSignedCert(dir.path());
  httplib::SSLServer server(dir.Sub("cert.pem").c_str(), dir.Sub("key.pem").c_str());
  REQUIRE(server.is_valid());
  std::mutex mu;
  std::vector<std::string> got;
  server.Post("/secure", [&](const httplib::Request& req, httplib::Response&) {
    std::lock_guard<std::mutex> l(mu);
    got.push_back(req.body);
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  config::WebhookConfig c = Config("https://127.0.0.1:" + std::to_string(port) + "/secure");
  bool retry = false;
  {
    // Not trusted: the handshake fails and the attempt may be retried.
    WebhookNotifier n(c, "UA");
    CHECK(!n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry).ok());
    CHECK(retry);
  }
  auto http = std::make_shared<config::HttpClientConfig>();
  http->tls_config.ca_file = dir.Sub("cert.pem");
  c.http_config = http;
  WebhookNotifier n(c, "UA");
  base::Status st = n.Notify(testing::MakeContext(), testing::MixedGroup(), &retry);
  INFO(st.ToString());
  CHECK(st.ok());
  server.stop();
  thread.join();
  REQUIRE(got.size() == 1);  // only the trusted attempt got through
  CHECK(got[0].find(R"("version":"4")") != std::string::npos);
}

}  // namespace
}  // namespace alerting::notify

// Alertmanager API v2 through real HTTP: a web::Server on 127.0.0.1 (any free port) over a real
// alerting::Alertmanager in a temporary directory, asked with httplib::Client. Bodies are the
// bytes Alertmanager 0.25 answers (go-swagger: JSON and a newline; go-openapi errors as
// {"code":..,"message":..}).
#include <httplib.h>

#include <catch2/catch.hpp>
#include <memory>
#include <regex>
#include <string>

#include "alerting/alertmanager.h"
#include "alerting/config/config.h"
#include "alerting/fingerprint.h"
#include "base/json_writer.h"
#include "storage/querier.h"
#include "tests/testutil/temp_dir.h"
#include "web/server.h"

namespace web {
namespace {

constexpr const char* kConfig =
    "route:\n"
    "  receiver: default\n"
    "  group_by: [alertname]\n"
    "  routes:\n"
    "    - receiver: team-a\n"
    "      matchers: ['team=\"a\"']\n"
    "receivers:\n"
    "  - name: default\n"
    "  - name: team-a\n";

std::shared_ptr<const alerting::config::Config> LoadConfig(const std::string& yaml) {
  auto cfg = alerting::config::Load(yaml);
  REQUIRE(cfg.has_value());
  return std::make_shared<const alerting::config::Config>(std::move(*cfg));
}

// A running Alertmanager behind a standalone server (no queryable), or behind a Prometheus-mode
// server when `queryable` is given.
struct Fixture {
  explicit Fixture(storage::Queryable* queryable = nullptr,
                   std::function<base::Status()> reload = nullptr) {
    alerting::AlertmanagerOptions ao;
    ao.storage_path = dir.Sub("am");
    am = std::make_unique<alerting::Alertmanager>(ao);
    REQUIRE(am->Open().ok());
    REQUIRE(am->ApplyConfig(LoadConfig(kConfig)).ok());
    Server::Options o;
    o.listen_address = "127.0.0.1:0";
    o.queryable = queryable;
    o.alertmanager = am.get();
    o.reload = std::move(reload);
    o.build_info = {"1.2.3", "abc", "main", "me", "20260101", "gcc 12"};
    o.ready = true;
    server = std::make_unique<Server>(std::move(o));
    REQUIRE(server->Start().ok());
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
  }
  ~Fixture() {
    server->Stop();
    am->Stop();
  }

  httplib::Result Post(const std::string& path, const std::string& body,
                       const std::string& type = "application/json") {
    return client->Post(path, body, type);
  }

  testutil::TempDir dir;
  std::unique_ptr<alerting::Alertmanager> am;
  std::unique_ptr<Server> server;
  std::unique_ptr<httplib::Client> client;
};

std::string Fp(std::initializer_list<std::pair<std::string_view, std::string_view>> labels) {
  return alerting::FingerprintString(alerting::Fingerprint(model::Labels(labels)));
}

// Replaces the values of the time fields that depend on the clock.
std::string MaskTimes(const std::string& body) {
  static const std::regex re(R"re("(updatedAt|uptime)":"[^"]*")re");
  return std::regex_replace(body, re, "\"$1\":\"T\"");
}

TEST_CASE("POST and GET /api/v2/alerts: gettableAlert JSON sorted by fingerprint",
          "[web][alertmanager]") {
  Fixture f;
  auto post =
      f.Post("/api/v2/alerts",
             R"([{"labels":{"alertname":"B","team":"a"},"annotations":{"summary":"<b>"},)"
             R"("startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00.5Z",)"
             R"("generatorURL":"http://prom/graph"},)"
             R"({"labels":{"alertname":"A","empty":""},"startsAt":"2026-01-01T00:00:00.123+01:00",)"
             R"("endsAt":"2099-01-01T00:00:00Z"}])");
  REQUIRE(post);
  CHECK(post->status == 200);
  CHECK(post->body.empty());

  auto get = f.client->Get("/api/v2/alerts");
  REQUIRE(get);
  CHECK(get->status == 200);
  CHECK(get->get_header_value("Content-Type") == "application/json");
  std::string fa = Fp({{"alertname", "A"}}), fb = Fp({{"alertname", "B"}, {"team", "a"}});
  std::string a = R"({"annotations":{},"endsAt":"2099-01-01T00:00:00.000Z","fingerprint":")" + fa +
                  R"(","receivers":[{"name":"default"}],"startsAt":"2025-12-31T23:00:00.123Z",)"
                  R"("status":{"inhibitedBy":[],"silencedBy":[],"state":"active"},"updatedAt":"T",)"
                  R"("labels":{"alertname":"A"}})";
  std::string b =
      R"({"annotations":{"summary":"\u003cb\u003e"},"endsAt":"2099-01-01T00:00:00.500Z",)"
      R"("fingerprint":")" +
      fb +
      R"(","receivers":[{"name":"team-a"}],"startsAt":"2026-01-01T00:00:00.000Z",)"
      R"("status":{"inhibitedBy":[],"silencedBy":[],"state":"active"},"updatedAt":"T",)"
      R"("generatorURL":"http://prom/graph","labels":{"alertname":"B","team":"a"}})";
  CHECK(MaskTimes(get->body) == "[" + (fa < fb ? a + "," + b : b + "," + a) + "]\n");

  SECTION("filter and receiver") {
    auto r = f.client->Get("/api/v2/alerts?filter=team%3D%22a%22");
    REQUIRE(r);
    CHECK(r->body.find("\"alertname\":\"B\"") != std::string::npos);
    CHECK(r->body.find("\"alertname\":\"A\"") == std::string::npos);
    r = f.client->Get("/api/v2/alerts?receiver=def.*");
    REQUIRE(r);
    CHECK(r->body.find("\"alertname\":\"A\"") != std::string::npos);
    CHECK(r->body.find("\"alertname\":\"B\"") == std::string::npos);
    r = f.client->Get("/api/v2/alerts?active=false");
    REQUIRE(r);
    CHECK(r->body == "[]\n");
  }
  SECTION("bad filter and receiver: 400 with Alertmanager's text") {
    auto r = f.client->Get("/api/v2/alerts?filter=%3Dfoo");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->body == "\"bad matcher format: =foo\"\n");
    r = f.client->Get("/api/v2/alerts?receiver=(");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->body.starts_with(
        "\"failed to parse receiver param: error parsing regexp: missing closing ): "));
  }
  SECTION("groups") {
    auto r = f.client->Get("/api/v2/alerts/groups");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.find(R"("labels":{"alertname":"A"},"receiver":{"name":"default"}})") !=
          std::string::npos);
    CHECK(r->body.find(R"("labels":{"alertname":"B"},"receiver":{"name":"team-a"}})") !=
          std::string::npos);
    r = f.client->Get("/api/v2/alerts/groups?receiver=team-a");
    REQUIRE(r);
    CHECK(r->body.find("\"alertname\":\"A\"") == std::string::npos);
    CHECK(r->body.find("\"alertname\":\"B\"") != std::string::npos);
  }
}

TEST_CASE("POST /api/v2/alerts rejects what Alertmanager rejects", "[web][alertmanager]") {
  Fixture f;
  struct Case {
    std::string body, type;
    int status;
    std::string answer;
  };
  auto c = GENERATE(
      Case{"[{]", "application/json", 400,
           R"({"code":400,"message":"parsing alerts body from \"\" failed, because invalid )"
           R"(character ']' looking for beginning of object key string"})"},
      Case{"", "application/json", 422, R"({"code":602,"message":"alerts in body is required"})"},
      Case{"[{}]", "application/json", 422,
           R"({"code":602,"message":"0.labels in body is required"})"},
      Case{R"({"labels":{}})", "application/json", 400,
           R"({"code":400,"message":"parsing alerts body from \"\" failed, because json: )"
           R"(cannot unmarshal object into Go value of type models.PostableAlerts"})"},
      Case{R"([{"labels":{"a":1}}])", "application/json", 400,
           R"({"code":400,"message":"parsing alerts body from \"\" failed, because json: )"
           R"(cannot unmarshal number into Go struct field Alert.labels of type string"})"},
      Case{R"([{"labels":{"a":"b"},"startsAt":"yesterday"}])", "application/json", 400,
           R"({"code":400,"message":"parsing alerts body from \"\" failed, because parsing )"
           R"(time \"yesterday\" as \"2006-01-02 15:04:05\": cannot parse \"yesterday\" as )"
           R"(\"2006\""})"},
      Case{"[]", "text/plain", 415,
           R"({"code":415,"message":"unsupported media type \"text/plain\", only )"
           R"([application/json] are allowed"})"});
  auto r = f.Post("/api/v2/alerts", c.body, c.type);
  REQUIRE(r);
  CHECK(r->status == c.status);
  CHECK(r->body == c.answer);
}

TEST_CASE("POST /api/v2/alerts: invalid alerts are a 400, valid ones of the batch are taken",
          "[web][alertmanager]") {
  Fixture f;
  auto r =
      f.Post("/api/v2/alerts", R"([{"labels":{"alertname":"ok"}},{"labels":{"bad-name":"x"}}])");
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(r->body.starts_with("\""));
  CHECK(r->body.find("bad-name") != std::string::npos);
  auto get = f.client->Get("/api/v2/alerts");
  REQUIRE(get);
  CHECK(get->body.find("\"alertname\":\"ok\"") != std::string::npos);
}

TEST_CASE("Silences: create, get, list, filter, update, expire, errors", "[web][alertmanager]") {
  Fixture f;
  const std::string silence =
      R"({"matchers":[{"name":"alertname","value":"A","isRegex":false}],)"
      R"("startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z",)"
      R"("createdBy":"me","comment":"<maintenance>"})";
  auto created = f.Post("/api/v2/silences", silence);
  REQUIRE(created);
  REQUIRE(created->status == 200);
  std::smatch m;
  REQUIRE(
      std::regex_match(created->body, m, std::regex(R"re(\{"silenceID":"([0-9a-f-]{36})"\}\n)re")));
  const std::string id = m[1];

  auto get = f.client->Get("/api/v2/silence/" + id);
  REQUIRE(get);
  CHECK(get->status == 200);
  // A silence starting in the past starts now.
  std::string body = std::regex_replace(
      MaskTimes(get->body), std::regex(R"re("startsAt":"[^"]*")re"), "\"startsAt\":\"S\"");
  CHECK(body ==
        R"({"id":")" + id +
            R"(","status":{"state":"active"},"updatedAt":"T","comment":"\u003cmaintenance\u003e",)"
            R"("createdBy":"me","endsAt":"2099-01-01T00:00:00.000Z","matchers":[{"isEqual":true,)"
            R"("isRegex":false,"name":"alertname","value":"A"}],"startsAt":"S"})"
            "\n");

  // The silenced alert reports it.
  REQUIRE(f.Post("/api/v2/alerts", R"([{"labels":{"alertname":"A"}}])")->status == 200);
  auto alerts = f.client->Get("/api/v2/alerts");
  REQUIRE(alerts);
  CHECK(alerts->body.find(R"("status":{"inhibitedBy":[],"silencedBy":[")" + id +
                          R"("],"state":"suppressed"})") != std::string::npos);
  CHECK(f.client->Get("/api/v2/alerts?silenced=false")->body == "[]\n");

  auto list = f.client->Get("/api/v2/silences?filter=alertname%3D%22A%22");
  REQUIRE(list);
  CHECK(list->body.find(id) != std::string::npos);
  list = f.client->Get("/api/v2/silences?filter=alertname%3D~%22A%22");
  REQUIRE(list);
  CHECK(list->body == "[]\n");

  SECTION("update: in place with the same start, replaced (new id) otherwise") {
    std::smatch start;
    REQUIRE(std::regex_search(get->body, start, std::regex(R"re("startsAt":"([^"]*)")re")));
    std::string update = silence;
    update.insert(1, R"("id":")" + id + R"(",)");
    update.replace(update.find("2026-01-01T00:00:00Z"), 20, start[1].str());
    update.replace(update.find("<maintenance>"), 13, "longer");
    auto r = f.Post("/api/v2/silences", update);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == R"({"silenceID":")" + id + "\"}\n");
    CHECK(f.client->Get("/api/v2/silence/" + id)->body.find(R"("comment":"longer")") !=
          std::string::npos);

    update.replace(update.find("\"alertname\""), 11, "\"instance\"");
    r = f.Post("/api/v2/silences", update);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.find(id) == std::string::npos);
    CHECK(f.client->Get("/api/v2/silence/" + id)->body.find(R"("state":"expired")") !=
          std::string::npos);
  }
  SECTION("expire") {
    auto del = f.client->Delete("/api/v2/silence/" + id);
    REQUIRE(del);
    CHECK(del->status == 200);
    CHECK(del->body.empty());
    CHECK(f.client->Get("/api/v2/silence/" + id)->body.find(R"("state":"expired")") !=
          std::string::npos);
  }
  SECTION("errors") {
    const std::string unknown = "00000000-0000-4000-8000-000000000000";
    std::string update = silence;
    update.insert(1, R"("id":")" + unknown + R"(",)");
    auto r = f.Post("/api/v2/silences", update);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body == "\"silence not found\"\n");

    r = f.client->Get("/api/v2/silence/" + unknown);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body.empty());
    r = f.client->Get("/api/v2/silence/nope");
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(r->body ==
          R"({"code":601,"message":"silenceID in path must be of type uuid: \"nope\""})");
    // Alertmanager 0.25 answers an unknown id on DELETE with 500.
    r = f.client->Delete("/api/v2/silence/" + unknown);
    REQUIRE(r);
    CHECK(r->status == 500);
    CHECK(r->body == "\"silence not found\"\n");

    std::string reversed = silence;
    reversed.replace(reversed.find("2099"), 4, "2025");
    r = f.Post("/api/v2/silences", reversed);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->body == "\"Failed to create silence: start time must be before end time\"\n");

    r = f.Post(
        "/api/v2/silences",
        R"({"matchers":[],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z",)"
        R"("createdBy":"me","comment":"c"})");
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(r->body == R"({"code":612,"message":"matchers in body should have at least 1 items"})");
    r = f.Post("/api/v2/silences", R"({"matchers":[{"name":"a","value":"b","isRegex":false}]})");
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(r->body == R"({"code":602,"message":"comment in body is required"})");

    r = f.Post("/api/v2/silences",
               R"({"matchers":[{"name":"a","value":"","isRegex":false}],)"
               R"("startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z",)"
               R"("createdBy":"me","comment":"c"})");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->body.starts_with("\"silence invalid: "));
  }
}

TEST_CASE("GET /api/v2/status and /api/v2/receivers", "[web][alertmanager]") {
  Fixture f;
  auto r = f.client->Get("/api/v2/status");
  REQUIRE(r);
  CHECK(r->status == 200);
  std::string original;
  base::AppendJsonString(&original, alerting::config::ToYaml(*f.am->config()),
                         base::Escaping::kLabels);
  CHECK(MaskTimes(r->body) ==
        R"({"cluster":{"peers":[],"status":"disabled"},"config":{"original":)" + original +
            R"(},"uptime":"T","versionInfo":{"branch":"main","buildDate":"20260101",)"
            R"("buildUser":"me","goVersion":"gcc 12","revision":"abc","version":"1.2.3"}})"
            "\n");
  r = f.client->Get("/api/v2/receivers");
  REQUIRE(r);
  CHECK(r->body == R"([{"name":"default"},{"name":"team-a"}])"
                   "\n");
}

TEST_CASE("Unknown API v2 paths and methods answer as go-openapi", "[web][alertmanager]") {
  Fixture f;
  auto r = f.client->Get("/api/v2/nothing");
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(r->body == R"({"code":404,"message":"path /api/v2/nothing was not found"})");
  r = f.client->Delete("/api/v2/alerts");
  REQUIRE(r);
  CHECK(r->status == 405);
  CHECK(r->get_header_value("Allow") == "POST,GET");
  CHECK(r->body == R"({"code":405,"message":"method DELETE is not allowed, but [POST,GET] are"})");
  r = f.Post("/api/v2/silence/00000000-0000-4000-8000-000000000000", "{}");
  REQUIRE(r);
  CHECK(r->status == 405);
  CHECK(r->body == R"({"code":405,"message":"method POST is not allowed, but [GET,DELETE] are"})");
}

TEST_CASE("A standalone Alertmanager serves /-/healthy, /-/ready, /-/reload, not /api/v1",
          "[web][alertmanager]") {
  bool fail = false;
  int reloads = 0;
  Fixture f(nullptr, [&]() -> base::Status {
    ++reloads;
    if (fail) return base::InvalidArgument("bad config");
    return base::Status::Ok();
  });
  CHECK(f.client->Get("/-/healthy")->body == "OK");
  CHECK(f.client->Get("/-/ready")->body == "OK");
  auto r = f.client->Post("/-/reload", "", "text/plain");
  REQUIRE(r);
  CHECK(r->status == 200);
  fail = true;
  r = f.client->Post("/-/reload", "", "text/plain");
  REQUIRE(r);
  CHECK(r->status == 500);
  CHECK(r->body == "failed to reload config: bad config\n");
  CHECK(reloads == 2);
  CHECK(f.client->Get("/api/v1/labels")->status == 404);
  CHECK(f.client->Get("/metrics")->status == 200);
}

class EmptyQuerier final : public storage::Querier {
 public:
  std::unique_ptr<storage::SeriesSet> Select(bool, const storage::SelectHints*,
                                             const std::vector<model::Matcher>&) override {
    return std::make_unique<storage::EmptySeriesSet>();
  }
  base::Result<std::vector<std::string>> LabelNames(const storage::LabelHints&,
                                                    const std::vector<model::Matcher>&) override {
    return std::vector<std::string>{};
  }
  base::Result<std::vector<std::string>> LabelValues(const std::string&, const storage::LabelHints&,
                                                     const std::vector<model::Matcher>&) override {
    return std::vector<std::string>{};
  }
};

class EmptyQueryable final : public storage::Queryable {
 public:
  base::Result<std::unique_ptr<storage::Querier>> NewQuerier(model::Timestamp,
                                                             model::Timestamp) override {
    return std::unique_ptr<storage::Querier>(std::make_unique<EmptyQuerier>());
  }
};

TEST_CASE("Inside the Prometheus server, API v2 is mounted beside /api/v1", "[web][alertmanager]") {
  EmptyQueryable q;
  Fixture f(&q);
  CHECK(f.client->Get("/api/v1/labels")->body == R"({"status":"success","data":[]})");
  CHECK(f.client->Get("/api/v2/receivers")->body == R"([{"name":"default"},{"name":"team-a"}])"
                                                    "\n");
  CHECK(f.client->Get("/-/healthy")->body == "Prometheus Server is Healthy.\n");
  REQUIRE(f.Post("/api/v2/alerts", R"([{"labels":{"alertname":"X"}}])")->status == 200);
  CHECK(f.client->Get("/api/v2/alerts")->body.find("\"alertname\":\"X\"") != std::string::npos);
}

}  // namespace
}  // namespace web

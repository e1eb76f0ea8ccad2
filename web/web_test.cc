// End-to-end tests of the HTTP server: a real Server on 127.0.0.1 with an ephemeral port, an
// in-memory fake storage, and httplib::Client. Expected bodies are the exact bytes Prometheus
// answers for the same data and request.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <snappy.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "config/config.h"
#include "model/labels.h"
#include "remote_write/prompb/remote.pb.h"
#include "scrape/manager.h"
#include "web/server.h"

namespace web {
namespace {

using base::StatusCode;

// ---------------------------------------------------------------------------------------------
// An in-memory storage: series with samples, appended through Appenders, read through Queriers.

struct FakeSeriesData {
  model::Labels labels;
  std::vector<model::Sample> samples;
};

class FakeSeries final : public storage::Series {
 public:
  explicit FakeSeries(FakeSeriesData d) : d_(std::move(d)) {}
  const model::Labels& labels() const override { return d_.labels; }
  std::unique_ptr<storage::SampleIterator> NewIterator(
      std::unique_ptr<storage::SampleIterator>) const override {
    return std::make_unique<storage::VectorIterator>(d_.samples);
  }

 private:
  FakeSeriesData d_;
};

class FakeSeriesSet final : public storage::SeriesSet {
 public:
  explicit FakeSeriesSet(std::vector<FakeSeriesData> s) {
    for (auto& d : s) series_.emplace_back(std::move(d));
  }
  bool Next() override { return ++i_ < series_.size(); }
  storage::Series& At() override { return series_[i_]; }

 private:
  std::vector<FakeSeries> series_;
  size_t i_ = static_cast<size_t>(-1);
};

bool MatchesAll(const model::Labels& ls, const std::vector<model::Matcher>& ms) {
  for (const auto& m : ms)
    if (!m.Matches(ls.Get(m.name()))) return false;
  return true;
}

class FakeQuerier final : public storage::Querier {
 public:
  FakeQuerier(std::vector<FakeSeriesData> all, model::Timestamp mint, model::Timestamp maxt) {
    // Series with a sample in [mint, maxt], sorted by labels.
    for (auto& s : all) {
      if (std::any_of(s.samples.begin(), s.samples.end(),
                      [&](const model::Sample& x) { return x.t >= mint && x.t <= maxt; })) {
        series_.push_back(std::move(s));
      }
    }
    std::sort(series_.begin(), series_.end(),
              [](const auto& a, const auto& b) { return a.labels < b.labels; });
  }
  std::unique_ptr<storage::SeriesSet> Select(bool, const storage::SelectHints*,
                                             const std::vector<model::Matcher>& ms) override {
    std::vector<FakeSeriesData> out;
    for (const auto& s : series_)
      if (MatchesAll(s.labels, ms)) out.push_back(s);
    return std::make_unique<FakeSeriesSet>(std::move(out));
  }
  base::Result<std::vector<std::string>> LabelNames(
      const storage::LabelHints& hints, const std::vector<model::Matcher>& ms) override {
    std::set<std::string> names;
    for (const auto& s : series_)
      if (MatchesAll(s.labels, ms))
        for (const auto& l : s.labels) names.emplace(l.name);
    return Limit(names, hints.limit);
  }
  base::Result<std::vector<std::string>> LabelValues(
      const std::string& name, const storage::LabelHints& hints,
      const std::vector<model::Matcher>& ms) override {
    std::set<std::string> values;
    for (const auto& s : series_)
      if (MatchesAll(s.labels, ms) && s.labels.Has(name)) values.emplace(s.labels.Get(name));
    return Limit(values, hints.limit);
  }

 private:
  static std::vector<std::string> Limit(const std::set<std::string>& s, size_t limit) {
    std::vector<std::string> v(s.begin(), s.end());
    if (limit > 0 && v.size() > limit) v.resize(limit);
    return v;
  }
  std::vector<FakeSeriesData> series_;
};

class FakeStorage;

class FakeAppender final : public storage::Appender {
 public:
  explicit FakeAppender(FakeStorage* s) : storage_(s) {}
  base::Result<storage::SeriesRef> Append(storage::SeriesRef, const model::Labels& labels,
                                          model::Timestamp t, double v,
                                          const storage::AppendOptions&) override;
  base::Status Commit() override;
  void Rollback() override { staged_.clear(); }

 private:
  FakeStorage* storage_;
  std::vector<std::pair<model::Labels, model::Sample>> staged_;
};

class FakeStorage final : public storage::Queryable, public storage::Appendable {
 public:
  void Add(model::Labels ls, std::vector<model::Sample> samples) {
    std::lock_guard lock(mu_);
    auto& s = series_[ls.ToString()];
    s.labels = std::move(ls);
    s.samples.insert(s.samples.end(), samples.begin(), samples.end());
  }
  base::Result<std::unique_ptr<storage::Querier>> NewQuerier(model::Timestamp mint,
                                                             model::Timestamp maxt) override {
    std::lock_guard lock(mu_);
    last_mint = mint;
    last_maxt = maxt;
    std::vector<FakeSeriesData> all;
    for (const auto& [k, v] : series_) all.push_back(v);
    return std::unique_ptr<storage::Querier>(
        std::make_unique<FakeQuerier>(std::move(all), mint, maxt));
  }
  std::unique_ptr<storage::Appender> NewAppender() override {
    return std::make_unique<FakeAppender>(this);
  }

  // The newest timestamp of a series, or nullopt.
  std::optional<model::Sample> Last(const model::Labels& ls) {
    std::lock_guard lock(mu_);
    auto it = series_.find(ls.ToString());
    if (it == series_.end() || it->second.samples.empty()) return std::nullopt;
    return it->second.samples.back();
  }

  base::Status commit_error;  // what Commit returns, when set
  model::Timestamp last_mint = 0, last_maxt = 0;

 private:
  std::mutex mu_;
  std::map<std::string, FakeSeriesData> series_;
};

base::Result<storage::SeriesRef> FakeAppender::Append(storage::SeriesRef,
                                                      const model::Labels& labels,
                                                      model::Timestamp t, double v,
                                                      const storage::AppendOptions&) {
  if (auto last = storage_->Last(labels)) {
    if (t < last->t) return base::Status(StatusCode::kOutOfOrder, "out of order sample");
    if (t == last->t && v != last->v) {
      return base::Status(StatusCode::kDuplicateSample, "duplicate sample for timestamp");
    }
  }
  staged_.emplace_back(labels, model::Sample{t, v});
  return storage::SeriesRef{1};
}

base::Status FakeAppender::Commit() {
  if (!storage_->commit_error.ok()) return storage_->commit_error;
  for (auto& [ls, s] : staged_) storage_->Add(ls, {s});
  staged_.clear();
  return base::Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// The server under test.

tsdb::HeadStats TestHeadStats(size_t limit) {
  tsdb::HeadStats s;
  s.num_series = 4;
  s.num_label_pairs = 7;
  s.chunk_count = 5;
  s.min_time = 1000;
  s.max_time = 5000;
  s.series_count_by_metric_name = {{"up", 2}, {"go_goroutines", 1}, {"process_start", 1}};
  s.series_count_by_metric_name.resize(std::min<size_t>(limit, 3));
  s.label_value_count_by_label_name = {{"job", 3}, {"instance", 2}};
  s.memory_in_bytes_by_label_name = {{"instance", 19}};
  s.series_count_by_label_value_pair = {{"job=prometheus", 2}};
  return s;
}

// Lines the server logs, kept in a temporary file.
struct LogCapture {
  LogCapture() : file(std::tmpfile()), logger(base::Logger::Level::kInfo, file) {}
  ~LogCapture() { std::fclose(file); }
  std::string Read() {
    std::fflush(file);
    std::rewind(file);
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, file)) > 0;) out.append(buf, n);
    return out;
  }
  std::FILE* file;
  base::Logger logger;
};

struct TestServer {
  explicit TestServer(const std::function<void(Server::Options&)>& tweak = {}) {
    storage.Add({{"__name__", "up"}, {"job", "prometheus"}, {"instance", "localhost:9090"}},
                {{1000, 1}, {2000, 1}, {3000, 1}});
    storage.Add({{"__name__", "up"}, {"job", "node"}, {"instance", "a<b>"}}, {{2000, 0}});
    storage.Add(
        {{"__name__", "go_goroutines"}, {"job", "prometheus"}, {"instance", "localhost:9090"}},
        {{5000, 42}});
    storage.Add({{"__name__", "process_start"}, {"job", "x\"y\\z\n\xe2\x80\xa8"}}, {{1000, 7}});
    Server::Options o;
    o.listen_address = "127.0.0.1:0";
    o.registry = &registry;
    o.logger = &log.logger;
    o.queryable = &storage;
    o.appendable = &storage;
    o.tsdb_stats = TestHeadStats;
    o.build_info = {"0.1.0", "abc123", "main", "user@host", "20260101-00:00:00", "gcc 12"};
    o.flags = {{"web.listen-address", "127.0.0.1:0"}, {"storage.tsdb.path", "data/"}};
    o.ready = true;
    if (tweak) tweak(o);
    server = std::make_unique<Server>(std::move(o));
    base::Status st = server->Start();
    INFO(st.ToString());
    REQUIRE(st.ok());
    REQUIRE(server->port() > 0);
  }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", server->port());
    c.set_url_encode(false);
    return c;
  }

  LogCapture log;
  FakeStorage storage;
  base::metrics::Registry registry;
  std::unique_ptr<Server> server;
};

// Percent-encodes every byte but unreserved characters.
std::string Enc(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string Query(std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  std::string q;
  for (const auto& [k, v] : params) {
    if (!q.empty()) q.push_back('&');
    q.append(Enc(k));
    q.push_back('=');
    q.append(Enc(v));
  }
  return q;
}

struct Reply {
  int status;
  std::string body;
  std::string content_type;
};

Reply Get(const TestServer& ts, const std::string& target) {
  auto r = ts.Client().Get(target.c_str());
  REQUIRE(r);
  return {r->status, r->body, r->get_header_value("Content-Type")};
}

Reply PostForm(const TestServer& ts, const std::string& path, const std::string& form) {
  auto r = ts.Client().Post(path.c_str(), form, "application/x-www-form-urlencoded");
  REQUIRE(r);
  return {r->status, r->body, r->get_header_value("Content-Type")};
}

// Sends `request` as is on a new connection and returns everything the server answers until it
// closes the connection (send "Connection: close").
std::string RawRequest(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

std::string ErrorJson(std::string_view type, std::string_view message) {
  return R"({"status":"error","errorType":")" + std::string(type) + R"(","error":")" +
         std::string(message) + "\"}";
}

// ---------------------------------------------------------------------------------------------
// /api/v1/series, /api/v1/labels, /api/v1/label/<name>/values

TEST_CASE("Series returns the matching series sorted, as Prometheus", "[web][api]") {
  TestServer ts;
  SECTION("one selector") {
    Reply r = Get(ts, "/api/v1/series?" + Query({{"match[]", "up"}}));
    CHECK(r.status == 200);
    CHECK(r.content_type == "application/json");
    CHECK(r.body ==
          R"({"status":"success","data":[{"__name__":"up","instance":"a<b>","job":"node"},)"
          R"({"__name__":"up","instance":"localhost:9090","job":"prometheus"}]})");
  }
  SECTION("several selectors are unioned without duplicates") {
    Reply r = Get(
        ts, "/api/v1/series?" + Query({{"match[]", "up"}, {"match[]", R"({job="prometheus"})"}}));
    CHECK(r.status == 200);
    CHECK(r.body ==
          R"({"status":"success","data":[)"
          R"({"__name__":"go_goroutines","instance":"localhost:9090","job":"prometheus"},)"
          R"({"__name__":"up","instance":"a<b>","job":"node"},)"
          R"({"__name__":"up","instance":"localhost:9090","job":"prometheus"}]})");
  }
  SECTION("label values are escaped as jsoniter's WriteString: no HTML escaping") {
    Reply r = Get(ts, "/api/v1/series?" + Query({{"match[]", "process_start"}}));
    CHECK(r.body ==
          "{\"status\":\"success\",\"data\":[{\"__name__\":\"process_start\",\"job\":"
          "\"x\\\"y\\\\z\\n\xe2\x80\xa8\"}]}");
  }
  SECTION("start and end select series with samples in range") {
    Reply r = Get(ts, "/api/v1/series?" + Query({{"match[]", R"({job=~".+"})"},
                                                 {"start", "4"},
                                                 {"end", "1970-01-01T00:00:06Z"}}));
    CHECK(
        r.body ==
        R"({"status":"success","data":[{"__name__":"go_goroutines","instance":"localhost:9090","job":"prometheus"}]})");
    CHECK(ts.storage.last_mint == 4000);
    CHECK(ts.storage.last_maxt == 6000);
  }
  SECTION("end before start is passed to storage, as Prometheus does, not rejected") {
    Reply r =
        Get(ts, "/api/v1/series?" + Query({{"match[]", "up"}, {"start", "10"}, {"end", "5"}}));
    CHECK(r.status == 200);
    CHECK(r.body == R"({"status":"success","data":[]})");
    CHECK(ts.storage.last_mint == 10000);
    CHECK(ts.storage.last_maxt == 5000);
  }
  SECTION("the default range is Prometheus's MinTime..MaxTime") {
    Get(ts, "/api/v1/series?" + Query({{"match[]", "up"}}));
    CHECK(ts.storage.last_mint == -9223309901257974000);
    CHECK(ts.storage.last_maxt == 9223309901257974999);
  }
  SECTION("no match") {
    Reply r = Get(ts, "/api/v1/series?" + Query({{"match[]", "nothing"}}));
    CHECK(r.body == R"({"status":"success","data":[]})");
  }
  SECTION("limit truncates with a warning") {
    Reply r = Get(ts, "/api/v1/series?" + Query({{"match[]", "up"}, {"limit", "1"}}));
    CHECK(r.body ==
          R"({"status":"success","data":[{"__name__":"up","instance":"a<b>","job":"node"}],)"
          R"("warnings":["results truncated due to limit"]})");
    r = Get(ts, "/api/v1/series?" + Query({{"match[]", "up"}, {"limit", "2"}}));
    CHECK(r.body.find("warnings") == std::string::npos);
  }
  SECTION("POST form, with the body's values before the query's") {
    Reply r = PostForm(ts, "/api/v1/series?" + Query({{"limit", "5"}}),
                       Query({{"match[]", R"(go_goroutines{job="prometheus"})"}, {"limit", "1"}}));
    CHECK(r.status == 200);
    CHECK(
        r.body ==
        R"({"status":"success","data":[{"__name__":"go_goroutines","instance":"localhost:9090","job":"prometheus"}]})");
  }
}

TEST_CASE("Labels and label values", "[web][api]") {
  TestServer ts;
  CHECK(Get(ts, "/api/v1/labels").body ==
        R"({"status":"success","data":["__name__","instance","job"]})");
  CHECK(PostForm(ts, "/api/v1/labels", Query({{"match[]", "process_start"}})).body ==
        R"({"status":"success","data":["__name__","job"]})");
  CHECK(Get(ts,
            "/api/v1/labels?" + Query({{"match[]", "process_start"}, {"match[]", "go_goroutines"}}))
            .body == R"({"status":"success","data":["__name__","instance","job"]})");
  CHECK(
      Get(ts, "/api/v1/labels?limit=2").body ==
      R"({"status":"success","data":["__name__","instance"],"warnings":["results truncated due to limit"]})");

  CHECK(Get(ts, "/api/v1/label/__name__/values").body ==
        R"({"status":"success","data":["go_goroutines","process_start","up"]})");
  // Lists of strings get Go's standard escaping: < > & and U+2028 too.
  CHECK(Get(ts, "/api/v1/label/instance/values").body ==
        R"({"status":"success","data":["a\u003cb\u003e","localhost:9090"]})");
  CHECK(Get(ts, "/api/v1/label/job/values?" + Query({{"match[]", "process_start"}})).body ==
        R"({"status":"success","data":["x\"y\\z\n\u2028"]})");
  CHECK(Get(ts,
            "/api/v1/label/job/values?" + Query({{"match[]", "up"}, {"match[]", "go_goroutines"}}))
            .body == R"({"status":"success","data":["node","prometheus"]})");
  CHECK(Get(ts, "/api/v1/label/job/values?" + Query({{"match[]", "up"}, {"limit", "1"}})).body ==
        R"({"status":"success","data":["node"],"warnings":["results truncated due to limit"]})");
  CHECK(Get(ts, "/api/v1/label/nope/values").body == R"({"status":"success","data":[]})");
  // Prometheus 3 accepts any UTF-8 label name.
  CHECK(Get(ts, "/api/v1/label/" + Enc("service.name") + "/values").body ==
        R"({"status":"success","data":[]})");
}

TEST_CASE("Bad input gets Prometheus's error status and body", "[web][api]") {
  TestServer ts;
  struct Case {
    std::string target;
    int status;
    std::string body;
  };
  auto c = GENERATE(values<Case>({
      {"/api/v1/series", 400, ErrorJson("bad_data", "no match[] parameter provided")},
      {"/api/v1/series?" + Query({{"match[]", "up{"}}), 400,
       ErrorJson(
           "bad_data",
           R"(invalid parameter \"match[]\": 1:4: parse error: unexpected end of input inside braces)")},
      {"/api/v1/series?" + Query({{"match[]", "foo bar"}}), 400,
       ErrorJson(
           "bad_data",
           R"(invalid parameter \"match[]\": 1:5: parse error: unexpected identifier \"bar\")")},
      {"/api/v1/series?" + Query({{"match[]", "up{a<\"b\"}"}}), 400,
       ErrorJson(
           "bad_data",
           R"(invalid parameter \"match[]\": 1:5: parse error: unexpected character inside braces: '\u003c')")},
      {"/api/v1/series?" + Query({{"match[]", R"({a=""})"}}), 400,
       ErrorJson(
           "bad_data",
           R"(invalid parameter \"match[]\": match[] must contain at least one non-empty matcher)")},
      {"/api/v1/series?" + Query({{"match[]", "up"}, {"match[]", "{}"}}), 400,
       ErrorJson(
           "bad_data",
           R"(invalid parameter \"match[]\": match[] must contain at least one non-empty matcher)")},
      {"/api/v1/series?" + Query({{"match[]", "up"}, {"start", "x"}}), 400,
       ErrorJson(
           "bad_data",
           R"(invalid parameter \"start\": invalid time value for 'start': cannot parse \"x\" to a valid timestamp)")},
      {"/api/v1/series?" + Query({{"match[]", "up"}, {"end", "2015-13-01T00:00:00Z"}}), 400,
       ErrorJson(
           "bad_data",
           R"(invalid parameter \"end\": invalid time value for 'end': cannot parse \"2015-13-01T00:00:00Z\" to a valid timestamp)")},
      {"/api/v1/series?" + Query({{"match[]", "up"}, {"limit", "-1"}}), 400,
       ErrorJson("bad_data", R"(invalid parameter \"limit\": limit must be non-negative)")},
      {"/api/v1/series?match[]=up&x=%zz", 400,
       ErrorJson("bad_data", R"(error parsing form values: invalid URL escape \"%zz\")")},
      {"/api/v1/labels?" + Query({{"match[]", "up{"}}), 400,
       ErrorJson("bad_data", "1:4: parse error: unexpected end of input inside braces")},
      {"/api/v1/labels?" + Query({{"limit", "x"}}), 400,
       ErrorJson("bad_data",
                 R"(invalid parameter \"limit\": strconv.Atoi: parsing \"x\": invalid syntax)")},
      {"/api/v1/labels?" + Query({{"start", "1e400"}}), 400,
       ErrorJson(
           "bad_data",
           R"(invalid parameter \"start\": invalid time value for 'start': cannot parse \"1e400\" to a valid timestamp)")},
      {"/api/v1/label/%FF/values", 400, ErrorJson("bad_data", R"(invalid label name: \"\\xff\")")},
      {"/api/v1/label/job/values?" + Query({{"match[]", R"({job=~".*"})"}}), 400,
       ErrorJson("bad_data", "match[] must contain at least one non-empty matcher")},
      {"/api/v1/status/tsdb?limit=0", 400,
       ErrorJson("bad_data", "limit must be a positive number")},
      {"/api/v1/status/tsdb?limit=x", 400,
       ErrorJson("bad_data", "limit must be a positive number")},
      {"/api/v1/status/tsdb?limit=10001", 400,
       ErrorJson("bad_data", "limit must not exceed 10000")},
  }));
  CAPTURE(c.target);
  Reply r = Get(ts, c.target);
  CHECK(r.status == c.status);
  CHECK(r.content_type == "application/json");
  CHECK(r.body == c.body);
}

TEST_CASE("Storage errors map through ToApiError", "[web][api]") {
  struct FailingQueryable final : storage::Queryable {
    base::Result<std::unique_ptr<storage::Querier>> NewQuerier(model::Timestamp,
                                                               model::Timestamp) override {
      return base::Unavailable("TSDB not ready");
    }
  } failing;
  TestServer ts([&](Server::Options& o) { o.queryable = &failing; });
  Reply r = Get(ts, "/api/v1/labels");
  CHECK(r.status == 500);
  CHECK(r.body == ErrorJson("unavailable", "TSDB not ready"));
}

// ---------------------------------------------------------------------------------------------
// Status endpoints, health, readiness, routing

TEST_CASE("Status endpoints", "[web][api]") {
  TestServer ts;
  CHECK(Get(ts, "/api/v1/status/buildinfo").body ==
        R"({"status":"success","data":{"version":"0.1.0","revision":"abc123","branch":"main",)"
        R"("buildUser":"user@host","buildDate":"20260101-00:00:00","goVersion":"gcc 12","features":{}}})");
  CHECK(
      Get(ts, "/api/v1/status/flags").body ==
      R"({"status":"success","data":{"storage.tsdb.path":"data/","web.listen-address":"127.0.0.1:0"}})");
  CHECK(
      Get(ts, "/api/v1/status/tsdb").body ==
      R"({"status":"success","data":{"headStats":{"numSeries":4,"numLabelPairs":7,"chunkCount":5,)"
      R"("minTime":1000,"maxTime":5000},"seriesCountByMetricName":[{"name":"up","value":2},)"
      R"({"name":"go_goroutines","value":1},{"name":"process_start","value":1}],)"
      R"("labelValueCountByLabelName":[{"name":"job","value":3},{"name":"instance","value":2}],)"
      R"("memoryInBytesByLabelName":[{"name":"instance","value":19}],)"
      R"("seriesCountByLabelValuePair":[{"name":"job=prometheus","value":2}]}})");
  CHECK(Get(ts, "/api/v1/status/tsdb?limit=1")
            .body.find(R"("seriesCountByMetricName":[{"name":"up","value":2}],)") !=
        std::string::npos);
}

TEST_CASE("Build info reports the compiler when no version is given", "[web][api]") {
  TestServer ts([](Server::Options& o) { o.build_info.go_version.clear(); });
  CHECK_THAT(Get(ts, "/api/v1/status/buildinfo").body,
             Catch::Matchers::Contains(R"("goVersion":")" + DefaultCompilerVersion() + "\",\"features\":{}}"));
  CHECK(!DefaultCompilerVersion().empty());
}

TEST_CASE("Health and readiness use Prometheus's texts", "[web][api]") {
  TestServer ts([](Server::Options& o) { o.ready = false; });
  Reply healthy = Get(ts, "/-/healthy");
  CHECK(healthy.status == 200);
  CHECK(healthy.body == "Prometheus Server is Healthy.\n");
  Reply ready = Get(ts, "/-/ready");
  CHECK(ready.status == 503);
  CHECK(ready.body == "Service Unavailable");
  Reply api = Get(ts, "/api/v1/labels");
  CHECK(api.status == 503);
  CHECK(api.body == "Service Unavailable");
  CHECK(Get(ts, "/metrics").status == 200);
  CHECK_THAT(Get(ts, "/metrics").body, Catch::Matchers::Contains("prometheus_ready 0\n"));

  ts.server->SetReady(true);
  ready = Get(ts, "/-/ready");
  CHECK(ready.status == 200);
  CHECK(ready.body == "Prometheus Server is Ready.\n");
  CHECK(Get(ts, "/api/v1/labels").status == 200);
  CHECK_THAT(Get(ts, "/metrics").body, Catch::Matchers::Contains("prometheus_ready 1\n"));

  auto head = ts.Client().Head("/-/healthy");
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->body.empty());
}

TEST_CASE("Unknown paths are 404 and wrong methods 405, as Prometheus's router", "[web][api]") {
  TestServer ts;
  Reply r = Get(ts, "/api/v1/nope");
  CHECK(r.status == 404);
  CHECK(r.body == "404 page not found\n");
  CHECK(r.content_type == "text/plain; charset=utf-8");
  CHECK(Get(ts, "/nope").status == 404);

  auto post = ts.Client().Post("/api/v1/label/job/values", "", "application/x-www-form-urlencoded");
  REQUIRE(post);
  CHECK(post->status == 405);
  CHECK(post->body == "Method Not Allowed\n");
  CHECK(post->get_header_value("Allow") == "GET, OPTIONS");

  auto head = ts.Client().Head("/api/v1/labels");
  REQUIRE(head);
  CHECK(head->status == 405);
  CHECK(head->get_header_value("Allow") == "GET, OPTIONS, POST");

  auto get_write = ts.Client().Get("/api/v1/write");
  REQUIRE(get_write);
  CHECK(get_write->status == 405);
  CHECK(get_write->get_header_value("Allow") == "OPTIONS, POST");

  httplib::Headers origin{{"Origin", "http://grafana"}};
  auto options = ts.Client().Options("/api/v1/series", origin);
  REQUIRE(options);
  CHECK(options->status == 204);
  CHECK(options->get_header_value("Access-Control-Allow-Origin") == "*");
  auto cors = ts.Client().Get("/api/v1/labels", origin);
  REQUIRE(cors);
  CHECK(cors->get_header_value("Access-Control-Allow-Methods") == "GET, POST, OPTIONS");
}

TEST_CASE("A POST without Content-Length has an empty body, as in Go", "[web][api]") {
  TestServer ts;
  std::string raw =
      RawRequest(ts.server->port(),
                 "POST /api/v1/labels?match[]=up HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\n\r\n");
  CHECK(raw.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(
      raw.ends_with("\r\n\r\n"
                    R"({"status":"success","data":["__name__","instance","job"]})"));
}

TEST_CASE("Responses are compressed when the client accepts gzip", "[web][api]") {
  TestServer ts;
  httplib::Client c = ts.Client();
  c.set_decompress(false);
  auto r = c.Get("/api/v1/labels", {{"Accept-Encoding", "gzip"}});
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Encoding") == "gzip");
  REQUIRE(r->body.size() >= 2);
  CHECK(static_cast<unsigned char>(r->body[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(r->body[1]) == 0x8b);

  httplib::Client d = ts.Client();
  auto plain = d.Get("/api/v1/labels", {{"Accept-Encoding", "gzip"}});
  REQUIRE(plain);
  CHECK(plain->body == R"({"status":"success","data":["__name__","instance","job"]})");
}

TEST_CASE("A route prefix moves every endpoint", "[web][api]") {
  TestServer ts([](Server::Options& o) { o.external_url = "http://example.com:9090/prom/"; });
  CHECK(ts.server->route_prefix() == "/prom");
  CHECK(Get(ts, "/prom/api/v1/labels").status == 200);
  CHECK(Get(ts, "/prom/-/healthy").status == 200);
  CHECK(Get(ts, "/api/v1/labels").status == 404);
  CHECK(Get(ts, "/promx/api/v1/labels").status == 404);
}

TEST_CASE("Start reports a port in use and bad addresses", "[web][api]") {
  TestServer ts;
  FakeStorage storage;
  Server::Options o;
  o.queryable = &storage;
  o.listen_address = "127.0.0.1:" + std::to_string(ts.server->port());
  Server second(o);
  base::Status st = second.Start();
  CHECK(st.code() == StatusCode::kIOError);
  CHECK(st.message() == "listen tcp " + o.listen_address + ": bind: address already in use");

  for (const char* bad : {"9090", "127.0.0.1:", "127.0.0.1:99999", "[::1", "a:b:9090"}) {
    Server::Options b;
    b.queryable = &storage;
    b.listen_address = bad;
    Server s(b);
    CAPTURE(bad);
    CHECK(s.Start().code() == StatusCode::kInvalidArgument);
  }
  Server::Options none;
  none.listen_address = "127.0.0.1:0";
  CHECK(Server(none).Start().code() == StatusCode::kInvalidArgument);

  Server::Options any;
  any.queryable = &storage;
  any.listen_address = ":0";
  Server s(any);
  REQUIRE(s.Start().ok());
  CHECK(s.port() > 0);
  s.Stop();
  s.Stop();
  CHECK(s.port() == 0);
}

// ---------------------------------------------------------------------------------------------
// Remote write

std::string WriteBody(
    const std::vector<std::pair<model::Labels, std::vector<model::Sample>>>& series) {
  prometheus::WriteRequest req;
  for (const auto& [ls, samples] : series) {
    prometheus::TimeSeries* ts = req.add_timeseries();
    for (const auto& l : ls) {
      prometheus::Label* pl = ts->add_labels();
      pl->set_name(std::string(l.name));
      pl->set_value(std::string(l.value));
    }
    for (const auto& s : samples) {
      prometheus::Sample* ps = ts->add_samples();
      ps->set_timestamp(s.t);
      ps->set_value(s.v);
    }
  }
  std::string raw, compressed;
  req.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &compressed);
  return compressed;
}

httplib::Headers WriteHeaders() {
  return {{"Content-Encoding", "snappy"}, {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
}

Reply Write(const TestServer& ts, const std::string& body,
            const std::string& content_type = "application/x-protobuf",
            httplib::Headers headers = WriteHeaders()) {
  auto r = ts.Client().Post("/api/v1/write", headers, body, content_type.c_str());
  REQUIRE(r);
  return {r->status, r->body, r->get_header_value("Content-Type")};
}

TEST_CASE("Remote write appends and answers 204", "[web][remote_write]") {
  TestServer ts;
  Reply r = Write(
      ts, WriteBody({{{{"__name__", "rw_metric"}, {"job", "w"}}, {{10000, 1.5}, {11000, 2.5}}}}));
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  CHECK(Get(ts, "/api/v1/series?" + Query({{"match[]", "rw_metric"}})).body ==
        R"({"status":"success","data":[{"__name__":"rw_metric","job":"w"}]})");
  // Without Content-Type and Content-Encoding the request is taken as remote-write 1.0, snappy.
  std::string body = WriteBody({{{{"__name__", "rw_metric"}, {"job", "w"}}, {{12000, 1}}}});
  std::string raw = RawRequest(ts.server->port(),
                               "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                               "Content-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body);
  CHECK(raw.starts_with("HTTP/1.1 204 No Content\r\n"));

  std::string metrics = Get(ts, "/metrics").body;
  CHECK_THAT(metrics, Catch::Matchers::Contains("hestia_remote_write_samples_appended_total 3\n"));
  CHECK_THAT(metrics,
             Catch::Matchers::Contains("hestia_remote_write_requests_total{code=\"204\"} 2\n"));
  CHECK_THAT(metrics,
             Catch::Matchers::Contains(
                 "prometheus_http_requests_total{code=\"204\",handler=\"/api/v1/write\"} 2\n"));
}

TEST_CASE("Remote write rejects bad requests with Prometheus's statuses", "[web][remote_write]") {
  SECTION("remote-write 2.0 content type") {
    TestServer ts;
    Reply r = Write(ts, "x", "application/x-protobuf;proto=io.prometheus.write.v2.Request");
    CHECK(r.status == 415);
    CHECK(r.content_type == "text/plain; charset=utf-8");
    CHECK(
        r.body ==
        "io.prometheus.write.v2.Request protobuf message is not accepted by this server; accepted "
        "[prometheus.WriteRequest]\n");
  }
  SECTION("other content types and parameters") {
    TestServer ts;
    Reply r = Write(ts, "x", "application/json");
    CHECK(r.status == 415);
    CHECK(r.body ==
          "expected application/x-protobuf as the first (media) part, got application/json "
          "content-type\n");
    r = Write(ts, "x", "application/x-protobuf;proto=foo");
    CHECK(r.status == 415);
    CHECK(r.body ==
          "got application/x-protobuf;proto=foo content type; unknown remote write protobuf "
          "message foo, "
          "supported: prometheus.WriteRequest, io.prometheus.write.v2.Request\n");
    r = Write(ts, "x", "application/x-protobuf;foo");
    CHECK(r.status == 415);
    CHECK(r.body ==
          "as per https://www.rfc-editor.org/rfc/rfc9110#parameter expected parameters to be "
          "key-values, got foo "
          "in application/x-protobuf;foo content-type\n");
    r = Write(ts, WriteBody({}), "application/x-protobuf", {{"Content-Encoding", "zstd"}});
    CHECK(r.status == 415);
    CHECK(
        r.body ==
        "zstd encoding (compression) is not accepted by this server; only snappy is acceptable\n");
  }
  SECTION("oversized bodies, with and without Content-Length") {
    TestServer ts([](Server::Options& o) { o.max_remote_write_body_bytes = 1024; });
    Reply r = Write(ts, std::string(2048, 'x'));
    CHECK(r.status == 400);
    CHECK(r.body == "request body too large: the limit is 1024 bytes\n");

    int chunks = 0;
    auto chunked = ts.Client().Post(
        "/api/v1/write", WriteHeaders(),
        [&](size_t, httplib::DataSink& sink) {
          if (chunks++ < 4) {
            std::string part(512, 'x');
            sink.write(part.data(), part.size());
          } else {
            sink.done();
          }
          return true;
        },
        "application/x-protobuf");
    REQUIRE(chunked);
    CHECK(chunked->status == 400);
    CHECK(chunked->body == "request body too large: the limit is 1024 bytes\n");

    // A body a little over the limit is drained: the connection serves the next request.
    httplib::Client keep = ts.Client();
    keep.set_keep_alive(true);
    auto over = keep.Post("/api/v1/write", WriteHeaders(), std::string(1500, 'x'),
                          "application/x-protobuf");
    REQUIRE(over);
    CHECK(over->status == 400);
    CHECK(over->get_header_value("Connection") != "close");
    auto next = keep.Get("/-/healthy");
    REQUIRE(next);
    CHECK(next->status == 200);

    // A body far over the limit is not read: 400 at once, and the connection is closed.
    std::string raw =
        RawRequest(ts.server->port(),
                   "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n"
                   "Connection: close\r\nContent-Type: application/x-protobuf\r\n\r\n");
    CHECK(raw.starts_with("HTTP/1.1 400 Bad Request\r\n"));
    CHECK(raw.find("\r\nConnection: close\r\n") != std::string::npos);
    CHECK(raw.ends_with("\r\n\r\nrequest body too large: the limit is 1024 bytes\n"));

    // At the limit is fine (and here undecodable).
    r = Write(ts, std::string(1024, 'x'));
    CHECK(r.status == 400);
    CHECK(r.body.find("too large") == std::string::npos);
  }
  SECTION("undecodable bodies") {
    TestServer ts;
    Reply r = Write(ts, "not snappy at all");
    CHECK(r.status == 400);
    CHECK(!r.body.empty());
    CHECK(r.body.back() == '\n');
  }
  SECTION("out-of-order samples: 400 with the storage's message, the others stored") {
    TestServer ts;
    Reply r = Write(
        ts, WriteBody({{{{"__name__", "up"}, {"instance", "localhost:9090"}, {"job", "prometheus"}},
                        {{500, 1}}},
                       {{{"__name__", "fresh"}}, {{9000, 1}}}}));
    CHECK(r.status == 400);
    CHECK(r.body ==
          "out of order sample for series {__name__=\"up\", instance=\"localhost:9090\", "
          "job=\"prometheus\"} at "
          "timestamp 500\n");
    CHECK(Get(ts, "/api/v1/series?" + Query({{"match[]", "fresh"}})).body ==
          R"({"status":"success","data":[{"__name__":"fresh"}]})");
    CHECK_THAT(Get(ts, "/metrics").body,
               Catch::Matchers::Contains(
                   "hestia_remote_write_samples_rejected_total{reason=\"out_of_order\"} 1\n"));
  }
  SECTION("commit failures: 500, or 503 when storage is unavailable") {
    TestServer ts;
    ts.storage.commit_error = base::IOError("disk full");
    Reply r = Write(ts, WriteBody({{{{"__name__", "x"}}, {{1, 1}}}}));
    CHECK(r.status == 500);
    CHECK(r.body == "disk full\n");
    ts.storage.commit_error = base::Unavailable("closing");
    CHECK(Write(ts, WriteBody({{{{"__name__", "x"}}, {{1, 1}}}})).status == 503);
    // Storage failures are logged, one line each; client errors are only counted.
    Write(ts, "not snappy");
    std::string log = ts.log.Read();
    CHECK_THAT(
        log,
        Catch::Matchers::Contains(
            R"(level=error component=web msg="Remote-write request could not be stored" err="io error: disk full")"));
    CHECK(std::count(log.begin(), log.end(), '\n') == 3);  // "Listening" and the two failures
  }
  SECTION("disabled receiver") {
    TestServer ts([](Server::Options& o) { o.appendable = nullptr; });
    Reply r = Write(ts, WriteBody({}));
    CHECK(r.status == 404);
    CHECK(r.body ==
          "remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n");
  }
  SECTION("not ready") {
    TestServer ts([](Server::Options& o) { o.ready = false; });
    CHECK(Write(ts, WriteBody({})).status == 503);
  }
}

TEST_CASE("/metrics exposes the per-handler request counters", "[web][api]") {
  TestServer ts;
  Get(ts, "/api/v1/series?" + Query({{"match[]", "up"}}));
  Get(ts, "/api/v1/series?" + Query({{"match[]", "up"}}));
  Get(ts, "/api/v1/series");
  Get(ts, "/api/v1/label/job/values");
  Reply r = Get(ts, "/metrics");
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK_THAT(r.body,
             Catch::Matchers::Contains(
                 "prometheus_http_requests_total{code=\"200\",handler=\"/api/v1/series\"} 2\n"));
  CHECK_THAT(r.body,
             Catch::Matchers::Contains(
                 "prometheus_http_requests_total{code=\"400\",handler=\"/api/v1/series\"} 1\n"));
  CHECK_THAT(r.body, Catch::Matchers::Contains("prometheus_http_requests_total{code=\"200\","
                                               "handler=\"/api/v1/label/:name/values\"} 1\n"));
  // Handlers not yet called are exposed with code 200 at 0, as Prometheus does.
  CHECK_THAT(
      r.body,
      Catch::Matchers::Contains(
          "prometheus_http_requests_total{code=\"200\",handler=\"/api/v1/status/flags\"} 0\n"));
  CHECK_THAT(r.body,
             Catch::Matchers::Contains(
                 "prometheus_http_request_duration_seconds_count{handler=\"/api/v1/series\"} 3\n"));
  CHECK_THAT(r.body, Catch::Matchers::Contains("prometheus_http_request_duration_seconds_bucket{"
                                               "handler=\"/api/v1/series\",le=\"0.1\"}"));
}

// ---------------------------------------------------------------------------------------------
// /api/v1/targets/metadata, /api/v1/metadata

// A local exporter on 127.0.0.1 serving a fixed body at /metrics.
class Exporter {
 public:
  Exporter(std::string body, std::string content_type)
      : body_(std::move(body)), content_type_(std::move(content_type)) {
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(body_, content_type_.c_str());
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Exporter() {
    server_.stop();
    thread_.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  const std::string body_, content_type_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// Two jobs scraped by a real scrape::Manager: "a" in the text format, "b" in OpenMetrics.
struct MetadataFixture {
  MetadataFixture()
      : a("# HELP http_requests_total Requests <served> & \"counted\".\n"
          "# TYPE http_requests_total counter\nhttp_requests_total 1\n# TYPE temp gauge\ntemp 20\n",
          "text/plain; version=0.0.4"),
        b("# TYPE http_requests counter\n# HELP http_requests Requests.\nhttp_requests_total 1\n"
          "# TYPE temp gauge\n# HELP temp Temperature.\ntemp 21\n"
          "# TYPE room_celsius gauge\n# UNIT room_celsius celsius\nroom_celsius 19\n# EOF\n",
          "application/openmetrics-text; version=1.0.0"),
        manager({&sink}) {
    auto cfg = config::Parse("scrape_configs:\n"
                             "  - job_name: b\n    scrape_interval: 100ms\n    scrape_timeout: 100ms\n"
                             "    static_configs: [{targets: ['" + b.address() + "']}]\n"
                             "  - job_name: a\n    scrape_interval: 100ms\n    scrape_timeout: 100ms\n"
                             "    static_configs: [{targets: ['" + a.address() + "']}]\n",
                             "p.yml");
    REQUIRE(cfg.has_value());
    manager.ApplyConfig(*cfg);
    bool scraped = false;
    for (int i = 0; i < 200 && !scraped; ++i) {
      auto md = manager.TargetsMetadata();
      scraped = md.size() == 2 && !md[0].metadata.empty() && !md[1].metadata.empty();
      if (!scraped) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    REQUIRE(scraped);
    target_a = R"({"instance":")" + a.address() + R"(","job":"a"})";
    target_b = R"({"instance":")" + b.address() + R"(","job":"b"})";
  }
  std::function<void(Server::Options&)> Wire() {
    return [this](Server::Options& o) {
      o.metadata = [this](std::string_view metric) { return manager.TargetsMetadata(metric); };
    };
  }

  Exporter a, b;
  FakeStorage sink;
  scrape::Manager manager;
  std::string target_a, target_b;
};

TEST_CASE("/api/v1/targets/metadata lists each target's metric metadata", "[web][api][metadata]") {
  MetadataFixture f;
  TestServer ts(f.Wire());
  const std::string& ta = f.target_a;
  const std::string& tb = f.target_b;
  const std::string all =
      R"({"target":)" + ta + R"(,"metric":"http_requests_total","type":"counter",)"
      R"("help":"Requests \u003cserved\u003e \u0026 \"counted\".","unit":""},)"
      R"({"target":)" + ta + R"(,"metric":"temp","type":"gauge","help":"","unit":""},)"
      R"({"target":)" + tb + R"(,"metric":"http_requests","type":"counter","help":"Requests.","unit":""},)"
      R"({"target":)" + tb + R"(,"metric":"room_celsius","type":"gauge","help":"","unit":"celsius"},)"
      R"({"target":)" + tb + R"(,"metric":"temp","type":"gauge","help":"Temperature.","unit":""})";
  Reply r = Get(ts, "/api/v1/targets/metadata");
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/json");
  CHECK(r.body == R"({"status":"success","data":[)" + all + "]}");

  // metric: the entries leave the family name out.
  CHECK(Get(ts, "/api/v1/targets/metadata?metric=temp").body ==
        R"({"status":"success","data":[{"target":)" + ta +
            R"(,"type":"gauge","help":"","unit":""},{"target":)" + tb +
            R"(,"type":"gauge","help":"Temperature.","unit":""}]})");
  CHECK(Get(ts, "/api/v1/targets/metadata?" + Query({{"match_target", "{job=\"b\"}"}, {"metric", "temp"}}))
            .body == R"({"status":"success","data":[{"target":)" + tb +
                         R"(,"type":"gauge","help":"Temperature.","unit":""}]})");
  CHECK(Get(ts, "/api/v1/targets/metadata?" + Query({{"match_target", "{job=~\"a|b\",instance!=\"\"}"}}))
            .body == R"({"status":"success","data":[)" + all + "]}");
  CHECK(Get(ts, "/api/v1/targets/metadata?" + Query({{"match_target", "{job=\"c\"}"}})).body ==
        R"({"status":"success","data":[]})");
  CHECK(Get(ts, "/api/v1/targets/metadata?metric=nope").body == R"({"status":"success","data":[]})");

  // limit counts entries but is checked per target, as Prometheus: target a's two entries.
  std::string first_two = all.substr(0, all.find(R"(,{"target":)" + tb));
  CHECK(Get(ts, "/api/v1/targets/metadata?limit=1").body ==
        R"({"status":"success","data":[)" + first_two + "]}");
  CHECK(Get(ts, "/api/v1/targets/metadata?limit=0").body == R"({"status":"success","data":[]})");
  CHECK(Get(ts, "/api/v1/targets/metadata?limit=-1").body == r.body);

  Reply bad = Get(ts, "/api/v1/targets/metadata?limit=x");
  CHECK(bad.status == 400);
  CHECK(bad.body == ErrorJson("bad_data", "limit must be a number"));
  bad = Get(ts, "/api/v1/targets/metadata?" + Query({{"match_target", "{job="}}));
  CHECK(bad.status == 400);
  CHECK(bad.body ==
        ErrorJson("bad_data",
                  R"(invalid parameter \"match_target\": 1:6: parse error: unexpected end of input inside braces)"));
  CHECK(PostForm(ts, "/api/v1/targets/metadata", "").status == 405);
}

TEST_CASE("/api/v1/metadata deduplicates metadata across targets", "[web][api][metadata]") {
  MetadataFixture f;
  TestServer ts(f.Wire());
  const std::string http_requests = R"("http_requests":[{"type":"counter","help":"Requests.","unit":""}])";
  const std::string http_requests_total =
      R"("http_requests_total":[{"type":"counter","help":"Requests \u003cserved\u003e \u0026 \"counted\".","unit":""}])";
  const std::string room = R"("room_celsius":[{"type":"gauge","help":"","unit":"celsius"}])";
  const std::string temp_a = R"({"type":"gauge","help":"","unit":""})";
  const std::string temp_b = R"({"type":"gauge","help":"Temperature.","unit":""})";
  Reply r = Get(ts, "/api/v1/metadata");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"status":"success","data":{)" + http_requests + "," + http_requests_total +
                      "," + room + R"(,"temp":[)" + temp_a + "," + temp_b + "]}}");
  CHECK(Get(ts, "/api/v1/metadata?metric=temp").body ==
        R"({"status":"success","data":{"temp":[)" + temp_a + "," + temp_b + "]}}");
  CHECK(Get(ts, "/api/v1/metadata?metric=temp&limit_per_metric=1").body ==
        R"({"status":"success","data":{"temp":[)" + temp_a + "]}}");
  CHECK(Get(ts, "/api/v1/metadata?limit=2").body ==
        R"({"status":"success","data":{)" + http_requests + "," + http_requests_total + "}}");
  CHECK(Get(ts, "/api/v1/metadata?limit=0").body == R"({"status":"success","data":{}})");
  CHECK(Get(ts, "/api/v1/metadata?metric=nope").body == R"({"status":"success","data":{}})");
  CHECK(Get(ts, "/api/v1/metadata?limit=-5&limit_per_metric=0").body == r.body);

  Reply bad = Get(ts, "/api/v1/metadata?limit=1.5");
  CHECK(bad.status == 400);
  CHECK(bad.body == ErrorJson("bad_data", "limit must be a number"));
  bad = Get(ts, "/api/v1/metadata?limit_per_metric=x");
  CHECK(bad.body == ErrorJson("bad_data", "limit_per_metric must be a number"));
}

TEST_CASE("Metadata endpoints answer empty without a scrape manager", "[web][api][metadata]") {
  TestServer ts;
  CHECK(Get(ts, "/api/v1/metadata").body == R"({"status":"success","data":{}})");
  CHECK(Get(ts, "/api/v1/targets/metadata").body == R"({"status":"success","data":[]})");
}

}  // namespace
}  // namespace web

#include <catch2/catch.hpp>
#include <httplib.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "scrape/target_scraper.h"

namespace {

using std::chrono::milliseconds;

std::string Gzip(std::string_view in) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Exposition(size_t series) {
  std::string s = "# TYPE m gauge\n";
  for (size_t i = 0; i < series; ++i) s += "m{i=\"" + std::to_string(i) + "\"} " + std::to_string(i) + "\n";
  return s;
}

constexpr std::string_view kOpenMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";

// A target on a loopback port. Handlers that wait return early once the server stops.
class Target {
 public:
  explicit Target(int keep_alive_seconds = 5) {
    server_.set_keep_alive_timeout(keep_alive_seconds);
    server_.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.set_content(body_, "text/plain; version=0.0.4");
    });
    // Gzipped by hand with a content type httplib never compresses itself.
    server_.Get("/gzip", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.set_header("Content-Encoding", "gzip");
      res.set_content(Gzip(body_), std::string(kOpenMetrics));
    });
    server_.Get("/hang", [this](const httplib::Request&, httplib::Response& res) {
      for (int i = 0; i < 300 && !stopping_; ++i) std::this_thread::sleep_for(milliseconds(10));
      res.set_content("late 1\n", "text/plain");
    });
    server_.Get("/trickle", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [this](size_t offset, httplib::DataSink& sink) {
        if (offset > 2000 || stopping_) {
          sink.done();
          return true;
        }
        std::this_thread::sleep_for(milliseconds(50));
        std::string line = "trickle{at=\"" + std::to_string(offset) + "\"} 1\n";
        return sink.write(line.data(), line.size());
      });
    });
    server_.Get("/500", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("boom\n", "text/plain");
    });
    server_.Get("/old", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/metrics");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the accept loop runs would not end it.
    while (!server_.is_running()) std::this_thread::sleep_for(milliseconds(1));
  }
  ~Target() {
    stopping_ = true;
    server_.stop();
    thread_.join();
  }
  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  int port() const { return port_; }
  std::string body_ = Exposition(3);
  std::mutex mu;
  std::vector<httplib::Headers> requests;  // GUARDED_BY(mu)
  std::set<int> client_ports;               // GUARDED_BY(mu)

 private:
  void Record(const httplib::Request& req) {
    std::lock_guard lock(mu);
    requests.push_back(req.headers);
    client_ports.insert(req.remote_port);
  }
  httplib::Server server_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

scrape::TargetScraper Scraper(const std::string& url, int64_t limit = 0) {
  scrape::ScrapeRequest r;
  r.url = url;
  r.user_agent = "Prometheus/2.42.0";
  r.body_size_limit = limit;
  return scrape::TargetScraper(std::move(r));
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a target scraper keeps its connection, sends Prometheus's headers and decodes gzip",
          "[scrape][scraper]") {
  Target t;
  t.body_ = Exposition(2000);
  const std::string path = GENERATE(std::string("/metrics"), std::string("/gzip"));
  auto s = Scraper(t.Url(path));
  for (int i = 0; i < 3; ++i) {
    auto r = s.Scrape(milliseconds(1500));
    REQUIRE(r.status.ok());
    CHECK(r.body == t.body_);
    CHECK(r.content_type == (path == "/gzip" ? std::string(kOpenMetrics) : "text/plain; version=0.0.4"));
  }
  CHECK(s.connections_opened() == 1);
  std::lock_guard lock(t.mu);
  CHECK(t.client_ports.size() == 1);
  REQUIRE(t.requests.size() == 3);
  const httplib::Headers& h = t.requests[0];
  auto get = [&](const char* name) {
    auto it = h.find(name);
    return it == h.end() ? std::string("<none>") : it->second;
  };
  CHECK(get("Accept-Encoding") == "gzip");
  CHECK(get("User-Agent") == "Prometheus/2.42.0");
  CHECK(get("X-Prometheus-Scrape-Timeout-Seconds") == "1.5");
  CHECK(get("Accept").starts_with("application/openmetrics-text;version=1.0.0,"));
}

TEST_CASE("body_size_limit applies to the decoded body as Prometheus's (n >= limit fails)",
          "[scrape][scraper]") {
  Target t;
  t.body_ = Exposition(1000);
  const int64_t size = static_cast<int64_t>(t.body_.size());
  const std::string path = GENERATE(std::string("/metrics"), std::string("/gzip"));
  for (auto [limit, ok] : {std::pair<int64_t, bool>{size / 2, false},
                           {size, false},
                           {size + 1, true},
                           {0, true}}) {
    INFO(path << " limit " << limit);
    auto s = Scraper(t.Url(path), limit);
    auto r = s.Scrape(milliseconds(2000));
    CHECK(r.status.ok() == ok);
    if (!ok) {
      CHECK(r.status.code() == base::StatusCode::kLimitExceeded);
      CHECK(r.status.message() == "body size limit exceeded");
    }
  }
}

TEST_CASE("one deadline covers the whole scrape, worded as Go's", "[scrape][scraper]") {
  Target t;
  SECTION("no response headers in time") {
    auto s = Scraper(t.Url("/hang"));
    auto start = std::chrono::steady_clock::now();
    auto r = s.Scrape(milliseconds(300));
    CHECK(SecondsSince(start) < 0.8);
    CHECK(r.status.message() == "Get \"" + t.Url("/hang") + "\": context deadline exceeded");
  }
  SECTION("a body that keeps coming past the deadline") {
    auto s = Scraper(t.Url("/trickle"));
    auto start = std::chrono::steady_clock::now();
    auto r = s.Scrape(milliseconds(300));
    CHECK(SecondsSince(start) < 0.8);
    CHECK(r.status.message() == "context deadline exceeded");
    CHECK(r.body.empty());
  }
}

TEST_CASE("connection and HTTP errors are worded as Go's", "[scrape][scraper]") {
  int closed_port = 0;
  {
    Target gone;
    closed_port = gone.port();
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port) + "/metrics";
  auto refused = Scraper(url).Scrape(milliseconds(1000));
  CHECK(refused.status.message() == "Get \"" + url + "\": dial tcp 127.0.0.1:" +
                                        std::to_string(closed_port) +
                                        ": connect: connection refused");
  Target t;
  auto s500 = Scraper(t.Url("/500")).Scrape(milliseconds(1000));
  CHECK(s500.status.message() == "server returned HTTP status 500 Internal Server Error");
  auto moved = Scraper(t.Url("/old")).Scrape(milliseconds(1000));
  CHECK(moved.status.ok());
  CHECK(moved.body == t.body_);
}

TEST_CASE("a kept connection the target closed while idle is replaced without an error",
          "[scrape][scraper]") {
  Target t(/*keep_alive_seconds=*/1);
  auto s = Scraper(t.Url("/metrics"));
  REQUIRE(s.Scrape(milliseconds(1000)).status.ok());
  std::this_thread::sleep_for(milliseconds(1600));  // the server closes the idle connection
  auto r = s.Scrape(milliseconds(1000));
  CHECK(r.status.ok());
  CHECK(r.body == t.body_);
  CHECK(s.connections_opened() == 2);
}

TEST_CASE("HttpFetcher sends the scrape config's credentials", "[scrape][scraper]") {
  Target t;
  config::ScrapeConfig cfg;
  cfg.http.basic_auth = config::BasicAuth{"u", "", "p", ""};
  auto fetch = scrape::HttpFetcher(t.Url("/metrics"), cfg, "Prometheus/2.42.0");
  REQUIRE(fetch(milliseconds(1000)).status.ok());
  std::lock_guard lock(t.mu);
  REQUIRE(t.requests.size() == 1);
  CHECK(t.requests[0].find("Authorization")->second == "Basic dTpw");
}

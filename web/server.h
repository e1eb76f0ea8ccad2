// Server: Hestia's HTTP server (cpp-httplib): Prometheus's /api/v1 read endpoints, the
// remote-write receiver, /-/healthy, /-/ready and /metrics, with Prometheus's URLs, status codes,
// bodies and self-metrics; Alertmanager's API v2 when given an alerting::Alertmanager (inside the
// server, or standalone as `hestia alertmanager`). Endpoints and differences: docs/api.md.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/logger.h"
#include "base/metrics.h"
#include "base/status.h"
#include "remote_write/handler.h"
#include "storage/appender.h"
#include "storage/querier.h"
#include "tsdb/db.h"  // for tsdb::HeadStats only; web does not link tsdb
#include "web/alertmanager_api.h"
#include "web/api_v1.h"

namespace httplib {
class Server;
}

namespace web {

// Thread-safe: SetReady and port may be called from any thread at any time; Start and Stop from
// any thread but not concurrently with each other. Requests are served by httplib's pool of
// worker threads while its accept loop runs on a member jthread.
class Server {
 public:
  struct Options {
    // host:port, as Prometheus's --web.listen-address: "0.0.0.0:9090", ":9090" (all IPv4
    // interfaces), "127.0.0.1:0" (any free port; see port()), "[::1]:9090", "localhost:9090".
    std::string listen_address = "0.0.0.0:9090";
    // --web.external-url; its path is the route prefix when route_prefix is empty.
    std::string external_url;
    // --web.route-prefix: every endpoint is served below it ("/prom" -> /prom/api/v1/series).
    std::string route_prefix;
    base::Logger* logger = &base::Logger::Quiet();
    // Self-metrics are registered here and exposed at /metrics; a private registry when null.
    base::metrics::Registry* registry = nullptr;
    // Required unless `alertmanager` is set: without a queryable the server is a standalone
    // Alertmanager (`hestia alertmanager`): /api/v2/*, /metrics and Alertmanager's /-/healthy,
    // /-/ready and POST /-/reload (always enabled, through `reload`), nothing of Prometheus's.
    storage::Queryable* queryable = nullptr;
    // Alertmanager API v2 under /api/v2/ (docs/api.md) when set; must outlive the server.
    alerting::Alertmanager* alertmanager = nullptr;
    // The remote-write receiver appends here; when null, /api/v1/write answers 404 as
    // Prometheus does without --web.enable-remote-write-receiver.
    storage::Appendable* appendable = nullptr;
    std::function<tsdb::HeadStats(size_t limit)> tsdb_stats;
    remote_write::Options remote_write;
    // Remote-write request bodies (compressed) larger than this are answered with 400.
    size_t max_remote_write_body_bytes = 32u << 20;
    BuildInfo build_info;
    std::vector<std::pair<std::string, std::string>> flags;
    std::function<std::string()> config_yaml;    // /api/v1/status/config
    std::function<RuntimeInfo()> runtime_info;   // /api/v1/status/runtimeinfo
    std::function<std::vector<scrape::TargetStatus>()> targets;  // /api/v1/targets
    std::function<std::vector<std::string>()> scrape_pools;      // /api/v1/scrape_pools
    // /api/v1/targets/metadata and /api/v1/metadata (see ApiV1::Options::metadata).
    std::function<std::vector<scrape::TargetMetadata>(std::string_view metric)> metadata;
    // /api/v1/rules and /api/v1/alerts (see ApiV1::Options::rules).
    std::function<base::Result<std::string>(const Form&)> rules;
    std::function<base::Result<std::string>(const Form&)> alerts;
    std::function<std::string()> alertmanagers;  // /api/v1/alertmanagers
    ApiV1::Options::Admin admin;                 // /api/v1/admin/tsdb/* (--web.enable-admin-api)
    const promql::Engine* engine = nullptr;  // /api/v1/query, /api/v1/query_range
    // POST|PUT /-/reload reloads the configuration through this when set, as Prometheus with
    // --web.enable-lifecycle; otherwise it answers 403.
    std::function<base::Status()> reload;
    // Initial readiness; /api/v1/* and /-/ready answer 503 until ready (see SetReady).
    bool ready = false;
  };

  explicit Server(Options options);
  // Stops the server if it runs.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listen address and starts serving on a background thread.
  // Errors: kInvalidArgument for a malformed listen address or when neither a queryable nor an
  // alertmanager is set;
  // kIOError when the address cannot be bound, e.g.
  //   "listen tcp 127.0.0.1:9090: bind: address already in use".
  // REQUIRES: not started.
  base::Status Start();
  // Stops accepting connections, finishes requests in flight and joins the listen thread.
  // Idempotent.
  void Stop();
  // The bound port; 0 before Start.
  int port() const { return port_.load(); }
  // Prometheus's SetReady: until ready, the API and /-/ready answer 503 "Service Unavailable".
  void SetReady(bool ready);
  // The route prefix in effect: "" or "/path" without a trailing slash.
  const std::string& route_prefix() const { return prefix_; }

 private:
  struct Route;
  struct Request;
  struct Metrics;

  void AddRoutes();
  // Routes one request: 404, 405, OPTIONS, or the route, counted in the self-metrics.
  void Dispatch(const Request& req, HttpResponse* res);
  HttpResponse RemoteWrite(const Request& req);
  HttpResponse ServeRoute(const Route& route, const Request& req);

  Options options_;
  std::string prefix_;
  std::unique_ptr<base::metrics::Registry> own_registry_;
  base::metrics::Registry* registry_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<ApiV1> api_;
  std::unique_ptr<AlertmanagerApi> am_api_;  // when options_.alertmanager is set
  std::vector<Route> routes_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<bool> ready_;
  std::atomic<int> port_{0};
  std::atomic<bool> listen_done_{false};
  std::jthread listen_thread_;
};

}  // namespace web

#include "web/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <string_view>

#include "base/clock.h"
#include "web/api_error.h"
#include "base/json_writer.h"
#include "web/params.h"

namespace web {

using base::JsonWriter;
namespace {

constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";
constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
// Go's http.Request.ParseForm reads at most this much of a form body.
constexpr size_t kMaxFormBodyBytes = 10u << 20;
// How much of a body over its limit is still read (and discarded) so that the client, which
// sends its whole body before reading the answer, gets the 400 instead of a connection reset.
// Reading costs bandwidth only: the discarded bytes are not kept. (Go's server drains 256 KiB;
// httplib cannot answer before the body is read, so Hestia drains more.)
constexpr size_t kMaxDrainBytes = 64u << 20;
constexpr std::string_view kRemoteWriteProtoV1 = "prometheus.WriteRequest";
constexpr std::string_view kRemoteWriteProtoV2 = "io.prometheus.write.v2.Request";

// Go's http.Error: the message and a newline as plain text.
HttpResponse HttpError(int status, std::string_view message) {
  HttpResponse r{status, std::string(kTextPlain), std::string(message) + "\n", {}};
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

HttpResponse Text(int status, std::string text) {
  return HttpResponse{status, std::string(kTextPlain), std::move(text), {}};
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    size_t i = s.find(sep);
    out.push_back(s.substr(0, i));
    if (i == std::string_view::npos) return out;
    s.remove_prefix(i + 1);
  }
}

// Normalizes a route prefix to "" or "/path" without a trailing slash.
std::string NormalizePrefix(std::string p) {
  if (!p.empty() && p.front() != '/') p.insert(p.begin(), '/');
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p;
}

// The path of an URL such as "http://host:9090/prometheus/" ("/prometheus/").
std::string UrlPath(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  size_t slash = url.find('/', scheme + 3);
  if (slash == std::string_view::npos) return "";
  std::string_view path = url.substr(slash);
  return std::string(path.substr(0, path.find_first_of("?#")));
}

struct ListenAddress {
  std::string host;
  int port;
};

base::Result<ListenAddress> ParseListenAddress(std::string_view addr) {
  auto bad = [&](std::string_view why) {
    return base::InvalidArgument("invalid listen address \"" + std::string(addr) +
                                 "\": " + std::string(why));
  };
  std::string host;
  std::string_view port;
  if (addr.starts_with('[')) {
    size_t close = addr.find(']');
    if (close == std::string_view::npos) return bad("missing ']' in address");
    host = std::string(addr.substr(1, close - 1));
    if (close + 1 >= addr.size() || addr[close + 1] != ':') return bad("missing port in address");
    port = addr.substr(close + 2);
  } else {
    size_t colon = addr.rfind(':');
    if (colon == std::string_view::npos) return bad("missing port in address");
    host = std::string(addr.substr(0, colon));
    if (host.find(':') != std::string::npos) return bad("too many colons in address");
    port = addr.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit)) {
    return bad("invalid port");
  }
  int p = std::stoi(std::string(port));
  if (p > 65535) return bad("invalid port");
  if (host.empty()) host = "0.0.0.0";
  return ListenAddress{host, p};
}

// Prometheus's httputil.SetCORS with the default --web.cors.origin=".*".
void SetCors(const httplib::Request& req, HttpResponse* res) {
  if (!req.has_header("Origin")) return;
  res->headers.emplace_back("Access-Control-Allow-Headers",
                            "Accept, Authorization, Content-Type, Origin");
  res->headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  res->headers.emplace_back("Access-Control-Expose-Headers", "Date");
  res->headers.emplace_back("Vary", "Origin");
  res->headers.emplace_back("Access-Control-Allow-Origin", "*");
}

}  // namespace

// One request as the routes see it. `read_body` reads the request body into `body`: OK, or
// kLimitExceeded if it is longer than `limit` bytes, or kIOError if the client went away (the
// body is then incomplete). It is valid only during the call that received this Request. After
// an error, `body_consumed` tells whether the connection can still carry another request.
struct Server::Request {
  const httplib::Request& http;
  std::string_view method;
  std::string_view path;   // decoded, without the route prefix
  std::string_view param;  // the :name path segment, if the route has one
  std::function<base::Status(size_t limit, std::string* body)> read_body;
  std::shared_ptr<bool> body_consumed = std::make_shared<bool>(true);
};

struct Server::Route {
  // The path pattern relative to the prefix, also the handler label of the self-metrics
  // (Prometheus's names: "/api/v1/label/:name/values").
  std::string handler;
  std::vector<std::string> methods;  // allowed methods, sorted
  bool ready_gated = false;
  bool cors = false;
  bool prefix = false;  // matches every path below `handler` (which ends with '/')
  std::function<HttpResponse(const Request&)> serve;

  base::metrics::Histogram* duration = nullptr;
  base::metrics::Histogram* response_size = nullptr;
  std::unique_ptr<std::mutex> mu = std::make_unique<std::mutex>();
  std::map<int, base::metrics::Counter*> requests;  // by status code; guarded by mu

  // Matches `path` against the pattern, extracting a ":name" segment into *param.
  bool Match(std::string_view path, std::string_view* param) const {
    if (prefix) return path.starts_with(handler);
    size_t colon = handler.find(':');
    if (colon == std::string::npos) return path == handler;
    std::string_view pattern = handler;
    std::string_view before = pattern.substr(0, colon);
    size_t seg_end = pattern.find('/', colon);
    std::string_view after = seg_end == std::string_view::npos ? "" : pattern.substr(seg_end);
    if (path.size() <= before.size() + after.size() || !path.starts_with(before) ||
        !path.ends_with(after)) {
      return false;
    }
    std::string_view value = path.substr(before.size(), path.size() - before.size() - after.size());
    if (value.find('/') != std::string_view::npos) return false;
    *param = value;
    return true;
  }

  bool Allows(std::string_view method) const {
    return std::find(methods.begin(), methods.end(), method) != methods.end();
  }

  // The Allow header of Prometheus's router (httprouter): the methods and OPTIONS, sorted.
  std::string AllowHeader() const {
    std::vector<std::string> allow = methods;
    allow.emplace_back("OPTIONS");
    std::sort(allow.begin(), allow.end());
    std::string joined;
    for (const auto& m : allow) joined += (joined.empty() ? "" : ", ") + m;
    return joined;
  }
};

struct Server::Metrics {
  explicit Metrics(base::metrics::Registry& r)
      : registry(r),
        ready(r.GetGauge("prometheus_ready",
                         "Whether Prometheus startup was fully completed and the server is ready "
                         "for normal operation.")),
        samples_appended(r.GetCounter("hestia_remote_write_samples_appended_total",
                                      "Samples appended from remote-write requests.")),
        out_of_order(RejectedSamples("out_of_order")),
        duplicate(RejectedSamples("duplicate")),
        out_of_bounds(RejectedSamples("out_of_bounds")),
        too_old(RejectedSamples("too_old")),
        invalid_labels(RejectedSamples("invalid_labels")),
        exemplars_ignored(Ignored("exemplar")),
        histograms_ignored(Ignored("histogram")),
        metadata_ignored(Ignored("metadata")) {}

  base::metrics::Counter& RejectedSamples(const char* reason) {
    return registry.GetCounter("hestia_remote_write_samples_rejected_total",
                               "Samples of remote-write requests not stored, by reason.",
                               {{"reason", reason}});
  }
  base::metrics::Counter& Ignored(const char* kind) {
    return registry.GetCounter("hestia_remote_write_ignored_total",
                               "Exemplars, native histograms and metadata of remote-write "
                               "requests that were not stored, by kind.",
                               {{"kind", kind}});
  }
  void CountWriteRequest(int code) {
    std::lock_guard lock(mu);
    auto [it, inserted] = write_requests.try_emplace(code, nullptr);
    if (inserted) {
      it->second = &registry.GetCounter("hestia_remote_write_requests_total",
                                        "Remote-write requests received, by HTTP status code.",
                                        {{"code", std::to_string(code)}});
    }
    it->second->Inc();
  }

  base::metrics::Registry& registry;
  base::metrics::Gauge& ready;
  base::metrics::Counter& samples_appended;
  base::metrics::Counter& out_of_order;
  base::metrics::Counter& duplicate;
  base::metrics::Counter& out_of_bounds;
  base::metrics::Counter& too_old;
  base::metrics::Counter& invalid_labels;
  base::metrics::Counter& exemplars_ignored;
  base::metrics::Counter& histograms_ignored;
  base::metrics::Counter& metadata_ignored;
  std::mutex mu;
  std::map<int, base::metrics::Counter*> write_requests;  // guarded by mu
};

Server::Server(Options options)
    : options_(std::move(options)),
      prefix_(NormalizePrefix(options_.route_prefix.empty() ? UrlPath(options_.external_url)
                                                            : options_.route_prefix)),
      own_registry_(options_.registry ? nullptr : std::make_unique<base::metrics::Registry>()),
      registry_(options_.registry ? options_.registry : own_registry_.get()),
      metrics_(std::make_unique<Metrics>(*registry_)),
      ready_(options_.ready) {
  metrics_->ready.Set(ready_ ? 1 : 0);
  if (options_.queryable) {
    api_ = std::make_unique<ApiV1>(ApiV1::Options{options_.queryable, options_.tsdb_stats,
                                                  options_.build_info, options_.flags,
                                                  options_.config_yaml, options_.runtime_info,
                                                  options_.engine, [] { return base::Clock::Real().NowMs(); },
                                                  options_.targets, options_.metadata,
                                                  options_.rules, options_.alerts,
                                                  options_.alertmanagers, options_.admin});
  }
  if (options_.alertmanager) {
    am_api_ = std::make_unique<AlertmanagerApi>(AlertmanagerApi::Options{
        options_.alertmanager, options_.build_info, base::Clock::Real().NowMs(), {}});
  }
  AddRoutes();
}

Server::~Server() { Stop(); }

void Server::SetReady(bool ready) {
  ready_.store(ready);
  metrics_->ready.Set(ready ? 1 : 0);
}

void Server::AddRoutes() {
  auto add = [&](std::string handler, std::vector<std::string> methods, bool ready_gated, bool cors,
                 std::function<HttpResponse(const Request&)> serve) {
    Route r;
    r.handler = std::move(handler);
    std::sort(methods.begin(), methods.end());
    r.methods = std::move(methods);
    r.ready_gated = ready_gated;
    r.cors = cors;
    r.serve = std::move(serve);
    r.duration = &registry_->GetHistogram(
        "prometheus_http_request_duration_seconds", "Histogram of latencies for HTTP requests.",
        {.1, .2, .4, 1, 3, 8, 20, 60, 120}, {{"handler", r.handler}});
    r.response_size = &registry_->GetHistogram(
        "prometheus_http_response_size_bytes", "Histogram of response size for HTTP requests.",
        base::metrics::ExponentialBuckets(100, 10, 8), {{"handler", r.handler}});
    // As Prometheus, the 200 child exists before the first request.
    r.requests[200] =
        &registry_->GetCounter("prometheus_http_requests_total", "Counter of HTTP requests.",
                               {{"code", "200"}, {"handler", r.handler}});
    routes_.push_back(std::move(r));
  };
  auto form = [](const Request& req) -> base::Result<Form> {
    std::string_view target = req.http.target;
    size_t q = target.find('?');
    std::string_view query =
        q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    std::string body;
    if (req.method == "POST") {
      base::Status st = req.read_body(kMaxFormBodyBytes, &body);
      if (st.code() == base::StatusCode::kLimitExceeded) {
        return base::InvalidArgument("error parsing form values: http: POST too large");
      }
      if (!st.ok()) return base::InvalidArgument("error parsing form values: " + st.message());
    }
    return Form::Parse(req.method, query, req.http.get_header_value("Content-Type"), body);
  };
  auto api = [this, form](auto fn) {
    return [this, form, fn](const Request& req) {
      auto f = form(req);
      if (!f) return ApiFailure(f.error());
      return fn(*api_, req, *f);
    };
  };

  add("/metrics", {"GET"}, false, false, [this](const Request&) {
    return HttpResponse{200, std::string(kMetricsContentType), registry_->Expose(), {}};
  });
  // Alertmanager API v2: one route; AlertmanagerApi answers unknown paths and methods itself,
  // as go-openapi does.
  if (am_api_) {
    add("/api/v2/", {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}, api_ != nullptr,
        false,
        [this](const Request& req) {
          std::string body;
          if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
            if (base::Status st = req.read_body(kMaxFormBodyBytes, &body); !st.ok()) {
              HttpResponse r = HttpError(400, st.message());
              if (!*req.body_consumed) r.headers.emplace_back("Connection", "close");
              return r;
            }
          }
          std::string_view target = req.http.target;
          size_t q = target.find('?');
          std::string_view query =
              q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
          return am_api_->Serve(req.method, req.path, query,
                                req.http.get_header_value("Content-Type"), body);
        });
    routes_.back().prefix = true;
  }
  if (!api_) {
    // A standalone Alertmanager: its ui.Register endpoints besides the API.
    add("/-/healthy", {"GET", "HEAD"}, false, false, [](const Request& req) {
      return Text(200, req.method == "HEAD" ? "" : "OK");
    });
    add("/-/ready", {"GET", "HEAD"}, false, false, [](const Request& req) {
      return Text(200, req.method == "HEAD" ? "" : "OK");
    });
    add("/-/reload", {"POST"}, false, false, [this](const Request&) {
      if (options_.reload) {
        if (base::Status st = options_.reload(); !st.ok())
          return HttpError(500, "failed to reload config: " + st.message());
      }
      return HttpResponse{200, "", "", {}};
    });
    return;
  }

  add("/api/v1/series", {"GET", "POST"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.Series(f); }));
  add("/api/v1/labels", {"GET", "POST"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.Labels(f); }));
  add("/api/v1/label/:name/values", {"GET"}, true, true,
      api([](const ApiV1& a, const Request& r, const Form& f) {
        return a.LabelValues(r.param, f);
      }));
  add("/api/v1/status/buildinfo", {"GET"}, true, true,
      api([](const ApiV1& a, const Request&, const Form&) { return a.BuildInfoStatus(); }));
  add("/api/v1/status/flags", {"GET"}, true, true,
      api([](const ApiV1& a, const Request&, const Form&) { return a.Flags(); }));
  add("/api/v1/query_exemplars", {"GET", "POST"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.QueryExemplars(f); }));
  add("/api/v1/query", {"GET", "POST"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.Query(f); }));
  add("/api/v1/query_range", {"GET", "POST"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.QueryRange(f); }));
  add("/api/v1/format_query", {"GET", "POST"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.FormatQuery(f); }));
  add("/api/v1/targets", {"GET"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.Targets(f); }));
  add("/api/v1/targets/metadata", {"GET"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.TargetsMetadata(f); }));
  add("/api/v1/rules", {"GET"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.Rules(f); }));
  add("/api/v1/alerts", {"GET"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.Alerts(f); }));
  add("/api/v1/alertmanagers", {"GET"}, true, true,
      api([](const ApiV1& a, const Request&, const Form&) { return a.Alertmanagers(); }));
  add("/api/v1/metadata", {"GET"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.Metadata(f); }));
  add("/api/v1/status/config", {"GET"}, true, true,
      api([](const ApiV1& a, const Request&, const Form&) { return a.ConfigStatus(); }));
  add("/api/v1/status/runtimeinfo", {"GET"}, true, true,
      api([](const ApiV1& a, const Request&, const Form&) { return a.RuntimeInfoStatus(); }));
  add("/api/v1/status/tsdb", {"GET"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.TsdbStatus(f); }));
  add("/api/v1/admin/tsdb/delete_series", {"POST", "PUT"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.DeleteSeries(f); }));
  add("/api/v1/admin/tsdb/clean_tombstones", {"POST", "PUT"}, true, true,
      api([](const ApiV1& a, const Request&, const Form&) { return a.CleanTombstones(); }));
  add("/api/v1/admin/tsdb/snapshot", {"POST", "PUT"}, true, true,
      api([](const ApiV1& a, const Request&, const Form& f) { return a.Snapshot(f); }));
  add("/api/v1/write", {"POST"}, true, false,
      [this](const Request& req) { return RemoteWrite(req); });
  add("/-/healthy", {"GET", "HEAD"}, false, false, [](const Request& req) {
    return Text(200, req.method == "HEAD" ? "" : "Prometheus Server is Healthy.\n");
  });
  add("/-/ready", {"GET", "HEAD"}, true, false, [](const Request& req) {
    return Text(200, req.method == "HEAD" ? "" : "Prometheus Server is Ready.\n");
  });
  add("/-/reload", {"POST", "PUT"}, false, false, [this](const Request&) {
    if (!options_.reload) return Text(403, "Lifecycle API is not enabled.");
    if (base::Status st = options_.reload(); !st.ok())
      return Text(500, "failed to reload config: " + st.message() + "\n");
    return Text(200, "");
  });
  add("/api/v1/scrape_pools", {"GET"}, true, true, [this](const Request&) {
    std::vector<std::string> pools;
    if (options_.scrape_pools) pools = options_.scrape_pools();
    JsonWriter w;
    w.BeginObject().Key("scrapePools").BeginArray();
    for (const std::string& p : pools) w.String(p);
    w.EndArray().EndObject();
    return ApiSuccess(w.str());
  });
}

HttpResponse Server::ServeRoute(const Route& route, const Request& req) {
  if (route.ready_gated && !ready_.load()) {
    HttpResponse r = Text(503, "Service Unavailable");
    r.headers.emplace_back("X-Prometheus-Stopping", "false");
    return r;
  }
  HttpResponse res = route.serve(req);
  if (route.cors) SetCors(req.http, &res);
  return res;
}

void Server::Dispatch(const Request& req, HttpResponse* res) {
  const bool api_path = req.path.starts_with("/api/v1/");
  Route* route = nullptr;
  Request routed = req;
  for (Route& r : routes_) {
    if (r.Match(req.path, &routed.param)) {
      route = &r;
      break;
    }
  }
  if (req.method == "OPTIONS" && !(route && route->prefix)) {
    // The API answers OPTIONS on any path (for CORS preflight); other paths get the automatic
    // answer of Prometheus's router: the allowed methods.
    if (api_path) {
      if (!ready_.load()) {
        *res = Text(503, "Service Unavailable");
        res->headers.emplace_back("X-Prometheus-Stopping", "false");
        return;
      }
      *res = HttpResponse{204, "", "", {}};
      SetCors(req.http, res);
      return;
    }
    if (route) {
      *res = HttpResponse{200, "", "", {{"Allow", route->AllowHeader()}}};
      return;
    }
  }
  if (!route) {
    *res = HttpError(404, "404 page not found");
    return;
  }
  if (!route->Allows(req.method)) {
    *res = HttpError(405, "Method Not Allowed");
    res->headers.emplace_back("Allow", route->AllowHeader());
    return;
  }

  auto start = std::chrono::steady_clock::now();
  *res = ServeRoute(*route, routed);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  route->duration->Observe(seconds);
  route->response_size->Observe(static_cast<double>(res->body.size()));
  base::metrics::Counter* counter;
  {
    std::lock_guard lock(*route->mu);
    auto& c = route->requests[res->status];
    if (!c) {
      c = &registry_->GetCounter(
          "prometheus_http_requests_total", "Counter of HTTP requests.",
          {{"code", std::to_string(res->status)}, {"handler", route->handler}});
    }
    counter = c;
  }
  counter->Inc();
}

HttpResponse Server::RemoteWrite(const Request& req) {
  HttpResponse res = [&] {
    if (!options_.appendable) {
      return HttpError(404,
                       "remote write receiver needs to be enabled with "
                       "--web.enable-remote-write-receiver");
    }
    // Content-Type: as Prometheus's writeHandler.parseProtoMsg; only remote-write 1.0 is
    // accepted. An absent Content-Type or Content-Encoding means 1.0 and snappy.
    std::string content_type(TrimSpace(req.http.get_header_value("Content-Type")));
    if (content_type.empty()) content_type = "application/x-protobuf";
    std::vector<std::string_view> parts = Split(content_type, ';');
    if (parts[0] != "application/x-protobuf") {
      return HttpError(415, "expected application/x-protobuf as the first (media) part, got " +
                                content_type + " content-type");
    }
    std::string_view proto = kRemoteWriteProtoV1;
    for (size_t i = 1; i < parts.size(); ++i) {
      std::vector<std::string_view> kv = Split(parts[i], '=');
      if (kv.size() != 2) {
        return HttpError(415,
                         "as per https://www.rfc-editor.org/rfc/rfc9110#parameter expected "
                         "parameters to be key-values, got " +
                             std::string(parts[i]) + " in " + content_type + " content-type");
      }
      if (kv[0] == "proto") {
        proto = kv[1];
        if (proto != kRemoteWriteProtoV1 && proto != kRemoteWriteProtoV2) {
          return HttpError(
              415, "got " + content_type + " content type; unknown remote write protobuf message " +
                       std::string(proto) + ", supported: " + std::string(kRemoteWriteProtoV1) +
                       ", " + std::string(kRemoteWriteProtoV2));
        }
        break;
      }
    }
    if (proto != kRemoteWriteProtoV1) {
      return HttpError(415, std::string(proto) +
                                " protobuf message is not accepted by this server; accepted [" +
                                std::string(kRemoteWriteProtoV1) + "]");
    }
    std::string encoding = req.http.get_header_value("Content-Encoding");
    std::string lower = encoding;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (!encoding.empty() && lower != "snappy") {
      return HttpError(415, encoding +
                                " encoding (compression) is not accepted by this server; only "
                                "snappy is acceptable");
    }

    std::string body;
    if (base::Status st = req.read_body(options_.max_remote_write_body_bytes, &body); !st.ok()) {
      HttpResponse r = HttpError(400, st.message());
      // The rest of the body was not read: the connection cannot carry another request.
      if (!*req.body_consumed && req.http.get_header_value("Connection") != "close") {
        r.headers.emplace_back("Connection", "close");
      }
      return r;
    }

    remote_write::WriteStats stats;
    base::Status st =
        remote_write::HandleWrite(body, *options_.appendable, options_.remote_write, &stats);
    metrics_->samples_appended.Inc(static_cast<double>(stats.samples_appended));
    metrics_->out_of_order.Inc(static_cast<double>(stats.samples_out_of_order));
    metrics_->duplicate.Inc(static_cast<double>(stats.samples_duplicate));
    metrics_->out_of_bounds.Inc(static_cast<double>(stats.samples_out_of_bounds));
    metrics_->too_old.Inc(static_cast<double>(stats.samples_too_old));
    metrics_->invalid_labels.Inc(static_cast<double>(stats.samples_invalid));
    metrics_->exemplars_ignored.Inc(static_cast<double>(stats.exemplars_ignored));
    metrics_->histograms_ignored.Inc(static_cast<double>(stats.histograms_ignored));
    metrics_->metadata_ignored.Inc(static_cast<double>(stats.metadata_ignored));

    int code = RemoteWriteHttpStatus(st);
    if (code == 204) return HttpResponse{204, "", "", {}};
    if (code >= 500) {
      options_.logger->Error("web", "Remote-write request could not be stored",
                             {{"err", st.ToString()}});
    }
    return HttpError(code, st.message());
  }();
  metrics_->CountWriteRequest(res.status);
  return res;
}

base::Status Server::Start() {
  if (!api_ && !am_api_) return base::InvalidArgument("web server needs a queryable");
  if (http_) return base::Internal("web server already started");
  ASSIGN_OR_RETURN(ListenAddress addr, ParseListenAddress(options_.listen_address));

  http_ = std::make_unique<httplib::Server>();
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second server bind a port
  // that is in use.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // The largest body httplib reads for us; the write route enforces its own, smaller limit.
  http_->set_payload_max_length(std::max(options_.max_remote_write_body_bytes, kMaxFormBodyBytes) +
                                1);

  auto handle = [this](const httplib::Request& http_req, httplib::Response& http_res,
                       const httplib::ContentReader* reader) {
    std::string_view path = http_req.path;
    HttpResponse res;
    if (!prefix_.empty()) {
      if (!path.starts_with(prefix_) ||
          (path.size() > prefix_.size() && path[prefix_.size()] != '/')) {
        path = {};
      } else {
        path.remove_prefix(prefix_.size());
      }
    }
    Request req{http_req, http_req.method, path, {}, nullptr};
    req.read_body = [&http_req, reader, consumed = req.body_consumed](
                        size_t limit, std::string* body) -> base::Status {
      body->clear();
      auto too_large = [limit] {
        return base::LimitExceeded("request body too large: the limit is " + std::to_string(limit) +
                                   " bytes");
      };
      const bool chunked =
          http_req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
      // As Go's server: a request without Content-Length or chunked encoding has no body.
      if (!reader || (!chunked && !http_req.has_header("Content-Length"))) {
        return base::Status::Ok();
      }
      // A body over the limit is read on and discarded up to kMaxDrainBytes more, as Go's
      // server does, so that the client gets the answer instead of a connection reset.
      if (!chunked &&
          http_req.get_header_value<uint64_t>("Content-Length") > limit + kMaxDrainBytes) {
        *consumed = false;
        return too_large();
      }
      uint64_t total = 0;
      bool exceeded = false;
      bool ok = (*reader)([&](const char* data, size_t n) {
        total += n;
        if (total <= limit) {
          body->append(data, n);
          return true;
        }
        if (!exceeded) std::string().swap(*body);
        exceeded = true;
        return total <= limit + kMaxDrainBytes;
      });
      if (!ok) *consumed = false;
      if (exceeded) return too_large();
      if (!ok) return base::IOError("error reading request body");
      return base::Status::Ok();
    };
    Dispatch(req, &res);

    http_res.status = res.status;
    for (auto& [k, v] : res.headers) http_res.set_header(k.c_str(), v);
    if (!res.body.empty()) {
      http_res.set_content(std::move(res.body), res.content_type.c_str());
    } else if (!res.content_type.empty()) {
      http_res.set_header("Content-Type", res.content_type);
    }
  };
  http_->Get(".*",
             [handle](const httplib::Request& q, httplib::Response& r) { handle(q, r, nullptr); });
  http_->Options(
      ".*", [handle](const httplib::Request& q, httplib::Response& r) { handle(q, r, nullptr); });
  auto with_body = [handle](const httplib::Request& q, httplib::Response& r,
                            const httplib::ContentReader& reader) { handle(q, r, &reader); };
  http_->Post(".*", with_body);
  http_->Put(".*", with_body);
  http_->Patch(".*", with_body);
  http_->Delete(".*", with_body);
  http_->Delete(
      ".*", [handle](const httplib::Request& q, httplib::Response& r) { handle(q, r, nullptr); });

  int port = addr.port;
  errno = 0;
  bool bound = port == 0 ? (port = http_->bind_to_any_port(addr.host)) > 0
                         : http_->bind_to_port(addr.host, port);
  if (!bound) {
    int err = errno;
    http_.reset();
    std::string why = err ? std::strerror(err) : "cannot bind";
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    return base::IOError("listen tcp " + options_.listen_address + ": bind: " + why);
  }
  port_.store(port);
  listen_done_.store(false);
  listen_thread_ = std::jthread([this] {
    if (!http_->listen_after_bind()) {
      options_.logger->Error("web", "HTTP server stopped accepting connections",
                             {{"address", options_.listen_address}});
    }
    listen_done_.store(true);
  });
  // httplib's stop() is a no-op until the listen loop runs: wait for it so that an early
  // Stop() cannot leave the loop running.
  while (!http_->is_running() && !listen_done_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  options_.logger->Info("web", "Listening",
                        {{"address", options_.listen_address}, {"port", std::to_string(port)}});
  return base::Status::Ok();
}

void Server::Stop() {
  if (http_) http_->stop();
  if (listen_thread_.joinable()) listen_thread_.join();
  http_.reset();
  port_.store(0);
}

}  // namespace web

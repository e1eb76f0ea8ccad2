// ApiV1: the handlers of Prometheus's /api/v1 read endpoints (web/api/v1/api.go), independent
// of the HTTP library: a Form in, an HttpResponse with Prometheus's exact JSON out. The Server
// routes requests to them; the PromQL query endpoints will join them here.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/matcher.h"
#include "storage/querier.h"
#include "promql/engine.h"
#include "scrape/manager.h"
#include "tsdb/db.h"  // for tsdb::HeadStats only; web does not link tsdb
#include "web/params.h"

namespace web {

// What /api/v1/status/buildinfo reports (Prometheus's PrometheusVersion).
struct BuildInfo {
  std::string version;
  std::string revision;
  std::string branch;
  std::string build_user;
  std::string build_date;
  // Prometheus reports the Go version; Hestia reports the C++ compiler (DefaultCompilerVersion()
  // when empty).
  std::string go_version;
};

// The compiler that built this file, e.g. "gcc 12.2.0" or "clang 16.0.6".
std::string DefaultCompilerVersion();

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"status":"success","data":<data_json>} with "warnings":[...] after data when there are any.
HttpResponse ApiSuccess(std::string_view data_json, const std::vector<std::string>& warnings = {},
                        const std::vector<std::string>& infos = {});
// The error envelope with the status code of ToApiError. REQUIRES: !status.ok().
HttpResponse ApiFailure(const base::Status& status);

// Parses each match[] value as a series selector and checks that every set has a matcher that
// does not match the empty string. Errors: kInvalidArgument with the parse error, or
// "match[] must contain at least one non-empty matcher".
base::Result<std::vector<std::vector<model::Matcher>>> ParseMatchersParam(
    const std::vector<std::string_view>& selectors);

// What /api/v1/status/runtimeinfo reports (Prometheus's RuntimeInfo; Go-runtime fields carry
// the nearest native figure: threads for goroutineCount, cores for GOMAXPROCS).
struct RuntimeInfo {
  std::string start_time;        // RFC 3339
  std::string cwd;
  bool reload_config_success = true;
  std::string last_config_time;  // RFC 3339
  int64_t corruption_count = 0;
  int64_t goroutine_count = 0;
  int64_t gomaxprocs = 0;
  int64_t gomemlimit = 0;
  std::string storage_retention;
};

// Thread-safe: any number of requests may be handled at once.
class ApiV1 {
 public:
  struct Options {
    storage::Queryable* queryable = nullptr;  // required
    // Head statistics for /api/v1/status/tsdb (top `limit` entries per list); when empty that
    // endpoint answers 500 "unavailable".
    std::function<tsdb::HeadStats(size_t limit)> tsdb_stats;
    BuildInfo build_info;
    // /api/v1/status/flags: command-line flag name -> value.
    std::vector<std::pair<std::string, std::string>> flags;
    // /api/v1/status/config: the configuration file's text; the endpoint answers 404 when empty.
    std::function<std::string()> config_yaml;
    // /api/v1/status/runtimeinfo; 404 when empty.
    std::function<RuntimeInfo()> runtime_info;
    // The PromQL engine of /api/v1/query and /api/v1/query_range; those answer 404 when null.
    const promql::Engine* engine = nullptr;
    // The time "now" for queries without a time parameter.
    std::function<model::Timestamp()> now;
    // /api/v1/targets; 404 when empty.
    std::function<std::vector<scrape::TargetStatus>()> targets;
    // /api/v1/targets/metadata and /api/v1/metadata: the metadata of the active targets (of the
    // family `metric` only, when not empty), as scrape::Manager::TargetsMetadata. When empty,
    // both endpoints answer with no metadata.
    std::function<std::vector<scrape::TargetMetadata>(std::string_view metric)> metadata;
    // /api/v1/rules and /api/v1/alerts: the `data` JSON of the rule manager for the request's
    // filters (type, rule_name[], rule_group[], file[]). When empty (no rule manager), no rules
    // are loaded: {"groups":[]} and {"alerts":[]}, as Prometheus without rule files.
    std::function<base::Result<std::string>(const Form&)> rules;
    std::function<base::Result<std::string>(const Form&)> alerts;
    // /api/v1/alertmanagers: the notifier's `data` JSON ({"activeAlertmanagers":[...],
    // "droppedAlertmanagers":[...]}); when empty, none are configured.
    std::function<std::string()> alertmanagers;
    // The TSDB admin API (/api/v1/admin/tsdb/*). When `enabled` is false (Prometheus without
    // --web.enable-admin-api) every admin endpoint answers as Prometheus does: 500
    // {"errorType":"unavailable","error":"admin APIs disabled"}.
    struct Admin {
      bool enabled = false;
      // Deletes [start, end] of the series matching one set of matchers.
      std::function<base::Status(model::Timestamp start, model::Timestamp end,
                                 const std::vector<model::Matcher>& matchers)> delete_series;
      std::function<base::Status()> clean_tombstones;
      // Writes a snapshot named `name` (the directory <data>/snapshots/<name>).
      std::function<base::Status(const std::string& name, bool skip_head)> snapshot;
    } admin;
  };

  // REQUIRES: options.queryable != nullptr.
  explicit ApiV1(Options options);

  // GET /api/v1/rules and /api/v1/alerts (Options::rules, Options::alerts).
  HttpResponse Rules(const Form& form) const;
  HttpResponse Alerts(const Form& form) const;
  // GET /api/v1/alertmanagers (Options::alertmanagers).
  HttpResponse Alertmanagers() const;

  // POST|PUT /api/v1/admin/tsdb/delete_series: match[] (required), start, end; 204.
  HttpResponse DeleteSeries(const Form& form) const;
  // POST|PUT /api/v1/admin/tsdb/clean_tombstones; 204.
  HttpResponse CleanTombstones() const;
  // POST|PUT /api/v1/admin/tsdb/snapshot: skip_head; {"name":"20260102T150405Z-<16 hex>"}.
  HttpResponse Snapshot(const Form& form) const;

  // GET|POST /api/v1/series: match[] (required, repeated), start, end, limit.
  HttpResponse Series(const Form& form) const;
  // GET|POST /api/v1/labels: match[], start, end, limit.
  HttpResponse Labels(const Form& form) const;
  // GET /api/v1/label/<name>/values: match[], start, end, limit. `name` is the decoded path
  // segment.
  HttpResponse LabelValues(std::string_view name, const Form& form) const;
  // GET /api/v1/status/buildinfo.
  HttpResponse BuildInfoStatus() const;
  // GET /api/v1/status/flags.
  HttpResponse Flags() const;
  // GET|POST /api/v1/query_exemplars: query, start, end. Always empty (no exemplar storage).
  HttpResponse QueryExemplars(const Form& form) const;
  // GET|POST /api/v1/query: query, time, timeout.
  HttpResponse Query(const Form& form) const;
  // GET|POST /api/v1/query_range: query, start, end, step, timeout.
  HttpResponse QueryRange(const Form& form) const;
  // GET|POST /api/v1/format_query: query (prettified as Prometheus's parser.Prettify).
  HttpResponse FormatQuery(const Form& form) const;
  // GET /api/v1/targets: state (active, dropped, any), scrapePool.
  HttpResponse Targets(const Form& form) const;
  // GET /api/v1/targets/metadata: match_target (a selector of target labels), metric, limit
  // (targets are added while fewer than `limit` entries are listed; negative: no limit).
  // [{"target":{labels},"metric":"name","type":"counter","help":"...","unit":""}], "metric"
  // left out when the metric parameter is given. Errors (bad_data): "limit must be a number",
  // `invalid parameter "match_target": <parse error>`.
  HttpResponse TargetsMetadata(const Form& form) const;
  // GET /api/v1/metadata: limit (families), limit_per_metric, metric.
  // {"name":[{"type":..,"help":..,"unit":..}]}: each family's distinct metadata across targets,
  // families in name order. Errors (bad_data): "limit must be a number",
  // "limit_per_metric must be a number".
  HttpResponse Metadata(const Form& form) const;
  // GET /api/v1/status/config.
  HttpResponse ConfigStatus() const;
  // GET /api/v1/status/runtimeinfo.
  HttpResponse RuntimeInfoStatus() const;
  // GET /api/v1/status/tsdb: limit (1..10000, default 10).
  HttpResponse TsdbStatus(const Form& form) const;

 private:
  Options options_;
};

}  // namespace web

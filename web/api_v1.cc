#include "web/api_v1.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <random>
#include <set>
#include <string_view>
#include <tuple>

#include "base/duration.h"
#include "base/strconv.h"
#include "model/labels.h"
#include "web/api_error.h"
#include "base/quote.h"
#include "base/json_writer.h"
#include "base/time_format.h"
#include "promql/parser/parse.h"
#include "promql/printer.h"

namespace web {

using base::Escaping;
using base::JsonWriter;
namespace {

constexpr std::string_view kTruncatedWarning = "results truncated due to limit";
constexpr size_t kMaxTsdbStatusLimit = 10000;

// The hint limit that lets a truncation be noticed (Prometheus's toHintLimit).
size_t HintLimit(size_t limit) { return limit > 0 && limit < SIZE_MAX ? limit + 1 : limit; }

void WriteStringArray(JsonWriter* w, const std::vector<std::string>& values) {
  w->BeginArray();
  for (const auto& v : values) w->String(v);
  w->EndArray();
}

// Sorted union of several sorted lists.
std::vector<std::string> SortedUnion(std::vector<std::vector<std::string>> lists) {
  std::vector<std::string> out;
  for (auto& l : lists)
    out.insert(out.end(), std::make_move_iterator(l.begin()), std::make_move_iterator(l.end()));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

struct TimeRange {
  model::Timestamp start;
  model::Timestamp end;
};

base::Result<TimeRange> ParseTimeRange(const Form& form) {
  ASSIGN_OR_RETURN(model::Timestamp start, ParseTimeParam(form, "start", kApiMinTime));
  ASSIGN_OR_RETURN(model::Timestamp end, ParseTimeParam(form, "end", kApiMaxTime));
  return TimeRange{start, end};
}

void WriteCounts(JsonWriter* w, std::string_view key,
                 const std::vector<tsdb::HeadStats::Count>& counts) {
  w->Key(key).BeginArray();
  for (const auto& c : counts) {
    w->BeginObject().Key("name").String(c.name).Key("value").Uint(c.value).EndObject();
  }
  w->EndArray();
}

}  // namespace

std::string DefaultCompilerVersion() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

HttpResponse ApiSuccess(std::string_view data_json, const std::vector<std::string>& warnings,
                        const std::vector<std::string>& infos) {
  JsonWriter w(data_json.size() + 64);
  w.BeginObject();
  w.Key("status").String("success");
  w.Key("data").Raw(data_json);
  if (!warnings.empty()) {
    w.Key("warnings");
    WriteStringArray(&w, warnings);
  }
  if (!infos.empty()) {
    w.Key("infos");
    WriteStringArray(&w, infos);
  }
  w.EndObject();
  return HttpResponse{200, "application/json", std::move(w).str(), {}};
}

HttpResponse ApiFailure(const base::Status& status) {
  return HttpResponse{ToApiError(status).http_status, "application/json", ApiErrorBody(status), {}};
}

base::Result<std::vector<std::vector<model::Matcher>>> ParseMatchersParam(
    const std::vector<std::string_view>& selectors) {
  std::vector<std::vector<model::Matcher>> sets;
  sets.reserve(selectors.size());
  for (std::string_view s : selectors) {
    ASSIGN_OR_RETURN(auto matchers, promql::parser::ParseMetricSelector(s));
    sets.push_back(std::move(matchers));
  }
  for (const auto& set : sets) {
    bool non_empty = std::any_of(set.begin(), set.end(),
                                 [](const model::Matcher& m) { return !m.MatchesEmpty(); });
    if (!non_empty)
      return base::InvalidArgument("match[] must contain at least one non-empty matcher");
  }
  return sets;
}

ApiV1::ApiV1(Options options) : options_(std::move(options)) {
  assert(options_.queryable != nullptr);
}

namespace {

HttpResponse NoContent() { return HttpResponse{204, "", "", {}}; }

base::Status AdminDisabled() { return base::Unavailable("admin APIs disabled"); }

}  // namespace

HttpResponse ApiV1::DeleteSeries(const Form& form) const {
  if (!options_.admin.enabled || !options_.admin.delete_series) return ApiFailure(AdminDisabled());
  if (!form.parse_error().ok()) {
    return ApiFailure(
        base::InvalidArgument("error parsing form values: " + form.parse_error().message()));
  }
  std::vector<std::string_view> selectors = form.GetAll("match[]");
  if (selectors.empty()) return ApiFailure(base::InvalidArgument("no match[] parameter provided"));
  auto range = ParseTimeRange(form);
  if (!range) return ApiFailure(range.error());
  auto sets = ParseMatchersParam(selectors);
  if (!sets) return ApiFailure(sets.error());
  for (const auto& set : *sets) {
    if (base::Status st = options_.admin.delete_series(range->start, range->end, set); !st.ok())
      return ApiFailure(base::Internal(st.message()));
  }
  return NoContent();
}

HttpResponse ApiV1::CleanTombstones() const {
  if (!options_.admin.enabled || !options_.admin.clean_tombstones) return ApiFailure(AdminDisabled());
  if (base::Status st = options_.admin.clean_tombstones(); !st.ok())
    return ApiFailure(base::Internal(st.message()));
  return NoContent();
}

HttpResponse ApiV1::Snapshot(const Form& form) const {
  if (!options_.admin.enabled || !options_.admin.snapshot) return ApiFailure(AdminDisabled());
  bool skip_head = false;
  if (auto v = form.Get("skip_head"); !v.empty()) {
    // Go's strconv.ParseBool.
    static const std::set<std::string_view> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
    static const std::set<std::string_view> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
    if (kTrue.contains(v)) {
      skip_head = true;
    } else if (!kFalse.contains(v)) {
      return ApiFailure(base::InvalidArgument(
          "unable to parse boolean 'skip_head' argument: strconv.ParseBool: parsing \"" +
          std::string(v) + "\": invalid syntax"));
    }
  }
  // The name Prometheus gives: UTC time, then 16 random hex digits.
  std::time_t now = static_cast<std::time_t>(options_.now() / 1000);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char name[64];
  std::size_t n = std::strftime(name, sizeof name, "%Y%m%dT%H%M%SZ", &tm);
  std::random_device rd;
  uint64_t r = (uint64_t{rd()} << 32 | rd()) & 0x7fffffffffffffffULL;
  std::snprintf(name + n, sizeof name - n, "-%016llx", static_cast<unsigned long long>(r));
  if (base::Status st = options_.admin.snapshot(name, skip_head); !st.ok())
    return ApiFailure(base::Internal("create snapshot: " + st.message()));
  JsonWriter w;
  w.BeginObject().Key("name").String(name).EndObject();
  return ApiSuccess(w.str());
}

HttpResponse ApiV1::Series(const Form& form) const {
  if (!form.parse_error().ok()) {
    return ApiFailure(
        base::InvalidArgument("error parsing form values: " + form.parse_error().message()));
  }
  std::vector<std::string_view> selectors = form.GetAll("match[]");
  if (selectors.empty()) return ApiFailure(base::InvalidArgument("no match[] parameter provided"));
  auto limit = ParseLimitParam(form);
  if (!limit) return ApiFailure(limit.error());
  auto range = ParseTimeRange(form);
  if (!range) return ApiFailure(range.error());
  auto sets = ParseMatchersParam(selectors);
  if (!sets)
    return ApiFailure(
        base::InvalidArgument("invalid parameter \"match[]\": " + sets.error().message()));

  auto querier = options_.queryable->NewQuerier(range->start, range->end);
  if (!querier) return ApiFailure(querier.error());
  storage::SelectHints hints;
  hints.start = range->start;
  hints.end = range->end;
  hints.func = "series";  // metadata only: no samples needed

  // Each set is selected sorted; several sets are merged and deduplicated, as Prometheus's
  // NewMergeSeriesSet does, so the result is sorted by labels either way.
  std::vector<model::Labels> series;
  const size_t want = HintLimit(*limit);
  for (const auto& set : *sets) {
    std::unique_ptr<storage::SeriesSet> ss = (*querier)->Select(true, &hints, set);
    while (ss->Next()) {
      series.push_back(ss->At().labels());
      if (sets->size() == 1 && want > 0 && series.size() >= want) break;
    }
    if (base::Status st = ss->status(); !st.ok()) return ApiFailure(st);
  }
  if (sets->size() > 1) {
    std::sort(series.begin(), series.end());
    series.erase(std::unique(series.begin(), series.end()), series.end());
  }
  std::vector<std::string> warnings;
  if (*limit > 0 && series.size() > *limit) {
    series.resize(*limit);
    warnings.emplace_back(kTruncatedWarning);
  }

  JsonWriter w(series.size() * 64 + 16);
  w.BeginArray();
  for (const auto& ls : series) {
    w.BeginObject();
    for (const model::Label& l : ls)
      w.Key(l.name, Escaping::kLabels).String(l.value, Escaping::kLabels);
    w.EndObject();
  }
  w.EndArray();
  return ApiSuccess(w.str(), warnings);
}

HttpResponse ApiV1::Labels(const Form& form) const {
  auto limit = ParseLimitParam(form);
  if (!limit) return ApiFailure(limit.error());
  auto range = ParseTimeRange(form);
  if (!range) return ApiFailure(range.error());
  auto sets = ParseMatchersParam(form.GetAll("match[]"));
  if (!sets) return ApiFailure(sets.error());

  auto querier = options_.queryable->NewQuerier(range->start, range->end);
  if (!querier) return ApiFailure(querier.error());
  storage::LabelHints hints;
  hints.limit = HintLimit(*limit);
  std::vector<std::string> names;
  if (sets->size() > 1) {
    std::vector<std::vector<std::string>> lists;
    for (const auto& set : *sets) {
      auto r = (*querier)->LabelNames(hints, set);
      if (!r) return ApiFailure(r.error());
      lists.push_back(*std::move(r));
    }
    names = SortedUnion(std::move(lists));
  } else {
    auto r = (*querier)->LabelNames(hints,
                                    sets->empty() ? std::vector<model::Matcher>{} : sets->front());
    if (!r) return ApiFailure(r.error());
    names = *std::move(r);
  }
  std::vector<std::string> warnings;
  if (*limit > 0 && names.size() > *limit) {
    names.resize(*limit);
    warnings.emplace_back(kTruncatedWarning);
  }
  JsonWriter w(names.size() * 16 + 16);
  WriteStringArray(&w, names);
  return ApiSuccess(w.str(), warnings);
}

HttpResponse ApiV1::LabelValues(std::string_view name, const Form& form) const {
  // Prometheus 3 accepts any non-empty UTF-8 label name here.
  if (name.empty() || !model::IsValidUtf8(name)) {
    return ApiFailure(base::InvalidArgument("invalid label name: " + base::GoQuote(name)));
  }
  auto limit = ParseLimitParam(form);
  if (!limit) return ApiFailure(limit.error());
  auto range = ParseTimeRange(form);
  if (!range) return ApiFailure(range.error());
  auto sets = ParseMatchersParam(form.GetAll("match[]"));
  if (!sets) return ApiFailure(sets.error());

  auto querier = options_.queryable->NewQuerier(range->start, range->end);
  if (!querier) return ApiFailure(querier.error());
  storage::LabelHints hints;
  hints.limit = HintLimit(*limit);
  const std::string label(name);
  std::vector<std::string> values;
  if (sets->size() > 1) {
    std::vector<std::vector<std::string>> lists;
    for (const auto& set : *sets) {
      auto r = (*querier)->LabelValues(label, hints, set);
      if (!r) return ApiFailure(r.error());
      lists.push_back(*std::move(r));
    }
    values = SortedUnion(std::move(lists));
  } else {
    auto r = (*querier)->LabelValues(label, hints,
                                     sets->empty() ? std::vector<model::Matcher>{} : sets->front());
    if (!r) return ApiFailure(r.error());
    values = *std::move(r);
    std::sort(values.begin(), values.end());
  }
  std::vector<std::string> warnings;
  if (*limit > 0 && values.size() > *limit) {
    values.resize(*limit);
    warnings.emplace_back(kTruncatedWarning);
  }
  JsonWriter w(values.size() * 16 + 16);
  WriteStringArray(&w, values);
  return ApiSuccess(w.str(), warnings);
}

HttpResponse ApiV1::BuildInfoStatus() const {
  const BuildInfo& b = options_.build_info;
  JsonWriter w(256);
  w.BeginObject();
  w.Key("version").String(b.version);
  w.Key("revision").String(b.revision);
  w.Key("branch").String(b.branch);
  w.Key("buildUser").String(b.build_user);
  w.Key("buildDate").String(b.build_date);
  w.Key("goVersion").String(b.go_version.empty() ? DefaultCompilerVersion() : b.go_version);
  // Grafana reads an absent features map as a Mimir/Cortex ruler; an empty one is Prometheus.
  w.Key("features").BeginObject().EndObject();
  w.EndObject();
  return ApiSuccess(w.str());
}

HttpResponse ApiV1::QueryExemplars(const Form& form) const {
  // Hestia stores no exemplars yet (remote write counts and drops them): a valid query has none.
  auto expr = promql::parser::Parse(form.Get("query"));
  if (!expr) return ApiFailure(expr.error());
  return ApiSuccess("[]");
}

HttpResponse ApiV1::Flags() const {
  // Go marshals a map with its keys sorted; the last value of a repeated name wins.
  std::vector<std::pair<std::string, std::string>> flags;
  for (auto it = options_.flags.rbegin(); it != options_.flags.rend(); ++it) flags.push_back(*it);
  std::stable_sort(flags.begin(), flags.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  flags.erase(std::unique(flags.begin(), flags.end(),
                          [](const auto& a, const auto& b) { return a.first == b.first; }),
              flags.end());
  JsonWriter w(flags.size() * 48 + 16);
  w.BeginObject();
  for (const auto& [k, v] : flags) w.Key(k).String(v);
  w.EndObject();
  return ApiSuccess(w.str());
}

namespace {

void WriteLabels(JsonWriter& w, const model::Labels& ls) {
  w.BeginObject();
  for (const model::Label& l : ls) w.Key(l.name, Escaping::kLabels).String(l.value, Escaping::kLabels);
  w.EndObject();
}

}  // namespace

HttpResponse ApiV1::Targets(const Form& form) const {
  if (!options_.targets) return ApiFailure(base::NotFound("no scrape manager"));
  std::string_view state = form.Get("state");
  std::string_view pool = form.Get("scrapePool");
  bool active = state.empty() || state == "active" || state == "any";
  bool dropped = state.empty() || state == "dropped" || state == "any";
  std::vector<scrape::TargetStatus> targets = options_.targets();
  std::sort(targets.begin(), targets.end(), [](const auto& a, const auto& b) {
    return a.scrape_pool != b.scrape_pool ? a.scrape_pool < b.scrape_pool
                                          : a.discovered_labels < b.discovered_labels;
  });
  JsonWriter w;
  w.BeginObject();
  w.Key("activeTargets").BeginArray();
  std::map<std::string, int> dropped_counts;
  for (const auto& t : targets) {
    if (t.dropped) ++dropped_counts[t.scrape_pool];
    if (t.dropped || !active || (!pool.empty() && t.scrape_pool != pool)) continue;
    w.BeginObject();
    w.Key("discoveredLabels");
    WriteLabels(w, t.discovered_labels);
    w.Key("labels");
    WriteLabels(w, t.labels);
    w.Key("scrapePool").String(t.scrape_pool);
    w.Key("scrapeUrl").String(t.scrape_url);
    w.Key("globalUrl").String(t.scrape_url);
    w.Key("lastError").String(t.last.error.message());
    w.Key("lastScrape").String(base::FormatGoTime(t.last.time));
    w.Key("lastScrapeDuration").Raw(base::FormatFloatF(t.last.duration_seconds));
    w.Key("health").String(t.last.time == 0 ? "unknown" : t.last.error.ok() ? "up" : "down");
    w.Key("scrapeInterval").String(base::FormatDuration(t.interval));
    w.Key("scrapeTimeout").String(base::FormatDuration(t.timeout));
    w.EndObject();
  }
  w.EndArray();
  w.Key("droppedTargets").BeginArray();
  for (const auto& t : targets) {
    if (!t.dropped || !dropped || (!pool.empty() && t.scrape_pool != pool)) continue;
    w.BeginObject().Key("discoveredLabels");
    WriteLabels(w, t.discovered_labels);
    w.EndObject();
  }
  w.EndArray();
  w.Key("droppedTargetCounts").BeginObject();
  for (const auto& [p, n] : dropped_counts) w.Key(p).Int(n);
  w.EndObject();
  w.EndObject();
  return ApiSuccess(w.str());
}

namespace {

// An optional integer parameter as Prometheus's metadata endpoints read it: -1 when absent,
// any value strconv.Atoi accepts (negative: no limit), else `error`.
base::Result<int64_t> MetadataLimit(const Form& form, std::string_view name) {
  std::string_view s = form.Get(name);
  if (s.empty()) return int64_t{-1};
  auto v = GoAtoi(s);
  if (!v) return base::InvalidArgument(std::string(name) + " must be a number");
  return *v;
}

}  // namespace

// As Prometheus's api.targetMetadata (web/api/v1/api.go).
HttpResponse ApiV1::TargetsMetadata(const Form& form) const {
  auto limit = MetadataLimit(form, "limit");
  if (!limit) return ApiFailure(limit.error());
  std::vector<model::Matcher> matchers;
  const std::string_view match_target = form.Get("match_target");
  if (!match_target.empty()) {
    auto m = promql::parser::ParseMetricSelector(match_target);
    if (!m) {
      return ApiFailure(base::InvalidArgument("invalid parameter \"match_target\": " +
                                              m.error().message()));
    }
    matchers = std::move(*m);
  }
  const std::string_view metric = form.Get("metric");
  std::vector<scrape::TargetMetadata> targets;
  if (options_.metadata) targets = options_.metadata(metric);
  JsonWriter w;
  w.BeginArray();
  int64_t n = 0;
  for (const scrape::TargetMetadata& t : targets) {
    if (*limit >= 0 && n >= *limit) break;
    bool matches = std::all_of(matchers.begin(), matchers.end(), [&](const model::Matcher& m) {
      return m.Matches(t.labels.Get(m.name()));
    });
    if (!matches) continue;
    for (const scrape::MetricMetadata& md : t.metadata) {
      w.BeginObject().Key("target");
      WriteLabels(w, t.labels);
      if (metric.empty()) w.Key("metric").String(md.metric);
      w.Key("type").String(scrape::textparse::MetricTypeString(md.type));
      w.Key("help").String(md.help);
      w.Key("unit").String(md.unit);
      w.EndObject();
      ++n;
    }
  }
  w.EndArray();
  return ApiSuccess(w.str());
}

// As Prometheus's api.metricMetadata: the distinct (type, help, unit) of each family over all
// active targets, in the order the targets are listed (Prometheus's order is random).
HttpResponse ApiV1::Rules(const Form& form) const {
  if (!options_.rules) return ApiSuccess(R"({"groups":[]})");
  auto data = options_.rules(form);
  if (!data) return ApiFailure(data.error());
  return ApiSuccess(*data);
}

HttpResponse ApiV1::Alerts(const Form& form) const {
  if (!options_.alerts) return ApiSuccess(R"({"alerts":[]})");
  auto data = options_.alerts(form);
  if (!data) return ApiFailure(data.error());
  return ApiSuccess(*data);
}

HttpResponse ApiV1::Alertmanagers() const {
  if (!options_.alertmanagers) return ApiSuccess(R"({"activeAlertmanagers":[],"droppedAlertmanagers":[]})");
  return ApiSuccess(options_.alertmanagers());
}

HttpResponse ApiV1::Metadata(const Form& form) const {
  auto limit = MetadataLimit(form, "limit");
  if (!limit) return ApiFailure(limit.error());
  auto limit_per_metric = MetadataLimit(form, "limit_per_metric");
  if (!limit_per_metric) return ApiFailure(limit_per_metric.error());
  std::vector<scrape::TargetMetadata> targets;
  if (options_.metadata) targets = options_.metadata(form.Get("metric"));
  using Entry = std::tuple<scrape::textparse::MetricType, std::string, std::string>;
  std::map<std::string, std::vector<Entry>> families;
  for (const scrape::TargetMetadata& t : targets) {
    for (const scrape::MetricMetadata& md : t.metadata) {
      std::vector<Entry>& set = families[md.metric];
      if (*limit_per_metric > 0 && static_cast<int64_t>(set.size()) >= *limit_per_metric) continue;
      Entry e{md.type, md.help, md.unit};
      if (std::find(set.begin(), set.end(), e) == set.end()) set.push_back(std::move(e));
    }
  }
  JsonWriter w;
  w.BeginObject();
  int64_t n = 0;
  for (const auto& [name, set] : families) {
    if (*limit >= 0 && n >= *limit) break;
    w.Key(name).BeginArray();
    for (const auto& [type, help, unit] : set) {
      w.BeginObject();
      w.Key("type").String(scrape::textparse::MetricTypeString(type));
      w.Key("help").String(help);
      w.Key("unit").String(unit);
      w.EndObject();
    }
    w.EndArray();
    ++n;
  }
  w.EndObject();
  return ApiSuccess(w.str());
}

namespace {

void WriteValue(JsonWriter& w, const promql::Value& v) {
  w.BeginObject();
  if (const auto* sc = std::get_if<promql::Scalar>(&v)) {
    w.Key("resultType").String("scalar").Key("result").BeginArray().Timestamp(sc->t).SampleValue(sc->v).EndArray();
  } else if (const auto* str = std::get_if<promql::String>(&v)) {
    w.Key("resultType").String("string").Key("result").BeginArray().Timestamp(str->t).String(str->v).EndArray();
  } else if (const auto* vec = std::get_if<promql::Vector>(&v)) {
    w.Key("resultType").String("vector").Key("result").BeginArray();
    for (const promql::Sample& s : *vec) {
      w.BeginObject().Key("metric");
      WriteLabels(w, s.metric);
      w.Key("value").BeginArray().Timestamp(s.t).SampleValue(s.f).EndArray().EndObject();
    }
    w.EndArray();
  } else {
    w.Key("resultType").String("matrix").Key("result").BeginArray();
    for (const promql::Series& s : std::get<promql::Matrix>(v)) {
      w.BeginObject().Key("metric");
      WriteLabels(w, s.metric);
      w.Key("values").BeginArray();
      for (const promql::FPoint& p : s.floats) w.BeginArray().Timestamp(p.t).SampleValue(p.f).EndArray();
      w.EndArray().EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

// A duration parameter as Prometheus's parseDuration: float seconds or a duration string.
base::Result<int64_t> ParseDurationMs(std::string_view s, std::string_view name) {
  auto bad = [&] {
    return base::InvalidArgument("invalid parameter \"" + std::string(name) + "\": cannot parse \"" +
                                 std::string(s) + "\" to a valid duration");
  };
  char* end = nullptr;
  std::string str(s);
  double secs = std::strtod(str.c_str(), &end);
  if (!str.empty() && end == str.c_str() + str.size()) {
    double ms = std::round(secs * 1000);
    if (!std::isfinite(ms) || ms >= 9.2e18 || ms <= -9.2e18) return bad();
    return static_cast<int64_t>(ms);
  }
  auto d = base::ParseDuration(s);
  if (!d) return bad();
  return d->count();
}

// The query's own `timeout` (a duration or float seconds), zero when absent.
base::Result<std::chrono::milliseconds> QueryTimeout(const Form& form) {
  if (form.Get("timeout").empty()) return std::chrono::milliseconds(0);
  auto ms = ParseDurationMs(form.Get("timeout"), "timeout");
  if (!ms) return ms.error();
  return std::chrono::milliseconds(*ms);
}

}  // namespace

HttpResponse ApiV1::Query(const Form& form) const {
  if (options_.engine == nullptr) return ApiFailure(base::NotFound("no query engine"));
  model::Timestamp now = options_.now ? options_.now() : 0;
  auto ts_param = ParseTimeParam(form, "time", now);
  if (!ts_param) return ApiFailure(ts_param.error());
  const model::Timestamp ts = *ts_param;
  auto timeout = QueryTimeout(form);
  if (!timeout) return ApiFailure(timeout.error());
  const std::string_view query = form.Get("query");
  auto expr = promql::parser::Parse(query);
  if (!expr) return ApiFailure(expr.error());
  promql::Annotations annos;
  auto v = options_.engine->InstantQuery(*options_.queryable, **expr, ts, {}, *timeout, &annos);
  if (!v) return ApiFailure(v.error());
  JsonWriter w;
  WriteValue(w, *v);
  return ApiSuccess(w.str(), annos.Strings(true, query), annos.Strings(false, query));
}

HttpResponse ApiV1::QueryRange(const Form& form) const {
  if (options_.engine == nullptr) return ApiFailure(base::NotFound("no query engine"));
  auto start = ParseTime(form.Get("start"));
  if (!start) return ApiFailure(base::InvalidArgument("invalid parameter \"start\": " + start.error().message()));
  auto end = ParseTime(form.Get("end"));
  if (!end) return ApiFailure(base::InvalidArgument("invalid parameter \"end\": " + end.error().message()));
  if (*end < *start) return ApiFailure(base::InvalidArgument("end timestamp must not be before start time"));
  auto step = ParseDurationMs(form.Get("step"), "step");
  if (!step) return ApiFailure(step.error());
  if (*step <= 0)
    return ApiFailure(base::InvalidArgument(
        "zero or negative query resolution step widths are not accepted. Try a positive integer"));
  if ((*end - *start) / *step > 11000)
    return ApiFailure(base::InvalidArgument(
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"));
  auto timeout = QueryTimeout(form);
  if (!timeout) return ApiFailure(timeout.error());
  const std::string_view query = form.Get("query");
  auto expr = promql::parser::Parse(query);
  if (!expr) return ApiFailure(expr.error());
  promql::Annotations annos;
  auto v = options_.engine->RangeQuery(*options_.queryable, **expr, *start, *end, *step, {}, *timeout, &annos);
  if (!v) return ApiFailure(v.error());
  JsonWriter w;
  WriteValue(w, *v);
  return ApiSuccess(w.str(), annos.Strings(true, query), annos.Strings(false, query));
}

HttpResponse ApiV1::FormatQuery(const Form& form) const {
  auto expr = promql::parser::Parse(form.Get("query"));
  if (!expr) return ApiFailure(expr.error());
  JsonWriter w;
  w.String(promql::Prettify(**expr));
  return ApiSuccess(w.str());
}

HttpResponse ApiV1::ConfigStatus() const {
  if (!options_.config_yaml) return ApiFailure(base::NotFound("no configuration"));
  JsonWriter w;
  w.BeginObject().Key("yaml").String(options_.config_yaml()).EndObject();
  return ApiSuccess(w.str());
}

HttpResponse ApiV1::RuntimeInfoStatus() const {
  if (!options_.runtime_info) return ApiFailure(base::NotFound("no runtime information"));
  RuntimeInfo r = options_.runtime_info();
  JsonWriter w;
  w.BeginObject();
  w.Key("startTime").String(r.start_time);
  w.Key("CWD").String(r.cwd);
  w.Key("reloadConfigSuccess").Bool(r.reload_config_success);
  w.Key("lastConfigTime").String(r.last_config_time);
  w.Key("corruptionCount").Int(r.corruption_count);
  w.Key("goroutineCount").Int(r.goroutine_count);
  w.Key("GOMAXPROCS").Int(r.gomaxprocs);
  w.Key("GOMEMLIMIT").Int(r.gomemlimit);
  w.Key("GOGC").String("");
  w.Key("GODEBUG").String("");
  w.Key("storageRetention").String(r.storage_retention);
  w.EndObject();
  return ApiSuccess(w.str());
}

HttpResponse ApiV1::TsdbStatus(const Form& form) const {
  size_t limit = 10;
  if (std::string_view s = form.Get("limit"); !s.empty()) {
    auto v = GoAtoi(s);
    if (!v || *v < 1) return ApiFailure(base::InvalidArgument("limit must be a positive number"));
    if (static_cast<uint64_t>(*v) > kMaxTsdbStatusLimit) {
      return ApiFailure(
          base::InvalidArgument("limit must not exceed " + std::to_string(kMaxTsdbStatusLimit)));
    }
    limit = static_cast<size_t>(*v);
  }
  if (!options_.tsdb_stats) return ApiFailure(base::Unavailable("TSDB status is not available"));
  tsdb::HeadStats s = options_.tsdb_stats(limit);
  JsonWriter w(1024);
  w.BeginObject();
  w.Key("headStats").BeginObject();
  w.Key("numSeries").Uint(s.num_series);
  w.Key("numLabelPairs").Uint(s.num_label_pairs);
  w.Key("chunkCount").Uint(s.chunk_count);
  w.Key("minTime").Int(s.min_time);
  w.Key("maxTime").Int(s.max_time);
  w.EndObject();
  WriteCounts(&w, "seriesCountByMetricName", s.series_count_by_metric_name);
  WriteCounts(&w, "labelValueCountByLabelName", s.label_value_count_by_label_name);
  WriteCounts(&w, "memoryInBytesByLabelName", s.memory_in_bytes_by_label_name);
  WriteCounts(&w, "seriesCountByLabelValuePair", s.series_count_by_label_value_pair);
  w.EndObject();
  return ApiSuccess(w.str());
}

}  // namespace web

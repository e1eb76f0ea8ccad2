// promql_bench: in-process PromQL evaluation cost, without HTTP or JSON: where the engine's
// time goes (bench/query_bench compares whole servers). Loads a synthetic population into a
// fresh DB (WAL on a temp dir), then runs each query as a range query over the last --hours
// with --step-s, --runs times, and prints the median and the fastest wall time.
//
//   promql_bench [--series 200000] [--hours 1] [--step-s 15] [--runs 5] [--query Q]
//
// Population: `x` counters {job="job-<0..9>", instance="inst-<n>"} (90 % of the series) and a
// classic histogram x_bucket{job, instance, le} over 10 buckets (10 %); samples every 15 s with
// per-series jitter, counters increasing by random amounts.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "promql/engine.h"
#include "promql/parser/parse.h"
#include "tests/tools/flags.h"
#include "tsdb/db.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Load(tsdb::DB& db, int64_t series, int64_t start_ms, int64_t end_ms) {
  std::mt19937_64 rng(42);
  const int64_t histograms = std::max<int64_t>(1, series / 10 / 10);  // 10 buckets each
  const int64_t counters = series - histograms * 10;
  std::vector<model::Labels> labels;
  std::vector<double> values;
  static const char* kLe[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "5", "+Inf"};
  for (int64_t i = 0; i < counters; ++i) {
    std::string job = "job-" + std::to_string(i % 10), inst = "inst-" + std::to_string(i);
    labels.push_back(model::Labels{{"__name__", "x"}, {"job", job}, {"instance", inst}});
  }
  for (int64_t h = 0; h < histograms; ++h) {
    std::string job = "job-" + std::to_string(h % 10), inst = "inst-" + std::to_string(h);
    for (const char* le : kLe)
      labels.push_back(model::Labels{{"__name__", "x_bucket"}, {"job", job}, {"instance", inst}, {"le", le}});
  }
  values.assign(labels.size(), 0);
  std::vector<int64_t> jitter(labels.size());
  for (auto& j : jitter) j = static_cast<int64_t>(rng() % 15000);
  for (int64_t t = start_ms; t <= end_ms; t += 15000) {
    auto app = db.NewAppender();
    for (size_t i = 0; i < labels.size(); ++i) {
      size_t bucket = i < static_cast<size_t>(counters) ? 0 : (i - counters) % 10;
      values[i] += static_cast<double>(rng() % 100) * (1.0 + static_cast<double>(bucket));
      app->Append(0, labels[i], t + jitter[i], values[i]).IgnoreError();
    }
    if (!app->Commit().ok()) std::fprintf(stderr, "commit failed\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto flags = tools::Flags::Parse(argc, argv);
  if (!flags) {
    std::fprintf(stderr, "%s\n", flags.error().ToString().c_str());
    return 2;
  }
  auto series_f = flags->Int("series", 200000);
  auto hours_f = flags->Double("hours", 1);
  auto step_f = flags->Int("step-s", 15);
  auto runs_f = flags->Int("runs", 5);
  auto query_f = flags->String("query", "");
  if (!series_f || !hours_f || !step_f || !runs_f || !query_f || !flags->Finish().ok()) {
    std::fprintf(stderr, "usage: promql_bench [--series N] [--hours H] [--step-s S] [--runs R] [--query Q]\n");
    return 2;
  }
  const int64_t series = *series_f;
  const double hours = *hours_f;
  const int64_t step_ms = *step_f * 1000;
  const int runs = static_cast<int>(*runs_f);
  std::vector<std::string> queries;
  if (!query_f->empty()) queries.push_back(*query_f);
  if (queries.empty()) {
    queries = {
        "sum(rate(x[5m]))",
        "sum by (job) (rate(x[5m]))",
        "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))",
        "topk(5, rate(x[5m]))",
        "sum(rate(x{instance=~\"inst-1.*\"}[5m]))",
        "count by (__name__) ({__name__=~\".+\"})",
        "avg_over_time(x{job=\"job-1\"}[1h])",
    };
  }
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("promql_bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  tsdb::Options o;
  o.wal_sync = tsdb::WalSyncMode::kSegment;
  auto db = tsdb::DB::Open(dir.string(), o);
  if (!db) {
    std::fprintf(stderr, "open: %s\n", db.error().ToString().c_str());
    return 1;
  }
  const int64_t hour_ms = 3600 * 1000;
  const int64_t end = 10 * hour_ms + static_cast<int64_t>(hours * hour_ms);
  const int64_t start = 10 * hour_ms;
  auto t0 = Clock::now();
  Load(**db, series, start - hour_ms / 6, end);  // 10 min before the first step for the windows
  std::printf("loaded %lld series, %.1f h in %.1f s\n", static_cast<long long>(series), hours,
              Ms(Clock::now() - t0) / 1000);
  promql::EngineOptions eo;
  eo.max_samples = 1LL << 40;
  promql::Engine engine(eo);
  std::printf("%-62s %10s %10s %8s\n", "query", "median ms", "min ms", "series");
  for (const std::string& q : queries) {
    auto expr = promql::parser::Parse(q);
    if (!expr) {
      std::printf("%-62s parse error: %s\n", q.c_str(), expr.error().message().c_str());
      continue;
    }
    std::vector<double> times;
    size_t n = 0;
    for (int r = 0; r < runs; ++r) {
      auto t = Clock::now();
      auto v = engine.RangeQuery(**db, **expr, start, end, step_ms);
      times.push_back(Ms(Clock::now() - t));
      if (!v) {
        std::printf("%-62s error: %s\n", q.c_str(), v.error().message().c_str());
        break;
      }
      if (const auto* m = std::get_if<promql::Matrix>(&*v)) n = m->size();
    }
    if (times.size() != static_cast<size_t>(runs)) continue;
    std::sort(times.begin(), times.end());
    std::printf("%-62s %10.1f %10.1f %8zu\n", q.c_str(), times[times.size() / 2], times[0], n);
  }
  db->reset();
  std::filesystem::remove_all(dir);
  return 0;
}

#include <catch2/catch.hpp>

#include <cmath>

#include "promql/engine.h"
#include "promql/parser/parse.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/db.h"

using model::Labels;

namespace {

struct Fixture {
  testutil::TempDir dir;
  std::unique_ptr<tsdb::DB> db = std::move(*tsdb::DB::Open(dir.path(), tsdb::Options{}));
  promql::Engine engine;

  // Appends value(i) at i * step_ms for i in [0, n).
  void Load(const Labels& l, int n, int64_t step_ms, const std::function<double(int)>& value) {
    auto app = db->NewAppender();
    for (int i = 0; i < n; ++i) REQUIRE(app->Append(0, l, i * step_ms, value(i)).has_value());
    REQUIRE(app->Commit().ok());
  }
  promql::Value Instant(const std::string& q, int64_t ts) {
    auto expr = promql::parser::Parse(q);
    REQUIRE(expr.has_value());
    auto v = engine.InstantQuery(*db, **expr, ts);
    INFO(q << ": " << (v ? "" : v.error().message()));
    REQUIRE(v.has_value());
    return std::move(v).value();
  }
  // label set -> value of an instant vector result.
  std::map<std::string, double> Vec(const std::string& q, int64_t ts) {
    auto v = Instant(q, ts);
    REQUIRE(std::holds_alternative<promql::Vector>(v));
    std::map<std::string, double> out;
    for (const auto& s : std::get<promql::Vector>(v)) out[s.metric.ToString()] = s.f;
    return out;
  }
};

}  // namespace

TEST_CASE("selectors use the lookback delta and stop at staleness markers", "[promql][engine]") {
  Fixture f;
  f.Load(Labels{{"__name__", "m"}, {"job", "a"}}, 10, 10000, [](int i) { return i; });
  f.Load(Labels{{"__name__", "gone"}}, 3, 10000,
         [](int i) { return i == 2 ? model::StaleNaN() : 1.0; });
  CHECK(f.Vec("m", 45000) == std::map<std::string, double>{{"{__name__=\"m\", job=\"a\"}", 4}});
  CHECK(f.Vec("m", 90000 + 299999).size() == 1);
  CHECK(f.Vec("m", 90000 + 300000).empty());  // lookback is left-open
  CHECK(f.Vec("gone", 15000).size() == 1);
  CHECK(f.Vec("gone", 25000).empty());         // stale from 20 s on
  CHECK(f.Vec("m offset 20s", 45000).begin()->second == 2);
  CHECK(f.Vec("m @ 30", 90000).begin()->second == 3);
  auto matrix = f.Instant("m[30s]", 45000);
  REQUIRE(std::holds_alternative<promql::Matrix>(matrix));
  CHECK(std::get<promql::Matrix>(matrix).at(0).floats.size() == 3);  // 20, 30, 40 s
}

TEST_CASE("binary operators with vector matching", "[promql][engine]") {
  Fixture f;
  f.Load(Labels{{"__name__", "req"}, {"job", "a"}, {"code", "200"}}, 1, 1000, [](int) { return 10; });
  f.Load(Labels{{"__name__", "req"}, {"job", "a"}, {"code", "500"}}, 1, 1000, [](int) { return 2; });
  f.Load(Labels{{"__name__", "limit"}, {"job", "a"}}, 1, 1000, [](int) { return 4; });
  CHECK(f.Vec("req * 2", 0) == std::map<std::string, double>{{"{code=\"200\", job=\"a\"}", 20},
                                                                {"{code=\"500\", job=\"a\"}", 4}});
  CHECK(f.Vec("req > 5", 0) == std::map<std::string, double>{{"{__name__=\"req\", code=\"200\", job=\"a\"}", 10}});
  CHECK(f.Vec("req > bool 5", 0).size() == 2);
  CHECK(f.Vec("req / on(job) group_left limit", 0) ==
        std::map<std::string, double>{{"{code=\"200\", job=\"a\"}", 2.5}, {"{code=\"500\", job=\"a\"}", 0.5}});
  auto err = f.engine.InstantQuery(*f.db, **promql::parser::Parse("limit / on(job) req"), 0);
  REQUIRE_FALSE(err.has_value());
  CHECK(err.error().code() == base::StatusCode::kExecution);
  CHECK(err.error().message().find("many-to-many matching not allowed") != std::string::npos);
  CHECK(f.Vec("req and on(code) req{code=\"500\"}", 0).size() == 1);
  CHECK(f.Vec("req unless on(code) req{code=\"500\"}", 0).size() == 1);
  CHECK(f.Vec("req or limit", 0).size() == 3);
  auto scalar = f.Instant("1 + 2 * 3", 0);
  CHECK(std::get<promql::Scalar>(scalar).v == 7);
}

TEST_CASE("aggregations by and without", "[promql][engine]") {
  Fixture f;
  for (int i = 0; i < 4; ++i)
    f.Load(Labels{{"__name__", "x"}, {"job", i < 2 ? "a" : "b"}, {"i", std::to_string(i)}}, 1, 1000,
           [i](int) { return i + 1; });
  CHECK(f.Vec("sum by (job) (x)", 0) == std::map<std::string, double>{{"{job=\"a\"}", 3}, {"{job=\"b\"}", 7}});
  CHECK(f.Vec("sum without (i) (x)", 0) == std::map<std::string, double>{{"{job=\"a\"}", 3}, {"{job=\"b\"}", 7}});
  CHECK(f.Vec("avg(x)", 0).begin()->second == 2.5);
  CHECK(f.Vec("count(x)", 0).begin()->second == 4);
  CHECK(f.Vec("max by (job) (x)", 0)["{job=\"b\"}"] == 4);
  CHECK(f.Vec("topk(1, x)", 0) == std::map<std::string, double>{{"{__name__=\"x\", i=\"3\", job=\"b\"}", 4}});
  CHECK(f.Vec("quantile(0.5, x)", 0).begin()->second == 2.5);
  CHECK(std::abs(f.Vec("stddev(x)", 0).begin()->second - std::sqrt(1.25)) < 1e-12);
}

TEST_CASE("rate and increase extrapolate as Prometheus", "[promql][engine]") {
  Fixture f;
  // A counter growing 1 per second, sampled every 15 s, with a reset at 150 s.
  f.Load(Labels{{"__name__", "c_total"}}, 21, 15000, [](int i) { return i < 10 ? i * 15.0 : (i - 10) * 15.0; });
  // Within a window without reset: exactly 1/s.
  CHECK(std::abs(f.Vec("rate(c_total[1m])", 120000).begin()->second - 1.0) < 1e-9);
  CHECK(std::abs(f.Vec("increase(c_total[1m])", 120000).begin()->second - 60.0) < 1e-9);
  // Across the reset the counter is corrected.
  // (120 s, 180 s]: 135, 0, 15, 30: an increase of 30 over 45 s, extrapolated by 15 s to 40.
  CHECK(std::abs(f.Vec("rate(c_total[1m])", 180000).begin()->second - 40.0 / 60) < 1e-9);
  CHECK(f.Vec("resets(c_total[5m])", 300000).begin()->second == 1);
  CHECK(f.Vec("irate(c_total[1m])", 120000).begin()->second == 1);
  CHECK(f.Vec("max_over_time(c_total[1m])", 120000).begin()->second == 120);
  CHECK(f.Vec("count_over_time(c_total[1m])", 120000).begin()->second == 4);
  CHECK(f.Vec("last_over_time(c_total[1m])", 120000).begin()->first == "{__name__=\"c_total\"}");
  CHECK(f.Vec("avg_over_time(c_total[1m])", 120000).begin()->first == "{}");
}

TEST_CASE("range queries walk every step", "[promql][engine]") {
  Fixture f;
  f.Load(Labels{{"__name__", "m"}}, 10, 10000, [](int i) { return i; });
  auto expr = promql::parser::Parse("m * 2");
  auto v = f.engine.RangeQuery(*f.db, **expr, 0, 90000, 30000);
  REQUIRE(v.has_value());
  const auto& m = std::get<promql::Matrix>(*v);
  REQUIRE(m.size() == 1);
  REQUIRE(m[0].floats.size() == 4);
  CHECK(m[0].floats[3].t == 90000);
  CHECK(m[0].floats[3].f == 18);
  auto bad = f.engine.RangeQuery(*f.db, **promql::parser::Parse("m[1m]"), 0, 1, 1);
  CHECK(bad.error().message() == "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
}

TEST_CASE("the sample limit aborts with Prometheus's message", "[promql][engine]") {
  Fixture f;
  f.Load(Labels{{"__name__", "m"}}, 100, 1000, [](int i) { return i; });
  promql::EngineOptions o;
  o.max_samples = 10;
  promql::Engine small(o);
  auto v = small.InstantQuery(*f.db, **promql::parser::Parse("m[1m]"), 99000);
  REQUIRE_FALSE(v.has_value());
  CHECK(v.error().message() == "query processing would load too many samples into memory in query execution");
}

TEST_CASE("avg_over_time and sum_over_time over long windows agree with exact summation",
          "[promql][engine]") {
  Fixture f;
  // 600 samples every 10 s; long windows (>= 32 samples) slide a compensated sum. Values
  // of mixed magnitude and sign, with NaN and infinities passing through the window.
  auto value = [](int i) -> double {
    if (i == 200) return std::nan("");
    if (i == 300) return INFINITY;
    if (i == 310) return -INFINITY;
    if (i == 400) return INFINITY;
    return (i % 7 == 0 ? 1e6 : 1.0) * std::sin(i * 0.37) + 0.001 * i;
  };
  f.Load(Labels{{"__name__", "g"}}, 600, 10000, value);
  for (const char* fn : {"avg_over_time", "sum_over_time"}) {
    auto expr = promql::parser::Parse(std::string(fn) + "(g[10m])");
    REQUIRE(expr.has_value());
    auto v = f.engine.RangeQuery(*f.db, **expr, 600000, 5990000, 10000);
    REQUIRE(v.has_value());
    const auto& m = std::get<promql::Matrix>(*v);
    REQUIRE(m.size() == 1);
    for (const promql::FPoint& p : m[0].floats) {
      // The window (t - 10m, t]: samples i with t - 600000 < 10000 i <= t.
      double sum = 0, c = 0;
      int n = 0, nan = 0, pinf = 0, ninf = 0;
      for (int i = 0; i < 600; ++i) {
        int64_t t = int64_t{10000} * i;
        if (t <= p.t - 600000 || t > p.t) continue;
        ++n;
        double x = value(i);
        if (std::isnan(x)) ++nan;
        else if (std::isinf(x)) (x > 0 ? pinf : ninf) += 1;
        else {
          double s2 = sum + x;
          c += std::fabs(sum) >= std::fabs(x) ? (sum - s2) + x : (x - s2) + sum;
          sum = s2;
        }
      }
      double want = nan > 0 || (pinf > 0 && ninf > 0) ? std::nan("")
                    : pinf > 0                       ? INFINITY
                    : ninf > 0                       ? -INFINITY
                                                     : sum + c;
      if (std::string(fn) == "avg_over_time" && std::isfinite(want)) want /= n;
      INFO(fn << " at " << p.t << ": got " << p.f << ", want " << want);
      if (std::isnan(want)) {
        CHECK(std::isnan(p.f));
      } else if (std::isinf(want)) {
        CHECK(p.f == want);
      } else {
        CHECK(std::fabs(p.f - want) <= 1e-9 * std::max(1.0, std::fabs(want)));
      }
    }
  }
}

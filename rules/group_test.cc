#include "rules/group.h"

#include <catch2/catch.hpp>

#include <cmath>

#include "rules/recording_rule.h"
#include "rules/rules_test_util.h"

namespace rules {
namespace {

using testing::Env;
using testing::Expr;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr model::Timestamp kT0 = 1'700'000'000'000;

std::unique_ptr<Rule> Record(const std::string& name, const std::string& expr,
                             model::Labels labels = {}) {
  return std::make_unique<RecordingRule>(name, Expr(expr), std::move(labels));
}

GroupSpec Spec(std::string name, std::vector<std::unique_ptr<Rule>> rules) {
  GroupSpec s;
  s.name = std::move(name);
  s.file = "rules.yml";
  s.interval = seconds(15);
  s.rules = std::move(rules);
  return s;
}

template <typename... R>
std::vector<std::unique_ptr<Rule>> List(R&&... r) {
  std::vector<std::unique_ptr<Rule>> v;
  (v.push_back(std::forward<R>(r)), ...);
  return v;
}

TEST_CASE("EvalTimestamp spreads groups over the interval by a stable offset", "[rules][group]") {
  Env env;
  GroupDeps deps = env.Deps();
  Group a(Spec("a", {}), &deps), b(Spec("b", {}), &deps);
  const int64_t iv = 15000;
  for (int64_t now : {kT0, kT0 + 1, kT0 + 7777, kT0 + 14999, kT0 + 15000}) {
    model::Timestamp t = a.EvalTimestamp(now);
    CHECK(t <= now);
    CHECK(t > now - iv);
    // The same phase within the interval, whatever the time.
    CHECK(((t % iv) + iv) % iv == ((a.EvalTimestamp(kT0) % iv) + iv) % iv);
  }
  CHECK(a.EvalTimestamp(kT0) % iv != b.EvalTimestamp(kT0) % iv);
}

TEST_CASE("Recording rules append their output and a later rule sees an earlier one's",
          "[rules][group]") {
  Env env;
  GroupDeps deps = env.Deps();
  env.Add({{"__name__", "up"}, {"job", "a"}, {"instance", "1"}}, kT0 - 1000, 1);
  env.Add({{"__name__", "up"}, {"job", "a"}, {"instance", "2"}}, kT0 - 1000, 0);
  Group g(Spec("g", List(Record("job:up:sum", "sum by (job) (up)", {{"source", "rule"}}),
                         Record("job:up:double", "job:up:sum * 2"))),
          &deps);
  g.Eval(kT0);
  auto sum = env.Samples("job:up:sum");
  REQUIRE(sum.size() == 1);
  CHECK(sum.begin()->first == "{__name__=\"job:up:sum\", job=\"a\", source=\"rule\"}");
  REQUIRE(sum.begin()->second.size() == 1);
  CHECK(sum.begin()->second[0].t == kT0);
  CHECK(sum.begin()->second[0].v == 1);
  auto dbl = env.Samples("job:up:double");
  REQUIRE(dbl.size() == 1);
  CHECK(dbl.begin()->second[0].v == 2);
  for (const auto& r : g.rules()) CHECK(r->status().health == Health::kGood);
}

TEST_CASE("A series a recording rule stops producing gets a staleness marker", "[rules][group]") {
  Env env;
  GroupDeps deps = env.Deps();
  env.Add({{"__name__", "x"}, {"i", "1"}}, kT0, 1);
  env.Add({{"__name__", "x"}, {"i", "2"}}, kT0, 2);
  Group g(Spec("g", List(Record("r", "x > 1.5 or x < 1.5"))), &deps);
  g.Eval(kT0);
  CHECK(env.Samples("r").size() == 2);
  env.Add({{"__name__", "x"}, {"i", "2"}}, kT0 + 15000, 2);
  env.Add({{"__name__", "x"}, {"i", "1"}}, kT0 + 15000, 1.5);  // filtered out from now on
  g.Eval(kT0 + 15000);
  auto s = env.Samples("r");
  auto& one = s["{__name__=\"r\", i=\"1\"}"];
  REQUIRE(one.size() == 2);
  CHECK(model::IsStaleNaN(one[1].v));
  CHECK(one[1].t == kT0 + 15000);
  auto& two = s["{__name__=\"r\", i=\"2\"}"];
  REQUIRE(two.size() == 2);
  CHECK(two[1].v == 2);
}

TEST_CASE("query_offset evaluates and stores at ts - offset", "[rules][group]") {
  Env env;
  GroupDeps deps = env.Deps();
  env.Add({{"__name__", "x"}}, kT0 - 60000, 7);
  env.Add({{"__name__", "x"}}, kT0, 8);
  GroupSpec spec = Spec("g", List(Record("r", "x")));
  spec.query_offset = milliseconds(30000);
  Group g(std::move(spec), &deps);
  CHECK(g.QueryOffset() == seconds(30));
  g.Eval(kT0);
  auto s = env.Samples("r");
  REQUIRE(s.size() == 1);
  REQUIRE(s.begin()->second.size() == 1);
  CHECK(s.begin()->second[0].t == kT0 - 30000);
  CHECK(s.begin()->second[0].v == 7);
}

TEST_CASE("Failed rules report their health and error; later rules still run", "[rules][group]") {
  Env env;
  GroupDeps deps = env.Deps();
  env.Add({{"__name__", "x"}, {"a", "1"}, {"b", "1"}}, kT0, 1);
  env.Add({{"__name__", "x"}, {"a", "1"}, {"b", "2"}}, kT0, 1);
  GroupSpec spec = Spec("g", List(Record("dup", "sum by (b) (x)", {{"b", "same"}}),
                                  Record("many", "x"), Record("ok", "sum(x)")));
  spec.limit = 1;
  Group g(std::move(spec), &deps);
  g.Iterate(kT0);
  RuleStatus dup = g.rules()[0]->status();
  CHECK(dup.health == Health::kBad);
  CHECK(dup.last_error ==
        "vector contains metrics with the same labelset after applying rule labels");
  CHECK(dup.last_evaluation == env.clock.NowMs());
  RuleStatus many = g.rules()[1]->status();
  CHECK(many.health == Health::kBad);
  CHECK(many.last_error == "exceeded limit of 1 with 2 series");
  CHECK(g.rules()[2]->status().health == Health::kGood);
  CHECK(g.last_eval_timestamp() == kT0);
  CHECK(g.last_evaluation() == env.clock.NowMs());
  CHECK(env.Samples("dup").empty());
  CHECK(env.Samples("ok").size() == 1);
}

TEST_CASE("A replaced group marks the series of removed rules stale", "[rules][group]") {
  Env env;
  GroupDeps deps = env.Deps();
  env.Add({{"__name__", "x"}}, kT0, 1);
  Group old(Spec("g", List(Record("keep", "x"), Record("gone", "x"))), &deps);
  old.Eval(kT0);
  Group next(Spec("g", List(Record("keep", "x"))), &deps);
  CHECK_FALSE(next.Equals(old));
  next.CopyState(old);
  next.Eval(kT0 + 15000);
  auto gone = env.Samples("gone");
  REQUIRE(gone.begin()->second.size() == 2);
  CHECK(model::IsStaleNaN(gone.begin()->second[1].v));
  auto keep = env.Samples("keep");
  REQUIRE(keep.begin()->second.size() == 2);
  CHECK(keep.begin()->second[1].v == 1);

  Group same(Spec("g", List(Record("keep", "x"))), &deps);
  CHECK(same.Equals(next));
  next.MarkStale(kT0 + 20000);
  keep = env.Samples("keep");
  REQUIRE(keep.begin()->second.size() == 3);
  CHECK(model::IsStaleNaN(keep.begin()->second[2].v));
}

}  // namespace
}  // namespace rules

// Robustness: the parser never crashes or hangs, whatever the input. Random byte strings and
// random mutations of valid queries either parse (and then print and reparse to the same
// text) or fail with kInvalidArgument, each within a time bound.
#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "promql/parser/parse.h"
#include "promql/printer.h"

namespace promql::parser {
namespace {

const std::vector<std::string>& Seeds() {
  static const std::vector<std::string> seeds = {
      R"(sum by (job) (rate(http_requests_total{job="api",code=~"5.."}[5m])))",
      R"(histogram_quantile(0.9, sum without (instance) (rate(foo_bucket[5m] offset 1h))) > bool 0.5)",
      R"(a + on(x) group_left(y) -b * 2 ^ -3 unless c or d and e)",
      R"(topk(5, count_values("v", foo{"my.label"!~"x|y"} @ start())))",
      R"(max_over_time(rate(foo[1m])[1h:5m] @ 1609746000.5 offset -1d))",
      R"(label_replace(up, "dst", "$1", 'src', `(.*)`) # comment)",
      R"(rate(foo[5m + step():min_of(1m, range())] offset -(1m)) + rate(bar[5m] anchored))",
      R"(a == fill_left(0) fill_right(-1) b / ignoring(z) c atan2 0x1F >= bool 1e3)",
      R"({__name__="x", a!="", b=~".*"} smoothed)",
      R"(-(sum(x) by (a,) * 5m) % quantile(0.5, y) </ z >/ w)",
      R"(label_join(foo, "\u00e9\x41\101\n", 'it\'s', `raw\s`))",
      R"(info(up, {job="a"}) or vector(time()) or absent_over_time(nothing[10m]))",
  };
  return seeds;
}

constexpr auto kTimeBound = std::chrono::seconds(2);

// Parses q and checks the outcome; returns whether it parsed.
bool CheckOne(const std::string& q, const ParseOptions& options) {
  INFO("query bytes: " << q.size() << " [" << q << "]");
  auto start = std::chrono::steady_clock::now();
  auto r = Parse(q, options);
  CHECK(std::chrono::steady_clock::now() - start < kTimeBound);
  if (!r) {
    CHECK(r.error().code() == base::StatusCode::kInvalidArgument);
    CHECK_THAT(r.error().message(), Catch::Contains("parse error: "));
    return false;
  }
  const std::string printed = Print(**r);
  (void)Prettify(**r);
  auto again = Parse(printed, options);
  if (!again) {
    // As in Prometheus, a sub-millisecond range prints as "0s", which does not parse back.
    CHECK_THAT(again.error().message(), Catch::Contains("duration must be greater than 0"));
    return true;
  }
  CHECK(Print(**again) == printed);
  return true;
}

TEST_CASE("Parser survives random byte strings", "[promql][parser][fuzz]") {
  std::mt19937 rng(20240611);
  // Mostly PromQL's own characters, so that inputs get past the first token.
  const std::string alphabet =
      "abcxyz_:019.eE+-*/%^=!~<>(){}[],@\"'`\\# \n\t"
      "sumbyonoffsetboolinf";
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string q;
    const size_t len = rng() % 40;
    for (size_t j = 0; j < len; ++j) {
      if (rng() % 16 == 0) {
        q.push_back(static_cast<char>(rng() % 256));  // any byte, invalid UTF-8 included
      } else {
        q.push_back(alphabet[rng() % alphabet.size()]);
      }
    }
    parsed += CheckOne(q, ParseOptions::AllEnabled()) ? 1 : 0;
  }
  WARN(parsed << " of 20000 random inputs parsed");
}

TEST_CASE("Parser survives mutations of valid queries", "[promql][parser][fuzz]") {
  std::mt19937 rng(7);
  const std::vector<std::string> fragments = {
      "(",     ")",  "[",        "]",    "{",          "}",       ",",
      ":",     "@",  " offset ", " by ", " on",        " bool ",  "-",
      "+",     "*",  "^",        "\"",   "'",          "`",       "#",
      "5m",    "1",  "sum",      "rate", "=",          "=~",      "!",
      "~",     ".",  " ",        "\n",   "group_left", "fill(1)", "step()",
      "[5m:]", "\\", "\xc3\xa9", "\xff", "ignoring",   "without", " and ",
      "inf",   "0x", "e",        "_",    "anchored",   "1e999",   "(((("};
  int parsed = 0;
  int total = 0;
  for (const std::string& seed : Seeds()) {
    REQUIRE(CheckOne(seed, ParseOptions::AllEnabled()));
    for (int i = 0; i < 2000; ++i) {
      std::string q = seed;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < edits; ++k) {
        const size_t pos = q.empty() ? 0 : rng() % (q.size() + 1);
        switch (rng() % 4) {
          case 0:
            if (pos < q.size()) q.erase(pos, 1);
            break;
          case 1:
            q.insert(pos, fragments[rng() % fragments.size()]);
            break;
          case 2: {
            const size_t end = pos + rng() % 8;
            q.erase(pos, std::min(end, q.size()) - std::min(pos, q.size()));
            break;
          }
          default:
            if (!q.empty()) q[rng() % q.size()] = static_cast<char>(rng() % 128);
            break;
        }
      }
      ++total;
      const ParseOptions options = rng() % 2 ? ParseOptions::AllEnabled() : ParseOptions{};
      parsed += CheckOne(q, options) ? 1 : 0;
    }
  }
  WARN(parsed << " of " << total << " mutated queries parsed");
}

TEST_CASE("Parser handles very long inputs in linear time", "[promql][parser][fuzz]") {
  std::string args;
  for (int i = 0; i < 200000; ++i) args += i == 0 ? "1" : ", 1";
  std::string matchers;
  for (int i = 0; i < 100000; ++i) matchers += "a=\"b\",";
  std::string labels;
  for (int i = 0; i < 100000; ++i) labels += "l" + std::to_string(i) + ",";
  std::string offsets = "foo";
  for (int i = 0; i < 50000; ++i) offsets += " offset 1m";
  const std::vector<std::string> inputs = {
      "label_join(x, " + args + ")",   "{" + matchers + "}",
      "sum by (" + labels + ") (x)",   offsets,
      std::string(1000000, '('),       std::string(1000000, ')'),
      std::string(1000000, ' ') + "1", "\"" + std::string(1000000, 'a') + "\"",
      std::string(1000000, '-') + "1"};
  for (const std::string& q : inputs) {
    auto start = std::chrono::steady_clock::now();
    auto r = Parse(q, ParseOptions::AllEnabled());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    if (!r) CHECK(r.error().code() == base::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace promql::parser

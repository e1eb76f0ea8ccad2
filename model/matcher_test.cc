#include <catch2/catch.hpp>

#include "model/matcher.h"

using model::Matcher;
using model::MatchType;

namespace {
Matcher M(MatchType t, std::string v) { return *Matcher::Make(t, "l", std::move(v)); }
}  // namespace

TEST_CASE("regex matchers are fully anchored", "[model][matcher]") {
  auto m = M(MatchType::kRegexMatch, "foo|bar");
  CHECK(m.Matches("foo"));
  CHECK(m.Matches("bar"));
  CHECK_FALSE(m.Matches("foobar"));
  CHECK_FALSE(m.Matches("xfoo"));
  REQUIRE(m.set_matches());
  CHECK(m.set_matches()->size() == 2);
  auto p = M(MatchType::kRegexMatch, "api_.*");
  CHECK(p.prefix() == "api_");
  CHECK(p.Matches("api_x"));
  CHECK_FALSE(p.Matches("xapi_"));
  auto r = M(MatchType::kRegexMatch, "a.c");
  CHECK(r.Matches("abc"));
  CHECK(r.Matches("a\nc"));  // (?s) as Prometheus
  CHECK_FALSE(r.Matches("abcd"));
}

TEST_CASE("matchers report whether they match the empty string", "[model][matcher]") {
  CHECK(M(MatchType::kRegexMatch, ".*").MatchesEmpty());
  CHECK_FALSE(M(MatchType::kRegexMatch, ".+").MatchesEmpty());
  CHECK(M(MatchType::kEqual, "").MatchesEmpty());
  CHECK(M(MatchType::kNotEqual, "x").MatchesEmpty());
  CHECK_FALSE(M(MatchType::kRegexNoMatch, ".*").MatchesEmpty());
  CHECK(M(MatchType::kRegexMatch, "a|").MatchesEmpty());
}

TEST_CASE("invalid regexes are rejected with RE2's reason", "[model][matcher]") {
  auto m = Matcher::Make(MatchType::kRegexMatch, "l", "a(");
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().message().starts_with("error parsing regexp: "));
}

TEST_CASE("literal fast paths agree with RE2 on escapes", "[model][matcher]") {
  auto m = M(MatchType::kRegexMatch, "a\\.b");
  CHECK(m.Matches("a.b"));
  CHECK_FALSE(m.Matches("axb"));
  auto d = M(MatchType::kRegexMatch, "\\d+");
  CHECK(d.Matches("123"));
  CHECK_FALSE(d.Matches("12a"));
  CHECK(M(MatchType::kNotEqual, "x").ToString() == "l!=\"x\"");
}

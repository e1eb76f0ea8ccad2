#include "alerting/matchers.h"

#include <catch2/catch.hpp>

using alerting::Matcher;
using alerting::Matchers;
using alerting::MatchType;
using alerting::ParseMatcher;
using alerting::ParseMatchers;

namespace {

struct ParseCase {
  std::string input;
  std::string want;  // sorted MatchersToString, or the error message
  bool ok;
};

// Expected values are what amtool 0.25 prints for a route with `matchers: [input]`
// (`amtool config routes show`); matchers_oracle_test.cc rechecks them against amtool.
const std::vector<ParseCase>& ParseCases() {
  static const std::vector<ParseCase> cases = {
      {R"(foo=bar)", R"({foo="bar"})", true},
      {R"({foo = "bar", dings != "bums", })", R"({dings!="bums",foo="bar"})", true},
      {R"(foo=bar,dings!=bums)", R"({dings!="bums",foo="bar"})", true},
      {R"({quote="She said: \"Hi, ladies! That's gender-neutral…\""})",
       R"({quote="She said: \"Hi, ladies! That's gender-neutral…\""})", true},
      {R"(statuscode=~"5..")", R"({statuscode=~"5.."})", true},
      {R"(foo=)", R"({foo=""})", true},
      {R"(foo="")", R"({foo=""})", true},
      {R"(foo=")", R"(matcher value contains unescaped double quote: ")", false},
      {R"(foo="bar)", R"(matcher value contains unescaped double quote: "bar)", false},
      {R"(foo=bar")", R"(matcher value contains unescaped double quote: bar")", false},
      {R"(foo=b"ar)", R"(matcher value contains unescaped double quote: b"ar)", false},
      {R"(foo="b\"ar")", R"({foo="b\"ar"})", true},
      {R"(foo=a\nb)", R"({foo="a\nb"})", true},
      {R"(foo="a\\b")", R"({foo="a\\b"})", true},
      {R"(foo="a\x")", R"({foo="a\\x"})", true},
      {R"(foo=\)", R"({foo="\\"})", true},
      {R"(foo="\")", R"(matcher value contains unescaped double quote: "\")", false},
      {R"(foo=()", R"({foo="("})", true},
      {R"(foo=~()", R"(error parsing regexp: missing closing ): `^(?:()$`)", false},
      {R"(foo=~[a)", R"(error parsing regexp: missing closing ]: `[a)$`)", false},
      {R"(foo=~a**)", R"(error parsing regexp: invalid nested repetition operator: `**`)", false},
      {R"(foo=~\C)", R"(error parsing regexp: invalid escape sequence: `\C`)", false},
      {R"(foo=~(?<n>a))", R"(error parsing regexp: invalid or unsupported Perl syntax: `(?<`)",
       false},
      {R"(foo=~\8)", R"(error parsing regexp: invalid escape sequence: `\8`)", false},
      {R"(foo=~))", R"(error parsing regexp: unexpected ): `^(?:))$`)", false},
      {R"(foo=~*)", R"(error parsing regexp: missing argument to repetition operator: `*`)", false},
      {R"(a:b=c)", R"({a:b="c"})", true},
      {R"(1a=b)", R"(bad matcher format: 1a=b)", false},
      {R"(foo==bar)", R"({foo="=bar"})", true},
      {R"(foo=!bar)", R"({foo="!bar"})", true},
      {R"(foo=~=~bar)", R"({foo=~"=~bar"})", true},
      {R"(foo~=bar)", R"(bad matcher format: foo~=bar)", false},
      {R"( foo  =~  " x "  )", R"({foo=~" x "})", true},
      {R"(foo=bar,,baz=qux)", R"(bad matcher format: )", false},
      {R"({,})", R"(bad matcher format: )", false},
      {R"({})", R"({})", true},
      {R"()", R"({})", true},
      {R"(,)", R"(bad matcher format: )", false},
      {R"(foo=bar,)", R"({foo="bar"})", true},
      {R"(foo="a,b",c=d)", R"({c="d",foo="a,b"})", true},
      {R"(foo="a\,b",c=d)", R"({c="d",foo="a\\,b"})", true},
      {R"({foo=bar}})", R"({foo="bar}"})", true},
      {R"({{foo=bar})", R"(bad matcher format: {foo=bar)", false},
      {R"(foo=~[[:alpha:]])", R"({foo=~"[[:alpha:]]"})", true},
      {R"(foo=~\pL)", R"({foo=~"\\pL"})", true},
      {R"(foo=~a{,3})", R"(bad matcher format: 3)", false},
      {R"(foo=~(?i)abc)", R"({foo=~"(?i)abc"})", true},
      {R"(foo=~\Qa.b\E)", R"({foo=~"\\Qa.b\\E"})", true},
      {R"(foo=~\z)", R"({foo=~"\\z"})", true},
      {R"(foo!~"x|y")", R"({foo!~"x|y"})", true},
      {"foo=\"a\nb\"", R"({foo="a\nb"})", true},
      {"foo=bar\xc2\xa0", R"({foo="bar"})", true},
      {"foo=bar\xc2\xa0,x=y", "{foo=\"bar\xc2\xa0\",x=\"y\"}", true},
      {"foo=\"\xff\"", "{foo=\"\xef\xbf\xbd\"}", true},
  };
  return cases;
}

}  // namespace

TEST_CASE("ParseMatchers accepts and rejects what Alertmanager 0.25 does", "[alerting][matchers]") {
  for (const ParseCase& c : ParseCases()) {
    INFO("input: " << c.input);
    auto r = ParseMatchers(c.input);
    if (c.ok) {
      REQUIRE(r.has_value());
      Matchers ms = *r;
      alerting::SortMatchers(ms);
      CHECK(alerting::MatchersToString(ms) == c.want);
    } else {
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().message() == c.want);
      CHECK(r.error().code() == base::StatusCode::kInvalidArgument);
    }
  }
}

TEST_CASE("ParseMatcher parses one matcher and rejects invalid UTF-8", "[alerting][matchers]") {
  auto m = ParseMatcher(R"(  job !~ "api|web" )");
  REQUIRE(m.has_value());
  CHECK(m->name() == "job");
  CHECK(m->type() == MatchType::kRegexNoMatch);
  CHECK(m->value() == "api|web");
  CHECK_FALSE(m->Matches("api"));
  CHECK(m->Matches("db"));

  auto bad = ParseMatcher("foo=\"\xff\"");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message() == "matcher value not valid UTF-8: \"\xff\"");

  // Without ParseMatchers' tokenizer a comma is part of the value.
  auto comma = ParseMatcher("foo=a,b");
  REQUIRE(comma.has_value());
  CHECK(comma->value() == "a,b");
}

TEST_CASE("regex matchers are anchored and '.' does not match a newline", "[alerting][matchers]") {
  auto m = Matcher::Make(MatchType::kRegexMatch, "l", "a.c|x");
  REQUIRE(m.has_value());
  CHECK(m->Matches("abc"));
  CHECK(m->Matches("x"));
  CHECK_FALSE(m->Matches("abcd"));
  CHECK_FALSE(m->Matches("zabc"));
  CHECK_FALSE(m->Matches("xx"));
  CHECK_FALSE(m->Matches("a\nc"));  // Go's regexp without (?s), as Alertmanager compiles
  auto s = Matcher::Make(MatchType::kRegexMatch, "l", "(?s)a.c");
  REQUIRE(s.has_value());
  CHECK(s->Matches("a\nc"));
  auto empty = Matcher::Make(MatchType::kRegexMatch, "l", "");
  REQUIRE(empty.has_value());
  CHECK(empty->Matches(""));
  CHECK_FALSE(empty->Matches("a"));
  auto nre = Matcher::Make(MatchType::kRegexNoMatch, "l", "a+");
  REQUIRE(nre.has_value());
  CHECK(nre->Matches(""));
  CHECK_FALSE(nre->Matches("aaa"));
}

TEST_CASE("matchers sort by name, value, then operator", "[alerting][matchers]") {
  auto ms = ParseMatchers(R"(b=x, a!=y, a=y, a=~y, a="x")");
  REQUIRE(ms.has_value());
  alerting::SortMatchers(*ms);
  CHECK(alerting::MatchersToString(*ms) == R"({a="x",a="y",a!="y",a=~"y",b="x"})");
}

TEST_CASE("matchers test label values, missing labels as empty", "[alerting][matchers]") {
  auto ms = ParseMatchers(R"({env="prod", team=~"db|web", region!="eu", owner=""})");
  REQUIRE(ms.has_value());
  CHECK(alerting::MatchesAll(*ms, model::Labels{{"env", "prod"}, {"team", "db"}}));
  CHECK_FALSE(alerting::MatchesAll(*ms, model::Labels{{"env", "prod"}, {"team", "dbx"}}));
  CHECK_FALSE(
      alerting::MatchesAll(*ms, model::Labels{{"env", "prod"}, {"team", "db"}, {"region", "eu"}}));
  CHECK_FALSE(
      alerting::MatchesAll(*ms, model::Labels{{"env", "prod"}, {"team", "db"}, {"owner", "me"}}));
}

// Tests of the series selector parser. Error texts inside braces are those of Prometheus's
// promql/parser/parse_test.go for the same input; top-level ones follow its grammar's
// `start: error` production for the START_METRIC_SELECTOR start symbol.
#include "web/selector.h"

#include <catch2/catch.hpp>

namespace web {
namespace {

std::vector<std::string> Strings(const std::vector<model::Matcher>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.ToString());
  return out;
}

TEST_CASE("Selectors parse into matchers", "[web][selector]") {
  using V = std::vector<std::string>;
  auto c = GENERATE(values<std::pair<const char*, V>>({
      {"up", {"__name__=\"up\""}},
      {"  up  ", {"__name__=\"up\""}},
      {"foo:bar{a=\"bc\"}", {"a=\"bc\"", "__name__=\"foo:bar\""}},
      {R"(foo{a="b", foo!="bar", test=~"test", bar!~"baz"})",
       {"a=\"b\"", "foo!=\"bar\"", "test=~\"test\"", "bar!~\"baz\"", "__name__=\"foo\""}},
      {R"(foo{a="b",})", {"a=\"b\"", "__name__=\"foo\""}},
      {R"({__name__=~"bar", __name__!~"baz"})", {"__name__=~\"bar\"", "__name__!~\"baz\""}},
      {R"({"foo"})", {"__name__=\"foo\""}},
      {R"({"some.metric", "service.name"="api"})",
       {"__name__=\"some.metric\"", "service.name=\"api\""}},
      {R"({'foo\'bar', 'a\\dos\\path'='boo\\urns'})",
       {"__name__=\"foo'bar\"", "a\\dos\\path=\"boo\\\\urns\""}},
      {"{`a\\b`=`c\\d`}", {"a\\b=\"c\\\\d\""}},
      {R"(foo{NaN='bc'})", {"NaN=\"bc\"", "__name__=\"foo\""}},
      {R"(foo{bar='}'})", {"bar=\"}\"", "__name__=\"foo\""}},
      {R"(sum{by="x"})", {"by=\"x\"", "__name__=\"sum\""}},
      {"offset", {"__name__=\"offset\""}},
      {"SUM", {"__name__=\"SUM\""}},
      {"fill", {"__name__=\"fill\""}},
      {"start", {"__name__=\"start\""}},
      {"foo # a comment\n", {"__name__=\"foo\""}},
      {"foo{a=\"b\" # comment\n}", {"a=\"b\"", "__name__=\"foo\""}},
      {R"(x{a="\u00e9\x41\101\n\t"})",
       {"a=\"\xc3\xa9"
        "AA\\n\\t\"",
        "__name__=\"x\""}},
      {"{}", {}},
      {R"({x=""})", {"x=\"\""}},
  }));
  CAPTURE(c.first);
  auto r = ParseMetricSelector(c.first);
  REQUIRE(r.ok());
  CHECK(Strings(*r) == c.second);
}

TEST_CASE("Selector errors carry Prometheus's position and text", "[web][selector]") {
  auto c = GENERATE(values<std::pair<std::string, const char*>>({
      {"", "unknown position: parse error: unexpected end of input"},
      {"   ", "1:4: parse error: unexpected end of input"},
      {"{", "1:2: parse error: unexpected end of input inside braces"},
      {"}", "1:1: parse error: unexpected character: '}'"},
      {"some{", "1:6: parse error: unexpected end of input inside braces"},
      {"some}", "1:5: parse error: unexpected character: '}'"},
      {"some_metric{a=b}",
       "1:15: parse error: unexpected identifier \"b\" in label matching, expected string"},
      {"some_metric{a:b=\"b\"}", "1:14: parse error: unexpected character inside braces: ':'"},
      {"foo{a*\"b\"}", "1:6: parse error: unexpected character inside braces: '*'"},
      {"foo{a>=\"b\"}", "1:6: parse error: unexpected character inside braces: '>'"},
      {"some_metric{a=\"\xff\"}", "1:15: parse error: invalid UTF-8 rune"},
      {"foo{gibberish}",
       "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator"},
      {"foo{1}", "1:5: parse error: unexpected character inside braces: '1'"},
      {"foo{__name__= =}",
       "1:15: parse error: unexpected \"=\" in label matching, expected string"},
      {"foo{,}",
       "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\""},
      {"foo{__name__ == \"bar\"}",
       "1:15: parse error: unexpected \"=\" in label matching, expected string"},
      {"foo{__name__=\"bar\" lol}",
       "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or "
       "\"}\""},
      {"foo{\"a\"=}", "1:9: parse error: unexpected \"}\" in label matching, expected string"},
      {"{\"a\" x}",
       "1:6: parse error: unexpected identifier \"x\" in label matching, expected \",\" or \"}\""},
      {"{a=\"b\",,}",
       "1:8: parse error: unexpected \",\" in label matching, expected identifier or \"}\""},
      {"{a=\"b\" \"cdefghijklmn\"}",
       "1:8: parse error: unexpected string \"\\\"cdefghijk\"... in label matching, expected \",\" "
       "or \"}\""},
      {"foo bar", "1:5: parse error: unexpected identifier \"bar\""},
      {"foo{a=\"b\"} bar", "1:12: parse error: unexpected identifier \"bar\""},
      {"foo{a=\"b\"}}", "1:11: parse error: unexpected character: '}'"},
      {"foo{a=\"b\"}{c=\"d\"}", "1:11: parse error: unexpected \"{\""},
      {"rate(foo[5m])", "1:5: parse error: unexpected \"(\""},
      {"foo[5m]", "1:4: parse error: unexpected \"[\""},
      {"foo offset 5m", "1:5: parse error: unexpected <offset>"},
      {"foo + 1", "1:5: parse error: unexpected <op:+>"},
      {"foo and bar", "1:5: parse error: unexpected <op:and>"},
      {"sum(foo)", "1:4: parse error: unexpected \"(\""},
      {"on", "1:1: parse error: unexpected <on>"},
      {"atan2", "1:1: parse error: unexpected <op:atan2>"},
      {"nan", "1:1: parse error: unexpected number \"nan\""},
      {"1", "1:1: parse error: unexpected number \"1\""},
      {"5m", "1:1: parse error: unexpected duration \"5m\""},
      {"0deadbeef", "1:1: parse error: bad number or duration syntax: \"0de\""},
      {"\"foo\"", "1:1: parse error: unexpected string \"\\\"foo\\\"\""},
      {"foo ==", "1:5: parse error: unexpected <op:==>"},
      {"foo =~ 1", "1:5: parse error: unexpected character after '=': '~'"},
      {"foo !", "1:5: parse error: unexpected character after '!': '\xef\xbf\xbd'"},
      {"foo)", "1:5: parse error: unexpected right parenthesis ')'"},
      {"foo]", "1:4: parse error: unexpected right bracket ']'"},
      {".", "1:1: parse error: unexpected character: '.'"},
      {"f\xc3\xb6o", "1:2: parse error: unexpected character: '\xc3\xb6'"},
      {"foo\n  bar", "2:3: parse error: unexpected identifier \"bar\""},
      {"{a!b=\"c\"}", "1:3: parse error: unexpected character after '!' inside braces: 'b'"},
      {"{a={}", "1:4: parse error: unexpected left brace '{'"},
      {"{a=\"b}", "1:4: parse error: unterminated quoted string"},
      {"{a=\"b\nc\"}", "1:4: parse error: unterminated quoted string"},
      {"{a=`b}", "1:4: parse error: unterminated raw string"},
      {"{a=\"\\q\"}", "1:4: parse error: unknown escape sequence U+0071 'q'"},
      {"{a='\\\"'}", "1:4: parse error: unknown escape sequence U+0022 '\"'"},
      {"{a=\"\\x4\"}", "1:4: parse error: illegal character U+0022 '\"' in escape sequence"},
      {"{a=\"\\ud800\"}", "1:4: parse error: escape sequence is an invalid Unicode code point"},
      {"{a=\"\\777\"}", "1:4: parse error: escape sequence is an invalid Unicode code point"},
      {"{a=\"\\", "1:4: parse error: escape sequence not terminated"},
      // Prometheus prints Go's regexp error here: "error parsing regexp: missing closing ):
      // `^(?s:()$`".
      {"{a=~\"(\"}", "1:2: parse error: error parsing regexp: missing ): ^(?:()$"},
  }));
  CAPTURE(c.first);
  auto r = ParseMetricSelector(c.first);
  REQUIRE(!r.ok());
  CHECK(r.error().code() == base::StatusCode::kInvalidArgument);
  CHECK(r.error().message() == c.second);
}

}  // namespace
}  // namespace web

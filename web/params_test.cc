// Tests of request parameter parsing. Expected timestamps were computed by Go 1.19 running
// Prometheus's parseTime (web/api/v1/api.go) and timestamp.FromTime on amd64.
#include "web/params.h"

#include <catch2/catch.hpp>

namespace web {
namespace {

TEST_CASE("ParseTime accepts what Prometheus's parseTime accepts", "[web][params]") {
  auto c = GENERATE(values<std::pair<const char*, model::Timestamp>>({
      {"1435781451.781", 1435781451781},
      {"1435781451", 1435781451000},
      {"1435781451.7815", 1435781451782},
      {"-1.5", -1500},
      {"-0.0015", -2},
      {"0.0005", 1},
      {"1.0005", 1000},
      {"-1.0005", -1000},
      {"0.001", 1},
      {"0.0049999", 5},
      {"1e3", 1000000},
      {"+5", 5000},
      {".5", 500},
      {"5.", 5000},
      {"0x1p3", 8000},
      {"1_000", 1000000},
      {"1e-400", 0},
      // Go's float to int conversion on amd64 turns these into math.MinInt64 seconds.
      {"Inf", -9223372036855},
      {"nan", -9223372036855},
      {"infinity", -9223372036855},
      {"2015-07-01T20:10:51.781Z", 1435781451781},
      {"2015-07-01T20:10:51Z", 1435781451000},
      {"2015-07-01T20:10:51+02:00", 1435774251000},
      {"2015-07-01T20:10:51.123456789123-07:30", 1435808451123},
      {"2015-07-01T20:10:51,5Z", 1435781451500},
      {"2016-02-29T00:00:00Z", 1456704000000},
      {"0000-01-01T00:00:00Z", -62167219200000},
      {"2015-07-01T20:10:51+24:00", 1435695051000},
      {"-292273086-05-16T16:47:06Z", kApiMinTime},
      {"292277025-08-18T07:12:54.999999999Z", kApiMaxTime},
  }));
  CAPTURE(c.first);
  auto t = ParseTime(c.first);
  REQUIRE(t.ok());
  CHECK(*t == c.second);
}

TEST_CASE("ParseTime rejects what Prometheus's parseTime rejects", "[web][params]") {
  auto s =
      GENERATE(as<std::string>{}, "0x10", "1e400", "2015-07-01t20:10:51Z", "2015-07-01T20:10:51z",
               "2015-07-01T24:00:00Z", "2015-02-29T00:00:00Z", "2015-07-01 20:10:51Z", "x", "",
               " 1", "1 ", "2015-07-01T20:10:60Z", "2015-07-01T20:10:51.Z", "1__0", "_1", "+nan",
               "0x", "1e", "2015-07-01T20:10:51", "2015-07-01T20:10:51+0200");
  CAPTURE(s);
  auto t = ParseTime(s);
  REQUIRE(!t.ok());
  CHECK(t.error().code() == base::StatusCode::kInvalidArgument);
  CHECK(t.error().message() == "cannot parse \"" + s + "\" to a valid timestamp");
}

TEST_CASE("Time and limit parameters name the parameter in errors", "[web][params]") {
  Form f;
  f.Add("start", "yesterday");
  f.Add("limit", "abc");
  auto t = ParseTimeParam(f, "start", 0);
  REQUIRE(!t.ok());
  CHECK(t.error().message() ==
        "invalid parameter \"start\": invalid time value for 'start': cannot parse \"yesterday\" "
        "to a valid timestamp");
  CHECK(*ParseTimeParam(f, "end", 42) == 42);
  auto l = ParseLimitParam(f);
  REQUIRE(!l.ok());
  CHECK(l.error().message() ==
        "invalid parameter \"limit\": strconv.Atoi: parsing \"abc\": invalid syntax");

  Form g;
  g.Add("limit", "-1");
  CHECK(ParseLimitParam(g).error().message() ==
        "invalid parameter \"limit\": limit must be non-negative");
  Form h;
  h.Add("limit", "99999999999999999999");
  CHECK(ParseLimitParam(h).error().message() ==
        "invalid parameter \"limit\": strconv.Atoi: parsing \"99999999999999999999\": value out of "
        "range");
  Form k;
  k.Add("limit", "+5");
  CHECK(*ParseLimitParam(k) == 5);
  CHECK(*ParseLimitParam(Form()) == 0);
}

TEST_CASE("GoAtoi matches strconv.Atoi", "[web][params]") {
  CHECK(*GoAtoi("9223372036854775807") == INT64_MAX);
  CHECK(*GoAtoi("-9223372036854775808") == INT64_MIN);
  CHECK(GoAtoi("9223372036854775808").error().message() ==
        "strconv.Atoi: parsing \"9223372036854775808\": value out of range");
  CHECK(GoAtoi(" 5").error().message() == "strconv.Atoi: parsing \" 5\": invalid syntax");
  CHECK(GoAtoi("1_0").error().message() == "strconv.Atoi: parsing \"1_0\": invalid syntax");
  CHECK(GoAtoi("\xff").error().message() == "strconv.Atoi: parsing \"\\xff\": invalid syntax");
  CHECK(GoAtoi("-").error().message() == "strconv.Atoi: parsing \"-\": invalid syntax");
}

TEST_CASE("Form takes body values before query values, as Go's ParseForm", "[web][params]") {
  Form f =
      Form::Parse("POST", "match[]=a&limit=1", "application/x-www-form-urlencoded; charset=utf-8",
                  "match[]=%7Bjob%3D%22x%22%7D&limit=2&q=a+b");
  CHECK(f.parse_error().ok());
  CHECK(f.GetAll("match[]") == std::vector<std::string_view>{"{job=\"x\"}", "a"});
  CHECK(f.Get("limit") == "2");
  CHECK(f.Get("q") == "a b");
  CHECK(f.Get("missing").empty());

  Form get = Form::Parse("GET", "a=1", "application/x-www-form-urlencoded", "a=2");
  CHECK(get.GetAll("a") == std::vector<std::string_view>{"1"});

  Form other_type = Form::Parse("POST", "", "application/json", "a=2");
  CHECK(other_type.GetAll("a").empty());

  Form bad = Form::Parse("GET", "a=%zz&b=1&c=%4", "", "");
  CHECK(bad.parse_error().message() == "invalid URL escape \"%zz\"");
  CHECK(bad.Get("b") == "1");
  CHECK(!bad.Get("a").data());

  Form semi = Form::Parse("GET", "a=1;b=2&c=3", "", "");
  CHECK(semi.parse_error().message() == "invalid semicolon separator in query");
  CHECK(semi.Get("c") == "3");
  CHECK(semi.GetAll("a").empty());
}

}  // namespace
}  // namespace web

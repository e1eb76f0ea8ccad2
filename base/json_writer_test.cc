// Tests of the JSON writer against the bytes Prometheus's encoders produce. Expected strings
// were printed by Go: strconv.AppendFloat as util/jsonutil.MarshalFloat calls it, and
// encoding/json (the same escaping as jsoniter's ConfigCompatibleWithStandardLibrary).
#include "base/json_writer.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "base/quote.h"

namespace base {
namespace {

TEST_CASE("Sample values are formatted as Prometheus's MarshalFloat", "[base][json]") {
  struct Case {
    double v;
    const char* want;
  };
  const double inf = std::numeric_limits<double>::infinity();
  auto c = GENERATE_COPY(values<Case>({
      {0, "0"},
      {-0.0, "-0"},
      {1, "1"},
      {-1, "-1"},
      {0.1, "0.1"},
      {0.3, "0.3"},
      {1.5, "1.5"},
      {100, "100"},
      {1e6, "1000000"},
      {123456789, "123456789"},
      {1e15, "1000000000000000"},
      {1e17, "100000000000000000"},
      {9007199254740993.0, "9007199254740992"},
      {1e20, "100000000000000000000"},
      {1.2345678901234568e20, "123456789012345680000"},
      {1.2345678901234567e20, "123456789012345670000"},
      {1e21, "1e+21"},
      {1e100, "1e+100"},
      {1e-6, "0.000001"},
      {4.35e-06, "0.00000435"},
      {2.5e-5, "0.000025"},
      {9.99999e-7, "9.99999e-07"},
      {1e-7, "1e-07"},
      {1.5e-7, "1.5e-07"},
      {5e-324, "5e-324"},
      {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
      {-std::numeric_limits<double>::max(), "-1.7976931348623157e+308"},
      {1.0 / 3, "0.3333333333333333"},
      {2.0 / 3, "0.6666666666666666"},
      {1234.5678, "1234.5678"},
      {-0.5, "-0.5"},
      {std::nan(""), "NaN"},
      {inf, "+Inf"},
      {-inf, "-Inf"},
  }));
  CAPTURE(c.v);
  CHECK(FormatSampleValue(c.v) == c.want);
}

TEST_CASE("Timestamps are seconds with a three-digit fraction", "[base][json]") {
  auto c = GENERATE(values<std::pair<int64_t, const char*>>({
      {1435781451781, "1435781451.781"},
      {1435781451000, "1435781451"},
      {1500, "1.500"},
      {1050, "1.050"},
      {1001, "1.001"},
      {0, "0"},
      {999, "0.999"},
      {-1500, "-1.500"},
      {-1, "-0.001"},
      {INT64_MAX, "9223372036854775.807"},
      {INT64_MIN, "-9223372036854775.808"},
  }));
  std::string s;
  AppendTimestamp(&s, c.first);
  CHECK(s == c.second);
}

TEST_CASE("Strings are escaped as Go's encoding/json does", "[base][json]") {
  std::string out;
  SECTION("standard escaping: HTML characters, controls, invalid UTF-8, line separators") {
    AppendJsonString(&out, "a<b>&c");
    CHECK(out == R"("a\u003cb\u003e\u0026c")");
    out.clear();
    AppendJsonString(&out, std::string_view("\x00\x01\b\f\n\r\t\x7f", 8));
    CHECK(out == "\"\\u0000\\u0001\\u0008\\u000c\\n\\r\\t\x7f\"");
    out.clear();
    AppendJsonString(&out, "\xff");
    CHECK(out == R"("\ufffd")");
    out.clear();
    AppendJsonString(&out, "\xe2\x80\xa8\xe2\x80\xa9");
    CHECK(out == R"("\u2028\u2029")");
    out.clear();
    AppendJsonString(&out, "\xc3\xa9\"\\ \xf0\x9f\x98\x80 \xef\xbf\xbd");
    CHECK(out == "\"\xc3\xa9\\\"\\\\ \xf0\x9f\x98\x80 \xef\xbf\xbd\"");
    out.clear();
    // A truncated sequence is replaced byte by byte, as Go does.
    AppendJsonString(&out, "a\xe2\x82z");
    CHECK(out == R"("a\ufffd\ufffdz")");
  }
  SECTION("label escaping keeps HTML characters, separators and bytes as they are") {
    AppendJsonString(&out, "a<b>&c\xe2\x80\xa8\xff\n\"", Escaping::kLabels);
    CHECK(out == "\"a<b>&c\xe2\x80\xa8\xff\\n\\\"\"");
  }
}

TEST_CASE("JsonWriter places commas and nests", "[base][json]") {
  JsonWriter w;
  w.BeginObject();
  w.Key("status").String("success");
  w.Key("data").BeginArray();
  w.BeginObject().Key("a").Int(-1).Key("b").Uint(2).EndObject();
  w.BeginArray().Timestamp(1500).SampleValue(0.5).EndArray();
  w.Bool(true).Null().Raw("{}");
  w.EndArray();
  w.Key("empty").BeginObject().EndObject();
  w.EndObject();
  CHECK(w.str() ==
        R"({"status":"success","data":[{"a":-1,"b":2},[1.500,"0.5"],true,null,{}],"empty":{}})");
}

TEST_CASE("Go quoting of strings and runes", "[base][json]") {
  CHECK(base::GoQuote("\xff") == R"("\xff")");
  CHECK(base::GoQuote("a\"b\x01\xc2\xad\xe2\x80\xa8\xc3\xa9") == R"("a\"b\x01\u00ad\u2028)"
                                                           "\xc3\xa9\"");
  CHECK(base::GoQuoteRune('}') == "'}'");
  CHECK(base::GoQuoteRune('\'') == R"('\'')");
  CHECK(base::GoQuoteRune(-1) == "'\xef\xbf\xbd'");
  CHECK(base::GoUnicodeFormat('q') == "U+0071 'q'");
  CHECK(base::GoUnicodeFormat('"') == "U+0022 '\"'");
  CHECK(base::GoUnicodeFormat(1) == "U+0001");
  CHECK(base::GoQuotePrefix(R"("abcdefghijklmnop")", 10) + "..." == R"("\"abcdefghi"...)");
}

}  // namespace
}  // namespace base

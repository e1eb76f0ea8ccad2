#include "promql/parser/literals.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

namespace promql::parser {
namespace {

double Number(std::string_view s) {
  double v = 0;
  std::string err;
  INFO(s);
  REQUIRE(ParseNumber(s, &v, &err));
  return v;
}

std::string NumberError(std::string_view s) {
  double v = 0;
  std::string err;
  INFO(s);
  REQUIRE_FALSE(ParseNumber(s, &v, &err));
  return err;
}

TEST_CASE("ParseNumber follows Go's ParseInt then ParseFloat", "[promql][parser]") {
  CHECK(Number("1") == 1);
  CHECK(Number("0x1f") == 31);
  CHECK(Number("0X_1F") == 31);
  CHECK(Number("010") == 8);  // a leading zero is octal for ParseInt
  CHECK(Number("09") == 9);   // not octal: ParseFloat reads it as decimal
  CHECK(Number("1_000") == 1000);
  CHECK(Number("1_000.5") == 1000.5);
  CHECK(Number(".5") == 0.5);
  CHECK(Number("5.") == 5);
  CHECK(Number("1e3") == 1000);
  CHECK(Number("2.5e-7") == 2.5e-7);
  CHECK(Number("1e-999") == 0);
  CHECK(Number("9223372036854775807") == 9223372036854775807.0);
  CHECK(Number("99999999999999999999") == 1e20);
  CHECK(Number("0777777777777777777777777") == 7.777777777777778e23);
  CHECK(std::isinf(Number("Inf")));
  CHECK(std::isinf(Number("iNF")));
  CHECK(std::isnan(Number("NaN")));
  CHECK(NumberError("1e999") == R"(strconv.ParseFloat: parsing "1e999": value out of range)");
  CHECK(NumberError("0x1e+5") == R"(strconv.ParseFloat: parsing "0x1e+5": invalid syntax)");
  CHECK(NumberError("1__0") == R"(strconv.ParseFloat: parsing "1__0": invalid syntax)");
  CHECK(NumberError(".5.3") == R"(strconv.ParseFloat: parsing ".5.3": invalid syntax)");
  CHECK(NumberError("0xFFFFFFFFFFFFFFFFFF") ==
        R"(strconv.ParseFloat: parsing "0xFFFFFFFFFFFFFFFFFF": invalid syntax)");
}

int64_t Nanos(std::string_view s) {
  int64_t n = 0;
  std::string err;
  INFO(s);
  REQUIRE(ParseDurationNanos(s, &n, &err));
  return n;
}

std::string DurationError(std::string_view s) {
  int64_t n = 0;
  std::string err;
  INFO(s);
  REQUIRE_FALSE(ParseDurationNanos(s, &n, &err));
  return err;
}

TEST_CASE("ParseDurationNanos follows Prometheus's model.ParseDuration", "[promql][parser]") {
  constexpr int64_t kSecond = 1000000000;
  CHECK(Nanos("0") == 0);
  CHECK(Nanos("5m") == 300 * kSecond);
  CHECK(Nanos("1h30m") == 5400 * kSecond);
  CHECK(Nanos("500ms") == kSecond / 2);
  CHECK(Nanos("1y") == 365LL * 24 * 3600 * kSecond);
  CHECK(Nanos("1w1d") == 8LL * 24 * 3600 * kSecond);
  CHECK(Nanos("292y") == 292LL * 365 * 24 * 3600 * kSecond);
  CHECK(DurationError("") == "empty duration string");
  CHECK(DurationError("1hs") == R"(unknown unit "hs" in duration "1hs")");
  CHECK(DurationError("1.5m") == R"(unknown unit "." in duration "1.5m")");
  CHECK(DurationError("1m1h") == R"(not a valid duration string: "1m1h")");
  CHECK(DurationError("1m1m") == R"(not a valid duration string: "1m1m")");
  CHECK(DurationError("300y") == "duration out of range");
  CHECK(DurationError("99999999999999999999s") ==
        R"(not a valid duration string: "99999999999999999999s")");
}

TEST_CASE("NanosToSeconds and GoFloatToInt64 behave as Go", "[promql][parser]") {
  CHECK(NanosToSeconds(1500000000) == 1.5);
  CHECK(NanosToSeconds(-1) == -1e-9);
  CHECK(GoFloatToInt64(1.9) == 1);
  CHECK(GoFloatToInt64(-1.9) == -1);
  CHECK(GoFloatToInt64(1e19) == std::numeric_limits<int64_t>::min());
  CHECK(GoFloatToInt64(std::nan("")) == std::numeric_limits<int64_t>::min());
  CHECK(GoFloatToInt64(-9223372036854775808.0) == std::numeric_limits<int64_t>::min());
}

}  // namespace
}  // namespace promql::parser

#include <catch2/catch.hpp>

#include <cmath>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/duration.h"
#include "base/metrics.h"
#include "base/status.h"
#include "base/time_format.h"

TEST_CASE("Status is OK by default and carries code and message otherwise", "[base]") {
  base::Status ok;
  CHECK(ok.ok());
  base::Status s = base::InvalidArgument("bad label");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == base::StatusCode::kInvalidArgument);
  CHECK(s.message() == "bad label");
  CHECK(s.WithPrefix("series 3").message() == "series 3: bad label");
  base::Result<int> r = 7;
  CHECK(*r == 7);
  base::Result<int> e = base::NotFound("x");
  CHECK_FALSE(e.has_value());
}

TEST_CASE("crc32c matches the Castagnoli check value in both implementations", "[base]") {
  CHECK(base::Crc32c("123456789") == 0xe3069283u);
  std::string long_input(1000, 'a');
  uint32_t whole = base::Crc32c(long_input);
  uint32_t parts = base::Crc32cExtend(base::Crc32cExtend(0, long_input.data(), 333),
                                      long_input.data() + 333, 667);
  CHECK(whole == parts);
}

TEST_CASE("uvarint and varint round-trip at the edges", "[base]") {
  for (uint64_t v : {0ULL, 1ULL, 127ULL, 128ULL, 300ULL, ~0ULL}) {
    std::string b;
    base::PutUvarint(&b, v);
    base::Decoder d(b);
    CHECK(d.Uvarint() == v);
    CHECK(d.ok());
    CHECK(d.empty());
  }
  for (int64_t v : std::initializer_list<int64_t>{0, -1, 1, INT64_MIN, INT64_MAX}) {
    std::string b;
    base::PutVarint(&b, v);
    base::Decoder d(b);
    CHECK(d.Varint() == v);
  }
  base::Decoder trunc(std::string_view("\x80\x80", 2));
  trunc.Uvarint();
  CHECK_FALSE(trunc.ok());
}

TEST_CASE("durations parse and print as Prometheus writes them", "[base]") {
  using std::chrono::milliseconds;
  CHECK(*base::ParseDuration("1h30m") == milliseconds(5400000));
  CHECK(*base::ParseDuration("100y") == milliseconds(100LL * 365 * 86400000));
  CHECK(*base::ParseDuration("500ms") == milliseconds(500));
  CHECK(*base::ParseDuration("0") == milliseconds(0));
  CHECK_FALSE(base::ParseDuration("1m1h").has_value());
  CHECK_FALSE(base::ParseDuration("1.5h").has_value());
  CHECK_FALSE(base::ParseDuration("").has_value());
  CHECK(base::ParseDuration("5x").error().message() == "not a valid duration string: \"5x\"");
  CHECK(base::FormatDuration(milliseconds(5400000)) == "1h30m");
  CHECK(base::FormatDuration(milliseconds(0)) == "0s");
  CHECK(base::FormatDuration(milliseconds(14LL * 86400000)) == "2w");
}

TEST_CASE("metrics registry exposes the text format", "[base][metrics]") {
  base::metrics::Registry r;
  r.GetCounter("a_total", "A counter.", {{"code", "200"}}).Inc(3);
  r.GetGauge("b", "A gauge.").Set(1.5);
  r.GetHistogram("c_seconds", "A histogram.", {0.1, 1}).Observe(0.5);
  std::string text = r.Expose();
  CHECK(text.find("# TYPE a_total counter\na_total{code=\"200\"} 3\n") != std::string::npos);
  CHECK(text.find("b 1.5\n") != std::string::npos);
  CHECK(text.find("c_seconds_bucket{le=\"0.1\"} 0\nc_seconds_bucket{le=\"1\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("c_seconds_bucket{le=\"+Inf\"} 1\n") != std::string::npos);
}

#include "base/strconv.h"

TEST_CASE("floats format as Go's strconv with shortest precision", "[base][strconv]") {
  using base::FormatFloatF;
  using base::FormatFloatG;
  CHECK(FormatFloatG(1e6) == "1e+06");
  CHECK(FormatFloatG(123456) == "123456");
  CHECK(FormatFloatG(1234567) == "1.234567e+06");
  CHECK(FormatFloatG(0.0001) == "0.0001");
  CHECK(FormatFloatG(0.00001) == "1e-05");
  CHECK(FormatFloatG(1.5) == "1.5");
  CHECK(FormatFloatG(-0.0) == "-0");
  CHECK(FormatFloatG(0) == "0");
  CHECK(FormatFloatG(5e-324) == "5e-324");
  CHECK(FormatFloatG(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(FormatFloatG(std::nan("")) == "NaN");
  CHECK(FormatFloatG(-INFINITY) == "-Inf");
  CHECK(FormatFloatF(1e21) == "1000000000000000000000");
  CHECK(FormatFloatF(1.5e-7) == "0.00000015");
  CHECK(FormatFloatF(100) == "100");
  CHECK(FormatFloatF(0.1) == "0.1");
  CHECK(FormatFloatF(-2.5) == "-2.5");
}

TEST_CASE("Go integer literals, underscores and spaces are read as Go's strconv and unicode",
          "[base][strconv]") {
  uint64_t v = 0;
  CHECK(base::ParseGoUint("0x_1F", &v));
  CHECK(v == 31);
  CHECK(base::ParseGoUint("0o17", &v));
  CHECK(v == 15);
  CHECK(base::ParseGoUint("017", &v));
  CHECK(v == 15);
  CHECK(base::ParseGoUint("0b1_01", &v));
  CHECK(v == 5);
  CHECK(base::ParseGoUint("1_000", &v));
  CHECK(v == 1000);
  CHECK(base::ParseGoUint("18446744073709551615", &v));
  CHECK(v == 18446744073709551615ULL);
  CHECK_FALSE(base::ParseGoUint("18446744073709551616", &v));  // overflow
  CHECK_FALSE(base::ParseGoUint("1__0", &v));
  CHECK_FALSE(base::ParseGoUint("_1", &v));
  CHECK_FALSE(base::ParseGoUint("08", &v));
  CHECK_FALSE(base::ParseGoUint("", &v));
  CHECK(base::GoUnderscoreOk("-1_2"));
  CHECK_FALSE(base::GoUnderscoreOk("12_"));
  CHECK(base::IsGoSpace(U'\u00a0'));
  CHECK(base::IsGoSpace(U'\u2009'));
  CHECK_FALSE(base::IsGoSpace(U'\u200b'));
  CHECK_FALSE(base::IsGoSpace(U'x'));
}

TEST_CASE("times as Go's time.Time and strfmt.DateTime write them", "[base][time]") {
  CHECK(base::FormatGoTime(0) == "0001-01-01T00:00:00Z");
  CHECK(base::FormatGoTime(1795300000000) == "2026-11-21T22:26:40Z");
  CHECK(base::FormatGoTime(1795300000120) == "2026-11-21T22:26:40.12Z");
  CHECK(base::FormatGoTime(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(base::FormatDateTimeMillis(0) == "0001-01-01T00:00:00.000Z");
  CHECK(base::FormatDateTimeMillis(1795300000120) == "2026-11-21T22:26:40.120Z");
  CHECK(base::FormatDateTimeMillis(1795300000000) == "2026-11-21T22:26:40.000Z");
}

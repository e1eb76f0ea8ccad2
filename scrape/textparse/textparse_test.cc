// The exposition parsers: valid bodies with every entry expected, invalid bodies with
// Prometheus's error messages, numbers, escapes, line numbers, created timestamps and the
// no-allocation promise. The bodies follow upstream model/textparse's tests as behaviour
// references; the expectations are written here.
#include <atomic>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "base/quote.h"
#include "base/strconv.h"
#include "scrape/textparse/number.h"
#include "scrape/textparse/openmetrics_parser.h"
#include "scrape/textparse/parser.h"
#include "scrape/textparse/prom_parser.h"

// Counts heap allocations of this test binary, for the no-allocation test. Sanitizers bring
// their own allocator, so the count is only kept without them.
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kCountingAllocations = false;
#else
constexpr bool kCountingAllocations = true;

// Out of line, so that GCC does not pair the inlined malloc/free with new/delete.
[[gnu::noinline]] void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace {

using base::GoQuote;
using scrape::textparse::Entry;
using scrape::textparse::NewParser;
using scrape::textparse::Parser;

constexpr std::string_view kText = "text/plain; version=0.0.4";
constexpr std::string_view kOM = "application/openmetrics-text; version=1.0.0";

std::string Value(double v) { return base::FormatFloatG(v); }

// One line per entry:
//   S name{l="v",...} value [@ts] [# {l="v"} value [@ts]]
//   T name type | H name help | U name unit | C comment | EOF
// or a last line "ERR line N: message".
std::vector<std::string> Dump(std::string_view body, std::string_view content_type,
                              scrape::textparse::ParserOptions opts = {}) {
  std::vector<std::string> out;
  auto p = NewParser(body, content_type, opts);
  for (int guard = 0; guard < 100000; ++guard) {
    auto e = p->Next();
    if (!e) {
      out.push_back("ERR line " + std::to_string(p->line()) + ": " + e.error().message());
      return out;
    }
    switch (*e) {
      case Entry::kSeries: {
        std::string s = "S " + std::string(p->metric_name()) + "{";
        bool first = true;
        for (const model::Label& l : p->labels()) {
          if (!first) s += ",";
          first = false;
          s += std::string(l.name) + "=" + GoQuote(l.value);
        }
        s += "} " + Value(p->value());
        if (p->timestamp()) s += " @" + std::to_string(*p->timestamp());
        if (auto ex = p->exemplar()) {
          s += " # {";
          first = true;
          for (const model::Label& l : ex->labels) {
            if (!first) s += ",";
            first = false;
            s += std::string(l.name) + "=" + GoQuote(l.value);
          }
          s += "} " + Value(ex->value);
          if (ex->timestamp) s += " @" + std::to_string(*ex->timestamp);
        }
        out.push_back(s);
        break;
      }
      case Entry::kType:
        out.push_back("T " + std::string(p->metric_name()) + " " +
                      std::string(scrape::textparse::MetricTypeString(p->type())));
        break;
      case Entry::kHelp:
        out.push_back("H " + std::string(p->metric_name()) + " " + GoQuote(p->help()));
        break;
      case Entry::kUnit:
        out.push_back("U " + std::string(p->metric_name()) + " " + std::string(p->unit()));
        break;
      case Entry::kComment:
        out.push_back("C " + GoQuote(p->comment()));
        break;
      case Entry::kEof:
        out.push_back("EOF");
        return out;
    }
  }
  FAIL("the parser did not finish");
  return out;
}

std::string Error(std::string_view body, std::string_view content_type) {
  auto d = Dump(body, content_type);
  if (d.empty() || !d.back().starts_with("ERR")) return "<no error>";
  const std::string& last = d.back();
  return last.substr(last.find(": ") + 2);
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

}  // namespace

TEST_CASE("text format: every entry of a valid body", "[scrape][textparse]") {
  static constexpr char kBody[] =
      "# HELP go_gc_duration_seconds A summary of the GC invocation durations.\n"
      "# \tTYPE go_gc_duration_seconds summary\n"
      "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n"
      "go_gc_duration_seconds{quantile=\"0.25\",} 7.424100000000001e-05\n"
      "go_gc_duration_seconds{quantile=\"0.5\",a=\"b\"} 8.3835e-05\n"
      "go_gc_duration_seconds{quantile=\"0.8\", a=\"b\"} 8.3835e-05\n"
      "go_gc_duration_seconds{ quantile=\"0.9\", a=\"b\"} 8.3835e-05\n"
      "# Hrandom comment starting with prefix of HELP\n"
      "#\n"
      "wind_speed{A=\"2\",c=\"3\"} 12345\n"
      "# comment with escaped \\n newline\n"
      "# HELP nohelp1\n"
      "# HELP nohelp2 \n"
      "go_gc_duration_seconds { quantile = \"1.0\", a = \"b\" } 8.3835e-05\n"
      "go_gc_duration_seconds { quantile = \"2.0\" a = \"b\" } 8.3835e-05\n"
      "go_gc_duration_seconds_count 99\n"
      "some:aggregate:rate5m{a_b=\"c\"}\t1\n"
      "\n"
      "# HELP go_goroutines Number of goroutines that currently exist.\n"
      "# TYPE go_goroutines gauge\n"
      "go_goroutines 33  \t123123\n"
      "_metric_starting_with_underscore 1\n"
      "testmetric{_label_starting_with_underscore=\"foo\"} 1\n"
      "testmetric{label=\"\\\"bar\\\"\"} 1\n"
      "testmetric{label=\"new\\nline\",b=\"back\\\\slash\",c=\"other\\tkept\"} 1\n"
      "# HELP escaped Help with \\\\ and \\n but \\\" kept.\n"
      "special{v=\"nan\"} NaN\n"
      "special{v=\"+inf\"} +Inf\n"
      "special{v=\"-inf\"} -Inf\n"
      "special{v=\"inf\"} inf\n"
      "special{v=\"exp\"} 1.5E+3\n"
      "special{v=\"neg\"} -0.25 -5\n"
      "multi{v=\"raw newline\nin value\"} 1\n"
      "null_byte_metric{a=\"abc\0\"} 1\n";
  const std::string body(kBody, sizeof(kBody) - 1);
  const std::vector<std::string> want = {
      R"(H go_gc_duration_seconds "A summary of the GC invocation durations.")",
      "T go_gc_duration_seconds summary",
      R"(S go_gc_duration_seconds{quantile="0"} 4.9351e-05)",
      R"(S go_gc_duration_seconds{quantile="0.25"} 7.424100000000001e-05)",
      R"(S go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05)",
      R"(S go_gc_duration_seconds{quantile="0.8",a="b"} 8.3835e-05)",
      R"(S go_gc_duration_seconds{quantile="0.9",a="b"} 8.3835e-05)",
      R"(C "# Hrandom comment starting with prefix of HELP")",
      R"(C "#")",
      R"(S wind_speed{A="2",c="3"} 12345)",
      R"(C "# comment with escaped \\n newline")",
      R"(H nohelp1 "")",
      R"(H nohelp2 "")",
      R"(S go_gc_duration_seconds{quantile="1.0",a="b"} 8.3835e-05)",
      R"(S go_gc_duration_seconds{quantile="2.0",a="b"} 8.3835e-05)",
      "S go_gc_duration_seconds_count{} 99",
      R"(S some:aggregate:rate5m{a_b="c"} 1)",
      R"(H go_goroutines "Number of goroutines that currently exist.")",
      "T go_goroutines gauge",
      "S go_goroutines{} 33 @123123",
      "S _metric_starting_with_underscore{} 1",
      R"(S testmetric{_label_starting_with_underscore="foo"} 1)",
      R"(S testmetric{label="\"bar\""} 1)",
      R"(S testmetric{label="new\nline",b="back\\slash",c="other\\tkept"} 1)",
      R"(H escaped "Help with \\ and \n but \\\" kept.")",
      R"(S special{v="nan"} NaN)",
      R"(S special{v="+inf"} +Inf)",
      R"(S special{v="-inf"} -Inf)",
      R"(S special{v="inf"} +Inf)",
      R"(S special{v="exp"} 1500)",
      R"(S special{v="neg"} -0.25)",
      R"(S multi{v="raw newline\nin value"} 1)",
      R"(S null_byte_metric{a="abc\x00"} 1)",
      "EOF",
  };
  // "special{v="neg"} -0.25 -5": a negative timestamp is not a timestamp.
  auto got = Dump(body, kText);
  REQUIRE(got.size() >= 31);
  std::vector<std::string> head(got.begin(), got.begin() + 30);
  CHECK(Join(head) == Join(std::vector<std::string>(want.begin(), want.begin() + 30)));
  CHECK(got[30] ==
        "ERR line 32: expected timestamp or new record, got \"-\" (\"INVALID\") while parsing: "
        "\"special{v=\\\"neg\\\"} -0.25 -\"");

  // The same body without that line parses to the end.
  std::string fixed = body;
  fixed.replace(fixed.find(" -0.25 -5"), 9, " -0.25");
  CHECK(Join(Dump(fixed, kText)) == Join(want));
}

TEST_CASE("text format: the series view, NaN bits and the end of the body", "[scrape][textparse]") {
  scrape::textparse::PromParser p("a{b=\"c\"} NaN 17\nd 1");  // no final newline
  auto e = p.Next();
  REQUIRE(e.has_value());
  CHECK(*e == Entry::kSeries);
  CHECK(p.series() == "a{b=\"c\"}");
  CHECK(std::bit_cast<uint64_t>(p.value()) == 0x7ff8000000000001ULL);  // value.NormalNaN
  CHECK(p.timestamp() == 17);
  REQUIRE(*p.Next() == Entry::kSeries);
  CHECK(p.metric_name() == "d");
  CHECK(p.line() == 2);
  CHECK(*p.Next() == Entry::kEof);
  CHECK(*p.Next() == Entry::kEof);

  // A NUL byte at the start of a line ends the body, as in Prometheus.
  CHECK(Join(Dump(std::string_view("a 1\n\0garbage{\n", 15), kText)) == "S a{} 1\nEOF\n");
  CHECK(Join(Dump("", kText)) == "EOF\n");
  CHECK(Join(Dump("\n\n\n", kText)) == "EOF\n");
}

TEST_CASE("text format: invalid bodies fail with Prometheus's messages", "[scrape][textparse]") {
  struct Case {
    std::string body;
    std::string err;
  };
  const std::vector<Case> cases = {
      {"a", R"(expected value after metric, got "\n" ("INVALID") while parsing: "a\n")"},
      {"a{b='c'} 1\n", R"(expected label value, got "'" ("INVALID") while parsing: "a{b='")"},
      {"a{b=\n", R"(expected label value, got "\n" ("INVALID") while parsing: "a{b=\n")"},
      {"a{\xff=\"foo\"} 1\n",
       R"(expected label name, got "\xff" ("INVALID") while parsing: "a{\xff")"},
      {"a{b=\"\xff\"} 1\n", R"(invalid UTF-8 label value: "\"\xff\"")"},
      {"a true\n", R"(strconv.ParseFloat: parsing "true": invalid syntax while parsing: "a true")"},
      {"something_weird{problem=\"",
       R"(expected label value, got "\"\n" ("INVALID") while parsing: "something_weird{problem=\"\n")"},
      {"empty_label_name{=\"\"} 0",
       R"(expected label name, got "=\"" ("EQUAL") while parsing: "empty_label_name{=\"")"},
      {"foo 1_2\n", R"(unsupported character in float while parsing: "foo 1_2")"},
      {"foo 0x1p-3\n", R"(unsupported character in float while parsing: "foo 0x1p-3")"},
      {"foo 0x1P-3\n", R"(unsupported character in float while parsing: "foo 0x1P-3")"},
      {"foo 0x10\n",
       R"(strconv.ParseFloat: parsing "0x10": invalid syntax while parsing: "foo 0x10")"},
      {"foo 0 1_2\n",
       R"(expected next entry after timestamp, got "_" ("INVALID") while parsing: "foo 0 1_")"},
      {"# TYPE #\n#EOF\n",
       R"(expected metric name after TYPE, got "#" ("INVALID") while parsing: "# TYPE #")"},
      {"# HELP #\n#EOF\n",
       R"(expected metric name after HELP, got "#" ("INVALID") while parsing: "# HELP #")"},
      {"# TYPE foo bar\n", R"(invalid metric type "bar")"},
      {"# TYPE foo gaugehistogram\n", R"(invalid metric type "gaugehistogram")"},
      {"# HELP foo \xff\n", R"(help text "\xff" is not a valid utf8 string)"},
      {"foo 1 -1\n",
       R"(expected timestamp or new record, got "-" ("INVALID") while parsing: "foo 1 -")"},
      {"foo 1 99999999999999999999\n",
       R"(strconv.ParseInt: parsing "99999999999999999999": value out of range while parsing: "foo 1 99999999999999999999")"},
      {"foo 1e400\n",
       R"(strconv.ParseFloat: parsing "1e400": value out of range while parsing: "foo 1e400")"},
      {"foo{a=\"1\"}\n",
       R"(expected value after metric, got "\n" ("INVALID") while parsing: "foo{a=\"1\"}\n")"},
      {"{a=\"b\"} 1\n", R"(expected a valid start token, got "{" ("INVALID") while parsing: "{")"},
      {"9foo 1\n", R"(expected a valid start token, got "9" ("INVALID") while parsing: "9")"},
      {"foo{a=\"1\",a=\"2\"} 1\n", R"(label name "a" is not unique: invalid sample)"},
      {"foo{__name__=\"bar\"} 1\n", R"(label name "__name__" is not unique: invalid sample)"},
      {"  foo 1\n", R"(invalid metric name or label names: {__name__="  foo"})"},
      {"foo{a=\"b\\\n\"} 1\n",
       R"(expected label value, got "\"b\\\n" ("INVALID") while parsing: "foo{a=\"b\\\n")"},
      {"foo{a.b=\"c\"} 1\n", R"(expected equal, got "." ("INVALID") while parsing: "foo{a.")"},
      // NUL bytes are allowed inside label values, nowhere else.
      {std::string("a{b=\0\"ssss\"} 1\n", 15),
       R"(expected label value, got "\x00" ("INVALID") while parsing: "a{b=\x00")"},
      {std::string("a{b=\"\0", 6),
       R"(expected label value, got "\"\x00\n" ("INVALID") while parsing: "a{b=\"\x00\n")"},
      {std::string("a{b\0=\"hiih\"}\t1", 15),
       R"(expected equal, got "\x00" ("INVALID") while parsing: "a{b\x00")"},
      {std::string("a\0{b=\"ddd\"} 1", 14),
       R"(expected value after metric, got "\x00" ("INVALID") while parsing: "a\x00")"},
      {std::string("a 0 1\0", 6),
       R"(expected next entry after timestamp, got "\x00" ("INVALID") while parsing: "a 0 1\x00")"},
  };
  for (const Case& c : cases) {
    INFO(GoQuote(c.body));
    CHECK(Error(c.body, kText) == c.err);
  }
}

TEST_CASE("text format: errors carry the line number", "[scrape][textparse]") {
  auto d = Dump("a 1\n# HELP x y\n\nb{c=\"d\"} 2\nc{\n", kText);
  CHECK(d.back() ==
        R"(ERR line 5: expected label name, got "\n" ("INVALID") while parsing: "c{\n")");
  scrape::textparse::PromParser p("a 1\nb{x=\"multi\nline\"} 2\nc 3 x\n");
  REQUIRE(*p.Next() == Entry::kSeries);
  CHECK(p.line() == 1);
  REQUIRE(*p.Next() == Entry::kSeries);
  CHECK(p.line() == 2);
  CHECK_FALSE(p.Next().has_value());
  CHECK(p.line() == 4);
  CHECK_FALSE(p.Next().has_value());  // the error sticks
}

TEST_CASE("OpenMetrics: every entry of a valid body", "[scrape][textparse]") {
  static constexpr char kBody[] =
      "# HELP go_gc_duration_seconds A summary of the GC invocation durations.\n"
      "# TYPE go_gc_duration_seconds summary\n"
      "# UNIT go_gc_duration_seconds seconds\n"
      "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n"
      "go_gc_duration_seconds{quantile=\"0.5\",a=\"b\"} 8.3835e-05\n"
      "# HELP nohelp1 \n"
      "# HELP help2 escape \\ \\n \\\\ \\\" \\x chars\n"
      "# UNIT nounit \n"
      "go_gc_duration_seconds_count 99\n"
      "some:aggregate:rate5m{a_b=\"c\"} 1\n"
      "# TYPE go_goroutines gauge\n"
      "go_goroutines 33 123.123\n"
      "# TYPE hh histogram\n"
      "hh_bucket{le=\"+Inf\"} 1\n"
      "# TYPE gh gaugehistogram\n"
      "gh_bucket{le=\"+Inf\"} 1\n"
      "# TYPE hhh histogram\n"
      "hhh_bucket{le=\"+Inf\"} 1 # {id=\"histogram-bucket-test\"} 4\n"
      "hhh_count 1 # {id=\"histogram-count-test\"} 4\n"
      "# TYPE ggh gaugehistogram\n"
      "ggh_bucket{le=\"+Inf\"} 1 # {id=\"gaugehistogram-bucket-test\",xx=\"yy\"} 4 123.123\n"
      "# TYPE smr_seconds summary\n"
      "smr_seconds_count 2.0 # {id=\"summary-count-test\"} 1 123.321\n"
      "# TYPE ii info\n"
      "ii{foo=\"bar\"} 1\n"
      "# TYPE ss stateset\n"
      "ss{ss=\"foo\"} 1\n"
      "ss{ss=\"bar\"} 0\n"
      "# TYPE un unknown\n"
      "_metric_starting_with_underscore 1\n"
      "testmetric{label=\"\\\"bar\\\"\",trailing=\"comma\",} 1\n"
      "# TYPE foo counter\n"
      "foo_total 17.0 1520879607.789 # {id=\"counter-test\"} 5\n"
      "foo_created 1520872607.123\n"
      "nansum{quantile=\"0.99\"} NaN\n"
      "neg_ts 1 -1.5\n"
      "# HELP metric foo\0bar\n"
      "null_byte_metric{a=\"abc\0\"} 1\n"
      "# EOF\n";
  const std::string body(kBody, sizeof(kBody) - 1);
  const std::vector<std::string> want = {
      R"(H go_gc_duration_seconds "A summary of the GC invocation durations.")",
      "T go_gc_duration_seconds summary",
      "U go_gc_duration_seconds seconds",
      R"(S go_gc_duration_seconds{quantile="0"} 4.9351e-05)",
      R"(S go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05)",
      R"(H nohelp1 "")",
      R"(H help2 "escape \\ \n \\ \" \\x chars")",
      "U nounit ",
      "S go_gc_duration_seconds_count{} 99",
      R"(S some:aggregate:rate5m{a_b="c"} 1)",
      "T go_goroutines gauge",
      "S go_goroutines{} 33 @123123",
      "T hh histogram",
      R"(S hh_bucket{le="+Inf"} 1)",
      "T gh gaugehistogram",
      R"(S gh_bucket{le="+Inf"} 1)",
      "T hhh histogram",
      R"(S hhh_bucket{le="+Inf"} 1 # {id="histogram-bucket-test"} 4)",
      R"(S hhh_count{} 1 # {id="histogram-count-test"} 4)",
      "T ggh gaugehistogram",
      R"(S ggh_bucket{le="+Inf"} 1 # {id="gaugehistogram-bucket-test",xx="yy"} 4 @123123)",
      "T smr_seconds summary",
      R"(S smr_seconds_count{} 2 # {id="summary-count-test"} 1 @123321)",
      "T ii info",
      R"(S ii{foo="bar"} 1)",
      "T ss stateset",
      R"(S ss{ss="foo"} 1)",
      R"(S ss{ss="bar"} 0)",
      "T un unknown",
      "S _metric_starting_with_underscore{} 1",
      R"(S testmetric{label="\"bar\"",trailing="comma"} 1)",
      "T foo counter",
      R"(S foo_total{} 17 @1520879607789 # {id="counter-test"} 5)",
      "S foo_created{} 1.520872607123e+09",
      R"(S nansum{quantile="0.99"} NaN)",
      "S neg_ts{} 1 @-1500",
      R"(H metric "foo\x00bar")",
      R"(S null_byte_metric{a="abc\x00"} 1)",
      "EOF",
  };
  CHECK(Join(Dump(body, kOM)) == Join(want));
}

TEST_CASE("OpenMetrics: _created series and created timestamps", "[scrape][textparse]") {
  const std::string body =
      "# TYPE foo counter\n"
      "foo_total 17.0 1520879607.789 # {id=\"counter-test\"} 5\n"
      "foo_created 1520872607.123\n"
      "foo_total{a=\"b\"} 17.0\n"
      "foo_created{a=\"b\"} 1520872607.5\n"
      "foo_total{a=\"c\"} 21.0\n"
      "# TYPE bar summary\n"
      "bar_count 17.0\n"
      "bar_sum 324789.3\n"
      "bar{quantile=\"0.95\"} 123.7\n"
      "bar_created 1520872608.124\n"
      "# TYPE baz histogram\n"
      "baz_bucket{le=\"0.0\"} 0\n"
      "baz_bucket{le=\"+Inf\"} 17\n"
      "baz_count 17\n"
      "baz_created 1520872609.125\n"
      "# TYPE fizz_created gauge\n"
      "fizz_created 17.0\n"
      "# EOF\n";
  SECTION("created timestamps come from the matching _created line, read ahead") {
    scrape::textparse::OpenMetricsParser p(body);
    std::vector<std::string> got;
    for (;;) {
      auto e = p.Next();
      REQUIRE(e.has_value());
      if (*e == Entry::kEof) break;
      if (*e != Entry::kSeries) continue;
      auto ct = p.CreatedTimestamp();
      std::string line = std::string(p.series()) + " ct=" + (ct ? std::to_string(*ct) : "none");
      if (auto ex = p.exemplar()) line += " ex=" + Value(ex->value);  // the read-ahead keeps it
      got.push_back(line);
    }
    CHECK(Join(got) ==
          "foo_total ct=1520872607123 ex=5\n"
          "foo_created ct=1520872607123\n"  // as Prometheus: cached by family and labels
          "foo_total{a=\"b\"} ct=1520872607500\n"
          "foo_created{a=\"b\"} ct=1520872607500\n"
          "foo_total{a=\"c\"} ct=none\n"
          "bar_count ct=1520872608124\n"
          "bar_sum ct=1520872608124\n"
          "bar{quantile=\"0.95\"} ct=1520872608124\n"
          "bar_created ct=1520872608124\n"
          "baz_bucket{le=\"0.0\"} ct=1520872609125\n"
          "baz_bucket{le=\"+Inf\"} ct=1520872609125\n"
          "baz_count ct=1520872609125\n"
          "baz_created ct=1520872609125\n"
          "fizz_created ct=none\n");
  }
  SECTION("skip_created_series leaves out _created series of counters, summaries, histograms") {
    scrape::textparse::ParserOptions opts;
    opts.skip_created_series = true;
    std::string names;
    for (const std::string& l : Dump(body, kOM, opts))
      if (l.starts_with("S ")) names += l.substr(2, l.find('{') - 2) + " ";
    CHECK(names ==
          "foo_total foo_total foo_total bar_count bar_sum bar baz_bucket baz_bucket "
          "baz_count fizz_created ");
  }
}

TEST_CASE("OpenMetrics: invalid bodies fail with Prometheus's messages", "[scrape][textparse]") {
  struct Case {
    std::string body;
    std::string err;
  };
  const std::vector<Case> cases = {
      {"", "data does not end with # EOF"},
      {"\n", R"(expected a valid start token, got "\n" ("INVALID") while parsing: "\n")"},
      {"metric", R"(expected value after metric, got "metric" ("EOF") while parsing: "metric")"},
      {"metric 1", "data does not end with # EOF"},
      {"metric 1\n", "data does not end with # EOF"},
      {"metric_total 1 # {aa=\"bb\"} 4", "data does not end with # EOF"},
      {"a\n#EOF\n", R"(expected value after metric, got "\n" ("INVALID") while parsing: "a\n")"},
      {"\n\n#EOF\n", R"(expected a valid start token, got "\n" ("INVALID") while parsing: "\n")"},
      {" a 1\n#EOF\n", R"(expected a valid start token, got " " ("INVALID") while parsing: " ")"},
      {"9\n#EOF\n", R"(expected a valid start token, got "9" ("INVALID") while parsing: "9")"},
      {"# TYPE u untyped\n#EOF\n", R"(invalid metric type "untyped")"},
      {"# TYPE c counter \n#EOF\n", R"(invalid metric type "counter ")"},
      {"#  TYPE c counter\n#EOF\n",
       R"(expected a valid start token, got "#  " ("INVALID") while parsing: "#  ")"},
      {"# TYPE \n#EOF\n",
       R"(expected metric name after TYPE, got "\n" ("INVALID") while parsing: "# TYPE \n")"},
      {"# TYPE m\n#EOF\n", "expected text in TYPE"},
      {"# UNIT metric suffix\n#EOF\n", R"(unit "suffix" not a suffix of metric "metric")"},
      {"# UNIT metricsuffix suffix\n#EOF\n",
       R"(unit "suffix" not a suffix of metric "metricsuffix")"},
      {"# UNIT m suffix\n#EOF\n", R"(unit "suffix" not a suffix of metric "m")"},
      {"# UNIT \n#EOF\n",
       R"(expected metric name after UNIT, got "\n" ("INVALID") while parsing: "# UNIT \n")"},
      {"# UNIT m\n#EOF\n", "expected text in UNIT"},
      {"# HELP \n#EOF\n",
       R"(expected metric name after HELP, got "\n" ("INVALID") while parsing: "# HELP \n")"},
      {"# HELP m\n#EOF\n", "expected text in HELP"},
      {"a\t1\n#EOF\n", R"(expected value after metric, got "\t" ("INVALID") while parsing: "a\t")"},
      {"a 1\t2\n#EOF\n",
       R"(strconv.ParseFloat: parsing "1\t2": invalid syntax while parsing: "a 1\t2")"},
      {"a 1 2 \n#EOF\n",
       R"(expected next entry after timestamp, got " \n" ("INVALID") while parsing: "a 1 2 \n")"},
      {"a 1 2 #\n#EOF\n",
       R"(expected next entry after timestamp, got " #\n" ("TIMESTAMP") while parsing: "a 1 2 #\n")"},
      {"a 1 1z\n#EOF\n",
       R"(strconv.ParseFloat: parsing "1z": invalid syntax while parsing: "a 1 1z")"},
      {" # EOF\n", R"(expected a valid start token, got " " ("INVALID") while parsing: " ")"},
      {"# EOF\na 1", "unexpected data after # EOF"},
      {"# EOF\n\n", "unexpected data after # EOF"},
      {"# EOFa 1", "unexpected data after # EOF"},
      {"#\tTYPE c counter\n",
       R"(expected a valid start token, got "#\t" ("INVALID") while parsing: "#\t")"},
      {"# TYPE c  counter\n", R"(invalid metric type " counter")"},
      {"a 1 1 1\n# EOF\n",
       R"(expected next entry after timestamp, got " 1\n" ("TIMESTAMP") while parsing: "a 1 1 1\n")"},
      {"a{b='c'} 1\n# EOF\n",
       R"(expected label value, got "'" ("INVALID") while parsing: "a{b='")"},
      {"a{,b=\"c\"} 1\n# EOF\n",
       R"(expected label name, got ",b" ("COMMA") while parsing: "a{,b")"},
      {"a{b=\"c\"d=\"e\"} 1\n# EOF\n",
       R"(expected comma or brace close, got "d=" ("LNAME") while parsing: "a{b=\"c\"d=")"},
      {"a{b=\"c\",,d=\"e\"} 1\n# EOF\n",
       R"(expected label name, got ",d" ("COMMA") while parsing: "a{b=\"c\",,d")"},
      {"a{b=\n# EOF\n", R"(expected label value, got "\n" ("INVALID") while parsing: "a{b=\n")"},
      {"a{\xff=\"foo\"} 1\n# EOF\n",
       R"(expected label name, got "\xff" ("INVALID") while parsing: "a{\xff")"},
      {"a{b=\"\xff\"} 1\n# EOF\n", R"(invalid UTF-8 label value: "\"\xff\"")"},
      {"a true\n", R"(strconv.ParseFloat: parsing "true": invalid syntax while parsing: "a true")"},
      {"something_weird{problem=\"\n# EOF\n",
       R"(expected label value, got "\"\n" ("INVALID") while parsing: "something_weird{problem=\"\n")"},
      {"empty_label_name{=\"\"} 0\n# EOF\n",
       R"(expected label name, got "=\"" ("EQUAL") while parsing: "empty_label_name{=\"")"},
      {"foo 1_2\n\n# EOF\n", R"(unsupported character in float while parsing: "foo 1_2")"},
      {"foo 0x1p-3\n\n# EOF\n", R"(unsupported character in float while parsing: "foo 0x1p-3")"},
      {"foo 0 1_2\n\n# EOF\n", R"(unsupported character in float while parsing: "foo 0 1_2")"},
      {"custom_metric_total 1 # {aa=bb}\n# EOF\n",
       R"(expected label value, got "b" ("INVALID") while parsing: "custom_metric_total 1 # {aa=b")"},
      {"custom_metric_total 1 # {aa=\"bb\"}\n# EOF\n",
       R"(expected value after exemplar labels, got "\n" ("INVALID") while parsing: "custom_metric_total 1 # {aa=\"bb\"}\n")"},
      {"custom_metric_total 1 # {aa=\"bb\"}",
       R"(expected value after exemplar labels, got "}" ("EOF") while parsing: "custom_metric_total 1 # {aa=\"bb\"}")"},
      {"custom_metric_total 1 # {bb}",
       R"(expected equal, got "}" ("BCLOSE") while parsing: "custom_metric_total 1 # {bb}")"},
      {"custom_metric_total 1 # {bb, a=\"dd\"}",
       R"(expected equal, got ", " ("COMMA") while parsing: "custom_metric_total 1 # {bb, ")"},
      {"custom_metric_total 1 # {aa=\"bb\",,cc=\"dd\"} 1",
       R"(expected label name, got ",c" ("COMMA") while parsing: "custom_metric_total 1 # {aa=\"bb\",,c")"},
      {"custom_metric_total 1 # {aa=\"bb\"} 1_2",
       R"(unsupported character in float while parsing: "custom_metric_total 1 # {aa=\"bb\"} 1_2")"},
      {"custom_metric_total 1 # {aa=\"bb\"} true",
       R"(strconv.ParseFloat: parsing "true": invalid syntax while parsing: "custom_metric_total 1 # {aa=\"bb\"} true")"},
      {"custom_metric_total 1 # {aa=\"bb\",cc=}",
       R"(expected label value, got "}" ("INVALID") while parsing: "custom_metric_total 1 # {aa=\"bb\",cc=}")"},
      {"custom_metric_total 1 # {aa=\\\"\xff\"} 9.0",
       R"(expected label value, got "\\" ("INVALID") while parsing: "custom_metric_total 1 # {aa=\\")"},
      {"a 1 NaN", "invalid timestamp NaN"},
      {"a 1 -Inf", "invalid timestamp -Inf"},
      {"a 1 Inf", "invalid timestamp +Inf"},
      {"# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 NaN",
       "invalid exemplar timestamp NaN"},
      {"# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 -Inf",
       "invalid exemplar timestamp -Inf"},
      {"a 1  2\n# EOF\n",
       R"(expected timestamp or # symbol, got "  " ("INVALID") while parsing: "a 1  ")"},
      {"# HELP x a comment\n# just a comment\n# EOF\n",
       R"(expected a valid start token, got "# j" ("INVALID") while parsing: "# j")"},
      {"foo{a=\"1\",a=\"2\"} 1\n# EOF\n", R"(label name "a" is not unique: invalid sample)"},
      {std::string("a{b=\0\"ssss\"} 1\n# EOF\n", 21),
       R"(expected label value, got "\x00" ("INVALID") while parsing: "a{b=\x00")"},
      {std::string("a{b=\"\0", 6),
       R"(expected label value, got "\"\x00" ("INVALID") while parsing: "a{b=\"\x00")"},
      {std::string("a{b\0=\"hiih\"}\t1", 15),
       R"(expected equal, got "\x00" ("INVALID") while parsing: "a{b\x00")"},
      {std::string("a\0{b=\"ddd\"} 1", 14),
       R"(expected value after metric, got "\x00" ("INVALID") while parsing: "a\x00")"},
      {"#", R"(expected a valid start token, got "#" ("INVALID") while parsing: "#")"},
      {"# H", R"(expected a valid start token, got "# H" ("INVALID") while parsing: "# H")"},
      {std::string("custom_metric_total 1 # {b=\0\"ssss\"} 1\n", 39),
       R"(expected label value, got "\x00" ("INVALID") while parsing: "custom_metric_total 1 # {b=\x00")"},
      {std::string("custom_metric_total 1 # {b=\"\0ss\"} 1\n", 37),
       R"(expected label value, got "\"\x00" ("INVALID") while parsing: "custom_metric_total 1 # {b=\"\x00")"},
  };
  for (const Case& c : cases) {
    INFO(GoQuote(c.body));
    CHECK(Error(c.body, kOM) == c.err);
  }
  // The happy ends.
  CHECK(Join(Dump("# EOF", kOM)) == "EOF\n");
  CHECK(Join(Dump("# EOF\n", kOM)) == "EOF\n");
  CHECK(Join(Dump(std::string("a{b=\"\0\"} 1\n# EOF", 17), kOM)) == "S a{b=\"\\x00\"} 1\nEOF\n");
  CHECK(Dump("a 1\nb 2\n# TYPE x nope\n# EOF\n", kOM).back() ==
        "ERR line 3: invalid metric type \"nope\"");
}

TEST_CASE("ParseFloat follows Go's strconv.ParseFloat as Prometheus restricts it",
          "[scrape][textparse]") {
  using scrape::textparse::ParseFloat;
  auto ok = [](std::string_view s) {
    auto r = ParseFloat(s);
    INFO(s << ": " << (r ? "" : r.error().message()));
    REQUIRE(r.has_value());
    return *r;
  };
  auto err = [](std::string_view s) {
    auto r = ParseFloat(s);
    return r ? std::string("<ok>") : r.error().message();
  };
  CHECK(ok("1") == 1);
  CHECK(ok("-0.25") == -0.25);
  CHECK(ok("+.5e+3") == 500);
  CHECK(ok(".5") == 0.5);
  CHECK(ok("5.") == 5);
  CHECK(ok("1E-2") == 0.01);
  CHECK(ok("7.424100000000001e-05") == 7.424100000000001e-05);
  CHECK(ok("0.1") == 0.1);
  CHECK(ok("1e-400") == 0);
  CHECK(ok("1e-310") == 1e-310);  // a denormal, no error
  CHECK(ok("17976931348623157" + std::string(292, '0')) == 1.7976931348623157e308);
  CHECK(ok("0." + std::string(400, '0') + "1") == 0);
  CHECK(std::isinf(ok("+Inf")));
  CHECK(std::isinf(ok("-inf")));
  CHECK(std::isinf(ok("Infinity")));
  CHECK(std::isinf(ok("-INFINITY")));
  CHECK(std::isnan(ok("NaN")));
  CHECK(std::isnan(ok("nan")));
  CHECK(err(".") == R"(strconv.ParseFloat: parsing ".": invalid syntax)");
  CHECK(err("+nan") == R"(strconv.ParseFloat: parsing "+nan": invalid syntax)");
  CHECK(err("infin") == R"(strconv.ParseFloat: parsing "infin": invalid syntax)");
  CHECK(err("1e") == R"(strconv.ParseFloat: parsing "1e": invalid syntax)");
  CHECK(err("1e+") == R"(strconv.ParseFloat: parsing "1e+": invalid syntax)");
  CHECK(err("") == R"(strconv.ParseFloat: parsing "": invalid syntax)");
  CHECK(err("1.2.3") == R"(strconv.ParseFloat: parsing "1.2.3": invalid syntax)");
  CHECK(err(" 1") == R"(strconv.ParseFloat: parsing " 1": invalid syntax)");
  CHECK(err("0x10") == R"(strconv.ParseFloat: parsing "0x10": invalid syntax)");
  CHECK(err("1e400") == R"(strconv.ParseFloat: parsing "1e400": value out of range)");
  CHECK(err("-1e400") == R"(strconv.ParseFloat: parsing "-1e400": value out of range)");
  CHECK(err("1_0") == "unsupported character in float");
  CHECK(err("0x1p3") == "unsupported character in float");

  using scrape::textparse::ParseInt;
  CHECK(*ParseInt("9223372036854775807") == INT64_MAX);
  CHECK(*ParseInt("-9223372036854775808") == INT64_MIN);
  CHECK(ParseInt("9223372036854775808").error().message() ==
        R"(strconv.ParseInt: parsing "9223372036854775808": value out of range)");
  CHECK(ParseInt("1a").error().message() == R"(strconv.ParseInt: parsing "1a": invalid syntax)");
}

TEST_CASE("NewParser picks the format by content type", "[scrape][textparse]") {
  using scrape::textparse::IsOpenMetrics;
  CHECK(IsOpenMetrics("application/openmetrics-text; version=1.0.0; charset=utf-8"));
  CHECK(IsOpenMetrics("Application/OpenMetrics-Text"));
  CHECK(IsOpenMetrics(" application/openmetrics-text ;version=0.0.1"));
  CHECK_FALSE(IsOpenMetrics("text/plain; version=0.0.4"));
  CHECK_FALSE(IsOpenMetrics(""));
  CHECK_FALSE(IsOpenMetrics("application/openmetrics-textx"));
  // The same body: fine as text, missing # EOF as OpenMetrics.
  CHECK(Error("a 1\n", kText) == "<no error>");
  CHECK(Error("a 1\n", kOM) == "data does not end with # EOF");
  CHECK(Error("a 1\n", "garbage") == "<no error>");
}

TEST_CASE("parsing allocates nothing per sample once warm", "[scrape][textparse]") {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "http_requests_total{method=\"GET\",code=\"200\",path=\"/api/v1/q\\\"" +
            std::to_string(i % 7) + "\\\\\"} " + std::to_string(i) + ".5 1700000000000\n";
  }
  std::string om;
  for (int i = 0; i < 2000; ++i) {
    om += "http_requests_total{method=\"GET\",code=\"200\",path=\"/x\\n" + std::to_string(i % 7) +
          "\"} " + std::to_string(i) + " 1700000000.5 # {trace_id=\"abc\"} 1 1700000000.1\n";
  }
  om += "# EOF\n";
  for (const auto& [body, ct] : {std::pair{&text, kText}, std::pair{&om, kOM}}) {
    auto p = NewParser(*body, ct);
    for (int i = 0; i < 10; ++i) REQUIRE(*p->Next() == Entry::kSeries);  // buffers grow here
    const long before = g_allocations.load();
    size_t n = 0;
    double sum = 0;
    for (;;) {
      auto e = p->Next();
      REQUIRE(e.has_value());
      if (*e == Entry::kEof) break;
      ++n;
      sum += p->value() + static_cast<double>(p->labels().size());
    }
    if (kCountingAllocations) CHECK(g_allocations.load() - before == 0);
    CHECK(n == 1990);
    CHECK(sum > 0);
  }
}

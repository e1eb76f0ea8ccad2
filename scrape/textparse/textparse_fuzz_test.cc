// The parsers never crash, hang or read out of bounds on any input (random bytes, mutated valid
// bodies), and return exactly what a random well-formed body holds. Deterministic seeds; run
// once under ENABLE_ASAN=ON to check the memory accesses.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "base/strconv.h"
#include "scrape/textparse/openmetrics_parser.h"
#include "scrape/textparse/parser.h"
#include "scrape/textparse/prom_parser.h"

namespace {

using scrape::textparse::Entry;

constexpr std::string_view kText = "text/plain; version=0.0.4";
constexpr std::string_view kOM = "application/openmetrics-text; version=1.0.0";

// Touches every byte of every view the parser hands out (ASan checks each read), and checks
// the contracts: entries are bounded by the body size, errors and the end stick.
uint64_t Exercise(std::string_view body, std::string_view content_type, bool created) {
  auto p = scrape::textparse::NewParser(body, content_type);
  uint64_t sum = 0;
  auto touch = [&sum](std::string_view s) {
    for (char c : s) sum = sum * 31 + static_cast<uint8_t>(c);
  };
  for (size_t entries = 0;; ++entries) {
    REQUIRE(entries <= body.size() + 1);  // every entry consumes input: no endless loop
    auto e = p->Next();
    sum += static_cast<uint64_t>(p->line());
    if (!e) {
      touch(e.error().message());
      auto again = p->Next();
      REQUIRE_FALSE(again.has_value());
      REQUIRE(again.error().message() == e.error().message());
      return sum;
    }
    switch (*e) {
      case Entry::kSeries:
        touch(p->metric_name());
        touch(p->series());
        for (const model::Label& l : p->labels()) {
          touch(l.name);
          touch(l.value);
        }
        sum += std::isnan(p->value()) ? 1 : 0;
        sum += static_cast<uint64_t>(p->timestamp().value_or(0));
        if (auto ex = p->exemplar()) {
          for (const model::Label& l : ex->labels) {
            touch(l.name);
            touch(l.value);
          }
        }
        if (created) sum += static_cast<uint64_t>(p->CreatedTimestamp().value_or(0));
        break;
      case Entry::kType:
      case Entry::kHelp:
      case Entry::kUnit:
      case Entry::kComment:
        touch(p->metric_name());
        touch(p->help());
        break;
      case Entry::kEof:
        REQUIRE(*p->Next() == Entry::kEof);
        return sum;
    }
  }
}

// Iterations per fuzz test: HESTIA_FUZZ_ITERATIONS, or 30000 (about a second).
int Iterations() {
  const char* env = std::getenv("HESTIA_FUZZ_ITERATIONS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 30000;
}

// Whether the body parses to the end without error.
bool Complete(std::string_view body, std::string_view content_type) {
  auto p = scrape::textparse::NewParser(body, content_type);
  for (;;) {
    auto e = p->Next();
    if (!e) return false;
    if (*e == Entry::kEof) return true;
  }
}

// Bytes the grammars care about, and some they don't.
constexpr char kAlphabet[] = "{}=\",\\ \n\t#_:aZz09.+-eEINnfT HELPTYPEUNITOF\0\xff\xc3\xa9";

std::string RandomBody(std::mt19937_64& rng) {
  std::string s;
  const size_t n = rng() % 120;
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 8 == 0) {
      s.push_back(static_cast<char>(rng() % 256));
    } else {
      s.push_back(kAlphabet[rng() % (sizeof(kAlphabet) - 1)]);
    }
  }
  if (rng() % 2 == 0) s += rng() % 2 ? "\n# EOF\n" : "# EOF";
  return s;
}

const std::vector<std::string>& Seeds() {
  static const std::vector<std::string> seeds = {
      "# HELP go_gc_duration_seconds A summary of the GC invocation durations.\n"
      "# TYPE go_gc_duration_seconds summary\n"
      "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n"
      "go_gc_duration_seconds{quantile=\"0.25\",} 7.424100000000001e-05 1234\n"
      "go_gc_duration_seconds_sum 1.5\ngo_gc_duration_seconds_count 99\n"
      "# comment\nx{a=\"\\\"q\\\\\\n\"} NaN\n",
      "# HELP foo Counter\n# TYPE foo counter\n# UNIT foo_seconds seconds\n"
      "foo_total{a=\"b\"} 17.0 1520879607.789 # {id=\"counter-test\"} 5 1.5\n"
      "foo_created{a=\"b\"} 1520872607.123\n"
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 2\nh_sum 3\n"
      "h_created 1\n# TYPE s stateset\ns{s=\"a\"} 1\n# EOF\n",
  };
  return seeds;
}

std::string Mutate(std::string s, std::mt19937_64& rng) {
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int k = 0; k < edits; ++k) {
    const size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 6) {
      case 0:  // flip a byte
        if (at < s.size()) s[at] = static_cast<char>(rng() % 256);
        break;
      case 1:  // insert a meaningful byte
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(at),
                 kAlphabet[rng() % (sizeof(kAlphabet) - 1)]);
        break;
      case 2:  // delete a run
        if (at < s.size()) s.erase(at, 1 + rng() % 8);
        break;
      case 3:  // truncate
        s.resize(at);
        break;
      case 4:  // duplicate a run
        if (at < s.size()) s.insert(at, s.substr(at, 1 + rng() % 16));
        break;
      default:  // swap two bytes
        if (!s.empty()) std::swap(s[at % s.size()], s[rng() % s.size()]);
        break;
    }
  }
  return s;
}

}  // namespace

TEST_CASE("fuzz: random bytes never crash or hang either parser", "[scrape][textparse][fuzz]") {
  std::mt19937_64 rng(20240601);
  uint64_t sum = 0;
  for (int i = 0, n = Iterations(); i < n; ++i) {
    const std::string body = RandomBody(rng);
    sum += Exercise(body, kText, false);
    sum += Exercise(body, kOM, i % 4 == 0);
  }
  CHECK(sum != 0);
}

TEST_CASE("fuzz: mutated valid bodies never crash or hang either parser",
          "[scrape][textparse][fuzz]") {
  std::mt19937_64 rng(77);
  uint64_t sum = 0;
  size_t complete = 0;
  for (int i = 0, n = Iterations(); i < n; ++i) {
    const std::string& seed = Seeds()[static_cast<size_t>(i) % Seeds().size()];
    const std::string body = Mutate(seed, rng);
    sum += Exercise(body, kText, false);
    sum += Exercise(body, kOM, true);
    complete += Complete(body, i % 2 ? kOM : kText);
  }
  CHECK(sum != 0);
  // The mutations reach deep: a good share of the bodies still parse to the end.
  CHECK(complete * 20 > static_cast<size_t>(Iterations()));
  // The seeds themselves are valid.
  CHECK(Exercise(Seeds()[0], kText, false) != 0);
}

TEST_CASE("fuzz: random well-formed bodies parse back to what was written",
          "[scrape][textparse][fuzz]") {
  std::mt19937_64 rng(4242);
  const std::vector<std::string> value_chars = {"a", "b", " ", "\"", "\\", "\n", "{",
                                                "}", "=", ",", "#",  "é",  "\t"};
  for (int round = 0; round < 300; ++round) {
    const bool om = round % 2 == 1;
    struct Sample {
      std::string name;
      std::vector<std::pair<std::string, std::string>> labels;
      double value;
      std::optional<int64_t> ts;
    };
    std::vector<Sample> want;
    std::string body;
    const int n = 1 + static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      Sample s;
      s.name = std::string("m").append(std::to_string(rng() % 5)).append(rng() % 2 ? ":x_y" : "");
      const int nl = static_cast<int>(rng() % 4);
      for (int l = 0; l < nl; ++l) {
        std::string v;
        const int len = static_cast<int>(rng() % 6);
        for (int k = 0; k < len; ++k) v += value_chars[rng() % value_chars.size()];
        s.labels.emplace_back(std::string("l").append(std::to_string(l)), v);
      }
      const double values[] = {0, 1, -2.5, 1e-300, 123456789.125, INFINITY, -INFINITY};
      s.value = values[rng() % 7];
      if (rng() % 2) s.ts = static_cast<int64_t>(rng() % 2000000000000ULL);
      body += s.name;
      if (!s.labels.empty()) {
        body += "{";
        for (size_t l = 0; l < s.labels.size(); ++l) {
          if (l) body += ",";
          body += s.labels[l].first + "=\"";
          for (char c : s.labels[l].second) {
            if (c == '"')
              body += "\\\"";
            else if (c == '\\')
              body += "\\\\";
            else if (c == '\n')
              body += "\\n";
            else
              body += c;
          }
          body += "\"";
        }
        body += "}";
      }
      body.push_back(' ');
      body += base::FormatFloatG(s.value);
      if (s.ts) {
        if (om) {
          // Whole milliseconds written as seconds with three decimals.
          body.push_back(' ');
          body += std::to_string(*s.ts / 1000);
          body.push_back('.');
          body += std::to_string(1000 + *s.ts % 1000).substr(1);
        } else {
          body.push_back(' ');
          body += std::to_string(*s.ts);
        }
      }
      body += "\n";
      if (rng() % 4 == 0 && !om) body += "# a comment\n\n";
      want.push_back(std::move(s));
    }
    if (om) body += "# EOF\n";

    auto p = scrape::textparse::NewParser(body, om ? kOM : kText);
    size_t i = 0;
    for (;;) {
      auto e = p->Next();
      INFO(body);
      REQUIRE(e.has_value());
      if (*e == Entry::kEof) break;
      if (*e != Entry::kSeries) continue;
      REQUIRE(i < want.size());
      const Sample& s = want[i++];
      CHECK(p->metric_name() == s.name);
      REQUIRE(p->labels().size() == s.labels.size());
      for (size_t l = 0; l < s.labels.size(); ++l) {
        CHECK(p->labels()[l].name == s.labels[l].first);
        CHECK(p->labels()[l].value == s.labels[l].second);
      }
      CHECK(p->value() == s.value);
      if (s.ts && om) {
        // float seconds * 1000 may land one below the written millisecond
        REQUIRE(p->timestamp().has_value());
        CHECK(std::abs(*p->timestamp() - *s.ts) <= 1);
      } else {
        CHECK(p->timestamp() == s.ts);
      }
    }
    CHECK(i == want.size());
  }
}

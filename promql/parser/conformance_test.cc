// Every query of Prometheus's PromQL conformance files (promql/promqltest/testdata, kept
// unmodified outside the repository in ../shared/conformance/promql) parses, with every
// experimental feature enabled as promqltest does. Queries the files expect to fail
// ("eval_fail", "expect fail") fail at evaluation in Prometheus, not while parsing, unless
// their expected message is a parse error.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "promql/parser/parse.h"
#include "promql/printer.h"

namespace promql::parser {
namespace {

// Relative to the repository root, where ctest runs the tests.
constexpr const char* kConformanceDir = "../shared/conformance/promql";

struct EvalQuery {
  int line;
  std::string query;
  bool expect_fail;
  std::string fail_message;  // from "expect fail msg:", if any
};

std::string Trim(const std::string& s) {
  const char* ws = " \t\r";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// The eval commands of a promqltest script, read as promqltest does (getLines, patEvalInstant,
// patEvalRange, patExpect).
std::vector<EvalQuery> ReadEvals(const std::filesystem::path& file) {
  static const std::regex kInstant(
      R"(^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$)");
  static const std::regex kRange(
      R"(^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$)");
  static const std::regex kExpectFail(R"(^expect\s+fail(?:\s+(regex|msg):(.+))?$)");
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) {
    l = Trim(l);
    if (!l.empty() && l[0] == '#') l.clear();
    lines.push_back(l);
  }
  std::vector<EvalQuery> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    EvalQuery q{static_cast<int>(i + 1), "", false, ""};
    if (std::regex_match(lines[i], m, kInstant)) {
      q.query = m[3];
      q.expect_fail = m[1] == "fail";
    } else if (std::regex_match(lines[i], m, kRange)) {
      q.query = m[5];
      q.expect_fail = m[1] == "fail";
    } else {
      continue;
    }
    for (size_t j = i + 1; j < lines.size() && !lines[j].empty(); ++j) {
      std::smatch e;
      if (std::regex_match(lines[j], e, kExpectFail)) {
        q.expect_fail = true;
        if (e[1] == "msg") q.fail_message = Trim(e[2]);
      }
    }
    out.push_back(std::move(q));
  }
  return out;
}

TEST_CASE("Every query of the Prometheus conformance files parses",
          "[promql][parser][conformance]") {
  const std::filesystem::path dir(kConformanceDir);
  INFO("conformance files expected in " << std::filesystem::absolute(dir)
                                        << " (run from the repository root, as ctest does)");
  REQUIRE(std::filesystem::is_directory(dir));
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());

  int queries = 0;
  int expected_failures = 0;
  for (const auto& file : files) {
    for (const EvalQuery& q : ReadEvals(file)) {
      INFO(file.filename().string() << ":" << q.line << ": " << q.query);
      ++queries;
      auto parsed = Parse(q.query, ParseOptions::AllEnabled());
      if (q.expect_fail && q.fail_message.find("parse error") != std::string::npos) {
        CHECK_FALSE(parsed.ok());
        if (!parsed) CHECK_THAT(parsed.error().message(), Catch::Contains(q.fail_message));
        continue;
      }
      if (q.expect_fail) ++expected_failures;
      if (!parsed) {
        FAIL_CHECK(parsed.error().message());
        continue;
      }
      // The printed form parses back to the same text.
      auto again = Parse(Print(**parsed), ParseOptions::AllEnabled());
      CHECK(again.ok());
      if (again) CHECK(Print(**again) == Print(**parsed));
    }
  }
  WARN(queries << " queries parsed, " << expected_failures
               << " of them expected to fail at evaluation");
}

}  // namespace
}  // namespace promql::parser

#include "rules/check_rules.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/testutil/temp_dir.h"

namespace rules {
namespace {

struct Run {
  int code;
  std::string out, err;
};

Run Check(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = CheckRules(args, out, err);
  return {code, out.str(), err.str()};
}

TEST_CASE("check rules prints and exits as promtool check rules", "[rules][check]") {
  testutil::TempDir dir;
  std::string good = dir.Sub("good.yml"), bad = dir.Sub("bad.yml"), dup = dir.Sub("dup.yml");
  std::ofstream(good) << "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n"
                         "  - record: r\n    expr: sum(up)\n";
  std::ofstream(bad) << "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up{\n"
                        "    annotations:\n      d: '{{ nofunc }}'\n";
  std::ofstream(dup) << "groups:\n- name: g\n  rules:\n  - record: x\n    expr: up\n"
                        "  - record: x\n    expr: up\n";

  Run r = Check({good});
  CHECK(r.code == 0);
  CHECK(r.out == "Checking " + good + "\n  SUCCESS: 2 rules found\n\n");
  CHECK(r.err.empty());

  r = Check({good, bad});
  CHECK(r.code == 1);
  CHECK(r.out == "Checking " + good + "\n  SUCCESS: 2 rules found\n\nChecking " + bad + "\n\n");
  CHECK(r.err == "  FAILED:\n" + bad +
                     ": 5:11: group \"g\", rule 1, \"A\": could not parse expression: 1:4: "
                     "parse error: unexpected end of input inside braces\n" +
                     bad + ": group \"g\", rule 1, \"A\": annotation \"d\": template: "
                           "__alert_A:1: function \"nofunc\" not defined\n");

  // Duplicates are a lint finding: reported, exit 0 unless --lint-fatal.
  r = Check({dup});
  CHECK(r.code == 0);
  CHECK(r.err == "  FAILED:\nlint error 1 duplicate rule(s) found.\nMetric: x\nLabel(s):\n"
                 "Might cause inconsistency while recording expressions\n");
  CHECK(Check({"--lint-fatal", dup}).code == 3);
  r = Check({"--lint=none", dup});
  CHECK(r.code == 0);
  CHECK(r.out == "Checking " + dup + "\n  SUCCESS: 2 rules found\n\n");

  CHECK(Check({}).code == 2);
  r = Check({dir.Sub("missing.yml")});
  CHECK(r.code == 1);
  CHECK(r.err.find("no such file or directory") != std::string::npos);
}

}  // namespace
}  // namespace rules

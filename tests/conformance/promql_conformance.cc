// promql_conformance: runs Prometheus's PromQL test files against Hestia and prints, per file
// and in total, how many evaluations passed, failed and were skipped (native histograms and
// experimental features); the last line is `N passed, M failed`.
//
//   promql_conformance [--baseline FILE] [--write-baseline FILE] [--verbose] DIR|FILE...
//
// Exits 1 when an evaluation fails, or (with --baseline) when one listed there (file:line, one
// per line) no longer passes, skipped ones included: the guard ctest runs. --write-baseline
// writes the evaluations that pass now.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "tests/conformance/promql_runner.h"

int main(int argc, char** argv) {
  std::string baseline, write_baseline;
  bool verbose = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--baseline" && i + 1 < argc) baseline = argv[++i];
    else if (a == "--write-baseline" && i + 1 < argc) write_baseline = argv[++i];
    else if (a == "--verbose") verbose = true;
    else if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::directory_iterator(a))
        if (e.path().extension() == ".test") files.push_back(e.path().string());
    } else if (std::filesystem::exists(a)) {
      files.push_back(a);
    } else {
      std::cerr << "promql_conformance: no such file or directory: " << a << "\n";
      return 2;
    }
  }
  if (files.empty()) {
    std::cerr << "promql_conformance: no .test files given\n";
    return 2;
  }
  std::sort(files.begin(), files.end());
  std::set<std::string> must_pass;
  if (!baseline.empty()) {
    std::ifstream in(baseline);
    if (!in) {
      std::cerr << "promql_conformance: cannot read " << baseline << "\n";
      return 2;
    }
    for (std::string l; std::getline(in, l);)
      if (!l.empty() && l[0] != '#') must_pass.insert(l);
  }
  int passed = 0, failed = 0, skipped = 0, regressions = 0;
  std::vector<std::string> passing;
  for (const std::string& f : files) {
    conformance::FileResult r = conformance::RunFile(f);
    std::string name = std::filesystem::path(f).filename().string();
    std::cout << name << ": " << r.passed() << " passed, " << r.failed() << " failed, "
              << r.skipped() << " skipped\n";
    for (const auto& e : r.evals) {
      std::string key = name + ":" + std::to_string(e.line);
      if (e.outcome == conformance::EvalResult::Outcome::kPassed) passing.push_back(key);
      if (e.outcome != conformance::EvalResult::Outcome::kPassed && must_pass.contains(key)) {
        ++regressions;
        std::cout << "  REGRESSION " << key << ": " << e.detail << "\n";
      } else if (verbose && e.outcome != conformance::EvalResult::Outcome::kPassed) {
        std::cout << "  " << key << ": " << e.detail << "\n";
      }
    }
    passed += r.passed();
    failed += r.failed();
    skipped += r.skipped();
  }
  if (!write_baseline.empty()) {
    std::ofstream out(write_baseline);
    out << "# Evaluations of ../shared/conformance/promql that pass; promql_conformance --baseline\n"
           "# fails when one of them stops passing. Regenerate with --write-baseline.\n";
    for (const std::string& k : passing) out << k << "\n";
  }
  if (!baseline.empty())
    std::cout << "baseline: " << must_pass.size() << " evaluations, " << regressions << " regressed\n";
  std::cout << "skipped: " << skipped << " (native histograms or experimental features; --verbose says which)\n";
  std::cout << passed << " passed, " << failed << " failed\n";
  return regressions > 0 || failed > 0 ? 1 : 0;
}

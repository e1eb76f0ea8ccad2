// An interpreter of Prometheus's PromQL test-file language (promql/promqltest): load, clear,
// eval instant / eval range, eval_fail / eval_ordered, expect lines, series notation
// (0+10x5, _, stale), run against Hestia's tsdb and PromQL engine.
#pragma once

#include <string>
#include <vector>

namespace conformance {

struct EvalResult {
  int line = 0;
  enum class Outcome { kPassed, kFailed, kSkipped } outcome = Outcome::kPassed;
  std::string detail;  // why it failed or was skipped
};

struct FileResult {
  std::string file;
  std::vector<EvalResult> evals;
  int passed() const;
  int failed() const;
  int skipped() const;
};

// Runs one test file. Evaluations that need native histograms are skipped: those whose
// expectations contain {{...}} histograms, and failing ones whose selectors match a series
// loaded with {{...}} values (Hestia stores floats only); warn/info annotation expectations are not checked (Hestia does not
// produce annotations yet) and say so in `detail` when nothing else failed.
FileResult RunFile(const std::string& path);

}  // namespace conformance

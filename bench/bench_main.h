// What every side-by-side benchmark's main() does around its runs: stop signals, the work
// directory, and the exit code. Shared by ingest_bench, query_bench, scrape_bench, storage_bench.
#pragma once

#include <csignal>
#include <string>
#include <string_view>

#include "base/status.h"

namespace bench {

// Set once SIGINT, SIGTERM or SIGHUP arrived (after HandleStopSignals); the loaders, waits and
// run loops poll it and stop early.
extern volatile std::sig_atomic_t g_interrupted;

// Routes SIGINT, SIGTERM and SIGHUP to g_interrupted and ignores SIGPIPE (a server that dies
// mid-request must not kill the benchmark).
void HandleStopSignals();

struct WorkDir {
  std::string path;
  bool owned = false;  // created here: removed by FinishRun unless kept
};

// `given` when not empty, else a new directory <tmp>/<name>.XXXXXX.
base::Result<WorkDir> MakeWorkDir(const std::string& given, std::string_view name);

// Removes an owned work directory when nothing failed and it is not to be kept (else says
// where it is); returns main's exit code: 130 when interrupted, 1 after failures, else 0.
int FinishRun(const WorkDir& dir, bool keep, int failures);

}  // namespace bench

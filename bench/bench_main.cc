#include "bench/bench_main.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace bench {

volatile std::sig_atomic_t g_interrupted = 0;

namespace {
void OnSignal(int) { g_interrupted = 1; }
}  // namespace

void HandleStopSignals() {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGHUP, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
}

base::Result<WorkDir> MakeWorkDir(const std::string& given, std::string_view name) {
  WorkDir w{given, false};
  if (w.path.empty()) {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / (std::string(name) + ".XXXXXX")).string();
    if (mkdtemp(tmpl.data()) == nullptr)
      return base::IOError("mkdtemp " + tmpl + ": " + std::strerror(errno));
    w = {tmpl, true};
  }
  return w;
}

int FinishRun(const WorkDir& dir, bool keep, int failures) {
  if (dir.owned && !keep && failures == 0) {
    std::error_code ec;
    std::filesystem::remove_all(dir.path, ec);
  } else {
    std::printf("work dir kept: %s\n", dir.path.c_str());
  }
  if (g_interrupted) return 130;
  return failures > 0 ? 1 : 0;
}

}  // namespace bench

#include "bench/query_bench_server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "bench/proc_stats.h"

namespace bench {

std::string ExeDir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

base::Result<double> AwaitIdle(tools::ChildProcess& server, double limit_s,
                               const volatile std::sig_atomic_t* interrupted) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto since = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  ASSIGN_OR_RETURN(double cpu, ProcessCpuSeconds(server.pid()));
  for (;;) {
    if (!tools::InterruptibleSleep(std::chrono::seconds(1), interrupted)) return tools::Interrupted();
    if (server.Exited()) return tools::Died(server, "server", "while settling");
    ASSIGN_OR_RETURN(double now, ProcessCpuSeconds(server.pid()));
    if (now - cpu < 0.02 || since() >= limit_s) return since();
    cpu = now;
  }
}


void PrintTable(const std::vector<std::vector<std::string>>& rows, size_t left, bool markdown,
                std::optional<size_t> code_column) {
  if (rows.empty()) return;
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], r[c].size());
    }
  }
  std::printf("\n");
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) {
      std::printf(c < left ? "%-*s  " : "%*s  ", static_cast<int>(width[c]), r[c].c_str());
    }
    std::printf("\n");
  }
  if (!markdown) return;
  std::printf("\n");
  for (size_t i = 0; i < rows.size(); ++i) {
    std::printf("|");
    for (size_t c = 0; c < rows[i].size(); ++c) {
      const bool code = i > 0 && code_column == c;
      std::printf(code ? " `%s` |" : " %s |", rows[i][c].c_str());
    }
    std::printf("\n");
    if (i == 0) {
      std::printf("|");
      for (size_t c = 0; c < rows[i].size(); ++c) std::printf(c < left ? " --- |" : " ---: |");
      std::printf("\n");
    }
  }
}

}  // namespace bench

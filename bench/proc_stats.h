// Resource figures of another process read from /proc, and directory sizes, for benchmarks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/status.h"

namespace bench {

// CPU time (user + system, all threads) the process has used so far, in seconds, from fields
// utime and stime of /proc/<pid>/stat divided by sysconf(_SC_CLK_TCK).
// Returns kNotFound if the process is gone, kCorruption if the file does not parse.
base::Result<double> ProcessCpuSeconds(pid_t pid);

struct ProcessMemory {
  uint64_t rss_bytes = 0;       // VmRSS
  uint64_t peak_rss_bytes = 0;  // VmHWM
};
// From /proc/<pid>/status. Errors as ProcessCpuSeconds.
base::Result<ProcessMemory> ReadProcessMemory(pid_t pid);

// Sum of the sizes (st_size) of the regular files under `path`, recursively; 0 if it does not
// exist. Files that vanish during the walk (WAL segments being truncated) are skipped.
uint64_t DirectoryBytes(const std::string& path);

}  // namespace bench

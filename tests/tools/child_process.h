// ChildProcess: a program started by a benchmark, always stopped and reaped by its pid.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace tools {

// ChildProcess owns one child: started with fork/exec, stdout and stderr appended to a log file,
// stdin from /dev/null, in its own process group (terminal signals reach only the benchmark,
// which then stops its children itself), and with PR_SET_PDEATHSIG = SIGKILL so that it dies
// even if the benchmark is killed outright. The destructor stops it (SIGTERM, then SIGKILL after
// a grace period) if it is still running, so no path leaves it behind.
// Thread-compatible.
class ChildProcess {
 public:
  // REQUIRES: argv non-empty; argv[0] is a path (no PATH lookup).
  // Returns kIOError if the log cannot be opened or fork fails; an exec failure shows as an
  // exit with status 127 and a line in the log.
  static base::Result<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                           const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // True once the child has exited (reaps it without blocking).
  bool Exited();
  // Waits up to `timeout` for the child to exit; true if it has.
  bool Wait(std::chrono::milliseconds timeout);
  // How the child ended ("exit 0", "signal 9"); empty while it runs.
  std::string ExitDescription() const;
  std::optional<int> exit_code() const { return exit_code_; }

  // SIGTERM, waits up to `grace`, then SIGKILL and reaps. Returns how it ended; no-op when it
  // already has.
  std::string Stop(std::chrono::milliseconds grace);

 private:
  ChildProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  void Reaped(int wstatus);

  pid_t pid_;
  std::string log_path_;
  bool reaped_ = false;
  std::optional<int> exit_code_;
  std::optional<int> exit_signal_;
};

// The last `max_lines` lines of a file, for error reports.
std::string TailFile(const std::string& path, int max_lines);

}  // namespace tools

#include "tests/tools/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <thread>

namespace tools {

base::Result<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_path) {
  if (argv.empty()) return base::InvalidArgument("empty command line");
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return base::ErrnoError("open " + log_path);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return base::ErrnoError("fork");
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);  // the parent died before prctl took effect
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(args[0], args.data());
    const char* msg = "exec failed: ";
    (void)!write(STDERR_FILENO, msg, std::strlen(msg));
    (void)!write(STDERR_FILENO, args[0], std::strlen(args[0]));
    (void)!write(STDERR_FILENO, "\n", 1);
    _exit(127);
  }
  close(log_fd);
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, log_path));
}

ChildProcess::~ChildProcess() { Stop(std::chrono::seconds(30)); }

void ChildProcess::Reaped(int wstatus) {
  reaped_ = true;
  if (WIFEXITED(wstatus)) exit_code_ = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) exit_signal_ = WTERMSIG(wstatus);
}

bool ChildProcess::Exited() {
  if (reaped_) return true;
  int wstatus = 0;
  const pid_t r = waitpid(pid_, &wstatus, WNOHANG);
  if (r == pid_) {
    Reaped(wstatus);
  } else if (r < 0 && errno == ECHILD) {
    reaped_ = true;  // reaped elsewhere; nothing left to stop
  }
  return reaped_;
}

bool ChildProcess::Wait(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!Exited()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::string ChildProcess::ExitDescription() const {
  if (exit_code_) return "exit " + std::to_string(*exit_code_);
  if (exit_signal_) return "signal " + std::to_string(*exit_signal_);
  return reaped_ ? "gone" : "";
}

std::string ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (Exited()) return ExitDescription();
  kill(pid_, SIGTERM);
  if (!Wait(grace)) {
    kill(pid_, SIGKILL);
    // SIGKILL cannot be caught; the bound only guards against a process stuck in the kernel.
    Wait(std::chrono::seconds(30));
  }
  return ExitDescription();
}

std::string TailFile(const std::string& path, int max_lines) {
  std::ifstream in(path);
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (static_cast<int>(lines.size()) > max_lines) lines.pop_front();
  }
  std::string out;
  for (const std::string& l : lines) out += "    | " + l + "\n";
  return out;
}

}  // namespace tools

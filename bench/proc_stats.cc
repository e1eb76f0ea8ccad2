#include "bench/proc_stats.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

namespace bench {
namespace {

base::Result<std::string> ReadProcFile(pid_t pid, const char* name) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  std::ifstream in(path);
  if (!in) return base::NotFound("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

base::Result<double> ProcessCpuSeconds(pid_t pid) {
  ASSIGN_OR_RETURN(std::string stat, ReadProcFile(pid, "stat"));
  // pid (comm) state ppid ...: comm may hold spaces and parentheses, so fields are counted
  // from the last ')'. After it come field 3 (state) onwards; utime and stime are 14 and 15.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return base::Corruption("no ')' in /proc/pid/stat");
  std::istringstream in(stat.substr(close + 1));
  std::vector<std::string> fields;
  std::string f;
  while (fields.size() < 13 && in >> f) fields.push_back(f);
  if (fields.size() < 13) return base::Corruption("short /proc/pid/stat");
  const double ticks = static_cast<double>(std::stoull(fields[11]) + std::stoull(fields[12]));
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

base::Result<ProcessMemory> ReadProcessMemory(pid_t pid) {
  ASSIGN_OR_RETURN(std::string status, ReadProcFile(pid, "status"));
  ProcessMemory m;
  std::istringstream in(status);
  std::string key;
  uint64_t kb = 0;
  bool have_rss = false;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    if (!(ls >> key >> kb)) continue;
    if (key == "VmRSS:") {
      m.rss_bytes = kb * 1024;
      have_rss = true;
    } else if (key == "VmHWM:") {
      m.peak_rss_bytes = kb * 1024;
    }
  }
  if (!have_rss) return base::Corruption("no VmRSS in /proc/pid/status");
  return m;
}

uint64_t DirectoryBytes(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  uint64_t total = 0;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec)) {
      const auto size = it->file_size(fec);
      if (!fec) total += size;
    }
  }
  return total;
}

}  // namespace bench

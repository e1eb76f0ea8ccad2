#include "base/logger.h"

#include <chrono>
#include <ctime>

namespace base {
namespace {

void AppendValue(std::string* out, std::string_view v) {
  bool quote = v.empty() || v.find_first_of(" =\"\t\n\\") != std::string_view::npos;
  if (!quote) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

const char* LevelName(Logger::Level l) {
  switch (l) {
    case Logger::Level::kDebug: return "debug";
    case Logger::Level::kInfo: return "info";
    case Logger::Level::kWarn: return "warn";
    case Logger::Level::kError: return "error";
  }
  return "info";
}

}  // namespace

std::optional<Logger::Level> Logger::ParseLevel(std::string_view s) {
  if (s == "debug") return Level::kDebug;
  if (s == "info") return Level::kInfo;
  if (s == "warn") return Level::kWarn;
  if (s == "error") return Level::kError;
  return std::nullopt;
}

void Logger::Log(Level level, std::string_view component, std::string_view msg,
                 std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char ts[96];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  std::string line = "ts=";
  line += ts;
  line += " level=";
  line += LevelName(level);
  line += " component=";
  AppendValue(&line, component);
  line += " msg=";
  AppendValue(&line, msg);
  for (const auto& [k, v] : fields) {
    line.push_back(' ');
    line.append(k);
    line.push_back('=');
    AppendValue(&line, v);
  }
  line.push_back('\n');
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

Logger& Logger::Quiet() {
  static Logger quiet(Level::kError);
  return quiet;
}

}  // namespace base

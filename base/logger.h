// Logger writes one logfmt line per entry (STYLE.md section 7):
//   ts=2026-11-22T03:19:23.123Z level=warn component=tsdb msg="WAL segment truncated" segment=12
// Thread-safe: lines from different threads never interleave.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace base {

class Logger {
 public:
  enum class Level { kDebug = 0, kInfo, kWarn, kError };
  using Field = std::pair<std::string_view, std::string>;

  explicit Logger(Level min_level = Level::kInfo, std::FILE* out = stderr)
      : min_level_(min_level), out_(out) {}
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Parses "debug", "info", "warn" or "error" (Prometheus's --log.level values).
  static std::optional<Level> ParseLevel(std::string_view s);

  bool Enabled(Level level) const { return level >= min_level_; }
  void Log(Level level, std::string_view component, std::string_view msg,
           std::initializer_list<Field> fields = {});
  void Debug(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
    Log(Level::kDebug, c, m, f);
  }
  void Info(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
    Log(Level::kInfo, c, m, f);
  }
  void Warn(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
    Log(Level::kWarn, c, m, f);
  }
  void Error(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
    Log(Level::kError, c, m, f);
  }

  // A logger that discards everything below kError; for tests and tools.
  static Logger& Quiet();

 private:
  Level min_level_;
  std::FILE* out_;
  std::mutex mu_;
};

}  // namespace base

// FlagSet: command-line flags as Prometheus's kingpin parses them: --name=value, --name value,
// --bool-flag / --no-bool-flag, --help; positional arguments collected in order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace base {

// Not thread-safe; parse once at start-up.
class FlagSet {
 public:
  explicit FlagSet(std::string program) : program_(std::move(program)) {}

  // Declares a flag with its default and help text; returns *this for chaining.
  FlagSet& String(const std::string& name, std::string def, std::string help);
  FlagSet& Bool(const std::string& name, bool def, std::string help);

  // Parses argv[first..argc). Errors: kInvalidArgument naming the unknown flag or missing value.
  Status Parse(int argc, const char* const* argv, int first = 1);

  const std::string& Get(const std::string& name) const;
  bool GetBool(const std::string& name) const;
  // Whether the flag was given on the command line.
  bool IsSet(const std::string& name) const;
  const std::vector<std::string>& args() const { return args_; }
  bool help() const { return help_; }
  // "usage: ..." and one line per flag with its default.
  std::string Usage(const std::string& summary) const;
  // name -> current value, for /api/v1/status/flags.
  std::map<std::string, std::string> Values() const;

 private:
  struct Flag {
    std::string value;
    std::string def;
    std::string help;
    bool is_bool = false;
    bool set = false;
  };
  std::string program_;
  std::map<std::string, Flag> flags_;
  std::vector<std::string> args_;
  bool help_ = false;
};

// Parses "512", "32KB", "64MiB", "1GB" (Prometheus's units.Base2Bytes: KB = KiB = 1024).
Result<int64_t> ParseBytes(std::string_view s);

}  // namespace base

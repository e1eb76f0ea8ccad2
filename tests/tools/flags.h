// A minimal command-line flag reader shared by the tools and benchmarks: `--name value`,
// `--name=value`, and bare `--name` for booleans.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace tools {

// Flags parses argv once and hands out typed values. Every flag must be declared by one of the
// getters (or Known) before Finish(), which reports unknown flags.
// Thread-compatible.
class Flags {
 public:
  // Returns kInvalidArgument for a positional argument or a malformed flag.
  static base::Result<Flags> Parse(int argc, char** argv);

  // Each getter returns `def` when the flag is absent and kInvalidArgument when its text does
  // not parse.
  base::Result<std::string> String(const std::string& name, const std::string& def);
  base::Result<int64_t> Int(const std::string& name, int64_t def);
  base::Result<double> Double(const std::string& name, double def);
  // Present without a value, or with true/false/1/0.
  base::Result<bool> Bool(const std::string& name, bool def);
  bool Has(const std::string& name) const { return values_.count(name) != 0; }

  // kInvalidArgument naming the first flag that no getter asked for.
  base::Status Finish() const;

 private:
  std::map<std::string, std::string> values_;  // "" for a bare flag
  std::map<std::string, bool> bare_;
  std::vector<std::string> asked_;
};

}  // namespace tools

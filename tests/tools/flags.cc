#include "tests/tools/flags.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace tools {

base::Result<Flags> Flags::Parse(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      return base::InvalidArgument("unexpected argument '" + arg + "'");
    }
    arg = arg.substr(2);
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      flags.values_[arg.substr(0, eq)] = arg.substr(eq + 1);
      flags.bare_[arg.substr(0, eq)] = false;
    } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
      flags.values_[arg] = argv[++i];
      flags.bare_[arg] = false;
    } else {
      flags.values_[arg] = "";
      flags.bare_[arg] = true;
    }
  }
  return flags;
}

base::Result<std::string> Flags::String(const std::string& name, const std::string& def) {
  asked_.push_back(name);
  auto it = values_.find(name);
  if (it == values_.end()) return def;
  if (bare_[name]) return base::InvalidArgument("flag --" + name + " needs a value");
  return it->second;
}

base::Result<int64_t> Flags::Int(const std::string& name, int64_t def) {
  ASSIGN_OR_RETURN(std::string text, String(name, ""));
  if (!Has(name)) return def;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0') {
    return base::InvalidArgument("flag --" + name + ": not an integer: '" + text + "'");
  }
  return static_cast<int64_t>(v);
}

base::Result<double> Flags::Double(const std::string& name, double def) {
  ASSIGN_OR_RETURN(std::string text, String(name, ""));
  if (!Has(name)) return def;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || end == text.c_str() || *end != '\0') {
    return base::InvalidArgument("flag --" + name + ": not a number: '" + text + "'");
  }
  return v;
}

base::Result<bool> Flags::Bool(const std::string& name, bool def) {
  asked_.push_back(name);
  auto it = values_.find(name);
  if (it == values_.end()) return def;
  if (bare_[name] || it->second == "true" || it->second == "1") return true;
  if (it->second == "false" || it->second == "0") return false;
  return base::InvalidArgument("flag --" + name + ": not a boolean: '" + it->second + "'");
}

base::Status Flags::Finish() const {
  for (const auto& [name, value] : values_) {
    if (std::find(asked_.begin(), asked_.end(), name) == asked_.end()) {
      return base::InvalidArgument("unknown flag --" + name);
    }
  }
  return base::Status::Ok();
}

}  // namespace tools

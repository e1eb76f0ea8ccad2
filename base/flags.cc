#include "base/flags.h"

#include <charconv>

#include "base/check.h"

namespace base {

FlagSet& FlagSet::String(const std::string& name, std::string def, std::string help) {
  flags_[name] = Flag{def, def, std::move(help), false, false};
  return *this;
}

FlagSet& FlagSet::Bool(const std::string& name, bool def, std::string help) {
  flags_[name] = Flag{def ? "true" : "false", def ? "true" : "false", std::move(help), true, false};
  return *this;
}

Status FlagSet::Parse(int argc, const char* const* argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h" || a == "--help-long") {
      help_ = true;
      continue;
    }
    if (!a.starts_with("--")) {
      args_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::string value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto it = flags_.find(name);
    if (it == flags_.end() && name.starts_with("no-")) {
      auto neg = flags_.find(name.substr(3));
      if (neg != flags_.end() && neg->second.is_bool && !has_value) {
        neg->second.value = "false";
        neg->second.set = true;
        continue;
      }
    }
    if (it == flags_.end()) return InvalidArgument("unknown long flag '--" + name + "'");
    Flag& f = it->second;
    if (f.is_bool) {
      if (has_value && value != "true" && value != "false")
        return InvalidArgument("expected true or false for flag '--" + name + "', got '" + value + "'");
      f.value = has_value ? value : "true";
    } else {
      if (!has_value) {
        if (i + 1 >= argc) return InvalidArgument("expected argument for flag '--" + name + "'");
        value = argv[++i];
      }
      f.value = value;
    }
    f.set = true;
  }
  return Status::Ok();
}

const std::string& FlagSet::Get(const std::string& name) const {
  auto it = flags_.find(name);
  INVARIANT(it != flags_.end());
  return it->second.value;
}

bool FlagSet::GetBool(const std::string& name) const { return Get(name) == "true"; }

bool FlagSet::IsSet(const std::string& name) const {
  auto it = flags_.find(name);
  return it != flags_.end() && it->second.set;
}

std::string FlagSet::Usage(const std::string& summary) const {
  std::string out = "usage: " + program_ + " [<flags>]\n\n" + summary + "\n\nFlags:\n";
  out += "  -h, --help  Show context-sensitive help.\n";
  for (const auto& [name, f] : flags_) {
    out += "  --" + name + (f.is_bool ? "" : "=<value>") + "\n      " + f.help;
    if (!f.is_bool && !f.def.empty()) out += " (default: " + f.def + ")";
    out += "\n";
  }
  return out;
}

std::map<std::string, std::string> FlagSet::Values() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, f] : flags_) out[name] = f.value;
  return out;
}

Result<int64_t> ParseBytes(std::string_view s) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p == s.data() || n < 0)
    return InvalidArgument("invalid size \"" + std::string(s) + "\"");
  std::string_view unit(p, static_cast<size_t>(s.data() + s.size() - p));
  int64_t mult = 1;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KB" || unit == "KiB") mult = int64_t{1} << 10;
  else if (unit == "MB" || unit == "MiB") mult = int64_t{1} << 20;
  else if (unit == "GB" || unit == "GiB") mult = int64_t{1} << 30;
  else if (unit == "TB" || unit == "TiB") mult = int64_t{1} << 40;
  else return InvalidArgument("invalid size unit in \"" + std::string(s) + "\"");
  if (n > INT64_MAX / mult) return InvalidArgument("size \"" + std::string(s) + "\" too large");
  return n * mult;
}

}  // namespace base

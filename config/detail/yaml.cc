#include "config/detail/yaml.h"

#include <charconv>

#include "base/duration.h"

namespace config::detail {

base::Status Errors::At(const YAML::Node& n, std::string_view msg) const {
  std::string out = source_;
  if (n.IsDefined() && n.Mark().line >= 0) {
    out.push_back(':');
    out.append(std::to_string(n.Mark().line + 1));
  }
  out.append(": ");
  out.append(msg);
  return base::InvalidArgument(std::move(out));
}

base::Status CheckFields(const Errors& err, const YAML::Node& n,
                         std::initializer_list<std::string_view> known, std::string_view type) {
  if (!n.IsMap()) return err.At(n, std::string(type) + ": expected a mapping");
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    bool ok = false;
    for (std::string_view k : known) ok = ok || k == key;
    if (!ok) return err.At(kv.first, "field " + key + " not found in " + std::string(type));
  }
  return base::Status::Ok();
}

base::Result<std::chrono::milliseconds> Duration(const Errors& err, const YAML::Node& n,
                                                 std::string_view field) {
  if (!n.IsScalar()) return err.At(n, std::string(field) + ": expected a duration");
  auto d = base::ParseDuration(n.Scalar());
  if (!d) return err.At(n, std::string(field) + ": " + d.error().message());
  return *d;
}

base::Result<bool> Bool(const Errors& err, const YAML::Node& n, std::string_view field) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  return err.At(n, std::string(field) + ": expected true or false");
}

base::Result<uint64_t> Uint(const Errors& err, const YAML::Node& n, std::string_view field) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) return v;
  }
  return err.At(n, std::string(field) + ": expected a non-negative integer");
}

base::Result<std::string> String(const Errors& err, const YAML::Node& n, std::string_view field) {
  if (!n || n.IsNull()) return std::string();
  if (!n.IsScalar()) return err.At(n, std::string(field) + ": expected a string");
  return n.Scalar();
}

base::Result<std::vector<std::string>> Strings(const Errors& err, const YAML::Node& n,
                                               std::string_view field) {
  std::vector<std::string> out;
  if (!n || n.IsNull()) return out;
  if (!n.IsSequence()) return err.At(n, std::string(field) + ": expected a list of strings");
  for (const auto& e : n) {
    if (!e.IsScalar()) return err.At(e, std::string(field) + ": expected a string");
    out.push_back(e.Scalar());
  }
  return out;
}

}  // namespace config::detail

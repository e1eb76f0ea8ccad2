// Helpers shared by config/'s YAML parsers: errors that name the file, line and field, and the
// scalar types of Prometheus's configuration files. Private to config/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace config::detail {

// Builds errors reading "FILE:LINE: context: message".
class Errors {
 public:
  explicit Errors(std::string_view source) : source_(source) {}
  const std::string& source() const { return source_; }
  base::Status At(const YAML::Node& n, std::string_view msg) const;

 private:
  std::string source_;
};

// Fails on the first key of mapping `n` not in `known`: "field X not found in <type>".
base::Status CheckFields(const Errors& err, const YAML::Node& n,
                         std::initializer_list<std::string_view> known, std::string_view type);
base::Result<std::chrono::milliseconds> Duration(const Errors& err, const YAML::Node& n,
                                                 std::string_view field);
base::Result<bool> Bool(const Errors& err, const YAML::Node& n, std::string_view field);
base::Result<uint64_t> Uint(const Errors& err, const YAML::Node& n, std::string_view field);
// String and Strings return empty for an absent or null node.
base::Result<std::string> String(const Errors& err, const YAML::Node& n, std::string_view field);
base::Result<std::vector<std::string>> Strings(const Errors& err, const YAML::Node& n,
                                               std::string_view field);

}  // namespace config::detail

// Decoder: yaml-cpp nodes -> structs with the behaviour and error messages of gopkg.in/yaml.v2's
// UnmarshalStrict, which Alertmanager uses:
//  - type errors ("line 5: cannot unmarshal !!str `abc` into bool"), unknown fields ("line 6:
//    field foo not found in type config.plain") and repeated keys are collected, decoding goes
//    on, and the document fails with "yaml: unmarshal errors:\n  line ...";
//  - a type with a custom UnmarshalYAML skips its validation when its fields had such errors;
//  - a validation error (a returned Status) aborts the whole decode at once;
//  - null leaves the zero value and runs no validation.
// Private to alerting/config.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace alerting::config::detail {

// 1-based line of a node, as yaml.v2 reports it.
int Line(const YAML::Node& n);
// yaml.v2's short tag of a node: !!str, !!int, !!float, !!bool, !!null, !!map, !!seq.
std::string ResolvedTag(const YAML::Node& n);
// Null as yaml.v2 sees it: ~, null, Null, NULL or nothing, unquoted.
bool IsNullNode(const YAML::Node& n);
// Whether yaml.v2 would read `s`, written unquoted, as something other than this string (a
// bool, number, null, or a YAML 1.1 base-60 number like 17:30): such strings must be quoted.
bool NeedsQuotes(std::string_view s);

// Not thread-safe; one per document.
class Decoder {
 public:
  // Records "line N: cannot unmarshal TAG `value` into GO_TYPE".
  void TypeError(const YAML::Node& n, std::string_view go_type);
  void Error(std::string message) { terrors_.push_back(std::move(message)); }
  // A hint printed after the errors (deduplicated).
  void Hint(std::string hint);
  size_t mark() const { return terrors_.size(); }
  bool ErrorsSince(size_t mark) const { return terrors_.size() > mark; }
  // The collected errors as yaml.v2's TypeError, or OK.
  base::Status Finish() const;
  // Appends the hints to a fatal error.
  base::Status WithHints(base::Status s) const;

 private:
  std::vector<std::string> terrors_;
  std::vector<std::string> hints_;
};

// Scalars. Each leaves *out unchanged on a type error and sets the zero value on null.
// go_type is what yaml.v2 would name in a type error ("string", "config.plain", ...).
void DecodeString(Decoder& d, const YAML::Node& n, std::string* out,
                  std::string_view go_type = "string");
void DecodeBool(Decoder& d, const YAML::Node& n, bool* out);
void DecodeInt64(Decoder& d, const YAML::Node& n, int64_t* out, std::string_view go_type = "int64");
void DecodeUint64(Decoder& d, const YAML::Node& n, uint64_t* out,
                  std::string_view go_type = "uint64");
// A list of strings; *present tells whether a non-null sequence was given.
void DecodeStringList(Decoder& d, const YAML::Node& n, std::vector<std::string>* out,
                      std::string_view go_type = "[]string", bool* present = nullptr);
// map[string]string, rejecting repeated keys ("line N: key \"k\" already set in map").
void DecodeStringMap(Decoder& d, const YAML::Node& n, std::map<std::string, std::string>* out,
                     std::string_view go_type = "map[string]string");

// Iterates a sequence: calls fn on each element. Null: nothing; not a sequence: type error.
base::Status ForEachElement(Decoder& d, const YAML::Node& n, std::string_view go_type,
                            const std::function<base::Status(const YAML::Node&)>& fn);
// Iterates a mapping with string keys (map types): fn(key, value node). Repeated keys are
// errors. Null: nothing; not a mapping: type error.
base::Status ForEachEntry(
    Decoder& d, const YAML::Node& n, std::string_view go_type,
    const std::function<base::Status(const std::string&, const YAML::Node&)>& fn);

// StructDecoder decodes a mapping into a struct: one handler per field name, called in document
// order; unknown or repeated field names are errors; `<<` merge keys are expanded.
class StructDecoder {
 public:
  using Handler = std::function<base::Status(const YAML::Node&)>;
  StructDecoder(Decoder& d, std::string go_type) : d_(d), go_type_(std::move(go_type)) {}
  StructDecoder& Field(std::string name, Handler h);
  // Decodes n. Returns a validation error from a handler; type errors are recorded in the
  // Decoder. REQUIRES: !IsNullNode(n) (callers handle null as the zero value).
  base::Status Decode(const YAML::Node& n);
  // For hints: called with the key node of each unknown field.
  StructDecoder& OnUnknown(std::function<void(const std::string&, const YAML::Node&)> fn) {
    on_unknown_ = std::move(fn);
    return *this;
  }

 private:
  base::Status DecodeMapping(const YAML::Node& n, int depth);
  Decoder& d_;
  std::string go_type_;
  std::vector<std::pair<std::string, Handler>> fields_;
  std::function<void(const std::string&, const YAML::Node&)> on_unknown_;
};

}  // namespace alerting::config::detail

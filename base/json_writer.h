// JsonWriter: the JSON encoder of the HTTP API's responses, the rules API and the notifier's
// Alertmanager payloads, producing the bytes Prometheus's encoders produce (jsoniter in
// web/api/v1/json_codec.go, util/jsonutil/marshal.go, Go's encoding/json), and the sample value
// and timestamp formatting shared with the PromQL API. Timestamps are milliseconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>


namespace base {

// Appends a sample value as Prometheus's jsonutil.MarshalFloat prints it, without quotes:
// Go's strconv.FormatFloat(v, 'f', -1, 64), switching to 'e' (shortest, "1e+21", "1.5e-07")
// when |v| < 1e-6 or |v| >= 1e21, except for 0; "NaN", "+Inf", "-Inf"; -0 is "-0".
void AppendSampleValue(std::string* out, double v);
std::string FormatSampleValue(double v);

// Appends a timestamp in milliseconds as seconds, as Prometheus's jsonutil.MarshalTimestamp:
// 1435781451781 -> 1435781451.781, 1500 -> 1.500 (always three digits when the fraction is not
// zero), 1000 -> 1, -1500 -> -1.500.
void AppendTimestamp(std::string* out, int64_t t);

// How a string is escaped.
enum class Escaping {
  // Go's encoding/json with HTML escaping (jsoniter's ConfigCompatibleWithStandardLibrary, used
  // for every reflected Go string: errors, warnings, label names and values in lists):
  // '"' '\\' -> \" \\; \n \r \t; other bytes < 0x20 and < > & -> \u00XX (lower-case hex);
  // each byte of invalid UTF-8 -> \ufffd; U+2028 and U+2029 -> \u2028 \u2029.
  kStandard,
  // jsoniter's Stream.WriteString, used by Prometheus's own encoders for label sets in series,
  // vectors and matrices: the same, except that < > & , U+2028/U+2029 and invalid UTF-8 are
  // written unchanged.
  kLabels,
};

// Appends s as a quoted JSON string.
void AppendJsonString(std::string* out, std::string_view s,
                      Escaping escaping = Escaping::kStandard);

// JsonWriter appends JSON to a string, placing commas itself: call Key before each object
// member's value; values in arrays need nothing. Not thread-safe.
// REQUIRES: calls form valid JSON (checked with assert only).
class JsonWriter {
 public:
  JsonWriter() = default;
  explicit JsonWriter(size_t reserve) { out_.reserve(reserve); }

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // An object member's name.
  JsonWriter& Key(std::string_view name, Escaping escaping = Escaping::kStandard);
  JsonWriter& String(std::string_view s, Escaping escaping = Escaping::kStandard);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // A sample value as a JSON string ("1.5", "NaN"); see AppendSampleValue.
  JsonWriter& SampleValue(double v);
  // A timestamp as a JSON number of seconds; see AppendTimestamp.
  JsonWriter& Timestamp(int64_t t);
  // An already encoded JSON value.
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const& { return out_; }
  std::string str() && { return std::move(out_); }

 private:
  // Writes the comma that separates this value from the previous one, if any.
  void BeforeValue();

  std::string out_;
  // One entry per open object or array: whether it has a member yet.
  std::vector<bool> has_member_;
  bool after_key_ = false;
};

}  // namespace base

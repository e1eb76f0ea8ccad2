// A strict JSON (RFC 8259) reader, for every JSON Hestia reads: file service discovery target
// groups (config/), API v2 bodies (web/), block meta.json (tsdb/), receivers' replies
// (alerting/). Syntax errors carry Go encoding/json's wording, as Prometheus reports them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace base {

// One JSON value as a tree. Invariants: only the members of `kind` are set; strings are valid
// UTF-8 (invalid input bytes and lone surrogate escapes become U+FFFD, as in Go).
struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // kString: the decoded string; kNumber: the literal as written
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // document order, duplicates kept

  // "null", "bool", "number", "string", "array", "object": Go's names in unmarshal errors.
  std::string_view KindName() const;
};

// Parses one JSON document (surrounding whitespace allowed). Errors: kInvalidArgument with Go's
// message, e.g. "unexpected end of JSON input",
// "invalid character ']' looking for beginning of value".
base::Result<JsonValue> ParseJson(std::string_view text);

}  // namespace base

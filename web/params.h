// Request parameters of the HTTP API: the form (URL query and url-encoded body, as Go's
// http.Request.Form), and the time and limit parameters with Prometheus's parsing rules and
// error texts (web/api/v1/api.go parseTime, parseTimeParam, parseLimitParam).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/sample.h"

namespace web {

// The default start and end of optional time ranges: Prometheus's v1.MinTime and v1.MaxTime
// in milliseconds, printed as -292273086-05-16T16:47:06Z and
// 292277025-08-18T07:12:54.999999999Z.
inline constexpr model::Timestamp kApiMinTime = -9223309901257974000;
inline constexpr model::Timestamp kApiMaxTime = 9223309901257974999;

// Form holds request parameters in Go's order: values of an url-encoded body first, then those
// of the URL query. Thread-compatible.
class Form {
 public:
  Form() = default;
  // Parses the raw query string (after '?') and, for POST, PUT and PATCH requests whose
  // Content-Type media type is application/x-www-form-urlencoded, the body. Malformed pairs
  // are skipped; the first one is kept as parse_error(), with Go's message
  // (`invalid URL escape "%zz"`, "invalid semicolon separator in query").
  static Form Parse(std::string_view method, std::string_view query, std::string_view content_type,
                    std::string_view body);

  void Add(std::string key, std::string value) {
    values_.emplace_back(std::move(key), std::move(value));
  }
  // The first value of `key` (Go's FormValue); "" when absent. Valid while the Form lives.
  std::string_view Get(std::string_view key) const;
  // All values of `key`, in order (Go's r.Form[key]).
  std::vector<std::string_view> GetAll(std::string_view key) const;
  const base::Status& parse_error() const { return parse_error_; }

 private:
  void ParseQuery(std::string_view query);

  std::vector<std::pair<std::string, std::string>> values_;
  base::Status parse_error_;
};

// Decodes one url-encoded component ('+' is a space). Errors: kInvalidArgument
// `invalid URL escape "%zz"`.
base::Result<std::string> QueryUnescape(std::string_view s);

// Prometheus's parseTime: unix seconds as a Go float ("1435781451.781", "1e9", "0x1p3"; the
// fraction rounded to milliseconds), RFC 3339 with optional fractional seconds and a Z or
// ±hh:mm offset, or the two boundary strings above. Out-of-range floats (Inf, NaN, > 2^63 s)
// give the timestamp Prometheus computes on amd64, where Go's float to int conversion yields
// math.MinInt64. Errors: kInvalidArgument `cannot parse "x" to a valid timestamp`.
base::Result<model::Timestamp> ParseTime(std::string_view s);

// The time parameter `name` of the form, or `default_value` when absent or empty.
// Errors: kInvalidArgument
//   invalid parameter "start": invalid time value for 'start': cannot parse "x" to a valid
//   timestamp
base::Result<model::Timestamp> ParseTimeParam(const Form& form, std::string_view name,
                                              model::Timestamp default_value);

// The `limit` parameter of series, labels and label values: 0 (no limit) when absent.
// Errors: kInvalidArgument
//   invalid parameter "limit": strconv.Atoi: parsing "x": invalid syntax   (or value out of range)
//   invalid parameter "limit": limit must be non-negative
base::Result<size_t> ParseLimitParam(const Form& form);

// Go's strconv.Atoi on a 64-bit platform. Errors: kInvalidArgument with Go's message.
base::Result<int64_t> GoAtoi(std::string_view s);

}  // namespace web

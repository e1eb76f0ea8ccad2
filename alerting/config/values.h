// Value types of Alertmanager's configuration and their parsers, with Go's semantics and error
// messages: secrets, URLs (net/url), host:port (net.SplitHostPort), Go durations
// (time.ParseDuration), MIME header names (textproto.CanonicalMIMEHeaderKey), label names.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/status.h"

namespace alerting::config {

// A secret string: kept in memory, rendered as "<secret>" by ToYaml.
struct Secret {
  std::string value;
  bool empty() const { return value.empty(); }
  friend bool operator==(const Secret&, const Secret&) = default;
};

// A URL as Go's net/url parses it (no percent-decoding: the path is kept as written).
struct Url {
  std::string scheme;
  std::string opaque;
  std::string user;  // userinfo, verbatim (user or user:password)
  bool has_user = false;
  std::string host;  // host[:port]
  std::string path;
  std::string raw_query;
  bool force_query = false;
  std::string fragment;
  bool has_fragment = false;
  // Reassembled as Go's url.URL.String().
  std::string ToString() const;
};

// Go's url.Parse. Errors: kInvalidArgument, `parse "x": <reason>`.
base::Result<Url> ParseUrl(std::string_view s);
// Alertmanager's parseURL: url.Parse plus `unsupported scheme "x" for URL` and
// `missing host for URL`.
base::Result<Url> ParseHttpUrl(std::string_view s);

// "host:port"; empty when not set.
struct HostPort {
  std::string host;
  std::string port;
  bool empty() const { return host.empty() && port.empty(); }
  std::string ToString() const { return empty() ? "" : host + ":" + port; }
};
// Alertmanager's HostPort: "" is empty; otherwise net.SplitHostPort and a non-empty port.
// Errors: "address x: missing port in address", `address "x:": port cannot be empty`, ...
base::Result<HostPort> ParseHostPort(std::string_view s);

// Go's time.ParseDuration ("1h30m", "1.5s", "300ms"). Errors: `time: invalid duration "x"`,
// `time: missing unit in duration "1"`, `time: unknown unit "x" in duration "1x"`.
base::Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view s);
// Go's time.Duration.String(): "1m0s", "1h0m0s", "1.5s", "300ms".
std::string FormatGoDuration(std::chrono::nanoseconds d);

// textproto.CanonicalMIMEHeaderKey: "content-type" -> "Content-Type".
std::string CanonicalMimeHeaderKey(std::string_view s);

// Prometheus's label name rule, [a-zA-Z_][a-zA-Z0-9_]* (model.LabelName.IsValid).
bool IsValidLabelName(std::string_view s);

}  // namespace alerting::config

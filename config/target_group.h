// The files of file_sd_configs: lists of target groups in JSON or YAML, as Prometheus's
// discovery/file (readFile) and discovery/targetgroup read them:
//   [{"targets": ["host:9100", ...], "labels": {"env": "prod", ...}}, ...]
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/scrape_config.h"

namespace config {

// The label every target group of a file gets: the path the file was read from.
inline constexpr std::string_view kFileSdFilepathLabel = "__meta_filepath";

// Whether `path` may be given in file_sd_configs' `files`: Prometheus's pattern
// ^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$ (a `*` only in the last path element).
bool IsValidFileSdPath(std::string_view path);

// Parses the content of the file at `path`, JSON or YAML by the extension of `path` (.json,
// .yml, .yaml, in any case). Each group's labels get kFileSdFilepathLabel = path. An empty or
// null document is no groups (JSON: an empty file is an error, as in Go).
// Errors: kInvalidArgument; JSON errors have Go's wording ("unexpected end of JSON input",
// `json: unknown field "x"`), YAML errors name the line ("PATH:3: ..."); both
// `"a-b" is not a valid label name` and "nil target group item found" as Prometheus.
base::Result<std::vector<StaticConfig>> ParseTargetGroups(std::string_view content,
                                                          std::string_view path);

}  // namespace config

// Parsers of the scrape_configs, alerting and remote_write sections (used by config.cc).
// Private to config/.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "config/detail/yaml.h"
#include "config/scrape_config.h"

namespace config::detail {

extern const std::initializer_list<std::string_view> kHttpClientFields;

// The HTTP client settings embedded in the mapping `n` (its other keys are not checked here).
base::Result<HttpClientConfig> ParseHttpClient(const Errors& err, const YAML::Node& n);
// static_configs, file_sd_configs, and the names of unsupported *_sd_configs of the mapping
// `n`; a warning for each unsupported one.
base::Status ParseDiscovery(const Errors& err, const YAML::Node& n, std::string_view owner,
                            ServiceDiscovery* sd, std::vector<std::string>* warnings);
base::Result<ScrapeConfig> ParseScrapeConfig(const Errors& err, const YAML::Node& n,
                                             const GlobalConfig& global,
                                             std::vector<std::string>* warnings);
base::Result<AlertingConfig> ParseAlerting(const Errors& err, const YAML::Node& n,
                                           std::vector<std::string>* warnings);
base::Result<RemoteWriteConfig> ParseRemoteWrite(const Errors& err, const YAML::Node& n);

}  // namespace config::detail

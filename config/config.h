// Config: prometheus.yml as plain validated structs. The only folder that includes yaml-cpp.
// Parsed and validated: global, scrape_configs, rule_files, alerting, remote_write, storage.
// Sections Hestia does not use (remote_read, tracing, runtime, otlp, scrape_config_files) are
// checked to be of the right YAML kind only.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/scrape_config.h"
#include "model/labels.h"

namespace config {

struct GlobalConfig {
  std::chrono::milliseconds scrape_interval{std::chrono::minutes(1)};
  std::chrono::milliseconds scrape_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds evaluation_interval{std::chrono::minutes(1)};
  // The query offset of rule groups that set none (Prometheus 2.53+'s rule_query_offset).
  std::chrono::milliseconds rule_query_offset{0};
  model::Labels external_labels;
  // Scrape limits every scrape config inherits where it sets none (0), as Prometheus 3.
  int64_t body_size_limit = 0;
  uint64_t sample_limit = 0, label_limit = 0, label_name_length_limit = 0,
           label_value_length_limit = 0, target_limit = 0, keep_dropped_targets = 0;
};

// The `storage` section (Prometheus's StorageConfig).
struct StorageConfig {
  // storage.tsdb.out_of_order_time_window: how far behind the newest sample late samples are
  // still accepted; 0 (the default) rejects every out-of-order sample.
  std::chrono::milliseconds out_of_order_time_window{0};
  // storage.exemplars.max_exemplars: parsed for compatibility; Hestia stores no exemplars.
  int64_t max_exemplars = 100000;
};

struct Config {
  GlobalConfig global;
  StorageConfig storage;
  std::vector<ScrapeConfig> scrape_configs;
  std::vector<std::string> rule_files;  // globs, relative to the file's directory
  AlertingConfig alerting;
  std::vector<RemoteWriteConfig> remote_write;
  // What loads but will not work as written (unsupported service discovery): for the log and
  // the targets API.
  std::vector<std::string> warnings;
  std::string source;  // the file name, or "<default>" for the embedded config
  std::string yaml;    // the text as loaded, for /api/v1/status/config
};

// Parses a configuration. `source` names it in errors, which read like
//   "prometheus.yml:4: global: field scrape_intervall not found".
// Errors: kInvalidArgument.
base::Result<Config> Parse(std::string_view yaml, std::string_view source);
// Reads and parses a file; relative file_sd_configs paths are made relative to the file's
// directory, as Prometheus does. Errors: kNotFound / kIOError reading it, kInvalidArgument
// parsing.
base::Result<Config> LoadFile(const std::string& path);
// The configuration Hestia runs with when no --config.file is given: scrape itself every 15 s.
std::string_view DefaultYaml();

}  // namespace config

// The sections of prometheus.yml that the scrape manager, the notifier and remote write read:
// scrape_configs, alerting, remote_write, with Prometheus's defaults and validation
// (config/config.go and prometheus/common's config.HTTPClientConfig).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/relabel.h"

namespace config {

struct BasicAuth {
  std::string username, username_file, password, password_file;
};

struct Authorization {
  std::string type = "Bearer";
  std::string credentials, credentials_file;
};

struct TlsConfig {
  std::string ca_file, cert_file, key_file, ca, cert, key, server_name, min_version;
  bool insecure_skip_verify = false;
};

// prometheus/common's HTTPClientConfig. bearer_token(_file) are folded into authorization, as
// Prometheus does.
struct HttpClientConfig {
  std::optional<BasicAuth> basic_auth;
  std::optional<Authorization> authorization;
  bool oauth2 = false;  // configured; not supported by Hestia's client yet
  TlsConfig tls_config;
  std::string proxy_url;
  bool follow_redirects = true;
  bool enable_http2 = true;
};

// A target group: of static_configs, or read from a file_sd_configs file.
struct StaticConfig {
  std::vector<std::string> targets;
  model::Labels labels;
};

// file_sd_configs (Prometheus's discovery/file SDConfig); read by scrape::FileDiscovery, file
// format in config/target_group.h.
struct FileSdConfig {
  // Globs, at least one, each valid for IsValidFileSdPath; relative ones are joined with the
  // configuration file's directory by LoadFile.
  std::vector<std::string> files;
  std::chrono::milliseconds refresh_interval{std::chrono::minutes(5)};
};

// Target discovery shared by scrape configs and Alertmanager configs.
struct ServiceDiscovery {
  std::vector<StaticConfig> static_configs;
  std::vector<FileSdConfig> file_sd_configs;
  // Mechanisms present in the file that Hestia does not implement ("kubernetes_sd_configs").
  std::vector<std::string> unsupported;
};

struct ScrapeConfig {
  std::string job_name;
  bool honor_labels = false;
  bool honor_timestamps = true;
  bool track_timestamps_staleness = false;
  std::chrono::milliseconds scrape_interval{0};  // the global one when not set
  std::chrono::milliseconds scrape_timeout{0};
  std::vector<std::string> scrape_protocols;
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  std::map<std::string, std::vector<std::string>> params;
  int64_t body_size_limit = 0;  // bytes; 0: none
  uint64_t sample_limit = 0, label_limit = 0, label_name_length_limit = 0,
           label_value_length_limit = 0, target_limit = 0, keep_dropped_targets = 0;
  HttpClientConfig http;
  ServiceDiscovery sd;
  std::vector<model::RelabelConfig> relabel_configs;
  std::vector<model::RelabelConfig> metric_relabel_configs;
};

struct AlertmanagerConfig {
  std::string scheme = "http";
  std::string path_prefix = "/";
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  std::string api_version = "v2";
  HttpClientConfig http;
  ServiceDiscovery sd;
  std::vector<model::RelabelConfig> relabel_configs;
  std::vector<model::RelabelConfig> alert_relabel_configs;
};

struct AlertingConfig {
  std::vector<model::RelabelConfig> alert_relabel_configs;
  std::vector<AlertmanagerConfig> alertmanagers;
};

struct QueueConfig {
  int64_t capacity = 10000, max_shards = 50, min_shards = 1, max_samples_per_send = 2000;
  std::chrono::milliseconds batch_send_deadline{std::chrono::seconds(5)};
  std::chrono::milliseconds min_backoff{30}, max_backoff{std::chrono::seconds(5)};
  bool retry_on_http_429 = false;
  std::chrono::milliseconds sample_age_limit{0};
};

struct RemoteWriteConfig {
  std::string url;
  std::string name;
  std::chrono::milliseconds remote_timeout{std::chrono::seconds(30)};
  std::map<std::string, std::string> headers;
  std::vector<model::RelabelConfig> write_relabel_configs;
  bool send_exemplars = false, send_native_histograms = false;
  QueueConfig queue_config;
  bool metadata_send = true;
  std::chrono::milliseconds metadata_send_interval{std::chrono::minutes(1)};
  HttpClientConfig http;
};

}  // namespace config

#include "config/detail/sections.h"

#include <set>

#include "base/flags.h"
#include "config/relabel_config.h"
#include "config/target_group.h"

namespace config::detail {
namespace {

base::Result<std::vector<model::RelabelConfig>> Relabels(const Errors& err, const YAML::Node& n) {
  if (!n || n.IsNull()) return std::vector<model::RelabelConfig>{};
  return ParseRelabelConfigs(n, err.source());
}

base::Result<BasicAuth> ParseBasicAuth(const Errors& err, const YAML::Node& n) {
  RETURN_IF_ERROR(CheckFields(err, n, {"username", "username_file", "password", "password_file"},
                              "basic_auth"));
  BasicAuth b;
  ASSIGN_OR_RETURN(b.username, String(err, n["username"], "basic_auth: username"));
  ASSIGN_OR_RETURN(b.username_file, String(err, n["username_file"], "basic_auth: username_file"));
  ASSIGN_OR_RETURN(b.password, String(err, n["password"], "basic_auth: password"));
  ASSIGN_OR_RETURN(b.password_file, String(err, n["password_file"], "basic_auth: password_file"));
  if (!b.password.empty() && !b.password_file.empty())
    return err.At(n, "at most one of basic_auth password & password_file must be configured");
  if (!b.username.empty() && !b.username_file.empty())
    return err.At(n, "at most one of basic_auth username & username_file must be configured");
  return b;
}

base::Result<TlsConfig> ParseTls(const Errors& err, const YAML::Node& n) {
  TlsConfig t;
  if (!n || n.IsNull()) return t;
  RETURN_IF_ERROR(CheckFields(err, n,
                              {"ca_file", "cert_file", "key_file", "ca", "cert", "key",
                               "server_name", "insecure_skip_verify", "min_version", "max_version"},
                              "tls_config"));
  ASSIGN_OR_RETURN(t.ca_file, String(err, n["ca_file"], "tls_config: ca_file"));
  ASSIGN_OR_RETURN(t.cert_file, String(err, n["cert_file"], "tls_config: cert_file"));
  ASSIGN_OR_RETURN(t.key_file, String(err, n["key_file"], "tls_config: key_file"));
  ASSIGN_OR_RETURN(t.ca, String(err, n["ca"], "tls_config: ca"));
  ASSIGN_OR_RETURN(t.cert, String(err, n["cert"], "tls_config: cert"));
  ASSIGN_OR_RETURN(t.key, String(err, n["key"], "tls_config: key"));
  ASSIGN_OR_RETURN(t.server_name, String(err, n["server_name"], "tls_config: server_name"));
  ASSIGN_OR_RETURN(t.min_version, String(err, n["min_version"], "tls_config: min_version"));
  if (n["insecure_skip_verify"]) {
    ASSIGN_OR_RETURN(t.insecure_skip_verify, Bool(err, n["insecure_skip_verify"], "tls_config: insecure_skip_verify"));
  }
  if (!t.ca.empty() && !t.ca_file.empty())
    return err.At(n, "at most one of ca and ca_file must be configured");
  if (!t.cert.empty() && !t.cert_file.empty())
    return err.At(n, "at most one of cert and cert_file must be configured");
  if (!t.key.empty() && !t.key_file.empty())
    return err.At(n, "at most one of key and key_file must be configured");
  if ((t.cert.empty() && t.cert_file.empty()) != (t.key.empty() && t.key_file.empty()))
    return err.At(n, "exactly one of key or key_file must be configured when a client certificate is configured");
  return t;
}

}  // namespace

// The keys of prometheus/common's HTTPClientConfig, inlined into the sections that embed it.
const std::initializer_list<std::string_view> kHttpClientFields = {
    "basic_auth",       "authorization",  "oauth2",         "bearer_token",
    "bearer_token_file", "tls_config",    "proxy_url",      "no_proxy",
    "proxy_from_environment", "proxy_connect_header", "follow_redirects", "enable_http2",
    "http_headers"};

base::Result<HttpClientConfig> ParseHttpClient(const Errors& err, const YAML::Node& n) {
  HttpClientConfig h;
  if (n["basic_auth"]) {
    ASSIGN_OR_RETURN(h.basic_auth, ParseBasicAuth(err, n["basic_auth"]));
  }
  if (const YAML::Node a = n["authorization"]) {
    RETURN_IF_ERROR(CheckFields(err, a, {"type", "credentials", "credentials_file"}, "authorization"));
    Authorization auth;
    ASSIGN_OR_RETURN(std::string type, String(err, a["type"], "authorization: type"));
    if (!type.empty()) auth.type = type;
    ASSIGN_OR_RETURN(auth.credentials, String(err, a["credentials"], "authorization: credentials"));
    ASSIGN_OR_RETURN(auth.credentials_file, String(err, a["credentials_file"], "authorization: credentials_file"));
    std::string lower = auth.type;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "basic")
      return err.At(a, "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
    if (!auth.credentials.empty() && !auth.credentials_file.empty())
      return err.At(a, "at most one of authorization credentials & credentials_file must be configured");
    h.authorization = auth;
  }
  h.oauth2 = static_cast<bool>(n["oauth2"]);
  ASSIGN_OR_RETURN(std::string bearer, String(err, n["bearer_token"], "bearer_token"));
  ASSIGN_OR_RETURN(std::string bearer_file, String(err, n["bearer_token_file"], "bearer_token_file"));
  if (!bearer.empty() && !bearer_file.empty())
    return err.At(n, "at most one of bearer_token & bearer_token_file must be configured");
  int auths = (h.basic_auth ? 1 : 0) + (h.oauth2 ? 1 : 0) + (!bearer.empty() || !bearer_file.empty() ? 1 : 0);
  if (auths > 1)
    return err.At(n, "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
  if (h.authorization && (!bearer.empty() || !bearer_file.empty()))
    return err.At(n, "authorization is not compatible with bearer_token & bearer_token_file");
  if (h.authorization && (h.basic_auth || h.oauth2))
    return err.At(n, "at most one of basic_auth, oauth2 & authorization must be configured");
  if (!bearer.empty() || !bearer_file.empty()) h.authorization = Authorization{"Bearer", bearer, bearer_file};
  ASSIGN_OR_RETURN(h.tls_config, ParseTls(err, n["tls_config"]));
  ASSIGN_OR_RETURN(h.proxy_url, String(err, n["proxy_url"], "proxy_url"));
  if (n["follow_redirects"]) {
    ASSIGN_OR_RETURN(h.follow_redirects, Bool(err, n["follow_redirects"], "follow_redirects"));
  }
  if (n["enable_http2"]) {
    ASSIGN_OR_RETURN(h.enable_http2, Bool(err, n["enable_http2"], "enable_http2"));
  }
  return h;
}

base::Status ParseDiscovery(const Errors& err, const YAML::Node& n, std::string_view owner,
                            ServiceDiscovery* sd, std::vector<std::string>* warnings) {
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    if (!key.ends_with("_sd_configs") || key == "file_sd_configs") continue;
    sd->unsupported.push_back(key);
    warnings->push_back(err.source() + ":" + std::to_string(kv.first.Mark().line + 1) + ": " +
                        std::string(owner) + ": " + key +
                        " is not supported by Hestia; its targets are not discovered");
  }
  if (const YAML::Node sc = n["static_configs"]; sc && !sc.IsNull()) {
    if (!sc.IsSequence()) return err.At(sc, "static_configs: expected a list");
    for (const auto& g : sc) {
      RETURN_IF_ERROR(CheckFields(err, g, {"targets", "labels"}, "static_configs"));
      StaticConfig s;
      ASSIGN_OR_RETURN(s.targets, Strings(err, g["targets"], "static_configs: targets"));
      for (const std::string& t : s.targets)
        if (t.empty()) return err.At(g["targets"], "static_configs: empty target");
      if (const YAML::Node l = g["labels"]; l && !l.IsNull()) {
        if (!l.IsMap()) return err.At(l, "static_configs: labels: expected a mapping");
        model::LabelsBuilder b;
        for (const auto& p : l) {
          const std::string& name = p.first.Scalar();
          if (!model::IsValidLabelName(name))
            return err.At(p.first, "\"" + name + "\" is not a valid label name");
          b.Set(name, p.second.IsScalar() ? p.second.Scalar() : "");
        }
        s.labels = b.Build();
      }
      sd->static_configs.push_back(std::move(s));
    }
  }
  if (const YAML::Node fc = n["file_sd_configs"]; fc && !fc.IsNull()) {
    if (!fc.IsSequence()) return err.At(fc, "file_sd_configs: expected a list");
    for (const auto& f : fc) {
      RETURN_IF_ERROR(CheckFields(err, f, {"files", "refresh_interval"}, "file_sd_configs"));
      FileSdConfig c;
      ASSIGN_OR_RETURN(c.files, Strings(err, f["files"], "file_sd_configs: files"));
      // Prometheus's discovery/file SDConfig.UnmarshalYAML.
      if (c.files.empty())
        return err.At(f, "file service discovery config must contain at least one path name");
      for (const std::string& p : c.files) {
        if (!IsValidFileSdPath(p))
          return err.At(f["files"], "path name \"" + p + "\" is not valid for file discovery");
      }
      if (f["refresh_interval"] && !f["refresh_interval"].IsNull()) {
        ASSIGN_OR_RETURN(c.refresh_interval, Duration(err, f["refresh_interval"], "file_sd_configs: refresh_interval"));
      }
      if (c.refresh_interval.count() <= 0)
        return err.At(f["refresh_interval"], "file_sd_configs: refresh_interval must be greater than 0");
      sd->file_sd_configs.push_back(std::move(c));
    }
  }
  return base::Status::Ok();
}

namespace {

bool IsDiscoveryKey(const std::string& key) {
  return key.ends_with("_sd_configs") || key == "static_configs";
}

// CheckFields for a section that embeds HTTPClientConfig and service discovery.
base::Status CheckSectionFields(const Errors& err, const YAML::Node& n,
                                std::initializer_list<std::string_view> own, std::string_view type) {
  if (!n.IsMap()) return err.At(n, std::string(type) + ": expected a mapping");
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    bool ok = IsDiscoveryKey(key);
    for (std::string_view k : own) ok = ok || k == key;
    for (std::string_view k : kHttpClientFields) ok = ok || k == key;
    if (!ok) return err.At(kv.first, "field " + key + " not found in " + std::string(type));
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<ScrapeConfig> ParseScrapeConfig(const Errors& err, const YAML::Node& n,
                                             const GlobalConfig& global,
                                             std::vector<std::string>* warnings) {
  RETURN_IF_ERROR(CheckSectionFields(
      err, n,
      {"job_name", "honor_labels", "honor_timestamps", "track_timestamps_staleness",
       "scrape_interval", "scrape_timeout", "scrape_protocols", "metrics_path", "scheme", "params",
       "body_size_limit", "sample_limit", "label_limit", "label_name_length_limit",
       "label_value_length_limit", "target_limit", "keep_dropped_targets", "relabel_configs",
       "metric_relabel_configs", "enable_compression", "scrape_classic_histograms",
       "native_histogram_bucket_limit", "native_histogram_min_bucket_factor",
       "always_scrape_classic_histograms", "convert_classic_histograms_to_nhcb",
       "scrape_failure_log_file", "metric_name_validation_scheme", "metric_name_escaping_scheme",
       "fallback_scrape_protocol", "scrape_native_histograms", "enable_http2"},
      "scrape_config"));
  ScrapeConfig c;
  ASSIGN_OR_RETURN(c.job_name, String(err, n["job_name"], "job_name"));
  if (c.job_name.empty()) return err.At(n, "job_name is empty");
  const std::string job = "scrape config with job name \"" + c.job_name + "\"";
  if (n["honor_labels"]) {
    ASSIGN_OR_RETURN(c.honor_labels, Bool(err, n["honor_labels"], "honor_labels"));
  }
  if (n["honor_timestamps"]) {
    ASSIGN_OR_RETURN(c.honor_timestamps, Bool(err, n["honor_timestamps"], "honor_timestamps"));
  }
  if (n["track_timestamps_staleness"]) {
    ASSIGN_OR_RETURN(c.track_timestamps_staleness, Bool(err, n["track_timestamps_staleness"], "track_timestamps_staleness"));
  }
  if (n["scrape_interval"]) {
    ASSIGN_OR_RETURN(c.scrape_interval, Duration(err, n["scrape_interval"], "scrape_interval"));
  }
  if (n["scrape_timeout"]) {
    ASSIGN_OR_RETURN(c.scrape_timeout, Duration(err, n["scrape_timeout"], "scrape_timeout"));
  }
  // Prometheus's defaults: the global interval; the global timeout, but never above the job's
  // interval unless set explicitly.
  if (c.scrape_interval.count() == 0) c.scrape_interval = global.scrape_interval;
  if (c.scrape_timeout.count() == 0) c.scrape_timeout = std::min(global.scrape_timeout, c.scrape_interval);
  if (c.scrape_timeout > c.scrape_interval)
    return err.At(n, "scrape timeout greater than scrape interval for " + job);
  ASSIGN_OR_RETURN(c.scrape_protocols, Strings(err, n["scrape_protocols"], "scrape_protocols"));
  for (const std::string& p : c.scrape_protocols) {
    static const std::set<std::string> kKnown = {"PrometheusProto", "OpenMetricsText0.0.1",
                                                 "OpenMetricsText1.0.0", "PrometheusText0.0.4",
                                                 "PrometheusText1.0.0"};
    if (!kKnown.contains(p)) return err.At(n["scrape_protocols"], "unknown scrape protocol " + p);
  }
  if (n["metrics_path"]) {
    ASSIGN_OR_RETURN(c.metrics_path, String(err, n["metrics_path"], "metrics_path"));
  }
  if (n["scheme"]) {
    ASSIGN_OR_RETURN(c.scheme, String(err, n["scheme"], "scheme"));
  }
  if (c.scheme != "http" && c.scheme != "https")
    return err.At(n["scheme"], "unknown scheme \"" + c.scheme + "\" for " + job + ", expected http or https");
  if (const YAML::Node p = n["params"]; p && !p.IsNull()) {
    if (!p.IsMap()) return err.At(p, "params: expected a mapping of lists");
    for (const auto& kv : p) {
      ASSIGN_OR_RETURN(c.params[kv.first.Scalar()], Strings(err, kv.second, "params"));
    }
  }
  if (const YAML::Node b = n["body_size_limit"]) {
    auto bytes = base::ParseBytes(b.Scalar());
    if (!bytes) return err.At(b, "body_size_limit: " + bytes.error().message());
    c.body_size_limit = *bytes;
  }
  struct Limit {
    const char* name;
    uint64_t* field;
  };
  for (const Limit& l : {Limit{"sample_limit", &c.sample_limit}, Limit{"label_limit", &c.label_limit},
                         Limit{"label_name_length_limit", &c.label_name_length_limit},
                         Limit{"label_value_length_limit", &c.label_value_length_limit},
                         Limit{"target_limit", &c.target_limit},
                         Limit{"keep_dropped_targets", &c.keep_dropped_targets}}) {
    if (n[l.name]) {
      ASSIGN_OR_RETURN(*l.field, Uint(err, n[l.name], l.name));
    }
  }
  // Limits the job leaves at 0 are the global ones (Prometheus 3).
  if (c.body_size_limit == 0) c.body_size_limit = global.body_size_limit;
  for (auto [field, def] : {std::pair{&c.sample_limit, global.sample_limit},
                            std::pair{&c.label_limit, global.label_limit},
                            std::pair{&c.label_name_length_limit, global.label_name_length_limit},
                            std::pair{&c.label_value_length_limit, global.label_value_length_limit},
                            std::pair{&c.target_limit, global.target_limit},
                            std::pair{&c.keep_dropped_targets, global.keep_dropped_targets}})
    if (*field == 0) *field = def;
  ASSIGN_OR_RETURN(c.http, ParseHttpClient(err, n));
  RETURN_IF_ERROR(ParseDiscovery(err, n, job, &c.sd, warnings));
  ASSIGN_OR_RETURN(c.relabel_configs, Relabels(err, n["relabel_configs"]));
  ASSIGN_OR_RETURN(c.metric_relabel_configs, Relabels(err, n["metric_relabel_configs"]));
  return c;
}

base::Result<AlertingConfig> ParseAlerting(const Errors& err, const YAML::Node& n,
                                           std::vector<std::string>* warnings) {
  AlertingConfig a;
  if (!n || n.IsNull()) return a;
  RETURN_IF_ERROR(CheckFields(err, n, {"alert_relabel_configs", "alertmanagers"}, "alerting"));
  ASSIGN_OR_RETURN(a.alert_relabel_configs, Relabels(err, n["alert_relabel_configs"]));
  const YAML::Node ams = n["alertmanagers"];
  if (!ams || ams.IsNull()) return a;
  if (!ams.IsSequence()) return err.At(ams, "alertmanagers: expected a list");
  for (const auto& am : ams) {
    RETURN_IF_ERROR(CheckSectionFields(err, am,
                                       {"scheme", "path_prefix", "timeout", "api_version",
                                        "relabel_configs", "alert_relabel_configs"},
                                       "alertmanager_config"));
    AlertmanagerConfig c;
    if (am["scheme"]) {
      ASSIGN_OR_RETURN(c.scheme, String(err, am["scheme"], "scheme"));
    }
    if (am["path_prefix"]) {
      ASSIGN_OR_RETURN(c.path_prefix, String(err, am["path_prefix"], "path_prefix"));
    }
    if (am["timeout"]) {
      ASSIGN_OR_RETURN(c.timeout, Duration(err, am["timeout"], "timeout"));
    }
    if (am["api_version"]) {
      ASSIGN_OR_RETURN(c.api_version, String(err, am["api_version"], "api_version"));
    }
    if (c.api_version != "v2")
      return err.At(am["api_version"], "expected Alertmanager api version to be one of [v2] but got " + c.api_version);
    ASSIGN_OR_RETURN(c.http, ParseHttpClient(err, am));
    RETURN_IF_ERROR(ParseDiscovery(err, am, "alertmanager config", &c.sd, warnings));
    ASSIGN_OR_RETURN(c.relabel_configs, Relabels(err, am["relabel_configs"]));
    ASSIGN_OR_RETURN(c.alert_relabel_configs, Relabels(err, am["alert_relabel_configs"]));
    a.alertmanagers.push_back(std::move(c));
  }
  return a;
}

base::Result<RemoteWriteConfig> ParseRemoteWrite(const Errors& err, const YAML::Node& n) {
  if (!n.IsMap()) return err.At(n, "remote_write: expected a mapping");
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    static const std::set<std::string> kOwn = {
        "url", "name", "remote_timeout", "headers", "write_relabel_configs", "send_exemplars",
        "send_native_histograms", "queue_config", "metadata_config", "sigv4", "azuread",
        "google_iam", "protobuf_message", "round_robin_dns"};
    bool ok = kOwn.contains(key);
    for (std::string_view k : kHttpClientFields) ok = ok || k == key;
    if (!ok) return err.At(kv.first, "field " + key + " not found in remote_write_config");
  }
  RemoteWriteConfig r;
  ASSIGN_OR_RETURN(r.url, String(err, n["url"], "url"));
  if (r.url.empty()) return err.At(n, "url for remote_write is empty");
  if (!(r.url.starts_with("http://") || r.url.starts_with("https://")))
    return err.At(n["url"], "remote_write: url \"" + r.url + "\" must be http or https");
  ASSIGN_OR_RETURN(r.name, String(err, n["name"], "name"));
  if (n["remote_timeout"]) {
    ASSIGN_OR_RETURN(r.remote_timeout, Duration(err, n["remote_timeout"], "remote_timeout"));
  }
  if (const YAML::Node h = n["headers"]; h && !h.IsNull()) {
    if (!h.IsMap()) return err.At(h, "headers: expected a mapping");
    for (const auto& kv : h) r.headers[kv.first.Scalar()] = kv.second.Scalar();
  }
  ASSIGN_OR_RETURN(r.write_relabel_configs, Relabels(err, n["write_relabel_configs"]));
  if (n["send_exemplars"]) {
    ASSIGN_OR_RETURN(r.send_exemplars, Bool(err, n["send_exemplars"], "send_exemplars"));
  }
  if (n["send_native_histograms"]) {
    ASSIGN_OR_RETURN(r.send_native_histograms, Bool(err, n["send_native_histograms"], "send_native_histograms"));
  }
  if (const YAML::Node q = n["queue_config"]; q && !q.IsNull()) {
    RETURN_IF_ERROR(CheckFields(err, q,
                                {"capacity", "max_shards", "min_shards", "max_samples_per_send",
                                 "batch_send_deadline", "min_backoff", "max_backoff",
                                 "retry_on_http_429", "sample_age_limit"},
                                "queue_config"));
    QueueConfig& qc = r.queue_config;
    struct IntField {
      const char* name;
      int64_t* field;
    };
    for (const IntField& f : {IntField{"capacity", &qc.capacity}, IntField{"max_shards", &qc.max_shards},
                              IntField{"min_shards", &qc.min_shards},
                              IntField{"max_samples_per_send", &qc.max_samples_per_send}}) {
      if (!q[f.name]) continue;
      ASSIGN_OR_RETURN(uint64_t v, Uint(err, q[f.name], std::string("queue_config: ") + f.name));
      *f.field = static_cast<int64_t>(v);
    }
    if (q["batch_send_deadline"]) {
      ASSIGN_OR_RETURN(qc.batch_send_deadline, Duration(err, q["batch_send_deadline"], "queue_config: batch_send_deadline"));
    }
    if (q["min_backoff"]) {
      ASSIGN_OR_RETURN(qc.min_backoff, Duration(err, q["min_backoff"], "queue_config: min_backoff"));
    }
    if (q["max_backoff"]) {
      ASSIGN_OR_RETURN(qc.max_backoff, Duration(err, q["max_backoff"], "queue_config: max_backoff"));
    }
    if (q["retry_on_http_429"]) {
      ASSIGN_OR_RETURN(qc.retry_on_http_429, Bool(err, q["retry_on_http_429"], "queue_config: retry_on_http_429"));
    }
    if (q["sample_age_limit"]) {
      ASSIGN_OR_RETURN(qc.sample_age_limit, Duration(err, q["sample_age_limit"], "queue_config: sample_age_limit"));
    }
  }
  if (const YAML::Node m = n["metadata_config"]; m && !m.IsNull()) {
    RETURN_IF_ERROR(CheckFields(err, m, {"send", "send_interval", "max_samples_per_send"}, "metadata_config"));
    if (m["send"]) {
      ASSIGN_OR_RETURN(r.metadata_send, Bool(err, m["send"], "metadata_config: send"));
    }
    if (m["send_interval"]) {
      ASSIGN_OR_RETURN(r.metadata_send_interval, Duration(err, m["send_interval"], "metadata_config: send_interval"));
    }
  }
  ASSIGN_OR_RETURN(r.http, ParseHttpClient(err, n));
  return r;
}

}  // namespace config::detail

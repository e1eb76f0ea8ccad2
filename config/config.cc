#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/duration.h"
#include "base/flags.h"
#include "config/detail/sections.h"
#include "config/detail/yaml.h"

namespace config {
namespace {

constexpr std::string_view kDefaultYaml = R"(# Hestia's built-in configuration: scrape Hestia itself.
global:
  scrape_interval: 15s
  evaluation_interval: 15s

scrape_configs:
  - job_name: hestia
    static_configs:
      - targets: ["localhost:9090"]
)";

// Every top-level key of Prometheus's configuration file.
const std::set<std::string> kTopLevel = {"global",        "runtime",        "alerting",
                                         "rule_files",    "scrape_config_files",
                                         "scrape_configs", "storage",       "tracing",
                                         "remote_write",  "remote_read",    "otlp"};
const std::set<std::string> kSequences = {"rule_files", "scrape_config_files", "scrape_configs",
                                          "remote_write", "remote_read"};

base::Status ParseStorage(const detail::Errors& err, const YAML::Node& st, StorageConfig* out) {
  if (!st.IsMap()) return err.At(st, "storage: expected a mapping");
  for (const auto& kv : st) {
    std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (v.IsNull()) continue;
    if (!v.IsMap()) return err.At(v, "storage: " + key + ": expected a mapping");
    for (const auto& f : v) {
      std::string field = f.first.Scalar();
      if (key == "tsdb" && field == "out_of_order_time_window") {
        ASSIGN_OR_RETURN(out->out_of_order_time_window,
                         detail::Duration(err, f.second, "storage: tsdb: out_of_order_time_window"));
      } else if (key == "exemplars" && field == "max_exemplars") {
        int64_t n = 0;
        if (!f.second.IsScalar() || !YAML::convert<int64_t>::decode(f.second, n))
          return err.At(f.second, "storage: exemplars: max_exemplars: expected an integer");
        out->max_exemplars = n;
      } else if (key != "tsdb" && key != "exemplars") {
        return err.At(kv.first, "field " + key + " not found in type config.StorageConfig");
      } else {
        return err.At(f.first, "field " + field + " not found in type config." +
                                   (key == "tsdb" ? "TSDBConfig" : "ExemplarsConfig"));
      }
    }
  }
  return base::Status::Ok();
}

base::Status ParseGlobal(const detail::Errors& err, const YAML::Node& g, GlobalConfig* out) {
  if (g.IsNull()) return base::Status::Ok();
  if (!g.IsMap()) return err.At(g, "global: expected a mapping");
  bool timeout_set = false;
  for (const auto& kv : g) {
    std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "scrape_interval") {
      ASSIGN_OR_RETURN(out->scrape_interval, detail::Duration(err, v, "global: scrape_interval"));
    } else if (key == "scrape_timeout") {
      ASSIGN_OR_RETURN(out->scrape_timeout, detail::Duration(err, v, "global: scrape_timeout"));
      timeout_set = true;
    } else if (key == "evaluation_interval") {
      ASSIGN_OR_RETURN(out->evaluation_interval, detail::Duration(err, v, "global: evaluation_interval"));
    } else if (key == "body_size_limit") {
      auto bytes = base::ParseBytes(v.Scalar());
      if (!bytes) return err.At(v, "global: body_size_limit: " + bytes.error().message());
      out->body_size_limit = *bytes;
    } else if (key == "sample_limit" || key == "label_limit" || key == "label_name_length_limit" ||
               key == "label_value_length_limit" || key == "target_limit" ||
               key == "keep_dropped_targets") {
      uint64_t* field = key == "sample_limit"              ? &out->sample_limit
                        : key == "label_limit"             ? &out->label_limit
                        : key == "label_name_length_limit" ? &out->label_name_length_limit
                        : key == "label_value_length_limit" ? &out->label_value_length_limit
                        : key == "target_limit"            ? &out->target_limit
                                                           : &out->keep_dropped_targets;
      ASSIGN_OR_RETURN(*field, detail::Uint(err, v, "global: " + key));
    } else if (key == "rule_query_offset") {
      ASSIGN_OR_RETURN(out->rule_query_offset, detail::Duration(err, v, "global: rule_query_offset"));
    } else if (key == "external_labels") {
      if (v.IsNull()) continue;
      if (!v.IsMap()) return err.At(v, "global: external_labels: expected a mapping");
      std::vector<model::Label> pairs;
      std::vector<std::string> keep;  // owns the strings until Labels copies them
      keep.reserve(2 * v.size());
      for (const auto& l : v) {
        keep.push_back(l.first.Scalar());
        keep.push_back(l.second.IsScalar() ? l.second.Scalar() : "");
      }
      for (size_t i = 0; i < keep.size(); i += 2) {
        if (!model::IsValidLabelName(keep[i]))
          return err.At(v, "global: external_labels: \"" + keep[i] + "\" is not a valid label name");
        if (keep[i + 1].empty())
          return err.At(v, "global: external_labels: empty value for label \"" + keep[i] + "\"");
        pairs.push_back({keep[i], keep[i + 1]});
      }
      out->external_labels = model::Labels::FromVector(pairs);
      if (auto st = out->external_labels.Validate(); !st.ok())
        return err.At(v, "global: external_labels: " + st.message());
    } else if (key == "query_log_file" || key == "scrape_failure_log_file" ||
               key == "metric_name_validation_scheme" || key == "scrape_protocols" ||
               key == "convert_classic_histograms_to_nhcb" ||
               key == "always_scrape_classic_histograms" || key == "metric_name_escaping_scheme" ||
               key == "scrape_native_histograms" || key == "extra_scrape_metrics") {
      // Prometheus global fields whose users arrive with scraping and rules.
      continue;
    } else {
      return err.At(kv.first, "global: field " + key + " not found");
    }
  }
  if (!timeout_set && out->scrape_timeout > out->scrape_interval)
    out->scrape_timeout = out->scrape_interval;  // Prometheus: the default never exceeds the interval
  if (out->scrape_timeout > out->scrape_interval)
    return err.At(g, "global: scrape timeout greater than scrape interval");
  return base::Status::Ok();
}

}  // namespace

namespace {
base::Result<Config> ParseUnguarded(std::string_view yaml, std::string_view source);
}  // namespace

base::Result<Config> Parse(std::string_view yaml, std::string_view source) {
  // yaml-cpp reports misuse (a scalar read of a map, say) by throwing: caught here, once.
  try {
    return ParseUnguarded(yaml, source);
  } catch (const YAML::Exception& e) {
    return base::InvalidArgument(std::string(source) + ":" + std::to_string(e.mark.line + 1) +
                                 ": " + e.msg);
  }
}

namespace {
base::Result<Config> ParseUnguarded(std::string_view yaml, std::string_view source) {
  detail::Errors err(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return base::InvalidArgument(std::string(source) + ":" + std::to_string(e.mark.line + 1) +
                                 ": yaml: " + e.msg);
  }
  Config cfg;
  cfg.source = source;
  cfg.yaml = yaml;
  if (root.IsNull()) return cfg;
  if (!root.IsMap()) return err.At(root, "expected a mapping at the top level");
  std::set<std::string> seen;
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    if (!kTopLevel.contains(key)) return err.At(kv.first, "field " + key + " not found in type config.plain");
    if (!seen.insert(key).second) return err.At(kv.first, "field " + key + " already set");
    if (kSequences.contains(key) && !kv.second.IsNull() && !kv.second.IsSequence())
      return err.At(kv.second, key + ": expected a list");
  }
  // global first: the other sections take their defaults from it.
  if (root["global"]) RETURN_IF_ERROR(ParseGlobal(err, root["global"], &cfg.global));
  if (const YAML::Node sc = root["scrape_configs"]; sc && !sc.IsNull()) {
    std::set<std::string> jobs;
    for (const auto& n : sc) {
      ASSIGN_OR_RETURN(ScrapeConfig c, detail::ParseScrapeConfig(err, n, cfg.global, &cfg.warnings));
      if (!jobs.insert(c.job_name).second)
        return err.At(n, "found multiple scrape configs with job name \"" + c.job_name + "\"");
      cfg.scrape_configs.push_back(std::move(c));
    }
  }
  if (const YAML::Node rf = root["rule_files"]; rf && !rf.IsNull()) {
    for (const auto& n : rf) {
      if (!n.IsScalar() || n.Scalar().empty()) return err.At(n, "rule_files: expected a file path or glob");
      cfg.rule_files.push_back(n.Scalar());
    }
  }
  if (root["alerting"]) {
    ASSIGN_OR_RETURN(cfg.alerting, detail::ParseAlerting(err, root["alerting"], &cfg.warnings));
  }
  if (const YAML::Node st = root["storage"]; st && !st.IsNull())
    RETURN_IF_ERROR(ParseStorage(err, st, &cfg.storage));
  if (const YAML::Node rw = root["remote_write"]; rw && !rw.IsNull()) {
    std::set<std::string> names;
    for (const auto& n : rw) {
      ASSIGN_OR_RETURN(RemoteWriteConfig r, detail::ParseRemoteWrite(err, n));
      if (!r.name.empty() && !names.insert(r.name).second)
        return err.At(n, "found multiple remote write configs with job name \"" + r.name + "\"");
      cfg.remote_write.push_back(std::move(r));
    }
  }
  return cfg;
}
}  // namespace

namespace {

// Prometheus's Config.SetDirectory for service discovery: relative file_sd_configs paths are
// relative to the directory of the configuration file (config.JoinDir).
void SetDirectory(Config* cfg, const std::filesystem::path& dir) {
  if (dir.empty()) return;
  auto join = [&](ServiceDiscovery& sd) {
    for (FileSdConfig& f : sd.file_sd_configs)
      for (std::string& p : f.files)
        if (!p.empty() && p.front() != '/') p = (dir / p).lexically_normal().string();
  };
  for (ScrapeConfig& sc : cfg->scrape_configs) join(sc.sd);
  for (AlertmanagerConfig& am : cfg->alerting.alertmanagers) join(am.sd);
}

}  // namespace

base::Result<Config> LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return base::ErrnoError("open config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  ASSIGN_OR_RETURN(Config cfg, Parse(ss.str(), path));
  SetDirectory(&cfg, std::filesystem::path(path).parent_path());
  return cfg;
}

std::string_view DefaultYaml() { return kDefaultYaml; }

}  // namespace config

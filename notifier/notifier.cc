// Notifier: Alertmanager discovery from the configuration, per-Alertmanager queues and sending
// threads, the API v2 JSON encoding (Prometheus notifier/{manager,alertmanager,alertmanagerset,
// sendloop,util}.go).
#include "notifier/notifier.h"

#include <glob.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <deque>
#include <fstream>
#include <sstream>

#include "base/json_writer.h"
#include "base/time_format.h"
#include "config/secret.h"
#include "config/target_group.h"
#include "model/relabel.h"

namespace notifier {

namespace {

using AlertPtr = std::shared_ptr<const Alert>;

constexpr std::string_view kSchemeLabel = "__scheme__";
constexpr std::string_view kAddressLabel = "__address__";
constexpr std::string_view kPathLabel = "__alerts_path__";


void AppendAlertJson(std::string* out, const Alert& a) {
  out->push_back('{');
  if (!a.annotations.empty()) {
    // A Go map marshals with sorted keys; the first of duplicate names wins.
    std::vector<const std::pair<std::string, std::string>*> sorted;
    for (const auto& kv : a.annotations) sorted.push_back(&kv);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto* x, const auto* y) { return x->first < y->first; });
    out->append("\"annotations\":{");
    const std::string* prev = nullptr;
    for (const auto* kv : sorted) {
      if (prev && *prev == kv->first) continue;
      if (prev) out->push_back(',');
      base::AppendJsonString(out, kv->first);
      out->push_back(':');
      base::AppendJsonString(out, kv->second);
      prev = &kv->first;
    }
    out->append("},");
  }
  out->append("\"endsAt\":\"" + base::FormatDateTimeMillis(a.ends_at) + "\",");
  out->append("\"startsAt\":\"" + base::FormatDateTimeMillis(a.starts_at) + "\",");
  if (!a.generator_url.empty()) {
    out->append("\"generatorURL\":");
    base::AppendJsonString(out, a.generator_url);
    out->push_back(',');
  }
  out->append("\"labels\":{");
  bool first = true;
  for (const model::Label& l : a.labels) {
    if (!first) out->push_back(',');
    first = false;
    base::AppendJsonString(out, l.name);
    out->push_back(':');
    base::AppendJsonString(out, l.value);
  }
  out->append("}}");
}

// Go's path.Clean for absolute paths: one slash between elements, "." and ".." resolved, no
// trailing slash except for "/" itself.
std::string CleanAbsolutePath(std::string_view p) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view part = p.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (std::string_view part : parts) {
    out.push_back('/');
    out.append(part);
  }
  return out.empty() ? "/" : out;
}

std::string StatusText(int code) {
  switch (code) {
    case 400: return "400 Bad Request";
    case 401: return "401 Unauthorized";
    case 403: return "403 Forbidden";
    case 404: return "404 Not Found";
    case 405: return "405 Method Not Allowed";
    case 413: return "413 Request Entity Too Large";
    case 422: return "422 Unprocessable Entity";
    case 429: return "429 Too Many Requests";
    case 500: return "500 Internal Server Error";
    case 502: return "502 Bad Gateway";
    case 503: return "503 Service Unavailable";
    case 504: return "504 Gateway Timeout";
    default: return std::to_string(code);
  }
}

void AppendRelabelFingerprint(std::string* out, const std::vector<model::RelabelConfig>& rcs) {
  for (const model::RelabelConfig& rc : rcs) {
    out->append("rc{");
    for (const std::string& s : rc.source_labels) out->append(s + "\x1f");
    out->append("|" + rc.separator + "|" + rc.regex.source() + "|" + std::to_string(rc.modulus) +
                "|" + rc.target_label + "|" + rc.replacement + "|" +
                std::string(model::RelabelActionName(rc.action)) + "}");
  }
}

// What identifies an Alertmanager configuration: every field that changes how alerts are sent
// (Prometheus hashes the YAML of the config, alertmanagerSet.configHash).
std::string Fingerprint(const config::AlertmanagerConfig& c) {
  std::string f = c.scheme + "\x1e" + c.path_prefix + "\x1e" + std::to_string(c.timeout.count()) +
                  "\x1e" + c.api_version + "\x1e";
  const config::HttpClientConfig& h = c.http;
  if (h.basic_auth)
    f += "ba:" + h.basic_auth->username + "\x1f" + h.basic_auth->username_file + "\x1f" +
         h.basic_auth->password + "\x1f" + h.basic_auth->password_file + "\x1e";
  if (h.authorization)
    f += "au:" + h.authorization->type + "\x1f" + h.authorization->credentials + "\x1f" +
         h.authorization->credentials_file + "\x1e";
  const config::TlsConfig& t = h.tls_config;
  f += "tls:" + t.ca_file + "\x1f" + t.cert_file + "\x1f" + t.key_file + "\x1f" + t.ca + "\x1f" +
       t.cert + "\x1f" + t.key + "\x1f" + t.server_name + "\x1f" + t.min_version + "\x1f" +
       (t.insecure_skip_verify ? "1" : "0") + "\x1e";
  f += h.proxy_url + "\x1e" + (h.follow_redirects ? "1" : "0") + "\x1e";
  for (const config::StaticConfig& sc : c.sd.static_configs) {
    f += "sc:";
    for (const std::string& target : sc.targets) f += target + "\x1f";
    f += sc.labels.ToString() + "\x1e";
  }
  for (const config::FileSdConfig& fc : c.sd.file_sd_configs) {
    f += "fsd:";
    for (const std::string& file : fc.files) f += file + "\x1f";
    f += std::to_string(fc.refresh_interval.count()) + "\x1e";
  }
  AppendRelabelFingerprint(&f, c.relabel_configs);
  f += "\x1e";
  AppendRelabelFingerprint(&f, c.alert_relabel_configs);
  return f;
}

// External labels the alert lacks, then `configs` (Prometheus notifier relabelAlerts). Alerts
// whose labels do not change are shared, not copied.
std::vector<AlertPtr> RelabelAlerts(const std::vector<model::RelabelConfig>& configs,
                                    const model::Labels& external_labels,
                                    const std::vector<AlertPtr>& alerts) {
  std::vector<AlertPtr> out;
  out.reserve(alerts.size());
  for (const AlertPtr& a : alerts) {
    model::Labels ls = a->labels;
    if (!external_labels.empty()) {
      model::LabelsBuilder lb(a->labels);
      bool changed = false;
      for (const model::Label& l : external_labels) {
        if (a->labels.Get(l.name).empty()) {
          lb.Set(l.name, l.value);
          changed = true;
        }
      }
      if (changed) ls = lb.Build();
    }
    std::optional<model::Labels> relabeled = model::Process(ls, configs);
    if (!relabeled) continue;
    if (*relabeled == a->labels) {
      out.push_back(a);
    } else {
      auto copy = std::make_shared<Alert>(*a);
      copy->labels = std::move(*relabeled);
      out.push_back(std::move(copy));
    }
  }
  return out;
}

// The target groups of file_sd_configs, read now. A file that cannot be read or parsed is
// logged and skipped.
std::vector<config::StaticConfig> ReadFileSd(const std::vector<config::FileSdConfig>& fsds,
                                             base::Logger& logger) {
  std::vector<config::StaticConfig> groups;
  for (const config::FileSdConfig& fsd : fsds) {
    for (const std::string& pattern : fsd.files) {
      glob_t g{};
      if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) {
          std::string path = g.gl_pathv[i];
          std::ifstream in(path);
          std::stringstream ss;
          ss << in.rdbuf();
          if (!in) {
            logger.Error("notifier", "Error reading file", {{"path", path}});
            continue;
          }
          auto parsed = config::ParseTargetGroups(ss.str(), path);
          if (!parsed) {
            logger.Error("notifier", "Error reading file",
                         {{"path", path}, {"err", parsed.error().message()}});
            continue;
          }
          for (config::StaticConfig& sc : *parsed) groups.push_back(std::move(sc));
        }
      }
      ::globfree(&g);
    }
  }
  return groups;
}

}  // namespace

std::string EncodeAlerts(std::span<const Alert> alerts) {
  std::string out = "[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    if (i) out.push_back(',');
    AppendAlertJson(&out, alerts[i]);
  }
  out.push_back(']');
  return out;
}

std::string PostPath(std::string_view path_prefix, std::string_view api_version) {
  std::string joined = "/" + std::string(path_prefix) + "/api/" + std::string(api_version) + "/alerts";
  return CleanAbsolutePath(joined);
}

// One Alertmanager: its queue and the thread sending it (Prometheus's sendLoop).
// Thread-safe. Invariant: queue_.size() <= options.queue_capacity.
class Manager::SendLoop {
 public:
  SendLoop(std::string url, std::string key, std::shared_ptr<const config::AlertmanagerConfig> cfg,
           const Options& options, base::metrics::Registry& registry)
      : url_(std::move(url)),
        key_(std::move(key)),
        cfg_(std::move(cfg)),
        options_(options),
        sent_(registry.GetCounter("prometheus_notifications_sent_total", "Total number of alerts sent.",
                                  {{"alertmanager", url_}})),
        errors_(registry.GetCounter("prometheus_notifications_errors_total",
                                    "Total number of sent alerts affected by errors.",
                                    {{"alertmanager", url_}})),
        dropped_(registry.GetCounter(
            "prometheus_notifications_dropped_total",
            "Total number of alerts dropped due to errors when sending to Alertmanager.",
            {{"alertmanager", url_}})),
        queue_length_(registry.GetGauge("prometheus_notifications_queue_length",
                                        "The number of alert notifications in the queue.",
                                        {{"alertmanager", url_}})),
        latency_(registry.GetHistogram("prometheus_notifications_latency_histogram_seconds",
                                       "Latency histogram for sending alert notifications.",
                                       {.01, .1, 1, 10}, {{"alertmanager", url_}})),
        thread_([this](std::stop_token stop) { Run(stop); }) {}

  // Requests the stop and joins: the thread sends (drain_on_shutdown) or drops what is queued.
  ~SendLoop() {
    thread_.request_stop();
    thread_.join();
  }
  SendLoop(const SendLoop&) = delete;
  SendLoop& operator=(const SendLoop&) = delete;

  const std::string& url() const { return url_; }
  const std::string& key() const { return key_; }

  // Appends `alerts`, dropping the oldest queued ones (then the first of `alerts`) beyond the
  // capacity (Prometheus sendLoop.add).
  void Add(const std::vector<AlertPtr>& alerts) {
    std::lock_guard lock(mu_);
    if (closed_) return;
    size_t dropped = 0, skip = 0;
    const size_t cap = options_.queue_capacity;
    if (alerts.size() > cap) {
      skip = alerts.size() - cap;
      dropped += skip;
      options_.logger->Warn("notifier", "Alert batch larger than queue capacity, dropping alerts",
                            {{"alertmanager", url_}, {"count", std::to_string(skip)}});
    }
    size_t incoming = alerts.size() - skip;
    if (queue_.size() + incoming > cap) {
      size_t d = queue_.size() + incoming - cap;
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(d));
      dropped += d;
      if (!full_logged_)
        options_.logger->Warn("notifier", "Alert notification queue full, dropping alerts",
                              {{"alertmanager", url_}, {"count", std::to_string(d)}});
      full_logged_ = true;
    } else {
      full_logged_ = false;
    }
    queue_.insert(queue_.end(), alerts.begin() + static_cast<std::ptrdiff_t>(skip), alerts.end());
    queue_length_.Set(static_cast<double>(queue_.size()));
    if (dropped) dropped_.Inc(static_cast<double>(dropped));
    cv_.notify_one();
  }

  size_t QueueLength() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

 private:
  std::vector<AlertPtr> NextBatch() {
    std::vector<AlertPtr> batch;
    size_t n = std::min(queue_.size(), options_.max_batch_size);
    batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_length_.Set(static_cast<double>(queue_.size()));
    return batch;
  }

  void Run(std::stop_token stop) {
    for (;;) {
      std::vector<AlertPtr> batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, stop, [&] { return !queue_.empty(); });
        if (stop.stop_requested()) break;
        batch = NextBatch();
      }
      SendBatch(batch);
    }
    std::vector<AlertPtr> rest;
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      if (!options_.drain_on_shutdown) {
        if (!queue_.empty()) {
          options_.logger->Warn("notifier",
                                "Alert notification queue not drained on shutdown, dropping alerts",
                                {{"alertmanager", url_}, {"count", std::to_string(queue_.size())}});
          dropped_.Inc(static_cast<double>(queue_.size()));
        }
        queue_.clear();
        queue_length_.Set(0);
        return;
      }
    }
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (queue_.empty()) break;
        rest = NextBatch();
      }
      SendBatch(rest);
    }
  }

  // Posts one batch; counts it as sent, or as errors and dropped (Prometheus sendLoop.sendAll).
  void SendBatch(const std::vector<AlertPtr>& batch) {
    if (batch.empty()) return;
    const auto begin = std::chrono::steady_clock::now();
    std::string body = "[";
    for (size_t i = 0; i < batch.size(); ++i) {
      if (i) body.push_back(',');
      AppendAlertJson(&body, *batch[i]);
    }
    body.push_back(']');
    base::Status st = Post(body);
    const double n = static_cast<double>(batch.size());
    if (!st.ok()) {
      errors_.Inc(n);
      dropped_.Inc(n);
      if (!failing_)
        options_.logger->Error("notifier", "Error sending alerts",
                               {{"alertmanager", url_}, {"count", std::to_string(batch.size())},
                                {"err", st.message()}});
      failing_ = true;
      return;
    }
    if (failing_)
      options_.logger->Info("notifier", "Sending alerts succeeds again", {{"alertmanager", url_}});
    failing_ = false;
    latency_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
    sent_.Inc(n);
  }

  base::Status Post(const std::string& body) {
    const config::HttpClientConfig& http = cfg_->http;
    if (!client_) {
      size_t host_start = url_.find("://") + 3;
      size_t path_start = url_.find('/', host_start);
      std::string origin = url_.substr(0, path_start);
      path_ = path_start == std::string::npos ? "/" : url_.substr(path_start);
      const config::TlsConfig& tls = http.tls_config;
      client_ = std::make_unique<httplib::Client>(origin, tls.cert_file, tls.key_file);
      auto t = cfg_->timeout.count();
      client_->set_connection_timeout(t / 1000, (t % 1000) * 1000);
      client_->set_read_timeout(t / 1000, (t % 1000) * 1000);
      client_->set_write_timeout(t / 1000, (t % 1000) * 1000);
      client_->set_follow_location(http.follow_redirects);
      client_->set_keep_alive(true);
      if (!tls.ca_file.empty()) client_->set_ca_cert_path(tls.ca_file);
      if (tls.insecure_skip_verify) client_->enable_server_certificate_verification(false);
    }
    httplib::Headers headers = {{"User-Agent", options_.user_agent}};
    if (http.basic_auth) {
      const config::BasicAuth& ba = *http.basic_auth;
      client_->set_basic_auth(ba.username_file.empty() ? ba.username : config::ReadSecretFile(ba.username_file),
                              ba.password_file.empty() ? ba.password : config::ReadSecretFile(ba.password_file));
    }
    if (http.authorization) {
      const config::Authorization& au = *http.authorization;
      headers.emplace("Authorization",
                      au.type + " " +
                          (au.credentials_file.empty() ? au.credentials
                                                       : config::ReadSecretFile(au.credentials_file)));
    }
    auto res = client_->Post(path_, headers, body, "application/json");
    if (!res) {
      // Drop the connection: the next batch dials again.
      client_.reset();
      return base::Unavailable("Post \"" + url_ + "\": " + httplib::to_string(res.error()));
    }
    if (res->status / 100 != 2) return base::Unavailable("bad response status " + StatusText(res->status));
    return base::Status::Ok();
  }

  const std::string url_;
  const std::string key_;
  const std::shared_ptr<const config::AlertmanagerConfig> cfg_;
  const Options& options_;
  base::metrics::Counter& sent_;
  base::metrics::Counter& errors_;
  base::metrics::Counter& dropped_;
  base::metrics::Gauge& queue_length_;
  base::metrics::Histogram& latency_;

  // Owned by the sending thread.
  std::unique_ptr<httplib::Client> client_;
  std::string path_;
  bool failing_ = false;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<AlertPtr> queue_;  // guarded by mu_
  bool full_logged_ = false;    // guarded by mu_
  bool closed_ = false;         // guarded by mu_; set when the thread stops taking alerts
  std::jthread thread_;         // last: started after, and stopped before, everything above
};

// The Alertmanagers of one `alertmanagers` entry (Prometheus's alertmanagerSet).
struct Manager::AlertmanagerSet {
  std::shared_ptr<const config::AlertmanagerConfig> cfg;
  std::string fingerprint;
  std::vector<std::string> active;                // URLs, deduplicated
  std::vector<std::string> dropped;               // URLs of targets relabeling dropped
  std::vector<std::unique_ptr<SendLoop>> loops;   // one per URL of `active`, same order
};

Manager::Manager(Options options)
    : options_(std::move(options)),
      own_registry_(options_.registry ? nullptr : std::make_unique<base::metrics::Registry>()),
      registry_(options_.registry ? options_.registry : own_registry_.get()) {
  queue_capacity_ = &registry_->GetGauge("prometheus_notifications_queue_capacity",
                                         "The capacity of the alert notifications queue.");
  queue_capacity_->Set(static_cast<double>(options_.queue_capacity));
  discovered_ = &registry_->GetGauge("prometheus_notifications_alertmanagers_discovered",
                                     "The number of alertmanagers discovered and active.");
  refresher_ = std::jthread([this](std::stop_token stop) { RefreshLoop(stop); });
}

Manager::~Manager() { Stop(); }

// Alertmanagers of `set` from its static and file target groups, relabeled by relabel_configs
// (Prometheus AlertmanagerFromGroup); loops are taken from `pool` by key or started.
void Manager::SyncSet(AlertmanagerSet& set,
                      std::map<std::string, std::unique_ptr<SendLoop>>* pool) {
  const config::AlertmanagerConfig& cfg = *set.cfg;
  std::vector<config::StaticConfig> groups = cfg.sd.static_configs;
  if (!cfg.sd.file_sd_configs.empty()) {
    std::vector<config::StaticConfig> files = ReadFileSd(cfg.sd.file_sd_configs, *options_.logger);
    groups.insert(groups.end(), files.begin(), files.end());
  }
  std::vector<std::string> active, dropped;
  const std::string path = PostPath(cfg.path_prefix, cfg.api_version);
  for (const config::StaticConfig& group : groups) {
    std::vector<std::string> group_active, group_dropped;
    bool bad = false;
    for (const std::string& target : group.targets) {
      model::LabelsBuilder lb;
      lb.Set(kAddressLabel, target);
      lb.Set(kSchemeLabel, cfg.scheme);
      lb.Set(kPathLabel, path);
      for (const model::Label& l : group.labels)
        if (l.name != kAddressLabel) lb.Set(l.name, l.value);
      model::Labels pre = lb.Build();
      std::optional<model::Labels> ls = model::Process(pre, cfg.relabel_configs);
      const model::Labels& url_labels = ls ? *ls : pre;
      std::string url = std::string(url_labels.Get(kSchemeLabel)) + "://" +
                        std::string(url_labels.Get(kAddressLabel)) +
                        std::string(url_labels.Get(kPathLabel));
      if (!ls) {
        group_dropped.push_back(std::move(url));
        continue;
      }
      if (ls->Get(kAddressLabel).find('/') != std::string_view::npos) {
        options_.logger->Error(
            "notifier", "Creating discovered Alertmanagers failed",
            {{"err", "\"" + std::string(ls->Get(kAddressLabel)) + "\" is not a valid hostname"}});
        bad = true;
        break;
      }
      group_active.push_back(std::move(url));
    }
    if (bad) continue;
    active.insert(active.end(), group_active.begin(), group_active.end());
    dropped.insert(dropped.end(), group_dropped.begin(), group_dropped.end());
  }
  set.active.clear();
  set.dropped = std::move(dropped);
  set.loops.clear();
  for (std::string& url : active) {
    if (std::find(set.active.begin(), set.active.end(), url) != set.active.end()) continue;
    std::string key = set.fingerprint + "\x1d" + url;
    auto it = pool->find(key);
    if (it != pool->end()) {
      set.loops.push_back(std::move(it->second));
      pool->erase(it);
    } else {
      set.loops.push_back(std::make_unique<SendLoop>(url, key, set.cfg, options_, *registry_));
    }
    set.active.push_back(std::move(url));
  }
}

base::Status Manager::ApplyConfig(const config::Config& cfg) {
  for (const config::AlertmanagerConfig& am : cfg.alerting.alertmanagers) {
    if (am.http.oauth2)
      return base::InvalidArgument("alertmanager: oauth2 is not supported by Hestia's notifier");
    if (am.api_version != "v2")
      return base::InvalidArgument("expected Alertmanager api version to be one of [v2] but got " +
                                   am.api_version);
  }
  std::map<std::string, std::unique_ptr<SendLoop>> pool;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return base::Status::Ok();
    external_labels_ = cfg.global.external_labels;
    relabel_configs_ = cfg.alerting.alert_relabel_configs;
    for (auto& set : sets_)
      for (auto& loop : set->loops) {
        std::string key = loop->key();
        pool.emplace(std::move(key), std::move(loop));
      }
    std::vector<std::unique_ptr<AlertmanagerSet>> next;
    size_t discovered = 0;
    for (const config::AlertmanagerConfig& am : cfg.alerting.alertmanagers) {
      auto set = std::make_unique<AlertmanagerSet>();
      set->cfg = std::make_shared<const config::AlertmanagerConfig>(am);
      set->fingerprint = Fingerprint(am);
      SyncSet(*set, &pool);
      discovered += set->active.size();
      next.push_back(std::move(set));
    }
    sets_ = std::move(next);
    discovered_->Set(static_cast<double>(discovered));
  }
  refresh_cv_.notify_all();
  pool.clear();  // stops the loops of Alertmanagers that are gone, outside mu_
  return base::Status::Ok();
}

void Manager::RefreshLoop(std::stop_token stop) {
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    std::chrono::milliseconds every{0};
    for (const auto& set : sets_)
      for (const config::FileSdConfig& f : set->cfg->sd.file_sd_configs)
        if (f.refresh_interval.count() > 0 && (every.count() == 0 || f.refresh_interval < every))
          every = f.refresh_interval;
    if (every.count() == 0) {
      // Nothing to refresh: wait for a configuration with file_sd_configs, or the stop.
      refresh_cv_.wait(lock, stop, [] { return false; });
      continue;
    }
    if (refresh_cv_.wait_for(lock, stop, every, [] { return false; }) || stop.stop_requested())
      continue;
    std::map<std::string, std::unique_ptr<SendLoop>> pool;
    size_t discovered = 0;
    for (auto& set : sets_) {
      if (!set->cfg->sd.file_sd_configs.empty()) {
        for (auto& loop : set->loops) {
          std::string key = loop->key();
          pool.emplace(std::move(key), std::move(loop));
        }
        SyncSet(*set, &pool);
      }
      discovered += set->active.size();
    }
    discovered_->Set(static_cast<double>(discovered));
    lock.unlock();
    pool.clear();
    lock.lock();
  }
}

void Manager::Send(std::vector<Alert> alerts) {
  if (alerts.empty()) return;
  std::vector<AlertPtr> in;
  in.reserve(alerts.size());
  for (Alert& a : alerts) in.push_back(std::make_shared<const Alert>(std::move(a)));
  std::vector<AlertPtr> relabeled;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    relabeled = RelabelAlerts(relabel_configs_, external_labels_, in);
    if (relabeled.empty()) return;
    for (const auto& set : sets_) {
      if (set->cfg->alert_relabel_configs.empty()) {
        for (const auto& loop : set->loops) loop->Add(relabeled);
        continue;
      }
      std::vector<AlertPtr> own = RelabelAlerts(set->cfg->alert_relabel_configs, {}, relabeled);
      if (own.empty()) continue;
      for (const auto& loop : set->loops) loop->Add(own);
    }
  }
  // Outside mu_: the receiver may take locks of its own.
  if (options_.local) {
    std::vector<Alert> batch;
    batch.reserve(relabeled.size());
    for (const AlertPtr& a : relabeled) batch.push_back(*a);
    options_.local(batch);
  }
}

void Manager::Stop() {
  std::vector<std::unique_ptr<SendLoop>> loops;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& set : sets_)
      for (auto& loop : set->loops) loops.push_back(std::move(loop));
    for (auto& set : sets_) set->loops.clear();
  }
  options_.logger->Info("notifier", "Stopping notification manager...");
  refresher_.request_stop();
  if (refresher_.joinable()) refresher_.join();
  loops.clear();  // each sends or drops its queue, then joins
}

std::vector<std::string> Manager::Alertmanagers() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& set : sets_) out.insert(out.end(), set->active.begin(), set->active.end());
  return out;
}

std::vector<std::string> Manager::DroppedAlertmanagers() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& set : sets_) out.insert(out.end(), set->dropped.begin(), set->dropped.end());
  return out;
}

std::string Manager::AlertmanagersJson() const {
  auto list = [](const std::vector<std::string>& urls) {
    std::string out = "[";
    for (size_t i = 0; i < urls.size(); ++i) {
      if (i) out.push_back(',');
      out.append("{\"url\":");
      base::AppendJsonString(&out, urls[i]);
      out.push_back('}');
    }
    return out + "]";
  };
  return "{\"activeAlertmanagers\":" + list(Alertmanagers()) +
         ",\"droppedAlertmanagers\":" + list(DroppedAlertmanagers()) + "}";
}

size_t Manager::QueueLength() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& set : sets_)
    for (const auto& loop : set->loops) n += loop->QueueLength();
  return n;
}

}  // namespace notifier

// Notifier: sends alerts to the Alertmanagers of the configuration's `alerting` section
// (Prometheus notifier/, 3.x semantics: one queue and one sending thread per Alertmanager).
//
// An alert handed to Send gets the external labels it lacks, then the global
// alert_relabel_configs, then each Alertmanager configuration's own alert_relabel_configs, and
// is queued for every Alertmanager of that configuration. Each Alertmanager's thread POSTs the
// queue in batches of at most max_batch_size alerts as Alertmanager API v2 JSON to
// {scheme}://{address}{path_prefix}/api/v2/alerts, with the configuration's timeout. A full
// queue drops its oldest alerts. docs/rules.md ("Notifier") describes the behaviour and the
// self-metrics.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "base/logger.h"
#include "base/metrics.h"
#include "base/status.h"
#include "config/config.h"
#include "model/labels.h"
#include "model/sample.h"

namespace notifier {

// One alert as Alertmanager receives it (Prometheus's notifier.Alert). Times are ms since the
// epoch; 0 means unset (Go's zero time.Time).
struct Alert {
  model::Labels labels;
  std::vector<std::pair<std::string, std::string>> annotations;
  model::Timestamp starts_at = 0;
  model::Timestamp ends_at = 0;
  std::string generator_url;
};

struct Options {
  // Alerts each Alertmanager's queue holds (--alertmanager.notification-queue-capacity).
  // REQUIRES: > 0.
  size_t queue_capacity = 10000;
  // Alerts per request (--alertmanager.notification-batch-size). REQUIRES: > 0.
  size_t max_batch_size = 256;
  // Whether Stop() sends what is queued before returning; otherwise it is dropped and counted.
  bool drain_on_shutdown = true;
  std::string user_agent = "Hestia";
  base::Logger* logger = &base::Logger::Quiet();
  // Where the prometheus_notifications_* metrics go; null: a registry of the Manager's own.
  base::metrics::Registry* registry = nullptr;
  // The in-process Alertmanager, when set: called by Send with each batch after the external
  // labels and the global alert_relabel_configs (not those of an Alertmanager configuration), in
  // addition to the Alertmanagers configured; never with an empty batch, never under the
  // Manager's lock, on the thread that called Send.
  std::function<void(const std::vector<Alert>&)> local;
};

// `alerts` as the JSON body of POST /api/v2/alerts (Alertmanager's PostableAlerts, as Prometheus
// marshals them): [{"annotations":{..},"endsAt":"..","startsAt":"..","generatorURL":"..",
// "labels":{..}}], annotations and generatorURL left out when empty, names sorted, strings
// escaped as Go's encoding/json does.
std::string EncodeAlerts(std::span<const Alert> alerts);

// The push path of an Alertmanager: path.Join("/", path_prefix, "/api/<version>/alerts")
// (Prometheus notifier postPath).
std::string PostPath(std::string_view path_prefix, std::string_view api_version);

// Thread-safe. Lock order: Manager::mu_, then a send loop's own mutex.
class Manager {
 public:
  explicit Manager(Options options);
  ~Manager();  // Stop()
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Takes the external labels, alert_relabel_configs and Alertmanagers of `cfg`. Alertmanagers
  // come from static_configs and file_sd_configs (files read now; re-read every
  // refresh_interval), relabeled by their relabel_configs (__address__, __scheme__,
  // __alerts_path__), deduplicated by URL. An Alertmanager whose configuration and URL are
  // unchanged keeps its queue and thread; the others' queues are sent (drain_on_shutdown) or
  // dropped. Errors: kInvalidArgument for a configuration Hestia cannot send with (oauth2);
  // nothing changes then. Ignored after Stop().
  base::Status ApplyConfig(const config::Config& cfg);

  // Queues `alerts` for every Alertmanager (see the file comment). Never blocks on the network.
  // Ignored after Stop().
  void Send(std::vector<Alert> alerts);

  // Stops every sending thread, after sending the queues if drain_on_shutdown; idempotent.
  void Stop();

  // URLs of the Alertmanagers alerts are sent to, and of those dropped by relabeling (Prometheus's
  // Alertmanagers / DroppedAlertmanagers), in configuration order.
  std::vector<std::string> Alertmanagers() const;
  std::vector<std::string> DroppedAlertmanagers() const;
  // The `data` of GET /api/v1/alertmanagers:
  // {"activeAlertmanagers":[{"url":".."}],"droppedAlertmanagers":[{"url":".."}]}.
  std::string AlertmanagersJson() const;

  // Alerts waiting in the queues of all Alertmanagers.
  size_t QueueLength() const;

 private:
  class SendLoop;
  struct AlertmanagerSet;

  // Discovers the Alertmanagers of `set`, taking their send loops out of `pool` (keyed by
  // configuration fingerprint and URL) or starting new ones. REQUIRES: mu_ held.
  void SyncSet(AlertmanagerSet& set, std::map<std::string, std::unique_ptr<SendLoop>>* pool);
  void RefreshLoop(std::stop_token stop);

  const Options options_;
  std::unique_ptr<base::metrics::Registry> own_registry_;
  base::metrics::Registry* const registry_;
  base::metrics::Gauge* queue_capacity_ = nullptr;
  base::metrics::Gauge* discovered_ = nullptr;

  mutable std::mutex mu_;
  model::Labels external_labels_;                           // guarded by mu_
  std::vector<model::RelabelConfig> relabel_configs_;       // guarded by mu_
  std::vector<std::unique_ptr<AlertmanagerSet>> sets_;      // guarded by mu_
  bool stopped_ = false;                                    // guarded by mu_

  // Re-reads file_sd_configs files; started by the first ApplyConfig that has any.
  std::condition_variable_any refresh_cv_;
  std::jthread refresher_;
};

}  // namespace notifier

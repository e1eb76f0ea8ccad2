// Alertmanager: the whole Alertmanager side of Hestia behind one object (Alertmanager's
// cmd/alertmanager wiring without the HTTP layer): alert store, silences, inhibitor, routing tree,
// aggregation groups and notification pipeline, notification log, persistence under
// `storage_path`. web/ serves API v2 from it; cmd/ runs it inside `hestia` or standalone.
//
//   alerting::Alertmanager am(options);
//   RETURN_IF_ERROR(am.Open());                 // loads silences and notification log
//   RETURN_IF_ERROR(am.ApplyConfig(config));    // (re)builds routes, receivers, templates
//   am.PutAlerts(alerts);                        // from API v2 or in-process
//   am.Stop();                                   // flushes state to disk
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerting/alert.h"
#include "alerting/config/config.h"
#include "alerting/notify/notifier.h"
#include "alerting/silence.h"
#include "base/clock.h"
#include "base/logger.h"
#include "base/metrics.h"
#include "base/status.h"

namespace alerting {

struct AlertmanagerOptions {
  std::string storage_path = "data/";       // --storage.path: silences and nflog files live here
  std::string external_url;                 // --web.external-url (absolute URL), for templates
  std::chrono::milliseconds retention{std::chrono::hours(120)};  // --data.retention
  std::chrono::milliseconds maintenance_interval{std::chrono::minutes(15)};  // snapshot + GC
  std::chrono::milliseconds alert_gc_interval{std::chrono::minutes(30)};     // --alerts.gc-interval
  base::Logger* logger = &base::Logger::Quiet();
  base::metrics::Registry* registry = nullptr;  // alertmanager_* metrics; none when null
  const base::Clock* clock = &base::Clock::Real();
  // Builds a receiver's integrations. Null: alerting::notify::BuildIntegrations with the
  // config's templates. For tests and embedders that bring notifiers of their own.
  std::function<base::Result<std::vector<notify::Integration>>(const config::Receiver&)>
      build_integrations;
};

// An alert's state as API v2 reports it (types.AlertStatus).
struct AlertStatus {
  std::string state;                      // "unprocessed", "active", "suppressed"
  std::vector<std::string> silenced_by;   // silence ids, sorted
  std::vector<std::string> inhibited_by;  // fingerprints of inhibiting alerts ("%016x")
};

struct AlertView {
  AlertPtr alert;
  AlertStatus status;
  std::vector<std::string> receivers;  // names of the receivers of the routes it matches
};

// One aggregation group as GET /api/v2/alerts/groups reports it.
struct AlertGroupView {
  model::Labels labels;      // the group labels
  std::string receiver;
  std::string route_id;      // Route::ID()
  std::vector<AlertView> alerts;
};

// Thread-safe.
class Alertmanager {
 public:
  explicit Alertmanager(AlertmanagerOptions options);
  ~Alertmanager();  // Stop()
  Alertmanager(const Alertmanager&) = delete;
  Alertmanager& operator=(const Alertmanager&) = delete;

  // Creates storage_path if needed and loads the silences and notification log snapshots
  // ("silences" and "nflog" files there). A corrupt snapshot is an error naming the file.
  base::Status Open();
  // Applies a loaded config: receivers (with their notifiers), templates (the config's globs,
  // already resolved, on top of the default templates), routes and inhibit rules. Aggregation
  // groups are rebuilt and every alert re-dispatched, as Alertmanager does on reload.
  // Errors: a template that fails to parse (nothing changes then).
  base::Status ApplyConfig(std::shared_ptr<const config::Config> config);
  // Takes in alerts (API v2 POST semantics: starts_at defaults to now; an alert without ends_at
  // gets now + resolve_timeout and timeout=true; merged with the stored alert of the same
  // fingerprint when their times overlap). Validation errors name the alert; valid alerts of
  // the batch are still taken (as Alertmanager does), the error lists the others.
  base::Status PutAlerts(std::vector<Alert> alerts);

  // API v2 queries. `receiver` is a regex over receiver names ("" for all), anchored.
  struct AlertFilter {
    std::vector<std::string> matchers;  // Alertmanager matcher strings, e.g. "severity=\"page\""
    bool active = true, silenced = true, inhibited = true, unprocessed = true;
    std::string receiver;
  };
  base::Result<std::vector<AlertView>> GetAlerts(const AlertFilter& filter) const;
  base::Result<std::vector<AlertGroupView>> GetAlertGroups(const AlertFilter& filter) const;

  Silences& silences();
  std::shared_ptr<const config::Config> config() const;
  // Receiver names in config order.
  std::vector<std::string> receivers() const;

  // Writes the silences and nflog snapshots now (also done every maintenance_interval and by Stop).
  base::Status Snapshot();
  // Stops timers and background work, waits for in-flight notifications, writes snapshots.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alerting

// Dispatcher: sorts alerts into aggregation groups per (route, group labels) and flushes each
// group through the notification pipeline on its timers (Alertmanager's dispatch/dispatch.go).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerting/alert.h"
#include "alerting/notify/stage.h"
#include "alerting/route.h"
#include "base/clock.h"
#include "base/logger.h"
#include "base/metrics.h"
#include "model/labels.h"

namespace alerting {

// dispatch.getGroupLabels: the alert's labels named in group_by (all with `...`).
model::Labels GroupLabels(const model::Labels& labels, const RouteOpts& opts);
// model.LabelSet.Before: fewer labels first, then by the sorted union of names, comparing values.
bool LabelSetBefore(const model::Labels& a, const model::Labels& b);
// types.AlertSlice.Less: by the `job` label, then `instance` (alerts with the label first),
// then LabelSetBefore.
bool AlertLess(const Alert& a, const Alert& b);

// One aggregation group as Groups() returns it.
struct GroupSnapshot {
  model::Labels labels;
  std::string receiver;
  std::string route_id;   // Route::ID()
  std::string group_key;  // route.Key() + ":" + labels, as aggrGroup.GroupKey
  Alerts alerts;          // sorted by AlertLess
};

// Thread-safe. Each aggregation group runs on its own thread (as each aggrGroup runs in its
// own goroutine); a flush waits for the pipeline, which gives up at the flush's deadline
// (max(group_interval, min_timeout) later, cmd/alertmanager's timeoutFunc) or on Stop.
// Lock order: mu_ before a group's mutex.
class Dispatcher {
 public:
  struct Options {
    const base::Clock* clock = &base::Clock::Real();
    base::Logger* logger = &base::Logger::Quiet();
    base::metrics::Registry* registry = nullptr;  // may be null
    std::string external_url;
    // How often empty groups are dropped (Alertmanager: 30s).
    std::chrono::milliseconds maintenance_interval{std::chrono::seconds(30)};
    std::chrono::milliseconds min_timeout{std::chrono::seconds(10)};  // notify.MinTimeout
  };

  Dispatcher(std::shared_ptr<const Route> route, std::shared_ptr<const notify::Stage> pipeline,
             Options options);
  ~Dispatcher();  // Stop()
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Puts the alert into the group of each route it matches, creating the group (which first
  // flushes after group_wait, at once if the alert started more than group_wait ago).
  void Process(const AlertPtr& alert);
  // Stops every group (interrupting retries) and waits for their threads; no flush afterwards.
  void Stop();

  // dispatch.Dispatcher.Groups: the groups of the routes `route_filter` accepts with the alerts
  // `alert_filter` accepts (groups left empty are omitted), sorted by labels then receiver.
  // When `receivers` is given, it gets for each listed alert the sorted receivers of its groups.
  using RouteFilter = std::function<bool(const Route&)>;
  using AlertFilter = std::function<bool(const AlertPtr&, int64_t now_ms)>;
  std::vector<GroupSnapshot> Groups(const RouteFilter& route_filter,
                                    const AlertFilter& alert_filter,
                                    std::map<uint64_t, std::vector<std::string>>* receivers) const;
  size_t group_count() const;
  // Drops the empty groups (also done every maintenance_interval).
  void DoMaintenance();

 private:
  class AggrGroup;
  void MaintenanceLoop(std::stop_token stop);

  const std::shared_ptr<const Route> route_;
  const std::shared_ptr<const notify::Stage> pipeline_;
  const Options options_;
  base::metrics::Gauge* groups_gauge_ = nullptr;

  mutable std::mutex mu_;
  // GUARDED_BY(mu_): groups by route, then by the fingerprint of the group labels.
  std::map<const Route*, std::map<uint64_t, std::unique_ptr<AggrGroup>>> groups_;
  bool stopped_ = false;  // GUARDED_BY(mu_)
  std::jthread maintenance_;
};

}  // namespace alerting

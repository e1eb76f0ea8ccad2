// AlertStore: the in-memory alert provider (Alertmanager's provider/mem with store.Alerts):
// alerts by fingerprint, merged on Put, handed to subscribers (dispatcher, inhibitor), and
// dropped by GC once resolved.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "alerting/alert.h"
#include "alerting/marker.h"
#include "base/clock.h"
#include "base/metrics.h"

namespace alerting {

// types.Alert.Merge: `a` and `b` have the same labels; the one updated later (`b` on a tie)
// gives everything but the times. The earlier start wins. When the newer alert is resolved at
// `now_ms`, the later end wins if the older one is resolved too; when it is not resolved, the
// older one's end wins if it is later and was not set by the resolve timeout.
Alert MergeAlerts(const Alert& a, const Alert& b, int64_t now_ms);

// Thread-safe. Lock order: put_mu_ (held while subscribers run) before mu_; subscribers must
// not call Put or Subscribe.
class AlertStore {
 public:
  using Listener = std::function<void(const AlertPtr&)>;

  // `registry` may be null. Registers alertmanager_alerts{state} (active, suppressed,
  // unprocessed among the alerts that are not resolved, as provider/mem counts them).
  AlertStore(const base::Clock& clock, std::shared_ptr<Marker> marker,
             base::metrics::Registry* registry);
  ~AlertStore();
  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;

  // provider/mem Alerts.Put: each alert replaces the stored one of its fingerprint, merged
  // with it (MergeAlerts) when their activity ranges overlap; then every subscriber gets it.
  void Put(const std::vector<AlertPtr>& alerts);
  // The stored alert, or null.
  AlertPtr Get(uint64_t fp) const;
  // Every stored alert (resolved ones too), by fingerprint.
  Alerts List() const;

  // Calls `listener` with every stored alert, then with each alert Put from now on, until
  // Unsubscribe. Returns the subscription's id.
  uint64_t Subscribe(Listener listener);
  // Waits for a running call of the listener to return.
  void Unsubscribe(uint64_t id);

  // Drops the alerts resolved at now and forgets their marks; returns them.
  Alerts GC();

 private:
  struct Shared {
    mutable std::mutex mu;
    std::map<uint64_t, AlertPtr> alerts;  // GUARDED_BY(mu)
    std::shared_ptr<Marker> marker;
    const base::Clock* clock = nullptr;
    double Count(AlertState s) const;
  };

  const base::Clock& clock_;
  std::shared_ptr<Marker> marker_;
  std::shared_ptr<Shared> shared_;  // also read by the gauge functions
  std::mutex put_mu_;
  std::map<uint64_t, Listener> listeners_;  // GUARDED_BY(put_mu_)
  uint64_t next_listener_ = 1;              // GUARDED_BY(put_mu_)
};

}  // namespace alerting

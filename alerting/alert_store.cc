#include "alerting/alert_store.h"

#include <string>

namespace alerting {

Alert MergeAlerts(const Alert& a, const Alert& b, int64_t now_ms) {
  // Let `b` be the younger alert.
  if (b.updated_at < a.updated_at) return MergeAlerts(b, a, now_ms);
  Alert res = b;
  if (a.starts_at < b.starts_at) res.starts_at = a.starts_at;
  if (b.ResolvedAt(now_ms)) {
    // The latest explicit resolved timestamp wins if both alerts are effectively resolved.
    if (a.ResolvedAt(now_ms) && a.ends_at > b.ends_at) res.ends_at = a.ends_at;
  } else {
    // A non-timeout timestamp always rules if it is the latest.
    if (a.ends_at > b.ends_at && !a.timeout) res.ends_at = a.ends_at;
  }
  return res;
}

double AlertStore::Shared::Count(AlertState s) const {
  const int64_t now = clock->NowMs();
  std::vector<uint64_t> fps;
  {
    std::lock_guard lock(mu);
    for (const auto& [fp, a] : alerts) {
      if (!a->ResolvedAt(now)) fps.push_back(fp);
    }
  }
  double n = 0;
  for (uint64_t fp : fps) n += marker->Status(fp).state == s;
  return n;
}

AlertStore::AlertStore(const base::Clock& clock, std::shared_ptr<Marker> marker,
                       base::metrics::Registry* registry)
    : clock_(clock), marker_(marker), shared_(std::make_shared<Shared>()) {
  shared_->marker = std::move(marker);
  shared_->clock = &clock;
  if (registry != nullptr) {
    for (AlertState s : {AlertState::kActive, AlertState::kSuppressed, AlertState::kUnprocessed}) {
      std::weak_ptr<Shared> weak = shared_;
      registry->AddGaugeFunc("alertmanager_alerts", "How many alerts by state.",
                             [weak, s] {
                               auto shared = weak.lock();
                               return shared ? shared->Count(s) : 0.0;
                             },
                             {{"state", std::string(AlertStateName(s))}});
    }
  }
}

AlertStore::~AlertStore() = default;

void AlertStore::Put(const std::vector<AlertPtr>& alerts) {
  std::lock_guard put_lock(put_mu_);
  for (AlertPtr alert : alerts) {
    const uint64_t fp = alert->fingerprint();
    {
      std::lock_guard lock(shared_->mu);
      auto it = shared_->alerts.find(fp);
      if (it != shared_->alerts.end()) {
        const Alert& old = *it->second;
        // Merge when the activity ranges overlap (provider/mem Alerts.Put).
        if ((alert->ends_at > old.starts_at && alert->ends_at < old.ends_at) ||
            (alert->starts_at > old.starts_at && alert->starts_at < old.ends_at)) {
          alert = std::make_shared<const Alert>(MergeAlerts(old, *alert, clock_.NowMs()));
        }
      }
      shared_->alerts[fp] = alert;
    }
    for (const auto& [id, listener] : listeners_) listener(alert);
  }
}

AlertPtr AlertStore::Get(uint64_t fp) const {
  std::lock_guard lock(shared_->mu);
  auto it = shared_->alerts.find(fp);
  return it == shared_->alerts.end() ? nullptr : it->second;
}

Alerts AlertStore::List() const {
  std::lock_guard lock(shared_->mu);
  Alerts out;
  out.reserve(shared_->alerts.size());
  for (const auto& [fp, a] : shared_->alerts) out.push_back(a);
  return out;
}

uint64_t AlertStore::Subscribe(Listener listener) {
  std::lock_guard put_lock(put_mu_);
  for (const AlertPtr& a : List()) listener(a);
  const uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void AlertStore::Unsubscribe(uint64_t id) {
  std::lock_guard put_lock(put_mu_);
  listeners_.erase(id);
}

Alerts AlertStore::GC() {
  const int64_t now = clock_.NowMs();
  Alerts resolved;
  {
    std::lock_guard lock(shared_->mu);
    for (auto it = shared_->alerts.begin(); it != shared_->alerts.end();) {
      if (it->second->ResolvedAt(now)) {
        resolved.push_back(it->second);
        it = shared_->alerts.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const AlertPtr& a : resolved) marker_->Delete(a->fingerprint());
  return resolved;
}

}  // namespace alerting

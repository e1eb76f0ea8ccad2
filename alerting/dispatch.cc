#include "alerting/dispatch.h"

#include <algorithm>
#include <set>

#include "alerting/fingerprint.h"
#include "base/quote.h"

namespace alerting {

model::Labels GroupLabels(const model::Labels& labels, const RouteOpts& opts) {
  if (opts.group_by_all) return labels;
  std::vector<model::Label> kept;
  for (const model::Label& l : labels) {
    if (opts.group_by.count(std::string(l.name)) > 0) kept.push_back(l);
  }
  return model::Labels::FromSorted(kept);
}

bool LabelSetBefore(const model::Labels& a, const model::Labels& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  std::set<std::string_view> names;
  for (const model::Label& l : a) names.insert(l.name);
  for (const model::Label& l : b) names.insert(l.name);
  for (std::string_view n : names) {
    if (!a.Has(n)) return true;
    if (!b.Has(n)) return false;
    const std::string_view av = a.Get(n), bv = b.Get(n);
    if (av != bv) return av < bv;
  }
  return false;
}

bool AlertLess(const Alert& a, const Alert& b) {
  for (std::string_view key : {"job", "instance"}) {
    const bool ah = a.labels.Has(key), bh = b.labels.Has(key);
    if (!ah && !bh) continue;
    if (!ah) return false;
    if (!bh) return true;
    const std::string_view av = a.labels.Get(key), bv = b.labels.Get(key);
    if (av != bv) return av < bv;
  }
  return LabelSetBefore(a.labels, b.labels);
}

namespace {

// model.LabelSet.String(): {a="b", c="d"} with Go's %q values.
std::string LabelSetString(const model::Labels& labels) {
  std::string out = "{";
  bool first = true;
  for (const model::Label& l : labels) {
    if (!first) out += ", ";
    first = false;
    out += std::string(l.name) + "=" + base::GoQuote(l.value);
  }
  return out + "}";
}

}  // namespace

// aggrGroup: the alerts of one (route, group labels) and the timer of their notifications.
// Invariants: next_ is the steady time of the next flush; has_flushed_ once the first flush
// started.
class Dispatcher::AggrGroup {
 public:
  AggrGroup(const Route& route, model::Labels labels, Dispatcher& d)
      : route_(route),
        labels_(std::move(labels)),
        key_(route.Key() + ":" + LabelSetString(labels_)),
        d_(d),
        next_(std::chrono::steady_clock::now() + route.opts().group_wait) {}
  ~AggrGroup() { Stop(); }

  void Start() {
    thread_ = std::jthread([this](std::stop_token st) { Run(st); });
  }
  void RequestStop() { thread_.request_stop(); }
  void Stop() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
  }

  // aggrGroup.insert.
  void Insert(const AlertPtr& alert) {
    std::lock_guard lock(mu_);
    alerts_[alert->fingerprint()] = alert;
    // Flush at once if the alert's group_wait is already over.
    if (!has_flushed_ &&
        alert->starts_at + route_.opts().group_wait.count() < d_.options_.clock->NowMs()) {
      next_ = std::chrono::steady_clock::now();
      cv_.notify_all();
    }
  }

  bool Empty() const {
    std::lock_guard lock(mu_);
    return alerts_.empty();
  }

  Alerts List() const {
    std::lock_guard lock(mu_);
    Alerts out;
    for (const auto& [fp, a] : alerts_) out.push_back(a);
    return out;
  }

  const Route& route() const { return route_; }
  const model::Labels& labels() const { return labels_; }
  const std::string& key() const { return key_; }

 private:
  // aggrGroup.run.
  void Run(std::stop_token st) {
    std::unique_lock lock(mu_);
    while (!st.stop_requested()) {
      const auto now = std::chrono::steady_clock::now();
      if (now < next_) {
        const auto due = next_;
        cv_.wait_until(lock, st, due, [&] { return next_ != due; });
        continue;
      }
      next_ = now + route_.opts().group_interval;
      has_flushed_ = true;
      lock.unlock();
      Flush(st, now);
      lock.lock();
    }
  }

  // aggrGroup.flush: runs the pipeline on all alerts, the unresolved ones with no end time;
  // on success drops the resolved alerts that did not change meanwhile.
  void Flush(const std::stop_token& st, std::chrono::steady_clock::time_point start) {
    std::vector<std::pair<AlertPtr, AlertPtr>> originals;  // (stored, sent copy)
    const int64_t now_ms = d_.options_.clock->NowMs();
    {
      std::lock_guard lock(mu_);
      if (alerts_.empty()) return;
      for (const auto& [fp, a] : alerts_) {
        AlertPtr copy = a;
        if (!a->ResolvedAt(now_ms)) {
          auto c = std::make_shared<Alert>(*a);
          c->ends_at = 0;  // alerts must not resolve as time moves forward during the run
          copy = std::move(c);
        }
        originals.emplace_back(a, std::move(copy));
      }
    }
    std::stable_sort(originals.begin(), originals.end(),
                     [](const auto& x, const auto& y) { return AlertLess(*x.second, *y.second); });
    Alerts alerts;
    for (const auto& [o, c] : originals) alerts.push_back(c);

    const RouteOpts& opts = route_.opts();
    notify::StageContext ctx;
    ctx.notify.receiver = opts.receiver;
    ctx.notify.group_key = key_;
    ctx.notify.group_labels = labels_;
    ctx.notify.now_ms = now_ms;
    ctx.notify.repeat_interval = opts.repeat_interval;
    ctx.notify.external_url = d_.options_.external_url;
    ctx.deadline = start + std::max(opts.group_interval, d_.options_.min_timeout);
    ctx.stop = st;
    ctx.mute_time_intervals = opts.mute_time_intervals;
    ctx.active_time_intervals = opts.active_time_intervals;
    d_.options_.logger->Debug("dispatcher", "flushing",
                              {{"aggrGroup", key_}, {"alerts", std::to_string(alerts.size())}});
    base::Result<Alerts> r = d_.pipeline_->Exec(ctx, alerts);
    if (!r.has_value()) {
      d_.options_.logger->Error(
          "dispatcher", "Notify for alerts failed",
          {{"num_alerts", std::to_string(alerts.size())}, {"err", r.error().message()}});
      return;
    }
    const int64_t after = d_.options_.clock->NowMs();
    std::lock_guard lock(mu_);
    for (const auto& [o, c] : originals) {
      auto it = alerts_.find(o->fingerprint());
      if (it != alerts_.end() && it->second == o && c->ResolvedAt(after)) alerts_.erase(it);
    }
  }

  const Route& route_;
  const model::Labels labels_;
  const std::string key_;
  Dispatcher& d_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::map<uint64_t, AlertPtr> alerts_;         // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point next_;  // GUARDED_BY(mu_)
  bool has_flushed_ = false;                    // GUARDED_BY(mu_)
  std::jthread thread_;
};

Dispatcher::Dispatcher(std::shared_ptr<const Route> route,
                       std::shared_ptr<const notify::Stage> pipeline, Options options)
    : route_(std::move(route)), pipeline_(std::move(pipeline)), options_(std::move(options)) {
  if (options_.registry != nullptr) {
    groups_gauge_ = &options_.registry->GetGauge("alertmanager_dispatcher_aggregation_groups",
                                                 "Number of active aggregation groups");
  }
  maintenance_ = std::jthread([this](std::stop_token st) { MaintenanceLoop(st); });
}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Process(const AlertPtr& alert) {
  for (const Route* r : route_->Match(alert->labels)) {
    model::Labels group_labels = GroupLabels(alert->labels, r->opts());
    const uint64_t fp = Fingerprint(group_labels);
    std::lock_guard lock(mu_);
    if (stopped_) return;
    auto& route_groups = groups_[r];
    auto it = route_groups.find(fp);
    if (it != route_groups.end()) {
      it->second->Insert(alert);
      continue;
    }
    auto group = std::make_unique<AggrGroup>(*r, std::move(group_labels), *this);
    // The first alert goes in before the group's thread starts.
    group->Insert(alert);
    group->Start();
    route_groups.emplace(fp, std::move(group));
    if (groups_gauge_ != nullptr) groups_gauge_->Inc();
  }
}

void Dispatcher::Stop() {
  if (maintenance_.joinable()) {
    maintenance_.request_stop();
    maintenance_.join();
  }
  std::map<const Route*, std::map<uint64_t, std::unique_ptr<AggrGroup>>> groups;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    groups.swap(groups_);
  }
  // Ask every group to stop before waiting for any, so that retries end together.
  for (auto& [r, gs] : groups) {
    for (auto& [fp, g] : gs) g->RequestStop();
  }
  size_t n = 0;
  for (auto& [r, gs] : groups) {
    n += gs.size();
    gs.clear();
  }
  if (groups_gauge_ != nullptr) groups_gauge_->Dec(static_cast<double>(n));
}

void Dispatcher::DoMaintenance() {
  std::vector<std::unique_ptr<AggrGroup>> dropped;
  {
    std::lock_guard lock(mu_);
    for (auto& [r, gs] : groups_) {
      for (auto it = gs.begin(); it != gs.end();) {
        if (it->second->Empty()) {
          dropped.push_back(std::move(it->second));
          it = gs.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  if (groups_gauge_ != nullptr) groups_gauge_->Dec(static_cast<double>(dropped.size()));
  // The groups' threads are joined here, outside mu_.
}

void Dispatcher::MaintenanceLoop(std::stop_token st) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  while (!st.stop_requested()) {
    cv.wait_for(lock, st, options_.maintenance_interval, [] { return false; });
    if (st.stop_requested()) return;
    lock.unlock();
    DoMaintenance();
    lock.lock();
  }
}

std::vector<GroupSnapshot> Dispatcher::Groups(
    const RouteFilter& route_filter, const AlertFilter& alert_filter,
    std::map<uint64_t, std::vector<std::string>>* receivers) const {
  std::vector<GroupSnapshot> out;
  const int64_t now = options_.clock->NowMs();
  std::lock_guard lock(mu_);
  for (const auto& [r, gs] : groups_) {
    if (route_filter && !route_filter(*r)) continue;
    for (const auto& [fp, g] : gs) {
      GroupSnapshot snap;
      snap.labels = g->labels();
      snap.receiver = r->opts().receiver;
      snap.route_id = r->ID();
      snap.group_key = g->key();
      for (const AlertPtr& a : g->List()) {
        if (alert_filter && !alert_filter(a, now)) continue;
        if (receivers != nullptr) (*receivers)[a->fingerprint()].push_back(snap.receiver);
        snap.alerts.push_back(a);
      }
      if (snap.alerts.empty()) continue;
      std::stable_sort(snap.alerts.begin(), snap.alerts.end(),
                       [](const AlertPtr& x, const AlertPtr& y) { return AlertLess(*x, *y); });
      out.push_back(std::move(snap));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const GroupSnapshot& a, const GroupSnapshot& b) {
    if (a.labels == b.labels) return a.receiver < b.receiver;
    return LabelSetBefore(a.labels, b.labels);
  });
  if (receivers != nullptr) {
    for (auto& [fp, names] : *receivers) std::sort(names.begin(), names.end());
  }
  return out;
}

size_t Dispatcher::group_count() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [r, gs] : groups_) n += gs.size();
  return n;
}

}  // namespace alerting

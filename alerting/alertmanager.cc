#include "alerting/alertmanager.h"

#include <re2/re2.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>

#include "alerting/alert_store.h"
#include "alerting/dispatch.h"
#include "alerting/fingerprint.h"
#include "alerting/inhibit.h"
#include "alerting/marker.h"
#include "alerting/matchers.h"
#include "alerting/nflog.h"
#include "alerting/notify/pipeline.h"
#include "alerting/notify/receivers.h"
#include "alerting/route.h"
#include "base/quote.h"

namespace alerting {
namespace {

constexpr const char* kComponent = "alertmanager";

// model.LabelSet.Validate as types.Alert.Validate reports it.
base::Status ValidateLabelSet(const model::Labels& labels) {
  for (const model::Label& l : labels) {
    if (!model::IsValidLabelName(l.name)) {
      return base::InvalidArgument("invalid name " + base::GoQuote(l.name));
    }
    if (!model::IsValidUtf8(l.value)) {
      return base::InvalidArgument("invalid value " + base::GoQuote(l.value));
    }
  }
  return base::Status::Ok();
}

// types.Alert.Validate.
base::Status ValidateAlert(const Alert& a) {
  if (a.starts_at == 0) return base::InvalidArgument("start time missing");
  if (a.ends_at != 0 && a.ends_at < a.starts_at) {
    return base::InvalidArgument("start time must be before end time");
  }
  if (base::Status st = ValidateLabelSet(a.labels); !st.ok()) {
    return base::InvalidArgument("invalid label set: " + st.message());
  }
  if (a.labels.empty()) return base::InvalidArgument("at least one label pair required");
  if (base::Status st = ValidateLabelSet(a.annotations); !st.ok()) {
    return base::InvalidArgument("invalid annotations: " + st.message());
  }
  return base::Status::Ok();
}

// api/v2 matchFilterLabels: an empty-valued matcher is skipped when the label is absent
// (= and =~) or present (!= and !~).
bool MatchFilterLabels(const Matchers& matchers, const model::Labels& labels) {
  for (const Matcher& m : matchers) {
    const bool present = labels.Has(m.name());
    const std::string_view v = labels.Get(m.name());
    if (m.type() == MatchType::kNotEqual || m.type() == MatchType::kRegexNoMatch) {
      if (m.value().empty() && present) continue;
    } else {
      if (m.value().empty() && !present) continue;
    }
    if (!m.Matches(v)) return false;
  }
  return true;
}

}  // namespace

struct Alertmanager::Impl {
  explicit Impl(AlertmanagerOptions o)
      : options(std::move(o)),
        marker(std::make_shared<Marker>()),
        silences(*options.clock, Silences::Options{options.retention}),
        nflog(*options.clock, Nflog::Options{options.retention}),
        store(*options.clock, marker, options.registry),
        metrics(options.registry) {
    if (options.registry != nullptr) {
      auto& r = *options.registry;
      received_firing =
          &r.GetCounter("alertmanager_alerts_received_total",
                        "The total number of received alerts.", {{"status", "firing"}});
      received_resolved =
          &r.GetCounter("alertmanager_alerts_received_total",
                        "The total number of received alerts.", {{"status", "resolved"}});
      invalid = &r.GetCounter("alertmanager_alerts_invalid_total",
                              "The total number of received alerts that were invalid.");
    }
  }

  std::string Path(const char* name) const {
    return (std::filesystem::path(options.storage_path) / name).string();
  }

  // types.AlertStatus after setAlertStatus: marks the alert from the current inhibitor and
  // silences first, as API v2 does on every query. REQUIRES: mu held (shared).
  MarkedStatus RefreshStatus(const Alert& a) const {
    const uint64_t fp = a.fingerprint();
    if (inhibitor != nullptr) {
      std::vector<std::string> by;
      if (auto f = inhibitor->InhibitedBy(a.labels)) by.push_back(FingerprintString(*f));
      marker->SetInhibited(fp, std::move(by));
      marker->SetActiveOrSilenced(fp, silences.version(), silences.ActiveFor(a.labels));
    }
    return marker->Status(fp);
  }

  void MaintenanceLoop(std::stop_token st);

  const AlertmanagerOptions options;
  std::shared_ptr<Marker> marker;
  Silences silences;
  Nflog nflog;
  AlertStore store;
  notify::PipelineMetrics metrics;
  base::metrics::Counter* received_firing = nullptr;
  base::metrics::Counter* received_resolved = nullptr;
  base::metrics::Counter* invalid = nullptr;

  // Lock order: apply_mu, then mu, then the store's locks.
  std::mutex apply_mu;           // serializes ApplyConfig and Stop
  mutable std::shared_mutex mu;  // guards the config-derived state below
  std::shared_ptr<const config::Config> config;
  std::shared_ptr<const Route> route;
  std::shared_ptr<Inhibitor> inhibitor;
  std::unique_ptr<Dispatcher> dispatcher;
  uint64_t inhibitor_subscription = 0;
  uint64_t dispatcher_subscription = 0;
  bool stopped = false;
  std::atomic<bool> opened{false};  // snapshots are written only once the old ones were read

  std::mutex snapshot_mu;  // one snapshot at a time
  std::jthread maintenance;
};

void Alertmanager::Impl::MaintenanceLoop(std::stop_token st) {
  using Clock = std::chrono::steady_clock;
  auto next_snapshot = Clock::now() + options.maintenance_interval;
  auto next_gc = Clock::now() + options.alert_gc_interval;
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  while (!st.stop_requested()) {
    cv.wait_until(lock, st, std::min(next_snapshot, next_gc), [] { return false; });
    if (st.stop_requested()) return;
    const auto now = Clock::now();
    if (now >= next_gc) {
      next_gc = now + options.alert_gc_interval;
      store.GC();
      std::shared_lock l(mu);
      if (inhibitor != nullptr) inhibitor->GC();
    }
    if (now >= next_snapshot) {
      next_snapshot = now + options.maintenance_interval;
      silences.GC();
      nflog.GC();
      std::lock_guard s(snapshot_mu);
      for (auto& [name, st2] :
           {std::pair<const char*, base::Status>{"silences",
                                                 silences.SaveSnapshot(Path("silences"))},
            std::pair<const char*, base::Status>{"nflog", nflog.SaveSnapshot(Path("nflog"))}}) {
        if (!st2.ok()) {
          options.logger->Error(kComponent, "Creating state snapshot failed",
                                {{"file", name}, {"err", st2.message()}});
        }
      }
    }
  }
}

Alertmanager::Alertmanager(AlertmanagerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

Alertmanager::~Alertmanager() { Stop(); }

base::Status Alertmanager::Open() {
  std::error_code ec;
  std::filesystem::create_directories(impl_->options.storage_path, ec);
  if (ec) {
    return base::IOError("create storage directory " + impl_->options.storage_path + ": " +
                         ec.message());
  }
  RETURN_IF_ERROR(impl_->silences.LoadSnapshot(impl_->Path("silences")));
  RETURN_IF_ERROR(impl_->nflog.LoadSnapshot(impl_->Path("nflog")));
  impl_->opened = true;
  std::lock_guard lock(impl_->apply_mu);
  if (!impl_->maintenance.joinable() && !impl_->stopped) {
    impl_->maintenance =
        std::jthread([impl = impl_.get()](std::stop_token st) { impl->MaintenanceLoop(st); });
  }
  return base::Status::Ok();
}

base::Status Alertmanager::ApplyConfig(std::shared_ptr<const config::Config> config) {
  Impl& d = *impl_;
  const AlertmanagerOptions& o = d.options;
  if (config == nullptr) return base::InvalidArgument("no alertmanager config");
  // Everything that can fail comes first, so that a failure changes nothing.
  auto route = std::shared_ptr<const Route>(Route::FromConfig(config->route));
  std::set<std::string> active;
  route->Walk([&](const Route& r) { active.insert(r.opts().receiver); });
  std::map<std::string, std::vector<notify::Integration>> receivers;
  std::shared_ptr<const tmpl::Template> templates;
  if (!o.build_integrations) {
    ASSIGN_OR_RETURN(templates, notify::LoadTemplates(config->templates));
  }
  size_t integrations = 0;
  for (const config::Receiver& rcv : config->receivers) {
    if (active.count(rcv.name) == 0) {
      // No need to build a receiver no route uses.
      o.logger->Info(kComponent, "skipping creation of receiver not referenced by any route",
                     {{"receiver", rcv.name}});
      continue;
    }
    base::Result<std::vector<notify::Integration>> built =
        o.build_integrations
            ? o.build_integrations(rcv)
            : notify::BuildIntegrations(rcv, templates,
                                        notify::ReceiverOptions{o.external_url, o.logger, o.clock});
    if (!built.has_value()) return std::move(built).error();
    integrations += built->size();
    receivers[rcv.name] = std::move(*built);
  }
  auto intervals = std::make_shared<notify::TimeIntervals>();
  for (const auto* list : {&config->mute_time_intervals, &config->time_intervals}) {
    for (const config::NamedTimeInterval& ti : *list) (*intervals)[ti.name] = ti.time_intervals;
  }
  std::vector<InhibitRule> rules;
  for (const config::InhibitRule& r : config->inhibit_rules) {
    rules.push_back(InhibitRule::FromConfig(r));
  }
  auto inhibitor = std::make_shared<Inhibitor>(std::move(rules), *o.clock);

  std::lock_guard apply_lock(d.apply_mu);
  if (d.stopped) return base::Unavailable("alertmanager stopped");
  // Stop the old dispatcher and inhibitor first, as Alertmanager does on reload.
  std::unique_ptr<Dispatcher> old_dispatcher;
  {
    std::unique_lock lock(d.mu);
    if (d.dispatcher_subscription != 0) d.store.Unsubscribe(d.dispatcher_subscription);
    if (d.inhibitor_subscription != 0) d.store.Unsubscribe(d.inhibitor_subscription);
    d.dispatcher_subscription = d.inhibitor_subscription = 0;
    old_dispatcher = std::move(d.dispatcher);
  }
  old_dispatcher.reset();  // waits for its groups, outside mu

  notify::PipelineDeps deps;
  deps.inhibitor = inhibitor;
  deps.silences = &d.silences;
  deps.marker = d.marker.get();
  deps.nflog = &d.nflog;
  deps.time_intervals = intervals;
  deps.metrics = &d.metrics;
  deps.logger = o.logger;
  deps.clock = o.clock;
  std::shared_ptr<const notify::Stage> pipeline = notify::BuildPipeline(receivers, deps);
  Dispatcher::Options dopts;
  dopts.clock = o.clock;
  dopts.logger = o.logger;
  dopts.registry = o.registry;
  dopts.external_url = o.external_url;
  auto dispatcher = std::make_unique<Dispatcher>(route, pipeline, dopts);

  std::unique_lock lock(d.mu);
  d.config = config;
  d.route = route;
  d.inhibitor = inhibitor;
  // The inhibitor first, so that it knows every source alert before the first flush.
  d.inhibitor_subscription =
      d.store.Subscribe([inhibitor](const AlertPtr& a) { inhibitor->Put(a->labels, a->ends_at); });
  Dispatcher* disp = dispatcher.get();
  d.dispatcher = std::move(dispatcher);
  d.dispatcher_subscription = d.store.Subscribe([disp](const AlertPtr& a) { disp->Process(a); });
  if (o.registry != nullptr) {
    o.registry->GetGauge("alertmanager_receivers", "Number of configured receivers.")
        .Set(static_cast<double>(receivers.size()));
    o.registry->GetGauge("alertmanager_integrations", "Number of configured integrations.")
        .Set(static_cast<double>(integrations));
  }
  return base::Status::Ok();
}

base::Status Alertmanager::PutAlerts(std::vector<Alert> alerts) {
  Impl& d = *impl_;
  const int64_t now = d.options.clock->NowMs();
  std::chrono::milliseconds resolve_timeout = config::DefaultGlobalConfig().resolve_timeout;
  {
    std::shared_lock lock(d.mu);
    if (d.config != nullptr) resolve_timeout = d.config->global.resolve_timeout;
  }
  std::vector<AlertPtr> valid;
  std::string errors;
  for (Alert& a : alerts) {
    a.updated_at = now;
    if (a.starts_at == 0) a.starts_at = a.ends_at == 0 ? now : a.ends_at;
    if (a.ends_at == 0) {
      a.timeout = true;
      a.ends_at = now + resolve_timeout.count();
    }
    if (a.ends_at > d.options.clock->NowMs()) {
      if (d.received_firing != nullptr) d.received_firing->Inc();
    } else if (d.received_resolved != nullptr) {
      d.received_resolved->Inc();
    }
  }
  for (Alert& a : alerts) {
    if (base::Status st = ValidateAlert(a); !st.ok()) {
      if (d.invalid != nullptr) d.invalid->Inc();
      if (!errors.empty()) errors += "; ";
      errors += st.message();
      continue;
    }
    valid.push_back(std::make_shared<const Alert>(std::move(a)));
  }
  d.store.Put(valid);
  if (!errors.empty()) return base::InvalidArgument(errors);
  return base::Status::Ok();
}

base::Result<std::vector<AlertView>> Alertmanager::GetAlerts(const AlertFilter& filter) const {
  const Impl& d = *impl_;
  Matchers matchers;
  for (const std::string& s : filter.matchers) {
    ASSIGN_OR_RETURN(Matchers ms, ParseMatchers(s));
    matchers.insert(matchers.end(), ms.begin(), ms.end());
  }
  std::shared_ptr<const re2::RE2> receiver_re;
  if (!filter.receiver.empty()) {
    ASSIGN_OR_RETURN(receiver_re, CompileGoRegexp("^(?:" + filter.receiver + ")$"));
  }
  const int64_t now = d.options.clock->NowMs();
  std::vector<AlertView> out;
  std::shared_lock lock(d.mu);
  for (const AlertPtr& a : d.store.List()) {
    std::vector<std::string> receivers;
    if (d.route != nullptr) {
      for (const Route* r : d.route->Match(a->labels)) receivers.push_back(r->opts().receiver);
    }
    if (receiver_re != nullptr &&
        std::none_of(receivers.begin(), receivers.end(),
                     [&](const std::string& r) { return RE2::FullMatch(r, *receiver_re); })) {
      continue;
    }
    if (a->ends_at != 0 && a->ends_at < now) continue;
    const MarkedStatus st = d.RefreshStatus(*a);
    if (!filter.active && st.state == AlertState::kActive) continue;
    if (!filter.unprocessed && st.state == AlertState::kUnprocessed) continue;
    if (!filter.silenced && !st.silenced_by.empty()) continue;
    if (!filter.inhibited && !st.inhibited_by.empty()) continue;
    if (!MatchFilterLabels(matchers, a->labels)) continue;
    AlertView v;
    v.alert = a;
    v.status.state = std::string(AlertStateName(st.state));
    v.status.silenced_by = st.silenced_by;
    v.status.inhibited_by = st.inhibited_by;
    std::sort(v.status.silenced_by.begin(), v.status.silenced_by.end());
    v.receivers = std::move(receivers);
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const AlertView& x, const AlertView& y) {
    return FingerprintString(x.alert->fingerprint()) < FingerprintString(y.alert->fingerprint());
  });
  return out;
}

base::Result<std::vector<AlertGroupView>> Alertmanager::GetAlertGroups(
    const AlertFilter& filter) const {
  const Impl& d = *impl_;
  Matchers matchers;
  for (const std::string& s : filter.matchers) {
    ASSIGN_OR_RETURN(Matchers ms, ParseMatchers(s));
    matchers.insert(matchers.end(), ms.begin(), ms.end());
  }
  std::shared_ptr<const re2::RE2> receiver_re;
  if (!filter.receiver.empty()) {
    ASSIGN_OR_RETURN(receiver_re, CompileGoRegexp("^(?:" + filter.receiver + ")$"));
  }
  std::shared_lock lock(d.mu);
  std::vector<AlertGroupView> out;
  if (d.dispatcher == nullptr) return out;
  auto route_filter = [&](const Route& r) {
    return receiver_re == nullptr || RE2::FullMatch(r.opts().receiver, *receiver_re);
  };
  // api/v2 alertFilter.
  auto alert_filter = [&](const AlertPtr& a, int64_t now) {
    if (a->ends_at != 0 && a->ends_at < now) return false;
    const MarkedStatus st = d.RefreshStatus(*a);
    if (!filter.active && st.state == AlertState::kActive) return false;
    if (!filter.silenced && !st.silenced_by.empty()) return false;
    if (!filter.inhibited && !st.inhibited_by.empty()) return false;
    return MatchFilterLabels(matchers, a->labels);
  };
  std::map<uint64_t, std::vector<std::string>> receivers;
  for (GroupSnapshot& g : d.dispatcher->Groups(route_filter, alert_filter, &receivers)) {
    AlertGroupView v;
    v.labels = std::move(g.labels);
    v.receiver = std::move(g.receiver);
    v.route_id = std::move(g.route_id);
    for (const AlertPtr& a : g.alerts) {
      const MarkedStatus st = d.marker->Status(a->fingerprint());
      AlertView av;
      av.alert = a;
      av.status.state = std::string(AlertStateName(st.state));
      av.status.silenced_by = st.silenced_by;
      std::sort(av.status.silenced_by.begin(), av.status.silenced_by.end());
      av.status.inhibited_by = st.inhibited_by;
      av.receivers = receivers[a->fingerprint()];
      v.alerts.push_back(std::move(av));
    }
    out.push_back(std::move(v));
  }
  return out;
}

Silences& Alertmanager::silences() { return impl_->silences; }

std::shared_ptr<const config::Config> Alertmanager::config() const {
  std::shared_lock lock(impl_->mu);
  return impl_->config;
}

std::vector<std::string> Alertmanager::receivers() const {
  std::shared_lock lock(impl_->mu);
  std::vector<std::string> names;
  if (impl_->config != nullptr) {
    for (const config::Receiver& r : impl_->config->receivers) names.push_back(r.name);
  }
  return names;
}

base::Status Alertmanager::Snapshot() {
  Impl& d = *impl_;
  if (!d.opened) return base::Unavailable("alertmanager not opened: no snapshot written");
  std::lock_guard lock(d.snapshot_mu);
  base::Status a = d.silences.SaveSnapshot(d.Path("silences"));
  base::Status b = d.nflog.SaveSnapshot(d.Path("nflog"));
  return a.ok() ? b : a;
}

void Alertmanager::Stop() {
  Impl& d = *impl_;
  std::unique_ptr<Dispatcher> dispatcher;
  {
    std::lock_guard apply_lock(d.apply_mu);
    if (d.stopped) return;
    d.stopped = true;
    if (d.maintenance.joinable()) {
      d.maintenance.request_stop();
      d.maintenance.join();
    }
    std::unique_lock lock(d.mu);
    if (d.dispatcher_subscription != 0) d.store.Unsubscribe(d.dispatcher_subscription);
    if (d.inhibitor_subscription != 0) d.store.Unsubscribe(d.inhibitor_subscription);
    d.dispatcher_subscription = d.inhibitor_subscription = 0;
    dispatcher = std::move(d.dispatcher);
  }
  dispatcher.reset();  // waits for in-flight notifications
  if (!d.opened) return;
  if (base::Status st = Snapshot(); !st.ok()) {
    d.options.logger->Error(kComponent, "Creating state snapshot failed", {{"err", st.message()}});
  }
}

}  // namespace alerting

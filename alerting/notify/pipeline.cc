#include "alerting/notify/pipeline.h"

#include <random>
#include <set>

#include "alerting/fingerprint.h"

namespace alerting::notify {
namespace {

std::string IntegrationString(const Integration& i) {
  return i.name + "[" + std::to_string(i.index) + "]";
}

// notify.inTimeIntervals.
base::Result<bool> InTimeIntervals(int64_t now_ms, const TimeIntervals& intervals,
                                   const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    auto it = intervals.find(name);
    if (it == intervals.end()) {
      return base::InvalidArgument("time interval " + name + " doesn't exist in config");
    }
    for (const config::TimeInterval& ti : it->second) {
      if (ti.ContainsTime(now_ms)) return true;
    }
  }
  return false;
}

}  // namespace

namespace {
constexpr const char* kNotificationsHelp = "The total number of attempted notifications.";
constexpr const char* kNotificationsFailedHelp = "The total number of failed notifications.";
constexpr const char* kRequestsHelp = "The total number of attempted notification requests.";
constexpr const char* kRequestsFailedHelp = "The total number of failed notification requests.";
}  // namespace

PipelineMetrics::PipelineMetrics(base::metrics::Registry* registry) : registry_(registry) {
  if (registry_ == nullptr) return;
  for (const char* name : {"discord", "email", "msteams", "opsgenie", "pagerduty", "pushover",
                           "slack", "sns", "telegram", "victorops", "webex", "webhook", "wechat"}) {
    base::metrics::LabelPairs labels{{"integration", name}};
    registry_->GetCounter("alertmanager_notifications_total", kNotificationsHelp, labels);
    registry_->GetCounter("alertmanager_notifications_failed_total", kNotificationsFailedHelp,
                          labels);
    registry_->GetCounter("alertmanager_notification_requests_total", kRequestsHelp, labels);
    registry_->GetCounter("alertmanager_notification_requests_failed_total", kRequestsFailedHelp,
                          labels);
  }
}

void PipelineMetrics::Notification(const std::string& integration) {
  if (registry_ == nullptr) return;
  registry_
      ->GetCounter("alertmanager_notifications_total", kNotificationsHelp,
                   {{"integration", integration}})
      .Inc();
}

void PipelineMetrics::NotificationFailed(const std::string& integration) {
  if (registry_ == nullptr) return;
  registry_
      ->GetCounter("alertmanager_notifications_failed_total", kNotificationsFailedHelp,
                   {{"integration", integration}})
      .Inc();
}

void PipelineMetrics::Request(const std::string& integration) {
  if (registry_ == nullptr) return;
  registry_
      ->GetCounter("alertmanager_notification_requests_total", kRequestsHelp,
                   {{"integration", integration}})
      .Inc();
}

void PipelineMetrics::RequestFailed(const std::string& integration) {
  if (registry_ == nullptr) return;
  registry_
      ->GetCounter("alertmanager_notification_requests_failed_total", kRequestsFailedHelp,
                   {{"integration", integration}})
      .Inc();
}

void PipelineMetrics::Latency(const std::string& integration, double seconds) {
  if (registry_ == nullptr) return;
  registry_
      ->GetHistogram("alertmanager_notification_latency_seconds",
                     "The latency of notifications in seconds.", {1, 5, 10, 15, 20},
                     {{"integration", integration}})
      .Observe(seconds);
}

base::Result<Alerts> InhibitStage::Exec(StageContext&, Alerts alerts) const {
  Alerts out;
  for (AlertPtr& a : alerts) {
    std::optional<uint64_t> by = inhibitor_->InhibitedBy(a->labels);
    std::vector<std::string> ids;
    if (by.has_value()) ids.push_back(FingerprintString(*by));
    marker_.SetInhibited(a->fingerprint(), std::move(ids));
    if (!by.has_value()) out.push_back(std::move(a));
  }
  return out;
}

base::Result<Alerts> SilenceStage::Exec(StageContext&, Alerts alerts) const {
  Alerts out;
  const uint64_t version = silences_.version();
  for (AlertPtr& a : alerts) {
    std::vector<std::string> ids = silences_.ActiveFor(a->labels);
    const bool muted = !ids.empty();
    marker_.SetActiveOrSilenced(a->fingerprint(), version, std::move(ids));
    if (!muted) out.push_back(std::move(a));
  }
  return out;
}

base::Result<Alerts> TimeActiveStage::Exec(StageContext& ctx, Alerts alerts) const {
  if (ctx.active_time_intervals.empty()) return alerts;
  ASSIGN_OR_RETURN(bool active,
                   InTimeIntervals(ctx.notify.now_ms, *intervals_, ctx.active_time_intervals));
  if (!active) return Alerts{};
  return alerts;
}

base::Result<Alerts> TimeMuteStage::Exec(StageContext& ctx, Alerts alerts) const {
  if (ctx.mute_time_intervals.empty()) return alerts;
  ASSIGN_OR_RETURN(bool muted,
                   InTimeIntervals(ctx.notify.now_ms, *intervals_, ctx.mute_time_intervals));
  if (muted) return Alerts{};
  return alerts;
}

base::Result<Alerts> DedupStage::Exec(StageContext& ctx, Alerts alerts) const {
  const int64_t now = clock_.NowMs();
  std::set<uint64_t> firing_set, resolved_set;
  ctx.firing_alerts.clear();
  ctx.resolved_alerts.clear();
  for (const AlertPtr& a : alerts) {
    const uint64_t fp = a->fingerprint();
    if (a->ResolvedAt(now)) {
      ctx.resolved_alerts.push_back(fp);
      resolved_set.insert(fp);
    } else {
      ctx.firing_alerts.push_back(fp);
      firing_set.insert(fp);
    }
  }
  ctx.has_alert_sets = true;
  const std::optional<NflogEntry> entry = nflog_.Query(receiver_, ctx.notify.group_key);
  bool needs_update;
  if (!entry.has_value()) {
    // Never notified: notify unless everything is resolved.
    needs_update = !firing_set.empty();
  } else if (!entry->IsFiringSubset(firing_set)) {
    needs_update = true;
  } else if (firing_set.empty()) {
    // Everything resolved: notify (whatever send_resolved says, so that the nflog forgets the
    // firing alerts) unless the last notification had nothing firing either.
    needs_update = !entry->firing_alerts.empty();
  } else if (send_resolved_ && !entry->IsResolvedSubset(resolved_set)) {
    needs_update = true;
  } else {
    // Nothing changed: only when the repeat interval has passed.
    needs_update = entry->timestamp < now - ctx.notify.repeat_interval.count();
  }
  if (!needs_update) return Alerts{};
  return alerts;
}

base::Result<Alerts> RetryStage::Exec(StageContext& ctx, Alerts alerts) const {
  metrics_.Notification(integration_.name);
  base::Result<Alerts> r = Attempt(ctx, std::move(alerts));
  if (!r.has_value()) metrics_.NotificationFailed(integration_.name);
  return r;
}

base::Result<Alerts> RetryStage::Attempt(StageContext& ctx, Alerts alerts) const {
  Alerts sent;
  if (!integration_.send_resolved) {
    if (!ctx.has_alert_sets) return base::Internal("firing alerts missing");
    // Only resolved alerts: report them as notified so that the nflog records them.
    if (ctx.firing_alerts.empty()) return alerts;
    const int64_t now = clock_.NowMs();
    for (const AlertPtr& a : alerts) {
      if (!a->ResolvedAt(now)) sent.push_back(a);
    }
  } else {
    sent = alerts;
  }
  const std::string where = receiver_ + "/" + IntegrationString(integration_);
  // backoff.ExponentialBackOff defaults; the first attempt is immediate.
  std::minstd_rand rng(std::random_device{}());
  double interval_ms = 500;
  auto next = std::chrono::steady_clock::now();
  std::optional<base::Status> last_error;
  for (int attempt = 1;; ++attempt) {
    if (ctx.Done() || !ctx.SleepUntil(next)) {
      const std::string cause = last_error.has_value() ? last_error->message() : ctx.DoneReason();
      return base::Status(base::StatusCode::kUnavailable, where + ": notify retry canceled after " +
                                                              std::to_string(attempt) +
                                                              " attempts: " + cause);
    }
    const auto start = std::chrono::steady_clock::now();
    bool retry = false;
    base::Status st = integration_.notifier->Notify(ctx.notify, sent, &retry);
    metrics_.Latency(
        integration_.name,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    metrics_.Request(integration_.name);
    if (st.ok()) {
      logger_.Log(attempt <= 1 ? base::Logger::Level::kDebug : base::Logger::Level::kInfo,
                  "dispatcher", "Notify success",
                  {{"receiver", receiver_},
                   {"integration", IntegrationString(integration_)},
                   {"attempts", std::to_string(attempt)}});
      return alerts;
    }
    metrics_.RequestFailed(integration_.name);
    if (!retry) {
      return base::Status(base::StatusCode::kUnavailable,
                          where + ": notify retry canceled due to unrecoverable error after " +
                              std::to_string(attempt) + " attempts: " + st.message());
    }
    if (!ctx.Done() && (!last_error.has_value() || last_error->message() != st.message())) {
      logger_.Warn("dispatcher", "Notify attempt failed, will retry later",
                   {{"receiver", receiver_},
                    {"integration", IntegrationString(integration_)},
                    {"attempts", std::to_string(attempt)},
                    {"err", st.message()}});
    }
    last_error = st;
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    next = std::chrono::steady_clock::now() +
           std::chrono::milliseconds(static_cast<int64_t>(interval_ms * jitter(rng)));
    interval_ms = std::min(interval_ms * 1.5, 60000.0);
  }
}

base::Result<Alerts> SetNotifiesStage::Exec(StageContext& ctx, Alerts alerts) const {
  if (!ctx.has_alert_sets) return base::Internal("firing alerts missing");
  nflog_.Log(receiver_, ctx.notify.group_key, ctx.firing_alerts, ctx.resolved_alerts);
  return alerts;
}

base::Result<Alerts> RoutingStage::Exec(StageContext& ctx, Alerts alerts) const {
  auto it = receivers_.find(ctx.notify.receiver);
  if (it == receivers_.end()) return base::NotFound("receiver missing");
  return it->second->Exec(ctx, std::move(alerts));
}

std::unique_ptr<Stage> BuildPipeline(
    const std::map<std::string, std::vector<Integration>>& receivers, const PipelineDeps& deps) {
  auto inhibit = std::make_shared<InhibitStage>(deps.inhibitor, *deps.marker);
  auto time_active = std::make_shared<TimeActiveStage>(deps.time_intervals);
  auto time_mute = std::make_shared<TimeMuteStage>(deps.time_intervals);
  auto silence = std::make_shared<SilenceStage>(*deps.silences, *deps.marker);
  std::map<std::string, std::shared_ptr<const Stage>> routes;
  for (const auto& [name, integrations] : receivers) {
    std::vector<std::shared_ptr<const Stage>> branches;
    for (const Integration& integration : integrations) {
      NflogReceiver recv{name, integration.name, static_cast<uint32_t>(integration.index)};
      branches.push_back(std::make_shared<MultiStage>(std::vector<std::shared_ptr<const Stage>>{
          std::make_shared<DedupStage>(*deps.nflog, recv, integration.send_resolved, *deps.clock),
          std::make_shared<RetryStage>(integration, name, *deps.metrics, *deps.logger, *deps.clock),
          std::make_shared<SetNotifiesStage>(*deps.nflog, recv),
      }));
    }
    routes[name] = std::make_shared<MultiStage>(std::vector<std::shared_ptr<const Stage>>{
        inhibit, time_active, time_mute, silence,
        std::make_shared<FanoutStage>(std::move(branches))});
  }
  return std::make_unique<RoutingStage>(std::move(routes));
}

}  // namespace alerting::notify

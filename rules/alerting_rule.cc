#include "rules/alerting_rule.h"

#include <algorithm>
#include <cmath>

#include "template/prometheus_funcs.h"
#include "template/template.h"

namespace rules {
namespace {

constexpr std::string_view kAlertMetricName = "ALERTS";
constexpr std::string_view kAlertForStateMetricName = "ALERTS_FOR_STATE";
constexpr std::string_view kAlertStateLabel = "alertstate";
constexpr std::string_view kAlertNameLabel = "alertname";

// Go's time.Time.Unix() of a ms timestamp: seconds, rounded towards minus infinity.
int64_t UnixSeconds(model::Timestamp t) { return t >= 0 ? t / 1000 : -((-t + 999) / 1000); }

}  // namespace

std::string_view AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kInactive:
      return "inactive";
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      break;
  }
  return "firing";
}

AlertingRule::AlertingRule(Spec spec)
    : Rule(std::move(spec.name), std::move(spec.expr), std::move(spec.labels)),
      hold_(spec.hold),
      keep_firing_for_(spec.keep_firing_for),
      annotations_(std::move(spec.annotations)),
      external_labels_(std::move(spec.external_labels)),
      external_url_(std::move(spec.external_url)),
      restored_(spec.restored) {}

promql::Sample AlertingRule::AlertsSample(const Alert& a, model::Timestamp t) const {
  model::LabelsBuilder lb(labels());
  for (const model::Label& l : a.labels) lb.Set(l.name, l.value);
  lb.Set(model::kMetricName, kAlertMetricName);
  lb.Set(kAlertNameLabel, name());
  lb.Set(kAlertStateLabel, AlertStateName(a.state));
  return promql::Sample{lb.Build(), t, 1};
}

promql::Sample AlertingRule::ForStateSample(const Alert* a, model::Timestamp t, double v) const {
  model::LabelsBuilder lb(labels());
  if (a != nullptr)
    for (const model::Label& l : a->labels) lb.Set(l.name, l.value);
  lb.Set(model::kMetricName, kAlertForStateMetricName);
  lb.Set(kAlertNameLabel, name());
  return promql::Sample{lb.Build(), t, v};
}

base::Result<promql::Vector> AlertingRule::Eval(const EvalContext& ctx) {
  const model::Timestamp ts = ctx.ts;
  const model::Timestamp query_ts = ts - ctx.query_offset.count();
  ASSIGN_OR_RETURN(promql::Vector res, (*ctx.query)(query(), query_ts));

  // Templates may run queries themselves, at the evaluation time (Prometheus's
  // template.QueryFunc(query) with the expander's timestamp).
  tmpl::ExpanderOptions topts;
  const QueryFn* query_fn = ctx.query;
  topts.query = [query_fn, ts](std::string_view q) -> base::Result<std::vector<tmpl::QuerySample>> {
    ASSIGN_OR_RETURN(promql::Vector v, (*query_fn)(q, ts));
    std::vector<tmpl::QuerySample> out;
    out.reserve(v.size());
    for (promql::Sample& s : v) out.push_back({std::move(s.metric), s.f});
    return out;
  };
  topts.timestamp = ts;
  topts.external_url = ctx.external_url;

  std::map<uint64_t, Alert> alerts;
  model::LabelsBuilder lb;
  for (const promql::Sample& smpl : res) {
    tmpl::AlertTemplateInput input{smpl.metric, external_labels_, external_url_, smpl.f};
    auto expand = [&](std::string_view text) {
      return tmpl::ExpandAlertTemplate(name(), text, input, topts);
    };
    lb.Reset(smpl.metric);
    lb.Del(model::kMetricName);
    for (const model::Label& l : labels()) lb.Set(l.name, expand(l.value));
    lb.Set(kAlertNameLabel, name());
    Annotations annotations;
    annotations.reserve(annotations_.size());
    for (const auto& [k, v] : annotations_) annotations.emplace_back(k, expand(v));

    Alert a;
    a.labels = lb.Build();
    a.annotations = std::move(annotations);
    a.active_at = ts;
    a.state = AlertState::kPending;
    a.value = smpl.f;
    uint64_t h = a.labels.hash();
    if (!alerts.emplace(h, std::move(a)).second)
      return base::Status(base::StatusCode::kExecution,
                          "vector contains metrics with the same labelset after applying alert labels");
  }

  std::lock_guard lock(mu_);
  for (auto& [h, a] : alerts) {
    if (auto it = active_.find(h); it != active_.end() && it->second.state != AlertState::kInactive) {
      it->second.value = a.value;
      it->second.annotations = std::move(a.annotations);
      continue;
    }
    active_[h] = std::move(a);
  }

  promql::Vector vec;
  int64_t num_active_pending = 0;
  for (auto it = active_.begin(); it != active_.end();) {
    Alert& a = it->second;
    if (!alerts.contains(it->first)) {
      // The series is gone: a pending alert is dropped, a firing one resolves unless
      // keep_firing_for holds it; resolved alerts are dropped after kResolvedRetention.
      bool keep_firing = false;
      if (a.state == AlertState::kFiring && keep_firing_for_.count() > 0) {
        if (a.keep_firing_since == 0) a.keep_firing_since = ts;
        if (ts - a.keep_firing_since < keep_firing_for_.count()) keep_firing = true;
      }
      bool erase = a.state == AlertState::kPending ||
                   (a.resolved_at != 0 && ts - a.resolved_at > kResolvedRetention.count());
      if (a.state != AlertState::kInactive && !keep_firing) {
        a.state = AlertState::kInactive;
        a.resolved_at = ts;
      }
      if (erase) {
        it = active_.erase(it);
        continue;
      }
      if (!keep_firing) {
        ++it;
        continue;
      }
    } else {
      a.keep_firing_since = 0;
    }
    ++num_active_pending;
    if (a.state == AlertState::kPending && ts - a.active_at >= hold_.count()) {
      a.state = AlertState::kFiring;
      a.fired_at = ts;
    }
    if (restored_) {
      vec.push_back(AlertsSample(a, query_ts));
      vec.push_back(ForStateSample(&a, query_ts, static_cast<double>(UnixSeconds(a.active_at))));
    }
    ++it;
  }
  if (ctx.limit > 0 && num_active_pending > ctx.limit) {
    active_.clear();
    return base::Status(base::StatusCode::kExecution,
                        "exceeded limit of " + std::to_string(ctx.limit) + " with " +
                            std::to_string(num_active_pending) + " alerts");
  }
  return vec;
}

std::vector<NotifierAlert> AlertingRule::AlertsToSend(model::Timestamp ts,
                                                      std::chrono::milliseconds resend_delay,
                                                      std::chrono::milliseconds interval) {
  std::vector<NotifierAlert> out;
  const std::string generator_url =
      external_url_ + "/graph?g0.expr=" + tmpl::QueryEscape(query()) + "&g0.tab=1";
  std::lock_guard lock(mu_);
  for (auto& [h, a] : active_) {
    // Prometheus's Alert.needsSending.
    bool needs = false;
    if (a.state == AlertState::kPending) {
      needs = false;
    } else if (a.resolved_at > a.last_sent_at) {
      needs = true;
    } else {
      needs = a.last_sent_at + resend_delay.count() < ts;
    }
    if (!needs) continue;
    a.last_sent_at = ts;
    a.valid_until = ts + 4 * std::max(interval, resend_delay).count();
    NotifierAlert n;
    n.labels = a.labels;
    n.annotations = a.annotations;
    n.starts_at = a.fired_at;
    n.ends_at = a.resolved_at != 0 ? a.resolved_at : a.valid_until;
    n.generator_url = generator_url;
    out.push_back(std::move(n));
  }
  return out;
}

AlertState AlertingRule::State() const {
  std::lock_guard lock(mu_);
  AlertState max = AlertState::kInactive;
  for (const auto& [h, a] : active_) max = std::max(max, a.state);
  return max;
}

std::vector<Alert> AlertingRule::ActiveAlerts() const {
  std::vector<Alert> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [h, a] : active_)
      if (a.resolved_at == 0) out.push_back(a);
  }
  std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) { return a.labels < b.labels; });
  return out;
}

size_t AlertingRule::ActiveAlertsCount() const {
  std::lock_guard lock(mu_);
  return active_.size();
}

bool AlertingRule::restored() const {
  std::lock_guard lock(mu_);
  return restored_;
}

void AlertingRule::SetRestored(bool restored) {
  std::lock_guard lock(mu_);
  restored_ = restored;
}

void AlertingRule::RestoreForState(storage::Querier& q, model::Timestamp now,
                                   std::chrono::milliseconds for_grace_period) {
  // Prometheus's QueryForStateSeries: the rule's ALERTS_FOR_STATE series, selected by the
  // labels that are not templates.
  promql::Sample probe = ForStateSample(nullptr, now, 0);
  std::vector<model::Matcher> matchers;
  for (const model::Label& l : probe.metric) {
    if (l.value.find("{{") != std::string_view::npos) continue;
    auto m = model::Matcher::Make(model::MatchType::kEqual, std::string(l.name), std::string(l.value));
    if (m.ok()) matchers.push_back(std::move(*m));
  }
  std::unique_ptr<storage::SeriesSet> set = q.Select(false, nullptr, matchers);
  // The last sample of each series, by its labels without __name__.
  std::map<std::string, std::pair<model::Timestamp, double>> last;
  while (set->Next()) {
    storage::Series& s = set->At();
    model::LabelsBuilder lb(s.labels());
    lb.Del(model::kMetricName);
    auto it = s.NewIterator();
    bool any = false;
    std::pair<model::Timestamp, double> tv{0, 0};
    while (it->Next()) {
      tv = it->At();
      any = true;
    }
    if (any && it->status().ok()) last[lb.Build().ToString()] = tv;
  }

  std::lock_guard lock(mu_);
  restored_ = true;
  if (!set->status().ok() || last.empty()) return;
  for (auto& [h, a] : active_) {
    auto it = last.find(a.labels.ToString());
    if (it == last.end()) continue;
    auto [t, v] = it->second;
    if (model::IsStaleNaN(v)) continue;  // the alert was not active
    // In whole seconds, as Prometheus (time.Unix(t/1000, 0) and time.Unix(int64(v), 0)).
    const int64_t down_at = (t / 1000) * 1000;
    int64_t restored_active_at = static_cast<int64_t>(v) * 1000;
    const int64_t time_spent_pending = down_at - restored_active_at;
    const int64_t time_remaining_pending = hold_.count() - time_spent_pending;
    if (time_remaining_pending <= 0) {
      // Already waited long enough to fire: keep the original active time.
    } else if (time_remaining_pending < for_grace_period.count()) {
      restored_active_at = now + for_grace_period.count() - hold_.count();
    } else {
      restored_active_at += now - down_at;
    }
    a.active_at = restored_active_at;
  }
}

void AlertingRule::CopyAlertsFrom(const AlertingRule& from) {
  std::map<uint64_t, Alert> copy;
  {
    std::lock_guard lock(from.mu_);
    copy = from.active_;
  }
  std::lock_guard lock(mu_);
  for (auto& [h, a] : copy) active_[h] = std::move(a);
}

std::string AlertingRule::ConfigString() const {
  std::string s = "alert: " + name() + "\nexpr: " + query() + "\nfor: " +
                  std::to_string(hold_.count()) + "\nkeep_firing_for: " +
                  std::to_string(keep_firing_for_.count()) + "\nlabels: " + labels().ToString() +
                  "\nannotations:";
  for (const auto& [k, v] : annotations_) s += "\n  " + k + ": " + v;
  return s + "\n";
}

}  // namespace rules

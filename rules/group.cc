#include "rules/group.h"

#include <algorithm>

namespace rules {
namespace {

// Counters and gauges of groups built without a registry.
base::metrics::Counter g_unused_counter;
base::metrics::Gauge g_unused_gauge;

bool IsRoutineAppendError(base::StatusCode c) {
  return c == base::StatusCode::kOutOfOrder || c == base::StatusCode::kTooOld ||
         c == base::StatusCode::kOutOfBounds || c == base::StatusCode::kDuplicateSample;
}

}  // namespace

Group::Group(GroupSpec spec, const GroupDeps* deps)
    : name_(std::move(spec.name)),
      file_(std::move(spec.file)),
      interval_(spec.interval),
      query_offset_(spec.query_offset),
      limit_(spec.limit),
      rules_(std::move(spec.rules)),
      deps_(deps),
      should_restore_(spec.should_restore),
      series_in_previous_eval_(rules_.size()) {
  eval_total_ = iterations_ = iterations_missed_ = eval_failures_ = &g_unused_counter;
  last_eval_time_ = last_duration_ = samples_ = &g_unused_gauge;
  if (base::metrics::Registry* r = deps_->registry; r != nullptr) {
    base::metrics::LabelPairs l = {{"rule_group", Key()}};
    eval_total_ = &r->GetCounter("prometheus_rule_evaluations_total",
                                 "The total number of rule evaluations.", l);
    eval_failures_ = &r->GetCounter("prometheus_rule_evaluation_failures_total",
                                    "The total number of rule evaluation failures.", l);
    iterations_ = &r->GetCounter(
        "prometheus_rule_group_iterations_total",
        "The total number of scheduled rule group evaluations, whether executed or missed.", l);
    iterations_missed_ = &r->GetCounter(
        "prometheus_rule_group_iterations_missed_total",
        "The total number of rule group evaluations missed due to slow rule group evaluation.", l);
    last_eval_time_ = &r->GetGauge("prometheus_rule_group_last_evaluation_timestamp_seconds",
                                   "The timestamp of the last rule group evaluation in seconds.", l);
    last_duration_ = &r->GetGauge("prometheus_rule_group_last_duration_seconds",
                                  "The duration of the last rule group evaluation.", l);
    samples_ = &r->GetGauge("prometheus_rule_group_last_evaluation_samples",
                            "The number of samples returned during the last rule group evaluation.", l);
    r->GetGauge("prometheus_rule_group_interval_seconds", "The interval of a rule group.", l)
        .Set(static_cast<double>(interval_.count()) / 1000);
    r->GetGauge("prometheus_rule_group_rules", "The number of rules.", l)
        .Set(static_cast<double>(rules_.size()));
  }
}

std::chrono::milliseconds Group::QueryOffset() const {
  return query_offset_ ? *query_offset_ : deps_->default_query_offset;
}

model::Timestamp Group::EvalTimestamp(int64_t now_ms) const {
  // In nanoseconds, as Prometheus computes it; the hash is labels.Hash of {file, name}.
  const uint64_t interval_ns = static_cast<uint64_t>(interval_.count()) * 1000000;
  model::Labels key{{"name", name_}, {"file", file_}};
  const int64_t offset = static_cast<int64_t>(key.hash() % interval_ns);
  const int64_t adj_now = now_ms * 1000000 - offset;
  const int64_t base = adj_now - (adj_now % static_cast<int64_t>(interval_ns));
  const int64_t next = base + offset;
  return next >= 0 ? next / 1000000 : -((-next + 999999) / 1000000);
}

void Group::Eval(model::Timestamp ts) {
  const std::chrono::milliseconds offset = QueryOffset();
  int64_t samples_total = 0;
  for (size_t i = 0; i < rules_.size(); ++i) {
    Rule& rule = *rules_[i];
    const model::Timestamp started = deps_->clock->NowMs();
    const auto t0 = std::chrono::steady_clock::now();
    eval_total_->Inc();
    EvalContext ctx{ts, offset, &deps_->query, deps_->external_url, limit_};
    auto vector = rule.Eval(ctx);
    auto finish = [&] {
      rule.SetEvaluation(std::chrono::steady_clock::now() - t0, started);
    };
    if (!vector.ok()) {
      rule.SetStatus(Health::kBad, vector.error().message());
      eval_failures_->Inc();
      if (vector.error().code() != base::StatusCode::kCanceled)
        deps_->logger->Warn("rules", "Evaluating rule failed",
                            {{"group", name_}, {"file", file_}, {"rule", rule.name()},
                             {"err", vector.error().message()}});
      finish();
      continue;
    }
    rule.SetStatus(Health::kGood, "");
    samples_total += static_cast<int64_t>(vector->size());

    if (rule.is_alerting() && deps_->notify) {
      auto& ar = static_cast<AlertingRule&>(rule);
      std::vector<NotifierAlert> send = ar.AlertsToSend(ts, deps_->resend_delay, interval_);
      if (!send.empty()) deps_->notify(rule.query(), std::move(send));
    }

    std::unique_ptr<storage::Appender> app = deps_->appendable->NewAppender();
    std::map<std::string, model::Labels> returned;
    int routine_errors = 0;
    for (const promql::Sample& s : *vector) {
      auto r = app->Append(0, s.metric, s.t, s.f);
      if (!r.ok()) {
        rule.SetStatus(Health::kBad, r.error().message());
        if (IsRoutineAppendError(r.error().code())) {
          ++routine_errors;
        } else {
          deps_->logger->Warn("rules", "Rule evaluation result discarded",
                              {{"group", name_}, {"rule", rule.name()},
                               {"err", r.error().message()}, {"sample", s.metric.ToString()}});
        }
        continue;
      }
      returned.emplace(std::string(s.metric.bytes()), s.metric);
    }
    if (routine_errors > 0)
      deps_->logger->Warn("rules", "Error on ingesting results from rule evaluation",
                          {{"group", name_}, {"rule", rule.name()},
                           {"num_dropped", std::to_string(routine_errors)}});
    // Series of the previous evaluation that this one did not produce end with a staleness
    // marker.
    for (const auto& [key, lset] : series_in_previous_eval_[i]) {
      if (returned.contains(key)) continue;
      auto r = app->Append(0, lset, ts - offset.count(), model::StaleNaN());
      if (!r.ok() && !IsRoutineAppendError(r.error().code()))
        deps_->logger->Warn("rules", "Adding stale sample failed",
                            {{"sample", lset.ToString()}, {"err", r.error().message()}});
    }
    if (base::Status st = app->Commit(); !st.ok()) {
      rule.SetStatus(Health::kBad, st.message());
      eval_failures_->Inc();
      deps_->logger->Warn("rules", "Rule sample appending failed",
                          {{"group", name_}, {"rule", rule.name()}, {"err", st.message()}});
    } else {
      series_in_previous_eval_[i] = std::move(returned);
    }
    finish();
  }
  samples_->Set(static_cast<double>(samples_total));
  if (!stale_series_.empty()) {
    AppendStale(stale_series_, ts - offset.count());
    stale_series_.clear();
  }
}

void Group::AppendStale(const std::vector<model::Labels>& series, model::Timestamp t) {
  std::unique_ptr<storage::Appender> app = deps_->appendable->NewAppender();
  for (const model::Labels& s : series) {
    auto r = app->Append(0, s, t, model::StaleNaN());
    if (!r.ok() && !IsRoutineAppendError(r.error().code()))
      deps_->logger->Warn("rules", "Adding stale sample for previous configuration failed",
                          {{"sample", s.ToString()}, {"err", r.error().message()}});
  }
  if (base::Status st = app->Commit(); !st.ok())
    deps_->logger->Warn("rules", "Stale sample appending for previous configuration failed",
                        {{"err", st.message()}});
}

void Group::Iterate(model::Timestamp ts) {
  iterations_->Inc();
  const model::Timestamp start = deps_->clock->NowMs();
  const auto t0 = std::chrono::steady_clock::now();
  Eval(ts);
  const auto took = std::chrono::steady_clock::now() - t0;
  last_duration_->Set(std::chrono::duration<double>(took).count());
  last_eval_time_->Set(static_cast<double>(start) / 1000);
  std::lock_guard lock(mu_);
  evaluation_time_ = took;
  last_evaluation_ = start;
  last_eval_timestamp_ = ts;
}

void Group::SleepUntil(model::Timestamp t, std::stop_token& stop) {
  while (!stop.stop_requested()) {
    const int64_t now = deps_->clock->NowMs();
    if (now >= t) return;
    auto wait = std::min<int64_t>(t - now, deps_->poll_interval.count());
    std::unique_lock lock(sleep_mu_);
    sleep_cv_.wait_for(lock, stop, std::chrono::milliseconds(wait), [] { return false; });
  }
}

void Group::Run(std::stop_token stop) {
  const int64_t interval = interval_.count();
  model::Timestamp eval_ts = EvalTimestamp(deps_->clock->NowMs()) + interval;
  SleepUntil(eval_ts, stop);
  if (stop.stop_requested()) return;
  Iterate(eval_ts);
  bool first_tick = true;
  while (true) {
    SleepUntil(eval_ts + interval, stop);
    if (stop.stop_requested()) return;
    const int64_t missed = (deps_->clock->NowMs() - eval_ts) / interval - 1;
    if (missed > 0) {
      iterations_missed_->Inc(static_cast<double>(missed));
      iterations_->Inc(static_cast<double>(missed));
    }
    eval_ts += (std::max<int64_t>(missed, 0) + 1) * interval;
    Iterate(eval_ts);
    if (first_tick && should_restore_) {
      // After the second evaluation, as Prometheus: by then the alerts exist again and the
      // `for` state can be moved back in time.
      RestoreForState(deps_->clock->NowMs());
    }
    first_tick = false;
  }
}

void Group::RestoreForState(model::Timestamp now) {
  should_restore_ = false;
  std::vector<AlertingRule*> alerting = AlertingRules();
  auto restore_all = [&] {
    for (AlertingRule* r : alerting) r->SetRestored(true);
  };
  if (deps_->queryable == nullptr) return restore_all();
  auto q = deps_->queryable->NewQuerier(now - deps_->outage_tolerance.count(), now);
  if (!q.ok()) {
    deps_->logger->Error("rules", "Failed to get Querier", {{"err", q.error().message()}});
    return restore_all();
  }
  for (AlertingRule* r : alerting) {
    if (r->hold() < deps_->for_grace_period) {
      r->SetRestored(true);
      continue;
    }
    r->RestoreForState(**q, now, deps_->for_grace_period);
  }
}

bool Group::Equals(const Group& o) const {
  if (name_ != o.name_ || file_ != o.file_ || interval_ != o.interval_ || limit_ != o.limit_ ||
      query_offset_ != o.query_offset_ || rules_.size() != o.rules_.size())
    return false;
  for (size_t i = 0; i < rules_.size(); ++i)
    if (rules_[i]->ConfigString() != o.rules_[i]->ConfigString()) return false;
  return true;
}

void Group::CopyState(Group& from) {
  {
    std::lock_guard lock(from.mu_);
    std::lock_guard lock2(mu_);
    evaluation_time_ = from.evaluation_time_;
    last_evaluation_ = from.last_evaluation_;
  }
  auto key = [](const Rule& r) { return r.name() + r.labels().ToString(); };
  std::map<std::string, std::vector<size_t>> by_key;
  for (size_t i = 0; i < from.rules_.size(); ++i) by_key[key(*from.rules_[i])].push_back(i);
  std::vector<bool> taken(from.rules_.size(), false);
  for (size_t i = 0; i < rules_.size(); ++i) {
    auto it = by_key.find(key(*rules_[i]));
    if (it == by_key.end() || it->second.empty()) continue;
    size_t fi = it->second.front();
    it->second.erase(it->second.begin());
    taken[fi] = true;
    series_in_previous_eval_[i] = from.series_in_previous_eval_[fi];
    if (rules_[i]->is_alerting() && from.rules_[fi]->is_alerting())
      static_cast<AlertingRule&>(*rules_[i])
          .CopyAlertsFrom(static_cast<const AlertingRule&>(*from.rules_[fi]));
  }
  stale_series_ = from.stale_series_;
  for (size_t fi = 0; fi < from.rules_.size(); ++fi) {
    if (taken[fi]) continue;
    for (const auto& [k, l] : from.series_in_previous_eval_[fi]) stale_series_.push_back(l);
  }
}

void Group::MarkStale(model::Timestamp ts) {
  std::vector<model::Labels> all = std::move(stale_series_);
  stale_series_.clear();
  for (auto& m : series_in_previous_eval_)
    for (auto& [k, l] : m) all.push_back(l);
  series_in_previous_eval_.assign(rules_.size(), {});
  if (!all.empty()) AppendStale(all, ts);
}

std::chrono::nanoseconds Group::evaluation_time() const {
  std::lock_guard lock(mu_);
  return evaluation_time_;
}

model::Timestamp Group::last_evaluation() const {
  std::lock_guard lock(mu_);
  return last_evaluation_;
}

model::Timestamp Group::last_eval_timestamp() const {
  std::lock_guard lock(mu_);
  return last_eval_timestamp_;
}

std::vector<AlertingRule*> Group::AlertingRules() const {
  std::vector<AlertingRule*> out;
  for (const auto& r : rules_)
    if (r->is_alerting()) out.push_back(static_cast<AlertingRule*>(r.get()));
  return out;
}

}  // namespace rules

#include "alerting/dispatch.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "alerting/config/config.h"
#include "alerting/inhibit.h"
#include "alerting/marker.h"
#include "alerting/nflog.h"
#include "alerting/notify/pipeline.h"
#include "alerting/silence.h"
#include "base/metrics.h"

using namespace std::chrono_literals;
using alerting::Alert;
using alerting::AlertPtr;
using alerting::Alerts;

namespace {

// Records every Notify call; fails the first `failures` calls.
class RecordingNotifier final : public alerting::notify::Notifier {
 public:
  struct Call {
    alerting::notify::NotifyContext ctx;
    Alerts alerts;
  };
  base::Status Notify(const alerting::notify::NotifyContext& ctx, const Alerts& alerts,
                      bool* retry) override {
    std::lock_guard lock(mu_);
    ++attempts_;
    if (failures_ > 0) {
      --failures_;
      *retry = retryable_;
      return base::Unavailable("unexpected status code 500");
    }
    calls_.push_back({ctx, alerts});
    cv_.notify_all();
    return base::Status::Ok();
  }
  void Fail(int n, bool retryable) {
    std::lock_guard lock(mu_);
    failures_ = n;
    retryable_ = retryable;
  }
  // Waits until at least n successful calls (at most `timeout`); returns the count.
  size_t WaitFor(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return calls_.size() >= n; });
    return calls_.size();
  }
  std::vector<Call> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  int attempts() {
    std::lock_guard lock(mu_);
    return attempts_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Call> calls_;
  int failures_ = 0;
  bool retryable_ = true;
  int attempts_ = 0;
};

std::shared_ptr<const alerting::config::Config> LoadConfig(const std::string& yaml) {
  auto c = alerting::config::Load(yaml);
  if (!c.has_value()) FAIL(c.error().message());
  return std::make_shared<const alerting::config::Config>(std::move(*c));
}

// A dispatcher over one receiver "r" with a recording webhook-like integration.
struct Harness {
  explicit Harness(const std::string& yaml, bool send_resolved = false)
      : config(LoadConfig(yaml)), silences(clock), nflog(clock, {}), metrics(&registry) {
    std::vector<alerting::InhibitRule> rules;
    for (const auto& r : config->inhibit_rules)
      rules.push_back(alerting::InhibitRule::FromConfig(r));
    inhibitor = std::make_shared<alerting::Inhibitor>(std::move(rules), clock);
    std::map<std::string, std::vector<alerting::notify::Integration>> receivers;
    for (const auto& r : config->receivers) {
      receivers[r.name].push_back(
          alerting::notify::Integration{"webhook", 0, r.name, send_resolved, notifier});
    }
    alerting::notify::PipelineDeps deps;
    deps.inhibitor = inhibitor;
    deps.silences = &silences;
    deps.marker = &marker;
    deps.nflog = &nflog;
    deps.time_intervals = std::make_shared<alerting::notify::TimeIntervals>();
    for (const auto& ti : config->time_intervals) {
      (*std::const_pointer_cast<alerting::notify::TimeIntervals>(deps.time_intervals))[ti.name] =
          ti.time_intervals;
    }
    deps.metrics = &metrics;
    deps.logger = &base::Logger::Quiet();
    deps.clock = &clock;
    std::shared_ptr<const alerting::notify::Stage> pipeline =
        alerting::notify::BuildPipeline(receivers, deps);
    alerting::Dispatcher::Options o;
    o.clock = &clock;
    o.registry = &registry;
    o.min_timeout = 2s;
    dispatcher = std::make_unique<alerting::Dispatcher>(
        std::shared_ptr<const alerting::Route>(alerting::Route::FromConfig(config->route)),
        pipeline, o);
  }
  ~Harness() { dispatcher->Stop(); }

  // An alert as the API would store it: firing for an hour from `started_ago`.
  AlertPtr Put(model::Labels labels, std::chrono::milliseconds started_ago = 0ms,
               int64_t ends_at = 0) {
    auto a = std::make_shared<Alert>();
    const int64_t now = clock.NowMs();
    a->labels = std::move(labels);
    a->starts_at = now - started_ago.count();
    a->ends_at = ends_at != 0 ? ends_at : now + 3600'000;
    a->updated_at = now;
    inhibitor->Put(a->labels, a->ends_at);
    dispatcher->Process(a);
    return a;
  }
  double Counter(const std::string& name) {
    return registry.GetCounter(name, "", {{"integration", "webhook"}}).value();
  }
  // The counter once it reaches `want` (the pipeline counts after the notifier returns, so a
  // test that saw the call may look a moment too early), or its value after `timeout`.
  double CounterAtLeast(const std::string& name, double want,
                        std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (Counter(name) < want && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return Counter(name);
  }

  base::Clock& clock = base::Clock::Real();
  std::shared_ptr<const alerting::config::Config> config;
  base::metrics::Registry registry;
  alerting::Marker marker;
  alerting::Silences silences;
  alerting::Nflog nflog;
  alerting::notify::PipelineMetrics metrics;
  std::shared_ptr<alerting::Inhibitor> inhibitor;
  std::shared_ptr<RecordingNotifier> notifier = std::make_shared<RecordingNotifier>();
  std::unique_ptr<alerting::Dispatcher> dispatcher;
};

const char* kFastRoute = R"(
route:
  receiver: r
  group_by: [alertname]
  group_wait: 300ms
  group_interval: 600ms
  repeat_interval: 1h
receivers:
- name: r
)";

std::vector<std::string> Names(const Alerts& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.emplace_back(a->labels.Get("instance"));
  return out;
}

}  // namespace

TEST_CASE("group labels and alert order follow Alertmanager", "[alerting][dispatch]") {
  alerting::RouteOpts opts;
  opts.group_by = {"alertname", "job"};
  const model::Labels l{{"alertname", "A"}, {"instance", "i"}, {"job", "j"}};
  CHECK(alerting::GroupLabels(l, opts) == model::Labels{{"alertname", "A"}, {"job", "j"}});
  opts.group_by_all = true;
  CHECK(alerting::GroupLabels(l, opts) == l);
  Alert a, b, c;
  a.labels = {{"alertname", "A"}, {"job", "b"}};
  b.labels = {{"alertname", "A"}, {"job", "a"}, {"instance", "z"}};
  c.labels = {{"alertname", "A"}};
  CHECK(alerting::AlertLess(b, a));  // job a < job b
  CHECK(alerting::AlertLess(a, c));  // alerts with a job first
  CHECK_FALSE(alerting::AlertLess(c, a));
  CHECK(alerting::LabelSetBefore(model::Labels{{"z", "1"}}, model::Labels{{"a", "1"}, {"b", "2"}}));
  CHECK(alerting::LabelSetBefore(model::Labels{{"a", "1"}}, model::Labels{{"b", "1"}}) == false);
}

TEST_CASE("alerts of a group are notified together after group_wait", "[alerting][dispatch]") {
  Harness h(kFastRoute);
  const auto start = std::chrono::steady_clock::now();
  h.Put({{"alertname", "A"}, {"instance", "2"}});
  h.Put({{"alertname", "A"}, {"instance", "1"}});
  h.Put({{"alertname", "B"}, {"instance", "3"}});
  std::this_thread::sleep_for(100ms);
  CHECK(h.notifier->calls().empty());  // group_wait not over yet
  REQUIRE(h.notifier->WaitFor(2, 3s) == 2);
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
  auto calls = h.notifier->calls();
  std::sort(calls.begin(), calls.end(),
            [](const auto& x, const auto& y) { return x.ctx.group_key < y.ctx.group_key; });
  CHECK(calls[0].ctx.group_key == "{}:{alertname=\"A\"}");
  CHECK(calls[0].ctx.receiver == "r");
  CHECK(calls[0].ctx.group_labels == model::Labels{{"alertname", "A"}});
  CHECK(calls[0].ctx.repeat_interval == 1h);
  CHECK(Names(calls[0].alerts) == std::vector<std::string>{"1", "2"});
  CHECK(calls[0].alerts[0]->ends_at == 0);  // firing alerts are sent without an end
  CHECK(calls[1].ctx.group_key == "{}:{alertname=\"B\"}");
  CHECK(h.dispatcher->group_count() == 2);

  auto groups = h.dispatcher->Groups(nullptr, nullptr, nullptr);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].labels == model::Labels{{"alertname", "A"}});
  CHECK(groups[0].route_id == "{}");
  CHECK(groups[0].alerts.size() == 2);
}

TEST_CASE("an alert older than group_wait is flushed at once", "[alerting][dispatch]") {
  Harness h(R"(
route:
  receiver: r
  group_wait: 5s
receivers:
- name: r
)");
  h.Put({{"alertname", "A"}}, 10s);
  CHECK(h.notifier->WaitFor(1, 2s) == 1);
  // group_by is empty: one group for everything, keyed by the empty label set.
  CHECK(h.notifier->calls()[0].ctx.group_key == "{}:{}");
}

TEST_CASE("new alerts wait for group_interval; unchanged groups wait for repeat_interval",
          "[alerting][dispatch]") {
  Harness h(R"(
route:
  receiver: r
  group_by: [alertname]
  group_wait: 200ms
  group_interval: 400ms
  repeat_interval: 1500ms
receivers:
- name: r
)");
  h.Put({{"alertname", "A"}, {"instance", "1"}});
  REQUIRE(h.notifier->WaitFor(1, 3s) == 1);
  h.Put({{"alertname", "A"}, {"instance", "2"}});
  REQUIRE(h.notifier->WaitFor(2, 3s) == 2);
  CHECK(Names(h.notifier->calls()[1].alerts) == std::vector<std::string>{"1", "2"});
  // Two more group_intervals pass without a change: no notification (dedup).
  std::this_thread::sleep_for(900ms);
  CHECK(h.notifier->calls().size() == 2);
  // The repeat interval passes: the same alerts again.
  REQUIRE(h.notifier->WaitFor(3, 3s) == 3);
  CHECK(Names(h.notifier->calls()[2].alerts) == std::vector<std::string>{"1", "2"});
}

TEST_CASE("resolved alerts: sent with send_resolved, then dropped from the group",
          "[alerting][dispatch]") {
  const bool send_resolved = GENERATE(true, false);
  Harness h(kFastRoute, send_resolved);
  auto a1 = h.Put({{"alertname", "A"}, {"instance", "1"}});
  h.Put({{"alertname", "A"}, {"instance", "2"}});
  REQUIRE(h.notifier->WaitFor(1, 3s) == 1);
  // instance 1 resolves.
  h.Put({{"alertname", "A"}, {"instance", "1"}}, 0ms, h.clock.NowMs() - 1);
  if (send_resolved) {
    REQUIRE(h.notifier->WaitFor(2, 3s) == 2);
    const auto call = h.notifier->calls()[1];
    REQUIRE(call.alerts.size() == 2);
    CHECK(call.alerts[0]->ResolvedAt(h.clock.NowMs()));
    CHECK(call.alerts[1]->ends_at == 0);
  } else {
    // The firing set shrank to a subset: no notification, the nflog keeps the old entry.
    std::this_thread::sleep_for(1500ms);
    CHECK(h.notifier->calls().size() == 1);
    auto e = h.nflog.Query({"r", "webhook", 0}, "{}:{alertname=\"A\"}");
    REQUIRE(e.has_value());
    CHECK(e->firing_alerts.size() == 2);
    CHECK(e->resolved_alerts.empty());
  }
  // The resolved alert left the group after its notification.
  for (int i = 0; i < 40; ++i) {
    auto g = h.dispatcher->Groups(nullptr, nullptr, nullptr);
    if (!g.empty() && g[0].alerts.size() == 1) break;
    std::this_thread::sleep_for(50ms);
  }
  auto groups = h.dispatcher->Groups(nullptr, nullptr, nullptr);
  REQUIRE(groups.size() == 1);
  REQUIRE(groups[0].alerts.size() == 1);
  CHECK(groups[0].alerts[0]->labels.Get("instance") == "2");

  // The last alert resolves: a notification (whatever send_resolved says, the firing set
  // empties), then the group is empty and maintenance deletes it.
  const size_t before = h.notifier->calls().size();
  h.Put({{"alertname", "A"}, {"instance", "2"}}, 0ms, h.clock.NowMs() - 1);
  if (send_resolved) {
    REQUIRE(h.notifier->WaitFor(before + 1, 3s) == before + 1);
    CHECK(h.notifier->calls().back().alerts.size() == 1);
  }
  for (int i = 0; i < 40 && h.dispatcher->group_count() > 0; ++i) {
    h.dispatcher->DoMaintenance();
    std::this_thread::sleep_for(50ms);
  }
  CHECK(h.dispatcher->group_count() == 0);
  if (!send_resolved) {
    // Nothing was sent, but the nflog learnt that nothing fires any more.
    CHECK(h.notifier->calls().size() == before);
    auto e = h.nflog.Query({"r", "webhook", 0}, "{}:{alertname=\"A\"}");
    REQUIRE(e.has_value());
    CHECK(e->firing_alerts.empty());
    CHECK(e->resolved_alerts.size() == 1);
  }
}

TEST_CASE("inhibited alerts are not notified and are marked", "[alerting][dispatch]") {
  Harness h(std::string(kFastRoute) + R"(
inhibit_rules:
- source_matchers: [severity=critical]
  target_matchers: [severity=warning]
  equal: [alertname]
)");
  auto src = h.Put({{"alertname", "A"}, {"severity", "critical"}, {"instance", "1"}});
  auto tgt = h.Put({{"alertname", "A"}, {"severity", "warning"}, {"instance", "2"}});
  REQUIRE(h.notifier->WaitFor(1, 3s) == 1);
  CHECK(Names(h.notifier->calls()[0].alerts) == std::vector<std::string>{"1"});
  auto st = h.marker.Status(tgt->fingerprint());
  CHECK(st.state == alerting::AlertState::kSuppressed);
  CHECK(st.inhibited_by ==
        std::vector<std::string>{alerting::FingerprintString(src->fingerprint())});
  CHECK(h.marker.Status(src->fingerprint()).state == alerting::AlertState::kActive);
}

TEST_CASE("a silence mutes matching alerts until it expires", "[alerting][dispatch]") {
  Harness h(kFastRoute);
  alerting::Silence s;
  s.matchers = {{alerting::MatchType::kEqual, "instance", "2"}};
  s.starts_at = h.clock.NowMs();
  s.ends_at = s.starts_at + 3600'000;
  s.created_by = "test";
  auto id = h.silences.Set(s);
  REQUIRE(id.has_value());
  h.Put({{"alertname", "A"}, {"instance", "1"}});
  auto muted = h.Put({{"alertname", "A"}, {"instance", "2"}});
  REQUIRE(h.notifier->WaitFor(1, 3s) == 1);
  CHECK(Names(h.notifier->calls()[0].alerts) == std::vector<std::string>{"1"});
  auto st = h.marker.Status(muted->fingerprint());
  CHECK(st.state == alerting::AlertState::kSuppressed);
  CHECK(st.silenced_by == std::vector<std::string>{*id});
  // Unmuted: the firing set grows, the next flush notifies both.
  REQUIRE(h.silences.Expire(*id).ok());
  REQUIRE(h.notifier->WaitFor(2, 3s) == 2);
  CHECK(Names(h.notifier->calls()[1].alerts) == std::vector<std::string>{"1", "2"});
  CHECK(h.marker.Status(muted->fingerprint()).state == alerting::AlertState::kActive);
}

TEST_CASE("failed notifications are retried and counted", "[alerting][dispatch]") {
  Harness h(kFastRoute);
  SECTION("a retryable error is retried until it succeeds") {
    h.notifier->Fail(2, true);
    h.Put({{"alertname", "A"}});
    REQUIRE(h.notifier->WaitFor(1, 5s) == 1);
    CHECK(h.notifier->attempts() == 3);
    CHECK(h.CounterAtLeast("alertmanager_notifications_total", 1) == 1);
    CHECK(h.CounterAtLeast("alertmanager_notification_requests_total", 3) == 3);
    CHECK(h.Counter("alertmanager_notifications_failed_total") == 0);
    CHECK(h.Counter("alertmanager_notification_requests_total") == 3);
    CHECK(h.Counter("alertmanager_notification_requests_failed_total") == 2);
  }
  SECTION("an unrecoverable error is not retried, and the next flush tries again") {
    h.notifier->Fail(1, false);
    h.Put({{"alertname", "A"}});
    REQUIRE(h.notifier->WaitFor(1, 5s) == 1);
    CHECK(h.notifier->attempts() == 2);
    CHECK(h.CounterAtLeast("alertmanager_notifications_total", 2) == 2);
    CHECK(h.Counter("alertmanager_notifications_failed_total") == 1);
    CHECK(h.Counter("alertmanager_notification_requests_failed_total") == 1);
  }
  SECTION("retries end at the flush deadline") {
    h.notifier->Fail(1000, true);
    h.Put({{"alertname", "A"}});
    // min_timeout is 2s: the first flush gives up after about 2s, the nflog stays empty.
    std::this_thread::sleep_for(2800ms);
    CHECK(h.Counter("alertmanager_notifications_failed_total") >= 1);
    CHECK(h.nflog.size() == 0);
    CHECK(h.notifier->calls().empty());
  }
}

TEST_CASE("mute and active time intervals drop a route's notifications", "[alerting][dispatch]") {
  Harness h(R"(
route:
  receiver: r
  group_by: [alertname]
  group_wait: 200ms
  group_interval: 400ms
  routes:
  - matchers: [alertname=Muted]
    mute_time_intervals: [always]
  - matchers: [alertname=Inactive]
    active_time_intervals: [never]
  - matchers: [alertname=Active]
    active_time_intervals: [always]
receivers:
- name: r
time_intervals:
- name: always
  time_intervals: [{}]
- name: never
  time_intervals: [{years: ['1999']}]
)");
  h.Put({{"alertname", "Muted"}});
  h.Put({{"alertname", "Inactive"}});
  h.Put({{"alertname", "Active"}});
  REQUIRE(h.notifier->WaitFor(1, 3s) == 1);
  std::this_thread::sleep_for(600ms);
  const auto calls = h.notifier->calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].alerts[0]->labels.Get("alertname") == "Active");
}

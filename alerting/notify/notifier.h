// Notifier and Integration: one receiver's way of delivering a group's alerts (Alertmanager's
// notify.Notifier and notify.Integration). Implemented in alerting/notify/ by webhook, email,
// slack, pagerduty, opsgenie and msteams; driven by the notification pipeline.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "alerting/alert.h"
#include "base/status.h"
#include "model/labels.h"

namespace alerting::notify {

// What a notifier knows about the notification besides the alerts (the values Alertmanager
// carries in the context.Context of a pipeline run).
struct NotifyContext {
  std::string receiver;     // receiver name
  std::string group_key;    // aggregation group key, e.g. "{}/{severity=\"page\"}:{alertname=\"X\"}"
  model::Labels group_labels;
  int64_t now_ms = 0;       // time of the flush
  std::chrono::milliseconds repeat_interval{0};
  std::string external_url; // --web.external-url
};

// Sends one notification. Thread-safe (an integration's Notify may run for several groups at once).
class Notifier {
 public:
  virtual ~Notifier() = default;
  // Delivers `alerts` (firing and, where the integration sends them, resolved; never empty).
  // Returns OK on success. On failure returns an error whose message says what failed (HTTP
  // status and body excerpt, SMTP reply, ...) and sets *retry to whether trying again may help
  // (5xx, connection errors: true; 4xx, template errors: false).
  virtual base::Status Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) = 0;
};

// One configured delivery of a receiver: its notifier with the receiver config entry's identity.
struct Integration {
  std::string name;   // "webhook", "email", "slack", "pagerduty", "opsgenie", "msteams", ...
  int index = 0;      // position among the receiver's entries of this kind
  std::string receiver;
  bool send_resolved = false;
  std::shared_ptr<Notifier> notifier;
};

}  // namespace alerting::notify

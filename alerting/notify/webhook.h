// The webhook notifier (Alertmanager's notify/webhook): POSTs the group as JSON, payload
// version "4", to the configured url or the url read from url_file at each notification.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "alerting/config/config.h"
#include "alerting/notify/http.h"
#include "alerting/notify/notifier.h"
#include "alerting/notify/template_data.h"

namespace alerting::notify {

// The webhook body exactly as Alertmanager's json.Encoder writes its Message: fields receiver,
// status, alerts, groupLabels, commonLabels, commonAnnotations, externalURL, version, groupKey,
// truncatedAlerts; alerts' fields status, labels, annotations, startsAt, endsAt (RFC 3339 with
// nanoseconds, UTC, "0001-01-01T00:00:00Z" when unset), generatorURL, fingerprint; a final
// newline.
std::string WebhookPayload(const TemplateData& data, const std::string& group_key,
                           uint64_t truncated_alerts);

// Go's time.Time MarshalJSON text for a time in ms since the epoch (0: Go's zero time), without
// quotes: "2024-03-10T11:30:15.123Z".
std::string FormatRfc3339Nano(int64_t ms);

// Thread-safe.
class WebhookNotifier final : public Notifier {
 public:
  WebhookNotifier(config::WebhookConfig config, std::string user_agent,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));
  base::Status Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) override;

 private:
  const config::WebhookConfig config_;
  const HttpClient client_;
};

}  // namespace alerting::notify

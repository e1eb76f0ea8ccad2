// The PagerDuty notifier (Alertmanager's notify/pagerduty): Events API v2 with routing_key
// (trigger / resolve, dedup_key = SHA-256 of the group key), or the v1 generic API with
// service_key (incident_key likewise).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "alerting/config/config.h"
#include "alerting/notify/http.h"
#include "alerting/notify/notifier.h"
#include "base/logger.h"
#include "template/template.h"

namespace alerting::notify {

// Alertmanager's notify.Key.Hash: lower-case hex SHA-256 of the group key.
std::string GroupKeyHash(std::string_view group_key);

// Thread-safe.
class PagerdutyNotifier final : public Notifier {
 public:
  // Alertmanager 0.25 always sends v1 events to this URL (config url applies to v2 only).
  static constexpr std::string_view kV1Url =
      "https://events.pagerduty.com/generic/2010-04-15/create_event.json";

  // `v1_url` replaces kV1Url (for tests, as Alertmanager's apiV1 field).
  PagerdutyNotifier(config::PagerdutyConfig config, std::shared_ptr<const tmpl::Template> templates,
                    std::string user_agent, base::Logger* logger,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30),
                    std::string v1_url = std::string(kV1Url));
  base::Status Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) override;

  // The request body (Go's json.Encoder output, custom details replaced by an error when the
  // event exceeds 512000 bytes). Errors: template errors, missing key (not retried).
  base::Result<std::string> Payload(const NotifyContext& ctx, const Alerts& alerts) const;

 private:
  bool v1() const { return !config_.service_key.empty() || !config_.service_key_file.empty(); }

  const config::PagerdutyConfig config_;
  const std::shared_ptr<const tmpl::Template> templates_;
  base::Logger* const logger_;
  const HttpClient client_;
  const std::string v1_url_;
};

}  // namespace alerting::notify

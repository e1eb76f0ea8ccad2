// The OpsGenie notifier (Alertmanager's notify/opsgenie): a firing group creates the alert
// (POST v2/alerts, alias = SHA-256 of the group key) and, with update_alerts, updates its
// message and description; a resolved group closes it (POST v2/alerts/ALIAS/close).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "alerting/config/config.h"
#include "alerting/notify/http.h"
#include "alerting/notify/notifier.h"
#include "base/logger.h"
#include "template/template.h"

namespace alerting::notify {

// Thread-safe.
class OpsGenieNotifier final : public Notifier {
 public:
  OpsGenieNotifier(config::OpsGenieConfig config, std::shared_ptr<const tmpl::Template> templates,
                   std::string user_agent, base::Logger* logger,
                   std::chrono::milliseconds timeout = std::chrono::seconds(30));
  base::Status Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) override;

  struct Request {
    std::string method;  // "POST" or "PUT"
    std::string url;
    std::string body;  // as json.Encoder writes it
  };
  // The requests Notify sends, in order, and the API key. Errors: template errors ("templating
  // error: ..."), an unreadable api_key_file.
  base::Result<std::vector<Request>> Requests(const NotifyContext& ctx, const Alerts& alerts,
                                              std::string* api_key) const;

 private:
  const config::OpsGenieConfig config_;
  const std::shared_ptr<const tmpl::Template> templates_;
  base::Logger* const logger_;
  const HttpClient client_;
};

}  // namespace alerting::notify

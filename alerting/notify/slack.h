// The Slack notifier (Alertmanager's notify/slack): one attachment per notification, POSTed as
// JSON to api_url (or the URL read from api_url_file at each notification).
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

// Thread-safe.
class SlackNotifier final : public Notifier {
 public:
  SlackNotifier(config::SlackConfig config, std::shared_ptr<const tmpl::Template> templates,
                std::string user_agent, base::Logger* logger,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));
  base::Status Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) override;

  // The request body for `alerts`, as Alertmanager's json.Encoder writes it. Errors: the first
  // template error. Sets *channel (if not null) to the expanded channel.
  base::Result<std::string> Payload(const NotifyContext& ctx, const Alerts& alerts,
                                    std::string* channel = nullptr) const;

 private:
  const config::SlackConfig config_;
  const std::shared_ptr<const tmpl::Template> templates_;
  base::Logger* const logger_;
  const HttpClient client_;
};

}  // namespace alerting::notify

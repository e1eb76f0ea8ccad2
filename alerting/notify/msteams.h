// The Microsoft Teams notifier (Alertmanager 0.27's notify/msteams): a MessageCard POSTed to
// the incoming webhook (webhook_url, or webhook_url_file read at each notification).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "alerting/config/config.h"
#include "alerting/notify/http.h"
#include "alerting/notify/notifier.h"
#include "template/template.h"

namespace alerting::notify {

// Thread-safe.
class MsTeamsNotifier final : public Notifier {
 public:
  MsTeamsNotifier(config::MsTeamsConfig config, std::shared_ptr<const tmpl::Template> templates,
                  std::string user_agent,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));
  base::Status Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) override;

  // {"@context","type","title","summary","text","themeColor"} as json.Encoder writes it;
  // themeColor 8C1A1A when firing, 2DC72D when resolved. Errors: the first template error.
  base::Result<std::string> Payload(const NotifyContext& ctx, const Alerts& alerts) const;

 private:
  const config::MsTeamsConfig config_;
  const std::shared_ptr<const tmpl::Template> templates_;
  const HttpClient client_;
};

}  // namespace alerting::notify

#include "alerting/notify/receivers.h"

#include "alerting/notify/email.h"
#include "alerting/notify/msteams.h"
#include "alerting/notify/opsgenie.h"
#include "alerting/notify/pagerduty.h"
#include "alerting/notify/slack.h"
#include "alerting/notify/templates.h"
#include "alerting/notify/webhook.h"

namespace alerting::notify {
namespace {

template <typename C>
base::Status Unsupported(const config::Receiver& r, const std::vector<C>& configs,
                         std::string_view kind) {
  if (configs.empty()) return base::Status::Ok();
  return base::InvalidArgument("receiver " + r.name + ": " + std::string(kind) +
                               " are not supported by Hestia");
}

// Fills what the pipeline left unset in the context: the external URL from the options and
// the flush time from the clock.
class ContextDefaults final : public Notifier {
 public:
  ContextDefaults(std::shared_ptr<Notifier> next, std::string external_url,
                  const base::Clock* clock)
      : next_(std::move(next)), external_url_(std::move(external_url)), clock_(clock) {}
  base::Status Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) override {
    if (!ctx.external_url.empty() && ctx.now_ms != 0) return next_->Notify(ctx, alerts, retry);
    NotifyContext filled = ctx;
    if (filled.external_url.empty()) filled.external_url = external_url_;
    if (filled.now_ms == 0) filled.now_ms = clock_->NowMs();
    return next_->Notify(filled, alerts, retry);
  }

 private:
  const std::shared_ptr<Notifier> next_;
  const std::string external_url_;
  const base::Clock* const clock_;
};

template <typename C, typename Make>
void AddAll(const config::Receiver& r, const std::vector<C>& configs, std::string_view name,
            Make make, std::vector<Integration>* out) {
  for (size_t i = 0; i < configs.size(); ++i) {
    Integration in;
    in.name = std::string(name);
    in.index = static_cast<int>(i);
    in.receiver = r.name;
    in.send_resolved = configs[i].send_resolved;
    in.notifier = make(configs[i]);
    out->push_back(std::move(in));
  }
}

}  // namespace

base::Result<std::shared_ptr<const tmpl::Template>> LoadTemplates(
    const std::vector<std::string>& globs) {
  return LoadNotificationTemplates(globs);
}

base::Result<std::vector<Integration>> BuildIntegrations(
    const config::Receiver& receiver, std::shared_ptr<const tmpl::Template> templates,
    const ReceiverOptions& options) {
  RETURN_IF_ERROR(Unsupported(receiver, receiver.wechat_configs, "wechat_configs"));
  RETURN_IF_ERROR(Unsupported(receiver, receiver.pushover_configs, "pushover_configs"));
  RETURN_IF_ERROR(Unsupported(receiver, receiver.victorops_configs, "victorops_configs"));
  RETURN_IF_ERROR(Unsupported(receiver, receiver.sns_configs, "sns_configs"));
  RETURN_IF_ERROR(Unsupported(receiver, receiver.telegram_configs, "telegram_configs"));
  RETURN_IF_ERROR(Unsupported(receiver, receiver.discord_configs, "discord_configs"));
  RETURN_IF_ERROR(Unsupported(receiver, receiver.webex_configs, "webex_configs"));
  if (!templates) return base::InvalidArgument("receiver " + receiver.name + ": no templates");

  base::Logger* logger = options.logger ? options.logger : &base::Logger::Quiet();
  const base::Clock* clock = options.clock ? options.clock : &base::Clock::Real();
  const std::string& ua = options.user_agent;
  std::vector<Integration> out;
  AddAll(
      receiver, receiver.webhook_configs, "webhook",
      [&](const config::WebhookConfig& c) { return std::make_shared<WebhookNotifier>(c, ua); },
      &out);
  AddAll(
      receiver, receiver.email_configs, "email",
      [&](const config::EmailConfig& c) {
        return std::make_shared<EmailNotifier>(c, templates, logger, clock);
      },
      &out);
  AddAll(
      receiver, receiver.pagerduty_configs, "pagerduty",
      [&](const config::PagerdutyConfig& c) {
        return std::make_shared<PagerdutyNotifier>(c, templates, ua, logger);
      },
      &out);
  AddAll(
      receiver, receiver.opsgenie_configs, "opsgenie",
      [&](const config::OpsGenieConfig& c) {
        return std::make_shared<OpsGenieNotifier>(c, templates, ua, logger);
      },
      &out);
  AddAll(
      receiver, receiver.slack_configs, "slack",
      [&](const config::SlackConfig& c) {
        return std::make_shared<SlackNotifier>(c, templates, ua, logger);
      },
      &out);
  AddAll(
      receiver, receiver.msteams_configs, "msteams",
      [&](const config::MsTeamsConfig& c) {
        return std::make_shared<MsTeamsNotifier>(c, templates, ua);
      },
      &out);
  for (Integration& in : out)
    in.notifier = std::make_shared<ContextDefaults>(in.notifier, options.external_url, clock);
  return out;
}

}  // namespace alerting::notify

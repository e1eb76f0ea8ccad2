// Receivers: turns a receiver of alertmanager.yml into its integrations (Alertmanager's
// cmd/alertmanager buildReceiverIntegrations) and loads the notification templates
// (Alertmanager's template.FromGlobs: the default templates plus the config's `templates`).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alerting/config/config.h"
#include "alerting/notify/notifier.h"
#include "base/clock.h"
#include "base/logger.h"
#include "base/status.h"
#include "template/template.h"

namespace alerting::notify {

struct ReceiverOptions {
  // --web.external-url, the templates' .ExternalURL when NotifyContext::external_url is empty.
  std::string external_url;
  base::Logger* logger = nullptr;  // null: base::Logger::Quiet()
  // null: base::Clock::Real(). E-mail Date headers; "now" when NotifyContext::now_ms is 0.
  const base::Clock* clock = nullptr;
  std::string user_agent = "Alertmanager/0.25.0";  // User-Agent of every HTTP request
};

// The default notification templates (Alertmanager's template/default.tmpl) plus every file
// matched by the glob patterns, parsed in order into one set, as template.FromGlobs. A pattern
// that matches nothing is not an error (filepath.Glob). Errors: kInvalidArgument naming the file
// (a parse error), kIOError naming the file (unreadable), kInvalidArgument for a bad pattern.
// The returned set is immutable and may be shared by all integrations.
base::Result<std::shared_ptr<const tmpl::Template>> LoadTemplates(
    const std::vector<std::string>& globs);

// One Integration per config entry of `receiver`, in Alertmanager's order (webhook, email,
// pagerduty, opsgenie, wechat, slack, victorops, pushover, sns, telegram, discord, webex,
// msteams), each with its index among the entries of its kind. Secrets given as files
// (url_file, api_url_file, ..) are read at Notify time, as Alertmanager does.
// Errors: kInvalidArgument "receiver X: telegram_configs are not supported by Hestia" for a kind
// Hestia does not implement (wechat, pushover, victorops, sns, telegram, webex, discord).
base::Result<std::vector<Integration>> BuildIntegrations(
    const config::Receiver& receiver, std::shared_ptr<const tmpl::Template> templates,
    const ReceiverOptions& options);

}  // namespace alerting::notify

#include "alerting/notify/msteams.h"

#include "alerting/notify/template_data.h"
#include "alerting/notify/templates.h"
#include "base/json_writer.h"

namespace alerting::notify {

MsTeamsNotifier::MsTeamsNotifier(config::MsTeamsConfig config,
                                 std::shared_ptr<const tmpl::Template> templates,
                                 std::string user_agent, std::chrono::milliseconds timeout)
    : config_(std::move(config)),
      templates_(std::move(templates)),
      client_(config_.http_config, std::move(user_agent), timeout) {}

base::Result<std::string> MsTeamsNotifier::Payload(const NotifyContext& ctx,
                                                   const Alerts& alerts) const {
  TemplateData td =
      MakeTemplateData(ctx.receiver, ctx.group_labels, alerts, ctx.external_url, ctx.now_ms);
  Expander ex(*templates_, TemplateDataValue(td));
  std::string title = ex.Text(config_.title);
  RETURN_IF_ERROR(ex.status());
  std::string text = ex.Text(config_.text);
  RETURN_IF_ERROR(ex.status());
  std::string summary = ex.Text(config_.summary);
  RETURN_IF_ERROR(ex.status());
  base::JsonWriter w;
  w.BeginObject();
  w.Key("@context").String("http://schema.org/extensions");
  w.Key("type").String("MessageCard");
  w.Key("title").String(title);
  w.Key("summary").String(summary);
  w.Key("text").String(text);
  w.Key("themeColor").String(td.status == "firing" ? "8C1A1A" : "2DC72D");
  w.EndObject();
  std::string out = std::move(w).str();
  out.push_back('\n');
  return out;
}

base::Status MsTeamsNotifier::Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) {
  *retry = false;
  ASSIGN_OR_RETURN(std::string body, Payload(ctx, alerts));
  std::string url;
  if (config_.webhook_url) {
    url = config_.webhook_url->ToString();
  } else {
    auto content = ReadFileContents(config_.webhook_url_file);
    if (!content.ok()) return content.error().WithPrefix("read webhook_url_file");
    url = TrimSpace(*content);
  }
  auto res = client_.Post(url, "application/json", body);
  if (!res.ok()) {
    *retry = true;
    return res.error();
  }
  return CheckStatus(res->status, res->body, retry);
}

}  // namespace alerting::notify

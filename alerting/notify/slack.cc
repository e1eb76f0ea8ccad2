#include "alerting/notify/slack.h"

#include "alerting/notify/template_data.h"
#include "alerting/notify/templates.h"
#include "base/json_writer.h"
#include "base/quote.h"

namespace alerting::notify {
namespace {

constexpr size_t kMaxTitleLenRunes = 1024;  // slack.go maxTitleLenRunes

// A string member that encoding/json leaves out when empty (`json:",omitempty"`).
void OmitEmpty(base::JsonWriter* w, std::string_view key, const std::string& v) {
  if (!v.empty()) w->Key(key).String(v);
}

}  // namespace

SlackNotifier::SlackNotifier(config::SlackConfig config,
                             std::shared_ptr<const tmpl::Template> templates,
                             std::string user_agent, base::Logger* logger,
                             std::chrono::milliseconds timeout)
    : config_(std::move(config)),
      templates_(std::move(templates)),
      logger_(logger),
      client_(config_.http_config, std::move(user_agent), timeout) {}

base::Result<std::string> SlackNotifier::Payload(const NotifyContext& ctx, const Alerts& alerts,
                                                 std::string* channel_out) const {
  Expander ex(*templates_,
              TemplateDataValue(MakeTemplateData(ctx.receiver, ctx.group_labels, alerts,
                                                 ctx.external_url, ctx.now_ms)));
  const config::SlackConfig& c = config_;
  bool truncated = false;
  std::string title = TruncateInRunes(ex.Text(c.title), kMaxTitleLenRunes, &truncated);
  if (truncated && logger_ != nullptr) {
    logger_->Warn("notify", "Truncated title",
                  {{"key", ctx.group_key}, {"max_runes", std::to_string(kMaxTitleLenRunes)}});
  }
  // Fields in the order Alertmanager evaluates them (the first template error wins).
  std::string title_link = ex.Text(c.title_link), pretext = ex.Text(c.pretext),
              text = ex.Text(c.text), fallback = ex.Text(c.fallback),
              callback_id = ex.Text(c.callback_id), image_url = ex.Text(c.image_url),
              thumb_url = ex.Text(c.thumb_url), footer = ex.Text(c.footer),
              color = ex.Text(c.color);
  std::vector<std::string> mrkdwn_in = c.mrkdwn_in;
  if (mrkdwn_in.empty()) mrkdwn_in = {"fallback", "pretext", "text"};

  base::JsonWriter att;
  att.BeginObject();
  OmitEmpty(&att, "title", title);
  OmitEmpty(&att, "title_link", title_link);
  OmitEmpty(&att, "pretext", pretext);
  att.Key("text").String(text);
  att.Key("fallback").String(fallback);
  att.Key("callback_id").String(callback_id);
  if (!c.fields.empty()) {
    att.Key("fields").BeginArray();
    for (const config::SlackField& f : c.fields) {
      bool is_short = f.short_.value_or(c.short_fields);
      std::string ftitle = ex.Text(f.title), fvalue = ex.Text(f.value);
      att.BeginObject();
      OmitEmpty(&att, "title", ftitle);
      OmitEmpty(&att, "value", fvalue);
      att.Key("short").Bool(is_short);
      att.EndObject();
    }
    att.EndArray();
  }
  if (!c.actions.empty()) {
    att.Key("actions").BeginArray();
    for (const config::SlackAction& a : c.actions) {
      std::string type = ex.Text(a.type), atext = ex.Text(a.text), url = ex.Text(a.url),
                  style = ex.Text(a.style), name = ex.Text(a.name), value = ex.Text(a.value);
      att.BeginObject();
      OmitEmpty(&att, "type", type);
      OmitEmpty(&att, "text", atext);
      OmitEmpty(&att, "url", url);
      OmitEmpty(&att, "style", style);
      OmitEmpty(&att, "name", name);
      OmitEmpty(&att, "value", value);
      if (a.confirm) {
        std::string ctitle = ex.Text(a.confirm->title), ctext = ex.Text(a.confirm->text),
                    ok = ex.Text(a.confirm->ok_text), dismiss = ex.Text(a.confirm->dismiss_text);
        att.Key("confirm").BeginObject();
        OmitEmpty(&att, "text", ctext);
        OmitEmpty(&att, "title", ctitle);
        OmitEmpty(&att, "ok_text", ok);
        OmitEmpty(&att, "dismiss_text", dismiss);
        att.EndObject();
      }
      att.EndObject();
    }
    att.EndArray();
  }
  OmitEmpty(&att, "image_url", image_url);
  OmitEmpty(&att, "thumb_url", thumb_url);
  att.Key("footer").String(footer);
  OmitEmpty(&att, "color", color);
  att.Key("mrkdwn_in").BeginArray();
  for (const std::string& m : mrkdwn_in) att.String(m);
  att.EndArray();
  att.EndObject();

  std::string channel = ex.Text(c.channel), username = ex.Text(c.username),
              icon_emoji = ex.Text(c.icon_emoji), icon_url = ex.Text(c.icon_url);
  RETURN_IF_ERROR(ex.status());
  if (channel_out != nullptr) *channel_out = channel;

  base::JsonWriter w;
  w.BeginObject();
  OmitEmpty(&w, "channel", channel);
  OmitEmpty(&w, "username", username);
  OmitEmpty(&w, "icon_emoji", icon_emoji);
  OmitEmpty(&w, "icon_url", icon_url);
  if (c.link_names) w.Key("link_names").Bool(true);
  w.Key("attachments").BeginArray().Raw(att.str()).EndArray();
  w.EndObject();
  std::string out = std::move(w).str();
  out.push_back('\n');
  return out;
}

base::Status SlackNotifier::Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) {
  *retry = false;
  std::string channel;
  ASSIGN_OR_RETURN(std::string body, Payload(ctx, alerts, &channel));
  std::string url;
  if (config_.api_url) {
    url = config_.api_url->ToString();
  } else {
    ASSIGN_OR_RETURN(std::string content, ReadFileContents(config_.api_url_file));
    url = TrimSpace(content);
  }
  auto res = client_.Post(url, "application/json", body);
  if (!res.ok()) {
    *retry = true;
    return res.error();
  }
  base::Status st = CheckStatus(res->status, res->body, retry);
  if (st.ok()) return st;
  // errors.Wrap(err, fmt.Sprintf("channel %q", req.Channel)).
  return st.WithPrefix("channel " + base::GoQuote(channel));
}

}  // namespace alerting::notify

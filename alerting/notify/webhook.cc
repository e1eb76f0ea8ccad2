#include "alerting/notify/webhook.h"

#include "base/json_writer.h"
#include "template/go_time.h"

namespace alerting::notify {
namespace {

void WriteKV(base::JsonWriter* w, const KV& kv) {
  w->BeginObject();
  for (const auto& [k, v] : kv) w->Key(k).String(v);
  w->EndObject();
}

}  // namespace

std::string FormatRfc3339Nano(int64_t ms) {
  tmpl::Time t = ms == 0 ? tmpl::Time{} : tmpl::Time::FromUnixMilli(ms);
  return t.Format("2006-01-02T15:04:05.999999999Z07:00");
}

std::string WebhookPayload(const TemplateData& data, const std::string& group_key,
                           uint64_t truncated_alerts) {
  base::JsonWriter w;
  w.BeginObject();
  w.Key("receiver").String(data.receiver);
  w.Key("status").String(data.status);
  w.Key("alerts").BeginArray();
  for (const AlertData& a : data.alerts) {
    w.BeginObject();
    w.Key("status").String(a.status);
    w.Key("labels");
    WriteKV(&w, a.labels);
    w.Key("annotations");
    WriteKV(&w, a.annotations);
    w.Key("startsAt").String(FormatRfc3339Nano(a.starts_at));
    w.Key("endsAt").String(FormatRfc3339Nano(a.ends_at));
    w.Key("generatorURL").String(a.generator_url);
    w.Key("fingerprint").String(a.fingerprint);
    w.EndObject();
  }
  w.EndArray();
  w.Key("groupLabels");
  WriteKV(&w, data.group_labels);
  w.Key("commonLabels");
  WriteKV(&w, data.common_labels);
  w.Key("commonAnnotations");
  WriteKV(&w, data.common_annotations);
  w.Key("externalURL").String(data.external_url);
  w.Key("version").String("4");
  w.Key("groupKey").String(group_key);
  w.Key("truncatedAlerts").Uint(truncated_alerts);
  w.EndObject();
  std::string out = std::move(w).str();
  out.push_back('\n');
  return out;
}

WebhookNotifier::WebhookNotifier(config::WebhookConfig config, std::string user_agent,
                                 std::chrono::milliseconds timeout)
    : config_(std::move(config)), client_(config_.http_config, std::move(user_agent), timeout) {}

base::Status WebhookNotifier::Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) {
  *retry = false;
  // truncateAlerts: the first max_alerts alerts, and how many were left out.
  Alerts sent = alerts;
  uint64_t truncated = 0;
  if (config_.max_alerts != 0 && sent.size() > config_.max_alerts) {
    truncated = sent.size() - config_.max_alerts;
    sent.resize(config_.max_alerts);
  }
  TemplateData data =
      MakeTemplateData(ctx.receiver, ctx.group_labels, sent, ctx.external_url, ctx.now_ms);
  std::string body = WebhookPayload(data, ctx.group_key, truncated);

  std::string url;
  if (config_.url) {
    url = config_.url->ToString();
  } else {
    auto content = ReadFileContents(config_.url_file);
    if (!content.ok()) return base::IOError("read url_file: " + content.error().message());
    url = TrimSpace(*content);
  }
  auto res = client_.Post(url, "application/json", body);
  if (!res.ok()) {
    *retry = true;
    return res.error();
  }
  // errDetails: the URL and the response body.
  return CheckStatus(res->status, (config_.url ? url : "<redacted>") + ": " + res->body, retry);
}

}  // namespace alerting::notify

#include "alerting/notify/pagerduty.h"

#include <openssl/sha.h>

#include <map>

#include "alerting/notify/template_data.h"
#include "alerting/notify/templates.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/quote.h"

namespace alerting::notify {
namespace {

constexpr size_t kMaxEventSize = 512000;
constexpr size_t kMaxDescriptionLenRunes = 1024;  // v1 description and v2 summary
constexpr std::string_view kTruncatedDetails =
    "Custom details have been removed because the original event exceeds the maximum size of "
    "512kB";

using Details = std::map<std::string, std::string>;

struct Message {
  std::string routing_key, service_key, dedup_key, incident_key, event_type, description;
  std::string event_action;
  bool has_payload = false;
  std::string summary, source, severity, class_, component, group;
  Details custom_details;
  std::string client, client_url;
  Details details;
  std::vector<config::PagerdutyImage> images;
  std::vector<config::PagerdutyLink> links;
};

void OmitEmpty(base::JsonWriter* w, std::string_view key, const std::string& v) {
  if (!v.empty()) w->Key(key).String(v);
}

void WriteDetails(base::JsonWriter* w, std::string_view key, const Details& d) {
  if (d.empty()) return;
  w->Key(key).BeginObject();
  for (const auto& [k, v] : d) w->Key(k).String(v);
  w->EndObject();
}

// pagerDutyMessage as json.Encoder writes it.
std::string Encode(const Message& m) {
  base::JsonWriter w;
  w.BeginObject();
  OmitEmpty(&w, "routing_key", m.routing_key);
  OmitEmpty(&w, "service_key", m.service_key);
  OmitEmpty(&w, "dedup_key", m.dedup_key);
  OmitEmpty(&w, "incident_key", m.incident_key);
  OmitEmpty(&w, "event_type", m.event_type);
  OmitEmpty(&w, "description", m.description);
  w.Key("event_action").String(m.event_action);
  w.Key("payload");
  if (!m.has_payload) {
    w.Null();
  } else {
    w.BeginObject();
    w.Key("summary").String(m.summary);
    w.Key("source").String(m.source);
    w.Key("severity").String(m.severity);
    OmitEmpty(&w, "class", m.class_);
    OmitEmpty(&w, "component", m.component);
    OmitEmpty(&w, "group", m.group);
    WriteDetails(&w, "custom_details", m.custom_details);
    w.EndObject();
  }
  OmitEmpty(&w, "client", m.client);
  OmitEmpty(&w, "client_url", m.client_url);
  WriteDetails(&w, "details", m.details);
  if (!m.images.empty()) {
    w.Key("images").BeginArray();
    for (const auto& i : m.images)
      w.BeginObject()
          .Key("src")
          .String(i.src)
          .Key("alt")
          .String(i.alt)
          .Key("href")
          .String(i.href)
          .EndObject();
    w.EndArray();
  }
  if (!m.links.empty()) {
    w.Key("links").BeginArray();
    for (const auto& l : m.links)
      w.BeginObject().Key("href").String(l.href).Key("text").String(l.text).EndObject();
    w.EndArray();
  }
  w.EndObject();
  std::string out = std::move(w).str();
  out.push_back('\n');
  return out;
}

std::string ErrDetails(int status, std::string_view body) {
  if (status != 400) return "";
  auto doc = base::ParseJson(body);
  if (!doc || doc->kind != base::JsonValue::Kind::kObject) return "";
  std::string message, errors;
  for (const auto& [key, v] : doc->object) {
    if (key == "message" && v.kind == base::JsonValue::Kind::kString) message = v.text;
    if (key == "errors" && v.kind == base::JsonValue::Kind::kArray) {
      errors.clear();
      for (const base::JsonValue& e : v.array) {
        if (e.kind != base::JsonValue::Kind::kString) continue;
        if (!errors.empty()) errors += ",";
        errors += e.text;
      }
    }
  }
  return message + ": " + errors;
}

}  // namespace

std::string GroupKeyHash(std::string_view group_key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(group_key.data()), group_key.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

PagerdutyNotifier::PagerdutyNotifier(config::PagerdutyConfig config,
                                     std::shared_ptr<const tmpl::Template> templates,
                                     std::string user_agent, base::Logger* logger,
                                     std::chrono::milliseconds timeout, std::string v1_url)
    : config_(std::move(config)),
      templates_(std::move(templates)),
      logger_(logger),
      client_(config_.http_config, std::move(user_agent), timeout),
      v1_url_(std::move(v1_url)) {}

base::Result<std::string> PagerdutyNotifier::Payload(const NotifyContext& ctx,
                                                     const Alerts& alerts) const {
  TemplateData td =
      MakeTemplateData(ctx.receiver, ctx.group_labels, alerts, ctx.external_url, ctx.now_ms);
  const std::string event_type = td.status == "resolved" ? "resolve" : "trigger";
  const tmpl::Value data = TemplateDataValue(td);
  const config::PagerdutyConfig& c = config_;

  Details details;
  for (const auto& [k, v] : c.details) {
    auto r = ExecuteText(*templates_, v, data);
    if (!r.ok()) {
      return base::Status(r.error().code(), base::GoQuote(k) + ": failed to template " +
                                                base::GoQuote(v) + ": " + r.error().message());
    }
    details[k] = *r;
  }

  Expander ex(*templates_, data);
  Message m;
  bool truncated = false;
  const std::string key_hash = GroupKeyHash(ctx.group_key);
  if (v1()) {
    m.description = TruncateInRunes(ex.Text(c.description), kMaxDescriptionLenRunes, &truncated);
    if (truncated && logger_)
      logger_->Warn(
          "notify", "Truncated description",
          {{"key", ctx.group_key}, {"max_runes", std::to_string(kMaxDescriptionLenRunes)}});
    std::string service_key = c.service_key.value;
    if (service_key.empty()) {
      auto content = ReadFileContents(c.service_key_file);
      if (!content.ok())
        return base::IOError("failed to read service key from file: " + content.error().message());
      service_key = TrimSpace(*content);
    }
    m.service_key = ex.Text(service_key);
    m.event_type = event_type;
    m.incident_key = key_hash;
    m.details = details;
    if (event_type == "trigger") {
      m.client = ex.Text(c.client);
      m.client_url = ex.Text(c.client_url);
    }
    if (!ex.status().ok()) return ex.status().WithPrefix("failed to template PagerDuty v1 message");
    if (m.service_key.empty()) return base::InvalidArgument("service key cannot be empty");
  } else {
    m.summary = TruncateInRunes(ex.Text(c.description), kMaxDescriptionLenRunes, &truncated);
    if (truncated && logger_)
      logger_->Warn(
          "notify", "Truncated summary",
          {{"key", ctx.group_key}, {"max_runes", std::to_string(kMaxDescriptionLenRunes)}});
    std::string routing_key = c.routing_key.value;
    if (routing_key.empty()) {
      auto content = ReadFileContents(c.routing_key_file);
      if (!content.ok())
        return base::IOError("failed to read routing key from file: " + content.error().message());
      routing_key = TrimSpace(*content);
    }
    m.client = ex.Text(c.client);
    m.client_url = ex.Text(c.client_url);
    m.routing_key = ex.Text(routing_key);
    m.event_action = event_type;
    m.dedup_key = key_hash;
    m.has_payload = true;
    m.source = ex.Text(c.source);
    m.severity = ex.Text(c.severity.empty() ? std::string("error") : c.severity);
    m.custom_details = details;
    m.class_ = ex.Text(c.class_);
    m.component = ex.Text(c.component);
    m.group = ex.Text(c.group);
    for (const config::PagerdutyImage& i : c.images) {
      config::PagerdutyImage out{ex.Text(i.src), ex.Text(i.alt), ex.Text(i.href)};
      if (!out.src.empty()) m.images.push_back(std::move(out));
    }
    for (const config::PagerdutyLink& l : c.links) {
      config::PagerdutyLink out{ex.Text(l.href), ex.Text(l.text)};
      if (!out.href.empty()) m.links.push_back(std::move(out));
    }
    if (!ex.status().ok()) return ex.status().WithPrefix("failed to template PagerDuty v2 message");
    if (m.routing_key.empty()) return base::InvalidArgument("routing key cannot be empty");
  }
  std::string body = Encode(m);
  if (body.size() > kMaxEventSize) {
    Details err = {{"error", std::string(kTruncatedDetails)}};
    if (v1())
      m.details = err;
    else
      m.custom_details = err;
    if (logger_)
      logger_->Warn("notify", "Truncated Details because message exceeds the size limit",
                    {{"size_bytes", std::to_string(body.size())},
                     {"limit_bytes", std::to_string(kMaxEventSize)}});
    body = Encode(m);
  }
  return body;
}

base::Status PagerdutyNotifier::Notify(const NotifyContext& ctx, const Alerts& alerts,
                                       bool* retry) {
  *retry = false;
  ASSIGN_OR_RETURN(std::string body, Payload(ctx, alerts));
  const std::string url = v1() ? v1_url_ : (config_.url ? config_.url->ToString() : "");
  auto res = client_.Post(url, "application/json", body);
  if (!res.ok()) {
    *retry = true;
    return res.error().WithPrefix(v1() ? "failed to post message to PagerDuty v1"
                                       : "failed to post message to PagerDuty");
  }
  // v1 retries 403 (its rate limit), v2 429.
  return CheckStatus(res->status, ErrDetails(res->status, res->body), retry, {v1() ? 403 : 429});
}

}  // namespace alerting::notify

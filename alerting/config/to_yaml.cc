// ToYaml: the loaded configuration rendered as Alertmanager's Config.String() (yaml.v2 Marshal):
// struct field order, omitempty where Alertmanager has it, defaults filled in, secrets masked.
#include <yaml-cpp/yaml.h>

#include "alerting/config/config.h"
#include "alerting/config/decoder.h"
#include "base/duration.h"

namespace alerting::config {
namespace {

constexpr const char* kSecretToken = "<secret>";

// A string as yaml.v2 writes it: double-quoted when it would otherwise read back as another type.
struct Quoted {
  const std::string& s;
};
YAML::Emitter& operator<<(YAML::Emitter& e, const Quoted& q) {
  if (detail::NeedsQuotes(q.s)) return e << YAML::DoubleQuoted << q.s;
  return e << q.s;
}

class Writer {
 public:
  Writer() { e_ << YAML::BeginMap; }
  std::string Finish() {
    e_ << YAML::EndMap;
    return std::string(e_.c_str()) + "\n";
  }

  void Str(const char* key, const std::string& v, bool omit_empty = true) {
    if (omit_empty && v.empty()) return;
    e_ << YAML::Key << key << YAML::Value << Quoted{v};
  }
  void Secret(const char* key, const config::Secret& s) {
    if (!s.empty()) e_ << YAML::Key << key << YAML::Value << kSecretToken;
  }
  void Bool(const char* key, bool v, bool omit_empty = false) {
    if (omit_empty && !v) return;
    e_ << YAML::Key << key << YAML::Value << v;
  }
  void Int(const char* key, int64_t v, bool omit_empty = false) {
    if (omit_empty && v == 0) return;
    e_ << YAML::Key << key << YAML::Value << v;
  }
  void Url(const char* key, const std::optional<config::Url>& u, bool secret = false,
           bool omit_empty = true) {
    if (!u) {
      if (!omit_empty) e_ << YAML::Key << key << YAML::Value << YAML::Null;
      return;
    }
    e_ << YAML::Key << key << YAML::Value << (secret ? std::string(kSecretToken) : u->ToString());
  }
  void Duration(const char* key, std::chrono::milliseconds d) {
    e_ << YAML::Key << key << YAML::Value << base::FormatDuration(d);
  }
  void List(const char* key, const std::vector<std::string>& v, bool flow = false,
            bool omit_empty = true) {
    if (omit_empty && v.empty()) return;
    e_ << YAML::Key << key << YAML::Value;
    if (flow || v.empty()) e_ << YAML::Flow;
    e_ << YAML::BeginSeq;
    for (const std::string& s : v) e_ << Quoted{s};
    e_ << YAML::EndSeq;
  }
  void Map(const char* key, const std::map<std::string, std::string>& m) {
    if (m.empty()) return;
    e_ << YAML::Key << key << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : m) e_ << YAML::Key << Quoted{k} << YAML::Value << Quoted{v};
    e_ << YAML::EndMap;
  }
  void BeginMap(const char* key) { e_ << YAML::Key << key << YAML::Value << YAML::BeginMap; }
  void BeginMap() { e_ << YAML::BeginMap; }
  void EndMap() { e_ << YAML::EndMap; }
  void BeginSeq(const char* key) { e_ << YAML::Key << key << YAML::Value << YAML::BeginSeq; }
  void EndSeq() { e_ << YAML::EndSeq; }
  YAML::Emitter& e() { return e_; }

 private:
  YAML::Emitter e_;
};

bool IsZero(const TlsConfig& t) {
  return t.ca_file.empty() && t.cert_file.empty() && t.key_file.empty() && t.server_name.empty() &&
         !t.insecure_skip_verify && t.min_version.empty() && t.max_version.empty();
}

void WriteTls(Writer& w, const char* key, const TlsConfig& t) {
  if (IsZero(t)) return;
  w.BeginMap(key);
  w.Str("ca_file", t.ca_file);
  w.Str("cert_file", t.cert_file);
  w.Str("key_file", t.key_file);
  w.Str("server_name", t.server_name);
  w.Bool("insecure_skip_verify", t.insecure_skip_verify);
  // prometheus/common's TLSVersion is marshalled as its number (tls.VersionTLS12 = 771).
  auto version = [](const std::string& v) -> int64_t {
    if (v == "TLS10") return 769;
    if (v == "TLS11") return 770;
    if (v == "TLS12") return 771;
    if (v == "TLS13") return 772;
    return 0;
  };
  w.Int("min_version", version(t.min_version), true);
  w.Int("max_version", version(t.max_version), true);
  w.EndMap();
}

void WriteHttp(Writer& w, const std::shared_ptr<const HttpClientConfig>& h) {
  if (!h) return;
  w.BeginMap("http_config");
  if (h->basic_auth) {
    w.BeginMap("basic_auth");
    w.Str("username", h->basic_auth->username, false);
    w.Secret("password", h->basic_auth->password);
    w.Str("password_file", h->basic_auth->password_file);
    w.EndMap();
  }
  if (h->authorization) {
    w.BeginMap("authorization");
    w.Str("type", h->authorization->type);
    w.Secret("credentials", h->authorization->credentials);
    w.Str("credentials_file", h->authorization->credentials_file);
    w.EndMap();
  }
  if (h->oauth2) {
    const OAuth2& o = *h->oauth2;
    w.BeginMap("oauth2");
    w.Str("client_id", o.client_id, false);
    if (o.client_secret.empty()) {
      w.Str("client_secret", "", false);
    } else {
      w.Secret("client_secret", o.client_secret);
    }
    w.Str("client_secret_file", o.client_secret_file, false);
    w.List("scopes", o.scopes);
    w.Str("token_url", o.token_url, false);
    w.Map("endpoint_params", o.endpoint_params);
    w.Url("proxy_url", o.proxy_url);
    WriteTls(w, "tls_config", o.tls_config);
    w.EndMap();
  }
  w.Secret("bearer_token", h->bearer_token);
  w.Str("bearer_token_file", h->bearer_token_file);
  w.Url("proxy_url", h->proxy_url);
  if (!h->proxy_connect_header.empty()) {
    w.BeginMap("proxy_connect_header");
    for (const auto& [k, values] : h->proxy_connect_header) {
      w.e() << YAML::Key << k << YAML::Value << YAML::BeginSeq;
      for (const Secret& s : values) w.e() << (s.empty() ? "" : kSecretToken);
      w.e() << YAML::EndSeq;
    }
    w.EndMap();
  }
  WriteTls(w, "tls_config", h->tls_config);
  w.Bool("follow_redirects", h->follow_redirects);
  w.Bool("enable_http2", h->enable_http2);
  w.EndMap();
}

void WriteRegexps(Writer& w, const char* key, const std::map<std::string, Regexp>& m) {
  if (m.empty()) return;
  w.BeginMap(key);
  for (const auto& [k, v] : m) w.e() << YAML::Key << Quoted{k} << YAML::Value << Quoted{v.original};
  w.EndMap();
}

void WriteMatchers(Writer& w, const char* key, const Matchers& ms) {
  if (ms.empty()) return;
  std::vector<std::string> strs;
  for (const Matcher& m : ms) strs.push_back(m.ToString());
  w.List(key, strs);
}

void WriteRoute(Writer& w, const Route& r) {
  w.BeginMap();
  w.Str("receiver", r.receiver);
  w.List("group_by", r.group_by_str);
  w.Map("match", r.match);
  WriteRegexps(w, "match_re", r.match_re);
  WriteMatchers(w, "matchers", r.matchers);
  w.List("mute_time_intervals", r.mute_time_intervals);
  w.List("active_time_intervals", r.active_time_intervals);
  w.Bool("continue", r.continue_matching);
  if (!r.routes.empty()) {
    w.BeginSeq("routes");
    for (const Route& c : r.routes) WriteRoute(w, c);
    w.EndSeq();
  }
  if (r.group_wait) w.Duration("group_wait", *r.group_wait);
  if (r.group_interval) w.Duration("group_interval", *r.group_interval);
  if (r.repeat_interval) w.Duration("repeat_interval", *r.repeat_interval);
  w.EndMap();
}

void WriteInhibitRule(Writer& w, const InhibitRule& r) {
  w.BeginMap();
  w.Map("source_match", r.source_match);
  WriteRegexps(w, "source_match_re", r.source_match_re);
  WriteMatchers(w, "source_matchers", r.source_matchers);
  w.Map("target_match", r.target_match);
  WriteRegexps(w, "target_match_re", r.target_match_re);
  WriteMatchers(w, "target_matchers", r.target_matchers);
  w.List("equal", r.equal);
  w.EndMap();
}

template <typename T, typename Fn>
void WriteList(Writer& w, const char* key, const std::vector<T>& v, Fn fn) {
  if (v.empty()) return;
  w.BeginSeq(key);
  for (const T& x : v) {
    w.BeginMap();
    fn(x);
    w.EndMap();
  }
  w.EndSeq();
}

void WriteReceiver(Writer& w, const Receiver& r) {
  w.BeginMap();
  w.Str("name", r.name, false);
  WriteList(w, "discord_configs", r.discord_configs, [&](const DiscordConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Url("webhook_url", c.webhook_url, true);
    w.Str("title", c.title);
    w.Str("message", c.message);
  });
  WriteList(w, "email_configs", r.email_configs, [&](const EmailConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    w.Str("to", c.to);
    w.Str("from", c.from);
    w.Str("hello", c.hello);
    w.Str("smarthost", c.smarthost.ToString());
    w.Str("auth_username", c.auth_username);
    w.Secret("auth_password", c.auth_password);
    w.Str("auth_password_file", c.auth_password_file);
    w.Secret("auth_secret", c.auth_secret);
    w.Str("auth_identity", c.auth_identity);
    // Alertmanager's email notifier adds these to the shared config when it is built, so its
    // /api/v2/status shows them.
    std::map<std::string, std::string> headers = c.headers;
    headers.emplace("Subject", R"({{ template "email.default.subject" . }})");
    headers.emplace("To", c.to);
    headers.emplace("From", c.from);
    w.Map("headers", headers);
    w.Str("html", c.html);
    w.Str("text", c.text);
    if (c.require_tls) w.Bool("require_tls", *c.require_tls);
    WriteTls(w, "tls_config", c.tls_config);
  });
  WriteList(w, "pagerduty_configs", r.pagerduty_configs, [&](const PagerdutyConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Secret("service_key", c.service_key);
    w.Str("service_key_file", c.service_key_file);
    w.Secret("routing_key", c.routing_key);
    w.Str("routing_key_file", c.routing_key_file);
    w.Url("url", c.url);
    w.Str("client", c.client);
    w.Str("client_url", c.client_url);
    w.Str("description", c.description);
    w.Map("details", c.details);
    WriteList(w, "images", c.images, [&](const PagerdutyImage& i) {
      w.Str("src", i.src);
      w.Str("alt", i.alt);
      w.Str("href", i.href);
    });
    WriteList(w, "links", c.links, [&](const PagerdutyLink& l) {
      w.Str("href", l.href);
      w.Str("text", l.text);
    });
    w.Str("source", c.source);
    w.Str("severity", c.severity);
    w.Str("class", c.class_);
    w.Str("component", c.component);
    w.Str("group", c.group);
  });
  WriteList(w, "slack_configs", r.slack_configs, [&](const SlackConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Url("api_url", c.api_url, true);
    w.Str("api_url_file", c.api_url_file);
    w.Str("channel", c.channel);
    w.Str("username", c.username);
    w.Str("color", c.color);
    w.Str("title", c.title);
    w.Str("title_link", c.title_link);
    w.Str("pretext", c.pretext);
    w.Str("text", c.text);
    WriteList(w, "fields", c.fields, [&](const SlackField& f) {
      w.Str("title", f.title);
      w.Str("value", f.value);
      if (f.short_) w.Bool("short", *f.short_);
    });
    w.Bool("short_fields", c.short_fields);
    w.Str("footer", c.footer);
    w.Str("fallback", c.fallback);
    w.Str("callback_id", c.callback_id);
    w.Str("icon_emoji", c.icon_emoji);
    w.Str("icon_url", c.icon_url);
    w.Str("image_url", c.image_url);
    w.Str("thumb_url", c.thumb_url);
    w.Bool("link_names", c.link_names);
    w.List("mrkdwn_in", c.mrkdwn_in);
    WriteList(w, "actions", c.actions, [&](const SlackAction& a) {
      w.Str("type", a.type);
      w.Str("text", a.text);
      w.Str("url", a.url);
      w.Str("style", a.style);
      w.Str("name", a.name);
      w.Str("value", a.value);
      if (a.confirm) {
        w.BeginMap("confirm");
        w.Str("text", a.confirm->text);
        w.Str("title", a.confirm->title);
        w.Str("ok_text", a.confirm->ok_text);
        w.Str("dismiss_text", a.confirm->dismiss_text);
        w.EndMap();
      }
    });
  });
  WriteList(w, "webhook_configs", r.webhook_configs, [&](const WebhookConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Url("url", c.url, false, false);
    w.Str("url_file", c.url_file);
    w.Int("max_alerts", static_cast<int64_t>(c.max_alerts));
  });
  WriteList(w, "opsgenie_configs", r.opsgenie_configs, [&](const OpsGenieConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Secret("api_key", c.api_key);
    w.Str("api_key_file", c.api_key_file);
    w.Url("api_url", c.api_url);
    w.Str("message", c.message);
    w.Str("description", c.description);
    w.Str("source", c.source);
    w.Map("details", c.details);
    w.Str("entity", c.entity);
    WriteList(w, "responders", c.responders, [&](const OpsGenieConfigResponder& x) {
      w.Str("id", x.id);
      w.Str("name", x.name);
      w.Str("username", x.username);
      w.Str("type", x.type);
    });
    w.Str("actions", c.actions);
    w.Str("tags", c.tags);
    w.Str("note", c.note);
    w.Str("priority", c.priority);
    w.Bool("update_alerts", c.update_alerts, true);
  });
  WriteList(w, "wechat_configs", r.wechat_configs, [&](const WechatConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Secret("api_secret", c.api_secret);
    w.Str("corp_id", c.corp_id);
    w.Str("message", c.message);
    w.Url("api_url", c.api_url);
    w.Str("to_user", c.to_user);
    w.Str("to_party", c.to_party);
    w.Str("to_tag", c.to_tag);
    w.Str("agent_id", c.agent_id);
    w.Str("message_type", c.message_type);
  });
  WriteList(w, "pushover_configs", r.pushover_configs, [&](const PushoverConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Secret("user_key", c.user_key);
    w.Secret("token", c.token);
    w.Str("title", c.title);
    w.Str("message", c.message);
    w.Str("url", c.url);
    w.Str("url_title", c.url_title);
    w.Str("sound", c.sound);
    w.Str("priority", c.priority);
    if (c.retry.count() != 0) w.Str("retry", FormatGoDuration(c.retry));
    if (c.expire.count() != 0) w.Str("expire", FormatGoDuration(c.expire));
    w.Bool("html", c.html);
  });
  WriteList(w, "victorops_configs", r.victorops_configs, [&](const VictorOpsConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Secret("api_key", c.api_key);
    w.Str("api_key_file", c.api_key_file);
    w.Url("api_url", c.api_url, false, false);
    w.Str("routing_key", c.routing_key, false);
    w.Str("message_type", c.message_type, false);
    w.Str("state_message", c.state_message, false);
    w.Str("entity_display_name", c.entity_display_name, false);
    w.Str("monitoring_tool", c.monitoring_tool, false);
    w.Map("custom_fields", c.custom_fields);
  });
  WriteList(w, "sns_configs", r.sns_configs, [&](const SnsConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Str("api_url", c.api_url);
    w.BeginMap("sigv4");
    w.Str("region", c.sigv4.region);
    w.Str("access_key", c.sigv4.access_key);
    w.Secret("secret_key", c.sigv4.secret_key);
    w.Str("profile", c.sigv4.profile);
    w.Str("role_arn", c.sigv4.role_arn);
    w.EndMap();
    w.Str("topic_arn", c.topic_arn);
    w.Str("phone_number", c.phone_number);
    w.Str("target_arn", c.target_arn);
    w.Str("subject", c.subject);
    w.Str("message", c.message);
    w.Map("attributes", c.attributes);
  });
  WriteList(w, "telegram_configs", r.telegram_configs, [&](const TelegramConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Url("api_url", c.api_url, false, false);
    w.Secret("bot_token", c.bot_token);
    w.Int("chat_id", c.chat_id, true);
    w.Str("message", c.message);
    w.Bool("disable_notifications", c.disable_notifications, true);
    w.Str("parse_mode", c.parse_mode);
  });
  WriteList(w, "webex_configs", r.webex_configs, [&](const WebexConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Url("api_url", c.api_url);
    w.Str("message", c.message);
    w.Str("room_id", c.room_id, false);
  });
  WriteList(w, "msteams_configs", r.msteams_configs, [&](const MsTeamsConfig& c) {
    w.Bool("send_resolved", c.send_resolved);
    WriteHttp(w, c.http_config);
    w.Url("webhook_url", c.webhook_url, true);
    w.Str("webhook_url_file", c.webhook_url_file);
    w.Str("title", c.title);
    w.Str("summary", c.summary);
    w.Str("text", c.text);
  });
  w.EndMap();
}

void WriteRanges(Writer& w, const char* key, const std::optional<std::vector<InclusiveRange>>& v,
                 std::string (*fmt)(const InclusiveRange&)) {
  if (!v || v->empty()) return;
  std::vector<std::string> strs;
  for (const InclusiveRange& r : *v) strs.push_back(fmt(r));
  w.List(key, strs, true);
}

void WriteIntervals(Writer& w, const char* key, const std::vector<NamedTimeInterval>& v) {
  WriteList(w, key, v, [&](const NamedTimeInterval& ti) {
    w.Str("name", ti.name, false);
    w.BeginSeq("time_intervals");
    for (const TimeInterval& t : ti.time_intervals) {
      w.BeginMap();
      if (t.times && !t.times->empty()) {
        w.BeginSeq("times");
        for (const TimeRange& r : *t.times) {
          w.BeginMap();
          w.Str("start_time", TimeOfDayString(r.start_minute), false);
          w.Str("end_time", TimeOfDayString(r.end_minute), false);
          w.EndMap();
        }
        w.EndSeq();
      }
      WriteRanges(w, "weekdays", t.weekdays, WeekdayRangeString);
      WriteRanges(w, "days_of_month", t.days_of_month, NumberRangeString);
      WriteRanges(w, "months", t.months, NumberRangeString);
      WriteRanges(w, "years", t.years, NumberRangeString);
      if (t.location) w.Str("location", t.location->name(), false);
      w.EndMap();
    }
    w.EndSeq();
  });
}

}  // namespace

std::string ToYaml(const Config& c) {
  Writer w;
  const GlobalConfig& g = c.global;
  w.BeginMap("global");
  w.Duration("resolve_timeout", g.resolve_timeout);
  WriteHttp(w, g.http_config);
  w.Str("smtp_from", g.smtp_from);
  w.Str("smtp_hello", g.smtp_hello);
  w.Str("smtp_smarthost", g.smtp_smarthost.ToString());
  w.Str("smtp_auth_username", g.smtp_auth_username);
  w.Secret("smtp_auth_password", g.smtp_auth_password);
  w.Str("smtp_auth_password_file", g.smtp_auth_password_file);
  w.Secret("smtp_auth_secret", g.smtp_auth_secret);
  w.Str("smtp_auth_identity", g.smtp_auth_identity);
  w.Bool("smtp_require_tls", g.smtp_require_tls);
  w.Url("slack_api_url", g.slack_api_url, true);
  w.Str("slack_api_url_file", g.slack_api_url_file);
  w.Url("pagerduty_url", g.pagerduty_url);
  w.Url("opsgenie_api_url", g.opsgenie_api_url);
  w.Secret("opsgenie_api_key", g.opsgenie_api_key);
  w.Str("opsgenie_api_key_file", g.opsgenie_api_key_file);
  w.Url("wechat_api_url", g.wechat_api_url);
  w.Secret("wechat_api_secret", g.wechat_api_secret);
  w.Str("wechat_api_corp_id", g.wechat_api_corp_id);
  w.Url("victorops_api_url", g.victorops_api_url);
  w.Secret("victorops_api_key", g.victorops_api_key);
  w.Str("victorops_api_key_file", g.victorops_api_key_file);
  w.Url("telegram_api_url", g.telegram_api_url);
  w.Url("webex_api_url", g.webex_api_url);
  w.EndMap();

  w.e() << YAML::Key << "route" << YAML::Value;
  WriteRoute(w, c.route);
  if (!c.inhibit_rules.empty()) {
    w.BeginSeq("inhibit_rules");
    for (const InhibitRule& r : c.inhibit_rules) WriteInhibitRule(w, r);
    w.EndSeq();
  }
  if (!c.receivers.empty()) {
    w.BeginSeq("receivers");
    for (const Receiver& r : c.receivers) WriteReceiver(w, r);
    w.EndSeq();
  }
  w.List("templates", c.templates, false, false);
  WriteIntervals(w, "mute_time_intervals", c.mute_time_intervals);
  WriteIntervals(w, "time_intervals", c.time_intervals);
  return w.Finish();
}

}  // namespace alerting::config

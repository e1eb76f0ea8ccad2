// Alertmanager's configuration file (alertmanager.yml) as plain validated structs, loaded the way
// Alertmanager 0.25 loads it (prometheus/alertmanager config/config.go, config/notifiers.go,
// prometheus/common config/http_config.go 0.39): yaml.v2 strict decoding, the same defaults, the
// same validation and error messages. Additions over 0.25, both from 0.26+: msteams_configs and
// webhook_configs url_file.
//
// TODO(alerting): move to config/alertmanager/ once config/ is free (STYLE.md puts yaml-cpp there).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerting/config/time_interval.h"
#include "alerting/config/values.h"
#include "alerting/matchers.h"
#include "base/status.h"

namespace alerting::config {

// prometheus/common TLSConfig.
struct TlsConfig {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool insecure_skip_verify = false;
  std::string min_version;  // "TLS10".."TLS13" or ""
  std::string max_version;
};

struct BasicAuth {
  std::string username;
  Secret password;
  std::string password_file;
};

struct Authorization {
  std::string type;
  Secret credentials;
  std::string credentials_file;
};

struct OAuth2 {
  std::string client_id;
  Secret client_secret;
  std::string client_secret_file;
  std::vector<std::string> scopes;
  std::string token_url;
  std::map<std::string, std::string> endpoint_params;
  std::optional<Url> proxy_url;
  TlsConfig tls_config;
};

// prometheus/common HTTPClientConfig (0.39), validated as its Validate(): bearer_token(_file)
// become an Authorization of type Bearer.
struct HttpClientConfig {
  std::optional<BasicAuth> basic_auth;
  std::optional<Authorization> authorization;
  std::optional<OAuth2> oauth2;
  Secret bearer_token;
  std::string bearer_token_file;
  std::optional<Url> proxy_url;
  std::map<std::string, std::vector<Secret>> proxy_connect_header;
  TlsConfig tls_config;
  bool follow_redirects = true;
  bool enable_http2 = true;
};

struct GlobalConfig {
  std::chrono::milliseconds resolve_timeout{std::chrono::minutes(5)};
  std::shared_ptr<const HttpClientConfig> http_config;  // never null after loading
  std::string smtp_from;
  std::string smtp_hello = "localhost";
  HostPort smtp_smarthost;
  std::string smtp_auth_username;
  Secret smtp_auth_password;
  std::string smtp_auth_password_file;
  Secret smtp_auth_secret;
  std::string smtp_auth_identity;
  bool smtp_require_tls = true;
  std::optional<Url> slack_api_url;  // secret
  std::string slack_api_url_file;
  std::optional<Url> pagerduty_url;
  std::optional<Url> opsgenie_api_url;
  Secret opsgenie_api_key;
  std::string opsgenie_api_key_file;
  std::optional<Url> wechat_api_url;
  Secret wechat_api_secret;
  std::string wechat_api_corp_id;
  std::optional<Url> victorops_api_url;
  Secret victorops_api_key;
  std::string victorops_api_key_file;
  std::optional<Url> telegram_api_url;
  std::optional<Url> webex_api_url;
};

// Alertmanager's DefaultGlobalConfig().
GlobalConfig DefaultGlobalConfig();

// A legacy match_re value: the pattern as written and the compiled, anchored expression
// "^(?:" + pattern + ")$" (Alertmanager's Regexp.String() returns the latter).
struct Regexp {
  std::string original;
  std::string anchored() const { return "^(?:" + original + ")$"; }
};

struct Route {
  std::string receiver;
  std::vector<std::string> group_by_str;  // as written, including "..."
  bool has_group_by = false;              // whether group_by was present (even empty)
  std::vector<std::string> group_by;      // label names; empty when only "..."
  bool group_by_all = false;
  std::map<std::string, std::string> match;  // legacy
  std::map<std::string, Regexp> match_re;    // legacy
  Matchers matchers;                         // sorted
  std::vector<std::string> mute_time_intervals;
  std::vector<std::string> active_time_intervals;
  bool continue_matching = false;  // `continue`
  std::vector<Route> routes;
  std::optional<std::chrono::milliseconds> group_wait;
  std::optional<std::chrono::milliseconds> group_interval;
  std::optional<std::chrono::milliseconds> repeat_interval;
  int line = 0;  // 1-based line of the route in the file, 0 when unknown
};

struct InhibitRule {
  std::map<std::string, std::string> source_match;  // legacy
  std::map<std::string, Regexp> source_match_re;    // legacy
  Matchers source_matchers;
  std::map<std::string, std::string> target_match;  // legacy
  std::map<std::string, Regexp> target_match_re;    // legacy
  Matchers target_matchers;
  std::vector<std::string> equal;
};

struct NotifierConfig {
  bool send_resolved = false;
  int line = 0;  // 1-based line of the entry in the file, 0 when unknown
};

struct WebhookConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;  // global's when not set
  std::optional<Url> url;
  std::string url_file;  // Alertmanager 0.26+
  uint64_t max_alerts = 0;
};

struct EmailConfig : NotifierConfig {
  std::string to;
  std::string from;
  std::string hello;
  HostPort smarthost;
  std::string auth_username;
  Secret auth_password;
  std::string auth_password_file;
  Secret auth_secret;
  std::string auth_identity;
  std::map<std::string, std::string> headers;  // canonical MIME header names
  std::string html;
  std::string text;
  std::optional<bool> require_tls;  // global smtp_require_tls after loading
  TlsConfig tls_config;
};

struct PagerdutyImage {
  std::string src, alt, href;
};
struct PagerdutyLink {
  std::string href, text;
};

struct PagerdutyConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;
  Secret service_key;
  std::string service_key_file;
  Secret routing_key;
  std::string routing_key_file;
  std::optional<Url> url;
  std::string client, client_url, description;
  std::map<std::string, std::string> details;
  std::vector<PagerdutyImage> images;
  std::vector<PagerdutyLink> links;
  std::string source, severity, class_, component, group;
};

struct SlackConfirmationField {
  std::string text, title, ok_text, dismiss_text;
};
struct SlackAction {
  std::string type, text, url, style, name, value;
  std::optional<SlackConfirmationField> confirm;
};
struct SlackField {
  std::string title, value;
  std::optional<bool> short_;
};

struct SlackConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;
  std::optional<Url> api_url;  // secret
  std::string api_url_file;
  std::string channel, username, color, title, title_link, pretext, text;
  std::vector<SlackField> fields;
  bool short_fields = false;
  std::string footer, fallback, callback_id, icon_emoji, icon_url, image_url, thumb_url;
  bool link_names = false;
  std::vector<std::string> mrkdwn_in;
  std::vector<SlackAction> actions;
};

struct OpsGenieConfigResponder {
  std::string id, name, username, type;
};

struct OpsGenieConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;
  Secret api_key;
  std::string api_key_file;
  std::optional<Url> api_url;
  std::string message, description, source;
  std::map<std::string, std::string> details;
  std::string entity;
  std::vector<OpsGenieConfigResponder> responders;
  std::string actions, tags, note, priority;
  bool update_alerts = false;
};

struct WechatConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;
  Secret api_secret;
  std::string corp_id, message;
  std::optional<Url> api_url;
  std::string to_user, to_party, to_tag, agent_id, message_type;
};

struct PushoverConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;
  Secret user_key;
  Secret token;
  std::string title, message, url, url_title, sound, priority;
  std::chrono::nanoseconds retry{std::chrono::minutes(1)};
  std::chrono::nanoseconds expire{std::chrono::hours(1)};
  bool html = false;
};

struct VictorOpsConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;
  Secret api_key;
  std::string api_key_file;
  std::optional<Url> api_url;
  std::string routing_key, message_type, state_message, entity_display_name, monitoring_tool;
  std::map<std::string, std::string> custom_fields;
};

struct SigV4Config {
  std::string region, access_key;
  Secret secret_key;
  std::string profile, role_arn;
};

struct SnsConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;
  std::string api_url;
  SigV4Config sigv4;
  std::string topic_arn, phone_number, target_arn, subject, message;
  std::map<std::string, std::string> attributes;
};

struct TelegramConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;
  std::optional<Url> api_url;
  Secret bot_token;
  int64_t chat_id = 0;
  std::string message;
  bool disable_notifications = false;
  std::string parse_mode;
};

struct WebexConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;
  std::optional<Url> api_url;
  std::string message, room_id;
};

struct DiscordConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;
  std::optional<Url> webhook_url;  // secret
  std::string title, message;
};

// Alertmanager 0.26+.
struct MsTeamsConfig : NotifierConfig {
  std::shared_ptr<const HttpClientConfig> http_config;
  std::optional<Url> webhook_url;  // secret
  std::string webhook_url_file;
  std::string title, summary, text;
};

struct Receiver {
  std::string name;
  int line = 0;  // 1-based line of the receiver in the file, 0 when unknown
  std::vector<DiscordConfig> discord_configs;
  std::vector<EmailConfig> email_configs;
  std::vector<PagerdutyConfig> pagerduty_configs;
  std::vector<SlackConfig> slack_configs;
  std::vector<WebhookConfig> webhook_configs;
  std::vector<OpsGenieConfig> opsgenie_configs;
  std::vector<WechatConfig> wechat_configs;
  std::vector<PushoverConfig> pushover_configs;
  std::vector<VictorOpsConfig> victorops_configs;
  std::vector<SnsConfig> sns_configs;
  std::vector<TelegramConfig> telegram_configs;
  std::vector<WebexConfig> webex_configs;
  std::vector<MsTeamsConfig> msteams_configs;
};

// A named list of time intervals (time_intervals and the deprecated mute_time_intervals).
struct NamedTimeInterval {
  std::string name;
  std::vector<TimeInterval> time_intervals;
};

// Config is the whole alertmanager.yml. Immutable after loading; share it as
// std::shared_ptr<const Config>.
struct Config {
  GlobalConfig global;  // defaults when the file has no `global:`
  Route route;          // the root route; always present in a loaded config
  std::vector<InhibitRule> inhibit_rules;
  std::vector<Receiver> receivers;
  std::vector<std::string> templates;
  std::vector<NamedTimeInterval> mute_time_intervals;
  std::vector<NamedTimeInterval> time_intervals;
  std::string original;  // the text the config was loaded from
};

// Parses and validates an alertmanager.yml, as Alertmanager's config.Load.
// Errors: kInvalidArgument whose message starts with Alertmanager's exact message (e.g.
// "yaml: unmarshal errors:\n  line 33: field subject not found in type config.plain",
// `undefined receiver "x" used in route`, "no global SMTP smarthost set"); Hestia may append
// lines of its own after it, each starting with "  hint: " (what was probably meant) or
// "  at line " (where a validation error was found).
base::Result<Config> Load(std::string_view yaml);

// Reads and loads a file; relative template and http_config file paths are resolved against
// the file's directory (config.LoadFile). Errors: kIOError when unreadable (Go's message:
// "open F: no such file or directory"), otherwise as Load.
base::Result<Config> LoadFile(const std::string& path);

// Renders the loaded config back as YAML, the way Alertmanager marshals it (defaults filled in,
// secrets as "<secret>"), for /api/v2/status.
std::string ToYaml(const Config& config);

}  // namespace alerting::config

#include "alerting/config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "alerting/config/decoder.h"
#include "base/duration.h"
#include "model/matcher.h"

namespace alerting::config {
namespace {

using base::Status;
using detail::Decoder;
using detail::ForEachElement;
using detail::ForEachEntry;
using detail::IsNullNode;
using detail::Line;
using detail::StructDecoder;
using Handler = StructDecoder::Handler;

// ---------------------------------------------------------------------------------------------
// Locations and hints appended after Alertmanager's message (see Load's contract).

Status At(const YAML::Node& n, std::string_view what, Status s) {
  if (s.ok()) return s;
  return Status(s.code(),
                s.message() + "\n  at line " + std::to_string(Line(n)) + ": " + std::string(what));
}

Status Fail(const YAML::Node& n, std::string_view what, std::string message) {
  return At(n, what, base::InvalidArgument(std::move(message)));
}

std::string Quote(std::string_view s) { return model::GoQuote(s); }

// ---------------------------------------------------------------------------------------------
// Field handlers.

Handler Str(Decoder& d, std::string* out) {
  return [&d, out](const YAML::Node& n) {
    detail::DecodeString(d, n, out);
    return Status::Ok();
  };
}

Handler Sec(Decoder& d, Secret* out) {
  return [&d, out](const YAML::Node& n) {
    detail::DecodeString(d, n, &out->value, "config.plain");
    return Status::Ok();
  };
}

Handler Bool(Decoder& d, bool* out) {
  return [&d, out](const YAML::Node& n) {
    detail::DecodeBool(d, n, out);
    return Status::Ok();
  };
}

Handler OptBool(Decoder& d, std::optional<bool>* out) {
  return [&d, out](const YAML::Node& n) {
    if (IsNullNode(n)) {
      out->reset();
      return Status::Ok();
    }
    bool b = false;
    size_t mark = d.mark();
    detail::DecodeBool(d, n, &b);
    if (!d.ErrorsSince(mark)) *out = b;
    return Status::Ok();
  };
}

Handler StrList(Decoder& d, std::vector<std::string>* out) {
  return [&d, out](const YAML::Node& n) {
    detail::DecodeStringList(d, n, out);
    return Status::Ok();
  };
}

Handler StrMap(Decoder& d, std::map<std::string, std::string>* out) {
  return [&d, out](const YAML::Node& n) {
    detail::DecodeStringMap(d, n, out);
    return Status::Ok();
  };
}

// A URL field: null clears it; the string is checked by `parse`; with `secret_ok`, "<secret>"
// (a configuration read back from the API) is accepted as an empty URL.
Handler UrlField(Decoder& d, std::optional<Url>* out, std::string field,
                 base::Result<Url> (*parse)(std::string_view), bool secret_ok) {
  return [&d, out, field, parse, secret_ok](const YAML::Node& n) -> Status {
    if (IsNullNode(n)) {
      out->reset();
      return Status::Ok();
    }
    std::string s;
    size_t mark = d.mark();
    detail::DecodeString(d, n, &s);
    if (d.ErrorsSince(mark)) return Status::Ok();
    if (secret_ok && s == "<secret>") {
      *out = Url{};
      return Status::Ok();
    }
    auto u = parse(s);
    if (!u.has_value()) return At(n, "field " + field, u.error());
    *out = *u;
    return Status::Ok();
  };
}

// Alertmanager's config.HostPort: a string, then host:port parsing.
Handler HostPortField(Decoder& d, HostPort* out, std::string field) {
  return [&d, out, field](const YAML::Node& n) -> Status {
    std::string str;
    size_t mark = d.mark();
    detail::DecodeString(d, n, &str);
    if (d.ErrorsSince(mark)) return Status::Ok();
    auto hp = ParseHostPort(str);
    if (!hp.has_value()) return At(n, "field " + field, hp.error());
    *out = *hp;
    return Status::Ok();
  };
}

// Alertmanager's config.URL: a string, then parseURL.
Handler HttpUrl(Decoder& d, std::optional<Url>* out, std::string field) {
  return UrlField(d, out, std::move(field), &ParseHttpUrl, false);
}

// Alertmanager's config.SecretURL: "<secret>" (a config read back from the API) is accepted.
Handler SecretUrl(Decoder& d, std::optional<Url>* out, std::string field) {
  return UrlField(d, out, std::move(field), &ParseHttpUrl, true);
}

// prometheus/common config.URL: url.Parse only.
Handler CommonUrl(Decoder& d, std::optional<Url>* out, std::string field) {
  return UrlField(d, out, std::move(field), &ParseUrl, false);
}

// model.Duration: a string, then Prometheus's ParseDuration.
Handler PromDuration(Decoder& d, std::optional<std::chrono::milliseconds>* out, std::string field) {
  return [&d, out, field](const YAML::Node& n) -> Status {
    if (IsNullNode(n)) {
      out->reset();
      return Status::Ok();
    }
    std::string s;
    size_t mark = d.mark();
    detail::DecodeString(d, n, &s);
    if (d.ErrorsSince(mark)) return Status::Ok();
    auto v = base::ParseDuration(s);
    if (!v.has_value()) return At(n, "field " + field, v.error());
    *out = *v;
    return Status::Ok();
  };
}

// Alertmanager's notifiers `duration` (a Go time.Duration through UnmarshalText).
Handler GoDuration(Decoder& d, std::chrono::nanoseconds* out, std::string field) {
  return [&d, out, field](const YAML::Node& n) -> Status {
    if (IsNullNode(n)) {
      *out = std::chrono::nanoseconds(0);
      return Status::Ok();
    }
    if (!n.IsScalar()) {
      d.TypeError(n, "config.duration");
      return Status::Ok();
    }
    auto v = ParseGoDuration(n.Scalar());
    if (!v.has_value()) return At(n, "field " + field, v.error());
    *out = *v;
    return Status::Ok();
  };
}

template <typename T>
using DecodeFn = Status (*)(Decoder&, const YAML::Node&, T*);

// A list of structs ([]*config.X or []config.X).
template <typename T>
Handler List(Decoder& d, std::vector<T>* out, std::string go_type, std::string field,
             DecodeFn<T> fn) {
  return [&d, out, go_type, field, fn](const YAML::Node& n) -> Status {
    out->clear();
    return ForEachElement(d, n, go_type, [&](const YAML::Node& e) -> Status {
      if (IsNullNode(e)) return Fail(e, field, "empty entry in " + field);
      T v;
      size_t mark = d.mark();
      RETURN_IF_ERROR(fn(d, e, &v));
      if (!d.ErrorsSince(mark)) out->push_back(std::move(v));
      return Status::Ok();
    });
  };
}

// An optional struct (*config.X): null leaves it unset.
template <typename T>
Handler Opt(Decoder& d, std::optional<T>* out, DecodeFn<T> fn) {
  return [&d, out, fn](const YAML::Node& n) -> Status {
    if (IsNullNode(n)) {
      out->reset();
      return Status::Ok();
    }
    T v;
    size_t mark = d.mark();
    RETURN_IF_ERROR(fn(d, n, &v));
    if (!d.ErrorsSince(mark)) *out = std::move(v);
    return Status::Ok();
  };
}

// A struct held by value: null leaves the zero value.
template <typename T>
Handler Val(Decoder& d, T* out, DecodeFn<T> fn) {
  return [&d, out, fn](const YAML::Node& n) -> Status {
    if (IsNullNode(n)) {
      *out = T{};
      return Status::Ok();
    }
    return fn(d, n, out);
  };
}

// ---------------------------------------------------------------------------------------------
// prometheus/common http_config (0.39).

Status DecodeTlsVersion(Decoder& d, const YAML::Node& n, std::string* out) {
  std::string s;
  size_t mark = d.mark();
  detail::DecodeString(d, n, &s);
  if (d.ErrorsSince(mark) || IsNullNode(n)) return Status::Ok();
  if (s != "TLS10" && s != "TLS11" && s != "TLS12" && s != "TLS13") {
    return Fail(n, "field tls_config", "unknown TLS version: " + s);
  }
  *out = s;
  return Status::Ok();
}

Status DecodeTls(Decoder& d, const YAML::Node& n, TlsConfig* c) {
  *c = TlsConfig{};
  StructDecoder s(d, "config.plain");
  s.Field("ca_file", Str(d, &c->ca_file))
      .Field("cert_file", Str(d, &c->cert_file))
      .Field("key_file", Str(d, &c->key_file))
      .Field("server_name", Str(d, &c->server_name))
      .Field("insecure_skip_verify", Bool(d, &c->insecure_skip_verify))
      .Field("min_version",
             [&](const YAML::Node& v) { return DecodeTlsVersion(d, v, &c->min_version); })
      .Field("max_version",
             [&](const YAML::Node& v) { return DecodeTlsVersion(d, v, &c->max_version); });
  return s.Decode(n);
}

Status DecodeBasicAuth(Decoder& d, const YAML::Node& n, BasicAuth* c) {
  StructDecoder s(d, "config.plain");
  s.Field("username", Str(d, &c->username))
      .Field("password", Sec(d, &c->password))
      .Field("password_file", Str(d, &c->password_file));
  return s.Decode(n);
}

Status DecodeAuthorization(Decoder& d, const YAML::Node& n, Authorization* c) {
  StructDecoder s(d, "config.Authorization");
  s.Field("type", Str(d, &c->type))
      .Field("credentials", Sec(d, &c->credentials))
      .Field("credentials_file", Str(d, &c->credentials_file));
  return s.Decode(n);
}

Status DecodeOAuth2(Decoder& d, const YAML::Node& n, OAuth2* c) {
  StructDecoder s(d, "config.OAuth2");
  s.Field("client_id", Str(d, &c->client_id))
      .Field("client_secret", Sec(d, &c->client_secret))
      .Field("client_secret_file", Str(d, &c->client_secret_file))
      .Field("scopes", StrList(d, &c->scopes))
      .Field("token_url", Str(d, &c->token_url))
      .Field("endpoint_params", StrMap(d, &c->endpoint_params))
      .Field("proxy_url", CommonUrl(d, &c->proxy_url, "proxy_url"))
      .Field("tls_config", Val(d, &c->tls_config, DecodeTls));
  return s.Decode(n);
}

// HTTPClientConfig.Validate.
Status ValidateHttpConfig(HttpClientConfig* c) {
  auto err = [](std::string m) { return base::InvalidArgument(std::move(m)); };
  if (!c->bearer_token.empty() && !c->bearer_token_file.empty()) {
    return err("at most one of bearer_token & bearer_token_file must be configured");
  }
  if ((c->basic_auth || c->oauth2) && (!c->bearer_token.empty() || !c->bearer_token_file.empty())) {
    return err(
        "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
  }
  if (c->basic_auth && !c->basic_auth->password.empty() && !c->basic_auth->password_file.empty()) {
    return err("at most one of basic_auth password & password_file must be configured");
  }
  if (c->authorization) {
    if (!c->bearer_token.empty() || !c->bearer_token_file.empty()) {
      return err("authorization is not compatible with bearer_token & bearer_token_file");
    }
    if (!c->authorization->credentials.empty() && !c->authorization->credentials_file.empty()) {
      return err("at most one of authorization credentials & credentials_file must be configured");
    }
    std::string& type = c->authorization->type;
    size_t b = type.find_first_not_of(" \t\n\r\f\v");
    size_t e = type.find_last_not_of(" \t\n\r\f\v");
    type = b == std::string::npos ? "" : type.substr(b, e - b + 1);
    if (type.empty()) type = "Bearer";
    std::string lower = type;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == "basic") {
      return err(R"(authorization type cannot be set to "basic", use "basic_auth" instead)");
    }
    if (c->basic_auth || c->oauth2) {
      return err("at most one of basic_auth, oauth2 & authorization must be configured");
    }
  } else {
    if (!c->bearer_token.empty()) {
      c->authorization = Authorization{"Bearer", c->bearer_token, ""};
      c->bearer_token = Secret{};
    }
    if (!c->bearer_token_file.empty()) {
      c->authorization = Authorization{"Bearer", Secret{}, c->bearer_token_file};
      c->bearer_token_file.clear();
    }
  }
  if (c->oauth2) {
    if (c->basic_auth)
      return err("at most one of basic_auth, oauth2 & authorization must be configured");
    if (c->oauth2->client_id.empty()) return err("oauth2 client_id must be configured");
    if (c->oauth2->client_secret.empty() && c->oauth2->client_secret_file.empty()) {
      return err("either oauth2 client_secret or client_secret_file must be configured");
    }
    if (c->oauth2->token_url.empty()) return err("oauth2 token_url must be configured");
    if (!c->oauth2->client_secret.empty() && !c->oauth2->client_secret_file.empty()) {
      return err("at most one of oauth2 client_secret & client_secret_file must be configured");
    }
  }
  if (!c->proxy_connect_header.empty() && (!c->proxy_url || c->proxy_url->ToString().empty())) {
    return err("if proxy_connect_header is configured proxy_url must also be configured");
  }
  return Status::Ok();
}

Status DecodeHttpConfigValue(Decoder& d, const YAML::Node& n, HttpClientConfig* c) {
  *c = HttpClientConfig{};
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("basic_auth", Opt(d, &c->basic_auth, DecodeBasicAuth))
      .Field("authorization", Opt(d, &c->authorization, DecodeAuthorization))
      .Field("oauth2", Opt(d, &c->oauth2, DecodeOAuth2))
      .Field("bearer_token", Sec(d, &c->bearer_token))
      .Field("bearer_token_file", Str(d, &c->bearer_token_file))
      .Field("proxy_url", CommonUrl(d, &c->proxy_url, "proxy_url"))
      .Field("proxy_connect_header",
             [&](const YAML::Node& v) {
               c->proxy_connect_header.clear();
               return ForEachEntry(d, v, "config.Header",
                                   [&](const std::string& k, const YAML::Node& l) {
                                     std::vector<std::string> values;
                                     detail::DecodeStringList(d, l, &values, "[]config.Secret");
                                     auto& out = c->proxy_connect_header[k];
                                     for (std::string& s2 : values)
                                       out.push_back(Secret{std::move(s2)});
                                     return Status::Ok();
                                   });
             })
      .Field("tls_config", Val(d, &c->tls_config, DecodeTls))
      .Field("follow_redirects", Bool(d, &c->follow_redirects))
      .Field("enable_http2", Bool(d, &c->enable_http2));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  return At(n, "http_config", ValidateHttpConfig(c));
}

Handler HttpConfig(Decoder& d, std::shared_ptr<const HttpClientConfig>* out) {
  return [&d, out](const YAML::Node& n) -> Status {
    if (IsNullNode(n)) {
      out->reset();
      return Status::Ok();
    }
    auto c = std::make_shared<HttpClientConfig>();
    RETURN_IF_ERROR(DecodeHttpConfigValue(d, n, c.get()));
    *out = std::move(c);
    return Status::Ok();
  };
}

// ---------------------------------------------------------------------------------------------
// global

Status DecodeGlobal(Decoder& d, const YAML::Node& n, GlobalConfig* c) {
  *c = DefaultGlobalConfig();
  StructDecoder s(d, "config.plain");
  s.Field("resolve_timeout",
          [&](const YAML::Node& v) -> Status {
            std::optional<std::chrono::milliseconds> t;
            RETURN_IF_ERROR(PromDuration(d, &t, "resolve_timeout")(v));
            c->resolve_timeout = t.value_or(std::chrono::milliseconds(0));
            return Status::Ok();
          })
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("smtp_from", Str(d, &c->smtp_from))
      .Field("smtp_hello", Str(d, &c->smtp_hello))
      .Field("smtp_smarthost", HostPortField(d, &c->smtp_smarthost, "smtp_smarthost"))
      .Field("smtp_auth_username", Str(d, &c->smtp_auth_username))
      .Field("smtp_auth_password", Sec(d, &c->smtp_auth_password))
      .Field("smtp_auth_password_file", Str(d, &c->smtp_auth_password_file))
      .Field("smtp_auth_secret", Sec(d, &c->smtp_auth_secret))
      .Field("smtp_auth_identity", Str(d, &c->smtp_auth_identity))
      .Field("smtp_require_tls", Bool(d, &c->smtp_require_tls))
      .Field("slack_api_url", SecretUrl(d, &c->slack_api_url, "slack_api_url"))
      .Field("slack_api_url_file", Str(d, &c->slack_api_url_file))
      .Field("pagerduty_url", HttpUrl(d, &c->pagerduty_url, "pagerduty_url"))
      .Field("opsgenie_api_url", HttpUrl(d, &c->opsgenie_api_url, "opsgenie_api_url"))
      .Field("opsgenie_api_key", Sec(d, &c->opsgenie_api_key))
      .Field("opsgenie_api_key_file", Str(d, &c->opsgenie_api_key_file))
      .Field("wechat_api_url", HttpUrl(d, &c->wechat_api_url, "wechat_api_url"))
      .Field("wechat_api_secret", Sec(d, &c->wechat_api_secret))
      .Field("wechat_api_corp_id", Str(d, &c->wechat_api_corp_id))
      .Field("victorops_api_url", HttpUrl(d, &c->victorops_api_url, "victorops_api_url"))
      .Field("victorops_api_key", Sec(d, &c->victorops_api_key))
      .Field("victorops_api_key_file", Str(d, &c->victorops_api_key_file))
      .Field("telegram_api_url", HttpUrl(d, &c->telegram_api_url, "telegram_api_url"))
      .Field("webex_api_url", HttpUrl(d, &c->webex_api_url, "webex_api_url"));
  return s.Decode(n);
}

// ---------------------------------------------------------------------------------------------
// Matchers and legacy match / match_re.

// config.Matchers: a list of strings, each parsed by ParseMatchers; the result sorted.
Handler MatchersField(Decoder& d, Matchers* out, std::string field) {
  return [&d, out, field](const YAML::Node& n) -> Status {
    out->clear();
    if (IsNullNode(n)) return Status::Ok();
    if (!n.IsSequence()) {
      d.TypeError(n, "[]string");
      return Status::Ok();
    }
    size_t start = d.mark();
    for (const YAML::Node& e : n) {
      std::string line;
      size_t mark = d.mark();
      detail::DecodeString(d, e, &line);
      if (d.ErrorsSince(mark)) continue;
      auto ms = ParseMatchers(line);
      if (!ms.has_value()) return At(e, "field " + field, ms.error());
      for (Matcher& m : *ms) out->push_back(std::move(m));
    }
    if (d.ErrorsSince(start)) return Status::Ok();
    SortMatchers(*out);
    return Status::Ok();
  };
}

// config.MatchRegexps.
Handler MatchRe(Decoder& d, std::map<std::string, Regexp>* out, std::string field) {
  return [&d, out, field](const YAML::Node& n) -> Status {
    out->clear();
    size_t mark = d.mark();
    std::vector<std::pair<std::string, bool>> keys;  // name, has value; in document order
    RETURN_IF_ERROR(ForEachEntry(d, n, "config.plain",
                                 [&](const std::string& k, const YAML::Node& v) -> Status {
                                   if (IsNullNode(v)) {
                                     keys.emplace_back(k, false);
                                     return Status::Ok();
                                   }
                                   std::string s;
                                   size_t m2 = d.mark();
                                   detail::DecodeString(d, v, &s);
                                   if (d.ErrorsSince(m2)) return Status::Ok();
                                   auto re = CompileGoRegexp("^(?:" + s + ")$");
                                   if (!re.has_value()) return At(v, "field " + field, re.error());
                                   (*out)[k] = Regexp{s};
                                   keys.emplace_back(k, true);
                                   return Status::Ok();
                                 }));
    if (d.ErrorsSince(mark)) return Status::Ok();
    for (const auto& [k, has_value] : keys) {
      if (!IsValidLabelName(k)) return Fail(n, "field " + field, "invalid label name " + Quote(k));
      if (!has_value) return Fail(n, "field " + field, "invalid regexp value for " + Quote(k));
    }
    return Status::Ok();
  };
}

// ---------------------------------------------------------------------------------------------
// route

Status DecodeRoute(Decoder& d, const YAML::Node& n, Route* r) {
  *r = Route{};
  r->line = Line(n);
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("receiver", Str(d, &r->receiver))
      .Field("group_by",
             [&](const YAML::Node& v) {
               detail::DecodeStringList(d, v, &r->group_by_str, "[]string", &r->has_group_by);
               return Status::Ok();
             })
      .Field("match", StrMap(d, &r->match))
      .Field("match_re", MatchRe(d, &r->match_re, "match_re"))
      .Field("matchers", MatchersField(d, &r->matchers, "matchers"))
      .Field("mute_time_intervals", StrList(d, &r->mute_time_intervals))
      .Field("active_time_intervals", StrList(d, &r->active_time_intervals))
      .Field("continue", Bool(d, &r->continue_matching))
      .Field("routes", List<Route>(d, &r->routes, "[]*config.Route", "routes", DecodeRoute))
      .Field("group_wait", PromDuration(d, &r->group_wait, "group_wait"))
      .Field("group_interval", PromDuration(d, &r->group_interval, "group_interval"))
      .Field("repeat_interval", PromDuration(d, &r->repeat_interval, "repeat_interval"))
      .OnUnknown([&](const std::string& name, const YAML::Node&) {
        if (name == "receivers")
          d.Hint(
              "a route names one `receiver:`; use child `routes:` with `continue: true` to notify "
              "several");
        if (name == "group") d.Hint("the grouping labels of a route are `group_by: [...]`");
      });
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();

  for (const auto& [k, v] : r->match) {
    if (!IsValidLabelName(k)) return Fail(n, "route", "invalid label name " + Quote(k));
  }
  for (const std::string& l : r->group_by_str) {
    if (l == "...") {
      r->group_by_all = true;
    } else {
      if (!IsValidLabelName(l)) {
        return Fail(n, "route", "invalid label name " + Quote(l) + " in group_by list");
      }
      r->group_by.push_back(l);
    }
  }
  if (!r->group_by.empty() && r->group_by_all) {
    return Fail(n, "route",
                "cannot have wildcard group_by (`...`) and other other labels at the same time");
  }
  std::set<std::string> seen;
  for (const std::string& l : r->group_by) {
    if (!seen.insert(l).second)
      return Fail(n, "route", "duplicated label " + Quote(l) + " in group_by");
  }
  if (r->group_interval && r->group_interval->count() == 0) {
    return Fail(n, "route", "group_interval cannot be zero");
  }
  if (r->repeat_interval && r->repeat_interval->count() == 0) {
    return Fail(n, "route", "repeat_interval cannot be zero");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// inhibit_rules

Status DecodeInhibitRule(Decoder& d, const YAML::Node& n, InhibitRule* r) {
  *r = InhibitRule{};
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("source_match", StrMap(d, &r->source_match))
      .Field("source_match_re", MatchRe(d, &r->source_match_re, "source_match_re"))
      .Field("source_matchers", MatchersField(d, &r->source_matchers, "source_matchers"))
      .Field("target_match", StrMap(d, &r->target_match))
      .Field("target_match_re", MatchRe(d, &r->target_match_re, "target_match_re"))
      .Field("target_matchers", MatchersField(d, &r->target_matchers, "target_matchers"))
      .Field("equal", [&](const YAML::Node& v) -> Status {
        r->equal.clear();
        if (IsNullNode(v)) return Status::Ok();
        if (!v.IsSequence()) {
          d.TypeError(v, "model.LabelNames");
          return Status::Ok();
        }
        for (const YAML::Node& e : v) {
          std::string name;
          size_t m2 = d.mark();
          detail::DecodeString(d, e, &name);
          if (d.ErrorsSince(m2)) continue;
          if (!IsValidLabelName(name)) {
            return Fail(e, "field equal", Quote(name) + " is not a valid label name");
          }
          r->equal.push_back(name);
        }
        return Status::Ok();
      });
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  for (const auto& [k, v] : r->source_match) {
    if (!IsValidLabelName(k)) return Fail(n, "inhibit rule", "invalid label name " + Quote(k));
  }
  for (const auto& [k, v] : r->target_match) {
    if (!IsValidLabelName(k)) return Fail(n, "inhibit rule", "invalid label name " + Quote(k));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Receivers and their integrations (config/notifiers.go).

Handler SendResolved(Decoder& d, NotifierConfig* c) { return Bool(d, &c->send_resolved); }

Status DecodeWebhook(Decoder& d, const YAML::Node& n, WebhookConfig* c) {
  *c = WebhookConfig{};
  c->send_resolved = true;
  c->line = Line(n);
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("url", HttpUrl(d, &c->url, "url"))
      .Field("url_file", Str(d, &c->url_file))
      .Field("max_alerts", [&](const YAML::Node& v) {
        detail::DecodeUint64(d, v, &c->max_alerts);
        return Status::Ok();
      });
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (!c->url && c->url_file.empty())
    return Fail(n, "webhook_configs entry", "missing URL in webhook config");
  if (c->url && !c->url_file.empty()) {
    return Fail(n, "webhook_configs entry", "at most one of url & url_file must be configured");
  }
  if (c->url && c->url->scheme != "https" && c->url->scheme != "http") {
    return Fail(n, "webhook_configs entry", "scheme required for webhook url");
  }
  return Status::Ok();
}

Status DecodeEmail(Decoder& d, const YAML::Node& n, EmailConfig* c) {
  *c = EmailConfig{};
  c->html = R"({{ template "email.default.html" . }})";
  c->line = Line(n);
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("to", Str(d, &c->to))
      .Field("from", Str(d, &c->from))
      .Field("hello", Str(d, &c->hello))
      .Field("smarthost", HostPortField(d, &c->smarthost, "smarthost"))
      .Field("auth_username", Str(d, &c->auth_username))
      .Field("auth_password", Sec(d, &c->auth_password))
      .Field("auth_password_file", Str(d, &c->auth_password_file))
      .Field("auth_secret", Sec(d, &c->auth_secret))
      .Field("auth_identity", Str(d, &c->auth_identity))
      .Field("headers", StrMap(d, &c->headers))
      .Field("html", Str(d, &c->html))
      .Field("text", Str(d, &c->text))
      .Field("require_tls", OptBool(d, &c->require_tls))
      .Field("tls_config", Val(d, &c->tls_config, DecodeTls))
      .OnUnknown([&](const std::string& name, const YAML::Node&) {
        if (name == "subject") {
          d.Hint("email_configs has no `subject`: set it as a header, `headers: {Subject: '...'}`");
        } else if (name == "body" || name == "message") {
          d.Hint("email_configs has no `" + name +
                 "`: the body is `text:` (plain text) and/or `html:` (HTML)");
        } else if (name == "password") {
          d.Hint("email_configs takes `auth_password:` (or `auth_password_file:`)");
        } else if (name == "username" || name == "user") {
          d.Hint("email_configs takes `auth_username:`");
        }
      });
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (c->to.empty()) return Fail(n, "email_configs entry", "missing to address in email config");
  std::map<std::string, std::string> normalized;
  for (const auto& [h, v] : c->headers) {
    std::string key = CanonicalMimeHeaderKey(h);
    if (normalized.count(key) != 0) {
      return Fail(n, "email_configs entry", "duplicate header " + Quote(key) + " in email config");
    }
    normalized[key] = v;
  }
  c->headers = std::move(normalized);
  return Status::Ok();
}

Status DecodePagerdutyImage(Decoder& d, const YAML::Node& n, PagerdutyImage* c) {
  StructDecoder s(d, "config.PagerdutyImage");
  s.Field("src", Str(d, &c->src)).Field("alt", Str(d, &c->alt)).Field("href", Str(d, &c->href));
  return s.Decode(n);
}

Status DecodePagerdutyLink(Decoder& d, const YAML::Node& n, PagerdutyLink* c) {
  StructDecoder s(d, "config.PagerdutyLink");
  s.Field("href", Str(d, &c->href)).Field("text", Str(d, &c->text));
  return s.Decode(n);
}

Status DecodePagerduty(Decoder& d, const YAML::Node& n, PagerdutyConfig* c) {
  *c = PagerdutyConfig{};
  c->send_resolved = true;
  c->line = Line(n);
  c->description = R"({{ template "pagerduty.default.description" .}})";
  c->client = R"({{ template "pagerduty.default.client" . }})";
  c->client_url = R"({{ template "pagerduty.default.clientURL" . }})";
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("service_key", Sec(d, &c->service_key))
      .Field("service_key_file", Str(d, &c->service_key_file))
      .Field("routing_key", Sec(d, &c->routing_key))
      .Field("routing_key_file", Str(d, &c->routing_key_file))
      .Field("url", HttpUrl(d, &c->url, "url"))
      .Field("client", Str(d, &c->client))
      .Field("client_url", Str(d, &c->client_url))
      .Field("description", Str(d, &c->description))
      .Field("details", StrMap(d, &c->details))
      .Field("images", List<PagerdutyImage>(d, &c->images, "[]config.PagerdutyImage", "images",
                                            DecodePagerdutyImage))
      .Field("links", List<PagerdutyLink>(d, &c->links, "[]config.PagerdutyLink", "links",
                                          DecodePagerdutyLink))
      .Field("source", Str(d, &c->source))
      .Field("severity", Str(d, &c->severity))
      .Field("class", Str(d, &c->class_))
      .Field("component", Str(d, &c->component))
      .Field("group", Str(d, &c->group));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  const char* what = "pagerduty_configs entry";
  if (c->routing_key.empty() && c->service_key.empty() && c->routing_key_file.empty() &&
      c->service_key_file.empty()) {
    return Fail(n, what, "missing service or routing key in PagerDuty config");
  }
  if (!c->routing_key.empty() && !c->routing_key_file.empty()) {
    return Fail(n, what, "at most one of routing_key & routing_key_file must be configured");
  }
  if (!c->service_key.empty() && !c->service_key_file.empty()) {
    return Fail(n, what, "at most one of service_key & service_key_file must be configured");
  }
  if (c->source.empty()) c->source = c->client;
  static const std::pair<const char*, const char*> kDefaultDetails[] = {
      {"firing", R"({{ template "pagerduty.default.instances" .Alerts.Firing }})"},
      {"resolved", R"({{ template "pagerduty.default.instances" .Alerts.Resolved }})"},
      {"num_firing", "{{ .Alerts.Firing | len }}"},
      {"num_resolved", "{{ .Alerts.Resolved | len }}"},
  };
  for (const auto& [k, v] : kDefaultDetails) c->details.emplace(k, v);
  return Status::Ok();
}

Status DecodeSlackConfirm(Decoder& d, const YAML::Node& n, SlackConfirmationField* c) {
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("text", Str(d, &c->text))
      .Field("title", Str(d, &c->title))
      .Field("ok_text", Str(d, &c->ok_text))
      .Field("dismiss_text", Str(d, &c->dismiss_text));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (c->text.empty())
    return Fail(n, "slack confirm", "missing text in Slack confirmation configuration");
  return Status::Ok();
}

Status DecodeSlackAction(Decoder& d, const YAML::Node& n, SlackAction* c) {
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("type", Str(d, &c->type))
      .Field("text", Str(d, &c->text))
      .Field("url", Str(d, &c->url))
      .Field("style", Str(d, &c->style))
      .Field("name", Str(d, &c->name))
      .Field("value", Str(d, &c->value))
      .Field("confirm", Opt(d, &c->confirm, DecodeSlackConfirm));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  const char* what = "slack action";
  if (c->type.empty()) return Fail(n, what, "missing type in Slack action configuration");
  if (c->text.empty()) return Fail(n, what, "missing text in Slack action configuration");
  if (!c->url.empty()) {
    c->name.clear();
    c->value.clear();
    c->confirm.reset();
  } else if (!c->name.empty()) {
    c->url.clear();
  } else {
    return Fail(n, what, "missing name or url in Slack action configuration");
  }
  return Status::Ok();
}

Status DecodeSlackField(Decoder& d, const YAML::Node& n, SlackField* c) {
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("title", Str(d, &c->title))
      .Field("value", Str(d, &c->value))
      .Field("short", OptBool(d, &c->short_));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (c->title.empty()) return Fail(n, "slack field", "missing title in Slack field configuration");
  if (c->value.empty()) return Fail(n, "slack field", "missing value in Slack field configuration");
  return Status::Ok();
}

Status DecodeSlack(Decoder& d, const YAML::Node& n, SlackConfig* c) {
  *c = SlackConfig{};
  c->line = Line(n);
  c->color = R"({{ if eq .Status "firing" }}danger{{ else }}good{{ end }})";
  c->username = R"({{ template "slack.default.username" . }})";
  c->title = R"({{ template "slack.default.title" . }})";
  c->title_link = R"({{ template "slack.default.titlelink" . }})";
  c->icon_emoji = R"({{ template "slack.default.iconemoji" . }})";
  c->icon_url = R"({{ template "slack.default.iconurl" . }})";
  c->pretext = R"({{ template "slack.default.pretext" . }})";
  c->text = R"({{ template "slack.default.text" . }})";
  c->fallback = R"({{ template "slack.default.fallback" . }})";
  c->callback_id = R"({{ template "slack.default.callbackid" . }})";
  c->footer = R"({{ template "slack.default.footer" . }})";
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("api_url", SecretUrl(d, &c->api_url, "api_url"))
      .Field("api_url_file", Str(d, &c->api_url_file))
      .Field("channel", Str(d, &c->channel))
      .Field("username", Str(d, &c->username))
      .Field("color", Str(d, &c->color))
      .Field("title", Str(d, &c->title))
      .Field("title_link", Str(d, &c->title_link))
      .Field("pretext", Str(d, &c->pretext))
      .Field("text", Str(d, &c->text))
      .Field("fields",
             List<SlackField>(d, &c->fields, "[]*config.SlackField", "fields", DecodeSlackField))
      .Field("short_fields", Bool(d, &c->short_fields))
      .Field("footer", Str(d, &c->footer))
      .Field("fallback", Str(d, &c->fallback))
      .Field("callback_id", Str(d, &c->callback_id))
      .Field("icon_emoji", Str(d, &c->icon_emoji))
      .Field("icon_url", Str(d, &c->icon_url))
      .Field("image_url", Str(d, &c->image_url))
      .Field("thumb_url", Str(d, &c->thumb_url))
      .Field("link_names", Bool(d, &c->link_names))
      .Field("mrkdwn_in", StrList(d, &c->mrkdwn_in))
      .Field("actions", List<SlackAction>(d, &c->actions, "[]*config.SlackAction", "actions",
                                          DecodeSlackAction))
      .OnUnknown([&](const std::string& name, const YAML::Node&) {
        if (name == "webhook_url" || name == "url") {
          d.Hint("slack_configs takes the webhook URL as `api_url:` (or `api_url_file:`)");
        }
      });
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (c->api_url && !c->api_url_file.empty()) {
    return Fail(n, "slack_configs entry",
                "at most one of api_url & api_url_file must be configured");
  }
  return Status::Ok();
}

Status DecodeResponder(Decoder& d, const YAML::Node& n, OpsGenieConfigResponder* c) {
  StructDecoder s(d, "config.OpsGenieConfigResponder");
  s.Field("id", Str(d, &c->id))
      .Field("name", Str(d, &c->name))
      .Field("username", Str(d, &c->username))
      .Field("type", Str(d, &c->type));
  return s.Decode(n);
}

Status DecodeOpsGenie(Decoder& d, const YAML::Node& n, OpsGenieConfig* c) {
  *c = OpsGenieConfig{};
  c->send_resolved = true;
  c->line = Line(n);
  c->message = R"({{ template "opsgenie.default.message" . }})";
  c->description = R"({{ template "opsgenie.default.description" . }})";
  c->source = R"({{ template "opsgenie.default.source" . }})";
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("api_key", Sec(d, &c->api_key))
      .Field("api_key_file", Str(d, &c->api_key_file))
      .Field("api_url", HttpUrl(d, &c->api_url, "api_url"))
      .Field("message", Str(d, &c->message))
      .Field("description", Str(d, &c->description))
      .Field("source", Str(d, &c->source))
      .Field("details", StrMap(d, &c->details))
      .Field("entity", Str(d, &c->entity))
      .Field("responders",
             List<OpsGenieConfigResponder>(d, &c->responders, "[]config.OpsGenieConfigResponder",
                                           "responders", DecodeResponder))
      .Field("actions", Str(d, &c->actions))
      .Field("tags", Str(d, &c->tags))
      .Field("note", Str(d, &c->note))
      .Field("priority", Str(d, &c->priority))
      .Field("update_alerts", Bool(d, &c->update_alerts));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  const char* what = "opsgenie_configs entry";
  if (!c->api_key.empty() && !c->api_key_file.empty()) {
    return Fail(n, what, "at most one of api_key & api_key_file must be configured");
  }
  for (const OpsGenieConfigResponder& r : c->responders) {
    std::string type = r.type;
    auto describe = [&] { return "{" + r.id + " " + r.name + " " + r.username + " " + type + "}"; };
    if (r.id.empty() && r.username.empty() && r.name.empty()) {
      return Fail(n, what,
                  "opsGenieConfig responder " + describe() +
                      " has to have at least one of id, username or name specified");
    }
    if (type.find("{{") != std::string::npos) continue;  // a template, checked when rendered
    for (char& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (type != "team" && type != "teams" && type != "user" && type != "escalation" &&
        type != "schedule") {
      return Fail(n, what,
                  "opsGenieConfig responder " + describe() +
                      " type does not match valid options ^(team|teams|user|escalation|schedule)$");
    }
  }
  return Status::Ok();
}

Status DecodeWechat(Decoder& d, const YAML::Node& n, WechatConfig* c) {
  *c = WechatConfig{};
  c->line = Line(n);
  c->message = R"({{ template "wechat.default.message" . }})";
  c->to_user = R"({{ template "wechat.default.to_user" . }})";
  c->to_party = R"({{ template "wechat.default.to_party" . }})";
  c->to_tag = R"({{ template "wechat.default.to_tag" . }})";
  c->agent_id = R"({{ template "wechat.default.agent_id" . }})";
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("api_secret", Sec(d, &c->api_secret))
      .Field("corp_id", Str(d, &c->corp_id))
      .Field("message", Str(d, &c->message))
      .Field("api_url", HttpUrl(d, &c->api_url, "api_url"))
      .Field("to_user", Str(d, &c->to_user))
      .Field("to_party", Str(d, &c->to_party))
      .Field("to_tag", Str(d, &c->to_tag))
      .Field("agent_id", Str(d, &c->agent_id))
      .Field("message_type", Str(d, &c->message_type));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (c->message_type.empty()) c->message_type = "text";
  if (c->message_type != "text" && c->message_type != "markdown") {
    return Fail(n, "wechat_configs entry",
                "weChat message type " + Quote(c->message_type) +
                    " does not match valid options ^(text|markdown)$");
  }
  return Status::Ok();
}

Status DecodePushover(Decoder& d, const YAML::Node& n, PushoverConfig* c) {
  *c = PushoverConfig{};
  c->send_resolved = true;
  c->line = Line(n);
  c->title = R"({{ template "pushover.default.title" . }})";
  c->message = R"({{ template "pushover.default.message" . }})";
  c->url = R"({{ template "pushover.default.url" . }})";
  c->priority = R"({{ if eq .Status "firing" }}2{{ else }}0{{ end }})";
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("user_key", Sec(d, &c->user_key))
      .Field("token", Sec(d, &c->token))
      .Field("title", Str(d, &c->title))
      .Field("message", Str(d, &c->message))
      .Field("url", Str(d, &c->url))
      .Field("url_title", Str(d, &c->url_title))
      .Field("sound", Str(d, &c->sound))
      .Field("priority", Str(d, &c->priority))
      .Field("retry", GoDuration(d, &c->retry, "retry"))
      .Field("expire", GoDuration(d, &c->expire, "expire"))
      .Field("html", Bool(d, &c->html));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (c->user_key.empty())
    return Fail(n, "pushover_configs entry", "missing user key in Pushover config");
  if (c->token.empty())
    return Fail(n, "pushover_configs entry", "missing token in Pushover config");
  return Status::Ok();
}

Status DecodeVictorOps(Decoder& d, const YAML::Node& n, VictorOpsConfig* c) {
  *c = VictorOpsConfig{};
  c->send_resolved = true;
  c->line = Line(n);
  c->message_type = "CRITICAL";
  c->state_message = R"({{ template "victorops.default.state_message" . }})";
  c->entity_display_name = R"({{ template "victorops.default.entity_display_name" . }})";
  c->monitoring_tool = R"({{ template "victorops.default.monitoring_tool" . }})";
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("api_key", Sec(d, &c->api_key))
      .Field("api_key_file", Str(d, &c->api_key_file))
      .Field("api_url", HttpUrl(d, &c->api_url, "api_url"))
      .Field("routing_key", Str(d, &c->routing_key))
      .Field("message_type", Str(d, &c->message_type))
      .Field("state_message", Str(d, &c->state_message))
      .Field("entity_display_name", Str(d, &c->entity_display_name))
      .Field("monitoring_tool", Str(d, &c->monitoring_tool))
      .Field("custom_fields", StrMap(d, &c->custom_fields));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  const char* what = "victorops_configs entry";
  if (c->routing_key.empty()) return Fail(n, what, "missing Routing key in VictorOps config");
  if (!c->api_key.empty() && !c->api_key_file.empty()) {
    return Fail(n, what, "at most one of api_key & api_key_file must be configured");
  }
  for (const char* f : {"routing_key", "message_type", "state_message", "entity_display_name",
                        "monitoring_tool", "entity_id", "entity_state"}) {
    if (c->custom_fields.count(f) != 0) {
      return Fail(n, what,
                  std::string("victorOps config contains custom field ") + f +
                      " which cannot be used as it conflicts with the fixed/static fields");
    }
  }
  return Status::Ok();
}

Status DecodeSigV4(Decoder& d, const YAML::Node& n, SigV4Config* c) {
  *c = SigV4Config{};
  size_t mark = d.mark();
  StructDecoder s(d, "sigv4.plain");
  s.Field("region", Str(d, &c->region))
      .Field("access_key", Str(d, &c->access_key))
      .Field("secret_key", Sec(d, &c->secret_key))
      .Field("profile", Str(d, &c->profile))
      .Field("role_arn", Str(d, &c->role_arn));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (c->access_key.empty() != c->secret_key.empty()) {
    return Fail(n, "sigv4",
                "must provide a AWS SigV4 Access key and Secret Key if credentials are specified "
                "in the SigV4 config");
  }
  return Status::Ok();
}

Status DecodeSns(Decoder& d, const YAML::Node& n, SnsConfig* c) {
  *c = SnsConfig{};
  c->send_resolved = true;
  c->line = Line(n);
  c->subject = R"({{ template "sns.default.subject" . }})";
  c->message = R"({{ template "sns.default.message" . }})";
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("api_url", Str(d, &c->api_url))
      .Field("sigv4", Val(d, &c->sigv4, DecodeSigV4))
      .Field("topic_arn", Str(d, &c->topic_arn))
      .Field("phone_number", Str(d, &c->phone_number))
      .Field("target_arn", Str(d, &c->target_arn))
      .Field("subject", Str(d, &c->subject))
      .Field("message", Str(d, &c->message))
      .Field("attributes", StrMap(d, &c->attributes));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  // Go: (TargetARN == "") != (TopicARN == "") != (PhoneNumber == "").
  if (((c->target_arn.empty() != c->topic_arn.empty()) != c->phone_number.empty())) {
    return Fail(n, "sns_configs entry",
                "must provide either a Target ARN, Topic ARN, or Phone Number for SNS config");
  }
  return Status::Ok();
}

Status DecodeTelegram(Decoder& d, const YAML::Node& n, TelegramConfig* c) {
  *c = TelegramConfig{};
  c->send_resolved = true;
  c->line = Line(n);
  c->message = R"({{ template "telegram.default.message" . }})";
  c->parse_mode = "HTML";
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("api_url", HttpUrl(d, &c->api_url, "api_url"))
      .Field("bot_token", Sec(d, &c->bot_token))
      .Field("chat_id",
             [&](const YAML::Node& v) {
               detail::DecodeInt64(d, v, &c->chat_id);
               return Status::Ok();
             })
      .Field("message", Str(d, &c->message))
      .Field("disable_notifications", Bool(d, &c->disable_notifications))
      .Field("parse_mode", Str(d, &c->parse_mode));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  const char* what = "telegram_configs entry";
  if (c->bot_token.empty()) return Fail(n, what, "missing bot_token on telegram_config");
  if (c->chat_id == 0) return Fail(n, what, "missing chat_id on telegram_config");
  if (!c->parse_mode.empty() && c->parse_mode != "Markdown" && c->parse_mode != "MarkdownV2" &&
      c->parse_mode != "HTML") {
    return Fail(n, what,
                "unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or "
                "empty string");
  }
  return Status::Ok();
}

Status DecodeWebex(Decoder& d, const YAML::Node& n, WebexConfig* c) {
  *c = WebexConfig{};
  c->send_resolved = true;
  c->line = Line(n);
  c->message = R"({{ template "webex.default.message" . }})";
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("api_url", HttpUrl(d, &c->api_url, "api_url"))
      .Field("message", Str(d, &c->message))
      .Field("room_id", Str(d, &c->room_id));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (c->room_id.empty()) return Fail(n, "webex_configs entry", "missing room_id on webex_config");
  if (!c->http_config || !c->http_config->authorization) {
    return Fail(n, "webex_configs entry", "missing webex_configs.http_config.authorization");
  }
  return Status::Ok();
}

Status DecodeDiscord(Decoder& d, const YAML::Node& n, DiscordConfig* c) {
  *c = DiscordConfig{};
  c->send_resolved = true;
  c->line = Line(n);
  c->title = R"({{ template "discord.default.title" . }})";
  c->message = R"({{ template "discord.default.message" . }})";
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("webhook_url", SecretUrl(d, &c->webhook_url, "webhook_url"))
      .Field("title", Str(d, &c->title))
      .Field("message", Str(d, &c->message));
  return s.Decode(n);
}

Status DecodeMsTeams(Decoder& d, const YAML::Node& n, MsTeamsConfig* c) {
  *c = MsTeamsConfig{};
  c->send_resolved = true;
  c->line = Line(n);
  c->title = R"({{ template "msteams.default.title" . }})";
  c->summary = R"({{ template "msteams.default.summary" . }})";
  c->text = R"({{ template "msteams.default.text" . }})";
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("send_resolved", SendResolved(d, c))
      .Field("http_config", HttpConfig(d, &c->http_config))
      .Field("webhook_url", SecretUrl(d, &c->webhook_url, "webhook_url"))
      .Field("webhook_url_file", Str(d, &c->webhook_url_file))
      .Field("title", Str(d, &c->title))
      .Field("summary", Str(d, &c->summary))
      .Field("text", Str(d, &c->text));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (!c->webhook_url && c->webhook_url_file.empty()) {
    return Fail(n, "msteams_configs entry",
                "one of webhook_url or webhook_url_file must be configured");
  }
  if (c->webhook_url && !c->webhook_url_file.empty()) {
    return Fail(n, "msteams_configs entry",
                "at most one of webhook_url & webhook_url_file must be configured");
  }
  return Status::Ok();
}

Status DecodeReceiver(Decoder& d, const YAML::Node& n, Receiver* r) {
  *r = Receiver{};
  r->line = Line(n);
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("name", Str(d, &r->name))
      .Field("discord_configs",
             List<DiscordConfig>(d, &r->discord_configs, "[]*config.DiscordConfig",
                                 "discord_configs", DecodeDiscord))
      .Field("email_configs", List<EmailConfig>(d, &r->email_configs, "[]*config.EmailConfig",
                                                "email_configs", DecodeEmail))
      .Field("pagerduty_configs",
             List<PagerdutyConfig>(d, &r->pagerduty_configs, "[]*config.PagerdutyConfig",
                                   "pagerduty_configs", DecodePagerduty))
      .Field("slack_configs", List<SlackConfig>(d, &r->slack_configs, "[]*config.SlackConfig",
                                                "slack_configs", DecodeSlack))
      .Field("webhook_configs",
             List<WebhookConfig>(d, &r->webhook_configs, "[]*config.WebhookConfig",
                                 "webhook_configs", DecodeWebhook))
      .Field("opsgenie_configs",
             List<OpsGenieConfig>(d, &r->opsgenie_configs, "[]*config.OpsGenieConfig",
                                  "opsgenie_configs", DecodeOpsGenie))
      .Field("wechat_configs", List<WechatConfig>(d, &r->wechat_configs, "[]*config.WechatConfig",
                                                  "wechat_configs", DecodeWechat))
      .Field("pushover_configs",
             List<PushoverConfig>(d, &r->pushover_configs, "[]*config.PushoverConfig",
                                  "pushover_configs", DecodePushover))
      .Field("victorops_configs",
             List<VictorOpsConfig>(d, &r->victorops_configs, "[]*config.VictorOpsConfig",
                                   "victorops_configs", DecodeVictorOps))
      .Field("sns_configs",
             List<SnsConfig>(d, &r->sns_configs, "[]*config.SNSConfig", "sns_configs", DecodeSns))
      .Field("telegram_configs",
             List<TelegramConfig>(d, &r->telegram_configs, "[]*config.TelegramConfig",
                                  "telegram_configs", DecodeTelegram))
      .Field("webex_configs", List<WebexConfig>(d, &r->webex_configs, "[]*config.WebexConfig",
                                                "webex_configs", DecodeWebex))
      .Field("msteams_configs",
             List<MsTeamsConfig>(d, &r->msteams_configs, "[]*config.MSTeamsConfig",
                                 "msteams_configs", DecodeMsTeams))
      .OnUnknown([&](const std::string& name, const YAML::Node&) {
        static const char* const kKinds[] = {
            "discord",  "email",     "pagerduty", "slack",    "webhook", "opsgenie", "wechat",
            "pushover", "victorops", "sns",       "telegram", "webex",   "msteams"};
        for (const char* k : kKinds) {
          if (name == k || name == std::string(k) + "_config") {
            d.Hint("receiver integrations are lists named `" + std::string(k) + "_configs:`");
          }
        }
      });
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (r->name.empty()) return Fail(n, "receiver", "missing name in receiver");
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Time intervals (timeinterval.TimeInterval).

using RangeParser = base::Result<InclusiveRange> (*)(std::string_view);

Handler Ranges(Decoder& d, std::optional<std::vector<InclusiveRange>>* out, std::string go_type,
               std::string field, RangeParser parse) {
  return [&d, out, go_type, field, parse](const YAML::Node& n) -> Status {
    if (IsNullNode(n)) {
      out->reset();
      return Status::Ok();
    }
    if (!n.IsSequence()) {
      d.TypeError(n, go_type);
      return Status::Ok();
    }
    std::vector<InclusiveRange> ranges;
    for (const YAML::Node& e : n) {
      std::string s;
      size_t mark = d.mark();
      detail::DecodeString(d, e, &s);
      if (d.ErrorsSince(mark)) continue;
      auto r = parse(s);
      if (!r.has_value()) return At(e, "field " + field, r.error());
      ranges.push_back(*r);
    }
    *out = std::move(ranges);
    return Status::Ok();
  };
}

Status DecodeTimeRange(Decoder& d, const YAML::Node& n, TimeRange* r) {
  std::string start, end;
  size_t mark = d.mark();
  StructDecoder s(d, "timeinterval.yamlTimeRange");
  s.Field("start_time", Str(d, &start)).Field("end_time", Str(d, &end));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  auto tr = MakeTimeRange(start, end);
  if (!tr.has_value()) return At(n, "field times", tr.error());
  *r = *tr;
  return Status::Ok();
}

Status DecodeTimeInterval(Decoder& d, const YAML::Node& n, TimeInterval* t) {
  *t = TimeInterval{};
  StructDecoder s(d, "timeinterval.TimeInterval");
  s.Field("times",
          [&](const YAML::Node& v) -> Status {
            if (IsNullNode(v)) {
              t->times.reset();
              return Status::Ok();
            }
            std::vector<TimeRange> times;
            RETURN_IF_ERROR(List<TimeRange>(d, &times, "[]timeinterval.TimeRange", "times",
                                            DecodeTimeRange)(v));
            if (v.IsSequence()) t->times = std::move(times);
            return Status::Ok();
          })
      .Field("weekdays",
             Ranges(d, &t->weekdays, "[]timeinterval.WeekdayRange", "weekdays", ParseWeekdayRange))
      .Field("days_of_month", Ranges(d, &t->days_of_month, "[]timeinterval.DayOfMonthRange",
                                     "days_of_month", ParseDayOfMonthRange))
      .Field("months",
             Ranges(d, &t->months, "[]timeinterval.MonthRange", "months", ParseMonthRange))
      .Field("years", Ranges(d, &t->years, "[]timeinterval.YearRange", "years", ParseYearRange))
      .Field("location", [&](const YAML::Node& v) -> Status {
        if (IsNullNode(v)) {
          t->location.reset();
          return Status::Ok();
        }
        std::string name;
        size_t mark = d.mark();
        detail::DecodeString(d, v, &name);
        if (d.ErrorsSince(mark)) return Status::Ok();
        auto loc = Location::Load(name);
        if (!loc.has_value()) return At(v, "field location", loc.error());
        t->location = *loc;
        return Status::Ok();
      });
  return s.Decode(n);
}

Status DecodeNamedInterval(Decoder& d, const YAML::Node& n, NamedTimeInterval* t,
                           const char* missing_name) {
  *t = NamedTimeInterval{};
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("name", Str(d, &t->name))
      .Field("time_intervals",
             List<TimeInterval>(d, &t->time_intervals, "[]timeinterval.TimeInterval",
                                "time_intervals", DecodeTimeInterval));
  RETURN_IF_ERROR(s.Decode(n));
  if (d.ErrorsSince(mark)) return Status::Ok();
  if (t->name.empty()) return Fail(n, "time interval", missing_name);
  return Status::Ok();
}

Status DecodeMuteTimeInterval(Decoder& d, const YAML::Node& n, NamedTimeInterval* t) {
  return DecodeNamedInterval(d, n, t, "missing name in mute time interval");
}
Status DecodeTimeIntervalEntry(Decoder& d, const YAML::Node& n, NamedTimeInterval* t) {
  return DecodeNamedInterval(d, n, t, "missing name in time interval");
}

// ---------------------------------------------------------------------------------------------
// The whole file: Config.UnmarshalYAML and config.Load.

Status CheckReceivers(const Route& r, const std::set<std::string>& names) {
  for (const Route& child : r.routes) RETURN_IF_ERROR(CheckReceivers(child, names));
  if (r.receiver.empty() || names.count(r.receiver) != 0) return Status::Ok();
  Status s = base::InvalidArgument("undefined receiver " + Quote(r.receiver) + " used in route");
  if (r.line > 0) {
    s = Status(s.code(), s.message() + "\n  at line " + std::to_string(r.line) + ": route");
  }
  return s;
}

Status CheckTimeIntervals(const Route& r, const std::set<std::string>& names) {
  for (const Route& child : r.routes) RETURN_IF_ERROR(CheckTimeIntervals(child, names));
  for (const auto* list : {&r.active_time_intervals, &r.mute_time_intervals}) {
    for (const std::string& ti : *list) {
      if (names.count(ti) == 0) {
        Status s = base::InvalidArgument("undefined time interval " + Quote(ti) + " used in route");
        if (r.line > 0) {
          s = Status(s.code(), s.message() + "\n  at line " + std::to_string(r.line) + ": route");
        }
        return s;
      }
    }
  }
  return Status::Ok();
}

Status AtLine(int line, std::string_view what, std::string message) {
  if (line <= 0) return base::InvalidArgument(std::move(message));
  return base::InvalidArgument(message + "\n  at line " + std::to_string(line) + ": " +
                               std::string(what));
}

void EnsureTrailingSlash(Url* u) {
  if (u->path.empty() || u->path.back() != '/') u->path += "/";
}

// The cross-field part of Config.UnmarshalYAML: globals filled into receivers, then the route.
Status ValidateConfig(Config* c, bool has_route) {
  GlobalConfig& g = c->global;
  if (g.slack_api_url && !g.slack_api_url_file.empty()) {
    return base::InvalidArgument(
        "at most one of slack_api_url & slack_api_url_file must be configured");
  }
  if (!g.opsgenie_api_key.empty() && !g.opsgenie_api_key_file.empty()) {
    return base::InvalidArgument(
        "at most one of opsgenie_api_key & opsgenie_api_key_file must be configured");
  }
  if (!g.victorops_api_key.empty() && !g.victorops_api_key_file.empty()) {
    return base::InvalidArgument(
        "at most one of victorops_api_key & victorops_api_key_file must be configured");
  }
  if (!g.smtp_auth_password.empty() && !g.smtp_auth_password_file.empty()) {
    return base::InvalidArgument(
        "at most one of smtp_auth_password & smtp_auth_password_file must be configured");
  }
  std::set<std::string> names;
  auto http = [&](std::shared_ptr<const HttpClientConfig>& h) {
    if (!h) h = g.http_config;
  };
  for (Receiver& rcv : c->receivers) {
    if (names.count(rcv.name) != 0) {
      return AtLine(rcv.line, "receiver",
                    "notification config name " + Quote(rcv.name) + " is not unique");
    }
    for (WebhookConfig& wh : rcv.webhook_configs) http(wh.http_config);
    for (EmailConfig& ec : rcv.email_configs) {
      if (ec.smarthost.empty()) {
        if (g.smtp_smarthost.empty()) {
          return AtLine(ec.line, "email_configs entry of receiver " + Quote(rcv.name),
                        "no global SMTP smarthost set");
        }
        ec.smarthost = g.smtp_smarthost;
      }
      if (ec.from.empty()) {
        if (g.smtp_from.empty()) {
          return AtLine(ec.line, "email_configs entry of receiver " + Quote(rcv.name),
                        "no global SMTP from set");
        }
        ec.from = g.smtp_from;
      }
      if (ec.hello.empty()) ec.hello = g.smtp_hello;
      if (ec.auth_username.empty()) ec.auth_username = g.smtp_auth_username;
      if (ec.auth_password.empty() && ec.auth_password_file.empty()) {
        ec.auth_password = g.smtp_auth_password;
        ec.auth_password_file = g.smtp_auth_password_file;
      }
      if (ec.auth_secret.empty()) ec.auth_secret = g.smtp_auth_secret;
      if (ec.auth_identity.empty()) ec.auth_identity = g.smtp_auth_identity;
      if (!ec.require_tls) ec.require_tls = g.smtp_require_tls;
    }
    for (SlackConfig& sc : rcv.slack_configs) {
      http(sc.http_config);
      if (!sc.api_url && sc.api_url_file.empty()) {
        if (!g.slack_api_url && g.slack_api_url_file.empty()) {
          return AtLine(sc.line, "slack_configs entry of receiver " + Quote(rcv.name),
                        "no global Slack API URL set either inline or in a file");
        }
        sc.api_url = g.slack_api_url;
        sc.api_url_file = g.slack_api_url_file;
      }
    }
    for (PushoverConfig& pc : rcv.pushover_configs) http(pc.http_config);
    for (PagerdutyConfig& pd : rcv.pagerduty_configs) {
      http(pd.http_config);
      if (!pd.url) {
        if (!g.pagerduty_url)
          return AtLine(pd.line, "pagerduty_configs entry", "no global PagerDuty URL set");
        pd.url = g.pagerduty_url;
      }
    }
    for (OpsGenieConfig& og : rcv.opsgenie_configs) {
      http(og.http_config);
      if (!og.api_url) {
        if (!g.opsgenie_api_url)
          return AtLine(og.line, "opsgenie_configs entry", "no global OpsGenie URL set");
        // Alertmanager shares the global URL object and appends the slash to it, so the global
        // setting shows it too.
        EnsureTrailingSlash(&*g.opsgenie_api_url);
        og.api_url = g.opsgenie_api_url;
      }
      EnsureTrailingSlash(&*og.api_url);
      if (og.api_key.empty() && og.api_key_file.empty()) {
        if (g.opsgenie_api_key.empty() && g.opsgenie_api_key_file.empty()) {
          return AtLine(og.line, "opsgenie_configs entry",
                        "no global OpsGenie API Key set either inline or in a file");
        }
        og.api_key = g.opsgenie_api_key;
        og.api_key_file = g.opsgenie_api_key_file;
      }
    }
    for (WechatConfig& wc : rcv.wechat_configs) {
      http(wc.http_config);
      if (!wc.api_url) {
        if (!g.wechat_api_url)
          return AtLine(wc.line, "wechat_configs entry", "no global Wechat URL set");
        EnsureTrailingSlash(&*g.wechat_api_url);
        wc.api_url = g.wechat_api_url;
      }
      if (wc.api_secret.empty()) {
        if (g.wechat_api_secret.empty())
          return AtLine(wc.line, "wechat_configs entry", "no global Wechat ApiSecret set");
        wc.api_secret = g.wechat_api_secret;
      }
      if (wc.corp_id.empty()) {
        if (g.wechat_api_corp_id.empty())
          return AtLine(wc.line, "wechat_configs entry", "no global Wechat CorpID set");
        wc.corp_id = g.wechat_api_corp_id;
      }
      EnsureTrailingSlash(&*wc.api_url);
    }
    for (VictorOpsConfig& vo : rcv.victorops_configs) {
      http(vo.http_config);
      if (!vo.api_url) {
        if (!g.victorops_api_url)
          return AtLine(vo.line, "victorops_configs entry", "no global VictorOps URL set");
        EnsureTrailingSlash(&*g.victorops_api_url);
        vo.api_url = g.victorops_api_url;
      }
      EnsureTrailingSlash(&*vo.api_url);
      if (vo.api_key.empty() && vo.api_key_file.empty()) {
        if (g.victorops_api_key.empty() && g.victorops_api_key_file.empty()) {
          return AtLine(vo.line, "victorops_configs entry", "no global VictorOps API Key set");
        }
        vo.api_key = g.victorops_api_key;
        vo.api_key_file = g.victorops_api_key_file;
      }
    }
    for (SnsConfig& sns : rcv.sns_configs) http(sns.http_config);
    for (TelegramConfig& tc : rcv.telegram_configs) {
      http(tc.http_config);
      if (!tc.api_url) tc.api_url = g.telegram_api_url;
    }
    for (DiscordConfig& dc : rcv.discord_configs) {
      http(dc.http_config);
      if (!dc.webhook_url)
        return AtLine(dc.line, "discord_configs entry", "no discord webhook URL provided");
    }
    for (WebexConfig& wx : rcv.webex_configs) {
      http(wx.http_config);
      if (!wx.api_url) {
        if (!g.webex_api_url)
          return AtLine(wx.line, "webex_configs entry", "no global Webex URL set");
        wx.api_url = g.webex_api_url;
      }
    }
    for (MsTeamsConfig& mt : rcv.msteams_configs) {
      http(mt.http_config);
      if (!mt.webhook_url && mt.webhook_url_file.empty()) {
        return AtLine(mt.line, "msteams_configs entry", "no msteams webhook URL provided");
      }
    }
    names.insert(rcv.name);
  }

  if (!has_route) return base::InvalidArgument("no routes provided");
  const Route& root = c->route;
  if (root.receiver.empty()) {
    return AtLine(root.line, "route", "root route must specify a default receiver");
  }
  if (!root.match.empty() || !root.match_re.empty() || !root.matchers.empty()) {
    return AtLine(root.line, "route", "root route must not have any matchers");
  }
  if (!root.mute_time_intervals.empty()) {
    return AtLine(root.line, "route", "root route must not have any mute time intervals");
  }
  if (!root.active_time_intervals.empty()) {
    return AtLine(root.line, "route", "root route must not have any active time intervals");
  }
  RETURN_IF_ERROR(CheckReceivers(root, names));

  std::set<std::string> intervals;
  for (const NamedTimeInterval& mt : c->mute_time_intervals) {
    if (!intervals.insert(mt.name).second) {
      return base::InvalidArgument("mute time interval " + Quote(mt.name) + " is not unique");
    }
  }
  for (const NamedTimeInterval& ti : c->time_intervals) {
    if (!intervals.insert(ti.name).second) {
      return base::InvalidArgument("time interval " + Quote(ti.name) + " is not unique");
    }
  }
  return CheckTimeIntervals(root, intervals);
}

Status DecodeConfig(Decoder& d, const YAML::Node& n, Config* c, bool* has_route) {
  *has_route = false;
  bool has_global = false;
  size_t mark = d.mark();
  StructDecoder s(d, "config.plain");
  s.Field("global",
          [&](const YAML::Node& v) -> Status {
            if (IsNullNode(v)) {
              has_global = false;
              return Status::Ok();
            }
            has_global = true;
            return DecodeGlobal(d, v, &c->global);
          })
      .Field("route",
             [&](const YAML::Node& v) -> Status {
               if (IsNullNode(v)) {
                 *has_route = false;
                 return Status::Ok();
               }
               *has_route = true;
               return DecodeRoute(d, v, &c->route);
             })
      .Field("inhibit_rules", List<InhibitRule>(d, &c->inhibit_rules, "[]*config.InhibitRule",
                                                "inhibit_rules", DecodeInhibitRule))
      .Field("receivers",
             List<Receiver>(d, &c->receivers, "[]*config.Receiver", "receivers", DecodeReceiver))
      .Field("templates", StrList(d, &c->templates))
      .Field("mute_time_intervals",
             List<NamedTimeInterval>(d, &c->mute_time_intervals, "[]config.MuteTimeInterval",
                                     "mute_time_intervals", DecodeMuteTimeInterval))
      .Field("time_intervals",
             List<NamedTimeInterval>(d, &c->time_intervals, "[]config.TimeInterval",
                                     "time_intervals", DecodeTimeIntervalEntry))
      .OnUnknown([&](const std::string& name, const YAML::Node&) {
        if (name == "receiver") d.Hint("the list of receivers is `receivers:`");
        if (name == "routes")
          d.Hint(
              "the routing tree starts at `route:` (child routes go under `route: {routes: "
              "[...]}`)");
        if (name == "inhibit_rule" || name == "inhibitions")
          d.Hint("inhibition rules are listed under `inhibit_rules:`");
      });
  RETURN_IF_ERROR(s.Decode(n));
  if (!has_global) c->global = DefaultGlobalConfig();
  if (d.ErrorsSince(mark)) return Status::Ok();
  return ValidateConfig(c, *has_route);
}

}  // namespace

GlobalConfig DefaultGlobalConfig() {
  GlobalConfig g;
  g.http_config = std::make_shared<const HttpClientConfig>();
  g.pagerduty_url = *ParseHttpUrl("https://events.pagerduty.com/v2/enqueue");
  g.opsgenie_api_url = *ParseHttpUrl("https://api.opsgenie.com/");
  g.wechat_api_url = *ParseHttpUrl("https://qyapi.weixin.qq.com/cgi-bin/");
  g.victorops_api_url =
      *ParseHttpUrl("https://alert.victorops.com/integrations/generic/20131114/alert/");
  g.telegram_api_url = *ParseHttpUrl("https://api.telegram.org");
  g.webex_api_url = *ParseHttpUrl("https://webexapis.com/v1/messages");
  return g;
}

base::Result<Config> Load(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return base::InvalidArgument("yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  Config c;
  c.global = DefaultGlobalConfig();
  bool has_route = false;
  Decoder d;
  if (!IsNullNode(root)) {
    try {
      RETURN_IF_ERROR(DecodeConfig(d, root, &c, &has_route));
    } catch (const YAML::Exception& e) {
      return base::InvalidArgument("yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    RETURN_IF_ERROR(d.Finish());
  }
  if (!has_route) return base::InvalidArgument("no route provided in config");
  if (c.route.continue_matching) {
    return AtLine(c.route.line, "route", "cannot have continue in root route");
  }
  c.original = std::string(yaml);
  return c;
}

namespace {

std::string JoinDir(const std::string& dir, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

void ResolveHttpConfig(const std::string& dir, std::shared_ptr<const HttpClientConfig>* h) {
  if (!*h) return;
  auto c = std::make_shared<HttpClientConfig>(**h);
  c->tls_config.ca_file = JoinDir(dir, c->tls_config.ca_file);
  c->tls_config.cert_file = JoinDir(dir, c->tls_config.cert_file);
  c->tls_config.key_file = JoinDir(dir, c->tls_config.key_file);
  if (c->basic_auth) c->basic_auth->password_file = JoinDir(dir, c->basic_auth->password_file);
  if (c->authorization) {
    c->authorization->credentials_file = JoinDir(dir, c->authorization->credentials_file);
  }
  if (c->oauth2) {
    c->oauth2->client_secret_file = JoinDir(dir, c->oauth2->client_secret_file);
    c->oauth2->tls_config.ca_file = JoinDir(dir, c->oauth2->tls_config.ca_file);
    c->oauth2->tls_config.cert_file = JoinDir(dir, c->oauth2->tls_config.cert_file);
    c->oauth2->tls_config.key_file = JoinDir(dir, c->oauth2->tls_config.key_file);
  }
  c->bearer_token_file = JoinDir(dir, c->bearer_token_file);
  *h = std::move(c);
}

}  // namespace

base::Result<Config> LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    // Go's os.ReadFile wording: "open F: no such file or directory".
    std::string reason = std::strerror(errno);
    if (!reason.empty())
      reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    return base::IOError("open " + path + ": " + reason);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  ASSIGN_OR_RETURN(Config c, Load(ss.str()));
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  for (std::string& t : c.templates) t = JoinDir(dir, t);
  // As config.resolveFilepaths: the global http_config and each integration's.
  auto global_http = c.global.http_config;
  ResolveHttpConfig(dir, &c.global.http_config);
  auto fix = [&](std::shared_ptr<const HttpClientConfig>& h) {
    if (h == global_http) {
      h = c.global.http_config;
    } else {
      ResolveHttpConfig(dir, &h);
    }
  };
  for (Receiver& r : c.receivers) {
    for (auto& x : r.opsgenie_configs) fix(x.http_config);
    for (auto& x : r.pagerduty_configs) fix(x.http_config);
    for (auto& x : r.pushover_configs) fix(x.http_config);
    for (auto& x : r.slack_configs) fix(x.http_config);
    for (auto& x : r.victorops_configs) fix(x.http_config);
    for (auto& x : r.webhook_configs) fix(x.http_config);
    for (auto& x : r.wechat_configs) fix(x.http_config);
    for (auto& x : r.sns_configs) fix(x.http_config);
    for (auto& x : r.telegram_configs) fix(x.http_config);
    for (auto& x : r.discord_configs) fix(x.http_config);
    for (auto& x : r.webex_configs) fix(x.http_config);
    for (auto& x : r.msteams_configs) fix(x.http_config);
  }
  return c;
}

}  // namespace alerting::config

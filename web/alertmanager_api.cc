#include "web/alertmanager_api.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "alerting/fingerprint.h"
#include "alerting/matchers.h"
#include "alerting/silence.h"
#include "base/clock.h"
#include "base/json_writer.h"
#include "base/quote.h"
#include "base/time_format.h"
#include "base/json_reader.h"

namespace web {

using base::Escaping;
using base::JsonWriter;
using base::JsonValue;

namespace {

constexpr std::string_view kJson = "application/json";

// A go-swagger payload: the value written by Go's json.Encoder with SetEscapeHTML(false), which
// appends a newline.
HttpResponse JsonBody(int status, std::string json) {
  json.push_back('\n');
  return HttpResponse{status, std::string(kJson), std::move(json), {}};
}

// A handler's error payload: a JSON string.
HttpResponse StringPayload(int status, std::string_view message) {
  std::string out;
  base::AppendJsonString(&out, message, Escaping::kLabels);
  return JsonBody(status, std::move(out));
}

// A response without a body (go-swagger removes the Content-Type).
HttpResponse Empty(int status) { return HttpResponse{status, "", "", {}}; }

// go-openapi's errors.ServeError: {"code":N,"message":"..."} (json.Marshal, no newline); codes
// of 600 and above (validation failures) are answered with 422.
// Codes: errors.InvalidTypeCode 601, RequiredFailCode 602, MinItemsFailCode 612.
constexpr int kInvalidTypeCode = 601;
constexpr int kRequiredFailCode = 602;
constexpr int kMinItemsFailCode = 612;

HttpResponse OpenApiError(int code, std::string_view message) {
  JsonWriter w;
  w.BeginObject().Key("code").Int(code).Key("message").String(message).EndObject();
  return HttpResponse{code >= 600 ? 422 : code, std::string(kJson), std::move(w).str(), {}};
}

// A body that failed to decode: errors.NewParseError(name, "body", "", err), code 400.
HttpResponse BodyParseError(std::string_view param, std::string_view why) {
  return OpenApiError(
      400, "parsing " + std::string(param) + " body from \"\" failed, because " + std::string(why));
}

bool IsBlank(std::string_view body) {
  return std::all_of(body.begin(), body.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// swag.ConvertBool, as go-openapi binds boolean query parameters: these words (any case) are
// true, anything else false.
bool ConvertBool(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view t :
       {"true", "1", "yes", "ok", "y", "on", "selected", "checked", "t", "enabled"}) {
    if (lower == t) return true;
  }
  return false;
}

// A single-valued query parameter as go-openapi binds it: the last value; absent or empty
// keeps the default.
std::optional<std::string_view> QueryParam(const Form& form, std::string_view name) {
  std::vector<std::string_view> all = form.GetAll(name);
  if (all.empty() || all.back().empty()) return std::nullopt;
  return all.back();
}

bool BoolParam(const Form& form, std::string_view name) {
  std::optional<std::string_view> v = QueryParam(form, name);
  return v ? ConvertBool(*v) : true;
}

void WriteLabelSet(JsonWriter& w, const model::Labels& ls, Escaping escaping) {
  w.BeginObject();
  for (const model::Label& l : ls) w.Key(l.name, escaping).String(l.value, escaping);
  w.EndObject();
}

void WriteStrings(JsonWriter& w, const std::vector<std::string>& values, Escaping escaping) {
  w.BeginArray();
  for (const std::string& v : values) w.String(v, escaping);
  w.EndArray();
}

// A gettableAlert (AlertToOpenAPIAlert). go-swagger marshals allOf models with json.Marshal,
// which escapes HTML: strings here use the standard escaping. Key order: the alert's own
// properties, then those of the embedded alert (generatorURL, omitted when empty; labels).
void WriteGettableAlert(JsonWriter& w, const alerting::AlertView& v) {
  const alerting::Alert& a = *v.alert;
  w.BeginObject();
  w.Key("annotations");
  WriteLabelSet(w, a.annotations, Escaping::kStandard);
  w.Key("endsAt").String(base::FormatDateTimeMillis(a.ends_at));
  w.Key("fingerprint").String(alerting::FingerprintString(a.fingerprint()));
  w.Key("receivers").BeginArray();
  for (const std::string& r : v.receivers) w.BeginObject().Key("name").String(r).EndObject();
  w.EndArray();
  w.Key("startsAt").String(base::FormatDateTimeMillis(a.starts_at));
  w.Key("status").BeginObject();
  w.Key("inhibitedBy");
  WriteStrings(w, v.status.inhibited_by, Escaping::kStandard);
  w.Key("silencedBy");
  WriteStrings(w, v.status.silenced_by, Escaping::kStandard);
  w.Key("state").String(v.status.state);
  w.EndObject();
  w.Key("updatedAt").String(base::FormatDateTimeMillis(a.updated_at));
  if (!a.generator_url.empty()) w.Key("generatorURL").String(a.generator_url);
  w.Key("labels");
  WriteLabelSet(w, a.labels, Escaping::kStandard);
  w.EndObject();
}

// A gettableSilence (GettableSilenceFromProto): id, status, updatedAt, then the silence's
// comment, createdBy, endsAt, matchers, startsAt; json.Marshal escaping (allOf model).
void WriteGettableSilence(JsonWriter& w, const alerting::Silence& s, int64_t now) {
  w.BeginObject();
  w.Key("id").String(s.id);
  w.Key("status").BeginObject();
  w.Key("state").String(alerting::SilenceStateName(alerting::StateAt(s, now)));
  w.EndObject();
  w.Key("updatedAt").String(base::FormatDateTimeMillis(s.updated_at));
  w.Key("comment").String(s.comment);
  w.Key("createdBy").String(s.created_by);
  w.Key("endsAt").String(base::FormatDateTimeMillis(s.ends_at));
  w.Key("matchers").BeginArray();
  for (const alerting::SilenceMatcher& m : s.matchers) {
    const bool equal =
        m.type == model::MatchType::kEqual || m.type == model::MatchType::kRegexMatch;
    const bool regex =
        m.type == model::MatchType::kRegexMatch || m.type == model::MatchType::kRegexNoMatch;
    w.BeginObject();
    w.Key("isEqual").Bool(equal);
    w.Key("isRegex").Bool(regex);
    w.Key("name").String(m.name);
    w.Key("value").String(m.pattern);
    w.EndObject();
  }
  w.EndArray();
  w.Key("startsAt").String(base::FormatDateTimeMillis(s.starts_at));
  w.EndObject();
}

// --- Decoding request bodies as go-swagger's models do (encoding/json into generated structs).

// Go's encoding/json matches object keys to struct fields case-insensitively; the last of
// duplicate keys wins.
const JsonValue* Field(const JsonValue& obj, std::string_view name) {
  const JsonValue* found = nullptr;
  for (const auto& [key, value] : obj.object) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      found = &value;
    }
  }
  return found && found->kind != JsonValue::Kind::kNull ? found : nullptr;
}

std::string CannotUnmarshal(const JsonValue& v, std::string_view into) {
  return "json: cannot unmarshal " + std::string(v.KindName()) + " into " + std::string(into);
}

// A LabelSet (map[string]string) field of struct `owner`. Empty values are kept here.
base::Result<std::map<std::string, std::string>> DecodeLabelSet(const JsonValue& v,
                                                                std::string_view owner,
                                                                std::string_view field) {
  const std::string where = "Go struct field " + std::string(owner) + "." + std::string(field);
  if (v.kind != JsonValue::Kind::kObject) {
    return base::InvalidArgument(CannotUnmarshal(v, where + " of type models.LabelSet"));
  }
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : v.object) {
    if (value.kind == JsonValue::Kind::kNull) {
      out[key];
      continue;
    }
    if (value.kind != JsonValue::Kind::kString) {
      return base::InvalidArgument(CannotUnmarshal(value, where + " of type string"));
    }
    out[key] = value.text;
  }
  return out;
}

base::Result<std::string> DecodeString(const JsonValue& v, std::string_view owner,
                                       std::string_view field, std::string_view type) {
  if (v.kind != JsonValue::Kind::kString) {
    return base::InvalidArgument(CannotUnmarshal(v, "Go struct field " + std::string(owner) + "." +
                                                        std::string(field) + " of type " +
                                                        std::string(type)));
  }
  return v.text;
}

// A strfmt.DateTime: "" is the zero time; otherwise RFC 3339 (ParseDateTime tries several
// layouts; its error is that of the last one).
base::Result<int64_t> DecodeDateTime(const JsonValue& v, std::string_view owner,
                                     std::string_view field) {
  if (v.kind != JsonValue::Kind::kString) {
    return base::InvalidArgument(CannotUnmarshal(
        v, "Go struct field " + std::string(owner) + "." + std::string(field) + " of type string"));
  }
  const std::string& s = v.text;
  if (s.empty()) return int64_t{0};
  auto looks_like_date = [&] {
    return s.size() >= 10 && std::isdigit(static_cast<unsigned char>(s[0])) && s[4] == '-';
  };
  if (looks_like_date()) {
    if (auto t = ParseTime(s)) return *t;
  }
  return base::InvalidArgument("parsing time " + base::GoQuote(s) +
                               " as \"2006-01-02 15:04:05\": cannot parse " + base::GoQuote(s) +
                               " as \"2006\"");
}

model::Labels ToLabels(const std::map<std::string, std::string>& m) {
  std::vector<model::Label> pairs;
  pairs.reserve(m.size());
  for (const auto& [k, v] : m) pairs.push_back({k, v});
  return model::Labels::FromVector(std::move(pairs));  // drops empty values
}

// Either decoded alerts or the response to give.
struct DecodedAlerts {
  std::vector<alerting::Alert> alerts;
  std::optional<HttpResponse> error;
};

DecodedAlerts DecodePostableAlerts(std::string_view body) {
  DecodedAlerts out;
  auto fail = [&](HttpResponse r) {
    out.error = std::move(r);
    return std::move(out);
  };
  if (IsBlank(body)) return fail(OpenApiError(kRequiredFailCode, "alerts in body is required"));
  auto root = base::ParseJson(body);
  if (!root) return fail(BodyParseError("alerts", root.error().message()));
  if (root->kind == JsonValue::Kind::kNull) return out;
  if (root->kind != JsonValue::Kind::kArray) {
    return fail(
        BodyParseError("alerts", CannotUnmarshal(*root, "Go value of type models.PostableAlerts")));
  }
  // Decoding first (a type error anywhere fails the request with 400), then validation (422,
  // the first failure).
  std::optional<size_t> missing_labels;  // the first alert without labels
  for (size_t i = 0; i < root->array.size(); ++i) {
    const JsonValue& e = root->array[i];
    if (e.kind == JsonValue::Kind::kNull) continue;  // skipped by the validation
    if (e.kind != JsonValue::Kind::kObject) {
      // PostableAlert.UnmarshalJSON decodes into an anonymous struct first.
      return fail(BodyParseError(
          "alerts",
          CannotUnmarshal(e,
                          "Go value of type struct { Annotations models.LabelSet "
                          "\"json:\\\"annotations,omitempty\\\"\"; EndsAt strfmt.DateTime "
                          "\"json:\\\"endsAt,omitempty\\\"\"; StartsAt strfmt.DateTime "
                          "\"json:\\\"startsAt,omitempty\\\"\" }")));
    }
    alerting::Alert a;
    const JsonValue* labels = Field(e, "labels");
    if (labels) {
      auto m = DecodeLabelSet(*labels, "Alert", "labels");
      if (!m) return fail(BodyParseError("alerts", m.error().message()));
      a.labels = ToLabels(*m);
    } else {
      if (!missing_labels) missing_labels = i;
    }
    if (const JsonValue* v = Field(e, "annotations")) {
      auto m = DecodeLabelSet(*v, "", "annotations");
      if (!m) return fail(BodyParseError("alerts", m.error().message()));
      a.annotations = ToLabels(*m);
    }
    for (auto [name, field] : {std::pair{"startsAt", &a.starts_at}, {"endsAt", &a.ends_at}}) {
      if (const JsonValue* v = Field(e, name)) {
        auto t = DecodeDateTime(*v, "", name);
        if (!t) return fail(BodyParseError("alerts", t.error().message()));
        *field = *t;
      }
    }
    if (const JsonValue* v = Field(e, "generatorURL")) {
      auto s = DecodeString(*v, "Alert", "generatorURL", "string");
      if (!s) return fail(BodyParseError("alerts", s.error().message()));
      a.generator_url = std::move(*s);
    }
    out.alerts.push_back(std::move(a));
  }
  if (missing_labels) {
    return fail(OpenApiError(kRequiredFailCode,
                             std::to_string(*missing_labels) + ".labels in body is required"));
  }
  return out;
}

struct DecodedSilence {
  alerting::Silence silence;
  std::optional<HttpResponse> error;
};

// A postableSilence. Validation as the generated Silence.Validate: comment, createdBy, endsAt,
// matchers, startsAt, the first failure answered.
DecodedSilence DecodePostableSilence(std::string_view body) {
  DecodedSilence out;
  auto fail = [&](HttpResponse r) {
    out.error = std::move(r);
    return std::move(out);
  };
  if (IsBlank(body)) return fail(OpenApiError(kRequiredFailCode, "silence in body is required"));
  auto root = base::ParseJson(body);
  if (!root) return fail(BodyParseError("silence", root.error().message()));
  JsonValue empty;
  empty.kind = JsonValue::Kind::kObject;
  const JsonValue& obj = root->kind == JsonValue::Kind::kNull ? empty : *root;
  if (obj.kind != JsonValue::Kind::kObject) {
    // PostableSilence.UnmarshalJSON decodes into an anonymous struct first.
    return fail(BodyParseError(
        "silence",
        CannotUnmarshal(obj,
                        "Go value of type struct { ID string \"json:\\\"id,omitempty\\\"\" }")));
  }
  alerting::Silence& s = out.silence;
  if (const JsonValue* v = Field(obj, "id")) {
    auto id = DecodeString(*v, "", "id", "string");
    if (!id) return fail(BodyParseError("silence", id.error().message()));
    s.id = std::move(*id);
  }
  const JsonValue* comment = Field(obj, "comment");
  const JsonValue* created_by = Field(obj, "createdBy");
  const JsonValue* ends_at = Field(obj, "endsAt");
  const JsonValue* matchers = Field(obj, "matchers");
  const JsonValue* starts_at = Field(obj, "startsAt");
  if (comment) {
    auto v = DecodeString(*comment, "Silence", "comment", "string");
    if (!v) return fail(BodyParseError("silence", v.error().message()));
    s.comment = std::move(*v);
  }
  if (created_by) {
    auto v = DecodeString(*created_by, "Silence", "createdBy", "string");
    if (!v) return fail(BodyParseError("silence", v.error().message()));
    s.created_by = std::move(*v);
  }
  for (auto [v, name, field] :
       {std::tuple{starts_at, "startsAt", &s.starts_at}, {ends_at, "endsAt", &s.ends_at}}) {
    if (!v) continue;
    auto t = DecodeDateTime(*v, "Silence", name);
    if (!t) return fail(BodyParseError("silence", t.error().message()));
    *field = *t;
  }
  // Matchers: [{name, value, isRegex (required), isEqual (default true)}].
  std::optional<std::string> matcher_error;
  if (matchers) {
    if (matchers->kind != JsonValue::Kind::kArray) {
      return fail(BodyParseError(
          "silence",
          CannotUnmarshal(*matchers, "Go struct field Silence.matchers of type models.Matchers")));
    }
    for (size_t i = 0; i < matchers->array.size(); ++i) {
      const JsonValue& m = matchers->array[i];
      if (m.kind == JsonValue::Kind::kNull) continue;
      if (m.kind != JsonValue::Kind::kObject) {
        return fail(BodyParseError(
            "silence",
            CannotUnmarshal(m, "Go struct field Silence.matchers of type models.Matcher")));
      }
      const JsonValue* name = Field(m, "name");
      const JsonValue* value = Field(m, "value");
      const JsonValue* is_regex = Field(m, "isRegex");
      const JsonValue* is_equal = Field(m, "isEqual");
      alerting::SilenceMatcher sm;
      for (auto [v, key, dst] :
           {std::tuple{name, "name", &sm.name}, {value, "value", &sm.pattern}}) {
        if (!v) continue;
        auto str = DecodeString(*v, "Matcher", "matchers." + std::string(key), "string");
        if (!str) return fail(BodyParseError("silence", str.error().message()));
        *dst = std::move(*str);
      }
      bool regex = false, equal = true;
      for (auto [v, key, dst] :
           {std::tuple{is_regex, "isRegex", &regex}, {is_equal, "isEqual", &equal}}) {
        if (!v) continue;
        if (v->kind != JsonValue::Kind::kBool) {
          return fail(BodyParseError("silence",
                                     CannotUnmarshal(*v, "Go struct field Matcher.matchers." +
                                                             std::string(key) + " of type bool")));
        }
        *dst = v->boolean;
      }
      const std::string prefix = "matchers." + std::to_string(i) + ".";
      if (!matcher_error) {
        if (!is_regex)
          matcher_error = prefix + "isRegex in body is required";
        else if (!name)
          matcher_error = prefix + "name in body is required";
        else if (!value)
          matcher_error = prefix + "value in body is required";
      }
      sm.type = regex ? (equal ? model::MatchType::kRegexMatch : model::MatchType::kRegexNoMatch)
                      : (equal ? model::MatchType::kEqual : model::MatchType::kNotEqual);
      s.matchers.push_back(std::move(sm));
    }
  }
  if (!comment) return fail(OpenApiError(kRequiredFailCode, "comment in body is required"));
  if (!created_by) return fail(OpenApiError(kRequiredFailCode, "createdBy in body is required"));
  if (!ends_at) return fail(OpenApiError(kRequiredFailCode, "endsAt in body is required"));
  if (!matchers) return fail(OpenApiError(kRequiredFailCode, "matchers in body is required"));
  if (matchers->array.empty()) {
    return fail(OpenApiError(kMinItemsFailCode, "matchers in body should have at least 1 items"));
  }
  if (matcher_error) return fail(OpenApiError(kRequiredFailCode, *matcher_error));
  if (!starts_at) return fail(OpenApiError(kRequiredFailCode, "startsAt in body is required"));
  return out;
}

// go-openapi's path parameter check for format uuid (strfmt's pattern: groups of 8, 4, 4, 4
// and 12 hex digits, any case, the dashes between them optional).
bool IsUuid(std::string_view s) {
  size_t i = 0;
  for (size_t group : {8, 4, 4, 4, 12}) {
    if (group != 8 && i < s.size() && s[i] == '-') ++i;
    for (size_t k = 0; k < group; ++k, ++i) {
      if (i >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
  }
  return i == s.size();
}

// The parsed filter parameters shared by the alert endpoints; `error` set on a bad parameter.
struct AlertQuery {
  alerting::Alertmanager::AlertFilter filter;
  std::optional<HttpResponse> error;
};

AlertQuery ParseAlertQuery(const Form& form) {
  AlertQuery q;
  for (std::string_view f : form.GetAll("filter")) {
    if (auto m = alerting::ParseMatcher(f); !m) {
      q.error = StringPayload(400, m.error().message());
      return q;
    }
    q.filter.matchers.emplace_back(f);
  }
  if (std::optional<std::string_view> r = QueryParam(form, "receiver")) {
    if (auto re = alerting::CompileGoRegexp("^(?:" + std::string(*r) + ")$"); !re) {
      q.error = StringPayload(400, "failed to parse receiver param: " + re.error().message());
      return q;
    }
    q.filter.receiver = std::string(*r);
  }
  q.filter.active = BoolParam(form, "active");
  q.filter.silenced = BoolParam(form, "silenced");
  q.filter.inhibited = BoolParam(form, "inhibited");
  // Alertmanager 0.25 accepts `unprocessed` and ignores it (its alertFilter never reads it).
  q.filter.unprocessed = true;
  return q;
}

HttpResponse HandlerFailure(const base::Status& st) {
  return StringPayload(st.code() == base::StatusCode::kInvalidArgument ? 400 : 500, st.message());
}

}  // namespace

AlertmanagerApi::AlertmanagerApi(Options options) : options_(std::move(options)) {}

int64_t AlertmanagerApi::Now() const {
  return options_.now ? options_.now() : base::Clock::Real().NowMs();
}

HttpResponse AlertmanagerApi::GetAlerts(const Form& form) const {
  AlertQuery q = ParseAlertQuery(form);
  if (q.error) return std::move(*q.error);
  auto alerts = options_.alertmanager->GetAlerts(q.filter);
  if (!alerts) return HandlerFailure(alerts.error());
  std::sort(alerts->begin(), alerts->end(),
            [](const alerting::AlertView& a, const alerting::AlertView& b) {
              return a.alert->fingerprint() < b.alert->fingerprint();
            });
  JsonWriter w(alerts->size() * 512 + 2);
  w.BeginArray();
  for (const alerting::AlertView& v : *alerts) WriteGettableAlert(w, v);
  w.EndArray();
  return JsonBody(200, std::move(w).str());
}

HttpResponse AlertmanagerApi::PostAlerts(std::string_view body) const {
  DecodedAlerts decoded = DecodePostableAlerts(body);
  if (decoded.error) return std::move(*decoded.error);
  if (base::Status st = options_.alertmanager->PutAlerts(std::move(decoded.alerts)); !st.ok()) {
    return HandlerFailure(st);
  }
  return Empty(200);
}

HttpResponse AlertmanagerApi::GetAlertGroups(const Form& form) const {
  AlertQuery q = ParseAlertQuery(form);
  if (q.error) return std::move(*q.error);
  auto groups = options_.alertmanager->GetAlertGroups(q.filter);
  if (!groups) return HandlerFailure(groups.error());
  JsonWriter w;
  w.BeginArray();
  for (const alerting::AlertGroupView& g : *groups) {
    w.BeginObject();
    w.Key("alerts").BeginArray();
    for (const alerting::AlertView& v : g.alerts) WriteGettableAlert(w, v);
    w.EndArray();
    w.Key("labels");
    WriteLabelSet(w, g.labels, Escaping::kLabels);
    w.Key("receiver").BeginObject().Key("name").String(g.receiver, Escaping::kLabels).EndObject();
    w.EndObject();
  }
  w.EndArray();
  return JsonBody(200, std::move(w).str());
}

HttpResponse AlertmanagerApi::GetSilences(const Form& form) const {
  std::vector<alerting::Matcher> filter;
  for (std::string_view f : form.GetAll("filter")) {
    auto m = alerting::ParseMatcher(f);
    if (!m) return StringPayload(400, m.error().message());
    filter.push_back(std::move(*m));
  }
  const int64_t now = Now();
  std::vector<alerting::Silence> silences = options_.alertmanager->silences().Query();
  // CheckSilenceMatchesFilterLabels: every filter matcher equals one of the silence's.
  std::erase_if(silences, [&](const alerting::Silence& s) {
    return !std::all_of(filter.begin(), filter.end(), [&](const alerting::Matcher& f) {
      return std::any_of(s.matchers.begin(), s.matchers.end(), [&](const auto& m) {
        return m.name == f.name() && m.type == f.type() && m.pattern == f.value();
      });
    });
  });
  // SortSilences: active (ending first), pending (starting first), expired (latest end first).
  auto rank = [](alerting::SilenceState st) {
    switch (st) {
      case alerting::SilenceState::kActive:
        return 1;
      case alerting::SilenceState::kPending:
        return 2;
      case alerting::SilenceState::kExpired:
        return 3;
    }
    return 4;
  };
  std::vector<std::pair<alerting::SilenceState, const alerting::Silence*>> sorted;
  sorted.reserve(silences.size());
  for (const alerting::Silence& s : silences) sorted.emplace_back(alerting::StateAt(s, now), &s);
  std::stable_sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return rank(a.first) < rank(b.first);
    switch (a.first) {
      case alerting::SilenceState::kActive:
        return a.second->ends_at < b.second->ends_at;
      case alerting::SilenceState::kPending:
        return a.second->starts_at < b.second->starts_at;
      case alerting::SilenceState::kExpired:
        return a.second->ends_at > b.second->ends_at;
    }
    return false;
  });
  JsonWriter w;
  w.BeginArray();
  for (const auto& [state, s] : sorted) WriteGettableSilence(w, *s, now);
  w.EndArray();
  return JsonBody(200, std::move(w).str());
}

HttpResponse AlertmanagerApi::PostSilences(std::string_view body) const {
  DecodedSilence decoded = DecodePostableSilence(body);
  if (decoded.error) return std::move(*decoded.error);
  const alerting::Silence& s = decoded.silence;
  if (s.starts_at >= s.ends_at) {
    return StringPayload(400, "Failed to create silence: start time must be before end time");
  }
  if (s.ends_at < Now()) {
    return StringPayload(400, "Failed to create silence: end time can't be in the past");
  }
  auto id = options_.alertmanager->silences().Set(std::move(decoded.silence));
  if (!id) {
    return StringPayload(id.error().code() == base::StatusCode::kNotFound ? 404 : 400,
                         id.error().message());
  }
  JsonWriter w;
  w.BeginObject().Key("silenceID").String(*id, Escaping::kLabels).EndObject();
  return JsonBody(200, std::move(w).str());
}

HttpResponse AlertmanagerApi::GetSilence(std::string_view id) const {
  if (!IsUuid(id)) {
    return OpenApiError(kInvalidTypeCode,
                        "silenceID in path must be of type uuid: " + base::GoQuote(id));
  }
  auto s = options_.alertmanager->silences().Get(std::string(id));
  if (!s) {
    if (s.error().code() == base::StatusCode::kNotFound) return Empty(404);
    return StringPayload(500, s.error().message());
  }
  JsonWriter w;
  WriteGettableSilence(w, *s, Now());
  return JsonBody(200, std::move(w).str());
}

HttpResponse AlertmanagerApi::DeleteSilence(std::string_view id) const {
  if (!IsUuid(id)) {
    return OpenApiError(kInvalidTypeCode,
                        "silenceID in path must be of type uuid: " + base::GoQuote(id));
  }
  // Alertmanager 0.25 answers every Expire error, "silence not found" included, with 500.
  if (base::Status st = options_.alertmanager->silences().Expire(std::string(id)); !st.ok()) {
    return StringPayload(500, st.message());
  }
  return Empty(200);
}

HttpResponse AlertmanagerApi::Status() const {
  std::shared_ptr<const alerting::config::Config> cfg = options_.alertmanager->config();
  const BuildInfo& b = options_.build_info;
  JsonWriter w;
  w.BeginObject();
  w.Key("cluster").BeginObject();
  w.Key("peers").BeginArray().EndArray();
  w.Key("status").String("disabled");
  w.EndObject();
  w.Key("config").BeginObject();
  w.Key("original").String(cfg ? alerting::config::ToYaml(*cfg) : "", Escaping::kLabels);
  w.EndObject();
  w.Key("uptime").String(base::FormatDateTimeMillis(options_.start_ms));
  w.Key("versionInfo").BeginObject();
  w.Key("branch").String(b.branch, Escaping::kLabels);
  w.Key("buildDate").String(b.build_date, Escaping::kLabels);
  w.Key("buildUser").String(b.build_user, Escaping::kLabels);
  w.Key("goVersion")
      .String(b.go_version.empty() ? DefaultCompilerVersion() : b.go_version, Escaping::kLabels);
  w.Key("revision").String(b.revision, Escaping::kLabels);
  w.Key("version").String(b.version, Escaping::kLabels);
  w.EndObject();
  w.EndObject();
  return JsonBody(200, std::move(w).str());
}

HttpResponse AlertmanagerApi::Receivers() const {
  JsonWriter w;
  w.BeginArray();
  for (const std::string& r : options_.alertmanager->receivers()) {
    w.BeginObject().Key("name").String(r, Escaping::kLabels).EndObject();
  }
  w.EndArray();
  return JsonBody(200, std::move(w).str());
}

HttpResponse AlertmanagerApi::Serve(std::string_view method, std::string_view path,
                                    std::string_view query, std::string_view content_type,
                                    std::string_view body) const {
  // The routes of openapi.yaml: path (with {silenceID} as the one parameter) -> methods.
  std::string_view id;
  std::vector<std::string_view> methods;
  constexpr std::string_view kSilencePrefix = "/api/v2/silence/";
  // Methods in go-openapi's order (as its 405 answers list them).
  if (path == "/api/v2/alerts" || path == "/api/v2/silences") {
    methods = {"POST", "GET"};
  } else if (path == "/api/v2/alerts/groups" || path == "/api/v2/status" ||
             path == "/api/v2/receivers") {
    methods = {"GET"};
  } else if (path.starts_with(kSilencePrefix) && path.size() > kSilencePrefix.size() &&
             path.find('/', kSilencePrefix.size()) == std::string_view::npos) {
    id = path.substr(kSilencePrefix.size());
    methods = {"GET", "DELETE"};
  } else {
    return OpenApiError(404, "path " + std::string(path) + " was not found");
  }
  if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
    std::string allowed;
    for (std::string_view m : methods) allowed += (allowed.empty() ? "" : ",") + std::string(m);
    HttpResponse r = OpenApiError(
        405, "method " + std::string(method) + " is not allowed, but [" + allowed + "] are");
    r.headers.emplace_back("Allow", allowed);
    if (method == "HEAD") r.body.clear();
    return r;
  }
  if (method == "POST") {
    // go-openapi checks the media type of a request with a body against `consumes`; a missing
    // Content-Type is application/octet-stream.
    if (!IsBlank(body)) {
      std::string_view media = content_type.substr(0, content_type.find(';'));
      while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
      while (!media.empty() && media.front() == ' ') media.remove_prefix(1);
      std::string lower(media.empty() ? "application/octet-stream" : media);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower != "application/json") {
        return OpenApiError(415, "unsupported media type " + base::GoQuote(lower) +
                                     ", only [application/json] are allowed");
      }
    }
    return path == "/api/v2/alerts" ? PostAlerts(body) : PostSilences(body);
  }
  if (!id.empty()) return method == "GET" ? GetSilence(id) : DeleteSilence(id);
  Form form = Form::Parse("GET", query, "", "");
  if (path == "/api/v2/alerts") return GetAlerts(form);
  if (path == "/api/v2/alerts/groups") return GetAlertGroups(form);
  if (path == "/api/v2/silences") return GetSilences(form);
  if (path == "/api/v2/status") return Status();
  return Receivers();
}

}  // namespace web

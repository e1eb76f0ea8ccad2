#include "alerting/notify/opsgenie.h"

#include <map>

#include "alerting/notify/pagerduty.h"
#include "alerting/notify/template_data.h"
#include "alerting/notify/templates.h"
#include "base/json_writer.h"

namespace alerting::notify {
namespace {

constexpr size_t kMaxMessageLenRunes = 130;

// safeSplit: strings.Split of the trimmed string without empty parts.
std::vector<std::string> SafeSplit(std::string_view s, char sep) {
  std::string t = TrimSpace(s);
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= t.size()) {
    size_t end = t.find(sep, start);
    if (end == std::string::npos) end = t.size();
    if (end > start) out.push_back(t.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string Finish(base::JsonWriter w) {
  std::string out = std::move(w).str();
  out.push_back('\n');
  return out;
}

struct Responder {
  std::string id, name, username, type;
};

}  // namespace

OpsGenieNotifier::OpsGenieNotifier(config::OpsGenieConfig config,
                                   std::shared_ptr<const tmpl::Template> templates,
                                   std::string user_agent, base::Logger* logger,
                                   std::chrono::milliseconds timeout)
    : config_(std::move(config)),
      templates_(std::move(templates)),
      logger_(logger),
      client_(config_.http_config, std::move(user_agent), timeout) {}

base::Result<std::vector<OpsGenieNotifier::Request>> OpsGenieNotifier::Requests(
    const NotifyContext& ctx, const Alerts& alerts, std::string* api_key) const {
  const config::OpsGenieConfig& c = config_;
  TemplateData td =
      MakeTemplateData(ctx.receiver, ctx.group_labels, alerts, ctx.external_url, ctx.now_ms);
  Expander ex(*templates_, TemplateDataValue(td));

  std::map<std::string, std::string> details(td.common_labels.begin(), td.common_labels.end());
  for (const auto& [k, v] : c.details) details[k] = ex.Text(v);

  const std::string alias = GroupKeyHash(ctx.group_key);
  // APIURL.Copy() with Path += ...; the query keeps the URL's own parameters.
  auto endpoint = [&](const std::string& path, bool by_alias) {
    config::Url u = c.api_url.value_or(config::Url{});
    u.path += path;
    if (by_alias)
      u.raw_query =
          u.raw_query.empty() ? "identifierType=alias" : "identifierType=alias&" + u.raw_query;
    return u.ToString();
  };

  std::vector<Request> requests;
  if (td.status == "resolved") {
    base::JsonWriter w;
    w.BeginObject().Key("source").String(ex.Text(c.source)).EndObject();
    requests.push_back(
        {"POST", endpoint("v2/alerts/" + alias + "/close", true), Finish(std::move(w))});
  } else {
    bool truncated = false;
    std::string message = TruncateInRunes(ex.Text(c.message), kMaxMessageLenRunes, &truncated);
    if (truncated && logger_)
      logger_->Warn("notify", "Truncated message",
                    {{"alert", ctx.group_key}, {"max_runes", std::to_string(kMaxMessageLenRunes)}});
    std::vector<Responder> responders;
    for (const config::OpsGenieConfigResponder& r : c.responders) {
      Responder out{ex.Text(r.id), ex.Text(r.name), ex.Text(r.username), ex.Text(r.type)};
      if (out.id.empty() && out.name.empty() && out.username.empty() && out.type.empty()) continue;
      if (out.type == "teams") {
        for (const std::string& team : SafeSplit(out.name, ','))
          responders.push_back({"", ex.Text(team), "", ex.Text("team")});
        continue;
      }
      responders.push_back(std::move(out));
    }
    std::string description = ex.Text(c.description), source = ex.Text(c.source);
    std::vector<std::string> tags = SafeSplit(ex.Text(c.tags), ',');
    std::string note = ex.Text(c.note), priority = ex.Text(c.priority), entity = ex.Text(c.entity);
    std::vector<std::string> actions = SafeSplit(ex.Text(c.actions), ',');

    base::JsonWriter w;
    w.BeginObject();
    w.Key("alias").String(alias);
    w.Key("message").String(message);
    if (!description.empty()) w.Key("description").String(description);
    w.Key("details").BeginObject();
    for (const auto& [k, v] : details) w.Key(k).String(v);
    w.EndObject();
    w.Key("source").String(source);
    if (!responders.empty()) {
      w.Key("responders").BeginArray();
      for (const Responder& r : responders) {
        w.BeginObject();
        if (!r.id.empty()) w.Key("id").String(r.id);
        if (!r.name.empty()) w.Key("name").String(r.name);
        if (!r.username.empty()) w.Key("username").String(r.username);
        w.Key("type").String(r.type);
        w.EndObject();
      }
      w.EndArray();
    }
    if (!tags.empty()) {
      w.Key("tags").BeginArray();
      for (const std::string& t : tags) w.String(t);
      w.EndArray();
    }
    if (!note.empty()) w.Key("note").String(note);
    if (!priority.empty()) w.Key("priority").String(priority);
    if (!entity.empty()) w.Key("entity").String(entity);
    if (!actions.empty()) {
      w.Key("actions").BeginArray();
      for (const std::string& a : actions) w.String(a);
      w.EndArray();
    }
    w.EndObject();
    requests.push_back({"POST", endpoint("v2/alerts", false), Finish(std::move(w))});

    if (c.update_alerts) {
      base::JsonWriter m;
      m.BeginObject();
      if (!message.empty()) m.Key("message").String(message);
      m.EndObject();
      requests.push_back(
          {"PUT", endpoint("v2/alerts/" + alias + "/message", true), Finish(std::move(m))});
      base::JsonWriter d;
      d.BeginObject();
      if (!description.empty()) d.Key("description").String(description);
      d.EndObject();
      requests.push_back(
          {"PUT", endpoint("v2/alerts/" + alias + "/description", true), Finish(std::move(d))});
    }
  }

  if (!c.api_key.empty()) {
    *api_key = ex.Text(c.api_key.value);
  } else {
    auto content = ReadFileContents(c.api_key_file);
    if (!content.ok()) return content.error().WithPrefix("read key_file error");
    // Alertmanager 0.25 keeps the file's trailing newline, which Go's HTTP client then refuses
    // in the header; Hestia trims it.
    *api_key = ex.Text(TrimSpace(*content));
  }
  if (!ex.status().ok()) return ex.status().WithPrefix("templating error");
  return requests;
}

base::Status OpsGenieNotifier::Notify(const NotifyContext& ctx, const Alerts& alerts, bool* retry) {
  *retry = false;
  std::string api_key;
  ASSIGN_OR_RETURN(std::vector<Request> requests, Requests(ctx, alerts, &api_key));
  for (const Request& r : requests) {
    auto res = client_.Send(r.method, r.url, "application/json", r.body,
                            {{"Authorization", "GenieKey " + api_key}});
    if (!res.ok()) {
      *retry = true;
      return res.error();
    }
    RETURN_IF_ERROR(CheckStatus(res->status, res->body, retry, {429}));
  }
  return base::Status::Ok();
}

}  // namespace alerting::notify

#include "rules/api.h"

#include <cmath>
#include <ctime>

#include "base/json_writer.h"
#include "base/quote.h"
#include "base/time_format.h"
#include "rules/alerting_rule.h"
#include "template/go_fmt.h"

namespace rules {
namespace {

// A string as Go's encoding/json writes it (HTML-safe: <, > and & escaped; invalid UTF-8 as
// U+FFFD).
void Str(std::string* out, std::string_view s) { base::AppendJsonString(out, s); }

// A float64 as Go's encoding/json writes it.
void Num(std::string* out, double f) {
  double a = std::fabs(f);
  char fmt = 'f';
  if (a != 0 && (a < 1e-6 || a >= 1e21)) fmt = 'e';
  std::string s = tmpl::FormatFloat(f, fmt, -1);
  if (fmt == 'e') {
    size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
  }
  out->append(s);
}

void Labels(std::string* out, const model::Labels& ls) {
  out->push_back('{');
  bool first = true;
  for (const model::Label& l : ls) {
    if (!first) out->push_back(',');
    first = false;
    Str(out, l.name);
    out->push_back(':');
    Str(out, l.value);
  }
  out->push_back('}');
}

void Pairs(std::string* out, const Annotations& ps) {
  out->push_back('{');
  for (size_t i = 0; i < ps.size(); ++i) {
    if (i > 0) out->push_back(',');
    Str(out, ps[i].first);
    out->push_back(':');
    Str(out, ps[i].second);
  }
  out->push_back('}');
}

void Key(std::string* out, std::string_view k) {
  Str(out, k);
  out->push_back(':');
}

void AlertJson(std::string* out, const Alert& a) {
  out->append("{");
  Key(out, "labels");
  Labels(out, a.labels);
  out->append(",");
  Key(out, "annotations");
  Pairs(out, a.annotations);
  out->append(",");
  Key(out, "state");
  Str(out, AlertStateName(a.state));
  out->append(",");
  Key(out, "activeAt");
  Str(out, base::FormatGoTime(a.active_at));
  if (a.keep_firing_since != 0) {
    out->append(",");
    Key(out, "keepFiringSince");
    Str(out, base::FormatGoTime(a.keep_firing_since));
  }
  out->append(",");
  Key(out, "value");
  Str(out, tmpl::FormatFloat(a.value, 'e', -1));
  out->append("}");
}

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

void RuleStatusJson(std::string* out, const Rule& r) {
  RuleStatus st = r.status();
  Key(out, "health");
  Str(out, HealthName(st.health));
  if (!st.last_error.empty()) {
    out->append(",");
    Key(out, "lastError");
    Str(out, st.last_error);
  }
  out->append(",");
  Key(out, "evaluationTime");
  Num(out, Seconds(st.evaluation_time));
  out->append(",");
  Key(out, "lastEvaluation");
  Str(out, base::FormatGoTime(st.last_evaluation));
}

}  // namespace

base::Result<std::string> RulesJson(const Manager& manager, const RulesFilter& filter) {
  std::string type;
  for (char c : filter.type) type.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (!type.empty() && type != "alert" && type != "record")
    return base::InvalidArgument("not supported value " + base::GoQuote(type));
  const bool alerts = type.empty() || type == "alert";
  const bool records = type.empty() || type == "record";

  std::string out = "{\"groups\":[";
  bool first_group = true;
  for (const std::shared_ptr<Group>& g : manager.RuleGroups()) {
    if (!filter.rule_groups.empty() && !filter.rule_groups.contains(g->name())) continue;
    if (!filter.files.empty() && !filter.files.contains(g->file())) continue;
    std::string rules;
    for (const auto& rp : g->rules()) {
      const Rule& r = *rp;
      if (!filter.rule_names.empty() && !filter.rule_names.contains(r.name())) continue;
      if (r.is_alerting() ? !alerts : !records) continue;
      if (!rules.empty()) rules.push_back(',');
      rules.push_back('{');
      if (r.is_alerting()) {
        const auto& ar = static_cast<const AlertingRule&>(r);
        Key(&rules, "state");
        Str(&rules, AlertStateName(ar.State()));
        rules.push_back(',');
      }
      Key(&rules, "name");
      Str(&rules, r.name());
      rules.push_back(',');
      Key(&rules, "query");
      Str(&rules, r.query());
      rules.push_back(',');
      if (r.is_alerting()) {
        const auto& ar = static_cast<const AlertingRule&>(r);
        Key(&rules, "duration");
        Num(&rules, static_cast<double>(ar.hold().count()) / 1000);
        rules.push_back(',');
        Key(&rules, "keepFiringFor");
        Num(&rules, static_cast<double>(ar.keep_firing_for().count()) / 1000);
        rules.push_back(',');
        Key(&rules, "labels");
        Labels(&rules, r.labels());
        rules.push_back(',');
        Key(&rules, "annotations");
        Pairs(&rules, ar.annotations());
        rules.push_back(',');
        Key(&rules, "alerts");
        if (filter.exclude_alerts) {
          rules.append("null");
        } else {
          rules.push_back('[');
          bool first = true;
          for (const Alert& a : ar.ActiveAlerts()) {
            if (!first) rules.push_back(',');
            first = false;
            AlertJson(&rules, a);
          }
          rules.push_back(']');
        }
        rules.push_back(',');
      } else if (!r.labels().empty()) {
        // omitempty for recording rules, as Prometheus 2.42.
        Key(&rules, "labels");
        Labels(&rules, r.labels());
        rules.push_back(',');
      }
      RuleStatusJson(&rules, r);
      rules.push_back(',');
      Key(&rules, "type");
      Str(&rules, r.is_alerting() ? "alerting" : "recording");
      rules.push_back('}');
    }
    if (rules.empty()) continue;
    if (!first_group) out.push_back(',');
    first_group = false;
    out.push_back('{');
    Key(&out, "name");
    Str(&out, g->name());
    out.push_back(',');
    Key(&out, "file");
    Str(&out, g->file());
    out.push_back(',');
    Key(&out, "rules");
    out += "[" + rules + "]";
    out.push_back(',');
    Key(&out, "interval");
    Num(&out, static_cast<double>(g->interval().count()) / 1000);
    out.push_back(',');
    Key(&out, "limit");
    out += std::to_string(g->limit());
    out.push_back(',');
    Key(&out, "evaluationTime");
    Num(&out, Seconds(g->evaluation_time()));
    out.push_back(',');
    Key(&out, "lastEvaluation");
    Str(&out, base::FormatGoTime(g->last_evaluation()));
    out.push_back('}');
  }
  out += "]}";
  return out;
}

std::string AlertsJson(const Manager& manager) {
  std::string out = "{\"alerts\":[";
  bool first = true;
  for (const std::shared_ptr<Group>& g : manager.RuleGroups())
    for (AlertingRule* r : g->AlertingRules())
      for (const Alert& a : r->ActiveAlerts()) {
        if (!first) out.push_back(',');
        first = false;
        AlertJson(&out, a);
      }
  return out + "]}";
}

}  // namespace rules

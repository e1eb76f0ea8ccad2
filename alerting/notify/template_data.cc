#include "alerting/notify/template_data.h"

#include <memory>
#include <utility>

#include "alerting/fingerprint.h"
#include "template/go_time.h"

namespace alerting::notify {
namespace {

using tmpl::Value;
using Args = std::span<const Value>;

KV ToKV(const model::Labels& labels) {
  KV kv;
  for (const model::Label& l : labels) kv.emplace(std::string(l.name), std::string(l.value));
  return kv;
}

tmpl::Time ToTime(int64_t ms) {
  // ms == 0 is Go's zero time (unset), not the Unix epoch.
  if (ms == 0) return tmpl::Time{};
  return tmpl::Time::FromUnixMilli(ms);
}

// The Go types of Alertmanager's template package, built once.
struct Types {
  std::shared_ptr<tmpl::TypeInfo> pair, pairs, kv, alert, alerts, data;

  Types() {
    pair = std::make_shared<tmpl::TypeInfo>();
    pair->name = "template.Pair";
    pairs = std::make_shared<tmpl::TypeInfo>();
    pairs->name = "template.Pairs";
    kv = std::make_shared<tmpl::TypeInfo>();
    kv->name = "template.KV";
    alert = std::make_shared<tmpl::TypeInfo>();
    alert->name = "template.Alert";
    alert->json_names = {"status", "labels",       "annotations", "startsAt",
                         "endsAt", "generatorURL", "fingerprint"};
    alerts = std::make_shared<tmpl::TypeInfo>();
    alerts->name = "template.Alerts";
    data = std::make_shared<tmpl::TypeInfo>();
    data->name = "*template.Data";
    data->pointer = true;
    data->json_names = {"receiver",          "status",     "alerts", "groupLabels", "commonLabels",
                        "commonAnnotations", "externalURL"};

    // Pairs.Names / Pairs.Values.
    auto field_list = [](std::string_view field) {
      return [field](Args a) -> base::Result<Value> {
        std::vector<std::string> out;
        for (const Value& p : a[0].list()) out.push_back(p.Field(field)->string_value());
        return Value::StringList(out);
      };
    };
    pairs->methods["Names"] = {{}, "", field_list("Name")};
    pairs->methods["Values"] = {{}, "", field_list("Value")};

    // KV methods; a KV value is a map[string]string.
    std::shared_ptr<const tmpl::TypeInfo> pair_t = pair, pairs_t = pairs, kv_t = kv;
    auto sorted = [pair_t, pairs_t](const Value& kv_value) {
      tmpl::List items;
      KV m;
      for (const auto& [k, v] : kv_value.map()) m.emplace(k, v.string_value());
      for (auto& [k, v] : SortedPairs(m)) {
        items.push_back(Value::Struct(
            {{"Name", Value::String(std::move(k))}, {"Value", Value::String(std::move(v))}},
            pair_t));
      }
      return Value::FromList(std::move(items), "template.Pair").WithType(pairs_t);
    };
    kv->methods["SortedPairs"] = {
        {}, "", [sorted](Args a) -> base::Result<Value> { return sorted(a[0]); }};
    kv->methods["Names"] = {{}, "", [sorted, field_list](Args a) -> base::Result<Value> {
                              Value p[] = {sorted(a[0])};
                              return field_list("Name")(p);
                            }};
    kv->methods["Values"] = {{}, "", [sorted, field_list](Args a) -> base::Result<Value> {
                               Value p[] = {sorted(a[0])};
                               return field_list("Value")(p);
                             }};
    kv->methods["Remove"] = {{"[]string"}, "", [kv_t](Args a) -> base::Result<Value> {
                               KV out;
                               for (const auto& [k, v] : a[0].map()) {
                                 bool removed = false;
                                 if (a[1].kind() == Value::Kind::kList) {
                                   for (const Value& r : a[1].list())
                                     if (r.string_value() == k) removed = true;
                                 }
                                 if (!removed) out.emplace(k, v.string_value());
                               }
                               return Value::StringMap(out).WithType(kv_t);
                             }};

    // Alerts.Firing / Alerts.Resolved return []Alert (not Alerts), as Alertmanager.
    auto by_status = [](std::string status) {
      return [status](Args a) -> base::Result<Value> {
        tmpl::List out;
        for (const Value& al : a[0].list())
          if (al.Field("Status")->string_value() == status) out.push_back(al);
        return Value::FromList(std::move(out), "template.Alert");
      };
    };
    alerts->methods["Firing"] = {{}, "", by_status("firing")};
    alerts->methods["Resolved"] = {{}, "", by_status("resolved")};
  }
};

const Types& GetTypes() {
  static const Types types;
  return types;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> SortedPairs(const KV& kv) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(kv.size());
  if (auto it = kv.find("alertname"); it != kv.end()) out.emplace_back(it->first, it->second);
  for (const auto& [k, v] : kv)
    if (k != "alertname") out.emplace_back(k, v);
  return out;
}

std::string QuoteMeta(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

TemplateData MakeTemplateData(std::string_view receiver, const model::Labels& group_labels,
                              const Alerts& alerts, std::string_view external_url, int64_t now_ms) {
  TemplateData d;
  d.receiver = QuoteMeta(receiver);
  d.external_url = std::string(external_url);
  d.group_labels = ToKV(group_labels);
  d.status = "resolved";
  for (const AlertPtr& a : alerts) {
    AlertData ad;
    ad.status = a->ResolvedAt(now_ms) ? "resolved" : "firing";
    if (ad.status == "firing") d.status = "firing";
    ad.labels = ToKV(a->labels);
    ad.annotations = ToKV(a->annotations);
    ad.starts_at = a->starts_at;
    ad.ends_at = a->ends_at;
    ad.generator_url = a->generator_url;
    ad.fingerprint = FingerprintString(a->fingerprint());
    d.alerts.push_back(std::move(ad));
  }
  if (!d.alerts.empty()) {
    d.common_labels = d.alerts[0].labels;
    d.common_annotations = d.alerts[0].annotations;
    auto intersect = [](KV* common, const KV& other) {
      for (auto it = common->begin(); it != common->end();) {
        auto o = other.find(it->first);
        if (o == other.end() || o->second != it->second)
          it = common->erase(it);
        else
          ++it;
      }
    };
    for (size_t i = 1; i < d.alerts.size(); ++i) {
      intersect(&d.common_labels, d.alerts[i].labels);
      intersect(&d.common_annotations, d.alerts[i].annotations);
    }
  }
  return d;
}

tmpl::Value KVValue(const KV& kv) { return Value::StringMap(kv).WithType(GetTypes().kv); }

tmpl::Value TemplateDataValue(const TemplateData& data) {
  const Types& t = GetTypes();
  tmpl::List alerts;
  for (const AlertData& a : data.alerts) {
    alerts.push_back(Value::Struct({{"Status", Value::String(a.status)},
                                    {"Labels", KVValue(a.labels)},
                                    {"Annotations", KVValue(a.annotations)},
                                    {"StartsAt", Value::FromTime(ToTime(a.starts_at))},
                                    {"EndsAt", Value::FromTime(ToTime(a.ends_at))},
                                    {"GeneratorURL", Value::String(a.generator_url)},
                                    {"Fingerprint", Value::String(a.fingerprint)}},
                                   t.alert));
  }
  return Value::Struct(
      {{"Receiver", Value::String(data.receiver)},
       {"Status", Value::String(data.status)},
       {"Alerts", Value::FromList(std::move(alerts), "template.Alert").WithType(t.alerts)},
       {"GroupLabels", KVValue(data.group_labels)},
       {"CommonLabels", KVValue(data.common_labels)},
       {"CommonAnnotations", KVValue(data.common_annotations)},
       {"ExternalURL", Value::String(data.external_url)}},
      t.data);
}

}  // namespace alerting::notify

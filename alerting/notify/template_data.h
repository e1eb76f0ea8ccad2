// The data notification templates see (Alertmanager's template.Data, template.Alert, template.KV
// with their methods), built from a group's alerts as Alertmanager's Template.Data does, both as
// plain structs (for payloads such as the webhook's) and as a tmpl::Value for templates.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert.h"
#include "model/labels.h"
#include "template/value.h"

namespace alerting::notify {

// template.KV.
using KV = std::map<std::string, std::string, std::less<>>;

// template.Alert.
struct AlertData {
  std::string status;  // "firing" or "resolved"
  KV labels;
  KV annotations;
  int64_t starts_at = 0;  // ms since the epoch; 0 is Go's zero time
  int64_t ends_at = 0;
  std::string generator_url;
  std::string fingerprint;  // "%016x"
};

// template.Data.
struct TemplateData {
  std::string receiver;  // regexp.QuoteMeta of the receiver name, as Alertmanager
  std::string status;    // "firing" when any alert fires, else "resolved"
  std::vector<AlertData> alerts;
  KV group_labels;
  KV common_labels;       // labels with the same value in every alert
  KV common_annotations;  // likewise for annotations
  std::string external_url;
};

// Alertmanager's Template.Data(recv, groupLabels, alerts...): an alert is resolved when its end
// is not after `now_ms` (types.Alert.Status).
TemplateData MakeTemplateData(std::string_view receiver, const model::Labels& group_labels,
                              const Alerts& alerts, std::string_view external_url, int64_t now_ms);

// The data as templates see it: a *template.Data struct with fields Receiver, Status, Alerts
// (template.Alerts: Firing, Resolved), GroupLabels, CommonLabels, CommonAnnotations (template.KV:
// SortedPairs, Names, Values, Remove), ExternalURL; alerts' StartsAt and EndsAt are time.Time in
// UTC. Pairs (template.Pairs) have Names and Values; a Pair has Name and Value.
tmpl::Value TemplateDataValue(const TemplateData& data);

// template.KV as a value with its methods.
tmpl::Value KVValue(const KV& kv);

// KV.SortedPairs: "alertname" first, then the other keys in order.
std::vector<std::pair<std::string, std::string>> SortedPairs(const KV& kv);

// Go's regexp.QuoteMeta.
std::string QuoteMeta(std::string_view s);

}  // namespace alerting::notify

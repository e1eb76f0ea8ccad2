// Alert: one alert as the Alertmanager side of Hestia holds it (Alertmanager's types.Alert):
// received over API v2 or handed over in-process by the rules, stored, grouped, notified.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "alerting/fingerprint.h"
#include "model/labels.h"

namespace alerting {

// Times are ms since the epoch; 0 means unset (Go's zero time).
struct Alert {
  model::Labels labels;
  model::Labels annotations;  // names need not be valid label names; values any UTF-8
  int64_t starts_at = 0;
  int64_t ends_at = 0;
  int64_t updated_at = 0;  // when the store last took this alert in
  std::string generator_url;
  // ends_at was set by the store from resolve_timeout, not by the sender (types.Alert.Timeout).
  bool timeout = false;

  uint64_t fingerprint() const { return Fingerprint(labels); }
  // Whether the alert is resolved at `now_ms`: it has an end and the end is not after now
  // (model.Alert.ResolvedAt).
  bool ResolvedAt(int64_t now_ms) const { return ends_at != 0 && ends_at <= now_ms; }
};

// Alerts travel as shared immutable snapshots: the store replaces, never mutates, an alert.
using AlertPtr = std::shared_ptr<const Alert>;
using Alerts = std::vector<AlertPtr>;

}  // namespace alerting

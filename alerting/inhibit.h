// Inhibition: an alert matching a rule's target matchers is muted while an alert matching its
// source matchers fires with the same values of the `equal` labels, as Alertmanager's
// inhibit/inhibit.go.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alerting/config/config.h"
#include "alerting/matchers.h"
#include "alerting/muter.h"
#include "base/clock.h"
#include "model/labels.h"

namespace alerting {

// One inhibit_rules entry with its legacy source_match(_re) / target_match(_re) turned into
// matchers (match_re values anchored as Alertmanager keeps them).
struct InhibitRule {
  Matchers source_matchers;
  Matchers target_matchers;
  std::vector<std::string> equal;

  static InhibitRule FromConfig(const config::InhibitRule& rule);
};

// Inhibitor holds the alerts that match some rule's source side and answers Mutes().
// An alert never inhibits itself: when the target alert also matches the source matchers,
// source alerts that also match the target matchers are not considered (Alertmanager's
// excludeTwoSidedMatch). A source alert counts while it is not resolved: no end time, or an
// end time after now (read from the clock).
// Thread-safe.
class Inhibitor final : public Muter {
 public:
  Inhibitor(std::vector<InhibitRule> rules, const base::Clock& clock);
  Inhibitor(const Inhibitor&) = delete;
  Inhibitor& operator=(const Inhibitor&) = delete;

  // Records the alert (new or updated, identified by its labels): it is kept for the rules
  // whose source matchers it matches. ends_at_ms 0 means no end time.
  void Put(const model::Labels& labels, int64_t ends_at_ms);
  // Forgets the alert.
  void Delete(const model::Labels& labels);
  // Drops the resolved alerts; returns how many.
  size_t GC();

  bool Mutes(const model::Labels& labels) const override;
  // The fingerprint of an alert inhibiting `labels`, or nullopt: from the first rule that
  // inhibits it, the smallest fingerprint among that rule's inhibiting alerts.
  std::optional<uint64_t> InhibitedBy(const model::Labels& labels) const;

 private:
  struct SourceAlert {
    model::Labels labels;
    int64_t ends_at_ms = 0;
  };

  const std::vector<InhibitRule> rules_;
  const base::Clock& clock_;
  mutable std::mutex mu_;
  // Per rule: the alerts matching its source side, by fingerprint. GUARDED_BY(mu_)
  std::vector<std::map<uint64_t, SourceAlert>> sources_;
};

}  // namespace alerting

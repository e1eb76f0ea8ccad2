#include "alerting/inhibit.h"

#include "alerting/fingerprint.h"

namespace alerting {
namespace {

void AppendLegacy(const std::map<std::string, std::string>& match,
                  const std::map<std::string, config::Regexp>& match_re, Matchers* out) {
  for (const auto& [name, value] : match) {
    auto m = Matcher::Make(MatchType::kEqual, name, value);
    if (m.has_value()) out->push_back(std::move(*m));
  }
  for (const auto& [name, re] : match_re) {
    auto m = Matcher::Make(MatchType::kRegexMatch, name, re.anchored());
    if (m.has_value()) out->push_back(std::move(*m));
  }
}

}  // namespace

InhibitRule InhibitRule::FromConfig(const config::InhibitRule& rule) {
  InhibitRule r;
  AppendLegacy(rule.source_match, rule.source_match_re, &r.source_matchers);
  r.source_matchers.insert(r.source_matchers.end(), rule.source_matchers.begin(),
                           rule.source_matchers.end());
  AppendLegacy(rule.target_match, rule.target_match_re, &r.target_matchers);
  r.target_matchers.insert(r.target_matchers.end(), rule.target_matchers.begin(),
                           rule.target_matchers.end());
  r.equal = rule.equal;
  return r;
}

Inhibitor::Inhibitor(std::vector<InhibitRule> rules, const base::Clock& clock)
    : rules_(std::move(rules)), clock_(clock), sources_(rules_.size()) {}

void Inhibitor::Put(const model::Labels& labels, int64_t ends_at_ms) {
  uint64_t fp = Fingerprint(labels);
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (MatchesAll(rules_[i].source_matchers, labels)) {
      sources_[i][fp] = SourceAlert{labels, ends_at_ms};
    }
  }
}

void Inhibitor::Delete(const model::Labels& labels) {
  uint64_t fp = Fingerprint(labels);
  std::lock_guard lock(mu_);
  for (auto& cache : sources_) cache.erase(fp);
}

size_t Inhibitor::GC() {
  const int64_t now = clock_.NowMs();
  size_t n = 0;
  std::lock_guard lock(mu_);
  for (auto& cache : sources_) {
    n += std::erase_if(cache, [&](const auto& kv) {
      return kv.second.ends_at_ms != 0 && kv.second.ends_at_ms <= now;
    });
  }
  return n;
}

std::optional<uint64_t> Inhibitor::InhibitedBy(const model::Labels& labels) const {
  const int64_t now = clock_.NowMs();
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < rules_.size(); ++i) {
    const InhibitRule& rule = rules_[i];
    if (!MatchesAll(rule.target_matchers, labels)) continue;
    // The target matches; if it matches the source side too, skip sources that match the
    // target side, so that no alert inhibits itself (inhibit.go hasEqual).
    const bool exclude_two_sided = MatchesAll(rule.source_matchers, labels);
    for (const auto& [fp, source] : sources_[i]) {
      if (source.ends_at_ms != 0 && source.ends_at_ms <= now) continue;  // resolved
      bool equal = true;
      for (const std::string& name : rule.equal) {
        if (source.labels.Get(name) != labels.Get(name)) {
          equal = false;
          break;
        }
      }
      if (!equal) continue;
      if (exclude_two_sided && MatchesAll(rule.target_matchers, source.labels)) continue;
      return fp;
    }
  }
  return std::nullopt;
}

bool Inhibitor::Mutes(const model::Labels& labels) const { return InhibitedBy(labels).has_value(); }

}  // namespace alerting

#include "alerting/marker.h"

namespace alerting {

std::string_view AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kUnprocessed:
      return "unprocessed";
    case AlertState::kActive:
      return "active";
    case AlertState::kSuppressed:
      return "suppressed";
  }
  return "";
}

MarkedStatus Marker::Status(uint64_t fp) const {
  std::lock_guard lock(mu_);
  auto it = statuses_.find(fp);
  if (it == statuses_.end()) return MarkedStatus{};
  return it->second;
}

void Marker::SetActiveOrSilenced(uint64_t fp, uint64_t silences_version,
                                 std::vector<std::string> silence_ids) {
  std::lock_guard lock(mu_);
  MarkedStatus& s = statuses_[fp];
  s.silenced_by = std::move(silence_ids);
  s.silences_version = silences_version;
  s.state = s.silenced_by.empty() && s.inhibited_by.empty() ? AlertState::kActive
                                                            : AlertState::kSuppressed;
}

void Marker::SetInhibited(uint64_t fp, std::vector<std::string> inhibited_by) {
  std::lock_guard lock(mu_);
  MarkedStatus& s = statuses_[fp];
  s.inhibited_by = std::move(inhibited_by);
  s.state = s.silenced_by.empty() && s.inhibited_by.empty() ? AlertState::kActive
                                                            : AlertState::kSuppressed;
}

void Marker::Delete(uint64_t fp) {
  std::lock_guard lock(mu_);
  statuses_.erase(fp);
}

size_t Marker::Count(AlertState s) const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [fp, st] : statuses_) n += st.state == s;
  return n;
}

}  // namespace alerting

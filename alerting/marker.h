// Marker: the per-alert status the API reports (Alertmanager's types.MemMarker): unprocessed
// until the notification pipeline (or an API query) has looked at the alert, then active or
// suppressed, with the ids of the silences and the fingerprints of the alerts muting it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace alerting {

enum class AlertState { kUnprocessed, kActive, kSuppressed };
// "unprocessed", "active", "suppressed" (types.AlertState).
std::string_view AlertStateName(AlertState s);

// types.AlertStatus.
struct MarkedStatus {
  AlertState state = AlertState::kUnprocessed;
  std::vector<std::string> silenced_by;   // silence ids
  std::vector<std::string> inhibited_by;  // fingerprints of inhibiting alerts, "%016x"
  uint64_t silences_version = 0;          // Silences::version() when silenced_by was set
};

// Thread-safe.
class Marker {
 public:
  Marker() = default;
  Marker(const Marker&) = delete;
  Marker& operator=(const Marker&) = delete;

  // The status of the alert; unprocessed with empty lists when nothing was marked.
  MarkedStatus Status(uint64_t fp) const;
  // memMarker.SetActiveOrSilenced: records the active silences; the alert is suppressed while
  // it has silences or inhibitors, otherwise active.
  void SetActiveOrSilenced(uint64_t fp, uint64_t silences_version,
                           std::vector<std::string> silence_ids);
  // memMarker.SetInhibited: records the inhibiting alerts; state as above.
  void SetInhibited(uint64_t fp, std::vector<std::string> inhibited_by);
  // Forgets the alert (it is unprocessed again).
  void Delete(uint64_t fp);
  // How many marked alerts are in state `s` (unmarked alerts are not counted).
  size_t Count(AlertState s) const;

 private:
  mutable std::mutex mu_;
  std::map<uint64_t, MarkedStatus> statuses_;  // GUARDED_BY(mu_)
};

}  // namespace alerting

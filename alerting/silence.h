// Silences: matchers and a time window that mute matching alerts, as Alertmanager's
// silence/silence.go, held in memory and snapshotted to a file (cluster gossip is not here yet).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "alerting/matchers.h"
#include "alerting/muter.h"
#include "base/clock.h"
#include "base/status.h"
#include "model/labels.h"

namespace alerting {

// A matcher as a silence stores it (silencepb.Matcher): the pattern is not yet compiled.
struct SilenceMatcher {
  MatchType type = MatchType::kEqual;
  std::string name;
  std::string pattern;
  friend bool operator==(const SilenceMatcher&, const SilenceMatcher&) = default;
};

// Times are ms since the epoch; 0 is "not set" (Go's zero time).
struct Silence {
  std::string id;
  std::vector<SilenceMatcher> matchers;
  int64_t starts_at = 0;
  int64_t ends_at = 0;
  int64_t updated_at = 0;
  std::string created_by;
  std::string comment;
};

enum class SilenceState { kPending, kActive, kExpired };
std::string_view SilenceStateName(SilenceState s);  // "pending", "active", "expired"

// The state of a silence at `now_ms`: pending before starts_at, expired from ends_at on,
// active in between. Alertmanager compares nanosecond times and keeps a silence active at
// exactly ends_at; with milliseconds the window is half-open so that Expire() takes effect at
// once.
SilenceState StateAt(const Silence& s, int64_t now_ms);

// silence.ValidateMatcher. Errors (kInvalidArgument): `invalid label name "x"`,
// `invalid label value "x"`, `invalid regular expression "(": error parsing regexp: ...`.
base::Status ValidateSilenceMatcher(const SilenceMatcher& m);
// validateSilence: also "at least one matcher required", "at least one matcher must not match
// the empty string", "invalid zero start timestamp", "end time must not be before start time"...
base::Status ValidateSilence(const Silence& s);

// Silences is the store of silences and a Muter: an alert is muted while an active silence
// matches all its labels. Thread-safe.
class Silences final : public Muter {
 public:
  struct Options {
    // How long an expired silence is kept before GC drops it (Alertmanager's
    // --data.retention, default 120h).
    std::chrono::milliseconds retention{std::chrono::hours(120)};
  };
  Silences(const base::Clock& clock, Options options);
  explicit Silences(const base::Clock& clock) : Silences(clock, Options()) {}
  Silences(const Silences&) = delete;
  Silences& operator=(const Silences&) = delete;

  // Creates a silence (empty id) or updates one, as Silences.Set: an update whose matchers are
  // unchanged and whose times are allowed in the current state (an active silence keeps its
  // start and may not end in the past; a pending one may not start in the past) changes the
  // silence in place; otherwise the old one is expired and a new one (new id) created. A new
  // silence starting in the past starts now. Returns the id.
  // Errors: kNotFound "silence not found" for an unknown id; kInvalidArgument
  // "silence invalid: <reason>" (nothing is changed then, unlike Alertmanager, which expires
  // the old silence first).
  base::Result<std::string> Set(Silence silence);
  // Ends the silence now (a pending one gets start = end = now). Expiring an expired silence
  // does nothing. Errors: kNotFound "silence not found".
  base::Status Expire(const std::string& id);
  base::Result<Silence> Get(const std::string& id) const;
  // Silences in any of `states` (all when empty), and, when `labels` is given, whose matchers
  // all match them; sorted by id.
  std::vector<Silence> Query(const std::vector<SilenceState>& states = {},
                             const model::Labels* labels = nullptr) const;
  // Ids of the active silences matching `labels`, sorted.
  std::vector<std::string> ActiveFor(const model::Labels& labels) const;
  bool Mutes(const model::Labels& labels) const override;
  // Drops silences that expired more than `retention` ago; returns how many.
  size_t GC();
  // Changes each time a silence is added or changed.
  uint64_t version() const;

  // Writes every silence to `path` atomically (temp file, fsync, rename), in the format of
  // docs/format/alertmanager_state.md. Errors: kIOError naming the file.
  base::Status SaveSnapshot(const std::string& path) const;
  // Replaces the silences by those of the snapshot at `path` (silence.Silences.loadSnapshot);
  // a missing file leaves the silences unchanged. Errors: kCorruption
  // "corrupt silences snapshot <path>: <what>" (nothing is changed then), kIOError.
  base::Status LoadSnapshot(const std::string& path);

 private:
  struct Entry {
    Silence silence;
    Matchers matchers;  // compiled
    int64_t expires_at = 0;
  };
  std::string NewId();
  base::Status Store(Silence s, int64_t now);  // REQUIRES: mu_ held

  const base::Clock& clock_;
  const Options options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> silences_;  // GUARDED_BY(mu_)
  uint64_t version_ = 0;                   // GUARDED_BY(mu_)
  std::mt19937_64 rng_;                    // GUARDED_BY(mu_)
};

}  // namespace alerting

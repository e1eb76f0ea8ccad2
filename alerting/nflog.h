// Nflog: the notification log (Alertmanager's nflog/nflog.go): for each receiver integration
// and aggregation group, which alerts were firing and resolved at the last successful
// notification. The dedup stage reads it to decide whether a group needs a new notification; it
// is snapshotted to <storage_path>/nflog so that a restart does not notify again.
// File format: docs/format/alertmanager_state.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace alerting {

// nflogpb.Receiver: the receiver (group_name), the integration's name and its index.
struct NflogReceiver {
  std::string group_name;
  std::string integration;
  uint32_t idx = 0;
  // As the protobuf's String(): `group_name:"r" integration:"webhook" idx:1`.
  std::string ToString() const;
};

// nflogpb.Entry with its expiry.
struct NflogEntry {
  NflogReceiver receiver;
  std::string group_key;
  int64_t timestamp = 0;  // ms since the epoch
  std::vector<uint64_t> firing_alerts;
  std::vector<uint64_t> resolved_alerts;
  int64_t expires_at = 0;

  // Whether every element of `subset` is among firing_alerts (Entry.IsFiringSubset).
  bool IsFiringSubset(const std::set<uint64_t>& subset) const;
  bool IsResolvedSubset(const std::set<uint64_t>& subset) const;
};

// Thread-safe.
class Nflog {
 public:
  struct Options {
    std::chrono::milliseconds retention{std::chrono::hours(120)};  // --data.retention
  };
  Nflog(const base::Clock& clock, Options options);
  Nflog(const Nflog&) = delete;
  Nflog& operator=(const Nflog&) = delete;

  // Log.Log: records a notification now, expiring after the retention. An existing entry with
  // a later timestamp is kept.
  void Log(const NflogReceiver& receiver, const std::string& group_key,
           std::vector<uint64_t> firing, std::vector<uint64_t> resolved);
  // The entry for the receiver and group, or nullopt.
  std::optional<NflogEntry> Query(const NflogReceiver& receiver,
                                  const std::string& group_key) const;
  // Drops the entries whose expiry is not after now; returns how many.
  size_t GC();
  size_t size() const;

  // Writes every entry to `path` atomically (temp file, fsync, rename). Errors: kIOError.
  base::Status SaveSnapshot(const std::string& path) const;
  // Replaces the entries by those of the snapshot at `path`; a missing file leaves the log
  // empty. Errors: kCorruption "corrupt nflog snapshot <path>: <what>", kIOError.
  base::Status LoadSnapshot(const std::string& path);

 private:
  const base::Clock& clock_;
  const Options options_;
  mutable std::mutex mu_;
  std::map<std::string, NflogEntry> entries_;  // by group_key ":" receiver; GUARDED_BY(mu_)
};

}  // namespace alerting

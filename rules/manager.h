// Manager: loads rule groups from the configuration's rule_files and runs each group on its own
// thread (Prometheus rules/manager.go). Reloading keeps unchanged groups running and carries
// the state of changed ones over; a bad rule file keeps the previous rules.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "config/config.h"
#include "model/labels.h"
#include "rules/group.h"

namespace rules {

// What cmd/ supplies. `query` and `appendable` are required.
using ManagerOptions = GroupDeps;

// Thread-safe. Lock order: Manager::mu_, then a group's own mutexes.
class Manager {
 public:
  explicit Manager(ManagerOptions options);
  ~Manager();  // Stop()
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Loads `files` (paths, no globs) and replaces the running groups: groups whose
  // configuration is unchanged keep running; changed ones take over the old group's state;
  // removed groups stop, and two intervals later their series are marked stale as of the
  // removal. Groups without an interval use
  // `interval`. The first successful call makes its groups restore alerts' `for` state.
  // Errors: kInvalidArgument/kNotFound/kIOError naming every problem of the first bad file
  // (as config::LoadRuleFile); the previous groups are then kept.
  base::Status Update(std::chrono::milliseconds interval, const std::vector<std::string>& files,
                      const model::Labels& external_labels,
                      std::chrono::milliseconds default_query_offset = {});
  // Update with the configuration's evaluation_interval, rule_query_offset, external_labels and
  // rule_files, the
  // globs relative to the configuration file's directory (as Prometheus).
  base::Status ApplyConfig(const config::Config& cfg);
  // Stops every group without staleness markers (as Prometheus at shutdown); idempotent.
  // Later Updates are ignored.
  void Stop();

  // The running groups, by file then name. Groups stay valid while the caller holds them.
  std::vector<std::shared_ptr<Group>> RuleGroups() const;

  // The rule_files globs of `cfg` expanded: relative patterns are joined to the config file's
  // directory; matches of each pattern sorted. Errors: kInvalidArgument for a bad pattern.
  static base::Result<std::vector<std::string>> RuleFilePaths(const config::Config& cfg);

 private:
  struct Running {
    std::shared_ptr<Group> group;
    std::jthread thread;
  };
  base::Result<std::vector<std::shared_ptr<Group>>> LoadGroups(
      std::chrono::milliseconds interval, const std::vector<std::string>& files,
      const model::Labels& external_labels, bool should_restore,
      std::chrono::milliseconds default_query_offset) const;

  const ManagerOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Running> groups_;  // by Group::Key(); guarded by mu_
  // Removed groups waiting two intervals before marking their series stale (in case a group
  // of the new configuration takes them over, as Prometheus); stopped without markers by
  // Stop(). Guarded by mu_.
  struct Retiring {
    std::shared_ptr<std::atomic<bool>> done;
    std::jthread thread;
  };
  std::vector<Retiring> retiring_;
  bool restored_ = false;                  // guarded by mu_
  bool stopped_ = false;                   // guarded by mu_
};

}  // namespace rules

// FileDiscovery: the target groups of one file_sd_configs entry, as Prometheus's
// discovery/file. The files matching its globs are read (JSON or YAML, see
// config/target_group.h) at start, on every refresh_interval, and whenever inotify reports that
// a file in a watched directory was written and closed, moved or deleted. A file that cannot be
// read or parsed keeps the groups it had, and the failure is counted in
// prometheus_sd_file_read_errors_total; a file that disappears loses its groups.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/logger.h"
#include "base/metrics.h"
#include "config/scrape_config.h"

namespace scrape {

// Thread-safety: Refresh, Start and Stop from one thread at a time (the owner's); Groups()
// from any thread. Stop (or the destructor) joins the watcher thread, so `on_update` must not
// wait for anything the owner holds while calling Stop.
class FileDiscovery {
 public:
  struct Options {
    base::Logger* logger = &base::Logger::Quiet();
    // prometheus_sd_file_read_errors_total and prometheus_sd_file_watcher_errors_total are
    // registered here; a private registry when null.
    base::metrics::Registry* registry = nullptr;
  };
  // Called from the watcher thread with every group of every file, whenever they change.
  using UpdateFn = std::function<void(std::vector<config::StaticConfig> groups)>;

  FileDiscovery(config::FileSdConfig config, Options options);
  ~FileDiscovery();
  FileDiscovery(const FileDiscovery&) = delete;
  FileDiscovery& operator=(const FileDiscovery&) = delete;

  // Lists the files matching the globs and reads them. Returns whether the groups changed.
  bool Refresh();
  // Every group of every file, files in path order, groups in file order. Each group's labels
  // hold __meta_filepath.
  std::vector<config::StaticConfig> Groups() const;

  // Starts the watcher thread: it watches the directories of the globs with inotify, refreshes
  // on their events and on every refresh_interval, and calls on_update when the groups change.
  // Without inotify (init failure, counted as a watcher error) it refreshes on the interval only.
  // REQUIRES: not started.
  void Start(UpdateFn on_update);
  // Stops and joins the watcher thread. Idempotent.
  void Stop();

 private:
  struct FileState {
    std::vector<config::StaticConfig> groups;
    std::string last_error;  // the read error logged last, to log a lasting error once
  };
  // The watcher thread's top function: Watch, catching what it throws.
  void Run(std::stop_token stop, UpdateFn on_update);
  // Watches the glob directories with inotify and refreshes on events and ticks until `stop`.
  void Watch(std::stop_token stop, const UpdateFn& on_update);

  const config::FileSdConfig config_;
  Options options_;
  std::unique_ptr<base::metrics::Registry> own_registry_;
  base::metrics::Counter& read_errors_;
  base::metrics::Counter& watcher_errors_;
  mutable std::mutex mu_;
  std::map<std::string, FileState> files_;  // GUARDED_BY(mu_); by path
  std::jthread thread_;
};

}  // namespace scrape

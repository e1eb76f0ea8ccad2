// Manager: turns the scrape_configs of a configuration into targets (static_configs and
// file_sd_configs, then relabeling) and runs one ScrapeLoop per target, fetching over HTTP.
// ApplyConfig on reload, and file discovery whenever its files change, start new targets, keep
// unchanged ones and stop removed ones with staleness markers.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/logger.h"
#include "base/metrics.h"
#include "base/status.h"
#include "config/config.h"
#include "scrape/file_sd.h"
#include "scrape/scrape_loop.h"
#include "scrape/target_scraper.h"
#include "storage/appender.h"

namespace scrape {

// A target as the targets API shows it.
struct TargetStatus {
  std::string scrape_pool;
  model::Labels discovered_labels;  // before relabeling
  model::Labels labels;             // after (empty for a dropped target)
  std::string scrape_url;
  std::chrono::milliseconds interval{0}, timeout{0};
  ScrapeReport last;                // last.time == 0: not scraped yet
  bool dropped = false;
};

// The target a discovered label set becomes under a scrape config, as Prometheus's
// PopulateLabels: meta labels added, relabel_configs applied, instance defaulted, __ labels
// removed. Sets *dropped when relabeling drops it. Errors: kInvalidArgument (no address,
// invalid interval/timeout labels).
struct Target {
  model::Labels discovered;
  model::Labels labels;
  std::string url;
  std::chrono::milliseconds interval{0}, timeout{0};
};
base::Result<Target> PopulateTarget(const config::ScrapeConfig& cfg, const model::Labels& discovered,
                                    bool* dropped);

// The metadata of an active target, for /api/v1/targets/metadata and /api/v1/metadata.
struct TargetMetadata {
  std::string scrape_pool;
  model::Labels labels;                  // the target's labels (no __ labels)
  std::vector<MetricMetadata> metadata;  // sorted by family name
};

// Thread-safe. Lock order: apply_mu_, then mu_, then a loop's own locks. File discovery
// updates take mu_ only, so ApplyConfig and Stop stop the discoveries before taking mu_.
class Manager {
 public:
  struct Options {
    storage::Appendable* appendable = nullptr;
    base::Logger* logger = &base::Logger::Quiet();
    base::Clock* clock = &base::Clock::Real();
    std::string user_agent = "Hestia";
    // Self-metrics of service discovery (prometheus_sd_file_*); a private registry when null.
    base::metrics::Registry* registry = nullptr;
  };
  explicit Manager(Options options);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Applies the scrape configs: reads their file_sd_configs files and watches them from then
  // on; targets whose job config and labels are unchanged keep running; new ones start; the
  // others stop and mark their series stale. Later changes of the discovered target groups
  // start and stop targets the same way.
  void ApplyConfig(const config::Config& cfg);
  // Stops discovery and every loop (no staleness markers: the process is going away).
  void Stop();
  std::vector<TargetStatus> Targets() const;
  // The job names of the scrape configs applied last, in configuration order.
  std::vector<std::string> Pools() const;
  // The metadata of every active target: all its families, or only the family `metric` when
  // that is not empty (targets without it are listed with no metadata). Pools by name, targets
  // by labels.
  std::vector<TargetMetadata> TargetsMetadata(std::string_view metric = {}) const;

 private:
  struct Running {
    std::string pool;
    Target target;
    std::string config_key;  // the scrape config's identity; a change restarts the loop
    std::unique_ptr<ScrapeLoop> loop;
  };
  // One scrape config and its targets.
  struct Pool {
    config::ScrapeConfig config;
    std::string config_key;
    // The groups found by each of config.sd.file_sd_configs, by index.
    std::vector<std::vector<config::StaticConfig>> file_groups;
    std::map<std::string, Running> running;  // key: pool + labels + URL
    std::vector<TargetStatus> dropped;
  };
  // Makes the pool's running loops match its static and discovered groups: unchanged targets
  // keep running, new ones start, the others stop with staleness markers. REQUIRES: mu_ held.
  void SyncPool(Pool& pool);
  // A discovery update: the groups of file_sd_configs[index] of the job `pool`.
  void OnDiscovered(const std::string& pool, size_t index,
                    std::vector<config::StaticConfig> groups);

  Options options_;
  std::unique_ptr<base::metrics::Registry> own_registry_;
  base::metrics::Registry* registry_;
  std::mutex apply_mu_;
  std::vector<std::unique_ptr<FileDiscovery>> discoveries_;  // GUARDED_BY(apply_mu_)
  mutable std::mutex mu_;
  std::map<std::string, Pool> pools_;   // GUARDED_BY(mu_); by job name
  std::vector<std::string> pool_order_;  // GUARDED_BY(mu_); configuration order
};

}  // namespace scrape

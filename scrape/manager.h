// Manager: turns the scrape_configs of a configuration into targets (static_configs and their
// relabeling) and runs one ScrapeLoop per target, fetching over HTTP. ApplyConfig on reload
// starts new targets, keeps unchanged ones and stops removed ones with staleness markers.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/logger.h"
#include "base/status.h"
#include "config/config.h"
#include "scrape/scrape_loop.h"
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

// Thread-safe.
class Manager {
 public:
  struct Options {
    storage::Appendable* appendable = nullptr;
    base::Logger* logger = &base::Logger::Quiet();
    base::Clock* clock = &base::Clock::Real();
    std::string user_agent = "Hestia";
  };
  explicit Manager(Options options) : options_(std::move(options)) {}
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Applies the scrape configs: targets whose job config and labels are unchanged keep
  // running; new ones start; the others stop and mark their series stale.
  void ApplyConfig(const config::Config& cfg);
  // Stops every loop (no staleness markers: the process is going away).
  void Stop();
  std::vector<TargetStatus> Targets() const;
  // The job names of the scrape configs applied last, in configuration order.
  std::vector<std::string> Pools() const;

 private:
  struct Running {
    std::string pool;
    Target target;
    std::string config_key;  // the scrape config's identity; a change restarts the loop
    std::unique_ptr<ScrapeLoop> loop;
  };
  Options options_;
  mutable std::mutex mu_;
  std::map<std::string, Running> running_;    // GUARDED_BY(mu_); key: pool + labels
  std::vector<TargetStatus> dropped_;         // GUARDED_BY(mu_)
  std::vector<std::string> pools_;            // GUARDED_BY(mu_)
};

// Fetches url over HTTP(S) with Prometheus's scrape request headers.
Fetcher HttpFetcher(std::string url, const config::ScrapeConfig& cfg, std::string user_agent);

}  // namespace scrape

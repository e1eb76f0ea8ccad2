// DB: Hestia's time-series database: the head (in memory, backed by the WAL) behind the
// storage interfaces. Later issues add persistent blocks, compaction and retention here.
// Thread-safe: any number of Appenders and Queriers may be used at once.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/logger.h"
#include "base/metrics.h"
#include "base/status.h"
#include "storage/appender.h"
#include "storage/querier.h"

namespace tsdb {

class Head;

// When the WAL is fsynced. Every committed batch is written to the kernel (write(2)) before
// Commit returns, so it survives a crash of the process in every mode; the mode decides what
// survives a crash of the machine. See docs/format/wal.md.
enum class WalSyncMode {
  kSegment,   // fsync when a segment is complete, and at close (as Prometheus)
  kInterval,  // additionally fsync every wal_sync_interval (the default, 1 s)
  kAlways,    // fsync before every Commit returns (group commit)
};

struct Options {
  std::chrono::milliseconds retention{std::chrono::hours(24 * 15)};
  size_t wal_segment_bytes = 128 << 20;
  // Snappy-compress WAL records (as Prometheus's --storage.tsdb.wal-compression, default on).
  bool wal_compression = true;
  WalSyncMode wal_sync = WalSyncMode::kInterval;
  std::chrono::milliseconds wal_sync_interval{1000};
  // storage.tsdb.out_of_order_time_window: a sample older than its series' newest one is
  // accepted when it is no older than the head's newest sample minus this window (0: rejected as
  // out of order, Prometheus's default). Changeable at run time (DB::SetOutOfOrderWindow).
  std::chrono::milliseconds out_of_order_window{0};
  // How often the head drops data older than retention and checkpoints the WAL.
  std::chrono::milliseconds truncate_interval{std::chrono::minutes(30)};
  // Read the data without changing it (no WAL writer, no repair, no lock, no background work);
  // appends fail with kUnavailable. For `hestia tsdb dump` beside a running server.
  bool read_only = false;
  base::Logger* logger = &base::Logger::Quiet();
  base::metrics::Registry* registry = nullptr;  // self-metrics; none when null
  base::Clock* clock = &base::Clock::Real();
};

// What /api/v1/status/tsdb reports (Prometheus's TSDBStatus).
struct HeadStats {
  struct Count {
    std::string name;
    uint64_t value;
  };
  uint64_t num_series = 0;
  uint64_t num_label_pairs = 0;
  uint64_t chunk_count = 0;
  model::Timestamp min_time = 0;  // of the head's samples; kMaxTime/kMinTime when empty
  model::Timestamp max_time = 0;
  std::vector<Count> series_count_by_metric_name;      // top `limit`, largest first
  std::vector<Count> label_value_count_by_label_name;  // distinct values per label name
  std::vector<Count> memory_in_bytes_by_label_name;    // bytes of the values per name
  std::vector<Count> series_count_by_label_value_pair; // "name=value"
};

class DB final : public storage::Appendable, public storage::Queryable {
 public:
  // Opens or creates the database in `dir`, replaying its WAL. A torn or corrupt WAL tail is
  // repaired (dropped and logged), never fatal. Errors: kIOError.
  static base::Result<std::unique_ptr<DB>> Open(const std::string& dir, const Options& options);
  ~DB() override;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;

  std::unique_ptr<storage::Appender> NewAppender() override;
  base::Result<std::unique_ptr<storage::Querier>> NewQuerier(model::Timestamp mint,
                                                             model::Timestamp maxt) override;
  HeadStats Stats(size_t limit) const;
  // Drops the data older than mint and checkpoints the WAL; the background retention loop calls
  // this every truncate_interval with max time - retention. Later samples older than mint are
  // rejected as out of bounds.
  base::Status Truncate(model::Timestamp mint);
  // Applies a new out-of-order window (on configuration reload); takes effect for the next
  // appends.
  void SetOutOfOrderWindow(std::chrono::milliseconds window);
  const std::string& dir() const { return dir_; }
  // Flushes and fsyncs the WAL and stops background work; also done by the destructor.
  base::Status Close();

 private:
  DB(std::string dir, const Options& options);
  std::string dir_;
  Options options_;
  int lock_fd_ = -1;
  std::unique_ptr<Head> head_;
};

}  // namespace tsdb

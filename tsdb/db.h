// DB: Hestia's time-series database behind the storage interfaces (Prometheus tsdb/db.go): the
// head (in memory, backed by the WAL) and the persistent blocks cut from it, compacted into
// larger ones and deleted past retention. Queries merge blocks and head. Layout on disk:
// docs/format/block.md. Thread-safe: any number of Appenders and Queriers may be used at once.
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
namespace block {
class Block;
}

// When the WAL is fsynced. Every committed batch is written to the kernel (write(2)) before
// Commit returns, so it survives a crash of the process in every mode; the mode decides what
// survives a crash of the machine. See docs/format/wal.md.
enum class WalSyncMode {
  kSegment,   // fsync when a segment is complete, and at close (as Prometheus)
  kInterval,  // additionally fsync every wal_sync_interval (the default, 1 s)
  kAlways,    // fsync before every Commit returns (group commit)
};

struct Options {
  // --storage.tsdb.retention.time: blocks whose end is this far behind the newest block's end are
  // deleted (0: no time retention).
  std::chrono::milliseconds retention{std::chrono::hours(24 * 15)};
  // --storage.tsdb.retention.size: the oldest blocks are deleted while blocks and WAL together
  // take more bytes than this (0: no size retention).
  uint64_t retention_bytes = 0;
  // The range of the blocks cut from the head (--storage.tsdb.min-block-duration); 0 keeps
  // everything in the head (no blocks: the head-only mode of `hestia test rules`).
  std::chrono::milliseconds block_range{std::chrono::hours(2)};
  // The largest compacted block (--storage.tsdb.max-block-duration); 0: 10 % of retention, at
  // most 31 days, as Prometheus.
  std::chrono::milliseconds max_block_duration{0};
  // How often the background loop cuts the head, compacts and applies retention; 0: never (tests
  // call Compact()).
  std::chrono::milliseconds compaction_interval{std::chrono::minutes(1)};
  size_t wal_segment_bytes = 128 << 20;
  // The size of the head chunk files in chunks_head/ (HeadChunkStore; 64 KiB to 4 GiB).
  size_t head_chunk_segment_bytes = size_t{64} << 20;
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

// One persistent block as the status API and the tests see it.
struct BlockInfo {
  std::string ulid;
  model::Timestamp min_time = 0;
  model::Timestamp max_time = 0;  // exclusive
  uint64_t num_samples = 0;
  uint64_t num_series = 0;
  uint64_t num_tombstones = 0;
  int level = 1;
  uint64_t size_bytes = 0;
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
  // The persistent blocks, oldest first.
  std::vector<BlockInfo> Blocks() const;
  // Bytes of the blocks, the WAL and the head chunk files (what size retention limits).
  uint64_t SizeBytes() const;

  // One round of the background work (also run every compaction_interval): cuts the head into
  // blocks while it spans more than 1.5 block ranges (and persists out-of-order samples older
  // than the newest block), compacts blocks (overlapping ones first, then adjacent ones into the
  // next range, as Prometheus's leveled compactor), and deletes blocks past retention.
  base::Status Compact();
  // Cuts everything the head holds into blocks now (as at shutdown of a snapshot); for tests.
  base::Status FlushHead();
  // Deletes the samples in [mint, maxt] of the series matching `matchers` (admin
  // delete_series): tombstones in the blocks, removal in the head. Queries see it at once.
  base::Status Delete(model::Timestamp mint, model::Timestamp maxt,
                      const std::vector<model::Matcher>& matchers);
  // Rewrites every block that has tombstones without the deleted data (clean_tombstones).
  base::Status CleanTombstones();
  // Hard-links every block into `dir` (created), and unless skip_head writes the head there as a
  // block too (admin snapshot).
  base::Status Snapshot(const std::string& dir, bool skip_head);

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
  struct Impl;
  DB(std::string dir, const Options& options);
  // The steps of Compact. REQUIRES: Impl::work_mu held.
  base::Status CutHead(bool all);
  base::Status WriteHeadBlock(model::Timestamp mint, model::Timestamp maxt);
  base::Status PersistBelow(model::Timestamp until);
  std::vector<std::shared_ptr<block::Block>> PlanCompaction() const;
  base::Status CompactBlocks();
  base::Status ApplyRetention();

  std::string dir_;
  Options options_;
  int lock_fd_ = -1;
  std::unique_ptr<Head> head_;
  std::unique_ptr<Impl> impl_;  // blocks, compaction, retention
};

}  // namespace tsdb

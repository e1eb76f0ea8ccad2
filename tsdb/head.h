// Head: the newest samples of every series in memory as compressed chunks, indexed by label
// pairs, made durable by the write-ahead log (as Prometheus tsdb/head.go).
#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "base/metrics.h"
#include "base/status.h"
#include "storage/appender.h"
#include "storage/querier.h"
#include "tsdb/db.h"
#include "tsdb/index/head_index.h"
#include "tsdb/index/symbol_table.h"
#include "tsdb/mem_series.h"

namespace tsdb {

namespace wal {
class Writer;
}
struct HeadMetrics;

// Thread-safe: any number of Appenders and Queriers may be used at once.
// Lock order: stripe mutex -> index mutex; series mutex is taken alone (never while holding
// another); wal_mu_ is taken alone.
class Head final : public storage::Appendable, public storage::Queryable {
 public:
  // Opens the head over `wal_dir`, replaying its checkpoint and segments. A torn tail is
  // repaired; corruption in the middle drops the rest of the log (logged and counted). Closed
  // chunks are written to files in `chunks_dir` (a HeadChunkStore; files of an earlier run are
  // deleted), or kept in anonymous memory when it is empty.
  static base::Result<std::unique_ptr<Head>> Open(const std::string& wal_dir, const Options& options,
                                                  const std::string& chunks_dir = "");
  ~Head() override;
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  std::unique_ptr<storage::Appender> NewAppender() override;
  base::Result<std::unique_ptr<storage::Querier>> NewQuerier(model::Timestamp mint,
                                                             model::Timestamp maxt) override;

  // Every series with samples in [mint, maxt], in label order, each snapshotted only when Next()
  // reaches it: for readers of each series once, such as the block writer, which then hold one
  // series' chunks at a time instead of the whole head's. Unlike a querier's sets, At() is
  // valid only until the next Next(). Not thread-safe; the head must outlive it.
  std::unique_ptr<storage::SeriesSet> StreamSeries(model::Timestamp mint, model::Timestamp maxt);

  HeadStats Stats(size_t limit) const;
  // Bytes of closed chunks held in the chunk store (chunks_head/ files or memory).
  uint64_t ChunkStoreBytes() const { return chunk_store_->SizeBytes(); }
  model::Timestamp min_time() const { return min_time_.load(std::memory_order_relaxed); }
  model::Timestamp max_time() const { return max_time_.load(std::memory_order_relaxed); }
  size_t NumSeries() const { return num_series_.load(std::memory_order_relaxed); }

  // Drops every chunk that ends before `mint`, removes series left without samples, and
  // checkpoints the WAL so that it holds only what remains. Samples older than `mint` are
  // rejected as out of bounds from then on.
  base::Status Truncate(model::Timestamp mint);
  // Removes the samples in [mint, maxt] of the series matching `matchers` (admin
  // delete_series): logged to the WAL as tombstones first, so that a replay deletes them again.
  base::Status Delete(model::Timestamp mint, model::Timestamp maxt,
                      const std::vector<model::Matcher>& matchers);
  // The oldest out-of-order sample held, kMaxTime when none. O(series).
  model::Timestamp OutOfOrderMinTime() const;
  // Samples older than t are rejected as out of bounds (unless the out-of-order window admits
  // them); set by the DB to the end of the newest persisted block on opening.
  void SetMinValidTime(model::Timestamp t);

  // Cutting a block out of the head [.., end): LockForCut(end) raises the cut boundary to end,
  // waits for commits that may have read the old boundary, and returns the cut lock held
  // exclusively; hold it from reading the head to truncating it. A commit with a sample older
  // than the boundary holds the lock shared from its WAL write to its memory update, so it
  // happens wholly before the cut (the block holds its samples) or wholly after (its samples,
  // now older than the min valid time, go to the out-of-order buffer and its WAL record
  // outlives the cut's checkpoint). Commits of newer samples never touch the lock.
  std::unique_lock<std::shared_mutex> LockForCut(model::Timestamp end);

  // See Options::out_of_order_window.
  void SetOutOfOrderWindow(std::chrono::milliseconds window) {
    ooo_window_ms_.store(window.count(), std::memory_order_relaxed);
  }
  // fsyncs the WAL.
  base::Status SyncWal();
  base::Status Close();

 private:
  friend class HeadAppender;
  friend class HeadQuerier;
  friend class HeadSeriesStream;
  explicit Head(const Options& options);

  struct Stripe;
  static constexpr size_t kStripes = 1 << 14;

  // The series with these labels, created (and *created set) if new.
  // REQUIRES: labels valid and non-empty.
  MemSeries* GetOrCreate(const model::Labels& labels, bool* created);
  MemSeries* GetByRef(storage::SeriesRef ref) const;
  // The series' labels as a Labels value.
  model::Labels LabelsOf(const MemSeries& s) const;
  bool LabelsEqual(const MemSeries& s, const model::Labels& labels) const;
  void PublishRef(uint32_t ref, MemSeries* s);
  void UpdateTimes(model::Timestamp mint, model::Timestamp maxt);
  base::Status Replay(const std::string& wal_dir);
  base::Status Checkpoint();
  void StartBackground();

  Options options_;
  std::string wal_dir_;
  std::unique_ptr<HeadChunkStore> chunk_store_;
  index::SymbolTable symbols_;
  index::HeadIndex index_{symbols_};
  std::unique_ptr<Stripe[]> stripes_;
  // ref -> series; chunks of kRefChunk pointers allocated on demand, read without locks.
  static constexpr int kRefChunkBits = 16;
  static constexpr size_t kRefChunks = 1 << 16;
  std::unique_ptr<std::atomic<std::atomic<MemSeries*>*>[]> refs_;

  std::mutex wal_mu_;
  // Shared so that a commit can fsync outside wal_mu_ while Close runs.
  std::shared_ptr<wal::Writer> wal_;  // GUARDED_BY(wal_mu_)

  std::mutex gc_mu_;  // serializes Truncate
  std::vector<MemSeries::Ptr> graveyard_;  // GUARDED_BY(gc_mu_); freed next GC

  std::atomic<model::Timestamp> min_time_{model::kMaxTime};
  std::atomic<model::Timestamp> max_time_{model::kMinTime};
  std::atomic<model::Timestamp> min_valid_time_{model::kMinTime};
  std::atomic<size_t> num_series_{0};
  std::atomic<int64_t> ooo_window_ms_{0};
  std::atomic<model::Timestamp> cut_boundary_{model::kMinTime};
  std::shared_mutex cut_mu_;
  // Commits in flight per epoch (see LockForCut): a cut flips the epoch after raising the
  // boundary and waits for the old epoch's commits, which may have read the old boundary.
  std::atomic<int> commit_epoch_{0};
  std::atomic<int64_t> commits_in_epoch_[2] = {0, 0};
  std::mutex cut_epoch_mu_;  // serializes LockForCut's epoch flip
  std::atomic<uint64_t> num_chunks_{0};

  std::unique_ptr<HeadMetrics> metrics_;
  std::jthread background_;
};

}  // namespace tsdb

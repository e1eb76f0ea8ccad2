#include "tsdb/db.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>

#include "storage/merge_querier.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/compact.h"
#include "tsdb/block/file_util.h"
#include "tsdb/head.h"

namespace tsdb {
namespace fs = std::filesystem;

namespace {

constexpr char kTmpForDeletionSuffix[] = ".tmp-for-deletion";

// The start of the range of length `range` that t falls in (ranges are aligned to multiples of
// the range, as Prometheus's rangeForTimestamp).
model::Timestamp AlignDown(model::Timestamp t, int64_t range) {
  model::Timestamp q = t / range;
  if (t < 0 && t % range != 0) --q;
  return q * range;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec)) n += it->file_size(fec);
  }
  return n;
}

// Removes a block directory so that a crash midway never leaves a partial block that looks
// whole: renamed out of the way first, then deleted.
base::Status RemoveBlockDir(const std::string& dir) {
  std::string tmp = dir + kTmpForDeletionSuffix;
  std::error_code ec;
  fs::rename(dir, tmp, ec);
  if (ec) return base::IOError("rename " + dir + ": " + ec.message());
  fs::remove_all(tmp, ec);
  if (ec) return base::IOError("remove " + tmp + ": " + ec.message());
  return base::Status::Ok();
}

}  // namespace

struct DB::Impl {
  struct Metrics {
    explicit Metrics(base::metrics::Registry& r)
        : compactions(r.GetCounter("prometheus_tsdb_compactions_total",
                                   "Total number of compactions that were executed for the partition.")),
          compactions_failed(r.GetCounter("prometheus_tsdb_compactions_failed_total",
                                          "Total number of compactions that failed for the partition.")),
          head_compactions(r.GetCounter("hestia_tsdb_head_blocks_written_total",
                                        "Total number of blocks cut from the head.")),
          time_retentions(r.GetCounter("prometheus_tsdb_time_retentions_total",
                                       "The number of times that blocks were deleted because the "
                                       "maximum time limit was exceeded.")),
          size_retentions(r.GetCounter("prometheus_tsdb_size_retentions_total",
                                       "The number of times that blocks were deleted because the "
                                       "maximum number of bytes was exceeded.")) {}
    base::metrics::Counter& compactions;
    base::metrics::Counter& compactions_failed;
    base::metrics::Counter& head_compactions;
    base::metrics::Counter& time_retentions;
    base::metrics::Counter& size_retentions;
  };

  explicit Impl(const Options& o) : ulids(*o.clock) {}

  std::mutex work_mu;  // serializes Compact, Delete, CleanTombstones, Snapshot
  mutable std::shared_mutex blocks_mu;
  std::vector<std::shared_ptr<block::Block>> blocks;  // GUARDED_BY(blocks_mu); by min_time
  // End of the newest block cut from the head (or found at start-up): the head is persisted up
  // to here. GUARDED_BY(work_mu)
  model::Timestamp persisted_until = model::kMinTime;
  block::UlidGenerator ulids;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<base::metrics::Registry> own_registry;
  std::jthread background;

  std::vector<std::shared_ptr<block::Block>> Snapshot() const {
    std::shared_lock lock(blocks_mu);
    return blocks;
  }
  void Replace(const std::vector<std::string>& remove, std::shared_ptr<block::Block> add) {
    std::unique_lock lock(blocks_mu);
    std::erase_if(blocks, [&](const auto& b) {
      return std::find(remove.begin(), remove.end(), b->ulid()) != remove.end();
    });
    if (add) blocks.push_back(std::move(add));
    std::stable_sort(blocks.begin(), blocks.end(),
                     [](const auto& a, const auto& b) { return a->min_time() < b->min_time(); });
  }
};

DB::DB(std::string dir, const Options& options) : dir_(std::move(dir)), options_(options) {
  impl_ = std::make_unique<Impl>(options_);
}

DB::~DB() {
  if (impl_) impl_->background = std::jthread();
  Close().IgnoreError();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

base::Result<std::unique_ptr<DB>> DB::Open(const std::string& dir, const Options& options) {
  std::error_code ec;
  if (!options.read_only) fs::create_directories(dir, ec);
  if (ec) return base::IOError("create data directory " + dir + ": " + ec.message());
  Options opts = options;
  if (opts.block_range.count() > 0) {
    // Blocks carry retention; the head only holds what is not persisted yet.
    opts.truncate_interval = std::chrono::hours(24 * 365 * 100);  // never (max() overflows in ns)
    if (opts.max_block_duration.count() <= 0) {
      auto tenth = opts.retention / 10;
      opts.max_block_duration = std::min<std::chrono::milliseconds>(
          tenth.count() > 0 ? tenth : std::chrono::hours(24 * 31), std::chrono::hours(24 * 31));
      opts.max_block_duration = std::max(opts.max_block_duration, opts.block_range);
    }
  }
  std::unique_ptr<DB> db(new DB(dir, opts));
  Impl& impl = *db->impl_;
  base::metrics::Registry* reg = opts.registry;
  if (reg == nullptr) {
    impl.own_registry = std::make_unique<base::metrics::Registry>();
    reg = impl.own_registry.get();
  }
  impl.metrics = std::make_unique<Impl::Metrics>(*reg);
  if (opts.read_only) {
    if (!fs::is_directory(dir)) return base::NotFound("no data directory " + dir);
  } else {
    // One process per data directory, as Prometheus's lock file.
    std::string lock_path = dir + "/lock";
    db->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (db->lock_fd_ < 0) return base::ErrnoError("open " + lock_path);
    if (::flock(db->lock_fd_, LOCK_EX | LOCK_NB) != 0)
      return base::ErrnoError("lock DB directory " + dir + " (is another Hestia running on it?)");
    RETURN_IF_ERROR(block::RemoveTmpDirs(dir));
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      std::string name = e.path().filename().string();
      if (name.ends_with(kTmpForDeletionSuffix)) fs::remove_all(e.path(), ec);
    }
  }
  ASSIGN_OR_RETURN(auto blocks, block::OpenBlocks(dir));
  // A compaction interrupted after writing its output but before deleting its inputs leaves
  // both: the inputs are named as parents of a loaded block and go now.
  std::set<std::string> parents;
  for (const auto& b : blocks)
    for (const auto& p : b->meta().compaction.parents) parents.insert(p.ulid);
  std::vector<std::shared_ptr<block::Block>> kept;
  for (auto& b : blocks) {
    if (parents.contains(b->ulid())) {
      if (!opts.read_only) RETURN_IF_ERROR(RemoveBlockDir(b->dir()));
      continue;
    }
    kept.push_back(std::move(b));
  }
  for (const auto& b : kept) impl.persisted_until = std::max(impl.persisted_until, b->max_time());
  impl.blocks = std::move(kept);
  reg->AddGaugeFunc("prometheus_tsdb_blocks_loaded", "Number of currently loaded data blocks",
                    [d = db.get()] { return static_cast<double>(d->impl_->Snapshot().size()); });
  reg->AddGaugeFunc("prometheus_tsdb_storage_blocks_bytes",
                    "The number of bytes that are currently used for local storage by all blocks.",
                    [d = db.get()] {
                      uint64_t n = 0;
                      for (const auto& b : d->impl_->Snapshot()) n += DirBytes(b->dir());
                      return static_cast<double>(n);
                    });
  reg->AddGaugeFunc("prometheus_tsdb_retention_limit_bytes",
                    "Max number of bytes to be retained in the tsdb blocks, configured 0 means disabled",
                    [b = opts.retention_bytes] { return static_cast<double>(b); });
  reg->AddGaugeFunc("prometheus_tsdb_lowest_timestamp",
                    "Lowest timestamp value stored in the database. The unit is decided by the "
                    "library consumer.",
                    [d = db.get()] {
                      auto bs = d->impl_->Snapshot();
                      model::Timestamp t = d->head_->min_time();
                      if (!bs.empty()) t = std::min(t, bs.front()->min_time());
                      return static_cast<double>(t);
                    });

  ASSIGN_OR_RETURN(db->head_, Head::Open(dir + "/wal", opts, dir + "/chunks_head"));
  if (opts.read_only || opts.block_range.count() <= 0) return db;
  if (impl.persisted_until != model::kMinTime) {
    db->head_->SetMinValidTime(impl.persisted_until);
    // A crash between writing a block and truncating the head leaves samples of the block in
    // the WAL; they are persisted again (the compactor merges the overlap) rather than lost.
    if (db->head_->min_time() < impl.persisted_until) {
      std::lock_guard work(impl.work_mu);
      RETURN_IF_ERROR(db->PersistBelow(impl.persisted_until));
    }
  }
  if (opts.compaction_interval.count() > 0) {
    impl.background = std::jthread([d = db.get()](std::stop_token stop) {
      // Background work at low priority, so that ingestion and queries come first.
      ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
      std::mutex m;
      std::condition_variable_any cv;
      while (!stop.stop_requested()) {
        {
          std::unique_lock lock(m);
          cv.wait_for(lock, stop, d->options_.compaction_interval, [] { return false; });
        }
        if (stop.stop_requested()) break;
        if (auto st = d->Compact(); !st.ok())
          d->options_.logger->Error("tsdb", "compaction failed", {{"err", st.message()}});
      }
    });
  }
  return db;
}

std::unique_ptr<storage::Appender> DB::NewAppender() { return head_->NewAppender(); }

base::Result<std::unique_ptr<storage::Querier>> DB::NewQuerier(model::Timestamp mint,
                                                               model::Timestamp maxt) {
  std::vector<std::unique_ptr<storage::Querier>> qs;
  ASSIGN_OR_RETURN(auto hq, head_->NewQuerier(mint, maxt));
  qs.push_back(std::move(hq));
  for (const auto& b : impl_->Snapshot()) {
    if (!b->Overlaps(mint, maxt)) continue;
    ASSIGN_OR_RETURN(auto bq, b->NewQuerier(mint, maxt));
    qs.push_back(std::move(bq));
  }
  if (qs.size() == 1) return std::move(qs.front());
  return std::unique_ptr<storage::Querier>(std::make_unique<storage::MergeQuerier>(std::move(qs)));
}

base::Status DB::Truncate(model::Timestamp mint) { return head_->Truncate(mint); }

void DB::SetOutOfOrderWindow(std::chrono::milliseconds window) { head_->SetOutOfOrderWindow(window); }

HeadStats DB::Stats(size_t limit) const { return head_->Stats(limit); }

std::vector<BlockInfo> DB::Blocks() const {
  std::vector<BlockInfo> out;
  for (const auto& b : impl_->Snapshot()) {
    block::BlockMeta m = b->meta();
    out.push_back({m.ulid, m.min_time, m.max_time, m.stats.num_samples, m.stats.num_series,
                   m.stats.num_tombstones, m.compaction.level, DirBytes(b->dir())});
  }
  return out;
}

uint64_t DB::SizeBytes() const {
  uint64_t n = DirBytes(dir_ + "/wal") + head_->ChunkStoreBytes();
  for (const auto& b : impl_->Snapshot()) n += DirBytes(b->dir());
  return n;
}

// Writes the head's samples in [mint, maxt) as a new level-1 block and loads it.
// REQUIRES: work_mu held.
base::Status DB::WriteHeadBlock(model::Timestamp mint, model::Timestamp maxt) {
  // One series at a time: a 2 h block of a large head would otherwise hold every series'
  // chunk snapshots at once while the head keeps ingesting around them.
  auto set = head_->StreamSeries(mint, maxt - 1);
  ASSIGN_OR_RETURN(auto meta,
                   block::WriteSeriesSet(dir_, *set, block::NewBlockMeta(impl_->ulids, mint, maxt)));
  if (!meta) return base::Status::Ok();  // nothing in range
  ASSIGN_OR_RETURN(auto b, block::Block::Open(dir_ + "/" + meta->ulid));
  impl_->Replace({}, std::move(b));
  impl_->metrics->head_compactions.Inc();
  return base::Status::Ok();
}

// Persists what the head holds below `until` (samples left by a crash, out-of-order samples)
// as one block, then drops it from the head. REQUIRES: work_mu held.
base::Status DB::PersistBelow(model::Timestamp until) {
  auto cut = head_->LockForCut(until);
  model::Timestamp low = std::min(head_->min_time(), head_->OutOfOrderMinTime());
  if (low >= until) return base::Status::Ok();
  RETURN_IF_ERROR(WriteHeadBlock(AlignDown(low, options_.block_range.count()), until));
  return head_->Truncate(until);
}

base::Status DB::CutHead(bool all) {
  const int64_t range = options_.block_range.count();
  for (;;) {
    model::Timestamp hmin = head_->min_time(), hmax = head_->max_time();
    if (hmax == model::kMinTime || hmin == model::kMaxTime) return base::Status::Ok();
    model::Timestamp start = impl_->persisted_until;
    if (start == model::kMinTime || start < AlignDown(hmin, range)) start = AlignDown(hmin, range);
    if (start > hmax) return base::Status::Ok();
    // As Prometheus: compactable once the head spans more than 1.5 block ranges.
    if (!all && hmax - start <= range / 2 * 3) return base::Status::Ok();
    model::Timestamp end = start + range;
    {
      auto cut = head_->LockForCut(end);
      // Out-of-order samples older than what is persisted go to a block of their own first.
      model::Timestamp ooo = head_->OutOfOrderMinTime();
      if (ooo < start) RETURN_IF_ERROR(WriteHeadBlock(AlignDown(ooo, range), start));
      RETURN_IF_ERROR(WriteHeadBlock(start, end));
      impl_->persisted_until = end;
      RETURN_IF_ERROR(head_->Truncate(end));
    }
    // The truncated chunks and the cut's temporary buffers are free now: hand the memory back
    // to the system rather than keeping it in malloc's arenas (resident memory per series is
    // what a long-running server is judged by).
    ::malloc_trim(0);
  }
}

base::Status DB::FlushHead() {
  if (options_.block_range.count() <= 0) return base::Unavailable("blocks are disabled (block range 0)");
  std::lock_guard work(impl_->work_mu);
  return CutHead(/*all=*/true);
}

// The blocks to compact next, as Prometheus's LeveledCompactor.Plan: overlapping blocks first;
// else, for each larger range, the first group of at least two blocks inside one aligned
// window that fills the window or ends before the newest block starts.
std::vector<std::shared_ptr<block::Block>> DB::PlanCompaction() const {
  auto blocks = impl_->Snapshot();
  if (blocks.size() < 2) return {};
  // Overlaps.
  std::vector<std::shared_ptr<block::Block>> group{blocks[0]};
  model::Timestamp group_max = blocks[0]->max_time();
  for (size_t i = 1; i < blocks.size(); ++i) {
    if (blocks[i]->min_time() < group_max) {
      group.push_back(blocks[i]);
      group_max = std::max(group_max, blocks[i]->max_time());
      continue;
    }
    if (group.size() > 1) return group;
    group = {blocks[i]};
    group_max = blocks[i]->max_time();
  }
  if (group.size() > 1) return group;
  // Leveled: never the newest block, which may still be joined by a neighbour; and a partial
  // window only when it ends before the start of the newest block that is left (Prometheus's
  // selectDirs: highTime is taken after the newest block was dropped).
  blocks.pop_back();
  if (blocks.empty()) return {};
  model::Timestamp high = blocks.back()->min_time();
  const int64_t max_range = options_.max_block_duration.count();
  for (int64_t r = options_.block_range.count() * 3; r > 0 && r <= max_range; r *= 3) {
    std::map<model::Timestamp, std::vector<std::shared_ptr<block::Block>>> windows;
    for (const auto& b : blocks) {
      model::Timestamp t0 = AlignDown(b->min_time(), r);
      if (b->max_time() > t0 + r) continue;  // larger than this range
      windows[t0].push_back(b);
    }
    for (auto& [t0, part] : windows) {
      if (part.size() < 2) continue;
      model::Timestamp mint = part.front()->min_time(), maxt = part.back()->max_time();
      if (maxt - mint == r || maxt <= high) return part;
    }
  }
  return {};
}

base::Status DB::CompactBlocks() {
  for (;;) {
    auto plan = PlanCompaction();
    if (plan.empty()) return base::Status::Ok();
    std::vector<block::Block*> raw;
    std::vector<std::string> ulids;
    model::Timestamp mint = model::kMaxTime, maxt = model::kMinTime;
    for (const auto& b : plan) {
      raw.push_back(b.get());
      ulids.push_back(b->ulid());
      mint = std::min(mint, b->min_time());
      maxt = std::max(maxt, b->max_time());
    }
    impl_->metrics->compactions.Inc();
    auto meta = block::WriteCompactedBlock(dir_, raw, mint, maxt, impl_->ulids);
    if (!meta) {
      impl_->metrics->compactions_failed.Inc();
      return meta.error().WithPrefix("compact " + std::to_string(plan.size()) + " blocks");
    }
    std::shared_ptr<block::Block> out;
    if (meta->has_value()) {
      ASSIGN_OR_RETURN(out, block::Block::Open(dir_ + "/" + (*meta)->ulid));
    }
    impl_->Replace(ulids, std::move(out));
    for (const auto& b : plan) RETURN_IF_ERROR(RemoveBlockDir(b->dir()));
    plan.clear();
    raw.clear();
    // The merge's series and the index writer's tables are free now (see CutHead).
    ::malloc_trim(0);
  }
}

base::Status DB::ApplyRetention() {
  auto blocks = impl_->Snapshot();
  if (blocks.empty()) return base::Status::Ok();
  std::vector<std::shared_ptr<block::Block>> drop;
  if (options_.retention.count() > 0) {
    model::Timestamp newest = 0;
    for (const auto& b : blocks) newest = std::max(newest, b->max_time());
    for (const auto& b : blocks)
      if (newest - b->max_time() > options_.retention.count()) drop.push_back(b);
    if (!drop.empty()) impl_->metrics->time_retentions.Inc();
  }
  if (options_.retention_bytes > 0) {
    uint64_t total = DirBytes(dir_ + "/wal") + head_->ChunkStoreBytes();
    std::vector<std::pair<std::shared_ptr<block::Block>, uint64_t>> sized;
    for (const auto& b : blocks) {
      uint64_t n = DirBytes(b->dir());
      sized.emplace_back(b, n);
      if (std::find(drop.begin(), drop.end(), b) == drop.end()) total += n;
    }
    bool size_drop = false;
    // Oldest first; the newest block stays even when alone it is over the limit.
    for (size_t i = 0; i + 1 < sized.size() && total > options_.retention_bytes; ++i) {
      if (std::find(drop.begin(), drop.end(), sized[i].first) != drop.end()) continue;
      drop.push_back(sized[i].first);
      total -= sized[i].second;
      size_drop = true;
    }
    if (size_drop) impl_->metrics->size_retentions.Inc();
  }
  if (drop.empty()) return base::Status::Ok();
  std::vector<std::string> ulids;
  for (const auto& b : drop) ulids.push_back(b->ulid());
  impl_->Replace(ulids, nullptr);
  for (const auto& b : drop) RETURN_IF_ERROR(RemoveBlockDir(b->dir()));
  return base::Status::Ok();
}

base::Status DB::Compact() {
  if (options_.block_range.count() <= 0 || options_.read_only) return base::Status::Ok();
  std::lock_guard work(impl_->work_mu);
  RETURN_IF_ERROR(CutHead(/*all=*/false));
  RETURN_IF_ERROR(CompactBlocks());
  return ApplyRetention();
}

base::Status DB::Delete(model::Timestamp mint, model::Timestamp maxt,
                        const std::vector<model::Matcher>& matchers) {
  std::lock_guard work(impl_->work_mu);
  for (const auto& b : impl_->Snapshot()) {
    if (!b->Overlaps(mint, maxt)) continue;
    RETURN_IF_ERROR(b->Delete(mint, maxt, matchers));
  }
  return head_->Delete(mint, maxt, matchers);
}

base::Status DB::CleanTombstones() {
  std::lock_guard work(impl_->work_mu);
  for (const auto& b : impl_->Snapshot()) {
    ASSIGN_OR_RETURN(block::RewriteResult r, block::RewriteWithoutTombstones(dir_, *b, impl_->ulids));
    if (!r.rewritten) continue;
    std::shared_ptr<block::Block> out;
    if (r.meta) {
      ASSIGN_OR_RETURN(out, block::Block::Open(dir_ + "/" + r.meta->ulid));
    }
    impl_->Replace({b->ulid()}, std::move(out));
    RETURN_IF_ERROR(RemoveBlockDir(b->dir()));
  }
  return base::Status::Ok();
}

base::Status DB::Snapshot(const std::string& dir, bool skip_head) {
  std::lock_guard work(impl_->work_mu);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return base::IOError("create snapshot directory " + dir + ": " + ec.message());
  for (const auto& b : impl_->Snapshot()) {
    fs::path to = fs::path(dir) / b->ulid();
    for (fs::recursive_directory_iterator it(b->dir(), ec), end; !ec && it != end; it.increment(ec)) {
      fs::path rel = fs::relative(it->path(), b->dir());
      if (it->is_directory()) {
        fs::create_directories(to / rel, ec);
      } else {
        fs::create_directories((to / rel).parent_path(), ec);
        if (!ec) fs::create_hard_link(it->path(), to / rel, ec);
      }
      if (ec) return base::IOError("snapshot " + it->path().string() + ": " + ec.message());
    }
    if (ec) return base::IOError("snapshot " + b->dir() + ": " + ec.message());
  }
  if (skip_head) return block::SyncDir(dir);
  model::Timestamp hmin = head_->min_time(), hmax = head_->max_time();
  if (hmax == model::kMinTime || hmin > hmax) return block::SyncDir(dir);
  auto set = head_->StreamSeries(hmin, hmax);
  ASSIGN_OR_RETURN(auto meta, block::WriteSeriesSet(dir, *set,
                                                    block::NewBlockMeta(impl_->ulids, hmin, hmax + 1)));
  (void)meta;
  return block::SyncDir(dir);
}

base::Status DB::Close() {
  if (impl_) impl_->background = std::jthread();
  if (!head_) return base::Status::Ok();
  return head_->Close();
}

}  // namespace tsdb

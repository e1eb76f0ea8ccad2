// MemSeries: one series of the head: its interned labels and its chunks, the newest one open
// for appends.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/small_mutex.h"
#include "model/sample.h"
#include "tsdb/chunkenc/chunk.h"
#include "tsdb/chunkenc/xor_chunk.h"
#include "tsdb/head_chunks.h"

namespace tsdb {

using model::Timestamp;

// An immutable chunk snapshot handed to queries: the XOR bytes of its samples in [mint, maxt]
// and whatever keeps those bytes alive (a head chunk segment, a copy of the open chunk).
struct ChunkMeta {
  Timestamp mint;
  Timestamp maxt;
  std::string_view bytes;
  std::shared_ptr<const void> owner;
};

// Samples per chunk before it is cut, and the range chunks never span (as Prometheus). A chunk
// is closed as soon as it holds kSamplesPerChunk samples (Prometheus: at the next append) and
// written to the head's HeadChunkStore; only the open chunk stays on the heap.
inline constexpr int kSamplesPerChunk = 120;
inline constexpr int64_t kChunkRangeMs = 2 * 3600 * 1000;

// Thread-safety: ref, hash and labels never change after construction; everything else is
// guarded by mu. Invariants: chunks_ are in time order and do not overlap; the open chunk
// holds samples newer than every closed chunk; max_time_ is the newest committed sample;
// pending_t_ >= max_time_ or kMinTime.
class MemSeries {
 public:
  // A series and its label symbols in one allocation (the symbols follow the object), as there
  // is one per active series. Free with Destroy, or hold in a MemSeries::Ptr.
  static MemSeries* Create(uint32_t ref, uint64_t hash, std::span<const uint32_t> label_syms);
  static void Destroy(MemSeries* s);
  struct Deleter {
    void operator()(MemSeries* s) const { Destroy(s); }
  };
  using Ptr = std::unique_ptr<MemSeries, Deleter>;

  MemSeries(const MemSeries&) = delete;
  MemSeries& operator=(const MemSeries&) = delete;

  uint32_t ref() const { return ref_; }
  uint64_t hash() const { return hash_; }
  // Symbol ids: name, value, name, value, ... sorted by name.
  std::span<const uint32_t> label_syms() const {
    return {reinterpret_cast<const uint32_t*>(this + 1), num_syms_};
  }

  base::SmallMutex mu;

  enum class Check { kOk, kNoop, kOutOfOrder, kDuplicate, kOutOfOrderOk };
  // Whether (t, v) may be staged, against committed and staged samples: kOk when it is newer
  // than all of them; for an older sample kOutOfOrderOk when t >= ooo_min (the out-of-order
  // window is open), else kOutOfOrder. REQUIRES: mu held.
  Check CanAppend(Timestamp t, double v, Timestamp ooo_min = model::kMaxTime) const;
  // Records (t, v) as staged by an uncommitted appender. REQUIRES: mu held.
  void SetPending(Timestamp t, double v) {
    pending_t_ = t;
    pending_v_ = v;
  }
  // Forgets a staged sample at t if it is the newest staged one. REQUIRES: mu held.
  void ClearPending(Timestamp t) {
    if (pending_t_ == t) pending_t_ = model::kMinTime;
  }
  bool has_pending() const { return pending_t_ != model::kMinTime; }
  // Appends a committed sample; false (and nothing changes) when t is not newer than the newest
  // sample. Sets *new_chunk when a chunk was started. Closed chunks go to `store`.
  // REQUIRES: mu held.
  bool Append(Timestamp t, double v, HeadChunkStore& store, bool* new_chunk);
  // Stores an out-of-order sample (older than the newest one) in the series' out-of-order
  // buffer, kept sorted by time; false (nothing changes) when a sample at t is already there.
  // Queries see these samples merged with the chunks' (an in-order sample wins a tie).
  // REQUIRES: mu held.
  bool InsertOutOfOrder(Timestamp t, double v);
  size_t NumOutOfOrder() const { return ooo_ ? ooo_->size() : 0; }  // REQUIRES: mu held
  // The oldest out-of-order sample's time. REQUIRES: mu held, NumOutOfOrder() > 0.
  Timestamp OutOfOrderMinTime() const { return ooo_->front().t; }
  // Chunks overlapping [mint, maxt]: closed ones shared, the open one copied. When out-of-order
  // samples fall in the range, the chunks they overlap are replaced by newly encoded chunks of the
  // merged samples, so that the result stays in time order without overlaps. REQUIRES: mu held.
  void Snapshot(Timestamp mint, Timestamp maxt, const HeadChunkStore& store,
                std::vector<ChunkMeta>* out) const;
  // Drops closed chunks (and the open one) that end before mint, and out-of-order samples
  // before mint; returns how many chunks were dropped.
  // REQUIRES: mu held.
  size_t TruncateBefore(Timestamp mint);
  // Removes the samples with mint <= t <= maxt (admin delete_series), re-encoding the chunks
  // that held some; the newest time stays, so the deleted timestamps cannot be appended again
  // in order. Returns whether anything was removed. REQUIRES: mu held.
  bool DeleteRange(Timestamp mint, Timestamp maxt, HeadChunkStore& store);
  size_t NumChunks() const { return chunks_.size() + (open_ ? 1 : 0); }
  Timestamp min_time() const;  // REQUIRES: mu held; kMaxTime when empty
  Timestamp max_time() const { return max_time_; }  // REQUIRES: mu held
  bool empty() const { return !open_ && chunks_.empty() && NumOutOfOrder() == 0; }

  bool wal_logged = false;  // GUARDED_BY(mu): a series record of this series is in the WAL
  bool deleted = false;     // GUARDED_BY(mu): removed by head GC; look up again
  // Neither movable nor copyable: the appender points into the series.

 private:
  MemSeries(uint32_t ref, uint64_t hash, uint32_t num_syms)
      : ref_(ref), num_syms_(num_syms), hash_(hash) {}
  ~MemSeries() = default;
  // Writes the open chunk to `store` and frees it. REQUIRES: open_ set.
  void CloseChunk(HeadChunkStore& store);

  // A closed chunk: its samples' time range and where its bytes are in the HeadChunkStore.
  struct ClosedChunk {
    Timestamp mint;
    Timestamp maxt;
    uint64_t ref;
  };

  const uint32_t ref_;
  const uint32_t num_syms_;
  const uint64_t hash_;

  std::vector<ClosedChunk> chunks_;
  // The chunk taking appends and its appender; none (no buffer at all) between a chunk's close
  // and the next sample, so that idle series hold no chunk memory.
  struct OpenChunk {
    explicit OpenChunk(size_t capacity) : chunk(capacity), app(*chunk.NewXorAppender()) {}
    OpenChunk(const OpenChunk&) = delete;  // app points at chunk
    OpenChunk& operator=(const OpenChunk&) = delete;
    chunkenc::XorChunk chunk;
    chunkenc::XorAppender app;  // cannot fail on an empty chunk
  };
  std::optional<OpenChunk> open_;
  Timestamp open_mint_ = model::kMaxTime;
  Timestamp max_time_ = model::kMinTime;
  double last_value_ = 0;
  Timestamp pending_t_ = model::kMinTime;
  double pending_v_ = 0;
  // Out-of-order samples, sorted by time, unique timestamps; null while there are none (most
  // series never have any: one pointer per series).
  std::unique_ptr<std::vector<model::Sample>> ooo_;
};

}  // namespace tsdb

// Writer: appends records to the segmented write-ahead log (docs/format/wal.md), and Repair,
// which cuts a damaged log back to its last intact record.
//
// How the head uses it:
//   1. Replay: Reader over the last checkpoint, then the segments after it (checkpoint.h).
//      On a corruption, Repair(...) (or Writer::Repair after opening).
//   2. Writer::Open(dir): repairs a torn tail of the last segment, then starts a new segment.
//   3. Commit: Log({series_record, samples_record}) under the head's WAL mutex; when Log returns
//      OK the records are in the kernel (they survive a crash of the process). For durability
//      against a crash of the machine call Sync(): per commit (wal-sync=always; concurrent
//      callers share one fsync) or from a timer thread (wal-sync=interval).
//   4. Truncation: Checkpoint(..., first, last) then Truncate(last + 1).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/logger.h"
#include "base/metrics.h"
#include "base/status.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/segment.h"

namespace tsdb::wal {

struct WriterOptions {
  // Bytes per segment: a positive multiple of kPageSize. A record larger than a whole segment
  // gets a segment of its own that is larger than this.
  size_t segment_size = kDefaultSegmentSize;
  // Snappy-compress each record when that makes it smaller, as Prometheus's
  // --storage.tsdb.wal-compression. Readers handle both.
  bool compress = false;
  // Open reads the last non-empty segment and, if its tail is torn or corrupt, cuts it back to
  // the last intact record (logged, counted in prometheus_tsdb_wal_corruptions_total).
  bool repair_tail = true;
  base::Logger* logger = &base::Logger::Quiet();
  // Self-metrics (prometheus_tsdb_wal_*); none when null.
  base::metrics::Registry* registry = nullptr;
};

// Writer appends records to the newest segment of a WAL directory.
// Thread-safety: not thread-safe; the owner serialises all calls under its mutex, except
// Sync(), which may be called from any thread at any time (it takes its own mutex, sync_mu_).
// Lock order: owner's mutex, then sync_mu_.
//
// Invariants (unless broken_ is set): the active segment's file holds exactly
// seg_bytes_ - buf_.size() bytes, all written by this writer; between calls buf_ is empty; the
// current page always has room for a header and at least one data byte (a page is zero-padded
// as soon as kRecordHeaderSize or fewer bytes are left); every segment before the active one
// has been fsynced.
class Writer {
 public:
  // Creates `dir` if needed, repairs a torn tail (options.repair_tail), fsyncs the newest
  // segment and starts a new segment after it, as Prometheus does: an existing segment is never
  // appended to.
  // Errors: kInvalidArgument (segment_size), kIOError, kCorruption (segment indexes not
  // consecutive), kInvalidArgument from the tail scan (zstd-compressed records).
  static base::Result<std::unique_ptr<Writer>> Open(const std::string& dir,
                                                    const WriterOptions& options = {});

  // Close()s if not yet closed; an error is logged.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends the records, in order, and write(2)s them before returning: after OK they survive
  // a crash of the process. Records are copied once, into a page buffer written with one
  // write(2) per call (or per MiB for large batches). A record never spans segments: one that
  // does not fit into the rest of the active segment starts the next one (fsyncing the full one).
  // Each record is atomic on replay; a batch is not (a crash may keep a prefix of it).
  // On error the segment is truncated back to where the call started, so later records stay
  // readable; if that fails too the writer is broken and every later call returns the error.
  // REQUIRES: every record is non-empty. Errors: kInvalidArgument (empty record), kIOError,
  // kUnavailable (closed).
  base::Status Log(std::span<const std::string_view> records);
  base::Status Log(std::string_view record) { return Log(std::span(&record, 1)); }

  // fsyncs (fdatasync) the active segment: every record logged before the call is durable
  // when it returns. Callable from any thread concurrently with the other methods. Concurrent
  // calls share one fsync (group commit): a call returns at once if another call's fsync,
  // started after this call began, already covered its data. After Close it returns OK.
  // Errors: kIOError; an fsync failure also breaks the writer (the kernel may have dropped the
  // dirty pages, so retrying cannot make them durable).
  base::Status Sync();

  // Pads and fsyncs the active segment, closes it and starts the next one. Returns the new
  // segment's index. Errors: kIOError, kUnavailable (closed).
  base::Result<int> NextSegment();

  // The first and last segment index on disk; last is the active segment.
  std::pair<int, int> Segments() const { return {first_segment_, segment_}; }

  // Deletes the segments with index < before (never the active one), oldest first, so that a
  // crash leaves the remaining indexes consecutive. Errors: kInvalidArgument (before > the
  // active segment), kIOError.
  base::Status Truncate(int before);

  // Cuts the log back to the corruption a Reader reported: deletes all segments after
  // c.segment (including the active one), truncates c.segment at c.offset and starts segment
  // c.segment + 1. REQUIRES: c.dir is this writer's directory. Errors: kInvalidArgument,
  // kIOError.
  base::Status Repair(const CorruptionInfo& c);

  // Pads the last page with zeros, fsyncs and closes the active segment. Idempotent.
  base::Status Close();

  const std::string& dir() const { return dir_; }

 private:
  struct Metrics {
    base::metrics::Histogram* fsync_duration = nullptr;
    base::metrics::Histogram* write_duration = nullptr;
    base::metrics::Counter* page_flushes = nullptr;
    base::metrics::Counter* completed_pages = nullptr;
    base::metrics::Counter* truncations = nullptr;
    base::metrics::Counter* truncations_failed = nullptr;
    base::metrics::Counter* writes_failed = nullptr;
    base::metrics::Counter* corruptions = nullptr;
    base::metrics::Gauge* segment_current = nullptr;
  };

  Writer(std::string dir, const WriterOptions& options);
  base::Status StartSegment(int index);
  base::Status LogRecords(std::span<const std::string_view> records, uint64_t* rollback_to);
  void AppendFragments(std::string_view payload, uint8_t flags);
  void PadPage();
  size_t SegmentRoomLeft() const;
  base::Status Flush();
  base::Status FinishSegment();
  base::Status FsyncLocked();  // REQUIRES: sync_mu_ held, fd_ open
  void Rollback(uint64_t to);

  const std::string dir_;
  const WriterOptions options_;
  const size_t pages_per_segment_;
  base::Logger& logger_;
  Metrics metrics_;

  int first_segment_ = 0;
  int segment_ = 0;         // index of the active segment
  uint64_t seg_bytes_ = 0;  // logical size of the active segment, buffered bytes included
  std::string buf_;         // bytes not yet written, ending at seg_bytes_
  std::string compressed_;  // scratch for snappy
  base::Status broken_;     // sticky error: the file may not match seg_bytes_
  bool closed_ = false;

  // fd_ is written only with sync_mu_ held (and by the owner); Sync() reads it under sync_mu_,
  // owner-side methods read it without the lock.
  std::mutex sync_mu_;
  int fd_ = -1;
  int fd_segment_ = -1;                     // GUARDED_BY(sync_mu_): segment index of fd_
  std::atomic<uint64_t> written_bytes_{0};  // total bytes handed to write(2), all segments
  uint64_t synced_bytes_ = 0;               // GUARDED_BY(sync_mu_): written_bytes_ at last fsync
  base::Status sync_error_;                 // GUARDED_BY(sync_mu_): sticky fsync failure
  std::atomic<bool> sync_failed_{false};    // sync_error_ is set; read without the lock
};

// Cuts the WAL in `dir` back to the corruption at (segment, offset): deletes every segment
// after `segment` (newest first), then truncates `segment` to `offset` and zero-fills the rest
// of that page, so it ends on a page boundary with its valid prefix intact. Logs what was
// dropped. Same outcome as Prometheus's wlog WL.Repair. The WAL must not be open for writing.
// Errors: kNotFound (no such segment), kIOError.
base::Status Repair(base::Logger& logger, const std::string& dir, int segment, int64_t offset);

}  // namespace tsdb::wal

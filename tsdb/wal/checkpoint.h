// Checkpoints: a compacted copy of the WAL's older segments that lets the head delete them
// (docs/format/checkpoint.md). A checkpoint is a directory checkpoint.NNNNNNNN inside the WAL
// directory, holding segments in the WAL format whose records are the series still alive and
// the samples and tombstones not older than a cutoff, of the previous checkpoint and the WAL
// segments up to NNNNNNNN. Same layout and rules as Prometheus's tsdb/wlog/checkpoint.go.
//
// Replay order: the records of LastCheckpoint(wal_dir) (all its segments), then the WAL's
// segments with index > its index.
//
// Truncation, as the head does it (Prometheus head.truncateWAL):
//   auto [first, last] = writer.Segments();      // last is active: never checkpoint it
//   int to = first + (last - 1 - first) * 2 / 3;  // any to in [first, last - 1]
//   Checkpoint(logger, dir, first, to, keep, mint);
//   writer.Truncate(to + 1);
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/logger.h"
#include "base/status.h"

namespace tsdb::wal {

struct CheckpointStats {
  int64_t total_series = 0;  // series entries read, dropped ones included
  int64_t dropped_series = 0;
  int64_t total_samples = 0;
  int64_t dropped_samples = 0;
  int64_t total_tombstones = 0;
  int64_t dropped_tombstones = 0;
  int64_t dropped_records = 0;  // records of other types (exemplars, metadata, histograms)
};

inline constexpr std::string_view kCheckpointPrefix = "checkpoint.";
inline constexpr std::string_view kCheckpointTmpSuffix = ".tmp";

// "wal_dir/checkpoint.00000012".
std::string CheckpointDir(const std::string& wal_dir, int index);

struct CheckpointRef {
  std::string path;  // the checkpoint directory
  int index = 0;     // last WAL segment it covers
};

// The newest finished checkpoint of wal_dir (".tmp" directories are ignored).
// Errors: kNotFound when there is none, kIOError.
base::Result<CheckpointRef> LastCheckpoint(const std::string& wal_dir);

// Deletes the checkpoints with index < before. Errors: kIOError.
base::Status DeleteCheckpoints(const std::string& wal_dir, int before);

// Deletes unfinished checkpoint.N.tmp directories, left by a crash during Checkpoint. The head
// calls it at startup; Checkpoint calls it too.
base::Status DeleteTempCheckpoints(base::Logger& logger, const std::string& wal_dir);

// Writes checkpoint.<to> from the last checkpoint (if any) and WAL segments from..to of wal_dir:
// series records keep the series for which keep_series(ref) is true; samples records keep
// samples with t >= mint; tombstones records keep tombstones with maxt >= mint; other record
// types are dropped (as Prometheus drops types it does not know). The records go to
// checkpoint.<to>.tmp, which is fsynced and then renamed, so a crash leaves either no new
// checkpoint or a complete one. Then older checkpoints are deleted (a failure there is logged,
// not returned: the new checkpoint is valid).
// `from` is raised to just after the last checkpoint, whose segments are all included.
// REQUIRES: to is not the WAL writer's active segment; keep_series is callable here (it is
// called once per series entry, on this thread).
// Errors: kInvalidArgument (from > to, a gap after the last checkpoint, to not after it),
// kCorruption (a damaged segment: a checkpoint is never built from a partial read, since the
// head could not tell which series records were lost), kIOError.
base::Result<CheckpointStats> Checkpoint(base::Logger& logger, const std::string& wal_dir, int from,
                                         int to,
                                         const std::function<bool(uint64_t ref)>& keep_series,
                                         int64_t mint);

}  // namespace tsdb::wal

// BlockWriter: writes one persistent block atomically (as Prometheus tsdb/compact.go write):
// everything goes to <parent>/<ulid>.tmp-for-creation, every file and the directory are
// fsynced, then the directory is renamed to <parent>/<ulid> and the parent fsynced, so that a
// crash leaves either no block or a whole one. Layout: docs/format/block.md.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/sample.h"
#include "storage/series.h"
#include "tsdb/block/chunks.h"
#include "tsdb/block/index_writer.h"
#include "tsdb/block/meta.h"

namespace tsdb::block {

// The suffix of a block directory being written; such a directory is never opened as a block.
inline constexpr char kTmpForCreationSuffix[] = ".tmp-for-creation";

struct BlockWriterOptions {
  // Chunk segment files are cut at this size.
  uint64_t max_segment_bytes = kDefaultMaxSegmentBytes;
  // A series' samples are cut into chunks of at most this many samples (chunks as large as the
  // encoding allows: one chunk per series for ordinary scrape intervals and block ranges).
  size_t max_samples_per_chunk = kMaxChunkSamples;
};

// A chunk already encoded, with the time range of its samples (inclusive).
struct EncodedChunk {
  model::Timestamp min_time = 0;
  model::Timestamp max_time = 0;
  chunkenc::Encoding encoding = chunkenc::Encoding::kXor;
  std::string_view data;
};

// Not thread-safe. Destroying a writer that has not finished removes its temporary directory.
class BlockWriter {
 public:
  // Starts the block described by `meta` (ulid, min_time, max_time, compaction; stats are
  // computed) in parent_dir/<ulid>.tmp-for-creation, replacing a leftover of that name.
  // kInvalidArgument for a bad ulid or min_time >= max_time; kIOError naming the path.
  static base::Result<std::unique_ptr<BlockWriter>> Create(const std::string& parent_dir,
                                                           BlockMeta meta,
                                                           const BlockWriterOptions& options = {});
  ~BlockWriter();
  BlockWriter(const BlockWriter&) = delete;
  BlockWriter& operator=(const BlockWriter&) = delete;

  // Adds a series. REQUIRES (kInvalidArgument otherwise): labels greater than those of the
  // previous series; timestamps strictly increasing within [min_time, max_time). A series
  // without samples is skipped.
  base::Status AddSeries(const model::Labels& labels, std::span<const model::Sample> samples);
  // Adds a series from encoded chunks (copied as they are). REQUIRES as AddSeries; the chunks
  // sorted by time, not overlapping, within the block's range; `num_samples` their total.
  base::Status AddSeriesChunks(const model::Labels& labels, std::span<const EncodedChunk> chunks,
                               uint64_t num_samples);
  // Writes index, tombstones (empty) and meta.json, fsyncs and renames the directory into place.
  // Returns the block's meta, stats filled in. No call afterwards.
  base::Result<BlockMeta> Finish();

  const BlockMeta& meta() const { return meta_; }
  uint64_t num_series() const { return meta_.stats.num_series; }

 private:
  BlockWriter(std::string parent_dir, BlockMeta meta, const BlockWriterOptions& options);

  std::string parent_dir_;
  std::string tmp_dir_;
  BlockMeta meta_;
  BlockWriterOptions options_;
  std::unique_ptr<ChunkWriter> chunks_;
  IndexWriter index_;
  std::optional<model::Labels> last_labels_;
  bool finished_ = false;
};

// A level-1 meta for a block cut from the head over [mint, maxt): a new ULID, sources itself.
BlockMeta NewBlockMeta(UlidGenerator& ulids, model::Timestamp mint, model::Timestamp maxt);

// Writes every series of `set` (sorted by labels, each with strictly increasing timestamps)
// restricted to [meta.min_time, meta.max_time) as the block `meta`. Series without samples in
// range are dropped; when none is left no block is written and the result is nullopt.
// Reads each series once, before the next Next() (a set whose At() lives only until then is
// fine). The DB cuts the head with it: WriteSeriesSet(dir, *head->StreamSeries(mint, maxt - 1),
// NewBlockMeta(ulids, mint, maxt)).
base::Result<std::optional<BlockMeta>> WriteSeriesSet(const std::string& parent_dir,
                                                      storage::SeriesSet& set, BlockMeta meta,
                                                      const BlockWriterOptions& options = {});

}  // namespace tsdb::block

// Compaction primitives (Prometheus tsdb/compact.go LeveledCompactor.Compact/Write and
// Block.CleanTombstones): merge blocks into one, rewrite a block without its deleted data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/meta.h"

namespace tsdb::block {

// The meta of a block compacted from `blocks`: a new ULID, [mint, maxt), level one more than
// the highest input level, sources the sorted union of the inputs' sources, parents the inputs.
BlockMeta CompactedMeta(UlidGenerator& ulids, const std::vector<Block*>& blocks,
                        model::Timestamp mint, model::Timestamp maxt);

// Writes one block in `parent_dir` holding the data of `blocks` (any order; they may overlap)
// in [mint, maxt): series with the same labels are merged, their samples by time, a timestamp
// present in several blocks kept once (from the block earliest in `blocks`); tombstones are
// applied; series left without samples are dropped. Returns the new block's meta, or nullopt
// when nothing is left (no block written). The inputs are not changed; the caller deletes them.
base::Result<std::optional<BlockMeta>> WriteCompactedBlock(
    const std::string& parent_dir, const std::vector<Block*>& blocks, model::Timestamp mint,
    model::Timestamp maxt, UlidGenerator& ulids, const BlockWriterOptions& options = {});

struct RewriteResult {
  // False when the block has no tombstones: nothing was written, keep the block.
  bool rewritten = false;
  // The new block, or nullopt when everything was deleted. Either way the old block may go.
  std::optional<BlockMeta> meta;
};

// Rewrites `block` into `parent_dir` without its deleted samples (Prometheus CleanTombstones):
// a new ULID, the same range, level and sources, the old block as parent.
base::Result<RewriteResult> RewriteWithoutTombstones(const std::string& parent_dir, Block& block,
                                                     UlidGenerator& ulids,
                                                     const BlockWriterOptions& options = {});

}  // namespace tsdb::block

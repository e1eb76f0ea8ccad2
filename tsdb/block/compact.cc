#include "tsdb/block/compact.h"

#include <algorithm>

#include "storage/merge_querier.h"
#include "tsdb/block/block_querier.h"

namespace tsdb::block {

BlockMeta CompactedMeta(UlidGenerator& ulids, const std::vector<Block*>& blocks,
                        model::Timestamp mint, model::Timestamp maxt) {
  BlockMeta m;
  m.ulid = ulids.Next();
  m.min_time = mint;
  m.max_time = maxt;
  m.compaction.level = 1;
  for (Block* b : blocks) {
    const BlockMeta bm = b->meta();
    m.compaction.level = std::max(m.compaction.level, bm.compaction.level + 1);
    m.compaction.sources.insert(m.compaction.sources.end(), bm.compaction.sources.begin(),
                                bm.compaction.sources.end());
    m.compaction.parents.push_back({bm.ulid, bm.min_time, bm.max_time});
  }
  std::sort(m.compaction.sources.begin(), m.compaction.sources.end());
  m.compaction.sources.erase(std::unique(m.compaction.sources.begin(), m.compaction.sources.end()),
                             m.compaction.sources.end());
  return m;
}

namespace {

base::Result<std::optional<BlockMeta>> WriteMerged(const std::string& parent_dir,
                                                   const std::vector<Block*>& blocks,
                                                   BlockMeta meta,
                                                   const BlockWriterOptions& options) {
  std::vector<std::unique_ptr<storage::Querier>> queriers;
  for (Block* b : blocks) {
    queriers.push_back(std::make_unique<BlockQuerier>(b->shared_from_this(), b->tombstones(),
                                                      meta.min_time, meta.max_time - 1));
  }
  storage::MergeQuerier merged(std::move(queriers));
  std::unique_ptr<storage::SeriesSet> set = merged.Select(true, nullptr, {});
  return WriteSeriesSet(parent_dir, *set, std::move(meta), options);
}

}  // namespace

base::Result<std::optional<BlockMeta>> WriteCompactedBlock(
    const std::string& parent_dir, const std::vector<Block*>& blocks, model::Timestamp mint,
    model::Timestamp maxt, UlidGenerator& ulids, const BlockWriterOptions& options) {
  if (blocks.empty()) return base::InvalidArgument("compact: no blocks");
  return WriteMerged(parent_dir, blocks, CompactedMeta(ulids, blocks, mint, maxt), options);
}

base::Result<RewriteResult> RewriteWithoutTombstones(const std::string& parent_dir, Block& block,
                                                     UlidGenerator& ulids,
                                                     const BlockWriterOptions& options) {
  RewriteResult r;
  if (block.tombstones()->empty()) return r;
  const BlockMeta old = block.meta();
  BlockMeta m;
  m.ulid = ulids.Next();
  m.min_time = old.min_time;
  m.max_time = old.max_time;
  m.compaction.level = old.compaction.level;
  m.compaction.sources = old.compaction.sources;
  m.compaction.parents = {{old.ulid, old.min_time, old.max_time}};
  ASSIGN_OR_RETURN(r.meta, WriteMerged(parent_dir, {&block}, std::move(m), options));
  r.rewritten = true;
  return r;
}

}  // namespace tsdb::block

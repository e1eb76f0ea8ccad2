// Block: an immutable persistent block opened from its directory (Prometheus tsdb/block.go):
// meta.json, the index and chunk segments read through memory maps, and tombstones, the only
// part that changes (Delete). Layout: docs/format/block.md.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/matcher.h"
#include "storage/querier.h"
#include "tsdb/block/chunks.h"
#include "tsdb/block/index_reader.h"
#include "tsdb/block/meta.h"
#include "tsdb/block/tombstones.h"

namespace tsdb::block {

// Thread-safe: any number of queriers may read at once while Delete adds tombstones. Always
// owned by a shared_ptr (Open); each querier holds one, so a block outlives its readers.
class Block final : public storage::Queryable, public std::enable_shared_from_this<Block> {
 public:
  // Opens the block in `dir`, checking meta.json, the index's header, TOC, symbol table and
  // label index, every chunk segment's header, and tombstones. kCorruption (or kNotFound for a
  // missing file) naming the file; a damaged or partial block never crashes the process.
  static base::Result<std::shared_ptr<Block>> Open(const std::string& dir);
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  const std::string& dir() const { return dir_; }
  // The meta as of now (Delete updates numTombstones).
  BlockMeta meta() const;
  const std::string& ulid() const { return ulid_; }
  model::Timestamp min_time() const { return min_time_; }
  // Exclusive.
  model::Timestamp max_time() const { return max_time_; }
  // Whether the block may hold samples in [mint, maxt] (inclusive).
  bool Overlaps(model::Timestamp mint, model::Timestamp maxt) const {
    return mint < max_time_ && maxt >= min_time_;
  }

  const IndexReader& index() const { return *index_; }
  const ChunkReader& chunks() const { return *chunks_; }
  // A snapshot of the tombstones; later deletions do not change it.
  std::shared_ptr<const Tombstones> tombstones() const;

  // A querier over [mint, maxt] (inclusive) that honours the tombstones as of now.
  base::Result<std::unique_ptr<storage::Querier>> NewQuerier(model::Timestamp mint,
                                                             model::Timestamp maxt) override;

  // Deletes the samples in [mint, maxt] (inclusive) of the series matching `matchers`: adds
  // tombstones for the series with a chunk in that range, then rewrites the tombstones file and
  // meta.json atomically (Prometheus Block.Delete). Queriers created afterwards skip them.
  base::Status Delete(model::Timestamp mint, model::Timestamp maxt,
                      const std::vector<model::Matcher>& matchers);

 private:
  Block() = default;

  std::string dir_;
  std::string ulid_;
  model::Timestamp min_time_ = 0, max_time_ = 0;
  std::unique_ptr<IndexReader> index_;
  std::unique_ptr<ChunkReader> chunks_;
  mutable std::mutex mu_;
  BlockMeta meta_;                                // GUARDED_BY(mu_)
  std::shared_ptr<const Tombstones> tombstones_;  // GUARDED_BY(mu_)
  std::mutex delete_mu_;                          // serializes Delete; taken before mu_
};

// Whether `name` (a directory entry of the data directory) names a block: a ULID. Directories
// being written (<ulid>.tmp-for-creation) and others are not blocks.
bool IsBlockDirName(std::string_view name);
// The block directories of `parent_dir`, in ULID order.
base::Result<std::vector<std::string>> ListBlockDirs(const std::string& parent_dir);
// Removes leftovers of interrupted writes (*.tmp-for-creation) from `parent_dir`.
base::Status RemoveTmpDirs(const std::string& parent_dir);
// Opens every block of `parent_dir`, sorted by min_time. The first block that fails to open
// fails the call, with an error naming it.
base::Result<std::vector<std::shared_ptr<Block>>> OpenBlocks(const std::string& parent_dir);

}  // namespace tsdb::block

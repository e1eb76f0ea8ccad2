#include "tsdb/block/block.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "tsdb/block/block_querier.h"
#include "tsdb/block/block_writer.h"

namespace tsdb::block {

base::Result<std::shared_ptr<Block>> Block::Open(const std::string& dir) {
  auto b = std::shared_ptr<Block>(new Block());
  b->dir_ = dir;
  ASSIGN_OR_RETURN(b->meta_, ReadMeta(dir));
  b->ulid_ = b->meta_.ulid;
  b->min_time_ = b->meta_.min_time;
  b->max_time_ = b->meta_.max_time;
  ASSIGN_OR_RETURN(b->index_, IndexReader::Open(dir + "/index"));
  ASSIGN_OR_RETURN(b->chunks_, ChunkReader::Open(dir + "/chunks"));
  ASSIGN_OR_RETURN(Tombstones t, ReadTombstones(dir));
  b->tombstones_ = std::make_shared<const Tombstones>(std::move(t));
  return b;
}

BlockMeta Block::meta() const {
  std::lock_guard lock(mu_);
  return meta_;
}

std::shared_ptr<const Tombstones> Block::tombstones() const {
  std::lock_guard lock(mu_);
  return tombstones_;
}

base::Result<std::unique_ptr<storage::Querier>> Block::NewQuerier(model::Timestamp mint,
                                                                  model::Timestamp maxt) {
  return std::unique_ptr<storage::Querier>(
      std::make_unique<BlockQuerier>(shared_from_this(), tombstones(), mint, maxt));
}

base::Status Block::Delete(model::Timestamp mint, model::Timestamp maxt,
                           const std::vector<model::Matcher>& matchers) {
  std::lock_guard delete_lock(delete_mu_);
  if (mint > maxt || !Overlaps(mint, maxt)) return base::Status::Ok();
  const Interval iv{std::max(mint, min_time_), std::min(maxt, max_time_ - 1)};
  ASSIGN_OR_RETURN(IndexReader::List refs, index_->Select(matchers));
  Tombstones next = *tombstones();
  bool changed = false;
  SeriesEntry s;
  for (uint64_t ref : refs) {
    RETURN_IF_ERROR(index_->ReadSeries(ref, &s));
    const bool overlaps = std::any_of(s.chunks.begin(), s.chunks.end(), [&](const ChunkMeta& c) {
      return c.min_time <= iv.max_time && c.max_time >= iv.min_time;
    });
    if (!overlaps) continue;
    next.Add(ref, iv);
    changed = true;
  }
  if (!changed) return base::Status::Ok();
  RETURN_IF_ERROR(WriteTombstones(dir_, next));
  BlockMeta m = meta();
  m.stats.num_tombstones = next.NumIntervals();
  RETURN_IF_ERROR(WriteMeta(dir_, m));
  std::lock_guard lock(mu_);
  meta_ = std::move(m);
  tombstones_ = std::make_shared<const Tombstones>(std::move(next));
  return base::Status::Ok();
}

bool IsBlockDirName(std::string_view name) { return ParseUlid(name).ok(); }

base::Result<std::vector<std::string>> ListBlockDirs(const std::string& parent_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(parent_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (IsBlockDirName(name) && e.is_directory()) out.push_back(parent_dir + "/" + name);
  }
  if (ec) return base::IOError(fmt::format("list {}: {}", parent_dir, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

base::Status RemoveTmpDirs(const std::string& parent_dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> tmp;
  for (const auto& e : std::filesystem::directory_iterator(parent_dir, ec)) {
    if (e.path().filename().string().ends_with(kTmpForCreationSuffix)) tmp.push_back(e.path());
  }
  if (ec) return base::IOError(fmt::format("list {}: {}", parent_dir, ec.message()));
  for (const auto& p : tmp) {
    std::filesystem::remove_all(p, ec);
    if (ec) return base::IOError(fmt::format("remove {}: {}", p.string(), ec.message()));
  }
  return base::Status::Ok();
}

base::Result<std::vector<std::shared_ptr<Block>>> OpenBlocks(const std::string& parent_dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> dirs, ListBlockDirs(parent_dir));
  std::vector<std::shared_ptr<Block>> out;
  for (const std::string& d : dirs) {
    auto b = Block::Open(d);
    if (!b) return b.error().WithPrefix("open block " + d);
    out.push_back(std::move(*b));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a->min_time() < b->min_time(); });
  return out;
}

}  // namespace tsdb::block

#include "tsdb/block/block_writer.h"

#include <fmt/format.h>

#include <filesystem>

#include "tsdb/block/file_util.h"
#include "tsdb/block/tombstones.h"

namespace tsdb::block {

BlockWriter::BlockWriter(std::string parent_dir, BlockMeta meta, const BlockWriterOptions& options)
    : parent_dir_(std::move(parent_dir)), meta_(std::move(meta)), options_(options) {
  tmp_dir_ = parent_dir_ + "/" + meta_.ulid + kTmpForCreationSuffix;
  meta_.stats = BlockStats{};
  if (options_.max_samples_per_chunk == 0 || options_.max_samples_per_chunk > kMaxChunkSamples)
    options_.max_samples_per_chunk = kMaxChunkSamples;
}

base::Result<std::unique_ptr<BlockWriter>> BlockWriter::Create(const std::string& parent_dir,
                                                               BlockMeta meta,
                                                               const BlockWriterOptions& options) {
  if (!ParseUlid(meta.ulid).ok())
    return base::InvalidArgument(fmt::format("block: invalid ulid \"{}\"", meta.ulid));
  if (meta.min_time >= meta.max_time)
    return base::InvalidArgument(fmt::format("block {}: minTime {} not before maxTime {}",
                                             meta.ulid, meta.min_time, meta.max_time));
  auto w = std::unique_ptr<BlockWriter>(new BlockWriter(parent_dir, std::move(meta), options));
  std::error_code ec;
  std::filesystem::remove_all(w->tmp_dir_, ec);
  if (ec) return base::IOError(fmt::format("remove {}: {}", w->tmp_dir_, ec.message()));
  std::filesystem::create_directories(w->tmp_dir_, ec);
  if (ec) return base::IOError(fmt::format("create directory {}: {}", w->tmp_dir_, ec.message()));
  ASSIGN_OR_RETURN(w->chunks_,
                   ChunkWriter::Create(w->tmp_dir_ + "/chunks", w->options_.max_segment_bytes));
  return w;
}

BlockWriter::~BlockWriter() {
  if (!finished_) {
    chunks_.reset();
    std::error_code ec;
    std::filesystem::remove_all(tmp_dir_, ec);  // best effort; a leftover is never opened
  }
}

base::Status BlockWriter::AddSeries(const model::Labels& labels,
                                    std::span<const model::Sample> samples) {
  if (finished_) return base::Internal("block: AddSeries after Finish");
  if (samples.empty()) return base::Status::Ok();
  if (last_labels_ && model::Labels::Compare(*last_labels_, labels) >= 0)
    return base::InvalidArgument(
        fmt::format("block {}: series {} out of order", meta_.ulid, labels.ToString()));
  for (size_t i = 0; i < samples.size(); ++i) {
    const model::Timestamp t = samples[i].t;
    if (t < meta_.min_time || t >= meta_.max_time)
      return base::InvalidArgument(fmt::format("block {}: sample at {} of {} outside [{}, {})",
                                               meta_.ulid, t, labels.ToString(), meta_.min_time,
                                               meta_.max_time));
    if (i > 0 && t <= samples[i - 1].t)
      return base::InvalidArgument(fmt::format("block {}: samples of {} not increasing at {}",
                                               meta_.ulid, labels.ToString(), t));
  }
  std::vector<ChunkMeta> metas;
  for (size_t start = 0; start < samples.size(); start += options_.max_samples_per_chunk) {
    auto part =
        samples.subspan(start, std::min(options_.max_samples_per_chunk, samples.size() - start));
    ASSIGN_OR_RETURN(std::unique_ptr<chunkenc::Chunk> chunk, EncodeChunk(part));
    ASSIGN_OR_RETURN(uint64_t ref, chunks_->Write(chunk->encoding(), chunk->bytes()));
    metas.push_back({part.front().t, part.back().t, ref});
  }
  RETURN_IF_ERROR(index_.AddSeries(labels, metas));
  last_labels_ = labels;
  meta_.stats.num_series++;
  meta_.stats.num_chunks += metas.size();
  meta_.stats.num_samples += samples.size();
  return base::Status::Ok();
}

base::Status BlockWriter::AddSeriesChunks(const model::Labels& labels,
                                          std::span<const EncodedChunk> chunks,
                                          uint64_t num_samples) {
  if (finished_) return base::Internal("block: AddSeriesChunks after Finish");
  if (chunks.empty()) return base::Status::Ok();
  if (last_labels_ && model::Labels::Compare(*last_labels_, labels) >= 0)
    return base::InvalidArgument(
        fmt::format("block {}: series {} out of order", meta_.ulid, labels.ToString()));
  std::vector<ChunkMeta> metas;
  for (const EncodedChunk& c : chunks) {
    if (c.min_time < meta_.min_time || c.max_time >= meta_.max_time)
      return base::InvalidArgument(fmt::format("block {}: chunk [{}, {}] of {} outside [{}, {})",
                                               meta_.ulid, c.min_time, c.max_time,
                                               labels.ToString(), meta_.min_time, meta_.max_time));
    ASSIGN_OR_RETURN(uint64_t ref, chunks_->Write(c.encoding, c.data));
    metas.push_back({c.min_time, c.max_time, ref});
  }
  RETURN_IF_ERROR(index_.AddSeries(labels, metas));
  last_labels_ = labels;
  meta_.stats.num_series++;
  meta_.stats.num_chunks += metas.size();
  meta_.stats.num_samples += num_samples;
  return base::Status::Ok();
}

base::Result<BlockMeta> BlockWriter::Finish() {
  if (finished_) return base::Internal("block: Finish called twice");
  RETURN_IF_ERROR(chunks_->Finish());
  RETURN_IF_ERROR(index_.Finish(tmp_dir_ + "/index"));
  RETURN_IF_ERROR(WriteTombstones(tmp_dir_, Tombstones()));
  RETURN_IF_ERROR(WriteMeta(tmp_dir_, meta_));
  RETURN_IF_ERROR(SyncDir(tmp_dir_));
  const std::string dir = parent_dir_ + "/" + meta_.ulid;
  std::error_code ec;
  if (std::filesystem::exists(dir, ec))
    return base::IOError(fmt::format("block {}: directory {} already exists", meta_.ulid, dir));
  RETURN_IF_ERROR(RenameSync(tmp_dir_, dir));
  finished_ = true;
  return meta_;
}

BlockMeta NewBlockMeta(UlidGenerator& ulids, model::Timestamp mint, model::Timestamp maxt) {
  BlockMeta m;
  m.ulid = ulids.Next();
  m.min_time = mint;
  m.max_time = maxt;
  m.compaction.level = 1;
  m.compaction.sources = {m.ulid};
  return m;
}

base::Result<std::optional<BlockMeta>> WriteSeriesSet(const std::string& parent_dir,
                                                      storage::SeriesSet& set, BlockMeta meta,
                                                      const BlockWriterOptions& options) {
  const model::Timestamp mint = meta.min_time, maxt = meta.max_time;
  ASSIGN_OR_RETURN(std::unique_ptr<BlockWriter> w,
                   BlockWriter::Create(parent_dir, std::move(meta), options));
  std::vector<model::Sample> samples;
  std::unique_ptr<storage::SampleIterator> it;
  while (set.Next()) {
    storage::Series& s = set.At();
    it = s.NewIterator(std::move(it));
    samples.clear();
    RETURN_IF_ERROR(it->ReadAll(mint, maxt - 1, &samples));
    RETURN_IF_ERROR(w->AddSeries(s.labels(), samples));
  }
  RETURN_IF_ERROR(set.status());
  if (w->num_series() == 0) return std::optional<BlockMeta>();
  ASSIGN_OR_RETURN(BlockMeta out, w->Finish());
  return std::optional<BlockMeta>(std::move(out));
}

}  // namespace tsdb::block

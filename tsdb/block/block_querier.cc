#include "tsdb/block/block_querier.h"

#include <algorithm>
#include <set>

#include "tsdb/chunkenc/chunk_seq_iterator.h"

namespace tsdb::block {
namespace {

// Iterates the samples of a series' chunks within [mint, maxt], decoding the memory-mapped
// bytes in place.
class ChunksIterator final : public chunkenc::ChunkSeqIterator {
 public:
  ChunksIterator(const std::vector<ChunkMeta>& chunks, const ChunkReader& reader,
                 model::Timestamp mint, model::Timestamp maxt)
      : ChunkSeqIterator(mint, maxt), chunks_(chunks), reader_(reader) {}

 protected:
  size_t NumChunks() const override { return chunks_.size(); }
  model::Timestamp ChunkMinTime(size_t i) const override { return chunks_[i].min_time; }
  model::Timestamp ChunkMaxTime(size_t i) const override { return chunks_[i].max_time; }
  base::Result<std::unique_ptr<chunkenc::Iterator>> OpenChunk(
      size_t i, std::unique_ptr<chunkenc::Iterator> reuse) const override {
    ASSIGN_OR_RETURN(auto data, reader_.Chunk(chunks_[i].ref));
    return chunkenc::NewIterator(data.encoding, data.data, std::move(reuse));
  }

 private:
  const std::vector<ChunkMeta>& chunks_;
  const ChunkReader& reader_;
};

class BlockSeries final : public storage::Series {
 public:
  // A series read from its chunks.
  BlockSeries(model::Labels labels, std::vector<ChunkMeta> chunks, const ChunkReader& reader,
              model::Timestamp mint, model::Timestamp maxt)
      : labels_(std::move(labels)),
        chunks_(std::move(chunks)),
        reader_(&reader),
        mint_(mint),
        maxt_(maxt) {}
  // A series with deletions, its remaining samples decoded.
  BlockSeries(model::Labels labels, std::vector<model::Sample> samples)
      : labels_(std::move(labels)), samples_(std::move(samples)) {}

  const model::Labels& labels() const override { return labels_; }
  std::unique_ptr<storage::SampleIterator> NewIterator(
      std::unique_ptr<storage::SampleIterator>) const override {
    if (reader_ == nullptr) return std::make_unique<storage::VectorIterator>(samples_);
    return std::make_unique<ChunksIterator>(chunks_, *reader_, mint_, maxt_);
  }

 private:
  model::Labels labels_;
  std::vector<ChunkMeta> chunks_;
  const ChunkReader* reader_ = nullptr;
  model::Timestamp mint_ = 0, maxt_ = 0;
  std::vector<model::Sample> samples_;
};

// Reads series lazily in ref (label) order. Every series returned stays alive with the set.
class BlockSeriesSet final : public storage::SeriesSet {
 public:
  BlockSeriesSet(const Block& block, std::shared_ptr<const Tombstones> tombstones,
                 std::vector<uint64_t> refs, model::Timestamp mint, model::Timestamp maxt)
      : block_(block),
        tombstones_(std::move(tombstones)),
        refs_(std::move(refs)),
        mint_(mint),
        maxt_(maxt) {}

  bool Next() override {
    while (status_.ok() && i_ < refs_.size()) {
      const uint64_t ref = refs_[i_++];
      if (base::Status s = block_.index().ReadSeries(ref, &entry_); !s.ok()) {
        status_ = s;
        return false;
      }
      std::vector<ChunkMeta> chunks;
      for (const ChunkMeta& c : entry_.chunks)
        if (c.max_time >= mint_ && c.min_time <= maxt_) chunks.push_back(c);
      if (chunks.empty()) continue;
      const Intervals* deleted = tombstones_->Get(ref);
      if (deleted == nullptr) {
        series_.push_back(std::make_unique<BlockSeries>(std::move(entry_.labels), std::move(chunks),
                                                        block_.chunks(), mint_, maxt_));
        return true;
      }
      // Deletions are rare: decode what remains, so that a fully deleted series is not returned.
      std::vector<model::Sample> samples;
      ChunksIterator it(chunks, block_.chunks(), mint_, maxt_);
      if (base::Status s = it.ReadAll(mint_, maxt_, &samples); !s.ok()) {
        status_ = s;
        return false;
      }
      std::erase_if(samples, [&](const model::Sample& x) { return IsDeleted(*deleted, x.t); });
      if (samples.empty()) continue;
      series_.push_back(
          std::make_unique<BlockSeries>(std::move(entry_.labels), std::move(samples)));
      return true;
    }
    return false;
  }
  storage::Series& At() override { return *series_.back(); }
  base::Status status() const override { return status_; }

 private:
  const Block& block_;
  std::shared_ptr<const Tombstones> tombstones_;
  std::vector<uint64_t> refs_;
  model::Timestamp mint_, maxt_;
  size_t i_ = 0;
  SeriesEntry entry_;
  std::vector<std::unique_ptr<BlockSeries>> series_;
  base::Status status_;
};

}  // namespace

std::unique_ptr<storage::SeriesSet> BlockQuerier::Select(
    bool, const storage::SelectHints* hints, const std::vector<model::Matcher>& matchers) {
  const model::Timestamp mint = hints ? std::max(mint_, hints->start) : mint_;
  const model::Timestamp maxt = hints ? std::min(maxt_, hints->end) : maxt_;
  if (mint > maxt || !block_->Overlaps(mint, maxt))
    return std::make_unique<storage::EmptySeriesSet>();
  auto refs = block_->index().Select(matchers);
  if (!refs) return std::make_unique<storage::EmptySeriesSet>(refs.error());
  return std::make_unique<BlockSeriesSet>(*block_, tombstones_, std::move(*refs), mint, maxt);
}

base::Result<std::vector<std::string>> BlockQuerier::LabelNames(
    const storage::LabelHints& hints, const std::vector<model::Matcher>& matchers) {
  std::vector<std::string> out;
  if (matchers.empty()) {
    out = block_->index().LabelNames();
  } else {
    ASSIGN_OR_RETURN(IndexReader::List refs, block_->index().Select(matchers));
    std::set<std::string, std::less<>> names;
    SeriesEntry s;
    for (uint64_t ref : refs) {
      RETURN_IF_ERROR(block_->index().ReadSeries(ref, &s));
      for (const model::Label& l : s.labels)
        if (names.find(l.name) == names.end()) names.emplace(l.name);
    }
    out.assign(names.begin(), names.end());
  }
  if (hints.limit > 0 && out.size() > hints.limit) out.resize(hints.limit);
  return out;
}

base::Result<std::vector<std::string>> BlockQuerier::LabelValues(
    const std::string& name, const storage::LabelHints& hints,
    const std::vector<model::Matcher>& matchers) {
  std::vector<std::string> out;
  if (matchers.empty()) {
    out = block_->index().LabelValues(name);
  } else {
    ASSIGN_OR_RETURN(IndexReader::List refs, block_->index().Select(matchers));
    std::set<std::string, std::less<>> values;
    SeriesEntry s;
    for (uint64_t ref : refs) {
      RETURN_IF_ERROR(block_->index().ReadSeries(ref, &s));
      std::string_view v = s.labels.Get(name);
      if (!v.empty() && values.find(v) == values.end()) values.emplace(v);
    }
    out.assign(values.begin(), values.end());
  }
  if (hints.limit > 0 && out.size() > hints.limit) out.resize(hints.limit);
  return out;
}

}  // namespace tsdb::block

#include "tsdb/head_querier.h"

#include <algorithm>
#include <set>

#include "tsdb/chunkenc/chunk_seq_iterator.h"

namespace tsdb {
namespace {

// Iterates the samples of a list of chunk snapshots within [mint, maxt].
class ChunksIterator final : public chunkenc::ChunkSeqIterator {
 public:
  ChunksIterator(const std::vector<ChunkMeta>& chunks, model::Timestamp mint, model::Timestamp maxt)
      : ChunkSeqIterator(mint, maxt), chunks_(chunks) {}

 protected:
  size_t NumChunks() const override { return chunks_.size(); }
  model::Timestamp ChunkMinTime(size_t i) const override { return chunks_[i].mint; }
  model::Timestamp ChunkMaxTime(size_t i) const override { return chunks_[i].maxt; }
  base::Result<std::unique_ptr<chunkenc::Iterator>> OpenChunk(
      size_t i, std::unique_ptr<chunkenc::Iterator> reuse) const override {
    return chunks_[i].chunk->NewIterator(std::move(reuse));
  }

 private:
  const std::vector<ChunkMeta>& chunks_;
};

class VectorSeriesSet final : public storage::SeriesSet {
 public:
  explicit VectorSeriesSet(std::vector<std::unique_ptr<HeadSeries>> series) : series_(std::move(series)) {}
  bool Next() override { return ++i_ < series_.size(); }
  storage::Series& At() override { return *series_[i_]; }

 private:
  std::vector<std::unique_ptr<HeadSeries>> series_;
  size_t i_ = static_cast<size_t>(-1);
};

}  // namespace

std::unique_ptr<storage::SampleIterator> HeadSeries::NewIterator(
    std::unique_ptr<storage::SampleIterator>) const {
  return std::make_unique<ChunksIterator>(chunks_, mint_, maxt_);
}

std::vector<MemSeries*> HeadQuerier::Matching(const std::vector<model::Matcher>& matchers) {
  std::vector<uint32_t> refs = head_.index_.Select(matchers);
  std::vector<MemSeries*> out;
  out.reserve(refs.size());
  for (uint32_t ref : refs) {
    MemSeries* s = head_.GetByRef(ref);
    if (s == nullptr) continue;
    std::lock_guard lock(s->mu);
    if (s->deleted || s->empty() || s->max_time() < mint_ || s->min_time() > maxt_) continue;
    out.push_back(s);
  }
  return out;
}

std::unique_ptr<storage::SeriesSet> HeadQuerier::Select(bool sorted, const storage::SelectHints* hints,
                                                        const std::vector<model::Matcher>& matchers) {
  // The hints narrow the querier's range: only the chunks a selector can read are snapshotted.
  const model::Timestamp mint = hints ? std::max(mint_, hints->start) : mint_;
  const model::Timestamp maxt = hints ? std::min(maxt_, hints->end) : maxt_;
  std::vector<uint32_t> refs = head_.index_.Select(matchers);
  std::vector<std::unique_ptr<HeadSeries>> series;
  series.reserve(refs.size());
  std::vector<ChunkMeta> chunks;
  for (uint32_t ref : refs) {
    MemSeries* s = head_.GetByRef(ref);
    if (s == nullptr) continue;
    chunks.clear();
    {
      std::lock_guard lock(s->mu);
      if (s->deleted) continue;
      s->Snapshot(mint, maxt, &chunks);
    }
    if (chunks.empty()) continue;
    series.push_back(std::make_unique<HeadSeries>(head_.LabelsOf(*s), chunks, mint, maxt));
  }
  if (sorted) {
    std::sort(series.begin(), series.end(), [](const auto& a, const auto& b) {
      return model::Labels::Compare(a->labels(), b->labels()) < 0;
    });
  }
  return std::make_unique<VectorSeriesSet>(std::move(series));
}

bool HeadQuerier::RangeCoversHead() const {
  return mint_ <= head_.min_time() && maxt_ >= head_.max_time();
}

base::Result<std::vector<std::string>> HeadQuerier::LabelNames(
    const storage::LabelHints& hints, const std::vector<model::Matcher>& matchers) {
  std::vector<std::string> out;
  if (matchers.empty() && RangeCoversHead()) {
    out = head_.index_.LabelNames();
  } else {
    std::set<uint32_t> names;
    for (MemSeries* s : Matching(matchers)) {
      auto syms = s->label_syms();
      for (size_t i = 0; i < syms.size(); i += 2) names.insert(syms[i]);
    }
    for (uint32_t n : names) out.emplace_back(head_.symbols_.Lookup(n));
    std::sort(out.begin(), out.end());
  }
  if (hints.limit > 0 && out.size() > hints.limit) out.resize(hints.limit);
  return out;
}

base::Result<std::vector<std::string>> HeadQuerier::LabelValues(
    const std::string& name, const storage::LabelHints& hints,
    const std::vector<model::Matcher>& matchers) {
  std::vector<std::string> out;
  if (matchers.empty() && RangeCoversHead()) {
    out = head_.index_.LabelValues(name);
  } else {
    auto name_sym = head_.symbols_.Find(name);
    if (!name_sym) return out;
    std::set<uint32_t> values;
    for (MemSeries* s : Matching(matchers)) {
      auto syms = s->label_syms();
      for (size_t i = 0; i + 1 < syms.size(); i += 2)
        if (syms[i] == *name_sym) values.insert(syms[i + 1]);
    }
    for (uint32_t v : values) out.emplace_back(head_.symbols_.Lookup(v));
    std::sort(out.begin(), out.end());
  }
  if (hints.limit > 0 && out.size() > hints.limit) out.resize(hints.limit);
  return out;
}

}  // namespace tsdb

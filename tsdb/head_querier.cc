#include "tsdb/head_querier.h"

#include <algorithm>
#include <optional>
#include <span>
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
    return chunkenc::NewIterator(chunkenc::Encoding::kXor, chunks_[i].bytes, std::move(reuse));
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

// Head::StreamSeries's set: the refs sorted by their labels' symbols up front (no Labels built),
// one HeadSeries rebuilt per Next().
class HeadSeriesStream final : public storage::SeriesSet {
 public:
  HeadSeriesStream(Head& head, model::Timestamp mint, model::Timestamp maxt)
      : head_(head), mint_(mint), maxt_(maxt) {
    const uint32_t end = head_.index_.next_ref();
    std::vector<std::pair<uint32_t, std::span<const uint32_t>>> live;
    for (uint32_t ref = 1; ref < end; ++ref) {
      MemSeries* s = head_.GetByRef(ref);
      if (s != nullptr) live.emplace_back(ref, s->label_syms());
    }
    // Labels::Compare's order, on the interned strings: name, then value, pair by pair; a
    // prefix sorts first.
    const index::SymbolTable& sym = head_.symbols_;
    std::sort(live.begin(), live.end(), [&sym](const auto& a, const auto& b) {
      const auto& x = a.second;
      const auto& y = b.second;
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (x[i] == y[i]) continue;
        return sym.Lookup(x[i]) < sym.Lookup(y[i]);
      }
      return x.size() < y.size();
    });
    refs_.reserve(live.size());
    for (const auto& [ref, syms] : live) refs_.push_back(ref);
  }

  bool Next() override {
    std::vector<ChunkMeta> chunks;
    while (++i_ < refs_.size()) {
      MemSeries* s = HeadQuerier::SnapshotSeries(head_, refs_[i_], mint_, maxt_, &chunks);
      if (s == nullptr) continue;
      current_.emplace(head_.LabelsOf(*s), std::move(chunks), mint_, maxt_);
      return true;
    }
    current_.reset();
    return false;
  }
  storage::Series& At() override { return *current_; }

 private:
  Head& head_;
  const model::Timestamp mint_, maxt_;
  std::vector<uint32_t> refs_;
  size_t i_ = static_cast<size_t>(-1);
  std::optional<HeadSeries> current_;
};

std::unique_ptr<storage::SeriesSet> Head::StreamSeries(model::Timestamp mint, model::Timestamp maxt) {
  return std::make_unique<HeadSeriesStream>(*this, mint, maxt);
}

std::unique_ptr<storage::SampleIterator> HeadSeries::NewIterator(
    std::unique_ptr<storage::SampleIterator>) const {
  return std::make_unique<ChunksIterator>(chunks_, mint_, maxt_);
}

MemSeries* HeadQuerier::SnapshotSeries(Head& head, uint32_t ref, model::Timestamp mint,
                                       model::Timestamp maxt, std::vector<ChunkMeta>* chunks) {
  MemSeries* s = head.GetByRef(ref);
  if (s == nullptr) return nullptr;
  chunks->clear();
  {
    std::lock_guard lock(s->mu);
    if (s->deleted) return nullptr;
    s->Snapshot(mint, maxt, *head.chunk_store_, chunks);
  }
  return chunks->empty() ? nullptr : s;
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
    MemSeries* s = SnapshotSeries(head_, ref, mint, maxt, &chunks);
    if (s == nullptr) continue;
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

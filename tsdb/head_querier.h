// HeadQuerier: reads the head's series for a time range; chunks are snapshotted at Select and
// decoded lazily by the iterators.
#pragma once

#include <memory>
#include <vector>

#include "storage/querier.h"
#include "tsdb/head.h"

namespace tsdb {

// A series read from the head: its labels and snapshots of its chunks overlapping [mint, maxt].
class HeadSeries final : public storage::Series {
 public:
  HeadSeries(model::Labels labels, std::vector<ChunkMeta> chunks, model::Timestamp mint,
             model::Timestamp maxt)
      : labels_(std::move(labels)), chunks_(std::move(chunks)), mint_(mint), maxt_(maxt) {}
  const model::Labels& labels() const override { return labels_; }
  std::unique_ptr<storage::SampleIterator> NewIterator(
      std::unique_ptr<storage::SampleIterator> reuse) const override;

 private:
  model::Labels labels_;
  std::vector<ChunkMeta> chunks_;
  model::Timestamp mint_, maxt_;
};

// Not thread-safe; the series it returns must not outlive it.
class HeadQuerier final : public storage::Querier {
 public:
  HeadQuerier(Head& head, model::Timestamp mint, model::Timestamp maxt)
      : head_(head), mint_(mint), maxt_(maxt) {}
  std::unique_ptr<storage::SeriesSet> Select(bool sorted, const storage::SelectHints* hints,
                                             const std::vector<model::Matcher>& matchers) override;
  base::Result<std::vector<std::string>> LabelNames(
      const storage::LabelHints& hints, const std::vector<model::Matcher>& matchers) override;
  base::Result<std::vector<std::string>> LabelValues(
      const std::string& name, const storage::LabelHints& hints,
      const std::vector<model::Matcher>& matchers) override;

  // The series `ref` with its chunks overlapping [mint, maxt] snapshotted into *chunks
  // (replaced), or null when the series is gone or has none there.
  static MemSeries* SnapshotSeries(Head& head, uint32_t ref, model::Timestamp mint,
                                   model::Timestamp maxt, std::vector<ChunkMeta>* chunks);

 private:
  // Series matching the matchers with samples in [mint_, maxt_], by ref.
  std::vector<MemSeries*> Matching(const std::vector<model::Matcher>& matchers);
  // Whether the index alone can answer label lookups (no matchers, range covers the head).
  bool RangeCoversHead() const;

  Head& head_;
  model::Timestamp mint_, maxt_;
};

}  // namespace tsdb

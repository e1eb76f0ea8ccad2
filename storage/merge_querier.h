// MergeQuerier: one Querier over several (persistent blocks and the head), as Prometheus
// storage/merge.go NewMergeQuerier with ChainedSeriesMerge: series merged by labels, the samples
// of a series present in several queriers merged by time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/querier.h"

namespace storage {

// Not thread-safe (as every Querier). Owns its queriers.
class MergeQuerier final : public Querier {
 public:
  explicit MergeQuerier(std::vector<std::unique_ptr<Querier>> queriers);

  // Selects from every querier (sorted) and merges: series in label order; a series found in
  // several queriers is one series whose samples are the union by timestamp. When two queriers
  // hold a sample at the same timestamp, the one of the querier earlier in the list is kept
  // (Prometheus keeps an arbitrary one). An error of any querier is the set's status.
  std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints* hints,
                                    const std::vector<model::Matcher>& matchers) override;
  // Sorted union of the queriers' answers, cut to hints.limit; the first error fails the call.
  base::Result<std::vector<std::string>> LabelNames(
      const LabelHints& hints, const std::vector<model::Matcher>& matchers) override;
  base::Result<std::vector<std::string>> LabelValues(
      const std::string& name, const LabelHints& hints,
      const std::vector<model::Matcher>& matchers) override;

 private:
  std::vector<std::unique_ptr<Querier>> queriers_;
};

// Merges iterators over the same series by time: strictly increasing output, a timestamp present
// in several of them taken from the one earliest in `its`. Not thread-safe.
class MergeSampleIterator final : public SampleIterator {
 public:
  explicit MergeSampleIterator(std::vector<std::unique_ptr<SampleIterator>> its);
  bool Next() override;
  bool Seek(Timestamp t) override;
  std::pair<Timestamp, double> At() const override { return cur_; }
  base::Status status() const override { return status_; }

 private:
  // Picks the smallest head among live iterators into cur_ and advances every iterator at that
  // timestamp; false when all are exhausted.
  bool Pick();

  std::vector<std::unique_ptr<SampleIterator>> its_;
  std::vector<bool> live_;  // its_[i] is positioned on a sample not yet returned
  std::pair<Timestamp, double> cur_{};
  bool started_ = false;
  bool done_ = false;
  base::Status status_;
};

}  // namespace storage

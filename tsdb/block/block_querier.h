// BlockQuerier: storage::Querier over one persistent block (Prometheus tsdb/querier.go
// blockQuerier): matchers through the index's postings, samples decoded from the memory-mapped
// chunks in place, deleted samples (tombstones) skipped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/querier.h"
#include "tsdb/block/block.h"

namespace tsdb::block {

// Not thread-safe; the series it returns must not outlive it. Holds the block alive.
class BlockQuerier final : public storage::Querier {
 public:
  BlockQuerier(std::shared_ptr<const Block> block, std::shared_ptr<const Tombstones> tombstones,
               model::Timestamp mint, model::Timestamp maxt)
      : block_(std::move(block)), tombstones_(std::move(tombstones)), mint_(mint), maxt_(maxt) {}

  // Series in label order whatever `sorted` says; an empty matcher list selects every series.
  // Only series with a sample in range (after deletions) are returned.
  std::unique_ptr<storage::SeriesSet> Select(bool sorted, const storage::SelectHints* hints,
                                             const std::vector<model::Matcher>& matchers) override;
  // As Prometheus, label names and values come from the block's index (series matching the
  // matchers), regardless of the querier's time range and of tombstones.
  base::Result<std::vector<std::string>> LabelNames(
      const storage::LabelHints& hints, const std::vector<model::Matcher>& matchers) override;
  base::Result<std::vector<std::string>> LabelValues(
      const std::string& name, const storage::LabelHints& hints,
      const std::vector<model::Matcher>& matchers) override;

 private:
  std::shared_ptr<const Block> block_;
  std::shared_ptr<const Tombstones> tombstones_;
  model::Timestamp mint_, maxt_;
};

}  // namespace tsdb::block

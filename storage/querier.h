// Queryable and Querier: the one way stored series are read (Prometheus storage/interface.go).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/matcher.h"
#include "storage/series.h"

namespace storage {

// Hints from the query engine; a Querier may use them to read less. start/end bound the
// samples a Select returns (intersected with the querier's range).
struct SelectHints {
  Timestamp start = model::kMinTime;
  Timestamp end = model::kMaxTime;
  int64_t step_ms = 0;
  std::string func;
};

struct LabelHints {
  // At most this many results; 0 means no limit.
  size_t limit = 0;
};

// Reads the series of a time range [mint, maxt] as of its creation. Not thread-safe; series and
// iterators it returns must not outlive it.
class Querier {
 public:
  virtual ~Querier() = default;
  // Series matching all matchers (at least one of which should not match the empty string),
  // with samples in [mint, maxt]; sorted by labels if `sorted`.
  virtual std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints* hints,
                                            const std::vector<model::Matcher>& matchers) = 0;
  // Sorted label names of series with samples in range that match all matchers (any series
  // when matchers is empty).
  virtual base::Result<std::vector<std::string>> LabelNames(
      const LabelHints& hints, const std::vector<model::Matcher>& matchers) = 0;
  // Sorted values of label `name` over series in range matching the matchers.
  virtual base::Result<std::vector<std::string>> LabelValues(
      const std::string& name, const LabelHints& hints,
      const std::vector<model::Matcher>& matchers) = 0;
};

// Thread-safe.
class Queryable {
 public:
  virtual ~Queryable() = default;
  virtual base::Result<std::unique_ptr<Querier>> NewQuerier(Timestamp mint, Timestamp maxt) = 0;
};

// A SeriesSet with no series, or only an error.
class EmptySeriesSet final : public SeriesSet {
 public:
  explicit EmptySeriesSet(base::Status s = base::Status::Ok()) : status_(std::move(s)) {}
  bool Next() override { return false; }
  Series& At() override { std::abort(); }
  base::Status status() const override { return status_; }

 private:
  base::Status status_;
};

}  // namespace storage

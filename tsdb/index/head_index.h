// HeadIndex: the inverted index of the head: for every label pair the sorted list of series
// refs carrying it, and the matcher evaluation of Prometheus's PostingsForMatchers over it.
#pragma once

#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/matcher.h"
#include "tsdb/index/symbol_table.h"

namespace tsdb::index {

// Thread-safe: a shared_mutex guards everything; lookups take it shared.
// Invariants: every postings list and all_ are strictly increasing; refs are added in
// increasing order (Add assigns the ref under the lock); a ref is in the list of (n, v) iff the
// series it names has label n=v and has not been deleted.
class HeadIndex {
 public:
  explicit HeadIndex(SymbolTable& symbols) : symbols_(symbols) {}
  HeadIndex(const HeadIndex&) = delete;
  HeadIndex& operator=(const HeadIndex&) = delete;

  // Adds a series with the next ref and returns that ref. `pairs` holds name, value symbol ids
  // alternately. `publish` is called with the new ref while the lock is held, so that the
  // series is findable by ref before any query can see it in a postings list.
  uint32_t Add(std::span<const uint32_t> pairs, const std::function<void(uint32_t)>& publish);
  // Adds a series with a given ref (WAL replay). REQUIRES: ref greater than every ref added.
  void AddWithRef(uint32_t ref, std::span<const uint32_t> pairs);
  // Removes series; `labels_of` gives each one's pairs.
  void Delete(const std::vector<uint32_t>& sorted_refs,
              const std::function<std::span<const uint32_t>(uint32_t)>& labels_of);

  // Refs of the series matching every matcher, ascending. An empty matcher list selects all.
  std::vector<uint32_t> Select(const std::vector<model::Matcher>& matchers) const;
  // Every label name / the values of one name, sorted, over all series in the index.
  std::vector<std::string> LabelNames() const;
  std::vector<std::string> LabelValues(std::string_view name) const;

  size_t NumSeries() const;
  uint32_t next_ref() const;

  struct Cardinality {
    std::string name;
    uint64_t value;
  };
  struct Stats {
    uint64_t num_label_pairs = 0;
    std::vector<Cardinality> series_by_metric_name;
    std::vector<Cardinality> values_by_label_name;
    std::vector<Cardinality> memory_by_label_name;
    std::vector<Cardinality> series_by_label_pair;
  };
  // Top `limit` of each list, largest first (Prometheus's /api/v1/status/tsdb).
  Stats ComputeStats(size_t limit) const;
  size_t ByteSize() const;

 private:
  using List = std::vector<uint32_t>;
  using Values = std::unordered_map<uint32_t, List>;
  // The view PostingsForMatchers (postings_for_matchers.h) reads. REQUIRES: mu_ held.
  struct Reader;
  void AddLocked(uint32_t ref, std::span<const uint32_t> pairs);

  SymbolTable& symbols_;
  mutable std::shared_mutex mu_;
  uint32_t next_ref_ = 1;                          // GUARDED_BY(mu_)
  List all_;                                       // GUARDED_BY(mu_)
  std::unordered_map<uint32_t, Values> postings_;  // GUARDED_BY(mu_) name -> value -> refs
};

}  // namespace tsdb::index

// Test helpers for the block tests: in-memory series sets and readers of query results.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/labels.h"
#include "storage/querier.h"

namespace tsdb::block::testing {

using SeriesMap = std::map<model::Labels, std::vector<model::Sample>>;

class VectorSeries final : public storage::Series {
 public:
  VectorSeries(model::Labels l, std::vector<model::Sample> s)
      : labels_(std::move(l)), samples_(std::move(s)) {}
  const model::Labels& labels() const override { return labels_; }
  std::unique_ptr<storage::SampleIterator> NewIterator(
      std::unique_ptr<storage::SampleIterator>) const override {
    return std::make_unique<storage::VectorIterator>(samples_);
  }

 private:
  model::Labels labels_;
  std::vector<model::Sample> samples_;
};

// The series of a SeriesMap in label order.
class MapSeriesSet final : public storage::SeriesSet {
 public:
  explicit MapSeriesSet(const SeriesMap& m) {
    for (const auto& [l, s] : m) series_.push_back(std::make_unique<VectorSeries>(l, s));
  }
  bool Next() override { return ++i_ < series_.size(); }
  storage::Series& At() override { return *series_[i_]; }

 private:
  std::vector<std::unique_ptr<VectorSeries>> series_;
  size_t i_ = static_cast<size_t>(-1);
};

// Reads every series of a set with Next/At (or ReadAll when `bulk`), in the set's order.
inline std::vector<std::pair<model::Labels, std::vector<model::Sample>>> ReadSet(
    storage::SeriesSet& set, bool bulk = false, base::Status* status = nullptr) {
  std::vector<std::pair<model::Labels, std::vector<model::Sample>>> out;
  base::Status st;
  while (set.Next()) {
    auto it = set.At().NewIterator();
    std::vector<model::Sample> samples;
    if (bulk) {
      st = it->ReadAll(model::kMinTime, model::kMaxTime, &samples);
    } else {
      while (it->Next()) samples.push_back({it->At().first, it->At().second});
      st = it->status();
    }
    if (!st.ok()) break;
    out.emplace_back(set.At().labels(), std::move(samples));
  }
  if (st.ok()) st = set.status();
  if (status != nullptr) {
    *status = st;
  } else {
    INFO(st.ToString());
    REQUIRE(st.ok());
  }
  return out;
}

inline model::Matcher M(model::MatchType t, std::string name, std::string value) {
  auto m = model::Matcher::Make(t, std::move(name), std::move(value));
  REQUIRE(m.ok());
  return std::move(*m);
}

}  // namespace tsdb::block::testing

namespace tsdb::block::testing {

// Samples as comparable pairs (values bit-exact through ==, no NaNs in these tests).
inline std::vector<std::pair<int64_t, double>> Pairs(const std::vector<model::Sample>& s) {
  std::vector<std::pair<int64_t, double>> out;
  out.reserve(s.size());
  for (const model::Sample& x : s) out.emplace_back(x.t, x.v);
  return out;
}

}  // namespace tsdb::block::testing

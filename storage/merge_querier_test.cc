#include "storage/merge_querier.h"

#include <catch2/catch.hpp>
#include <map>

namespace storage {
namespace {

using Samples = std::vector<std::pair<Timestamp, double>>;
using Data = std::map<model::Labels, Samples>;

class VecSeries final : public Series {
 public:
  VecSeries(model::Labels l, const Samples& s) : labels_(std::move(l)) {
    for (auto [t, v] : s) samples_.push_back({t, v});
  }
  const model::Labels& labels() const override { return labels_; }
  std::unique_ptr<SampleIterator> NewIterator(std::unique_ptr<SampleIterator>) const override {
    return std::make_unique<VectorIterator>(samples_);
  }

 private:
  model::Labels labels_;
  std::vector<model::Sample> samples_;
};

class VecSet final : public SeriesSet {
 public:
  VecSet(std::vector<std::unique_ptr<VecSeries>> s, base::Status st)
      : series_(std::move(s)), status_(std::move(st)) {}
  bool Next() override { return ++i_ < series_.size(); }
  Series& At() override { return *series_[i_]; }
  base::Status status() const override { return status_; }

 private:
  std::vector<std::unique_ptr<VecSeries>> series_;
  size_t i_ = static_cast<size_t>(-1);
  base::Status status_;
};

// A querier over fixed data: Select ignores matchers except __name__ equality.
class FakeQuerier final : public Querier {
 public:
  explicit FakeQuerier(Data d, base::Status err = {}) : data_(std::move(d)), err_(std::move(err)) {}
  std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints*,
                                    const std::vector<model::Matcher>& ms) override {
    CHECK(sorted);  // the merge needs sorted input
    std::vector<std::unique_ptr<VecSeries>> out;
    for (const auto& [l, s] : data_) {
      bool ok = true;
      for (const auto& m : ms) ok = ok && m.Matches(l.Get(m.name()));
      if (ok) out.push_back(std::make_unique<VecSeries>(l, s));
    }
    return std::make_unique<VecSet>(std::move(out), err_);
  }
  base::Result<std::vector<std::string>> LabelNames(const LabelHints&,
                                                    const std::vector<model::Matcher>&) override {
    if (!err_.ok()) return err_;
    std::vector<std::string> out;
    for (const auto& [l, s] : data_)
      for (const auto& lab : l) out.emplace_back(lab.name);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  base::Result<std::vector<std::string>> LabelValues(const std::string& name, const LabelHints&,
                                                     const std::vector<model::Matcher>&) override {
    if (!err_.ok()) return err_;
    std::vector<std::string> out;
    for (const auto& [l, s] : data_)
      if (l.Has(name)) out.emplace_back(l.Get(name));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

 private:
  Data data_;
  base::Status err_;
};

std::vector<std::pair<model::Labels, Samples>> ReadAll(SeriesSet& set) {
  std::vector<std::pair<model::Labels, Samples>> out;
  while (set.Next()) {
    Samples s;
    auto it = set.At().NewIterator();
    while (it->Next()) s.push_back(it->At());
    REQUIRE(it->status().ok());
    out.emplace_back(set.At().labels(), s);
  }
  return out;
}

const model::Labels kA{{"__name__", "a"}}, kB{{"__name__", "b"}}, kC{{"__name__", "c"}};

std::unique_ptr<MergeQuerier> Make(std::vector<Data> parts) {
  std::vector<std::unique_ptr<Querier>> qs;
  for (auto& d : parts) qs.push_back(std::make_unique<FakeQuerier>(std::move(d)));
  return std::make_unique<MergeQuerier>(std::move(qs));
}

TEST_CASE("MergeQuerier merges series by labels and samples by time", "[storage][merge]") {
  auto q = Make({
      Data{{kA, {{1, 1}, {5, 5}, {9, 9}}}, {kC, {{1, 100}}}},
      Data{{kA, {{2, 2}, {5, 50}, {10, 10}}}, {kB, {{3, 3}}}},
      Data{{kA, {{0, 0}, {9, 90}}}, {kC, {{1, 200}, {2, 201}}}},
  });
  auto set = q->Select(false, nullptr, {});
  auto got = ReadAll(*set);
  CHECK(set->status().ok());
  REQUIRE(got.size() == 3);
  CHECK(got[0].first == kA);
  // Duplicate timestamps keep the earliest querier's sample.
  CHECK(got[0].second == Samples{{0, 0}, {1, 1}, {2, 2}, {5, 5}, {9, 9}, {10, 10}});
  CHECK(got[1].first == kB);
  CHECK(got[1].second == Samples{{3, 3}});
  CHECK(got[2].first == kC);
  CHECK(got[2].second == Samples{{1, 100}, {2, 201}});
}

TEST_CASE("MergeSampleIterator seeks and reads in bulk like its Next", "[storage][merge]") {
  auto make = [] {
    std::vector<std::unique_ptr<SampleIterator>> its;
    its.push_back(
        std::make_unique<VectorIterator>(std::vector<model::Sample>{{1, 1}, {4, 4}, {8, 8}}));
    its.push_back(
        std::make_unique<VectorIterator>(std::vector<model::Sample>{{2, 2}, {4, 40}, {6, 6}}));
    its.push_back(std::make_unique<VectorIterator>(std::vector<model::Sample>{}));
    return MergeSampleIterator(std::move(its));
  };
  auto it = make();
  REQUIRE(it.Seek(3));
  CHECK(it.At() == std::pair<Timestamp, double>{4, 4});
  REQUIRE(it.Seek(2));  // never backwards
  CHECK(it.At().first == 4);
  REQUIRE(it.Next());
  CHECK(it.At().first == 6);
  REQUIRE(it.Seek(7));
  CHECK(it.At().first == 8);
  CHECK_FALSE(it.Next());
  CHECK_FALSE(it.Seek(0));

  auto bulk = make();
  std::vector<model::Sample> out;
  REQUIRE(bulk.ReadAll(2, 6, &out).ok());
  REQUIRE(out.size() == 3);
  CHECK(out[0].t == 2);
  CHECK(out[1].t == 4);
  CHECK(out[1].v == 4);
  CHECK(out[2].t == 6);

  auto first = make();
  REQUIRE(first.Seek(0));
  CHECK(first.At().first == 1);
}

TEST_CASE("MergeQuerier unions label names and values and reports errors", "[storage][merge]") {
  auto q = Make({Data{{model::Labels{{"__name__", "a"}, {"x", "1"}}, {{1, 1}}}},
                 Data{{model::Labels{{"__name__", "b"}, {"y", "2"}}, {{1, 1}}}}});
  auto names = q->LabelNames({}, {});
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"__name__", "x", "y"});
  auto values = q->LabelValues("__name__", {}, {});
  REQUIRE(values.ok());
  CHECK(*values == std::vector<std::string>{"a", "b"});
  LabelHints limit;
  limit.limit = 2;
  auto limited = q->LabelNames(limit, {});
  REQUIRE(limited.ok());
  CHECK(limited->size() == 2);

  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(std::make_unique<FakeQuerier>(Data{{kA, {{1, 1}}}}));
  qs.push_back(std::make_unique<FakeQuerier>(Data{{kB, {{1, 1}}}}, base::IOError("disk on fire")));
  MergeQuerier failing(std::move(qs));
  auto set = failing.Select(true, nullptr, {});
  while (set->Next()) {
  }
  CHECK(set->status().code() == base::StatusCode::kIOError);
  CHECK_FALSE(failing.LabelNames({}, {}).ok());
}

}  // namespace
}  // namespace storage

// Postings: iterators over sorted series references, and the set operations queries combine
// them with (as Prometheus tsdb/index/postings.go).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace tsdb::index {

using SeriesRef = uint64_t;

// Iterates strictly increasing SeriesRefs. Not thread-safe.
class Postings {
 public:
  virtual ~Postings() = default;
  virtual bool Next() = 0;
  // Advances to the first ref >= v (staying if already there); false when none.
  virtual bool Seek(SeriesRef v) = 0;
  // REQUIRES: the last Next/Seek returned true.
  virtual SeriesRef At() const = 0;
};

// Postings over a sorted vector it owns.
class ListPostings final : public Postings {
 public:
  explicit ListPostings(std::vector<SeriesRef> refs) : refs_(std::move(refs)) {}
  bool Next() override;
  bool Seek(SeriesRef v) override;
  SeriesRef At() const override { return refs_[i_]; }

 private:
  std::vector<SeriesRef> refs_;
  size_t i_ = static_cast<size_t>(-1);
};

using PostingsPtr = std::unique_ptr<Postings>;

PostingsPtr EmptyPostings();
// Refs present in all of `its` (empty when `its` is empty).
PostingsPtr Intersect(std::vector<PostingsPtr> its);
// Refs present in any of `its`, each once.
PostingsPtr Merge(std::vector<PostingsPtr> its);
// Refs of `full` not in `drop`.
PostingsPtr Without(PostingsPtr full, PostingsPtr drop);
std::vector<SeriesRef> Expand(Postings& p);

// The same operations on sorted vectors, used where lists are already materialised.
std::vector<SeriesRef> IntersectSorted(std::span<const SeriesRef> a, std::span<const SeriesRef> b);
std::vector<SeriesRef> MergeSorted(std::vector<std::span<const SeriesRef>> lists);
std::vector<SeriesRef> WithoutSorted(std::span<const SeriesRef> full, std::span<const SeriesRef> drop);

}  // namespace tsdb::index

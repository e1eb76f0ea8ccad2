// Postings: iterators over sorted series references, and the set operations queries combine
// them with (as Prometheus tsdb/index/postings.go).
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
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

// The same operations on materialised sorted lists (the head keeps uint32_t refs).
template <typename T>
std::vector<T> IntersectSorted(std::span<const T> a, std::span<const T> b) {
  if (a.size() > b.size()) std::swap(a, b);
  std::vector<T> out;
  out.reserve(a.size());
  if (a.size() * 16 < b.size()) {
    // Gallop through the longer list when the shorter one is much shorter.
    auto it = b.begin();
    for (T v : a) {
      it = std::lower_bound(it, b.end(), v);
      if (it == b.end()) break;
      if (*it == v) out.push_back(v);
    }
    return out;
  }
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

template <typename T>
std::vector<T> MergeSorted(std::vector<std::span<const T>> lists) {
  std::erase_if(lists, [](auto s) { return s.empty(); });
  if (lists.empty()) return {};
  if (lists.size() == 1) return {lists[0].begin(), lists[0].end()};
  size_t total = 0;
  for (auto s : lists) total += s.size();
  std::vector<T> out;
  out.reserve(total);
  for (auto s : lists) out.insert(out.end(), s.begin(), s.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

template <typename T>
std::vector<T> WithoutSorted(std::span<const T> full, std::span<const T> drop) {
  std::vector<T> out;
  out.reserve(full.size());
  std::set_difference(full.begin(), full.end(), drop.begin(), drop.end(), std::back_inserter(out));
  return out;
}

}  // namespace tsdb::index

#include "tsdb/index/head_index.h"

#include <algorithm>
#include <mutex>

#include "base/check.h"
#include "tsdb/index/postings.h"
#include "tsdb/index/postings_for_matchers.h"

namespace tsdb::index {
namespace {

using List = std::vector<uint32_t>;

List MergeLists(const std::vector<const List*>& lists) {
  std::vector<std::span<const uint32_t>> spans;
  spans.reserve(lists.size());
  for (const List* l : lists) spans.emplace_back(*l);
  return MergeSorted<uint32_t>(std::move(spans));
}
List Subtract(const List& full, const List& drop) { return WithoutSorted<uint32_t>(full, drop); }

void InsertSorted(List& l, uint32_t ref) {
  if (l.empty() || l.back() < ref) {
    l.push_back(ref);
  } else {
    l.insert(std::lower_bound(l.begin(), l.end(), ref), ref);
  }
}

}  // namespace

void HeadIndex::AddLocked(uint32_t ref, std::span<const uint32_t> pairs) {
  InsertSorted(all_, ref);
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) InsertSorted(postings_[pairs[i]][pairs[i + 1]], ref);
}

uint32_t HeadIndex::Add(std::span<const uint32_t> pairs, const std::function<void(uint32_t)>& publish) {
  std::unique_lock lock(mu_);
  INVARIANT(next_ref_ != UINT32_MAX);
  uint32_t ref = next_ref_++;
  publish(ref);
  AddLocked(ref, pairs);
  return ref;
}

void HeadIndex::AddWithRef(uint32_t ref, std::span<const uint32_t> pairs) {
  std::unique_lock lock(mu_);
  if (ref >= next_ref_) next_ref_ = ref + 1;
  AddLocked(ref, pairs);
}

void HeadIndex::Delete(const std::vector<uint32_t>& sorted_refs,
                       const std::function<std::span<const uint32_t>(uint32_t)>& labels_of) {
  if (sorted_refs.empty()) return;
  // Group the refs by the pair lists they must leave, then subtract once per list.
  std::unordered_map<uint32_t, std::unordered_map<uint32_t, List>> drop;
  for (uint32_t ref : sorted_refs) {
    auto pairs = labels_of(ref);
    for (size_t i = 0; i + 1 < pairs.size(); i += 2) drop[pairs[i]][pairs[i + 1]].push_back(ref);
  }
  std::unique_lock lock(mu_);
  all_ = Subtract(all_, sorted_refs);
  for (auto& [name, values] : drop) {
    auto nit = postings_.find(name);
    if (nit == postings_.end()) continue;
    for (auto& [value, refs] : values) {
      auto vit = nit->second.find(value);
      if (vit == nit->second.end()) continue;
      vit->second = Subtract(vit->second, refs);
      if (vit->second.empty()) nit->second.erase(vit);
    }
    if (nit->second.empty()) postings_.erase(nit);
  }
}

struct HeadIndex::Reader {
  using List = HeadIndex::List;
  const HeadIndex& index;

  const Values* ValuesOf(std::string_view name) const {
    auto sym = index.symbols_.Find(name);
    if (!sym) return nullptr;
    auto it = index.postings_.find(*sym);
    return it == index.postings_.end() ? nullptr : &it->second;
  }
  List All() const { return index.all_; }
  bool HasName(std::string_view name) const { return ValuesOf(name) != nullptr; }
  template <typename Pred>
  List Matching(std::string_view name, const Pred& pred) const {
    const Values* values = ValuesOf(name);
    if (values == nullptr) return {};
    std::vector<const List*> lists;
    for (const auto& [v, refs] : *values)
      if (pred(index.symbols_.Lookup(v))) lists.push_back(&refs);
    return MergeLists(lists);
  }
  List ForValues(std::string_view name, const std::vector<std::string>& literals) const {
    const Values* values = ValuesOf(name);
    if (values == nullptr) return {};
    std::vector<const List*> lists;
    for (const std::string& lit : literals) {
      auto sym = index.symbols_.Find(lit);
      if (!sym) continue;
      if (auto it = values->find(*sym); it != values->end()) lists.push_back(&it->second);
    }
    return MergeLists(lists);
  }
};

std::vector<uint32_t> HeadIndex::Select(const std::vector<model::Matcher>& matchers) const {
  std::shared_lock lock(mu_);
  return PostingsForMatchers(Reader{*this}, matchers);
}

std::vector<std::string> HeadIndex::LabelNames() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(postings_.size());
  for (const auto& [name, values] : postings_) out.emplace_back(symbols_.Lookup(name));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> HeadIndex::LabelValues(std::string_view name) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  auto sym = symbols_.Find(name);
  if (!sym) return out;
  auto it = postings_.find(*sym);
  if (it == postings_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [v, refs] : it->second) out.emplace_back(symbols_.Lookup(v));
  std::sort(out.begin(), out.end());
  return out;
}

size_t HeadIndex::NumSeries() const {
  std::shared_lock lock(mu_);
  return all_.size();
}

uint32_t HeadIndex::next_ref() const {
  std::shared_lock lock(mu_);
  return next_ref_;
}

HeadIndex::Stats HeadIndex::ComputeStats(size_t limit) const {
  std::shared_lock lock(mu_);
  Stats s;
  auto top = [limit](std::vector<Cardinality> v) {
    std::sort(v.begin(), v.end(), [](const Cardinality& a, const Cardinality& b) {
      return a.value != b.value ? a.value > b.value : a.name < b.name;
    });
    if (v.size() > limit) v.resize(limit);
    return v;
  };
  std::vector<Cardinality> by_metric, by_name, mem, by_pair;
  auto metric_sym = symbols_.Find("__name__");
  for (const auto& [name, values] : postings_) {
    std::string_view n = symbols_.Lookup(name);
    uint64_t bytes = 0;
    for (const auto& [v, refs] : values) {
      std::string_view vs = symbols_.Lookup(v);
      bytes += vs.size();
      by_pair.push_back({std::string(n) + "=" + std::string(vs), refs.size()});
      if (metric_sym && name == *metric_sym) by_metric.push_back({std::string(vs), refs.size()});
    }
    s.num_label_pairs += values.size();
    by_name.push_back({std::string(n), values.size()});
    mem.push_back({std::string(n), bytes});
  }
  s.series_by_metric_name = top(std::move(by_metric));
  s.values_by_label_name = top(std::move(by_name));
  s.memory_by_label_name = top(std::move(mem));
  s.series_by_label_pair = top(std::move(by_pair));
  return s;
}

size_t HeadIndex::ByteSize() const {
  std::shared_lock lock(mu_);
  size_t n = all_.capacity() * sizeof(uint32_t) + postings_.size() * 64;
  for (const auto& [name, values] : postings_)
    for (const auto& [v, refs] : values) n += 64 + refs.capacity() * sizeof(uint32_t);
  return n;
}

}  // namespace tsdb::index

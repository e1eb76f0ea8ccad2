#include "storage/merge_querier.h"

#include <algorithm>

namespace storage {
namespace {

// One series present in several queriers.
class MergedSeries final : public Series {
 public:
  explicit MergedSeries(std::vector<Series*> parts) : parts_(std::move(parts)) {}
  const model::Labels& labels() const override { return parts_[0]->labels(); }
  std::unique_ptr<SampleIterator> NewIterator(std::unique_ptr<SampleIterator>) const override {
    std::vector<std::unique_ptr<SampleIterator>> its;
    its.reserve(parts_.size());
    for (Series* p : parts_) its.push_back(p->NewIterator());
    return std::make_unique<MergeSampleIterator>(std::move(its));
  }

 private:
  std::vector<Series*> parts_;  // owned by the sets of MergeSeriesSet, which outlive this
};

// k-way merge of sorted sets by labels.
class MergeSeriesSet final : public SeriesSet {
 public:
  explicit MergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets)
      : sets_(std::move(sets)), live_(sets_.size(), false) {}

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < sets_.size(); ++i) Advance(i);
    }
    if (!status_.ok()) return false;
    // The smallest labels among the sets' current series, and every set positioned on them.
    const model::Labels* min = nullptr;
    for (size_t i = 0; i < sets_.size(); ++i) {
      if (!live_[i]) continue;
      const model::Labels& l = sets_[i]->At().labels();
      if (min == nullptr || model::Labels::Compare(l, *min) < 0) min = &l;
    }
    if (min == nullptr) return false;
    std::vector<size_t> at;
    for (size_t i = 0; i < sets_.size(); ++i)
      if (live_[i] && model::Labels::Compare(sets_[i]->At().labels(), *min) == 0) at.push_back(i);
    if (at.size() == 1) {
      cur_ = &sets_[at[0]]->At();
    } else {
      std::vector<Series*> parts;
      for (size_t i : at) parts.push_back(&sets_[i]->At());
      merged_.push_back(std::make_unique<MergedSeries>(std::move(parts)));
      cur_ = merged_.back().get();
    }
    for (size_t i : at) Advance(i);
    return true;
  }
  Series& At() override { return *cur_; }
  base::Status status() const override { return status_; }

 private:
  void Advance(size_t i) {
    live_[i] = sets_[i]->Next();
    if (!live_[i]) {
      base::Status s = sets_[i]->status();
      if (!s.ok() && status_.ok()) status_ = std::move(s);
    }
  }

  std::vector<std::unique_ptr<SeriesSet>> sets_;
  std::vector<bool> live_;
  std::vector<std::unique_ptr<MergedSeries>> merged_;
  Series* cur_ = nullptr;
  bool started_ = false;
  base::Status status_;
};

// The sorted union of several sorted lists, cut to `limit` (0: no limit).
std::vector<std::string> UnionSorted(std::vector<std::vector<std::string>> lists, size_t limit) {
  std::vector<std::string> out;
  for (auto& l : lists) {
    std::vector<std::string> merged;
    merged.reserve(out.size() + l.size());
    std::set_union(std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()),
                   std::make_move_iterator(l.begin()), std::make_move_iterator(l.end()),
                   std::back_inserter(merged));
    out = std::move(merged);
  }
  if (limit > 0 && out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace

MergeSampleIterator::MergeSampleIterator(std::vector<std::unique_ptr<SampleIterator>> its)
    : its_(std::move(its)), live_(its_.size(), false) {}

bool MergeSampleIterator::Pick() {
  size_t best = its_.size();
  for (size_t i = 0; i < its_.size(); ++i) {
    if (live_[i] && (best == its_.size() || its_[i]->At().first < its_[best]->At().first)) best = i;
  }
  if (best == its_.size()) {
    done_ = true;
    return false;
  }
  cur_ = its_[best]->At();
  for (size_t i = 0; i < its_.size(); ++i) {
    if (!live_[i] || its_[i]->At().first != cur_.first) continue;
    live_[i] = its_[i]->Next();
    if (!live_[i] && !its_[i]->status().ok()) {
      status_ = its_[i]->status();
      done_ = true;
      return false;
    }
  }
  return true;
}

bool MergeSampleIterator::Next() {
  if (done_) return false;
  if (!started_) {
    started_ = true;
    for (size_t i = 0; i < its_.size(); ++i) {
      live_[i] = its_[i]->Next();
      if (!live_[i] && !its_[i]->status().ok()) {
        status_ = its_[i]->status();
        done_ = true;
        return false;
      }
    }
  }
  return Pick();
}

bool MergeSampleIterator::Seek(Timestamp t) {
  if (done_) return false;
  if (started_ && cur_.first >= t) return true;
  for (size_t i = 0; i < its_.size(); ++i) {
    if (started_ && !live_[i]) continue;
    live_[i] = its_[i]->Seek(t);
    if (!live_[i] && !its_[i]->status().ok()) {
      status_ = its_[i]->status();
      done_ = true;
      return false;
    }
  }
  started_ = true;
  return Pick();
}

MergeQuerier::MergeQuerier(std::vector<std::unique_ptr<Querier>> queriers)
    : queriers_(std::move(queriers)) {}

std::unique_ptr<SeriesSet> MergeQuerier::Select(bool sorted, const SelectHints* hints,
                                                const std::vector<model::Matcher>& matchers) {
  if (queriers_.empty()) return std::make_unique<EmptySeriesSet>();
  if (queriers_.size() == 1) return queriers_[0]->Select(sorted, hints, matchers);
  std::vector<std::unique_ptr<SeriesSet>> sets;
  sets.reserve(queriers_.size());
  for (auto& q : queriers_) sets.push_back(q->Select(true, hints, matchers));
  return std::make_unique<MergeSeriesSet>(std::move(sets));
}

base::Result<std::vector<std::string>> MergeQuerier::LabelNames(
    const LabelHints& hints, const std::vector<model::Matcher>& matchers) {
  std::vector<std::vector<std::string>> lists;
  for (auto& q : queriers_) {
    ASSIGN_OR_RETURN(std::vector<std::string> l, q->LabelNames(hints, matchers));
    lists.push_back(std::move(l));
  }
  return UnionSorted(std::move(lists), hints.limit);
}

base::Result<std::vector<std::string>> MergeQuerier::LabelValues(
    const std::string& name, const LabelHints& hints, const std::vector<model::Matcher>& matchers) {
  std::vector<std::vector<std::string>> lists;
  for (auto& q : queriers_) {
    ASSIGN_OR_RETURN(std::vector<std::string> l, q->LabelValues(name, hints, matchers));
    lists.push_back(std::move(l));
  }
  return UnionSorted(std::move(lists), hints.limit);
}

}  // namespace storage

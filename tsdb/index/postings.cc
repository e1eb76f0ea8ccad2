#include "tsdb/index/postings.h"

#include <algorithm>
#include <queue>

namespace tsdb::index {

bool ListPostings::Next() {
  ++i_;
  return i_ < refs_.size();
}

bool ListPostings::Seek(SeriesRef v) {
  if (i_ == static_cast<size_t>(-1)) i_ = 0;
  if (i_ >= refs_.size()) return false;
  if (refs_[i_] >= v) return true;
  i_ = std::lower_bound(refs_.begin() + static_cast<std::ptrdiff_t>(i_), refs_.end(), v) -
       refs_.begin();
  return i_ < refs_.size();
}

namespace {

class Empty final : public Postings {
 public:
  bool Next() override { return false; }
  bool Seek(SeriesRef) override { return false; }
  SeriesRef At() const override { return 0; }
};

class IntersectPostings final : public Postings {
 public:
  explicit IntersectPostings(std::vector<PostingsPtr> its) : its_(std::move(its)) {}
  bool Next() override {
    if (!its_[0]->Next()) return false;
    return DoSeek(its_[0]->At());
  }
  bool Seek(SeriesRef v) override {
    if (!its_[0]->Seek(v)) return false;
    return DoSeek(its_[0]->At());
  }
  SeriesRef At() const override { return cur_; }

 private:
  // Leapfrogs until every iterator agrees on one ref.
  bool DoSeek(SeriesRef target) {
    for (;;) {
      bool agreed = true;
      for (auto& it : its_) {
        if (!it->Seek(target)) return false;
        if (it->At() > target) {
          target = it->At();
          agreed = false;
          break;
        }
      }
      if (agreed) {
        cur_ = target;
        return true;
      }
    }
  }
  std::vector<PostingsPtr> its_;
  SeriesRef cur_ = 0;
};

class MergePostings final : public Postings {
 public:
  explicit MergePostings(std::vector<PostingsPtr> its) : its_(std::move(its)) {}
  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < its_.size(); ++i)
        if (its_[i]->Next()) heap_.push({its_[i]->At(), i});
    } else {
      Advance();
    }
    return Current();
  }
  bool Seek(SeriesRef v) override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < its_.size(); ++i)
        if (its_[i]->Seek(v)) heap_.push({its_[i]->At(), i});
      return Current();
    }
    if (has_cur_ && cur_ >= v) return true;
    std::vector<size_t> live;
    while (!heap_.empty()) {
      live.push_back(heap_.top().second);
      heap_.pop();
    }
    for (size_t i : live)
      if (its_[i]->Seek(v)) heap_.push({its_[i]->At(), i});
    return Current();
  }
  SeriesRef At() const override { return cur_; }

 private:
  using Entry = std::pair<SeriesRef, size_t>;
  void Advance() {
    // Pop every iterator positioned on the current ref and move it on.
    while (!heap_.empty() && heap_.top().first == cur_) {
      size_t i = heap_.top().second;
      heap_.pop();
      if (its_[i]->Next()) heap_.push({its_[i]->At(), i});
    }
  }
  bool Current() {
    has_cur_ = !heap_.empty();
    if (has_cur_) cur_ = heap_.top().first;
    return has_cur_;
  }
  std::vector<PostingsPtr> its_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  bool started_ = false;
  bool has_cur_ = false;
  SeriesRef cur_ = 0;
};

class WithoutPostings final : public Postings {
 public:
  WithoutPostings(PostingsPtr full, PostingsPtr drop) : full_(std::move(full)), drop_(std::move(drop)) {}
  bool Next() override { return full_->Next() && Skip(); }
  bool Seek(SeriesRef v) override { return full_->Seek(v) && Skip(); }
  SeriesRef At() const override { return full_->At(); }

 private:
  bool Skip() {
    for (;;) {
      SeriesRef v = full_->At();
      if (drop_ok_ && (!drop_started_ || drop_->At() < v)) {
        drop_started_ = true;
        drop_ok_ = drop_->Seek(v);
      }
      if (!drop_ok_ || drop_->At() != v) return true;
      if (!full_->Next()) return false;
    }
  }
  PostingsPtr full_, drop_;
  bool drop_ok_ = true;
  bool drop_started_ = false;
};

}  // namespace

PostingsPtr EmptyPostings() { return std::make_unique<Empty>(); }

PostingsPtr Intersect(std::vector<PostingsPtr> its) {
  if (its.empty()) return EmptyPostings();
  if (its.size() == 1) return std::move(its[0]);
  return std::make_unique<IntersectPostings>(std::move(its));
}

PostingsPtr Merge(std::vector<PostingsPtr> its) {
  if (its.empty()) return EmptyPostings();
  if (its.size() == 1) return std::move(its[0]);
  return std::make_unique<MergePostings>(std::move(its));
}

PostingsPtr Without(PostingsPtr full, PostingsPtr drop) {
  return std::make_unique<WithoutPostings>(std::move(full), std::move(drop));
}

std::vector<SeriesRef> Expand(Postings& p) {
  std::vector<SeriesRef> out;
  while (p.Next()) out.push_back(p.At());
  return out;
}

}  // namespace tsdb::index

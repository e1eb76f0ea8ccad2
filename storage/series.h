// Series, SeriesSet and SampleIterator: what a Querier returns (Prometheus storage/interface.go).
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/sample.h"

namespace storage {

using model::Timestamp;

// Iterates a series' samples in strictly increasing time order. Not thread-safe.
class SampleIterator {
 public:
  virtual ~SampleIterator() = default;
  // Advances to the next sample; false at the end or on error (see status()).
  virtual bool Next() = 0;
  // Advances to the first sample with timestamp >= t (staying put if already there); false if
  // none. Never moves backwards.
  virtual bool Seek(Timestamp t) = 0;
  // The current sample. REQUIRES: the last Next/Seek returned true.
  virtual std::pair<Timestamp, double> At() const = 0;
  virtual base::Status status() const { return base::Status::Ok(); }

  // Appends every sample with mint <= t <= maxt to *out, in order, and leaves the iterator
  // exhausted. REQUIRES: a fresh iterator (no Next or Seek yet). Returns status(). The default
  // reads through Seek/Next/At; chunk iterators decode in bulk, without a virtual call per
  // sample (the evaluator's hot loop).
  virtual base::Status ReadAll(Timestamp mint, Timestamp maxt, std::vector<model::Sample>* out) {
    if (Seek(mint)) {
      do {
        auto [t, v] = At();
        if (t > maxt) break;
        out->push_back({t, v});
      } while (Next());
    }
    return status();
  }
};

// One series: its labels and a way to read its samples.
class Series {
 public:
  virtual ~Series() = default;
  virtual const model::Labels& labels() const = 0;
  // A new iterator over the samples; `reuse` may be recycled by the implementation.
  virtual std::unique_ptr<SampleIterator> NewIterator(std::unique_ptr<SampleIterator> reuse = nullptr) const = 0;
};

// A set of series, sorted by labels when asked for. Not thread-safe.
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;
  // The current series. REQUIRES: Next() returned true. The series, and the iterators it
  // creates, stay valid until the set is destroyed, and may be read on another thread than the
  // one calling Next() (one thread per object): the evaluator decodes series in parallel.
  virtual Series& At() = 0;
  virtual base::Status status() const { return base::Status::Ok(); }
};

// An iterator over an in-memory vector of samples; for tests and merged results.
class VectorIterator final : public SampleIterator {
 public:
  explicit VectorIterator(std::vector<model::Sample> samples) : s_(std::move(samples)) {}
  bool Next() override { return ++i_ < s_.size(); }
  bool Seek(Timestamp t) override {
    if (i_ == static_cast<size_t>(-1)) i_ = 0;
    while (i_ < s_.size() && s_[i_].t < t) ++i_;
    return i_ < s_.size();
  }
  std::pair<Timestamp, double> At() const override { return {s_[i_].t, s_[i_].v}; }

 private:
  std::vector<model::Sample> s_;
  size_t i_ = static_cast<size_t>(-1);
};

}  // namespace storage

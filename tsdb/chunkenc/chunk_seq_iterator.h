// ChunkSeqIterator: the samples of one series stored as a time-ordered sequence of chunks
// (the head's chunk snapshots, a block's memory-mapped chunks), restricted to [mint, maxt].
// Subclasses say how many chunks there are, their time ranges and how to open one; seeking,
// chunk skipping, the range cut and bulk reads are here, once.
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include "base/status.h"
#include "model/sample.h"
#include "storage/series.h"
#include "tsdb/chunkenc/chunk.h"

namespace tsdb::chunkenc {

// Not thread-safe (one reader, as every SampleIterator).
class ChunkSeqIterator : public storage::SampleIterator {
 public:
  ChunkSeqIterator(Timestamp mint, Timestamp maxt) : mint_(mint), maxt_(maxt) {}

  bool Next() override {
    if (done_) return false;
    if (!it_) return Seek(mint_);
    for (;;) {
      if (it_->Next()) return Check();
      if (!it_->status().ok()) return Fail(it_->status());
      if (!Open(i_ + 1)) return End();
    }
  }
  bool Seek(Timestamp t) override {
    if (done_) return false;
    t = std::max(t, mint_);
    if (valid_ && it_->At().first >= t) return true;
    // Whole chunks that end before t are skipped without decoding.
    size_t i = it_ ? i_ : 0;
    while (i < NumChunks() && ChunkMaxTime(i) < t) ++i;
    if (i >= NumChunks()) return End();
    if (!it_ || i != i_) {
      if (!Open(i)) return End();
    }
    for (;;) {
      if (it_->Seek(t)) return Check();
      if (!it_->status().ok()) return Fail(it_->status());
      if (!Open(i_ + 1)) return End();
    }
  }
  std::pair<Timestamp, double> At() const override { return it_->At(); }
  base::Status status() const override { return status_; }
  base::Status ReadAll(Timestamp mint, Timestamp maxt, std::vector<model::Sample>* out) override {
    mint = std::max(mint, mint_);
    maxt = std::min(maxt, maxt_);
    for (size_t i = 0; i < NumChunks() && !done_; ++i) {
      if (ChunkMaxTime(i) < mint) continue;
      if (ChunkMinTime(i) > maxt) break;
      if (!Open(i)) break;
      if (base::Status st = it_->ReadAll(mint, maxt, out); !st.ok()) {
        status_ = st;
        break;
      }
    }
    End();
    return status_;
  }

 protected:
  virtual size_t NumChunks() const = 0;
  // The time range of chunk i's samples (inclusive).
  virtual Timestamp ChunkMinTime(size_t i) const = 0;
  virtual Timestamp ChunkMaxTime(size_t i) const = 0;
  // An iterator over chunk i, recycling `reuse`; an error ends the iteration with that status.
  virtual base::Result<std::unique_ptr<Iterator>> OpenChunk(size_t i,
                                                            std::unique_ptr<Iterator> reuse) const = 0;

 private:
  // Positions on chunk i; false past the last chunk or when it cannot be opened.
  bool Open(size_t i) {
    if (i >= NumChunks()) return false;
    auto it = OpenChunk(i, std::move(it_));
    if (!it) {
      status_ = it.error();
      return false;
    }
    i_ = i;
    it_ = std::move(*it);
    valid_ = false;
    return true;
  }
  bool Check() {
    if (it_->At().first > maxt_) return End();
    valid_ = true;
    return true;
  }
  bool End() {
    done_ = true;
    valid_ = false;
    return false;
  }
  bool Fail(base::Status s) {
    status_ = std::move(s);
    return End();
  }

  const Timestamp mint_, maxt_;
  std::unique_ptr<Iterator> it_;
  size_t i_ = 0;
  bool done_ = false, valid_ = false;
  base::Status status_;
};

}  // namespace tsdb::chunkenc

// HeadAppender: one batch of samples for the head; Commit writes the WAL, then memory.
#pragma once

#include <string>
#include <vector>

#include "storage/appender.h"
#include "tsdb/head.h"

namespace tsdb {

// Not thread-safe (one producer); dead after Commit or Rollback.
class HeadAppender final : public storage::Appender {
 public:
  explicit HeadAppender(Head& head) : head_(head) {}
  ~HeadAppender() override;

  base::Result<storage::SeriesRef> Append(storage::SeriesRef ref, const model::Labels& labels,
                                          model::Timestamp t, double v,
                                          const storage::AppendOptions& opts) override;
  base::Status Commit() override;
  void Rollback() override;

 private:
  struct Staged {
    MemSeries* series;
    model::Timestamp t;
    double v;
    bool out_of_order;  // older than the series' newest sample, inside the out-of-order window
  };
  // The series for ref or labels, created if new; never a deleted one.
  base::Result<MemSeries*> Resolve(storage::SeriesRef ref, const model::Labels& labels);

  Head& head_;
  std::vector<Staged> samples_;
  std::vector<MemSeries*> unlogged_;  // series whose record this batch must write first
  std::string series_buf_, samples_buf_;
  bool done_ = false;
};

}  // namespace tsdb

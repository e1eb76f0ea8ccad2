#include "tsdb/head_appender.h"

#include <chrono>

#include "tsdb/head_metrics.h"
#include "tsdb/record/record.h"
#include "tsdb/wal/writer.h"

namespace tsdb {

HeadAppender::~HeadAppender() {
  if (!done_) Rollback();
}

base::Result<MemSeries*> HeadAppender::Resolve(storage::SeriesRef ref, const model::Labels& labels) {
  if (MemSeries* s = head_.GetByRef(ref)) {
    std::lock_guard lock(s->mu);
    if (!s->deleted) return s;
  }
  if (labels.empty()) return base::InvalidArgument("empty label set");
  for (;;) {
    bool created = false;
    MemSeries* s = head_.GetOrCreate(labels, &created);
    std::lock_guard lock(s->mu);
    if (!s->deleted) return s;
    // Removed by a concurrent truncation between lookup and lock: look up again.
  }
}

base::Result<storage::SeriesRef> HeadAppender::Append(storage::SeriesRef ref,
                                                      const model::Labels& labels,
                                                      model::Timestamp t, double v,
                                                      const storage::AppendOptions&) {
  // The out-of-order window reaches back from the head's newest sample (Prometheus's
  // oooTimeWindow); it also admits samples older than the head's min valid time.
  const int64_t window = head_.ooo_window_ms_.load(std::memory_order_relaxed);
  const model::Timestamp head_max = head_.max_time();
  model::Timestamp ooo_min = model::kMaxTime;
  if (window > 0 && head_max != model::kMinTime) ooo_min = head_max - window;
  const bool below_min_valid = t < head_.min_valid_time_.load(std::memory_order_relaxed);
  // Where a sample that fits nowhere goes, as Prometheus's memSeries.appendable: with a window,
  // "too old"; without, out of bounds below the min valid time, else out of order.
  auto reject = [&]() -> base::Status {
    if (window > 0) {
      head_.metrics_->too_old.Inc();
      return base::Status(base::StatusCode::kTooOld, "too old sample");
    }
    if (below_min_valid) {
      head_.metrics_->out_of_bounds.Inc();
      return base::Status(base::StatusCode::kOutOfBounds, "out of bounds");
    }
    head_.metrics_->out_of_order.Inc();
    return base::Status(base::StatusCode::kOutOfOrder, "out of order sample");
  };
  if (below_min_valid && t < ooo_min) return reject();  // before creating a series for it
  ASSIGN_OR_RETURN(MemSeries * s, Resolve(ref, labels));
  std::lock_guard lock(s->mu);
  if (s->deleted) return base::Status(base::StatusCode::kUnavailable, "series removed concurrently");
  MemSeries::Check check = s->CanAppend(t, v, ooo_min);
  // Older than what may still go into the in-order chunks (already persisted in blocks): the
  // out-of-order buffer takes it, even when it is the newest sample of its series.
  if (below_min_valid && check != MemSeries::Check::kOutOfOrderOk)
    check = t >= ooo_min ? MemSeries::Check::kOutOfOrderOk : MemSeries::Check::kOutOfOrder;
  switch (check) {
    case MemSeries::Check::kNoop:
      return storage::SeriesRef{s->ref()};
    case MemSeries::Check::kOutOfOrder:
      return reject();
    case MemSeries::Check::kDuplicate:
      head_.metrics_->duplicate.Inc();
      return base::Status(base::StatusCode::kDuplicateSample, "duplicate sample for timestamp");
    case MemSeries::Check::kOutOfOrderOk:
      if (!s->wal_logged && (unlogged_.empty() || unlogged_.back() != s)) unlogged_.push_back(s);
      samples_.push_back({s, t, v, true});
      return storage::SeriesRef{s->ref()};
    case MemSeries::Check::kOk:
      break;
  }
  s->SetPending(t, v);
  if (!s->wal_logged && (unlogged_.empty() || unlogged_.back() != s)) unlogged_.push_back(s);
  samples_.push_back({s, t, v, false});
  return storage::SeriesRef{s->ref()};
}

base::Status HeadAppender::Commit() {
  done_ = true;
  if (samples_.empty() && unlogged_.empty()) return base::Status::Ok();
  auto start = std::chrono::steady_clock::now();
  // 1. The WAL: series records of series not yet logged, then the samples.
  std::vector<record::RefSeries> series;
  series.reserve(unlogged_.size());
  for (MemSeries* s : unlogged_) series.push_back({s->ref(), head_.LabelsOf(*s)});
  std::vector<record::RefSample> samples;
  samples.reserve(samples_.size());
  for (const Staged& st : samples_) samples.push_back({st.series->ref(), st.t, st.v});
  std::string_view recs[2];
  size_t n = 0;
  if (!series.empty()) {
    series_buf_.clear();
    record::EncodeSeries(series, &series_buf_);
    recs[n++] = series_buf_;
  }
  if (!samples.empty()) {
    samples_buf_.clear();
    record::EncodeSamples(samples, &samples_buf_);
    recs[n++] = samples_buf_;
  }
  // A block cut must not run between this batch's WAL write and its memory update when the
  // batch has samples older than the cut boundary (Head::LockForCut).
  const int epoch = head_.commit_epoch_.load();
  head_.commits_in_epoch_[epoch].fetch_add(1);
  struct EpochExit {
    std::atomic<int64_t>& n;
    ~EpochExit() { n.fetch_sub(1); }
  } epoch_exit{head_.commits_in_epoch_[epoch]};
  std::shared_lock<std::shared_mutex> cut_lock;
  const model::Timestamp boundary = head_.cut_boundary_.load();
  for (const Staged& st : samples_) {
    if (st.t < boundary) {
      cut_lock = std::shared_lock(head_.cut_mu_);
      break;
    }
  }
  std::shared_ptr<wal::Writer> wal;
  {
    std::lock_guard lock(head_.wal_mu_);
    base::Status st = head_.wal_ ? head_.wal_->Log(std::span<const std::string_view>(recs, n))
                                 : base::Unavailable("storage is read-only or closed");
    if (!st.ok()) {
      done_ = false;
      Rollback();
      return st;
    }
    wal = head_.wal_;
  }
  // Outside wal_mu_, so that concurrent commits share one fsync (Writer::Sync is thread-safe).
  // A failed fsync leaves the records in the log but unacknowledged: replay may apply them,
  // and a sender's retry of the same samples is then a no-op.
  if (head_.options_.wal_sync == WalSyncMode::kAlways) {
    if (base::Status st = wal->Sync(); !st.ok()) {
      done_ = false;
      Rollback();
      return st;
    }
  }
  // 2. Memory. A sample that lost a race with a concurrent commit of the same series is dropped
  // here, as Prometheus's headAppender.Commit does; replay drops it the same way.
  for (MemSeries* s : unlogged_) {
    std::lock_guard lock(s->mu);
    s->wal_logged = true;
  }
  uint64_t appended = 0, chunks = 0, ooo_appended = 0;
  model::Timestamp mint = model::kMaxTime, maxt = model::kMinTime;
  const model::Timestamp min_valid = head_.min_valid_time_.load();
  for (const Staged& st : samples_) {
    std::lock_guard lock(st.series->mu);
    bool cut = false;
    // A cut ran between Append and now: what it persisted is gone from the in-order chunks,
    // so this sample goes to the out-of-order buffer (persisted by the next cut).
    if (!st.out_of_order && st.t < min_valid) {
      st.series->ClearPending(st.t);
      if (st.series->InsertOutOfOrder(st.t, st.v)) {
        ++appended;
        ++ooo_appended;
        mint = std::min(mint, st.t);
      }
      continue;
    }
    if (st.out_of_order) {
      if (st.series->InsertOutOfOrder(st.t, st.v)) {
        ++appended;
        ++ooo_appended;
        mint = std::min(mint, st.t);
      }
      continue;
    }
    if (st.series->Append(st.t, st.v, *head_.chunk_store_, &cut)) {
      ++appended;
      mint = std::min(mint, st.t);
      maxt = std::max(maxt, st.t);
    } else {
      head_.metrics_->out_of_order.Inc();
    }
    chunks += cut;
    st.series->ClearPending(st.t);
  }
  if (appended > 0) head_.UpdateTimes(mint, maxt);
  head_.num_chunks_.fetch_add(chunks, std::memory_order_relaxed);
  head_.metrics_->chunks_created.Inc(static_cast<double>(chunks));
  head_.metrics_->samples_appended.Inc(static_cast<double>(appended));
  if (ooo_appended > 0) head_.metrics_->ooo_samples_appended.Inc(static_cast<double>(ooo_appended));
  head_.metrics_->commit_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  samples_.clear();
  unlogged_.clear();
  return base::Status::Ok();
}

void HeadAppender::Rollback() {
  done_ = true;
  for (const Staged& st : samples_) {
    if (st.out_of_order) continue;
    std::lock_guard lock(st.series->mu);
    st.series->ClearPending(st.t);
  }
  samples_.clear();
  unlogged_.clear();
}

}  // namespace tsdb

#include "tsdb/head.h"

#include <thread>

#include "tsdb/record/record.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <filesystem>

#include "base/check.h"
#include "tsdb/head_appender.h"
#include "tsdb/head_metrics.h"
#include "tsdb/head_stripe.h"
#include "tsdb/head_querier.h"
#include "tsdb/wal/writer.h"

namespace tsdb {



Head::Head(const Options& options)
    : options_(options),
      stripes_(std::make_unique<Stripe[]>(kStripes)),
      refs_(std::make_unique<std::atomic<std::atomic<MemSeries*>*>[]>(kRefChunks)) {
  static base::metrics::Registry unused;  // metrics of a head opened without a registry
  base::metrics::Registry& r = options_.registry ? *options_.registry : unused;
  ooo_window_ms_.store(options_.out_of_order_window.count(), std::memory_order_relaxed);
  metrics_ = std::make_unique<HeadMetrics>(r);
  if (options_.registry) {
    r.AddGaugeFunc("prometheus_tsdb_head_series", "Total number of series in the head block.",
                   [this] { return static_cast<double>(NumSeries()); });
    r.AddGaugeFunc("prometheus_tsdb_head_chunks", "Total number of chunks in the head block.",
                   [this] { return static_cast<double>(num_chunks_.load()); });
    r.AddGaugeFunc("prometheus_tsdb_head_min_time",
                   "Minimum time bound of the head block. The unit is decided by the library consumer.",
                   [this] { return static_cast<double>(min_time()); });
    r.AddGaugeFunc("prometheus_tsdb_head_max_time",
                   "Maximum timestamp of the head block. The unit is decided by the library consumer.",
                   [this] { return static_cast<double>(max_time()); });
    r.AddGaugeFunc("prometheus_tsdb_head_chunks_storage_size_bytes",
                   "Size of the chunks_head directory.",
                   [this] { return static_cast<double>(chunk_store_ ? chunk_store_->SizeBytes() : 0); });
    r.AddGaugeFunc("hestia_tsdb_symbol_table_size_bytes",
                   "Bytes held by the interned label names and values of the head.",
                   [this] { return static_cast<double>(symbols_.ByteSize()); });
  }
}

Head::~Head() {
  background_ = std::jthread();
  Close().IgnoreError();
  for (size_t c = 0; c < kRefChunks; ++c) {
    std::atomic<MemSeries*>* chunk = refs_[c].load();
    if (chunk == nullptr) continue;
    for (size_t i = 0; i < (size_t{1} << kRefChunkBits); ++i) MemSeries::Destroy(chunk[i].load());
    delete[] chunk;
  }
}

base::Status Head::Close() {
  std::lock_guard lock(wal_mu_);
  if (!wal_) return base::Status::Ok();
  base::Status s = wal_->Close();
  wal_.reset();
  return s;
}

base::Status Head::SyncWal() {
  std::lock_guard lock(wal_mu_);
  if (!wal_) return base::Status::Ok();
  return wal_->Sync();
}

void Head::PublishRef(uint32_t ref, MemSeries* s) {
  auto& slot = refs_[ref >> kRefChunkBits];
  std::atomic<MemSeries*>* chunk = slot.load(std::memory_order_acquire);
  if (chunk == nullptr) {
    // Chunks are created under the index lock (Add) or during single-threaded replay.
    chunk = new std::atomic<MemSeries*>[size_t{1} << kRefChunkBits]();
    slot.store(chunk, std::memory_order_release);
  }
  chunk[ref & ((1u << kRefChunkBits) - 1)].store(s, std::memory_order_release);
}

MemSeries* Head::GetByRef(storage::SeriesRef ref) const {
  if (ref == 0 || ref >= (uint64_t{kRefChunks} << kRefChunkBits)) return nullptr;
  std::atomic<MemSeries*>* chunk = refs_[ref >> kRefChunkBits].load(std::memory_order_acquire);
  if (chunk == nullptr) return nullptr;
  return chunk[ref & ((1u << kRefChunkBits) - 1)].load(std::memory_order_acquire);
}

model::Labels Head::LabelsOf(const MemSeries& s) const {
  std::vector<model::Label> pairs;
  auto syms = s.label_syms();
  pairs.reserve(syms.size() / 2);
  for (size_t i = 0; i + 1 < syms.size(); i += 2)
    pairs.push_back({symbols_.Lookup(syms[i]), symbols_.Lookup(syms[i + 1])});
  return model::Labels::FromSorted(pairs);
}

bool Head::LabelsEqual(const MemSeries& s, const model::Labels& labels) const {
  auto syms = s.label_syms();
  size_t i = 0;
  for (const model::Label& l : labels) {
    if (i + 1 >= syms.size()) return false;
    if (symbols_.Lookup(syms[i]) != l.name || symbols_.Lookup(syms[i + 1]) != l.value) return false;
    i += 2;
  }
  return i == syms.size();
}

MemSeries* Head::GetOrCreate(const model::Labels& labels, bool* created) {
  *created = false;
  uint64_t hash = labels.hash();
  Stripe& stripe = stripes_[hash & (kStripes - 1)];
  std::lock_guard lock(stripe.mu);
  if (MemSeries* s = stripe.Find(*this, hash, [&](MemSeries* c) { return LabelsEqual(*c, labels); })) return s;
  std::vector<uint32_t> syms;
  syms.reserve(16);
  for (const model::Label& l : labels) {
    syms.push_back(symbols_.Intern(l.name));
    syms.push_back(symbols_.Intern(l.value));
  }
  MemSeries* series = nullptr;
  index_.Add(syms, [&](uint32_t ref) {
    series = MemSeries::Create(ref, hash, syms);
    PublishRef(ref, series);
  });
  stripe.Insert(*this, series);
  num_series_.fetch_add(1, std::memory_order_relaxed);
  metrics_->series_created.Inc();
  *created = true;
  return series;
}

void Head::UpdateTimes(model::Timestamp mint, model::Timestamp maxt) {
  model::Timestamp cur = min_time_.load(std::memory_order_relaxed);
  while (mint < cur && !min_time_.compare_exchange_weak(cur, mint)) {
  }
  cur = max_time_.load(std::memory_order_relaxed);
  while (maxt > cur && !max_time_.compare_exchange_weak(cur, maxt)) {
  }
}

std::unique_ptr<storage::Appender> Head::NewAppender() { return std::make_unique<HeadAppender>(*this); }

base::Result<std::unique_ptr<storage::Querier>> Head::NewQuerier(model::Timestamp mint,
                                                                 model::Timestamp maxt) {
  return std::unique_ptr<storage::Querier>(std::make_unique<HeadQuerier>(*this, mint, maxt));
}

HeadStats Head::Stats(size_t limit) const {
  HeadStats st;
  auto idx = index_.ComputeStats(limit);
  st.num_series = NumSeries();
  st.num_label_pairs = idx.num_label_pairs;
  st.chunk_count = num_chunks_.load();
  st.min_time = min_time();
  st.max_time = max_time();
  auto conv = [](const std::vector<index::HeadIndex::Cardinality>& in) {
    std::vector<HeadStats::Count> out;
    for (const auto& c : in) out.push_back({c.name, c.value});
    return out;
  };
  st.series_count_by_metric_name = conv(idx.series_by_metric_name);
  st.label_value_count_by_label_name = conv(idx.values_by_label_name);
  st.memory_in_bytes_by_label_name = conv(idx.memory_by_label_name);
  st.series_count_by_label_value_pair = conv(idx.series_by_label_pair);
  return st;
}

base::Status Head::Delete(model::Timestamp mint, model::Timestamp maxt,
                          const std::vector<model::Matcher>& matchers) {
  std::vector<uint32_t> refs = index_.Select(matchers);
  std::vector<record::RefTombstone> stones;
  for (uint32_t ref : refs) stones.push_back({ref, mint, maxt});
  if (stones.empty()) return base::Status::Ok();
  {
    std::string buf;
    record::EncodeTombstones(stones, &buf);
    std::string_view rec = buf;
    std::lock_guard lock(wal_mu_);
    if (!wal_) return base::Unavailable("storage is read-only or closed");
    RETURN_IF_ERROR(wal_->Log(std::span<const std::string_view>(&rec, 1)));
    RETURN_IF_ERROR(wal_->Sync());
  }
  for (uint32_t ref : refs) {
    MemSeries* s = GetByRef(ref);
    if (s == nullptr) continue;
    std::lock_guard lock(s->mu);
    size_t before = s->NumChunks();
    if (s->deleted || !s->DeleteRange(mint, maxt, *chunk_store_)) continue;
    size_t after = s->NumChunks();
    if (after >= before) num_chunks_.fetch_add(after - before, std::memory_order_relaxed);
    else num_chunks_.fetch_sub(before - after, std::memory_order_relaxed);
  }
  return base::Status::Ok();
}

std::unique_lock<std::shared_mutex> Head::LockForCut(model::Timestamp end) {
  {
    std::lock_guard lock(cut_epoch_mu_);
    model::Timestamp prev = cut_boundary_.load();
    while (end > prev && !cut_boundary_.compare_exchange_weak(prev, end)) {
    }
    int old = commit_epoch_.load();
    commit_epoch_.store(1 - old);
    // Commits of the old epoch finish their (short, lock-free) memory update; new ones see the
    // raised boundary.
    while (commits_in_epoch_[old].load() != 0) std::this_thread::yield();
  }
  return std::unique_lock(cut_mu_);
}

model::Timestamp Head::OutOfOrderMinTime() const {
  model::Timestamp out = model::kMaxTime;
  uint32_t end = index_.next_ref();
  for (uint32_t ref = 1; ref < end; ++ref) {
    MemSeries* s = GetByRef(ref);
    if (s == nullptr) continue;
    std::lock_guard lock(s->mu);
    if (s->NumOutOfOrder() > 0) out = std::min(out, s->OutOfOrderMinTime());
  }
  return out;
}

void Head::SetMinValidTime(model::Timestamp t) {
  model::Timestamp prev = min_valid_time_.load();
  while (t > prev && !min_valid_time_.compare_exchange_weak(prev, t)) {
  }
}

base::Status Head::Truncate(model::Timestamp mint) {
  std::lock_guard gc(gc_mu_);
  metrics_->truncations.Inc();
  // Series freed by the previous truncation are unreachable by now: no appender or querier
  // keeps a series pointer across a truncation interval.
  graveyard_.clear();
  model::Timestamp prev = min_valid_time_.load();
  if (mint > prev) min_valid_time_.store(mint);
  std::vector<uint32_t> removed;
  model::Timestamp new_min = model::kMaxTime;
  uint32_t end = index_.next_ref();
  for (uint32_t ref = 1; ref < end; ++ref) {
    MemSeries* s = GetByRef(ref);
    if (s == nullptr) continue;
    std::lock_guard lock(s->mu);
    size_t dropped = s->TruncateBefore(mint);
    num_chunks_.fetch_sub(dropped, std::memory_order_relaxed);
    if (s->empty() && !s->has_pending()) {
      s->deleted = true;
      removed.push_back(ref);
    } else {
      new_min = std::min(new_min, s->min_time());
    }
  }
  index_.Delete(removed, [this](uint32_t ref) { return GetByRef(ref)->label_syms(); });
  for (uint32_t ref : removed) {
    MemSeries* s = GetByRef(ref);
    Stripe& stripe = stripes_[s->hash() & (kStripes - 1)];
    {
      std::lock_guard lock(stripe.mu);
      stripe.Erase(*this, ref);
    }
    PublishRef(ref, nullptr);
    graveyard_.emplace_back(s);
  }
  // Every chunk ending before mint is forgotten by its series now.
  chunk_store_->DropBefore(mint);
  num_series_.fetch_sub(removed.size(), std::memory_order_relaxed);
  metrics_->series_removed.Inc(static_cast<double>(removed.size()));
  min_time_.store(new_min);
  if (removed.empty() && mint <= prev) return base::Status::Ok();
  return Checkpoint();
}

}  // namespace tsdb

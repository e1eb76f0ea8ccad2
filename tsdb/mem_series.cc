#include "tsdb/mem_series.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>

namespace tsdb {
namespace {

bool SameBits(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

// The end of the 2 h range that t falls in (Prometheus aligns chunk ranges to multiples).
Timestamp RangeEnd(Timestamp t) {
  Timestamp q = t / kChunkRangeMs;
  if (t < 0 && t % kChunkRangeMs != 0) --q;
  return (q + 1) * kChunkRangeMs;
}

}  // namespace

MemSeries* MemSeries::Create(uint32_t ref, uint64_t hash, std::span<const uint32_t> label_syms) {
  static_assert(alignof(MemSeries) % alignof(uint32_t) == 0);
  void* mem = ::operator new(sizeof(MemSeries) + label_syms.size_bytes());
  auto* s = ::new (mem) MemSeries(ref, hash, static_cast<uint32_t>(label_syms.size()));
  std::memcpy(static_cast<char*>(mem) + sizeof(MemSeries), label_syms.data(), label_syms.size_bytes());
  return s;
}

void MemSeries::Destroy(MemSeries* s) {
  if (s == nullptr) return;
  s->~MemSeries();
  ::operator delete(s);
}

MemSeries::Check MemSeries::CanAppend(Timestamp t, double v, Timestamp ooo_min) const {
  Timestamp last_t = max_time_;
  double last_v = last_value_;
  if (pending_t_ != model::kMinTime && pending_t_ > last_t) {
    last_t = pending_t_;
    last_v = pending_v_;
  }
  if (last_t == model::kMinTime || t > last_t) return Check::kOk;
  if (t < last_t) return t >= ooo_min ? Check::kOutOfOrderOk : Check::kOutOfOrder;
  return SameBits(v, last_v) ? Check::kNoop : Check::kDuplicate;
}

void MemSeries::CloseChunk(HeadChunkStore& store) {
  const std::string_view bytes = open_->chunk.bytes();
  chunks_.push_back({open_mint_, max_time_, store.Write(bytes, max_time_)});
  open_.reset();
  open_mint_ = model::kMaxTime;
}

bool MemSeries::Append(Timestamp t, double v, HeadChunkStore& store, bool* new_chunk) {
  *new_chunk = false;
  if (max_time_ != model::kMinTime && t <= max_time_) return false;
  if (open_ && t >= RangeEnd(open_mint_)) CloseChunk(store);
  if (!open_) {
    // The buffer starts small and grows by a quarter: an open chunk is half full on average,
    // and sizing it like the last closed one would hold twice that for every series.
    open_.emplace(0);
    open_mint_ = t;
    *new_chunk = true;
  }
  open_->app.Append(t, v);
  max_time_ = t;
  last_value_ = v;
  if (open_->chunk.NumSamples() >= kSamplesPerChunk) CloseChunk(store);
  return true;
}

bool MemSeries::InsertOutOfOrder(Timestamp t, double v) {
  if (!ooo_) ooo_ = std::make_unique<std::vector<model::Sample>>();
  auto it = std::lower_bound(ooo_->begin(), ooo_->end(), t,
                             [](const model::Sample& s, Timestamp t) { return s.t < t; });
  if (it != ooo_->end() && it->t == t) return false;
  ooo_->insert(it, model::Sample{t, v});
  return true;
}

void MemSeries::Snapshot(Timestamp mint, Timestamp maxt, const HeadChunkStore& store,
                         std::vector<ChunkMeta>* out) const {
  size_t first = out->size();
  for (const ClosedChunk& c : chunks_) {
    if (c.maxt < mint || c.mint > maxt) continue;
    ChunkMeta& m = out->emplace_back(ChunkMeta{c.mint, c.maxt, {}, nullptr});
    m.bytes = store.Read(c.ref, &m.owner);
  }
  if (open_ && max_time_ >= mint && open_mint_ <= maxt) {
    auto copy = std::make_shared<const std::string>(open_->chunk.bytes());
    out->push_back({open_mint_, max_time_, *copy, copy});
  }
  if (!ooo_) return;
  auto lo = std::lower_bound(ooo_->begin(), ooo_->end(), mint,
                             [](const model::Sample& s, Timestamp t) { return s.t < t; });
  auto hi = std::upper_bound(ooo_->begin(), ooo_->end(), maxt,
                             [](Timestamp t, const model::Sample& s) { return t < s.t; });
  if (lo == hi) return;
  // Merge the chunks found above with the out-of-order samples and encode the result anew.
  std::vector<model::Sample> in_order, merged;
  for (size_t i = first; i < out->size(); ++i) {
    auto it = chunkenc::NewIterator(chunkenc::Encoding::kXor, (*out)[i].bytes);
    it->ReadAll(model::kMinTime, model::kMaxTime, &in_order).IgnoreError();  // corrupt: skipped
  }
  out->resize(first);
  merged.reserve(in_order.size() + static_cast<size_t>(hi - lo));
  auto a = in_order.begin();
  for (auto b = lo; a != in_order.end() || b != hi;) {
    if (b == hi || (a != in_order.end() && a->t <= b->t)) {
      if (b != hi && a->t == b->t) ++b;  // the in-order sample wins a tie
      merged.push_back(*a++);
    } else {
      merged.push_back(*b++);
    }
  }
  for (size_t i = 0; i < merged.size(); i += kSamplesPerChunk) {
    size_t n = std::min<size_t>(kSamplesPerChunk, merged.size() - i);
    auto c = std::make_shared<chunkenc::XorChunk>();
    auto app = c->NewXorAppender();  // cannot fail on an empty chunk
    for (size_t j = i; j < i + n; ++j) app->Append(merged[j].t, merged[j].v);
    std::string_view bytes = c->bytes();
    out->push_back({merged[i].t, merged[i + n - 1].t, bytes, std::move(c)});
  }
}

bool MemSeries::DeleteRange(Timestamp mint, Timestamp maxt, HeadChunkStore& store) {
  if (mint > maxt || empty() || min_time() > maxt) return false;
  std::vector<model::Sample> all;
  std::vector<ChunkMeta> metas;
  Snapshot(model::kMinTime, model::kMaxTime, store, &metas);
  for (const ChunkMeta& c : metas) {
    auto it = chunkenc::NewIterator(chunkenc::Encoding::kXor, c.bytes);
    it->ReadAll(model::kMinTime, model::kMaxTime, &all).IgnoreError();
  }
  size_t before = all.size();
  std::erase_if(all, [&](const model::Sample& x) { return x.t >= mint && x.t <= maxt; });
  if (all.size() == before) return false;
  // Rebuild: every sample in order (out-of-order ones merged in), the last chunk open.
  Timestamp keep_max = max_time_;
  double keep_last = last_value_;
  chunks_.clear();
  open_.reset();
  open_mint_ = model::kMaxTime;
  ooo_.reset();
  max_time_ = model::kMinTime;
  bool cut = false;
  for (const model::Sample& x : all) Append(x.t, x.v, store, &cut);
  max_time_ = keep_max;
  last_value_ = keep_last;
  return true;
}

size_t MemSeries::TruncateBefore(Timestamp mint) {
  size_t n = 0;
  while (n < chunks_.size() && chunks_[n].maxt < mint) ++n;
  chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(n));
  // A truncation drops a block range's worth of chunks: give their slots back (kept, they would
  // double what every series holds for its chunk list).
  if (n > 0 && chunks_.capacity() >= 2 * chunks_.size()) chunks_.shrink_to_fit();
  if (chunks_.empty() && open_ && max_time_ < mint) {
    open_.reset();
    open_mint_ = model::kMaxTime;
    ++n;
  }
  if (ooo_) {
    auto it = std::lower_bound(ooo_->begin(), ooo_->end(), mint,
                               [](const model::Sample& s, Timestamp t) { return s.t < t; });
    ooo_->erase(ooo_->begin(), it);
    if (ooo_->empty()) ooo_.reset();
  }
  return n;
}

Timestamp MemSeries::min_time() const {
  Timestamp t = model::kMaxTime;
  if (!chunks_.empty()) t = chunks_.front().mint;
  else if (open_) t = open_mint_;
  if (ooo_ && !ooo_->empty()) t = std::min(t, ooo_->front().t);
  return t;
}

}  // namespace tsdb

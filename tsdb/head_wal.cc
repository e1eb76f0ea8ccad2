// Head start-up (WAL replay), checkpointing and background work.
#include <malloc.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>

#include "tsdb/head.h"
#include "tsdb/head_metrics.h"
#include "tsdb/head_stripe.h"
#include "tsdb/record/record.h"
#include "tsdb/wal/checkpoint.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/writer.h"

namespace tsdb {

base::Result<std::unique_ptr<Head>> Head::Open(const std::string& wal_dir, const Options& options,
                                               const std::string& chunks_dir) {
  std::unique_ptr<Head> head(new Head(options));
  head->wal_dir_ = wal_dir;
  ASSIGN_OR_RETURN(head->chunk_store_, HeadChunkStore::Open(options.read_only ? "" : chunks_dir, options.logger,
                                                                options.head_chunk_segment_bytes));
  auto start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(head->Replay(wal_dir));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  head->metrics_->replay_seconds.Set(secs);
  // The replay's decoding buffers and the open chunks it closed are free now: give the memory
  // back rather than keep it in malloc's arenas (the head's resident memory is what it costs).
  ::malloc_trim(0);
  if (options.read_only) return head;
  wal::WriterOptions wo;
  wo.segment_size = options.wal_segment_bytes;
  wo.compress = options.wal_compression;
  // Replay has read the log to its end and repaired any damage already.
  wo.repair_tail = false;
  wo.logger = options.logger;
  wo.registry = options.registry;
  ASSIGN_OR_RETURN(head->wal_, wal::Writer::Open(wal_dir, wo));
  options.logger->Info("tsdb", "WAL replay completed",
                       {{"duration_seconds", std::to_string(secs)},
                        {"series", std::to_string(head->NumSeries())}});
  head->StartBackground();
  return head;
}

base::Status Head::Replay(const std::string& wal_dir) {
  if (!std::filesystem::exists(wal_dir)) return base::Status::Ok();
  if (!options_.read_only) RETURN_IF_ERROR(wal::DeleteTempCheckpoints(*options_.logger, wal_dir));
  std::vector<record::RefSeries> series;
  std::vector<record::RefSample> samples;
  std::vector<record::RefTombstone> tombstones;
  // Series records may name a labels set seen before under another ref (a series removed and
  // created again); later samples of either ref go to the one series.
  std::unordered_map<uint64_t, MemSeries*> alias;
  uint64_t unknown_refs = 0;
  const int64_t ooo_window = ooo_window_ms_.load();
  auto apply = [&](std::string_view rec) -> base::Status {
    switch (record::GetType(rec)) {
      case record::Type::kSeries: {
        series.clear();
        RETURN_IF_ERROR(record::DecodeSeries(rec, &series));
        for (const record::RefSeries& rs : series) {
          if (rs.ref == 0 || rs.ref >= (uint64_t{kRefChunks} << kRefChunkBits))
            return base::Corruption("series ref " + std::to_string(rs.ref) + " out of range");
          if (GetByRef(rs.ref) != nullptr) continue;  // logged twice
          bool created = false;
          MemSeries* s = nullptr;
          uint64_t hash = rs.labels.hash();
          Stripe& stripe = stripes_[hash & (kStripes - 1)];
          s = stripe.Find(*this, hash, [&](MemSeries* c) { return LabelsEqual(*c, rs.labels); });
          if (s != nullptr) {
            alias[rs.ref] = s;
            continue;
          }
          std::vector<uint32_t> syms;
          for (const model::Label& l : rs.labels) {
            syms.push_back(symbols_.Intern(l.name));
            syms.push_back(symbols_.Intern(l.value));
          }
          s = MemSeries::Create(static_cast<uint32_t>(rs.ref), hash, syms);
          s->wal_logged = true;
          PublishRef(static_cast<uint32_t>(rs.ref), s);
          index_.AddWithRef(static_cast<uint32_t>(rs.ref), syms);
          stripe.Insert(*this, s);
          num_series_.fetch_add(1, std::memory_order_relaxed);
          (void)created;
        }
        break;
      }
      case record::Type::kSamples: {
        samples.clear();
        RETURN_IF_ERROR(record::DecodeSamples(rec, &samples));
        model::Timestamp mint = model::kMaxTime, maxt = model::kMinTime;
        uint64_t chunks = 0;
        for (const record::RefSample& rs : samples) {
          MemSeries* s = GetByRef(rs.ref);
          if (s == nullptr) {
            auto it = alias.find(rs.ref);
            if (it == alias.end()) {
              ++unknown_refs;
              continue;
            }
            s = it->second;
          }
          bool cut = false;
          if (s->Append(rs.t, rs.v, *chunk_store_, &cut)) {
            mint = std::min(mint, rs.t);
            maxt = std::max(maxt, rs.t);
          } else if (ooo_window > 0 && rs.t < s->max_time()) {
            // An out-of-order sample: the window admitted it when it was appended.
            if (s->InsertOutOfOrder(rs.t, rs.v)) mint = std::min(mint, rs.t);
          }
          chunks += cut;
        }
        if (mint <= maxt) UpdateTimes(mint, maxt);
        num_chunks_.fetch_add(chunks, std::memory_order_relaxed);
        break;
      }
      case record::Type::kTombstones: {
        tombstones.clear();
        RETURN_IF_ERROR(record::DecodeTombstones(rec, &tombstones));
        for (const record::RefTombstone& ts : tombstones) {
          MemSeries* s = GetByRef(ts.ref);
          if (s == nullptr) {
            auto it = alias.find(ts.ref);
            if (it == alias.end()) continue;
            s = it->second;
          }
          s->DeleteRange(ts.mint, ts.maxt, *chunk_store_);
        }
        break;
      }
      default:
        break;  // future record types carry nothing the head needs yet
    }
    return base::Status::Ok();
  };

  int first_segment = -1;
  auto cp = wal::LastCheckpoint(wal_dir);
  if (cp.has_value()) {
    ASSIGN_OR_RETURN(auto reader, wal::Reader::Open(cp->path));
    while (reader->Next()) RETURN_IF_ERROR(apply(reader->Record()).WithPrefix("replay checkpoint"));
    if (!reader->status().ok()) return reader->status().WithPrefix("replay checkpoint");
    first_segment = cp->index + 1;
  }
  auto segs = wal::Segments(wal_dir);
  if (segs.has_value() && segs->second >= 0) {
    ASSIGN_OR_RETURN(auto reader, wal::Reader::Open(wal_dir, first_segment));
    base::Status st;
    while (reader->Next()) {
      st = apply(reader->Record());
      if (!st.ok()) break;
    }
    if (st.ok()) st = reader->status();
    if (!st.ok()) {
      if (options_.read_only) {
        options_.logger->Warn("tsdb", "WAL damaged; read up to the damage",
                              {{"err", st.message()}});
      } else if (auto c = reader->corruption()) {
        // Everything before the damage is in memory; cut the log there so that new records
        // follow the last good one (Prometheus's wlog Repair).
        options_.logger->Warn("tsdb", "WAL corruption found; dropping the rest of the log",
                              {{"err", c->ToString()}});
        RETURN_IF_ERROR(wal::Repair(*options_.logger, wal_dir, c->segment, c->offset));
      } else if (st.code() == base::StatusCode::kCorruption) {
        options_.logger->Warn("tsdb", "WAL record undecodable; dropping the rest of the log",
                              {{"err", st.message()}, {"segment", std::to_string(reader->segment())}});
        RETURN_IF_ERROR(wal::Repair(*options_.logger, wal_dir, reader->segment(), reader->offset()));
      } else {
        return st;
      }
    }
  }
  if (unknown_refs > 0) {
    metrics_->wal_replay_unknown_refs.Inc(static_cast<double>(unknown_refs));
    options_.logger->Warn("tsdb", "Unknown series references during WAL replay",
                          {{"samples", std::to_string(unknown_refs)}});
  }
  return base::Status::Ok();
}

base::Status Head::Checkpoint() {
  int first, last;
  {
    std::lock_guard lock(wal_mu_);
    if (!wal_) return base::Status::Ok();
    std::tie(first, last) = wal_->Segments();
    // Cut a new segment so that every older segment is complete and can be checkpointed.
    ASSIGN_OR_RETURN(last, wal_->NextSegment());
    --last;
  }
  if (last < first) return base::Status::Ok();
  model::Timestamp mint = min_valid_time_.load();
  auto keep = [this](uint64_t ref) {
    MemSeries* s = GetByRef(ref);
    return s != nullptr;
  };
  ASSIGN_OR_RETURN(auto stats, wal::Checkpoint(*options_.logger, wal_dir_, first, last, keep, mint));
  (void)stats;
  std::lock_guard lock(wal_mu_);
  return wal_->Truncate(last + 1);
}

void Head::StartBackground() {
  background_ = std::jthread([this](std::stop_token stop) {
    using namespace std::chrono;
    auto last_truncate = steady_clock::now();
    std::mutex m;
    std::condition_variable_any cv;
    while (!stop.stop_requested()) {
      auto wait = options_.wal_sync == WalSyncMode::kInterval ? options_.wal_sync_interval
                                                              : milliseconds(1000);
      {
        std::unique_lock lock(m);
        cv.wait_for(lock, stop, wait, [] { return false; });
      }
      if (stop.stop_requested()) break;
      if (options_.wal_sync == WalSyncMode::kInterval) {
        if (auto st = SyncWal(); !st.ok())
          options_.logger->Error("tsdb", "WAL fsync failed", {{"err", st.message()}});
      }
      if (steady_clock::now() - last_truncate >= options_.truncate_interval) {
        last_truncate = steady_clock::now();
        model::Timestamp maxt = max_time();
        if (maxt == model::kMinTime) continue;
        model::Timestamp mint = maxt - options_.retention.count();
        if (min_time() >= mint) continue;
        if (auto st = Truncate(mint); !st.ok())
          options_.logger->Error("tsdb", "Head truncation failed", {{"err", st.message()}});
      }
    }
  });
}

}  // namespace tsdb

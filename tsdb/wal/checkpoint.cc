#include "base/file_util.h"
#include "tsdb/wal/checkpoint.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "tsdb/record/record.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/segment.h"
#include "tsdb/wal/writer.h"

namespace tsdb::wal {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kComponent = "tsdb";
// Records are handed to the checkpoint's Writer in batches of about this many bytes.
constexpr size_t kBatchBytes = 1 << 20;

struct CheckpointEntry {
  std::string name;
  int index;
};

// Checkpoint directories of wal_dir by ascending index; names that do not parse (such as the
// ".tmp" ones) are skipped.
base::Result<std::vector<CheckpointEntry>> ListCheckpoints(const std::string& wal_dir) {
  std::error_code ec;
  fs::directory_iterator it(wal_dir, ec);
  if (ec) return base::IOError(fmt::format("list checkpoints in {}: {}", wal_dir, ec.message()));
  std::vector<CheckpointEntry> out;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::string name = it->path().filename().string();
    if (!name.starts_with(kCheckpointPrefix)) continue;
    const int index = ParseSegmentName(std::string_view(name).substr(kCheckpointPrefix.size()));
    std::error_code dir_ec;
    if (index < 0 || !it->is_directory(dir_ec)) continue;
    out.push_back({std::move(name), index});
  }
  if (ec) return base::IOError(fmt::format("list checkpoints in {}: {}", wal_dir, ec.message()));
  std::sort(out.begin(), out.end(),
            [](const CheckpointEntry& a, const CheckpointEntry& b) { return a.index < b.index; });
  return out;
}

// Removes a directory when it goes out of scope, unless released.
class RemoveOnExit {
 public:
  explicit RemoveOnExit(std::string path) : path_(std::move(path)) {}
  ~RemoveOnExit() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace

std::string CheckpointDir(const std::string& wal_dir, int index) {
  return fmt::format("{}/{}{:08d}", wal_dir, kCheckpointPrefix, index);
}

base::Result<CheckpointRef> LastCheckpoint(const std::string& wal_dir) {
  ASSIGN_OR_RETURN(auto all, ListCheckpoints(wal_dir));
  if (all.empty()) return base::NotFound("no checkpoint in " + wal_dir);
  return CheckpointRef{wal_dir + "/" + all.back().name, all.back().index};
}

base::Status DeleteCheckpoints(const std::string& wal_dir, int before) {
  ASSIGN_OR_RETURN(auto all, ListCheckpoints(wal_dir));
  for (const CheckpointEntry& c : all) {
    if (c.index >= before) break;
    std::error_code ec;
    fs::remove_all(wal_dir + "/" + c.name, ec);
    if (ec) return base::IOError(fmt::format("delete {}/{}: {}", wal_dir, c.name, ec.message()));
  }
  return base::Status();
}

base::Status DeleteTempCheckpoints(base::Logger& logger, const std::string& wal_dir) {
  std::error_code ec;
  fs::directory_iterator it(wal_dir, ec);
  if (ec) return base::IOError(fmt::format("list checkpoints in {}: {}", wal_dir, ec.message()));
  std::vector<fs::path> tmp;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (name.starts_with(kCheckpointPrefix) && name.ends_with(kCheckpointTmpSuffix)) {
      tmp.push_back(it->path());
    }
  }
  if (ec) return base::IOError(fmt::format("list checkpoints in {}: {}", wal_dir, ec.message()));
  for (const fs::path& p : tmp) {
    fs::remove_all(p, ec);
    if (ec) return base::IOError(fmt::format("delete {}: {}", p.string(), ec.message()));
    logger.Info(kComponent, "Deleted unfinished checkpoint", {{"dir", p.string()}});
  }
  return base::Status();
}

base::Result<CheckpointStats> Checkpoint(base::Logger& logger, const std::string& wal_dir, int from,
                                         int to,
                                         const std::function<bool(uint64_t ref)>& keep_series,
                                         int64_t mint) {
  if (from > to) {
    return base::InvalidArgument(
        fmt::format("checkpoint of segments {}..{}: empty range", from, to));
  }
  std::vector<SegmentRange> ranges;
  if (auto last = LastCheckpoint(wal_dir); last.ok()) {
    if (to <= last->index) {
      return base::InvalidArgument(fmt::format(
          "checkpoint up to segment {} is not after the last checkpoint {}", to, last->index));
    }
    if (from > last->index + 1) {
      return base::InvalidArgument(
          fmt::format("unexpected gap to last checkpoint: expected from <= {}, requested {}",
                      last->index + 1, from));
    }
    from = last->index + 1;  // segments below the checkpoint should not exist; skip them
    ranges.push_back({last->path, -1, -1});
  } else if (last.error().code() != base::StatusCode::kNotFound) {
    return last.error();
  }
  ranges.push_back({wal_dir, from, to});
  logger.Info(kComponent, "Creating checkpoint",
              {{"from_segment", std::to_string(from)},
               {"to_segment", std::to_string(to)},
               {"mint", std::to_string(mint)}});

  RETURN_IF_ERROR(DeleteTempCheckpoints(logger, wal_dir));
  ASSIGN_OR_RETURN(auto reader, Reader::Open(ranges));

  const std::string cp_dir = CheckpointDir(wal_dir, to);
  const std::string tmp_dir = cp_dir + std::string(kCheckpointTmpSuffix);
  std::error_code ec;
  fs::create_directories(tmp_dir, ec);
  if (ec) return base::IOError(fmt::format("create {}: {}", tmp_dir, ec.message()));
  RemoveOnExit remove_tmp(tmp_dir);

  WriterOptions wo;
  wo.repair_tail = false;
  wo.logger = &logger;
  ASSIGN_OR_RETURN(auto cp, Writer::Open(tmp_dir, wo));

  CheckpointStats stats;
  std::vector<record::RefSeries> series;
  std::vector<record::RefSeries> kept_series;
  std::vector<record::RefSample> samples;
  std::vector<record::RefTombstone> tombstones;
  std::string buf;
  std::vector<std::pair<size_t, size_t>> recs;  // (offset, size) in buf
  std::vector<std::string_view> views;
  auto flush = [&]() -> base::Status {
    if (recs.empty()) return base::Status();
    views.clear();
    for (auto [off, n] : recs) views.emplace_back(buf.data() + off, n);
    RETURN_IF_ERROR(cp->Log(views));
    buf.clear();
    recs.clear();
    return base::Status();
  };

  while (reader->Next()) {
    const std::string_view rec = reader->Record();
    const size_t start = buf.size();
    switch (record::GetType(rec)) {
      case record::Type::kSeries: {
        series.clear();
        if (auto st = record::DecodeSeries(rec, &series); !st.ok()) {
          return st.WithPrefix(
              fmt::format("segment {}", SegmentName(reader->dir(), reader->segment())));
        }
        kept_series.clear();
        for (record::RefSeries& s : series) {
          if (keep_series(s.ref)) kept_series.push_back(std::move(s));
        }
        stats.total_series += static_cast<int64_t>(series.size());
        stats.dropped_series += static_cast<int64_t>(series.size() - kept_series.size());
        if (!kept_series.empty()) record::EncodeSeries(kept_series, &buf);
        break;
      }
      case record::Type::kSamples: {
        samples.clear();
        if (auto st = record::DecodeSamples(rec, &samples); !st.ok()) {
          return st.WithPrefix(
              fmt::format("segment {}", SegmentName(reader->dir(), reader->segment())));
        }
        const size_t total = samples.size();
        std::erase_if(samples, [mint](const record::RefSample& s) { return s.t < mint; });
        stats.total_samples += static_cast<int64_t>(total);
        stats.dropped_samples += static_cast<int64_t>(total - samples.size());
        if (!samples.empty()) record::EncodeSamples(samples, &buf);
        break;
      }
      case record::Type::kTombstones: {
        tombstones.clear();
        if (auto st = record::DecodeTombstones(rec, &tombstones); !st.ok()) {
          return st.WithPrefix(
              fmt::format("segment {}", SegmentName(reader->dir(), reader->segment())));
        }
        const size_t total = tombstones.size();
        std::erase_if(tombstones, [mint](const record::RefTombstone& s) { return s.maxt < mint; });
        stats.total_tombstones += static_cast<int64_t>(total);
        stats.dropped_tombstones += static_cast<int64_t>(total - tombstones.size());
        if (!tombstones.empty()) record::EncodeTombstones(tombstones, &buf);
        break;
      }
      default:
        ++stats.dropped_records;
        break;
    }
    if (buf.size() > start) recs.emplace_back(start, buf.size() - start);
    if (buf.size() >= kBatchBytes) RETURN_IF_ERROR(flush());
  }
  if (!reader->status().ok()) return reader->status().WithPrefix("read segments for checkpoint");
  RETURN_IF_ERROR(flush());
  RETURN_IF_ERROR(cp->Close());
  RETURN_IF_ERROR(base::SyncDir(tmp_dir));

  // No checkpoint.<to> directory exists (to is after the last checkpoint); clear any stray
  // file of that name so that the rename cannot fail on it.
  fs::remove_all(cp_dir, ec);
  if (ec) return base::IOError(fmt::format("delete {}: {}", cp_dir, ec.message()));
  fs::rename(tmp_dir, cp_dir, ec);
  if (ec) return base::IOError(fmt::format("rename {} to {}: {}", tmp_dir, cp_dir, ec.message()));
  remove_tmp.Release();
  RETURN_IF_ERROR(base::SyncDir(wal_dir));

  if (auto st = DeleteCheckpoints(wal_dir, to); !st.ok()) {
    logger.Warn(kComponent, "Deleting old checkpoints failed", {{"err", st.ToString()}});
  }
  logger.Info(kComponent, "Checkpoint created",
              {{"dir", cp_dir},
               {"series", std::to_string(stats.total_series - stats.dropped_series)},
               {"dropped_series", std::to_string(stats.dropped_series)},
               {"samples", std::to_string(stats.total_samples - stats.dropped_samples)},
               {"dropped_samples", std::to_string(stats.dropped_samples)}});
  return stats;
}

}  // namespace tsdb::wal

#include "base/file_util.h"
#include "tsdb/wal/writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <snappy.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "base/check.h"
#include "base/coding.h"
#include "base/crc32c.h"

namespace tsdb::wal {
namespace {

// A batch larger than this is written in several write(2)s, bounding the buffer.
constexpr size_t kFlushBytes = 1 << 20;
constexpr std::string_view kComponent = "tsdb";

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Inc(base::metrics::Counter* c) {
  if (c != nullptr) c->Inc();
}

int DataSync(int fd) {
#if defined(__linux__)
  return ::fdatasync(fd);
#else
  return ::fsync(fd);
#endif
}

}  // namespace

Writer::Writer(std::string dir, const WriterOptions& options)
    : dir_(std::move(dir)),
      options_(options),
      pages_per_segment_(options.segment_size / kPageSize),
      logger_(options.logger != nullptr ? *options.logger : base::Logger::Quiet()) {
  if (auto* r = options.registry; r != nullptr) {
    metrics_.fsync_duration = &r->GetHistogram("prometheus_tsdb_wal_fsync_duration_seconds",
                                               "Duration of write log fsync.",
                                               base::metrics::ExponentialBuckets(0.0001, 4, 10));
    metrics_.write_duration = &r->GetHistogram(
        "hestia_tsdb_wal_write_duration_seconds",
        "Duration of one Log call: encoding into pages and write(2), without fsync.",
        base::metrics::ExponentialBuckets(0.000002, 4, 11));
    metrics_.page_flushes =
        &r->GetCounter("prometheus_tsdb_wal_page_flushes_total", "Total number of page flushes.");
    metrics_.completed_pages = &r->GetCounter("prometheus_tsdb_wal_completed_pages_total",
                                              "Total number of completed pages.");
    metrics_.truncations = &r->GetCounter("prometheus_tsdb_wal_truncations_total",
                                          "Total number of write log truncations attempted.");
    metrics_.truncations_failed =
        &r->GetCounter("prometheus_tsdb_wal_truncations_failed_total",
                       "Total number of write log truncations that failed.");
    metrics_.writes_failed = &r->GetCounter("prometheus_tsdb_wal_writes_failed_total",
                                            "Total number of write log writes that failed.");
    metrics_.corruptions = &r->GetCounter("prometheus_tsdb_wal_corruptions_total",
                                          "Total number of WAL corruptions repaired.");
    metrics_.segment_current =
        &r->GetGauge("prometheus_tsdb_wal_segment_current",
                     "Write log segment index that TSDB is currently writing to.");
  }
  buf_.reserve(kFlushBytes + kPageSize);
}

base::Result<std::unique_ptr<Writer>> Writer::Open(const std::string& dir,
                                                   const WriterOptions& options) {
  if (options.segment_size == 0 || options.segment_size % kPageSize != 0) {
    return base::InvalidArgument(fmt::format("wal segment size {} is not a positive multiple of {}",
                                             options.segment_size, kPageSize));
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return base::IOError(fmt::format("create wal directory {}: {}", dir, ec.message()));

  auto w = std::unique_ptr<Writer>(new Writer(dir, options));
  ASSIGN_OR_RETURN(auto refs, ListSegments(dir));
  if (options.repair_tail) {
    // The newest segment with data; empty ones after it were created just before a crash.
    size_t i = refs.size();
    while (i > 0 && refs[i - 1].size_bytes == 0) --i;
    if (i > 0) {
      const int tail = refs[i - 1].index;
      ASSIGN_OR_RETURN(auto reader, Reader::Open(dir, tail, tail));
      while (reader->Next()) {
      }
      if (const auto& c = reader->corruption(); c.has_value()) {
        w->logger_.Warn(kComponent, "WAL tail is torn or corrupt, repairing",
                        {{"segment", std::to_string(c->segment)},
                         {"offset", std::to_string(c->offset)},
                         {"reason", c->reason}});
        RETURN_IF_ERROR(wal::Repair(w->logger_, dir, c->segment, c->offset));
        Inc(w->metrics_.corruptions);
        ASSIGN_OR_RETURN(refs, ListSegments(dir));
      } else if (!reader->status().ok()) {
        return reader->status();
      }
    }
  }
  // A process crash leaves the previous run's last segment with data only in the page cache;
  // make it durable before later records go to a new segment, so that a machine crash cannot
  // turn it into damage in the middle of the log.
  if (!refs.empty()) RETURN_IF_ERROR(detail::SyncFile(dir + "/" + refs.back().name));
  const int next = refs.empty() ? 0 : refs.back().index + 1;
  w->first_segment_ = refs.empty() ? next : refs.front().index;
  RETURN_IF_ERROR(w->StartSegment(next));
  return w;
}

Writer::~Writer() {
  if (closed_) return;
  if (auto st = Close(); !st.ok()) {
    logger_.Error(kComponent, "Closing the WAL failed", {{"err", st.ToString()}});
  }
}

base::Status Writer::StartSegment(int index) {
  const std::string path = SegmentName(dir_, index);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) return base::ErrnoError("create wal segment " + path);
  if (auto st = base::SyncDir(dir_); !st.ok()) {
    ::close(fd);
    ::unlink(path.c_str());
    return st;
  }
  int old;
  {
    std::lock_guard lock(sync_mu_);
    old = fd_;
    fd_ = fd;
    fd_segment_ = index;
  }
  if (old >= 0) ::close(old);
  segment_ = index;
  seg_bytes_ = 0;
  if (metrics_.segment_current != nullptr) metrics_.segment_current->Set(index);
  return base::Status();
}

base::Status Writer::Log(std::span<const std::string_view> records) {
  if (closed_) return base::Unavailable("wal writer is closed");
  if (!broken_.ok()) return broken_;
  if (sync_failed_.load(std::memory_order_relaxed)) {
    std::lock_guard lock(sync_mu_);
    return sync_error_;
  }
  for (std::string_view r : records) {
    if (r.empty()) return base::InvalidArgument("empty wal record");
  }
  const bool timed = metrics_.write_duration != nullptr;
  const auto start =
      timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
  uint64_t rollback_to = seg_bytes_;
  if (auto st = LogRecords(records, &rollback_to); !st.ok()) {
    Inc(metrics_.writes_failed);
    Rollback(rollback_to);
    return st;
  }
  if (timed) metrics_.write_duration->Observe(SecondsSince(start));
  return base::Status();
}

base::Status Writer::LogRecords(std::span<const std::string_view> records, uint64_t* rollback_to) {
  for (std::string_view rec : records) {
    std::string_view payload = rec;
    uint8_t flags = 0;
    if (options_.compress) {
      compressed_.resize(snappy::MaxCompressedLength(rec.size()));
      size_t n = 0;
      snappy::RawCompress(rec.data(), rec.size(), compressed_.data(), &n);
      if (n < rec.size()) {
        payload = std::string_view(compressed_.data(), n);
        flags = kSnappyFlag;
      }
    }
    if (seg_bytes_ > 0 && payload.size() > SegmentRoomLeft()) {
      RETURN_IF_ERROR(FinishSegment());
      RETURN_IF_ERROR(StartSegment(segment_ + 1));
      *rollback_to = 0;
    }
    AppendFragments(payload, flags);
    if (buf_.size() >= kFlushBytes) RETURN_IF_ERROR(Flush());
  }
  return Flush();
}

// fragment := type:u8 len:u16be crc32c(data):u32be data[len]; never crosses a page.
void Writer::AppendFragments(std::string_view payload, uint8_t flags) {
  const char* p = payload.data();
  size_t left = payload.size();
  bool first = true;
  while (left > 0) {
    const size_t room = kPageSize - seg_bytes_ % kPageSize;
    INVARIANT(room > kRecordHeaderSize);
    const size_t n = std::min(left, room - kRecordHeaderSize);
    FragmentType type;
    if (first) {
      type = n == left ? FragmentType::kFull : FragmentType::kFirst;
    } else {
      type = n == left ? FragmentType::kLast : FragmentType::kMiddle;
    }
    char hdr[kRecordHeaderSize];
    hdr[0] = static_cast<char>(static_cast<uint8_t>(type) | flags);
    base::EncodeBE16(hdr + 1, static_cast<uint16_t>(n));
    base::EncodeBE32(hdr + 3, base::Crc32cExtend(0, p, n));
    buf_.append(hdr, kRecordHeaderSize);
    buf_.append(p, n);
    seg_bytes_ += kRecordHeaderSize + n;
    p += n;
    left -= n;
    first = false;
    const size_t used = seg_bytes_ % kPageSize;
    if (used == 0) {
      Inc(metrics_.completed_pages);
    } else if (kPageSize - used <= kRecordHeaderSize) {
      PadPage();
    }
  }
}

void Writer::PadPage() {
  const size_t n = kPageSize - seg_bytes_ % kPageSize;
  buf_.append(n, '\0');
  seg_bytes_ += n;
  Inc(metrics_.completed_pages);
}

// Record bytes that still fit into the active segment, as Prometheus's wlog computes it: the
// rest of the current page and every remaining page, less one header each.
size_t Writer::SegmentRoomLeft() const {
  const uint64_t done = seg_bytes_ / kPageSize;
  const size_t used = seg_bytes_ % kPageSize;
  if (done >= pages_per_segment_) return 0;
  return (kPageSize - used - kRecordHeaderSize) +
         (kPageSize - kRecordHeaderSize) * (pages_per_segment_ - done - 1);
}

base::Status Writer::Flush() {
  if (buf_.empty()) return base::Status();
  const char* p = buf_.data();
  size_t n = buf_.size();
  while (n > 0) {
    ssize_t k = ::write(fd_, p, n);
    if (k < 0) {
      if (errno == EINTR) continue;
      return base::ErrnoError("write wal segment " + SegmentName(dir_, segment_));
    }
    p += k;
    n -= static_cast<size_t>(k);
    written_bytes_.fetch_add(static_cast<uint64_t>(k), std::memory_order_release);
  }
  Inc(metrics_.page_flushes);
  buf_.clear();
  return base::Status();
}

base::Status Writer::FinishSegment() {
  if (seg_bytes_ % kPageSize != 0) PadPage();
  RETURN_IF_ERROR(Flush());
  std::lock_guard lock(sync_mu_);
  if (!sync_error_.ok()) return sync_error_;
  if (synced_bytes_ >= written_bytes_.load(std::memory_order_acquire)) return base::Status();
  return FsyncLocked();
}

base::Status Writer::FsyncLocked() {
  const uint64_t upto = written_bytes_.load(std::memory_order_acquire);
  const bool timed = metrics_.fsync_duration != nullptr;
  const auto start =
      timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
  const int rc = DataSync(fd_);
  if (timed) metrics_.fsync_duration->Observe(SecondsSince(start));
  if (rc != 0) {
    // After a failed fsync the kernel may have dropped the dirty pages: retrying could report
    // success for data that is gone, so the error sticks.
    sync_error_ = base::ErrnoError("fsync wal segment " + SegmentName(dir_, fd_segment_));
    sync_failed_.store(true, std::memory_order_relaxed);
    return sync_error_;
  }
  synced_bytes_ = upto;
  return base::Status();
}

base::Status Writer::Sync() {
  const uint64_t target = written_bytes_.load(std::memory_order_acquire);
  std::lock_guard lock(sync_mu_);
  if (!sync_error_.ok()) return sync_error_;
  if (fd_ < 0 || synced_bytes_ >= target) return base::Status();
  return FsyncLocked();
}

void Writer::Rollback(uint64_t to) {
  buf_.clear();
  {
    // The file shrinks: make the next Sync fsync even if no byte is written before it.
    std::lock_guard lock(sync_mu_);
    synced_bytes_ = 0;
  }
  if (::ftruncate(fd_, static_cast<off_t>(to)) != 0) {
    broken_ = base::ErrnoError("truncate wal segment " + SegmentName(dir_, segment_) +
                               " after a failed write");
    logger_.Error(kComponent, "WAL write failed and could not be undone; the WAL is unusable",
                  {{"segment", std::to_string(segment_)}, {"err", broken_.ToString()}});
    return;
  }
  seg_bytes_ = to;
}

base::Result<int> Writer::NextSegment() {
  if (closed_) return base::Unavailable("wal writer is closed");
  if (!broken_.ok()) return broken_;
  const uint64_t before = seg_bytes_;
  if (auto st = FinishSegment(); !st.ok()) {
    Rollback(before);
    return st;
  }
  RETURN_IF_ERROR(StartSegment(segment_ + 1));
  return segment_;
}

base::Status Writer::Truncate(int before) {
  if (before > segment_) {
    return base::InvalidArgument(fmt::format(
        "cannot truncate wal before segment {}: segment {} is active", before, segment_));
  }
  Inc(metrics_.truncations);
  for (; first_segment_ < before; ++first_segment_) {
    const std::string path = SegmentName(dir_, first_segment_);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      Inc(metrics_.truncations_failed);
      return base::ErrnoError("delete wal segment " + path);
    }
  }
  return base::Status();
}

base::Status Writer::Repair(const CorruptionInfo& c) {
  if (closed_) return base::Unavailable("wal writer is closed");
  std::error_code ec;
  if (!std::filesystem::equivalent(c.dir, dir_, ec)) {
    return base::InvalidArgument(
        fmt::format("corruption in {} is not in this wal ({})", c.dir, dir_));
  }
  if (c.segment < first_segment_ || c.segment > segment_) {
    return base::InvalidArgument(fmt::format("corrupt segment {} is outside the wal's {}..{}",
                                             c.segment, first_segment_, segment_));
  }
  buf_.clear();
  {
    std::lock_guard lock(sync_mu_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Until a new segment is active the writer has no file: a failure below leaves it broken.
  broken_ = wal::Repair(logger_, dir_, c.segment, c.offset);
  RETURN_IF_ERROR(broken_);
  Inc(metrics_.corruptions);
  broken_ = StartSegment(c.segment + 1);
  return broken_;
}

base::Status Writer::Close() {
  if (closed_) return base::Status();
  base::Status st = broken_;
  if (st.ok() && fd_ >= 0) {
    const uint64_t before = seg_bytes_;
    if (seg_bytes_ % kPageSize != 0) PadPage();
    st = Flush();
    if (!st.ok()) Rollback(before);
  }
  {
    std::lock_guard lock(sync_mu_);
    if (fd_ >= 0) {
      if (st.ok() && !sync_error_.ok()) st = sync_error_;
      if (st.ok() && synced_bytes_ < written_bytes_.load(std::memory_order_acquire)) {
        st = FsyncLocked();
      }
      ::close(fd_);
      fd_ = -1;
    }
  }
  closed_ = true;
  return st;
}

base::Status Repair(base::Logger& logger, const std::string& dir, int segment, int64_t offset) {
  if (offset < 0) return base::InvalidArgument(fmt::format("negative repair offset {}", offset));
  ASSIGN_OR_RETURN(auto refs, ListSegments(dir));
  auto it = std::find_if(refs.begin(), refs.end(),
                         [&](const SegmentRef& r) { return r.index == segment; });
  if (it == refs.end()) {
    return base::NotFound(fmt::format("wal segment {} does not exist", SegmentName(dir, segment)));
  }
  logger.Warn(
      kComponent, "Starting WAL corruption repair",
      {{"dir", dir}, {"segment", std::to_string(segment)}, {"offset", std::to_string(offset)}});
  // Newest first: a crash part way leaves the indexes consecutive, and the corrupt segment last
  // so that the next Open repairs it again.
  for (auto r = refs.rbegin(); r != refs.rend() && r->index > segment; ++r) {
    const std::string path = dir + "/" + r->name;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return base::ErrnoError("delete wal segment " + path);
    }
    logger.Warn(
        kComponent, "WAL segment after the corruption deleted",
        {{"segment", std::to_string(r->index)}, {"dropped_bytes", std::to_string(r->size_bytes)}});
  }

  const std::string path = SegmentName(dir, segment);
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return base::ErrnoError("open wal segment " + path);
  struct stat st_buf;
  if (::fstat(fd, &st_buf) != 0) {
    auto st = base::ErrnoError("stat wal segment " + path);
    ::close(fd);
    return st;
  }
  const int64_t size = st_buf.st_size;
  const int64_t cut = std::min(offset, size);
  const int64_t padded = (cut + static_cast<int64_t>(kPageSize) - 1) /
                         static_cast<int64_t>(kPageSize) * static_cast<int64_t>(kPageSize);
  base::Status st;
  // Cut, then extend with zeros to the page boundary: the page's tail becomes padding.
  if (::ftruncate(fd, cut) != 0 || (padded != cut && ::ftruncate(fd, padded) != 0)) {
    st = base::ErrnoError("truncate wal segment " + path);
  } else if (DataSync(fd) != 0) {
    st = base::ErrnoError("fsync wal segment " + path);
  }
  ::close(fd);
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(base::SyncDir(dir));
  logger.Warn(kComponent, "WAL segment truncated",
              {{"segment", std::to_string(segment)},
               {"offset", std::to_string(cut)},
               {"dropped_bytes", std::to_string(std::max<int64_t>(0, size - cut))}});
  return base::Status();
}

}  // namespace tsdb::wal

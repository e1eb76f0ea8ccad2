#include "tsdb/head_chunks.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "base/check.h"
#include "base/coding.h"

namespace tsdb {
namespace {

constexpr char kMagic[4] = {'H', 'C', 'H', 'K'};
constexpr uint8_t kVersion = 1;
constexpr uint8_t kXorEncoding = 1;  // chunkenc::Encoding::kXor

std::string SegmentName(uint32_t seq) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%06u", seq);
  return buf;
}

bool IsSegmentName(const std::string& name) {
  return !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

// One region of segment_bytes: a file mapped read-only (fd >= 0), or anonymous memory.
struct HeadChunkStore::Segment {
  std::string path;  // empty for anonymous memory
  int fd = -1;
  char* base = nullptr;
  size_t capacity = 0;
  size_t written = 0;
  model::Timestamp max_time = model::kMinTime;

  ~Segment() {
    if (base != nullptr) munmap(base, capacity);
    if (fd >= 0) close(fd);
  }
  bool Append(const char* data, size_t n) {
    if (fd < 0) {
      std::memcpy(base + written, data, n);
      written += n;
      return true;
    }
    size_t done = 0;
    while (done < n) {
      ssize_t w = pwrite(fd, data + done, n - done, static_cast<off_t>(written + done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      done += static_cast<size_t>(w);
    }
    written += n;
    return true;
  }
};

base::Result<std::unique_ptr<HeadChunkStore>> HeadChunkStore::Open(const std::string& dir,
                                                                   base::Logger* logger,
                                                                   size_t segment_bytes) {
  INVARIANT(segment_bytes >= (size_t{64} << 10) && segment_bytes <= (size_t{1} << 32));
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return base::IOError("create " + dir + ": " + ec.message());
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (!e.is_regular_file() || !IsSegmentName(e.path().filename().string())) continue;
      std::filesystem::remove(e.path(), ec);
      if (ec) return base::IOError("remove " + e.path().string() + ": " + ec.message());
    }
    if (ec) return base::IOError("list " + dir + ": " + ec.message());
  }
  return std::unique_ptr<HeadChunkStore>(new HeadChunkStore(dir, logger, segment_bytes));
}

HeadChunkStore::~HeadChunkStore() { Close(); }

void HeadChunkStore::Cut() {
  auto seg = std::make_shared<Segment>();
  seg->capacity = segment_bytes_;
  const uint32_t seq = next_seq_++;
  if (!dir_.empty() && !files_failed_) {
    std::string path = dir_ + "/" + SegmentName(seq);
    int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
    void* base = MAP_FAILED;
    if (fd >= 0) {
      // The mapping may reach past the end of the file: only written bytes are ever read.
      base = mmap(nullptr, segment_bytes_, PROT_READ, MAP_SHARED, fd, 0);
    }
    if (fd >= 0 && base != MAP_FAILED) {
      seg->path = path;
      seg->fd = fd;
      seg->base = static_cast<char*>(base);
    } else {
      files_failed_ = true;
      logger_->Error("tsdb", "head chunk file unusable; keeping head chunks in memory",
                     {{"file", path}, {"err", std::strerror(errno)}});
      if (fd >= 0) {
        close(fd);
        unlink(path.c_str());
      }
    }
  }
  if (seg->base == nullptr) {
    void* base = mmap(nullptr, segment_bytes_, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    INVARIANT(base != MAP_FAILED);  // address space for head chunks
    seg->base = static_cast<char*>(base);
  }
  char header[kHeaderBytes] = {kMagic[0], kMagic[1], kMagic[2], kMagic[3],
                               static_cast<char>(kVersion), 0, 0, 0};
  if (!seg->Append(header, sizeof(header))) {
    files_failed_ = true;
    logger_->Error("tsdb", "head chunk file unwritable; keeping head chunks in memory",
                   {{"file", seg->path}, {"err", std::strerror(errno)}});
    unlink(seg->path.c_str());
    --next_seq_;
    Cut();
    return;
  }
  segments_[seq] = std::move(seg);
}

uint64_t HeadChunkStore::Write(std::string_view bytes, model::Timestamp maxt) {
  char head[1 + 10];
  head[0] = static_cast<char>(kXorEncoding);
  size_t head_len = 1 + static_cast<size_t>(base::EncodeUvarint(head + 1, bytes.size()));
  const size_t need = head_len + bytes.size();
  INVARIANT(need <= segment_bytes_ / 2);
  std::lock_guard lock(mu_);
  INVARIANT(!closed_);
  for (;;) {
    if (segments_.empty() || segments_.rbegin()->first != next_seq_ - 1 ||
        segments_.rbegin()->second->written + need > segment_bytes_) {
      Cut();
    }
    auto& [seq, seg] = *segments_.rbegin();
    const size_t offset = seg->written;
    if (seg->Append(head, head_len) && seg->Append(bytes.data(), bytes.size())) {
      seg->max_time = std::max(seg->max_time, maxt);
      return (uint64_t{seq} << 32) | offset;
    }
    // A file write failed (disk full): the segment ends before this record; go on in memory.
    seg->written = offset;
    files_failed_ = true;
    logger_->Error("tsdb", "head chunk write failed; keeping head chunks in memory",
                   {{"file", seg->path}, {"err", std::strerror(errno)}});
    Cut();
  }
}

std::string_view HeadChunkStore::Read(uint64_t ref, std::shared_ptr<const void>* owner) const {
  const uint32_t seq = static_cast<uint32_t>(ref >> 32);
  const size_t offset = static_cast<uint32_t>(ref);
  std::shared_ptr<Segment> seg;
  {
    std::lock_guard lock(mu_);
    auto it = segments_.find(seq);
    INVARIANT(it != segments_.end());  // a chunk of a dropped segment
    seg = it->second;
  }
  const char* p = seg->base + offset + 1;
  const char* end = seg->base + seg->written;
  uint64_t len = 0;
  p = base::GetUvarint(p, end, &len);
  INVARIANT(p != nullptr && len <= static_cast<uint64_t>(end - p));
  std::string_view out(p, len);
  *owner = std::move(seg);
  return out;
}

void HeadChunkStore::DropBefore(model::Timestamp mint) {
  std::lock_guard lock(mu_);
  for (auto it = segments_.begin(); it != segments_.end();) {
    Segment& s = *it->second;
    if (it->first == next_seq_ - 1 || s.max_time >= mint) {
      if (s.fd >= 0) madvise(s.base, s.capacity, MADV_DONTNEED);
      ++it;
      continue;
    }
    if (!s.path.empty()) unlink(s.path.c_str());
    it = segments_.erase(it);
  }
}

uint64_t HeadChunkStore::SizeBytes() const {
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  for (const auto& [seq, seg] : segments_) n += seg->written;
  return n;
}

size_t HeadChunkStore::NumSegments() const {
  std::lock_guard lock(mu_);
  return segments_.size();
}

void HeadChunkStore::Close() {
  std::lock_guard lock(mu_);
  if (closed_) return;
  closed_ = true;
  for (const auto& [seq, seg] : segments_)
    if (!seg->path.empty()) unlink(seg->path.c_str());
  segments_.clear();
}

}  // namespace tsdb

#include "tsdb/block/chunks.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "base/coding.h"
#include "base/crc32c.h"
#include "tsdb/chunkenc/xor_chunk.h"

namespace tsdb::block {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

}  // namespace

std::string SegmentFileName(uint32_t n) { return fmt::format("{:06}", n); }

base::Result<std::unique_ptr<chunkenc::Chunk>> EncodeChunk(std::span<const model::Sample> samples) {
  if (samples.size() > kMaxChunkSamples)
    return base::InvalidArgument(fmt::format("{} samples do not fit one chunk", samples.size()));
  // The smallest encoding for these samples (docs/format/chunks.md): usually packed for
  // scraped counters and gauges, XOR for arbitrary floats.
  return chunkenc::EncodeBest(samples);
}

base::Result<std::unique_ptr<ChunkWriter>> ChunkWriter::Create(const std::string& dir,
                                                               uint64_t max_segment_bytes) {
  if (::mkdir(dir.c_str(), 0777) != 0) return base::ErrnoError("create directory " + dir);
  max_segment_bytes =
      std::clamp<uint64_t>(max_segment_bytes, kChunksHeaderSize + 1, uint64_t{1} << 32);
  return std::unique_ptr<ChunkWriter>(new ChunkWriter(dir, max_segment_bytes));
}

ChunkWriter::~ChunkWriter() {
  if (fd_ >= 0) ::close(fd_);
}

base::Status ChunkWriter::Flush() {
  std::string_view d = buf_;
  while (!d.empty()) {
    ssize_t n = ::write(fd_, d.data(), d.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return base::ErrnoError("write " + dir_ + "/" + SegmentFileName(seq_));
    }
    d.remove_prefix(static_cast<size_t>(n));
  }
  buf_.clear();
  return base::Status::Ok();
}

base::Status ChunkWriter::CloseSegment() {
  if (fd_ < 0) return base::Status::Ok();
  RETURN_IF_ERROR(Flush());
  const std::string path = dir_ + "/" + SegmentFileName(seq_);
  if (::fsync(fd_) != 0) return base::ErrnoError("fsync " + path);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return base::ErrnoError("close " + path);
  return base::Status::Ok();
}

base::Status ChunkWriter::Cut() {
  RETURN_IF_ERROR(CloseSegment());
  ++seq_;
  const std::string path = dir_ + "/" + SegmentFileName(seq_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd_ < 0) return base::ErrnoError("create " + path);
  base::PutBE32(&buf_, kChunksMagic);
  buf_.push_back(static_cast<char>(kChunksVersion));
  buf_.append(3, '\0');
  seg_size_ = kChunksHeaderSize;
  return base::Status::Ok();
}

base::Result<uint64_t> ChunkWriter::Write(chunkenc::Encoding encoding, std::string_view data) {
  char len[10];
  const int len_size = base::EncodeUvarint(len, data.size());
  const uint64_t size = static_cast<uint64_t>(len_size) + 1 + data.size() + 4;
  // A chunk larger than a segment gets a segment of its own (as Prometheus).
  if (fd_ < 0 || (seg_size_ + size > max_segment_bytes_ && seg_size_ > kChunksHeaderSize)) {
    RETURN_IF_ERROR(Cut());
  }
  if (seg_size_ > UINT32_MAX)
    return base::Internal(fmt::format("chunk segment {} offset past 4 GiB", SegmentFileName(seq_)));
  const uint64_t ref = (uint64_t{seq_} << 32) | seg_size_;
  buf_.append(len, static_cast<size_t>(len_size));
  const size_t crc_start = buf_.size();
  buf_.push_back(static_cast<char>(encoding));
  buf_.append(data);
  base::PutBE32(&buf_, base::Crc32cExtend(0, buf_.data() + crc_start, buf_.size() - crc_start));
  seg_size_ += size;
  if (buf_.size() >= kFlushBytes) RETURN_IF_ERROR(Flush());
  return ref;
}

base::Status ChunkWriter::Finish() {
  RETURN_IF_ERROR(CloseSegment());
  return SyncDir(dir_);
}

base::Result<std::unique_ptr<ChunkReader>> ChunkReader::Open(const std::string& dir) {
  std::error_code ec;
  std::vector<uint32_t> nums;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() != 6 ||
        !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    nums.push_back(static_cast<uint32_t>(std::stoul(name)));
  }
  if (ec) return base::IOError(fmt::format("list {}: {}", dir, ec.message()));
  std::sort(nums.begin(), nums.end());
  auto r = std::unique_ptr<ChunkReader>(new ChunkReader());
  r->dir_ = dir;
  for (size_t i = 0; i < nums.size(); ++i) {
    const std::string path = dir + "/" + SegmentFileName(static_cast<uint32_t>(i + 1));
    if (nums[i] != i + 1) return base::Corruption("missing chunk segment " + path);
    ASSIGN_OR_RETURN(MmapFile f, MmapFile::Open(path));
    std::string_view d = f.data();
    if (d.size() < kChunksHeaderSize)
      return base::Corruption(path + ": chunk segment shorter than its header");
    if (base::DecodeBE32(d.data()) != kChunksMagic)
      return base::Corruption(path + ": bad chunk segment magic");
    if (static_cast<uint8_t>(d[4]) != kChunksVersion)
      return base::Corruption(fmt::format("{}: unsupported chunk segment version {}", path,
                                          static_cast<uint8_t>(d[4])));
    r->segments_.push_back(std::move(f));
  }
  return r;
}

base::Result<ChunkData> ChunkReader::Chunk(uint64_t ref) const {
  const uint64_t seq = ref >> 32;
  const uint64_t off = ref & 0xffffffff;
  if (seq == 0 || seq > segments_.size())
    return base::Corruption(fmt::format("{}: chunk reference {:#x} names no segment", dir_, ref));
  std::string_view d = segments_[seq - 1].data();
  auto bad = [&](std::string_view what) {
    return base::Corruption(fmt::format("{}/{}: chunk at offset {}: {}", dir_,
                                        SegmentFileName(static_cast<uint32_t>(seq)), off, what));
  };
  if (off < kChunksHeaderSize || off >= d.size()) return bad("offset out of range");
  uint64_t len = 0;
  const char* p = base::GetUvarint(d.data() + off, d.data() + d.size(), &len);
  if (p == nullptr) return bad("truncated length");
  const size_t avail = static_cast<size_t>(d.data() + d.size() - p);
  if (avail < 5 || len > avail - 5) return bad("truncated chunk");
  const uint32_t want = base::DecodeBE32(p + 1 + len);
  if (base::Crc32cExtend(0, p, 1 + len) != want) return bad("checksum mismatch");
  return ChunkData{static_cast<chunkenc::Encoding>(static_cast<uint8_t>(*p)),
                   std::string_view(p + 1, len)};
}

}  // namespace tsdb::block

#include "tsdb/wal/reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <snappy.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/coding.h"
#include "base/crc32c.h"

namespace tsdb::wal {
namespace {

// Bytes read per read(2): whole pages, so that a fragment (which never crosses a page) is
// always entirely inside the buffer or cut by the end of the file.
constexpr size_t kReadChunk = 32 * kPageSize;
static_assert(kReadChunk % kPageSize == 0);

std::string_view KindName(uint8_t kind) {
  switch (static_cast<FragmentType>(kind)) {
    case FragmentType::kPageTerm:
      return "zero";
    case FragmentType::kFull:
      return "full";
    case FragmentType::kFirst:
      return "first";
    case FragmentType::kMiddle:
      return "middle";
    case FragmentType::kLast:
      return "last";
  }
  return "invalid";
}

bool AllZero(const char* p, size_t n) {
  static const char kZeros[256] = {};
  while (n > 0) {
    size_t k = std::min(n, sizeof(kZeros));
    if (std::memcmp(p, kZeros, k) != 0) return false;
    p += k;
    n -= k;
  }
  return true;
}

}  // namespace

std::string CorruptionInfo::ToString() const {
  if (segment < 0) return fmt::format("corruption in {} at offset {}: {}", dir, offset, reason);
  return fmt::format("corruption in segment {} at offset {}: {}", SegmentName(dir, segment), offset,
                     reason);
}

base::Result<std::unique_ptr<Reader>> Reader::Open(std::span<const SegmentRange> ranges,
                                                   Reporter* reporter) {
  std::vector<Seg> segs;
  for (const SegmentRange& r : ranges) {
    ASSIGN_OR_RETURN(auto refs, ListSegments(r.dir));
    for (const SegmentRef& ref : refs) {
      if (r.first >= 0 && ref.index < r.first) continue;
      if (r.last >= 0 && ref.index > r.last) break;
      segs.push_back({r.dir, r.dir + "/" + ref.name, ref.index});
    }
  }
  return std::unique_ptr<Reader>(new Reader(std::move(segs), reporter));
}

base::Result<std::unique_ptr<Reader>> Reader::Open(const std::string& dir, int first, int last,
                                                   Reporter* reporter) {
  SegmentRange range{dir, first, last};
  return Open(std::span<const SegmentRange>(&range, 1), reporter);
}

base::Result<std::unique_ptr<Reader>> Reader::OpenFile(const std::string& path,
                                                       Reporter* reporter) {
  std::filesystem::path p(path);
  std::vector<Seg> segs;
  std::string dir = p.has_parent_path() ? p.parent_path().string() : std::string(".");
  segs.push_back({std::move(dir), path, ParseSegmentName(p.filename().string())});
  auto reader = std::unique_ptr<Reader>(new Reader(std::move(segs), reporter));
  // Fail early on a missing file rather than at the first Next().
  if (!reader->OpenCurrent()) return reader->status_;
  return reader;
}

Reader::Reader(std::vector<Seg> segs, Reporter* reporter)
    : segs_(std::move(segs)), reporter_(reporter) {}

Reader::~Reader() { CloseCurrent(); }

const std::string& Reader::dir() const {
  static const std::string kEmpty;
  return rec_seg_pos_ < segs_.size() ? segs_[rec_seg_pos_].dir : kEmpty;
}

void Reader::CloseCurrent() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool Reader::OpenCurrent() {
  const Seg& s = segs_[cur_];
  fd_ = ::open(s.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    auto st = base::ErrnoError("open wal segment " + s.path);
    if (errno == ENOENT) st = base::NotFound(st.message());
    return FailStatus(std::move(st));
  }
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  eof_ = false;
  buf_off_ = 0;
  buf_len_ = 0;
  pos_ = 0;
  return true;
}

// Reads the next chunk of the current segment at pos_ (== buf_off_ + buf_len_). Sets eof_ when
// the file has no more bytes.
bool Reader::Load() {
  if (buf_.empty()) buf_.resize(kReadChunk);
  buf_off_ = pos_;
  buf_len_ = 0;
  while (buf_len_ < kReadChunk) {
    ssize_t n = ::read(fd_, buf_.data() + buf_len_, kReadChunk - buf_len_);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailStatus(base::ErrnoError("read wal segment " + segs_[cur_].path));
    }
    if (n == 0) {
      eof_ = true;
      break;
    }
    buf_len_ += static_cast<size_t>(n);
  }
  return true;
}

bool Reader::Fail(int64_t offset, std::string reason) {
  const Seg& s = segs_[cur_];
  corruption_ = CorruptionInfo{s.dir, s.index, offset, std::move(reason)};
  status_ = base::Corruption(corruption_->ToString());
  done_ = true;
  rec_ = {};
  CloseCurrent();
  if (reporter_ != nullptr) reporter_->Corruption(*corruption_);
  return false;
}

bool Reader::FailStatus(base::Status st) {
  status_ = std::move(st);
  done_ = true;
  rec_ = {};
  CloseCurrent();
  return false;
}

bool Reader::Next() {
  if (done_) return false;
  rec_ = {};
  rec_buf_.clear();
  bool in_record = false;
  int64_t rec_start = 0;
  uint8_t rec_flags = 0;

  for (;;) {
    if (fd_ < 0) {
      if (cur_ >= segs_.size()) {
        done_ = true;
        return false;
      }
      if (!OpenCurrent()) return false;
    }
    if (pos_ >= buf_off_ + static_cast<int64_t>(buf_len_)) {
      if (eof_) {
        if (in_record) return Fail(rec_start, "last record is torn");
        CloseCurrent();
        ++cur_;
        continue;
      }
      if (!Load()) return false;
      continue;
    }

    const size_t i = static_cast<size_t>(pos_ - buf_off_);
    const char* p = buf_.data() + i;
    const size_t avail = buf_len_ - i;
    const size_t page_room = kPageSize - static_cast<size_t>(pos_ % kPageSize);
    const uint8_t hdr = static_cast<uint8_t>(p[0]);

    if (hdr == 0) {
      // Page padding. The buffer holds whole pages except at the end of the file, where the
      // missing part of the page counts as zeros.
      size_t n = std::min(page_room, avail);
      if (!AllZero(p, n)) {
        return Fail(in_record ? rec_start : pos_, "unexpected non-zero byte in padded page");
      }
      pos_ += static_cast<int64_t>(n);
      continue;
    }

    const int64_t frag_start = pos_;
    const int64_t bad_at = in_record ? rec_start : frag_start;
    if (page_room < kRecordHeaderSize) {
      return Fail(bad_at, "fragment header crosses a page boundary");
    }
    if (avail < kRecordHeaderSize) return Fail(bad_at, "last record is torn: header cut short");
    const uint8_t kind = hdr & kFragmentTypeMask;
    const uint8_t flags = hdr & ~kFragmentTypeMask;
    if ((flags & ~(kSnappyFlag | kZstdFlag)) != 0 || (flags & kSnappyFlag && flags & kZstdFlag)) {
      return Fail(bad_at, fmt::format("invalid fragment header byte {:#04x}", hdr));
    }
    if (kind > static_cast<uint8_t>(FragmentType::kLast)) {
      return Fail(bad_at, fmt::format("invalid fragment type {}", kind));
    }
    const size_t len = base::DecodeBE16(p + 1);
    const uint32_t want_crc = base::DecodeBE32(p + 3);
    if (kRecordHeaderSize + len > page_room) {
      return Fail(bad_at, fmt::format("fragment of {} bytes exceeds its page", len));
    }
    if (kRecordHeaderSize + len > avail) {
      return Fail(bad_at, "last record is torn: fragment cut short");
    }
    const char* data = p + kRecordHeaderSize;
    if (uint32_t crc = base::Crc32cExtend(0, data, len); crc != want_crc) {
      return Fail(bad_at, fmt::format("checksum mismatch: computed {:08x}, header has {:08x}", crc,
                                      want_crc));
    }

    const auto type = static_cast<FragmentType>(kind);
    if (!in_record) {
      if (type == FragmentType::kMiddle || type == FragmentType::kLast) {
        return Fail(bad_at,
                    fmt::format("unexpected {} fragment at the start of a record", KindName(kind)));
      }
      rec_start = frag_start;
      rec_flags = flags;
    } else {
      if (type == FragmentType::kFull || type == FragmentType::kFirst) {
        return Fail(bad_at, fmt::format("unexpected {} fragment inside a record", KindName(kind)));
      }
      if (flags != rec_flags)
        return Fail(bad_at, "fragments of one record disagree on compression");
    }
    // No writer produces an empty full, middle or last fragment (Prometheus may write an empty
    // first fragment when exactly a header's room is left in a page); a torn header whose tail
    // was zero-filled looks exactly like one.
    if (len == 0 && type != FragmentType::kFirst) {
      return Fail(bad_at, fmt::format("empty {} fragment", KindName(kind)));
    }
    pos_ += static_cast<int64_t>(kRecordHeaderSize + len);

    std::string_view payload;
    if (type == FragmentType::kFull) {
      payload = std::string_view(data, len);  // no copy: valid until the buffer is reloaded
    } else {
      rec_buf_.append(data, len);
      in_record = true;
      if (type != FragmentType::kLast) continue;
      payload = rec_buf_;
    }

    rec_segment_ = segs_[cur_].index;
    rec_seg_pos_ = cur_;
    rec_offset_ = rec_start;
    rec_end_ = pos_;
    if (rec_flags & kZstdFlag) {
      return FailStatus(base::InvalidArgument(fmt::format(
          "zstd-compressed wal record in segment {} at offset {}: not supported (convert the WAL "
          "with Prometheus's --storage.tsdb.wal-compression-type=snappy or none)",
          segs_[cur_].path, rec_start)));
    }
    if (rec_flags & kSnappyFlag) {
      size_t n = 0;
      // Snappy expands at most ~22x; a larger claimed length is damage, not data to allocate.
      if (!snappy::GetUncompressedLength(payload.data(), payload.size(), &n) ||
          n > 32 * payload.size() + 64) {
        return Fail(rec_start, "invalid snappy-compressed record");
      }
      decompressed_.resize(n);
      if (!snappy::RawUncompress(payload.data(), payload.size(), decompressed_.data())) {
        return Fail(rec_start, "invalid snappy-compressed record");
      }
      payload = decompressed_;
    }
    rec_ = payload;
    return true;
  }
}

}  // namespace tsdb::wal

// Reader: reads the records of WAL segments in order (docs/format/wal.md), across segments and
// across directories (a checkpoint, then the WAL), reporting corruption instead of throwing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tsdb/wal/segment.h"

namespace tsdb::wal {

// Where a Reader stopped because the log is damaged. Every record of `segment` that begins
// before `offset` was read intact; `offset` is where the first unreadable record begins, so
// truncating the segment there (Repair) keeps exactly the valid prefix.
struct CorruptionInfo {
  std::string dir;     // directory of the segment (the WAL's or a checkpoint's)
  int segment = -1;    // segment index; -1 when reading a file not named by an index
  int64_t offset = 0;  // byte offset in the segment of the first unreadable record
  std::string reason;  // e.g. "checksum mismatch", "last record is torn"

  // "corruption in segment dir/00000003 at offset 40960: checksum mismatch ..."
  std::string ToString() const;
};

// Receives the corruption a Reader stops at. Called at most once per Reader, from the thread
// calling Next().
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void Corruption(const CorruptionInfo& info) = 0;
};

// Reader yields the records of a list of segments in order. It stops at the first damaged
// record: corruption is never skipped, since later records may depend on lost ones (a samples
// record on the series record before it). Records never span segments; a segment that ends in
// the middle of a record is corrupt at that record.
// Thread-compatible: one thread at a time.
class Reader {
 public:
  // Reads the segments of each range in turn. Errors: kNotFound (a directory is missing),
  // kIOError, kCorruption (segment indexes not consecutive).
  static base::Result<std::unique_ptr<Reader>> Open(std::span<const SegmentRange> ranges,
                                                    Reporter* reporter = nullptr);
  // Reads segments first..last (-1: open end) of `dir`.
  static base::Result<std::unique_ptr<Reader>> Open(const std::string& dir, int first = -1,
                                                    int last = -1, Reporter* reporter = nullptr);
  // Reads one segment file; its index is parsed from the file name (-1 if not a number).
  static base::Result<std::unique_ptr<Reader>> OpenFile(const std::string& path,
                                                        Reporter* reporter = nullptr);

  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Advances to the next record. Returns false at the end of the last segment or at the first
  // error; then status() tells which, and Next() keeps returning false.
  bool Next();

  // The current record. Valid until the next call to Next().
  std::string_view Record() const { return rec_; }

  // OK after a clean end; kCorruption (message as CorruptionInfo::ToString, details in
  // corruption()); kInvalidArgument for a zstd-compressed record (Prometheus's
  // --storage.tsdb.wal-compression-type=zstd), which is not damage and must not be repaired;
  // kIOError when a segment cannot be read.
  const base::Status& status() const { return status_; }
  // Set when the reader stopped at a corruption.
  const std::optional<CorruptionInfo>& corruption() const { return corruption_; }

  // Position of the current record: its segment, its directory, the offset of its first
  // fragment and the offset just past its last fragment.
  int segment() const { return rec_segment_; }
  const std::string& dir() const;
  int64_t offset() const { return rec_offset_; }
  int64_t end_offset() const { return rec_end_; }

 private:
  struct Seg {
    std::string dir;
    std::string path;
    int index;
  };
  explicit Reader(std::vector<Seg> segs, Reporter* reporter);

  bool OpenCurrent();
  bool Load();
  bool Fail(int64_t offset, std::string reason);
  bool FailStatus(base::Status st);
  void CloseCurrent();

  std::vector<Seg> segs_;
  Reporter* reporter_;

  size_t cur_ = 0;  // index into segs_ of the segment being read
  int fd_ = -1;     // open file of segs_[cur_], or -1
  bool eof_ = false;
  std::vector<char> buf_;  // whole pages of the current segment, from buf_off_
  int64_t buf_off_ = 0;
  size_t buf_len_ = 0;
  int64_t pos_ = 0;  // offset in the current segment of the next byte to parse

  std::string rec_buf_;       // concatenated fragments of a multi-fragment record
  std::string decompressed_;  // a snappy record, uncompressed
  std::string_view rec_;
  int rec_segment_ = -1;
  int64_t rec_offset_ = 0;
  int64_t rec_end_ = 0;
  size_t rec_seg_pos_ = 0;  // index into segs_ of the current record

  bool done_ = false;
  base::Status status_;
  std::optional<CorruptionInfo> corruption_;
};

}  // namespace tsdb::wal

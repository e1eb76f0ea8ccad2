// HeadChunkStore: where the head's full chunks go once closed, out of the heap (as Prometheus's
// memory-mapped head chunks, tsdb/chunks/head_chunks.go). Chunks are appended to segments of
// fixed capacity, each a file in chunks_head/ written with pwrite and memory-mapped read-only,
// so that a closed chunk occupies page cache (reclaimable, not the process's anonymous memory)
// and is read in place by queries. Without a directory the segments are anonymous memory
// regions: still one arena per time range instead of one heap block per chunk.
//
// The files are scratch space: the WAL stays the source of truth, so files left by an earlier
// run are deleted on opening and the head rebuilds its chunks by replay. Format:
// docs/format/chunks.md, section 9.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/logger.h"
#include "base/status.h"
#include "model/sample.h"

namespace tsdb {

// Thread-safe. Chunks are identified by a ref: segment sequence number << 32 | offset.
class HeadChunkStore {
 public:
  static constexpr size_t kDefaultSegmentBytes = size_t{64} << 20;
  static constexpr size_t kHeaderBytes = 8;  // magic, version, padding

  // A store in `dir` (created if missing; segment files found there are deleted), or in
  // anonymous memory when `dir` is empty. REQUIRES: 64 KiB <= segment_bytes <= 4 GiB.
  static base::Result<std::unique_ptr<HeadChunkStore>> Open(
      const std::string& dir, base::Logger* logger = &base::Logger::Quiet(),
      size_t segment_bytes = kDefaultSegmentBytes);
  ~HeadChunkStore();
  HeadChunkStore(const HeadChunkStore&) = delete;
  HeadChunkStore& operator=(const HeadChunkStore&) = delete;

  // Appends the bytes of one XOR chunk whose newest sample is at `maxt`; returns its ref.
  // Never fails: when a file cannot be created or written (disk full), the store logs it once
  // and continues in anonymous memory. REQUIRES: bytes.size() < segment_bytes / 2.
  uint64_t Write(std::string_view bytes, model::Timestamp maxt);

  // The bytes of chunk `ref`, valid while `*owner` (set here) is held: the segment stays mapped
  // while anyone holds it, even after DropBefore removed it. REQUIRES: ref came from Write and
  // its segment was not dropped before this call (the head drops only chunks it has forgotten).
  std::string_view Read(uint64_t ref, std::shared_ptr<const void>* owner) const;

  // Removes the segments whose chunks all end before `mint` (never the segment being written):
  // their files are deleted, their memory unmapped once no reader holds it. The pages of the
  // file segments that stay are taken out of the process's resident set (they stay in the page
  // cache; a later read maps them again): a block cut has just read every one of them.
  void DropBefore(model::Timestamp mint);

  // Bytes written to the live segments (headers included): the disk (or memory) they take.
  uint64_t SizeBytes() const;
  size_t NumSegments() const;
  // Deletes every segment file; nothing may be read or written afterwards.
  void Close();

 private:
  struct Segment;
  HeadChunkStore(std::string dir, base::Logger* logger, size_t segment_bytes)
      : dir_(std::move(dir)), logger_(logger), segment_bytes_(segment_bytes) {}
  // Starts segment next_seq_ (a file, or anonymous memory after a file error). REQUIRES: mu_.
  void Cut();

  const std::string dir_;
  base::Logger* const logger_;
  const size_t segment_bytes_;

  mutable std::mutex mu_;
  // Live segments by sequence number; the one being written is next_seq_ - 1.
  std::map<uint32_t, std::shared_ptr<Segment>> segments_;  // GUARDED_BY(mu_)
  uint32_t next_seq_ = 1;                                   // GUARDED_BY(mu_)
  bool files_failed_ = false;  // GUARDED_BY(mu_): a file error switched to anonymous memory
  bool closed_ = false;        // GUARDED_BY(mu_)
};

}  // namespace tsdb

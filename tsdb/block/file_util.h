// File helpers of the block layer: read-only memory maps (whole-file reads, fsync and rename:
// base/file_util.h).
#pragma once

#include <string>
#include <string_view>

#include "base/file_util.h"
#include "base/status.h"

namespace tsdb::block {

// A read-only memory map of a whole file. Move-only; unmaps on destruction. An empty file maps
// to an empty view. Thread-compatible: data() may be read from many threads.
class MmapFile {
 public:
  MmapFile() = default;
  ~MmapFile();
  MmapFile(MmapFile&& o) noexcept;
  MmapFile& operator=(MmapFile&& o) noexcept;
  MmapFile(const MmapFile&) = delete;
  MmapFile& operator=(const MmapFile&) = delete;

  // Maps `path`; kNotFound when it does not exist, kIOError naming the file otherwise.
  static base::Result<MmapFile> Open(const std::string& path);
  // The file's bytes; valid while this object lives.
  std::string_view data() const { return {static_cast<const char*>(addr_), size_}; }
  // Unmaps the pages read so far from the process's resident set; they stay in the page cache
  // and data() stays valid (a later read maps them again). For a reader that has parsed what it
  // keeps and may not touch the rest for a long time.
  void ReleaseResident() const;

 private:
  void* addr_ = nullptr;
  size_t size_ = 0;
};

// The whole-file helpers live in base/ (one copy for WAL, blocks and snapshots).
using base::ReadFile;
using base::RenameSync;
using base::SyncDir;
using base::WriteFileSync;

}  // namespace tsdb::block

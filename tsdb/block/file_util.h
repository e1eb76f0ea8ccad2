// File helpers of the block layer: read-only memory maps and the fsync/rename steps that make
// a block or a tombstones file appear atomically.
#pragma once

#include <string>
#include <string_view>

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

 private:
  void* addr_ = nullptr;
  size_t size_ = 0;
};

// Writes `data` to a new file `path` (replacing one that exists) and fsyncs it.
base::Status WriteFileSync(const std::string& path, std::string_view data);
// Reads a whole file; kNotFound when it does not exist.
base::Result<std::string> ReadFile(const std::string& path);
// fsyncs a directory (after creating, renaming or removing entries in it).
base::Status SyncDir(const std::string& dir);
// Renames `from` to `to` (atomic on POSIX file systems) and fsyncs the parent of `to`.
base::Status RenameSync(const std::string& from, const std::string& to);

}  // namespace tsdb::block

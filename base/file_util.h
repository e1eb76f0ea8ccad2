// Whole-file reads and the write, fsync and rename steps that make a file or a directory appear
// atomically on disk: for the WAL, blocks, tombstones, and the Alertmanager's snapshots.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace base {

// Writes `data` to a new file `path` (replacing one that exists) and fsyncs it.
Status WriteFileSync(const std::string& path, std::string_view data);
// Reads a whole file; kNotFound when it does not exist.
Result<std::string> ReadFile(const std::string& path);
// fsyncs a directory (after creating, renaming or removing entries in it).
Status SyncDir(const std::string& dir);
// Renames `from` to `to` (atomic on POSIX file systems) and fsyncs the parent of `to`.
Status RenameSync(const std::string& from, const std::string& to);
// Replaces `path` with `data` so that a crash leaves the old or the new contents: writes and
// fsyncs path.tmp, renames it over path, fsyncs the directory.
Status WriteFileAtomically(const std::string& path, std::string_view data);
// The file's contents, or nullopt when it does not exist.
Result<std::optional<std::string>> ReadFileIfExists(const std::string& path);

}  // namespace base

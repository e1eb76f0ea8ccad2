#include "tsdb/wal/segment.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

namespace tsdb::wal {

std::string SegmentName(std::string_view dir, int index) {
  return fmt::format("{}/{:08d}", dir, index);
}

int ParseSegmentName(std::string_view name) {
  if (name.empty() || name.size() > 9) return -1;
  int v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

base::Result<std::vector<SegmentRef>> ListSegments(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    std::string msg = fmt::format("list wal segments in {}: {}", dir, ec.message());
    if (ec == std::errc::no_such_file_or_directory) return base::NotFound(std::move(msg));
    return base::IOError(std::move(msg));
  }
  std::vector<SegmentRef> refs;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::string name = it->path().filename().string();
    int index = ParseSegmentName(name);
    if (index < 0) continue;
    std::error_code size_ec;
    if (!it->is_regular_file(size_ec)) continue;
    auto size = it->file_size(size_ec);
    if (size_ec) {
      return base::IOError(fmt::format("stat wal segment {}/{}: {}", dir, name, size_ec.message()));
    }
    refs.push_back({std::move(name), index, static_cast<int64_t>(size)});
  }
  if (ec) return base::IOError(fmt::format("list wal segments in {}: {}", dir, ec.message()));
  std::sort(refs.begin(), refs.end(),
            [](const SegmentRef& a, const SegmentRef& b) { return a.index < b.index; });
  for (size_t i = 1; i < refs.size(); ++i) {
    if (refs[i - 1].index + 1 != refs[i].index) {
      return base::Corruption(fmt::format("wal segments in {} are not sequential: {} then {}", dir,
                                          refs[i - 1].name, refs[i].name));
    }
  }
  return refs;
}

base::Result<std::pair<int, int>> Segments(const std::string& dir) {
  ASSIGN_OR_RETURN(auto refs, ListSegments(dir));
  if (refs.empty()) return std::pair<int, int>(-1, -1);
  return std::pair<int, int>(refs.front().index, refs.back().index);
}

namespace detail {

base::Status SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return base::ErrnoError("open " + path);
  base::Status st;
#if defined(__linux__)
  if (::fdatasync(fd) != 0) st = base::ErrnoError("fsync " + path);
#else
  if (::fsync(fd) != 0) st = base::ErrnoError("fsync " + path);
#endif
  ::close(fd);
  return st;
}

}  // namespace detail
}  // namespace tsdb::wal

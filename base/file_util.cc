#include "base/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace base {

Status WriteFileSync(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return ErrnoError("create " + path);
  Status st;
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      st = ErrnoError("write " + path);
      break;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (st.ok() && ::fsync(fd) != 0) st = ErrnoError("fsync " + path);
  if (::close(fd) != 0 && st.ok()) st = ErrnoError("close " + path);
  return st;
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("open " + path + ": no such file");
    return ErrnoError("open " + path);
  }
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = ErrnoError("read " + path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open directory " + dir);
  Status st;
  if (::fsync(fd) != 0) st = ErrnoError("fsync directory " + dir);
  ::close(fd);
  return st;
}

Status RenameSync(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return ErrnoError("rename " + from + " to " + to);
  std::string parent = std::filesystem::path(to).parent_path().string();
  return SyncDir(parent.empty() ? "." : parent);
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  if (Status st = WriteFileSync(tmp, data); !st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return RenameSync(tmp, path);
}

Result<std::optional<std::string>> ReadFileIfExists(const std::string& path) {
  auto r = ReadFile(path);
  if (!r) {
    if (r.error().code() == StatusCode::kNotFound) return std::optional<std::string>();
    return r.error();
  }
  return std::optional<std::string>(std::move(*r));
}

}  // namespace base

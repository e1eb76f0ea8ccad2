#include "tsdb/block/file_util.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <utility>

namespace tsdb::block {

MmapFile::~MmapFile() {
  if (addr_ != nullptr) ::munmap(addr_, size_);
}

MmapFile::MmapFile(MmapFile&& o) noexcept
    : addr_(std::exchange(o.addr_, nullptr)), size_(std::exchange(o.size_, 0)) {}

MmapFile& MmapFile::operator=(MmapFile&& o) noexcept {
  if (this != &o) {
    if (addr_ != nullptr) ::munmap(addr_, size_);
    addr_ = std::exchange(o.addr_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

base::Result<MmapFile> MmapFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return base::NotFound("open " + path + ": no such file");
    return base::ErrnoError("open " + path);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    base::Status s = base::ErrnoError("stat " + path);
    ::close(fd);
    return s;
  }
  MmapFile f;
  if (st.st_size > 0) {
    void* addr = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED) {
      base::Status s = base::ErrnoError("mmap " + path);
      ::close(fd);
      return s;
    }
    f.addr_ = addr;
    f.size_ = static_cast<size_t>(st.st_size);
  }
  ::close(fd);
  return f;
}

base::Status WriteFileSync(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return base::ErrnoError("create " + path);
  base::Status st;
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      st = base::ErrnoError("write " + path);
      break;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (st.ok() && ::fsync(fd) != 0) st = base::ErrnoError("fsync " + path);
  if (::close(fd) != 0 && st.ok()) st = base::ErrnoError("close " + path);
  return st;
}

base::Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return base::NotFound("open " + path + ": no such file");
    return base::ErrnoError("open " + path);
  }
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      base::Status s = base::ErrnoError("read " + path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

base::Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return base::ErrnoError("open directory " + dir);
  base::Status st;
  if (::fsync(fd) != 0) st = base::ErrnoError("fsync directory " + dir);
  ::close(fd);
  return st;
}

base::Status RenameSync(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return base::ErrnoError("rename " + from + " to " + to);
  std::string parent = std::filesystem::path(to).parent_path().string();
  return SyncDir(parent.empty() ? "." : parent);
}

}  // namespace tsdb::block

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

void MmapFile::ReleaseResident() const {
  if (addr_ != nullptr) ::madvise(addr_, size_, MADV_DONTNEED);
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

}  // namespace tsdb::block

#include "tsdb/db.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "tsdb/head.h"

namespace tsdb {

DB::DB(std::string dir, const Options& options) : dir_(std::move(dir)), options_(options) {}

DB::~DB() {
  Close().IgnoreError();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

base::Result<std::unique_ptr<DB>> DB::Open(const std::string& dir, const Options& options) {
  std::error_code ec;
  if (!options.read_only) std::filesystem::create_directories(dir, ec);
  if (ec) return base::IOError("create data directory " + dir + ": " + ec.message());
  std::unique_ptr<DB> db(new DB(dir, options));
  if (options.read_only) {
    if (!std::filesystem::is_directory(dir)) return base::NotFound("no data directory " + dir);
    ASSIGN_OR_RETURN(db->head_, Head::Open(dir + "/wal", options));
    return db;
  }
  // One process per data directory, as Prometheus's lock file.
  std::string lock_path = dir + "/lock";
  db->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (db->lock_fd_ < 0) return base::ErrnoError("open " + lock_path);
  if (::flock(db->lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return base::ErrnoError("lock DB directory " + dir + " (is another Hestia running on it?)");
  ASSIGN_OR_RETURN(db->head_, Head::Open(dir + "/wal", options));
  return db;
}

std::unique_ptr<storage::Appender> DB::NewAppender() { return head_->NewAppender(); }

base::Result<std::unique_ptr<storage::Querier>> DB::NewQuerier(model::Timestamp mint,
                                                               model::Timestamp maxt) {
  return head_->NewQuerier(mint, maxt);
}

base::Status DB::Truncate(model::Timestamp mint) { return head_->Truncate(mint); }

void DB::SetOutOfOrderWindow(std::chrono::milliseconds window) { head_->SetOutOfOrderWindow(window); }

HeadStats DB::Stats(size_t limit) const { return head_->Stats(limit); }

base::Status DB::Close() {
  if (!head_) return base::Status::Ok();
  return head_->Close();
}

}  // namespace tsdb

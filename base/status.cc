#include "base/status.h"

#include <cerrno>
#include <cstring>

namespace base {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kOutOfOrder: return "out of order";
    case StatusCode::kOutOfBounds: return "out of bounds";
    case StatusCode::kDuplicateSample: return "duplicate sample";
    case StatusCode::kTooOld: return "too old";
    case StatusCode::kLimitExceeded: return "limit exceeded";
    case StatusCode::kExecution: return "execution";
    case StatusCode::kTimeout: return "timeout";
    case StatusCode::kCanceled: return "canceled";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kIOError: return "io error";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

Status::Status(StatusCode code, std::string message) {
  if (code != StatusCode::kOk) rep_ = std::make_unique<Rep>(Rep{code, std::move(message)});
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(rep_->code)) + ": " + rep_->message;
}

Status Status::WithPrefix(std::string_view prefix) const {
  if (ok()) return Status();
  return Status(rep_->code, std::string(prefix) + ": " + rep_->message);
}

Status ErrnoError(std::string_view what) {
  int e = errno;
  return Status(StatusCode::kIOError, std::string(what) + ": " + std::strerror(e));
}

}  // namespace base

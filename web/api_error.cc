#include "web/api_error.h"

#include <cassert>

#include "base/json_writer.h"

namespace web {

using base::JsonWriter;

using base::StatusCode;

ApiError ToApiError(const base::Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return {200, ""};
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfOrder:
    case StatusCode::kDuplicateSample:
    case StatusCode::kOutOfBounds:
    case StatusCode::kTooOld:
      return {400, "bad_data"};
    case StatusCode::kExecution:
    case StatusCode::kLimitExceeded:
      return {422, "execution"};
    case StatusCode::kCanceled:
      return {499, "canceled"};
    case StatusCode::kTimeout:
      return {503, "timeout"};
    case StatusCode::kNotFound:
      return {404, "not_found"};
    case StatusCode::kUnavailable:
      return {500, "unavailable"};
    case StatusCode::kCorruption:
    case StatusCode::kIOError:
    case StatusCode::kInternal:
      return {500, "internal"};
  }
  return {500, "internal"};
}

std::string ApiErrorBody(const base::Status& status) {
  assert(!status.ok());
  JsonWriter w(64 + status.message().size());
  w.BeginObject();
  w.Key("status").String("error");
  w.Key("errorType").String(ToApiError(status).type);
  w.Key("error").String(status.message());
  w.EndObject();
  return std::move(w).str();
}

int RemoteWriteHttpStatus(const base::Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 204;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfOrder:
    case StatusCode::kDuplicateSample:
    case StatusCode::kOutOfBounds:
    case StatusCode::kTooOld:
    case StatusCode::kLimitExceeded:
      return 400;
    case StatusCode::kUnavailable:
    case StatusCode::kTimeout:
      return 503;
    default:
      return 500;
  }
}

}  // namespace web

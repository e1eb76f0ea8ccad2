// The mapping from base::Status to HTTP: the error types and status codes of Prometheus's API
// (web/api/v1/api.go: errorType, returnAPIError, getDefaultErrorCode) and of its remote-write
// receiver (storage/remote/write_handler.go). Every handler goes through these functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace web {

struct ApiError {
  int http_status;
  // Prometheus's errorType: "bad_data", "execution", "timeout", "canceled", "internal",
  // "unavailable", "not_found"; empty for OK.
  std::string_view type;
};

// The one Status -> API error mapping:
//   kOk                                        200 ""
//   kInvalidArgument                           400 bad_data
//   kOutOfOrder, kDuplicateSample, kOutOfBounds, kTooOld
//                                              400 bad_data
//   kExecution, kLimitExceeded                 422 execution  (Prometheus reports query limits,
//                                                              e.g. too many samples, as execution)
//   kCanceled                                  499 canceled   (statusClientClosedConnection)
//   kTimeout                                   503 timeout
//   kNotFound                                  404 not_found
//   kUnavailable                               500 unavailable (Prometheus has no status code of
//                                                              its own for it: the default 500)
//   kCorruption, kIOError, kInternal           500 internal
ApiError ToApiError(const base::Status& status);

// The error envelope, with Prometheus's key order:
//   {"status":"error","errorType":"bad_data","error":"message"}
// REQUIRES: !status.ok().
std::string ApiErrorBody(const base::Status& status);

// The HTTP status of a remote-write request that HandleWrite answered with `status`
// (Prometheus answers rejected samples with 400 so that senders do not retry them):
//   kOk -> 204; kInvalidArgument, kOutOfOrder, kDuplicateSample, kOutOfBounds, kTooOld,
//   kLimitExceeded -> 400; kUnavailable, kTimeout -> 503; anything else -> 500.
int RemoteWriteHttpStatus(const base::Status& status);

}  // namespace web

// The Prometheus remote-write 1.0 receiver: a snappy-compressed protobuf WriteRequest appended
// through storage::Appendable. Knows nothing about HTTP: web/ maps the Status to a response.
// Protocol notes: docs/protocols/remote_write.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "storage/appender.h"

namespace remote_write {

struct Options {
  // Largest decompressed WriteRequest accepted (the length the snappy header announces is
  // checked before anything is allocated).
  size_t max_decoded_bytes = 256u << 20;
};

// What one request did; added to the server's counters by the caller. HandleWrite adds to the
// fields (it does not reset them), so one WriteStats may accumulate several requests.
struct WriteStats {
  uint64_t series = 0;            // TimeSeries decoded, valid or not
  uint64_t samples_appended = 0;  // samples committed; 0 when the commit failed
  uint64_t samples_out_of_order = 0;
  uint64_t samples_duplicate = 0;
  uint64_t samples_out_of_bounds = 0;
  uint64_t samples_too_old = 0;
  uint64_t series_invalid = 0;   // series skipped for invalid labels; their samples not stored
  uint64_t samples_invalid = 0;  // samples of the invalid series
  uint64_t exemplars_ignored = 0;
  uint64_t histograms_ignored = 0;
  uint64_t metadata_ignored = 0;
};

// Decodes `body` (snappy block format, then prompb.WriteRequest) and appends every valid sample
// through one Appender, then commits it. Rejected samples do not fail the others.
// Returns:
//   OK                 everything stored;
//   kInvalidArgument   undecodable body (nothing stored), or some series had invalid labels
//                      (the valid ones are stored); the message names the first problem;
//   kOutOfOrder, kDuplicateSample, kOutOfBounds, kTooOld
//                      some samples were rejected for that reason (the others are stored);
//                      the message is Prometheus's error text for the first one, the series
//                      and the timestamp: `out of order sample for series {__name__="x"} at
//                      timestamp 123`;
//   kLimitExceeded     decoded size over options.max_decoded_bytes (nothing stored);
//   kIOError, kUnavailable, kInternal
//                      the commit failed: nothing from this request is stored; a retry may work;
//   any other error    an Append failed with another code than the four above (whatever it
//                      is, kInvalidArgument and kLimitExceeded included): the batch is rolled
//                      back, nothing is stored, the Appender's error is returned with the
//                      series and timestamp as a prefix.
// When a request has both invalid series and rejected samples, the invalid series is reported
// (kInvalidArgument); a message ends with " (and N more errors)" when there were others.
// A commit failure takes precedence over both.
// Metadata, exemplars and native histograms never fail a request; they are counted in stats.
// `stats` may be null. The web layer must bound the size of `body` it reads.
// Thread-safe: calls on different threads are independent. Each thread keeps its decoding
// buffers between calls (at most about 8 MiB). REQUIRES: not re-entered from the Appender's
// methods on the same thread.
base::Status HandleWrite(std::string_view body, storage::Appendable& appendable,
                         const Options& options, WriteStats* stats);

}  // namespace remote_write

// Appendable and Appender: the one way samples enter storage (Prometheus storage/interface.go).
#pragma once

#include <cstdint>
#include <memory>

#include "base/status.h"
#include "model/labels.h"
#include "model/sample.h"

namespace storage {

// A storage-internal handle of a series, returned by Append so that a producer can append the
// same series again without its labels. 0 means "unknown, look up by labels".
using SeriesRef = uint64_t;

struct AppendOptions {
  // Reserved for exemplars, metadata and the out-of-order policy (later issues).
};

// One batch of samples from one producer. Not thread-safe. Dead after Commit or Rollback.
class Appender {
 public:
  virtual ~Appender() = default;
  // Stages one sample. `ref` may be 0 or a ref returned earlier by this storage for these
  // labels; `labels` must be valid (Labels::Validate) and non-empty when ref is 0.
  // Errors: kOutOfOrder (older than the newest sample of the series), kDuplicateSample (same
  // timestamp, other value), kOutOfBounds (too old for the head), kInvalidArgument (labels).
  // A same-timestamp same-value sample is accepted and is a no-op. A rejected sample does not
  // spoil the batch: the others still commit.
  virtual base::Result<SeriesRef> Append(SeriesRef ref, const model::Labels& labels,
                                         model::Timestamp t, double v,
                                         const AppendOptions& opts = {}) = 0;
  // Writes the batch to the write-ahead log, then makes it visible to queries. After an OK
  // return the samples survive a crash of the process.
  virtual base::Status Commit() = 0;
  // Discards the staged samples.
  virtual void Rollback() = 0;
};

// Thread-safe: any number of Appenders may be used at once.
class Appendable {
 public:
  virtual ~Appendable() = default;
  virtual std::unique_ptr<Appender> NewAppender() = 0;
};

}  // namespace storage

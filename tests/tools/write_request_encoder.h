// Hand-written protobuf encoding of prometheus.WriteRequest (remote_write/prompb/remote.proto,
// types.proto), fast enough that the load generator is never what a benchmark measures.
//
// Wire grammar (protobuf; tag := uvarint(field << 3 | wire_type)):
//   WriteRequest := { 0x0a uvarint(len) TimeSeries }            field 1, repeated
//   TimeSeries   := { 0x0a uvarint(len) Label } { 0x12 uvarint(len) Sample }
//   Label        := [0x0a uvarint(len) name] [0x12 uvarint(len) value]
//   Sample       := [0x09 value:f64le] [0x10 uvarint(uint64(timestamp))]
// Fields equal to their proto3 default (empty string, +0.0, 0) are omitted, as the generated
// serializer does, so the output is byte-identical to WriteRequest::SerializeAsString().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/tools/series_model.h"

namespace tools {

struct EncodedSample {
  int64_t timestamp_ms = 0;
  double value = 0;
};

// Appends one TimeSeries (field 1 of WriteRequest, with its tag and length) to `out`.
// `labels` are written in the order given (the protocol wants them sorted by name).
void AppendTimeSeries(const std::vector<std::pair<std::string, std::string>>& labels,
                      const std::vector<EncodedSample>& samples, std::string* out);

// WriteRequestEncoder keeps the encoded labels of every series of a SeriesModel, so that a
// request costs one copy of those bytes plus a few bytes per sample.
// Thread-safe after construction (EncodeSlice only reads).
class WriteRequestEncoder {
 public:
  explicit WriteRequestEncoder(const SeriesModel& model);

  // Replaces `out` with a WriteRequest holding series [first, first + count), one sample each,
  // all at `timestamp_ms`, values[k] for series first + k.
  // REQUIRES: first + count <= model.series(); values has count entries.
  void EncodeSlice(uint64_t first, uint64_t count, int64_t timestamp_ms, const double* values,
                   std::string* out) const;

  // Bytes of encoded labels held (for memory accounting).
  size_t label_bytes() const { return labels_.size(); }

 private:
  std::string labels_;             // encoded Label fields of all series, back to back
  std::vector<uint64_t> offsets_;  // series i's labels are labels_[offsets_[i], offsets_[i+1])
};

}  // namespace tools

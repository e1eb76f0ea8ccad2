// A hand-written, zero-copy decoder of the protobuf wire format of prompb.WriteRequest
// (remote_write/prompb/remote.proto), the body of a remote-write 1.0 request after snappy.
//
// Why not the generated parser (remote_write/prompb, protobuf's ParseFromArray): it builds a
// message tree with a std::string per label name and value of every series (16 allocations for
// a series of 8 labels) and validates UTF-8 of every string, only for the receiver to copy the
// strings again into a model::Labels. Ingest CPU is Hestia's headline figure (target: about one
// CPU-second per million samples for the whole server), so the hot path cannot afford it. This
// decoder instead fills three flat vectors (series, label views, samples) whose label strings
// are std::string_views into the decoded buffer: no allocation per label or series, one pass.
// The generated classes stay the reference encoder/decoder of the tests and benchmarks
// (bench/remote_write_decode_bench.cc compares both).
//
// Wire grammar decoded (protobuf encoding; tag := uvarint(field << 3 | wire_type)):
//   WriteRequest   := { 1:LEN TimeSeries | 3:LEN MetricMetadata (counted) | unknown }
//   TimeSeries     := { 1:LEN Label | 2:LEN Sample | 3:LEN Exemplar (counted)
//                     | 4:LEN Histogram (counted) | unknown }
//   Label          := { 1:LEN name | 2:LEN value | unknown }
//   Sample         := { 1:I64 value (double) | 2:VARINT timestamp (int64) | unknown }
// Unknown fields of wire types VARINT, I64, LEN and I32 are skipped (forward compatibility);
// groups (wire types 3 and 4, deprecated) and wire types 6 and 7 are rejected. A known field
// with another wire type than the grammar's is rejected. Exemplars, histograms and metadata are
// skipped as opaque length-delimited payloads: their contents are not parsed. As in protobuf, a
// missing scalar is its zero value and a repeated scalar field keeps its last occurrence.
// Varints follow protobuf's (and gogoproto's) rules: at most 10 bytes, bits above 64 ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/sample.h"

namespace remote_write {

// One TimeSeries of a decoded request, as received: labels in wire order, unvalidated
// (possibly empty names or values, duplicates, invalid UTF-8), samples in wire order.
struct SeriesView {
  std::span<const model::Label> labels;
  std::span<const model::Sample> samples;
};

// A decoded WriteRequest: views into the decoded buffer, without copies of the label strings.
// Invariants: every series' label and sample ranges lie inside labels_ and samples_, in
// request order and without overlap.
// Thread-compatible. Reusable: Decode clears the previous content and keeps the capacity.
class DecodedWriteRequest {
 public:
  DecodedWriteRequest() = default;
  DecodedWriteRequest(const DecodedWriteRequest&) = delete;
  DecodedWriteRequest& operator=(const DecodedWriteRequest&) = delete;

  // Decodes `buf`, a serialized prompb.WriteRequest.
  // The label views point into `buf`, which must outlive their use (until the next Decode or
  // the destruction of this object, whichever is first).
  // Errors: kInvalidArgument for malformed input, with a message naming the element and the
  // byte offset in `buf` (indices count from 0), e.g.
  //   "decode WriteRequest: timeseries 3: label 1: truncated length-delimited field at byte 1234".
  // After an error the content is unspecified (partially decoded) and must not be used.
  base::Status Decode(std::string_view buf);

  size_t series_count() const { return series_.size(); }
  // REQUIRES: i < series_count(). The spans are valid until the next Decode.
  SeriesView series(size_t i) const {
    const Range& r = series_[i];
    return {std::span<const model::Label>(labels_).subspan(r.label_begin, r.label_count),
            std::span<const model::Sample>(samples_).subspan(r.sample_begin, r.sample_count)};
  }

  size_t sample_count() const { return samples_.size(); }
  size_t label_count() const { return labels_.size(); }
  uint64_t exemplar_count() const { return exemplars_; }
  uint64_t histogram_count() const { return histograms_; }
  uint64_t metadata_count() const { return metadata_; }

  // Memory held by the vectors, reused by the next Decode.
  size_t capacity_bytes() const;
  // Frees that memory; the content is cleared.
  void Release();

 private:
  struct Range {
    size_t label_begin;
    size_t label_count;
    size_t sample_begin;
    size_t sample_count;
  };
  class Parser;

  std::vector<Range> series_;
  std::vector<model::Label> labels_;
  std::vector<model::Sample> samples_;
  uint64_t exemplars_ = 0;
  uint64_t histograms_ = 0;
  uint64_t metadata_ = 0;
};

}  // namespace remote_write

// WAL record payloads: series, samples and tombstones, encoded as Prometheus's
// tsdb/record/record.go does, so that Hestia and Prometheus read each other's WAL records.
// Format: docs/format/wal.md, section "Records".
//
//   series     := 1:u8 (ref:u64be n:uvarint (len:uvarint name len:uvarint value){n})*
//   samples    := 2:u8 [ref0:u64be t0:u64be (dref:varint dt:varint value:u64be){count}]
//                 dref = ref - ref0 and dt = t - t0 (first sample included: 0, 0);
//                 value is the IEEE-754 bits, so NaN payloads (staleness markers) are exact
//   tombstones := 3:u8 (ref:u64be mint:varint maxt:varint)*
//
// Encoders append to a caller-owned std::string (reuse it: no allocation once it has grown);
// decoders append to a vector and return kCorruption for anything malformed, never crash.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "model/sample.h"

namespace tsdb::record {

// The first byte of a record; values as Prometheus's record.Type. Only kSeries, kSamples and
// kTombstones are encoded and decoded here; the others are recognised so that a replay can
// skip a Prometheus WAL's exemplars, metadata and histograms knowingly.
enum class Type : uint8_t {
  kSeries = 1,
  kSamples = 2,
  kTombstones = 3,
  kExemplars = 4,
  kMmapMarkers = 5,
  kMetadata = 6,
  kHistogramSamples = 7,
  kFloatHistogramSamples = 8,
  kCustomBucketsHistogramSamples = 9,
  kCustomBucketsFloatHistogramSamples = 10,
  kSamplesV2 = 11,
  kHistogramSamplesV2 = 12,
  kFloatHistogramSamplesV2 = 13,
  kMinValidTime = 14,
  kUnknown = 255,
};

// "series", "samples", ... as Prometheus's Type.String().
std::string_view TypeName(Type t);

struct RefSeries {
  uint64_t ref = 0;
  model::Labels labels;
};

struct RefSample {
  uint64_t ref = 0;
  model::Timestamp t = 0;
  double v = 0;
};

// Samples of series `ref` in [mint, maxt] are deleted.
struct RefTombstone {
  uint64_t ref = 0;
  model::Timestamp mint = 0;
  model::Timestamp maxt = 0;
};

// The record's type: its first byte if that is a known type, else kUnknown (also for "").
Type GetType(std::string_view rec);

// Append one record to *out (which is not cleared). An empty span still writes the type byte.
void EncodeSeries(std::span<const RefSeries> series, std::string* out);
void EncodeSamples(std::span<const RefSample> samples, std::string* out);
void EncodeTombstones(std::span<const RefTombstone> tombstones, std::string* out);

// Append the record's entries to *out. Errors: kCorruption (wrong type byte, truncated or
// overlong fields, trailing bytes, label names not strictly ascending, empty label values);
// *out is then as before the call. Series labels are copied: they do not point into rec.
base::Status DecodeSeries(std::string_view rec, std::vector<RefSeries>* out);
base::Status DecodeSamples(std::string_view rec, std::vector<RefSample>* out);
base::Status DecodeTombstones(std::string_view rec, std::vector<RefTombstone>* out);

}  // namespace tsdb::record

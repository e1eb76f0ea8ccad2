#include "tsdb/record/record.h"

#include <fmt/format.h>

#include <bit>

#include "base/coding.h"

namespace tsdb::record {
namespace {

inline void EncodeBE64(char* p, uint64_t v) {
  base::EncodeBE32(p, static_cast<uint32_t>(v >> 32));
  base::EncodeBE32(p + 4, static_cast<uint32_t>(v));
}

// Differences are taken modulo 2^64, as Go's int64 arithmetic wraps, so every pair of
// timestamps or refs round-trips, and garbage cannot trigger signed overflow.
inline int64_t WrappingSub(uint64_t a, uint64_t b) { return static_cast<int64_t>(a - b); }
inline uint64_t WrappingAdd(uint64_t a, int64_t d) { return a + static_cast<uint64_t>(d); }

// Reads one uvarint-prefixed string; nullptr when truncated.
inline const char* GetString(const char* p, const char* end, std::string_view* s) {
  uint64_t n = 0;
  p = base::GetUvarint(p, end, &n);
  if (p == nullptr || n > static_cast<uint64_t>(end - p)) return nullptr;
  *s = std::string_view(p, n);
  return p + n;
}

base::Status Bad(std::string_view what, std::string_view detail) {
  return base::Corruption(fmt::format("decode {} record: {}", what, detail));
}

}  // namespace

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kSeries:
      return "series";
    case Type::kSamples:
      return "samples";
    case Type::kTombstones:
      return "tombstones";
    case Type::kExemplars:
      return "exemplars";
    case Type::kMmapMarkers:
      return "mmapmarkers";
    case Type::kMetadata:
      return "metadata";
    case Type::kHistogramSamples:
      return "histogram_samples";
    case Type::kFloatHistogramSamples:
      return "float_histogram_samples";
    case Type::kCustomBucketsHistogramSamples:
      return "custom_buckets_histogram_samples";
    case Type::kCustomBucketsFloatHistogramSamples:
      return "custom_buckets_float_histogram_samples";
    case Type::kSamplesV2:
      return "samples_v2";
    case Type::kHistogramSamplesV2:
      return "histogram_samples_v2";
    case Type::kFloatHistogramSamplesV2:
      return "float_histogram_samples_v2";
    case Type::kMinValidTime:
      return "min_valid_time";
    case Type::kUnknown:
      break;
  }
  return "unknown";
}

Type GetType(std::string_view rec) {
  if (rec.empty()) return Type::kUnknown;
  const auto b = static_cast<uint8_t>(rec[0]);
  if (b >= static_cast<uint8_t>(Type::kSeries) && b <= static_cast<uint8_t>(Type::kMinValidTime)) {
    return static_cast<Type>(b);
  }
  return Type::kUnknown;
}

void EncodeSeries(std::span<const RefSeries> series, std::string* out) {
  out->push_back(static_cast<char>(Type::kSeries));
  for (const RefSeries& s : series) {
    char head[8 + 10];
    EncodeBE64(head, s.ref);
    const int n = base::EncodeUvarint(head + 8, s.labels.size());
    out->append(head, 8 + static_cast<size_t>(n));
    // Labels keep exactly the record's pair encoding: uvarint(len) name uvarint(len) value.
    out->append(s.labels.bytes());
  }
}

void EncodeSamples(std::span<const RefSample> samples, std::string* out) {
  if (samples.empty()) {
    out->push_back(static_cast<char>(Type::kSamples));
    return;
  }
  // Worst case: type, ref0, t0, then two 10-byte varints and 8 bytes per sample.
  const size_t old = out->size();
  out->resize(old + 1 + 16 + samples.size() * 28);
  char* p = out->data() + old;
  *p++ = static_cast<char>(Type::kSamples);
  const RefSample& first = samples.front();
  EncodeBE64(p, first.ref);
  EncodeBE64(p + 8, static_cast<uint64_t>(first.t));
  p += 16;
  const auto t0 = static_cast<uint64_t>(first.t);
  for (const RefSample& s : samples) {
    p += base::EncodeUvarint(p, base::ZigZag(WrappingSub(s.ref, first.ref)));
    p += base::EncodeUvarint(p, base::ZigZag(WrappingSub(static_cast<uint64_t>(s.t), t0)));
    EncodeBE64(p, std::bit_cast<uint64_t>(s.v));
    p += 8;
  }
  out->resize(static_cast<size_t>(p - out->data()));
}

void EncodeTombstones(std::span<const RefTombstone> tombstones, std::string* out) {
  out->push_back(static_cast<char>(Type::kTombstones));
  for (const RefTombstone& s : tombstones) {
    char buf[8 + 10 + 10];
    EncodeBE64(buf, s.ref);
    int n = 8;
    n += base::EncodeUvarint(buf + n, base::ZigZag(s.mint));
    n += base::EncodeUvarint(buf + n, base::ZigZag(s.maxt));
    out->append(buf, static_cast<size_t>(n));
  }
}

base::Status DecodeSeries(std::string_view rec, std::vector<RefSeries>* out) {
  if (GetType(rec) != Type::kSeries) return Bad("series", "wrong record type");
  const size_t old = out->size();
  const char* p = rec.data() + 1;
  const char* const end = rec.data() + rec.size();
  std::vector<model::Label> pairs;
  auto fail = [&](std::string_view detail) {
    const size_t decoded = out->size() - old;
    out->resize(old);
    return Bad("series", fmt::format("{} after {} series", detail, decoded));
  };
  while (p < end) {
    if (end - p < 8) return fail("truncated series ref");
    const uint64_t ref = base::DecodeBE64(p);
    p += 8;
    uint64_t count = 0;
    p = base::GetUvarint(p, end, &count);
    // Each pair takes at least four bytes, which also bounds the loop on garbage.
    if (p == nullptr || count > static_cast<uint64_t>(end - p) / 4) {
      return fail("invalid label count");
    }
    pairs.clear();
    for (uint64_t i = 0; i < count; ++i) {
      model::Label l;
      p = GetString(p, end, &l.name);
      if (p != nullptr) p = GetString(p, end, &l.value);
      if (p == nullptr) return fail("truncated label");
      if (l.name.empty() || l.value.empty()) return fail("empty label name or value");
      if (!pairs.empty() && !(pairs.back().name < l.name)) {
        return fail("label names not strictly ascending");
      }
      pairs.push_back(l);
    }
    out->push_back(RefSeries{ref, model::Labels::FromSorted(pairs)});
  }
  return base::Status();
}

base::Status DecodeSamples(std::string_view rec, std::vector<RefSample>* out) {
  if (GetType(rec) != Type::kSamples) return Bad("samples", "wrong record type");
  const char* p = rec.data() + 1;
  const char* const end = rec.data() + rec.size();
  if (p == end) return base::Status();
  if (end - p < 16) return Bad("samples", "truncated header");
  const uint64_t ref0 = base::DecodeBE64(p);
  const uint64_t t0 = base::DecodeBE64(p + 8);
  p += 16;
  const size_t old = out->size();
  out->reserve(old + static_cast<size_t>(end - p) / 10);
  while (p < end) {
    uint64_t dref = 0;
    uint64_t dt = 0;
    p = base::GetUvarint(p, end, &dref);
    if (p != nullptr) p = base::GetUvarint(p, end, &dt);
    if (p == nullptr || end - p < 8) {
      const size_t decoded = out->size() - old;
      out->resize(old);
      return Bad("samples", fmt::format("truncated sample after {} samples", decoded));
    }
    const uint64_t bits = base::DecodeBE64(p);
    p += 8;
    out->push_back(RefSample{WrappingAdd(ref0, base::UnZigZag(dref)),
                             static_cast<int64_t>(WrappingAdd(t0, base::UnZigZag(dt))),
                             std::bit_cast<double>(bits)});
  }
  return base::Status();
}

base::Status DecodeTombstones(std::string_view rec, std::vector<RefTombstone>* out) {
  if (GetType(rec) != Type::kTombstones) return Bad("tombstones", "wrong record type");
  const char* p = rec.data() + 1;
  const char* const end = rec.data() + rec.size();
  const size_t old = out->size();
  while (p < end) {
    uint64_t mint = 0;
    uint64_t maxt = 0;
    const char* q = end - p >= 8 ? p + 8 : nullptr;
    if (q != nullptr) q = base::GetUvarint(q, end, &mint);
    if (q != nullptr) q = base::GetUvarint(q, end, &maxt);
    if (q == nullptr) {
      out->resize(old);
      return Bad("tombstones", "truncated tombstone");
    }
    out->push_back(RefTombstone{base::DecodeBE64(p), base::UnZigZag(mint), base::UnZigZag(maxt)});
    p = q;
  }
  return base::Status();
}

}  // namespace tsdb::record

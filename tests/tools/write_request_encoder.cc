#include "tests/tools/write_request_encoder.h"

#include <cstring>

#include "base/coding.h"

namespace tools {
namespace {

constexpr char kTagField1Bytes = 0x0a;  // field 1, length-delimited
constexpr char kTagField2Bytes = 0x12;  // field 2, length-delimited
constexpr char kTagValue = 0x09;        // Sample.value: field 1, fixed64
constexpr char kTagTimestamp = 0x10;    // Sample.timestamp: field 2, varint

size_t UvarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void PutBytesField(char tag, std::string_view s, std::string* out) {
  if (s.empty()) return;
  out->push_back(tag);
  base::PutUvarint(out, s.size());
  out->append(s);
}

void AppendLabel(std::string_view name, std::string_view value, std::string* out) {
  const size_t name_len = name.empty() ? 0 : 1 + UvarintLength(name.size()) + name.size();
  const size_t value_len = value.empty() ? 0 : 1 + UvarintLength(value.size()) + value.size();
  out->push_back(kTagField1Bytes);
  base::PutUvarint(out, name_len + value_len);
  PutBytesField(kTagField1Bytes, name, out);
  PutBytesField(kTagField2Bytes, value, out);
}

// Encoded size of a Sample message body.
size_t SampleLength(double value, int64_t timestamp_ms) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  size_t n = 0;
  if (bits != 0) n += 1 + 8;
  if (timestamp_ms != 0) n += 1 + UvarintLength(static_cast<uint64_t>(timestamp_ms));
  return n;
}

// Writes Sample (without its own tag and length) at p; returns the end.
char* WriteSample(double value, int64_t timestamp_ms, char* p) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  if (bits != 0) {
    *p++ = kTagValue;
    for (int i = 0; i < 8; ++i) *p++ = static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  if (timestamp_ms != 0) {
    *p++ = kTagTimestamp;
    p += base::EncodeUvarint(p, static_cast<uint64_t>(timestamp_ms));
  }
  return p;
}

}  // namespace

void AppendTimeSeries(const std::vector<std::pair<std::string, std::string>>& labels,
                      const std::vector<EncodedSample>& samples, std::string* out) {
  std::string body;
  for (const auto& [name, value] : labels) AppendLabel(name, value, &body);
  for (const EncodedSample& s : samples) {
    const size_t len = SampleLength(s.value, s.timestamp_ms);
    body.push_back(kTagField2Bytes);
    base::PutUvarint(&body, len);
    const size_t at = body.size();
    body.resize(at + len);
    WriteSample(s.value, s.timestamp_ms, body.data() + at);
  }
  out->push_back(kTagField1Bytes);
  base::PutUvarint(out, body.size());
  out->append(body);
}

WriteRequestEncoder::WriteRequestEncoder(const SeriesModel& model) {
  offsets_.reserve(model.series() + 1);
  offsets_.push_back(0);
  for (uint64_t i = 0; i < model.series(); ++i) {
    for (const auto& [name, value] : model.Labels(i)) AppendLabel(name, value, &labels_);
    offsets_.push_back(labels_.size());
  }
}

void WriteRequestEncoder::EncodeSlice(uint64_t first, uint64_t count, int64_t timestamp_ms,
                                      const double* values, std::string* out) const {
  // Upper bound per series: 2 tags, 2 lengths (<= 10 bytes each), a 19-byte sample.
  constexpr size_t kOverhead = 2 + 10 + 10 + 1 + 8 + 1 + 10;
  const size_t label_bytes = offsets_[first + count] - offsets_[first];
  out->resize(label_bytes + count * kOverhead);
  char* p = out->data();
  for (uint64_t k = 0; k < count; ++k) {
    const uint64_t i = first + k;
    const size_t labels_len = offsets_[i + 1] - offsets_[i];
    const size_t sample_len = SampleLength(values[k], timestamp_ms);
    const size_t series_len = labels_len + 1 + UvarintLength(sample_len) + sample_len;
    *p++ = kTagField1Bytes;
    p += base::EncodeUvarint(p, series_len);
    std::memcpy(p, labels_.data() + offsets_[i], labels_len);
    p += labels_len;
    *p++ = kTagField2Bytes;
    p += base::EncodeUvarint(p, sample_len);
    p = WriteSample(values[k], timestamp_ms, p);
  }
  out->resize(static_cast<size_t>(p - out->data()));
}

}  // namespace tools

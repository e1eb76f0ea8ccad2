#include "remote_write/decoder.h"

#include <fmt/format.h>

#include <cstring>
#include <string>

namespace remote_write {
namespace {

// Protobuf wire types (https://protobuf.dev/programming-guides/encoding/).
constexpr uint32_t kVarint = 0;
constexpr uint32_t kI64 = 1;
constexpr uint32_t kLen = 2;
constexpr uint32_t kStartGroup = 3;
constexpr uint32_t kEndGroup = 4;
constexpr uint32_t kI32 = 5;

constexpr uint64_t Tag(uint32_t field, uint32_t wire_type) { return field << 3 | wire_type; }

// Tags of the known fields, each in its only valid wire type.
constexpr uint64_t kWriteRequestTimeseries = Tag(1, kLen);
constexpr uint64_t kWriteRequestMetadata = Tag(3, kLen);
constexpr uint64_t kTimeSeriesLabels = Tag(1, kLen);
constexpr uint64_t kTimeSeriesSamples = Tag(2, kLen);
constexpr uint64_t kTimeSeriesExemplars = Tag(3, kLen);
constexpr uint64_t kTimeSeriesHistograms = Tag(4, kLen);
constexpr uint64_t kLabelName = Tag(1, kLen);
constexpr uint64_t kLabelValue = Tag(2, kLen);
constexpr uint64_t kSampleValue = Tag(1, kI64);
constexpr uint64_t kSampleTimestamp = Tag(2, kVarint);

constexpr int kMaxVarintBytes = 10;

std::string_view WireTypeName(uint32_t wire_type) {
  switch (wire_type) {
    case kVarint:
      return "varint";
    case kI64:
      return "fixed64";
    case kLen:
      return "length-delimited";
    case kStartGroup:
      return "start-group";
    case kEndGroup:
      return "end-group";
    case kI32:
      return "fixed32";
  }
  return "invalid";
}

// Reads a protobuf varint from [p, end): at most 10 bytes, bits above 64 dropped (as protobuf's
// and gogoproto's parsers). Returns the byte after it, or nullptr when truncated or longer than
// 10 bytes.
const char* ReadVarintSlow(const char* p, const char* end, uint64_t* v) {
  uint64_t result = 0;
  for (int i = 0; i < kMaxVarintBytes; ++i) {
    if (p == end) return nullptr;
    uint64_t byte = static_cast<uint8_t>(*p++);
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}

inline const char* ReadVarint(const char* p, const char* end, uint64_t* v) {
  if (p < end && static_cast<uint8_t>(*p) < 0x80) {
    *v = static_cast<uint8_t>(*p);
    return p + 1;
  }
  return ReadVarintSlow(p, end, v);
}

// Why a varint at p could not be read.
std::string_view VarintProblem(const char* p, const char* end) {
  if (end - p >= kMaxVarintBytes) return "varint longer than 10 bytes";
  return "truncated varint";
}

}  // namespace

// Parser decodes one buffer into a DecodedWriteRequest. On the first problem it stores an
// error and every parse function returns false, unwinding to Decode.
class DecodedWriteRequest::Parser {
 public:
  Parser(std::string_view buf, DecodedWriteRequest* out)
      : base_(buf.data()), end_(buf.data() + buf.size()), out_(out) {}

  base::Status Run() {
    if (!ParseWriteRequest(base_, end_)) return std::move(error_);
    return base::Status::Ok();
  }

 private:
  // Where the parser is, for error messages.
  enum class Element { kNone, kLabel, kSample, kExemplar, kHistogram };

  bool ParseWriteRequest(const char* p, const char* end) {
    while (p < end) {
      const char* field_start = p;
      uint64_t tag = 0;
      if (!ReadTag(&p, end, &tag)) return false;
      if (tag == kWriteRequestTimeseries) {
        series_index_ = static_cast<int64_t>(out_->series_.size());
        std::string_view payload;
        if (!ReadLen(&p, end, field_start, tag, &payload)) return false;
        if (!ParseTimeSeries(payload.data(), payload.data() + payload.size())) return false;
        series_index_ = -1;
      } else if (tag == kWriteRequestMetadata) {
        metadata_index_ = static_cast<int64_t>(out_->metadata_);
        std::string_view payload;
        if (!ReadLen(&p, end, field_start, tag, &payload)) return false;
        ++out_->metadata_;
        metadata_index_ = -1;
      } else if ((tag >> 3) == 1 || (tag >> 3) == 3) {
        return WrongWireType(field_start, tag, kLen);
      } else if (!SkipField(&p, end, field_start, tag)) {
        return false;
      }
    }
    return true;
  }

  bool ParseTimeSeries(const char* p, const char* end) {
    Range range{out_->labels_.size(), 0, out_->samples_.size(), 0};
    size_t exemplars = 0;
    size_t histograms = 0;
    while (p < end) {
      const char* field_start = p;
      uint64_t tag = 0;
      if (!ReadTag(&p, end, &tag)) return false;
      std::string_view payload;
      switch (tag) {
        case kTimeSeriesLabels: {
          element_ = Element::kLabel;
          element_index_ = range.label_count;
          if (!ReadLen(&p, end, field_start, tag, &payload)) return false;
          model::Label& label = out_->labels_.emplace_back();
          if (!ParseLabel(payload.data(), payload.data() + payload.size(), &label)) return false;
          ++range.label_count;
          break;
        }
        case kTimeSeriesSamples: {
          element_ = Element::kSample;
          element_index_ = range.sample_count;
          if (!ReadLen(&p, end, field_start, tag, &payload)) return false;
          model::Sample& sample = out_->samples_.emplace_back(model::Sample{0, 0.0});
          if (!ParseSample(payload.data(), payload.data() + payload.size(), &sample)) {
            return false;
          }
          ++range.sample_count;
          break;
        }
        case kTimeSeriesExemplars:
          element_ = Element::kExemplar;
          element_index_ = exemplars;
          if (!ReadLen(&p, end, field_start, tag, &payload)) return false;
          ++exemplars;
          break;
        case kTimeSeriesHistograms:
          element_ = Element::kHistogram;
          element_index_ = histograms;
          if (!ReadLen(&p, end, field_start, tag, &payload)) return false;
          ++histograms;
          break;
        default:
          element_ = Element::kNone;
          if (!SkipOrReject(&p, end, field_start, tag, 4)) return false;
          break;
      }
      element_ = Element::kNone;
    }
    out_->series_.push_back(range);
    out_->exemplars_ += exemplars;
    out_->histograms_ += histograms;
    return true;
  }

  bool ParseLabel(const char* p, const char* end, model::Label* label) {
    while (p < end) {
      const char* field_start = p;
      uint64_t tag = 0;
      if (!ReadTag(&p, end, &tag)) return false;
      std::string_view s;
      if (tag == kLabelName) {
        if (!ReadLen(&p, end, field_start, tag, &s)) return false;
        label->name = s;
      } else if (tag == kLabelValue) {
        if (!ReadLen(&p, end, field_start, tag, &s)) return false;
        label->value = s;
      } else if (!SkipOrReject(&p, end, field_start, tag, 2)) {
        return false;
      }
    }
    return true;
  }

  bool ParseSample(const char* p, const char* end, model::Sample* sample) {
    while (p < end) {
      const char* field_start = p;
      uint64_t tag = 0;
      if (!ReadTag(&p, end, &tag)) return false;
      if (tag == kSampleValue) {
        if (end - p < 8) return Fail(field_start, "truncated fixed64 field 1");
        // The wire is little-endian, as is every target Hestia builds for.
        std::memcpy(&sample->v, p, 8);
        p += 8;
      } else if (tag == kSampleTimestamp) {
        uint64_t v = 0;
        const char* next = ReadVarint(p, end, &v);
        if (next == nullptr) return Fail(p, fmt::format("{} in field 2", VarintProblem(p, end)));
        sample->t = static_cast<int64_t>(v);
        p = next;
      } else if ((tag >> 3) == 1) {
        return WrongWireType(field_start, tag, kI64);
      } else if ((tag >> 3) == 2) {
        return WrongWireType(field_start, tag, kVarint);
      } else if (!SkipField(&p, end, field_start, tag)) {
        return false;
      }
    }
    return true;
  }

  // Reads a tag and checks its field number and wire type are well-formed.
  bool ReadTag(const char** p, const char* end, uint64_t* tag) {
    const char* next = ReadVarint(*p, end, tag);
    if (next == nullptr) {
      return Fail(*p, fmt::format("{} in field tag", VarintProblem(*p, end)));
    }
    if (*tag > UINT32_MAX || (*tag >> 3) == 0) {
      return Fail(*p, fmt::format("invalid field number {}", *tag >> 3));
    }
    *p = next;
    return true;
  }

  // Reads the length and payload of a length-delimited field whose tag started at field_start.
  bool ReadLen(const char** p, const char* end, const char* field_start, uint64_t tag,
               std::string_view* payload) {
    uint64_t len = 0;
    const char* next = ReadVarint(*p, end, &len);
    if (next == nullptr) {
      return Fail(*p, fmt::format("{} in length of field {}", VarintProblem(*p, end), tag >> 3));
    }
    if (len > static_cast<uint64_t>(end - next)) {
      return Fail(field_start,
                  fmt::format("truncated length-delimited field {} (length {}, {} bytes left)",
                              tag >> 3, len, end - next));
    }
    *payload = std::string_view(next, len);
    *p = next + len;
    return true;
  }

  // Fails for a known field (field number in 1..max_known_len_field, all length-delimited)
  // with another wire type; otherwise skips the field as an unknown one.
  bool SkipOrReject(const char** p, const char* end, const char* field_start, uint64_t tag,
                    uint64_t max_known_len_field) {
    if ((tag >> 3) <= max_known_len_field) return WrongWireType(field_start, tag, kLen);
    return SkipField(p, end, field_start, tag);
  }

  bool WrongWireType(const char* field_start, uint64_t tag, uint32_t want) {
    return Fail(field_start,
                fmt::format("field {} has wire type {}, want {}", tag >> 3,
                            WireTypeName(static_cast<uint32_t>(tag & 7)), WireTypeName(want)));
  }

  // Skips an unknown field whose tag started at field_start.
  bool SkipField(const char** p, const char* end, const char* field_start, uint64_t tag) {
    uint64_t field = tag >> 3;
    auto wire_type = static_cast<uint32_t>(tag & 7);
    switch (wire_type) {
      case kVarint: {
        uint64_t v = 0;
        const char* next = ReadVarint(*p, end, &v);
        if (next == nullptr) {
          return Fail(*p, fmt::format("{} in field {}", VarintProblem(*p, end), field));
        }
        *p = next;
        return true;
      }
      case kI64:
        if (end - *p < 8)
          return Fail(field_start, fmt::format("truncated fixed64 field {}", field));
        *p += 8;
        return true;
      case kLen: {
        std::string_view payload;
        return ReadLen(p, end, field_start, tag, &payload);
      }
      case kI32:
        if (end - *p < 4)
          return Fail(field_start, fmt::format("truncated fixed32 field {}", field));
        *p += 4;
        return true;
      case kStartGroup:
      case kEndGroup:
        return Fail(field_start,
                    fmt::format("field {} is a group (wire type {}), groups are not supported",
                                field, wire_type));
      default:
        return Fail(field_start,
                    fmt::format("field {} has invalid wire type {}", field, wire_type));
    }
  }

  // Stores "decode WriteRequest: <where>: <what> at byte <offset>"; returns false.
  bool Fail(const char* at, std::string_view what) {
    std::string msg = "decode WriteRequest: ";
    if (series_index_ >= 0) {
      msg += fmt::format("timeseries {}: ", series_index_);
      switch (element_) {
        case Element::kNone:
          break;
        case Element::kLabel:
          msg += fmt::format("label {}: ", element_index_);
          break;
        case Element::kSample:
          msg += fmt::format("sample {}: ", element_index_);
          break;
        case Element::kExemplar:
          msg += fmt::format("exemplar {}: ", element_index_);
          break;
        case Element::kHistogram:
          msg += fmt::format("histogram {}: ", element_index_);
          break;
      }
    } else if (metadata_index_ >= 0) {
      msg += fmt::format("metadata {}: ", metadata_index_);
    }
    msg += fmt::format("{} at byte {}", what, at - base_);
    error_ = base::InvalidArgument(std::move(msg));
    return false;
  }

  const char* const base_;
  const char* const end_;
  DecodedWriteRequest* const out_;
  int64_t series_index_ = -1;
  int64_t metadata_index_ = -1;
  Element element_ = Element::kNone;
  size_t element_index_ = 0;
  base::Status error_;
};

base::Status DecodedWriteRequest::Decode(std::string_view buf) {
  series_.clear();
  labels_.clear();
  samples_.clear();
  exemplars_ = 0;
  histograms_ = 0;
  metadata_ = 0;
  return Parser(buf, this).Run();
}

size_t DecodedWriteRequest::capacity_bytes() const {
  return series_.capacity() * sizeof(Range) + labels_.capacity() * sizeof(model::Label) +
         samples_.capacity() * sizeof(model::Sample);
}

void DecodedWriteRequest::Release() {
  series_ = {};
  labels_ = {};
  samples_ = {};
}

}  // namespace remote_write

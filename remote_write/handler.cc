#include "remote_write/handler.h"

#include <fmt/format.h>
#include <snappy.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "remote_write/decoder.h"

namespace remote_write {
namespace {

// Printed label pairs of an invalid series are capped so that a hostile request cannot make the
// error message (and the HTTP response) arbitrarily large.
constexpr size_t kMaxPrintedLabels = 32;
constexpr size_t kMaxPrintedBytes = 128;

// Appends s in double quotes, escaped like Go's %q for what matters here: quote, backslash,
// control bytes, and every byte >= 0x80 when s is not valid UTF-8. At most kMaxPrintedBytes
// bytes of s are printed.
void AppendQuoted(std::string* out, std::string_view s) {
  bool utf8 = model::IsValidUtf8(s);
  bool cut = s.size() > kMaxPrintedBytes;
  if (cut) s = s.substr(0, kMaxPrintedBytes);
  out->push_back('"');
  for (char c : s) {
    auto u = static_cast<uint8_t>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else if (u < 0x20 || u == 0x7f || (u >= 0x80 && !utf8)) {
      out->append(fmt::format("\\x{:02x}", u));
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
  if (cut) out->append("...");
}

// The pairs of a series as received (wire order), for messages: {name="value", ...}.
std::string FormatPairs(std::span<const model::Label> pairs) {
  std::string out = "{";
  for (size_t i = 0; i < pairs.size() && i < kMaxPrintedLabels; ++i) {
    if (i > 0) out += ", ";
    std::string quoted_name;
    AppendQuoted(&quoted_name, pairs[i].name);
    if (model::IsValidLabelName(pairs[i].name)) {
      out.append(pairs[i].name);
    } else {
      out += quoted_name;
    }
    out += '=';
    AppendQuoted(&out, pairs[i].value);
  }
  if (pairs.size() > kMaxPrintedLabels)
    out += fmt::format(", ... {} more", pairs.size() - kMaxPrintedLabels);
  out += "}";
  return out;
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendQuoted(&out, s);
  return out;
}

// Name charsets as model::IsValidLabelName and IsValidMetricName, as lookup tables: bit 0 a
// label name's first byte, bit 1 a label name's later byte, bit 2 a metric name's first byte,
// bit 3 a metric name's later byte.
constexpr std::array<uint8_t, 256> kNameChars = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    t[static_cast<size_t>(c)] =
        static_cast<uint8_t>((letter ? 1 : 0) | (letter || digit ? 2 : 0) |
                             (letter || c == ':' ? 4 : 0) | (letter || digit || c == ':' ? 8 : 0));
  }
  return t;
}();

// Same result as model::IsValidLabelName (first_bit 1) or model::IsValidMetricName (first_bit 4),
// by table lookup.
inline bool IsValidName(std::string_view s, uint8_t first_bit) {
  if (s.empty() || !(kNameChars[static_cast<uint8_t>(s[0])] & first_bit)) return false;
  const uint8_t rest_bit = static_cast<uint8_t>(first_bit << 1);
  for (size_t i = 1; i < s.size(); ++i) {
    if (!(kNameChars[static_cast<uint8_t>(s[i])] & rest_bit)) return false;
  }
  return true;
}

// Same result as model::IsValidUtf8, with a fast path for ASCII, 8 bytes at a time.
inline bool IsValidUtf8Fast(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ULL) return model::IsValidUtf8(s.substr(i));
  }
  for (; i < s.size(); ++i) {
    if (static_cast<uint8_t>(s[i]) >= 0x80) return model::IsValidUtf8(s.substr(i));
  }
  return true;
}

// Three-way comparison of two non-empty names; most adjacent names differ in the first byte.
inline int CompareNames(std::string_view a, std::string_view b) {
  if (a[0] != b[0]) return static_cast<uint8_t>(a[0]) < static_cast<uint8_t>(b[0]) ? -1 : 1;
  return a.compare(b);
}

inline bool IsMetricNameLabel(std::string_view name) {
  return name.size() == model::kMetricName.size() && name[0] == '_' &&
         std::memcmp(name.data(), model::kMetricName.data(), model::kMetricName.size()) == 0;
}

// Checks the label pairs of one series as received and leaves in *sorted the pairs sorted by
// name without those with an empty value, ready for Labels::FromSorted.
// Rules (as Prometheus's remote-write handler with the legacy name validation, and
// model::Labels::Validate): a non-empty set; every name matches [a-zA-Z_][a-zA-Z0-9_]*; every
// value is valid UTF-8; __name__ matches [a-zA-Z_:][a-zA-Z0-9_:]*; no name twice (even when one
// of the values is empty); a non-empty __name__. Pairs with an empty value are then dropped, as
// model::Labels does. Errors: kInvalidArgument naming the offending label.
// Senders (Prometheus included) send labels sorted: the common path is one pass, no sort.
base::Status CheckLabels(std::span<const model::Label> pairs, std::vector<model::Label>* sorted) {
  if (pairs.empty()) return base::InvalidArgument("empty label set");
  sorted->clear();
  bool in_order = true;
  bool has_metric_name = false;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const model::Label& l = pairs[i];
    if (!IsValidName(l.name, 1)) {
      return base::InvalidArgument("invalid label name " + Quoted(l.name));
    }
    if (!IsValidUtf8Fast(l.value)) {
      return base::InvalidArgument("invalid UTF-8 in value of label \"" + std::string(l.name) +
                                   "\"");
    }
    if (!l.value.empty() && IsMetricNameLabel(l.name)) {
      if (!IsValidName(l.value, 4)) {
        return base::InvalidArgument("invalid metric name " + Quoted(l.value));
      }
      has_metric_name = true;
    }
    if (i > 0 && in_order) {
      int c = CompareNames(pairs[i - 1].name, l.name);
      if (c == 0) {
        return base::InvalidArgument("duplicate label name \"" + std::string(l.name) + "\"");
      }
      in_order = c < 0;
    }
    if (!l.value.empty()) sorted->push_back(l);
  }
  if (!in_order) {
    // Duplicates may hide among the pairs with an empty value: sort them all.
    sorted->assign(pairs.begin(), pairs.end());
    auto by_name = [](const model::Label& a, const model::Label& b) { return a.name < b.name; };
    std::sort(sorted->begin(), sorted->end(), by_name);
    auto dup = std::adjacent_find(
        sorted->begin(), sorted->end(),
        [](const model::Label& a, const model::Label& b) { return a.name == b.name; });
    if (dup != sorted->end()) {
      return base::InvalidArgument("duplicate label name \"" + std::string(dup->name) + "\"");
    }
    std::erase_if(*sorted, [](const model::Label& l) { return l.value.empty(); });
  }
  if (!has_metric_name) return base::InvalidArgument("missing metric name (label \"__name__\")");
  return base::Status::Ok();
}

// Counts a sample rejected with one of the codes that do not fail the batch; false for the
// other codes.
bool CountRejected(base::StatusCode code, WriteStats* stats) {
  switch (code) {
    case base::StatusCode::kOutOfOrder:
      ++stats->samples_out_of_order;
      return true;
    case base::StatusCode::kDuplicateSample:
      ++stats->samples_duplicate;
      return true;
    case base::StatusCode::kOutOfBounds:
      ++stats->samples_out_of_bounds;
      return true;
    case base::StatusCode::kTooOld:
      ++stats->samples_too_old;
      return true;
    default:
      return false;
  }
}

void AddStats(const WriteStats& from, WriteStats* to) {
  if (to == nullptr) return;
  to->series += from.series;
  to->samples_appended += from.samples_appended;
  to->samples_out_of_order += from.samples_out_of_order;
  to->samples_duplicate += from.samples_duplicate;
  to->samples_out_of_bounds += from.samples_out_of_bounds;
  to->samples_too_old += from.samples_too_old;
  to->series_invalid += from.series_invalid;
  to->samples_invalid += from.samples_invalid;
  to->exemplars_ignored += from.exemplars_ignored;
  to->histograms_ignored += from.histograms_ignored;
  to->metadata_ignored += from.metadata_ignored;
}

// Decompresses a snappy block into (*out)[0, n), refusing an announced length n over
// max_decoded_bytes before allocating; *out only grows. Errors: kInvalidArgument (corrupt input),
// kLimitExceeded.
base::Status Decompress(std::string_view body, size_t max_decoded_bytes, std::string* out,
                        std::string_view* decoded) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &n)) {
    return base::InvalidArgument("snappy: corrupt input: cannot read the decoded length");
  }
  if (n > max_decoded_bytes) {
    return base::LimitExceeded(fmt::format(
        "snappy: decoded length {} bytes exceeds the limit of {} bytes", n, max_decoded_bytes));
  }
  if (out->size() < n) out->resize(n);
  // RawUncompress validates while it decompresses and never writes past n bytes; a separate
  // IsValidCompressedBuffer pass would only double the cost.
  if (!snappy::RawUncompress(body.data(), body.size(), out->data())) {
    return base::InvalidArgument("snappy: corrupt input");
  }
  *decoded = std::string_view(out->data(), n);
  return base::Status::Ok();
}

// Buffers reused by the HandleWrite calls of one thread (an HTTP worker): the decompressed body
// and the decoded request. Fresh buffers (about 1 MB for 2000 samples) cost an mmap and a page
// fault per 4 KiB touched: reusing them cut the receiver's CPU per sample by about 30% in
// bench/remote_write_decode_bench.cc. What a call leaves above kMaxRetainedBytes is freed, so an
// idle thread holds at most about twice that.
constexpr size_t kMaxRetainedBytes = 4u << 20;
struct Scratch {
  std::string body;
  DecodedWriteRequest request;
  std::vector<model::Label> sorted;

  // Frees what exceeds the retention limit; called when a request is done.
  void Trim() {
    if (body.capacity() > kMaxRetainedBytes) body = std::string();
    if (request.capacity_bytes() > kMaxRetainedBytes) request.Release();
  }
};

}  // namespace

base::Status HandleWrite(std::string_view body, storage::Appendable& appendable,
                         const Options& options, WriteStats* stats) {
  thread_local Scratch scratch;
  // The scratch is trimmed on every return, the error ones included.
  struct TrimOnExit {
    Scratch& s;
    ~TrimOnExit() { s.Trim(); }
  } trim_on_exit{scratch};
  std::string_view decoded;
  RETURN_IF_ERROR(Decompress(body, options.max_decoded_bytes, &scratch.body, &decoded));
  DecodedWriteRequest& req = scratch.request;
  RETURN_IF_ERROR(req.Decode(decoded));

  WriteStats st;
  st.series = req.series_count();
  st.exemplars_ignored = req.exemplar_count();
  st.histograms_ignored = req.histogram_count();
  st.metadata_ignored = req.metadata_count();

  base::Status first_invalid;   // first series with invalid labels
  base::Status first_rejected;  // first sample the appender rejected
  uint64_t appended = 0;
  std::unique_ptr<storage::Appender> app;
  std::vector<model::Label>& sorted = scratch.sorted;
  for (size_t i = 0; i < req.series_count(); ++i) {
    SeriesView series = req.series(i);
    if (base::Status s = CheckLabels(series.labels, &sorted); !s.ok()) {
      ++st.series_invalid;
      st.samples_invalid += series.samples.size();
      if (first_invalid.ok()) {
        first_invalid = base::InvalidArgument(
            fmt::format("invalid series {} {}: {}", i, FormatPairs(series.labels), s.message()));
      }
      continue;
    }
    if (series.samples.empty()) continue;
    if (app == nullptr) app = appendable.NewAppender();
    model::Labels labels = model::Labels::FromSorted(sorted);
    storage::SeriesRef ref = 0;
    for (const model::Sample& sample : series.samples) {
      base::Result<storage::SeriesRef> r = app->Append(ref, labels, sample.t, sample.v);
      if (r.has_value()) {
        ref = *r;
        ++appended;
        continue;
      }
      if (!CountRejected(r.error().code(), &st)) {
        app->Rollback();
        AddStats(st, stats);
        return r.error().WithPrefix(
            fmt::format("append series {} at timestamp {}", labels.ToString(), sample.t));
      }
      if (first_rejected.ok()) {
        first_rejected = base::Status(
            r.error().code(), fmt::format("{} for series {} at timestamp {}", r.error().message(),
                                          labels.ToString(), sample.t));
      }
    }
  }
  if (app != nullptr) {
    if (base::Status s = app->Commit(); !s.ok()) {
      AddStats(st, stats);
      return s;
    }
  }
  st.samples_appended = appended;
  AddStats(st, stats);

  uint64_t rejected = st.samples_out_of_order + st.samples_duplicate + st.samples_out_of_bounds +
                      st.samples_too_old;
  uint64_t problems = st.series_invalid + rejected;
  base::Status result = !first_invalid.ok() ? std::move(first_invalid) : std::move(first_rejected);
  if (problems > 1) {
    result = base::Status(result.code(),
                          fmt::format("{} (and {} more errors)", result.message(), problems - 1));
  }
  return result;
}

}  // namespace remote_write

// Tests of the remote-write receiver: the hand decoder against the generated protobuf classes
// (the reference encoder), malformed input, label validation and the append paths through a
// fake storage::Appendable.
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/unknown_field_set.h>
#include <snappy.h>

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/sample.h"
#include "remote_write/decoder.h"
#include "remote_write/handler.h"
#include "remote_write/prompb/remote.pb.h"
#include "storage/appender.h"

namespace remote_write {
namespace {

using base::StatusCode;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

// The generated parser logs every proto3 string with invalid UTF-8 it meets (the corruption
// and truncation tests make many): silence protobuf's logging for this binary.
const bool kProtobufLogSilenced = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

// ---------------------------------------------------------------------------------------------
// Raw protobuf encoding, for what the generated classes cannot write (invalid UTF-8, wrong wire
// types, groups, truncations).

std::string Varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string Tag(uint64_t field, uint32_t wire_type) { return Varint(field << 3 | wire_type); }
std::string LenField(uint64_t field, std::string_view payload) {
  return Tag(field, 2) + Varint(payload.size()) + std::string(payload);
}
std::string VarintField(uint64_t field, uint64_t v) { return Tag(field, 0) + Varint(v); }
std::string Fixed64Field(uint64_t field, uint64_t v) {
  std::string s = Tag(field, 1);
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string Fixed32Field(uint64_t field, uint32_t v) {
  std::string s = Tag(field, 5);
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string RawLabel(std::string_view name, std::string_view value) {
  return LenField(1, name) + LenField(2, value);
}
std::string RawSample(int64_t t, double v) {
  return Fixed64Field(1, std::bit_cast<uint64_t>(v)) + VarintField(2, static_cast<uint64_t>(t));
}
// A TimeSeries payload from label pairs and samples.
std::string RawSeries(const std::vector<std::pair<std::string, std::string>>& labels,
                      const std::vector<model::Sample>& samples) {
  std::string s;
  for (const auto& [n, v] : labels) s += LenField(1, RawLabel(n, v));
  for (const model::Sample& smp : samples) s += LenField(2, RawSample(smp.t, smp.v));
  return s;
}
std::string RawRequest(const std::vector<std::string>& series_payloads) {
  std::string s;
  for (const std::string& p : series_payloads) s += LenField(1, p);
  return s;
}

std::string Compress(std::string_view raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Random requests built with the generated classes.

class RequestGenerator {
 public:
  explicit RequestGenerator(uint64_t seed) : rng_(seed) {}

  // A random WriteRequest and its serialization. Unknown fields are added to every message
  // kind; at the top level they are interleaved between the known fields.
  std::string Generate(prometheus::WriteRequest* req) {
    std::string wire;
    int n_series = Uniform(0, 30);
    for (int i = 0; i < n_series; ++i) {
      if (Chance(0.2)) wire += RandomUnknownField(/*min_field=*/4, /*also_field=*/2);
      prometheus::TimeSeries* ts = req->add_timeseries();
      FillSeries(ts);
      wire += LenField(1, ts->SerializeAsString());
    }
    int n_metadata = Chance(0.3) ? Uniform(1, 3) : 0;
    for (int i = 0; i < n_metadata; ++i) {
      prometheus::MetricMetadata* md = req->add_metadata();
      md->set_type(static_cast<prometheus::MetricMetadata::MetricType>(Uniform(0, 7)));
      md->set_metric_family_name(RandomName());
      md->set_help(RandomValue());
      md->set_unit(Chance(0.5) ? "seconds" : "");
      wire += LenField(3, md->SerializeAsString());
      if (Chance(0.3)) wire += RandomUnknownField(4, 2);
    }
    return wire;
  }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::mt19937_64& rng() { return rng_; }

 private:
  void FillSeries(prometheus::TimeSeries* ts) {
    int n_labels = Uniform(0, 10);
    for (int j = 0; j < n_labels; ++j) {
      prometheus::Label* l = ts->add_labels();
      bool metric_name = j == 0 && Chance(0.9);
      l->set_name(metric_name ? "__name__" : RandomName());
      l->set_value(metric_name && Chance(0.9) ? RandomName() : RandomValue());
      if (Chance(0.1)) AddUnknownFields(l, 3);
    }
    int n_samples = Uniform(0, 5);
    for (int j = 0; j < n_samples; ++j) {
      prometheus::Sample* s = ts->add_samples();
      s->set_value(RandomDouble());
      s->set_timestamp(RandomTimestamp());
      if (Chance(0.1)) AddUnknownFields(s, 3);
    }
    int n_exemplars = Chance(0.2) ? Uniform(1, 2) : 0;
    for (int j = 0; j < n_exemplars; ++j) {
      prometheus::Exemplar* e = ts->add_exemplars();
      prometheus::Label* l = e->add_labels();
      l->set_name("trace_id");
      l->set_value(RandomValue());
      e->set_value(RandomDouble());
      e->set_timestamp(RandomTimestamp());
    }
    int n_histograms = Chance(0.2) ? Uniform(1, 2) : 0;
    for (int j = 0; j < n_histograms; ++j) FillHistogram(ts->add_histograms());
    if (Chance(0.2)) AddUnknownFields(ts, 5);
  }

  void FillHistogram(prometheus::Histogram* h) {
    bool is_float = Chance(0.5);
    if (is_float) {
      h->set_count_float(RandomDouble());
      h->set_zero_count_float(3.5);
    } else {
      h->set_count_int(static_cast<uint64_t>(Uniform(0, 1000)));
      h->set_zero_count_int(static_cast<uint64_t>(Uniform(0, 10)));
    }
    h->set_sum(RandomDouble());
    h->set_schema(Uniform(-4, 8));
    h->set_zero_threshold(1e-128);
    for (auto* spans : {h->mutable_negative_spans(), h->mutable_positive_spans()}) {
      prometheus::BucketSpan* span = spans->Add();
      span->set_offset(Uniform(-5, 5));
      span->set_length(static_cast<uint32_t>(Uniform(0, 4)));
    }
    for (int k = 0; k < 3; ++k) {
      if (is_float) {
        h->add_positive_counts(RandomDouble());
        h->add_negative_counts(RandomDouble());
      } else {
        h->add_positive_deltas(Uniform(-100, 100));
        h->add_negative_deltas(Uniform(-100, 100));
      }
    }
    h->set_reset_hint(static_cast<prometheus::Histogram::ResetHint>(Uniform(0, 3)));
    h->set_timestamp(RandomTimestamp());
    if (Chance(0.3)) h->add_custom_values(0.5);
  }

  // Adds unknown fields of every non-group wire type, with numbers >= min_field.
  void AddUnknownFields(google::protobuf::Message* m, int min_field) {
    google::protobuf::UnknownFieldSet* u = m->GetReflection()->MutableUnknownFields(m);
    int n = Uniform(1, 4);
    for (int i = 0; i < n; ++i) {
      int field = Uniform(min_field, min_field + 200);
      switch (Uniform(0, 3)) {
        case 0:
          u->AddVarint(field, rng_());
          break;
        case 1:
          u->AddFixed32(field, static_cast<uint32_t>(rng_()));
          break;
        case 2:
          u->AddFixed64(field, rng_());
          break;
        case 3:
          u->AddLengthDelimited(field, RandomValue());
          break;
      }
    }
    if (Chance(0.1)) u->AddVarint(536870911, 1);  // the largest field number
  }

  std::string RandomUnknownField(int min_field, int also_field) {
    int field = Chance(0.3) ? also_field : Uniform(min_field, 100000);
    switch (Uniform(0, 3)) {
      case 0:
        return VarintField(field, rng_());
      case 1:
        return Fixed32Field(field, static_cast<uint32_t>(rng_()));
      case 2:
        return Fixed64Field(field, rng_());
      default:
        return LenField(field, RandomValue());
    }
  }

  std::string RandomName() {
    static constexpr std::string_view kFirst =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    static constexpr std::string_view kRest =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";
    std::string s(1, kFirst[static_cast<size_t>(Uniform(0, static_cast<int>(kFirst.size()) - 1))]);
    int n = Uniform(0, 11);
    for (int i = 0; i < n; ++i) {
      s.push_back(kRest[static_cast<size_t>(Uniform(0, static_cast<int>(kRest.size()) - 1))]);
    }
    return s;
  }

  std::string RandomValue() {
    static const std::vector<std::string> kPieces = {
        "a", "Z", "0", " ", "-", "é", "日本", "😀", "\"", "\\", "\n", "job", "localhost:9090"};
    std::string s;
    int n = Uniform(0, 8);
    for (int i = 0; i < n; ++i) {
      s += kPieces[static_cast<size_t>(Uniform(0, static_cast<int>(kPieces.size()) - 1))];
    }
    return s;
  }

  double RandomDouble() {
    switch (Uniform(0, 7)) {
      case 0:
        return std::numeric_limits<double>::quiet_NaN();
      case 1:
        return model::StaleNaN();
      case 2:
        return std::numeric_limits<double>::infinity();
      case 3:
        return -std::numeric_limits<double>::infinity();
      case 4:
        return 0.0;
      case 5:
        return static_cast<double>(Uniform(-1000000, 1000000));
      default:
        return std::uniform_real_distribution<double>(-1e300, 1e300)(rng_);
    }
  }

  int64_t RandomTimestamp() {
    switch (Uniform(0, 3)) {
      case 0:
        return std::uniform_int_distribution<int64_t>(-5000000000000, -1)(rng_);
      case 1:
        return std::numeric_limits<int64_t>::min() + Uniform(0, 10);
      case 2:
        return std::numeric_limits<int64_t>::max() - Uniform(0, 10);
      default:
        return std::uniform_int_distribution<int64_t>(0, 4000000000000)(rng_);
    }
  }

  std::mt19937_64 rng_;
};

// Checks that `got` holds exactly the series of `want`: labels in wire order, samples with
// bit-identical values, and the exemplar/histogram/metadata counts.
void RequireSameAsReference(const DecodedWriteRequest& got, const prometheus::WriteRequest& want) {
  REQUIRE(got.series_count() == static_cast<size_t>(want.timeseries_size()));
  uint64_t exemplars = 0, histograms = 0;
  for (int i = 0; i < want.timeseries_size(); ++i) {
    INFO("timeseries " << i);
    const prometheus::TimeSeries& w = want.timeseries(i);
    SeriesView g = got.series(static_cast<size_t>(i));
    REQUIRE(g.labels.size() == static_cast<size_t>(w.labels_size()));
    for (int j = 0; j < w.labels_size(); ++j) {
      CHECK(g.labels[static_cast<size_t>(j)].name == w.labels(j).name());
      CHECK(g.labels[static_cast<size_t>(j)].value == w.labels(j).value());
    }
    REQUIRE(g.samples.size() == static_cast<size_t>(w.samples_size()));
    for (int j = 0; j < w.samples_size(); ++j) {
      CHECK(g.samples[static_cast<size_t>(j)].t == w.samples(j).timestamp());
      CHECK(std::bit_cast<uint64_t>(g.samples[static_cast<size_t>(j)].v) ==
            std::bit_cast<uint64_t>(w.samples(j).value()));
    }
    exemplars += static_cast<uint64_t>(w.exemplars_size());
    histograms += static_cast<uint64_t>(w.histograms_size());
  }
  CHECK(got.exemplar_count() == exemplars);
  CHECK(got.histogram_count() == histograms);
  CHECK(got.metadata_count() == static_cast<uint64_t>(want.metadata_size()));
}

// Decodes `wire` and returns the status (for malformed-input tests).
base::Status DecodeStatus(std::string_view wire) {
  DecodedWriteRequest req;
  return req.Decode(wire);
}

// ---------------------------------------------------------------------------------------------
// A fake storage::Appendable: series live in a map; an Appender stages samples and applies them
// on Commit. Same rules as the head for the rejections: a sample older than the newest of its
// series is out of order, a same-timestamp sample with another value is a duplicate (same
// value: accepted, no-op), a sample before min_valid_time is out of bounds. `inject` can fail
// any Append; `commit_error` fails Commit (nothing is applied then).

class FakeStorage final : public storage::Appendable {
 public:
  std::unique_ptr<storage::Appender> NewAppender() override;

  // Committed samples by series.
  std::map<model::Labels, std::vector<model::Sample>> series;
  model::Timestamp min_valid_time = model::kMinTime;
  std::function<base::Status(const model::Labels&, model::Timestamp)> inject;
  base::Status commit_error;

  int appenders = 0;
  int commits = 0;
  int rollbacks = 0;
  int appends_by_labels = 0;
  int appends_by_ref = 0;
  std::vector<model::Labels> refs;  // ref r names refs[r - 1]

  // The committed samples of the series with these labels (empty when absent).
  std::vector<model::Sample> Samples(const model::Labels& ls) const {
    auto it = series.find(ls);
    return it == series.end() ? std::vector<model::Sample>{} : it->second;
  }
  size_t SampleCount() const {
    size_t n = 0;
    for (const auto& [ls, samples] : series) n += samples.size();
    return n;
  }
};

class FakeAppender final : public storage::Appender {
 public:
  explicit FakeAppender(FakeStorage* s) : s_(s) {}

  base::Result<storage::SeriesRef> Append(storage::SeriesRef ref, const model::Labels& labels,
                                          model::Timestamp t, double v,
                                          const storage::AppendOptions&) override {
    REQUIRE_FALSE(dead_);
    REQUIRE(labels.Validate().ok());
    REQUIRE_FALSE(labels.empty());
    if (ref != 0) {
      REQUIRE(ref <= s_->refs.size());
      REQUIRE(s_->refs[ref - 1] == labels);
      ++s_->appends_by_ref;
    } else {
      ++s_->appends_by_labels;
      auto it = std::find(s_->refs.begin(), s_->refs.end(), labels);
      if (it == s_->refs.end()) {
        s_->refs.push_back(labels);
        ref = s_->refs.size();
      } else {
        ref = static_cast<storage::SeriesRef>(it - s_->refs.begin()) + 1;
      }
    }
    if (s_->inject) {
      if (base::Status st = s_->inject(labels, t); !st.ok()) return st;
    }
    if (t < s_->min_valid_time) return base::Status(StatusCode::kOutOfBounds, "out of bounds");
    const model::Sample* last = nullptr;
    for (const Staged& st : staged_) {
      if (st.labels == labels) last = &st.sample;
    }
    if (auto it = s_->series.find(labels); last == nullptr && it != s_->series.end()) {
      last = &it->second.back();
    }
    if (last != nullptr) {
      if (t < last->t) return base::Status(StatusCode::kOutOfOrder, "out of order sample");
      if (t == last->t) {
        if (std::bit_cast<uint64_t>(v) != std::bit_cast<uint64_t>(last->v)) {
          return base::Status(StatusCode::kDuplicateSample, "duplicate sample for timestamp");
        }
        return ref;
      }
    }
    staged_.push_back({labels, {t, v}});
    return ref;
  }

  base::Status Commit() override {
    REQUIRE_FALSE(dead_);
    dead_ = true;
    ++s_->commits;
    if (!s_->commit_error.ok()) return s_->commit_error;
    for (const Staged& st : staged_) s_->series[st.labels].push_back(st.sample);
    return base::Status::Ok();
  }

  void Rollback() override {
    REQUIRE_FALSE(dead_);
    dead_ = true;
    ++s_->rollbacks;
  }

 private:
  struct Staged {
    model::Labels labels;
    model::Sample sample;
  };
  FakeStorage* s_;
  std::vector<Staged> staged_;
  bool dead_ = false;
};

std::unique_ptr<storage::Appender> FakeStorage::NewAppender() {
  ++appenders;
  return std::make_unique<FakeAppender>(this);
}

bool SameSamples(const std::vector<model::Sample>& a, const std::vector<model::Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].t != b[i].t || std::bit_cast<uint64_t>(a[i].v) != std::bit_cast<uint64_t>(b[i].v)) {
      return false;
    }
  }
  return true;
}

base::Status Write(FakeStorage& storage, std::string_view raw, WriteStats* stats = nullptr,
                   const Options& options = {}) {
  return HandleWrite(Compress(raw), storage, options, stats);
}

// =============================================================================================
// Decoder.

TEST_CASE("hand decoder yields exactly what the generated encoder wrote", "[remote_write]") {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    INFO("seed " << seed);
    RequestGenerator gen(seed);
    prometheus::WriteRequest want;
    std::string wire = gen.Generate(&want);
    // The interleaved unknown fields are what they should be: the generated parser reads the
    // same message back.
    prometheus::WriteRequest reparsed;
    REQUIRE(reparsed.ParseFromString(wire));
    REQUIRE(reparsed.timeseries_size() == want.timeseries_size());

    DecodedWriteRequest got;
    base::Status st = got.Decode(wire);
    REQUIRE(st.ok());
    RequireSameAsReference(got, want);

    // The serialization by the generated code itself (unknown fields last) decodes the same.
    std::string canonical = want.SerializeAsString();
    REQUIRE(got.Decode(canonical).ok());
    RequireSameAsReference(got, want);
  }
}

TEST_CASE("decoder is reusable and keeps no state between requests", "[remote_write]") {
  DecodedWriteRequest req;
  REQUIRE(req.Decode(RawRequest({RawSeries({{"__name__", "a"}, {"x", "1"}}, {{1, 1.0}, {2, 2.0}}),
                                 LenField(3, "")}))  // a series with one exemplar
              .ok());
  REQUIRE(req.series_count() == 2);
  REQUIRE(req.exemplar_count() == 1);
  std::string second = RawRequest({RawSeries({{"__name__", "b"}}, {{3, 3.0}})});
  REQUIRE(req.Decode(second).ok());
  REQUIRE(req.series_count() == 1);
  REQUIRE(req.sample_count() == 1);
  REQUIRE(req.label_count() == 1);
  CHECK(req.exemplar_count() == 0);
  CHECK(req.series(0).labels[0].value == "b");
  CHECK(req.series(0).samples[0].t == 3);
  // Views point into the buffer: no copy.
  CHECK(req.series(0).labels[0].value.data() >= second.data());
  CHECK(req.series(0).labels[0].value.data() < second.data() + second.size());

  REQUIRE(req.Decode("").ok());
  CHECK(req.series_count() == 0);
}

TEST_CASE("decoder skips unknown fields of every wire type", "[remote_write]") {
  std::string label = Fixed32Field(9, 7) + LenField(1, "__name__") +
                      VarintField(3, uint64_t{1} << 40) + LenField(2, "up") + Fixed64Field(4, 99) +
                      LenField(15, "future");
  std::string label2 = RawLabel("job", "node") + VarintField(100000, 5);
  std::string sample = VarintField(3, 1) + RawSample(1000, 1.5) + LenField(4, "x") +
                       Fixed32Field(5, 1) + Fixed64Field(6, 1);
  std::string series = VarintField(5, 0) + LenField(1, label) + Fixed64Field(6, 0) +
                       LenField(2, sample) + LenField(1, label2) + LenField(7, "ignored") +
                       Fixed32Field(8, 0) +
                       LenField(3, LenField(1, RawLabel("trace_id", "abc")) + Fixed64Field(2, 0)) +
                       LenField(4, VarintField(1, 3) + VarintField(99, 1));
  std::string wire = VarintField(2, 1) + LenField(2, "cortex source") + LenField(1, series) +
                     Fixed32Field(4, 1) + Fixed64Field(5, 1) +
                     LenField(3, VarintField(1, 2) + LenField(2, "up") + LenField(9, "?")) +
                     VarintField(536870911, 3);
  DecodedWriteRequest req;
  base::Status st = req.Decode(wire);
  INFO(st.ToString());
  REQUIRE(st.ok());
  REQUIRE(req.series_count() == 1);
  SeriesView s = req.series(0);
  REQUIRE(s.labels.size() == 2);
  CHECK(s.labels[0] == model::Label{"__name__", "up"});
  CHECK(s.labels[1] == model::Label{"job", "node"});
  REQUIRE(s.samples.size() == 1);
  CHECK(s.samples[0].t == 1000);
  CHECK(s.samples[0].v == 1.5);
  CHECK(req.exemplar_count() == 1);
  CHECK(req.histogram_count() == 1);
  CHECK(req.metadata_count() == 1);

  // The generated parser agrees.
  prometheus::WriteRequest ref;
  REQUIRE(ref.ParseFromString(wire));
  RequireSameAsReference(req, ref);
}

TEST_CASE("decoder keeps protobuf's last-one-wins and zero defaults", "[remote_write]") {
  std::string label =
      LenField(1, "a") + LenField(1, "__name__") + LenField(2, "x") + LenField(2, "y");
  std::string sample_missing_value = VarintField(2, 5);
  std::string sample_missing_ts = Fixed64Field(1, std::bit_cast<uint64_t>(2.5));
  std::string wire =
      LenField(1, LenField(1, label) + LenField(1, "") + LenField(2, sample_missing_value) +
                      LenField(2, sample_missing_ts) + LenField(2, ""));
  DecodedWriteRequest req;
  REQUIRE(req.Decode(wire).ok());
  SeriesView s = req.series(0);
  REQUIRE(s.labels.size() == 2);
  CHECK(s.labels[0] == model::Label{"__name__", "y"});
  CHECK(s.labels[1] == model::Label{"", ""});
  REQUIRE(s.samples.size() == 3);
  CHECK((s.samples[0].t == 5 && s.samples[0].v == 0.0));
  CHECK((s.samples[1].t == 0 && s.samples[1].v == 2.5));
  CHECK((s.samples[2].t == 0 && s.samples[2].v == 0.0));
  prometheus::WriteRequest ref;
  REQUIRE(ref.ParseFromString(wire));
  RequireSameAsReference(req, ref);
}

TEST_CASE("decoder accepts 10-byte varints and rejects longer ones", "[remote_write]") {
  // -1 as int64: ten bytes.
  std::string sample = Fixed64Field(1, 0) + VarintField(2, static_cast<uint64_t>(int64_t{-1}));
  std::string wire = LenField(1, LenField(1, RawLabel("__name__", "x")) + LenField(2, sample));
  DecodedWriteRequest req;
  REQUIRE(req.Decode(wire).ok());
  CHECK(req.series(0).samples[0].t == -1);

  std::string eleven(10, '\x80');
  eleven.push_back('\x01');
  base::Status st = DecodeStatus(eleven);
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message() == "decode WriteRequest: varint longer than 10 bytes in field tag at byte 0");
}

TEST_CASE("decoder agrees with the generated parser on every truncation", "[remote_write]") {
  size_t parsed_prefixes = 0, failures = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    RequestGenerator gen(seed * 7919);
    prometheus::WriteRequest want;
    std::string wire = gen.Generate(&want);
    for (size_t cut = 0; cut < wire.size(); ++cut) {
      INFO("cut at " << cut << " of " << wire.size());
      // A copy of exactly `cut` bytes, so that ASan sees any read past the end.
      std::vector<char> prefix(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(cut));
      std::string_view view(prefix.data(), prefix.size());
      DecodedWriteRequest got;
      base::Status st = got.Decode(view);
      prometheus::WriteRequest ref;
      bool ref_ok = ref.ParseFromArray(prefix.data(), static_cast<int>(prefix.size()));
      REQUIRE(st.ok() == ref_ok);
      if (st.ok()) {
        // Only a cut between top-level fields parses: a prefix of the series.
        RequireSameAsReference(got, ref);
        REQUIRE(got.series_count() <= static_cast<size_t>(want.timeseries_size()));
        ++parsed_prefixes;
      } else {
        REQUIRE(st.code() == StatusCode::kInvalidArgument);
        REQUIRE_THAT(st.message(), StartsWith("decode WriteRequest: "));
        ++failures;
      }
    }
  }
  // Both outcomes were exercised, failures by far the most.
  CHECK(parsed_prefixes > 40);
  CHECK(failures > 100 * parsed_prefixes);
}

TEST_CASE("decoder rejects malformed input with a message naming what and where",
          "[remote_write]") {
  std::string good_series = RawSeries({{"__name__", "up"}, {"job", "a"}}, {{1, 1.0}});
  struct Case {
    std::string name;
    std::string wire;
    std::string message;
  };
  // The second series' second label has a value whose length runs past the label.
  std::string bad_label = LenField(1, "job") + Tag(2, 2) + Varint(10) + "abc";
  std::string nested =
      RawRequest({good_series, LenField(1, RawLabel("__name__", "x")) + LenField(1, bad_label)});
  size_t bad_value_at = nested.size() - 3 - 2;  // tag and length of the value, then "abc"
  std::vector<Case> cases = {
      {"truncated tag", "\x80", "decode WriteRequest: truncated varint in field tag at byte 0"},
      {"field number 0", VarintField(0, 1),
       "decode WriteRequest: invalid field number 0 at byte 0"},
      {"field number above 2^29-1", Tag(uint64_t{1} << 29, 0) + Varint(1),
       "decode WriteRequest: invalid field number 536870912 at byte 0"},
      {"length past the end", Tag(1, 2) + Varint(5) + "ab",
       "decode WriteRequest: timeseries 0: truncated length-delimited field 1 (length 5, 2 bytes "
       "left) at byte 0"},
      {"truncated length", Tag(1, 2) + "\xff",
       "decode WriteRequest: timeseries 0: truncated varint in length of field 1 at byte 1"},
      {"huge length", Tag(1, 2) + Varint(uint64_t{1} << 62),
       "decode WriteRequest: timeseries 0: truncated length-delimited field 1 (length "
       "4611686018427387904, 0 bytes left) at byte 0"},
      {"nested truncated label value", nested,
       "decode WriteRequest: timeseries 1: label 1: truncated length-delimited field 2 (length "
       "10, 3 bytes left) at byte " +
           std::to_string(bad_value_at)},
      {"timeseries as varint", VarintField(1, 3),
       "decode WriteRequest: field 1 has wire type varint, want length-delimited at byte 0"},
      {"metadata as fixed32", Fixed32Field(3, 3),
       "decode WriteRequest: field 3 has wire type fixed32, want length-delimited at byte 0"},
      {"label as fixed64", LenField(1, Fixed64Field(1, 0)),
       "decode WriteRequest: timeseries 0: field 1 has wire type fixed64, want length-delimited "
       "at byte 2"},
      {"sample as varint", LenField(1, VarintField(2, 0)),
       "decode WriteRequest: timeseries 0: field 2 has wire type varint, want length-delimited "
       "at byte 2"},
      {"exemplar as varint", LenField(1, VarintField(3, 0)),
       "decode WriteRequest: timeseries 0: field 3 has wire type varint, want length-delimited "
       "at byte 2"},
      {"histogram as fixed32", LenField(1, Fixed32Field(4, 0)),
       "decode WriteRequest: timeseries 0: field 4 has wire type fixed32, want length-delimited "
       "at byte 2"},
      {"label name as varint", LenField(1, LenField(1, VarintField(1, 0))),
       "decode WriteRequest: timeseries 0: label 0: field 1 has wire type varint, want "
       "length-delimited at byte 4"},
      {"label value as fixed32", LenField(1, LenField(1, Fixed32Field(2, 0))),
       "decode WriteRequest: timeseries 0: label 0: field 2 has wire type fixed32, want "
       "length-delimited at byte 4"},
      {"sample value as varint", LenField(1, LenField(2, VarintField(1, 0))),
       "decode WriteRequest: timeseries 0: sample 0: field 1 has wire type varint, want fixed64 "
       "at byte 4"},
      {"sample timestamp as fixed64", LenField(1, LenField(2, Fixed64Field(2, 0))),
       "decode WriteRequest: timeseries 0: sample 0: field 2 has wire type fixed64, want varint "
       "at byte 4"},
      {"sample timestamp as bytes", LenField(1, LenField(2, LenField(2, "1"))),
       "decode WriteRequest: timeseries 0: sample 0: field 2 has wire type length-delimited, "
       "want varint at byte 4"},
      {"truncated sample value", LenField(1, LenField(2, Tag(1, 1) + "1234567")),
       "decode WriteRequest: timeseries 0: sample 0: truncated fixed64 field 1 at byte 4"},
      {"truncated sample timestamp", LenField(1, LenField(2, Tag(2, 0) + "\x80\x80")),
       "decode WriteRequest: timeseries 0: sample 0: truncated varint in field 2 at byte 5"},
      {"group at the top level", Tag(9, 3) + Tag(9, 4),
       "decode WriteRequest: field 9 is a group (wire type 3), groups are not supported at byte "
       "0"},
      {"end group in a series", LenField(1, Tag(9, 4)),
       "decode WriteRequest: timeseries 0: field 9 is a group (wire type 4), groups are not "
       "supported at byte 2"},
      {"wire type 6", Tag(9, 6), "decode WriteRequest: field 9 has invalid wire type 6 at byte 0"},
      {"wire type 7 in a label", LenField(1, LenField(1, Tag(9, 7))),
       "decode WriteRequest: timeseries 0: label 0: field 9 has invalid wire type 7 at byte 4"},
      {"truncated unknown fixed32", Tag(9, 5) + "abc",
       "decode WriteRequest: truncated fixed32 field 9 at byte 0"},
      {"truncated unknown fixed64", Tag(9, 1) + "abcdefg",
       "decode WriteRequest: truncated fixed64 field 9 at byte 0"},
      {"truncated unknown varint", Tag(9, 0) + "\x80",
       "decode WriteRequest: truncated varint in field 9 at byte 1"},
      {"truncated unknown bytes", Tag(9, 2) + Varint(4) + "abc",
       "decode WriteRequest: truncated length-delimited field 9 (length 4, 3 bytes left) at "
       "byte 0"},
      {"truncated metadata", Tag(3, 2) + Varint(4) + "abc",
       "decode WriteRequest: metadata 0: truncated length-delimited field 3 (length 4, 3 bytes "
       "left) at byte 0"},
      {"truncated exemplar", LenField(1, Tag(3, 2) + Varint(4) + "abc"),
       "decode WriteRequest: timeseries 0: exemplar 0: truncated length-delimited field 3 "
       "(length 4, 3 bytes left) at byte 2"},
      {"truncated second histogram", LenField(1, LenField(4, "") + Tag(4, 2) + Varint(1)),
       "decode WriteRequest: timeseries 0: histogram 1: truncated length-delimited field 4 "
       "(length 1, 0 bytes left) at byte 4"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    base::Status st = DecodeStatus(c.wire);
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK(st.message() == c.message);
  }
}

TEST_CASE("decoder survives random corruption of valid requests", "[remote_write]") {
  size_t oks = 0, errors = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    RequestGenerator gen(seed * 104729);
    prometheus::WriteRequest want;
    std::string wire = gen.Generate(&want);
    if (wire.empty()) continue;
    for (int round = 0; round < 200; ++round) {
      std::string mutated = wire;
      int flips = gen.Uniform(1, 4);
      for (int f = 0; f < flips; ++f) {
        size_t at = static_cast<size_t>(gen.Uniform(0, static_cast<int>(mutated.size()) - 1));
        mutated[at] = static_cast<char>(gen.rng()());
      }
      std::vector<char> exact(mutated.begin(), mutated.end());
      DecodedWriteRequest got;
      base::Status st = got.Decode(std::string_view(exact.data(), exact.size()));
      if (st.ok()) {
        // Whatever decoded lies inside the buffer.
        for (size_t i = 0; i < got.series_count(); ++i) {
          for (const model::Label& l : got.series(i).labels) {
            for (std::string_view s : {l.name, l.value}) {
              if (s.empty()) continue;  // absent fields are default views
              REQUIRE(s.data() >= exact.data());
              REQUIRE(s.data() + s.size() <= exact.data() + exact.size());
            }
          }
        }
        ++oks;
      } else {
        REQUIRE(st.code() == StatusCode::kInvalidArgument);
        ++errors;
      }
    }
  }
  CHECK(oks > 100);
  CHECK(errors > 100);
}

// =============================================================================================
// HandleWrite: snappy and body-level failures.

TEST_CASE("undecodable bodies are rejected and store nothing", "[remote_write]") {
  FakeStorage storage;
  std::string raw = RawRequest({RawSeries({{"__name__", "up"}}, {{1, 1.0}, {2, 2.0}})});
  std::string body = Compress(raw);
  WriteStats stats;

  SECTION("empty body") {
    base::Status st = HandleWrite("", storage, {}, &stats);
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(st.message(), StartsWith("snappy: corrupt input"));
  }
  SECTION("truncated snappy at every length") {
    for (size_t cut = 0; cut < body.size(); ++cut) {
      INFO("cut " << cut);
      std::vector<char> prefix(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(cut));
      base::Status st =
          HandleWrite(std::string_view(prefix.data(), prefix.size()), storage, {}, &stats);
      CHECK(st.code() == StatusCode::kInvalidArgument);
      CHECK_THAT(st.message(), StartsWith("snappy: corrupt input"));
    }
  }
  SECTION("uncompressed protobuf instead of snappy") {
    base::Status st = HandleWrite(raw, storage, {}, &stats);
    CHECK(st.code() == StatusCode::kInvalidArgument);
  }
  SECTION("snappy announcing a huge length") {
    std::string huge = Varint(0xffffffff) + std::string(16, '\0');
    base::Status st = HandleWrite(huge, storage, {}, &stats);
    CHECK(st.code() == StatusCode::kLimitExceeded);
    CHECK(st.message() ==
          "snappy: decoded length 4294967295 bytes exceeds the limit of 268435456 bytes");
  }
  SECTION("snappy announcing a length that overflows 32 bits") {
    std::string bad = "\xff\xff\xff\xff\xff\xff";
    base::Status st = HandleWrite(bad, storage, {}, &stats);
    CHECK(st.code() == StatusCode::kInvalidArgument);
  }
  SECTION("decoded size just over the configured limit") {
    Options options;
    options.max_decoded_bytes = raw.size() - 1;
    base::Status st = HandleWrite(body, storage, options, &stats);
    CHECK(st.code() == StatusCode::kLimitExceeded);
    options.max_decoded_bytes = raw.size();
    REQUIRE(HandleWrite(body, storage, options, &stats).ok());
    CHECK(storage.SampleCount() == 2);
    return;
  }
  SECTION("snappy whose announced length is longer than its content") {
    std::string longer = Varint(raw.size() + 5) + body.substr(Varint(raw.size()).size());
    base::Status st = HandleWrite(longer, storage, {}, &stats);
    CHECK(st.code() == StatusCode::kInvalidArgument);
  }
  SECTION("valid snappy of bytes that are not protobuf") {
    base::Status st = HandleWrite(Compress("not a protobuf message"), storage, {}, &stats);
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK(st.message() == "decode WriteRequest: field 13 has invalid wire type 6 at byte 0");
  }
  SECTION("valid snappy of a truncated protobuf") {
    base::Status st = HandleWrite(Compress(raw.substr(0, raw.size() - 1)), storage, {}, &stats);
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(st.message(), StartsWith("decode WriteRequest: timeseries 0: "));
  }
  CHECK(storage.appenders == 0);
  CHECK(storage.SampleCount() == 0);
  CHECK(stats.samples_appended == 0);
}

TEST_CASE("random corruption of compressed bodies never stores a partial request",
          "[remote_write]") {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    RequestGenerator gen(seed * 31337);
    prometheus::WriteRequest want;
    std::string wire = gen.Generate(&want);
    std::string body = Compress(wire);
    for (int round = 0; round < 100; ++round) {
      std::string mutated = body;
      size_t at = static_cast<size_t>(gen.Uniform(0, static_cast<int>(mutated.size()) - 1));
      mutated[at] = static_cast<char>(gen.rng()());
      std::vector<char> exact(mutated.begin(), mutated.end());
      FakeStorage storage;
      base::Status st =
          HandleWrite(std::string_view(exact.data(), exact.size()), storage, {}, nullptr);
      if (st.code() == StatusCode::kLimitExceeded ||
          (st.code() == StatusCode::kInvalidArgument &&
           (st.message().starts_with("snappy") || st.message().starts_with("decode")))) {
        CHECK(storage.appenders == 0);
      }
    }
  }
}

// =============================================================================================
// HandleWrite: appending.

TEST_CASE("a valid request is appended through one appender and committed", "[remote_write]") {
  FakeStorage storage;
  std::string raw = RawRequest({
      RawSeries({{"__name__", "up"}, {"job", "a"}}, {{1000, 1.0}, {2000, 0.0}, {3000, 1.0}}),
      RawSeries({{"job", "b"}, {"__name__", "up"}}, {{1000, 0.5}}),  // unsorted on the wire
      RawSeries({{"__name__", "up"}, {"job", "c"}}, {}),             // no samples
  });
  WriteStats stats;
  REQUIRE(Write(storage, raw, &stats).ok());
  CHECK(storage.appenders == 1);
  CHECK(storage.commits == 1);
  CHECK(storage.rollbacks == 0);
  CHECK(SameSamples(storage.Samples({{"__name__", "up"}, {"job", "a"}}),
                    {{1000, 1.0}, {2000, 0.0}, {3000, 1.0}}));
  CHECK(SameSamples(storage.Samples({{"__name__", "up"}, {"job", "b"}}), {{1000, 0.5}}));
  CHECK(storage.series.size() == 2);
  // The first sample of a series is appended by labels, the rest by the returned ref.
  CHECK(storage.appends_by_labels == 2);
  CHECK(storage.appends_by_ref == 2);
  CHECK(stats.series == 3);
  CHECK(stats.samples_appended == 4);
  CHECK(stats.series_invalid == 0);

  // Stats accumulate over requests.
  REQUIRE(Write(storage, RawRequest({RawSeries({{"__name__", "up"}}, {{5, 5.0}})}), &stats).ok());
  CHECK(stats.series == 4);
  CHECK(stats.samples_appended == 5);
}

TEST_CASE("an empty request stores nothing and succeeds", "[remote_write]") {
  FakeStorage storage;
  WriteStats stats;
  REQUIRE(Write(storage, "", &stats).ok());
  CHECK(stats.series == 0);
  CHECK(storage.SampleCount() == 0);
}

TEST_CASE("special float values and timestamps are stored bit-exactly", "[remote_write]") {
  FakeStorage storage;
  std::vector<model::Sample> samples = {
      {std::numeric_limits<int64_t>::min(), std::numeric_limits<double>::quiet_NaN()},
      {-1, model::StaleNaN()},
      {0, -0.0},
      {1, std::numeric_limits<double>::infinity()},
      {std::numeric_limits<int64_t>::max(), -std::numeric_limits<double>::infinity()},
  };
  REQUIRE(Write(storage, RawRequest({RawSeries({{"__name__", "x"}}, samples)})).ok());
  CHECK(SameSamples(storage.Samples({{"__name__", "x"}}), samples));
}

TEST_CASE("labels with empty values are dropped", "[remote_write]") {
  FakeStorage storage;
  REQUIRE(Write(storage,
                RawRequest({RawSeries({{"__name__", "x"}, {"a", ""}, {"b", "1"}}, {{1, 1.0}})}))
              .ok());
  REQUIRE(storage.series.size() == 1);
  CHECK(storage.series.begin()->first == model::Labels{{"__name__", "x"}, {"b", "1"}});
}

TEST_CASE("series with invalid labels are skipped, the others stored", "[remote_write]") {
  struct Case {
    std::string name;
    std::vector<std::pair<std::string, std::string>> labels;
    std::string message;  // after "invalid series 1 <labels>: "
  };
  std::vector<Case> cases = {
      {"invalid label name", {{"__name__", "x"}, {"1abc", "v"}}, "invalid label name \"1abc\""},
      {"label name with a dash", {{"__name__", "x"}, {"a-b", "v"}}, "invalid label name \"a-b\""},
      {"empty label name", {{"__name__", "x"}, {"", "v"}}, "invalid label name \"\""},
      {"empty label name and value", {{"__name__", "x"}, {"", ""}}, "invalid label name \"\""},
      {"duplicate label name",
       {{"__name__", "x"}, {"job", "a"}, {"job", "b"}},
       "duplicate label name \"job\""},
      {"duplicate label name, one value empty",
       {{"job", ""}, {"__name__", "x"}, {"job", "b"}},
       "duplicate label name \"job\""},
      {"duplicate metric name",
       {{"__name__", "x"}, {"__name__", "x"}},
       "duplicate label name \"__name__\""},
      {"empty label set", {}, "empty label set"},
      {"missing __name__", {{"job", "a"}}, "missing metric name (label \"__name__\")"},
      {"empty __name__",
       {{"__name__", ""}, {"job", "a"}},
       "missing metric name (label \"__name__\")"},
      {"invalid metric name", {{"__name__", "a-b"}}, "invalid metric name \"a-b\""},
      {"invalid UTF-8 value",
       {{"__name__", "x"}, {"job", "a\xff"}},
       "invalid UTF-8 in value of label \"job\""},
      {"invalid UTF-8 name", {{"__name__", "x"}, {"j\xc3", "a"}}, "invalid label name \"j\\xc3\""},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    FakeStorage storage;
    std::string raw = RawRequest({
        RawSeries({{"__name__", "good"}, {"i", "0"}}, {{1, 1.0}}),
        RawSeries(c.labels, {{1, 1.0}, {2, 2.0}}),
        RawSeries({{"__name__", "good"}, {"i", "2"}}, {{1, 1.0}}),
    });
    WriteStats stats;
    base::Status st = Write(storage, raw, &stats);
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(st.message(), StartsWith("invalid series 1 {"));
    CHECK_THAT(st.message(), Contains("}: " + c.message));
    CHECK(storage.series.size() == 2);
    CHECK(SameSamples(storage.Samples({{"__name__", "good"}, {"i", "0"}}), {{1, 1.0}}));
    CHECK(SameSamples(storage.Samples({{"__name__", "good"}, {"i", "2"}}), {{1, 1.0}}));
    CHECK(stats.series == 3);
    CHECK(stats.series_invalid == 1);
    CHECK(stats.samples_invalid == 2);
    CHECK(stats.samples_appended == 2);
    CHECK(storage.commits == 1);
  }
}

TEST_CASE("label checks agree with model::Labels::Validate on random bytes", "[remote_write]") {
  // Names and values from pieces that are valid or not in every position (first byte, later
  // bytes, after an ASCII run of 8 or more bytes, truncated UTF-8 sequences).
  static const std::vector<std::string> kNamePieces = {"a", "Z", "_",    "0",        ":",       "-",
                                                       ".", "é", "\xff", "__name__", "abcdefgh"};
  static const std::vector<std::string> kValuePieces = {
      "a",        "abcdefghij",       "é", "日本", "😀", "\xff", "\xc3", "\xe6\x97", "\xed\xa0\x80",
      "\xc0\xaf", "\xf4\x90\x80\x80", ":", "-",    "0", "\x01"};
  std::mt19937_64 rng(42);
  auto pick = [&](const std::vector<std::string>& pieces, int max) {
    std::string s;
    int n = static_cast<int>(rng() % static_cast<uint64_t>(max + 1));
    for (int i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    return s;
  };
  uint64_t valid = 0, invalid = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::pair<std::string, std::string>> pairs;
    if (rng() % 4 != 0) pairs.push_back({"__name__", pick(kNamePieces, 2)});
    int n = static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) pairs.push_back({pick(kNamePieces, 2), pick(kValuePieces, 3)});
    // The independent expectation: every name (empty values too) valid and unique, then
    // Labels::Validate on what FromVector keeps, and a metric name present.
    std::vector<model::Label> all;
    std::vector<std::string_view> names;
    bool names_ok = true;
    for (const auto& [name, value] : pairs) {
      all.push_back({name, value});
      names.push_back(name);
      names_ok = names_ok && model::IsValidLabelName(name);
    }
    std::sort(names.begin(), names.end());
    bool dup = std::adjacent_find(names.begin(), names.end()) != names.end();
    model::Labels ls = model::Labels::FromVector(all);
    bool want_valid =
        !pairs.empty() && names_ok && !dup && ls.Validate().ok() && !ls.metric_name().empty();
    for (const auto& [name, value] : pairs) {
      want_valid = want_valid && model::IsValidUtf8(value);
    }

    FakeStorage storage;
    WriteStats stats;
    base::Status st = Write(storage, RawRequest({RawSeries(pairs, {{1, 1.0}})}), &stats);
    INFO(st.ToString());
    REQUIRE(st.ok() == want_valid);
    REQUIRE(stats.series_invalid == (want_valid ? 0u : 1u));
    if (want_valid) {
      REQUIRE(storage.series.size() == 1);
      REQUIRE(storage.series.begin()->first == ls);
      ++valid;
    } else {
      REQUIRE(st.code() == StatusCode::kInvalidArgument);
      REQUIRE(storage.SampleCount() == 0);
      ++invalid;
    }
  }
  CHECK(valid > 100);
  CHECK(invalid > 100);
}

TEST_CASE("the invalid-series message prints the series as received, escaped", "[remote_write]") {
  FakeStorage storage;
  base::Status st = Write(
      storage,
      RawRequest({RawSeries({{"__name__", "x"}, {"b\"ad", "q\"\n\x01"}, {"v", "\xff"}}, {{1, 1.0}}),
                  RawSeries({{"job", "a"}}, {})}));
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message() ==
        "invalid series 0 {__name__=\"x\", \"b\\\"ad\"=\"q\\\"\\n\\x01\", v=\"\\xff\"}: invalid "
        "label name \"b\\\"ad\" (and 1 more errors)");
  CHECK(storage.appenders == 0);
}

TEST_CASE("out-of-order, duplicate and out-of-bounds samples are counted, the rest committed",
          "[remote_write]") {
  FakeStorage storage;
  REQUIRE(Write(storage, RawRequest({RawSeries({{"__name__", "x"}}, {{100, 1.0}})})).ok());
  storage.min_valid_time = 10;
  std::string raw = RawRequest({
      RawSeries({{"__name__", "x"}},
                {{50, 9.0}, {100, 2.0}, {100, 1.0}, {200, 3.0}, {150, 4.0}, {5, 4.0}, {300, 5.0}}),
      RawSeries({{"__name__", "y"}, {"a", "b"}}, {{1, 1.0}, {20, 2.0}}),
  });
  WriteStats stats;
  base::Status st = Write(storage, raw, &stats);
  CHECK(st.code() == StatusCode::kOutOfOrder);
  CHECK(st.message() ==
        "out of order sample for series {__name__=\"x\"} at timestamp 50 (and 4 more errors)");
  CHECK(SameSamples(storage.Samples({{"__name__", "x"}}), {{100, 1.0}, {200, 3.0}, {300, 5.0}}));
  CHECK(SameSamples(storage.Samples({{"__name__", "y"}, {"a", "b"}}), {{20, 2.0}}));
  CHECK(stats.samples_out_of_order == 2);
  CHECK(stats.samples_duplicate == 1);
  CHECK(stats.samples_out_of_bounds == 2);
  // 100 with the same value is accepted as a no-op, as the head does.
  CHECK(stats.samples_appended == 4);
  CHECK(storage.commits == 2);
  CHECK(storage.rollbacks == 0);
}

TEST_CASE("the first rejected sample decides the code and message", "[remote_write]") {
  FakeStorage storage;
  REQUIRE(Write(storage, RawRequest({RawSeries({{"__name__", "x"}}, {{100, 1.0}})})).ok());

  SECTION("duplicate") {
    base::Status st = Write(storage, RawRequest({RawSeries({{"__name__", "x"}, {"z", "1"}}, {}),
                                                 RawSeries({{"__name__", "x"}}, {{100, 2.0}})}));
    CHECK(st.code() == StatusCode::kDuplicateSample);
    CHECK(st.message() ==
          "duplicate sample for timestamp for series {__name__=\"x\"} at timestamp 100");
  }
  SECTION("out of bounds") {
    storage.min_valid_time = 1000;
    base::Status st = Write(storage, RawRequest({RawSeries({{"__name__", "x"}}, {{999, 2.0}})}));
    CHECK(st.code() == StatusCode::kOutOfBounds);
    CHECK(st.message() == "out of bounds for series {__name__=\"x\"} at timestamp 999");
  }
  SECTION("too old") {
    storage.inject = [](const model::Labels&, model::Timestamp t) {
      return t < 50 ? base::Status(StatusCode::kTooOld, "too old sample") : base::Status();
    };
    WriteStats stats;
    base::Status st = Write(
        storage, RawRequest({RawSeries({{"__name__", "y"}}, {{10, 1.0}, {60, 1.0}})}), &stats);
    CHECK(st.code() == StatusCode::kTooOld);
    CHECK(st.message() == "too old sample for series {__name__=\"y\"} at timestamp 10");
    CHECK(stats.samples_too_old == 1);
    CHECK(SameSamples(storage.Samples({{"__name__", "y"}}), {{60, 1.0}}));
  }
}

TEST_CASE("invalid series are reported before rejected samples", "[remote_write]") {
  FakeStorage storage;
  REQUIRE(Write(storage, RawRequest({RawSeries({{"__name__", "x"}}, {{100, 1.0}})})).ok());
  WriteStats stats;
  base::Status st = Write(storage,
                          RawRequest({RawSeries({{"__name__", "x"}}, {{50, 1.0}, {150, 1.0}}),
                                      RawSeries({{"__name__", "x"}, {"0", "a"}}, {{1, 1.0}})}),
                          &stats);
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message() ==
        "invalid series 1 {__name__=\"x\", \"0\"=\"a\"}: invalid label name \"0\" (and 1 more "
        "errors)");
  CHECK(SameSamples(storage.Samples({{"__name__", "x"}}), {{100, 1.0}, {150, 1.0}}));
  CHECK(stats.samples_out_of_order == 1);
  CHECK(stats.series_invalid == 1);
}

TEST_CASE("a commit failure returns the commit's error and stores nothing", "[remote_write]") {
  FakeStorage storage;
  storage.commit_error = base::IOError("write WAL segment 3: no space left on device");
  WriteStats stats;
  base::Status st = Write(storage,
                          RawRequest({RawSeries({{"__name__", "x"}}, {{1, 1.0}, {2, 2.0}}),
                                      RawSeries({{"__name__", "x"}, {"0", "a"}}, {{1, 1.0}})}),
                          &stats);
  CHECK(st.code() == StatusCode::kIOError);
  CHECK(st.message() == "write WAL segment 3: no space left on device");
  CHECK(storage.commits == 1);
  CHECK(storage.SampleCount() == 0);
  CHECK(stats.samples_appended == 0);
  CHECK(stats.series_invalid == 1);

  storage.commit_error = base::Unavailable("head is closing");
  st = Write(storage, RawRequest({RawSeries({{"__name__", "x"}}, {{1, 1.0}})}));
  CHECK(st.code() == StatusCode::kUnavailable);
}

TEST_CASE("an unexpected append error rolls the batch back and is returned", "[remote_write]") {
  FakeStorage storage;
  storage.inject = [](const model::Labels& ls, model::Timestamp) {
    return ls.Get("i") == "1" ? base::Internal("series limit bookkeeping broken") : base::Status();
  };
  WriteStats stats;
  base::Status st = Write(storage,
                          RawRequest({RawSeries({{"__name__", "x"}, {"i", "0"}}, {{1, 1.0}}),
                                      RawSeries({{"__name__", "x"}, {"i", "1"}}, {{7, 1.0}}),
                                      RawSeries({{"__name__", "x"}, {"i", "2"}}, {{1, 1.0}})}),
                          &stats);
  CHECK(st.code() == StatusCode::kInternal);
  CHECK(st.message() ==
        "append series {__name__=\"x\", i=\"1\"} at timestamp 7: series limit bookkeeping broken");
  CHECK(storage.rollbacks == 1);
  CHECK(storage.commits == 0);
  CHECK(storage.SampleCount() == 0);
  CHECK(stats.samples_appended == 0);
}

TEST_CASE("exemplars, histograms and metadata are counted, never fail a request",
          "[remote_write]") {
  prometheus::WriteRequest req;
  prometheus::TimeSeries* ts = req.add_timeseries();
  prometheus::Label* l = ts->add_labels();
  l->set_name("__name__");
  l->set_value("http_request_duration_seconds");
  prometheus::Sample* s = ts->add_samples();
  s->set_value(0.25);
  s->set_timestamp(1000);
  prometheus::Exemplar* e = ts->add_exemplars();
  e->set_value(0.3);
  e->set_timestamp(999);
  prometheus::Label* el = e->add_labels();
  el->set_name("trace_id");
  el->set_value("abc");
  prometheus::Histogram* h = ts->add_histograms();
  h->set_count_int(3);
  h->set_schema(3);
  h->add_positive_spans()->set_length(2);
  h->add_positive_deltas(1);
  h->add_positive_deltas(1);
  h->set_timestamp(1000);
  prometheus::TimeSeries* only_histograms = req.add_timeseries();
  prometheus::Label* l2 = only_histograms->add_labels();
  l2->set_name("__name__");
  l2->set_value("native");
  only_histograms->add_histograms()->set_count_float(2.5);
  prometheus::MetricMetadata* md = req.add_metadata();
  md->set_type(prometheus::MetricMetadata::HISTOGRAM);
  md->set_metric_family_name("http_request_duration_seconds");
  md->set_help("How long requests take.");

  FakeStorage storage;
  WriteStats stats;
  REQUIRE(Write(storage, req.SerializeAsString(), &stats).ok());
  CHECK(stats.exemplars_ignored == 1);
  CHECK(stats.histograms_ignored == 2);
  CHECK(stats.metadata_ignored == 1);
  CHECK(stats.samples_appended == 1);
  CHECK(stats.series == 2);
  CHECK(SameSamples(storage.Samples({{"__name__", "http_request_duration_seconds"}}),
                    {{1000, 0.25}}));
}

TEST_CASE("random requests are stored exactly", "[remote_write]") {
  uint64_t total_invalid = 0, total_stored = 0;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    INFO("seed " << seed);
    RequestGenerator gen(seed * 65537);
    prometheus::WriteRequest req;
    std::string wire = gen.Generate(&req);
    FakeStorage storage;
    WriteStats stats;
    base::Status st = Write(storage, wire, &stats);
    // Expected: what a valid series (per the rules) would store, in order, after the fake's
    // out-of-order rules; computed independently of the handler with model::Labels::Validate.
    std::map<model::Labels, std::vector<model::Sample>> want;
    uint64_t invalid = 0;
    for (const prometheus::TimeSeries& ts : req.timeseries()) {
      std::vector<model::Label> pairs;
      std::vector<model::Label> all;
      for (const prometheus::Label& pl : ts.labels()) all.push_back({pl.name(), pl.value()});
      // Duplicates among all names, including empty values; FromVector drops empty values.
      std::vector<std::string_view> names;
      for (const model::Label& p : all) names.push_back(p.name);
      std::sort(names.begin(), names.end());
      bool dup = std::adjacent_find(names.begin(), names.end()) != names.end();
      model::Labels ls = model::Labels::FromVector(all);
      if (all.empty() || dup || !ls.Validate().ok() || ls.metric_name().empty()) {
        ++invalid;
        continue;
      }
      std::vector<model::Sample>& out = want[ls];
      for (const prometheus::Sample& s : ts.samples()) {
        if (!out.empty() && s.timestamp() <= out.back().t) continue;  // ooo or duplicate
        out.push_back({s.timestamp(), s.value()});
      }
      if (out.empty()) want.erase(ls);
    }
    CHECK(stats.series_invalid == invalid);
    CHECK((st.ok() || st.code() == StatusCode::kInvalidArgument ||
           st.code() == StatusCode::kOutOfOrder || st.code() == StatusCode::kDuplicateSample));
    REQUIRE(storage.series.size() == want.size());
    for (const auto& [ls, samples] : want) {
      INFO(ls.ToString());
      CHECK(SameSamples(storage.Samples(ls), samples));
    }
    total_invalid += invalid;
    total_stored += storage.SampleCount();
  }
  // Both paths were exercised.
  CHECK(total_invalid > 20);
  CHECK(total_stored > 500);
}

}  // namespace
}  // namespace remote_write

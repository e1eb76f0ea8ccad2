// Tests of the remote-write tools: the hand-written encoder must match the generated protobuf
// classes byte for byte, and the series model must be unique, sorted and deterministic.

#include <snappy.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "remote_write/prompb/remote.pb.h"
#include "tests/tools/flags.h"
#include "tests/tools/series_model.h"
#include "tests/tools/write_request_encoder.h"

namespace tools {
namespace {

SeriesModel MakeModel(uint64_t series, int labels = 8, uint64_t seed = 1) {
  auto model = SeriesModel::Create({series, labels, seed});
  REQUIRE(model.has_value());
  return std::move(model).value();
}

prometheus::WriteRequest ReferenceRequest(const SeriesModel& model, uint64_t first, uint64_t count,
                                          int64_t ts, const std::vector<double>& values) {
  prometheus::WriteRequest req;
  for (uint64_t k = 0; k < count; ++k) {
    auto* series = req.add_timeseries();
    for (const auto& [name, value] : model.Labels(first + k)) {
      auto* label = series->add_labels();
      label->set_name(name);
      label->set_value(value);
    }
    auto* sample = series->add_samples();
    sample->set_value(values[k]);
    sample->set_timestamp(ts);
  }
  return req;
}

TEST_CASE("EncodeSlice is byte-identical to the generated WriteRequest serializer",
          "[tools][encoder]") {
  const SeriesModel model = MakeModel(5000, 8);
  const WriteRequestEncoder encoder(model);
  const uint64_t first = 1234;
  const uint64_t count = 2000;
  std::vector<double> values(count);
  for (uint64_t k = 0; k < count; ++k) values[k] = model.ValueAt(first + k, 3);
  values[0] = 0.0;  // proto3 omits a +0.0 value
  values[1] = -0.0;
  values[2] = std::numeric_limits<double>::quiet_NaN();
  const int64_t ts = 1'700'000'000'123;

  std::string encoded;
  encoder.EncodeSlice(first, count, ts, values.data(), &encoded);
  const std::string reference =
      ReferenceRequest(model, first, count, ts, values).SerializeAsString();
  CHECK(encoded == reference);

  prometheus::WriteRequest parsed;
  REQUIRE(parsed.ParseFromString(encoded));
  REQUIRE(parsed.timeseries_size() == static_cast<int>(count));
  CHECK(parsed.timeseries(7).labels_size() == 8);
  CHECK(parsed.timeseries(7).samples(0).timestamp() == ts);
  CHECK(parsed.timeseries(7).samples(0).value() == values[7]);

  SECTION("a snappy round trip keeps the request") {
    std::string compressed;
    std::string restored;
    snappy::Compress(encoded.data(), encoded.size(), &compressed);
    REQUIRE(snappy::Uncompress(compressed.data(), compressed.size(), &restored));
    CHECK(restored == encoded);
  }
  SECTION("timestamp zero and negative timestamps match too") {
    for (int64_t t : {int64_t{0}, int64_t{-1}, int64_t{-1'000'000}}) {
      encoder.EncodeSlice(first, 3, t, values.data(), &encoded);
      CHECK(encoded == ReferenceRequest(model, first, 3, t, values).SerializeAsString());
    }
  }
}

TEST_CASE("AppendTimeSeries matches the generated serializer, empty fields included",
          "[tools][encoder]") {
  const std::vector<std::pair<std::string, std::string>> labels = {
      {"__name__", "up"}, {"empty", ""}, {"job", std::string(300, 'j')}};
  const std::vector<EncodedSample> samples = {{0, 0.0}, {1000, 1.5}, {2000, -3.25}};
  std::string encoded;
  AppendTimeSeries(labels, samples, &encoded);
  AppendTimeSeries({{"a", "b"}}, {}, &encoded);

  prometheus::WriteRequest req;
  auto* ts = req.add_timeseries();
  for (const auto& [n, v] : labels) {
    auto* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  for (const auto& s : samples) {
    auto* p = ts->add_samples();
    p->set_timestamp(s.timestamp_ms);
    p->set_value(s.value);
  }
  auto* l = req.add_timeseries()->add_labels();
  l->set_name("a");
  l->set_value("b");
  CHECK(encoded == req.SerializeAsString());
}

TEST_CASE("SeriesModel label sets are unique, sorted and of the requested size", "[tools][model]") {
  const int labels = GENERATE(4, 8, 12);
  const SeriesModel model = MakeModel(20000, labels);
  std::set<std::string> texts;
  std::set<std::string> instances;
  std::set<std::string> names;
  std::set<std::string> pods;
  for (uint64_t i = 0; i < model.series(); ++i) {
    const auto pairs = model.Labels(i);
    REQUIRE(pairs.size() == static_cast<size_t>(labels));
    for (size_t k = 0; k + 1 < pairs.size(); ++k) REQUIRE(pairs[k].first < pairs[k + 1].first);
    for (const auto& [n, v] : pairs) {
      REQUIRE(!v.empty());
      if (n == "instance") instances.insert(v);
      if (n == "__name__") names.insert(v);
      if (n == "pod") pods.insert(v);
    }
    texts.insert(model.LabelsText(i));
  }
  CHECK(texts.size() == model.series());
  CHECK(instances.size() == 20);
  CHECK(names.size() == SeriesModel::kMetricNames);
  if (labels >= 8) CHECK(pods.size() == 20);
}

TEST_CASE("SeriesModel values are deterministic and behave like their kind", "[tools][model]") {
  const SeriesModel model = MakeModel(2000);
  const SeriesModel same = MakeModel(2000);
  const SeriesModel other_seed = MakeModel(2000, 8, 2);
  int differing = 0;
  int kinds_seen[6] = {};
  for (uint64_t i = 0; i < model.series(); ++i) {
    const ValueKind kind = model.Kind(i);
    ++kinds_seen[static_cast<int>(kind)];
    double v = model.InitialValue(i);
    for (int64_t r = 1; r <= 40; ++r) {
      const double next = model.NextValue(i, r, v);
      switch (kind) {
        case ValueKind::kCounterInt:
        case ValueKind::kCounterFloat:
          REQUIRE(next >= v);
          break;
        case ValueKind::kGaugeRatio:
          REQUIRE((next >= 0.0 && next <= 1.0));
          break;
        case ValueKind::kGaugeInt:
          REQUIRE((next >= 0.0 && next == std::floor(next)));
          break;
        case ValueKind::kGaugeBytes:
          REQUIRE(std::fmod(next, 4096.0) == 0.0);
          break;
        case ValueKind::kConstant:
          REQUIRE(next == 1.0);
          break;
      }
      v = next;
    }
    REQUIRE(model.ValueAt(i, 40) == v);
    REQUIRE(same.ValueAt(i, 40) == v);
    if (other_seed.ValueAt(i, 40) != v) ++differing;
  }
  for (int n : kinds_seen) CHECK(n > 0);
  CHECK(kinds_seen[static_cast<int>(ValueKind::kConstant)] == 200);
  CHECK(differing > 1000);
}

TEST_CASE("SeriesModel rejects label counts that cannot keep series unique", "[tools][model]") {
  CHECK_FALSE(SeriesModel::Create({100, 3, 1}).has_value());
  CHECK_FALSE(SeriesModel::Create({100, 33, 1}).has_value());
  CHECK_FALSE(SeriesModel::Create({0, 8, 1}).has_value());
}

TEST_CASE("Flags reads typed values and reports unknown or malformed flags", "[tools][flags]") {
  std::vector<std::string> args = {"prog", "--series", "200", "--pace=fast", "--quiet", "--ratio",
                                   "0.5",  "--bogus",  "x"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  auto flags = Flags::Parse(static_cast<int>(argv.size()), argv.data());
  REQUIRE(flags.has_value());
  CHECK(*flags->Int("series", 1) == 200);
  CHECK(*flags->Int("absent", 7) == 7);
  CHECK(*flags->String("pace", "") == "fast");
  CHECK(*flags->Bool("quiet", false));
  CHECK(*flags->Double("ratio", 0) == 0.5);
  CHECK_FALSE(flags->Int("pace", 0).has_value());
  CHECK_FALSE(flags->Finish().ok());  // --bogus was never asked for
  CHECK(flags->String("bogus", "").has_value());
  CHECK(flags->Finish().ok());

  std::vector<std::string> positional = {"prog", "stray"};
  std::vector<char*> argv2 = {positional[0].data(), positional[1].data()};
  CHECK_FALSE(Flags::Parse(2, argv2.data()).has_value());
}

}  // namespace
}  // namespace tools

#include "tests/tools/series_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace tools {
namespace {

constexpr std::array<std::string_view, 10> kSubsystems = {
    "http_server",    "grpc_server", "db_client",  "cache", "queue",
    "kafka_consumer", "process",     "go_runtime", "node",  "container",
};

struct MetricSpec {
  std::string_view suffix;
  ValueKind kind;
};
constexpr std::array<MetricSpec, 10> kMetrics = {{
    {"requests_total", ValueKind::kCounterInt},
    {"request_duration_seconds_bucket", ValueKind::kCounterInt},
    {"request_duration_seconds_sum", ValueKind::kCounterFloat},
    {"request_duration_seconds_count", ValueKind::kCounterInt},
    {"errors_total", ValueKind::kCounterInt},
    {"response_size_bytes_sum", ValueKind::kCounterInt},
    {"in_flight_requests", ValueKind::kGaugeInt},
    {"memory_bytes", ValueKind::kGaugeBytes},
    {"utilization_ratio", ValueKind::kGaugeRatio},
    {"build_info", ValueKind::kConstant},
}};
constexpr size_t kBucketMetric = 1;
constexpr size_t kErrorsMetric = 4;

constexpr std::array<std::string_view, 10> kLe = {"0.005", "0.01", "0.025", "0.05", "0.1",
                                                  "0.25",  "0.5",  "1",     "2.5",  "+Inf"};
constexpr std::array<std::string_view, 10> kCodes = {"200", "201", "204", "301", "304",
                                                     "400", "401", "404", "500", "503"};
constexpr std::array<std::string_view, 5> kMethods = {"GET", "POST", "PUT", "DELETE", "PATCH"};
constexpr std::array<std::string_view, 16> kJobs = {
    "api-gateway", "checkout",  "payments",  "catalog",  "search",   "auth",
    "orders",      "billing",   "inventory", "shipping", "frontend", "recommend",
    "notifier",    "reporting", "users",     "ledger"};
constexpr std::array<std::string_view, 12> kNamespaces = {
    "prod", "prod-eu", "prod-us",  "staging", "dev",   "monitoring",
    "data", "infra",   "payments", "web",     "batch", "edge"};

constexpr std::array<std::string_view, 8> kHandlerRoots = {
    "/api/v1/", "/api/v2/", "/internal/", "/admin/", "/v1/", "/rpc/", "/graphql/", "/static/"};
constexpr std::array<std::string_view, 5> kHandlerLeaves = {"items", "users", "orders", "health",
                                                            "search"};

// splitmix64: a fast, well-mixed 64-bit hash.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

size_t MetricOf(uint64_t index) { return (index % 1000) / 10; }
size_t VariantOf(uint64_t index) { return index % 10; }
uint64_t InstanceOf(uint64_t index) { return index / 1000; }

// A per-series rate in [1, 50], fixed for the series.
double RateOf(uint64_t index, uint64_t seed) {
  return 1.0 + static_cast<double>(Mix(index ^ (seed << 1)) % 50);
}

void AppendEscaped(std::string* out, std::string_view s) {
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

base::Result<SeriesModel> SeriesModel::Create(const Options& options) {
  if (options.series == 0) return base::InvalidArgument("series must be at least 1");
  if (options.labels_per_series < kMinLabels || options.labels_per_series > kMaxLabels) {
    return base::InvalidArgument("labels per series must be between 4 and 32");
  }
  return SeriesModel(options);
}

std::vector<std::pair<std::string, std::string>> SeriesModel::Labels(uint64_t index) const {
  const size_t metric = MetricOf(index);
  const size_t variant = VariantOf(index);
  const uint64_t instance = InstanceOf(index);
  const size_t subsystem = metric / 10;
  const size_t kind = metric % 10;
  const size_t job = static_cast<size_t>(Mix(instance ^ 0x5eed) % kJobs.size());

  std::vector<std::pair<std::string, std::string>> labels;
  labels.reserve(static_cast<size_t>(options_.labels_per_series));
  auto add = [&](std::string name, std::string value) {
    if (static_cast<int>(labels.size()) < options_.labels_per_series) {
      labels.emplace_back(std::move(name), std::move(value));
    }
  };

  std::string name(kSubsystems[subsystem]);
  name += '_';
  name += kMetrics[kind].suffix;
  add("__name__", std::move(name));
  add("job", std::string(kJobs[job]));
  char buf[64];
  std::snprintf(buf, sizeof(buf), "host-%05llu:9100", static_cast<unsigned long long>(instance));
  add("instance", buf);
  if (kind == kBucketMetric) {
    add("le", std::string(kLe[variant]));
  } else {
    add("code", std::string(kCodes[variant]));
  }
  add("method", std::string(kMethods[(variant * 3 + metric) % kMethods.size()]));
  const size_t handler = (metric * 7 + variant) % (kHandlerRoots.size() * kHandlerLeaves.size());
  add("handler", std::string(kHandlerRoots[handler / kHandlerLeaves.size()]) +
                     std::string(kHandlerLeaves[handler % kHandlerLeaves.size()]));
  add("namespace", std::string(kNamespaces[instance % kNamespaces.size()]));
  std::snprintf(buf, sizeof(buf), "-%05llx-%llu",
                static_cast<unsigned long long>(Mix(instance) & 0xfffff),
                static_cast<unsigned long long>(instance));
  add("pod", std::string(kJobs[job]) + buf);
  for (int k = 0; static_cast<int>(labels.size()) < options_.labels_per_series; ++k) {
    std::snprintf(buf, sizeof(buf), "extra_label_%02d", k);
    std::string extra_name = buf;
    std::snprintf(
        buf, sizeof(buf), "value_%llu",
        static_cast<unsigned long long>(Mix(index * 131 + static_cast<uint64_t>(k)) % 10));
    add(std::move(extra_name), buf);
  }
  std::sort(labels.begin(), labels.end());
  return labels;
}

std::string SeriesModel::LabelsText(uint64_t index) const {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : Labels(index)) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    AppendEscaped(&out, value);
    out += '"';
  }
  out += '}';
  return out;
}

ValueKind SeriesModel::Kind(uint64_t index) const { return kMetrics[MetricOf(index) % 10].kind; }

double SeriesModel::Uniform(uint64_t index, int64_t round) const {
  const uint64_t h =
      Mix(Mix(index ^ (options_.seed * 0x2545f4914f6cdd1dull)) + static_cast<uint64_t>(round));
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

double SeriesModel::InitialValue(uint64_t index) const {
  const double u = Uniform(index, -1);
  switch (Kind(index)) {
    case ValueKind::kCounterInt:
      return std::floor(u * 100000.0);
    case ValueKind::kCounterFloat:
      return u * 5000.0;
    case ValueKind::kGaugeInt:
      return std::floor(u * 20.0);
    case ValueKind::kGaugeBytes:
      return 4096.0 * std::floor(2048.0 + u * 100000.0);
    case ValueKind::kGaugeRatio:
      return u;
    case ValueKind::kConstant:
      return 1.0;
  }
  return 0.0;
}

double SeriesModel::NextValue(uint64_t index, int64_t round, double previous) const {
  const double u = Uniform(index, round);
  switch (Kind(index)) {
    case ValueKind::kCounterInt:
      if (MetricOf(index) % 10 == kErrorsMetric) return previous + (u < 0.1 ? 1.0 : 0.0);
      return previous + std::floor(u * 2.0 * RateOf(index, options_.seed));
    case ValueKind::kCounterFloat:
      return previous + u * 0.37 * RateOf(index, options_.seed);
    case ValueKind::kGaugeInt:
      return std::max(0.0, previous + std::floor(u * 7.0) - 3.0);
    case ValueKind::kGaugeBytes:
      return std::max(4096.0 * 1024.0, previous + 4096.0 * (std::floor(u * 65.0) - 32.0));
    case ValueKind::kGaugeRatio:
      return std::clamp(previous + (u - 0.5) * 0.05, 0.0, 1.0);
    case ValueKind::kConstant:
      return previous;
  }
  return previous;
}

double SeriesModel::ValueAt(uint64_t index, int64_t round) const {
  double v = InitialValue(index);
  for (int64_t r = 1; r <= round; ++r) v = NextValue(index, r, v);
  return v;
}

}  // namespace tools

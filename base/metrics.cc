#include "base/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/check.h"
#include "base/strconv.h"

namespace base::metrics {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s{bounds_, {}, sum_.load(std::memory_order_relaxed), 0};
  uint64_t acc = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    acc += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(acc);
  }
  s.count = acc;
  return s;
}

std::vector<double> DefaultBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> b;
  for (int i = 0; i < count; ++i, start *= factor) b.push_back(start);
  return b;
}

Registry::Child& Registry::GetChild(const std::string& name, const std::string& help, Type type,
                                    LabelPairs labels) {
  std::sort(labels.begin(), labels.end());
  auto [it, inserted] = families_.try_emplace(name, Family{help, type, {}});
  Family& f = it->second;
  INVARIANT(f.type == type);  // a family has one type
  for (auto& c : f.children)
    if (c->labels == labels) return *c;
  f.children.push_back(std::make_unique<Child>());
  f.children.back()->labels = std::move(labels);
  return *f.children.back();
}

Counter& Registry::GetCounter(const std::string& name, const std::string& help, LabelPairs labels) {
  std::lock_guard lock(mu_);
  Child& c = GetChild(name, help, Type::kCounter, std::move(labels));
  if (!c.counter) c.counter = std::make_unique<Counter>();
  return *c.counter;
}

Gauge& Registry::GetGauge(const std::string& name, const std::string& help, LabelPairs labels) {
  std::lock_guard lock(mu_);
  Child& c = GetChild(name, help, Type::kGauge, std::move(labels));
  if (!c.gauge) c.gauge = std::make_unique<Gauge>();
  return *c.gauge;
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help,
                                  std::vector<double> buckets, LabelPairs labels) {
  std::lock_guard lock(mu_);
  Child& c = GetChild(name, help, Type::kHistogram, std::move(labels));
  if (!c.histogram) c.histogram = std::make_unique<Histogram>(std::move(buckets));
  return *c.histogram;
}

void Registry::AddGaugeFunc(const std::string& name, const std::string& help,
                            std::function<double()> fn, LabelPairs labels) {
  std::lock_guard lock(mu_);
  Child& c = GetChild(name, help, Type::kGauge, std::move(labels));
  c.fn = std::move(fn);
}

std::string FormatFloat(double v) { return FormatFloatG(v); }

namespace {

void AppendEscaped(std::string* out, const std::string& v) {
  for (char c : v) {
    if (c == '\\') out->append("\\\\");
    else if (c == '"') out->append("\\\"");
    else if (c == '\n') out->append("\\n");
    else out->push_back(c);
  }
}

void AppendSample(std::string* out, const std::string& name, const LabelPairs& labels,
                  const std::pair<std::string, std::string>* extra, const std::string& value) {
  out->append(name);
  if (!labels.empty() || extra) {
    out->push_back('{');
    bool first = true;
    auto put = [&](const std::string& k, const std::string& v) {
      if (!first) out->push_back(',');
      first = false;
      out->append(k);
      out->append("=\"");
      AppendEscaped(out, v);
      out->push_back('"');
    };
    for (const auto& [k, v] : labels) put(k, v);
    if (extra) put(extra->first, extra->second);
    out->push_back('}');
  }
  out->push_back(' ');
  out->append(value);
  out->push_back('\n');
}

}  // namespace

std::string Registry::Expose() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " +
           (f.type == Type::kCounter ? "counter" : f.type == Type::kGauge ? "gauge" : "histogram") +
           "\n";
    for (const auto& c : f.children) {
      if (c->counter) AppendSample(&out, name, c->labels, nullptr, FormatFloat(c->counter->value()));
      if (c->gauge) AppendSample(&out, name, c->labels, nullptr, FormatFloat(c->gauge->value()));
      if (c->fn) AppendSample(&out, name, c->labels, nullptr, FormatFloat(c->fn()));
      if (c->histogram) {
        auto s = c->histogram->Read();
        for (size_t i = 0; i <= s.bounds.size(); ++i) {
          std::pair<std::string, std::string> le{
              "le", i < s.bounds.size() ? FormatFloat(s.bounds[i]) : "+Inf"};
          AppendSample(&out, name + "_bucket", c->labels, &le, std::to_string(s.cumulative[i]));
        }
        AppendSample(&out, name + "_sum", c->labels, nullptr, FormatFloat(s.sum));
        AppendSample(&out, name + "_count", c->labels, nullptr, std::to_string(s.count));
      }
    }
  }
  return out;
}

}  // namespace base::metrics

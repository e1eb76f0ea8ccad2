#include "promql/engine.h"

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <new>
#include <thread>
#include <functional>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "base/quote.h"
#include "base/strconv.h"
#include "model/relabel.h"
#include "promql/functions.h"

namespace promql {
namespace {

using model::Labels;
using model::Timestamp;

// The evaluator's internal abort (STYLE.md section 4): thrown anywhere inside an evaluation,
// caught once in Engine.
struct EvalAbort {
  base::Status status;
};

[[noreturn]] void Abort(base::StatusCode code, std::string msg) {
  throw EvalAbort{base::Status(code, std::move(msg))};
}

bool DropsName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
    case BinaryOp::kPow:
    case BinaryOp::kAtan2:
      return true;
    default:
      return false;
  }
}

// Arithmetic and comparison of two floats; for comparisons `*keep` says whether the pair
// passes (and the value is the left one, or 0/1 with bool).
double Apply(BinaryOp op, double l, double r, bool return_bool, bool* keep) {
  *keep = true;
  auto cmp = [&](bool c) {
    if (return_bool) return c ? 1.0 : 0.0;
    *keep = c;
    return l;
  };
  switch (op) {
    case BinaryOp::kAdd: return l + r;
    case BinaryOp::kSub: return l - r;
    case BinaryOp::kMul: return l * r;
    case BinaryOp::kDiv: return l / r;
    case BinaryOp::kMod: return std::fmod(l, r);
    case BinaryOp::kPow: return std::pow(l, r);
    case BinaryOp::kAtan2: return std::atan2(l, r);
    case BinaryOp::kEqlc: return cmp(l == r);
    case BinaryOp::kNeq: return cmp(l != r);
    case BinaryOp::kGtr: return cmp(l > r);
    case BinaryOp::kLss: return cmp(l < r);
    case BinaryOp::kGte: return cmp(l >= r);
    case BinaryOp::kLte: return cmp(l <= r);
    default: Abort(base::StatusCode::kExecution, "operator not allowed here");
  }
}

Labels DropName(const Labels& l) {
  if (!l.Has(model::kMetricName)) return l;
  return model::LabelsBuilder(l).Del(model::kMetricName).Build();
}

// Neumaier-compensated summation step (Prometheus's kahanSumInc).
void KahanInc(double inc, double* sum, double* c) {
  double t = *sum + inc;
  if (std::isinf(t)) {
    *c = 0;
  } else if (std::fabs(*sum) >= std::fabs(inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

// A compensated sum, as Prometheus 3's sum and sum_over_time (kahanSumInc over the values).
struct KahanSum {
  double sum = 0, c = 0;
  void Add(double v) { KahanInc(v, &sum, &c); }
  double Value() const { return std::isinf(sum) ? sum : sum + c; }
};

// The mean of floats as Prometheus 3 computes avg and avg_over_time: a compensated sum divided
// by the count, switching to an incremental mean when the sum would overflow.
struct KahanMean {
  double sum = 0, c = 0, mean = 0, n = 0;
  bool incremental = false;
  void Add(double v) {
    ++n;
    if (!incremental) {
      double s2 = sum, c2 = c;
      KahanInc(v, &s2, &c2);
      if (!std::isinf(s2) || n == 1) {
        sum = s2;
        c = c2;
        return;
      }
      incremental = true;
      mean = sum / (n - 1);
      c /= n - 1;
    }
    double q = (n - 1) / n;
    mean *= q;
    c *= q;
    KahanInc(v / n, &mean, &c);
  }
  double Mean() const { return incremental ? mean + c : sum / n + c / n; }
};

// A compensated sum over a sliding window of samples: values enter and leave, NaN and the
// infinities are counted apart (they cannot be subtracted back out). Windows of at least
// kSlideMinWindow samples use it; shorter ones are summed per step exactly as Prometheus does.
// Results agree with Prometheus's to rounding in the last bits.
constexpr size_t kSlideMinWindow = 32, kSlideResync = 32;
struct SlidingSum {
  double sum = 0, c = 0;
  int64_t nan = 0, pos_inf = 0, neg_inf = 0;
  size_t lo = 0, hi = 0, age = 0;
  bool valid = false;
  void Add(double v) { Count(v, 1); }
  void Remove(double v) { Count(v, -1); }
  void Count(double v, int sign) {
    if (std::isnan(v)) nan += sign;
    else if (std::isinf(v)) (v > 0 ? pos_inf : neg_inf) += sign;
    else KahanInc(sign * v, &sum, &c);
  }
  // The window's sum or mean (n samples); nullopt when the finite values' sum overflowed.
  std::optional<double> Value(bool mean, size_t n) const {
    if (nan > 0 || (pos_inf > 0 && neg_inf > 0)) return std::nan("");
    if (pos_inf > 0) return INFINITY;
    if (neg_inf > 0) return -INFINITY;
    if (std::isinf(sum)) return std::nullopt;
    const double total = sum + c;
    return mean ? total / static_cast<double>(n) : total;
  }
};

// Prometheus's quantile (promql/quantile.go): linear interpolation between closest ranks;
// q < 0 -> -Inf, q > 1 -> +Inf, NaN -> NaN.
double Quantile(double q, std::vector<double> v) {
  if (v.empty() || std::isnan(q)) return std::nan("");
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  // NaN sorts as the smallest value, as Prometheus's quantile does.
  std::sort(v.begin(), v.end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    if (std::isnan(b)) return false;
    return a < b;
  });
  double n = static_cast<double>(v.size());
  double rank = q * (n - 1);
  size_t lower = static_cast<size_t>(std::max(0.0, std::floor(rank)));
  size_t upper = static_cast<size_t>(std::min(n - 1, lower + 1.0));
  double weight = rank - std::floor(rank);
  return v[lower] * (1 - weight) + v[upper] * weight;
}

// rate, increase and delta with Prometheus's extrapolation (promql/functions.go
// extrapolatedRate): counter resets corrected for rate/increase, the window extrapolated to
// its edges unless that would cross zero or go further than half an average interval.
// `result` is the window's raw difference (last - first, plus the values before each counter
// reset for counters); this extrapolates it to the window's edges.
double Extrapolate(std::span<const FPoint> w, double result, Timestamp ref, int64_t range,
                   bool counter, bool per_second);

std::optional<double> ExtrapolatedRate(std::span<const FPoint> w, Timestamp ref, int64_t range,
                                       bool counter, bool per_second) {
  if (w.size() < 2) return std::nullopt;
  double result = w.back().f - w.front().f;
  if (counter) {
    double prev = w.front().f;
    for (const FPoint& p : w.subspan(1)) {
      if (p.f < prev) result += prev;
      prev = p.f;
    }
  }
  return Extrapolate(w, result, ref, range, counter, per_second);
}

double Extrapolate(std::span<const FPoint> w, double result, Timestamp ref, int64_t range,
                   bool counter, bool per_second) {
  // Differences of integer milliseconds first, as Prometheus: seconds since the epoch as
  // doubles would lose a quarter of a microsecond.
  double to_start = static_cast<double>(w.front().t - (ref - range)) / 1000;
  double to_end = static_cast<double>(ref - w.back().t) / 1000;
  const double sampled = static_cast<double>(w.back().t - w.front().t) / 1000;
  const double avg_interval = sampled / static_cast<double>(w.size() - 1);
  const double threshold = avg_interval * 1.1;
  if (to_start >= threshold) to_start = avg_interval / 2;
  if (counter && result > 0 && w.front().f >= 0) {
    // Do not extrapolate before the point where the counter would have been zero.
    double to_zero = sampled * (w.front().f / result);
    if (to_zero < to_start) to_start = to_zero;
  }
  if (to_end >= threshold) to_end = avg_interval / 2;
  double factor = (sampled + to_start + to_end) / sampled;
  if (per_second) factor /= static_cast<double>(range) / 1000;
  return result * factor;
}

std::optional<double> InstantDelta(std::span<const FPoint> w, bool rate) {
  if (w.size() < 2) return std::nullopt;
  const FPoint& a = w[w.size() - 2];
  const FPoint& b = w[w.size() - 1];
  double d = b.f - a.f;
  if (rate && b.f < a.f) d = b.f;  // counter reset
  if (!rate) return d;
  double secs = (b.t - a.t) / 1000.0;
  if (secs == 0) return std::nullopt;
  return d / secs;
}

// Least squares over the window with x in seconds from `intercept_time`, compensated sums,
// as Prometheus's linearRegression (constant series: slope 0).
std::pair<double, double> LinearRegression(std::span<const FPoint> w, Timestamp intercept_time) {
  double n = 0, sx = 0, cx = 0, sy = 0, cy = 0, sxy = 0, cxy = 0, sx2 = 0, cx2 = 0;
  const double init = w[0].f;
  bool constant = true;
  for (size_t i = 0; i < w.size(); ++i) {
    if (constant && i > 0 && w[i].f != init) constant = false;
    ++n;
    double x = static_cast<double>(w[i].t - intercept_time) / 1000;
    KahanInc(x, &sx, &cx);
    KahanInc(w[i].f, &sy, &cy);
    KahanInc(x * w[i].f, &sxy, &cxy);
    KahanInc(x * x, &sx2, &cx2);
  }
  if (constant) {
    if (std::isinf(init)) return {std::nan(""), std::nan("")};
    return {0, init};
  }
  sx += cx;
  sy += cy;
  sxy += cxy;
  sx2 += cx2;
  double cov = sxy - sx * sy / n;
  double var = sx2 - sx * sx / n;
  double slope = cov / var;
  return {slope, sy / n - slope * sx / n};
}

// Series of `m` that share a label set: an error when two have a point at one step; with
// `merge`, otherwise combined into one series.
void CheckDuplicates(Matrix& m, bool merge) {
  std::map<Labels, std::vector<size_t>> by_labels;
  for (size_t i = 0; i < m.size(); ++i) by_labels[m[i].metric].push_back(i);
  std::vector<bool> gone(m.size(), false);
  for (auto& [l, group] : by_labels) {
    if (group.size() < 2) continue;
    std::vector<FPoint> all;
    for (size_t i : group) all.insert(all.end(), m[i].floats.begin(), m[i].floats.end());
    std::sort(all.begin(), all.end(), [](const FPoint& a, const FPoint& b) { return a.t < b.t; });
    for (size_t k = 1; k < all.size(); ++k)
      if (all[k].t == all[k - 1].t)
        Abort(base::StatusCode::kExecution, "vector cannot contain metrics with the same labelset");
    if (!merge) continue;
    m[group[0]].floats = std::move(all);
    for (size_t k = 1; k < group.size(); ++k) gone[group[k]] = true;
  }
  if (!merge) return;
  size_t w = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    if (gone[i]) continue;
    if (w != i) m[w] = std::move(m[i]);  // no self-move: it would empty the series
    ++w;
  }
  m.resize(w);
}

// Reads and transforms the series of a SeriesSet on worker threads, in batches, while the
// caller consumes the results in the set's order. Each worker takes the next batch of series
// from the set (under a lock: the set is not thread-safe), decodes their samples in
// [mint, maxt] and applies `map` to each (labels, samples) -> Series; the caller's Next()
// hands out the batches in order. So decoding chunks and computing functions over them use
// every core, and what the caller does with the results (aggregation) sees them in order.
// `map` runs concurrently with itself: it must only touch its arguments; an EvalAbort it
// throws is rethrown by Next() at that batch. Destruction stops and joins the workers.
class SeriesMapper {
 public:
  // Fills *out from a series' labels and samples (stale markers included); false to drop it.
  using MapFn = std::function<bool(const Labels& labels, std::vector<FPoint>& samples, Series* out)>;
  static constexpr size_t kBatch = 256;

  SeriesMapper(std::unique_ptr<storage::SeriesSet> set, Timestamp mint, Timestamp maxt, MapFn map)
      : set_(std::move(set)), mint_(mint), maxt_(maxt), map_(std::move(map)) {
    const unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    for (unsigned i = 0; i < n; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~SeriesMapper() {
    {
      std::lock_guard l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  // The next batch of mapped series (those `map` kept), in the set's order, with the number of
  // raw samples each was read from (*raw, for the sample limit) and the largest number read
  // for a series `map` dropped (*dropped_raw); false at the end. Throws the EvalAbort of a
  // failed batch or the set's error.
  bool Next(std::vector<Series>* out, std::vector<int64_t>* raw, int64_t* dropped_raw) {
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return done_.contains(next_) || (end_seq_ >= 0 && next_ >= end_seq_); });
    auto it = done_.find(next_);
    if (it == done_.end()) {
      if (!set_status_.ok()) throw EvalAbort{set_status_};
      return false;
    }
    Done d = std::move(it->second);
    done_.erase(it);
    ++next_;
    cv_.notify_all();
    l.unlock();
    if (!d.error.ok()) throw EvalAbort{d.error};
    *out = std::move(d.series);
    *raw = std::move(d.raw);
    *dropped_raw = d.dropped_raw;
    return true;
  }

 private:
  struct Done {
    std::vector<Series> series;
    std::vector<int64_t> raw;
    int64_t dropped_raw = 0;
    base::Status error;
  };
  static constexpr int64_t kMaxAhead = 8;  // batches mapped but not yet consumed

  void Work() {
    std::vector<Labels> labels;
    std::vector<std::unique_ptr<storage::SampleIterator>> its;
    std::vector<model::Sample> samples;
    std::vector<FPoint> pts;
    for (;;) {
      int64_t seq;
      labels.clear();
      its.clear();
      {
        std::unique_lock l(mu_);
        cv_.wait(l, [&] { return stop_ || end_seq_ >= 0 || taken_ - next_ < kMaxAhead; });
        if (stop_ || end_seq_ >= 0) return;
        seq = taken_++;
        // Series and their iterators stay valid until the set is destroyed
        // (storage/series.h), so they are read outside the lock.
        while (labels.size() < kBatch && set_->Next()) {
          labels.push_back(set_->At().labels());
          its.push_back(set_->At().NewIterator());
        }
        if (labels.size() < kBatch) {
          end_seq_ = labels.empty() ? seq : seq + 1;
          set_status_ = set_->status();
          if (labels.empty()) {
            cv_.notify_all();
            return;
          }
        }
      }
      Done d;
      try {
        for (size_t i = 0; i < labels.size(); ++i) {
          samples.clear();
          if (base::Status st = its[i]->ReadAll(mint_, maxt_, &samples); !st.ok()) throw EvalAbort{st};
          pts.resize(samples.size());
          for (size_t k = 0; k < samples.size(); ++k) pts[k] = {samples[k].t, samples[k].v};
          Series out;
          const auto n = static_cast<int64_t>(pts.size());
          if (map_(labels[i], pts, &out)) {
            d.series.push_back(std::move(out));
            d.raw.push_back(n);
          } else {
            d.dropped_raw = std::max(d.dropped_raw, n);
          }
        }
      } catch (const EvalAbort& a) {
        d.series.clear();
        d.error = a.status;
      } catch (const std::bad_alloc&) {
        // An exception leaving a worker thread would end the process: the query fails instead.
        d.series.clear();
        d.error = base::Status(base::StatusCode::kExecution,
                               "query processing ran out of memory in query execution");
      }
      std::lock_guard l(mu_);
      done_.emplace(seq, std::move(d));
      cv_.notify_all();
    }
  }

  std::unique_ptr<storage::SeriesSet> set_;
  const Timestamp mint_, maxt_;
  const MapFn map_;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t taken_ = 0;     // batches taken from the set
  int64_t next_ = 0;      // the batch Next() hands out next
  int64_t end_seq_ = -1;  // the number of batches, once the set is exhausted
  base::Status set_status_;
  std::map<int64_t, Done> done_;
  bool stop_ = false;
  std::vector<std::thread> workers_;  // last: started after the members they use exist
};

// A byte key identifying part of a label set: with `only`, the values of `names` (by, on);
// otherwise every pair except the metric name and `names` (without, ignoring). 0xff cannot
// occur in valid UTF-8, so it separates unambiguously.
void LabelSubsetKey(const Labels& l, const std::vector<std::string>& names, bool only, std::string* key) {
  key->clear();
  if (only) {
    for (const std::string& n : names) {
      key->append(l.Get(n));
      key->push_back('\xff');
    }
    return;
  }
  for (const model::Label& p : l) {
    if (p.name == model::kMetricName || std::find(names.begin(), names.end(), p.name) != names.end())
      continue;
    key->append(p.name);
    key->push_back('\xff');
    key->append(p.value);
    key->push_back('\xff');
  }
}

struct LabelsHash {
  size_t operator()(const Labels& l) const { return static_cast<size_t>(l.hash()); }
};

class Evaluator {
 public:
  using SeriesSink = std::function<void(Series&)>;

  Evaluator(storage::Querier& q, Timestamp start, Timestamp end, int64_t interval,
            const EngineOptions& opts, std::stop_token stop, Annotations* annotations)
      : q_(q), start_(start), end_(end), interval_(interval), opts_(opts), stop_(stop),
        deadline_(std::chrono::steady_clock::now() + opts.timeout), annos_(annotations) {}

  size_t steps() const { return static_cast<size_t>((end_ - start_) / interval_) + 1; }
  Timestamp StepTime(size_t i) const { return start_ + static_cast<Timestamp>(i) * interval_; }

  // Every expression evaluates to a Matrix with points at the steps; a scalar is one series
  // without labels; a matrix selector (top level of an instant query) gives raw samples.
  Matrix Eval(const Expr& e) {
    CheckCancel();
    switch (e.kind()) {
      case NodeKind::kNumberLiteral: return ScalarMatrix(As<NumberLiteral>(e)->val);
      case NodeKind::kStringLiteral: Abort(base::StatusCode::kInternal, "string in a vector context");
      case NodeKind::kParenExpr: return Eval(*As<ParenExpr>(e)->expr);
      case NodeKind::kUnaryExpr: return EvalUnary(*As<UnaryExpr>(e));
      case NodeKind::kVectorSelector: return EvalVectorSelector(*As<VectorSelector>(e));
      case NodeKind::kMatrixSelector: return EvalMatrixSelector(*As<MatrixSelector>(e));
      case NodeKind::kBinaryExpr: return EvalBinary(*As<BinaryExpr>(e));
      case NodeKind::kAggregateExpr: return EvalAggregate(*As<AggregateExpr>(e));
      case NodeKind::kCall: return EvalCall(*As<Call>(e));
      case NodeKind::kSubqueryExpr: {
        const auto& sq = *As<SubqueryExpr>(e);
        Matrix inner = EvalSubquery(sq);
        Timestamp ref = RefTime(sq, end_);
        for (Series& s : inner)
          std::erase_if(s.floats, [&](const FPoint& p) { return p.t <= ref - sq.range.count() || p.t > ref; });
        std::erase_if(inner, [](const Series& s) { return s.floats.empty(); });
        return inner;
      }
      default: Abort(base::StatusCode::kExecution, "expression not supported yet");
    }
  }

  // Per-step value of a scalar-typed expression.
  std::vector<double> EvalScalarSteps(const Expr& e) {
    Matrix m = Eval(e);
    std::vector<double> out(steps(), std::nan(""));
    if (!m.empty())
      for (const FPoint& p : m[0].floats) out[Index(p.t)] = p.f;
    return out;
  }

  size_t Index(Timestamp t) const { return static_cast<size_t>((t - start_) / interval_); }

  void Warn(std::string msg, const Expr& at) {
    annos_->Add(true, "PromQL warning: " + std::move(msg), static_cast<size_t>(at.position_range().start));
  }
  void Info(std::string msg, const Expr& at) {
    annos_->Add(false, "PromQL info: " + std::move(msg), static_cast<size_t>(at.position_range().start));
  }
  void CheckQuantile(double q, const Expr& at) {
    if (std::isnan(q) || q < 0 || q > 1)
      Warn("quantile value should be between 0 and 1, got " + base::FormatFloatG(q), at);
  }

  void CountSamples(int64_t n) {
    samples_ += n;
    if (samples_ > opts_.max_samples)
      Abort(base::StatusCode::kExecution,
            "query processing would load too many samples into memory in query execution");
  }

  void CheckCancel() {
    if (stop_.stop_requested()) Abort(base::StatusCode::kCanceled, "query was canceled");
    if (std::chrono::steady_clock::now() > deadline_)
      Abort(base::StatusCode::kTimeout, "query timed out in expression evaluation");
  }

  // The reference time of step t for a selector with modifiers.
  Timestamp RefTime(const TimeModifiers& m, Timestamp t) const {
    Timestamp base = t;
    if (m.timestamp) base = *m.timestamp;
    else if (m.start_or_end == AtModifier::kStart) base = start_;
    else if (m.start_or_end == AtModifier::kEnd) base = end_;
    return base - m.offset.count();
  }

  std::unique_ptr<storage::SeriesSet> Select(const VectorSelector& vs, Timestamp mint, Timestamp maxt) {
    storage::SelectHints hints;
    hints.start = mint;
    hints.end = maxt;
    return q_.Select(false, &hints, vs.matchers);
  }

  // Reads every sample of the selected series in [mint, maxt], stale markers included, maps
  // each on the worker threads of a SeriesMapper (`map` must only touch its arguments) and
  // calls sink with the kept results, in the set's order, on this thread.
  void MapEachSeries(const VectorSelector& vs, Timestamp mint, Timestamp maxt,
                     SeriesMapper::MapFn map, const SeriesSink& sink) {
    SeriesMapper mapper(Select(vs, mint, maxt), mint, maxt, std::move(map));
    std::vector<Series> batch;
    std::vector<int64_t> raw;
    int64_t dropped_raw = 0;
    while (mapper.Next(&batch, &raw, &dropped_raw)) {
      // The samples a series was read from count towards the limit while it is processed.
      CountSamples(dropped_raw);
      CountSamples(-dropped_raw);
      for (size_t i = 0; i < batch.size(); ++i) {
        CheckCancel();
        const auto n = std::max(raw[i], static_cast<int64_t>(batch[i].floats.size()));
        CountSamples(n);
        sink(batch[i]);
        CountSamples(-n);
      }
    }
  }

  // Calls f(labels, samples) for every selected series with its samples in [mint, maxt], stale
  // markers included, in the set's order.
  template <typename F>
  void ForEachSeries(const VectorSelector& vs, Timestamp mint, Timestamp maxt, F&& f) {
    MapEachSeries(
        vs, mint, maxt,
        [](const Labels& l, std::vector<FPoint>& pts, Series* out) {
          out->metric = l;
          out->floats = std::move(pts);
          return true;
        },
        [&](Series& s) {
          f(s.metric, s.floats);
          CheckCancel();  // f may have walked many steps
        });
  }

  Matrix ScalarMatrix(double v) {
    Series s;
    for (size_t i = 0; i < steps(); ++i) s.floats.push_back({StepTime(i), v});
    return {std::move(s)};
  }

  [[noreturn]] static void DuplicateLabelset() {
    Abort(base::StatusCode::kExecution, "vector cannot contain metrics with the same labelset");
  }

  Matrix EvalUnary(const UnaryExpr& u) {
    Matrix m = Eval(*u.expr);
    if (u.op == UnaryOp::kSub) {
      for (Series& s : m) {
        for (FPoint& p : s.floats) p.f = -p.f;
        if (u.expr->type() == ValueType::kVector) s.drop_name = true;
      }
    }
    return m;
  }

  // With `sample_time`, each point's value is its sample's timestamp in seconds (timestamp()).
  Matrix EvalVectorSelector(const VectorSelector& vs, bool sample_time = false) {
    Matrix out;
    EachVectorSelector(vs, sample_time, [&](Series& s) {
      CountSamples(static_cast<int64_t>(s.floats.size()));
      out.push_back(std::move(s));
    });
    return out;
  }

  // The series of a vector selector at the steps, one at a time, as sink(series); series with
  // no point at any step are skipped. The sink may move the series away.
  void EachVectorSelector(const VectorSelector& vs, bool sample_time, const SeriesSink& sink) {
    Timestamp first = RefTime(vs, start_), last = RefTime(vs, end_);
    const Timestamp lookback = opts_.lookback_delta.count();
    const bool fixed = vs.timestamp || vs.start_or_end != AtModifier::kNone;
    const size_t n_steps = steps();
    // Runs on the mapper's workers: reads only its arguments and this evaluator's constants.
    auto map = [this, &vs, lookback, fixed, sample_time, n_steps](const Labels& l, std::vector<FPoint>& pts, Series* s) {
      size_t j = 0;  // first sample after the current reference time
      for (size_t i = 0; i < n_steps; ++i) {
        Timestamp ref = RefTime(vs, StepTime(i));
        if (fixed) j = 0;
        while (j < pts.size() && pts[j].t <= ref) ++j;
        if (j == 0) continue;
        const FPoint& p = pts[j - 1];
        // The lookback window is left-open, as Prometheus 3: (ref - lookback, ref].
        if (p.t <= ref - lookback || model::IsStaleNaN(p.f)) continue;
        s->floats.push_back({StepTime(i), sample_time ? p.t / 1000.0 : p.f});
      }
      if (s->floats.empty()) return false;
      s->metric = l;
      return true;
    };
    MapEachSeries(vs, std::min(first, last) - lookback + 1, std::max(first, last), map, sink);
  }

  // Calls sink for each series of e's matrix, in the order Eval(e) gives them. Selectors and
  // range functions over selectors stream (one series in memory at a time); other
  // expressions are evaluated whole first.
  void EvalEach(const Expr& e, const SeriesSink& sink) {
    CheckCancel();
    if (const auto* p = As<ParenExpr>(e)) return EvalEach(*p->expr, sink);
    if (const auto* vs = As<VectorSelector>(e)) return EachVectorSelector(*vs, false, sink);
    if (const auto* c = As<Call>(e)) {
      if (RangeFunction* f = FindRangeFunction(c->func->name)) return EachRangeFunction(*c, *f, sink);
      if (MathFunction f = FindMathFunction(c->func->name)) return EachMathFunction(*c, f, sink);
    }
    if (const auto* b = As<BinaryExpr>(e)) {
      const bool ls = b->lhs->type() == ValueType::kScalar, rs = b->rhs->type() == ValueType::kScalar;
      if (ls != rs) return EachScalarVector(*b, sink);
    }
    Matrix m = Eval(e);
    for (Series& s : m) sink(s);
  }

  // A matrix selector as a query result (instant queries): the raw samples of the window.
  Matrix EvalMatrixSelector(const MatrixSelector& ms) {
    const VectorSelector& vs = *ms.vector_selector;
    Timestamp ref = RefTime(vs, end_);
    Matrix out;
    ForEachSeries(vs, ref - ms.range.count() + 1, ref, [&](const Labels& l, const std::vector<FPoint>& pts) {
      Series s{l, {}};
      for (const FPoint& p : pts)
        if (!model::IsStaleNaN(p.f)) s.floats.push_back(p);
      if (!s.floats.empty()) {
        CountSamples(static_cast<int64_t>(s.floats.size()));
        out.push_back(std::move(s));
      }
    });
    return out;
  }

  // Splits a matrix into one vector per step.
  std::vector<Vector> ByStep(const Matrix& m) {
    std::vector<Vector> out(steps());
    for (const Series& s : m)
      for (const FPoint& p : s.floats) out[Index(p.t)].push_back({s.metric, p.t, p.f, s.drop_name});
    return out;
  }

  // Gathers per-step vectors back into series, one per label set. Two samples with one label
  // set at one step is Prometheus's "vector cannot contain metrics with the same labelset".
  Matrix FromSteps(std::vector<Vector>& vs) {
    // Series keep the order of their first sample, so that an instant query returns what the
    // last operation produced in its order (topk, sort).
    std::map<Labels, size_t> index;
    Matrix out;
    for (size_t i = 0; i < vs.size(); ++i) {
      for (Sample& s : vs[i]) {
        auto [it, inserted] = index.try_emplace(s.metric, out.size());
        if (inserted) out.push_back({s.metric, {}, s.drop_name});
        Series& series = out[it->second];
        if (!series.floats.empty() && series.floats.back().t == StepTime(i)) DuplicateLabelset();
        series.floats.push_back({StepTime(i), s.f});
      }
    }
    return out;
  }


  // The label set two samples are matched on.
  static Labels Signature(const Labels& l, const VectorMatching& m) {
    model::LabelsBuilder b;
    if (m.on) {
      for (const std::string& n : m.matching_labels) b.Set(n, l.Get(n));
    } else {
      b.Reset(l);
      b.Del(model::kMetricName);
      for (const std::string& n : m.matching_labels) b.Del(n);
    }
    return b.Build();
  }

  Matrix EvalBinary(const BinaryExpr& b) {
    const bool ls = b.lhs->type() == ValueType::kScalar, rs = b.rhs->type() == ValueType::kScalar;
    if (ls && rs) {
      auto l = EvalScalarSteps(*b.lhs), r = EvalScalarSteps(*b.rhs);
      Series s;
      for (size_t i = 0; i < steps(); ++i) {
        bool keep = true;
        double v = Apply(b.op, l[i], r[i], true, &keep);
        s.floats.push_back({StepTime(i), v});
      }
      return {std::move(s)};
    }
    if (ls || rs) {
      Matrix out;
      EachScalarVector(b, [&](Series& s) { out.push_back(std::move(s)); });
      return out;
    }
    VectorMatching m = b.vector_matching ? *b.vector_matching : VectorMatching{};
    if (!IsSetOperator(b.op)) return VectorVector(b, m);
    std::vector<Vector> lhs = ByStep(Eval(*b.lhs)), rhs = ByStep(Eval(*b.rhs));
    std::vector<Vector> res(steps());
    for (size_t i = 0; i < steps(); ++i) {
      CheckCancel();
      res[i] = SetOp(b.op, lhs[i], rhs[i], m);
    }
    return FromSteps(res);
  }

  // An element-wise function (abs, clamp, round, ...) over its vector argument, one series at
  // a time; its other arguments are per-step scalars.
  using MathFunction = double (*)(double v, size_t nargs, double a1, double a2);
  void EachMathFunction(const Call& c, MathFunction f, const SeriesSink& sink) {
    std::vector<std::vector<double>> extra;
    for (size_t i = 1; i < c.args.size(); ++i) extra.push_back(EvalScalarSteps(*c.args[i]));
    EvalEach(*c.args[0], [&](Series& s) {
      s.drop_name = true;
      for (FPoint& p : s.floats) {
        double a1 = extra.size() > 0 ? extra[0][Index(p.t)] : std::nan("");
        double a2 = extra.size() > 1 ? extra[1][Index(p.t)] : std::nan("");
        p.f = f(p.f, extra.size(), a1, a2);
      }
      sink(s);
    });
  }

  // A binary operation between a vector and a scalar, one series of the vector at a time.
  void EachScalarVector(const BinaryExpr& b, const SeriesSink& sink) {
    const bool ls = b.lhs->type() == ValueType::kScalar;
    std::vector<double> scalar = EvalScalarSteps(ls ? *b.lhs : *b.rhs);
    const bool filter = !b.return_bool && IsComparisonOperator(b.op);
    EvalEach(ls ? *b.rhs : *b.lhs, [&](Series& s) {
      s.drop_name = s.drop_name || DropsName(b.op) || b.return_bool;
      size_t w = 0;
      for (const FPoint& p : s.floats) {
        bool keep = true;
        double x = scalar[Index(p.t)];
        double v = ls ? Apply(b.op, x, p.f, b.return_bool, &keep) : Apply(b.op, p.f, x, b.return_bool, &keep);
        // A filtering comparison keeps the vector's value.
        if (filter) v = p.f;
        if (keep) s.floats[w++] = {p.t, v};
      }
      s.floats.resize(w);
      if (w > 0) sink(s);
    });
  }

  Vector SetOp(BinaryOp op, const Vector& lhs, const Vector& rhs, const VectorMatching& m) {
    std::map<Labels, bool> rsigs, lsigs;
    for (const Sample& s : rhs) rsigs[Signature(s.metric, m)] = true;
    Vector out;
    if (op == BinaryOp::kAnd || op == BinaryOp::kUnless) {
      for (const Sample& s : lhs)
        if (rsigs.contains(Signature(s.metric, m)) == (op == BinaryOp::kAnd)) out.push_back(s);
      return out;
    }
    for (const Sample& s : lhs) {
      lsigs[Signature(s.metric, m)] = true;
      out.push_back(s);
    }
    for (const Sample& s : rhs)
      if (!lsigs.contains(Signature(s.metric, m))) out.push_back(s);
    return out;
  }

  // The matching key of a series: its signature's bytes (on: the listed labels' values;
  // ignoring: every pair but the name and the listed ones).
  static void SignatureKey(const Labels& l, const VectorMatching& m, std::string* key) {
    LabelSubsetKey(l, m.matching_labels, m.on, key);
  }

  // An arithmetic or comparison operator between two vectors, series-wise: signatures and
  // result labels are computed once per series (pair), not once per step; at each step the
  // pairs are formed as Prometheus's VectorBinop does, with its errors.
  Matrix VectorVector(const BinaryExpr& b, const VectorMatching& m) {
    Matrix lhs = Eval(*b.lhs), rhs = Eval(*b.rhs);
    const bool one_to_many = m.card == VectorMatching::Card::kOneToMany;
    const bool grouped = m.card == VectorMatching::Card::kManyToOne || one_to_many;
    const Matrix& one = one_to_many ? lhs : rhs;  // matched at most once per signature and step
    const Matrix& many = one_to_many ? rhs : lhs;
    std::unordered_map<std::string, uint32_t> groups;
    std::string key;
    auto group_of = [&](const Series& s) {
      SignatureKey(s.metric, m, &key);
      return groups.try_emplace(key, static_cast<uint32_t>(groups.size())).first->second;
    };
    std::vector<uint32_t> one_group(one.size()), many_group(many.size());
    for (size_t j = 0; j < one.size(); ++j) one_group[j] = group_of(one[j]);
    for (size_t k = 0; k < many.size(); ++k) many_group[k] = group_of(many[k]);
    std::vector<size_t> one_cur(one.size(), 0), many_cur(many.size(), 0);
    std::vector<int64_t> slot(groups.size(), -1);  // the one-side series of a group at this step
    std::vector<char> matched(groups.size(), 0);    // one-to-one: the group matched at this step
    std::vector<uint32_t> touched;
    std::unordered_map<uint64_t, uint32_t> pair_out;  // (many, one) -> output series
    std::unordered_map<Labels, uint32_t, LabelsHash> out_index;
    Matrix out;
    for (size_t i = 0; i < steps(); ++i) {
      CheckCancel();
      const Timestamp t = StepTime(i);
      for (uint32_t g : touched) slot[g] = -1, matched[g] = 0;
      touched.clear();
      for (size_t j = 0; j < one.size(); ++j) {
        const auto& f = one[j].floats;
        if (one_cur[j] >= f.size() || f[one_cur[j]].t != t) continue;
        const uint32_t g = one_group[j];
        if (slot[g] >= 0) {
          const Series& first = one[static_cast<size_t>(slot[g])];
          Abort(base::StatusCode::kExecution,
                "found duplicate series for the match group " + Signature(first.metric, m).ToString() +
                    " on the " + (one_to_many ? "left" : "right") + " hand-side of the operation: [" +
                    first.metric.ToString() + ", " + one[j].metric.ToString() +
                    "];many-to-many matching not allowed: matching labels must be unique on one side");
        }
        slot[g] = static_cast<int64_t>(j);
        touched.push_back(g);
      }
      for (size_t k = 0; k < many.size(); ++k) {
        const Series& s = many[k];
        if (many_cur[k] >= s.floats.size() || s.floats[many_cur[k]].t != t) continue;
        const double sf = s.floats[many_cur[k]].f;
        const uint32_t g = many_group[k];
        if (slot[g] < 0) continue;
        const auto j = static_cast<size_t>(slot[g]);
        const double of = one[j].floats[one_cur[j]].f;
        if (!grouped) {
          // One-to-one: each signature may match once on the left too (Prometheus's
          // matchedSigs), whether or not a comparison then keeps the pair.
          if (matched[g])
            Abort(base::StatusCode::kExecution,
                  "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
          matched[g] = 1;
        }
        const double lf = one_to_many ? of : sf, rf = one_to_many ? sf : of;
        bool keep = true;
        double v = Apply(b.op, lf, rf, b.return_bool, &keep);
        if (!keep) continue;
        if (!b.return_bool && IsComparisonOperator(b.op)) v = lf;
        const uint64_t pair = (static_cast<uint64_t>(k) << 32) | j;
        auto [pit, fresh] = pair_out.try_emplace(pair, 0);
        if (fresh) {
          // The result's labels: the "many" side's, without the name for arithmetic, reduced
          // to the matching labels for one-to-one `on`, plus group_x's include labels from
          // the other side.
          model::LabelsBuilder lb(s.metric);
          if (!grouped) {
            if (m.on) {
              model::LabelsBuilder keep_only;
              for (const std::string& n : m.matching_labels) keep_only.Set(n, s.metric.Get(n));
              lb = keep_only;
            } else {
              for (const std::string& n : m.matching_labels) lb.Del(n);
            }
          }
          for (const std::string& n : m.include) lb.Set(n, one[j].metric.Get(n));
          Labels metric = lb.Build();
          auto [oit, new_out] = out_index.try_emplace(metric, static_cast<uint32_t>(out.size()));
          if (new_out) out.push_back({std::move(metric), {}, false});
          pit->second = oit->second;
        }
        Series& r = out[pit->second];
        if (!r.floats.empty() && r.floats.back().t == t) DuplicateLabelset();
        r.floats.push_back({t, v});
        // As FromSteps: the flag of the series' first point.
        if (r.floats.size() == 1) r.drop_name = DropsName(b.op) || b.return_bool || s.drop_name;
      }
      for (size_t j = 0; j < one.size(); ++j)
        if (one_cur[j] < one[j].floats.size() && one[j].floats[one_cur[j]].t == t) ++one_cur[j];
      for (size_t k = 0; k < many.size(); ++k)
        if (many_cur[k] < many[k].floats.size() && many[k].floats[many_cur[k]].t == t) ++many_cur[k];
    }
    return out;
  }

  Matrix EvalAggregate(const AggregateExpr& a) {
    if (a.op == AggregateOp::kCountValues) return EvalCountValues(a);
    std::vector<double> param;
    if (a.param && a.param->type() == ValueType::kScalar) param = EvalScalarSteps(*a.param);
    if (a.op == AggregateOp::kQuantile)
      for (double q : param) CheckQuantile(q, *a.param);
    if (!CheckKParam(a.op, param)) return {};
    if (a.op == AggregateOp::kLimitRatio)
      for (double r : param)
        if (r < -1 || r > 1)
          Warn("ratio value should be between -1 and 1, got " + base::FormatFloatG(r) + ", capping to " +
                   base::FormatFloatG(std::clamp(r, -1.0, 1.0)),
               *a.param);
    switch (a.op) {
      case AggregateOp::kSum:
      case AggregateOp::kAvg:
      case AggregateOp::kCount:
      case AggregateOp::kGroup:
      case AggregateOp::kMin:
      case AggregateOp::kMax:
      case AggregateOp::kStddev:
      case AggregateOp::kStdvar: return AggregateSeries(a);
      case AggregateOp::kTopk:
      case AggregateOp::kBottomk: return TopKSeries(a, param);
      default: break;
    }
    std::vector<Vector> in = ByStep(Eval(*a.expr));
    std::vector<Vector> out(steps());
    for (size_t i = 0; i < steps(); ++i) {
      CheckCancel();
      out[i] = Aggregate(a, in[i], param.empty() ? 0 : param[i]);
    }
    return FromSteps(out);
  }

  // The key of the group a series falls in: the grouping labels' values (by) or the pairs
  // left after removing the name and the grouping labels (without), as bytes.
  static void GroupKey(const AggregateExpr& a, const Labels& l, std::string* key) {
    LabelSubsetKey(l, a.grouping, !a.without, key);
  }

  // The groups of an aggregation, in the order of their first series; each group's labels.
  struct Groups {
    std::unordered_map<std::string, uint32_t> index;
    std::vector<Labels> labels;
    std::vector<char> drop;  // a member's name is marked for removal
    std::string key;         // scratch
    // The group of series `l`, created when new.
    uint32_t Find(const AggregateExpr& a, const Labels& l) {
      GroupKey(a, l, &key);
      auto [it, fresh] = index.try_emplace(key, static_cast<uint32_t>(labels.size()));
      if (fresh) {
        labels.push_back(GroupLabels(a, l));
        drop.push_back(0);
      }
      return it->second;
    }
    // Group ids in label order (the order results come out in).
    std::vector<uint32_t> Sorted() const {
      std::vector<uint32_t> ids(labels.size());
      for (uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
      std::sort(ids.begin(), ids.end(), [&](uint32_t x, uint32_t y) { return labels[x] < labels[y]; });
      return ids;
    }
  };

  // sum, avg, count, group, min, max, stddev and stdvar, one input series at a time: each
  // point goes into its group's cell for its step, so the input is never held whole and
  // labels are looked at once per series. Per step, the points are added in input order, as
  // Prometheus does, so results are bit-identical to a step-by-step evaluation.
  Matrix AggregateSeries(const AggregateExpr& a) {
    struct Cell {
      double v = 0, c = 0, n = 0;  // sum and compensation / min / max / mean and m2 ...
    };
    const size_t n_steps = steps();
    Groups groups;
    std::vector<Cell> cells;
    std::vector<KahanMean> means;  // avg
    const AggregateOp op = a.op;
    EvalEach(*a.expr, [&](Series& s) {
      const uint32_t g = groups.Find(a, s.metric);
      if (s.drop_name) groups.drop[g] = 1;
      if (cells.size() < groups.labels.size() * n_steps) {
        CountSamples(static_cast<int64_t>(n_steps));
        cells.resize(groups.labels.size() * n_steps);
        if (op == AggregateOp::kAvg) means.resize(cells.size());
      }
      const size_t base = static_cast<size_t>(g) * n_steps;
      for (const FPoint& p : s.floats) {
        const size_t i = base + Index(p.t);
        Cell& cell = cells[i];
        const double f = p.f;
        switch (op) {
          case AggregateOp::kSum:
            if (cell.n == 0) cell.v = f;
            else KahanInc(f, &cell.v, &cell.c);
            break;
          case AggregateOp::kAvg: means[i].Add(f); break;
          case AggregateOp::kMin:
            if (cell.n == 0 || f < cell.v || std::isnan(cell.v)) cell.v = f;
            break;
          case AggregateOp::kMax:
            if (cell.n == 0 || f > cell.v || std::isnan(cell.v)) cell.v = f;
            break;
          case AggregateOp::kStddev:
          case AggregateOp::kStdvar: {
            // Welford: v is the mean, c the sum of squared deviations.
            double d = f - cell.v;
            cell.v += d / (cell.n + 1);
            cell.c += d * (f - cell.v);
            break;
          }
          default: break;
        }
        cell.n += 1;
      }
    });
    Matrix out;
    for (uint32_t g : groups.Sorted()) {
      Series r{groups.labels[g], {}, groups.drop[g] != 0 && groups.labels[g].Has(model::kMetricName)};
      const size_t base = static_cast<size_t>(g) * n_steps;
      for (size_t i = 0; i < n_steps; ++i) {
        const Cell& cell = cells[base + i];
        if (cell.n == 0) continue;
        double v = 0;
        switch (op) {
          case AggregateOp::kSum: v = cell.v + cell.c; break;
          case AggregateOp::kAvg: v = means[base + i].Mean(); break;
          case AggregateOp::kCount: v = cell.n; break;
          case AggregateOp::kGroup: v = 1; break;
          case AggregateOp::kMin:
          case AggregateOp::kMax: v = cell.v; break;
          case AggregateOp::kStdvar: v = cell.c / cell.n; break;
          case AggregateOp::kStddev: v = std::sqrt(cell.c / cell.n); break;
          default: break;
        }
        r.floats.push_back({StepTime(i), v});
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  // topk and bottomk, one input series at a time: per group and step, the best k (value,
  // series) so far, in output order (ties keep input order, NaN last, as a stable sort would).
  Matrix TopKSeries(const AggregateExpr& a, const std::vector<double>& param) {
    const bool top = a.op == AggregateOp::kTopk;
    const size_t n_steps = steps();
    Groups groups;
    struct Entry {
      double v;
      uint32_t series;
    };
    std::vector<std::vector<Entry>> best;  // [group * steps + step]
    std::vector<Series> inputs;            // labels and name flag of each input series
    auto better = [top](double x, double y) {
      if (std::isnan(x)) return false;
      if (std::isnan(y)) return true;
      return top ? x > y : x < y;
    };
    EvalEach(*a.expr, [&](Series& s) {
      const uint32_t g = groups.Find(a, s.metric);
      const auto id = static_cast<uint32_t>(inputs.size());
      bool kept = false;
      if (best.size() < groups.labels.size() * n_steps) best.resize(groups.labels.size() * n_steps);
      for (const FPoint& p : s.floats) {
        const size_t i = Index(p.t);
        const auto k = static_cast<int64_t>(param[i]);
        if (k < 1) continue;
        std::vector<Entry>& list = best[static_cast<size_t>(g) * n_steps + i];
        size_t pos = list.size();
        while (pos > 0 && better(p.f, list[pos - 1].v)) --pos;
        if (static_cast<int64_t>(pos) >= k) continue;
        list.insert(list.begin() + static_cast<std::ptrdiff_t>(pos), Entry{p.f, id});
        if (static_cast<int64_t>(list.size()) > k) list.pop_back();
        else CountSamples(1);
        kept = true;
      }
      inputs.push_back(Series{kept ? std::move(s.metric) : Labels(), {}, s.drop_name});
    });
    // Series come out in the order of their first point (instant queries: group by group,
    // best first), as the step-by-step evaluation gives.
    std::vector<int64_t> slot(inputs.size(), -1);
    Matrix out;
    const std::vector<uint32_t> order = groups.Sorted();
    for (size_t i = 0; i < n_steps; ++i) {
      for (uint32_t g : order) {
        for (const Entry& e : best[static_cast<size_t>(g) * n_steps + i]) {
          if (slot[e.series] < 0) {
            slot[e.series] = static_cast<int64_t>(out.size());
            out.push_back(Series{inputs[e.series].metric, {}, inputs[e.series].drop_name});
          }
          out[static_cast<size_t>(slot[e.series])].floats.push_back({StepTime(i), e.v});
        }
      }
    }
    return out;
  }

  // The parameter of topk, bottomk, limitk and limit_ratio over all steps, checked before the
  // input is read, as Prometheus's rangeEvalAgg does: false when no step can select anything.
  static bool CheckKParam(AggregateOp op, const std::vector<double>& param) {
    const bool k_op = op == AggregateOp::kTopk || op == AggregateOp::kBottomk || op == AggregateOp::kLimitk;
    if (!k_op && op != AggregateOp::kLimitRatio) return true;
    double lo = INFINITY, hi = -INFINITY;
    bool any_nan = false;
    for (double v : param) {
      any_nan = any_nan || std::isnan(v);
      if (!std::isnan(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
    if (any_nan && lo > hi) lo = hi = std::nan("");  // every step NaN
    if (op == AggregateOp::kLimitRatio) {
      if (lo == 0 && hi == 0) return false;
      if (any_nan) Abort(base::StatusCode::kExecution, "Ratio value is NaN");
      return true;
    }
    if (hi < 1) return false;
    if (any_nan) Abort(base::StatusCode::kExecution, "Parameter value is NaN");
    if (lo < -9.223372036854775808e18)
      Abort(base::StatusCode::kExecution, "Scalar value " + base::FormatFloatG(lo) + " underflows int64");
    if (hi > 9.223372036854775807e18)
      Abort(base::StatusCode::kExecution, "Scalar value " + base::FormatFloatG(hi) + " overflows int64");
    return true;
  }

  // count_values("label", v): per group, how many samples have each value, the value (Go's
  // 'f' formatting) in the given label.
  Matrix EvalCountValues(const AggregateExpr& a) {
    const std::string label = StringArg(*a.param);
    if (!model::IsValidLabelName(label))
      Abort(base::StatusCode::kExecution, "invalid label name " + base::GoQuote(label));
    std::vector<Vector> in = ByStep(Eval(*a.expr));
    std::vector<Vector> out(steps());
    for (size_t i = 0; i < steps(); ++i) {
      std::map<Labels, double> counts;
      for (const Sample& s : in[i]) {
        model::LabelsBuilder b(GroupLabels(a, s.metric));
        b.Set(label, base::FormatFloatF(s.f));
        counts[b.Build()] += 1;
      }
      for (auto& [l, n] : counts) out[i].push_back({l, StepTime(i), n});
    }
    return FromSteps(out);
  }

  static Labels GroupLabels(const AggregateExpr& a, const Labels& l) {
    model::LabelsBuilder b;
    if (a.without) {
      b.Reset(l);
      b.Del(model::kMetricName);
      for (const std::string& n : a.grouping) b.Del(n);
    } else {
      for (const std::string& n : a.grouping) b.Set(n, l.Get(n));
    }
    return b.Build();
  }

  // The aggregations that need a step's whole group at once (quantile, limitk, limit_ratio);
  // the others run series by series in AggregateSeries and TopKSeries.
  Vector Aggregate(const AggregateExpr& a, Vector& in, double param) {
    struct Group {
      Labels labels;
      std::vector<const Sample*> members;
    };
    std::map<Labels, Group> groups;
    for (const Sample& s : in) {
      Labels g = GroupLabels(a, s.metric);
      auto [it, fresh] = groups.try_emplace(g);
      if (fresh) it->second.labels = g;
      it->second.members.push_back(&s);
    }
    Vector out;
    for (auto& [key, g] : groups) {
      const auto& ms = g.members;
      // Grouping by __name__ keeps a name marked for removal marked: when any member's is.
      const bool drop = g.labels.Has(model::kMetricName) &&
                        std::any_of(ms.begin(), ms.end(), [](const Sample* s) { return s->drop_name; });
      auto emit = [&](double v) { out.push_back({g.labels, ms[0]->t, v, drop}); };
      switch (a.op) {
        case AggregateOp::kQuantile: {
          std::vector<double> vals;
          for (const Sample* s : ms) vals.push_back(s->f);
          emit(Quantile(param, vals));
          break;
        }
        case AggregateOp::kLimitk: {
          // The group's first k samples, in input order, so a series stays selected.
          const auto k = static_cast<int64_t>(param);
          for (size_t j = 0; j < ms.size() && static_cast<int64_t>(j) < k; ++j) out.push_back(*ms[j]);
          break;
        }
        case AggregateOp::kLimitRatio: {
          // A series is in when its label hash, scaled to [0, 1], falls below the ratio (or,
          // for a negative ratio, at or above 1 + ratio): limit_ratio(r) and limit_ratio(r - 1)
          // split the series between them, the same way at every step.
          const double r = std::clamp(param, -1.0, 1.0);
          for (const Sample* s : ms) {
            double offset = static_cast<double>(s->metric.hash()) / 18446744073709551615.0;
            if ((r >= 0 && offset < r) || (r < 0 && offset >= 1.0 + r)) out.push_back(*s);
          }
          break;
        }
        default:
          Abort(base::StatusCode::kExecution,
                "aggregation " + std::string(AggregateOpString(a.op)) + " is not supported yet");
      }
    }
    return out;
  }

  Matrix EvalCall(const Call& c) {
    const std::string_view name = c.func->name;
    if (RangeFunction* f = FindRangeFunction(name)) return EvalRangeFunction(c, *f);
    if (name == "time") return TimeMatrix();
    if (name == "pi") return ScalarMatrix(M_PI);
    if (name == "step") return ScalarMatrix(start_ == end_ ? 0 : interval_ / 1000.0);  // 0: instant
    if (name == "min_of" || name == "max_of") {
      std::vector<double> a = EvalScalarSteps(*c.args[0]), b = EvalScalarSteps(*c.args[1]);
      Series s;
      for (size_t i = 0; i < steps(); ++i) {
        double v = std::isnan(a[i]) || std::isnan(b[i]) ? std::nan("")
                   : name == "min_of"                    ? std::min(a[i], b[i])
                                                         : std::max(a[i], b[i]);
        s.floats.push_back({StepTime(i), v});
      }
      return {std::move(s)};
    }
    if (name == "range") return ScalarMatrix((end_ - start_) / 1000.0);
    if (name == "start") return ScalarMatrix(start_ / 1000.0);
    if (name == "end") return ScalarMatrix(end_ / 1000.0);
    if (start_ != end_ && (name == "sort" || name == "sort_desc" || name == "sort_by_label" ||
                           name == "sort_by_label_desc"))
      Warn("sort is ineffective for range queries since results are always ordered by labels", c);
    if (name == "sort_by_label" || name == "sort_by_label_desc") {
      std::vector<std::string> by;
      for (size_t i = 1; i < c.args.size(); ++i) by.push_back(StringArg(*c.args[i]));
      Matrix m = Eval(*c.args[0]);
      const bool desc = name == "sort_by_label_desc";
      std::stable_sort(m.begin(), m.end(), [&](const Series& a, const Series& b) {
        for (const std::string& l : by) {
          std::string_view x = a.metric.Get(l), y = b.metric.Get(l);
          if (x == y) continue;
          return desc ? NaturalLess(y, x) : NaturalLess(x, y);
        }
        return desc ? b.metric < a.metric : a.metric < b.metric;
      });
      return m;
    }
    if (name == "absent_over_time") return EvalAbsentOverTime(c);
    if (name == "sort" || name == "sort_desc") {
      // Only an instant query's order matters; a range query's result is sorted by labels.
      Matrix m = Eval(*c.args[0]);
      const bool desc = name == "sort_desc";
      std::stable_sort(m.begin(), m.end(), [desc](const Series& a, const Series& b) {
        double x = a.floats.empty() ? 0 : a.floats[0].f, y = b.floats.empty() ? 0 : b.floats[0].f;
        if (std::isnan(x)) return false;
        if (std::isnan(y)) return true;
        return desc ? x > y : x < y;
      });
      return m;
    }
    if (name == "absent") return EvalAbsent(c);
    if (name == "histogram_quantile") return EvalHistogramQuantile(c);
    if (name == "histogram_quantiles") return EvalHistogramQuantiles(c);
    if (name == "histogram_fraction") return EvalHistogramFraction(c);
    if (name == "label_replace") return EvalLabelReplace(c);
    if (name == "label_join") return EvalLabelJoin(c);
    if (name == "vector") {
      Matrix m = Eval(*c.args[0]);
      for (Series& s : m) s.metric = Labels();
      return m;
    }
    if (name == "scalar") {
      std::vector<Vector> in = ByStep(Eval(*c.args[0]));
      Series s;
      for (size_t i = 0; i < steps(); ++i)
        s.floats.push_back({StepTime(i), in[i].size() == 1 ? in[i][0].f : std::nan("")});
      return {std::move(s)};
    }
    if (name == "timestamp") {
      const Expr* arg = c.args[0].get();
      while (const auto* p = As<ParenExpr>(*arg)) arg = p->expr.get();
      const auto* vs = As<VectorSelector>(*arg);
      Matrix m = vs ? EvalVectorSelector(*vs, /*sample_time=*/true) : Eval(*arg);
      for (Series& s : m) {
        s.drop_name = true;
        if (!vs)
          for (FPoint& p : s.floats) p.f = p.t / 1000.0;
      }
      return m;
    }
    if (auto part = DatePart(name)) {
      Matrix m = c.args.empty() ? TimeMatrix() : Eval(*c.args[0]);
      for (Series& s : m) {
        s.drop_name = true;
        for (FPoint& p : s.floats) p.f = part(p.f);
      }
      return m;
    }
    if (auto f = FindMathFunction(name)) {
      Matrix m;
      EachMathFunction(c, f, [&](Series& s) { m.push_back(std::move(s)); });
      return m;
    }
    Abort(base::StatusCode::kExecution,
          "function " + base::GoQuote(name) + " is not supported yet");
  }

  std::string StringArg(const Expr& e) {
    const Expr* x = &e;
    while (const auto* p = As<ParenExpr>(*x)) x = p->expr.get();
    const auto* str = As<StringLiteral>(*x);
    if (str == nullptr) Abort(base::StatusCode::kExecution, "expected a string literal");
    return str->val;
  }

  // time(): the evaluation time of every step, in seconds.
  Matrix TimeMatrix() {
    Series s;
    for (size_t i = 0; i < steps(); ++i) s.floats.push_back({StepTime(i), StepTime(i) / 1000.0});
    return {std::move(s)};
  }

  // The date functions: a part of the UTC date of v seconds since the epoch.
  using DatePartFn = double (*)(double);
  static DatePartFn DatePart(std::string_view name) {
    static const std::unordered_map<std::string_view, DatePartFn> table = {
        {"minute", [](double v) { return Tm(v).tm_min * 1.0; }},
        {"hour", [](double v) { return Tm(v).tm_hour * 1.0; }},
        {"day_of_month", [](double v) { return Tm(v).tm_mday * 1.0; }},
        {"day_of_week", [](double v) { return Tm(v).tm_wday * 1.0; }},
        {"day_of_year", [](double v) { return Tm(v).tm_yday + 1.0; }},
        {"month", [](double v) { return Tm(v).tm_mon + 1.0; }},
        {"year", [](double v) { return Tm(v).tm_year + 1900.0; }},
        {"days_in_month", [](double v) {
           std::tm t = Tm(v);
           static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
           int y = t.tm_year + 1900;
           bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
           return static_cast<double>(kDays[t.tm_mon] + (t.tm_mon == 1 && leap ? 1 : 0));
         }},
    };
    auto it = table.find(name);
    return it == table.end() ? nullptr : it->second;
  }
  static std::tm Tm(double v) {
    std::time_t secs = static_cast<std::time_t>(std::floor(v));
    std::tm t{};
    gmtime_r(&secs, &t);
    return t;
  }

  // histogram_quantile over classic buckets (series with an `le` label), as Prometheus's
  // Where BucketQuantile had to lower bucket counts to make them monotonic.
  struct MonotonicityFix {
    bool forced = false;
    double min_bucket = INFINITY, max_bucket = -INFINITY, max_diff = 0;
  };

  // Prometheus's "input to histogram_quantile needed to be fixed for monotonicity" info, merged
  // over the steps and histograms of one call.
  struct MonotonicityReport {
    MonotonicityFix fix;
    Timestamp min_t = 0, max_t = 0;
    int64_t count = 0;
    void Add(const MonotonicityFix& f, Timestamp t) {
      if (!f.forced) return;
      if (count == 0) min_t = max_t = t;
      min_t = std::min(min_t, t);
      max_t = std::max(max_t, t);
      ++count;
      fix.forced = true;
      fix.min_bucket = std::min(fix.min_bucket, f.min_bucket);
      fix.max_bucket = std::max(fix.max_bucket, f.max_bucket);
      fix.max_diff = std::max(fix.max_diff, f.max_diff);
    }
    void Emit(Evaluator& ev, const Expr& at) const {
      if (count == 0) return;
      auto rfc3339 = [](Timestamp t) {
        std::time_t secs = static_cast<std::time_t>(t / 1000);
        std::tm tm{};
        gmtime_r(&secs, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return std::string(buf);
      };
      ev.Info("input to histogram_quantile needed to be fixed for monotonicity (see "
              "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)"
              ", from buckets " + base::FormatFloatG(fix.min_bucket) + " to " +
                  base::FormatFloatG(fix.max_bucket) + ", with a max diff of " +
                  fmt::format("{:.2g}", fix.max_diff) + ", over " + std::to_string(count) +
                  " samples from " + rfc3339(min_t) + " to " + rfc3339(max_t),
              at);
    }
  };

  // The classic histograms of a vector at each step: its samples grouped by their labels
  // without `le` and the metric name, each group's (upper bound, cumulative count) buckets.
  // Samples without a parsable `le` are skipped. Two histograms whose labels differ only in the
  // name end up with one label set: Prometheus's duplicate-labelset error.
  using Buckets = std::vector<std::pair<double, double>>;
  std::vector<std::map<Labels, Buckets>> ClassicHistograms(const Expr& e) {
    std::vector<Vector> in = ByStep(Eval(e));
    std::vector<std::map<Labels, Buckets>> out(steps());
    for (size_t i = 0; i < steps(); ++i) {
      std::map<Labels, std::string_view> names;  // the metric name each group's buckets came from
      for (const Sample& s : in[i]) {
        double le;
        std::string le_str(s.metric.Get("le"));
        char* end = nullptr;
        if (le_str == "+Inf" || le_str == "Inf" || le_str == "inf" || le_str == "+inf") {
          le = INFINITY;
        } else {
          le = std::strtod(le_str.c_str(), &end);
          if (le_str.empty() || end != le_str.c_str() + le_str.size()) {
            Warn("bucket label \"le\" is missing or has a malformed value of " + base::GoQuote(le_str) +
                     " for metric name " + base::GoQuote(s.metric.metric_name()),
                 e);
            continue;
          }
        }
        Labels g = model::LabelsBuilder(s.metric).Del("le").Del(model::kMetricName).Build();
        auto [nit, fresh] = names.try_emplace(g, s.metric.metric_name());
        if (!fresh && nit->second != s.metric.metric_name()) DuplicateLabelset();
        out[i][g].push_back({le, s.f});
      }
    }
    return out;
  }

  // histogram_quantile(q, v): BucketQuantile of each classic histogram.
  Matrix EvalHistogramQuantile(const Call& c) {
    std::vector<double> q = EvalScalarSteps(*c.args[0]);
    for (double v : q) CheckQuantile(v, *c.args[0]);
    auto hists = ClassicHistograms(*c.args[1]);
    std::vector<Vector> out(steps());
    MonotonicityReport report;
    for (size_t i = 0; i < steps(); ++i)
      for (auto& [g, buckets] : hists[i]) {
        MonotonicityFix fix;
        out[i].push_back({g, StepTime(i), BucketQuantile(q[i], buckets, &fix)});
        report.Add(fix, StepTime(i));
      }
    report.Emit(*this, *c.args[1]);
    return FromSteps(out);
  }

  // histogram_quantiles(v, "label", q...): one series per quantile and histogram, the quantile
  // (OpenMetrics float text) in the label; quantile-major order, as Prometheus.
  Matrix EvalHistogramQuantiles(const Call& c) {
    const std::string label = StringArg(*c.args[1]);
    std::vector<std::vector<double>> qs;
    for (size_t k = 2; k < c.args.size(); ++k) {
      qs.push_back(EvalScalarSteps(*c.args[k]));
      for (double v : qs.back()) CheckQuantile(v, *c.args[k]);
    }
    auto hists = ClassicHistograms(*c.args[0]);
    std::vector<Vector> out(steps());
    MonotonicityReport report;
    for (size_t i = 0; i < steps(); ++i) {
      for (const std::vector<double>& q : qs) {
        const std::string q_text = OpenMetricsFloat(q[i]);
        for (auto& [g, buckets] : hists[i]) {
          Labels l = model::LabelsBuilder(g).Set(label, q_text).Build();
          MonotonicityFix fix;
          out[i].push_back({std::move(l), StepTime(i), BucketQuantile(q[i], buckets, &fix)});
          report.Add(fix, StepTime(i));
        }
      }
    }
    report.Emit(*this, *c.args[0]);
    return FromSteps(out);
  }

  // histogram_fraction(lower, upper, v) over classic histograms.
  Matrix EvalHistogramFraction(const Call& c) {
    std::vector<double> lo = EvalScalarSteps(*c.args[0]), hi = EvalScalarSteps(*c.args[1]);
    auto hists = ClassicHistograms(*c.args[2]);
    std::vector<Vector> out(steps());
    for (size_t i = 0; i < steps(); ++i)
      for (auto& [g, buckets] : hists[i])
        out[i].push_back({g, StepTime(i), BucketFraction(lo[i], hi[i], std::move(buckets))});
    return FromSteps(out);
  }

  // How OpenMetrics (and Prometheus's quantile labels) spell a float: shortest form, with ".0"
  // on integers.
  static std::string OpenMetricsFloat(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    std::string s = base::FormatFloatG(v);
    if (s.find_first_of(".eE") == std::string::npos) s += ".0";
    return s;
  }

  // Sorts buckets by upper bound and merges equal bounds; empty unless the last is +Inf.
  static Buckets SortedBuckets(Buckets b) {
    std::sort(b.begin(), b.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    if (b.empty() || !std::isinf(b.back().first)) return {};
    Buckets c;
    for (const auto& x : b) {
      if (!c.empty() && c.back().first == x.first) c.back().second += x.second;
      else c.push_back(x);
    }
    return c;
  }

  // The fraction of observations between lower and upper, interpolating linearly inside the
  // buckets the bounds fall in; nothing is taken from a bucket with an infinite bound.
  static double BucketFraction(double lower, double upper, Buckets b) {
    Buckets c = SortedBuckets(std::move(b));
    if (c.empty()) return std::nan("");
    const double count = c.back().second;
    if (count == 0 || std::isnan(lower) || std::isnan(upper)) return std::nan("");
    if (lower >= upper) return 0;
    double rank = 0, lower_rank = 0, upper_rank = 0;
    bool lower_set = false, upper_set = false;
    double lower_bound = c[0].first <= 0 ? -INFINITY : 0.0;
    for (size_t i = 0; i < c.size(); ++i) {
      if (i > 0) lower_bound = c[i - 1].first;
      const double upper_bound = c[i].first, n = c[i].second;
      auto interpolate = [&](double v) {
        if (std::isinf(lower_bound)) return n;
        return rank + (n - rank) * (v - lower_bound) / (upper_bound - lower_bound);
      };
      if (!lower_set && lower_bound >= lower) lower_rank = rank, lower_set = true;
      if (!upper_set && lower_bound >= upper) upper_rank = rank, upper_set = true;
      if (lower_set && upper_set) break;
      if (!lower_set && lower_bound < lower && upper_bound > lower) lower_rank = interpolate(lower), lower_set = true;
      if (!upper_set && lower_bound < upper && upper_bound > upper) upper_rank = interpolate(upper), upper_set = true;
      if (lower_set && upper_set) break;
      rank = n;
    }
    if (!lower_set || lower_rank > count) lower_rank = count;
    if (!upper_set || upper_rank > count) upper_rank = count;
    return (upper_rank - lower_rank) / count;
  }

  // BucketQuantile: buckets sorted and coalesced, counts forced monotonic (small float deltas
  // ignored), linear interpolation inside the bucket that holds the rank.
  static double BucketQuantile(double q, Buckets b, MonotonicityFix* fix = nullptr) {
    if (std::isnan(q)) return std::nan("");
    if (q < 0) return -INFINITY;
    if (q > 1) return INFINITY;
    Buckets c = SortedBuckets(std::move(b));
    if (c.empty()) return std::nan("");
    double prev = c[0].second;
    for (size_t i = 1; i < c.size(); ++i) {
      double cur = c[i].second;
      if (cur == prev) continue;
      double diff = std::fabs(cur - prev);
      if (diff <= 1e-12 * std::max(std::fabs(cur), std::fabs(prev))) {  // float noise
        c[i].second = prev;
        continue;
      }
      if (cur < prev) {
        c[i].second = prev;
        if (fix != nullptr) {
          fix->forced = true;
          fix->min_bucket = std::min(fix->min_bucket, c[i].first);
          fix->max_bucket = std::max(fix->max_bucket, c[i].first);
          fix->max_diff = std::max(fix->max_diff, prev - cur);
        }
        continue;
      }
      prev = cur;
    }
    if (c.size() < 2) return std::nan("");
    double observations = c.back().second;
    if (observations == 0) return std::nan("");
    double rank = q * observations;
    size_t idx = 0;
    while (idx < c.size() - 1 && c[idx].second < rank) ++idx;
    if (idx == c.size() - 1) return c[c.size() - 2].first;
    if (idx == 0 && c[0].first <= 0) return c[0].first;
    double start = 0, end = c[idx].first, count = c[idx].second;
    if (idx > 0) {
      start = c[idx - 1].first;
      count -= c[idx - 1].second;
      rank -= c[idx - 1].second;
    }
    return start + (end - start) * (rank / count);
  }

  // Natural order (numbers by value), as the natsort Prometheus's sort_by_label uses.
  static bool NaturalLess(std::string_view a, std::string_view b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      bool da = std::isdigit(static_cast<unsigned char>(a[i])), db = std::isdigit(static_cast<unsigned char>(b[j]));
      if (da && db) {
        size_t ie = i, je = j;
        while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
        while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
        std::string_view na = a.substr(i, ie - i), nb = b.substr(j, je - j);
        while (na.size() > 1 && na[0] == '0') na.remove_prefix(1);
        while (nb.size() > 1 && nb[0] == '0') nb.remove_prefix(1);
        if (na.size() != nb.size()) return na.size() < nb.size();
        if (na != nb) return na < nb;
        i = ie;
        j = je;
        continue;
      }
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
    return a.size() - i < b.size() - j;
  }

  // The labels absent() and absent_over_time() give: those of the selector's equality
  // matchers, except names matched more than once.
  static Labels AbsentLabels(const Expr& arg) {
    model::LabelsBuilder b;
    const VectorSelector* vs = As<VectorSelector>(arg);
    if (const auto* ms = As<MatrixSelector>(arg)) vs = ms->vector_selector.get();
    if (vs == nullptr) return Labels();
    std::map<std::string, int> seen;
    for (const model::Matcher& mt : vs->matchers) ++seen[mt.name()];
    for (const model::Matcher& mt : vs->matchers)
      if (mt.type() == model::MatchType::kEqual && mt.name() != model::kMetricName && seen[mt.name()] == 1)
        b.Set(mt.name(), mt.value());
    return b.Build();
  }

  // absent_over_time(v[r]): 1 at steps where the window has no sample.
  Matrix EvalAbsentOverTime(const Call& c) {
    static const RangeFunction kPresent = [](std::span<const FPoint>, Timestamp, int64_t, const StepArgs&)
        -> std::optional<double> { return 1.0; };
    Matrix m = EvalRangeFunctionArg(*c.args[0], kPresent, false, {});
    std::vector<bool> has(steps(), false);
    for (const Series& s : m)
      for (const FPoint& p : s.floats) has[Index(p.t)] = true;
    Series out{AbsentLabels(*c.args[0]), {}};
    for (size_t i = 0; i < steps(); ++i)
      if (!has[i]) out.floats.push_back({StepTime(i), 1});
    if (out.floats.empty()) return {};
    return {std::move(out)};
  }

  // absent(v): 1 with the equality matchers' labels at steps where v has no sample.
  Matrix EvalAbsent(const Call& c) {
    Matrix m = Eval(*c.args[0]);
    std::vector<bool> present(steps(), false);
    for (const Series& s : m)
      for (const FPoint& p : s.floats) present[Index(p.t)] = true;
    Series s{AbsentLabels(*c.args[0]), {}};
    for (size_t i = 0; i < steps(); ++i)
      if (!present[i]) s.floats.push_back({StepTime(i), 1});
    if (s.floats.empty()) return {};
    return {std::move(s)};
  }

  // label_replace(v, dst, replacement, src, regex), as Prometheus's funcLabelReplace.
  Matrix EvalLabelReplace(const Call& c) {
    const std::string dst = StringArg(*c.args[1]), repl = StringArg(*c.args[2]),
                      src = StringArg(*c.args[3]), regex = StringArg(*c.args[4]);
    auto re = model::RelabelRegex::Compile(regex);
    if (!re) Abort(base::StatusCode::kExecution, "invalid regular expression in label_replace(): " + regex);
    if (!model::IsValidLabelName(dst))
      Abort(base::StatusCode::kExecution, "invalid destination label name in label_replace(): " + dst);
    Matrix m = Eval(*c.args[0]);
    std::vector<std::string_view> groups;
    for (Series& s : m) {
      std::string value(s.metric.Get(src));
      if (!re->Match(value, &groups)) continue;
      std::string out;
      re->Expand(repl, groups, &out);
      s.metric = model::LabelsBuilder(s.metric).Set(dst, out).Build();
      if (dst == model::kMetricName) s.drop_name = false;
    }
    CheckDuplicates(m, /*merge=*/true);
    return m;
  }

  // label_join(v, dst, separator, src...).
  Matrix EvalLabelJoin(const Call& c) {
    const std::string dst = StringArg(*c.args[1]), sep = StringArg(*c.args[2]);
    std::vector<std::string> srcs;
    for (size_t i = 3; i < c.args.size(); ++i) srcs.push_back(StringArg(*c.args[i]));
    if (!model::IsValidLabelName(dst))
      Abort(base::StatusCode::kExecution, "invalid destination label name in label_join(): " + dst);
    Matrix m = Eval(*c.args[0]);
    for (Series& s : m) {
      std::string joined;
      for (size_t i = 0; i < srcs.size(); ++i) {
        if (i > 0) joined += sep;
        joined += s.metric.Get(srcs[i]);
      }
      s.metric = model::LabelsBuilder(s.metric).Set(dst, joined).Build();
      if (dst == model::kMetricName) s.drop_name = false;
    }
    CheckDuplicates(m, /*merge=*/true);
    return m;
  }

  // A function over a range vector: each selected series' window (ref - range, ref] at every
  // step, read once per series.
  // `args` are the function's scalar arguments at this step (quantile_over_time's q,
  // predict_linear's t, double_exponential_smoothing's sf and tf).
  using StepArgs = std::array<double, 2>;
  using RangeFunction = std::optional<double> (*)(std::span<const FPoint> window, Timestamp ref,
                                                  int64_t range, const StepArgs& args);
  static RangeFunction* FindRangeFunction(std::string_view name);

  Matrix EvalRangeFunction(const Call& c, RangeFunction f) {
    Matrix out;
    EachRangeFunction(c, f, [&](Series& s) { out.push_back(std::move(s)); });
    return out;
  }

  void EachRangeFunction(const Call& c, RangeFunction f, const SeriesSink& sink) {
    // The scalar arguments: quantile_over_time's first, predict_linear's second,
    // double_exponential_smoothing's second and third.
    std::vector<size_t> scalar_args;
    if (c.func->name == "quantile_over_time") scalar_args = {0};
    if (c.func->name == "predict_linear") scalar_args = {1};
    if (c.func->name == "double_exponential_smoothing") scalar_args = {1, 2};
    std::vector<StepArgs> args;
    if (!scalar_args.empty()) {
      args.assign(steps(), StepArgs{0, 0});
      for (size_t k = 0; k < scalar_args.size(); ++k) {
        std::vector<double> v = EvalScalarSteps(*c.args[scalar_args[k]]);
        for (size_t i = 0; i < steps(); ++i) args[i][k] = v[i];
      }
    }
    if (c.func->name == "quantile_over_time")
      for (const StepArgs& a : args) CheckQuantile(a[0], *c.args[0]);
    const bool keep_name = c.func->name == "last_over_time" || c.func->name == "first_over_time";
    const size_t range_index = !scalar_args.empty() && scalar_args[0] == 0 ? 1 : 0;
    EachRangeFunctionArg(*c.args[range_index], f, keep_name, args, sink);
  }

  Matrix EvalRangeFunctionArg(const Expr& range_expr, RangeFunction f, bool keep_name,
                              const std::vector<StepArgs>& args) {
    Matrix out;
    EachRangeFunctionArg(range_expr, f, keep_name, args, [&](Series& s) { out.push_back(std::move(s)); });
    return out;
  }

  // f over the windows of a range-vector argument (matrix selector or subquery), one series
  // at a time into sink; `args` holds the per-step scalar arguments when f takes any.
  void EachRangeFunctionArg(const Expr& range_expr, RangeFunction f, bool keep_name,
                            const std::vector<StepArgs>& args, const SeriesSink& sink) {
    static const StepArgs kNoArgs{0, 0};
    const bool intercept_at_step = f == *FindRangeFunction("predict_linear");
    const bool smoothing = f == *FindRangeFunction("double_exponential_smoothing");
    const bool per_second = f == *FindRangeFunction("rate");
    const bool counter_rate = per_second || f == *FindRangeFunction("increase");
    const Expr* range_arg = &range_expr;
    while (const auto* p = As<ParenExpr>(*range_arg)) range_arg = p->expr.get();
    const size_t n_steps = steps();
    const bool avg = f == *FindRangeFunction("avg_over_time");
    const bool sliding = avg || f == *FindRangeFunction("sum_over_time");
    // Applies f over the window (ref - range, ref] of one series at every step into *s; false
    // when no step has a value. Runs on the mapper's workers: reads only its arguments and
    // the evaluator's constants (an invalid smoothing factor throws, as in Prometheus).
    auto slide = [&, n_steps](const Labels& l, const std::vector<FPoint>& pts, const TimeModifiers& mods,
                              int64_t range, bool inner_drop, Series* s, std::vector<size_t>* resets) {
      s->floats.clear();
      s->drop_name = inner_drop || !keep_name;
      const bool fixed = mods.timestamp || mods.start_or_end != AtModifier::kNone;
      // rate and increase: the counter resets of the series found once, so that a window
      // adds the values before its resets (in order, as ExtrapolatedRate) without a scan.
      resets->clear();
      if (counter_rate)
        for (size_t k = 1; k < pts.size(); ++k)
          if (pts[k].f < pts[k - 1].f) resets->push_back(k);
      size_t lo = 0, hi = 0, first_reset = 0;
      SlidingSum win;
      for (size_t i = 0; i < n_steps; ++i) {
        Timestamp ref = RefTime(mods, StepTime(i));
        if (fixed) lo = hi = first_reset = 0;
        while (hi < pts.size() && pts[hi].t <= ref) ++hi;
        while (lo < hi && pts[lo].t <= ref - range) ++lo;
        if (lo == hi) continue;
        if (counter_rate) {
          if (hi - lo < 2) continue;
          while (first_reset < resets->size() && (*resets)[first_reset] <= lo) ++first_reset;
          double result = pts[hi - 1].f - pts[lo].f;
          for (size_t r = first_reset; r < resets->size() && (*resets)[r] < hi; ++r)
            result += pts[(*resets)[r] - 1].f;
          auto w = std::span<const FPoint>(pts.data() + lo, hi - lo);
          s->floats.push_back({StepTime(i), Extrapolate(w, result, ref, range, true, per_second)});
          continue;
        }
        if (sliding && !fixed && hi - lo >= kSlideMinWindow) {
          // avg_over_time / sum_over_time over a long window: slide a compensated sum of the
          // finite values (and counts of NaN and infinities) from the previous step's window,
          // re-summed from scratch every kSlideResync steps so rounding cannot drift.
          if (!win.valid || win.age >= kSlideResync || lo < win.lo) {
            win = SlidingSum{};
            for (size_t k = lo; k < hi; ++k) win.Add(pts[k].f);
            win.valid = true;
          } else {
            for (size_t k = win.hi; k < hi; ++k) win.Add(pts[k].f);
            for (size_t k = win.lo; k < lo; ++k) win.Remove(pts[k].f);
            ++win.age;
          }
          win.lo = lo;
          win.hi = hi;
          if (auto v = win.Value(avg, hi - lo)) {
            s->floats.push_back({StepTime(i), *v});
            continue;
          }
          win.valid = false;  // the sum overflowed: Prometheus's incremental mean, below
        }
        if (smoothing) CheckSmoothingFactors(args[i]);
        // predict_linear predicts from the step's time, whatever the window's offset or @
        // (it is one of Prometheus's AtModifierUnsafeFunctions); the others read the window's end.
        auto v = f(std::span<const FPoint>(pts.data() + lo, hi - lo),
                   intercept_at_step ? StepTime(i) : ref, range, args.empty() ? kNoArgs : args[i]);
        if (v) s->floats.push_back({StepTime(i), *v});
      }
      if (s->floats.empty()) return false;
      s->metric = l;
      return true;
    };
    // On this thread, for each result: the possible-non-counter info, then the sink.
    auto consume = [&](Series& s) {
      if (counter_rate) {
        std::string_view name = s.metric.metric_name();
        if (!name.empty() && !name.ends_with("_total") && !name.ends_with("_sum") &&
            !name.ends_with("_count") && !name.ends_with("_bucket"))
          Info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: " +
                   base::GoQuote(name),
               range_expr);
      }
      sink(s);
    };
    if (const auto* ms = As<MatrixSelector>(*range_arg)) {
      const VectorSelector& vs = *ms->vector_selector;
      const int64_t range = ms->range.count();
      Timestamp first = RefTime(vs, start_), last = RefTime(vs, end_);
      auto map = [&, range](const Labels& l, std::vector<FPoint>& pts, Series* out) {
        std::erase_if(pts, [](const FPoint& p) { return model::IsStaleNaN(p.f); });
        std::vector<size_t> resets;
        return slide(l, pts, vs, range, false, out, &resets);
      };
      MapEachSeries(vs, std::min(first, last) - range + 1, std::max(first, last), map, consume);
    } else if (const auto* sq = As<SubqueryExpr>(*range_arg)) {
      Series out;
      std::vector<size_t> resets;
      for (Series& inner : EvalSubquery(*sq)) {
        if (!slide(inner.metric, inner.floats, *sq, sq->range.count(), inner.drop_name, &out, &resets)) continue;
        const auto n = static_cast<int64_t>(out.floats.size());
        CountSamples(n);
        consume(out);
        CountSamples(-n);
      }
    } else {
      Abort(base::StatusCode::kExecution, "expected a range vector");
    }
  }

  static void CheckSmoothingFactors(const StepArgs& a) {
    auto go_f = [](double v) {
      if (std::isnan(v)) return std::string("NaN");
      if (std::isinf(v)) return std::string(v > 0 ? "+Inf" : "-Inf");
      return fmt::format("{:.6f}", v);
    };
    if (!(a[0] > 0 && a[0] < 1))
      Abort(base::StatusCode::kExecution,
            "invalid smoothing factor. Expected: 0 < sf < 1, got: " + go_f(a[0]));
    if (!(a[1] > 0 && a[1] < 1))
      Abort(base::StatusCode::kExecution, "invalid trend factor. Expected: 0 < tf < 1, got: " + go_f(a[1]));
  }

  // The inner expression of a subquery, evaluated at its own steps: multiples of its step (the
  // default evaluation interval, 1 m, when it has none) covering every window the outer steps
  // need, as Prometheus's evaluator does for SubqueryExpr.
  Matrix EvalSubquery(const SubqueryExpr& sq) {
    const int64_t range = sq.range.count();
    const int64_t step = sq.step.count() > 0 ? sq.step.count() : 60000;
    Timestamp first = RefTime(sq, start_), last = RefTime(sq, end_);
    Timestamp lo = std::min(first, last) - range;
    Timestamp sub_start = step * (lo / step);
    if (lo < 0 && lo % step != 0) sub_start -= step;  // floor division
    if (sub_start <= lo) sub_start += step;
    Timestamp sub_end = std::max(first, last);
    if (sub_end < sub_start) return {};
    // Every step holds at least one value per step-indexed array: a subquery with more steps
    // than the sample limit fails before allocating them.
    if ((sub_end - sub_start) / step >= opts_.max_samples)
      Abort(base::StatusCode::kExecution,
            "query processing would load too many samples into memory in query execution");
    Evaluator sub(q_, sub_start, sub_end, step, opts_, stop_, annos_);
    sub.samples_ = samples_;
    sub.deadline_ = deadline_;
    Matrix m = sub.Eval(*sq.expr);
    return m;
  }

  static MathFunction FindMathFunction(std::string_view name);

 private:
  storage::Querier& q_;
  Timestamp start_, end_;
  int64_t interval_;
  const EngineOptions& opts_;
  std::stop_token stop_;
  std::chrono::steady_clock::time_point deadline_;
  Annotations* annos_;
  int64_t samples_ = 0;

};

Evaluator::RangeFunction* Evaluator::FindRangeFunction(std::string_view name) {
  using W = std::span<const FPoint>;
  static std::unordered_map<std::string_view, RangeFunction> table = {
      {"rate", [](W w, Timestamp ref, int64_t r, const StepArgs&) { return ExtrapolatedRate(w, ref, r, true, true); }},
      {"increase", [](W w, Timestamp ref, int64_t r, const StepArgs&) { return ExtrapolatedRate(w, ref, r, true, false); }},
      {"delta", [](W w, Timestamp ref, int64_t r, const StepArgs&) { return ExtrapolatedRate(w, ref, r, false, false); }},
      {"irate", [](W w, Timestamp, int64_t, const StepArgs&) { return InstantDelta(w, true); }},
      {"idelta", [](W w, Timestamp, int64_t, const StepArgs&) { return InstantDelta(w, false); }},
      {"sum_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         KahanSum k;
         for (const FPoint& p : w) k.Add(p.f);
         return k.Value();
       }},
      {"avg_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         KahanMean k;
         for (const FPoint& p : w) k.Add(p.f);
         return k.Mean();
       }},
      {"count_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> { return static_cast<double>(w.size()); }},
      {"min_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         double v = w[0].f;
         for (const FPoint& p : w)
           if (p.f < v || std::isnan(v)) v = p.f;
         return v;
       }},
      {"max_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         double v = w[0].f;
         for (const FPoint& p : w)
           if (p.f > v || std::isnan(v)) v = p.f;
         return v;
       }},
      {"last_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> { return w.back().f; }},
      {"present_over_time", [](W, Timestamp, int64_t, const StepArgs&) -> std::optional<double> { return 1.0; }},
      {"first_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> { return w.front().f; }},
      {"ts_of_last_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> { return w.back().t / 1000.0; }},
      {"ts_of_first_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> { return w.front().t / 1000.0; }},
      {"ts_of_min_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         const FPoint* best = &w[0];
         for (const FPoint& p : w)
           if (p.f < best->f || std::isnan(best->f)) best = &p;
         return best->t / 1000.0;
       }},
      {"ts_of_max_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         const FPoint* best = &w[0];
         for (const FPoint& p : w)
           if (p.f > best->f || std::isnan(best->f)) best = &p;
         return best->t / 1000.0;
       }},
      {"deriv", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         if (w.size() < 2) return std::nullopt;
         return LinearRegression(w, w[0].t).first;
       }},
      {"predict_linear", [](W w, Timestamp ref, int64_t, const StepArgs& a) -> std::optional<double> {
         if (w.size() < 2) return std::nullopt;
         auto [slope, intercept] = LinearRegression(w, ref);
         return slope * a[0] + intercept;
       }},
      {"mad_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         // A NaN sample makes the result NaN rather than being dropped.
         std::vector<double> v;
         for (const FPoint& p : w) {
           if (std::isnan(p.f)) return std::nan("");
           v.push_back(p.f);
         }
         double median = Quantile(0.5, v);
         for (double& x : v) x = std::fabs(x - median);
         return Quantile(0.5, std::move(v));
       }},
      {"stddev_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         double n = 0, mean = 0, m2 = 0;
         for (const FPoint& p : w) {
           ++n;
           double d = p.f - mean;
           mean += d / n;
           m2 += d * (p.f - mean);
         }
         return std::sqrt(m2 / n);
       }},
      {"stdvar_over_time", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         double n = 0, mean = 0, m2 = 0;
         for (const FPoint& p : w) {
           ++n;
           double d = p.f - mean;
           mean += d / n;
           m2 += d * (p.f - mean);
         }
         return m2 / n;
       }},
      {"quantile_over_time", [](W w, Timestamp, int64_t, const StepArgs& a) -> std::optional<double> {
         std::vector<double> v;
         for (const FPoint& p : w) v.push_back(p.f);
         return Quantile(a[0], std::move(v));
       }},
      // Holt's linear smoothing: level s and trend b over the window; a[0] is the smoothing
      // factor, a[1] the trend factor (checked to be in (0, 1) before the call).
      {"double_exponential_smoothing", [](W w, Timestamp, int64_t, const StepArgs& a) -> std::optional<double> {
         if (w.size() < 2) return std::nullopt;
         const double sf = a[0], tf = a[1];
         double prev_level = 0, level = w[0].f, trend = w[1].f - w[0].f;
         for (size_t i = 1; i < w.size(); ++i) {
           if (i > 1) trend = tf * (level - prev_level) + (1 - tf) * trend;
           double next = sf * w[i].f + (1 - sf) * (level + trend);
           prev_level = level;
           level = next;
         }
         return level;
       }},
      {"changes", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         double n = 0;
         for (size_t i = 1; i < w.size(); ++i)
           if (w[i].f != w[i - 1].f && !(std::isnan(w[i].f) && std::isnan(w[i - 1].f))) ++n;
         return n;
       }},
      {"resets", [](W w, Timestamp, int64_t, const StepArgs&) -> std::optional<double> {
         double n = 0;
         for (size_t i = 1; i < w.size(); ++i)
           if (w[i].f < w[i - 1].f) ++n;
         return n;
       }},
  };
  auto it = table.find(name);
  return it == table.end() ? nullptr : &it->second;
}

Evaluator::MathFunction Evaluator::FindMathFunction(std::string_view name) {
  static const std::unordered_map<std::string_view, MathFunction> table = {
      {"abs", [](double v, size_t, double, double) { return std::fabs(v); }},
      {"ceil", [](double v, size_t, double, double) { return std::ceil(v); }},
      {"floor", [](double v, size_t, double, double) { return std::floor(v); }},
      {"exp", [](double v, size_t, double, double) { return std::exp(v); }},
      {"sqrt", [](double v, size_t, double, double) { return std::sqrt(v); }},
      {"ln", [](double v, size_t, double, double) { return std::log(v); }},
      {"log2", [](double v, size_t, double, double) { return std::log2(v); }},
      {"log10", [](double v, size_t, double, double) { return std::log10(v); }},
      {"sgn", [](double v, size_t, double, double) { return v > 0 ? 1.0 : v < 0 ? -1.0 : v; }},
      {"sin", [](double v, size_t, double, double) { return std::sin(v); }},
      {"cos", [](double v, size_t, double, double) { return std::cos(v); }},
      {"tan", [](double v, size_t, double, double) { return std::tan(v); }},
      {"asin", [](double v, size_t, double, double) { return std::asin(v); }},
      {"acos", [](double v, size_t, double, double) { return std::acos(v); }},
      {"atan", [](double v, size_t, double, double) { return std::atan(v); }},
      {"sinh", [](double v, size_t, double, double) { return std::sinh(v); }},
      {"cosh", [](double v, size_t, double, double) { return std::cosh(v); }},
      {"tanh", [](double v, size_t, double, double) { return std::tanh(v); }},
      {"asinh", [](double v, size_t, double, double) { return std::asinh(v); }},
      {"acosh", [](double v, size_t, double, double) { return std::acosh(v); }},
      {"atanh", [](double v, size_t, double, double) { return std::atanh(v); }},
      {"deg", [](double v, size_t, double, double) { return v * 180 / M_PI; }},
      {"rad", [](double v, size_t, double, double) { return v * M_PI / 180; }},
      {"clamp_min", [](double v, size_t, double lo, double) { return std::isnan(v) ? v : std::max(v, lo); }},
      {"clamp_max", [](double v, size_t, double hi, double) { return std::isnan(v) ? v : std::min(v, hi); }},
      {"clamp", [](double v, size_t, double lo, double hi) {
         if (hi < lo) return std::nan("");
         return std::isnan(v) ? v : std::max(lo, std::min(hi, v));
       }},
      {"round", [](double v, size_t n, double to, double) {
         // Prometheus: math.Floor(v*(1/to)+0.5)/(1/to), to_nearest defaulting to 1.
         double inv = 1.0 / (n > 0 ? to : 1.0);
         return std::floor(v * inv + 0.5) / inv;
       }},
  };
  auto it = table.find(name);
  return it == table.end() ? nullptr : it->second;
}

// The end of an evaluation: names marked for removal go, and series left with one label set
// merge; two of them with a point at one step is Prometheus's "vector cannot contain metrics
// with the same labelset".
void DropMarkedNames(Matrix& m) {
  bool any = false;
  for (Series& s : m) {
    if (!s.drop_name) continue;
    s.metric = DropName(s.metric);
    s.drop_name = false;
    any = true;
  }
  if (!any) return;
  CheckDuplicates(m, /*merge=*/true);
}

base::Result<Value> Run(storage::Queryable& db, const Expr& expr, Timestamp start, Timestamp end,
                        int64_t step, const EngineOptions& opts, std::stop_token stop, bool instant,
                        Annotations* annotations) {
  // Offsets and @ can reach any time: the querier covers everything; selectors narrow it.
  ASSIGN_OR_RETURN(auto querier, db.NewQuerier(model::kMinTime, model::kMaxTime));
  Annotations unused;
  Evaluator ev(*querier, start, end, step, opts, stop, annotations != nullptr ? annotations : &unused);
  try {
    if (expr.type() == ValueType::kString) {
      const Expr* e = &expr;
      while (const auto* p = As<ParenExpr>(*e)) e = p->expr.get();
      return Value(String{start, As<StringLiteral>(*e)->val});
    }
    Matrix m = ev.Eval(expr);
    DropMarkedNames(m);
    if (!instant) {
      std::sort(m.begin(), m.end(), [](const Series& a, const Series& b) { return a.metric < b.metric; });
      return Value(std::move(m));
    }
    switch (expr.type()) {
      case ValueType::kScalar:
        return Value(Scalar{start, m.empty() || m[0].floats.empty() ? std::nan("") : m[0].floats[0].f});
      case ValueType::kMatrix:
        return Value(std::move(m));
      default: {
        Vector v;
        for (Series& s : m)
          if (!s.floats.empty()) v.push_back({std::move(s.metric), s.floats[0].t, s.floats[0].f});
        return Value(std::move(v));
      }
    }
  } catch (const EvalAbort& a) {
    return a.status;
  }
}

}  // namespace

void Annotations::Add(bool warning, std::string message, size_t pos) {
  for (const Note& n : notes)
    if (n.warning == warning && n.message == message) return;
  notes.push_back({warning, std::move(message), pos});
}

std::vector<std::string> Annotations::Strings(bool warnings, std::string_view query) const {
  std::vector<std::string> out;
  for (const Note& n : notes) {
    if (n.warning != warnings) continue;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < n.pos && i < query.size(); ++i) {
      if (query[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    out.push_back(n.message + " (" + std::to_string(line) + ":" + std::to_string(col) + ")");
  }
  return out;
}

// Holds one of the engine's concurrency slots for the life of a query.
class SlotGuard {
 public:
  explicit SlotGuard(std::counting_semaphore<>& s) : s_(s) { s_.acquire(); }
  ~SlotGuard() { s_.release(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  std::counting_semaphore<>& s_;
};

// The engine's options with a query's own timeout, when it has a shorter one.
static EngineOptions WithTimeout(EngineOptions o, std::chrono::milliseconds timeout) {
  if (timeout.count() > 0 && timeout < o.timeout) o.timeout = timeout;
  return o;
}

base::Result<Value> Engine::InstantQuery(storage::Queryable& db, const Expr& expr, Timestamp ts,
                                         std::stop_token stop, std::chrono::milliseconds timeout,
                                         Annotations* annotations) const {
  SlotGuard slot(slots_);
  return Run(db, expr, ts, ts, 1, WithTimeout(options_, timeout), stop, /*instant=*/true, annotations);
}

base::Result<Value> Engine::RangeQuery(storage::Queryable& db, const Expr& expr, Timestamp start,
                                       Timestamp end, int64_t step_ms, std::stop_token stop,
                                       std::chrono::milliseconds timeout,
                                       Annotations* annotations) const {
  if (expr.type() != ValueType::kScalar && expr.type() != ValueType::kVector)
    return base::InvalidArgument("invalid expression type \"" + std::string(DocumentedType(expr.type())) +
                                 "\" for range query, must be Scalar or instant Vector");
  SlotGuard slot(slots_);
  return Run(db, expr, start, end, step_ms, WithTimeout(options_, timeout), stop, /*instant=*/false,
             annotations);
}

}  // namespace promql

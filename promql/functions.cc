#include "promql/functions.h"

#include <algorithm>

namespace promql {
namespace {

constexpr ValueType kS = ValueType::kScalar;
constexpr ValueType kV = ValueType::kVector;
constexpr ValueType kM = ValueType::kMatrix;
constexpr ValueType kStr = ValueType::kString;
constexpr bool kStable = false;
constexpr bool kExperimental = true;

}  // namespace

// Signatures as of Prometheus 3.x (promql/parser/functions.go). holt_winters was renamed
// double_exponential_smoothing in 3.0 and is gone. step(), range(), start(), end(), min_of()
// and max_of() are the experimental duration-expression helpers, callable as functions too.
FunctionTable::FunctionTable()
    : functions_{
          // name, argument types, variadic, return type, experimental
          {"abs", {kV}, 0, kV, kStable},
          {"absent", {kV}, 0, kV, kStable},
          {"absent_over_time", {kM}, 0, kV, kStable},
          {"acos", {kV}, 0, kV, kStable},
          {"acosh", {kV}, 0, kV, kStable},
          {"asin", {kV}, 0, kV, kStable},
          {"asinh", {kV}, 0, kV, kStable},
          {"atan", {kV}, 0, kV, kStable},
          {"atanh", {kV}, 0, kV, kStable},
          {"avg_over_time", {kM}, 0, kV, kStable},
          {"ceil", {kV}, 0, kV, kStable},
          {"changes", {kM}, 0, kV, kStable},
          {"clamp", {kV, kS, kS}, 0, kV, kStable},
          {"clamp_max", {kV, kS}, 0, kV, kStable},
          {"clamp_min", {kV, kS}, 0, kV, kStable},
          {"cos", {kV}, 0, kV, kStable},
          {"cosh", {kV}, 0, kV, kStable},
          {"count_over_time", {kM}, 0, kV, kStable},
          {"day_of_month", {kV}, 1, kV, kStable},
          {"day_of_week", {kV}, 1, kV, kStable},
          {"day_of_year", {kV}, 1, kV, kStable},
          {"days_in_month", {kV}, 1, kV, kStable},
          {"deg", {kV}, 0, kV, kStable},
          {"delta", {kM}, 0, kV, kStable},
          {"deriv", {kM}, 0, kV, kStable},
          {"double_exponential_smoothing", {kM, kS, kS}, 0, kV, kExperimental},
          {"end", {}, 0, kS, kExperimental},
          {"exp", {kV}, 0, kV, kStable},
          {"first_over_time", {kM}, 0, kV, kStable},
          {"floor", {kV}, 0, kV, kStable},
          {"histogram_avg", {kV}, 0, kV, kStable},
          {"histogram_count", {kV}, 0, kV, kStable},
          {"histogram_fraction", {kS, kS, kV}, 0, kV, kStable},
          {"histogram_quantile", {kS, kV}, 0, kV, kStable},
          {"histogram_quantiles", {kV, kStr, kS, kS}, 9, kV, kExperimental},
          {"histogram_stddev", {kV}, 0, kV, kStable},
          {"histogram_stdvar", {kV}, 0, kV, kStable},
          {"histogram_sum", {kV}, 0, kV, kStable},
          {"hour", {kV}, 1, kV, kStable},
          {"idelta", {kM}, 0, kV, kStable},
          {"increase", {kM}, 0, kV, kStable},
          {"info", {kV, kV}, 1, kV, kExperimental},
          {"irate", {kM}, 0, kV, kStable},
          {"label_join", {kV, kStr, kStr, kStr}, -1, kV, kStable},
          {"label_replace", {kV, kStr, kStr, kStr, kStr}, 0, kV, kStable},
          {"last_over_time", {kM}, 0, kV, kStable},
          {"ln", {kV}, 0, kV, kStable},
          {"log10", {kV}, 0, kV, kStable},
          {"log2", {kV}, 0, kV, kStable},
          {"mad_over_time", {kM}, 0, kV, kExperimental},
          {"max_of", {kS, kS}, 0, kS, kExperimental},
          {"max_over_time", {kM}, 0, kV, kStable},
          {"min_of", {kS, kS}, 0, kS, kExperimental},
          {"min_over_time", {kM}, 0, kV, kStable},
          {"minute", {kV}, 1, kV, kStable},
          {"month", {kV}, 1, kV, kStable},
          {"pi", {}, 0, kS, kStable},
          {"predict_linear", {kM, kS}, 0, kV, kStable},
          {"present_over_time", {kM}, 0, kV, kStable},
          {"quantile_over_time", {kS, kM}, 0, kV, kStable},
          {"rad", {kV}, 0, kV, kStable},
          {"range", {}, 0, kS, kExperimental},
          {"rate", {kM}, 0, kV, kStable},
          {"resets", {kM}, 0, kV, kStable},
          {"round", {kV, kS}, 1, kV, kStable},
          {"scalar", {kV}, 0, kS, kStable},
          {"sgn", {kV}, 0, kV, kStable},
          {"sin", {kV}, 0, kV, kStable},
          {"sinh", {kV}, 0, kV, kStable},
          {"sort", {kV}, 0, kV, kStable},
          {"sort_by_label", {kV, kStr}, -1, kV, kExperimental},
          {"sort_by_label_desc", {kV, kStr}, -1, kV, kExperimental},
          {"sort_desc", {kV}, 0, kV, kStable},
          {"sqrt", {kV}, 0, kV, kStable},
          {"start", {}, 0, kS, kExperimental},
          {"start_timestamp", {kV}, 0, kV, kExperimental},
          {"stddev_over_time", {kM}, 0, kV, kStable},
          {"stdvar_over_time", {kM}, 0, kV, kStable},
          {"step", {}, 0, kS, kExperimental},
          {"sum_over_time", {kM}, 0, kV, kStable},
          {"tan", {kV}, 0, kV, kStable},
          {"tanh", {kV}, 0, kV, kStable},
          {"time", {}, 0, kS, kStable},
          {"timestamp", {kV}, 0, kV, kStable},
          {"ts_of_first_over_time", {kM}, 0, kV, kExperimental},
          {"ts_of_last_over_time", {kM}, 0, kV, kExperimental},
          {"ts_of_max_over_time", {kM}, 0, kV, kExperimental},
          {"ts_of_min_over_time", {kM}, 0, kV, kExperimental},
          {"vector", {kS}, 0, kV, kStable},
          {"year", {kV}, 1, kV, kStable},
      } {
  std::sort(functions_.begin(), functions_.end(),
            [](const Function& a, const Function& b) { return a.name < b.name; });
}

const FunctionTable& FunctionTable::Default() {
  static const FunctionTable table;
  return table;
}

const Function* FunctionTable::Find(std::string_view name) const {
  auto it = std::lower_bound(functions_.begin(), functions_.end(), name,
                             [](const Function& f, std::string_view n) { return f.name < n; });
  if (it == functions_.end() || it->name != name) return nullptr;
  return &*it;
}

const Function* GetFunction(std::string_view name) { return FunctionTable::Default().Find(name); }

}  // namespace promql

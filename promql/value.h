// The values PromQL evaluates to: Scalar, String, Vector (instant vector), Matrix (range
// vector, and every expression of a range query), as Prometheus's promql/value.go.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "model/labels.h"
#include "model/sample.h"

namespace promql {

struct FPoint {
  model::Timestamp t;
  double f;
};

struct Scalar {
  model::Timestamp t = 0;
  double v = 0;
};

struct String {
  model::Timestamp t = 0;
  std::string v;
};

// One element of an instant vector.
struct Sample {
  model::Labels metric;
  model::Timestamp t = 0;
  double f = 0;
  // The metric name is to be dropped when the evaluation ends (Prometheus 3's delayed name
  // removal): operations that drop it only mark it, so that later ones can still use it.
  bool drop_name = false;
};
using Vector = std::vector<Sample>;

// One series of a range vector; points in time order.
struct Series {
  model::Labels metric;
  std::vector<FPoint> floats;
  bool drop_name = false;  // as Sample::drop_name
};
using Matrix = std::vector<Series>;

using Value = std::variant<Scalar, String, Vector, Matrix>;

}  // namespace promql

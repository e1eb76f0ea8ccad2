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
};
using Vector = std::vector<Sample>;

// One series of a range vector; points in time order.
struct Series {
  model::Labels metric;
  std::vector<FPoint> floats;
};
using Matrix = std::vector<Series>;

using Value = std::variant<Scalar, String, Vector, Matrix>;

}  // namespace promql

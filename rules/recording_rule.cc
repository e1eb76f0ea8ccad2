#include "rules/recording_rule.h"

#include <algorithm>

namespace rules {

base::Result<promql::Vector> RecordingRule::Eval(const EvalContext& ctx) {
  ASSIGN_OR_RETURN(promql::Vector vector, (*ctx.query)(query(), ctx.ts - ctx.query_offset.count()));
  model::LabelsBuilder lb;
  for (promql::Sample& s : vector) {
    lb.Reset(s.metric);
    lb.Set(model::kMetricName, name());
    for (const model::Label& l : labels()) lb.Set(l.name, l.value);
    s.metric = lb.Build();
    s.drop_name = false;
  }
  // Prometheus's Vector.ContainsSameLabelset.
  std::vector<const model::Labels*> sorted;
  sorted.reserve(vector.size());
  for (const promql::Sample& s : vector) sorted.push_back(&s.metric);
  std::sort(sorted.begin(), sorted.end(),
            [](const model::Labels* a, const model::Labels* b) { return *a < *b; });
  for (size_t i = 1; i < sorted.size(); ++i)
    if (*sorted[i] == *sorted[i - 1])
      return base::Status(base::StatusCode::kExecution,
                          "vector contains metrics with the same labelset after applying rule labels");
  if (ctx.limit > 0 && static_cast<int64_t>(vector.size()) > ctx.limit)
    return base::Status(base::StatusCode::kExecution,
                        "exceeded limit of " + std::to_string(ctx.limit) + " with " +
                            std::to_string(vector.size()) + " series");
  return vector;
}

std::string RecordingRule::ConfigString() const {
  return "record: " + name() + "\nexpr: " + query() + "\nlabels: " + labels().ToString() + "\n";
}

}  // namespace rules

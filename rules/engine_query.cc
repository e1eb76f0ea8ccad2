#include "rules/engine_query.h"

#include "promql/parser/parse.h"

namespace rules {

QueryFn EngineQueryFn(const promql::Engine& engine, storage::Queryable& queryable) {
  return [&engine, &queryable](std::string_view query,
                               model::Timestamp ts) -> base::Result<promql::Vector> {
    ASSIGN_OR_RETURN(promql::ExprPtr expr, promql::parser::Parse(query));
    ASSIGN_OR_RETURN(promql::Value v, engine.InstantQuery(queryable, *expr, ts));
    if (auto* vec = std::get_if<promql::Vector>(&v)) return std::move(*vec);
    if (auto* s = std::get_if<promql::Scalar>(&v))
      return promql::Vector{promql::Sample{model::Labels(), ts, s->v}};
    return base::Status(base::StatusCode::kExecution, "rule result is not a vector or scalar");
  };
}

}  // namespace rules

// EngineQueryFn: the QueryFn that evaluates with a promql::Engine over a storage::Queryable
// (Prometheus's rules.EngineQueryFunc). The Engine and Queryable are the caller's (cmd/'s).
#pragma once

#include "promql/engine.h"
#include "rules/rule.h"
#include "storage/querier.h"

namespace rules {

// Parses the query and runs it as an instant query at ts. A vector result is returned as it
// is; a scalar as one sample without labels at ts. Errors: the parser's and engine's, and
// kExecution "rule result is not a vector or scalar". Both references must outlive the
// function.
QueryFn EngineQueryFn(const promql::Engine& engine, storage::Queryable& queryable);

}  // namespace rules

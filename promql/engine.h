// Engine: evaluates PromQL expressions over a storage::Queryable, as instant queries and as
// range queries. A range query walks each selected series once across all steps (Prometheus's
// evaluator design: every expression evaluates to a Matrix over the query's steps).
//
// Coverage today (the rest of Prometheus's functions come next; see docs/promql.md): number
// and string literals, vector and matrix selectors (lookback delta, staleness markers, offset,
// @), parentheses, unary minus, every binary operator with vector matching (on/ignoring,
// group_left/group_right, bool, and/or/unless), the aggregations sum, avg, count, min, max,
// group, stddev, stdvar, topk, bottomk, quantile (by/without), and the functions in
// engine/functions.cc.
#pragma once

#include <algorithm>
#include <chrono>
#include <semaphore>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "promql/ast.h"
#include "promql/value.h"
#include "storage/querier.h"

namespace promql {

struct EngineOptions {
  std::chrono::milliseconds lookback_delta{std::chrono::minutes(5)};
  // Samples an evaluation may hold in memory at once (Prometheus's --query.max-samples).
  int64_t max_samples = 50000000;
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
  // Queries evaluated at once; more wait for a slot (Prometheus's --query.max-concurrency).
  int max_concurrency = 20;
};

// The warnings and infos an evaluation produced (Prometheus's annotations), each once, in the
// order they were first met. Messages read like Prometheus's ("PromQL info: metric might not be
// a counter, ..."); the position of the expression they are about is kept as a byte offset.
struct Annotations {
  struct Note {
    bool warning;
    std::string message;
    size_t pos;
  };
  std::vector<Note> notes;

  void Add(bool warning, std::string message, size_t pos);
  // The messages of one kind with the position appended as Prometheus prints it,
  // "... (line:column)" in `query`.
  std::vector<std::string> Strings(bool warnings, std::string_view query) const;
};

// Thread-safe: queries may run concurrently.
class Engine {
 public:
  explicit Engine(EngineOptions options = {})
      : options_(options), slots_(std::max(1, options.max_concurrency)) {}
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Evaluates `expr` at `ts`. Errors: kExecution (e.g. many-to-many matching, sample limit),
  // kTimeout, kCanceled, and the storage's errors. A positive `timeout` shorter than the
  // engine's applies to this query (the API's timeout parameter). Warnings and infos go to
  // `annotations` when given.
  base::Result<Value> InstantQuery(storage::Queryable& db, const Expr& expr, model::Timestamp ts,
                                   std::stop_token stop = {},
                                   std::chrono::milliseconds timeout = {},
                                   Annotations* annotations = nullptr) const;
  // Evaluates `expr` at start, start + step, ..., up to end; the result is a Matrix (scalar
  // expressions give one series without labels). REQUIRES: step_ms > 0, end >= start.
  base::Result<Value> RangeQuery(storage::Queryable& db, const Expr& expr, model::Timestamp start,
                                 model::Timestamp end, int64_t step_ms,
                                 std::stop_token stop = {},
                                 std::chrono::milliseconds timeout = {},
                                 Annotations* annotations = nullptr) const;

 private:
  EngineOptions options_;
  mutable std::counting_semaphore<> slots_;
};

}  // namespace promql

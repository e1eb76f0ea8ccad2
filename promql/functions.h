// The PromQL function table: every function of Prometheus 3.x with its argument and return
// types, as Prometheus's promql/parser/functions.go. The parser checks calls against it; the
// engine adds each function's implementation to the same entry (STYLE.md section 2).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "promql/ast.h"

namespace promql {

// One function's signature. Immutable; entries live for the whole program. The engine will add
// its implementation here (a pointer to the evaluating function, filled in the table in
// functions.cc), so that one table holds both, as STYLE.md's FunctionTable.
struct Function {
  std::string_view name;
  // The declared argument types. With variadic != 0 the last one may be omitted or repeated.
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types.size() arguments. n > 0: between arg_types.size() - 1 and
  // arg_types.size() - 1 + n. -1: at least arg_types.size() - 1, any number more, each of the
  // last type.
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
  // Guarded by --enable-feature=promql-experimental-functions in Prometheus.
  bool experimental = false;

  // The argument-count bounds implied by arg_types and variadic; max_args() is -1 for no bound.
  int min_args() const {
    return variadic == 0 ? static_cast<int>(arg_types.size())
                         : static_cast<int>(arg_types.size()) - 1;
  }
  int max_args() const {
    if (variadic == 0) return static_cast<int>(arg_types.size());
    if (variadic < 0) return -1;
    return static_cast<int>(arg_types.size()) - 1 + variadic;
  }
};

// FunctionTable maps a name to its Function. Thread-safe (immutable after construction).
class FunctionTable {
 public:
  // The table of Prometheus's functions, built on first use.
  static const FunctionTable& Default();

  // The function called `name` (case-sensitive, as in Prometheus), or nullptr.
  const Function* Find(std::string_view name) const;
  // All functions, sorted by name.
  std::span<const Function> functions() const { return functions_; }

 private:
  FunctionTable();
  std::vector<Function> functions_;
};

// FunctionTable::Default().Find(name).
const Function* GetFunction(std::string_view name);

}  // namespace promql

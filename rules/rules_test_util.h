// Test helpers for rules/: a tsdb::DB in a temporary directory with an Engine-backed QueryFn,
// and readers of raw samples. Test-only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/labels.h"
#include "promql/engine.h"
#include "rules/group.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/db.h"

namespace rules::testing {

class Env {
 public:
  Env();
  ~Env();
  tsdb::DB& db() { return *db_; }
  // Appends one sample and commits. REQUIRES: it is accepted.
  void Add(const model::Labels& l, model::Timestamp t, double v);
  // The raw samples (staleness markers included) of the series matching `selector`, by series.
  std::map<std::string, std::vector<model::Sample>> Samples(const std::string& selector);
  // Deps for groups over this DB, collecting notifications in `sent`.
  GroupDeps Deps();

  testutil::FakeClock clock{1'700'000'000'000};
  promql::Engine engine;
  std::vector<std::pair<std::string, NotifierAlert>> sent;  // (expr, alert)
  std::mutex sent_mu;

 private:
  testutil::TempDir dir_;
  std::unique_ptr<tsdb::DB> db_;
};

// Parses the expression; REQUIRES: valid.
promql::ExprPtr Expr(const std::string& e);

}  // namespace rules::testing

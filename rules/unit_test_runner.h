// `hestia test rules FILE...`: promtool's rule unit tests (cmd/promtool/unittest.go, 2.42).
// Each test group loads its input series into a fresh tsdb in a temporary directory, evaluates
// every rule group at each evaluation interval from 0 to the largest eval_time, compares the
// firing alerts with exp_alerts and instant queries with exp_samples. See docs/rules.md,
// "Unit tests".
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/labels.h"
#include "storage/appender.h"
#include "storage/querier.h"

namespace rules {

// One input series as promql's ParseSeriesDesc reads `metric{l="v"} 1 2 _ stale 0+10x3`:
// the labels and one slot per interval, std::nullopt for `_` (no sample). `stale` is
// model::StaleNaN(). `a+bxN` and `a-bxN` give N+1 values, adding b each time; `axN` gives
// a N+1 times; `_xN` gives N empty slots.
struct SeriesDesc {
  model::Labels labels;
  std::vector<std::optional<double>> values;
};

// The storage of one test group: empty when opened, dropped when the group is done.
class UnitTestStorage {
 public:
  virtual ~UnitTestStorage() = default;
  virtual storage::Appendable& appendable() = 0;
  virtual storage::Queryable& queryable() = 0;
};

// Opens a fresh storage in `dir`, an empty directory the runner removes after the group.
// rules/ does not depend on tsdb/: cmd/ (and tests) supply tsdb::DB::Open through this.
using OpenUnitTestStorageFn =
    std::function<base::Result<std::unique_ptr<UnitTestStorage>>(const std::string& dir)>;

// Adapts an owned object that is both Appendable and Queryable (a tsdb::DB).
template <typename S>
std::unique_ptr<UnitTestStorage> WrapUnitTestStorage(std::unique_ptr<S> s) {
  class Wrapped final : public UnitTestStorage {
   public:
    explicit Wrapped(std::unique_ptr<S> s) : s_(std::move(s)) {}
    storage::Appendable& appendable() override { return *s_; }
    storage::Queryable& queryable() override { return *s_; }

   private:
    std::unique_ptr<S> s_;
  };
  return std::make_unique<Wrapped>(std::move(s));
}

// Parses one series description. Errors: kInvalidArgument "1:COL: parse error: ..." with the
// 1-based byte column in `line` of the offending text.
base::Result<SeriesDesc> ParseSeriesDesc(std::string_view line);

// Runs the unit-test file `path` as promtool's ruleUnitTest: the errors promtool prints, in
// its order and wording (empty when every test passes). A rule_files pattern matching no file
// prints "  WARNING: no file match pattern P" on `warn`, as promtool does.
std::vector<std::string> RunRuleTestFile(const std::string& path, std::ostream& warn,
                                         const OpenUnitTestStorageFn& open_storage);

// The command: "Unit Testing:  FILE" on `out` for each file, then "  SUCCESS" on `out`, or
// "  FAILED:" and each error on `err` (and an empty line per error on `out`), then an empty
// line, as promtool test rules. Returns the exit code: 0 when every file passes, 1 when one
// fails or a file does not exist (then nothing is run, as promtool's argument check).
int TestRules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
              const OpenUnitTestStorageFn& open_storage);

}  // namespace rules

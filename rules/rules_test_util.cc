#include "rules/rules_test_util.h"

#include <catch2/catch.hpp>

#include "promql/parser/parse.h"
#include "rules/engine_query.h"

namespace rules::testing {

Env::Env() {
  tsdb::Options o;
  o.clock = &clock;
  auto db = tsdb::DB::Open(dir_.path() + "/data", o);
  REQUIRE(db.ok());
  db_ = std::move(*db);
}

Env::~Env() { db_->Close().IgnoreError(); }  // best effort: the directory is removed next

void Env::Add(const model::Labels& l, model::Timestamp t, double v) {
  auto app = db_->NewAppender();
  REQUIRE(app->Append(0, l, t, v).ok());
  REQUIRE(app->Commit().ok());
}

std::map<std::string, std::vector<model::Sample>> Env::Samples(const std::string& selector) {
  auto m = promql::parser::ParseMetricSelector(selector);
  REQUIRE(m.ok());
  auto q = db_->NewQuerier(model::kMinTime, model::kMaxTime);
  REQUIRE(q.ok());
  std::map<std::string, std::vector<model::Sample>> out;
  auto set = (*q)->Select(true, nullptr, *m);
  while (set->Next()) {
    auto it = set->At().NewIterator();
    auto& v = out[set->At().labels().ToString()];
    while (it->Next()) v.push_back({it->At().first, it->At().second});
  }
  return out;
}

GroupDeps Env::Deps() {
  GroupDeps d;
  d.query = EngineQueryFn(engine, *db_);
  d.notify = [this](std::string_view expr, std::vector<NotifierAlert> alerts) {
    std::lock_guard lock(sent_mu);
    for (auto& a : alerts) sent.emplace_back(std::string(expr), std::move(a));
  };
  d.appendable = db_.get();
  d.queryable = db_.get();
  d.clock = &clock;
  d.external_url = "http://hestia:9090";
  d.poll_interval = std::chrono::milliseconds(5);
  return d;
}

promql::ExprPtr Expr(const std::string& e) {
  auto r = promql::parser::Parse(e);
  REQUIRE(r.ok());
  return std::move(*r);
}

}  // namespace rules::testing

#include "alerting/route.h"

#include <catch2/catch.hpp>

#include "alerting/config/config.h"

using alerting::Route;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Route> Tree(const std::string& file) {
  auto c = alerting::config::LoadFile(std::string(HESTIA_SOURCE_DIR) +
                                      "/alerting/testdata/routing/" + file);
  if (!c.has_value()) FAIL(c.error().message());
  return Route::FromConfig(c->route);
}

std::unique_ptr<Route> TreeOf(const std::string& yaml) {
  auto c = alerting::config::Load(yaml);
  if (!c.has_value()) FAIL(c.error().message());
  return Route::FromConfig(c->route);
}

std::string Receivers(const Route& root, const model::Labels& labels) {
  std::string out;
  for (const Route* r : root.Match(labels)) out += (out.empty() ? "" : ",") + r->opts().receiver;
  return out;
}

}  // namespace

TEST_CASE("timings are inherited from the nearest route that sets them", "[alerting][route]") {
  auto root = Tree("06-timings.yml");
  CHECK(root->opts().group_wait == 1min);
  CHECK(root->opts().group_interval == 5min);  // Alertmanager's default
  CHECK(root->opts().repeat_interval == 4h);

  const Route& tier1 = *root->routes()[0];
  CHECK(tier1.opts().group_wait == 1min);
  CHECK(tier1.opts().group_interval == 1min);
  CHECK(tier1.opts().repeat_interval == 4h);
  const Route& tier1a = *tier1.routes()[0];
  CHECK(tier1a.opts().repeat_interval == 1h);
  const Route& leaf = *tier1a.routes()[0];
  CHECK(leaf.opts().receiver == "tier1a");
  CHECK(leaf.opts().group_wait == 5s);
  CHECK(leaf.opts().group_interval == 1min);
  CHECK(leaf.opts().repeat_interval == 1h);
  CHECK(root->routes()[1]->opts().repeat_interval == 48h);
  const Route& tier3 = *root->routes()[2];
  CHECK(tier3.opts().receiver == "root");
  CHECK(tier3.opts().group_wait == 0s);

  auto defaults = TreeOf("route: {receiver: r}\nreceivers: [{name: r}]\n");
  CHECK(defaults->opts().group_wait == 30s);
  CHECK(defaults->opts().group_interval == 5min);
  CHECK(defaults->opts().repeat_interval == 4h);
  CHECK(defaults->opts().group_by.empty());
  CHECK_FALSE(defaults->opts().group_by_all);
}

TEST_CASE("group_by follows Alertmanager's rules, including '...'", "[alerting][route]") {
  auto root = Tree("05-group-by-all.yml");
  CHECK(root->opts().group_by_all);
  const Route& a = *root->routes()[0];
  CHECK_FALSE(a.opts().group_by_all);
  CHECK(a.opts().group_by == std::set<std::string>{"alertname"});
  // `...` under a parent with labels: Alertmanager keeps the parent's labels and sets the flag.
  const Route& page = *a.routes()[0];
  CHECK(page.opts().group_by_all);
  CHECK(page.opts().group_by == std::set<std::string>{"alertname"});
  // An empty group_by inherits.
  const Route& b = *root->routes()[1];
  CHECK(b.opts().group_by_all);
  CHECK(b.opts().group_by.empty());
}

TEST_CASE("time intervals are not inherited", "[alerting][route]") {
  auto root = TreeOf(R"(
route:
  receiver: r
  routes:
  - matchers: [a=b]
    mute_time_intervals: [night]
    active_time_intervals: [week]
    routes: [{matchers: [c=d]}]
receivers: [{name: r}]
time_intervals: [{name: night}, {name: week}]
)");
  const Route& a = *root->routes()[0];
  CHECK(a.opts().mute_time_intervals == std::vector<std::string>{"night"});
  CHECK(a.opts().active_time_intervals == std::vector<std::string>{"week"});
  CHECK(a.routes()[0]->opts().mute_time_intervals.empty());
  CHECK(a.routes()[0]->opts().active_time_intervals.empty());
}

TEST_CASE("Match walks depth-first with continue", "[alerting][route]") {
  auto root = Tree("02-continue.yml");
  CHECK(Receivers(*root, {}) == "catch-all-after-web");
  CHECK(Receivers(*root, {{"severity", "critical"}, {"team", "db"}}) ==
        "pager,slack-db,slack-dbweb,db-email");  // slack-all's children matched: not itself
  CHECK(Receivers(*root, {{"severity", "warning"}, {"team", "web"}, {"audit", "true"}}) ==
        "slack-dbweb,audit-log,web-email,catch-all-after-web");
  auto nested = Tree("01-nested.yml");
  CHECK(Receivers(*nested, {{"team", "infra"}, {"service", "db"}, {"severity", "info"}}) ==
        "infra");
  CHECK(Receivers(*nested, {{"team", "app"}, {"env", "prod"}}) == "app-prod");
  auto matched = nested->Match({{"team", "infra"}, {"service", "network"}, {"site", "eu-1"}});
  REQUIRE(matched.size() == 1);
  CHECK(matched[0]->opts().receiver == "netops-eu");
  CHECK(matched[0]->parent()->parent()->parent() == nested.get());
}

TEST_CASE("route keys and IDs are Alertmanager's", "[alerting][route]") {
  auto root = Tree("09-siblings.yml");
  CHECK(root->Key() == "{}");
  CHECK(root->ID() == "{}");
  const auto& r = root->routes();
  CHECK(r[0]->Key() == R"({}/{env="prod"})");
  CHECK(r[1]->Key() == r[0]->Key());
  CHECK(r[0]->ID() == R"({}/{env="prod"}/0)");
  CHECK(r[1]->ID() == R"({}/{env="prod"}/1)");
  const Route& inner = *r[3]->routes()[1];
  CHECK(inner.Key() == R"({}/{env="stage"}/{env="stage"})");
  CHECK(inner.ID() == R"({}/{env="stage"}/3/{env="stage"}/1)");

  auto legacy = Tree("04-legacy.yml");
  const Route& mixed = *legacy->routes()[2];
  CHECK(mixed.Key() == R"({}/{env="prod",region=~"^(?:eu-.*|us-east-1)$",severity!="info"})");
  CHECK(legacy->routes()[0]->Key() == R"({}/{severity="critical",team="db"})");
}

TEST_CASE("route indexes number the tree children first", "[alerting][route]") {
  auto root = Tree("01-nested.yml");
  std::vector<std::pair<std::string, int>> seen;
  root->Walk([&](const Route& r) { seen.emplace_back(r.opts().receiver, r.idx()); });
  REQUIRE(seen.size() == 13);
  CHECK(seen.front() == std::make_pair(std::string("default"), 12));
  // team=infra/service=db/severity=critical is the first leaf.
  CHECK(root->routes()[0]->routes()[0]->routes()[0]->idx() == 0);
  CHECK(root->routes()[0]->routes()[0]->idx() == 2);
}

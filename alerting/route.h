// The routing tree: which receivers (and with which grouping and timing) an alert goes to, as
// Alertmanager's dispatch/route.go.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "alerting/config/config.h"
#include "alerting/matchers.h"
#include "model/labels.h"

namespace alerting {

// The options an alert takes from the route it matched (dispatch.RouteOpts).
struct RouteOpts {
  std::string receiver;
  std::set<std::string> group_by;
  bool group_by_all = false;
  std::chrono::milliseconds group_wait{std::chrono::seconds(30)};
  std::chrono::milliseconds group_interval{std::chrono::minutes(5)};
  std::chrono::milliseconds repeat_interval{std::chrono::hours(4)};
  // Not inherited from the parent route (as in Alertmanager).
  std::vector<std::string> mute_time_intervals;
  std::vector<std::string> active_time_intervals;
};

// Route is a node of the routing tree.
// Invariants: matchers() is sorted; each child's parent() is this node; opts() already holds
// the values inherited from the ancestors (receiver, group_by, group_by_all, the three timings:
// each taken from the nearest route that sets it, else Alertmanager's defaults 30s/5m/4h).
// Immutable after construction; thread-safe.
class Route {
 public:
  // Builds the tree for the root of a loaded config (dispatch.NewRoute(cfg.Route, nil)).
  static std::unique_ptr<Route> FromConfig(const config::Route& root);

  Route(const Route&) = delete;
  Route& operator=(const Route&) = delete;

  const RouteOpts& opts() const { return opts_; }
  // The legacy match (=) and match_re (=~, value "^(?:re)$" as Alertmanager keeps it) matchers
  // together with `matchers`, sorted.
  const Matchers& matchers() const { return matchers_; }
  bool continue_matching() const { return continue_; }
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }
  const Route* parent() const { return parent_; }
  // Position in the post-order walk of the tree (children before their parent), as
  // Alertmanager's Route.Idx.
  int idx() const { return idx_; }

  // The matching routes, depth-first and left to right: a matching node's children are tried
  // in order, stopping after the first match unless that child has `continue`; a node none of
  // whose children match is itself the result (Route.Match). Empty when this node does not
  // match. The pointers live as long as the tree.
  std::vector<const Route*> Match(const model::Labels& labels) const;

  // The parent's key, '/', and this node's matchers: "{}/{severity=\"critical\"}" (Route.Key).
  // Not unique: siblings with equal matchers share it. Group keys are built from it.
  std::string Key() const;
  // Key with the position among the siblings appended to each level: "{}/{a=\"b\"}/0"
  // (Route.ID of Alertmanager 0.27+); unique in the tree.
  std::string ID() const;

  // Visits this node and then its descendants, depth-first.
  void Walk(const std::function<void(const Route&)>& visit) const;

 private:
  Route() = default;
  static std::unique_ptr<Route> Build(const config::Route& cr, const Route* parent, int* counter);

  const Route* parent_ = nullptr;
  RouteOpts opts_;
  Matchers matchers_;
  bool continue_ = false;
  std::vector<std::unique_ptr<Route>> routes_;
  int idx_ = 0;
};

}  // namespace alerting

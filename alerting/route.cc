#include "alerting/route.h"

namespace alerting {

std::unique_ptr<Route> Route::FromConfig(const config::Route& root) {
  int counter = 0;
  return Build(root, nullptr, &counter);
}

// dispatch.NewRoute: start from the parent's options (or the defaults), override what this
// route sets. mute/active time intervals are this route's own.
std::unique_ptr<Route> Route::Build(const config::Route& cr, const Route* parent, int* counter) {
  std::unique_ptr<Route> r(new Route());
  r->parent_ = parent;
  if (parent != nullptr) r->opts_ = parent->opts_;
  RouteOpts& opts = r->opts_;
  if (!cr.receiver.empty()) opts.receiver = cr.receiver;
  // Alertmanager tests `cr.GroupBy != nil`: a group_by holding only "..." (or nothing) keeps
  // the parent's labels.
  if (!cr.group_by.empty()) {
    opts.group_by = std::set<std::string>(cr.group_by.begin(), cr.group_by.end());
    opts.group_by_all = false;
  } else if (cr.group_by_all) {
    opts.group_by_all = true;
  }
  if (cr.group_wait) opts.group_wait = *cr.group_wait;
  if (cr.group_interval) opts.group_interval = *cr.group_interval;
  if (cr.repeat_interval) opts.repeat_interval = *cr.repeat_interval;
  opts.mute_time_intervals = cr.mute_time_intervals;
  opts.active_time_intervals = cr.active_time_intervals;

  for (const auto& [name, value] : cr.match) {
    auto m = Matcher::Make(MatchType::kEqual, name, value);
    if (m.has_value()) r->matchers_.push_back(std::move(*m));
  }
  for (const auto& [name, re] : cr.match_re) {
    // The config validated the expression; anchoring it twice keeps its meaning.
    auto m = Matcher::Make(MatchType::kRegexMatch, name, re.anchored());
    if (m.has_value()) r->matchers_.push_back(std::move(*m));
  }
  for (const Matcher& m : cr.matchers) r->matchers_.push_back(m);
  SortMatchers(r->matchers_);
  r->continue_ = cr.continue_matching;

  for (const config::Route& child : cr.routes) {
    r->routes_.push_back(Build(child, r.get(), counter));
  }
  r->idx_ = (*counter)++;
  return r;
}

std::vector<const Route*> Route::Match(const model::Labels& labels) const {
  if (!MatchesAll(matchers_, labels)) return {};
  std::vector<const Route*> all;
  for (const auto& child : routes_) {
    std::vector<const Route*> matches = child->Match(labels);
    bool matched = !matches.empty();
    all.insert(all.end(), matches.begin(), matches.end());
    if (matched && !child->continue_) break;
  }
  if (all.empty()) all.push_back(this);
  return all;
}

std::string Route::Key() const {
  std::string key;
  if (parent_ != nullptr) key = parent_->Key() + "/";
  key += MatchersToString(matchers_);
  return key;
}

std::string Route::ID() const {
  std::string id;
  if (parent_ != nullptr) id = parent_->ID() + "/";
  id += MatchersToString(matchers_);
  if (parent_ != nullptr) {
    for (size_t i = 0; i < parent_->routes_.size(); ++i) {
      if (parent_->routes_[i].get() == this) {
        id += "/" + std::to_string(i);
        break;
      }
    }
  }
  return id;
}

void Route::Walk(const std::function<void(const Route&)>& visit) const {
  visit(*this);
  for (const auto& child : routes_) child->Walk(visit);
}

}  // namespace alerting

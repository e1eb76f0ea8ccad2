#include "rules/manager.h"

#include <glob.h>

#include <filesystem>

#include "promql/parser/parse.h"
#include "rules/loader.h"
#include "rules/recording_rule.h"

namespace rules {

Manager::Manager(ManagerOptions options) : options_(std::move(options)) {}

Manager::~Manager() { Stop(); }

base::Result<std::vector<std::shared_ptr<Group>>> Manager::LoadGroups(
    std::chrono::milliseconds interval, const std::vector<std::string>& files,
    const model::Labels& external_labels, bool should_restore,
    std::chrono::milliseconds default_query_offset) const {
  std::vector<std::shared_ptr<Group>> out;
  for (const std::string& fn : files) {
    ASSIGN_OR_RETURN(config::RuleFile file, LoadRuleFile(fn));
    GroupBuildOptions o{interval, external_labels, options_.external_url, should_restore,
                        default_query_offset};
    ASSIGN_OR_RETURN(std::vector<GroupSpec> specs, BuildGroupSpecs(fn, file, o));
    for (GroupSpec& spec : specs) out.push_back(std::make_shared<Group>(std::move(spec), &options_));
  }
  return out;
}

base::Status Manager::Update(std::chrono::milliseconds interval,
                             const std::vector<std::string>& files,
                             const model::Labels& external_labels,
                             std::chrono::milliseconds default_query_offset) {
  std::lock_guard lock(mu_);
  if (stopped_) return base::Status::Ok();
  auto loaded = LoadGroups(interval, files, external_labels, !restored_, default_query_offset);
  if (!loaded.ok()) {
    options_.logger->Error("rules", "loading groups failed", {{"err", loaded.error().message()}});
    return loaded.error();
  }
  restored_ = true;

  std::map<std::string, Running> next;
  for (std::shared_ptr<Group>& g : *loaded) {
    std::string key = g->Key();
    auto old = groups_.find(key);
    if (old != groups_.end() && old->second.group->Equals(*g)) {
      next[key] = std::move(old->second);
      groups_.erase(old);
      continue;
    }
    if (old != groups_.end()) {
      old->second.thread.request_stop();
      old->second.thread.join();
      g->CopyState(*old->second.group);
      groups_.erase(old);
    }
    Running r;
    r.group = g;
    r.thread = std::jthread([g](std::stop_token st) { g->Run(st); });
    next.emplace(key, std::move(r));
  }
  // Groups no longer configured: stop them, then mark their series stale.
  const model::Timestamp now = options_.clock->NowMs();
  std::erase_if(retiring_, [](const Retiring& r) { return r.done->load(); });  // joins them
  for (auto& [key, r] : groups_) {
    r.thread.request_stop();
    r.thread.join();
    Retiring retire;
    retire.done = std::make_shared<std::atomic<bool>>(false);
    retire.thread = std::jthread([g = r.group, done = retire.done, now](std::stop_token st) {
      g->SleepUntil(now + 2 * g->interval().count(), st);
      if (!st.stop_requested()) g->MarkStale(now);
      done->store(true);
    });
    retiring_.push_back(std::move(retire));
  }
  groups_ = std::move(next);
  return base::Status::Ok();
}

base::Result<std::vector<std::string>> Manager::RuleFilePaths(const config::Config& cfg) {
  std::filesystem::path dir;
  if (!cfg.source.empty() && cfg.source != "<default>")
    dir = std::filesystem::path(cfg.source).parent_path();
  std::vector<std::string> files;
  for (const std::string& pattern : cfg.rule_files) {
    std::string p = pattern;
    if (!p.empty() && p.front() != '/' && !dir.empty()) p = (dir / p).string();
    glob_t g{};
    int rc = ::glob(p.c_str(), 0, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
    } else if (rc != GLOB_NOMATCH) {
      globfree(&g);
      return base::InvalidArgument("error retrieving rule files for " + pattern);
    }
    globfree(&g);
  }
  return files;
}

base::Status Manager::ApplyConfig(const config::Config& cfg) {
  ASSIGN_OR_RETURN(std::vector<std::string> files, RuleFilePaths(cfg));
  return Update(cfg.global.evaluation_interval, files, cfg.global.external_labels,
                cfg.global.rule_query_offset);
}

void Manager::Stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  for (auto& [key, r] : groups_) r.thread.request_stop();
  for (auto& r : retiring_) r.thread.request_stop();
  for (auto& [key, r] : groups_)
    if (r.thread.joinable()) r.thread.join();
  for (auto& r : retiring_)
    if (r.thread.joinable()) r.thread.join();
  retiring_.clear();
}

std::vector<std::shared_ptr<Group>> Manager::RuleGroups() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Group>> out;
  for (const auto& [key, r] : groups_) out.push_back(r.group);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a->file() != b->file()) return a->file() < b->file();
    return a->name() < b->name();
  });
  return out;
}

}  // namespace rules

#include "scrape/manager.h"

#include <algorithm>

#include "base/duration.h"
#include "scrape/target_scraper.h"

namespace scrape {
namespace {

std::string EscapeQuery(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// The key of a scrape config's settings: targets of a changed config restart.
std::string ConfigKey(const config::ScrapeConfig& c) {
  std::string k = c.job_name + "|" + std::to_string(c.scrape_interval.count()) + "|" +
                  std::to_string(c.scrape_timeout.count()) + "|" + c.metrics_path + "|" + c.scheme +
                  "|" + (c.honor_labels ? "1" : "0") + (c.honor_timestamps ? "1" : "0") + "|" +
                  std::to_string(c.sample_limit) + "|" + std::to_string(c.label_limit) + "|" +
                  std::to_string(c.body_size_limit) + "|" +
                  std::to_string(c.metric_relabel_configs.size());
  for (const auto& r : c.metric_relabel_configs) k += "|" + r.regex.source() + r.target_label + r.replacement;
  return k;
}

}  // namespace

base::Result<Target> PopulateTarget(const config::ScrapeConfig& cfg, const model::Labels& discovered,
                                    bool* dropped) {
  *dropped = false;
  model::LabelsBuilder b(discovered);
  auto set_default = [&](std::string_view name, const std::string& value) {
    if (b.Get(name).empty()) b.Set(name, value);
  };
  set_default("job", cfg.job_name);
  set_default("__scrape_interval__", base::FormatDuration(cfg.scrape_interval));
  set_default("__scrape_timeout__", base::FormatDuration(cfg.scrape_timeout));
  set_default("__metrics_path__", cfg.metrics_path);
  set_default("__scheme__", cfg.scheme);
  for (const auto& [name, values] : cfg.params)
    if (!values.empty()) set_default("__param_" + name, values[0]);
  Target t;
  t.discovered = b.Build();
  model::Labels lset = t.discovered;
  if (!cfg.relabel_configs.empty()) {
    auto r = model::Process(lset, cfg.relabel_configs);
    if (!r || r->empty()) {
      *dropped = true;
      return t;
    }
    lset = std::move(*r);
  }
  std::string_view address = lset.Get("__address__");
  if (address.empty()) return base::InvalidArgument("no address");
  auto interval = base::ParseDuration(lset.Get("__scrape_interval__"));
  if (!interval || interval->count() == 0)
    return base::InvalidArgument("error parsing scrape interval: " +
                                 std::string(lset.Get("__scrape_interval__")));
  auto timeout = base::ParseDuration(lset.Get("__scrape_timeout__"));
  if (!timeout || timeout->count() == 0)
    return base::InvalidArgument("error parsing scrape timeout: " +
                                 std::string(lset.Get("__scrape_timeout__")));
  if (*timeout > *interval)
    return base::InvalidArgument("scrape timeout cannot be greater than scrape interval (\"" +
                                 base::FormatDuration(*timeout) + "\" > \"" +
                                 base::FormatDuration(*interval) + "\")");
  t.interval = *interval;
  t.timeout = *timeout;
  // The URL: scheme, address, path, and the params (a __param_ label overrides the first value).
  std::string query;
  std::map<std::string, std::vector<std::string>> params = cfg.params;
  for (const model::Label& l : lset) {
    if (!l.name.starts_with("__param_")) continue;
    auto& v = params[std::string(l.name.substr(8))];
    if (v.empty()) v.emplace_back(l.value);
    else v[0] = std::string(l.value);
  }
  for (const auto& [name, values] : params)
    for (const std::string& v : values) query += (query.empty() ? "?" : "&") + EscapeQuery(name) + "=" + EscapeQuery(v);
  t.url = std::string(lset.Get("__scheme__")) + "://" + std::string(address) +
          std::string(lset.Get("__metrics_path__")) + query;
  model::LabelsBuilder out(lset);
  if (out.Get("instance").empty()) out.Set("instance", address);
  for (const model::Label& l : lset)
    if (l.name.starts_with("__")) out.Del(l.name);
  t.labels = out.Build();
  return t;
}

Manager::Manager(Options options)
    : options_(std::move(options)),
      own_registry_(options_.registry ? nullptr : std::make_unique<base::metrics::Registry>()),
      registry_(options_.registry ? options_.registry : own_registry_.get()) {}

Manager::~Manager() { Stop(); }

void Manager::SyncPool(Pool& pool) {
  const config::ScrapeConfig& sc = pool.config;
  std::map<std::string, Running> next;
  std::vector<TargetStatus> dropped;
  auto add_group = [&](const config::StaticConfig& group) {
    for (const std::string& address : group.targets) {
      // The target's address wins over a group label of the same name (Prometheus's
      // targetsFromGroup).
      model::LabelsBuilder b(group.labels);
      b.Set("__address__", address);
      bool is_dropped = false;
      auto target = PopulateTarget(sc, b.Build(), &is_dropped);
      if (!target) {
        options_.logger->Warn("scrape", "Target dropped: invalid labels",
                              {{"scrape_pool", sc.job_name}, {"err", target.error().message()}});
        continue;
      }
      if (is_dropped) {
        TargetStatus d;
        d.scrape_pool = sc.job_name;
        d.discovered_labels = target->discovered;
        d.dropped = true;
        dropped.push_back(std::move(d));
        continue;
      }
      std::string id = sc.job_name + target->labels.ToString() + target->url;
      if (next.contains(id)) continue;  // the same target twice in a pool
      auto it = pool.running.find(id);
      if (it != pool.running.end() && it->second.config_key == pool.config_key) {
        // Discovered labels may differ (another group, another file) for the same target.
        it->second.target.discovered = target->discovered;
        next.emplace(id, std::move(it->second));
        pool.running.erase(it);
        continue;
      }
      LoopOptions lo;
      lo.target_labels = target->labels;
      lo.interval = target->interval;
      lo.timeout = target->timeout;
      lo.honor_labels = sc.honor_labels;
      lo.honor_timestamps = sc.honor_timestamps;
      lo.sample_limit = sc.sample_limit;
      lo.label_limit = sc.label_limit;
      lo.label_name_length_limit = sc.label_name_length_limit;
      lo.label_value_length_limit = sc.label_value_length_limit;
      lo.metric_relabel_configs = sc.metric_relabel_configs;
      Running r{sc.job_name, *target, pool.config_key,
                std::make_unique<ScrapeLoop>(std::move(lo), *options_.appendable,
                                             HttpFetcher(target->url, sc, options_.user_agent),
                                             *options_.clock)};
      r.loop->Start(ScrapeOffset(target->labels, target->interval, options_.clock->NowMs()));
      next.emplace(id, std::move(r));
    }
  };
  for (const config::StaticConfig& group : sc.sd.static_configs) add_group(group);
  for (const auto& groups : pool.file_groups)
    for (const config::StaticConfig& group : groups) add_group(group);
  // Targets no longer there stop, and their series go stale (as on a reload).
  for (auto& [id, r] : pool.running) r.loop->Stop(/*stale=*/true);
  pool.running = std::move(next);
  pool.dropped = std::move(dropped);
}

void Manager::OnDiscovered(const std::string& pool, size_t index,
                           std::vector<config::StaticConfig> groups) {
  std::lock_guard lock(mu_);
  auto it = pools_.find(pool);
  if (it == pools_.end() || index >= it->second.file_groups.size()) return;
  it->second.file_groups[index] = std::move(groups);
  SyncPool(it->second);
}

void Manager::ApplyConfig(const config::Config& cfg) {
  std::lock_guard apply_lock(apply_mu_);
  // Discoveries of the old configuration stop first: their updates take mu_.
  for (auto& d : discoveries_) d->Stop();
  discoveries_.clear();
  struct Discovered {
    std::string pool;
    size_t index;
    FileDiscovery* discovery;
  };
  std::vector<Discovered> started;
  std::map<std::string, Pool> next;
  std::vector<std::string> order;
  for (const config::ScrapeConfig& sc : cfg.scrape_configs) {
    Pool p;
    p.config = sc;
    p.config_key = ConfigKey(sc);
    for (size_t i = 0; i < sc.sd.file_sd_configs.size(); ++i) {
      auto d = std::make_unique<FileDiscovery>(sc.sd.file_sd_configs[i],
                                               FileDiscovery::Options{options_.logger, registry_});
      // The first read happens here, so that the targets start with the configuration.
      d->Refresh();
      p.file_groups.push_back(d->Groups());
      started.push_back({sc.job_name, i, d.get()});
      discoveries_.push_back(std::move(d));
    }
    order.push_back(sc.job_name);
    next.emplace(sc.job_name, std::move(p));
  }
  {
    std::lock_guard lock(mu_);
    for (auto& [name, p] : next) {
      if (auto old = pools_.find(name); old != pools_.end()) p.running.swap(old->second.running);
      SyncPool(p);
    }
    // Pools no longer configured stop, and their series go stale.
    for (auto& [name, p] : pools_)
      for (auto& [id, r] : p.running) r.loop->Stop(/*stale=*/true);
    pools_ = std::move(next);
    pool_order_ = std::move(order);
  }
  for (const Discovered& d : started) {
    d.discovery->Start([this, pool = d.pool, index = d.index](std::vector<config::StaticConfig> groups) {
      OnDiscovered(pool, index, std::move(groups));
    });
  }
}

std::vector<std::string> Manager::Pools() const {
  std::lock_guard lock(mu_);
  return pool_order_;
}

void Manager::Stop() {
  std::lock_guard apply_lock(apply_mu_);
  for (auto& d : discoveries_) d->Stop();
  discoveries_.clear();
  std::lock_guard lock(mu_);
  for (auto& [name, p] : pools_)
    for (auto& [id, r] : p.running) r.loop->Stop(false);
  pools_.clear();
}

std::vector<TargetStatus> Manager::Targets() const {
  std::lock_guard lock(mu_);
  std::vector<TargetStatus> out;
  for (const auto& [name, p] : pools_) {
    for (const auto& [id, r] : p.running) {
      TargetStatus s;
      s.scrape_pool = r.pool;
      s.discovered_labels = r.target.discovered;
      s.labels = r.target.labels;
      s.scrape_url = r.target.url;
      s.interval = r.target.interval;
      s.timeout = r.target.timeout;
      s.last = r.loop->LastReport();
      out.push_back(std::move(s));
    }
    out.insert(out.end(), p.dropped.begin(), p.dropped.end());
    // Service discovery Hestia does not implement shows as a target that is never scraped,
    // its lastError saying so, instead of failing the whole configuration.
    for (const std::string& sd : p.config.sd.unsupported) {
      TargetStatus s;
      s.scrape_pool = name;
      s.discovered_labels = model::Labels{{"job", name}, {"__meta_hestia_unsupported_sd", sd}};
      s.labels = model::Labels{{"job", name}};
      s.interval = p.config.scrape_interval;
      s.timeout = p.config.scrape_timeout;
      s.last.error = base::InvalidArgument(sd + " is not supported by Hestia: its targets are not discovered");
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::vector<TargetMetadata> Manager::TargetsMetadata(std::string_view metric) const {
  std::lock_guard lock(mu_);
  std::vector<TargetMetadata> out;
  for (const auto& [name, p] : pools_) {
    const size_t first = out.size();
    for (const auto& [id, r] : p.running) {
      TargetMetadata t;
      t.scrape_pool = name;
      t.labels = r.target.labels;
      if (metric.empty()) {
        t.metadata = r.loop->ListMetadata();
      } else if (auto m = r.loop->GetMetadata(metric)) {
        t.metadata.push_back(std::move(*m));
      }
      out.push_back(std::move(t));
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
              [](const TargetMetadata& a, const TargetMetadata& b) { return a.labels < b.labels; });
  }
  return out;
}

}  // namespace scrape

// hestia: the server (no subcommand) and its tools (`hestia tsdb dump`). Flags, wiring, no logic.
#include <malloc.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "alerting/alertmanager.h"
#include "alerting/cli.h"
#include "alerting/config/config.h"
#include "base/duration.h"
#include "base/flags.h"
#include "base/logger.h"
#include "base/metrics.h"
#include "config/config.h"
#include "hestia/version.h"
#include "notifier/notifier.h"
#include "promql/engine.h"
#include "promql/parser/parse.h"
#include "rules/api.h"
#include "rules/check_rules.h"
#include "rules/engine_query.h"
#include "rules/manager.h"
#include "rules/unit_test_runner.h"
#include "scrape/manager.h"
#include "tsdb/db.h"
#include "tsdb/dump.h"
#include "web/server.h"

namespace {

constexpr const char* kSummary =
    "Hestia: a Prometheus-compatible metrics store and alert engine.\n"
    "Subcommands: (none) runs the server; `tsdb dump` prints stored samples;\n"
    "`alertmanager [flags]` runs a standalone Alertmanager;\n"
    "`alertmanager check-config` and `alertmanager routes [show|test]` work as amtool's;\n"
    "`check rules FILE...` and `test rules FILE...` work as promtool's.";

void DeclareServerFlags(base::FlagSet& f) {
  f.String("config.file", "", "Hestia configuration file path (Prometheus format).")
      .String("web.listen-address", "0.0.0.0:9090", "Address to listen on for UI, API, and telemetry.")
      .String("web.external-url", "", "The URL under which Hestia is externally reachable.")
      .String("web.route-prefix", "", "Prefix for the internal routes of web endpoints.")
      .Bool("web.enable-lifecycle", false, "Enable shutdown and reload via HTTP request.")
      .Bool("web.enable-remote-write-receiver", false,
            "Accepted for Prometheus compatibility: the remote-write receiver is always on.")
      .String("web.remote-write.max-body-bytes", "32MiB",
              "Largest compressed remote-write request body accepted.")
      .String("storage.tsdb.path", "data/", "Base path for metrics storage.")
      .String("storage.tsdb.retention.time", "15d", "How long to retain samples in storage.")
      .String("storage.tsdb.retention.size", "0",
              "Maximum number of bytes that can be stored for blocks (units: B, KB, MB, GB, TB, PB, "
              "EB; 0 means no limit).")
      .String("storage.tsdb.min-block-duration", "2h",
              "Minimum duration of a data block before being persisted (0 keeps all data in the head).")
      .String("storage.tsdb.max-block-duration", "",
              "Maximum duration compacted blocks may span (default: 10% of the retention period, "
              "at most 31d).")
      .String("storage.tsdb.compaction-interval", "1m",
              "How often the head is cut into blocks, blocks are compacted and retention is applied.")
      .Bool("web.enable-admin-api", false,
            "Enable API endpoints for admin control actions (delete_series, clean_tombstones, "
            "snapshot).")
      .String("storage.tsdb.wal-segment-size", "128MiB", "Size at which to split the WAL segment files.")
      .Bool("storage.tsdb.wal-compression", true, "Compress the tsdb WAL (snappy).")
      .String("storage.tsdb.wal-sync", "interval",
              "When to fsync the WAL: segment, interval (every 1s) or always (before every "
              "acknowledgement). See docs/format/wal.md.")
      .String("storage.tsdb.wal-sync-interval", "1s",
              "How often the WAL is fsynced with --storage.tsdb.wal-sync=interval.")
      .String("query.timeout", "2m", "Maximum time a query may take before being aborted.")
      .String("query.max-samples", "50000000",
              "Maximum number of samples a single query can load into memory.")
      .String("query.lookback-delta", "5m",
              "The maximum lookback duration for retrieving metrics during expression evaluations.")
      .String("query.max-concurrency", "20", "Maximum number of queries executed concurrently.")
      .String("rules.alert.for-outage-tolerance", "1h",
              "Max time to tolerate prometheus outage for restoring \"for\" state of alert.")
      .String("rules.alert.for-grace-period", "10m",
              "Minimum duration between alert and restored \"for\" state. This is maintained only "
              "for alerts with configured \"for\" time greater than grace period.")
      .String("rules.alert.resend-delay", "1m",
              "Minimum amount of time to wait before resending an alert to Alertmanager.")
      .String("alertmanager.notification-queue-capacity", "10000",
              "The capacity of the queue for pending Alertmanager notifications.")
      .String("alertmanager.notification-batch-size", "256",
              "The maximum number of notifications per batch to send to the Alertmanager.")
      .Bool("alertmanager.drain-notification-queue-on-shutdown", true,
            "Send any outstanding Alertmanager notifications when shutting down. If false, any "
            "outstanding Alertmanager notifications will be dropped when shutting down.")
      .String("alertmanager.timeout", "", "[DEPRECATED] This flag has no effect.")
      .String("alertmanager.config.file", "",
              "Alertmanager configuration file (alertmanager.yml): runs an Alertmanager inside "
              "Hestia, fed by the rules in-process, with API v2 under /api/v2.")
      .String("alertmanager.storage.path", "",
              "Where the in-process Alertmanager keeps silences and the notification log "
              "(default <storage.tsdb.path>/alertmanager).")
      .String("log.level", "info", "Only log messages with the given severity or above: debug, info, warn, error.")
      .Bool("version", false, "Show application version.");
}

// The current time as RFC 3339 with nanoseconds, as Go marshals a time.Time.
std::string Rfc3339Now() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  std::time_t secs = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(ns % 1000000000));
  return buf;
}

// Threads of this process (Linux), reported where Prometheus reports goroutines.
int64_t ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("Threads:")) return std::atoll(line.c_str() + 8);
  return 0;
}

std::atomic<int> g_signal{0};
void OnSignal(int sig) { g_signal.store(sig); }

int Fail(const std::string& msg) {
  std::fprintf(stderr, "hestia: error: %s\n", msg.c_str());
  return 1;
}

// Prometheus's external URL: --web.external-url, or http://<hostname>:<listen port>; without
// a trailing slash (alerts' generatorURL appends /graph?...).
std::string ExternalUrl(const base::FlagSet& flags) {
  std::string url = flags.Get("web.external-url");
  if (url.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
    const std::string& listen = flags.Get("web.listen-address");
    url = std::string("http://") + host + ":" + listen.substr(listen.rfind(':') + 1);
  }
  while (url.ends_with('/')) url.pop_back();
  return url;
}

// The rules' alerts as the in-process Alertmanager takes them.
std::vector<alerting::Alert> ToAlertmanagerAlerts(const std::vector<notifier::Alert>& batch) {
  std::vector<alerting::Alert> out;
  out.reserve(batch.size());
  for (const notifier::Alert& a : batch) {
    alerting::Alert am;
    am.labels = a.labels;
    std::vector<model::Label> annotations;
    annotations.reserve(a.annotations.size());
    for (const auto& [k, v] : a.annotations) annotations.push_back({k, v});
    am.annotations = model::Labels::FromVector(std::move(annotations));
    am.starts_at = a.starts_at;
    am.ends_at = a.ends_at;
    am.generator_url = a.generator_url;
    out.push_back(std::move(am));
  }
  return out;
}

int RunServer(const base::FlagSet& flags) {
  auto level = base::Logger::ParseLevel(flags.Get("log.level"));
  if (!level) return Fail("invalid --log.level \"" + flags.Get("log.level") + "\"");
  base::Logger logger(*level);
  base::metrics::Registry registry;

  auto retention = base::ParseDuration(flags.Get("storage.tsdb.retention.time"));
  if (!retention) return Fail("--storage.tsdb.retention.time: " + retention.error().message());
  auto segment = base::ParseBytes(flags.Get("storage.tsdb.wal-segment-size"));
  if (!segment) return Fail("--storage.tsdb.wal-segment-size: " + segment.error().message());
  auto body_limit = base::ParseBytes(flags.Get("web.remote-write.max-body-bytes"));
  if (!body_limit) return Fail("--web.remote-write.max-body-bytes: " + body_limit.error().message());

  auto sync_interval = base::ParseDuration(flags.Get("storage.tsdb.wal-sync-interval"));
  if (!sync_interval || sync_interval->count() <= 0)
    return Fail("--storage.tsdb.wal-sync-interval must be a positive duration");

  promql::EngineOptions eo;
  auto query_timeout = base::ParseDuration(flags.Get("query.timeout"));
  auto lookback = base::ParseDuration(flags.Get("query.lookback-delta"));
  if (!query_timeout) return Fail("--query.timeout: " + query_timeout.error().message());
  if (!lookback) return Fail("--query.lookback-delta: " + lookback.error().message());
  eo.timeout = *query_timeout;
  eo.lookback_delta = *lookback;
  {
    const std::string& ms = flags.Get("query.max-samples");
    const std::string& mc = flags.Get("query.max-concurrency");
    auto [p1, e1] = std::from_chars(ms.data(), ms.data() + ms.size(), eo.max_samples);
    auto [p2, e2] = std::from_chars(mc.data(), mc.data() + mc.size(), eo.max_concurrency);
    if (e1 != std::errc() || p1 != ms.data() + ms.size() || eo.max_samples <= 0)
      return Fail("--query.max-samples must be a positive integer");
    if (e2 != std::errc() || p2 != mc.data() + mc.size() || eo.max_concurrency <= 0)
      return Fail("--query.max-concurrency must be a positive integer");
  }
  auto retention_size = base::ParseBytes(flags.Get("storage.tsdb.retention.size"));
  if (!retention_size) return Fail("--storage.tsdb.retention.size: " + retention_size.error().message());
  auto min_block = base::ParseDuration(flags.Get("storage.tsdb.min-block-duration"));
  if (!min_block) return Fail("--storage.tsdb.min-block-duration: " + min_block.error().message());
  std::chrono::milliseconds max_block{0};
  if (!flags.Get("storage.tsdb.max-block-duration").empty()) {
    auto d = base::ParseDuration(flags.Get("storage.tsdb.max-block-duration"));
    if (!d) return Fail("--storage.tsdb.max-block-duration: " + d.error().message());
    max_block = *d;
  }
  auto compaction_interval = base::ParseDuration(flags.Get("storage.tsdb.compaction-interval"));
  if (!compaction_interval || compaction_interval->count() <= 0)
    return Fail("--storage.tsdb.compaction-interval must be a positive duration");
  tsdb::Options opts;
  opts.compaction_interval = *compaction_interval;
  opts.retention = *retention;
  opts.retention_bytes = *retention_size;
  opts.block_range = *min_block;
  opts.max_block_duration = max_block;
  opts.wal_sync_interval = *sync_interval;
  opts.wal_segment_bytes = static_cast<size_t>(*segment);
  opts.wal_compression = flags.GetBool("storage.tsdb.wal-compression");
  const std::string& sync = flags.Get("storage.tsdb.wal-sync");
  if (sync == "segment") opts.wal_sync = tsdb::WalSyncMode::kSegment;
  else if (sync == "interval") opts.wal_sync = tsdb::WalSyncMode::kInterval;
  else if (sync == "always") opts.wal_sync = tsdb::WalSyncMode::kAlways;
  else return Fail("--storage.tsdb.wal-sync must be segment, interval or always, not \"" + sync + "\"");
  opts.logger = &logger;
  opts.registry = &registry;

  const std::string& config_file = flags.Get("config.file");
  auto cfg = config_file.empty() ? config::Parse(config::DefaultYaml(), "<default>")
                                 : config::LoadFile(config_file);
  if (!cfg) return Fail("error loading config from \"" + config_file + "\": " + cfg.error().message());

  for (const std::string& w : cfg->warnings) logger.Warn("config", "Configuration loads with a limitation", {{"detail", w}});

  logger.Info("main", "Starting Hestia", {{"version", HESTIA_VERSION}, {"revision", HESTIA_REVISION}});
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGHUP, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);

  const std::string& path = flags.Get("storage.tsdb.path");
  opts.out_of_order_window = cfg->storage.out_of_order_time_window;
  auto db = tsdb::DB::Open(path, opts);
  if (!db) return Fail("opening storage failed: " + db.error().message());

  promql::Engine engine(eo);
  web::Server::Options wo;
  wo.engine = &engine;
  wo.listen_address = flags.Get("web.listen-address");
  wo.external_url = flags.Get("web.external-url");
  wo.route_prefix = flags.Get("web.route-prefix");
  wo.logger = &logger;
  wo.registry = &registry;
  wo.queryable = db->get();
  wo.appendable = db->get();
  tsdb::DB* dbp = db->get();
  wo.tsdb_stats = [dbp](size_t limit) { return dbp->Stats(limit); };
  wo.max_remote_write_body_bytes = static_cast<size_t>(*body_limit);
  wo.build_info = {HESTIA_VERSION, HESTIA_REVISION, HESTIA_BRANCH, "", HESTIA_BUILD_DATE, ""};
  for (const auto& [k, v] : flags.Values()) wo.flags.emplace_back(k, v);
  // The running configuration's text; SIGHUP swaps it (under the mutex the lambda shares).
  auto config_text = std::make_shared<std::pair<std::mutex, std::string>>();
  config_text->second = cfg->yaml;
  wo.config_yaml = [config_text] {
    std::lock_guard lock(config_text->first);
    return config_text->second;
  };
  const std::string start_time = Rfc3339Now();
  // As Prometheus's runtimeinfo: "15d", "512MiB" or "15d or 512MiB".
  std::string retention_flag = retention->count() > 0 ? flags.Get("storage.tsdb.retention.time") : "";
  if (*retention_size > 0) {
    retention_flag += (retention_flag.empty() ? "" : " or ") + flags.Get("storage.tsdb.retention.size");
  }
  base::metrics::Counter& corruptions = registry.GetCounter(
      "prometheus_tsdb_wal_corruptions_total", "Total number of WAL corruptions.");
  wo.runtime_info = [start_time, retention_flag, &corruptions] {
    web::RuntimeInfo r;
    r.start_time = start_time;
    std::error_code ec;
    r.cwd = std::filesystem::current_path(ec).string();
    r.last_config_time = start_time;
    r.corruption_count = static_cast<int64_t>(corruptions.value());
    r.goroutine_count = ThreadCount();
    r.gomaxprocs = std::thread::hardware_concurrency();
    r.storage_retention = retention_flag;
    return r;
  };
  wo.admin.enabled = flags.GetBool("web.enable-admin-api");
  wo.admin.delete_series = [dbp](model::Timestamp start, model::Timestamp end,
                                 const std::vector<model::Matcher>& matchers) {
    return dbp->Delete(start, end, matchers);
  };
  wo.admin.clean_tombstones = [dbp] { return dbp->CleanTombstones(); };
  wo.admin.snapshot = [dbp](const std::string& name, bool skip_head) {
    return dbp->Snapshot(dbp->dir() + "/snapshots/" + name, skip_head);
  };
  scrape::Manager scrapes({db->get(), &logger, &base::Clock::Real(), "Hestia/" HESTIA_VERSION, &registry});
  wo.targets = [&scrapes] { return scrapes.Targets(); };
  wo.scrape_pools = [&scrapes] { return scrapes.Pools(); };
  wo.metadata = [&scrapes](std::string_view metric) { return scrapes.TargetsMetadata(metric); };
  // Recording and alerting rules of the configuration's rule_files, evaluated by the engine
  // over the database; due alerts go to the configuration's Alertmanagers through the
  // notifier (notifier/), which therefore outlives the rule manager.
  // The in-process Alertmanager (--alertmanager.config.file): the rules' alerts reach it through
  // the notifier's local callback, its API v2 is served on this server's port.
  const std::string& am_config_file = flags.Get("alertmanager.config.file");
  std::unique_ptr<alerting::Alertmanager> alertmanager;
  if (!am_config_file.empty()) {
    auto am_cfg = alerting::config::LoadFile(am_config_file);
    if (!am_cfg)
      return Fail("loading Alertmanager configuration file \"" + am_config_file + "\" failed: " +
                  am_cfg.error().message());
    alerting::AlertmanagerOptions ao;
    ao.storage_path = flags.Get("alertmanager.storage.path");
    if (ao.storage_path.empty()) ao.storage_path = (std::filesystem::path(path) / "alertmanager").string();
    ao.external_url = ExternalUrl(flags);
    ao.logger = &logger;
    ao.registry = &registry;
    alertmanager = std::make_unique<alerting::Alertmanager>(std::move(ao));
    if (base::Status st = alertmanager->Open(); !st.ok())
      return Fail("opening the Alertmanager's storage failed: " + st.message());
    if (base::Status st = alertmanager->ApplyConfig(
            std::make_shared<const alerting::config::Config>(std::move(*am_cfg)));
        !st.ok())
      return Fail("applying the Alertmanager configuration failed: " + st.message());
    wo.alertmanager = alertmanager.get();
  }
  notifier::Options no;
  if (alertmanager) {
    no.local = [am = alertmanager.get(), &logger](const std::vector<notifier::Alert>& batch) {
      if (base::Status st = am->PutAlerts(ToAlertmanagerAlerts(batch)); !st.ok())
        logger.Error("alertmanager", "Failed to validate alerts", {{"err", st.message()}});
    };
  }
  for (auto [name, field] : {std::pair{"alertmanager.notification-queue-capacity", &no.queue_capacity},
                             std::pair{"alertmanager.notification-batch-size", &no.max_batch_size}}) {
    const std::string& v = flags.Get(name);
    auto [p, e] = std::from_chars(v.data(), v.data() + v.size(), *field);
    if (e != std::errc() || p != v.data() + v.size() || *field == 0)
      return Fail(std::string("--") + name + " must be a positive integer");
  }
  no.drain_on_shutdown = flags.GetBool("alertmanager.drain-notification-queue-on-shutdown");
  no.user_agent = "Hestia/" HESTIA_VERSION;
  no.logger = &logger;
  no.registry = &registry;
  if (flags.IsSet("alertmanager.timeout"))
    logger.Warn("main", "The flag --alertmanager.timeout has no effect and will be removed in the future.");
  notifier::Manager notifications(std::move(no));
  wo.alertmanagers = [&notifications] { return notifications.AlertmanagersJson(); };
  rules::ManagerOptions ro;
  ro.notify = [&notifications](std::string_view, std::vector<rules::NotifierAlert> alerts) {
    std::vector<notifier::Alert> out;
    out.reserve(alerts.size());
    for (rules::NotifierAlert& a : alerts)
      out.push_back({std::move(a.labels), std::move(a.annotations), a.starts_at, a.ends_at,
                     std::move(a.generator_url)});
    notifications.Send(std::move(out));
  };
  ro.query = rules::EngineQueryFn(engine, **db);
  ro.appendable = db->get();
  ro.queryable = db->get();
  ro.logger = &logger;
  ro.registry = &registry;
  ro.external_url = ExternalUrl(flags);
  for (auto [name, field] : {std::pair{"rules.alert.for-outage-tolerance", &ro.outage_tolerance},
                             std::pair{"rules.alert.for-grace-period", &ro.for_grace_period},
                             std::pair{"rules.alert.resend-delay", &ro.resend_delay}}) {
    auto d = base::ParseDuration(flags.Get(name));
    if (!d) return Fail(std::string("--") + name + ": " + d.error().message());
    *field = *d;
  }
  rules::Manager rule_manager(std::move(ro));
  wo.rules = [&rule_manager](const web::Form& f) -> base::Result<std::string> {
    rules::RulesFilter filter;
    filter.type = std::string(f.Get("type"));
    for (std::string_view v : f.GetAll("rule_name[]")) filter.rule_names.emplace(v);
    for (std::string_view v : f.GetAll("rule_group[]")) filter.rule_groups.emplace(v);
    for (std::string_view v : f.GetAll("file[]")) filter.files.emplace(v);
    filter.exclude_alerts = f.Get("exclude_alerts") == "true";
    auto json = rules::RulesJson(rule_manager, filter);
    if (!json) return base::InvalidArgument("invalid parameter \"type\": " + json.error().message());
    return json;
  };
  wo.alerts = [&rule_manager](const web::Form&) -> base::Result<std::string> {
    return rules::AlertsJson(rule_manager);
  };
  base::metrics::Gauge& reload_ok = registry.GetGauge(
      "prometheus_config_last_reload_successful", "Whether the last configuration reload attempt was successful.");
  base::metrics::Gauge& reload_time = registry.GetGauge(
      "prometheus_config_last_reload_success_timestamp_seconds", "Timestamp of the last successful configuration reload.");
  // Reloads --config.file and --alertmanager.config.file (SIGHUP, POST /-/reload); a bad file
  // keeps the running configuration.
  std::mutex reload_mu;
  auto reload = [&]() -> base::Status {
    std::lock_guard lock(reload_mu);
    auto failed = [&](const base::Status& st) {
      reload_ok.Set(0);
      logger.Error("main", "Error reloading config", {{"err", st.message()}});
      return st;
    };
    // Both files load before anything changes.
    std::shared_ptr<const alerting::config::Config> am_next;
    if (alertmanager) {
      auto c = alerting::config::LoadFile(am_config_file);
      if (!c) return failed(c.error());
      am_next = std::make_shared<const alerting::config::Config>(std::move(*c));
    }
    if (!config_file.empty()) {
      auto next = config::LoadFile(config_file);
      if (!next) return failed(next.error());
      for (const std::string& w : next->warnings) logger.Warn("config", "Configuration loads with a limitation", {{"detail", w}});
      // Rules first: a rule file that does not load fails the reload, keeping everything running.
      if (base::Status st = rule_manager.ApplyConfig(*next); !st.ok()) return failed(st);
      dbp->SetOutOfOrderWindow(next->storage.out_of_order_time_window);
      if (base::Status st = notifications.ApplyConfig(*next); !st.ok()) return failed(st);
      scrapes.ApplyConfig(*next);
      {
        std::lock_guard text_lock(config_text->first);
        config_text->second = next->yaml;
      }
      logger.Info("main", "Completed loading of configuration file", {{"filename", config_file}});
    }
    if (alertmanager) {
      if (base::Status st = alertmanager->ApplyConfig(std::move(am_next)); !st.ok()) return failed(st);
      logger.Info("main", "Completed loading of configuration file", {{"filename", am_config_file}});
    }
    reload_ok.Set(1);
    reload_time.Set(static_cast<double>(base::Clock::Real().NowMs()) / 1000);
    return base::Status::Ok();
  };
  if (flags.GetBool("web.enable-lifecycle")) wo.reload = reload;
  web::Server server(std::move(wo));
  if (auto st = server.Start(); !st.ok()) return Fail(st.message());
  // The notifier first, so that the first evaluations' alerts find their Alertmanagers.
  if (base::Status st = notifications.ApplyConfig(*cfg); !st.ok()) {
    server.Stop();
    return Fail("configuring the notifier failed: " + st.message());
  }
  if (base::Status st = rule_manager.ApplyConfig(*cfg); !st.ok()) {
    server.Stop();
    return Fail("loading rule files failed: " + st.message());
  }
  scrapes.ApplyConfig(*cfg);
  reload_ok.Set(1);
  reload_time.Set(static_cast<double>(base::Clock::Real().NowMs()) / 1000);
  server.SetReady(true);
  logger.Info("main", "Server is ready to receive web requests.",
              {{"address", flags.Get("web.listen-address")}, {"port", std::to_string(server.port())}});

  for (;;) {
    while (g_signal.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_signal.exchange(0) != SIGHUP) break;
    reload().IgnoreError();  // logged and counted by reload
  }
  logger.Info("main", "Received termination request, exiting gracefully...");
  scrapes.Stop();
  rule_manager.Stop();
  notifications.Stop();
  server.Stop();
  if (alertmanager) alertmanager->Stop();  // writes its snapshots
  if (auto st = (*db)->Close(); !st.ok()) {
    logger.Error("main", "Closing storage failed", {{"err", st.message()}});
    return 1;
  }
  logger.Info("main", "See you next time!");
  return 0;
}

int RunDump(int argc, char** argv) {
  base::FlagSet f("hestia tsdb dump");
  f.String("storage.tsdb.path", "data/", "Data directory to read.")
      .String("min-time", std::to_string(model::kMinTime), "Minimum timestamp to dump (ms).")
      .String("max-time", std::to_string(model::kMaxTime), "Maximum timestamp to dump (ms).")
      .String("match", "{__name__=~\".+\"}", "Series selector.");
  if (auto st = f.Parse(argc, argv, 3); !st.ok()) return Fail(st.message());
  if (f.help()) {
    std::cout << f.Usage("Dump samples from a TSDB, in promtool's format.");
    return 0;
  }
  std::string dir = f.args().empty() ? f.Get("storage.tsdb.path") : f.args()[0];
  auto matchers = promql::parser::ParseMetricSelector(f.Get("match"));
  if (!matchers) return Fail("--match: " + matchers.error().message());
  int64_t mint = 0, maxt = 0;
  auto parse = [](const std::string& s, int64_t* v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
    return ec == std::errc() && p == s.data() + s.size();
  };
  if (!parse(f.Get("min-time"), &mint) || !parse(f.Get("max-time"), &maxt))
    return Fail("--min-time and --max-time take milliseconds");
  tsdb::Options opts;
  opts.read_only = true;
  auto db = tsdb::DB::Open(dir, opts);
  if (!db) return Fail(db.error().message());
  if (auto st = tsdb::DumpSamples(**db, mint, maxt, *matchers, stdout); !st.ok()) return Fail(st.message());
  return 0;
}

// `hestia alertmanager [flags]`: a standalone Alertmanager with Alertmanager 0.25's flags
// (cmd/alertmanager/main.go), without clustering.
int RunAlertmanager(int argc, char** argv) {
  base::FlagSet f("hestia alertmanager");
  f.String("config.file", "alertmanager.yml", "Alertmanager configuration file name.")
      .String("storage.path", "data/", "Base path for data storage.")
      .String("data.retention", "120h", "How long to keep data for.")
      .String("data.maintenance-interval", "15m",
              "Interval between garbage collection and snapshotting to disk of the silences and "
              "the notification logs.")
      .String("alerts.gc-interval", "30m", "Interval between alert GC.")
      .String("web.listen-address", ":9093", "Address to listen on for the web interface and API.")
      .String("web.external-url", "",
              "The URL under which Alertmanager is externally reachable. If the URL has a path "
              "portion, it will be used to prefix all HTTP endpoints served by Alertmanager.")
      .String("web.route-prefix", "",
              "Prefix for the internal routes of web endpoints. Defaults to path of "
              "--web.external-url.")
      .String("web.get-concurrency", "0", "Accepted for compatibility; no effect.")
      .String("web.timeout", "0", "Accepted for compatibility; no effect.")
      .String("web.config.file", "", "Accepted for compatibility; TLS and authentication are not supported.")
      .String("log.level", "info", "Only log messages with the given severity or above: debug, info, warn, error.")
      .String("log.format", "logfmt", "Output format of log messages: logfmt (json is not supported).")
      .Bool("version", false, "Show application version.");
  // Clustering is not supported: the flags are accepted and ignored.
  const std::vector<std::string> cluster_flags = {
      "cluster.listen-address", "cluster.advertise-address", "cluster.peer",
      "cluster.peer-timeout", "cluster.gossip-interval", "cluster.pushpull-interval",
      "cluster.tcp-timeout", "cluster.probe-timeout", "cluster.probe-interval",
      "cluster.settle-timeout", "cluster.reconnect-interval", "cluster.reconnect-timeout",
      "cluster.tls-config", "cluster.label"};
  for (const std::string& name : cluster_flags)
    f.String(name, "", "Accepted for compatibility; clustering is not supported.");
  f.Bool("cluster.allow-insecure-public-advertise-address-discovery", false,
         "Accepted for compatibility; clustering is not supported.");
  if (auto st = f.Parse(argc, argv, 2); !st.ok()) return Fail(st.message() + ", try --help");
  if (f.help()) {
    std::cout << f.Usage("A standalone Alertmanager (Alertmanager 0.25's API v2 and flags).");
    return 0;
  }
  if (f.GetBool("version")) {
    std::cout << "hestia, version " << HESTIA_VERSION << " (branch: " << HESTIA_BRANCH
              << ", revision: " << HESTIA_REVISION << ")\n  build date: " << HESTIA_BUILD_DATE << "\n";
    return 0;
  }
  if (!f.args().empty()) return Fail("unexpected argument \"" + f.args()[0] + "\", try --help");
  auto level = base::Logger::ParseLevel(f.Get("log.level"));
  if (!level) return Fail("invalid --log.level \"" + f.Get("log.level") + "\"");
  base::Logger logger(*level);
  const std::string& log_format = f.Get("log.format");
  if (log_format != "logfmt" && log_format != "json")
    return Fail("invalid --log.format \"" + log_format + "\"");
  if (log_format == "json") logger.Warn("main", "JSON logs are not supported, logging in logfmt");
  bool cluster_set = f.IsSet("cluster.allow-insecure-public-advertise-address-discovery");
  for (const std::string& name : cluster_flags) cluster_set = cluster_set || f.IsSet(name);
  if (cluster_set) logger.Warn("main", "Clustering is not supported: the --cluster.* flags are ignored");

  alerting::AlertmanagerOptions ao;
  for (auto [name, field] : {std::pair{"data.retention", &ao.retention},
                             std::pair{"data.maintenance-interval", &ao.maintenance_interval},
                             std::pair{"alerts.gc-interval", &ao.alert_gc_interval}}) {
    auto d = base::ParseDuration(f.Get(name));
    if (!d || d->count() <= 0) return Fail(std::string("--") + name + " must be a positive duration");
    *field = *d;
  }
  base::metrics::Registry registry;
  ao.storage_path = f.Get("storage.path");
  ao.external_url = ExternalUrl(f);
  ao.logger = &logger;
  ao.registry = &registry;
  logger.Info("main", "Starting Alertmanager", {{"version", HESTIA_VERSION}, {"revision", HESTIA_REVISION}});
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGHUP, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);

  alerting::Alertmanager am(std::move(ao));
  if (base::Status st = am.Open(); !st.ok()) return Fail("opening storage failed: " + st.message());

  base::metrics::Gauge& reload_ok = registry.GetGauge(
      "alertmanager_config_last_reload_successful", "Whether the last configuration reload attempt was successful.");
  base::metrics::Gauge& reload_time = registry.GetGauge(
      "alertmanager_config_last_reload_success_timestamp_seconds", "Timestamp of the last successful configuration reload.");
  const std::string& config_file = f.Get("config.file");
  std::mutex reload_mu;
  // Alertmanager's coordinator.Reload: a file that does not load keeps the running config.
  auto reload = [&]() -> base::Status {
    std::lock_guard lock(reload_mu);
    logger.Info("main", "Loading configuration file", {{"file", config_file}});
    auto cfg = alerting::config::LoadFile(config_file);
    base::Status st = cfg ? am.ApplyConfig(std::make_shared<const alerting::config::Config>(std::move(*cfg)))
                          : cfg.error();
    if (!st.ok()) {
      reload_ok.Set(0);
      logger.Error("main", "Loading configuration file failed", {{"file", config_file}, {"err", st.message()}});
      return st;
    }
    reload_ok.Set(1);
    reload_time.Set(static_cast<double>(base::Clock::Real().NowMs()) / 1000);
    logger.Info("main", "Completed loading of configuration file", {{"file", config_file}});
    return base::Status::Ok();
  };
  if (!reload().ok()) return 1;

  web::Server::Options wo;
  wo.listen_address = f.Get("web.listen-address");
  wo.external_url = f.Get("web.external-url");
  wo.route_prefix = f.Get("web.route-prefix");
  wo.logger = &logger;
  wo.registry = &registry;
  wo.alertmanager = &am;
  wo.reload = reload;
  wo.build_info = {HESTIA_VERSION, HESTIA_REVISION, HESTIA_BRANCH, "", HESTIA_BUILD_DATE, ""};
  wo.ready = true;
  web::Server server(std::move(wo));
  if (base::Status st = server.Start(); !st.ok()) {
    am.Stop();
    return Fail(st.message());
  }

  for (;;) {
    while (g_signal.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_signal.exchange(0) != SIGHUP) break;
    reload().IgnoreError();  // logged by reload
  }
  logger.Info("main", "Received SIGTERM, exiting gracefully...");
  server.Stop();
  am.Stop();
  return 0;
}

}  // namespace

// `hestia alertmanager [flags]` (a standalone Alertmanager), `hestia alertmanager check-config
// FILE...` and `hestia alertmanager routes [show|test] ...`, as amtool's `check-config` and
// `config routes`.
int RunAlertmanagerTool(int argc, char** argv) {
  std::vector<std::string> args(argv + 2, argv + argc);
  auto usage = [] {
    std::cerr << "usage: hestia alertmanager [--config.file=FILE] [flags]  (runs an Alertmanager)\n"
                 "       hestia alertmanager check-config FILE...\n"
                 "       hestia alertmanager routes [show] --config.file=FILE\n"
                 "       hestia alertmanager routes test --config.file=FILE [--tree] "
                 "[--verify.receivers=A,B] name=value...\n";
    return 2;
  };
  if (args.empty() || args[0].starts_with("-")) return RunAlertmanager(argc, argv);
  if (args[0] == "check-config") {
    return alerting::CheckConfig({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  if (args[0] == "routes") {
    if (args.size() >= 2 && args[1] == "test")
      return alerting::RoutesTest({args.begin() + 2, args.end()}, std::cout, std::cerr);
    if (args.size() >= 2 && args[1] == "show")
      return alerting::RoutesShow({args.begin() + 2, args.end()}, std::cout, std::cerr);
    return alerting::RoutesShow({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  return usage();
}

int main(int argc, char** argv) {
  // Few malloc arenas: the HTTP worker threads would otherwise each keep an arena of freed
  // request buffers, which costs resident memory and buys nothing at this thread count.
  mallopt(M_ARENA_MAX, 2);
  if (argc >= 3 && std::string(argv[1]) == "tsdb" && std::string(argv[2]) == "dump") {
    return RunDump(argc, argv);
  }
  if (argc >= 2 && std::string(argv[1]) == "alertmanager") return RunAlertmanagerTool(argc, argv);
  if (argc >= 3 && std::string(argv[1]) == "check" && std::string(argv[2]) == "rules")
    return rules::CheckRules({argv + 3, argv + argc}, std::cout, std::cerr);
  if (argc >= 3 && std::string(argv[1]) == "test" && std::string(argv[2]) == "rules")
    return rules::TestRules({argv + 3, argv + argc}, std::cout, std::cerr,
                            [](const std::string& dir)
                                -> base::Result<std::unique_ptr<rules::UnitTestStorage>> {
                              tsdb::Options o;
                              o.wal_sync = tsdb::WalSyncMode::kSegment;
                              o.block_range = std::chrono::milliseconds(0);  // head only
                              ASSIGN_OR_RETURN(std::unique_ptr<tsdb::DB> db, tsdb::DB::Open(dir, o));
                              return rules::WrapUnitTestStorage(std::move(db));
                            });
  base::FlagSet flags("hestia");
  DeclareServerFlags(flags);
  if (auto st = flags.Parse(argc, argv); !st.ok()) return Fail(st.message() + ", try --help");
  if (flags.help()) {
    std::cout << flags.Usage(kSummary);
    return 0;
  }
  if (flags.GetBool("version")) {
    std::cout << "hestia, version " << HESTIA_VERSION << " (branch: " << HESTIA_BRANCH
              << ", revision: " << HESTIA_REVISION << ")\n  build date: " << HESTIA_BUILD_DATE << "\n";
    return 0;
  }
  if (!flags.args().empty()) return Fail("unexpected argument \"" + flags.args()[0] + "\", try --help");
  return RunServer(flags);
}

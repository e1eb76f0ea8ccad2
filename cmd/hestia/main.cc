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

#include "alerting/cli.h"
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
  tsdb::Options opts;
  opts.retention = *retention;
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
  const std::string retention_flag = flags.Get("storage.tsdb.retention.time");
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
  scrape::Manager scrapes({db->get(), &logger, &base::Clock::Real(), "Hestia/" HESTIA_VERSION, &registry});
  wo.targets = [&scrapes] { return scrapes.Targets(); };
  wo.scrape_pools = [&scrapes] { return scrapes.Pools(); };
  wo.metadata = [&scrapes](std::string_view metric) { return scrapes.TargetsMetadata(metric); };
  // Recording and alerting rules of the configuration's rule_files, evaluated by the engine
  // over the database; due alerts go to the configuration's Alertmanagers through the
  // notifier (notifier/), which therefore outlives the rule manager.
  notifier::Options no;
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
  // Reloads --config.file (SIGHUP, POST /-/reload); a bad file keeps the running configuration.
  std::mutex reload_mu;
  auto reload = [&]() -> base::Status {
    std::lock_guard lock(reload_mu);
    if (config_file.empty()) return base::Status::Ok();
    auto next = config::LoadFile(config_file);
    if (!next) {
      reload_ok.Set(0);
      logger.Error("main", "Error reloading config", {{"err", next.error().message()}});
      return next.error();
    }
    for (const std::string& w : next->warnings) logger.Warn("config", "Configuration loads with a limitation", {{"detail", w}});
    // Rules first: a rule file that does not load fails the reload, keeping everything running.
    if (base::Status st = rule_manager.ApplyConfig(*next); !st.ok()) {
      reload_ok.Set(0);
      logger.Error("main", "Error reloading config", {{"err", st.message()}});
      return st;
    }
    if (base::Status st = notifications.ApplyConfig(*next); !st.ok()) {
      reload_ok.Set(0);
      logger.Error("main", "Error reloading config", {{"err", st.message()}});
      return st;
    }
    scrapes.ApplyConfig(*next);
    {
      std::lock_guard text_lock(config_text->first);
      config_text->second = next->yaml;
    }
    reload_ok.Set(1);
    reload_time.Set(static_cast<double>(base::Clock::Real().NowMs()) / 1000);
    logger.Info("main", "Completed loading of configuration file", {{"filename", config_file}});
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

}  // namespace

// `hestia alertmanager check-config FILE...` and `hestia alertmanager routes [show|test] ...`,
// as amtool's `check-config` and `config routes`.
int RunAlertmanagerTool(int argc, char** argv) {
  std::vector<std::string> args(argv + 2, argv + argc);
  auto usage = [] {
    std::cerr << "usage: hestia alertmanager check-config FILE...\n"
                 "       hestia alertmanager routes [show] --config.file=FILE\n"
                 "       hestia alertmanager routes test --config.file=FILE [--tree] "
                 "[--verify.receivers=A,B] name=value...\n";
    return 2;
  };
  if (args.empty()) return usage();
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

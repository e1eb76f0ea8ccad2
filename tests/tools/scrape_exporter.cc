// scrape_exporter: a fake scrape target for the scrape integration tests
// (tests/integration/scrape_*.sh) and for bench/scrape_bench. One cpp-httplib server on
// 127.0.0.1; each path behaves in one way a real target can:
//
//   /good                a small valid exposition whose values change on every request
//   /changing            changing_series{name="X"} for each X of the current set (see /control)
//   /control?changing=a,b  sets that set (empty: no series); answers "ok"
//   /malformed[/VARIANT] a body the text-format parser must refuse: missing-value (default),
//                        bad-value, bad-label-name, bad-type, unquoted-value
//   /huge                a valid body of at least --huge-bytes bytes
//   /hang                answers (a valid body) only after --hang-ms, or ?ms=N
//   /trickle             a valid chunked body, one line every 100 ms for --hang-ms (or ?ms=N)
//   /500                 HTTP 500 with a short body
//   /bench/N             target N of the benchmark population: --bench-series series of
//                        tools::SeriesModel (job and instance left to the scraper), grouped in
//                        families with HELP and TYPE, values moving on every request; gzip-
//                        compressed when the client accepts it (as client_golang does), unless
//                        --no-compression
//   /stats               bench_bodies_total and bench_samples_total served by /bench/N so far
//   /-/ready             "ok"
//
//   scrape_exporter --port P [--hang-ms 5000] [--huge-bytes 4194304] [--bench-targets 100]
//                   [--bench-series 2000] [--threads 128] [--changing a,b] [--no-compression]
//
// --port 0 picks a free port. Prints "listening on 127.0.0.1:PORT" once it accepts
// connections. SIGTERM or SIGINT stops it within a fraction of a second, hanging requests
// included. Exit status: 0 after a signal, 1 when it cannot listen, 2 for bad flags.

#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/tools/flags.h"
#include "tests/tools/series_model.h"

namespace tools {
namespace {

constexpr const char* kTextFormat = "text/plain; version=0.0.4; charset=utf-8";

struct Options {
  int64_t port = -1;
  int64_t hang_ms = 5000;
  int64_t huge_bytes = 4 << 20;
  int64_t bench_targets = 100;
  int64_t bench_series = 2000;
  int64_t threads = 128;
  std::string changing = "a,b";
  bool no_compression = false;
};

void AppendDouble(std::string* out, double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, ec == std::errc() ? end : buf);
}

void AppendUint(std::string* out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, ec == std::errc() ? end : buf);
}

// Wakes requests that wait (/hang) when the process is stopping.
// Thread-safe.
class StopSignal {
 public:
  // Waits up to `d`; false if Stop() came first.
  bool SleepFor(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, d, [this] { return stopped_; });
  }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;  // GUARDED_BY(mu_)
};

// The set of series /changing exposes.
// Thread-safe.
class ChangingSet {
 public:
  // REQUIRES: every name is [A-Za-z0-9_]+ (checked by the caller).
  void Set(std::vector<std::string> names) {
    std::lock_guard lock(mu_);
    names_ = std::move(names);
  }
  std::string Body() {
    std::lock_guard lock(mu_);
    ++served_;
    std::string out =
        "# HELP changing_series A series set the test controls.\n"
        "# TYPE changing_series gauge\n";
    for (const std::string& n : names_) {
      out += "changing_series{name=\"" + n + "\"} ";
      AppendUint(&out, served_);
      out += '\n';
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> names_;  // GUARDED_BY(mu_)
  uint64_t served_ = 0;             // GUARDED_BY(mu_)
};

// Splits "a,b" into names; false if one is empty or has a character outside [A-Za-z0-9_].
bool ParseNames(std::string_view text, std::vector<std::string>* names) {
  names->clear();
  if (text.empty()) return true;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    std::string_view n =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    if (n.empty()) return false;
    for (char c : n) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    }
    names->emplace_back(n);
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

// The benchmark population: target t exposes series t*S .. t*S+S-1 of a SeriesModel, without
// the model's job and instance labels (the scraper's target labels supply those).
// Thread-safe: each target has its own mutex; a target's text is built on its first request.
class BenchTargets {
 public:
  BenchTargets(SeriesModel model, uint64_t targets, uint64_t series)
      : model_(std::move(model)), series_(series), targets_(targets) {
    for (auto& t : targets_) t = std::make_unique<Target>();
  }
  uint64_t size() const { return targets_.size(); }

  // The body of target t's next scrape (values one round on from the last); adds to the stats.
  // REQUIRES: t < size().
  std::string Scrape(uint64_t t) {
    Target& target = *targets_[t];
    std::string out;
    {
      std::lock_guard lock(target.mu);
      if (target.lines.empty()) Build(t, &target);
      out.reserve(target.bytes_hint);
      ++target.round;
      for (const Line& l : target.lines) {
        if (!l.header.empty()) out += l.header;
        out += l.prefix;
        double& v = target.values[l.slot];
        v = target.round == 1 ? model_.InitialValue(l.index)
                              : model_.NextValue(l.index, target.round - 1, v);
        AppendDouble(&out, v);
        out += '\n';
      }
      target.bytes_hint = out.size() + 64;
    }
    bodies_.fetch_add(1, std::memory_order_relaxed);
    samples_.fetch_add(series_, std::memory_order_relaxed);
    return out;
  }

  std::string Stats() const {
    std::string out = "bench_bodies_total ";
    AppendUint(&out, bodies_.load());
    out += "\nbench_samples_total ";
    AppendUint(&out, samples_.load());
    out += '\n';
    return out;
  }

 private:
  struct Line {
    std::string header;  // HELP and TYPE lines when a family starts here, else empty
    std::string prefix;  // `name{labels} `
    uint64_t index = 0;  // in the model
    size_t slot = 0;     // in Target::values
  };
  struct Target {
    std::mutex mu;
    std::vector<Line> lines;     // GUARDED_BY(mu); sorted by name, then labels
    std::vector<double> values;  // GUARDED_BY(mu); by slot
    int64_t round = 0;           // GUARDED_BY(mu); requests served so far
    size_t bytes_hint = 0;       // GUARDED_BY(mu)
  };

  // The family a series belongs to and its type, as a client library would declare it.
  static std::pair<std::string, std::string_view> Family(const std::string& name, ValueKind kind) {
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (name.size() > suffix.size() && name.ends_with(suffix) &&
          name.find("_request_duration_seconds") != std::string::npos) {
        return {name.substr(0, name.size() - suffix.size()), "histogram"};
      }
    }
    const bool counter = kind == ValueKind::kCounterInt || kind == ValueKind::kCounterFloat;
    return {name, counter ? "counter" : "gauge"};
  }

  void Build(uint64_t t, Target* target) const {
    struct Raw {
      std::string name, labels;
      uint64_t index;
    };
    std::vector<Raw> raw;
    raw.reserve(series_);
    for (uint64_t j = 0; j < series_; ++j) {
      const uint64_t index = t * series_ + j;
      Raw r{"", "", index};
      for (const auto& [name, value] : model_.Labels(index)) {
        if (name == "__name__") {
          r.name = value;
          continue;
        }
        if (name == "job" || name == "instance") continue;
        r.labels += r.labels.empty() ? "{" : ",";
        r.labels += name + "=\"" + value + "\"";  // model values need no escaping
      }
      if (!r.labels.empty()) r.labels += "}";
      raw.push_back(std::move(r));
    }
    std::sort(raw.begin(), raw.end(), [](const Raw& a, const Raw& b) {
      return a.name != b.name ? a.name < b.name : a.labels < b.labels;
    });
    std::string family;
    for (size_t slot = 0; slot < raw.size(); ++slot) {
      Line l;
      auto [fam, type] = Family(raw[slot].name, model_.Kind(raw[slot].index));
      if (fam != family) {
        family = fam;
        l.header = "# HELP " + fam + " Synthetic " + std::string(type) +
                   " of a benchmark target.\n" + "# TYPE " + fam + " " + std::string(type) + "\n";
      }
      l.prefix = raw[slot].name + raw[slot].labels + " ";
      l.index = raw[slot].index;
      l.slot = slot;
      target->lines.push_back(std::move(l));
    }
    target->values.assign(raw.size(), 0.0);
  }

  const SeriesModel model_;
  const uint64_t series_;
  std::vector<std::unique_ptr<Target>> targets_;
  std::atomic<uint64_t> bodies_{0}, samples_{0};
};

// The bodies /malformed/VARIANT serves; every one starts with a valid line, so that a parser
// that gives up late still fails the scrape.
std::string_view MalformedBody(std::string_view variant) {
  if (variant == "missing-value") return "good_before 1\nbroken_metric\n";
  if (variant == "bad-value") return "good_before 1\nbroken_metric true\n";
  if (variant == "bad-label-name") return "good_before 1\nbroken_metric{1a=\"x\"} 1\n";
  if (variant == "bad-type") return "# TYPE broken_metric bogus\nbroken_metric 1\n";
  if (variant == "unquoted-value") return "good_before 1\nbroken_metric{a=b} 1\n";
  return {};
}

std::string HugeBody(int64_t min_bytes) {
  std::string out = "# TYPE huge_series gauge\n";
  char line[64];
  for (uint64_t i = 0; static_cast<int64_t>(out.size()) < min_bytes; ++i) {
    const int n = std::snprintf(line, sizeof(line), "huge_series{i=\"%08llu\"} 1\n",
                                static_cast<unsigned long long>(i));
    out.append(line, static_cast<size_t>(n));
  }
  return out;
}

base::Result<Options> ParseOptions(int argc, char** argv) {
  ASSIGN_OR_RETURN(Flags flags, Flags::Parse(argc, argv));
  Options o;
  ASSIGN_OR_RETURN(o.port, flags.Int("port", o.port));
  ASSIGN_OR_RETURN(o.hang_ms, flags.Int("hang-ms", o.hang_ms));
  ASSIGN_OR_RETURN(o.huge_bytes, flags.Int("huge-bytes", o.huge_bytes));
  ASSIGN_OR_RETURN(o.bench_targets, flags.Int("bench-targets", o.bench_targets));
  ASSIGN_OR_RETURN(o.bench_series, flags.Int("bench-series", o.bench_series));
  ASSIGN_OR_RETURN(o.threads, flags.Int("threads", o.threads));
  ASSIGN_OR_RETURN(o.changing, flags.String("changing", o.changing));
  ASSIGN_OR_RETURN(o.no_compression, flags.Bool("no-compression", false));
  RETURN_IF_ERROR(flags.Finish());
  if (o.port < 0 || o.port > 65535) return base::InvalidArgument("--port 0..65535 is required");
  if (o.hang_ms < 0) return base::InvalidArgument("--hang-ms must not be negative");
  if (o.huge_bytes < 0 || o.huge_bytes > (int64_t{1} << 30)) {
    return base::InvalidArgument("--huge-bytes must be 0..1 GiB");
  }
  if (o.bench_targets < 0 || o.bench_targets > 100000) {
    return base::InvalidArgument("--bench-targets must be 0..100000");
  }
  if (o.bench_series < 1 || o.bench_series > 1000000) {
    return base::InvalidArgument("--bench-series must be 1..1000000");
  }
  if (o.threads < 4 || o.threads > 4096) return base::InvalidArgument("--threads must be 4..4096");
  return o;
}

int Main(int argc, char** argv) {
  auto parsed = ParseOptions(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "scrape_exporter: %s\n", parsed.error().message().c_str());
    return 2;
  }
  const Options o = *parsed;
  std::vector<std::string> initial;
  if (!ParseNames(o.changing, &initial)) {
    std::fprintf(stderr, "scrape_exporter: --changing takes names [A-Za-z0-9_] separated by ,\n");
    return 2;
  }
  SeriesModel::Options mo;
  mo.series = static_cast<uint64_t>(std::max<int64_t>(1, o.bench_targets) * o.bench_series);
  mo.labels_per_series = 8;
  auto model = SeriesModel::Create(mo);
  if (!model) {
    std::fprintf(stderr, "scrape_exporter: %s\n", model.error().message().c_str());
    return 2;
  }

  // Signals go to one thread, which stops the server; every other thread blocks them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  StopSignal stop;
  ChangingSet changing;
  changing.Set(initial);
  BenchTargets bench(std::move(*model), static_cast<uint64_t>(o.bench_targets),
                     static_cast<uint64_t>(o.bench_series));
  const std::string huge = HugeBody(o.huge_bytes);
  std::atomic<uint64_t> good_served{0};

  httplib::Server server;
  // Every keep-alive connection holds a worker thread, and scrapers keep one per target.
  const size_t threads = static_cast<size_t>(o.threads);
  // httplib's API: it takes ownership of the queue returned.
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_keep_alive_timeout(60);
  server.set_keep_alive_max_count(1000000);

  server.Get("/-/ready", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  server.Get("/good", [&](const httplib::Request&, httplib::Response& res) {
    const uint64_t n = ++good_served;
    std::string body =
        "# HELP good_scrapes_total Requests /good has served.\n"
        "# TYPE good_scrapes_total counter\n"
        "good_scrapes_total ";
    AppendUint(&body, n);
    body +=
        "\n# HELP good_temperature_celsius A gauge that moves on every request.\n"
        "# TYPE good_temperature_celsius gauge\n"
        "good_temperature_celsius{sensor=\"a\"} ";
    AppendDouble(&body, 20.0 + static_cast<double>(n % 10) / 4);
    body += "\ngood_temperature_celsius{sensor=\"b\"} ";
    AppendDouble(&body, 30.0 - static_cast<double>(n % 7) / 8);
    body += '\n';
    res.set_content(body, kTextFormat);
  });
  server.Get("/changing", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(changing.Body(), kTextFormat);
  });
  server.Get("/control", [&](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("changing")) {
      res.status = 400;
      res.set_content("missing parameter changing\n", "text/plain");
      return;
    }
    std::vector<std::string> names;
    if (!ParseNames(req.get_param_value("changing"), &names)) {
      res.status = 400;
      res.set_content("bad names\n", "text/plain");
      return;
    }
    changing.Set(std::move(names));
    res.set_content("ok\n", "text/plain");
  });
  server.Get(R"(/malformed(?:/([a-z-]+))?)", [](const httplib::Request& req,
                                                httplib::Response& res) {
    const std::string variant =
        req.matches.size() > 1 && req.matches[1].matched ? req.matches[1].str() : "missing-value";
    std::string_view body = MalformedBody(variant);
    if (body.empty()) {
      res.status = 404;
      res.set_content("unknown variant\n", "text/plain");
      return;
    }
    res.set_content(std::string(body), kTextFormat);
  });
  server.Get("/huge", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(huge, kTextFormat);
  });
  server.Get("/hang", [&](const httplib::Request& req, httplib::Response& res) {
    int64_t ms = o.hang_ms;
    if (req.has_param("ms")) ms = std::strtoll(req.get_param_value("ms").c_str(), nullptr, 10);
    stop.SleepFor(std::chrono::milliseconds(std::max<int64_t>(0, ms)));
    res.set_content("hang_served 1\n", kTextFormat);
  });
  server.Get("/trickle", [&](const httplib::Request& req, httplib::Response& res) {
    int64_t ms = o.hang_ms;
    if (req.has_param("ms")) ms = std::strtoll(req.get_param_value("ms").c_str(), nullptr, 10);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    res.set_chunked_content_provider(
        kTextFormat, [&stop, until, line = uint64_t{0}](size_t, httplib::DataSink& sink) mutable {
          if (std::chrono::steady_clock::now() >= until) {
            sink.done();
            return true;
          }
          std::string text = "trickle_series{line=\"";
          AppendUint(&text, line++);
          text += "\"} 1\n";
          if (!sink.write(text.data(), text.size())) return false;
          return stop.SleepFor(std::chrono::milliseconds(100));
        });
  });
  server.Get("/500", [](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content("simulated failure\n", "text/plain");
  });
  server.Get(R"(/bench/(\d{1,9}))", [&](const httplib::Request& req, httplib::Response& res) {
    const uint64_t t = std::strtoull(req.matches[1].str().c_str(), nullptr, 10);
    if (t >= bench.size()) {
      res.status = 404;
      res.set_content("no such target\n", "text/plain");
      return;
    }
    if (!o.no_compression) {
      res.set_content(bench.Scrape(t), kTextFormat);
      return;
    }
    // httplib compresses set_content bodies when the client accepts gzip, never a body of
    // known length from a content provider.
    auto body = std::make_shared<std::string>(bench.Scrape(t));
    res.set_content_provider(body->size(), kTextFormat,
                             [body](size_t offset, size_t length, httplib::DataSink& sink) {
                               return sink.write(body->data() + offset, length);
                             });
  });
  server.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(bench.Stats(), "text/plain");
  });

  int port = static_cast<int>(o.port);
  if (port == 0) {
    port = server.bind_to_any_port("127.0.0.1");
  } else if (!server.bind_to_port("127.0.0.1", port)) {
    port = -1;
  }
  if (port < 0) {
    std::fprintf(stderr, "scrape_exporter: cannot listen on 127.0.0.1:%lld\n",
                 static_cast<long long>(o.port));
    return 1;
  }
  std::printf("listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);

  std::atomic<bool> listening_done{false};
  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    stop.Stop();
    // stop() does nothing before the server runs: repeat until listen_after_bind returns.
    while (!listening_done.load()) {
      server.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const bool ok = server.listen_after_bind();
  listening_done.store(true);
  if (!ok) {
    // The listener failed on its own: wake the signal thread so that it can be joined.
    kill(getpid(), SIGTERM);
  }
  signals.join();
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace tools

int main(int argc, char** argv) { return tools::Main(argc, argv); }

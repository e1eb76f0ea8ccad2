#include "scrape/file_sd.h"

#include <glob.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <chrono>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "config/target_group.h"

namespace scrape {
namespace {

// What makes the watcher re-read: a file written and closed, moved in or out, deleted, or the
// watched directory itself going away. Not IN_MODIFY or IN_CREATE, which fire while a writer
// is still writing (a half-written file would be read); Prometheus re-reads on every event but
// chmod. The refresh interval catches anything else.
constexpr uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                IN_DELETE_SELF | IN_MOVE_SELF;

// The files matching the globs, each once, in path order (Go's filepath.Glob: `*` also matches
// a leading dot; unreadable directories are skipped).
std::set<std::string> ListFiles(const std::vector<std::string>& patterns) {
  std::set<std::string> out;
  for (const std::string& p : patterns) {
    glob_t g{};
    int flags = 0;
#ifdef GLOB_PERIOD
    flags |= GLOB_PERIOD;
#endif
    if (::glob(p.c_str(), flags, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace(g.gl_pathv[i]);
    }
    ::globfree(&g);
  }
  return out;
}

// The directory inotify watches for a glob, as Prometheus's watchFiles ("./" for a bare name).
std::string WatchDir(const std::string& pattern) {
  size_t slash = pattern.rfind('/');
  return slash == std::string::npos ? "./" : pattern.substr(0, slash + 1);
}

base::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string why = std::strerror(errno);
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    return base::IOError("open " + path + ": " + why);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return base::IOError("read " + path + ": read error");
  return ss.str();
}

bool SameGroups(const std::vector<config::StaticConfig>& a,
                const std::vector<config::StaticConfig>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].targets != b[i].targets || a[i].labels != b[i].labels) return false;
  return true;
}

}  // namespace

FileDiscovery::FileDiscovery(config::FileSdConfig config, Options options)
    : config_(std::move(config)),
      options_(options),
      own_registry_(options.registry ? nullptr : std::make_unique<base::metrics::Registry>()),
      read_errors_((options.registry ? *options.registry : *own_registry_)
                       .GetCounter("prometheus_sd_file_read_errors_total",
                                   "The number of File-SD read errors.")),
      watcher_errors_((options.registry ? *options.registry : *own_registry_)
                          .GetCounter("prometheus_sd_file_watcher_errors_total",
                                      "The number of File-SD errors caused by filesystem watch "
                                      "failures.")) {}

FileDiscovery::~FileDiscovery() { Stop(); }

bool FileDiscovery::Refresh() {
  const std::set<std::string> paths = ListFiles(config_.files);
  std::map<std::string, FileState> next;
  {
    std::lock_guard lock(mu_);
    for (const std::string& path : paths) {
      auto it = files_.find(path);
      next[path] = it == files_.end() ? FileState{} : it->second;
    }
  }
  // Read without the lock: Groups() stays available while files are read. Only this thread
  // writes files_ (see the class comment), so nothing changes it meanwhile.
  for (auto& [path, state] : next) {
    auto groups = [&]() -> base::Result<std::vector<config::StaticConfig>> {
      ASSIGN_OR_RETURN(std::string content, ReadFile(path));
      return config::ParseTargetGroups(content, path);
    }();
    if (groups) {
      state.groups = std::move(*groups);
      state.last_error.clear();
      continue;
    }
    // As Prometheus: the file keeps the groups it had.
    read_errors_.Inc();
    if (groups.error().message() != state.last_error) {
      state.last_error = groups.error().message();
      options_.logger->Error("file_sd", "Error reading file",
                             {{"path", path}, {"err", state.last_error}});
    }
  }
  std::lock_guard lock(mu_);
  // Changed: the groups as Groups() lists them differ (a file without groups changes nothing).
  auto a = next.begin(), b = files_.begin();
  bool changed = false;
  while (!changed) {
    while (a != next.end() && a->second.groups.empty()) ++a;
    while (b != files_.end() && b->second.groups.empty()) ++b;
    if (a == next.end() || b == files_.end()) {
      changed = a != next.end() || b != files_.end();
      break;
    }
    changed = a->first != b->first || !SameGroups(a->second.groups, b->second.groups);
    ++a;
    ++b;
  }
  files_ = std::move(next);
  return changed;
}

std::vector<config::StaticConfig> FileDiscovery::Groups() const {
  std::lock_guard lock(mu_);
  std::vector<config::StaticConfig> out;
  for (const auto& [path, state] : files_) out.insert(out.end(), state.groups.begin(), state.groups.end());
  return out;
}

void FileDiscovery::Start(UpdateFn on_update) {
  thread_ = std::jthread(
      [this, fn = std::move(on_update)](std::stop_token stop) { Run(stop, fn); });
}

void FileDiscovery::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void FileDiscovery::Run(std::stop_token stop, UpdateFn on_update) {
  // A thread's top function: nothing escapes it (STYLE.md section 4).
  try {
    Watch(stop, on_update);
  } catch (const std::exception& e) {
    options_.logger->Error("file_sd", "File discovery stopped by an internal error",
                           {{"err", e.what()}});
  }
}

void FileDiscovery::Watch(std::stop_token stop, const UpdateFn& on_update) {
  struct Fd {
    int fd;
    ~Fd() {
      if (fd >= 0) ::close(fd);
    }
  };
  Fd wake{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
  Fd inotify{::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)};
  if (inotify.fd < 0 || wake.fd < 0) {
    watcher_errors_.Inc();
    options_.logger->Error("file_sd", "Error adding file watcher; files are read on the refresh interval only",
                           {{"err", std::strerror(errno)}});
  }
  // Wakes poll() when Stop is called. Declared after the descriptors: unregistered first.
  std::stop_callback on_stop(stop, [fd = wake.fd] {
    uint64_t one = 1;
    if (fd >= 0 && ::write(fd, &one, sizeof one) < 0) {
      // Nothing to do: the poll timeout below bounds how long Stop waits.
    }
  });
  std::set<std::string> unwatched;  // directories whose watch failed, logged once each
  auto watch_directories = [&] {
    if (inotify.fd < 0) return;
    for (const std::string& pattern : config_.files) {
      // Adding a watch that exists is a no-op returning the same descriptor.
      const std::string dir = WatchDir(pattern);
      if (::inotify_add_watch(inotify.fd, dir.c_str(), kWatchMask) >= 0) {
        unwatched.erase(dir);
      } else if (unwatched.insert(dir).second) {
        options_.logger->Warn("file_sd", "Error adding file watch",
                              {{"path", dir}, {"err", std::strerror(errno)}});
      }
    }
  };
  auto refresh = [&] {
    bool changed = Refresh();
    watch_directories();  // again after each refresh, so that a directory created later is watched
    if (changed && on_update) on_update(Groups());
  };

  using Clock = std::chrono::steady_clock;
  // The owner read the files before starting: read again once the watches exist, so that a
  // change in between is not missed until the next tick.
  watch_directories();
  refresh();
  auto next_tick = Clock::now() + config_.refresh_interval;
  alignas(inotify_event) char buf[16 * (sizeof(inotify_event) + NAME_MAX + 1)];
  while (!stop.stop_requested()) {
    pollfd fds[2] = {{wake.fd, POLLIN, 0}, {inotify.fd, POLLIN, 0}};
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - Clock::now());
    // Without an eventfd, wake up every 100 ms to notice Stop.
    int64_t limit = wake.fd >= 0 ? 60 * 60 * 1000 : 100;
    int timeout = static_cast<int>(std::clamp<int64_t>(wait.count(), 0, limit));
    int n = ::poll(fds, 2, timeout);
    if (stop.stop_requested()) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      watcher_errors_.Inc();
      options_.logger->Error("file_sd", "Error watching file", {{"err", std::strerror(errno)}});
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    bool reread = false;
    if (n > 0 && (fds[1].revents & POLLIN)) {
      // Drain every pending event: one burst of writes is one refresh.
      for (ssize_t len; (len = ::read(inotify.fd, buf, sizeof buf)) > 0;) {
        for (ssize_t off = 0; off < len;) {
          const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
          if (ev->mask & (kWatchMask | IN_Q_OVERFLOW)) reread = true;
          off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        }
      }
    }
    if (Clock::now() >= next_tick) {
      reread = true;
      next_tick = Clock::now() + config_.refresh_interval;
    }
    if (reread) refresh();
  }
}

}  // namespace scrape

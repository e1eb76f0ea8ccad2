#include "scrape/file_sd.h"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "tests/testutil/temp_dir.h"

namespace {

void Write(const std::string& path, std::string_view content) {
  std::ofstream f(path, std::ios::trunc);
  f << content;
}

// Writes a temporary file and renames it over `path`, as careful writers of SD files do.
void WriteAtomic(const std::string& path, std::string_view content) {
  Write(path + ".tmp", content);
  std::filesystem::rename(path + ".tmp", path);
}

double Counter(const base::metrics::Registry& r, const std::string& name) {
  std::string text = r.Expose();
  size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

std::vector<std::string> Targets(const std::vector<config::StaticConfig>& groups) {
  std::vector<std::string> out;
  for (const auto& g : groups) out.insert(out.end(), g.targets.begin(), g.targets.end());
  return out;
}

// The groups a started FileDiscovery reports, and a way to wait for a report.
struct Updates {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<config::StaticConfig> groups;
  int count = 0;

  scrape::FileDiscovery::UpdateFn Fn() {
    return [this](std::vector<config::StaticConfig> g) {
      std::lock_guard lock(mu);
      groups = std::move(g);
      ++count;
      cv.notify_all();
    };
  }
  // Waits until the reported targets are `want`; false after 10 s.
  bool WaitFor(const std::vector<std::string>& want) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return Targets(groups) == want; });
  }
  int Count() {
    std::lock_guard lock(mu);
    return count;
  }
};

template <typename Pred>
bool Eventually(Pred p) {
  for (int i = 0; i < 400; ++i) {
    if (p()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

}  // namespace

TEST_CASE("file discovery reads the JSON and YAML files its globs match", "[scrape][file_sd]") {
  testutil::TempDir dir;
  std::filesystem::create_directories(dir.Sub("sd"));
  Write(dir.Sub("sd/a.json"),
        R"([{"targets": ["a1:9100", "a2:9100"], "labels": {"env": "prod"}}, {"targets": ["a3:1"]}])");
  Write(dir.Sub("sd/b.yml"), "- targets: ['b:80']\n  labels: {team: x}\n");
  Write(dir.Sub("sd/c.txt"), "[]");
  Write(dir.Sub("sd/.hidden.json"), R"([{"targets": ["h:1"]}])");
  base::metrics::Registry registry;
  config::FileSdConfig cfg;
  cfg.files = {dir.Sub("sd/*.json"), dir.Sub("sd/*.yml"), dir.Sub("sd/a.json")};
  scrape::FileDiscovery d(cfg, {&base::Logger::Quiet(), &registry});

  CHECK(d.Refresh());
  auto groups = d.Groups();
  // Files in path order (".hidden.json" first: Go's `*` matches a leading dot), each file once.
  CHECK(Targets(groups) == std::vector<std::string>{"h:1", "a1:9100", "a2:9100", "a3:1", "b:80"});
  REQUIRE(groups.size() == 4);
  CHECK(groups[1].labels ==
        model::Labels{{"__meta_filepath", dir.Sub("sd/a.json")}, {"env", "prod"}});
  CHECK(groups[3].labels == model::Labels{{"__meta_filepath", dir.Sub("sd/b.yml")}, {"team", "x"}});
  CHECK_FALSE(d.Refresh());
  CHECK(Counter(registry, "prometheus_sd_file_read_errors_total") == 0);

  // A file that no longer parses keeps its groups; the failure is counted at every read.
  Write(dir.Sub("sd/a.json"), R"([{"targets": ["a9:1"]})");
  CHECK_FALSE(d.Refresh());
  CHECK(Targets(d.Groups()) == std::vector<std::string>{"h:1", "a1:9100", "a2:9100", "a3:1", "b:80"});
  CHECK_FALSE(d.Refresh());
  CHECK(Counter(registry, "prometheus_sd_file_read_errors_total") == 2);

  // Fixed, changed, and a file gone.
  Write(dir.Sub("sd/a.json"), R"([{"targets": ["a9:1"]}])");
  std::filesystem::remove(dir.Sub("sd/b.yml"));
  std::filesystem::remove(dir.Sub("sd/.hidden.json"));
  CHECK(d.Refresh());
  CHECK(Targets(d.Groups()) == std::vector<std::string>{"a9:1"});

  // A file that never parsed contributes nothing.
  Write(dir.Sub("sd/new.yml"), "- targets: [x\n");
  CHECK_FALSE(d.Refresh());
  CHECK(Targets(d.Groups()) == std::vector<std::string>{"a9:1"});
  CHECK(Counter(registry, "prometheus_sd_file_read_errors_total") == 3);
}

TEST_CASE("file discovery follows file changes through inotify", "[scrape][file_sd]") {
  testutil::TempDir dir;
  base::metrics::Registry registry;
  config::FileSdConfig cfg;
  cfg.files = {dir.Sub("*.json")};
  cfg.refresh_interval = std::chrono::hours(1);  // only inotify can notice in time
  scrape::FileDiscovery d(cfg, {&base::Logger::Quiet(), &registry});
  CHECK_FALSE(d.Refresh());
  Updates updates;
  d.Start(updates.Fn());

  WriteAtomic(dir.Sub("t.json"), R"([{"targets": ["a:1"]}])");
  CHECK(updates.WaitFor({"a:1"}));
  Write(dir.Sub("t.json"), R"([{"targets": ["a:1", "b:2"]}])");  // rewritten in place
  CHECK(updates.WaitFor({"a:1", "b:2"}));
  Write(dir.Sub("u.json"), R"([{"targets": ["c:3"]}])");
  CHECK(updates.WaitFor({"a:1", "b:2", "c:3"}));

  // A broken rewrite is counted and changes nothing.
  const int before = updates.Count();
  Write(dir.Sub("t.json"), "[{");
  CHECK(Eventually([&] { return Counter(registry, "prometheus_sd_file_read_errors_total") >= 1; }));
  CHECK(updates.Count() == before);
  CHECK(Targets(d.Groups()) == std::vector<std::string>{"a:1", "b:2", "c:3"});

  std::filesystem::remove(dir.Sub("u.json"));
  CHECK(updates.WaitFor({"a:1", "b:2"}));
  std::filesystem::remove(dir.Sub("t.json"));
  CHECK(updates.WaitFor({}));
  d.Stop();
  d.Stop();  // idempotent
  // Stopped: no more updates.
  const int stopped = updates.Count();
  Write(dir.Sub("v.json"), R"([{"targets": ["d:4"]}])");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(updates.Count() == stopped);
}

TEST_CASE("file discovery re-reads on the refresh interval what inotify cannot see",
          "[scrape][file_sd]") {
  testutil::TempDir dir;
  config::FileSdConfig cfg;
  cfg.files = {dir.Sub("later/*.yaml")};  // the directory does not exist yet: nothing to watch
  cfg.refresh_interval = std::chrono::milliseconds(200);
  scrape::FileDiscovery d(cfg, {});
  Updates updates;
  d.Start(updates.Fn());
  std::filesystem::create_directories(dir.Sub("later"));
  Write(dir.Sub("later/x.yaml"), "- targets: [x:1]\n");
  CHECK(updates.WaitFor({"x:1"}));
  Write(dir.Sub("later/x.yaml"), "- targets: [x:2]\n");
  CHECK(updates.WaitFor({"x:2"}));
}

#include "alerting/nflog.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/testutil/fake_clock.h"
#include "tests/testutil/temp_dir.h"

namespace {
constexpr int64_t kNow = 1'700'000'000'000;
}

TEST_CASE("nflog entries are logged, queried, expired and snapshotted", "[alerting][nflog]") {
  testutil::FakeClock clock(kNow);
  testutil::TempDir dir;
  alerting::Nflog log(clock, {std::chrono::hours(1)});
  const alerting::NflogReceiver r{"team", "webhook", 1};
  CHECK(r.ToString() == "group_name:\"team\" integration:\"webhook\" idx:1");
  CHECK_FALSE(log.Query(r, "{}:{}").has_value());
  log.Log(r, "{}:{a=\"b\"}", {1, 2}, {3});
  log.Log({"team", "email", 0}, "{}:{a=\"b\"}", {1}, {});
  auto e = log.Query(r, "{}:{a=\"b\"}");
  REQUIRE(e.has_value());
  CHECK(e->timestamp == kNow);
  CHECK(e->expires_at == kNow + 3600'000);
  CHECK(e->IsFiringSubset({1}));
  CHECK(e->IsFiringSubset({}));
  CHECK_FALSE(e->IsFiringSubset({1, 4}));
  CHECK(e->IsResolvedSubset({3}));

  const std::string path = dir.Sub("nflog");
  REQUIRE(log.SaveSnapshot(path).ok());
  alerting::Nflog loaded(clock, {std::chrono::hours(1)});
  REQUIRE(loaded.LoadSnapshot(path).ok());
  CHECK(loaded.size() == 2);
  auto le = loaded.Query(r, "{}:{a=\"b\"}");
  REQUIRE(le.has_value());
  CHECK(le->firing_alerts == std::vector<uint64_t>{1, 2});
  CHECK(le->resolved_alerts == std::vector<uint64_t>{3});
  CHECK(le->timestamp == kNow);

  clock.Set(kNow + 3600'000);
  CHECK(loaded.GC() == 2);
  CHECK(loaded.size() == 0);
}

TEST_CASE("an nflog snapshot that is missing is empty, a corrupt one an error",
          "[alerting][nflog]") {
  testutil::FakeClock clock(kNow);
  testutil::TempDir dir;
  alerting::Nflog log(clock, {});
  CHECK(log.LoadSnapshot(dir.Sub("missing")).ok());
  log.Log({"r", "webhook", 0}, "k", {1}, {});
  const std::string path = dir.Sub("nflog");
  REQUIRE(log.SaveSnapshot(path).ok());
  std::string data;
  {
    std::ifstream in(path, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  SECTION("a flipped bit") { data[7] ^= 1; }
  SECTION("a torn tail") { data.resize(data.size() - 3); }
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
  }
  alerting::Nflog other(clock, {});
  base::Status st = other.LoadSnapshot(path);
  CHECK(st.code() == base::StatusCode::kCorruption);
  CHECK(st.message().find("corrupt nflog snapshot " + path) == 0);
}

namespace {
std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}
std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("the nflog snapshot matches the worked example of alertmanager_state.md",
          "[alerting][nflog]") {
  testutil::FakeClock clock(kNow);
  testutil::TempDir dir;
  alerting::Nflog log(clock, {std::chrono::hours(120)});
  log.Log({"r", "webhook", 0}, "{}:{}", {0x0123456789abcdefULL}, {});
  REQUIRE(log.SaveSnapshot(dir.Sub("nflog")).ok());
  CHECK(ReadAll(dir.Sub("nflog")) ==
        FromHex("4e464c470101017207776562686f6f6b00057b7d3a7b7d80a0abfef96280d0a99afd6201012345"
                "6789abcdef0055802423"));
}

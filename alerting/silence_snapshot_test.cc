#include <catch2/catch.hpp>
#include <fstream>

#include "alerting/silence.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/temp_dir.h"

namespace {
constexpr int64_t kNow = 1'700'000'000'000;

alerting::Silence MakeSilence(int64_t start, int64_t end) {
  alerting::Silence s;
  s.matchers = {{alerting::MatchType::kEqual, "alertname", "A"},
                {alerting::MatchType::kRegexNoMatch, "env", "dev|te\"st"}};
  s.starts_at = start;
  s.ends_at = end;
  s.created_by = "me";
  s.comment = "maintenance \xe2\x9c\x93";
  return s;
}
}  // namespace

TEST_CASE("silences survive a snapshot and load", "[alerting][silence]") {
  testutil::FakeClock clock(kNow);
  testutil::TempDir dir;
  alerting::Silences silences(clock);
  auto active = silences.Set(MakeSilence(kNow, kNow + 3600'000));
  auto pending = silences.Set(MakeSilence(kNow + 60'000, kNow + 3600'000));
  REQUIRE(active.has_value());
  REQUIRE(pending.has_value());
  const std::string path = dir.Sub("silences");
  REQUIRE(silences.SaveSnapshot(path).ok());

  alerting::Silences loaded(clock);
  const uint64_t v = loaded.version();
  REQUIRE(loaded.LoadSnapshot(path).ok());
  CHECK(loaded.version() != v);
  auto all = loaded.Query();
  REQUIRE(all.size() == 2);
  auto got = loaded.Get(*active);
  REQUIRE(got.has_value());
  auto want = silences.Get(*active);
  CHECK(got->matchers == want->matchers);
  CHECK(got->starts_at == want->starts_at);
  CHECK(got->ends_at == want->ends_at);
  CHECK(got->updated_at == want->updated_at);
  CHECK(got->created_by == "me");
  CHECK(got->comment == want->comment);
  // The loaded silences mute as before.
  CHECK(loaded.Mutes({{"alertname", "A"}, {"env", "prod"}}));
  CHECK_FALSE(loaded.Mutes({{"alertname", "A"}, {"env", "dev"}}));
  CHECK(loaded.ActiveFor({{"alertname", "A"}}) == std::vector<std::string>{*active});
}

TEST_CASE("a missing silences snapshot is fine, a corrupt one an error naming it",
          "[alerting][silence]") {
  testutil::FakeClock clock(kNow);
  testutil::TempDir dir;
  alerting::Silences silences(clock);
  REQUIRE(silences.Set(MakeSilence(kNow, kNow + 3600'000)).has_value());
  CHECK(silences.LoadSnapshot(dir.Sub("nothing")).ok());
  CHECK(silences.Query().size() == 1);  // unchanged

  const std::string path = dir.Sub("silences");
  REQUIRE(silences.SaveSnapshot(path).ok());
  std::string data;
  {
    std::ifstream in(path, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  data[data.size() / 2] ^= 0x40;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
  }
  alerting::Silences other(clock);
  base::Status st = other.LoadSnapshot(path);
  CHECK(st.code() == base::StatusCode::kCorruption);
  CHECK(st.message() == "corrupt silences snapshot " + path + ": checksum mismatch");
  CHECK(other.Query().empty());
}

TEST_CASE("the silences snapshot example of alertmanager_state.md decodes", "[alerting][silence]") {
  testutil::FakeClock clock(kNow);
  testutil::TempDir dir;
  const std::string hex =
      "53494c5301010369643101000161016280a0abfef96280dae281fa6280a0abfef962026d650163db9c0ebb";
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  {
    std::ofstream out(dir.Sub("silences"), std::ios::binary);
    out << bytes;
  }
  alerting::Silences silences(clock);
  REQUIRE(silences.LoadSnapshot(dir.Sub("silences")).ok());
  auto s = silences.Get("id1");
  REQUIRE(s.has_value());
  REQUIRE(s->matchers.size() == 1);
  CHECK(s->matchers[0] == alerting::SilenceMatcher{alerting::MatchType::kEqual, "a", "b"});
  CHECK(s->starts_at == kNow);
  CHECK(s->ends_at == kNow + 3600'000);
  CHECK(s->updated_at == kNow);
  CHECK(s->created_by == "me");
  CHECK(s->comment == "c");
  // Saving it again gives the same bytes.
  REQUIRE(silences.SaveSnapshot(dir.Sub("again")).ok());
  std::ifstream in(dir.Sub("again"), std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == bytes);
}

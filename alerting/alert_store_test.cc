#include "alerting/alert_store.h"

#include <catch2/catch.hpp>

#include "base/metrics.h"
#include "tests/testutil/fake_clock.h"

using alerting::Alert;
using alerting::AlertPtr;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;

AlertPtr Make(int64_t starts, int64_t ends, int64_t updated, bool timeout = false) {
  auto a = std::make_shared<Alert>();
  a->labels = {{"alertname", "A"}};
  a->starts_at = starts;
  a->ends_at = ends;
  a->updated_at = updated;
  a->timeout = timeout;
  return a;
}

}  // namespace

TEST_CASE("MergeAlerts follows types.Alert.Merge", "[alerting][store]") {
  SECTION("the earlier start wins, the newer alert's end when it is later") {
    Alert m = alerting::MergeAlerts(*Make(kNow - 100, kNow + 100, 1),
                                    *Make(kNow - 50, kNow + 200, 2), kNow);
    CHECK(m.starts_at == kNow - 100);
    CHECK(m.ends_at == kNow + 200);
    CHECK(m.updated_at == 2);
  }
  SECTION("an older explicit end that is later wins over a firing newer alert") {
    Alert m = alerting::MergeAlerts(*Make(kNow - 100, kNow + 500, 1),
                                    *Make(kNow - 100, kNow + 200, 2), kNow);
    CHECK(m.ends_at == kNow + 500);
  }
  SECTION("but not when it came from the resolve timeout") {
    Alert m = alerting::MergeAlerts(*Make(kNow - 100, kNow + 500, 1, true),
                                    *Make(kNow - 100, kNow + 200, 2), kNow);
    CHECK(m.ends_at == kNow + 200);
  }
  SECTION(
      "a resolved newer alert overrides an earlier-ending... unless the old is resolved later") {
    // New alert resolved; old one still firing: the new end (in the past) wins.
    Alert m = alerting::MergeAlerts(*Make(kNow - 100, kNow + 500, 1),
                                    *Make(kNow - 100, kNow - 10, 2), kNow);
    CHECK(m.ends_at == kNow - 10);
    // Both resolved: the latest end wins.
    m = alerting::MergeAlerts(*Make(kNow - 100, kNow - 5, 1), *Make(kNow - 100, kNow - 10, 2),
                              kNow);
    CHECK(m.ends_at == kNow - 5);
  }
  SECTION("the argument order does not matter") {
    Alert m = alerting::MergeAlerts(*Make(kNow - 50, kNow + 200, 2),
                                    *Make(kNow - 100, kNow + 100, 1), kNow);
    CHECK(m.starts_at == kNow - 100);
    CHECK(m.updated_at == 2);
  }
}

TEST_CASE("the store merges overlapping alerts, feeds subscribers and GCs resolved ones",
          "[alerting][store]") {
  testutil::FakeClock clock(kNow);
  auto marker = std::make_shared<alerting::Marker>();
  base::metrics::Registry registry;
  alerting::AlertStore store(clock, marker, &registry);

  std::vector<AlertPtr> seen_early;
  store.Put({Make(kNow - 100, kNow + 100, kNow)});
  const uint64_t sub = store.Subscribe([&](const AlertPtr& a) { seen_early.push_back(a); });
  CHECK(seen_early.size() == 1);  // replayed on subscribe

  // Overlapping: merged (the earlier start is kept).
  store.Put({Make(kNow - 10, kNow + 300, kNow + 1)});
  REQUIRE(seen_early.size() == 2);
  CHECK(seen_early[1]->starts_at == kNow - 100);
  CHECK(seen_early[1]->ends_at == kNow + 300);
  // Not overlapping (a new firing after the old one ended): replaced.
  store.Put({Make(kNow + 1000, kNow + 2000, kNow + 2)});
  CHECK(store.Get(seen_early[1]->fingerprint())->starts_at == kNow + 1000);
  store.Unsubscribe(sub);
  store.Put({Make(kNow + 1000, kNow + 2000, kNow + 3)});
  CHECK(seen_early.size() == 3);

  CHECK(registry.Expose().find("alertmanager_alerts{state=\"unprocessed\"} 1") !=
        std::string::npos);
  marker->SetActiveOrSilenced(seen_early[0]->fingerprint(), 0, {"s1"});
  CHECK(registry.Expose().find("alertmanager_alerts{state=\"suppressed\"} 1") != std::string::npos);

  CHECK(store.GC().empty());
  clock.Set(kNow + 2000);
  CHECK(store.GC().size() == 1);
  CHECK(store.List().empty());
  CHECK(marker->Status(seen_early[0]->fingerprint()).state == alerting::AlertState::kUnprocessed);
}

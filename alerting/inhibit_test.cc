#include "alerting/inhibit.h"

#include <atomic>
#include <catch2/catch.hpp>

#include "alerting/config/config.h"
#include "alerting/fingerprint.h"

using alerting::Fingerprint;
using alerting::FingerprintString;
using alerting::Inhibitor;
using alerting::InhibitRule;

namespace {

class FakeClock final : public base::Clock {
 public:
  int64_t NowMs() const override { return now_.load(); }
  void Set(int64_t ms) { now_.store(ms); }

 private:
  std::atomic<int64_t> now_{1'700'000'000'000};
};

std::vector<InhibitRule> Rules(const std::string& yaml) {
  auto c = alerting::config::Load("route: {receiver: a}\nreceivers: [{name: a}]\n" + yaml);
  if (!c.has_value()) FAIL(c.error().message());
  std::vector<InhibitRule> rules;
  for (const auto& r : c->inhibit_rules) rules.push_back(InhibitRule::FromConfig(r));
  return rules;
}

}  // namespace

TEST_CASE("fingerprints are Alertmanager's", "[alerting][inhibit]") {
  // Values printed by Alertmanager 0.25's /api/v2/alerts for the same label sets.
  CHECK(FingerprintString(Fingerprint({{"a", "b"}})) == "d2b371819297f98a");
  CHECK(FingerprintString(
            Fingerprint({{"alertname", "A"}, {"severity", "critical"}, {"cluster", "c1"}})) ==
        "d0b0f9c089b0ac23");
  CHECK(FingerprintString(Fingerprint({{"alertname", "\xc3\xbcn\xc3\xaf"}, {"x", "y\nz"}})) ==
        "5ea3cf9708c0d648");
  CHECK(FingerprintString(Fingerprint({})) == "cbf29ce484222325");
}

TEST_CASE("an inhibition holds while the source fires and the equal labels agree",
          "[alerting][inhibit]") {
  FakeClock clock;
  Inhibitor ih(Rules(R"(
inhibit_rules:
- source_matchers: [severity=critical]
  target_matchers: [severity=~"warning|critical"]
  equal: [cluster]
)"),
               clock);
  const model::Labels a{{"alertname", "A"}, {"severity", "critical"}, {"cluster", "c1"}};
  const model::Labels b{{"alertname", "B"}, {"severity", "warning"}, {"cluster", "c1"}};
  const model::Labels c{{"alertname", "C"}, {"severity", "warning"}, {"cluster", "c2"}};
  const model::Labels d{{"alertname", "D"}, {"severity", "critical"}, {"cluster", "c1"}};
  const model::Labels e{{"alertname", "E"}, {"severity", "warning"}};
  CHECK_FALSE(ih.Mutes(b));  // no source yet
  for (const auto& l : {a, b, c, d, e}) ih.Put(l, 0);
  // As Alertmanager 0.25 reports for the same five alerts: only B is inhibited.
  CHECK(ih.Mutes(b));
  CHECK_FALSE(ih.Mutes(c));  // other cluster
  CHECK_FALSE(ih.Mutes(e));  // cluster missing on one side only
  CHECK_FALSE(ih.Mutes(a));  // A and D match both sides: neither inhibits the other
  CHECK_FALSE(ih.Mutes(d));
  auto by = ih.InhibitedBy(b);
  REQUIRE(by.has_value());
  CHECK((*by == Fingerprint(a) || *by == Fingerprint(d)));

  // The source resolves: the inhibition ends.
  ih.Put(a, clock.NowMs() + 1000);
  ih.Put(d, clock.NowMs() + 2000);
  CHECK(ih.Mutes(b));
  clock.Set(clock.NowMs() + 1000);
  CHECK(ih.InhibitedBy(b) == Fingerprint(d));
  clock.Set(clock.NowMs() + 1000);
  CHECK_FALSE(ih.Mutes(b));
  CHECK(ih.GC() == 2);
  // Firing again.
  ih.Put(a, 0);
  CHECK(ih.Mutes(b));
  ih.Delete(a);
  CHECK_FALSE(ih.Mutes(b));
}

TEST_CASE("an alert never inhibits itself, and legacy matchers work", "[alerting][inhibit]") {
  FakeClock clock;
  Inhibitor ih(Rules(R"(
inhibit_rules:
- source_match: {alertname: NodeDown}
  target_match_re: {alertname: 'Node.*'}
  equal: [instance]
- source_matchers: [maintenance="true"]
  target_matchers: [team=db]
)"),
               clock);
  const model::Labels down{{"alertname", "NodeDown"}, {"instance", "n1"}};
  const model::Labels disk{{"alertname", "NodeDiskFull"}, {"instance", "n1"}};
  const model::Labels disk2{{"alertname", "NodeDiskFull"}, {"instance", "n2"}};
  ih.Put(down, 0);
  CHECK_FALSE(ih.Mutes(down));  // matches both sides of its own rule
  CHECK(ih.Mutes(disk));
  CHECK_FALSE(ih.Mutes(disk2));
  // No `equal`: any firing source inhibits every target.
  CHECK_FALSE(ih.Mutes({{"team", "db"}}));
  ih.Put({{"maintenance", "true"}, {"alertname", "Window"}}, 0);
  CHECK(ih.Mutes({{"team", "db"}, {"alertname", "Anything"}}));
  CHECK_FALSE(ih.Mutes({{"team", "web"}}));
}

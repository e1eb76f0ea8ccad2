#include "alerting/silence.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

using alerting::MatchType;
using alerting::Silence;
using alerting::SilenceMatcher;
using alerting::Silences;
using alerting::SilenceState;

namespace {

class FakeClock final : public base::Clock {
 public:
  int64_t NowMs() const override { return now_.load(); }
  void Advance(int64_t ms) { now_ += ms; }

 private:
  std::atomic<int64_t> now_{1'700'000'000'000};
};

Silence Make(std::vector<SilenceMatcher> ms, int64_t start, int64_t end) {
  Silence s;
  s.matchers = std::move(ms);
  s.starts_at = start;
  s.ends_at = end;
  s.created_by = "test";
  s.comment = "maintenance";
  return s;
}

constexpr int64_t kMin = 60'000;

}  // namespace

TEST_CASE("a silence is pending, then active, then expired", "[alerting][silence]") {
  FakeClock clock;
  Silences silences(clock);
  const int64_t t0 = clock.NowMs();
  auto id = silences.Set(
      Make({{MatchType::kEqual, "job", "api"}, {MatchType::kRegexMatch, "env", "prod|stage"}},
           t0 + 10 * kMin, t0 + 70 * kMin));
  REQUIRE(id.has_value());
  CHECK(id->size() == 36);
  const model::Labels api_prod{{"job", "api"}, {"env", "prod"}};
  const model::Labels api_dev{{"job", "api"}, {"env", "dev"}};

  CHECK(alerting::StateAt(*silences.Get(*id), clock.NowMs()) == SilenceState::kPending);
  CHECK_FALSE(silences.Mutes(api_prod));
  CHECK(silences.Query({SilenceState::kPending}).size() == 1);
  clock.Advance(10 * kMin);
  CHECK(silences.Mutes(api_prod));
  CHECK_FALSE(silences.Mutes(api_dev));
  CHECK_FALSE(silences.Mutes({{"env", "prod"}}));
  CHECK(silences.ActiveFor(api_prod) == std::vector<std::string>{*id});
  CHECK(silences.Query({SilenceState::kActive}, &api_prod).size() == 1);
  CHECK(silences.Query({SilenceState::kActive}, &api_dev).empty());
  clock.Advance(60 * kMin - 1);
  CHECK(silences.Mutes(api_prod));
  clock.Advance(1);
  CHECK_FALSE(silences.Mutes(api_prod));
  CHECK(silences.Query({SilenceState::kExpired}).size() == 1);
  // Kept for the retention period, then collected.
  CHECK(silences.GC() == 0);
  clock.Advance(120 * 60 * kMin);
  CHECK(silences.GC() == 1);
  CHECK(silences.Get(*id).error().code() == base::StatusCode::kNotFound);
}

TEST_CASE("expiring a silence un-silences at once", "[alerting][silence]") {
  FakeClock clock;
  Silences silences(clock);
  const int64_t t0 = clock.NowMs();
  auto active = silences.Set(Make({{MatchType::kEqual, "a", "b"}}, t0, t0 + 60 * kMin));
  auto pending = silences.Set(Make({{MatchType::kEqual, "a", "b"}}, t0 + kMin, t0 + 60 * kMin));
  REQUIRE(active.has_value());
  REQUIRE(pending.has_value());
  CHECK(silences.Mutes({{"a", "b"}}));
  REQUIRE(silences.Expire(*active).ok());
  CHECK_FALSE(silences.Mutes({{"a", "b"}}));
  REQUIRE(silences.Expire(*pending).ok());
  auto p = silences.Get(*pending);
  CHECK(p->starts_at == t0);
  CHECK(p->ends_at == t0);
  clock.Advance(2 * kMin);
  CHECK_FALSE(silences.Mutes({{"a", "b"}}));
  CHECK(silences.Expire(*active).ok());  // already expired: nothing to do
  CHECK(silences.Expire("nope").message() == "silence not found");
}

TEST_CASE("updates change a silence in place only when Alertmanager allows it",
          "[alerting][silence]") {
  FakeClock clock;
  Silences silences(clock);
  const int64_t t0 = clock.NowMs();
  Silence s = Make({{MatchType::kEqual, "a", "b"}}, t0 - 5 * kMin, t0 + 60 * kMin);
  auto id = silences.Set(s);
  REQUIRE(id.has_value());
  CHECK(silences.Get(*id)->starts_at == t0);  // a new silence starts now at the earliest

  // Active: extending the end keeps the id.
  s = *silences.Get(*id);
  s.ends_at = t0 + 120 * kMin;
  s.comment = "longer";
  CHECK(silences.Set(s).value() == *id);
  CHECK(silences.Get(*id)->comment == "longer");

  // Changing the matchers replaces it: the old one expires.
  s.matchers = {{MatchType::kEqual, "a", "c"}};
  auto replaced = silences.Set(s);
  REQUIRE(replaced.has_value());
  CHECK(*replaced != *id);
  CHECK(alerting::StateAt(*silences.Get(*id), clock.NowMs()) == SilenceState::kExpired);
  CHECK(silences.Mutes({{"a", "c"}}));
  CHECK_FALSE(silences.Mutes({{"a", "b"}}));

  // Unknown ids and invalid silences are rejected and change nothing.
  Silence unknown = s;
  unknown.id = "0000";
  CHECK(silences.Set(unknown).error().message() == "silence not found");
  Silence bad = *silences.Get(*replaced);
  bad.matchers = {{MatchType::kEqual, "a", ""}};
  CHECK(silences.Set(bad).error().message() ==
        "silence invalid: at least one matcher must not match the empty string");
  CHECK(silences.Mutes({{"a", "c"}}));
}

TEST_CASE("silences are validated as Alertmanager validates them", "[alerting][silence]") {
  FakeClock clock;
  Silences silences(clock);
  const int64_t t0 = clock.NowMs();
  auto err = [&](std::vector<SilenceMatcher> ms, int64_t start, int64_t end) {
    auto r = silences.Set(Make(std::move(ms), start, end));
    return r.has_value() ? std::string("ok") : r.error().message();
  };
  CHECK(err({}, t0, t0 + kMin) == "silence invalid: at least one matcher required");
  CHECK(err({{MatchType::kEqual, "a-b", "x"}}, t0, t0 + kMin) ==
        "silence invalid: invalid label matcher 0: invalid label name \"a-b\"");
  CHECK(err({{MatchType::kEqual, "a", "x"}, {MatchType::kRegexMatch, "b", "("}}, t0, t0 + kMin) ==
        "silence invalid: invalid label matcher 1: invalid regular expression \"(\": error "
        "parsing regexp: missing closing ): `(`");
  CHECK(err({{MatchType::kRegexMatch, "a", ".*"}}, t0, t0 + kMin) ==
        "silence invalid: at least one matcher must not match the empty string");
  CHECK(err({{MatchType::kNotEqual, "a", "x"}}, t0, t0 + kMin) == "ok");  // as Alertmanager
  CHECK(err({{MatchType::kEqual, "a", "x"}}, t0 + 2 * kMin, t0 + kMin) ==
        "silence invalid: end time must not be before start time");
  CHECK(err({{MatchType::kEqual, "a", "x"}}, t0, 0) ==
        "silence invalid: invalid zero end timestamp");
  CHECK(silences.Query().size() == 1);
}

TEST_CASE("negative and regex silence matchers mute like route matchers", "[alerting][silence]") {
  FakeClock clock;
  Silences silences(clock);
  const int64_t t0 = clock.NowMs();
  REQUIRE(silences
              .Set(Make({{MatchType::kRegexMatch, "instance", "db-[0-9]+"},
                         {MatchType::kNotEqual, "severity", "critical"},
                         {MatchType::kRegexNoMatch, "team", "sre|ops"}},
                        t0, t0 + kMin))
              .has_value());
  CHECK(silences.Mutes({{"instance", "db-12"}, {"severity", "warning"}}));
  CHECK_FALSE(silences.Mutes({{"instance", "db-12"}, {"severity", "critical"}}));
  CHECK_FALSE(silences.Mutes({{"instance", "db-12x"}}));
  CHECK_FALSE(silences.Mutes({{"instance", "db-1"}, {"team", "ops"}}));
  CHECK(silences.Mutes({{"instance", "db-1"}, {"team", "opsx"}}));
  uint64_t v = silences.version();
  REQUIRE(silences.Set(Make({{MatchType::kEqual, "x", "y"}}, t0, t0 + kMin)).has_value());
  CHECK(silences.version() > v);
}

TEST_CASE("silences can be used from many threads", "[alerting][silence]") {
  FakeClock clock;
  Silences silences(clock);
  const int64_t t0 = clock.NowMs();
  std::atomic<int> muted{0};
  {
    std::vector<std::jthread> threads;
    for (int w = 0; w < 4; ++w) {
      threads.emplace_back([&, w] {
        for (int i = 0; i < 200; ++i) {
          std::string v = std::to_string(w * 1000 + i);
          auto id = silences.Set(Make({{MatchType::kEqual, "n", v}}, t0, t0 + kMin));
          if (!id.has_value()) continue;
          if (silences.Mutes({{"n", v}})) ++muted;
          if (i % 2 == 0) (void)silences.Expire(*id);
          (void)silences.Query({SilenceState::kActive});
        }
      });
    }
  }
  CHECK(muted.load() == 800);
  CHECK(silences.Query({SilenceState::kActive}).size() == 400);
  CHECK(silences.Query().size() == 800);
}

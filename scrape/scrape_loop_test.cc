#include <catch2/catch.hpp>

#include <bit>
#include <map>
#include <tuple>

#include "scrape/scrape_loop.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/db.h"

using model::Labels;

namespace {

struct Fixture {
  testutil::TempDir dir;
  std::unique_ptr<tsdb::DB> db = std::move(*tsdb::DB::Open(dir.path(), tsdb::Options{}));
  std::string body;
  base::Status fetch_status;

  scrape::LoopOptions Options() {
    scrape::LoopOptions o;
    o.target_labels = Labels{{"job", "node"}, {"instance", "h:9100"}};
    return o;
  }
  std::unique_ptr<scrape::ScrapeLoop> Loop(scrape::LoopOptions o) {
    return std::make_unique<scrape::ScrapeLoop>(std::move(o), *db, [this](auto) {
      return scrape::FetchResult{fetch_status, body, "text/plain; version=0.0.4"};
    });
  }
  // labels -> samples (NaN-stale kept as the string "stale")
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> Dump() {
    std::map<std::string, std::vector<std::pair<int64_t, std::string>>> out;
    auto q = *db->NewQuerier(model::kMinTime, model::kMaxTime);
    auto set = q->Select(true, nullptr, {*model::Matcher::Make(model::MatchType::kRegexMatch, "__name__", ".+")});
    while (set->Next()) {
      auto it = set->At().NewIterator();
      auto& v = out[set->At().labels().ToString()];
      while (it->Next()) {
        auto [t, x] = it->At();
        v.emplace_back(t, model::IsStaleNaN(x) ? "stale" : std::to_string(static_cast<int64_t>(x)));
      }
    }
    return out;
  }
};

}  // namespace

TEST_CASE("a scrape stores the exposed series with target labels and the synthetic series",
          "[scrape][loop]") {
  Fixture f;
  auto loop = f.Loop(f.Options());
  f.body = "# TYPE a counter\na_total 1\nb{x=\"1\"} 2\nb{x=\"2\"} 3 5000\n";
  auto r = loop->ScrapeOnce(1000);
  CHECK(r.error.ok());
  CHECK(r.samples_scraped == 3);
  CHECK(r.series_added == 3);
  auto d = f.Dump();
  CHECK(d["{__name__=\"a_total\", instance=\"h:9100\", job=\"node\"}"] ==
        std::vector<std::pair<int64_t, std::string>>{{1000, "1"}});
  CHECK(d["{__name__=\"b\", instance=\"h:9100\", job=\"node\", x=\"2\"}"] ==
        std::vector<std::pair<int64_t, std::string>>{{5000, "3"}});  // honor_timestamps
  CHECK(d["{__name__=\"up\", instance=\"h:9100\", job=\"node\"}"] ==
        std::vector<std::pair<int64_t, std::string>>{{1000, "1"}});
  CHECK(d["{__name__=\"scrape_samples_scraped\", instance=\"h:9100\", job=\"node\"}"] ==
        std::vector<std::pair<int64_t, std::string>>{{1000, "3"}});
  CHECK(d.count("{__name__=\"scrape_duration_seconds\", instance=\"h:9100\", job=\"node\"}") == 1);
  CHECK(d.count("{__name__=\"scrape_series_added\", instance=\"h:9100\", job=\"node\"}") == 1);
  CHECK(d.count("{__name__=\"scrape_samples_post_metric_relabeling\", instance=\"h:9100\", job=\"node\"}") == 1);
}

TEST_CASE("series that vanish and targets that fail get staleness markers", "[scrape][loop]") {
  Fixture f;
  auto loop = f.Loop(f.Options());
  f.body = "a 1\nb 2\n";
  REQUIRE(loop->ScrapeOnce(1000).error.ok());
  f.body = "a 1\n";
  auto second = loop->ScrapeOnce(2000);
  REQUIRE(second.error.ok());
  CHECK(second.series_added == 0);
  auto d = f.Dump();
  CHECK(d["{__name__=\"b\", instance=\"h:9100\", job=\"node\"}"] ==
        std::vector<std::pair<int64_t, std::string>>{{1000, "2"}, {2000, "stale"}});
  f.fetch_status = base::Unavailable("connection refused");
  auto failed = loop->ScrapeOnce(3000);
  CHECK_FALSE(failed.error.ok());
  d = f.Dump();
  CHECK(d["{__name__=\"a\", instance=\"h:9100\", job=\"node\"}"] ==
        std::vector<std::pair<int64_t, std::string>>{{1000, "1"}, {2000, "1"}, {3000, "stale"}});
  CHECK(d["{__name__=\"up\", instance=\"h:9100\", job=\"node\"}"].back() == std::pair<int64_t, std::string>{3000, "0"});
  // Removed by a reload: everything of the target goes stale.
  f.fetch_status = base::Status::Ok();
  REQUIRE(loop->ScrapeOnce(4000).error.ok());
  REQUIRE(loop->MarkAllStale(4500).ok());
  d = f.Dump();
  CHECK(d["{__name__=\"a\", instance=\"h:9100\", job=\"node\"}"].back() == std::pair<int64_t, std::string>{4500, "stale"});
  CHECK(d["{__name__=\"up\", instance=\"h:9100\", job=\"node\"}"].back() == std::pair<int64_t, std::string>{4500, "stale"});
}

TEST_CASE("exposed labels that collide with target labels", "[scrape][loop]") {
  SECTION("are renamed exported_ without honor_labels") {
    Fixture f;
    auto loop = f.Loop(f.Options());
    f.body = "a{job=\"app\",exported_job=\"x\"} 1\n";
    REQUIRE(loop->ScrapeOnce(1000).error.ok());
    CHECK(f.Dump().count(
              "{__name__=\"a\", exported_exported_job=\"app\", exported_job=\"x\", instance=\"h:9100\", job=\"node\"}") == 1);
  }
  SECTION("win with honor_labels") {
    Fixture f;
    auto o = f.Options();
    o.honor_labels = true;
    auto loop = f.Loop(o);
    f.body = "a{job=\"app\"} 1\n";
    REQUIRE(loop->ScrapeOnce(1000).error.ok());
    CHECK(f.Dump().count("{__name__=\"a\", instance=\"h:9100\", job=\"app\"}") == 1);
  }
}

TEST_CASE("malformed bodies and limits fail the scrape and store none of it", "[scrape][loop]") {
  Fixture f;
  auto o = f.Options();
  o.sample_limit = 2;
  auto loop = f.Loop(o);
  f.body = "a 1\nb 2\nc 3\n";
  auto r = loop->ScrapeOnce(1000);
  CHECK(r.error.message() == "sample limit exceeded");
  f.body = "a 1\nb{ 2\n";
  auto bad = loop->ScrapeOnce(2000);
  CHECK_FALSE(bad.error.ok());
  auto d = f.Dump();
  CHECK(d.count("{__name__=\"a\", instance=\"h:9100\", job=\"node\"}") == 0);
  CHECK(d["{__name__=\"up\", instance=\"h:9100\", job=\"node\"}"] ==
        std::vector<std::pair<int64_t, std::string>>{{1000, "0"}, {2000, "0"}});
}

TEST_CASE("metric relabeling can drop series", "[scrape][loop]") {
  Fixture f;
  auto o = f.Options();
  model::RelabelConfig drop;
  drop.source_labels = {"__name__"};
  drop.regex = *model::RelabelRegex::Compile("go_.*");
  drop.action = model::RelabelAction::kDrop;
  o.metric_relabel_configs.push_back(drop);
  auto loop = f.Loop(o);
  f.body = "go_goroutines 5\nkeep_me 1\n";
  auto r = loop->ScrapeOnce(1000);
  REQUIRE(r.error.ok());
  CHECK(r.samples_scraped == 2);
  CHECK(r.samples_post_relabeling == 1);
  auto d = f.Dump();
  CHECK(d.count("{__name__=\"go_goroutines\", instance=\"h:9100\", job=\"node\"}") == 0);
  CHECK(d.count("{__name__=\"keep_me\", instance=\"h:9100\", job=\"node\"}") == 1);
}

TEST_CASE("scrape offsets spread targets over the interval and keep their phase", "[scrape][loop]") {
  using std::chrono::milliseconds;
  Labels a{{"job", "x"}, {"instance", "a"}}, b{{"job", "x"}, {"instance", "b"}};
  auto oa = scrape::ScrapeOffset(a, milliseconds(15000), 1000000);
  CHECK(oa.count() >= 0);
  CHECK(oa.count() < 15000);
  // The same phase one interval later.
  CHECK(scrape::ScrapeOffset(a, milliseconds(15000), 1000000 + 15000) == oa);
  CHECK(scrape::ScrapeOffset(a, milliseconds(15000), 1000000) != scrape::ScrapeOffset(b, milliseconds(15000), 1000000));
}

TEST_CASE("the scrape loop caches metadata per family as Prometheus's scrapeCache",
          "[scrape][loop][metadata]") {
  Fixture f;
  auto loop = f.Loop(f.Options());
  using scrape::textparse::MetricType;
  auto meta = [&] {
    std::vector<std::tuple<std::string, MetricType, std::string, std::string>> out;
    for (const auto& m : loop->ListMetadata()) out.emplace_back(m.metric, m.type, m.help, m.unit);
    return out;
  };
  using Row = std::tuple<std::string, MetricType, std::string, std::string>;

  // OpenMetrics: TYPE, HELP and UNIT of a family; a HELP alone gives type unknown.
  auto om = loop->AppendBody(
      "# TYPE req counter\n# HELP req Requests \\\"served\\\".\nreq_total 1\n"
      "# TYPE lat_seconds histogram\n# UNIT lat_seconds seconds\n"
      "lat_seconds_bucket{le=\"+Inf\"} 1\nlat_seconds_count 1\nlat_seconds_sum 1\n"
      "# HELP bare Only help.\nbare 1\n# TYPE st stateset\nst{st=\"a\"} 1\n"
      "# TYPE inf info\ninf_info 1\n# TYPE gh gaugehistogram\ngh_bucket{le=\"+Inf\"} 1\ngh_gcount 1\n# EOF\n",
      "application/openmetrics-text; version=1.0.0", 1000, 0);
  REQUIRE(om.error.ok());
  CHECK(meta() == std::vector<Row>{{"bare", MetricType::kUnknown, "Only help.", ""},
                                   {"gh", MetricType::kGaugeHistogram, "", ""},
                                   {"inf", MetricType::kInfo, "", ""},
                                   {"lat_seconds", MetricType::kHistogram, "", "seconds"},
                                   {"req", MetricType::kCounter, "Requests \"served\".", ""},
                                   {"st", MetricType::kStateset, "", ""}});
  auto one = loop->GetMetadata("req");
  REQUIRE(one.has_value());
  CHECK(one->help == "Requests \"served\".");
  CHECK_FALSE(loop->GetMetadata("req_total").has_value());
  CHECK(scrape::textparse::MetricTypeString(MetricType::kGaugeHistogram) == "gaugehistogram");

  // The text format: untyped is unknown; a new HELP replaces the old one, the type stays.
  f.body = "# HELP req New help.\nreq_total 2\n# TYPE g gauge\ng 1\n# TYPE u untyped\nu 1\n";
  REQUIRE(loop->ScrapeOnce(2000).error.ok());
  CHECK(loop->GetMetadata("req")->help == "New help.");
  CHECK(loop->GetMetadata("req")->type == MetricType::kCounter);
  CHECK(loop->GetMetadata("g")->type == MetricType::kGauge);
  CHECK(loop->GetMetadata("u")->type == MetricType::kUnknown);

  // A scrape that fails after a TYPE line still records it, and does not flush.
  f.body = "# TYPE broken summary\nbroken{ 1\n";
  CHECK_FALSE(loop->ScrapeOnce(3000).error.ok());
  CHECK(loop->GetMetadata("broken")->type == MetricType::kSummary);

  // Families not seen for more than 10 scrapes go at a successful scrape; "g" stays.
  f.body = "# TYPE g gauge\ng 1\n";
  for (int i = 0; i < 9; ++i) REQUIRE(loop->ScrapeOnce(4000 + i * 1000).error.ok());
  CHECK_FALSE(loop->GetMetadata("bare").has_value());  // last seen 11 scrapes ago
  CHECK(loop->GetMetadata("req").has_value());          // 10 ago
  CHECK(loop->GetMetadata("broken").has_value());       // 9 ago
  REQUIRE(loop->ScrapeOnce(13000).error.ok());
  CHECK_FALSE(loop->GetMetadata("req").has_value());
  CHECK(loop->GetMetadata("broken").has_value());
  REQUIRE(loop->ScrapeOnce(14000).error.ok());
  CHECK_FALSE(loop->GetMetadata("broken").has_value());
  CHECK(meta() == std::vector<Row>{{"g", MetricType::kGauge, "", ""}});

  // Failed fetches never flush.
  f.fetch_status = base::Unavailable("down");
  for (int i = 0; i < 20; ++i) loop->ScrapeOnce(20000 + i * 1000);
  CHECK(loop->GetMetadata("g").has_value());
}

TEST_CASE("series keep their identity when the exposition order changes between scrapes",
          "[scrape][loop]") {
  // The cache first compares each series with the one at the same position of the last scrape;
  // insertions, removals, swaps and a failed scrape in between must not confuse it.
  Fixture f;
  auto loop = f.Loop(f.Options());
  const std::vector<std::pair<std::string, uint64_t>> bodies = {
      {"a 1\nb 1\nc 1\n", 3},       // all new
      {"a 2\nb 2\nc 2\n", 0},       // same order
      {"a 3\nx 3\nb 3\nc 3\n", 1},  // x inserted in the middle
      {"c 4\nb 4\na 4\n", 0},       // x gone, order reversed
      {"b 5\nb 5\nc 5\n", 0},       // a gone, b twice (counted twice, stored once)
      {"c 6\nnot valid\n", 0},      // fails: everything stale
      {"a 7\nb 7\nc 7\n", 3},       // all new again after the failure
  };
  int64_t ts = 1000;
  for (const auto& [body, added] : bodies) {
    f.body = body;
    auto r = loop->ScrapeOnce(ts);
    CHECK(r.series_added == added);
    ts += 1000;
  }
  auto d = f.Dump();
  using Samples = std::vector<std::pair<int64_t, std::string>>;
  CHECK(d["{__name__=\"a\", instance=\"h:9100\", job=\"node\"}"] ==
        Samples{{1000, "1"}, {2000, "2"}, {3000, "3"}, {4000, "4"}, {5000, "stale"}, {7000, "7"}});
  CHECK(d["{__name__=\"x\", instance=\"h:9100\", job=\"node\"}"] ==
        Samples{{3000, "3"}, {4000, "stale"}});
  CHECK(d["{__name__=\"b\", instance=\"h:9100\", job=\"node\"}"] ==
        Samples{{1000, "1"}, {2000, "2"}, {3000, "3"}, {4000, "4"}, {5000, "5"}, {6000, "stale"},
                {7000, "7"}});
  CHECK(d["{__name__=\"c\", instance=\"h:9100\", job=\"node\"}"] ==
        Samples{{1000, "1"}, {2000, "2"}, {3000, "3"}, {4000, "4"}, {5000, "5"}, {6000, "stale"},
                {7000, "7"}});
  // Removed by a reload after all that: every series of the last scrape goes stale once.
  REQUIRE(loop->MarkAllStale(7500).ok());
  f.body = "a 8\n";
  REQUIRE(loop->ScrapeOnce(8000).series_added == 1);
  d = f.Dump();
  CHECK(d["{__name__=\"c\", instance=\"h:9100\", job=\"node\"}"].back() ==
        std::pair<int64_t, std::string>{7500, "stale"});
  CHECK(d["{__name__=\"a\", instance=\"h:9100\", job=\"node\"}"].back() ==
        std::pair<int64_t, std::string>{8000, "8"});
}

TEST_CASE("scrape timestamps are aligned to their slot within 2 ms, as Prometheus's",
          "[scrape][loop]") {
  model::Timestamp aligned = 0;
  CHECK(scrape::AlignScrapeTimestamp(100'003, 15'000, &aligned) == 100'003);  // first: itself
  CHECK(scrape::AlignScrapeTimestamp(115'005, 15'000, &aligned) == 115'003);  // 2 ms late
  CHECK(scrape::AlignScrapeTimestamp(130'001, 15'000, &aligned) == 130'001);  // early: as is
  CHECK(scrape::AlignScrapeTimestamp(145'007, 15'000, &aligned) == 145'007);  // 4 ms late
  CHECK(scrape::AlignScrapeTimestamp(175'004, 15'000, &aligned) == 175'003);  // a skipped tick
  // Short intervals: 1 % of the interval at most; 200 ms or less never.
  model::Timestamp a2 = 0;
  CHECK(scrape::AlignScrapeTimestamp(1000, 150, &a2) == 1000);
  CHECK(scrape::AlignScrapeTimestamp(1151, 150, &a2) == 1151);
}

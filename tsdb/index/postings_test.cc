#include <catch2/catch.hpp>

#include <random>

#include "tsdb/index/head_index.h"
#include "tsdb/index/postings.h"

using tsdb::index::HeadIndex;
using tsdb::index::SymbolTable;

TEST_CASE("postings set operations agree with std algorithms", "[tsdb][index]") {
  std::mt19937_64 rng(GENERATE(1, 2, 3, 4));
  auto random_list = [&](size_t n, uint64_t range) {
    std::vector<uint64_t> v;
    for (size_t i = 0; i < n; ++i) v.push_back(rng() % range);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  auto a = random_list(200, 1000), b = random_list(50, 1000), c = random_list(500, 1000);
  using namespace tsdb::index;
  auto lp = [](std::vector<uint64_t> v) -> PostingsPtr { return std::make_unique<ListPostings>(v); };
  std::vector<PostingsPtr> its;
  its.push_back(lp(a));
  its.push_back(lp(b));
  its.push_back(lp(c));
  auto inter = Expand(*Intersect(std::move(its)));
  auto ab = IntersectSorted<uint64_t>(a, b);
  CHECK(inter == IntersectSorted<uint64_t>(ab, c));
  its.clear();
  its.push_back(lp(a));
  its.push_back(lp(b));
  its.push_back(lp(c));
  CHECK(Expand(*Merge(std::move(its))) == MergeSorted<uint64_t>({a, b, c}));
  CHECK(Expand(*Without(lp(a), lp(c))) == WithoutSorted<uint64_t>(a, c));
  // Seek on a merge moves forward only.
  its.clear();
  its.push_back(lp(a));
  its.push_back(lp(b));
  auto m = Merge(std::move(its));
  auto merged = MergeSorted<uint64_t>({a, b});
  if (!merged.empty()) {
    REQUIRE(m->Seek(merged[merged.size() / 2]));
    CHECK(m->At() == merged[merged.size() / 2]);
  }
}

namespace {

struct Fixture {
  SymbolTable symbols;
  HeadIndex index{symbols};
  std::vector<std::vector<std::pair<std::string, std::string>>> series{1};  // ref -> labels
};

}  // namespace

TEST_CASE("every matcher kind selects what a brute-force scan selects", "[tsdb][index]") {
  uint64_t seed = GENERATE(11, 12, 13, 14, 15);
  std::mt19937_64 rng(seed);
  Fixture f;
  const std::vector<std::string> names = {"__name__", "job", "instance", "code", "path", "le"};
  const std::vector<std::string> values = {"a", "b", "ab", "abc", "api_v1", "api_v2", "x.y", "", "200", "500"};
  for (int i = 0; i < 300; ++i) {
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& n : names) {
      const std::string& v = values[rng() % values.size()];
      if (!v.empty() && rng() % 4 != 0) labels.emplace_back(n, v);
    }
    if (labels.empty()) labels.emplace_back("job", "a");
    std::sort(labels.begin(), labels.end());
    std::vector<uint32_t> syms;
    for (const auto& [n, v] : labels) {
      syms.push_back(f.symbols.Intern(n));
      syms.push_back(f.symbols.Intern(v));
    }
    uint32_t ref = f.index.Add(syms, [](uint32_t) {});
    REQUIRE(ref == f.series.size());
    f.series.push_back(labels);
  }
  const std::vector<std::string> patterns = {"a", "ab|abc", "api_.*", ".*", ".+", "", "a.*|200",
                                             "x\\.y", "[ab]+", "5.*0", "nonexistent", "a|"};
  using model::MatchType;
  for (int round = 0; round < 200; ++round) {
    std::vector<model::Matcher> ms;
    int n = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) {
      auto type = static_cast<MatchType>(rng() % 4);
      std::string name = rng() % 10 == 0 ? "missing" : names[rng() % names.size()];
      std::string value = (type == MatchType::kEqual || type == MatchType::kNotEqual)
                              ? values[rng() % values.size()]
                              : patterns[rng() % patterns.size()];
      ms.push_back(*model::Matcher::Make(type, name, value));
    }
    std::vector<uint32_t> want;
    for (uint32_t ref = 1; ref < f.series.size(); ++ref) {
      bool all = true;
      for (const auto& m : ms) {
        std::string v;
        for (const auto& [ln, lv] : f.series[ref])
          if (ln == m.name()) v = lv;
        if (!m.Matches(v)) all = false;
      }
      if (all) want.push_back(ref);
    }
    std::string desc;
    for (const auto& m : ms) desc += m.ToString() + " ";
    INFO("seed " << seed << " matchers " << desc);
    CHECK(f.index.Select(ms) == want);
  }
}

TEST_CASE("deleted series leave every postings list", "[tsdb][index]") {
  Fixture f;
  auto add = [&](std::vector<std::pair<std::string, std::string>> labels) {
    std::vector<uint32_t> syms;
    for (const auto& [n, v] : labels) {
      syms.push_back(f.symbols.Intern(n));
      syms.push_back(f.symbols.Intern(v));
    }
    f.series.push_back(labels);
    return f.index.Add(syms, [](uint32_t) {});
  };
  uint32_t a = add({{"job", "x"}, {"k", "1"}});
  uint32_t b = add({{"job", "x"}, {"k", "2"}});
  std::vector<std::vector<uint32_t>> syms_of(3);
  for (uint32_t r : {a, b})
    for (const auto& [n, v] : f.series[r]) {
      syms_of[r].push_back(f.symbols.Intern(n));
      syms_of[r].push_back(f.symbols.Intern(v));
    }
  f.index.Delete({a}, [&](uint32_t r) { return std::span<const uint32_t>(syms_of[r]); });
  CHECK(f.index.Select({*model::Matcher::Make(model::MatchType::kEqual, "job", "x")}) ==
        std::vector<uint32_t>{b});
  CHECK(f.index.LabelValues("k") == std::vector<std::string>{"2"});
  CHECK(f.index.NumSeries() == 1);
}

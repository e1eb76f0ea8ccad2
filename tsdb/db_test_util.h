// Helpers of the tsdb tests: the data a DB holds as a plain model, and comparing models.
#pragma once

#include <catch2/catch.hpp>

#include <bit>
#include <map>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "model/sample.h"
#include "storage/querier.h"
#include "tsdb/db.h"

namespace tsdb::testing {

using model::Labels;
using model::Matcher;
using model::MatchType;
using model::Sample;

using Model = std::map<Labels, std::vector<Sample>>;

inline tsdb::Options TestOptions() {
  tsdb::Options o;
  o.wal_segment_bytes = 64 << 10;         // many small segments
  o.head_chunk_segment_bytes = 64 << 10;  // of head chunk files too
  o.wal_sync = tsdb::WalSyncMode::kSegment;
  o.compaction_interval = std::chrono::milliseconds(0);  // tests call Compact()
  return o;
}

inline Matcher Eq(std::string n, std::string v) { return *Matcher::Make(MatchType::kEqual, n, v); }
inline Matcher Re(std::string n, std::string v) { return *Matcher::Make(MatchType::kRegexMatch, n, v); }

// Everything the DB holds for the matchers, as a model.
inline Model ReadAll(storage::Queryable& q, const std::vector<Matcher>& ms,
              model::Timestamp mint = model::kMinTime, model::Timestamp maxt = model::kMaxTime) {
  Model out;
  auto querier = q.NewQuerier(mint, maxt);
  REQUIRE(querier.has_value());
  auto set = (*querier)->Select(true, nullptr, ms);
  Labels prev;
  bool first = true;
  while (set->Next()) {
    auto& s = set->At();
    if (!first) CHECK(prev < s.labels());
    first = false;
    prev = s.labels();
    auto it = s.NewIterator();
    auto& v = out[s.labels()];
    while (it->Next()) {
      auto [t, val] = it->At();
      v.push_back({t, val});
    }
    REQUIRE(it->status().ok());
  }
  REQUIRE(set->status().ok());
  return out;
}

inline void CheckEqual(const Model& got, const Model& want) {
  REQUIRE(got.size() == want.size());
  for (const auto& [labels, samples] : want) {
    auto it = got.find(labels);
    REQUIRE(it != got.end());
    INFO(labels.ToString());
    if (it->second.size() != samples.size()) {
      std::string got_s, want_s;
      for (const auto& x : it->second) got_s += std::to_string(x.t) + " ";
      for (const auto& x : samples) want_s += std::to_string(x.t) + " ";
      INFO("got " << got_s << "\nwant " << want_s);
      REQUIRE(it->second.size() == samples.size());
    }
    for (size_t i = 0; i < samples.size(); ++i) {
      CHECK(it->second[i].t == samples[i].t);
      CHECK(std::bit_cast<uint64_t>(it->second[i].v) == std::bit_cast<uint64_t>(samples[i].v));
    }
  }
}

}  // namespace tsdb::testing

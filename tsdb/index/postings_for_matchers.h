// PostingsForMatchers: the matcher evaluation of Prometheus tsdb/querier.go PostingsForMatchers,
// written once for every index (the head's HeadIndex and a persistent block's index reader).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "model/matcher.h"
#include "tsdb/index/postings.h"

namespace tsdb::index {

// An index the evaluation reads through. `Reader` provides:
//   using List = std::vector<Ref>;                       (Ref an unsigned integer type)
//   List All() const;                                     every series, ascending
//   bool HasName(std::string_view name) const;            some series has label `name`
//   template <class Pred> List Matching(std::string_view name, const Pred& pred) const;
//       union of the postings of the values v of `name` with pred(v), ascending
//   List ForValues(std::string_view name, const std::vector<std::string>& values) const;
//       union of the postings of those of `values` that `name` has, ascending
// A reader that can fail (a corrupt block) returns empty lists and keeps the error itself.

// The postings a matcher selects. For a matcher that matches the empty string the result is the
// complement: the refs to drop (series whose value does not match); *matches_all is set when
// nothing is dropped.
template <typename Reader>
typename Reader::List PostingsForMatcher(const Reader& r, const model::Matcher& m,
                                         bool* matches_all) {
  *matches_all = false;
  const bool has_name = r.HasName(m.name());
  if (!m.MatchesEmpty()) {
    if (!has_name) return {};
    // A finite set of accepted literals: look each one up.
    if (m.set_matches() && !m.IsNegative()) return r.ForValues(m.name(), *m.set_matches());
    return r.Matching(m.name(), [&](std::string_view v) { return m.Matches(v); });
  }
  // Matches empty: keep series without the label; drop those whose value does not match.
  if (!has_name) {
    *matches_all = true;
    return {};
  }
  typename Reader::List drop;
  if (m.set_matches() && m.IsNegative()) {
    drop = r.ForValues(m.name(), *m.set_matches());
  } else {
    drop = r.Matching(m.name(), [&](std::string_view v) { return !m.Matches(v); });
  }
  if (drop.empty()) *matches_all = true;
  return drop;
}

// Refs of the series matching every matcher, ascending. An empty matcher list selects all.
template <typename Reader>
typename Reader::List PostingsForMatchers(const Reader& r,
                                          const std::vector<model::Matcher>& matchers) {
  using List = typename Reader::List;
  using Ref = typename List::value_type;
  std::vector<List> keep;
  std::vector<List> drop;
  for (const model::Matcher& m : matchers) {
    bool all = false;
    List l = PostingsForMatcher(r, m, &all);
    if (!m.MatchesEmpty()) {
      if (l.empty()) return {};
      keep.push_back(std::move(l));
    } else if (!all) {
      drop.push_back(std::move(l));
    }
  }
  std::sort(keep.begin(), keep.end(),
            [](const List& a, const List& b) { return a.size() < b.size(); });
  List result;
  if (keep.empty()) {
    result = r.All();
  } else {
    result = std::move(keep[0]);
    for (size_t i = 1; i < keep.size() && !result.empty(); ++i)
      result = IntersectSorted<Ref>(result, keep[i]);
  }
  for (const List& d : drop) {
    if (result.empty()) break;
    result = WithoutSorted<Ref>(result, d);
  }
  return result;
}

}  // namespace tsdb::index

#include "tsdb/dump.h"

#include "base/strconv.h"

namespace tsdb {

base::Status DumpSamples(storage::Queryable& db, model::Timestamp mint, model::Timestamp maxt,
                         const std::vector<model::Matcher>& matchers, std::FILE* out) {
  ASSIGN_OR_RETURN(auto querier, db.NewQuerier(mint, maxt));
  std::vector<model::Matcher> ms = matchers;
  if (ms.empty()) {
    ASSIGN_OR_RETURN(auto all, model::Matcher::Make(model::MatchType::kRegexMatch, "__name__", ".+"));
    ms.push_back(std::move(all));
  }
  auto set = querier->Select(true, nullptr, ms);
  std::string line;
  std::unique_ptr<storage::SampleIterator> it;
  while (set->Next()) {
    storage::Series& s = set->At();
    std::string labels = s.labels().ToString();
    it = s.NewIterator(std::move(it));
    while (it->Next()) {
      auto [t, v] = it->At();
      line = labels;
      line += ' ';
      line += base::FormatFloatG(v);
      line += ' ';
      line += std::to_string(t);
      line += '\n';
      if (std::fwrite(line.data(), 1, line.size(), out) != line.size())
        return base::ErrnoError("write dump");
    }
    RETURN_IF_ERROR(it->status());
  }
  return set->status();
}

}  // namespace tsdb

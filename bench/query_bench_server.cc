#include "bench/query_bench_server.h"

#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace bench {


void PrintTable(const std::vector<std::vector<std::string>>& rows, size_t left, bool markdown,
                std::optional<size_t> code_column) {
  if (rows.empty()) return;
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], r[c].size());
    }
  }
  std::printf("\n");
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) {
      std::printf(c < left ? "%-*s  " : "%*s  ", static_cast<int>(width[c]), r[c].c_str());
    }
    std::printf("\n");
  }
  if (!markdown) return;
  std::printf("\n");
  for (size_t i = 0; i < rows.size(); ++i) {
    std::printf("|");
    for (size_t c = 0; c < rows[i].size(); ++c) {
      const bool code = i > 0 && code_column == c;
      std::printf(code ? " `%s` |" : " %s |", rows[i][c].c_str());
    }
    std::printf("\n");
    if (i == 0) {
      std::printf("|");
      for (size_t c = 0; c < rows[i].size(); ++c) std::printf(c < left ? " --- |" : " ---: |");
      std::printf("\n");
    }
  }
}

}  // namespace bench

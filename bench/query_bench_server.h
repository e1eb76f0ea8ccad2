// What query_bench asks of a running server beyond tests/tools/net.h: the series count of its
// query API, and the tables it prints (plain and Markdown).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bench {


// Prints `rows` (rows[0] is the header) as aligned columns, the first `left` columns
// left-aligned; with `markdown`, then as a Markdown table whose cells in column `code_column`
// (if any) are set as code.
void PrintTable(const std::vector<std::vector<std::string>>& rows, size_t left, bool markdown,
                std::optional<size_t> code_column = std::nullopt);

}  // namespace bench

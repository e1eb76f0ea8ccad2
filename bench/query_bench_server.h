// What the side-by-side benchmarks (query_bench, storage_bench) ask of a running server beyond
// tests/tools/net.h: waiting for it to go idle, and the tables they print (plain and Markdown).
#pragma once

#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "tests/tools/net.h"

namespace bench {

// The directory of the running executable (where the benchmark looks for ../hestia).
std::string ExeDir();

// Waits until `server` used under 2 % of a core over one second, for at most `limit_s`; returns
// the seconds waited. kCanceled once *interrupted is set; an error if the server exits.
base::Result<double> AwaitIdle(tools::ChildProcess& server, double limit_s,
                               const volatile std::sig_atomic_t* interrupted);


// Prints `rows` (rows[0] is the header) as aligned columns, the first `left` columns
// left-aligned; with `markdown`, then as a Markdown table whose cells in column `code_column`
// (if any) are set as code.
void PrintTable(const std::vector<std::vector<std::string>>& rows, size_t left, bool markdown,
                std::optional<size_t> code_column = std::nullopt);

}  // namespace bench

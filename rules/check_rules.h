// `hestia check rules FILE...`: promtool check rules (2.42) for Hestia.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace rules {

// Checks each rule file as promtool check rules does and prints as it does: "Checking FILE" on
// `out`, then "  SUCCESS: N rules found" on `out` or "  FAILED:" and the errors on `err`, then
// an empty line. Flags: --lint=duplicate-rules (default), all or none; --lint-fatal.
// Returns the exit code: 0, 1 when a file is invalid, 3 for lint findings with --lint-fatal,
// 2 for bad usage.
int CheckRules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace rules

#include "base/duration.h"

#include <cstdint>
#include <limits>

namespace base {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};
// Largest first; the order a duration string must follow.
constexpr Unit kUnits[] = {{"y", 365LL * 24 * 3600 * 1000}, {"w", 7LL * 24 * 3600 * 1000},
                           {"d", 24LL * 3600 * 1000},       {"h", 3600LL * 1000},
                           {"m", 60LL * 1000},              {"s", 1000},
                           {"ms", 1}};

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view s) {
  auto bad = [&] {
    return Status(StatusCode::kInvalidArgument,
                  "not a valid duration string: \"" + std::string(s) + "\"");
  };
  if (s == "0") return std::chrono::milliseconds(0);
  if (s.empty()) return Status(StatusCode::kInvalidArgument, "empty duration string");
  size_t i = 0;
  int next_unit = 0;
  int64_t total = 0;
  while (i < s.size()) {
    if (s[i] < '0' || s[i] > '9') return bad();
    int64_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n > (std::numeric_limits<int64_t>::max() - 9) / 10) return bad();
      n = n * 10 + (s[i++] - '0');
    }
    size_t j = i;
    while (j < s.size() && (s[j] < '0' || s[j] > '9')) ++j;
    std::string_view unit = s.substr(i, j - i);
    int u = next_unit;
    while (u < static_cast<int>(std::size(kUnits)) && kUnits[u].name != unit) ++u;
    if (u == static_cast<int>(std::size(kUnits))) return bad();
    if (n > std::numeric_limits<int64_t>::max() / kUnits[u].ms) return bad();
    int64_t add = n * kUnits[u].ms;
    if (total > std::numeric_limits<int64_t>::max() - add) return bad();
    total += add;
    next_unit = u + 1;
    i = j;
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  // As Prometheus's model.Duration.String: years and weeks only when they divide what is left
  // exactly (90d reads better than 12w6d).
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  uint64_t rest;
  if (ms < 0) {
    out = "-";
    rest = static_cast<uint64_t>(-(ms + 1)) + 1;  // no overflow for the minimum
  } else {
    rest = static_cast<uint64_t>(ms);
  }
  for (const Unit& u : kUnits) {
    const uint64_t unit = static_cast<uint64_t>(u.ms);
    const bool exact = u.name == "y" || u.name == "w";
    if (exact && rest % unit != 0) continue;
    if (uint64_t v = rest / unit; v > 0) {
      out += std::to_string(v);
      out += u.name;
      rest -= v * unit;
    }
  }
  return out;
}

}  // namespace base

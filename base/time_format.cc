#include "base/time_format.h"

#include <cstdio>
#include <ctime>

namespace base {
namespace {

// Writes "YYYY-MM-DDTHH:MM:SS" for ms (floored to the second) and returns the ms fraction.
int FormatSeconds(int64_t ms, std::string* out) {
  int64_t secs = ms / 1000, frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  out->assign(buf, static_cast<size_t>(n));
  return static_cast<int>(frac);
}

}  // namespace

std::string FormatGoTime(int64_t ms) {
  if (ms == 0) return "0001-01-01T00:00:00Z";
  std::string out;
  int frac = FormatSeconds(ms, &out);
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", frac);
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

std::string FormatDateTimeMillis(int64_t ms) {
  if (ms == 0) return "0001-01-01T00:00:00.000Z";
  std::string out;
  int frac = FormatSeconds(ms, &out);
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%03dZ", frac);
  return out + buf;
}

}  // namespace base

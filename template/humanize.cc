#include "template/humanize.h"

#include <cmath>
#include <limits>

#include "template/go_fmt.h"
#include "template/go_strings.h"

namespace tmpl {

std::string FormatFloat4(double v) { return FormatFloat(v, 'g', 4); }

int64_t FloatToInt64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(v);
}

base::Result<double> ConvertToFloat(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kFloat:
      return v.float_value();
    case Value::Kind::kInt:
      return static_cast<double>(v.int_value());
    case Value::Kind::kDuration:
      if (v.type_info() == nullptr) {
        int64_t ns = v.duration().ns;
        return static_cast<double>(ns / 1000000000) + static_cast<double>(ns % 1000000000) / 1e9;
      }
      break;
    case Value::Kind::kString:
      if (v.type_info() == nullptr) return GoParseFloat(v.string_value());
      break;
    default:
      break;
  }
  return base::InvalidArgument("can't convert " + v.TypeName() + " to float");
}

std::string HumanizeDuration(double v) {
  if (std::isnan(v) || std::isinf(v)) return FormatFloat4(v);
  if (v == 0) return FormatFloat4(v) + "s";
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    int64_t duration = FloatToInt64(v);
    int64_t seconds = duration % 60;
    int64_t minutes = (duration / 60) % 60;
    int64_t hours = (duration / 60 / 60) % 24;
    int64_t days = duration / 60 / 60 / 24;
    auto s = [](int64_t x) { return std::to_string(x); };
    if (days != 0)
      return sign + s(days) + "d " + s(hours) + "h " + s(minutes) + "m " + s(seconds) + "s";
    if (hours != 0) return sign + s(hours) + "h " + s(minutes) + "m " + s(seconds) + "s";
    if (minutes != 0) return sign + s(minutes) + "m " + s(seconds) + "s";
    return sign + FormatFloat4(v) + "s";
  }
  static constexpr const char* kSmall[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
  std::string prefix;
  for (const char* p : kSmall) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return FormatFloat4(v) + prefix + "s";
}

}  // namespace tmpl

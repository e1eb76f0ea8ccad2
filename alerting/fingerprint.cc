#include "alerting/fingerprint.h"

#include <cstdio>

namespace alerting {
namespace {

constexpr uint64_t kOffset64 = 14695981039346656037ULL;
constexpr uint64_t kPrime64 = 1099511628211ULL;

uint64_t Add(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kPrime64;
  }
  return h;
}

uint64_t AddByte(uint64_t h, unsigned char b) {
  h ^= b;
  return h * kPrime64;
}

}  // namespace

uint64_t Fingerprint(const model::Labels& labels) {
  uint64_t h = kOffset64;
  for (const model::Label& l : labels) {  // Labels iterate in name order
    h = Add(h, l.name);
    h = AddByte(h, 0xff);
    h = Add(h, l.value);
    h = AddByte(h, 0xff);
  }
  return h;
}

std::string FingerprintString(uint64_t fp) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fp));
  return buf;
}

}  // namespace alerting

// Clock: the one source of wall time, so that tests can substitute a FakeClock.
#pragma once

#include <chrono>
#include <cstdint>

namespace base {

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMs() const = 0;
  static Clock& Real();
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

inline Clock& Clock::Real() {
  static SystemClock clock;
  return clock;
}

}  // namespace base

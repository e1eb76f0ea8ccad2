// FakeClock: a base::Clock that moves only when a test moves it.
#pragma once

#include <atomic>

#include "base/clock.h"

namespace testutil {

// Thread-safe.
class FakeClock final : public base::Clock {
 public:
  explicit FakeClock(int64_t now_ms = 0) : now_(now_ms) {}
  int64_t NowMs() const override { return now_.load(); }
  void Set(int64_t ms) { now_.store(ms); }
  void Advance(int64_t ms) { now_.fetch_add(ms); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace testutil

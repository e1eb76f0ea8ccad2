// SmallMutex: a 4-byte mutex for structures that exist by the hundred thousand (one per head
// series), where std::mutex's 40 bytes would be a large share of the memory per series.
// Uncontended lock/unlock is one atomic exchange/store; a contended lock sleeps in the kernel
// (C++20 atomic wait, a futex on Linux). Not recursive; no fairness guarantee.
#pragma once

#include <atomic>
#include <cstdint>

namespace base {

class SmallMutex {
 public:
  SmallMutex() = default;
  SmallMutex(const SmallMutex&) = delete;
  SmallMutex& operator=(const SmallMutex&) = delete;

  void lock() {
    // 0: unlocked, 1: locked, 2: locked with (possible) waiters.
    uint32_t expected = 0;
    if (state_.compare_exchange_strong(expected, 1, std::memory_order_acquire)) return;
    if (expected != 2) expected = state_.exchange(2, std::memory_order_acquire);
    while (expected != 0) {
      state_.wait(2, std::memory_order_relaxed);
      expected = state_.exchange(2, std::memory_order_acquire);
    }
  }
  bool try_lock() {
    uint32_t expected = 0;
    return state_.compare_exchange_strong(expected, 1, std::memory_order_acquire);
  }
  void unlock() {
    if (state_.exchange(0, std::memory_order_release) == 2) state_.notify_one();
  }

 private:
  std::atomic<uint32_t> state_{0};
};

}  // namespace base

// Head::Stripe: one shard of the head's labels-hash -> series map. Private to the head.
#pragma once

#include <mutex>
#include <vector>

#include "tsdb/head.h"

namespace tsdb {

// One shard of the labels-hash -> series map: open addressing on the hash, collisions resolved
// by comparing labels. Invariants: size < 3/4 of slots; an empty slot has series == nullptr.
struct Head::Stripe {
  std::mutex mu;
  struct Slot {
    uint64_t hash;
    MemSeries* series;
  };
  std::vector<Slot> slots;  // GUARDED_BY(mu); power-of-two size
  size_t size = 0;          // GUARDED_BY(mu)

  template <typename Eq>
  MemSeries* Find(uint64_t hash, Eq&& eq) const {
    if (slots.empty()) return nullptr;
    size_t mask = slots.size() - 1;
    for (size_t i = (hash >> 14) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots[i];
      if (s.series == nullptr) return nullptr;
      if (s.hash == hash && eq(s.series)) return s.series;
    }
  }
  void Insert(uint64_t hash, MemSeries* series) {
    if ((size + 1) * 4 > slots.size() * 3) Grow();
    size_t mask = slots.size() - 1;
    size_t i = (hash >> 14) & mask;
    while (slots[i].series != nullptr) i = (i + 1) & mask;
    slots[i] = {hash, series};
    ++size;
  }
  void Erase(MemSeries* series) {
    std::vector<Slot> old;
    old.swap(slots);
    size = 0;
    slots.assign(old.size(), Slot{0, nullptr});
    for (const Slot& s : old)
      if (s.series != nullptr && s.series != series) Insert(s.hash, s.series);
  }
  void Grow() {
    std::vector<Slot> old;
    old.swap(slots);
    slots.assign(old.empty() ? 4 : old.size() * 2, Slot{0, nullptr});
    size = 0;
    for (const Slot& s : old)
      if (s.series != nullptr) Insert(s.hash, s.series);
  }
};

}  // namespace tsdb

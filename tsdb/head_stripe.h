// Head::Stripe: one shard of the head's labels-hash -> series map. Private to the head.
#pragma once

#include <mutex>
#include <vector>

#include "tsdb/head.h"

namespace tsdb {

// One shard of the labels-hash -> series map: open addressing on the labels hash, holding
// series refs (4 bytes a slot; the hash is read from the series), collisions resolved by
// comparing labels. Invariants: size < 3/4 of slots; an empty slot is 0; every ref in a slot is
// published in the head's ref table.
struct Head::Stripe {
  std::mutex mu;
  std::vector<uint32_t> slots;  // GUARDED_BY(mu); power-of-two size
  size_t size = 0;              // GUARDED_BY(mu)

  template <typename Eq>
  MemSeries* Find(const Head& head, uint64_t hash, Eq&& eq) const {
    if (slots.empty()) return nullptr;
    size_t mask = slots.size() - 1;
    for (size_t i = (hash >> 14) & mask;; i = (i + 1) & mask) {
      if (slots[i] == 0) return nullptr;
      MemSeries* s = head.GetByRef(slots[i]);
      if (s->hash() == hash && eq(s)) return s;
    }
  }
  void Insert(const Head& head, MemSeries* series) {
    if ((size + 1) * 4 > slots.size() * 3) Rebuild(head, slots.empty() ? 4 : slots.size() * 2, 0);
    Place(series->hash(), series->ref());
  }
  void Erase(const Head& head, uint32_t ref) { Rebuild(head, slots.size(), ref); }

 private:
  void Place(uint64_t hash, uint32_t ref) {
    size_t mask = slots.size() - 1;
    size_t i = (hash >> 14) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = ref;
    ++size;
  }
  // Re-inserts every ref but `skip` into `n` slots.
  void Rebuild(const Head& head, size_t n, uint32_t skip) {
    std::vector<uint32_t> old(n, 0);
    old.swap(slots);
    size = 0;
    for (uint32_t ref : old)
      if (ref != 0 && ref != skip) Place(head.GetByRef(ref)->hash(), ref);
  }
};

}  // namespace tsdb

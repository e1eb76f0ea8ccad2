// SymbolTable interns the label names and values of the head: each distinct string is stored
// once and known by a dense uint32_t id.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tsdb::index {

// Thread-safe. Lookup is lock-free; Intern and Find take a mutex.
// Invariants: ids are dense from 0; an id, once returned, maps to the same bytes for the life of
// the table (strings are never freed or moved); id 0 is the empty string.
class SymbolTable {
 public:
  SymbolTable();
  ~SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  // The id of s, adding it when new.
  uint32_t Intern(std::string_view s);
  // The id of s if interned.
  std::optional<uint32_t> Find(std::string_view s) const;
  // The string of an id returned earlier by Intern or Find. The view lives as long as the table.
  std::string_view Lookup(uint32_t id) const {
    return chunks_[id >> kChunkBits].load(std::memory_order_acquire)[id & kChunkMask];
  }
  size_t size() const { return size_.load(std::memory_order_relaxed); }
  // Bytes held by strings and bookkeeping, for accounting.
  size_t ByteSize() const;

 private:
  static constexpr int kChunkBits = 12;
  static constexpr uint32_t kChunkMask = (1u << kChunkBits) - 1;
  static constexpr size_t kMaxChunks = 1u << 18;  // 2^30 symbols
  static constexpr size_t kArenaBlock = 64 << 10;

  std::string_view Store(std::string_view s);  // REQUIRES: mu_ held

  mutable std::mutex mu_;
  std::unique_ptr<std::atomic<std::string_view*>[]> chunks_;
  std::unordered_map<std::string_view, uint32_t> ids_;  // GUARDED_BY(mu_)
  std::vector<std::unique_ptr<char[]>> arena_;           // GUARDED_BY(mu_); last one is current
  std::vector<std::unique_ptr<char[]>> big_;             // GUARDED_BY(mu_); one string each
  size_t arena_used_ = kArenaBlock;                      // GUARDED_BY(mu_)
  size_t arena_bytes_ = 0;                               // GUARDED_BY(mu_)
  std::atomic<uint32_t> size_{0};
};

}  // namespace tsdb::index

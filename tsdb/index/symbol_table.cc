#include "tsdb/index/symbol_table.h"

#include <cstring>

#include "base/check.h"

namespace tsdb::index {

SymbolTable::SymbolTable() : chunks_(std::make_unique<std::atomic<std::string_view*>[]>(kMaxChunks)) {
  Intern("");
}

SymbolTable::~SymbolTable() {
  for (size_t i = 0; i < kMaxChunks; ++i) delete[] chunks_[i].load();
}

std::string_view SymbolTable::Store(std::string_view s) {
  if (s.empty()) return {};
  if (s.size() > kArenaBlock / 4) {
    big_.push_back(std::make_unique<char[]>(s.size()));
    std::memcpy(big_.back().get(), s.data(), s.size());
    arena_bytes_ += s.size();
    return {big_.back().get(), s.size()};
  }
  if (arena_used_ + s.size() > kArenaBlock) {
    arena_.push_back(std::make_unique<char[]>(kArenaBlock));
    arena_used_ = 0;
    arena_bytes_ += kArenaBlock;
  }
  char* p = arena_.back().get() + arena_used_;
  std::memcpy(p, s.data(), s.size());
  arena_used_ += s.size();
  return {p, s.size()};
}

uint32_t SymbolTable::Intern(std::string_view s) {
  std::lock_guard lock(mu_);
  if (auto it = ids_.find(s); it != ids_.end()) return it->second;
  uint32_t id = size_.load(std::memory_order_relaxed);
  INVARIANT((id >> kChunkBits) < kMaxChunks);
  std::string_view stored = Store(s);
  auto& slot = chunks_[id >> kChunkBits];
  std::string_view* chunk = slot.load(std::memory_order_relaxed);
  if (chunk == nullptr) {
    chunk = new std::string_view[size_t{1} << kChunkBits];
    slot.store(chunk, std::memory_order_release);
  }
  chunk[id & kChunkMask] = stored;
  ids_.emplace(stored, id);
  size_.store(id + 1, std::memory_order_release);
  return id;
}

std::optional<uint32_t> SymbolTable::Find(std::string_view s) const {
  std::lock_guard lock(mu_);
  if (auto it = ids_.find(s); it != ids_.end()) return it->second;
  return std::nullopt;
}

size_t SymbolTable::ByteSize() const {
  std::lock_guard lock(mu_);
  size_t chunks = (size_.load() >> kChunkBits) + 1;
  return arena_bytes_ + chunks * (sizeof(std::string_view) << kChunkBits) +
         ids_.size() * (sizeof(std::string_view) + sizeof(uint32_t) + 16) + kMaxChunks * sizeof(void*);
}

}  // namespace tsdb::index

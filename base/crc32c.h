// CRC-32C (Castagnoli), as used by the WAL and by Prometheus's tsdb formats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace base {

// Extends crc with data; Crc32c(0, ...) starts a new checksum. Uses SSE4.2 when the CPU has it.
uint32_t Crc32cExtend(uint32_t crc, const char* data, size_t n);
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data.data(), data.size()); }

}  // namespace base

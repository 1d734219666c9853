// CRC-32C (Castagnoli), the checksum of every log entry.
//
// Uses the SSE4.2 crc32 instruction when the CPU has it, a table otherwise;
// both give the same values. Thread-safe: pure functions.
#ifndef GAMELAKE_COMMON_CRC32C_H_
#define GAMELAKE_COMMON_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gamelake::crc32c {

// Returns the CRC-32C of data, continuing from the CRC `init` of earlier bytes.
uint32_t Extend(uint32_t init, const char* data, size_t n);
inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

}  // namespace gamelake::crc32c

#endif  // GAMELAKE_COMMON_CRC32C_H_

// Dead letters: every record the front door rejects is kept, as a row of the
// reserved lake table "_errors", so nothing a game sent is silently dropped.
//
// One dead letter is a JSON object:
//   {"stream","key_id","code","message","index","received_at",
//    "raw","raw_truncated","raw_base64"}
// raw holds the rejected bytes (at most max_raw_bytes of them) as a JSON
// string, invalid UTF-8 replaced by U+FFFD; raw_base64 holds the same bytes
// exactly; raw_truncated says whether the record was longer. index is the
// record's position in its request body, or null when the whole body was
// rejected. received_at is ISO-8601 UTC with microseconds.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_INGEST_DEAD_LETTER_H_
#define GAMELAKE_INGEST_DEAD_LETTER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/civil_time.h"  // FormatUtcMicros, for received_at.

namespace gamelake {

// The stream dead letters are appended to; ValidateStreamName refuses it to users.
inline constexpr std::string_view kErrorsStream = "_errors";

struct DeadLetter {
  std::string_view stream;
  std::string_view key_id;  // Empty when auth is off.
  std::string_view code;
  std::string_view message;
  std::string_view raw;
  std::optional<uint64_t> index;  // nullopt: a whole-body failure.
  int64_t received_at_us = 0;     // Microseconds since the epoch.
};

// The dead letter's JSON object.
std::string DeadLetterRecord(const DeadLetter& d, size_t max_raw_bytes);

// RFC 4648 base64 with padding.
std::string Base64Encode(std::string_view bytes);

}  // namespace gamelake

#endif  // GAMELAKE_INGEST_DEAD_LETTER_H_

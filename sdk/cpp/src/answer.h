// What the worker needs to understand the server: the ingest answer's per-record
// errors (a minimal JSON reader), Retry-After, and the back-off schedule.
// Thread-safety: pure functions.
#ifndef GAMELAKE_SDK_ANSWER_H_
#define GAMELAKE_SDK_ANSWER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gamelake::internal {

struct RecordError {
  uint64_t index = 0;
  std::string code;
  std::string message;
};

struct IngestAnswer {
  bool parsed = false;      // the body was a JSON object
  std::string error;        // top-level "error" (e.g. malformed_body)
  std::string message;      // top-level "message"
  bool has_errors = false;  // an "errors" array was present
  std::vector<RecordError> errors;
};

// Reads {"accepted":…,"errors":[{"index","code","message"}],"error","message"};
// unknown members are skipped. A body that is not a JSON object gives parsed=false.
IngestAnswer ParseIngestAnswer(std::string_view body);

// Retry-After as a wait in ms: delta-seconds, or an HTTP date (IMF-fixdate, RFC 850
// or asctime) relative to now_unix_ms (a date in the past is 0). nullopt: unreadable.
std::optional<int64_t> ParseRetryAfterMs(std::string_view value, int64_t now_unix_ms);

// The back-off's ceiling for attempt n (0-based): min(max, base * 2^n).
int64_t BackoffCeilingMs(int attempt, int64_t base_ms, int64_t max_ms);

}  // namespace gamelake::internal

#endif  // GAMELAKE_SDK_ANSWER_H_

// The rule for stream names, shared by everything that takes one from a user
// (the ingest APIs, the config, the CLI, streaming applications' stream
// destinations).
//
// Thread-safety: a pure function.
#ifndef GAMELAKE_COMMON_STREAM_NAME_H_
#define GAMELAKE_COMMON_STREAM_NAME_H_

#include <string_view>

#include "common/status.h"

namespace gamelake {

// Stream names: 1-64 of [A-Za-z0-9_-]; names starting with '_' are reserved
// for gamelake's own tables. Returns why a name is refused, or OK.
[[nodiscard]] Status ValidateStreamName(std::string_view name);

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_STREAM_NAME_H_

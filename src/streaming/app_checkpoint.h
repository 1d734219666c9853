// AppCheckpoint: how far a streaming application got — the first source
// record it has not consumed, its program's state (windows, partitions) after
// consuming everything before it, and the ordinal each of its in-application
// streams gives its next row. The runner writes one to
// <data>/apps/<name>/checkpoint (atomically: temp file, fsync, rename, dir
// fsync) only once every destination has acknowledged every row produced
// from the records before next_seq, so after a crash the application resumes
// here, rebuilds its windows from program_state and produces the same rows
// again with the same ordinals. The bytes are described in app_checkpoint.md;
// a checksum covers all of them.
//
// Thread-safety: plain values and pure functions.
#ifndef GAMELAKE_STREAMING_APP_CHECKPOINT_H_
#define GAMELAKE_STREAMING_APP_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace gamelake {

struct AppCheckpoint {
  // The ApplicationDefinition::code_version whose program wrote
  // program_state; another code version starts with empty state.
  uint64_t code_version = 0;
  uint64_t next_seq = 0;  // The first log seq not consumed (every record below it was).
  // Counters, carried across restarts for the application's status.
  uint64_t records_in = 0;  // Source records consumed.
  uint64_t rows_out = 0;    // Rows the in-application streams received.
  uint64_t error_rows = 0;  // Rows of the error stream.
  int64_t written_us = 0;   // When the checkpoint was taken (wall clock).
  // Per in-application stream (error_stream included), by name as stored:
  // the ordinal its next row gets. Kept across updates, so rows of new code
  // never reuse the ordinals (and event ids) of earlier rows.
  std::vector<std::pair<std::string, uint64_t>> next_ordinals;
  std::string program_state;  // StreamingProgram::SaveState().

  bool operator==(const AppCheckpoint&) const = default;
};

std::string EncodeAppCheckpoint(const AppCheckpoint& checkpoint);
// Refuses (Corruption, with what and the byte offset) anything
// EncodeAppCheckpoint did not write: a wrong magic or format, a truncation,
// trailing bytes, a checksum that does not match.
Result<AppCheckpoint> DecodeAppCheckpoint(std::string_view bytes);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_APP_CHECKPOINT_H_

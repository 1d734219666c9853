// Generate: the loop behind `gamelake generate`: draws records from a
// RecordSource at a rate, for a count or a duration, and writes them as NDJSON
// to a file (or stdout) or sends them in batches through an HttpSender.
//
// The clock rule (what date.now and the sessions' ts see):
//   - With a seed or a start time, the clock is virtual: record i is stamped
//     start + i * step, where start is start_time_us (default
//     kDefaultVirtualStartUs, 2025-01-01T00:00:00Z) and step is time_step_us
//     (default 1/rate seconds, or 1 ms when the rate is unlimited). So the same
//     seed gives the same bytes, whatever the machine's clock or speed.
//   - Otherwise records carry the real time (Env::NowMicros) when made.
// Pacing (rate, duration) always follows the real monotonic clock.
//
// Checking: the first kCheckedRecords records (every record with
// check_all) are checked to be JSON objects; a bad one stops the run with the
// template position that made it.
//
// Thread-safety: Generate runs on the caller's thread (plus the sender's
// workers and, with progress, one reporter thread); `stop` may be set from any
// thread or a signal handler.
#ifndef GAMELAKE_GENERATOR_GENERATOR_H_
#define GAMELAKE_GENERATOR_GENERATOR_H_

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "common/env.h"
#include "common/result.h"
#include "generator/http_sender.h"
#include "generator/record_source.h"

namespace gamelake {

constexpr int64_t kDefaultVirtualStartUs = 1735689600'000'000;  // 2025-01-01T00:00:00Z.
constexpr uint64_t kCheckedRecords = 1000;

struct GenerateOptions {
  double rate = 0;        // Records a second; 0 = as fast as possible.
  uint64_t count = 0;     // Stop after this many records; 0 = no limit.
  double duration_s = 0;  // Stop after this long; 0 = no limit.
  size_t batch = 500;     // Records a request (and a write).
  std::optional<uint64_t> seed;
  std::optional<int64_t> start_time_us;
  int64_t time_step_us = 0;  // Virtual clock step; 0 = 1/rate (or 1 ms).
  bool check_all = false;

  // Where records go: output_path ("-" = stdout) if set, else the sender.
  std::string output_path;
  SenderOptions sender;

  // Progress line on this stream (a terminal), or none.
  std::FILE* progress = nullptr;
  std::atomic<bool>* stop = nullptr;  // Set to end early (Ctrl-C).
  Env* env = Env::Default();
};

struct GenerateReport {
  uint64_t generated = 0;  // Records made.
  uint64_t written = 0;    // --output: records written.
  SenderStats sent;        // --url: what the server said.
  double seconds = 0;
  bool interrupted = false;
};

// Runs the generator over `source`. Errors: a record that is not JSON, an
// output that cannot be written, a server that cannot be reached or that
// refuses the key. A report is filled in as far as the run got either way.
Status Generate(const GenerateOptions& options, RecordSource* source, GenerateReport* report);

}  // namespace gamelake

#endif  // GAMELAKE_GENERATOR_GENERATOR_H_

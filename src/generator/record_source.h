// RecordSource: where `gamelake generate` and `serve --demo` get records from:
// a compiled template (user text or builtin:lab) or the builtin:sessions
// simulation of players (session_simulator.h).
//
// A source owns its Rng, seeded at creation: the same seed and the same
// sequence of now_us values give the same records, byte for byte.
//
// Thread-safety: a source is used by one thread at a time.
#ifndef GAMELAKE_GENERATOR_RECORD_SOURCE_H_
#define GAMELAKE_GENERATOR_RECORD_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/result.h"
#include "common/status.h"

namespace gamelake {

// The lab's record template (serverless-analytics-lab.md, Task 5), verbatim.
extern const std::string_view kLabTemplate;

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // Appends one record (one line, no newline) to *out; now_us is the clock.
  virtual void Next(int64_t now_us, std::string* out) = 0;
  // Next, then checks the record is a JSON object (see Template::RenderChecked).
  virtual Status NextChecked(int64_t now_us, std::string* out) = 0;
  // True if records depend on now_us.
  virtual bool uses_clock() const = 0;
};

// A source rendering template text.
Result<std::unique_ptr<RecordSource>> NewTemplateSource(std::string_view text, uint64_t seed);

// "builtin:lab" or "builtin:sessions"; NotFound-style InvalidArgument otherwise.
Result<std::unique_ptr<RecordSource>> NewBuiltinSource(std::string_view name, uint64_t seed);

// For `--template SPEC`: "builtin:NAME", "-" (stdin) or a file path (read
// through env). Returns a source.
Result<std::unique_ptr<RecordSource>> OpenRecordSource(std::string_view spec, uint64_t seed,
                                                       Env* env);

// OK if record is one JSON object; else what is wrong and at which byte.
Status CheckJsonObject(std::string_view record);

}  // namespace gamelake

#endif  // GAMELAKE_GENERATOR_RECORD_SOURCE_H_

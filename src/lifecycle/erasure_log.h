// ErasureLog: the append-only audit log of erasure requests (GDPR art. 17,
// CCPA deletion requests) — who asked, when, for which rows, what was
// removed, whether it finished — and the state the lake maintainer resumes
// after a restart.
//
// <data>/erasures/audit.ndjson, one JSON object per line, fsync'd before an
// append returns; never rewritten. Events of a request (by "id"):
//   {"event":"requested","id","time_us","requested_by","tables":[...],
//    "where","rows_matching"}              accepted: validated, nothing done yet
//   {"event":"started","id","time_us"}       an attempt begins
//   {"event":"failed","id","time_us","error","final"}
//                                            an attempt failed; final: never retried
//   {"event":"finished","id","time_us","tables":{"<t>":{"rows_removed",
//    "files_rewritten","bytes_rewritten"}}}  done
// A request without "finished" or a final "failed" is pending and runs
// again after a restart; running one again is harmless. A torn last line
// (a crash mid-append) is ignored when read.
//
// Thread-safety: all methods are safe to call from any thread.
#ifndef GAMELAKE_LIFECYCLE_ERASURE_LOG_H_
#define GAMELAKE_LIFECYCLE_ERASURE_LOG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/json_writer.h"
#include "common/mutex.h"
#include "common/result.h"

namespace gamelake {

struct ErasureTableResult {
  uint64_t rows_removed = 0;
  uint64_t files_rewritten = 0;
  uint64_t bytes_rewritten = 0;  // Bytes of the rewritten files.
};

struct ErasureInfo {
  enum class State { kPending, kRunning, kDone, kFailed };
  std::string id;
  std::string requested_by;
  int64_t requested_us = 0;
  std::vector<std::string> tables;
  std::string where;
  uint64_t rows_matching = 0;  // When requested (records already in the lake or the log).
  State state = State::kPending;
  int attempts = 0;
  std::string error;  // Of the last failed attempt.
  int64_t finished_us = 0;
  std::map<std::string, ErasureTableResult> results;
};

std::string_view ErasureStateName(ErasureInfo::State state);
// The request as GET /v1/erasures shows it.
void WriteErasureJson(JsonWriter* w, const ErasureInfo& info);

class ErasureLog {
 public:
  // Reads <dir>/audit.ndjson (created if missing).
  static Result<std::unique_ptr<ErasureLog>> Open(Env* env, const std::string& dir);

  // Appends one event; durable on OK. `info` carries what the event records.
  Status Requested(const ErasureInfo& info) GL_EXCLUDES(mu_);
  Status Started(const std::string& id) GL_EXCLUDES(mu_);
  Status Failed(const std::string& id, const std::string& error, bool final) GL_EXCLUDES(mu_);
  Status Finished(const std::string& id, const std::map<std::string, ErasureTableResult>& results)
      GL_EXCLUDES(mu_);

  std::vector<ErasureInfo> List() const GL_EXCLUDES(mu_);  // Oldest first.
  Result<ErasureInfo> Get(const std::string& id) const GL_EXCLUDES(mu_);
  std::vector<std::string> Pending() const GL_EXCLUDES(mu_);  // Ids, oldest first.

 private:
  ErasureLog(Env* env, std::string path) : env_(env), path_(std::move(path)) {}
  Status Load() GL_EXCLUDES(mu_);
  // Applies one event to the state (loading and appending).
  void Apply(const std::string& line) GL_REQUIRES(mu_);
  Status Append(const std::string& line) GL_EXCLUDES(mu_);

  Env* const env_;
  const std::string path_;
  mutable Mutex mu_;
  std::unique_ptr<WritableFile> file_ GL_GUARDED_BY(mu_);
  std::vector<ErasureInfo> requests_ GL_GUARDED_BY(mu_);  // Oldest first.
};

}  // namespace gamelake

#endif  // GAMELAKE_LIFECYCLE_ERASURE_LOG_H_

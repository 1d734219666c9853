// Wal: the durable, segmented write-ahead log every accepted record goes through.
//
// Records of all streams are appended to one log, in one order: each gets a
// sequence number (seq, strictly increasing, never reused, also across
// restarts) and an ingest time (microseconds since the epoch, UTC, never
// decreasing in seq order). AppendAsync() encodes records into the pending
// batch at once; a single writer thread writes each batch and syncs it with
// one fdatasync shared by every request in it (group commit), then calls the
// callbacks. In durability mode kNone the callbacks fire after write(2) without
// fdatasync.
//
// The log lives in numbered segment files (see log_format.md). Open() recovers
// every synced entry, truncates a torn tail, and reports (never stops at) a
// corrupt entry in the middle, skipping it and keeping what follows.
//
// Consumers read with a Cursor and acknowledge with Release(stream, seq): "all
// records of `stream` up to seq are durably delivered". A segment file is
// deleted only when every record in it has been released.
//
// A batch whose write or sync fails gets the error in its callbacks; its seqs are
// never reused and leave a gap, and the next batch goes to a new segment.
//
// Thread-safety: all methods are safe to call from any thread. Callbacks run on
// the writer thread and must not block. A Cursor must not outlive its Wal.
#ifndef GAMELAKE_LOG_WAL_H_
#define GAMELAKE_LOG_WAL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "common/status.h"

namespace gamelake {

enum class Durability {
  kFsync,  // A callback with OK means the records are on disk (fdatasync'd).
  kNone,   // Written to the OS page cache only; a machine crash may lose them.
};

struct WalOptions {
  std::string dir;  // Holds the segment files; created if missing.
  Env* env = Env::Default();
  Durability durability = Durability::kFsync;
  uint64_t segment_bytes = 64ull << 20;  // Roll to a new segment past this size.
  // AppendAsync fails with ResourceExhausted while the log holds more than this
  // many bytes not yet released (0 = no bound).
  uint64_t max_pending_bytes = 0;
  // Group commit: the writer starts a batch as soon as there is work, so each
  // batch holds what arrived while the previous one was being synced. With a
  // window > 0 it first waits up to this long for more records (or until
  // kCommitWindowFullBytes are pending): fewer, larger fdatasyncs for more
  // latency, like PostgreSQL's commit_delay. Callbacks still come only after
  // the sync. 0 (the default): no wait.
  int64_t commit_window_us = 0;
};
inline constexpr uint64_t kCommitWindowFullBytes = 1ull << 20;

// One record read back from the log.
struct LogRecord {
  uint64_t seq = 0;
  int64_t ingest_time_us = 0;
  std::string_view stream;   // Valid until the cursor's next call.
  std::string_view payload;  // The record's bytes (a JSON object), same lifetime.
};

// What Open() found. Each problem is also logged.
struct RecoveryReport {
  uint64_t segments = 0;
  uint64_t records = 0;               // Valid entries recovered.
  uint64_t corrupt_entries = 0;       // Entries skipped because their checksum failed.
  uint64_t corrupt_bytes = 0;         // Bytes skipped with them.
  uint64_t torn_tail_bytes = 0;       // Bytes cut from the end of the last segment.
  std::vector<std::string> problems;  // One line each: which file, which offset, why.
};

class Wal {
 public:
  // Called once the records are durable (or failed): status, and the seq of the
  // first record (the others follow consecutively).
  using AppendCallback = std::function<void(Status status, uint64_t first_seq)>;

  class Cursor {
   public:
    virtual ~Cursor() = default;
    // Moves to the next durable record. Returns false when none is available
    // yet (call again later: the cursor resumes where it stopped).
    virtual Result<bool> Next(LogRecord* record) = 0;
  };

  static Result<std::unique_ptr<Wal>> Open(const WalOptions& options, RecoveryReport* report);
  virtual ~Wal() = default;

  // Queues records of one stream for the next group commit. The bytes are
  // copied before this returns. Never blocks on disk I/O, but bounds memory:
  // while 16 MiB are queued and not yet taken by the writer, it waits (briefly)
  // for the writer to take them. Fails through `done` with InvalidArgument (a
  // stream name over 65535 bytes, a record near 1 GiB), ResourceExhausted
  // (max_pending_bytes) or Unavailable (closed); `done` may then run inline.
  virtual void AppendAsync(std::string_view stream, std::span<const std::string_view> records,
                           AppendCallback done) = 0;
  // AppendAsync and wait for the callback.
  virtual Result<uint64_t> Append(std::string_view stream,
                                  std::span<const std::string_view> records) = 0;

  // A cursor over durable records with seq >= from_seq, across segments.
  virtual std::unique_ptr<Cursor> NewCursor(uint64_t from_seq) = 0;
  // Blocks until a record with seq >= seq is durable, or timeout_us passes, or
  // the log closes. Returns true if such a record is durable.
  virtual bool WaitForDurable(uint64_t seq, int64_t timeout_us) = 0;

  // Acknowledges that all records of `stream` with seq <= up_to_seq are durably
  // delivered. Deletes segments all of whose records are acknowledged.
  virtual Status Release(std::string_view stream, uint64_t up_to_seq) = 0;

  virtual uint64_t first_seq() const = 0;      // Oldest seq still in the log.
  virtual uint64_t next_seq() const = 0;       // Seq the next appended record gets.
  virtual uint64_t durable_seq() const = 0;    // Records below this are durable.
  virtual uint64_t pending_bytes() const = 0;  // Bytes in segments not yet released.
  virtual uint64_t segment_count() const = 0;
  virtual uint64_t fsyncs() const = 0;  // Group commits so far (for metrics).

  // Writes and syncs what is queued, then stops the writer thread. Appends
  // after Close fail with Unavailable. Idempotent.
  virtual Status Close() = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_LOG_WAL_H_

// LiveTail: the records that are acknowledged but not yet in the lake, kept in
// memory so SQL sees an event about a second after it was acknowledged, long
// before delivery cuts its Parquet file.
//
// A thread follows the log with a cursor and copies each record (stream, seq,
// ingest time, JSON text) into per-stream chunks. The query engine trims a
// stream up to the seq its published views read from files (Trim); what is
// above stays. Chunks are immutable once sealed and shared: a Pin() taken when
// a query starts keeps exactly the records that query may read alive, however
// the tail moves meanwhile.
//
// The tail also learns each stream's record type from the records it copies
// (SchemaInferrer), so columns that no delivered file has yet are queryable
// too. It infers at most inference_budget records a second, in seq order:
// under heavier load it falls behind and catches up when the load drops
// (records delivered meanwhile need no inference; their files have the
// columns), so a rare new key may take until then to become a column.
//
// Memory is bounded by max_bytes: past it the oldest records are dropped from
// the tail (they are still in the log and reach the lake; SQL only sees them
// once delivered) and dropped_records() counts them.
//
// Thread-safety: all public methods are safe to call from any thread.
#ifndef GAMELAKE_QUERY_LIVE_TAIL_H_
#define GAMELAKE_QUERY_LIVE_TAIL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "log/wal.h"
#include "sql/duck_db.h"

namespace gamelake {

// Up to kTailChunkRecords records of one stream, in seq order. Immutable
// once it leaves the tail's open chunk.
struct TailChunk {
  std::vector<uint64_t> seqs;
  std::vector<int64_t> ingest_us;
  std::vector<uint32_t> offsets;  // Record i is text[offsets[i], offsets[i+1]).
  std::string text;
  uint64_t bytes() const { return text.size() + seqs.size() * 24; }
};
inline constexpr size_t kTailChunkRecords = 2048;

// What one query may read: per stream (by name), the chunks at pin time.
struct TailPin {
  std::map<std::string, std::vector<std::shared_ptr<const TailChunk>>, std::less<>> streams;
};

struct LiveTailOptions {
  uint64_t max_bytes = 512ull << 20;
  uint64_t inference_budget = 200000;  // Records a second whose types are learnt.
  // Called (from the tail thread, without locks held) when a stream first
  // appears or its inferred type changes.
  std::function<void()> on_schema_change;
};

class LiveTail {
 public:
  // Starts following `wal` from its oldest record; records of a stream at or
  // below start_seqs[stream] (already in the lake) are skipped.
  LiveTail(Wal* wal, const std::map<std::string, uint64_t>& start_seqs, LiveTailOptions options);
  ~LiveTail();
  LiveTail(const LiveTail&) = delete;
  LiveTail& operator=(const LiveTail&) = delete;

  void Stop();

  // Forgets the records of `stream` with seq <= up_to (now readable from the
  // lake) and skips such records from now on.
  void Trim(std::string_view stream, uint64_t up_to) GL_EXCLUDES(mu_);
  // The chunks holding every record copied so far (the open chunk is sealed).
  std::shared_ptr<const TailPin> Pin() GL_EXCLUDES(mu_);
  // Blocks until every record durable in the log when called has been copied
  // (or timeout_us passes); true if so. Lets a reader see its own writes.
  bool CatchUp(int64_t timeout_us) GL_EXCLUDES(mu_);

  // The inferred record type per stream (STRUCT of the keys seen in the tail)
  // and a counter that grows whenever any of them changes.
  std::map<std::string, DuckType> Schemas(uint64_t* version) const GL_EXCLUDES(mu_);

  // Per stream, the highest seq the tail holds (streams it holds nothing of
  // are absent).
  std::map<std::string, uint64_t> MaxSeqs() const GL_EXCLUDES(mu_);

  uint64_t records() const GL_EXCLUDES(mu_);
  uint64_t bytes() const GL_EXCLUDES(mu_);
  uint64_t dropped_records() const { return dropped_.load(); }

 private:
  // A stream's state (its chunks, its inferrer) is guarded by mu_, as streams_ is.
  struct Stream;
  void Run() GL_EXCLUDES(mu_);
  void Copy(const LogRecord& record, bool* schema_changed) GL_REQUIRES(mu_);
  void Seal(Stream* s) GL_REQUIRES(mu_);
  // Infers up to `budget` records after s->inferred_seq; returns how many.
  uint64_t Infer(Stream* s, uint64_t budget) GL_REQUIRES(mu_);
  void EnforceLimit() GL_REQUIRES(mu_);

  Wal* wal_;
  LiveTailOptions options_;
  mutable Mutex mu_;
  std::unique_ptr<Wal::Cursor> cursor_ GL_GUARDED_BY(mu_);
  CondVar caught_up_cv_;
  std::map<std::string, std::unique_ptr<Stream>, std::less<>> streams_ GL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t, std::less<>> floors_ GL_GUARDED_BY(mu_);  // Skip seq <= floor.
  // Every durable record below this was handled.
  uint64_t copied_seq_ GL_GUARDED_BY(mu_) = 0;
  uint64_t bytes_ GL_GUARDED_BY(mu_) = 0;
  uint64_t schema_version_ GL_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> dropped_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_LIVE_TAIL_H_

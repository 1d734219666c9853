// EventDeduper: idempotent retries. A record may carry a client event id (a
// top-level field, "event_id" by default, whose value is a non-empty string or
// an integer). A record whose (stream, event id) was already stored within the
// window is acknowledged again but not stored again.
//
// What is remembered: a 96-bit keyed hash of (stream, id type, id) — strings
// and integers are different ids, so "7" and 7 never match — plus the time it
// was stored and its _record_id: 24 bytes in a ring kept in insertion (time)
// order, and an 8-byte slot in an open-addressing index over the ring. Memory
// grows with use up to max_entries (about 37 bytes an entry, 370 MB at the
// default 10 million); when full, the oldest entry is evicted (counted in
// gamelake_dedupe_evictions_total) and a retry of it would be stored again.
// The hash is never persisted: after a restart the set is rebuilt from the
// lake (LoadFromLake) and the log (LoadFromLog), so the seed may change.
//
// In flight: Begin() classifies a batch's records. A new id is registered as
// in flight by that batch until Complete() reports whether the log stored it.
// A retry of an in-flight id is not stored again; it waits, and its WaitFn is
// called with the original's outcome (OK and its _record_id, or the error),
// so a retry is never acknowledged before its original is durable, and never
// acknowledged if the original failed. A repeated id within one batch is
// kSameBatch: it shares the fate of its batch's append.
//
// Thread-safety: all methods are safe to call from any thread. WaitFn callbacks
// run on the thread calling Complete(), outside the deduper's lock.
#ifndef GAMELAKE_INGEST_EVENT_DEDUPER_H_
#define GAMELAKE_INGEST_EVENT_DEDUPER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/env.h"
#include "common/metrics.h"
#include "common/mutex.h"
#include "common/status.h"
#include "log/wal.h"
#include "sql/duck_db.h"

namespace gamelake {

// A client event id, as found in a record.
struct EventId {
  enum class Type : uint8_t { kString, kInteger };
  Type type = Type::kString;
  // kString: the unescaped bytes (never empty). kInteger: the decimal digits
  // as JSON writes them, with "-0" as "0".
  std::string_view value;
};

// Finds a record's event id without parsing the whole record. Records that
// contain neither the quoted field name nor a backslash cost one memmem()
// and one memchr(). Keys are compared unescaped, so "event\u005fid" is the
// field too, and a string id is its unescaped text. The first top-level
// occurrence counts; a null, boolean, float, object, array or empty-string
// value is no id.
class EventIdExtractor {
 public:
  // field "" disables extraction: Extract() always returns false.
  explicit EventIdExtractor(std::string field);

  bool enabled() const { return !field_.empty(); }
  const std::string& field() const { return field_; }

  // record: a JSON object the RecordParser validated. On true, id->value
  // points into record or into *scratch (valid until the next call with it).
  bool Extract(std::string_view record, std::string* scratch, EventId* id) const;

  // Field names usable as event_id_field: no '"', '\\' or control characters.
  // Inline, so the config's validation (and its fuzz target) need not link the deduper.
  static bool ValidFieldName(std::string_view field) {
    for (char c : field) {
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
    }
    return true;
  }

 private:
  std::string field_;
  std::string needle_;  // The field name in quotes.
};

// The remembered form of (stream, event id).
struct EventKey {
  uint64_t h1 = 0;
  uint32_t h2 = 0;
  friend bool operator==(const EventKey&, const EventKey&) = default;
};

struct EventDeduperOptions {
  int64_t window_s = 86400;           // An id is remembered this long after it was stored.
  uint64_t max_entries = 10'000'000;  // At most this many ids (oldest evicted); <= 2^31.
  Env* env = Env::Default();          // The clock.
  Metrics* metrics = nullptr;         // Optional: gamelake_dedupe_* series.
};

class EventDeduper {
 public:
  enum class Verdict : uint8_t {
    kNoId,       // No event id: store it.
    kNew,        // First sight: store it; in flight until Complete().
    kDuplicate,  // Stored before, within the window: acknowledge, do not store.
    kSameBatch,  // Repeats an earlier record of the same batch: do not store.
    kInFlight,   // Another batch is storing it: do not store; wait for WaitFn.
  };
  // Called once per kInFlight record with the original's outcome: status and,
  // when OK, the original's _record_id.
  using WaitFn = std::function<void(size_t index, const Status& status, uint64_t seq)>;

  // What Begin() decided for a batch. Pass it to Complete() unchanged.
  struct Claim {
    uint64_t ticket = 0;
    std::vector<Verdict> verdicts;   // One per record.
    std::vector<uint64_t> seqs;      // kDuplicate: the original's _record_id; else 0.
    std::vector<EventKey> new_keys;  // Keys of the kNew records, in record order.
    size_t new_count = 0;            // kNew records.
    size_t wait_count = 0;           // kInFlight records (WaitFn calls to expect).
  };

  explicit EventDeduper(EventDeduperOptions options);
  ~EventDeduper();
  EventDeduper(const EventDeduper&) = delete;
  EventDeduper& operator=(const EventDeduper&) = delete;

  // The key of `id` in `stream` (a per-process random seed: never persist it).
  EventKey Key(std::string_view stream, const EventId& id) const;

  // Classifies keys[i] (nullopt: the record has no id) into claim. Every kNew
  // key stays in flight until Complete(claim, ...) is called, which the caller
  // must do exactly once whenever claim->new_count > 0. on_original is called
  // once for each kInFlight record, on the thread that completes the original
  // (possibly before Begin's caller has appended its own records).
  void Begin(std::span<const std::optional<EventKey>> keys,
             std::shared_ptr<const WaitFn> on_original, Claim* claim) {
    Begin("", keys, std::move(on_original), claim);
  }
  // The same for keys of `stream`: ids of it stored before its horizon (see
  // SetHorizon) count as forgotten.
  void Begin(std::string_view stream, std::span<const std::optional<EventKey>> keys,
             std::shared_ptr<const WaitFn> on_original, Claim* claim) GL_EXCLUDES(mu_);
  // Reports the outcome of storing the claim's kNew records; new_seqs[k] is the
  // _record_id of the k-th kNew record (ignored unless status is OK). On OK
  // they are remembered; on error they are forgotten (a later retry is new).
  // Either way, their waiters are called.
  void Complete(const Claim& claim, const Status& status, std::span<const uint64_t> new_seqs)
      GL_EXCLUDES(mu_);

  // Forgets the ids of `stream` stored before cutoff_us: retention dropped
  // those records, so a retry of one is stored again. Horizons only rise.
  void SetHorizon(std::string_view stream, int64_t cutoff_us) GL_EXCLUDES(mu_);

  // Remembers an id already stored at time_us (microseconds since the epoch);
  // ignored if outside the window. For rebuilding at start.
  void Add(const EventKey& key, uint64_t seq, int64_t time_us) GL_EXCLUDES(mu_);

  // Rebuilds the set at start, before ingest opens: the ids of the records
  // still in the log (wal; may be null), then those delivery moved into the
  // lake, exactly as they were stored, from the event id index in index_dir
  // (event_id_index.h; empty: none) — index files older than the window are
  // deleted on the way. Lake files no index file covers (delivered before the
  // index existed) are read as before: the id column, _ingest_time and
  // _record_id of the Parquet files of the hours overlapping the window,
  // newest first, until max_entries ids are read. Streams starting with '_'
  // are skipped. The log is read first: delivery only moves records from the
  // log to the lake, so none is missed if it runs meanwhile.
  Status Rebuild(Wal* wal, const std::string& lake_dir, const std::string& index_dir,
                 const EventIdExtractor& extractor, const std::string& duckdb_memory_limit = "1GB")
      GL_EXCLUDES(mu_);

  // Introspection (tests, metrics).
  size_t size() const GL_EXCLUDES(mu_);  // Ids remembered or in flight.
  uint64_t evictions() const GL_EXCLUDES(mu_);
  // True if key is remembered and within the window (not while in flight).
  bool Contains(const EventKey& key) const GL_EXCLUDES(mu_);

 private:
  // A remembered id. While its batch is in flight, seq is kPending | ticket.
  // A dead entry (its batch failed) has time_s 0 and is not in the index; it
  // leaves the ring when it reaches the front.
  struct Entry {
    uint64_t h1;
    uint64_t seq;
    uint32_t h2;
    uint32_t time_s;
  };
  static constexpr uint64_t kPending = 1ull << 63;
  using Waiter = std::pair<std::shared_ptr<const WaitFn>, size_t>;
  struct Loaded {
    EventKey key;
    uint64_t seq;
    int64_t time_us;
  };
  struct KeyHash {
    size_t operator()(const EventKey& k) const { return static_cast<size_t>(k.h1); }
  };

  // Per stream, the _record_id ranges the event id index covers.
  using Covered = std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>>;
  Status LoadFromLog(Wal* wal, const EventIdExtractor& extractor, std::vector<Loaded>* out);
  Status LoadFromIndex(const std::string& index_dir, std::vector<Loaded>* out, Covered* covered);
  Status LoadFromLake(const std::string& lake_dir, const EventIdExtractor& extractor,
                      const std::string& duckdb_memory_limit, const Covered& covered,
                      std::vector<Loaded>* out);
  Status LoadLakeFile(DuckDb* db, const std::string& stream, const std::string& path,
                      const EventIdExtractor& extractor, std::vector<Loaded>* out);
  int64_t NowS() const;
  bool Live(const Entry& e, int64_t now_s) const;
  // Index slot holding key, or SIZE_MAX.
  size_t FindSlot(const EventKey& key) const GL_REQUIRES(mu_);
  Entry& At(size_t slot) GL_REQUIRES(mu_) { return ring_[(index_[slot] & 0xFFFFFFFFu) - 1]; }
  const Entry& At(size_t slot) const GL_REQUIRES(mu_) {
    return ring_[(index_[slot] & 0xFFFFFFFFu) - 1];
  }
  void Insert(const EventKey& key, uint64_t seq, int64_t time_s) GL_REQUIRES(mu_);
  void RemoveSlot(size_t slot) GL_REQUIRES(mu_);  // Backward-shift deletion from the index.
  void PopFront() GL_REQUIRES(mu_);
  void ExpireLocked(int64_t now_s) GL_REQUIRES(mu_);
  void Grow() GL_REQUIRES(mu_);
  void RebuildIndex(size_t index_capacity) GL_REQUIRES(mu_);
  void PublishGauges() GL_REQUIRES(mu_);

  const EventDeduperOptions options_;
  const uint64_t seed1_;
  const uint64_t seed2_;
  Counter* duplicates_ = nullptr;
  Counter* evictions_metric_ = nullptr;
  Gauge* entries_gauge_ = nullptr;

  mutable Mutex mu_;
  std::vector<Entry> ring_ GL_GUARDED_BY(mu_);  // Circular, oldest at head_.
  size_t head_ GL_GUARDED_BY(mu_) = 0;
  size_t size_ GL_GUARDED_BY(mu_) = 0;  // Ring entries, dead ones included.
  // 0: empty; else (low 32 bits of h1) << 32 | (ring pos + 1).
  std::vector<uint64_t> index_ GL_GUARDED_BY(mu_);
  size_t indexed_ GL_GUARDED_BY(mu_) = 0;  // Entries in the index (remembered or in flight).
  uint64_t evictions_ GL_GUARDED_BY(mu_) = 0;
  uint64_t next_ticket_ GL_GUARDED_BY(mu_) = 1;
  // Retries waiting for an in-flight original, by key (rare: kept apart so the
  // common path allocates nothing per record).
  std::unordered_map<EventKey, std::vector<Waiter>, KeyHash> waiters_ GL_GUARDED_BY(mu_);
  // Per stream, ids stored before this (seconds since the epoch) are forgotten.
  std::map<std::string, int64_t, std::less<>> horizons_ GL_GUARDED_BY(mu_);
};

}  // namespace gamelake

#endif  // GAMELAKE_INGEST_EVENT_DEDUPER_H_

// The on-disk queue in the shared format (sdk/queue_format.md): segments of records
// (magic GLQ1, length, CRC-32, flags, JSON), a cursor, the cap with critical
// copy-forward. Segments are preallocated files mapped MAP_SHARED, so an appended
// record is in the page cache — and survives kill -9 — as soon as Append returns.
// Thread-safety: Queue is NOT thread-safe; the Client calls it under its lock. Record
// bytes below a segment's `end` never change, so the worker may read them through a
// SegmentRef without the lock, and fdatasync/unlink a Segment it holds.
#ifndef GAMELAKE_SDK_QUEUE_H_
#define GAMELAKE_SDK_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gamelake::internal {

inline constexpr uint32_t kMaxPayload = 1u << 20;
inline constexpr size_t kHeaderBytes = 13;

// One segment file, mapped. Owned by shared_ptr so the worker can keep reading or
// syncing one the writer has dropped.
struct Segment {
  ~Segment();
  uint64_t number = 0;
  std::string path;
  int fd = -1;
  uint8_t* data = nullptr;
  size_t capacity = 0;  // mapped bytes (the file's size)
  // Records lie in [0, end): the write offset of the active segment, or (for one
  // found at start) where only zeros follow — the clean end.
  size_t end = 0;
  size_t head = 0;                           // the first record not yet acknowledged
  uint64_t live_events = 0, live_bytes = 0;  // records at or after head
  uint64_t live_critical_events = 0, live_critical_bytes = 0;
  bool writable = false;  // the active segment
  bool dirty = false;     // written since the last fdatasync
  bool removed = false;   // dropped from the queue (acked or evicted)
  bool trusted = false;   // written by this process: its CRCs need no second check
};

// One record found in a segment's bytes.
struct ScanItem {
  enum Kind { kRecord, kDamage, kEnd } kind = kEnd;
  size_t offset = 0;
  size_t size = 0;  // the whole record (13 + n), or the damaged bytes
  bool critical = false;
  const uint8_t* payload = nullptr;
  uint32_t payload_size = 0;
};

// Reads the item at `pos` of data[0, limit). Positions at or after `clean_end` (where
// only zeros follow) are the clean end. verify_crc=false trusts the CRC (bytes this
// process wrote itself and nobody else can have changed).
ScanItem ScanAt(const uint8_t* data, size_t pos, size_t limit, size_t clean_end,
                bool verify_crc = true);
// The offset after the last non-zero byte of data[0, size).
size_t CleanEnd(const uint8_t* data, size_t size);
// Encodes a record (header + payload) into out (13 + n bytes).
void EncodeRecord(const char* payload, uint32_t n, bool critical, uint8_t* out);

struct Cursor {
  uint64_t segment = 0;
  uint64_t offset = 0;
};
bool operator<(const Cursor& a, const Cursor& b);
// 24 bytes: GLC1, segment, offset, CRC-32 of the first 20.
std::string EncodeCursor(const Cursor& c);
bool DecodeCursor(std::string_view bytes, Cursor* c);

struct QueueLimits {
  uint64_t max_queue_bytes = 16ull << 20;
  uint64_t max_queue_events = 100000;
  uint64_t max_critical_bytes = 4ull << 20;
  uint64_t segment_bytes = 1ull << 20;  // 0: min(1 MiB, max_queue_bytes / 8)
};

struct CorruptRange {
  uint64_t segment = 0;
  uint64_t offset = 0;
  uint64_t bytes = 0;
};

// Events the cap dropped during one Append (reported by the caller, outside its lock).
struct Dropped {
  uint64_t events = 0;
  uint64_t critical_events = 0;
};

// A segment's readable range at one moment.
struct SegmentView {
  std::shared_ptr<Segment> segment;
  size_t head = 0;
  size_t end = 0;
};

// A record the worker read and may acknowledge.
struct RecordRef {
  std::shared_ptr<Segment> segment;
  uint32_t offset = 0;
  uint32_t size = 0;
  bool critical = false;
};

class Queue {
 public:
  Queue() = default;
  ~Queue();
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // Takes the folder's lock, reads the cursor and every segment (damage goes to
  // *corrupt), deletes what is done. False with *error when the folder is unusable.
  bool Open(const std::string& dir, const QueueLimits& limits, std::string* error,
            std::vector<CorruptRange>* corrupt);
  void Close();
  bool is_open() const { return lock_fd_ >= 0; }

  // Appends one record, first making room under the cap. False on an I/O error
  // (disk full): nothing was written.
  bool Append(std::string_view payload, bool critical, Dropped* dropped);

  // The segments holding unacknowledged records, oldest first, with their head and
  // end as of now (for the worker, which reads them without the lock).
  void PendingSegments(std::vector<SegmentView>* out) const;
  // Marks records acknowledged (or dropped as invalid), in order. Stale ones — of a
  // segment the cap dropped meanwhile, or behind the head — are ignored. Returns
  // true when the cursor moved.
  bool Ack(const RecordRef* refs, size_t count);
  // Removes finished segments from the queue and hands them over for unlinking.
  void TakeFinished(std::vector<std::shared_ptr<Segment>>* out);
  // Segments written since the last call (their dirty flag is cleared).
  void TakeDirty(std::vector<std::shared_ptr<Segment>>* out);
  // Deletes every segment and the cursor (opt-out).
  void Clear();

  Cursor cursor() const { return cursor_; }
  const std::string& dir() const { return dir_; }
  uint64_t live_events() const { return live_events_; }
  uint64_t live_bytes() const { return live_bytes_; }
  uint64_t live_critical_bytes() const { return live_critical_bytes_; }

 private:
  bool Rotate(size_t need);
  bool MakeRoom(size_t record_bytes, bool critical, Dropped* dropped);
  // Drops segments_[i] whole; copies its critical records forward when keep_critical.
  void Evict(size_t i, bool keep_critical, Dropped* dropped);
  bool AppendRecord(const uint8_t* record, size_t size, bool critical, bool copy);
  void Forget(Segment* seg);  // subtracts its live counts
  std::string SegmentPath(uint64_t number) const;

  std::string dir_;
  QueueLimits limits_;
  int lock_fd_ = -1;
  std::vector<std::shared_ptr<Segment>> segments_;  // oldest first; the last may be writable
  std::vector<uint8_t> scratch_;
  uint64_t next_number_ = 1;
  Cursor cursor_;
  uint64_t live_events_ = 0, live_bytes_ = 0, live_critical_bytes_ = 0, live_critical_events_ = 0;
};

}  // namespace gamelake::internal

#endif  // GAMELAKE_SDK_QUEUE_H_

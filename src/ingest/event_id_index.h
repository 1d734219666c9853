// EventIdIndex: the event ids of the records delivery moved from the log into
// the lake, kept beside the lake in their exact form — type and canonical
// text, as EventIdExtractor read them at ingest — so that after a restart the
// deduper remembers every id of its window whatever became of the lake's
// columns (an id column widened to DOUBLE or JSON, ids in _overflow, files
// compacted or rewritten by an erasure). One file per delivered batch,
// <dir>/<stream>/<first:20>-<last:20>.ids, written once (temporary name,
// fsync, rename) before the batch's Parquet file appears in the lake; its
// format is in event_id_index.md. Files whose newest record is older than
// the dedupe window (or than the stream's retention) are deleted by Prune.
//
// Thread-safety: pure functions over the file system.
#ifndef GAMELAKE_INGEST_EVENT_ID_INDEX_H_
#define GAMELAKE_INGEST_EVENT_ID_INDEX_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "ingest/event_deduper.h"

namespace gamelake {

struct IndexedId {
  uint64_t seq = 0;     // The record's _record_id.
  int64_t time_us = 0;  // Its ingest time.
  EventId::Type type = EventId::Type::kString;
  std::string value;  // As EventId::value: unescaped text, or integer digits.
  friend bool operator==(const IndexedId&, const IndexedId&) = default;
};

struct IndexFile {
  std::string stream;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  std::string path;
};

class EventIdIndex {
 public:
  // The ids of stream's records first..last (seq order); durable on OK.
  static Status Write(Env* env, const std::string& dir, const std::string& stream,
                      uint64_t first_seq, uint64_t last_seq, const std::vector<IndexedId>& ids);
  // Corruption (with the path) if the file is not one Write wrote whole.
  static Result<std::vector<IndexedId>> Read(Env* env, const std::string& path);
  // The newest ingest time a file holds (from its header), cheaply.
  static Result<int64_t> NewestTime(Env* env, const std::string& path);
  // Every index file under dir, by stream then first seq.
  static Result<std::vector<IndexFile>> List(Env* env, const std::string& dir);
  // Deletes the files of each stream whose newest record is older than
  // cutoff_us (cutoffs by stream; default_cutoff_us for the others), and
  // files that cannot be read. Returns how many it deleted.
  static Result<size_t> Prune(Env* env, const std::string& dir, int64_t default_cutoff_us,
                              const std::map<std::string, int64_t>& cutoffs = {});
};

}  // namespace gamelake

#endif  // GAMELAKE_INGEST_EVENT_ID_INDEX_H_

// SourceReader: the records of an application's source stream, in log (seq)
// order, each exactly once, from a position — what feeds
// SOURCE_SQL_STREAM_001.
//
// Only acknowledged records are read: the log's durable records (a Wal
// cursor), or those delivery already put in the lake. The log alone would do
// if it kept everything, but delivery releases what it has put in the lake
// and the log deletes segments once every record in them is released; so
// records older than the log's first_seq() — a replay from the earliest
// retained record (after_seq 0), or an application that fell behind — are
// read from the lake's Parquet files instead:
//   - at the start, when after_seq + 1 < first_seq(): the lake's visible files
//     of the stream (lake/lake_files.h) for seqs in (after_seq, first_seq),
//     in _record_id order, then the log from first_seq on;
//   - while reading the log, when the cursor jumps over seqs the log no longer
//     holds (segments deleted under a slow reader): the lake for the seqs
//     skipped, then the record the cursor stopped at.
// Records the lake no longer holds either (retention, erasure) are gone.
//
// Lake records come back as JSON objects rebuilt by DuckDB from the file's
// columns (to_json of a struct of every column but _ingest_time, _record_id
// and _overflow, whose keys are merged back in), with _ingest_time as the
// ingest time. They may differ from the record as sent: numbers come back as
// the file's column type (integers BIGINT; in a column that also held floats,
// DOUBLE), keys other records of the file had and this one lacked are null,
// key order is the file's column order, and a key delivery renamed (one
// colliding with another ignoring case, see delivery/lake_writer.h) keeps its
// new name. A file is read in batches of lake_batch_rows rows (bounded
// memory), one file at a time. With a FileReclaimer, a ticket is held from the
// listing of the files to the end of the lake pass, so compaction cannot
// delete one midway (a long replay delays those deletions); without one, a
// file that disappears is looked up again.
//
// Thread-safety: one thread at a time. The Wal (and the reclaimer) must
// outlive the reader.
#ifndef GAMELAKE_STREAMING_SOURCE_READER_H_
#define GAMELAKE_STREAMING_SOURCE_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/result.h"
#include "lake/file_reclaimer.h"
#include "log/wal.h"

namespace gamelake {

struct SourceRecord {
  uint64_t seq = 0;
  int64_t ingest_time_us = 0;
  std::string_view json;  // Valid until the next Next().
};

struct SourceReaderOptions {
  std::string stream;
  // Records with seq > after_seq are read: 0 for the earliest retained
  // ("--from earliest"), wal->next_seq() - 1 for new records only ("now"),
  // or a checkpoint (the seq of the last record the application consumed).
  uint64_t after_seq = 0;
  Wal* wal = nullptr;
  std::string lake_dir;                // "": no lake; what the log lost is skipped.
  FileReclaimer* reclaimer = nullptr;  // Optional: guards lake files while read.
  Env* env = Env::Default();
  size_t lake_batch_rows = 10'000;
  std::string duckdb_memory_limit = "256MB";
};

struct SourceReaderStats {
  uint64_t log_records = 0;   // Of the stream, read from the log.
  uint64_t lake_records = 0;  // Read from the lake.
  uint64_t lake_passes = 0;   // Times the reader had to go to the lake.
};

// The interface, so an application runner can be tested with a fake source.
class SourceReader {
 public:
  // The reader of the log and the lake described above.
  static Result<std::unique_ptr<SourceReader>> Create(SourceReaderOptions options);
  virtual ~SourceReader() = default;

  // The next record. False: nothing more yet (poll again later). Errors: a
  // lake file DuckDB cannot read (Corruption/IOError naming it), a log error.
  virtual Result<bool> Next(SourceRecord* out) = 0;

  // The seq of the last record returned (after_seq before the first).
  virtual uint64_t position() const = 0;
  virtual SourceReaderStats stats() const = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SOURCE_READER_H_

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
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "lake/file_reclaimer.h"
#include "lake/lake_files.h"
#include "log/wal.h"

namespace gamelake {

class DuckDb;

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

class SourceReader {
 public:
  static Result<std::unique_ptr<SourceReader>> Create(SourceReaderOptions options);
  ~SourceReader();
  SourceReader(const SourceReader&) = delete;
  SourceReader& operator=(const SourceReader&) = delete;

  // The next record. False: nothing more yet (poll again later). Errors: a
  // lake file DuckDB cannot read (Corruption/IOError naming it), a log error.
  Result<bool> Next(SourceRecord* out);

  // The seq of the last record returned (after_seq before the first).
  uint64_t position() const { return pos_; }
  const SourceReaderStats& stats() const { return stats_; }

 private:
  struct LakeRow {
    uint64_t seq;
    int64_t ingest_time_us;
    std::string json;
  };

  explicit SourceReader(SourceReaderOptions options);
  // Starts reading the lake for seqs in (pos_, limit).
  Status StartLakePass(uint64_t limit);
  // The next batch of the pass into batch_; false when the pass is done.
  Result<bool> FillLakeBatch();
  Result<bool> QueryFile(const WrittenFile& file);
  Status OpenDuckDb();
  // The SELECT list turning a file's row into its record's JSON.
  Result<std::string> JsonExpression(const std::string& path);
  Result<bool> NextFromLog(SourceRecord* out);

  const SourceReaderOptions options_;
  uint64_t pos_;

  // The log.
  std::unique_ptr<Wal::Cursor> cursor_;
  uint64_t cursor_seq_ = 0;  // The last seq the cursor returned (any stream).
  // A record of the stream the cursor returned past a gap, emitted after the lake.
  bool has_pending_ = false;
  uint64_t pending_seq_ = 0;
  int64_t pending_ingest_time_us_ = 0;
  std::string pending_json_;

  // The lake pass.
  bool in_lake_ = false;
  uint64_t lake_limit_ = 0;  // This pass reads seqs below it.
  std::vector<WrittenFile> files_;
  size_t file_index_ = 0;
  std::string file_expr_;  // JsonExpression of files_[file_index_].
  bool file_expr_ready_ = false;
  FileReclaimer::Ticket ticket_;
  std::vector<LakeRow> batch_;
  size_t batch_pos_ = 0;
  std::unique_ptr<DuckDb> db_;

  SourceReaderStats stats_;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SOURCE_READER_H_

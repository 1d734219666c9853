// LakeWriter: turns one staging NDJSON file into one zstd-compressed Parquet
// file in the lake, through DuckDB, and makes it durable.
//
// Staging line format (written by the delivery service), one per record:
//   {"_ingest_time":<int64 micros since epoch>,"_record_id":<seq>,"r":<record object>}
//
// Output columns: _ingest_time (TIMESTAMP, UTC), _record_id (BIGINT), then one
// column per top-level key of the records, in order of first appearance:
//  - The union of the keys of the batch; NULL where a record lacks the key.
//  - Types are inferred over the whole file (no sampling, no MAP inference):
//    integers BIGINT, mixed integer/float DOUBLE, nested objects STRUCT, arrays
//    LIST, conflicting types JSON text. Strings always stay VARCHAR, even when
//    they look like dates, times or UUIDs, so a column's type does not depend
//    on which values happen to share a file.
//  - Key names are kept exactly ("Time Played", "a.b", unicode). A key that
//    collides with an earlier column name ignoring case (e.g. the user's own
//    "_ingest_time", or "a" next to "A") or is empty gets the first free name
//    among <key>_1, <key>_2, ...
// The schema comes from SchemaInferrer (simdjson, one pass) and is handed to
// DuckDB, which then reads the file once. If DuckDB rejects that schema, or the
// inferrer cannot read a line, DuckDB's own whole-file inference (read_json
// with sample_size=-1) decides instead. Both give the same types, except for
// the nested key clash below, which DuckDB's inference cannot type at all.
// Degraded modes, so that a batch never fails because of its data:
//  - An integer that does not fit BIGINT (above 2^63-1) turns the file's
//    BIGINT columns into JSON text (exact digits).
//  - When typed inference fails (e.g. top-level keys "a" and "A" in one file, or
//    an empty key), every top-level key becomes a JSON text column holding the
//    value's exact JSON. Such keys inside a nested object make just that
//    object's column (or list element) JSON.
//  - A batch whose records are all {} yields just _ingest_time and _record_id.
//
// The file is written under its temporary name (TempPathFor in
// lake/lake_layout.h) in the destination directory, fsync'd, renamed to its final name, and the
// directory is fsync'd: a reader never sees a partial file, and after OK it survives a crash.
//
// Thread-safety: a LakeWriter owns a DuckDB connection; use one from one thread
// at a time.
#ifndef GAMELAKE_DELIVERY_LAKE_WRITER_H_
#define GAMELAKE_DELIVERY_LAKE_WRITER_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "common/env.h"
#include "common/result.h"
#include "common/status.h"
#include "delivery/schema_inferrer.h"
#include "sql/duck_db.h"

namespace gamelake {

struct LakeWriterOptions {
  Env* env = Env::Default();
  int duckdb_threads = 1;
  std::string duckdb_memory_limit = "1GB";
  std::string duckdb_temp_directory;  // Empty: DuckDB's default.
  // False: skip SchemaInferrer and let DuckDB infer (to compare the two).
  bool infer_schema = true;
  // How wide a file may get (with SchemaInferrer); keys beyond go, as JSON,
  // into the column kOverflowColumn.
  ColumnLimits column_limits;
};

struct LakeFileInfo {
  uint64_t rows = 0;
  uint64_t bytes = 0;  // Size of the Parquet file.
};

class LakeWriter {
 public:
  static Result<std::unique_ptr<LakeWriter>> Open(const LakeWriterOptions& options);

  // Converts staging_path into the Parquet file final_path (its directory is
  // created if missing). On error no file appears under final_path.
  // columns, if given, holds the table's top-level keys so far: within the
  // column limits they stay columns before new keys do; the keys this file
  // makes columns are added to it.
  Result<LakeFileInfo> Convert(const std::string& staging_path, const std::string& final_path,
                               std::set<std::string>* columns = nullptr);

 private:
  LakeWriter(Env* env, bool infer_schema, ColumnLimits limits, std::unique_ptr<DuckDb> db)
      : env_(env), infer_schema_(infer_schema), limits_(limits), db_(std::move(db)) {}

  // One attempt at writing tmp_path; see the degraded modes above. kInferred
  // uses SchemaInferrer; the others probe DuckDB's inference. InvalidArgument
  // from kInferred or kTyped: no typed schema can hold the data.
  enum class Mode { kInferred, kTyped, kTypedWideIntegers, kJsonText };
  Result<uint64_t> WriteParquet(Mode mode, const std::string& staging_path,
                                const std::string& tmp_path, std::set<std::string>* columns);

  Env* env_;
  bool infer_schema_;
  ColumnLimits limits_;
  std::unique_ptr<DuckDb> db_;
};

}  // namespace gamelake

#endif  // GAMELAKE_DELIVERY_LAKE_WRITER_H_

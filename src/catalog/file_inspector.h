// FileInspector: reads one lake file's columns and row count through a
// private in-memory DuckDB (one thread, a small memory limit), without
// reading the data itself where the format allows: a Parquet file's schema,
// row count and column statistics (column_stats.h) come from its footer;
// NDJSON and CSV files are read whole (their types are inferred over every
// line, as delivery does) and get no statistics.
//
// Types of text files are normalised the way the lake stores JSON
// (StorageType: DATE/TIME/TIMESTAMP/UUID guesses from strings become VARCHAR),
// so a hand-dropped NDJSON file lines up with the Parquet files delivery
// writes from the same records.
//
// Thread-safety: Inspect may be called from any thread; calls are serialised
// on an internal mutex.
#ifndef GAMELAKE_CATALOG_FILE_INSPECTOR_H_
#define GAMELAKE_CATALOG_FILE_INSPECTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/mutex.h"
#include "common/result.h"
#include "sql/duck_db.h"

namespace gamelake {

struct InspectedFile {
  uint64_t rows = 0;
  std::vector<ColumnInfo> columns;
  std::vector<ColumnStats> stats;  // Parquet: one per column; else empty.
};

class FileInspector {
 public:
  static Result<std::unique_ptr<FileInspector>> Open();

  // The columns and rows of the file at abs_path. A file DuckDB cannot read
  // gives Corruption with DuckDB's reason (first line of its message).
  Result<InspectedFile> Inspect(const std::string& abs_path, FileFormat format, bool gzip)
      GL_EXCLUDES(mu_);
  // The same for many Parquet files at once (one footer query for all):
  // one result per path, in order.
  std::vector<Result<InspectedFile>> InspectParquet(const std::vector<std::string>& abs_paths)
      GL_EXCLUDES(mu_);

 private:
  explicit FileInspector(std::unique_ptr<DuckDb> db) : db_(std::move(db)) {}
  // The rows and footer statistics (column_stats.h) of a Parquet file whose
  // out->columns are known.
  Status ReadFooter(const std::string& abs_path, InspectedFile* out) GL_REQUIRES(mu_);

  Mutex mu_;
  std::unique_ptr<DuckDb> db_ GL_GUARDED_BY(mu_);
};

}  // namespace gamelake

#endif  // GAMELAKE_CATALOG_FILE_INSPECTOR_H_

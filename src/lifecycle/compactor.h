// Compactor: merges a table's small files into few large ones, so a month of
// one-minute deliveries is a few dozen files instead of 43,000 — what Glue
// jobs do for a Firehose lake, and OPTIMIZE for Delta and Iceberg tables.
//
// What gets merged (PlanCompaction). A stream's visible written files, in
// _record_id order, are grouped by partition: an hour, or — once a UTC day
// has been over for `daily_after_us` — the whole day (its hour files and
// earlier day files go into hr=all). Within a group, each maximal run of
// consecutive small files (below 3/4 of the target size) becomes one job if
// it has at least two files and its partition is closed (its end is
// `settle_us` past), or an open hour has piled up `open_hour_min_files`. A
// run is cut where the merged file would pass the target size or the column
// limit. Only consecutive files are merged, so the merged file's range
// covers exactly its inputs: it supersedes them and nothing else.
//
// How (Compactor::Run). DuckDB reads the inputs in _record_id order (so the
// output is sorted by _ingest_time, which never decreases along the log),
// each column widened as the catalog widens it across the inputs, and writes
// one zstd Parquet file under its temporary name in the target partition;
// the row count is checked, the file fsync'd, renamed into place (the commit:
// the inputs are now superseded, see lake/lake_files.h) and the folder
// fsync'd. Then the catalog switches atomically and the inputs are retired:
// deleted once no query that could read them is left. A kill -9 at any point
// leaves each record in exactly one visible file; start-up removes what a
// commit superseded. Compaction does not touch the log, the watermarks or
// the event ids: names keep their ranges, and ids are indexed apart.
//
// Thread-safety: a Compactor runs one job at a time (calls are serialized on
// an internal mutex); PlanCompaction is a pure function.
#ifndef GAMELAKE_LIFECYCLE_COMPACTOR_H_
#define GAMELAKE_LIFECYCLE_COMPACTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/env.h"
#include "common/metrics.h"
#include "common/mutex.h"
#include "common/result.h"
#include "lake/lake_layout.h"
#include "lifecycle/lake_rewriter.h"

namespace gamelake {

struct CompactionOptions {
  uint64_t target_file_bytes = 256ull << 20;
  int64_t settle_us = 10 * 60 * 1'000'000ll;    // An hour is closed this long after its end.
  uint64_t open_hour_min_files = 32;            // 0: never merge an hour still open.
  bool daily = true;                            // Merge past days into whole-day files.
  int64_t daily_after_us = 3600 * 1'000'000ll;  // ...this long after the day ended.
  size_t max_columns = 1000;                    // Leaf columns of a merged file (+ system ones).
};

// One merge: consecutive files of one table into `target`.
struct CompactionJob {
  std::string table;
  LakePartition target;
  std::vector<CatalogFile> inputs;  // In _record_id order.
  uint64_t input_bytes() const;
  uint64_t input_rows() const;
};

// The jobs a snapshot calls for at now_us; only `table`'s if not empty.
std::vector<CompactionJob> PlanCompaction(const CatalogSnapshot& snapshot,
                                          const CompactionOptions& options, int64_t now_us,
                                          const std::string& table = "");

struct CompactionResult {
  std::string output;  // Lake-relative path of the merged file.
  uint64_t rows = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  int64_t micros = 0;
};

struct CompactorOptions : LakeRewriterOptions {
  Metrics* metrics = nullptr;  // Optional: gamelake_compaction_* series.
};

class Compactor {
 public:
  static Result<std::unique_ptr<Compactor>> Open(const CompactorOptions& options);

  // Merges the job's inputs into one file and switches the catalog to it.
  // On error nothing visible changed (a half-written file is removed).
  Result<CompactionResult> Run(const CompactionJob& job) GL_EXCLUDES(mu_);

 private:
  Compactor(const CompactorOptions& options, std::unique_ptr<LakeRewriter> files);
  // The SELECT that reads the inputs, widened to one schema, in order.
  static std::string InputSelect(const CompactionJob& job, const std::string& lake_dir);

  const CompactorOptions options_;
  Mutex mu_;
  std::unique_ptr<LakeRewriter> files_ GL_GUARDED_BY(mu_);
  Counter* jobs_ = nullptr;
  Counter* files_in_ = nullptr;
  Counter* bytes_in_ = nullptr;
  Counter* bytes_out_ = nullptr;
  Counter* rows_ = nullptr;
  Counter* errors_ = nullptr;
};

}  // namespace gamelake

#endif  // GAMELAKE_LIFECYCLE_COMPACTOR_H_

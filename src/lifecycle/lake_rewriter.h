// LakeRewriter: the one way lifecycle jobs (compaction, erasure) replace lake
// files. A new file is written from a SELECT under its temporary name, its
// row count checked against what the caller expects, fsync'd, renamed into
// place (the commit) and its folder fsync'd; on any error nothing is left
// behind. On an S3 lake (a sink is given) the new file is then published —
// uploaded under its key with the sink's checksum and retries — and a
// publish that fails removes the new file again, so the job fails as if it
// had not run and is retried later (the old files stay visible and in
// place). Then the catalog switches from the old files to the new ones in
// one step, and the old files are retired: deleted once no query that could
// read them is left (lake/file_reclaimer.h), or at once when there is no
// reclaimer (offline, where no query runs).
//
// Thread-safety: none; a LakeRewriter belongs to the job that owns it (its
// DuckDB connection is used by one thread at a time).
#ifndef GAMELAKE_LIFECYCLE_LAKE_REWRITER_H_
#define GAMELAKE_LIFECYCLE_LAKE_REWRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/env.h"
#include "common/result.h"
#include "lake/file_reclaimer.h"
#include "lake/lake_sink.h"
#include "sql/duck_db.h"

namespace gamelake {

struct LakeRewriterOptions {
  std::string lake_dir;
  std::string temp_dir;  // Where DuckDB may spill.
  Env* env = Env::Default();
  std::string duckdb_memory_limit = "512MB";
  Catalog* catalog = nullptr;  // Switched after each rewrite.
  // Retires replaced files; null: they are deleted at once (no query runs).
  FileReclaimer* reclaimer = nullptr;
  // Where new files go beyond the local lake (an S3 lake: s3/s3_lake_sink.h);
  // null: nowhere (a local lake). Not owned.
  LakeSink* sink = nullptr;
};

class LakeRewriter {
 public:
  // InvalidArgument without a catalog, lake_dir or env. DuckDB runs on one
  // thread, so a text file's rows come out in the same order in every scan.
  static Result<std::unique_ptr<LakeRewriter>> Open(const LakeRewriterOptions& options);

  DuckDb* db() const { return db_.get(); }
  const LakeRewriterOptions& options() const { return options_; }

  // The number a statement returns as its one value (a count, or the rows a
  // COPY wrote); Internal if it returns anything else.
  Result<uint64_t> Count(const std::string& sql);

  // Writes the rows of `select` to `path` (absolute, in the lake) with COPY
  // options `copy_options` (e.g. "FORMAT parquet, COMPRESSION zstd"),
  // committed only if exactly `rows` were written, and published through
  // the sink if any (on failure the file is removed again). Returns the
  // file's size.
  Result<uint64_t> WriteFile(const std::string& select, const std::string& copy_options,
                             const std::string& path, uint64_t rows);

  // Switches the catalog by `change`, then retires `retired` (lake-relative
  // paths; files replaced in place by rename are not retired).
  Status Commit(const FileSwitch& change, const std::vector<std::string>& retired);

 private:
  // Publishes the committed file at `path` through the sink; on failure
  // removes it (the commit undone) and returns why.
  Status Publish(const std::string& path);

  LakeRewriter(const LakeRewriterOptions& options, std::unique_ptr<DuckDb> db)
      : options_(options), db_(std::move(db)) {}

  const LakeRewriterOptions options_;
  std::unique_ptr<DuckDb> db_;
};

}  // namespace gamelake

#endif  // GAMELAKE_LIFECYCLE_LAKE_REWRITER_H_

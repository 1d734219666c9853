// Eraser: removes every row a condition matches from a table's files — one
// player's events, on their request — and keeps every other row as it was.
//
// The condition is SQL over the table's columns as queries see them
// (`PlayerID = 42`, `"Player Name" = 'Ann' AND dt < '2026-01-01'`), and must
// be one row-local expression: no subqueries, no other tables, nothing
// around it (CheckCondition says where it goes wrong). A row matches when
// `SELECT * FROM <table> WHERE <condition>` would return it.
//
// Each file the planner cannot rule out (partition values and footer
// statistics, as for queries) is counted; a file with matches is rewritten
// without them, keeping its own columns and types:
//  - a file gamelake wrote becomes the next version of the same record id
//    range in the same partition (lake/lake_layout.h) — the rewrite is
//    committed by its rename, the original superseded on disk — and the
//    original is retired, deleted once no query reads it;
//  - a file dropped in by hand is replaced in place by rename.
// A file whose rows all match is rewritten empty, never deleted: its name
// keeps claiming its range, so delivery never brings the rows back from
// the log. Each table switches in the catalog once, all its rewrites at
// once. A crash at any point leaves every file either whole-old or
// whole-new; running the erasure again finds nothing more to remove in the
// files already rewritten.
//
// The caller delivers the log first (records acknowledged before the
// request are then in files), and keeps compaction away meanwhile (the lake
// maintainer runs both on one thread).
//
// Thread-safety: one Erase at a time (serialized on an internal mutex).
#ifndef GAMELAKE_LIFECYCLE_ERASER_H_
#define GAMELAKE_LIFECYCLE_ERASER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"
#include "lifecycle/erasure_log.h"
#include "lifecycle/lake_rewriter.h"
#include "query/view_builder.h"

namespace gamelake {

using EraserOptions = LakeRewriterOptions;

class Eraser {
 public:
  static Result<std::unique_ptr<Eraser>> Open(const EraserOptions& options);

  // InvalidArgument unless `where` parses as one condition over one table's
  // rows (checked on DuckDB's syntax tree; binding to the table's columns is
  // the query engine's job, which the caller asks).
  Status CheckCondition(const std::string& where) GL_EXCLUDES(mu_);

  // Removes the rows of each table matching `where`.
  Result<std::map<std::string, ErasureTableResult>> Erase(const std::vector<std::string>& tables,
                                                          const std::string& where)
      GL_EXCLUDES(mu_);

 private:
  explicit Eraser(std::unique_ptr<LakeRewriter> files) : files_(std::move(files)) {}
  Result<ErasureTableResult> EraseTable(const CatalogSnapshot& snapshot, const TableShape& shape,
                                        const std::string& where) GL_REQUIRES(mu_);
  // Rewrites one file without its matching rows into out_path; returns the
  // rows removed (0: nothing written).
  Result<uint64_t> RewriteFile(const TableShape& shape, const CatalogFile& file,
                               const std::string& where, const std::string& out_path,
                               uint64_t* bytes) GL_REQUIRES(mu_);

  Mutex mu_;
  std::unique_ptr<LakeRewriter> files_ GL_GUARDED_BY(mu_);
};

}  // namespace gamelake

#endif  // GAMELAKE_LIFECYCLE_ERASER_H_

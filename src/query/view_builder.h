// ViewBuilder: the SQL the query engine gives DuckDB for each lake table.
//
// A table's shape is what SQL shows of it: the catalog's unified columns,
// plus columns only the live tail has seen so far, plus the partition keys
// as text columns. Two views have that shape:
//  - the shape view, with no rows, published once per shape (DESCRIBE, view
//    definitions; see query_engine.h for how lake.<table> uses it);
//  - a data view, made per query for the files the planner kept: one branch
//    per partition and file shape (read_parquet of a file list with every
//    footer's statistics for the optimizer; hand-dropped NDJSON/CSV with
//    explicit column types), each projecting the table's shape (CAST to
//    widened types, NULL for columns a file lacks, partition values as
//    text; whole-day files give each row its hour), plus, when the query's
//    tail pin holds undelivered records, a branch reading them through
//    gamelake_tail(stream, delivered_seq): each record exactly once.
// The text of a data view grows with the files it reads, not with the lake.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_QUERY_VIEW_BUILDER_H_
#define GAMELAKE_QUERY_VIEW_BUILDER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "query/query_planner.h"

namespace gamelake {

struct TableShape {
  struct Column {
    std::string name;
    DuckType type;
    std::string tail_key;  // The record key in the live tail, if it has one.
  };
  std::string name;
  std::shared_ptr<const CatalogTable> table;  // Null for a stream only the tail knows.
  std::vector<Column> columns;
  std::vector<std::string> partition_keys;
  // Tail keys beyond the column limits: delivery puts them into _overflow.
  bool tail_overflow = false;
  std::vector<std::string> tail_column_keys;  // The tail's keys that are columns.
};

// The planner's view of the tables (query_planner.h): each shape's columns
// and partition keys, and the saved views.
PlannerContext PlannerContextOf(const std::map<std::string, TableShape>& shapes,
                                const std::map<std::string, CatalogView>& views);

// Same column names and types, same partition keys: a view of one can stand
// in for a view of the other.
bool SameShape(const TableShape& a, const TableShape& b);

// Every table's shape: the catalog's tables, and (when tail_types is given)
// the streams only the tail knows. tail_types: per stream, the record type
// the tail inferred (a STRUCT).
std::map<std::string, TableShape> PlanShapes(const CatalogSnapshot& snapshot,
                                             const std::map<std::string, DuckType>* tail_types);

// SELECT of the shape's columns, without rows.
std::string ShapeSelect(const TableShape& shape);

// Where a query reads files from: this node's own files are under the lake
// dir; other nodes' (CatalogFile::remote) under the remote file store's dir
// (lake/remote_file_store.h), at the same lake-relative path.
struct FileRoots {
  std::string lake_dir;
  std::string remote_dir;  // "" when the lake is not shared.
};
// The local path DuckDB reads `file` at: <root>/<file.path>.
std::string LocalFilePath(const CatalogFile& file, const FileRoots& roots);

// SELECT of the rows of `files` (of shape.table) and, if tail_branch is not
// null, of that SELECT too (TailSelect, or TailCache's typed copy of it).
std::string DataSelect(const TableShape& shape, std::span<const CatalogFile* const> files,
                       const std::string* tail_branch, const FileRoots& roots);

// The tail branch: the shape's columns (and partition keys) of the records
// gamelake_tail(shape.name, after) returns, each record's JSON typed by
// from_json as delivery types it. with_seq adds the record's seq as the
// last column, kTailSeqColumn (for TailCache's typed copy).
std::string TailSelect(const TableShape& shape, uint64_t after, bool with_seq = false);
inline constexpr const char* kTailSeqColumn = "\"__gl_seq\"";
// The seq above which the tail branch reads: the stream's delivered seq.
uint64_t TailFloor(const TableShape& shape);

// The select list projecting one file's columns to the shape (casts, NULLs,
// partition values: constants, or with `hive` the reader's hive columns),
// and the table function call that reads the file.
std::string FileProjection(const TableShape& shape, const CatalogFile& file, bool hive = false);
std::string FileReader(const CatalogFile& file, const std::string& lake_dir);

// CREATE OR REPLACE VIEW lake."<name>" AS <sql>.
std::string CreateLakeView(const std::string& name, const std::string& sql);

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_VIEW_BUILDER_H_

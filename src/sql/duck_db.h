// DuckDb: a small RAII wrapper over DuckDB's C API (one database plus one
// connection), so the rest of gamelake runs SQL and gets Status/Result values.
//
// DuckDB errors (parse errors, failed COPYs, out of memory...) come back as a
// Status carrying the engine's message; the C API catches the engine's
// exceptions, so a failed statement never takes the process down.
//
// Thread-safety: a DuckDb object owns one connection and must be used by one
// thread at a time. Separate DuckDb objects are independent.
#ifndef GAMELAKE_SQL_DUCK_DB_H_
#define GAMELAKE_SQL_DUCK_DB_H_

#include <duckdb.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "common/status.h"

namespace gamelake {

struct DuckDbOptions {
  std::string path;                  // Database file; empty means in-memory.
  int threads = 1;                   // DuckDB worker threads.
  std::string memory_limit = "1GB";  // DuckDB syntax: "512MB", "2GB", ...
  // Where DuckDB may spill; empty = its default. Open creates the whole path:
  // DuckDB creates only its last folder, when it first spills.
  std::string temp_directory;
  Env* env = Env::Default();  // Creates temp_directory.
};

// A DuckDB column type as a tree, so callers can inspect and rewrite nested
// types (e.g. to build a read_json columns= spec).
struct DuckType {
  enum class Kind { kScalar, kStruct, kList, kArray, kMap, kUnion };
  Kind kind = Kind::kScalar;
  std::string name;                      // Scalars: "BIGINT", "JSON", "DECIMAL(18,3)"...
  std::vector<std::string> field_names;  // kStruct/kUnion: one per child.
  std::vector<DuckType> children;  // kStruct/kUnion: fields; kList/kArray: 1; kMap: key, value.
  uint64_t array_size = 0;         // kArray only.

  static DuckType Scalar(std::string scalar_name) {
    DuckType t;
    t.name = std::move(scalar_name);
    return t;
  }
  // DuckDB syntax, parseable back: "STRUCT(\"a b\" BIGINT, \"c\" VARCHAR[])".
  std::string ToString() const;
  // Exact equality: kind, names, field names, children, array size.
  friend bool operator==(const DuckType&, const DuckType&) = default;
};

// A fully materialized query result, every value rendered as text (the way
// DuckDB casts it to VARCHAR). Meant for tests and small control queries.
struct QueryResult {
  std::vector<std::string> column_names;
  std::vector<std::string> column_types;  // DuckType::ToString() of each column.
  std::vector<DuckType> column_sql_types;
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt is SQL NULL.

  // Index of the column named `name`, or -1.
  int ColumnIndex(std::string_view name) const;
};

class DuckDb {
 public:
  static Result<std::unique_ptr<DuckDb>> Open(const DuckDbOptions& options);
  ~DuckDb();
  DuckDb(const DuckDb&) = delete;
  DuckDb& operator=(const DuckDb&) = delete;

  // Runs one or more statements, discarding any result.
  Status Execute(std::string_view sql);
  // Runs a statement and returns all of its rows.
  Result<QueryResult> Query(std::string_view sql);
  // The columns a statement would return (names and types, no rows), from
  // preparing it: nothing runs.
  Result<QueryResult> Describe(std::string_view sql);
  // The connection, for C API calls this wrapper does not cover. Same
  // threading rule as the object.
  duckdb_connection connection() const { return conn_; }

 private:
  DuckDb(duckdb_database db, duckdb_connection conn) : db_(db), conn_(conn) {}

  duckdb_database db_;
  duckdb_connection conn_;
};

// "a \"b\"" -> "\"a \"\"b\"\"\"": safe as a column or table name whatever it holds.
std::string QuoteIdentifier(std::string_view name);
// "it's" -> "'it''s'": a SQL string literal.
std::string QuoteLiteral(std::string_view value);
// DuckDB's name of a type id: "BIGINT", "TIMESTAMP WITH TIME ZONE", "STRUCT"...
std::string_view DuckTypeName(duckdb_type id);
// The tree of a DuckDB logical type.
DuckType ToSqlType(duckdb_logical_type type);
// The from_json() structure describing `type`: "BIGINT", {"a":"VARCHAR"}, ["DOUBLE"].
std::string JsonStructure(const DuckType& type);
// How many columns `type` makes when flattened: 1 for a scalar, list or map;
// the sum over the fields for a STRUCT.
size_t LeafColumns(const DuckType& type);

}  // namespace gamelake

#endif  // GAMELAKE_SQL_DUCK_DB_H_

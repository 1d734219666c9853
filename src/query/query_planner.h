// QueryPlanner: decides, before DuckDB binds anything, which files of each
// lake table a statement can need, so a query's cost follows the files it
// reads and not the size of the lake.
//
// It asks DuckDB's parser for the statement's syntax tree
// (json_serialize_sql), finds every reference to a lake table — directly, in
// CTEs and subqueries, and inside saved views it uses — and, for each
// reference, the WHERE conditions that must hold for its rows: comparisons
// (=, <, <=, >, >=), BETWEEN and IN of one of its columns against constant
// expressions, and AND/OR of these. Constants are evaluated by DuckDB (so
// `now() - INTERVAL 1 DAY`, `'2026-11-26'` and `DATE '2026-11-26' + 1` all
// work). A file is kept unless its partition values or its footer statistics
// (the catalog's min/max per column) prove that no row can satisfy the
// conditions. A table referenced several times reads the union of what each
// reference needs.
//
// Never wrong, sometimes not tight: whatever it does not understand keeps
// files. Conditions are used only where dropping rows early cannot change a
// result: WHERE (not ON) conjuncts over inner and outer joins (all the forms
// above are NULL-rejecting), never across ASOF, POSITIONAL or LATERAL joins,
// never through a CAST of the column, and an expression that reads the clock
// (now(), current_date...) only as a lower bound (`col >= now() - ...`),
// since the query itself evaluates it a moment later. Statements the parser
// cannot serialize (PIVOT ..., for instance) are planned by name: every table
// or saved view named in the text, with all of its files. Syntax trees are
// kept by text (a tree depends on nothing else), so a statement run again
// skips the parser.
//
// Thread-safety: Plan() is reentrant; each call uses the connection it is
// given (one query's own).
#ifndef GAMELAKE_QUERY_QUERY_PLANNER_H_
#define GAMELAKE_QUERY_QUERY_PLANNER_H_

#include <duckdb.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"

namespace gamelake {

// What a statement reads of one table.
struct TableScan {
  bool shape_only = true;                 // Only its columns are needed (DESCRIBE).
  bool all_files = false;                 // Every file (no usable conditions), else `files`.
  std::vector<const CatalogFile*> files;  // Kept files, in path order.
};

struct ScanPlan {
  std::map<std::string, TableScan> tables;  // By table name as the catalog spells it.
  bool analyzed = false;                    // False: planned by the names in the text only.
  uint64_t files_total = 0;                 // Files of the tables read.
  uint64_t files_pruned = 0;                // Of those, proven not needed.
};

// A table as the planner sees it: its catalog entry (may be null for a
// stream only the live tail knows) and the columns SQL shows for it.
struct PlannerTable {
  const CatalogTable* table = nullptr;
  std::vector<ColumnInfo> columns;          // As the table's view projects them.
  std::vector<std::string> partition_keys;  // Text columns taken from the path.
};

struct PlannerContext {
  std::map<std::string, PlannerTable> tables;  // By name as the catalog spells it.
  std::map<std::string, CatalogView> views;    // Saved views, by lower-cased name.
};

class QueryPlanner {
 public:
  // conn: a connection of the query's own DuckDB (parses and evaluates).
  static ScanPlan Plan(duckdb_connection conn, std::string_view sql, const PlannerContext& ctx);
};

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_QUERY_PLANNER_H_

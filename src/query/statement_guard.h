// StatementGuard: the sandbox's statement checks, made before and after
// DuckDB parses a query: exactly one statement; nothing but statements that
// read (SELECT, and EXPLAIN of one); none of the engine's own tables and
// functions; a word for each refused kind.
//
// Thread-safety: pure functions over the connection they are given.
#ifndef GAMELAKE_QUERY_STATEMENT_GUARD_H_
#define GAMELAKE_QUERY_STATEMENT_GUARD_H_

#include <duckdb.h>

#include <string>
#include <string_view>

#include "common/status.h"
#include "query/sql_text.h"

namespace gamelake {

// How the refusal of a statement of this type names it ("COPY", "ATTACH").
std::string_view StatementTypeName(duckdb_statement_type type);

// InvalidArgument unless `sql` parses into exactly one statement.
Status CheckOneStatement(duckdb_connection conn, const std::string& sql);

// Before DuckDB binds (which may act): PermissionDenied unless the text
// starts like a statement that only reads.
Status CheckStartsLikeAQuery(const SqlShape& shape, std::string_view sql);

// PermissionDenied if sql names what the engine keeps to itself — the typed
// tail's schema (gl_tail) or the raw tail's table function (gamelake_tail),
// in a word, a quoted name or a string — or calls query() or query_table(),
// which run SQL or read a table named by a string computed at run time that
// no check before binding can see. Says what and where (line, column).
Status CheckNoInternalNames(std::string_view sql);

// After prepare: PermissionDenied unless the prepared statement is a SELECT,
// or an EXPLAIN whose explained statement (shape.body) is one.
Status CheckReadOnly(duckdb_connection conn, duckdb_prepared_statement prepared,
                     const SqlShape& shape);

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_STATEMENT_GUARD_H_

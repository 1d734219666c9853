#include "query/statement_guard.h"

#include <fmt/format.h>

#include "common/ascii.h"
#include "sql/duck_handles.h"

namespace gamelake {

std::string_view StatementTypeName(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_INSERT:
      return "INSERT";
    case DUCKDB_STATEMENT_TYPE_UPDATE:
      return "UPDATE";
    case DUCKDB_STATEMENT_TYPE_DELETE:
      return "DELETE";
    case DUCKDB_STATEMENT_TYPE_PREPARE:
      return "PREPARE";
    case DUCKDB_STATEMENT_TYPE_CREATE:
      return "CREATE (only CREATE VIEW is allowed)";
    case DUCKDB_STATEMENT_TYPE_EXECUTE:
      return "EXECUTE";
    case DUCKDB_STATEMENT_TYPE_ALTER:
      return "ALTER";
    case DUCKDB_STATEMENT_TYPE_TRANSACTION:
      return "a transaction statement";
    case DUCKDB_STATEMENT_TYPE_COPY:
      return "COPY";
    case DUCKDB_STATEMENT_TYPE_ANALYZE:
      return "ANALYZE";
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET:
      return "SET VARIABLE";
    case DUCKDB_STATEMENT_TYPE_CREATE_FUNC:
      return "CREATE MACRO/FUNCTION";
    case DUCKDB_STATEMENT_TYPE_DROP:
      return "DROP (only DROP VIEW is allowed)";
    case DUCKDB_STATEMENT_TYPE_EXPORT:
      return "EXPORT DATABASE";
    case DUCKDB_STATEMENT_TYPE_PRAGMA:
      return "PRAGMA";
    case DUCKDB_STATEMENT_TYPE_VACUUM:
      return "VACUUM";
    case DUCKDB_STATEMENT_TYPE_CALL:
      return "CALL";
    case DUCKDB_STATEMENT_TYPE_SET:
      return "SET/RESET";
    case DUCKDB_STATEMENT_TYPE_LOAD:
      return "INSTALL/LOAD";
    case DUCKDB_STATEMENT_TYPE_ATTACH:
      return "ATTACH";
    case DUCKDB_STATEMENT_TYPE_DETACH:
      return "DETACH";
    default:
      return "this statement";
  }
}

Status CheckOneStatement(duckdb_connection conn, const std::string& sql) {
  DuckExtracted ex;
  idx_t count = duckdb_extract_statements(conn, sql.c_str(), ex.out());
  if (count == 0) {
    const char* err = duckdb_extract_statements_error(ex.get());
    return Status::InvalidArgument(err ? err : "cannot parse the query");
  }
  if (count > 1) {
    return Status::InvalidArgument(
        fmt::format("one statement per query, please: this text holds {}", count));
  }
  return Status::OK();
}

Status CheckStartsLikeAQuery(const SqlShape& shape, std::string_view sql) {
  std::string_view leading =
      shape.kind == SqlShape::Kind::kExplain ? std::string_view(shape.body) : sql;
  if ((shape.kind == SqlShape::Kind::kOther || shape.kind == SqlShape::Kind::kExplain) &&
      !StartsLikeAQuery(leading)) {
    return Status::PermissionDenied(
        "only queries that read may run (SELECT, WITH, EXPLAIN, DESCRIBE, SUMMARIZE, SHOW), "
        "plus CREATE VIEW and DROP VIEW: the lake is read-only to SQL");
  }
  return Status::OK();
}

Status CheckNoInternalNames(std::string_view sql) {
  for (const SqlName& name : SqlNames(sql)) {
    std::string lowered = AsciiLowered(name.text);
    for (std::string_view internal : {"gl_tail", "gamelake_tail"}) {
      if (lowered.find(internal) != std::string::npos) {
        return Status::PermissionDenied(fmt::format(
            "{}: \"{}\" is internal to gamelake and cannot be named in SQL; read a stream's "
            "table (its undelivered records included) by the stream's name",
            SqlPosition(sql, name.offset), internal));
      }
    }
    if (!name.call) continue;
    std::string function = AsciiLowered(name.identifier);
    if (function == "query" || function == "query_table") {
      return Status::PermissionDenied(fmt::format(
          "{}: {}() is not available: it reads SQL or a table name from a string, which the "
          "sandbox cannot check before it runs; write the query or name the table directly",
          SqlPosition(sql, name.offset), function));
    }
  }
  return Status::OK();
}

Status CheckReadOnly(duckdb_connection conn, duckdb_prepared_statement prepared,
                     const SqlShape& shape) {
  duckdb_statement_type type = duckdb_prepared_statement_type(prepared);
  if (type == DUCKDB_STATEMENT_TYPE_EXPLAIN) {
    // The statement under an EXPLAIN must itself only read.
    DuckPrepared inner;
    if (duckdb_prepare(conn, shape.body.c_str(), inner.out()) != DuckDBSuccess) {
      return FromPrepareError(duckdb_prepare_error(inner.get()));
    }
    duckdb_statement_type t = duckdb_prepared_statement_type(inner.get());
    if (t != DUCKDB_STATEMENT_TYPE_SELECT) {
      return Status::PermissionDenied(
          fmt::format("EXPLAIN of {} is not allowed: only queries that read can be explained",
                      StatementTypeName(t)));
    }
    return Status::OK();
  }
  if (type != DUCKDB_STATEMENT_TYPE_SELECT) {
    return Status::PermissionDenied(
        fmt::format("{} is not allowed: queries read the lake and change nothing but saved views "
                    "(SELECT, WITH, EXPLAIN, DESCRIBE, SUMMARIZE, CREATE VIEW, DROP VIEW)",
                    StatementTypeName(type)));
  }
  return Status::OK();
}

}  // namespace gamelake

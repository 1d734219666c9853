#include "sql/duck_handles.h"

namespace gamelake {

std::string TakeDuckString(const char* s) {
  if (s == nullptr) return std::string();
  std::string out(s);
  duckdb_free(const_cast<char*>(s));
  return out;
}

Status FromDuckError(duckdb_error_type type, std::string_view message) {
  switch (type) {
    case DUCKDB_ERROR_PERMISSION:
      return Status::PermissionDenied(message);
    case DUCKDB_ERROR_OUT_OF_MEMORY:
      return Status::ResourceExhausted(message);
    case DUCKDB_ERROR_IO:
      return Status::IOError(message);
    case DUCKDB_ERROR_INTERNAL:
    case DUCKDB_ERROR_FATAL:
      return Status::Internal(message);
    case DUCKDB_ERROR_INTERRUPT:
      return Status::Cancelled(message);
    default:
      return Status::InvalidArgument(message);
  }
}

Status FromPrepareError(std::string_view message) {
  if (message.starts_with("Permission Error")) return Status::PermissionDenied(message);
  if (message.starts_with("Out of Memory Error")) return Status::ResourceExhausted(message);
  if (message.starts_with("IO Error")) return Status::IOError(message);
  return Status::InvalidArgument(message);
}

Status ExecOn(duckdb_connection conn, const std::string& sql) {
  DuckResult r;
  if (duckdb_query(conn, sql.c_str(), r.get()) != DuckDBSuccess) {
    const char* error = duckdb_result_error(r.get());
    return FromDuckError(duckdb_result_error_type(r.get()), error ? error : "the statement failed");
  }
  return Status::OK();
}

}  // namespace gamelake

// DuckHandles: RAII owners of the C API's handles that the query engine
// holds directly (prepared and extracted statements, streamed results and
// their chunks), and the mapping of DuckDB's errors to Status codes.
//
// Thread-safety: each holder is owned by one thread at a time.
#ifndef GAMELAKE_SQL_DUCK_HANDLES_H_
#define GAMELAKE_SQL_DUCK_HANDLES_H_

#include <duckdb.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace gamelake {

class DuckPrepared {
 public:
  DuckPrepared() = default;
  ~DuckPrepared() {
    if (p_ != nullptr) duckdb_destroy_prepare(&p_);
  }
  DuckPrepared(const DuckPrepared&) = delete;
  DuckPrepared& operator=(const DuckPrepared&) = delete;
  DuckPrepared(DuckPrepared&& other) noexcept : p_(other.p_) { other.p_ = nullptr; }
  DuckPrepared& operator=(DuckPrepared&& other) noexcept {
    if (this != &other) {
      if (p_ != nullptr) duckdb_destroy_prepare(&p_);
      p_ = other.p_;
      other.p_ = nullptr;
    }
    return *this;
  }
  duckdb_prepared_statement* out() { return &p_; }
  duckdb_prepared_statement get() const { return p_; }

 private:
  duckdb_prepared_statement p_ = nullptr;
};

class DuckExtracted {
 public:
  DuckExtracted() = default;
  ~DuckExtracted() {
    if (e_ != nullptr) duckdb_destroy_extracted(&e_);
  }
  DuckExtracted(const DuckExtracted&) = delete;
  DuckExtracted& operator=(const DuckExtracted&) = delete;
  duckdb_extracted_statements* out() { return &e_; }
  duckdb_extracted_statements get() const { return e_; }

 private:
  duckdb_extracted_statements e_ = nullptr;
};

// A result that is always destroyed, whether the statement failed or not.
class DuckResult {
 public:
  DuckResult() = default;
  ~DuckResult() { duckdb_destroy_result(&r_); }
  DuckResult(const DuckResult&) = delete;
  DuckResult& operator=(const DuckResult&) = delete;
  duckdb_result* get() { return &r_; }

 private:
  duckdb_result r_{};
};

class DuckChunk {
 public:
  explicit DuckChunk(duckdb_data_chunk c) : c_(c) {}
  ~DuckChunk() {
    if (c_ != nullptr) duckdb_destroy_data_chunk(&c_);
  }
  DuckChunk(const DuckChunk&) = delete;
  DuckChunk& operator=(const DuckChunk&) = delete;
  duckdb_data_chunk get() const { return c_; }

 private:
  duckdb_data_chunk c_ = nullptr;
};

// Copies a string DuckDB allocated for the caller and frees it with
// duckdb_free (nullptr gives ""). Several C API getters hand over ownership
// without saying so in their names, duckdb_prepared_statement_column_name
// among them (a result's duckdb_column_name, by contrast, stays the result's).
std::string TakeDuckString(const char* s);

// The error of a failed statement as a Status a caller can act on:
// PermissionDenied, ResourceExhausted (memory), IOError, Internal, or
// InvalidArgument (syntax, binding, conversion...).
Status FromDuckError(duckdb_error_type type, std::string_view message);
// The same for the message of a failed prepare (which has no error type).
Status FromPrepareError(std::string_view message);
// Runs one statement on conn, discarding its result.
Status ExecOn(duckdb_connection conn, const std::string& sql);

}  // namespace gamelake

#endif  // GAMELAKE_SQL_DUCK_HANDLES_H_

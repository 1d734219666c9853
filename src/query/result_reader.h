// ResultReader: hands a query's rows from DuckDB to a ResultSink. Columns
// DuckDB can give natively (booleans, integers, floats, text) are read
// straight from its vectors; the others (DECIMAL, HUGEINT, nested types,
// dates and times...) are rendered by DuckDB itself as exact text or JSON,
// through a SELECT wrapped around the statement.
//
// Thread-safety: one reader per query, used by one thread.
#ifndef GAMELAKE_QUERY_RESULT_READER_H_
#define GAMELAKE_QUERY_RESULT_READER_H_

#include <duckdb.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "query/result_sink.h"
#include "sql/duck_handles.h"

namespace gamelake {

class ResultReader {
 public:
  // How a result column is carried to the sink.
  enum class Carry {
    kBool,
    kInt8,
    kInt16,
    kInt32,
    kInt64,
    kUInt8,
    kUInt16,
    kUInt32,
    kUInt64,
    kFloat,
    kDouble,
    kVarchar,
    kNumberText,  // From here on DuckDB renders the value as text.
    kJsonText,
    kText
  };

  // Describes `prepared`'s columns; for a SELECT (`select`) with columns that
  // need rendering, prepares the wrapping statement over `sql` on conn.
  static Result<std::unique_ptr<ResultReader>> Prepare(duckdb_connection conn,
                                                       duckdb_prepared_statement prepared,
                                                       std::string_view sql, bool select);

  // The statement to execute: the wrapper, or the original.
  duckdb_prepared_statement statement() const { return run_; }
  const std::vector<ResultColumn>& columns() const { return columns_; }

  // Calls sink->Begin, then AddRow for every row of the executed (streaming)
  // result; counts them in *rows. A sink error is returned as it is (the
  // caller interrupts the query); DuckDB's own error is left in `result`.
  Status Read(duckdb_result* result, ResultSink* sink, uint64_t* rows);

 private:
  ResultReader() = default;

  std::vector<ResultColumn> columns_;
  std::vector<Carry> carry_;
  DuckPrepared wrapped_;
  duckdb_prepared_statement run_ = nullptr;
};

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_RESULT_READER_H_

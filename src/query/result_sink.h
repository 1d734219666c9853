// ResultSink: where a query's rows go, one row at a time, as they are
// produced, so a large result never has to fit in memory. The writers turn
// rows into the formats users ask for: JSON (the /v1/query document), CSV
// (RFC 4180, with a header line) and an aligned text table (the CLI).
//
// A writer emits bytes through an Output callback in pieces of about
// flush_bytes; the callback returns false when the reader has gone away, and
// the writer then fails with Cancelled so the query stops.
//
// Thread-safety: a sink is used by one query on one thread.
#ifndef GAMELAKE_QUERY_RESULT_SINK_H_
#define GAMELAKE_QUERY_RESULT_SINK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gamelake {

struct ResultColumn {
  std::string name;
  std::string type;  // DuckDB's name for it: "BIGINT", "VARCHAR", "STRUCT(...)".
};

// One value. text is valid only during the AddRow call.
struct Cell {
  enum class Kind {
    kNull,
    kBool,
    kInt,
    kUInt,
    kDouble,
    kNumberText,  // An exact number as text (DECIMAL, HUGEINT).
    kString,
    kJson,  // JSON text (nested values, JSON columns).
  };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string_view text;
};

struct QueryStats {
  uint64_t query_id = 0;
  uint64_t row_count = 0;
  double elapsed_ms = 0;
  uint64_t bytes_scanned = 0;  // Bytes read from lake files.
};

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual Status Begin(const std::vector<ResultColumn>& columns) = 0;
  virtual Status AddRow(std::span<const Cell> row) = 0;
  // After the last row, with the final figures.
  virtual Status Finish(const QueryStats& stats) = 0;
  // The query failed after Begin(): say so in-band if the format can.
  virtual void Abort(const Status& error) = 0;
};

using Output = std::function<bool(std::string_view bytes)>;

enum class ResultFormat { kJson, kCsv, kTable };

// JSON: {"columns":[{"name","type"}],"rows":[[...]],"row_count":N,
// "elapsed_ms":T,"bytes_scanned":B,"query_id":Q}; after an error mid-stream
// the object ends with "error":{...} instead of the figures.
// CSV: a header line, then one line per row; NULL is an empty field.
// Table: aligned columns, at most max_rows rows shown, then "(N rows)".
std::unique_ptr<ResultSink> NewResultWriter(ResultFormat format, Output output,
                                            size_t flush_bytes = 64 * 1024,
                                            uint64_t max_table_rows = 1000);

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_RESULT_SINK_H_

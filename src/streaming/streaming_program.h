// StreamingProgram: a KDA application's code, compiled — its in-application
// streams, its pumps as chains of operators, and the input stream
// SOURCE_SQL_STREAM_001 — ready to be pushed input rows.
//
// Compile() binds the parsed program against the input schema: unknown
// streams, columns and functions, type errors, a pump into a stream it reads
// (a cycle), a streaming GROUP BY without a monotonic key (STEP/FLOOR of
// ROWTIME), windows longer than ProgramOptions allow, and the KDA features
// gamelake does not run (RANDOM_CUT_FOREST, HOTSPOTS) are refused with
// InvalidArgument "line:column: message" (the offending token quoted).
//
// Push() runs one input row through every pump, in order; rows that pumps
// insert into in-application streams feed the pumps that read those streams.
// Every row an in-application stream receives is reported to the Sink, as is
// every row of the error stream.
//
// Thread-safety: one thread at a time (the application's runner).
#ifndef GAMELAKE_STREAMING_STREAMING_PROGRAM_H_
#define GAMELAKE_STREAMING_STREAMING_PROGRAM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "streaming/reference_table.h"
#include "streaming/sql_value.h"

namespace gamelake {

inline constexpr char kSourceStreamName[] = "SOURCE_SQL_STREAM_001";
inline constexpr char kErrorStreamName[] = "error_stream";

struct ProgramOptions {
  // Longest window (RANGE, STEP, stagger, join) accepted, in ms.
  int64_t max_window_ms = 7LL * 24 * 3600 * 1000;
  // Most rows a ROWS n PRECEDING window may name.
  int64_t max_window_rows = 1'000'000;
  // Bound on the state of all operators; past it Push fails with
  // ResourceExhausted and the application stops (never unbounded memory).
  size_t max_state_bytes = 1ull << 30;
  // Windows on an event-time column (GROUP BY STEP("event_time" BY ...)):
  // how far behind the newest event time a row may be before it is late
  // (late rows go to the error stream).
  int64_t allowed_lateness_ms = 0;
  // The application's reference data: tables a query may JOIN a stream to
  // by name (FROM s JOIN "Companies" AS c ON ...).
  std::vector<std::shared_ptr<const ReferenceTable>> reference_tables;
};

// A row of the error stream (KDA's error_stream columns).
struct ErrorRow {
  int64_t error_time_ms = 0;    // ERROR_TIME: the ROWTIME of the failing row.
  std::string error_level;      // ERROR_LEVEL: "ERROR".
  std::string error_name;       // ERROR_NAME: e.g. "EVALUATION_ERROR", "LATE_ROW".
  std::string message;          // MESSAGE: what failed and where (line:column).
  int64_t data_rowtime_ms = 0;  // DATA_ROWTIME.
  std::string data_row;         // DATA_ROW: the row as JSON.
  std::string pump_name;        // PUMP_NAME ("" for input conversion errors).
};

struct InAppStream {
  std::string name;  // As stored (quoted names keep their case).
  StreamSchema schema;
};

class StreamingProgram {
 public:
  class Sink {
   public:
    virtual ~Sink() = default;
    // `stream` indexes streams().
    virtual void OnRow(int stream, const StreamRow& row) = 0;
    virtual void OnError(const ErrorRow& error) = 0;
  };

  static Result<std::unique_ptr<StreamingProgram>> Compile(std::string_view sql,
                                                           const StreamSchema& input,
                                                           const ProgramOptions& options);
  virtual ~StreamingProgram() = default;

  // The in-application streams the code creates, in the order it creates them.
  virtual const std::vector<InAppStream>& streams() const = 0;
  // The index in streams() of the stream named exactly `name`, or -1.
  virtual int FindStream(std::string_view name) const = 0;

  // One row of SOURCE_SQL_STREAM_001 (values in input schema order).
  virtual Status Push(const StreamRow& row, Sink* sink) = 0;
  // No input row will come with a ROWTIME below `rowtime_ms`.
  virtual Status AdvanceTime(int64_t rowtime_ms, Sink* sink) = 0;

  virtual std::string SaveState() const = 0;
  virtual Status LoadState(std::string_view state) = 0;
  virtual size_t StateBytes() const = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_STREAMING_PROGRAM_H_

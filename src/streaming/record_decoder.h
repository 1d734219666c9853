// RecordDecoder: turns a source record (a JSON object from the log or the
// lake) into a row of SOURCE_SQL_STREAM_001, the way KDA mapped JSON to its
// input schema: each input column reads one top-level key (its mapping; the
// discovered key, or a user's override), converted to the column's SQL type
// by KDA's JSON-to-SQL rules. A record that does not conform (not an object,
// a value that cannot be converted) is an error with what and which column —
// the runner sends it to the error stream; it never stops the application.
//
// ROWTIME is the record's ingest time, or, with a rowtime field, that field's
// value (ISO-8601 text or epoch milliseconds); a record without a usable
// rowtime field is an error.
//
// Thread-safety: one thread at a time (it keeps a parser and scratch buffers).
#ifndef GAMELAKE_STREAMING_RECORD_DECODER_H_
#define GAMELAKE_STREAMING_RECORD_DECODER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "streaming/sql_value.h"

namespace gamelake {

// One input column: its name and type in SQL, and the JSON key it reads.
struct InputColumn {
  std::string name;     // As KDA named it ("COL_TimePlayed").
  SqlType type;         // Declared SQL type.
  std::string mapping;  // The top-level JSON key ("Time Played").
};

struct InputSchema {
  std::vector<InputColumn> columns;
  StreamSchema ToStreamSchema() const;
};

class RecordDecoder {
 public:
  // rowtime_field: "" for ingest time.
  static Result<std::unique_ptr<RecordDecoder>> Create(const InputSchema& schema,
                                                       std::string rowtime_field);
  virtual ~RecordDecoder() = default;
  // Decodes `json` into *row (values in schema order). Errors: InvalidArgument
  // naming the column and the value's problem.
  virtual Status Decode(std::string_view json, int64_t ingest_time_us, StreamRow* row) = 0;
};

// Discovers an input schema from sample records (JSON objects), as KDA's
// "Discover schema" did: one column per top-level key seen, in order of first
// appearance, named by KdaColumnName (schema_discovery.h), typed by
// InferSqlType over the key's sampled values. Nested objects and arrays map
// to VARCHAR holding their JSON text. Records that are not JSON objects are
// skipped; no usable record is NotFound.
Result<InputSchema> DiscoverInputSchema(const std::vector<std::string>& records);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_RECORD_DECODER_H_

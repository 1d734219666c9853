// RecordDecoder: turns a source record (a JSON object from the log or the
// lake) into a row of SOURCE_SQL_STREAM_001, the way KDA mapped JSON to its
// input schema: each input column reads one top-level key (its mapping; the
// discovered key, or a user's override), converted to the column's SQL type
// by KDA's JSON-to-SQL rules (the developer guide's "Mapping JSON Data Types
// to SQL Data Types"): null and a missing key are NULL; true/false are 1/0 in
// numeric columns; numbers convert directly into numeric columns and fail
// when they do not fit (123.4 or 5.0 into INTEGER, 300 into TINYINT, more
// fraction digits than a DECIMAL's scale); strings holding numbers convert
// into numeric columns; character columns take a value's text (numbers as
// written, objects and arrays as their JSON), cut to the declared length
// without error (CHAR(n) is space-padded); BOOLEAN takes true/false, 0 (false)
// or any other number (true), "true" in any case (else false); TIMESTAMP and
// DATE take "YYYY-MM-DD[ HH:MM:SS[.fff]]" text (T for the space and a zone
// suffix accepted, converted to UTC) and, beyond KDA, TIMESTAMP also integer
// epoch milliseconds; TIME takes "HH:MM:SS[.fff]"; BINARY/VARBINARY take
// X'3F6A' text (true/false set/clear the lowest bit). A record that does not
// conform (not an object, a value that cannot be converted) is an error with
// what and which column — the runner sends it to the error stream; it never
// stops the application.
//
// ROWTIME is the record's ingest time, or, with a rowtime field, that field's
// value (ISO-8601 text, with or without a zone, or integer epoch
// milliseconds); a record without a usable rowtime field is an error.
//
// Input schemas are stored and exchanged as JSON (the app definition, the
// HTTP API): {"columns":[{"name":"COL_TimePlayed","sqlType":"INTEGER",
// "mapping":"Time Played"}]}. KDA's own spelling is read too ("RecordColumns",
// "Name", "SqlType", "Mapping"), and a mapping may be KDA's JSONPath of a
// top-level key ("$.Wins", "$['Time Played']").
//
// Thread-safety: a decoder is used by one thread at a time (it keeps a parser
// and scratch buffers); the free functions are pure.
#ifndef GAMELAKE_STREAMING_RECORD_DECODER_H_
#define GAMELAKE_STREAMING_RECORD_DECODER_H_

#include <cstddef>
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

inline constexpr size_t kMaxInputColumns = 1000;  // KDA's RecordColumns limit.

// Names non-empty, unique (exactly: quoted names are case-sensitive) and at
// most 256 bytes; mappings non-empty; 1 to kMaxInputColumns columns.
// InvalidArgument naming the column otherwise.
Status ValidateInputSchema(const InputSchema& schema);

std::string InputSchemaToJson(const InputSchema& schema);
// Errors name the column and the field: "columns[2] (\"Wins\"): sqlType: ...".
Result<InputSchema> InputSchemaFromJson(std::string_view json);

class RecordDecoder {
 public:
  // rowtime_field: "" for ingest time. InvalidArgument for a bad schema.
  static Result<std::unique_ptr<RecordDecoder>> Create(const InputSchema& schema,
                                                       std::string rowtime_field);
  virtual ~RecordDecoder() = default;
  // Decodes `json` into *row (values in schema order). Errors: InvalidArgument
  // naming the column and the value's problem. Reuse one row across calls:
  // its values (and their string buffers) are overwritten, not reallocated.
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

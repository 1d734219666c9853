// ReferenceTable: a small static table an application joins its streams to —
// KDA's reference data source ("Add reference data": a CSV object in S3,
// joined as `FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" AS c ON
// ...`). gamelake's comes from a CSV document given with the application
// (`--reference NAME=FILE.csv`), kept in its definition.
//
// CSV as RFC 4180 says: the first record is the header (the column names,
// kept as written: quote them in SQL when they are not upper case), fields
// separated by ',', a field in double quotes may hold ',', '"' (doubled) and
// line breaks; CRLF or LF line ends. An empty field is NULL. Column types are
// inferred from the values as KDA's schema discovery does (all integers:
// INTEGER or BIGINT; numbers: DOUBLE; ISO timestamps: TIMESTAMP; dates: DATE;
// TRUE/FALSE: BOOLEAN; else VARCHAR(n)).
//
// Errors say where ("line 3, column 7: ..."): an unterminated quote, a
// record with another number of fields than the header, an empty or
// duplicate column name, more than kMaxReferenceColumns columns, a document
// over kMaxReferenceBytes.
//
// Thread-safety: a table is immutable once parsed; share it freely.
#ifndef GAMELAKE_STREAMING_REFERENCE_TABLE_H_
#define GAMELAKE_STREAMING_REFERENCE_TABLE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "streaming/sql_value.h"

namespace gamelake {

inline constexpr size_t kMaxReferenceBytes = 16u << 20;  // Per table, as CSV text.
inline constexpr size_t kMaxReferenceColumns = 1000;
inline constexpr size_t kMaxReferenceTables = 16;  // Per application.

struct ReferenceTable {
  std::string name;  // As SQL names it: "COMPANIES" unquoted, "Companies" quoted.
  StreamSchema schema;
  std::vector<StreamRow> rows;  // ROWTIME unused (0).
};

// Parses `csv` into the table `name`.
Result<ReferenceTable> ParseReferenceCsv(std::string name, std::string_view csv);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_REFERENCE_TABLE_H_

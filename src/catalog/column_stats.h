// ColumnStats helpers: reading a column's min/max from a Parquet footer (as
// DuckDB's parquet_metadata() renders them) into StatValues, and ordering
// StatValues, so the query planner can skip files without opening them.
//
// Only types whose order a StatValue reproduces exactly get statistics:
// signed and unsigned integers (up to BIGINT's range), DOUBLE and FLOAT,
// TIMESTAMP and DATE (as microseconds), VARCHAR (bytes, as DuckDB compares
// them). Other types (DECIMAL, nested, JSON, BLOB, time zones) get none.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_CATALOG_COLUMN_STATS_H_
#define GAMELAKE_CATALOG_COLUMN_STATS_H_

#include <optional>
#include <string_view>

#include "catalog/catalog.h"

namespace gamelake {

// The kind of StatValue a column of `type` gets, kNone for none.
StatValue::Kind StatKindFor(const DuckType& type);

// A footer value of a column of `type` ("42", "1.5", "2026-11-26 10:00:00.5",
// "2026-11-26", text); kNone when it cannot be read exactly.
StatValue ParseFooterStat(const DuckType& type, std::string_view text);

// The order of two known values of one column: negative, zero or positive.
// Numbers compare exactly across kInt and kDouble; text by unsigned bytes.
// nullopt when they cannot be compared (text with a number, or unknown).
std::optional<int> CompareStats(const StatValue& a, const StatValue& b);

}  // namespace gamelake

#endif  // GAMELAKE_CATALOG_COLUMN_STATS_H_

// Schema discovery as Kinesis Data Analytics (KDA) does it: the column name a
// JSON key gets in the input stream, and the SQL type of a column inferred from
// sample values.
//
// Naming (KDA's documented rule): a key keeps its name unless it
//   - is an SQL reserved word (sql_reserved_words.h, any case),
//   - holds a character other than an ASCII letter, digit or '_',
//   - starts with a digit,
//   - is empty or longer than kMaxKdaColumnName (100) characters;
// then the name is "COL_" + the key with every character other than an ASCII
// letter, digit or '_' dropped (case kept), cut to 100 characters in all.
// So "Time Played" -> "COL_TimePlayed", "select" -> "COL_select", "1st" ->
// "COL_1st", "a-b" -> "COL_ab".
//
// De-duplication (KdaColumnNames): names compare exactly (quoted identifiers
// are case-sensitive); the first keeps its name, a later one takes the first
// free "<name>_2", "<name>_3", ... with <name> cut so the result stays within
// 100 characters.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_STREAMING_SCHEMA_DISCOVERY_H_
#define GAMELAKE_STREAMING_SCHEMA_DISCOVERY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "streaming/sql_ast.h"

namespace gamelake {

inline constexpr size_t kMaxKdaColumnName = 100;

std::string KdaColumnName(std::string_view key);

// The column names of `keys`, in order, renamed and made unique.
std::vector<std::string> KdaColumnNames(const std::vector<std::string>& keys);

// One sample value of a JSON key: null, boolean, integer, other number, string.
using JsonSample = std::variant<std::monostate, bool, int64_t, double, std::string>;

// The column type for a key's samples (nulls ignored):
//   all booleans -> BOOLEAN;
//   all integers -> INTEGER when every one fits 32 bits, else BIGINT;
//   numbers, at least one not an integer -> DOUBLE;
//   all strings in ISO-8601 date-time form (2018-08-01T20:17:20.797945,
//     2009-02-09 12:00:00, optional fraction and Z or +hh:mm) -> TIMESTAMP;
//   all strings as ISO-8601 dates (2018-08-01) -> DATE;
//   anything else -> VARCHAR(n), n the longest sample's length in characters
//     (numbers and booleans counted as JSON text), at least 1.
SqlType InferSqlType(const std::vector<JsonSample>& samples);

// True for the ISO-8601 date-time forms InferSqlType reads as TIMESTAMP.
bool IsIsoTimestamp(std::string_view s);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SCHEMA_DISCOVERY_H_

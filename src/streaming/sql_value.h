// Values, rows and schemas of the streaming SQL engine: what flows between the
// operators of a Kinesis Data Analytics (KDA) application.
//
// A SqlValue is one nullable scalar. Every SQL type maps to one of a few value
// types: the integer types (TINYINT..BIGINT) are kInteger (int64; the declared
// type bounds what a CAST or an INSERT INTO a stream column accepts), DOUBLE/
// REAL/FLOAT are kDouble, DECIMAL/NUMERIC are kDecimal (held as a double, kept
// apart so arithmetic and output follow their scale), CHAR/VARCHAR are
// kString, BINARY/VARBINARY kBinary, TIMESTAMP is milliseconds since the epoch
// (UTC, KDA's precision), DATE days since the epoch, TIME milliseconds since
// midnight, day-time intervals milliseconds, year-month intervals months.
//
// Thread-safety: plain values.
#ifndef GAMELAKE_STREAMING_SQL_VALUE_H_
#define GAMELAKE_STREAMING_SQL_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "streaming/sql_ast.h"

namespace gamelake {

enum class ValueType : uint8_t {
  kNull,  // The type of a bare NULL literal only; a typed NULL has its column's type.
  kBoolean,
  kInteger,
  kDouble,
  kDecimal,
  kString,
  kBinary,
  kTimestamp,
  kDate,
  kTime,
  kIntervalDayTime,
  kIntervalYearMonth,
};

const char* ValueTypeName(ValueType type);

// The value type a declared SQL type holds.
ValueType ValueTypeOf(const SqlType& type);

struct SqlValue {
  ValueType type = ValueType::kNull;
  bool is_null = true;
  int64_t i = 0;  // kBoolean (0/1), kInteger, kTimestamp, kDate, kTime, intervals.
  double d = 0;   // kDouble, kDecimal.
  std::string s;  // kString, kBinary.

  static SqlValue Null(ValueType type = ValueType::kNull) {
    SqlValue v;
    v.type = type;
    return v;
  }
  static SqlValue Boolean(bool b) { return Make(ValueType::kBoolean, b ? 1 : 0); }
  static SqlValue Integer(int64_t x) { return Make(ValueType::kInteger, x); }
  static SqlValue Double(double x) {
    SqlValue v = Make(ValueType::kDouble, 0);
    v.d = x;
    return v;
  }
  static SqlValue Decimal(double x) {
    SqlValue v = Make(ValueType::kDecimal, 0);
    v.d = x;
    return v;
  }
  static SqlValue String(std::string x) {
    SqlValue v = Make(ValueType::kString, 0);
    v.s = std::move(x);
    return v;
  }
  static SqlValue Timestamp(int64_t ms) { return Make(ValueType::kTimestamp, ms); }
  static SqlValue Make(ValueType type, int64_t x) {
    SqlValue v;
    v.type = type;
    v.is_null = false;
    v.i = x;
    return v;
  }

  bool operator==(const SqlValue&) const = default;
};

struct StreamColumn {
  std::string name;  // As stored: case kept (KDA's quoted names).
  SqlType type;
};

struct StreamSchema {
  std::vector<StreamColumn> columns;
  // The index of the column named exactly `name`, or -1.
  int Find(std::string_view name) const;
};

// One row of a stream: its ROWTIME and its column values in schema order.
struct StreamRow {
  int64_t rowtime_ms = 0;
  std::vector<SqlValue> values;
  bool operator==(const StreamRow&) const = default;
};

// Appends `row` as a JSON object keyed by the schema's column names, in
// column order, without ROWTIME (what KDA sends to a destination): integers as
// numbers, doubles in shortest round-trip form (NaN/Infinity as null),
// decimals with their scale, timestamps as "YYYY-MM-DD HH:MM:SS.mmm", dates
// "YYYY-MM-DD", times "HH:MM:SS.mmm", binary as base64, NULL as null.
void AppendRowJson(const StreamSchema& schema, const StreamRow& row, std::string* out);

// "2024-01-02 03:04:05.678" for a timestamp in ms since the epoch (UTC).
std::string FormatTimestampMs(int64_t ms);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SQL_VALUE_H_

#include "streaming/sql_value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/civil_time.h"
#include "common/json_writer.h"

namespace gamelake {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

void AppendShortestDouble(double d, std::string* out) {
  if (!std::isfinite(d)) {
    out->append("null");
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  out->append(buf, r.ptr);
}

void AppendDecimal(double d, int scale, std::string* out) {
  if (!std::isfinite(d)) {
    out->append("null");
    return;
  }
  if (scale < 0) {
    AppendShortestDouble(d, out);
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::fixed, scale);
  out->append(buf, r.ptr);
}

void AppendTimeOfDay(int64_t ms, std::string* out) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%03d", static_cast<int>(ms / 3'600'000),
                static_cast<int>(ms / 60'000 % 60), static_cast<int>(ms / 1000 % 60),
                static_cast<int>(ms % 1000));
  out->append(buf);
}

void AppendDate(int64_t days, std::string* out) {
  CivilTime c = ToCivil(days * kSecondsPerDay * kMicrosPerSecond);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02d", static_cast<long long>(c.year), c.month,
                c.day);
  out->append(buf);
}

void AppendBase64(std::string_view bytes, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int k = 3; k >= 0; --k) out->push_back(kAlphabet[(n >> (6 * k)) & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 0) return;
  uint32_t n = uint8_t(bytes[i]) << 16;
  if (rest == 2) n |= uint8_t(bytes[i + 1]) << 8;
  out->push_back(kAlphabet[(n >> 18) & 63]);
  out->push_back(kAlphabet[(n >> 12) & 63]);
  out->push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
  out->push_back('=');
}

void AppendValueJson(const SqlType& type, const SqlValue& v, std::string* out) {
  if (v.is_null) {
    out->append("null");
    return;
  }
  switch (v.type) {
    case ValueType::kNull:
      out->append("null");
      return;
    case ValueType::kBoolean:
      out->append(v.i != 0 ? "true" : "false");
      return;
    case ValueType::kInteger:
    case ValueType::kIntervalDayTime:
    case ValueType::kIntervalYearMonth:
      out->append(std::to_string(v.i));
      return;
    case ValueType::kDouble:
      AppendShortestDouble(v.d, out);
      return;
    case ValueType::kDecimal:
      AppendDecimal(v.d, type.scale, out);
      return;
    case ValueType::kString:
      AppendJsonString(out, v.s);
      return;
    case ValueType::kBinary:
      out->push_back('"');
      AppendBase64(v.s, out);
      out->push_back('"');
      return;
    case ValueType::kTimestamp:
      out->push_back('"');
      out->append(FormatTimestampMs(v.i));
      out->push_back('"');
      return;
    case ValueType::kDate:
      out->push_back('"');
      AppendDate(v.i, out);
      out->push_back('"');
      return;
    case ValueType::kTime:
      out->push_back('"');
      AppendTimeOfDay(v.i, out);
      out->push_back('"');
      return;
  }
}

}  // namespace

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kBoolean:
      return "BOOLEAN";
    case ValueType::kInteger:
      return "INTEGER";
    case ValueType::kDouble:
      return "DOUBLE";
    case ValueType::kDecimal:
      return "DECIMAL";
    case ValueType::kString:
      return "VARCHAR";
    case ValueType::kBinary:
      return "VARBINARY";
    case ValueType::kTimestamp:
      return "TIMESTAMP";
    case ValueType::kDate:
      return "DATE";
    case ValueType::kTime:
      return "TIME";
    case ValueType::kIntervalDayTime:
      return "INTERVAL DAY TO SECOND";
    case ValueType::kIntervalYearMonth:
      return "INTERVAL YEAR TO MONTH";
  }
  return "?";
}

ValueType ValueTypeOf(const SqlType& type) {
  using K = SqlType::Kind;
  switch (type.kind) {
    case K::kInteger:
    case K::kBigint:
    case K::kSmallint:
    case K::kTinyint:
      return ValueType::kInteger;
    case K::kDouble:
    case K::kReal:
    case K::kFloat:
      return ValueType::kDouble;
    case K::kDecimal:
    case K::kNumeric:
      return ValueType::kDecimal;
    case K::kVarchar:
    case K::kChar:
      return ValueType::kString;
    case K::kVarbinary:
    case K::kBinary:
      return ValueType::kBinary;
    case K::kBoolean:
      return ValueType::kBoolean;
    case K::kTimestamp:
      return ValueType::kTimestamp;
    case K::kDate:
      return ValueType::kDate;
    case K::kTime:
      return ValueType::kTime;
  }
  return ValueType::kNull;
}

int StreamSchema::Find(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string FormatTimestampMs(int64_t ms) {
  int64_t days = FloorDiv(ms, kMsPerDay);
  int64_t in_day = ms - days * kMsPerDay;
  std::string out;
  AppendDate(days, &out);
  out.push_back(' ');
  AppendTimeOfDay(in_day, &out);
  return out;
}

void AppendRowJson(const StreamSchema& schema, const StreamRow& row, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < schema.columns.size() && i < row.values.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, schema.columns[i].name);
    out->push_back(':');
    AppendValueJson(schema.columns[i].type, row.values[i], out);
  }
  out->push_back('}');
}

}  // namespace gamelake

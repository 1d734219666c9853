#include "catalog/column_stats.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "common/civil_time.h"

namespace gamelake {
namespace {

bool IsIntegerType(std::string_view name) {
  return name == "BIGINT" || name == "INTEGER" || name == "SMALLINT" || name == "TINYINT" ||
         name == "UBIGINT" || name == "UINTEGER" || name == "USMALLINT" || name == "UTINYINT";
}

}  // namespace

StatValue::Kind StatKindFor(const DuckType& type) {
  if (type.kind != DuckType::Kind::kScalar) return StatValue::Kind::kNone;
  const std::string& n = type.name;
  if (IsIntegerType(n) || n == "TIMESTAMP" || n == "DATE") return StatValue::Kind::kInt;
  if (n == "DOUBLE" || n == "FLOAT") return StatValue::Kind::kDouble;
  if (n == "VARCHAR") return StatValue::Kind::kText;
  return StatValue::Kind::kNone;
}

StatValue ParseFooterStat(const DuckType& type, std::string_view text) {
  const std::string& n = type.name;
  switch (StatKindFor(type)) {
    case StatValue::Kind::kNone:
      return {};
    case StatValue::Kind::kText:
      return StatValue::Text(std::string(text));
    case StatValue::Kind::kDouble: {
      std::string copy(text);
      char* end = nullptr;
      double d = std::strtod(copy.c_str(), &end);
      if (end != copy.c_str() + copy.size() || std::isnan(d)) return {};
      return StatValue::Double(d);
    }
    case StatValue::Kind::kInt:
      break;
  }
  if (n == "TIMESTAMP" || n == "DATE") {
    // DuckDB renders "2026-11-26 10:00:00[.ffffff]" and "2026-11-26".
    if (text.empty() || text.find_first_of("+Zz") != std::string_view::npos) return {};
    Result<int64_t> us = ParseTime(text);
    if (!us.ok()) return {};
    return StatValue::Int(*us);
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return {};
  return StatValue::Int(v);
}

std::optional<int> CompareStats(const StatValue& a, const StatValue& b) {
  using K = StatValue::Kind;
  if (!a.known() || !b.known()) return std::nullopt;
  if (a.kind == K::kText || b.kind == K::kText) {
    if (a.kind != b.kind) return std::nullopt;
    int c = a.s.compare(b.s);  // std::string compares as unsigned char.
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.kind == K::kInt && b.kind == K::kInt) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  // long double holds every int64 exactly (x86-64: 64-bit mantissa).
  long double x = a.kind == K::kInt ? static_cast<long double>(a.i) : a.d;
  long double y = b.kind == K::kInt ? static_cast<long double>(b.i) : b.d;
  return x < y ? -1 : (x > y ? 1 : 0);
}

}  // namespace gamelake

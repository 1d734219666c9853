#include "streaming/value_ops.h"

#include <cmath>
#include <functional>
#include <string_view>

namespace gamelake {
namespace {

int Sign(int64_t a, int64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }

int CompareDoubles(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) - std::isnan(b);  // NaN last.
  return a < b ? -1 : (a > b ? 1 : 0);
}

// An int64 against a double, exactly: doubles beyond int64's range, or with a
// fraction, decide by themselves.
int CompareIntDouble(int64_t a, double b) {
  if (std::isnan(b)) return -1;
  if (b >= 9223372036854775808.0) return -1;
  if (b < -9223372036854775808.0) return 1;
  double fb = std::floor(b);
  int64_t ib = static_cast<int64_t>(fb);
  if (a != ib) return Sign(a, ib);
  return fb < b ? -1 : 0;
}

int CompareNumbers(const SqlValue& a, const SqlValue& b) {
  bool ai = a.type == ValueType::kInteger;
  bool bi = b.type == ValueType::kInteger;
  if (ai && bi) return Sign(a.i, b.i);
  if (ai) return CompareIntDouble(a.i, b.d);
  if (bi) return -CompareIntDouble(b.i, a.d);
  return CompareDoubles(a.d, b.d);
}

}  // namespace

bool IsNumeric(ValueType type) {
  return type == ValueType::kInteger || type == ValueType::kDouble || type == ValueType::kDecimal;
}

int CompareValues(const SqlValue& a, const SqlValue& b) {
  if (a.is_null || b.is_null) return static_cast<int>(b.is_null) - static_cast<int>(a.is_null);
  if (IsNumeric(a.type) && IsNumeric(b.type)) return CompareNumbers(a, b);
  if (a.type != b.type) return Sign(static_cast<int>(a.type), static_cast<int>(b.type));
  switch (a.type) {
    case ValueType::kDouble:
    case ValueType::kDecimal:
      return CompareDoubles(a.d, b.d);
    case ValueType::kString:
    case ValueType::kBinary: {
      int c = std::string_view(a.s).compare(b.s);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return Sign(a.i, b.i);
  }
}

bool AnyNull(const std::vector<SqlValue>& values) {
  for (const SqlValue& v : values) {
    if (v.is_null) return true;
  }
  return false;
}

size_t HashValue(const SqlValue& v) {
  if (v.is_null) return 0x9e3779b97f4a7c15ull;
  switch (v.type) {
    case ValueType::kInteger:
      return std::hash<double>()(static_cast<double>(v.i));
    case ValueType::kDouble:
    case ValueType::kDecimal:
      // Integral doubles hash like the integer they equal.
      return std::hash<double>()(v.d == 0 ? 0.0 : v.d);
    case ValueType::kString:
    case ValueType::kBinary:
      return std::hash<std::string_view>()(v.s) ^ static_cast<size_t>(v.type);
    default:
      return std::hash<int64_t>()(v.i) * 31 + static_cast<size_t>(v.type);
  }
}

size_t ValueVectorHash::operator()(const std::vector<SqlValue>& key) const {
  size_t h = key.size();
  for (const SqlValue& v : key) h = h * 1000003u ^ HashValue(v);
  return h;
}

bool ValueVectorEq::operator()(const std::vector<SqlValue>& a,
                               const std::vector<SqlValue>& b) const {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (CompareValues(a[i], b[i]) != 0) return false;
  }
  return true;
}

}  // namespace gamelake

// WidenType: the common type of a column whose files disagree (see catalog.h).
#include <algorithm>
#include <string>

#include "catalog/catalog.h"
#include "common/ascii.h"
#include "lake/lake_layout.h"

namespace gamelake {

namespace {

DuckType Scalar(std::string name) {
  DuckType t;
  t.name = std::move(name);
  return t;
}

// Integer types by width in bits and signedness; bits 0 = not an integer.
struct IntInfo {
  int bits = 0;
  bool is_signed = true;
};

IntInfo IntegerInfo(const DuckType& t) {
  if (t.kind != DuckType::Kind::kScalar) return {};
  const std::string& n = t.name;
  if (n == "TINYINT") return {8, true};
  if (n == "SMALLINT") return {16, true};
  if (n == "INTEGER") return {32, true};
  if (n == "BIGINT") return {64, true};
  if (n == "HUGEINT") return {128, true};
  if (n == "UTINYINT") return {8, false};
  if (n == "USMALLINT") return {16, false};
  if (n == "UINTEGER") return {32, false};
  if (n == "UBIGINT") return {64, false};
  if (n == "UHUGEINT") return {128, false};
  return {};
}

std::string IntegerName(int bits, bool is_signed) {
  switch (bits) {
    case 8:
      return is_signed ? "TINYINT" : "UTINYINT";
    case 16:
      return is_signed ? "SMALLINT" : "USMALLINT";
    case 32:
      return is_signed ? "INTEGER" : "UINTEGER";
    case 64:
      return is_signed ? "BIGINT" : "UBIGINT";
    default:
      return is_signed ? "HUGEINT" : "UHUGEINT";
  }
}

bool IsNumeric(const DuckType& t) {
  if (t.kind != DuckType::Kind::kScalar) return false;
  if (IntegerInfo(t).bits > 0) return true;
  return t.name == "FLOAT" || t.name == "DOUBLE" || t.name.rfind("DECIMAL", 0) == 0;
}

bool IsDateOrTimestamp(const DuckType& t) {
  return t.kind == DuckType::Kind::kScalar &&
         (t.name == "DATE" || t.name.rfind("TIMESTAMP", 0) == 0);
}

DuckType WidenIntegers(IntInfo a, IntInfo b) {
  if (a.is_signed == b.is_signed) return Scalar(IntegerName(std::max(a.bits, b.bits), a.is_signed));
  const IntInfo& s = a.is_signed ? a : b;
  const IntInfo& u = a.is_signed ? b : a;
  // A signed type wider than the unsigned one holds both; otherwise the
  // signed type twice the unsigned width does (64-bit mixed: HUGEINT).
  if (s.bits > u.bits) return Scalar(IntegerName(s.bits, true));
  if (u.bits < 128) return Scalar(IntegerName(u.bits * 2, true));
  return Scalar("DOUBLE");  // HUGEINT and UHUGEINT: no integer type holds both.
}

DuckType MergeStructs(const DuckType& a, const DuckType& b) {
  DuckType out = a;
  for (size_t j = 0; j < b.children.size(); ++j) {
    std::string folded = AsciiLowered(b.field_names[j]);
    bool found = false;
    for (size_t i = 0; i < out.field_names.size(); ++i) {
      if (AsciiLowered(out.field_names[i]) == folded) {
        out.children[i] = WidenType(out.children[i], b.children[j]);
        found = true;
        break;
      }
    }
    if (!found) {
      out.field_names.push_back(b.field_names[j]);
      out.children.push_back(b.children[j]);
    }
  }
  return out;
}

}  // namespace

DuckType WidenType(const DuckType& a, const DuckType& b) {
  if (a == b) return a;
  bool a_null = a.kind == DuckType::Kind::kScalar && a.name == "NULL";
  bool b_null = b.kind == DuckType::Kind::kScalar && b.name == "NULL";
  if (a_null) return b;
  if (b_null) return a;
  IntInfo ai = IntegerInfo(a);
  IntInfo bi = IntegerInfo(b);
  if (ai.bits > 0 && bi.bits > 0) return WidenIntegers(ai, bi);
  if (IsNumeric(a) && IsNumeric(b)) return Scalar("DOUBLE");
  if (IsDateOrTimestamp(a) && IsDateOrTimestamp(b)) return Scalar("TIMESTAMP");
  if (a.kind == DuckType::Kind::kStruct && b.kind == DuckType::Kind::kStruct) {
    return MergeStructs(a, b);
  }
  if (a.kind == DuckType::Kind::kList && b.kind == DuckType::Kind::kList) {
    DuckType out = a;
    out.children[0] = WidenType(a.children[0], b.children[0]);
    return out;
  }
  return Scalar("VARCHAR");
}

}  // namespace gamelake

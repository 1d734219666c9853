#include "streaming/sql_ast.h"

#include <string>

namespace gamelake {

std::string QuotedName(std::string_view name) { return "\"" + std::string(name) + "\""; }

std::string PosPrefix(SqlPos pos) {
  return std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": ";
}

Status ErrorAt(SqlPos pos, std::string_view message) {
  return Status::InvalidArgument(PosPrefix(pos) + std::string(message));
}

SqlExpr::SqlExpr() = default;
SqlExpr::~SqlExpr() = default;
SqlExpr::SqlExpr(SqlExpr&&) noexcept = default;
SqlExpr& SqlExpr::operator=(SqlExpr&&) noexcept = default;

SqlTableRef::SqlTableRef() = default;
SqlTableRef::~SqlTableRef() = default;
SqlTableRef::SqlTableRef(SqlTableRef&&) noexcept = default;
SqlTableRef& SqlTableRef::operator=(SqlTableRef&&) noexcept = default;

namespace {

const char* TypeName(SqlType::Kind kind) {
  switch (kind) {
    case SqlType::Kind::kInteger:
      return "INTEGER";
    case SqlType::Kind::kBigint:
      return "BIGINT";
    case SqlType::Kind::kSmallint:
      return "SMALLINT";
    case SqlType::Kind::kTinyint:
      return "TINYINT";
    case SqlType::Kind::kDouble:
      return "DOUBLE";
    case SqlType::Kind::kReal:
      return "REAL";
    case SqlType::Kind::kFloat:
      return "FLOAT";
    case SqlType::Kind::kDecimal:
      return "DECIMAL";
    case SqlType::Kind::kNumeric:
      return "NUMERIC";
    case SqlType::Kind::kVarchar:
      return "VARCHAR";
    case SqlType::Kind::kChar:
      return "CHAR";
    case SqlType::Kind::kVarbinary:
      return "VARBINARY";
    case SqlType::Kind::kBinary:
      return "BINARY";
    case SqlType::Kind::kBoolean:
      return "BOOLEAN";
    case SqlType::Kind::kTimestamp:
      return "TIMESTAMP";
    case SqlType::Kind::kDate:
      return "DATE";
    case SqlType::Kind::kTime:
      return "TIME";
  }
  return "?";
}

std::string Quote(const std::string& s, char q) {
  std::string out(1, q);
  for (char c : s) {
    out.push_back(c);
    if (c == q) out.push_back(q);
  }
  out.push_back(q);
  return out;
}

std::string Name(const std::string& name, bool quoted) { return quoted ? Quote(name, '"') : name; }

std::string Qualified(const SqlExpr& e, const std::string& last) {
  if (!e.qualifier) return last;
  return Name(e.qualifier->name, e.qualifier->quoted) + "." + last;
}

std::string LiteralToString(const SqlExpr& e) {
  switch (e.literal_kind) {
    case SqlLiteralKind::kString:
      return Quote(e.text, '\'');
    case SqlLiteralKind::kTimestamp:
      return "TIMESTAMP " + Quote(e.text, '\'');
    case SqlLiteralKind::kDate:
      return "DATE " + Quote(e.text, '\'');
    case SqlLiteralKind::kTime:
      return "TIME " + Quote(e.text, '\'');
    case SqlLiteralKind::kInterval: {
      std::string s = std::string("INTERVAL ") + (e.interval.negative ? "-" : "") +
                      Quote(e.text, '\'') + " " + SqlTimeUnitName(e.interval.start);
      if (e.interval.end) s += std::string(" TO ") + SqlTimeUnitName(*e.interval.end);
      return s;
    }
    default:
      return e.text;
  }
}

// "(head a b c)".
std::string List(const std::string& head, const std::vector<SqlExprPtr>& args, size_t from = 0) {
  std::string s = "(" + head;
  for (size_t i = from; i < args.size(); ++i) s += " " + SqlExprToString(*args[i]);
  return s + ")";
}

std::string CaseToString(const SqlExpr& e) {
  std::string s = "(CASE";
  if (e.case_operand) s += " " + SqlExprToString(*e.case_operand);
  for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
    s += " (WHEN " + SqlExprToString(*e.args[i]) + " " + SqlExprToString(*e.args[i + 1]) + ")";
  }
  if (e.else_expr) s += " (ELSE " + SqlExprToString(*e.else_expr) + ")";
  return s + ")";
}

std::string FunctionToString(const SqlExpr& e) {
  std::string head = Name(e.text, e.quoted) + (e.distinct ? " DISTINCT" : "");
  std::string s = List(head, e.args);
  if (e.over) {
    s += e.over->reference && e.over->partition_by.empty() &&
                 e.over->frame_unit == SqlWindowSpec::FrameUnit::kNone
             ? " OVER " + Name(e.over->reference->name, e.over->reference->quoted)
             : " OVER (...)";
  }
  return s;
}

}  // namespace

std::string SqlType::ToString() const {
  std::string s = TypeName(kind);
  if (length >= 0) return s + "(" + std::to_string(length) + ")";
  if (precision >= 0) {
    s += "(" + std::to_string(precision);
    if (scale >= 0) s += "," + std::to_string(scale);
    s += ")";
  }
  return s;
}

const char* SqlTimeUnitName(SqlTimeUnit unit) {
  switch (unit) {
    case SqlTimeUnit::kYear:
      return "YEAR";
    case SqlTimeUnit::kMonth:
      return "MONTH";
    case SqlTimeUnit::kDay:
      return "DAY";
    case SqlTimeUnit::kHour:
      return "HOUR";
    case SqlTimeUnit::kMinute:
      return "MINUTE";
    case SqlTimeUnit::kSecond:
      return "SECOND";
    case SqlTimeUnit::kMillisecond:
      return "MILLISECOND";
  }
  return "?";
}

std::string SqlExprToString(const SqlExpr& e) {
  const char* no = e.negated ? "NOT " : "";
  switch (e.kind) {
    case SqlExprKind::kLiteral:
      return LiteralToString(e);
    case SqlExprKind::kColumnRef:
      return Qualified(e, Name(e.text, e.quoted));
    case SqlExprKind::kStar:
      return Qualified(e, "*");
    case SqlExprKind::kUnary:
    case SqlExprKind::kBinary:
      return List(e.op, e.args);
    case SqlExprKind::kIsNull:
      return List(std::string("IS ") + no + "NULL", e.args);
    case SqlExprKind::kBetween:
      return List(std::string(no) + "BETWEEN", e.args);
    case SqlExprKind::kInList:
      return List(std::string(no) + "IN", e.args);
    case SqlExprKind::kLike:
      return List(std::string(no) + "LIKE", e.args);
    case SqlExprKind::kSimilarTo:
      return List(std::string(no) + "SIMILAR TO", e.args);
    case SqlExprKind::kCase:
      return CaseToString(e);
    case SqlExprKind::kCast:
      return "(CAST " + SqlExprToString(*e.args[0]) + " AS " + e.type.ToString() + ")";
    case SqlExprKind::kFunction:
      return FunctionToString(e);
    case SqlExprKind::kStep:
      return List("STEP", e.args);
    case SqlExprKind::kFloorTo:
      return "(" + std::string(e.ceil ? "CEIL " : "FLOOR ") + SqlExprToString(*e.args[0]) + " TO " +
             SqlTimeUnitName(e.unit) + ")";
    case SqlExprKind::kExtract:
      return "(EXTRACT " + std::string(SqlTimeUnitName(e.unit)) + " " +
             SqlExprToString(*e.args[0]) + ")";
    case SqlExprKind::kPosition:
      return List("POSITION", e.args);
    case SqlExprKind::kSubstring:
      return List("SUBSTRING", e.args);
    case SqlExprKind::kTrim: {
      static constexpr const char* kSpec[] = {"BOTH", "LEADING", "TRAILING"};
      return List(std::string("TRIM ") + kSpec[static_cast<int>(e.trim_spec)], e.args);
    }
    case SqlExprKind::kCursor:
      return "(CURSOR ...)";
  }
  return "?";
}

}  // namespace gamelake

#include "streaming/expression_binder.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "streaming/datetime_format.h"
#include "streaming/expr_nodes.h"
#include "streaming/scalar_functions.h"

namespace gamelake {
namespace {

using VT = ValueType;

std::string Quote(const std::string& name) { return "\"" + name + "\""; }

class Binder {
 public:
  explicit Binder(const BindScope& scope) : scope_(scope) {}

  Result<BoundExprPtr> Bind(const SqlExpr& e) {
    if (scope_.hook != nullptr) {
      GL_ASSIGN_OR_RETURN(BoundExprPtr sub, scope_.hook->Substitute(e));
      if (sub) return sub;
    }
    switch (e.kind) {
      case SqlExprKind::kLiteral:
        return Literal(e);
      case SqlExprKind::kColumnRef:
        return Column(e);
      case SqlExprKind::kStar:
        return ErrorAt(e.pos, "* is not allowed here");
      case SqlExprKind::kCursor:
        return ErrorAt(e.pos, "CURSOR is only allowed as an argument of a table function");
      case SqlExprKind::kUnary:
        return Unary(e);
      case SqlExprKind::kBinary:
        return Binary(e);
      case SqlExprKind::kIsNull: {
        GL_ASSIGN_OR_RETURN(BoundExprPtr a, Bind(*e.args[0]));
        return BindIsNull(std::move(a), e.negated, e.pos);
      }
      case SqlExprKind::kBetween: {
        GL_ASSIGN_OR_RETURN(std::vector<BoundExprPtr> a, BindAll(e.args));
        return BindBetween(std::move(a[0]), std::move(a[1]), std::move(a[2]), e.negated, e.pos);
      }
      case SqlExprKind::kInList: {
        GL_ASSIGN_OR_RETURN(std::vector<BoundExprPtr> a, BindAll(e.args));
        BoundExprPtr x = std::move(a[0]);
        a.erase(a.begin());
        return BindInList(std::move(x), std::move(a), e.negated, e.pos);
      }
      case SqlExprKind::kLike:
      case SqlExprKind::kSimilarTo: {
        GL_ASSIGN_OR_RETURN(std::vector<BoundExprPtr> a, BindAll(e.args));
        BoundExprPtr escape = a.size() > 2 ? std::move(a[2]) : nullptr;
        return BindLike(std::move(a[0]), std::move(a[1]), std::move(escape), e.negated,
                        e.kind == SqlExprKind::kSimilarTo, e.pos);
      }
      case SqlExprKind::kCase:
        return Case(e);
      case SqlExprKind::kCast: {
        GL_ASSIGN_OR_RETURN(BoundExprPtr a, Bind(*e.args[0]));
        return BindCast(std::move(a), e.type, e.pos);
      }
      case SqlExprKind::kFunction:
        return Function(e);
      case SqlExprKind::kStep: {
        GL_ASSIGN_OR_RETURN(std::vector<BoundExprPtr> a, BindAll(e.args));
        return BindStep(std::move(a[0]), std::move(a[1]), e.pos);
      }
      case SqlExprKind::kFloorTo: {
        GL_ASSIGN_OR_RETURN(BoundExprPtr a, Bind(*e.args[0]));
        return BindFloorTo(std::move(a), e.unit, e.ceil, e.pos);
      }
      case SqlExprKind::kExtract: {
        GL_ASSIGN_OR_RETURN(BoundExprPtr a, Bind(*e.args[0]));
        return BindExtract(e.unit, std::move(a), e.pos);
      }
      case SqlExprKind::kPosition: {
        GL_ASSIGN_OR_RETURN(std::vector<BoundExprPtr> a, BindAll(e.args));
        return BindPosition(std::move(a[0]), std::move(a[1]), e.pos);
      }
      case SqlExprKind::kSubstring: {
        GL_ASSIGN_OR_RETURN(std::vector<BoundExprPtr> a, BindAll(e.args));
        return BindSubstring(std::move(a), e.pos);
      }
      case SqlExprKind::kTrim: {
        GL_ASSIGN_OR_RETURN(std::vector<BoundExprPtr> a, BindAll(e.args));
        BoundExprPtr chars = a.size() > 1 ? std::move(a[1]) : nullptr;
        return BindTrim(e.trim_spec, std::move(a[0]), std::move(chars), e.pos);
      }
    }
    return ErrorAt(e.pos, "unsupported expression");
  }

 private:
  Result<std::vector<BoundExprPtr>> BindAll(const std::vector<SqlExprPtr>& exprs) {
    std::vector<BoundExprPtr> out;
    out.reserve(exprs.size());
    for (const SqlExprPtr& x : exprs) {
      GL_ASSIGN_OR_RETURN(BoundExprPtr b, Bind(*x));
      out.push_back(std::move(b));
    }
    return out;
  }

  Result<BoundExprPtr> Literal(const SqlExpr& e) {
    GL_ASSIGN_OR_RETURN(SqlValue v, LiteralValue(e));
    return BoundExprPtr(std::make_unique<LiteralExpr>(std::move(v), e.pos));
  }

  Result<SqlValue> LiteralValue(const SqlExpr& e) {
    switch (e.literal_kind) {
      case SqlLiteralKind::kInteger: {
        int64_t v = 0;
        auto r = std::from_chars(e.text.data(), e.text.data() + e.text.size(), v);
        if (r.ec != std::errc() || r.ptr != e.text.data() + e.text.size()) {
          return ErrorAt(e.pos, "integer literal " + e.text + " is out of range");
        }
        return SqlValue::Integer(v);
      }
      case SqlLiteralKind::kDecimal:
      case SqlLiteralKind::kApproximate: {
        double d = std::strtod(e.text.c_str(), nullptr);
        if (!std::isfinite(d))
          return ErrorAt(e.pos, "numeric literal " + e.text + " is out of range");
        return e.literal_kind == SqlLiteralKind::kDecimal ? SqlValue::Decimal(d)
                                                          : SqlValue::Double(d);
      }
      case SqlLiteralKind::kString:
        return SqlValue::String(e.text);
      case SqlLiteralKind::kBoolean:
        return SqlValue::Boolean(e.text == "TRUE");
      case SqlLiteralKind::kNull:
        return SqlValue::Null(e.text == "UNKNOWN" ? VT::kBoolean : VT::kNull);
      case SqlLiteralKind::kTimestamp:
      case SqlLiteralKind::kDate:
      case SqlLiteralKind::kTime: {
        Result<int64_t> r = e.literal_kind == SqlLiteralKind::kTimestamp
                                ? ParseTimestampText(e.text)
                            : e.literal_kind == SqlLiteralKind::kDate ? ParseDateText(e.text)
                                                                      : ParseTimeText(e.text);
        if (!r.ok()) return ErrorAt(e.pos, r.status().message());
        VT t = e.literal_kind == SqlLiteralKind::kTimestamp ? VT::kTimestamp
               : e.literal_kind == SqlLiteralKind::kDate    ? VT::kDate
                                                            : VT::kTime;
        return SqlValue::Make(t, *r);
      }
      case SqlLiteralKind::kInterval: {
        bool year_month = false;
        Result<int64_t> r = ParseIntervalText(e.text, e.interval, &year_month);
        if (!r.ok()) return ErrorAt(e.pos, r.status().message());
        return SqlValue::Make(year_month ? VT::kIntervalYearMonth : VT::kIntervalDayTime, *r);
      }
    }
    return ErrorAt(e.pos, "unsupported literal");
  }

  std::string InputLabel(const BindInput& in) const {
    return in.alias && *in.alias != in.name ? in.name + " (" + *in.alias + ")" : in.name;
  }

  Result<BoundExprPtr> Column(const SqlExpr& e) {
    std::vector<int> candidates;
    if (e.qualifier) {
      int match = -1;
      for (size_t k = 0; k < scope_.inputs.size() && match < 0; ++k) {
        if (scope_.inputs[k].alias && *scope_.inputs[k].alias == e.qualifier->name) {
          match = static_cast<int>(k);
        }
      }
      for (size_t k = 0; k < scope_.inputs.size() && match < 0; ++k) {
        if (scope_.inputs[k].name == e.qualifier->name) match = static_cast<int>(k);
      }
      if (match < 0) {
        return ErrorAt(e.qualifier->pos, "unknown stream or alias " + Quote(e.qualifier->name));
      }
      candidates.push_back(match);
    } else {
      for (size_t k = 0; k < scope_.inputs.size(); ++k) candidates.push_back(static_cast<int>(k));
    }
    int found_input = -1;
    int found_column = -1;
    for (int k : candidates) {
      const StreamSchema* schema = scope_.inputs[k].schema;
      int col = schema == nullptr ? -1 : schema->Find(e.text);
      if (col < 0) continue;
      if (found_input >= 0) {
        return ErrorAt(e.pos, "column " + Quote(e.text) + " is ambiguous: it is in " +
                                  InputLabel(scope_.inputs[found_input]) + " and " +
                                  InputLabel(scope_.inputs[k]));
      }
      found_input = k;
      found_column = col;
    }
    if (found_input < 0 && e.text == "ROWTIME" && !candidates.empty()) {
      found_input = candidates[0];
      found_column = kRowtimeColumn;
    }
    if (found_input < 0) {
      std::string where;
      for (size_t i = 0; i < candidates.size(); ++i) {
        if (i > 0) where += " or ";
        where += InputLabel(scope_.inputs[candidates[i]]);
      }
      return ErrorAt(e.pos, "column " + Quote(e.text) + " not found in " + where);
    }
    if (scope_.grouped) {
      return ErrorAt(e.pos, "column " + Quote(e.text) +
                                " must appear in GROUP BY or in an aggregate function");
    }
    VT type = found_column == kRowtimeColumn
                  ? VT::kTimestamp
                  : ValueTypeOf(scope_.inputs[found_input].schema->columns[found_column].type);
    return BoundExprPtr(std::make_unique<ColumnRefExpr>(found_input, found_column, type, e.pos));
  }

  Result<BoundExprPtr> Unary(const SqlExpr& e) {
    const SqlExpr& arg = *e.args[0];
    if (e.op == "NOT") {
      GL_ASSIGN_OR_RETURN(BoundExprPtr a, Bind(arg));
      return BindNot(std::move(a), e.pos);
    }
    // -9223372036854775808: the one integer literal only its negation holds.
    if (e.op == "-" && arg.kind == SqlExprKind::kLiteral &&
        arg.literal_kind == SqlLiteralKind::kInteger && arg.text == "9223372036854775808") {
      return BoundExprPtr(std::make_unique<LiteralExpr>(SqlValue::Integer(INT64_MIN), e.pos));
    }
    GL_ASSIGN_OR_RETURN(BoundExprPtr a, Bind(arg));
    return BindSign(e.op, std::move(a), e.pos);
  }

  Result<BoundExprPtr> Binary(const SqlExpr& e) {
    GL_ASSIGN_OR_RETURN(BoundExprPtr l, Bind(*e.args[0]));
    GL_ASSIGN_OR_RETURN(BoundExprPtr r, Bind(*e.args[1]));
    const std::string& op = e.op;
    if (op == "AND") return BindAnd(std::move(l), std::move(r), e.pos);
    if (op == "OR") return BindOr(std::move(l), std::move(r), e.pos);
    if (op == "||") return BindConcat(std::move(l), std::move(r), e.pos);
    if (op == "+" || op == "-" || op == "*" || op == "/") {
      return BindArithmetic(op, std::move(l), std::move(r), e.pos);
    }
    if (op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=") {
      return BindComparison(op, std::move(l), std::move(r), e.pos);
    }
    return ErrorAt(e.pos, "unknown operator " + op);
  }

  Result<BoundExprPtr> Case(const SqlExpr& e) {
    BoundExprPtr operand;
    if (e.case_operand) {
      GL_ASSIGN_OR_RETURN(operand, Bind(*e.case_operand));
    }
    std::vector<BoundExprPtr> whens;
    std::vector<BoundExprPtr> thens;
    for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
      GL_ASSIGN_OR_RETURN(BoundExprPtr w, Bind(*e.args[i]));
      GL_ASSIGN_OR_RETURN(BoundExprPtr t, Bind(*e.args[i + 1]));
      whens.push_back(std::move(w));
      thens.push_back(std::move(t));
    }
    BoundExprPtr else_expr;
    if (e.else_expr) {
      GL_ASSIGN_OR_RETURN(else_expr, Bind(*e.else_expr));
    }
    return BindCase(std::move(operand), std::move(whens), std::move(thens), std::move(else_expr),
                    e.pos);
  }

  Result<BoundExprPtr> Function(const SqlExpr& e) {
    if (!e.quoted && IsAggregateFunction(e.text)) {
      return ErrorAt(e.pos, "aggregate function " + e.text + " is not allowed here");
    }
    if (!e.quoted && IsRefusedFunction(e.text)) {
      return ErrorAt(e.pos, e.text + " is not supported by gamelake (see docs/streaming.md)");
    }
    GL_ASSIGN_OR_RETURN(std::vector<BoundExprPtr> args, BindAll(e.args));
    return BindFunctionCall(e, std::move(args));
  }

  const BindScope& scope_;
};

// CAST to these types with no length or precision leaves a value of the same
// value type unchanged.
bool CastIsIdentity(VT from, const SqlType& to) {
  if (from != ValueTypeOf(to)) return false;
  switch (to.kind) {
    case SqlType::Kind::kBigint:
    case SqlType::Kind::kDouble:
    case SqlType::Kind::kFloat:
    case SqlType::Kind::kReal:
    case SqlType::Kind::kBoolean:
    case SqlType::Kind::kTimestamp:
    case SqlType::Kind::kDate:
    case SqlType::Kind::kTime:
      return true;
    case SqlType::Kind::kVarchar:
    case SqlType::Kind::kVarbinary:
      return to.length < 0;
    default:
      return false;
  }
}

}  // namespace

Result<BoundExprPtr> BindExpression(const SqlExpr& expr, const BindScope& scope) {
  Binder binder(scope);
  return binder.Bind(expr);
}

bool IsAggregateFunction(std::string_view name) {
  static constexpr std::string_view kAggregates[] = {"COUNT",
                                                     "SUM",
                                                     "AVG",
                                                     "MIN",
                                                     "MAX",
                                                     "FIRST_VALUE",
                                                     "LAST_VALUE",
                                                     "EXP_AVG",
                                                     "ANY",
                                                     "EVERY",
                                                     "STDDEV_POP",
                                                     "STDDEV_SAMP",
                                                     "VAR_POP",
                                                     "VAR_SAMP",
                                                     "LAG",
                                                     "NTH_VALUE",
                                                     "TOP_K_ITEMS_TUMBLING",
                                                     "COUNT_DISTINCT_ITEMS_TUMBLING"};
  for (std::string_view a : kAggregates) {
    if (a == name) return true;
  }
  return false;
}

Result<BoundExprPtr> BindCast(BoundExprPtr e, const SqlType& target, SqlPos pos) {
  VT from = e->type();
  if (!CastAllowed(from, target)) {
    return ErrorAt(
        pos, std::string("cannot convert ") + ValueTypeName(from) + " to " + target.ToString());
  }
  if (CastIsIdentity(from, target)) return e;
  VT to = ValueTypeOf(target);
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(e));
  return MakeFunction(to, pos, std::move(args), [target](const SqlValue* const* a, SqlValue* out) {
    return CastValue(*a[0], target, out);
  });
}

}  // namespace gamelake

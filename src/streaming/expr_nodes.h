// The building blocks of bound expressions, shared by the binder
// (expression_binder.cc), its operators (expr_operators.cc) and the scalar
// function library (scalar_functions.cc). Internal to src/streaming.
//
// Evaluation writes into the caller's SqlValue without allocating for
// numbers, booleans and temporal values; an Operand reads a column reference
// straight from the row (no copy of its string) and a constant from its node.
// Errors carry the position of the failing node: "1:20: division by zero".
//
// Thread-safety: like BoundExpr — immutable after binding, evaluated from one
// thread at a time (operands and functions keep scratch values).
#ifndef GAMELAKE_STREAMING_EXPR_NODES_H_
#define GAMELAKE_STREAMING_EXPR_NODES_H_

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "streaming/bound_expr.h"

namespace gamelake {

inline void SetNull(SqlValue* out, ValueType type) {
  out->type = type;
  out->is_null = true;
  out->i = 0;
  out->d = 0;
  out->s.clear();
}
inline void SetInt(SqlValue* out, ValueType type, int64_t x) {
  out->type = type;
  out->is_null = false;
  out->i = x;
  out->d = 0;
  out->s.clear();
}
inline void SetDouble(SqlValue* out, ValueType type, double x) {
  out->type = type;
  out->is_null = false;
  out->i = 0;
  out->d = x;
  out->s.clear();
}
inline void SetBool(SqlValue* out, bool b) { SetInt(out, ValueType::kBoolean, b ? 1 : 0); }
inline void SetString(SqlValue* out, std::string s) {
  out->type = ValueType::kString;
  out->is_null = false;
  out->i = 0;
  out->d = 0;
  out->s = std::move(s);
}
inline double NumberAsDouble(const SqlValue& v) {
  return v.type == ValueType::kInteger ? static_cast<double>(v.i) : v.d;
}

// A constant: a literal, or a subtree folded at bind time.
class LiteralExpr final : public BoundExpr {
 public:
  LiteralExpr(SqlValue v, SqlPos pos) : value_(std::move(v)), pos_(pos) {}
  ValueType type() const override { return value_.type; }
  SqlPos pos() const override { return pos_; }
  Status Eval(const EvalRows&, SqlValue* out) const override {
    *out = value_;
    return Status::OK();
  }
  const SqlValue& value() const { return value_; }

 private:
  SqlValue value_;
  SqlPos pos_;
};

// The constant value of `e`, or null when it is not a constant.
inline const SqlValue* ConstantOf(const BoundExpr& e) {
  const auto* lit = dynamic_cast<const LiteralExpr*>(&e);
  return lit == nullptr ? nullptr : &lit->value();
}

// One input of a node: reads columns and constants in place.
class Operand {
 public:
  explicit Operand(BoundExprPtr e)
      : expr_(std::move(e)),
        column_(dynamic_cast<const ColumnRefExpr*>(expr_.get())),
        constant_(ConstantOf(*expr_)) {}
  Operand(Operand&&) noexcept = default;

  // *v points at the value until the next Get or the next row.
  Status Get(const EvalRows& in, const SqlValue** v) const {
    if (constant_ != nullptr) {
      *v = constant_;
      return Status::OK();
    }
    if (column_ != nullptr && column_->column() >= 0) {
      const StreamRow* row = in.rows[column_->input()];
      if (row != nullptr) {
        *v = &row->values[column_->column()];
        return Status::OK();
      }
    }
    *v = &scratch_;
    return expr_->Eval(in, &scratch_);
  }
  const BoundExpr& expr() const { return *expr_; }
  ValueType type() const { return expr_->type(); }

 private:
  BoundExprPtr expr_;
  const ColumnRefExpr* column_;
  const SqlValue* constant_;
  mutable SqlValue scratch_;
};

// The body of a scalar function or operator: reads the argument values,
// writes the result; a returned error is prefixed with the node's position.
using ScalarBody = std::function<Status(const SqlValue* const* args, SqlValue* out)>;

// A function of its arguments. Strict functions return NULL (of their type)
// when any argument is NULL, without running the body.
class FunctionExpr final : public BoundExpr {
 public:
  FunctionExpr(ValueType type, SqlPos pos, std::vector<BoundExprPtr> args, ScalarBody body,
               bool strict);
  ValueType type() const override { return type_; }
  SqlPos pos() const override { return pos_; }
  Status Eval(const EvalRows& in, SqlValue* out) const override;
  // It has arguments and all are constants.
  bool Foldable() const;

 private:
  ValueType type_;
  SqlPos pos_;
  std::vector<Operand> args_;
  ScalarBody body_;
  bool strict_;
  mutable std::vector<const SqlValue*> values_;
};

// Makes a FunctionExpr, folded into a LiteralExpr when it has arguments, all
// constants, and it evaluates without error (an error stays for run time).
BoundExprPtr MakeFunction(ValueType type, SqlPos pos, std::vector<BoundExprPtr> args,
                          ScalarBody body, bool strict = true);

// ------------------------------------------------------------- operators
// (expr_operators.cc). `pos` is the operator's position in the code.

// + - * / on numbers, timestamps, dates, times and intervals.
Result<BoundExprPtr> BindArithmetic(const std::string& op, BoundExprPtr l, BoundExprPtr r,
                                    SqlPos pos);
// Unary - and +.
Result<BoundExprPtr> BindSign(const std::string& op, BoundExprPtr e, SqlPos pos);
// = <> < <= > >= with SQL's three-valued result.
Result<BoundExprPtr> BindComparison(const std::string& op, BoundExprPtr l, BoundExprPtr r,
                                    SqlPos pos);
Result<BoundExprPtr> BindAnd(BoundExprPtr l, BoundExprPtr r, SqlPos pos);
Result<BoundExprPtr> BindOr(BoundExprPtr l, BoundExprPtr r, SqlPos pos);
Result<BoundExprPtr> BindNot(BoundExprPtr e, SqlPos pos);
Result<BoundExprPtr> BindIsNull(BoundExprPtr e, bool negated, SqlPos pos);
Result<BoundExprPtr> BindBetween(BoundExprPtr x, BoundExprPtr lo, BoundExprPtr hi, bool negated,
                                 SqlPos pos);
Result<BoundExprPtr> BindInList(BoundExprPtr x, std::vector<BoundExprPtr> list, bool negated,
                                SqlPos pos);
Result<BoundExprPtr> BindLike(BoundExprPtr s, BoundExprPtr pattern, BoundExprPtr escape,
                              bool negated, bool similar, SqlPos pos);
Result<BoundExprPtr> BindConcat(BoundExprPtr l, BoundExprPtr r, SqlPos pos);
// CASE: whens[i] is a boolean condition (searched CASE) or a value compared
// with `operand` (simple CASE, operand non-null).
Result<BoundExprPtr> BindCase(BoundExprPtr operand, std::vector<BoundExprPtr> whens,
                              std::vector<BoundExprPtr> thens, BoundExprPtr else_expr, SqlPos pos);
Result<BoundExprPtr> BindCoalesce(std::vector<BoundExprPtr> args, SqlPos pos);
Result<BoundExprPtr> BindNullIf(BoundExprPtr a, BoundExprPtr b, SqlPos pos);

// Whether values of these types may be compared (numbers with numbers, like
// with like, NULL with anything).
bool Comparable(ValueType a, ValueType b);
// A string constant compared with a date, time or timestamp becomes one.
Status CoerceTemporalLiteral(BoundExprPtr* a, const BoundExprPtr& b);
// The type CASE/COALESCE branches share; InvalidArgument naming `what`.
Result<ValueType> CommonType(const std::vector<ValueType>& types, SqlPos pos,
                             std::string_view what);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_EXPR_NODES_H_

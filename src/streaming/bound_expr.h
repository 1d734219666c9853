// BoundExpr: an expression of a KDA application after binding — names resolved
// to input columns, types checked, functions chosen — ready to evaluate once per
// row. The binder (expression_binder.h) makes them from the syntax tree; the
// operators (operator.h) evaluate them.
//
// An expression reads the rows of up to two inputs (a join's left and right; a
// single-input operator passes one row). A column reference names an input and
// a column of it; column kRowtimeColumn is that row's ROWTIME.
//
// Evaluation errors (a failed conversion, a division by zero, an overflow)
// are values: Eval returns InvalidArgument with what failed, and the operator
// sends the row to the application's error stream with that reason.
//
// Thread-safety: a bound expression is immutable after binding and may be
// evaluated from one thread at a time (functions may keep scratch state).
#ifndef GAMELAKE_STREAMING_BOUND_EXPR_H_
#define GAMELAKE_STREAMING_BOUND_EXPR_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "streaming/sql_ast.h"
#include "streaming/sql_value.h"

namespace gamelake {

inline constexpr int kRowtimeColumn = -1;

// The rows an expression reads: rows[k] is input k's current row (null for
// the missing side of an outer join: its columns read as NULL).
struct EvalRows {
  const StreamRow* rows[2] = {nullptr, nullptr};
};

class BoundExpr {
 public:
  virtual ~BoundExpr() = default;
  // The static type of the result (kNull only for an untyped NULL literal).
  virtual ValueType type() const = 0;
  // Where the expression starts in the application code.
  virtual SqlPos pos() const = 0;
  // Writes the value for `in` into *out.
  virtual Status Eval(const EvalRows& in, SqlValue* out) const = 0;
};
using BoundExprPtr = std::unique_ptr<BoundExpr>;

// A reference to column `column` (or kRowtimeColumn) of input `input`.
class ColumnRefExpr final : public BoundExpr {
 public:
  ColumnRefExpr(int input, int column, ValueType type, SqlPos pos)
      : input_(input), column_(column), type_(type), pos_(pos) {}
  ValueType type() const override { return type_; }
  SqlPos pos() const override { return pos_; }
  Status Eval(const EvalRows& in, SqlValue* out) const override {
    const StreamRow* row = in.rows[input_];
    if (row == nullptr) {
      *out = SqlValue::Null(type_);
    } else if (column_ == kRowtimeColumn) {
      *out = SqlValue::Timestamp(row->rowtime_ms);
    } else {
      *out = row->values[column_];
    }
    return Status::OK();
  }
  int input() const { return input_; }
  int column() const { return column_; }

 private:
  int input_;
  int column_;
  ValueType type_;
  SqlPos pos_;
};

// Evaluates each of `exprs` over `in` into (*out)[i]; on a failure returns it
// with *where set to the failing expression's position.
inline Status EvalEach(const std::vector<BoundExprPtr>& exprs, const EvalRows& in,
                       std::vector<SqlValue>* out, SqlPos* where) {
  out->resize(exprs.size());
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (Status s = exprs[i]->Eval(in, &(*out)[i]); !s.ok()) {
      *where = exprs[i]->pos();
      return s;
    }
  }
  return Status::OK();
}

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_BOUND_EXPR_H_

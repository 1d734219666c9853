// The operators of KDA's SQL: arithmetic (also on dates, times and intervals),
// comparisons, three-valued logic, IN, BETWEEN, LIKE / SIMILAR TO, ||, CASE,
// COALESCE and NULLIF. Each binder checks the operand types once and picks
// the evaluation for them, so evaluation does not switch on types again.
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "common/civil_time.h"
#include "streaming/datetime_format.h"
#include "streaming/expr_nodes.h"
#include "streaming/sql_regex.h"
#include "streaming/value_cast.h"
#include "streaming/value_ops.h"

namespace gamelake {
namespace {

using VT = ValueType;

bool IsInterval(VT t) { return t == VT::kIntervalDayTime || t == VT::kIntervalYearMonth; }

Status Overflow() { return Status::InvalidArgument("numeric overflow"); }
Status DivisionByZero() { return Status::InvalidArgument("division by zero"); }
Status OutOfRange() { return Status::InvalidArgument("timestamp out of range"); }

Status CannotApply(const std::string& op, VT a, VT b, SqlPos pos) {
  return ErrorAt(pos,
                 "cannot apply " + op + " to " + ValueTypeName(a) + " and " + ValueTypeName(b));
}

BoundExprPtr NullOf(VT type, SqlPos pos) {
  return std::make_unique<LiteralExpr>(SqlValue::Null(type), pos);
}

std::vector<BoundExprPtr> Args(BoundExprPtr a, BoundExprPtr b) {
  std::vector<BoundExprPtr> v;
  v.push_back(std::move(a));
  if (b) v.push_back(std::move(b));
  return v;
}

// --------------------------------------------------------------- arithmetic

ScalarBody IntegerArithmetic(char op) {
  switch (op) {
    case '+':
      return [](const SqlValue* const* a, SqlValue* out) {
        int64_t r = 0;
        if (__builtin_add_overflow(a[0]->i, a[1]->i, &r)) return Overflow();
        SetInt(out, VT::kInteger, r);
        return Status::OK();
      };
    case '-':
      return [](const SqlValue* const* a, SqlValue* out) {
        int64_t r = 0;
        if (__builtin_sub_overflow(a[0]->i, a[1]->i, &r)) return Overflow();
        SetInt(out, VT::kInteger, r);
        return Status::OK();
      };
    case '*':
      return [](const SqlValue* const* a, SqlValue* out) {
        int64_t r = 0;
        if (__builtin_mul_overflow(a[0]->i, a[1]->i, &r)) return Overflow();
        SetInt(out, VT::kInteger, r);
        return Status::OK();
      };
    default:
      // Integer division truncates toward zero (KDA: 7/2 = 3, -7/2 = -3).
      return [](const SqlValue* const* a, SqlValue* out) {
        if (a[1]->i == 0) return DivisionByZero();
        if (a[0]->i == INT64_MIN && a[1]->i == -1) return Overflow();
        SetInt(out, VT::kInteger, a[0]->i / a[1]->i);
        return Status::OK();
      };
  }
}

ScalarBody RealArithmetic(char op, VT type) {
  return [op, type](const SqlValue* const* a, SqlValue* out) {
    double x = NumberAsDouble(*a[0]);
    double y = NumberAsDouble(*a[1]);
    double r = 0;
    switch (op) {
      case '+':
        r = x + y;
        break;
      case '-':
        r = x - y;
        break;
      case '*':
        r = x * y;
        break;
      default:
        if (y == 0) return DivisionByZero();
        r = x / y;
        break;
    }
    SetDouble(out, type, r);
    return Status::OK();
  };
}

Status CheckTimestamp(int64_t ms) {
  return ms < kMinTimestampMs || ms > kMaxTimestampMs ? OutOfRange() : Status::OK();
}

// A date, time or timestamp moved by an interval.
Status ShiftTemporal(VT type, int64_t v, VT interval, int64_t amount, SqlValue* out) {
  if (interval == VT::kIntervalYearMonth) {
    if (amount > 120000 || amount < -120000) return OutOfRange();
    int64_t ms = type == VT::kDate ? v * kMsPerDay : v;
    GL_RETURN_IF_ERROR(CheckTimestamp(ms));
    int64_t r = AddMonthsToTimestamp(ms, amount);
    GL_RETURN_IF_ERROR(CheckTimestamp(r));
    SetInt(out, type, type == VT::kDate ? FloorDiv(r, kMsPerDay) : r);
    return Status::OK();
  }
  if (type == VT::kTime) {
    int64_t r = (v + amount % kMsPerDay) % kMsPerDay;
    SetInt(out, type, r < 0 ? r + kMsPerDay : r);
    return Status::OK();
  }
  int64_t base = type == VT::kDate ? v * kMsPerDay : v;
  int64_t r = 0;
  if (__builtin_add_overflow(base, amount, &r)) return OutOfRange();
  GL_RETURN_IF_ERROR(CheckTimestamp(r));
  SetInt(out, type, type == VT::kDate ? FloorDiv(r, kMsPerDay) : r);
  return Status::OK();
}

// interval * number, number * interval, interval / number.
ScalarBody ScaleInterval(char op, bool interval_first, VT itype) {
  return [op, interval_first, itype](const SqlValue* const* a, SqlValue* out) {
    const SqlValue& iv = *a[interval_first ? 0 : 1];
    const SqlValue& n = *a[interval_first ? 1 : 0];
    int64_t r = 0;
    if (n.type == VT::kInteger) {
      if (op == '*') {
        if (__builtin_mul_overflow(iv.i, n.i, &r)) return Overflow();
      } else {
        if (n.i == 0) return DivisionByZero();
        if (iv.i == INT64_MIN && n.i == -1) return Overflow();
        r = iv.i / n.i;
      }
    } else {
      if (op == '/' && n.d == 0) return DivisionByZero();
      double x = op == '*' ? static_cast<double>(iv.i) * n.d : static_cast<double>(iv.i) / n.d;
      if (!(x > -9.2e18 && x < 9.2e18)) return Overflow();
      r = std::llround(x);
    }
    SetInt(out, itype, r);
    return Status::OK();
  };
}

Result<BoundExprPtr> TemporalArithmetic(const std::string& op, BoundExprPtr l, BoundExprPtr r,
                                        SqlPos pos) {
  VT lt = l->type();
  VT rt = r->type();
  bool l_temporal = lt == VT::kTimestamp || lt == VT::kDate || lt == VT::kTime;
  bool r_temporal = rt == VT::kTimestamp || rt == VT::kDate || rt == VT::kTime;
  char o = op[0];
  if (o == '+' || o == '-') {
    if (IsInterval(lt) && lt == rt) {
      return MakeFunction(lt, pos, Args(std::move(l), std::move(r)),
                          [o, lt](const SqlValue* const* a, SqlValue* out) {
                            int64_t x = 0;
                            bool ovf = o == '+' ? __builtin_add_overflow(a[0]->i, a[1]->i, &x)
                                                : __builtin_sub_overflow(a[0]->i, a[1]->i, &x);
                            if (ovf) return Overflow();
                            SetInt(out, lt, x);
                            return Status::OK();
                          });
    }
    // datetime +- interval, interval + datetime (not TIME with months).
    bool l_first = l_temporal && IsInterval(rt);
    bool r_first = o == '+' && r_temporal && IsInterval(lt);
    if (l_first || r_first) {
      VT type = l_first ? lt : rt;
      VT itype = l_first ? rt : lt;
      if (!(type == VT::kTime && itype == VT::kIntervalYearMonth)) {
        bool negate = o == '-';
        return MakeFunction(
            type, pos, Args(std::move(l), std::move(r)),
            [l_first, type, itype, negate](const SqlValue* const* a, SqlValue* out) {
              const SqlValue& t = *a[l_first ? 0 : 1];
              int64_t amount = a[l_first ? 1 : 0]->i;
              if (negate) {
                if (amount == INT64_MIN) return OutOfRange();
                amount = -amount;
              }
              return ShiftTemporal(type, t.i, itype, amount, out);
            });
      }
    }
    // datetime - datetime: a day-time interval.
    if (o == '-' && l_temporal && lt == rt) {
      int64_t unit = lt == VT::kDate ? kMsPerDay : 1;
      return MakeFunction(VT::kIntervalDayTime, pos, Args(std::move(l), std::move(r)),
                          [unit](const SqlValue* const* a, SqlValue* out) {
                            SetInt(out, VT::kIntervalDayTime, (a[0]->i - a[1]->i) * unit);
                            return Status::OK();
                          });
    }
  }
  if ((o == '*' || o == '/') && IsInterval(lt) && IsNumeric(rt)) {
    return MakeFunction(lt, pos, Args(std::move(l), std::move(r)), ScaleInterval(o, true, lt));
  }
  if (o == '*' && IsNumeric(lt) && IsInterval(rt)) {
    return MakeFunction(rt, pos, Args(std::move(l), std::move(r)), ScaleInterval(o, false, rt));
  }
  return CannotApply(op, lt, rt, pos);
}

// ------------------------------------------------------------------- logic

bool IsBooleanOrNull(VT t) { return t == VT::kBoolean || t == VT::kNull; }

// AND / OR, evaluating the right side only when the left does not decide.
class LogicExpr final : public BoundExpr {
 public:
  LogicExpr(bool is_and, BoundExprPtr l, BoundExprPtr r, SqlPos pos)
      : is_and_(is_and), l_(std::move(l)), r_(std::move(r)), pos_(pos) {}
  ValueType type() const override { return VT::kBoolean; }
  SqlPos pos() const override { return pos_; }
  Status Eval(const EvalRows& in, SqlValue* out) const override {
    // AND: FALSE decides; OR: TRUE decides.
    const int64_t decisive = is_and_ ? 0 : 1;
    const SqlValue* a = nullptr;
    GL_RETURN_IF_ERROR(l_.Get(in, &a));
    if (!a->is_null && a->i == decisive) {
      SetBool(out, decisive != 0);
      return Status::OK();
    }
    bool a_null = a->is_null;
    const SqlValue* b = nullptr;
    GL_RETURN_IF_ERROR(r_.Get(in, &b));
    if (!b->is_null && b->i == decisive) {
      SetBool(out, decisive != 0);
    } else if (a_null || b->is_null) {
      SetNull(out, VT::kBoolean);
    } else {
      SetBool(out, decisive == 0);
    }
    return Status::OK();
  }

 private:
  bool is_and_;
  Operand l_;
  Operand r_;
  SqlPos pos_;
};

Result<BoundExprPtr> BindLogic(bool is_and, BoundExprPtr l, BoundExprPtr r, SqlPos pos) {
  const char* name = is_and ? "AND" : "OR";
  for (const BoundExprPtr* e : {&l, &r}) {
    if (!IsBooleanOrNull((*e)->type())) {
      return ErrorAt((*e)->pos(), std::string(name) + " needs BOOLEAN operands, found " +
                                      ValueTypeName((*e)->type()));
    }
  }
  return BoundExprPtr(std::make_unique<LogicExpr>(is_and, std::move(l), std::move(r), pos));
}

// Three-valued comparison result of `c` (CompareValues) for `op`.
bool CompareResult(const std::string& op, int c) {
  if (op == "=") return c == 0;
  if (op == "<>") return c != 0;
  if (op == "<") return c < 0;
  if (op == "<=") return c <= 0;
  if (op == ">") return c > 0;
  return c >= 0;
}

// ------------------------------------------------------- CASE and COALESCE

class CaseExpr final : public BoundExpr {
 public:
  CaseExpr(VT type, SqlPos pos, BoundExprPtr operand, std::vector<BoundExprPtr> whens,
           std::vector<BoundExprPtr> thens, BoundExprPtr else_expr)
      : type_(type), pos_(pos) {
    if (operand) operand_ = std::make_unique<Operand>(std::move(operand));
    for (auto& w : whens) whens_.emplace_back(std::move(w));
    for (auto& t : thens) thens_.emplace_back(std::move(t));
    if (else_expr) else_ = std::make_unique<Operand>(std::move(else_expr));
  }
  ValueType type() const override { return type_; }
  SqlPos pos() const override { return pos_; }
  Status Eval(const EvalRows& in, SqlValue* out) const override {
    const SqlValue* x = nullptr;
    if (operand_) GL_RETURN_IF_ERROR(operand_->Get(in, &x));
    for (size_t k = 0; k < whens_.size(); ++k) {
      const SqlValue* w = nullptr;
      GL_RETURN_IF_ERROR(whens_[k].Get(in, &w));
      bool hit = operand_ ? (!x->is_null && !w->is_null && CompareValues(*x, *w) == 0)
                          : (!w->is_null && w->i != 0);
      if (hit) return TakeBranch(thens_[k], in, out);
    }
    if (else_) return TakeBranch(*else_, in, out);
    SetNull(out, type_);
    return Status::OK();
  }

 private:
  Status TakeBranch(const Operand& branch, const EvalRows& in, SqlValue* out) const {
    const SqlValue* v = nullptr;
    GL_RETURN_IF_ERROR(branch.Get(in, &v));
    *out = *v;
    PromoteNumeric(out, type_);
    out->type = type_;
    return Status::OK();
  }

  VT type_;
  SqlPos pos_;
  std::unique_ptr<Operand> operand_;
  std::vector<Operand> whens_;
  std::vector<Operand> thens_;
  std::unique_ptr<Operand> else_;
};

class CoalesceExpr final : public BoundExpr {
 public:
  CoalesceExpr(VT type, SqlPos pos, std::vector<BoundExprPtr> args) : type_(type), pos_(pos) {
    for (auto& a : args) args_.emplace_back(std::move(a));
  }
  ValueType type() const override { return type_; }
  SqlPos pos() const override { return pos_; }
  Status Eval(const EvalRows& in, SqlValue* out) const override {
    for (const Operand& a : args_) {
      const SqlValue* v = nullptr;
      GL_RETURN_IF_ERROR(a.Get(in, &v));
      if (!v->is_null) {
        *out = *v;
        PromoteNumeric(out, type_);
        return Status::OK();
      }
    }
    SetNull(out, type_);
    return Status::OK();
  }

 private:
  VT type_;
  SqlPos pos_;
  std::vector<Operand> args_;
};

// LIKE / SIMILAR TO with a pattern known only per row: compiles it when it
// changes from the previous row's.
struct PatternCache {
  bool similar = false;
  std::string pattern;
  std::string escape;
  bool valid = false;
  std::optional<LikePattern> like;
  std::optional<SqlRegex> regex;

  Status Prepare(const std::string& p, const std::string* esc) {
    std::string e = esc == nullptr ? std::string() : *esc;
    if (valid && p == pattern && e == escape) return Status::OK();
    valid = false;
    std::optional<char32_t> escape_char;
    if (esc != nullptr) {
      if (Utf8Length(e) != 1) return Status::InvalidArgument("ESCAPE must be one character");
      size_t i = 0;
      escape_char = DecodeUtf8(e, &i);
    }
    if (similar) {
      Result<SqlRegex> r = SqlRegex::CompileSimilar(p, escape_char);
      if (!r.ok()) return r.status();
      regex = std::move(r).value();
    } else {
      Result<LikePattern> l = LikePattern::Compile(p, escape_char);
      if (!l.ok()) return l.status();
      like = std::move(l).value();
    }
    pattern = p;
    escape = e;
    valid = true;
    return Status::OK();
  }
  bool Matches(std::string_view s) const {
    return similar ? regex->FullMatch(s) : like->Matches(s);
  }
};

}  // namespace

bool Comparable(VT a, VT b) {
  if (a == VT::kNull || b == VT::kNull || a == b) return true;
  return IsNumeric(a) && IsNumeric(b);
}

Status CoerceTemporalLiteral(BoundExprPtr* a, const BoundExprPtr& b) {
  const SqlValue* v = ConstantOf(**a);
  VT bt = b->type();
  if (v == nullptr || v->is_null || v->type != VT::kString ||
      (bt != VT::kTimestamp && bt != VT::kDate && bt != VT::kTime)) {
    return Status::OK();
  }
  SqlType target;
  target.kind = bt == VT::kTimestamp ? SqlType::Kind::kTimestamp
                : bt == VT::kDate    ? SqlType::Kind::kDate
                                     : SqlType::Kind::kTime;
  SqlValue converted;
  Status s = CastValue(*v, target, &converted);
  if (!s.ok()) return ErrorAt((*a)->pos(), s.message());
  *a = std::make_unique<LiteralExpr>(std::move(converted), (*a)->pos());
  return Status::OK();
}

Result<ValueType> CommonType(const std::vector<ValueType>& types, SqlPos pos,
                             std::string_view what) {
  VT t = VT::kNull;
  for (VT x : types) {
    if (x == VT::kNull) continue;
    if (t == VT::kNull || t == x) {
      t = x;
    } else if (IsNumeric(t) && IsNumeric(x)) {
      t = WiderNumeric(t, x);
    } else {
      return ErrorAt(pos, std::string(what) + " has incompatible types " + ValueTypeName(t) +
                              " and " + ValueTypeName(x));
    }
  }
  return t;
}

Result<BoundExprPtr> BindArithmetic(const std::string& op, BoundExprPtr l, BoundExprPtr r,
                                    SqlPos pos) {
  VT lt = l->type();
  VT rt = r->type();
  if (lt == VT::kNull || rt == VT::kNull) {
    VT other = lt == VT::kNull ? rt : lt;
    if (other == VT::kNull || IsNumeric(other) || IsInterval(other) || other == VT::kTimestamp ||
        other == VT::kDate || other == VT::kTime) {
      return NullOf(other, pos);
    }
    return CannotApply(op, lt, rt, pos);
  }
  if (IsNumeric(lt) && IsNumeric(rt)) {
    VT t = WiderNumeric(lt, rt);
    ScalarBody body = t == VT::kInteger ? IntegerArithmetic(op[0]) : RealArithmetic(op[0], t);
    return MakeFunction(t, pos, Args(std::move(l), std::move(r)), std::move(body));
  }
  return TemporalArithmetic(op, std::move(l), std::move(r), pos);
}

Result<BoundExprPtr> BindSign(const std::string& op, BoundExprPtr e, SqlPos pos) {
  VT t = e->type();
  if (!IsNumeric(t) && !IsInterval(t) && t != VT::kNull) {
    return ErrorAt(pos, "cannot apply unary " + op + " to " + ValueTypeName(t));
  }
  if (op == "+") return e;
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(e));
  return MakeFunction(t, pos, std::move(args), [t](const SqlValue* const* a, SqlValue* out) {
    if (t == VT::kDouble || t == VT::kDecimal) {
      SetDouble(out, t, -a[0]->d);
      return Status::OK();
    }
    if (a[0]->i == INT64_MIN) return Overflow();
    SetInt(out, t, -a[0]->i);
    return Status::OK();
  });
}

Result<BoundExprPtr> BindComparison(const std::string& op, BoundExprPtr l, BoundExprPtr r,
                                    SqlPos pos) {
  GL_RETURN_IF_ERROR(CoerceTemporalLiteral(&l, r));
  GL_RETURN_IF_ERROR(CoerceTemporalLiteral(&r, l));
  if (!Comparable(l->type(), r->type())) {
    return ErrorAt(pos, std::string("cannot compare ") + ValueTypeName(l->type()) + " with " +
                            ValueTypeName(r->type()));
  }
  ScalarBody body;
  if (l->type() == VT::kInteger && r->type() == VT::kInteger) {
    body = [op](const SqlValue* const* a, SqlValue* out) {
      int64_t x = a[0]->i;
      int64_t y = a[1]->i;
      SetBool(out, CompareResult(op, x < y ? -1 : (x > y ? 1 : 0)));
      return Status::OK();
    };
  } else {
    body = [op](const SqlValue* const* a, SqlValue* out) {
      SetBool(out, CompareResult(op, CompareValues(*a[0], *a[1])));
      return Status::OK();
    };
  }
  return MakeFunction(VT::kBoolean, pos, Args(std::move(l), std::move(r)), std::move(body));
}

Result<BoundExprPtr> BindAnd(BoundExprPtr l, BoundExprPtr r, SqlPos pos) {
  return BindLogic(true, std::move(l), std::move(r), pos);
}

Result<BoundExprPtr> BindOr(BoundExprPtr l, BoundExprPtr r, SqlPos pos) {
  return BindLogic(false, std::move(l), std::move(r), pos);
}

Result<BoundExprPtr> BindNot(BoundExprPtr e, SqlPos pos) {
  if (!IsBooleanOrNull(e->type())) {
    return ErrorAt(pos,
                   std::string("NOT needs a BOOLEAN operand, found ") + ValueTypeName(e->type()));
  }
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(e));
  return MakeFunction(VT::kBoolean, pos, std::move(args),
                      [](const SqlValue* const* a, SqlValue* out) {
                        SetBool(out, a[0]->i == 0);
                        return Status::OK();
                      });
}

Result<BoundExprPtr> BindIsNull(BoundExprPtr e, bool negated, SqlPos pos) {
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(e));
  return MakeFunction(
      VT::kBoolean, pos, std::move(args),
      [negated](const SqlValue* const* a, SqlValue* out) {
        SetBool(out, a[0]->is_null != negated);
        return Status::OK();
      },
      /*strict=*/false);
}

Result<BoundExprPtr> BindBetween(BoundExprPtr x, BoundExprPtr lo, BoundExprPtr hi, bool negated,
                                 SqlPos pos) {
  GL_RETURN_IF_ERROR(CoerceTemporalLiteral(&lo, x));
  GL_RETURN_IF_ERROR(CoerceTemporalLiteral(&hi, x));
  for (const BoundExprPtr* b : {&lo, &hi}) {
    if (!Comparable(x->type(), (*b)->type())) {
      return ErrorAt(pos, std::string("cannot compare ") + ValueTypeName(x->type()) + " with " +
                              ValueTypeName((*b)->type()));
    }
  }
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(x));
  args.push_back(std::move(lo));
  args.push_back(std::move(hi));
  return MakeFunction(
      VT::kBoolean, pos, std::move(args),
      [negated](const SqlValue* const* a, SqlValue* out) {
        // x >= lo AND x <= hi, three-valued.
        int ge = a[0]->is_null || a[1]->is_null ? -1 : CompareValues(*a[0], *a[1]) >= 0;
        int le = a[0]->is_null || a[2]->is_null ? -1 : CompareValues(*a[0], *a[2]) <= 0;
        if (ge == 0 || le == 0) {
          SetBool(out, negated);
        } else if (ge == -1 || le == -1) {
          SetNull(out, VT::kBoolean);
        } else {
          SetBool(out, !negated);
        }
        return Status::OK();
      },
      /*strict=*/false);
}

Result<BoundExprPtr> BindInList(BoundExprPtr x, std::vector<BoundExprPtr> list, bool negated,
                                SqlPos pos) {
  for (BoundExprPtr& item : list) {
    GL_RETURN_IF_ERROR(CoerceTemporalLiteral(&item, x));
    if (!Comparable(x->type(), item->type())) {
      return ErrorAt(item->pos(), std::string("cannot compare ") + ValueTypeName(x->type()) +
                                      " with " + ValueTypeName(item->type()) + " in IN list");
    }
  }
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(x));
  for (BoundExprPtr& item : list) args.push_back(std::move(item));
  size_t n = args.size();
  return MakeFunction(
      VT::kBoolean, pos, std::move(args),
      [negated, n](const SqlValue* const* a, SqlValue* out) {
        if (a[0]->is_null) {
          SetNull(out, VT::kBoolean);
          return Status::OK();
        }
        bool saw_null = false;
        for (size_t k = 1; k < n; ++k) {
          if (a[k]->is_null) {
            saw_null = true;
          } else if (CompareValues(*a[0], *a[k]) == 0) {
            SetBool(out, !negated);
            return Status::OK();
          }
        }
        if (saw_null) {
          SetNull(out, VT::kBoolean);
        } else {
          SetBool(out, negated);
        }
        return Status::OK();
      },
      /*strict=*/false);
}

Result<BoundExprPtr> BindLike(BoundExprPtr s, BoundExprPtr pattern, BoundExprPtr escape,
                              bool negated, bool similar, SqlPos pos) {
  const char* name = similar ? "SIMILAR TO" : "LIKE";
  for (const BoundExprPtr* e : {&s, &pattern, &escape}) {
    if (*e && (*e)->type() != VT::kString && (*e)->type() != VT::kNull) {
      return ErrorAt((*e)->pos(), std::string(name) + " needs VARCHAR operands, found " +
                                      ValueTypeName((*e)->type()));
    }
  }
  auto cache = std::make_shared<PatternCache>();
  cache->similar = similar;
  const SqlValue* p = ConstantOf(*pattern);
  const SqlValue* e = escape ? ConstantOf(*escape) : nullptr;
  if (p != nullptr && !p->is_null && (!escape || (e != nullptr && !e->is_null))) {
    // A constant pattern: compiled (and its errors reported) now.
    Status st = cache->Prepare(p->s, e == nullptr ? nullptr : &e->s);
    if (!st.ok()) return ErrorAt(pattern->pos(), st.message());
  }
  bool has_escape = escape != nullptr;
  std::vector<BoundExprPtr> args;
  args.push_back(std::move(s));
  args.push_back(std::move(pattern));
  if (escape) args.push_back(std::move(escape));
  return MakeFunction(
      VT::kBoolean, pos, std::move(args),
      [cache, has_escape, negated](const SqlValue* const* a, SqlValue* out) {
        GL_RETURN_IF_ERROR(cache->Prepare(a[1]->s, has_escape ? &a[2]->s : nullptr));
        SetBool(out, cache->Matches(a[0]->s) != negated);
        return Status::OK();
      });
}

Result<BoundExprPtr> BindConcat(BoundExprPtr l, BoundExprPtr r, SqlPos pos) {
  for (const BoundExprPtr* e : {&l, &r}) {
    if ((*e)->type() != VT::kString && (*e)->type() != VT::kNull) {
      return CannotApply("||", l->type(), r->type(), pos);
    }
  }
  return MakeFunction(VT::kString, pos, Args(std::move(l), std::move(r)),
                      [](const SqlValue* const* a, SqlValue* out) {
                        std::string s;
                        s.reserve(a[0]->s.size() + a[1]->s.size());
                        s.append(a[0]->s).append(a[1]->s);
                        SetString(out, std::move(s));
                        return Status::OK();
                      });
}

Result<BoundExprPtr> BindCase(BoundExprPtr operand, std::vector<BoundExprPtr> whens,
                              std::vector<BoundExprPtr> thens, BoundExprPtr else_expr, SqlPos pos) {
  for (BoundExprPtr& w : whens) {
    if (operand) {
      GL_RETURN_IF_ERROR(CoerceTemporalLiteral(&w, operand));
      if (!Comparable(operand->type(), w->type())) {
        return ErrorAt(w->pos(), std::string("cannot compare ") + ValueTypeName(operand->type()) +
                                     " with " + ValueTypeName(w->type()) + " in CASE");
      }
    } else if (!IsBooleanOrNull(w->type())) {
      return ErrorAt(w->pos(), std::string("WHEN needs a BOOLEAN condition, found ") +
                                   ValueTypeName(w->type()));
    }
  }
  std::vector<VT> types;
  for (const BoundExprPtr& t : thens) types.push_back(t->type());
  if (else_expr) types.push_back(else_expr->type());
  GL_ASSIGN_OR_RETURN(VT type, CommonType(types, pos, "CASE"));
  return BoundExprPtr(std::make_unique<CaseExpr>(type, pos, std::move(operand), std::move(whens),
                                                 std::move(thens), std::move(else_expr)));
}

Result<BoundExprPtr> BindCoalesce(std::vector<BoundExprPtr> args, SqlPos pos) {
  if (args.empty()) return ErrorAt(pos, "COALESCE needs at least one argument");
  std::vector<VT> types;
  for (const BoundExprPtr& a : args) types.push_back(a->type());
  GL_ASSIGN_OR_RETURN(VT type, CommonType(types, pos, "COALESCE"));
  return BoundExprPtr(std::make_unique<CoalesceExpr>(type, pos, std::move(args)));
}

Result<BoundExprPtr> BindNullIf(BoundExprPtr a, BoundExprPtr b, SqlPos pos) {
  GL_RETURN_IF_ERROR(CoerceTemporalLiteral(&b, a));
  if (!Comparable(a->type(), b->type())) {
    return ErrorAt(pos, std::string("NULLIF cannot compare ") + ValueTypeName(a->type()) +
                            " with " + ValueTypeName(b->type()));
  }
  VT type = a->type();
  return MakeFunction(
      type, pos, Args(std::move(a), std::move(b)),
      [type](const SqlValue* const* v, SqlValue* out) {
        if (v[0]->is_null || (!v[1]->is_null && CompareValues(*v[0], *v[1]) == 0)) {
          SetNull(out, type);
        } else {
          *out = *v[0];
        }
        return Status::OK();
      },
      /*strict=*/false);
}

}  // namespace gamelake

#include "streaming/expr_nodes.h"

namespace gamelake {

FunctionExpr::FunctionExpr(ValueType type, SqlPos pos, std::vector<BoundExprPtr> args,
                           ScalarBody body, bool strict)
    : type_(type), pos_(pos), body_(std::move(body)), strict_(strict) {
  args_.reserve(args.size());
  for (BoundExprPtr& a : args) args_.emplace_back(std::move(a));
  values_.resize(args_.size());
}

Status FunctionExpr::Eval(const EvalRows& in, SqlValue* out) const {
  for (size_t i = 0; i < args_.size(); ++i) {
    GL_RETURN_IF_ERROR(args_[i].Get(in, &values_[i]));
    if (strict_ && values_[i]->is_null) {
      SetNull(out, type_);
      return Status::OK();
    }
  }
  Status s = body_(values_.data(), out);
  if (!s.ok()) return ErrorAt(pos_, s.message());
  return Status::OK();
}

bool FunctionExpr::Foldable() const {
  if (args_.empty()) return false;
  for (const Operand& a : args_) {
    if (ConstantOf(a.expr()) == nullptr) return false;
  }
  return true;
}

BoundExprPtr MakeFunction(ValueType type, SqlPos pos, std::vector<BoundExprPtr> args,
                          ScalarBody body, bool strict) {
  auto f = std::make_unique<FunctionExpr>(type, pos, std::move(args), std::move(body), strict);
  if (f->Foldable()) {
    SqlValue v;
    if (f->Eval(EvalRows{}, &v).ok()) return std::make_unique<LiteralExpr>(std::move(v), pos);
  }
  return f;
}

}  // namespace gamelake

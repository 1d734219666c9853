#include "streaming/filter_project.h"

#include <utility>

namespace gamelake {

FilterProject::FilterProject(BoundExprPtr where, std::vector<BoundExprPtr> projection, int split_at)
    : where_(std::move(where)), projection_(std::move(projection)), split_at_(split_at) {}

void FilterProject::Split(const StreamRow& row, EvalRows* in) {
  size_t at = static_cast<size_t>(split_at_);
  left_.values.assign(row.values.begin(), row.values.begin() + at);
  right_.values.assign(row.values.begin() + at, row.values.end());
  // Each half ends with its side's ROWTIME (so o.ROWTIME is the order's, not
  // the match's); NULL there is the missing side of an outer row, whose
  // columns (ROWTIME too) then all read NULL.
  StreamRow* halves[2] = {&left_, &right_};
  for (int k = 0; k < 2; ++k) {
    const SqlValue& rowtime = halves[k]->values.back();
    halves[k]->rowtime_ms = rowtime.is_null ? row.rowtime_ms : rowtime.i;
    in->rows[k] = rowtime.is_null ? nullptr : halves[k];
  }
}

Status FilterProject::Push(int, const StreamRow& row, RowEmitter* out) {
  EvalRows in;
  if (split_at_ >= 0) {
    Split(row, &in);
  } else {
    in.rows[0] = &row;
  }
  if (where_ != nullptr) {
    Status s = where_->Eval(in, &cond_);
    if (!s.ok()) {
      out->Error(row, where_->pos(), s.message());
      return Status::OK();
    }
    if (cond_.is_null || cond_.i == 0) return Status::OK();
  }
  if (projection_.empty()) {
    out->Emit(row);
    return Status::OK();
  }
  StreamRow result;
  result.rowtime_ms = row.rowtime_ms;
  result.values.resize(projection_.size());
  for (size_t i = 0; i < projection_.size(); ++i) {
    Status s = projection_[i]->Eval(in, &result.values[i]);
    if (!s.ok()) {
      out->Error(row, projection_[i]->pos(), s.message());
      return Status::OK();
    }
  }
  out->Emit(std::move(result));
  return Status::OK();
}

}  // namespace gamelake

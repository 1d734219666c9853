#include "streaming/reference_join.h"

#include <fmt/format.h>

namespace gamelake {
namespace {

// The keys of `row` read as input `input` of EvalRows.
Status EvalKeys(const std::vector<BoundExprPtr>& keys, int input, const StreamRow& row,
                std::vector<SqlValue>* out, SqlPos* where) {
  EvalRows in;
  in.rows[input] = &row;
  return EvalEach(keys, in, out, where);
}

}  // namespace

Result<std::unique_ptr<ReferenceJoin>> ReferenceJoin::Create(
    std::shared_ptr<const ReferenceTable> table, bool left, std::vector<BoundExprPtr> stream_keys,
    std::vector<BoundExprPtr> table_keys, BoundExprPtr condition) {
  std::unique_ptr<ReferenceJoin> join(new ReferenceJoin());
  if (!table_keys.empty()) {
    std::vector<SqlValue> key;
    for (size_t i = 0; i < table->rows.size(); ++i) {
      SqlPos where;
      Status s = EvalKeys(table_keys, 1, table->rows[i], &key, &where);
      if (!s.ok()) {
        return Status::InvalidArgument(fmt::format("{}:{}: row {} of reference table \"{}\": {}",
                                                   where.line, where.column, i + 2, table->name,
                                                   s.message()));
      }
      if (!AnyNull(key)) join->index_[key].push_back(i);
    }
  }
  join->table_ = std::move(table);
  join->left_ = left;
  join->stream_keys_ = std::move(stream_keys);
  join->condition_ = std::move(condition);
  return join;
}

Status ReferenceJoin::Push(int input, const StreamRow& row, RowEmitter* out) {
  bool matched = false;
  bool failed = false;
  if (stream_keys_.empty()) {
    for (const StreamRow& t : table_->rows) {
      matched |= TryPair(row, t, out, &failed);
      if (failed) return Status::OK();
    }
  } else {
    std::vector<SqlValue> key;
    SqlPos where;
    if (Status s = EvalKeys(stream_keys_, 0, row, &key, &where); !s.ok()) {
      out->Error(row, where, s.message());
      return Status::OK();
    }
    auto it = AnyNull(key) ? index_.end() : index_.find(key);
    if (it != index_.end()) {
      for (size_t i : it->second) {
        matched |= TryPair(row, table_->rows[i], out, &failed);
        if (failed) return Status::OK();
      }
    }
  }
  if (!matched && left_) out->Emit(Joined(row, nullptr));
  return Status::OK();
}

bool ReferenceJoin::TryPair(const StreamRow& row, const StreamRow& t, RowEmitter* out,
                            bool* failed) {
  if (condition_ != nullptr) {
    EvalRows in;
    in.rows[0] = &row;
    in.rows[1] = &t;
    SqlValue v;
    Status s = condition_->Eval(in, &v);
    if (!s.ok()) {
      out->Error(row, condition_->pos(), s.message());
      *failed = true;
      return false;
    }
    if (v.is_null || v.i == 0) return false;
  }
  out->Emit(Joined(row, &t));
  return true;
}

StreamRow ReferenceJoin::Joined(const StreamRow& row, const StreamRow* t) const {
  StreamRow r;
  r.rowtime_ms = row.rowtime_ms;
  r.values.reserve(row.values.size() + table_->schema.columns.size() + 2);
  r.values.insert(r.values.end(), row.values.begin(), row.values.end());
  r.values.push_back(SqlValue::Timestamp(row.rowtime_ms));
  if (t != nullptr) {
    r.values.insert(r.values.end(), t->values.begin(), t->values.end());
    r.values.push_back(SqlValue::Timestamp(row.rowtime_ms));  // A table has none: the match's.
  } else {
    for (const StreamColumn& c : table_->schema.columns) {
      r.values.push_back(SqlValue::Null(ValueTypeOf(c.type)));
    }
    r.values.push_back(SqlValue::Null(ValueType::kTimestamp));
  }
  return r;
}

}  // namespace gamelake

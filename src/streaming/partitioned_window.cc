#include "streaming/partitioned_window.h"

#include <algorithm>
#include <utility>

namespace gamelake {
namespace {

constexpr uint64_t kStaggerTag = 0x53544731;  // "STG1"
constexpr uint64_t kSessionTag = 0x53455331;  // "SES1"
// Hash node, list node and key bookkeeping per window, roughly.
constexpr size_t kWindowOverhead = 96;

}  // namespace

PartitionedWindow::PartitionedWindow(Kind kind, std::vector<BoundExprPtr> partition_by,
                                     int64_t span_ms, std::vector<BoundAggregate> aggregates,
                                     size_t max_state_bytes)
    : kind_(kind),
      partition_by_(std::move(partition_by)),
      span_ms_(span_ms),
      aggregates_(std::move(aggregates)),
      max_state_bytes_(max_state_bytes) {}

Status PartitionedWindow::Push(int, const StreamRow& row, RowEmitter* out) {
  SqlPos pos;
  Status s = EvalKey(partition_by_, row, &key_, &pos);
  if (s.ok()) s = EvalAggregateArgs(aggregates_, row, &args_, &pos);
  if (!s.ok()) {
    out->Error(row, pos, s.message());
    return Status::OK();
  }
  // A row out of ROWTIME order counts as arriving now.
  int64_t rowtime = has_now_ ? std::max(now_, row.rowtime_ms) : row.rowtime_ms;
  now_ = rowtime;
  has_now_ = true;
  CloseUpTo(rowtime, out);
  Open& window = OpenFor(key_, rowtime);
  size_t before = window.group.Bytes();
  window.group.Add(args_, row.rowtime_ms);
  window.last_rowtime = rowtime;
  if (kind_ == Kind::kSession) {
    window.end = rowtime + span_ms_;
    order_.splice(order_.end(), order_, window.order);
  }
  size_t after = window.group.Bytes();
  window.bytes += after - before;
  bytes_ += after - before;
  if (bytes_ > max_state_bytes_) return StateOverBound(What(), bytes_, max_state_bytes_);
  return Status::OK();
}

PartitionedWindow::Open& PartitionedWindow::OpenFor(const std::vector<SqlValue>& key,
                                                    int64_t rowtime) {
  auto [it, inserted] = open_.try_emplace(key, aggregates_);
  Open& window = it->second;
  if (inserted) {
    window.first_rowtime = rowtime;
    window.end = rowtime + span_ms_;
    window.order = order_.insert(order_.end(), &it->first);
    window.bytes =
        sizeof(Windows::value_type) + kWindowOverhead + ValuesBytes(key) + window.group.Bytes();
    bytes_ += window.bytes;
  }
  return window;
}

Status PartitionedWindow::AdvanceTime(int64_t rowtime_ms, RowEmitter* out) {
  CloseUpTo(rowtime_ms, out);
  return Status::OK();
}

void PartitionedWindow::CloseUpTo(int64_t rowtime, RowEmitter* out) {
  while (!order_.empty()) {
    auto it = open_.find(*order_.front());
    if (it->second.end > rowtime) break;
    Emit(it->first, it->second, out);
    bytes_ -= it->second.bytes;
    order_.pop_front();
    open_.erase(it);
  }
}

void PartitionedWindow::Emit(const std::vector<SqlValue>& key, const Open& window,
                             RowEmitter* out) {
  StreamRow r;
  r.rowtime_ms = window.end;
  r.values.reserve(key.size() + aggregates_.size() + 2);
  r.values = key;
  SqlPos pos;
  Status s = window.group.AppendResults(&r.values, &pos);
  if (!s.ok()) {
    r.values.resize(key.size());
    for (const BoundAggregate& a : aggregates_) {
      r.values.push_back(SqlValue::Null(a.spec.result_type));
    }
  }
  if (kind_ == Kind::kSession) {
    r.values.push_back(SqlValue::Timestamp(window.first_rowtime));
    r.values.push_back(SqlValue::Timestamp(window.last_rowtime));
  }
  if (s.ok()) {
    out->Emit(std::move(r));
  } else {
    out->Error(r, pos, s.message());
  }
}

void PartitionedWindow::SaveState(StateWriter* w) const {
  w->PutU64(kind_ == Kind::kStagger ? kStaggerTag : kSessionTag);
  w->PutU64(has_now_ ? 1 : 0);
  w->PutI64(now_);
  w->PutU64(order_.size());
  for (const std::vector<SqlValue>* key : order_) {
    const Open& window = open_.find(*key)->second;
    SaveKey(*key, w);
    w->PutI64(window.first_rowtime);
    w->PutI64(window.last_rowtime);
    w->PutI64(window.end);
    window.group.Save(w);
  }
}

Status PartitionedWindow::LoadState(StateReader* r) {
  uint64_t tag = 0, flag = 0, n = 0;
  GL_RETURN_IF_ERROR(r->GetU64(&tag));
  if (tag != (kind_ == Kind::kStagger ? kStaggerTag : kSessionTag)) {
    return Status::Corruption(std::string("not the state of ") + What());
  }
  GL_RETURN_IF_ERROR(r->GetU64(&flag));
  has_now_ = flag != 0;
  GL_RETURN_IF_ERROR(r->GetI64(&now_));
  GL_RETURN_IF_ERROR(r->GetU64(&n));
  open_.clear();
  order_.clear();
  bytes_ = 0;
  for (uint64_t i = 0; i < n; ++i) {
    std::vector<SqlValue> key;
    GL_RETURN_IF_ERROR(LoadKey(r, &key));
    if (key.size() != partition_by_.size()) {
      return Status::Corruption(std::string(What()) + " state has keys of " +
                                std::to_string(key.size()) + " columns, the query " +
                                std::to_string(partition_by_.size()));
    }
    Open& window = OpenFor(key, 0);
    GL_RETURN_IF_ERROR(r->GetI64(&window.first_rowtime));
    GL_RETURN_IF_ERROR(r->GetI64(&window.last_rowtime));
    GL_RETURN_IF_ERROR(r->GetI64(&window.end));
    size_t before = window.group.Bytes();
    GL_RETURN_IF_ERROR(window.group.Load(r));
    size_t after = window.group.Bytes();
    window.bytes += after - before;
    bytes_ += after - before;
  }
  return Status::OK();
}

}  // namespace gamelake

#include "streaming/items_tumbling.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/civil_time.h"

namespace gamelake {
namespace {

constexpr uint64_t kTopKTag = 0x544f504b;           // "TOPK"
constexpr uint64_t kCountDistinctTag = 0x434e5444;  // "CNTD"
constexpr size_t kNodeBytes = 32;                   // Hash node bookkeeping, roughly.

}  // namespace

ItemsTumbling::ItemsTumbling(Kind kind, BoundExprPtr item, int64_t k, int64_t window_ms,
                             size_t max_state_bytes)
    : kind_(kind),
      item_(std::move(item)),
      k_(k),
      window_ms_(window_ms > 0 ? window_ms : 1),
      max_state_bytes_(max_state_bytes) {}

Status ItemsTumbling::Push(int, const StreamRow& row, RowEmitter* out) {
  EvalRows in;
  in.rows[0] = &row;
  SqlValue item;
  Status s = item_->Eval(in, &item);
  if (!s.ok()) {
    out->Error(row, item_->pos(), s.message());
    return Status::OK();
  }
  CloseIfEnded(row.rowtime_ms, out);
  int64_t start = FloorDiv(row.rowtime_ms, window_ms_) * window_ms_;
  // A window already emitted: an earlier one, or the last one once closed.
  if (seen_ && (start < start_ || (!open_ && start == start_))) {
    out->Error(row, item_->pos(),
               "late row: its window [" + FormatTimestampMs(start) + ", " +
                   FormatTimestampMs(start + window_ms_) + ") was already emitted");
    return Status::OK();
  }
  open_ = seen_ = true;
  start_ = start;
  if (!item.is_null) Count(item);
  if (bytes_ > max_state_bytes_) {
    return StateOverBound(
        kind_ == Kind::kTopK ? "TOP_K_ITEMS_TUMBLING" : "COUNT_DISTINCT_ITEMS_TUMBLING", bytes_,
        max_state_bytes_);
  }
  return Status::OK();
}

void ItemsTumbling::Count(const SqlValue& item) {
  auto [it, inserted] = counts_.try_emplace(item, 0);
  ++it->second;
  if (inserted) bytes_ += ValueBytes(item) + sizeof(int64_t) + kNodeBytes;
}

Status ItemsTumbling::AdvanceTime(int64_t rowtime_ms, RowEmitter* out) {
  CloseIfEnded(rowtime_ms, out);
  return Status::OK();
}

void ItemsTumbling::CloseIfEnded(int64_t rowtime, RowEmitter* out) {
  if (!open_ || rowtime < start_ + window_ms_) return;
  int64_t end = start_ + window_ms_;
  if (kind_ == Kind::kCountDistinct) {
    StreamRow r;
    r.rowtime_ms = end;
    r.values.push_back(SqlValue::Integer(static_cast<int64_t>(counts_.size())));
    out->Emit(std::move(r));
  } else {
    std::vector<const std::pair<const SqlValue, int64_t>*> items;
    items.reserve(counts_.size());
    for (const auto& c : counts_) items.push_back(&c);
    size_t k = std::min(items.size(), static_cast<size_t>(std::max<int64_t>(k_, 0)));
    auto more_frequent = [](const auto* a, const auto* b) {
      if (a->second != b->second) return a->second > b->second;
      return CompareValues(a->first, b->first) < 0;
    };
    std::partial_sort(items.begin(), items.begin() + k, items.end(), more_frequent);
    for (size_t i = 0; i < k; ++i) {
      StreamRow r;
      r.rowtime_ms = end;
      r.values = {items[i]->first, SqlValue::Integer(items[i]->second)};
      out->Emit(std::move(r));
    }
  }
  counts_.clear();
  bytes_ = 0;
  open_ = false;
}

void ItemsTumbling::SaveState(StateWriter* w) const {
  w->PutU64(kind_ == Kind::kTopK ? kTopKTag : kCountDistinctTag);
  w->PutU64((open_ ? 1 : 0) | (seen_ ? 2 : 0));
  w->PutI64(start_);
  // In item order, so equal states save equal bytes.
  std::vector<const std::pair<const SqlValue, int64_t>*> items;
  for (const auto& c : counts_) items.push_back(&c);
  std::sort(items.begin(), items.end(),
            [](const auto* a, const auto* b) { return CompareValues(a->first, b->first) < 0; });
  w->PutU64(items.size());
  for (const auto* c : items) {
    w->PutValue(c->first);
    w->PutI64(c->second);
  }
}

Status ItemsTumbling::LoadState(StateReader* r) {
  uint64_t tag = 0, open = 0, n = 0;
  GL_RETURN_IF_ERROR(r->GetU64(&tag));
  if (tag != (kind_ == Kind::kTopK ? kTopKTag : kCountDistinctTag)) {
    return Status::Corruption("not the state of this items function");
  }
  GL_RETURN_IF_ERROR(r->GetU64(&open));
  open_ = (open & 1) != 0;
  seen_ = (open & 2) != 0;
  GL_RETURN_IF_ERROR(r->GetI64(&start_));
  GL_RETURN_IF_ERROR(r->GetU64(&n));
  counts_.clear();
  bytes_ = 0;
  for (uint64_t i = 0; i < n; ++i) {
    SqlValue item;
    int64_t count = 0;
    GL_RETURN_IF_ERROR(r->GetValue(&item));
    GL_RETURN_IF_ERROR(r->GetI64(&count));
    Count(item);
    counts_[item] = count;
  }
  return Status::OK();
}

}  // namespace gamelake

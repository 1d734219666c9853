#include "streaming/tumbling_aggregate.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "common/civil_time.h"

namespace gamelake {
namespace {

constexpr uint64_t kStateTag = 0x544d4231;  // "TMB1"
constexpr int64_t kMsPerDay = kSecondsPerDay * 1000;
// Map and hash-node bookkeeping per window or group, roughly.
constexpr size_t kNodeBytes = 64;

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? std::numeric_limits<int64_t>::max() : 0;
  return r;
}

int64_t AddMonths(int64_t ms, int months) {
  int64_t days = FloorDiv(ms, kMsPerDay);
  CivilTime c = ToCivil(days * kSecondsPerDay * kMicrosPerSecond);
  int64_t month_start = DaysFromCivil(c.year, c.month, 1) * kMsPerDay;
  int64_t total = c.year * 12 + (c.month - 1) + months;
  int64_t next =
      DaysFromCivil(FloorDiv(total, 12), static_cast<int>(total - FloorDiv(total, 12) * 12) + 1, 1);
  return next * kMsPerDay + (ms - month_start);
}

}  // namespace

TumblingAggregate::TumblingAggregate(std::vector<BoundExprPtr> keys, int window_key,
                                     std::vector<BoundAggregate> aggregates, Options options)
    : keys_(std::move(keys)),
      window_key_(window_key),
      aggregates_(std::move(aggregates)),
      options_(std::move(options)) {}

int64_t TumblingAggregate::WindowEnd(int64_t start) const {
  if (options_.length_months > 0) return AddMonths(start, options_.length_months);
  return SaturatingAdd(start, options_.length_ms);
}

bool TumblingAggregate::IsLate(const SqlValue& wk, std::string* why) const {
  if (!KnownLength()) {
    if (windows_.empty() || CompareValues(wk, windows_.begin()->first) >= 0) return false;
    *why = "late row: its window key is below the open window's";
    return true;
  }
  if (!has_watermark_ || WindowEnd(wk.i) > watermark_) return false;
  *why = "late row: its window [" + FormatTimestampMs(wk.i) + ", " +
         FormatTimestampMs(WindowEnd(wk.i)) + ") closed at watermark " +
         FormatTimestampMs(watermark_);
  if (options_.event_time != nullptr) {
    *why += " (newest event time " + FormatTimestampMs(max_event_) + " less the allowed lateness " +
            std::to_string(options_.allowed_lateness_ms) + " ms)";
  }
  return true;
}

Status TumblingAggregate::Push(int, const StreamRow& row, RowEmitter* out) {
  SqlPos pos;
  Status s = EvalKey(keys_, row, &key_, &pos);
  if (s.ok()) s = EvalAggregateArgs(aggregates_, row, &args_, &pos);
  if (!s.ok()) {
    out->Error(row, pos, s.message());
    return Status::OK();
  }
  const SqlValue wk = key_[window_key_];
  SqlPos wk_pos = keys_[window_key_]->pos();
  if (wk.is_null) {
    out->Error(row, wk_pos, "the window key of GROUP BY is NULL");
    return Status::OK();
  }
  int64_t event_time = row.rowtime_ms;
  if (options_.event_time != nullptr) {
    EvalRows in;
    in.rows[0] = &row;
    SqlValue et;
    s = options_.event_time->Eval(in, &et);
    if (!s.ok() || et.is_null) {
      out->Error(row, options_.event_time->pos(), s.ok() ? "the event time is NULL" : s.message());
      return Status::OK();
    }
    event_time = et.i;
  }
  std::string why;
  if (IsLate(wk, &why)) {
    ++late_rows_;
    out->Error(row, wk_pos, why);
    return Status::OK();
  }
  if (!KnownLength()) {
    // KDA: a row that changes the monotonic key completes the open group.
    if (!windows_.empty() && CompareValues(wk, windows_.begin()->first) > 0) {
      Emit(windows_.begin()->second, row.rowtime_ms, out);
      bytes_ -= windows_.begin()->second.bytes;
      windows_.erase(windows_.begin());
    }
    AddToWindow(wk, key_, args_, row.rowtime_ms);
    return CheckBound();
  }
  AddToWindow(wk, key_, args_, row.rowtime_ms);
  int64_t watermark = row.rowtime_ms;
  if (options_.event_time != nullptr) {
    if (!has_event_ || event_time > max_event_) {
      has_event_ = true;
      max_event_ = event_time;
      rowtime_at_max_event_ = row.rowtime_ms;
    }
    watermark = max_event_ - options_.allowed_lateness_ms;
  }
  if (!has_watermark_ || watermark > watermark_) {
    has_watermark_ = true;
    watermark_ = watermark;
  }
  CloseUpTo(watermark_, row.rowtime_ms, out);
  return CheckBound();
}

Status TumblingAggregate::AdvanceTime(int64_t rowtime_ms, RowEmitter* out) {
  if (!KnownLength()) return Status::OK();
  int64_t watermark = rowtime_ms;
  if (options_.event_time != nullptr) {
    if (!has_event_) return Status::OK();
    // No rows: event time is taken to move on as ROWTIME does.
    watermark = max_event_ + (rowtime_ms - rowtime_at_max_event_) - options_.allowed_lateness_ms;
  }
  if (!has_watermark_ || watermark > watermark_) {
    has_watermark_ = true;
    watermark_ = watermark;
  }
  CloseUpTo(watermark_, rowtime_ms, out);
  return Status::OK();
}

void TumblingAggregate::AddToWindow(const SqlValue& wk, const std::vector<SqlValue>& key,
                                    const std::vector<SqlValue>& args, int64_t rowtime) {
  auto [wit, new_window] = windows_.try_emplace(wk);
  Window& window = wit->second;
  if (new_window) {
    window.end = KnownLength() ? WindowEnd(wk.i) : 0;
    window.bytes = sizeof(Window) + ValueBytes(wk) + kNodeBytes;
    bytes_ += window.bytes;
  }
  auto [git, new_group] = window.groups.try_emplace(key, aggregates_);
  size_t before = new_group ? 0 : git->second.Bytes();
  git->second.Add(args, rowtime);
  size_t after = git->second.Bytes() + (new_group ? ValuesBytes(key) + kNodeBytes : 0);
  window.bytes += after - before;
  bytes_ += after - before;
}

void TumblingAggregate::CloseUpTo(int64_t watermark, int64_t close_rowtime, RowEmitter* out) {
  while (!windows_.empty() && windows_.begin()->second.end <= watermark) {
    const Window& window = windows_.begin()->second;
    Emit(window, options_.event_time != nullptr ? close_rowtime : window.end, out);
    bytes_ -= window.bytes;
    windows_.erase(windows_.begin());
  }
}

void TumblingAggregate::Emit(const Window& window, int64_t rowtime, RowEmitter* out) {
  std::vector<const Groups::value_type*> sorted;
  sorted.reserve(window.groups.size());
  for (const auto& g : window.groups) sorted.push_back(&g);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return KeyLess(a->first, b->first); });
  for (const auto* g : sorted) {
    StreamRow r;
    r.rowtime_ms = rowtime;
    r.values.reserve(g->first.size() + aggregates_.size());
    r.values = g->first;
    SqlPos pos;
    Status s = g->second.AppendResults(&r.values, &pos);
    if (s.ok()) {
      out->Emit(std::move(r));
      continue;
    }
    r.values.resize(g->first.size());
    for (const BoundAggregate& a : aggregates_)
      r.values.push_back(SqlValue::Null(a.spec.result_type));
    out->Error(r, pos, s.message());
  }
}

Status TumblingAggregate::CheckBound() const {
  if (bytes_ <= options_.max_state_bytes) return Status::OK();
  return StateOverBound("a GROUP BY window", bytes_, options_.max_state_bytes);
}

void TumblingAggregate::SaveState(StateWriter* w) const {
  w->PutU64(kStateTag);
  w->PutU64(has_watermark_ ? 1 : 0);
  w->PutI64(watermark_);
  w->PutU64(has_event_ ? 1 : 0);
  w->PutI64(max_event_);
  w->PutI64(rowtime_at_max_event_);
  w->PutI64(late_rows_);
  w->PutU64(windows_.size());
  for (const auto& [wk, window] : windows_) {
    w->PutValue(wk);
    w->PutI64(window.end);
    w->PutU64(window.groups.size());
    for (const auto& [key, group] : window.groups) {
      SaveKey(key, w);
      group.Save(w);
    }
  }
}

Status TumblingAggregate::LoadState(StateReader* r) {
  uint64_t tag = 0, flag = 0, n = 0;
  GL_RETURN_IF_ERROR(r->GetU64(&tag));
  if (tag != kStateTag) return Status::Corruption("not the state of a GROUP BY window");
  GL_RETURN_IF_ERROR(r->GetU64(&flag));
  has_watermark_ = flag != 0;
  GL_RETURN_IF_ERROR(r->GetI64(&watermark_));
  GL_RETURN_IF_ERROR(r->GetU64(&flag));
  has_event_ = flag != 0;
  GL_RETURN_IF_ERROR(r->GetI64(&max_event_));
  GL_RETURN_IF_ERROR(r->GetI64(&rowtime_at_max_event_));
  GL_RETURN_IF_ERROR(r->GetI64(&late_rows_));
  GL_RETURN_IF_ERROR(r->GetU64(&n));
  windows_.clear();
  bytes_ = 0;
  for (uint64_t i = 0; i < n; ++i) {
    SqlValue wk;
    GL_RETURN_IF_ERROR(r->GetValue(&wk));
    Window& window = windows_[wk];
    GL_RETURN_IF_ERROR(r->GetI64(&window.end));
    window.bytes = sizeof(Window) + ValueBytes(wk) + kNodeBytes;
    uint64_t groups = 0;
    GL_RETURN_IF_ERROR(r->GetU64(&groups));
    for (uint64_t g = 0; g < groups; ++g) {
      std::vector<SqlValue> key;
      GL_RETURN_IF_ERROR(LoadKey(r, &key));
      if (key.size() != keys_.size()) {
        return Status::Corruption("GROUP BY state has keys of " + std::to_string(key.size()) +
                                  " columns, the query " + std::to_string(keys_.size()));
      }
      auto [it, inserted] = window.groups.try_emplace(std::move(key), aggregates_);
      GL_RETURN_IF_ERROR(it->second.Load(r));
      window.bytes += it->second.Bytes() + ValuesBytes(it->first) + kNodeBytes;
    }
    bytes_ += window.bytes;
  }
  return Status::OK();
}

}  // namespace gamelake

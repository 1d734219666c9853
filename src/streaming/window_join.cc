#include "streaming/window_join.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace gamelake {
namespace {

constexpr uint64_t kStateTag = 0x4a4f4e31;  // "JON1"
constexpr size_t kIndexEntryBytes = sizeof(uint64_t) + 16;

}  // namespace

WindowJoin::WindowJoin(SqlJoin::Type type, Side left, Side right, BoundExprPtr condition,
                       size_t max_state_bytes)
    : type_(type == SqlJoin::Type::kCross ? SqlJoin::Type::kInner : type),
      sides_{std::move(left), std::move(right)},
      condition_(std::move(condition)),
      max_state_bytes_(max_state_bytes) {}

bool WindowJoin::Preserved(int side) const {
  return type_ == SqlJoin::Type::kFull || (side == 0 && type_ == SqlJoin::Type::kLeft) ||
         (side == 1 && type_ == SqlJoin::Type::kRight);
}

int64_t WindowJoin::MatchEnd(int side, const Held& h) const {
  int64_t range = sides_[side].window == Side::Window::kRange ? sides_[side].range_ms : 0;
  int64_t end = 0;
  if (__builtin_add_overflow(h.row.rowtime_ms, range, &end)) {
    end = std::numeric_limits<int64_t>::max();
  }
  return end;
}

Status WindowJoin::Push(int input, const StreamRow& row, RowEmitter* out) {
  int side = input == 0 ? 0 : 1;
  Held arriving;
  arriving.row = row;
  if (!sides_[side].keys.empty()) {
    EvalRows in;
    in.rows[side] = &row;
    SqlPos where;
    if (Status s = EvalEach(sides_[side].keys, in, &arriving.key, &where); !s.ok()) {
      out->Error(row, where, s.message());
      return Status::OK();
    }
  }
  now_ = std::max(now_, row.rowtime_ms);
  ExpireBefore(now_, out);
  Match(side, &arriving, out);
  Hold(side, std::move(arriving));
  if (sides_[side].window == Side::Window::kRows) {
    while (state_[side].held.size() > static_cast<size_t>(sides_[side].preceding_rows) + 1) {
      PopFront(side, now_, out);
    }
  }
  if (bytes_ > max_state_bytes_) {
    return StateOverBound("a stream-to-stream join", bytes_, max_state_bytes_);
  }
  return Status::OK();
}

Status WindowJoin::AdvanceTime(int64_t rowtime_ms, RowEmitter* out) {
  ExpireBefore(rowtime_ms, out);
  return Status::OK();
}

void WindowJoin::ExpireBefore(int64_t rowtime, RowEmitter* out) {
  for (;;) {
    int pick = -1;
    int64_t pick_end = 0;
    for (int s = 0; s < 2; ++s) {
      if (sides_[s].window == Side::Window::kRows || state_[s].held.empty()) continue;
      int64_t end = MatchEnd(s, state_[s].held.front());
      if (end < rowtime && (pick < 0 || end < pick_end)) {
        pick = s;
        pick_end = end;
      }
    }
    if (pick < 0) return;
    PopFront(pick, pick_end, out);
  }
}

void WindowJoin::Match(int side, Held* arriving, RowEmitter* out) {
  int other = 1 - side;
  SideState& st = state_[other];
  auto try_pair = [&](Held& candidate) {
    const StreamRow* left = side == 0 ? &arriving->row : &candidate.row;
    const StreamRow* right = side == 0 ? &candidate.row : &arriving->row;
    if (condition_ != nullptr) {
      EvalRows in;
      in.rows[0] = left;
      in.rows[1] = right;
      SqlValue v;
      Status s = condition_->Eval(in, &v);
      if (!s.ok()) {
        out->Error(arriving->row, condition_->pos(), s.message());
        return;
      }
      if (v.is_null || v.i == 0) return;
    }
    candidate.matched = true;
    arriving->matched = true;
    out->Emit(Joined(left, right, std::max(left->rowtime_ms, right->rowtime_ms)));
  };
  if (sides_[side].keys.empty()) {
    for (size_t i = 0; i < st.held.size(); ++i) try_pair(st.held[i]);
    return;
  }
  if (AnyNull(arriving->key)) return;
  auto it = st.index.find(arriving->key);
  if (it == st.index.end()) return;
  for (size_t i = 0; i < it->second.size(); ++i) try_pair(st.held[it->second[i] - st.first_seq]);
}

void WindowJoin::Hold(int side, Held held) {
  SideState& st = state_[side];
  size_t bytes = HeldBytes(held);
  if (!sides_[side].keys.empty() && !AnyNull(held.key)) {
    st.index[held.key].push_back(st.first_seq + st.held.size());
    bytes += kIndexEntryBytes;
  }
  st.held.push_back(std::move(held));
  st.bytes += bytes;
  bytes_ += bytes;
}

void WindowJoin::PopFront(int side, int64_t outer_rowtime, RowEmitter* out) {
  SideState& st = state_[side];
  Held& h = st.held.front();
  if (!h.matched && Preserved(side)) {
    int64_t rowtime = std::max(h.row.rowtime_ms, outer_rowtime);
    out->Emit(side == 0 ? Joined(&h.row, nullptr, rowtime) : Joined(nullptr, &h.row, rowtime));
  }
  size_t bytes = HeldBytes(h);
  if (!sides_[side].keys.empty() && !AnyNull(h.key)) {
    auto it = st.index.find(h.key);
    if (it != st.index.end()) {
      it->second.pop_front();  // The oldest row of its key is the oldest held.
      if (it->second.empty()) st.index.erase(it);
    }
    bytes += kIndexEntryBytes;
  }
  st.held.pop_front();
  ++st.first_seq;
  st.bytes -= bytes;
  bytes_ -= bytes;
}

StreamRow WindowJoin::Joined(const StreamRow* left, const StreamRow* right, int64_t rowtime) const {
  StreamRow r;
  r.rowtime_ms = rowtime;
  r.values.reserve(sides_[0].column_types.size() + sides_[1].column_types.size() + 2);
  const StreamRow* rows[2] = {left, right};
  for (int s = 0; s < 2; ++s) {
    if (rows[s] != nullptr) {
      r.values.insert(r.values.end(), rows[s]->values.begin(), rows[s]->values.end());
      r.values.push_back(SqlValue::Timestamp(rows[s]->rowtime_ms));
    } else {
      for (ValueType t : sides_[s].column_types) r.values.push_back(SqlValue::Null(t));
      r.values.push_back(SqlValue::Null(ValueType::kTimestamp));
    }
  }
  return r;
}

size_t WindowJoin::HeldBytes(const Held& h) const {
  return sizeof(Held) + ValuesBytes(h.row.values) + ValuesBytes(h.key);
}

void WindowJoin::SaveState(StateWriter* w) const {
  w->PutU64(kStateTag);
  w->PutI64(now_);
  for (const SideState& st : state_) {
    w->PutU64(st.first_seq);
    w->PutU64(st.held.size());
    for (size_t i = 0; i < st.held.size(); ++i) {
      const Held& h = st.held[i];
      w->PutRow(h.row);
      SaveKey(h.key, w);
      w->PutU64(h.matched ? 1 : 0);
    }
  }
}

Status WindowJoin::LoadState(StateReader* r) {
  uint64_t tag = 0;
  GL_RETURN_IF_ERROR(r->GetU64(&tag));
  if (tag != kStateTag) return Status::Corruption("not the state of a stream-to-stream join");
  GL_RETURN_IF_ERROR(r->GetI64(&now_));
  bytes_ = 0;
  for (int side = 0; side < 2; ++side) {
    SideState& st = state_[side];
    st = SideState();
    uint64_t first = 0, n = 0;
    GL_RETURN_IF_ERROR(r->GetU64(&first));
    GL_RETURN_IF_ERROR(r->GetU64(&n));
    st.first_seq = first;
    for (uint64_t i = 0; i < n; ++i) {
      Held h;
      uint64_t matched = 0;
      GL_RETURN_IF_ERROR(r->GetRow(&h.row));
      GL_RETURN_IF_ERROR(LoadKey(r, &h.key));
      GL_RETURN_IF_ERROR(r->GetU64(&matched));
      if (h.key.size() != sides_[side].keys.size()) {
        return Status::Corruption("join state has keys of " + std::to_string(h.key.size()) +
                                  " columns, the query " +
                                  std::to_string(sides_[side].keys.size()));
      }
      h.matched = matched != 0;
      Hold(side, std::move(h));
    }
  }
  return Status::OK();
}

}  // namespace gamelake

#include "streaming/sliding_window.h"

#include <algorithm>
#include <string>
#include <utility>

namespace gamelake {
namespace {

constexpr uint64_t kStateTag = 0x534c4431;  // "SLD1"
// Hash node, list node and key vector bookkeeping per partition, roughly.
constexpr size_t kPartitionOverhead = 96;

}  // namespace

SlidingWindow::SlidingWindow(std::vector<Window> windows, std::vector<Aggregate> aggregates,
                             size_t max_state_bytes)
    : windows_(std::move(windows)),
      aggregates_(std::move(aggregates)),
      max_state_bytes_(max_state_bytes),
      state_(windows_.size()),
      keys_(windows_.size()),
      touched_(windows_.size()) {
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    state_[aggregates_[a].window].aggregates.push_back(static_cast<int>(a));
  }
}

Status SlidingWindow::Push(int, const StreamRow& row, RowEmitter* out) {
  EvalRows in;
  in.rows[0] = &row;
  SqlPos pos;
  Status s;
  for (size_t w = 0; w < windows_.size() && s.ok(); ++w) {
    s = EvalKey(windows_[w].partition_by, row, &keys_[w], &pos);
  }
  args_.resize(aggregates_.size());
  for (size_t a = 0; a < aggregates_.size() && s.ok(); ++a) {
    const BoundAggregate& agg = aggregates_[a].aggregate;
    if (agg.arg == nullptr) {
      args_[a] = SqlValue::Boolean(true);
      continue;
    }
    s = agg.arg->Eval(in, &args_[a]);
    if (!s.ok()) pos = agg.arg->pos();
  }
  if (!s.ok()) {
    out->Error(row, pos, s.message());
    return Status::OK();
  }
  for (size_t w = 0; w < windows_.size(); ++w) {
    int wi = static_cast<int>(w);
    DropIdle(wi, row.rowtime_ms);
    Partitions::value_type& p = FindPartition(wi, keys_[w]);
    touched_[w] = &p.second;
    size_t before = p.second.bytes;
    Slide(wi, p, row.rowtime_ms);
    p.second.bytes = PartitionBytes(p);
    bytes_ += p.second.bytes - before;
  }
  StreamRow result;
  result.rowtime_ms = row.rowtime_ms;
  result.values.reserve(row.values.size() + aggregates_.size());
  result.values = row.values;
  result.values.resize(row.values.size() + aggregates_.size());
  for (size_t w = 0; w < windows_.size() && s.ok(); ++w) {
    const std::vector<int>& aggs = state_[w].aggregates;
    for (size_t i = 0; i < aggs.size() && s.ok(); ++i) {
      s = touched_[w]->accumulators[i]->Result(&result.values[row.values.size() + aggs[i]]);
      if (!s.ok()) pos = aggregates_[aggs[i]].aggregate.spec.pos;
    }
  }
  if (s.ok()) {
    out->Emit(std::move(result));
  } else {
    out->Error(row, pos, s.message());
  }
  if (bytes_ > max_state_bytes_)
    return StateOverBound("a sliding window", bytes_, max_state_bytes_);
  return Status::OK();
}

SlidingWindow::Partitions::value_type& SlidingWindow::FindPartition(
    int w, const std::vector<SqlValue>& key) {
  WindowState& ws = state_[w];
  auto [it, inserted] = ws.partitions.try_emplace(key);
  Partitions::value_type* p = &*it;
  if (inserted) {
    for (int a : ws.aggregates) {
      p->second.accumulators.push_back(NewWindowAccumulator(aggregates_[a].aggregate.spec));
    }
    p->second.lru = ws.lru.insert(ws.lru.end(), p);
  } else {
    ws.lru.splice(ws.lru.end(), ws.lru, p->second.lru);
  }
  return *p;
}

void SlidingWindow::Slide(int w, Partitions::value_type& pv, int64_t rowtime) {
  const Window& window = windows_[w];
  Partition& p = pv.second;
  auto pop_front = [&p]() {
    for (auto& acc : p.accumulators) acc->PopFront(p.first_entry);
    p.entry_keys.pop_front();
    ++p.first_entry;
  };
  int64_t key = 0;
  if (window.unit == Window::Unit::kRange) {
    // A row out of ROWTIME order joins the newest entry.
    key = p.entry_keys.empty() ? rowtime : std::max(rowtime, p.entry_keys.back());
    while (!p.entry_keys.empty() && p.entry_keys.front() < key - window.range_ms) pop_front();
    if (p.entry_keys.empty() || p.entry_keys.back() != key) p.entry_keys.push_back(key);
  } else {
    key = p.next_row++;
    p.entry_keys.push_back(key);
    while (p.entry_keys.front() < key - window.preceding_rows) pop_front();
  }
  uint64_t entry = p.first_entry + p.entry_keys.size() - 1;
  const std::vector<int>& aggs = state_[w].aggregates;
  for (size_t i = 0; i < aggs.size(); ++i) p.accumulators[i]->Add(entry, rowtime, args_[aggs[i]]);
  p.last_rowtime = std::max(p.last_rowtime, rowtime);
}

void SlidingWindow::DropIdle(int w, int64_t rowtime) {
  const Window& window = windows_[w];
  if (window.unit != Window::Unit::kRange) return;
  std::list<Partitions::value_type*>& lru = state_[w].lru;
  while (!lru.empty() && lru.front()->second.last_rowtime < rowtime - window.range_ms) {
    DropPartition(w, lru.front());
  }
}

void SlidingWindow::DropPartition(int w, Partitions::value_type* p) {
  bytes_ -= p->second.bytes;
  state_[w].lru.erase(p->second.lru);
  state_[w].partitions.erase(p->first);
}

size_t SlidingWindow::PartitionBytes(const Partitions::value_type& p) const {
  size_t n = sizeof(Partitions::value_type) + kPartitionOverhead + ValuesBytes(p.first) +
             p.second.entry_keys.capacity() * sizeof(int64_t) +
             p.second.accumulators.capacity() * sizeof(void*);
  for (const auto& acc : p.second.accumulators) n += acc->Bytes();
  return n;
}

Status SlidingWindow::AdvanceTime(int64_t rowtime_ms, RowEmitter*) {
  for (size_t w = 0; w < windows_.size(); ++w) DropIdle(static_cast<int>(w), rowtime_ms);
  return Status::OK();
}

void SlidingWindow::SaveState(StateWriter* w) const {
  w->PutU64(kStateTag);
  w->PutU64(windows_.size());
  w->PutU64(aggregates_.size());
  for (const WindowState& ws : state_) {
    w->PutU64(ws.partitions.size());
    for (const Partitions::value_type* p : ws.lru) {  // Oldest first, as they reload.
      SaveKey(p->first, w);
      const Partition& part = p->second;
      w->PutU64(part.first_entry);
      w->PutI64(part.next_row);
      w->PutI64(part.last_rowtime);
      w->PutU64(part.entry_keys.size());
      for (size_t i = 0; i < part.entry_keys.size(); ++i) w->PutI64(part.entry_keys[i]);
      for (const auto& acc : part.accumulators) acc->Save(w);
    }
  }
}

Status SlidingWindow::LoadState(StateReader* r) {
  uint64_t tag = 0, windows = 0, aggregates = 0;
  GL_RETURN_IF_ERROR(r->GetU64(&tag));
  if (tag != kStateTag) return Status::Corruption("not the state of a sliding window");
  GL_RETURN_IF_ERROR(r->GetU64(&windows));
  GL_RETURN_IF_ERROR(r->GetU64(&aggregates));
  if (windows != windows_.size() || aggregates != aggregates_.size()) {
    return Status::Corruption("sliding window state has " + std::to_string(windows) +
                              " windows and " + std::to_string(aggregates) +
                              " aggregates, the query " + std::to_string(windows_.size()) +
                              " and " + std::to_string(aggregates_.size()));
  }
  bytes_ = 0;
  for (size_t w = 0; w < windows_.size(); ++w) {
    state_[w].partitions.clear();
    state_[w].lru.clear();
    uint64_t n = 0;
    GL_RETURN_IF_ERROR(r->GetU64(&n));
    for (uint64_t i = 0; i < n; ++i) {
      std::vector<SqlValue> key;
      GL_RETURN_IF_ERROR(LoadKey(r, &key));
      Partitions::value_type& p = FindPartition(static_cast<int>(w), key);
      Partition& part = p.second;
      uint64_t entries = 0;
      GL_RETURN_IF_ERROR(r->GetU64(&part.first_entry));
      GL_RETURN_IF_ERROR(r->GetI64(&part.next_row));
      GL_RETURN_IF_ERROR(r->GetI64(&part.last_rowtime));
      GL_RETURN_IF_ERROR(r->GetU64(&entries));
      for (uint64_t e = 0; e < entries; ++e) {
        int64_t k = 0;
        GL_RETURN_IF_ERROR(r->GetI64(&k));
        part.entry_keys.push_back(k);
      }
      for (auto& acc : part.accumulators) GL_RETURN_IF_ERROR(acc->Load(r));
      part.bytes = PartitionBytes(p);
      bytes_ += part.bytes;
    }
  }
  return Status::OK();
}

}  // namespace gamelake

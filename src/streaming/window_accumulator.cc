#include "streaming/window_accumulator.h"

#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "streaming/aggregate_math.h"
#include "streaming/ring_buffer.h"
#include "streaming/value_ops.h"

namespace gamelake {
namespace {

std::string PosText(SqlPos pos) {
  return std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

// Entry-aligned per-entry data: entries_[i] belongs to entry front_ + i.
template <typename T>
class EntryQueue {
 public:
  // The data of `entry`, created (value-initialized) when it is new.
  T& At(uint64_t entry) {
    if (data_.empty()) front_ = entry;
    if (entry >= front_ + data_.size()) data_.push_back(T());
    return data_.back();
  }
  // Removes and returns the data of `entry` if it is the oldest held.
  bool Pop(uint64_t entry, T* out) {
    if (data_.empty() || entry != front_) return false;
    *out = std::move(data_.front());
    data_.pop_front();
    ++front_;
    return true;
  }
  bool empty() const { return data_.empty(); }
  size_t Bytes() const { return sizeof(*this) + data_.capacity() * sizeof(T); }
  template <typename SaveOne>
  void Save(StateWriter* w, SaveOne save_one) const {
    w->PutU64(front_);
    w->PutU64(data_.size());
    for (size_t i = 0; i < data_.size(); ++i) save_one(data_[i], w);
  }
  template <typename LoadOne>
  Status Load(StateReader* r, LoadOne load_one) {
    uint64_t n = 0;
    GL_RETURN_IF_ERROR(r->GetU64(&front_));
    GL_RETURN_IF_ERROR(r->GetU64(&n));
    for (uint64_t i = 0; i < n; ++i) {
      T t{};
      GL_RETURN_IF_ERROR(load_one(r, &t));
      data_.push_back(std::move(t));
    }
    return Status::OK();
  }

 private:
  RingBuffer<T> data_;
  uint64_t front_ = 0;
};

// Non-finite doubles (NaN, infinities) of a window, kept apart so they can
// leave exactly: (entry, value).
class NonFinite {
 public:
  void Add(uint64_t entry, double x) { log_.push_back({entry, x}); }
  // Calls `removed(x)` for each value of `entry` as it leaves.
  template <typename F>
  void Pop(uint64_t entry, F removed) {
    while (!log_.empty() && log_.front().first == entry) {
      removed(log_.front().second);
      log_.pop_front();
    }
  }
  bool empty() const { return log_.empty(); }
  size_t Bytes() const { return sizeof(*this) + log_.capacity() * sizeof(log_.front()); }
  void Save(StateWriter* w) const {
    w->PutU64(log_.size());
    for (size_t i = 0; i < log_.size(); ++i) {
      w->PutU64(log_[i].first);
      w->PutDouble(log_[i].second);
    }
  }
  Status Load(StateReader* r) {
    uint64_t n = 0;
    GL_RETURN_IF_ERROR(r->GetU64(&n));
    for (uint64_t i = 0; i < n; ++i) {
      std::pair<uint64_t, double> p;
      GL_RETURN_IF_ERROR(r->GetU64(&p.first));
      GL_RETURN_IF_ERROR(r->GetDouble(&p.second));
      log_.push_back(p);
    }
    return Status::OK();
  }

 private:
  RingBuffer<std::pair<uint64_t, double>> log_;
};

class CountWindow final : public WindowAccumulator {
 public:
  explicit CountWindow(bool star) : star_(star) {}
  void Add(uint64_t entry, int64_t, const SqlValue& v) override {
    int64_t& n = counts_.At(entry);
    if (star_ || !v.is_null) {
      ++n;
      ++total_;
    }
  }
  void PopFront(uint64_t entry) override {
    int64_t n = 0;
    if (counts_.Pop(entry, &n)) total_ -= n;
  }
  Status Result(SqlValue* out) const override {
    *out = SqlValue::Integer(total_);
    return Status::OK();
  }
  void Save(StateWriter* w) const override {
    w->PutI64(total_);
    counts_.Save(w, [](int64_t n, StateWriter* w) { w->PutI64(n); });
  }
  Status Load(StateReader* r) override {
    GL_RETURN_IF_ERROR(r->GetI64(&total_));
    return counts_.Load(r, [](StateReader* r, int64_t* n) { return r->GetI64(n); });
  }
  size_t Bytes() const override { return sizeof(*this) + counts_.Bytes(); }

 private:
  bool star_;
  int64_t total_ = 0;
  EntryQueue<int64_t> counts_;
};

// Per-entry sums, kept small: 24 bytes for integers (a 128-bit sum in two
// words, so no 16-byte alignment), 16 for doubles (finite values only).
struct IntegralEntry {
  int64_t n = 0;
  uint64_t lo = 0;
  int64_t hi = 0;
  __int128 sum() const {
    return static_cast<__int128>((static_cast<unsigned __int128>(hi) << 64) | lo);
  }
  void Add(int64_t x) {
    __int128 s = sum() + x;
    lo = static_cast<uint64_t>(s);
    hi = static_cast<int64_t>(s >> 64);
  }
};
struct DoubleEntry {
  int64_t n = 0;
  double sum = 0;
};

// SUM and AVG: per entry the count of non-NULL values and their sum.
template <bool kIntegral>
class SumWindow final : public WindowAccumulator {
 public:
  using Entry = std::conditional_t<kIntegral, IntegralEntry, DoubleEntry>;
  explicit SumWindow(const AggregateSpec& spec) : spec_(spec) {}

  void Add(uint64_t entry, int64_t, const SqlValue& v) override {
    Entry& e = entries_.At(entry);
    if (v.is_null) return;
    ++e.n;
    ++n_;
    if constexpr (kIntegral) {
      int64_t x = NumberAsInt(v);
      e.Add(x);
      isum_ += x;
    } else {
      double x = NumberAsDouble(v);
      if (std::isfinite(x)) {
        e.sum += x;
      } else {
        non_finite_.Add(entry, x);
      }
      dsum_.Add(x);
    }
  }
  void PopFront(uint64_t entry) override {
    Entry e;
    if (!entries_.Pop(entry, &e)) return;
    n_ -= e.n;
    if constexpr (kIntegral) {
      isum_ -= e.sum();
    } else {
      dsum_.Add(e.sum, -1);
      non_finite_.Pop(entry, [this](double x) { dsum_.Add(x, -1); });
      if (n_ == 0) dsum_.Reset();  // Exactly zero again, whatever the rounding.
    }
  }
  Status Result(SqlValue* out) const override {
    if (n_ == 0) {
      *out = SqlValue::Null(spec_.result_type);
      return Status::OK();
    }
    if constexpr (kIntegral) {
      __int128 v = spec_.kind == AggregateKind::kAvg ? isum_ / n_ : isum_;
      if (!FitsInt64(v)) {
        return Status::InvalidArgument(PosText(spec_.pos) + ": " + spec_.name +
                                       " overflows BIGINT");
      }
      *out = SqlValue::Make(spec_.result_type, static_cast<int64_t>(v));
    } else {
      double v = dsum_.Value();
      if (spec_.kind == AggregateKind::kAvg) v /= static_cast<double>(n_);
      *out = spec_.result_type == ValueType::kDecimal ? SqlValue::Decimal(v) : SqlValue::Double(v);
    }
    return Status::OK();
  }
  void Save(StateWriter* w) const override {
    w->PutI64(n_);
    PutI128(isum_, w);
    dsum_.Save(w);
    non_finite_.Save(w);
    entries_.Save(w, [](const Entry& e, StateWriter* w) {
      w->PutI64(e.n);
      if constexpr (kIntegral) {
        PutI128(e.sum(), w);
      } else {
        w->PutDouble(e.sum);
      }
    });
  }
  Status Load(StateReader* r) override {
    GL_RETURN_IF_ERROR(r->GetI64(&n_));
    GL_RETURN_IF_ERROR(GetI128(r, &isum_));
    GL_RETURN_IF_ERROR(dsum_.Load(r));
    GL_RETURN_IF_ERROR(non_finite_.Load(r));
    return entries_.Load(r, [](StateReader* r, Entry* e) {
      GL_RETURN_IF_ERROR(r->GetI64(&e->n));
      if constexpr (kIntegral) {
        __int128 sum = 0;
        GL_RETURN_IF_ERROR(GetI128(r, &sum));
        e->lo = static_cast<uint64_t>(sum);
        e->hi = static_cast<int64_t>(sum >> 64);
        return Status::OK();
      } else {
        return r->GetDouble(&e->sum);
      }
    });
  }
  size_t Bytes() const override { return sizeof(*this) + entries_.Bytes() + non_finite_.Bytes(); }

 private:
  const AggregateSpec& spec_;
  int64_t n_ = 0;
  __int128 isum_ = 0;
  DoubleSum dsum_;
  NonFinite non_finite_;
  EntryQueue<Entry> entries_;
};

void SaveEntryValue(const std::pair<uint64_t, SqlValue>& e, StateWriter* w) {
  w->PutU64(e.first);
  w->PutValue(e.second);
}

Status LoadEntryValues(StateReader* r, RingBuffer<std::pair<uint64_t, SqlValue>>* q) {
  uint64_t n = 0;
  GL_RETURN_IF_ERROR(r->GetU64(&n));
  for (uint64_t i = 0; i < n; ++i) {
    std::pair<uint64_t, SqlValue> e;
    GL_RETURN_IF_ERROR(r->GetU64(&e.first));
    GL_RETURN_IF_ERROR(r->GetValue(&e.second));
    q->push_back(std::move(e));
  }
  return Status::OK();
}

size_t EntryValuesBytes(const RingBuffer<std::pair<uint64_t, SqlValue>>& q) {
  size_t n = q.capacity() * sizeof(std::pair<uint64_t, SqlValue>);
  for (size_t i = 0; i < q.size(); ++i) n += ValueBytes(q[i].second) - sizeof(SqlValue);
  return n;
}

// MIN/MAX: a monotonic queue of (entry, value) — each value is better than
// every newer one after it, so the front is the answer; an entry keeps at
// most one value (the rows of an entry leave together).
class MinMaxWindow final : public WindowAccumulator {
 public:
  explicit MinMaxWindow(const AggregateSpec& spec)
      : max_(spec.kind == AggregateKind::kMax), type_(spec.result_type) {}
  void Add(uint64_t entry, int64_t, const SqlValue& v) override {
    if (v.is_null) return;
    while (!queue_.empty()) {
      const auto& back = queue_.back();
      int c = CompareValues(v, back.second);
      bool at_least_as_good = max_ ? c >= 0 : c <= 0;
      if (!at_least_as_good) {
        if (back.first == entry) return;  // Dominated by a value leaving with it.
        break;
      }
      queue_.pop_back();
    }
    queue_.push_back({entry, v});
  }
  void PopFront(uint64_t entry) override {
    while (!queue_.empty() && queue_.front().first <= entry) queue_.pop_front();
  }
  Status Result(SqlValue* out) const override {
    *out = queue_.empty() ? SqlValue::Null(type_) : queue_.front().second;
    return Status::OK();
  }
  void Save(StateWriter* w) const override {
    w->PutU64(queue_.size());
    for (size_t i = 0; i < queue_.size(); ++i) SaveEntryValue(queue_[i], w);
  }
  Status Load(StateReader* r) override { return LoadEntryValues(r, &queue_); }
  size_t Bytes() const override { return sizeof(*this) + EntryValuesBytes(queue_); }

 private:
  bool max_;
  ValueType type_;
  RingBuffer<std::pair<uint64_t, SqlValue>> queue_;
};

// FIRST_VALUE: the first (non-NULL, with IGNORE NULLS) value of each entry
// that has one; the front is the answer.
class FirstValueWindow final : public WindowAccumulator {
 public:
  explicit FirstValueWindow(const AggregateSpec& spec)
      : ignore_nulls_(spec.ignore_nulls), type_(spec.result_type) {}
  void Add(uint64_t entry, int64_t, const SqlValue& v) override {
    if (ignore_nulls_ && v.is_null) return;
    if (!firsts_.empty() && firsts_.back().first == entry) return;
    firsts_.push_back({entry, v});
  }
  void PopFront(uint64_t entry) override {
    while (!firsts_.empty() && firsts_.front().first <= entry) firsts_.pop_front();
  }
  Status Result(SqlValue* out) const override {
    *out = firsts_.empty() ? SqlValue::Null(type_) : firsts_.front().second;
    return Status::OK();
  }
  void Save(StateWriter* w) const override {
    w->PutU64(firsts_.size());
    for (size_t i = 0; i < firsts_.size(); ++i) SaveEntryValue(firsts_[i], w);
  }
  Status Load(StateReader* r) override { return LoadEntryValues(r, &firsts_); }
  size_t Bytes() const override { return sizeof(*this) + EntryValuesBytes(firsts_); }

 private:
  bool ignore_nulls_;
  ValueType type_;
  RingBuffer<std::pair<uint64_t, SqlValue>> firsts_;
};

// LAST_VALUE: the newest (non-NULL) value; when its entry leaves, every value
// left is newer and NULL, so the answer is NULL.
class LastValueWindow final : public WindowAccumulator {
 public:
  explicit LastValueWindow(const AggregateSpec& spec)
      : ignore_nulls_(spec.ignore_nulls), value_(SqlValue::Null(spec.result_type)) {}
  void Add(uint64_t entry, int64_t, const SqlValue& v) override {
    if (ignore_nulls_ && v.is_null) return;
    entry_ = entry;
    value_ = v;
    has_ = true;
  }
  void PopFront(uint64_t entry) override {
    if (has_ && entry_ <= entry) {
      has_ = false;
      value_ = SqlValue::Null(value_.type);
    }
  }
  Status Result(SqlValue* out) const override {
    *out = value_;
    return Status::OK();
  }
  void Save(StateWriter* w) const override {
    w->PutU64(has_ ? 1 : 0);
    w->PutU64(entry_);
    w->PutValue(value_);
  }
  Status Load(StateReader* r) override {
    uint64_t has = 0;
    GL_RETURN_IF_ERROR(r->GetU64(&has));
    has_ = has != 0;
    GL_RETURN_IF_ERROR(r->GetU64(&entry_));
    return r->GetValue(&value_);
  }
  size_t Bytes() const override { return sizeof(*this) - sizeof(value_) + ValueBytes(value_); }

 private:
  bool ignore_nulls_;
  bool has_ = false;
  uint64_t entry_ = 0;
  SqlValue value_;
};

struct ValueHash {
  size_t operator()(const SqlValue& v) const { return HashValue(v); }
};
struct ValueEq {
  bool operator()(const SqlValue& a, const SqlValue& b) const { return CompareValues(a, b) == 0; }
};

// COUNT/SUM/AVG(DISTINCT x): how often each value is in the window, and the
// (entry, value) log to forget them by.
class DistinctWindow final : public WindowAccumulator {
 public:
  explicit DistinctWindow(const AggregateSpec& spec) : spec_(spec) {}
  void Add(uint64_t entry, int64_t, const SqlValue& v) override {
    if (v.is_null) return;
    log_.push_back({entry, v});
    if (++counts_[v] == 1) Change(v, 1);
  }
  void PopFront(uint64_t entry) override {
    while (!log_.empty() && log_.front().first <= entry) {
      auto it = counts_.find(log_.front().second);
      if (it != counts_.end() && --it->second == 0) {
        Change(it->first, -1);
        counts_.erase(it);
      }
      log_.pop_front();
    }
    if (counts_.empty()) dsum_.Reset();
  }
  Status Result(SqlValue* out) const override {
    int64_t n = static_cast<int64_t>(counts_.size());
    if (spec_.kind == AggregateKind::kCount) {
      *out = SqlValue::Integer(n);
      return Status::OK();
    }
    if (n == 0) {
      *out = SqlValue::Null(spec_.result_type);
      return Status::OK();
    }
    bool avg = spec_.kind == AggregateKind::kAvg;
    if (IsIntegralSum(spec_.result_type)) {
      __int128 v = avg ? isum_ / n : isum_;
      if (!FitsInt64(v)) {
        return Status::InvalidArgument(PosText(spec_.pos) + ": " + spec_.name +
                                       " overflows BIGINT");
      }
      *out = SqlValue::Make(spec_.result_type, static_cast<int64_t>(v));
      return Status::OK();
    }
    double v = dsum_.Value() / (avg ? static_cast<double>(n) : 1.0);
    *out = spec_.result_type == ValueType::kDecimal ? SqlValue::Decimal(v) : SqlValue::Double(v);
    return Status::OK();
  }
  // The sums are saved as they are: a resumed window rounds as the
  // uninterrupted one.
  void Save(StateWriter* w) const override {
    w->PutU64(log_.size());
    for (size_t i = 0; i < log_.size(); ++i) SaveEntryValue(log_[i], w);
    PutI128(isum_, w);
    dsum_.Save(w);
  }
  Status Load(StateReader* r) override {
    RingBuffer<std::pair<uint64_t, SqlValue>> log;
    GL_RETURN_IF_ERROR(LoadEntryValues(r, &log));
    for (size_t i = 0; i < log.size(); ++i) Add(log[i].first, 0, log[i].second);
    GL_RETURN_IF_ERROR(GetI128(r, &isum_));
    return dsum_.Load(r);
  }
  size_t Bytes() const override {
    size_t n = sizeof(*this) + EntryValuesBytes(log_);
    for (const auto& [v, count] : counts_) n += ValueBytes(v) + 3 * sizeof(void*);
    return n;
  }

 private:
  void Change(const SqlValue& v, int sign) {
    isum_ += sign * static_cast<__int128>(NumberAsInt(v));
    dsum_.Add(NumberAsDouble(v), sign);
  }
  const AggregateSpec& spec_;
  RingBuffer<std::pair<uint64_t, SqlValue>> log_;
  std::unordered_map<SqlValue, int64_t, ValueHash, ValueEq> counts_;
  __int128 isum_ = 0;
  DoubleSum dsum_;
};

// VAR_POP/VAR_SAMP/STDDEV_POP/STDDEV_SAMP without subtracting (which would
// leave rounding residue — a non-zero deviation of equal values): the
// entries split into a front part, with the merged moments of each suffix,
// and a back part (the newest entries) merged as they come; the window is
// suffix_[0] merged with back_. When the front runs out, all but the newest
// entry move into it and their suffixes are recomputed — amortized O(1).
// NaN while a non-finite value is inside.
class MomentsWindow final : public WindowAccumulator {
 public:
  explicit MomentsWindow(AggregateKind kind) : kind_(kind) {}
  void Add(uint64_t entry, int64_t, const SqlValue& v) override {
    if (entries_.empty() || entry > first_ + entries_.size() - 1) {
      if (entries_.empty()) first_ = entry;
      entries_.push_back(Moments());
    }
    if (v.is_null) return;
    double x = NumberAsDouble(v);
    if (!std::isfinite(x)) {
      non_finite_.Add(entry, x);
      ++non_finite_count_;
      return;
    }
    entries_.back().Add(x);
    back_.Add(x);
  }
  void PopFront(uint64_t entry) override {
    non_finite_.Pop(entry, [this](double) { --non_finite_count_; });
    if (entries_.empty() || entry != first_) return;
    if (suffix_.empty()) Flip();
    entries_.pop_front();
    ++first_;
    if (!suffix_.empty()) {
      suffix_.pop_front();
    } else {
      back_ = Moments();  // The only entry left.
    }
  }
  Status Result(SqlValue* out) const override {
    Moments m = back_;
    if (!suffix_.empty()) m.Merge(suffix_.front());
    *out = MomentsResult(kind_, m);
    if (non_finite_count_ > 0 && !out->is_null) out->d = std::nan("");
    return Status::OK();
  }
  // The merged moments are saved as they are, not recomputed: a resumed
  // window rounds exactly as the uninterrupted one.
  void Save(StateWriter* w) const override {
    w->PutU64(first_);
    w->PutU64(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) entries_[i].Save(w);
    w->PutU64(suffix_.size());
    for (size_t i = 0; i < suffix_.size(); ++i) suffix_[i].Save(w);
    back_.Save(w);
    w->PutI64(non_finite_count_);
    non_finite_.Save(w);
  }
  Status Load(StateReader* r) override {
    uint64_t n = 0, front = 0;
    GL_RETURN_IF_ERROR(r->GetU64(&first_));
    GL_RETURN_IF_ERROR(r->GetU64(&n));
    for (uint64_t i = 0; i < n; ++i) {
      Moments m;
      GL_RETURN_IF_ERROR(m.Load(r));
      entries_.push_back(m);
    }
    GL_RETURN_IF_ERROR(r->GetU64(&front));
    if (front > n) return Status::Corruption("variance state has a front past its entries");
    for (uint64_t i = 0; i < front; ++i) {
      Moments m;
      GL_RETURN_IF_ERROR(m.Load(r));
      suffix_.push_back(m);
    }
    GL_RETURN_IF_ERROR(back_.Load(r));
    GL_RETURN_IF_ERROR(r->GetI64(&non_finite_count_));
    return non_finite_.Load(r);
  }
  size_t Bytes() const override {
    return sizeof(*this) + (entries_.capacity() + suffix_.capacity()) * sizeof(Moments) +
           non_finite_.Bytes();
  }

 private:
  // Makes all entries but the newest the front part.
  void Flip() {
    size_t front = entries_.empty() ? 0 : entries_.size() - 1;
    suffix_.clear();
    std::vector<Moments> suffixes(front);
    Moments acc;
    for (size_t i = front; i-- > 0;) {
      Moments m = entries_[i];
      m.Merge(acc);
      acc = m;
      suffixes[i] = acc;
    }
    for (const Moments& m : suffixes) suffix_.push_back(m);
    back_ = Moments();
    for (size_t i = front; i < entries_.size(); ++i) back_.Merge(entries_[i]);
  }
  AggregateKind kind_;
  uint64_t first_ = 0;           // The number of entries_.front().
  RingBuffer<Moments> entries_;  // Per entry.
  RingBuffer<Moments> suffix_;   // Front part: suffix_[i] merges entries_[i..front).
  Moments back_;                 // Back part merged.
  int64_t non_finite_count_ = 0;
  NonFinite non_finite_;
};

// EXP_AVG: per entry its ROWTIME, count and sum; the window's weighted
// count and sum relative to base_ (rebased as time moves on).
class ExpAvgWindow final : public WindowAccumulator {
 public:
  explicit ExpAvgWindow(const AggregateSpec& spec)
      : half_life_(spec.half_life_ms > 0 ? spec.half_life_ms : 1) {}
  void Add(uint64_t entry, int64_t rowtime, const SqlValue& v) override {
    Entry& e = entries_.At(entry);
    if (e.n == 0) e.rowtime = rowtime;
    if (v.is_null) return;
    double x = NumberAsDouble(v);
    if (!std::isfinite(x)) {
      non_finite_.Add(entry, x);
      ++non_finite_count_;
      return;
    }
    if (n_ == 0) base_ = e.rowtime;
    if (e.rowtime - base_ > 256 * half_life_) Rebase(e.rowtime);
    double w = HalfLifeWeight(e.rowtime - base_, half_life_);
    ++e.n;
    e.sum += x;
    ++n_;
    weight_ += w;
    weighted_ += w * x;
  }
  void PopFront(uint64_t entry) override {
    Entry e;
    if (entries_.Pop(entry, &e) && e.n > 0) {
      double w = HalfLifeWeight(e.rowtime - base_, half_life_);
      n_ -= e.n;
      weight_ -= w * static_cast<double>(e.n);
      weighted_ -= w * e.sum;
      if (n_ == 0) weight_ = weighted_ = 0;
    }
    non_finite_.Pop(entry, [this](double) { --non_finite_count_; });
  }
  Status Result(SqlValue* out) const override {
    if (n_ == 0 && non_finite_count_ == 0) {
      *out = SqlValue::Null(ValueType::kDouble);
    } else {
      *out = SqlValue::Double(non_finite_count_ > 0 ? std::nan("") : weighted_ / weight_);
    }
    return Status::OK();
  }
  void Save(StateWriter* w) const override {
    w->PutI64(n_);
    w->PutI64(base_);
    w->PutDouble(weight_);
    w->PutDouble(weighted_);
    w->PutI64(non_finite_count_);
    non_finite_.Save(w);
    entries_.Save(w, [](const Entry& e, StateWriter* w) {
      w->PutI64(e.rowtime);
      w->PutI64(e.n);
      w->PutDouble(e.sum);
    });
  }
  Status Load(StateReader* r) override {
    GL_RETURN_IF_ERROR(r->GetI64(&n_));
    GL_RETURN_IF_ERROR(r->GetI64(&base_));
    GL_RETURN_IF_ERROR(r->GetDouble(&weight_));
    GL_RETURN_IF_ERROR(r->GetDouble(&weighted_));
    GL_RETURN_IF_ERROR(r->GetI64(&non_finite_count_));
    GL_RETURN_IF_ERROR(non_finite_.Load(r));
    return entries_.Load(r, [](StateReader* r, Entry* e) {
      GL_RETURN_IF_ERROR(r->GetI64(&e->rowtime));
      GL_RETURN_IF_ERROR(r->GetI64(&e->n));
      return r->GetDouble(&e->sum);
    });
  }
  size_t Bytes() const override { return sizeof(*this) + entries_.Bytes() + non_finite_.Bytes(); }

 private:
  struct Entry {
    int64_t rowtime = 0;
    int64_t n = 0;
    double sum = 0;
  };
  void Rebase(int64_t base) {
    double scale = HalfLifeWeight(base_ - base, half_life_);
    weight_ *= scale;
    weighted_ *= scale;
    base_ = base;
  }
  int64_t half_life_;
  int64_t n_ = 0;
  int64_t base_ = 0;
  double weight_ = 0;
  double weighted_ = 0;
  int64_t non_finite_count_ = 0;
  NonFinite non_finite_;
  EntryQueue<Entry> entries_;
};

}  // namespace

std::unique_ptr<WindowAccumulator> NewWindowAccumulator(const AggregateSpec& spec) {
  if (spec.distinct && (spec.kind == AggregateKind::kCount || spec.kind == AggregateKind::kSum ||
                        spec.kind == AggregateKind::kAvg)) {
    return std::make_unique<DistinctWindow>(spec);
  }
  switch (spec.kind) {
    case AggregateKind::kCount:
      return std::make_unique<CountWindow>(false);
    case AggregateKind::kCountStar:
      return std::make_unique<CountWindow>(true);
    case AggregateKind::kSum:
    case AggregateKind::kAvg:
      if (IsIntegralSum(spec.result_type)) return std::make_unique<SumWindow<true>>(spec);
      return std::make_unique<SumWindow<false>>(spec);
    case AggregateKind::kMin:
    case AggregateKind::kMax:
      return std::make_unique<MinMaxWindow>(spec);
    case AggregateKind::kFirstValue:
      return std::make_unique<FirstValueWindow>(spec);
    case AggregateKind::kLastValue:
      return std::make_unique<LastValueWindow>(spec);
    case AggregateKind::kExpAvg:
      return std::make_unique<ExpAvgWindow>(spec);
    case AggregateKind::kVarPop:
    case AggregateKind::kVarSamp:
    case AggregateKind::kStddevPop:
    case AggregateKind::kStddevSamp:
      return std::make_unique<MomentsWindow>(spec.kind);
  }
  return nullptr;
}

}  // namespace gamelake

#include "streaming/aggregate_function.h"

#include <algorithm>
#include <array>
#include <unordered_set>
#include <utility>

#include "streaming/aggregate_math.h"
#include "streaming/value_ops.h"

namespace gamelake {
namespace {

struct NamedKind {
  std::string_view name;
  AggregateKind kind;
};

constexpr std::array<NamedKind, 12> kAggregates = {{
    {"COUNT", AggregateKind::kCount},
    {"SUM", AggregateKind::kSum},
    {"AVG", AggregateKind::kAvg},
    {"MIN", AggregateKind::kMin},
    {"MAX", AggregateKind::kMax},
    {"FIRST_VALUE", AggregateKind::kFirstValue},
    {"LAST_VALUE", AggregateKind::kLastValue},
    {"EXP_AVG", AggregateKind::kExpAvg},
    {"VAR_POP", AggregateKind::kVarPop},
    {"VAR_SAMP", AggregateKind::kVarSamp},
    {"STDDEV_POP", AggregateKind::kStddevPop},
    {"STDDEV_SAMP", AggregateKind::kStddevSamp},
}};

std::string PosText(SqlPos pos) {
  return std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

Status Refuse(SqlPos pos, std::string_view name, std::string_view what) {
  return Status::InvalidArgument(PosText(pos) + ": " + std::string(name) + " " + std::string(what));
}

bool IsSummable(ValueType t) {
  return IsNumeric(t) || t == ValueType::kIntervalDayTime || t == ValueType::kIntervalYearMonth;
}

// Checks the argument of a one-argument aggregate and sets the result type.
Status TypeSingleArgument(AggregateSpec* spec, ValueType arg) {
  spec->arg_type = arg;
  switch (spec->kind) {
    case AggregateKind::kCount:
      spec->result_type = ValueType::kInteger;
      return Status::OK();
    case AggregateKind::kSum:
    case AggregateKind::kAvg:
      if (!IsSummable(arg)) {
        return Refuse(spec->pos, spec->name,
                      std::string("needs a numeric argument, not ") + ValueTypeName(arg));
      }
      spec->result_type = arg;
      return Status::OK();
    case AggregateKind::kVarPop:
    case AggregateKind::kVarSamp:
    case AggregateKind::kStddevPop:
    case AggregateKind::kStddevSamp:
      if (!IsNumeric(arg)) {
        return Refuse(spec->pos, spec->name,
                      std::string("needs a numeric argument, not ") + ValueTypeName(arg));
      }
      spec->result_type = ValueType::kDouble;
      return Status::OK();
    default:  // MIN, MAX, FIRST_VALUE, LAST_VALUE: any type, kept.
      spec->result_type = arg;
      return Status::OK();
  }
}

}  // namespace

Result<AggregateSpec> ResolveAggregate(std::string_view upper_name, bool distinct, bool star,
                                       std::vector<ValueType> arg_types, SqlPos pos) {
  AggregateSpec spec;
  spec.name = std::string(upper_name);
  spec.pos = pos;
  spec.distinct = distinct;
  const NamedKind* found = nullptr;
  for (const NamedKind& k : kAggregates) {
    if (k.name == upper_name) found = &k;
  }
  if (found == nullptr) {
    return Refuse(pos, upper_name, "is not an aggregate function gamelake computes");
  }
  spec.kind = found->kind;
  if (star) {
    if (spec.kind != AggregateKind::kCount) return Refuse(pos, upper_name, "does not take *");
    if (distinct) return Refuse(pos, upper_name, "does not take DISTINCT *");
    spec.kind = AggregateKind::kCountStar;
    spec.result_type = ValueType::kInteger;
    return spec;
  }
  bool distinct_ok = spec.kind == AggregateKind::kCount || spec.kind == AggregateKind::kSum ||
                     spec.kind == AggregateKind::kAvg || spec.kind == AggregateKind::kMin ||
                     spec.kind == AggregateKind::kMax;
  if (distinct && !distinct_ok) return Refuse(pos, upper_name, "does not take DISTINCT");
  // MIN/MAX(DISTINCT x) is MIN/MAX(x).
  if (spec.kind == AggregateKind::kMin || spec.kind == AggregateKind::kMax) spec.distinct = false;
  if (spec.kind == AggregateKind::kExpAvg) {
    if (arg_types.size() != 2) {
      return Refuse(
          pos, upper_name,
          "takes 2 arguments (a number and an interval), not " + std::to_string(arg_types.size()));
    }
    if (!IsNumeric(arg_types[0])) {
      return Refuse(pos, upper_name,
                    std::string("needs a numeric argument, not ") + ValueTypeName(arg_types[0]));
    }
    if (arg_types[1] != ValueType::kIntervalDayTime) {
      return Refuse(pos, upper_name,
                    std::string("needs a day-time interval as its half-life, not ") +
                        ValueTypeName(arg_types[1]));
    }
    spec.arg_type = arg_types[0];
    spec.result_type = ValueType::kDouble;
    return spec;
  }
  if (arg_types.size() != 1) {
    return Refuse(pos, upper_name, "takes 1 argument, not " + std::to_string(arg_types.size()));
  }
  GL_RETURN_IF_ERROR(TypeSingleArgument(&spec, arg_types[0]));
  return spec;
}

Status EvalAggregateArgs(const std::vector<BoundAggregate>& aggregates, const StreamRow& row,
                         std::vector<SqlValue>* args, SqlPos* error_pos) {
  args->resize(aggregates.size());
  EvalRows in;
  in.rows[0] = &row;
  for (size_t i = 0; i < aggregates.size(); ++i) {
    const BoundAggregate& agg = aggregates[i];
    if (agg.arg == nullptr) {
      (*args)[i] = SqlValue::Boolean(true);
      continue;
    }
    Status s = agg.arg->Eval(in, &(*args)[i]);
    if (!s.ok()) {
      *error_pos = agg.arg->pos();
      return s;
    }
  }
  return Status::OK();
}

Status EvalKey(const std::vector<BoundExprPtr>& exprs, const StreamRow& row,
               std::vector<SqlValue>* key, SqlPos* error_pos) {
  key->resize(exprs.size());
  EvalRows in;
  in.rows[0] = &row;
  for (size_t i = 0; i < exprs.size(); ++i) {
    Status s = exprs[i]->Eval(in, &(*key)[i]);
    if (!s.ok()) {
      *error_pos = exprs[i]->pos();
      return s;
    }
  }
  return Status::OK();
}

size_t ValueBytes(const SqlValue& v) {
  // std::string keeps 15 characters inline.
  return sizeof(SqlValue) + (v.s.capacity() > 15 ? v.s.capacity() + 1 : 0);
}

size_t ValuesBytes(const std::vector<SqlValue>& values) {
  size_t n = sizeof(values);
  for (const SqlValue& v : values) n += ValueBytes(v);
  return n;
}

void SaveKey(const std::vector<SqlValue>& key, StateWriter* w) {
  w->PutU64(key.size());
  for (const SqlValue& v : key) w->PutValue(v);
}

Status LoadKey(StateReader* r, std::vector<SqlValue>* key) {
  uint64_t n = 0;
  GL_RETURN_IF_ERROR(r->GetU64(&n));
  if (n > 4096)
    return Status::Corruption("operator state has a key of " + std::to_string(n) + " values");
  key->resize(n);
  for (SqlValue& v : *key) GL_RETURN_IF_ERROR(r->GetValue(&v));
  return Status::OK();
}

Status StateOverBound(std::string_view what, size_t bytes, size_t bound) {
  return Status::ResourceExhausted(std::string(what) + " holds " + std::to_string(bytes) +
                                   " bytes of state, over its bound of " + std::to_string(bound) +
                                   " bytes");
}

bool KeyLess(const std::vector<SqlValue>& a, const std::vector<SqlValue>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int c = CompareValues(a[i], b[i]);
    if (c != 0) return c < 0;
  }
  return a.size() < b.size();
}

// ---------------------------------------------------------------------------
// Accumulators.

namespace {

class CountAccumulator final : public Accumulator {
 public:
  explicit CountAccumulator(bool star) : star_(star) {}
  void Add(const SqlValue& v, int64_t) override {
    if (star_ || !v.is_null) ++n_;
  }
  Status Result(SqlValue* out) const override {
    *out = SqlValue::Integer(n_);
    return Status::OK();
  }
  void Save(StateWriter* w) const override { w->PutI64(n_); }
  Status Load(StateReader* r) override { return r->GetI64(&n_); }
  size_t Bytes() const override { return sizeof(*this); }

 private:
  bool star_;
  int64_t n_ = 0;
};

// The result of SUM or AVG over `n` values summing to `isum` (integral
// types) or `dsum` (DOUBLE, DECIMAL); shared with DISTINCT.
Status SumResult(const AggregateSpec& spec, int64_t n, __int128 isum, double dsum, SqlValue* out) {
  if (n == 0) {
    *out = SqlValue::Null(spec.result_type);
    return Status::OK();
  }
  bool avg = spec.kind == AggregateKind::kAvg;
  if (IsIntegralSum(spec.result_type)) {
    __int128 v = avg ? isum / n : isum;  // C++ division truncates toward zero, as SQL's.
    if (!FitsInt64(v)) {
      return Status::InvalidArgument(PosText(spec.pos) + ": " + spec.name + " overflows BIGINT");
    }
    *out = SqlValue::Make(spec.result_type, static_cast<int64_t>(v));
    return Status::OK();
  }
  double v = avg ? dsum / static_cast<double>(n) : dsum;
  *out = spec.result_type == ValueType::kDecimal ? SqlValue::Decimal(v) : SqlValue::Double(v);
  return Status::OK();
}

class SumAccumulator final : public Accumulator {
 public:
  explicit SumAccumulator(const AggregateSpec& spec)
      : spec_(spec), integral_(IsIntegralSum(spec.result_type)) {}
  void Add(const SqlValue& v, int64_t) override {
    if (v.is_null) return;
    ++n_;
    if (integral_) {
      isum_ += NumberAsInt(v);
    } else {
      dsum_.Add(NumberAsDouble(v));
    }
  }
  Status Result(SqlValue* out) const override {
    return SumResult(spec_, n_, isum_, dsum_.Value(), out);
  }
  void Save(StateWriter* w) const override {
    w->PutI64(n_);
    PutI128(isum_, w);
    dsum_.Save(w);
  }
  Status Load(StateReader* r) override {
    GL_RETURN_IF_ERROR(r->GetI64(&n_));
    GL_RETURN_IF_ERROR(GetI128(r, &isum_));
    return dsum_.Load(r);
  }
  size_t Bytes() const override { return sizeof(*this); }

 private:
  const AggregateSpec& spec_;
  bool integral_;
  int64_t n_ = 0;
  __int128 isum_ = 0;
  DoubleSum dsum_;
};

struct ValueHash {
  size_t operator()(const SqlValue& v) const { return HashValue(v); }
};
struct ValueEq {
  bool operator()(const SqlValue& a, const SqlValue& b) const { return CompareValues(a, b) == 0; }
};

class DistinctAccumulator final : public Accumulator {
 public:
  explicit DistinctAccumulator(const AggregateSpec& spec) : spec_(spec) {}
  void Add(const SqlValue& v, int64_t) override {
    if (v.is_null) return;
    if (values_.insert(v).second) bytes_ += ValueBytes(v) + 2 * sizeof(void*);
  }
  Status Result(SqlValue* out) const override {
    if (spec_.kind == AggregateKind::kCount) {
      *out = SqlValue::Integer(static_cast<int64_t>(values_.size()));
      return Status::OK();
    }
    // Summed in value order, not the set's: the same result after a reload.
    std::vector<const SqlValue*> sorted;
    sorted.reserve(values_.size());
    for (const SqlValue& v : values_) sorted.push_back(&v);
    std::sort(sorted.begin(), sorted.end(),
              [](const SqlValue* a, const SqlValue* b) { return CompareValues(*a, *b) < 0; });
    __int128 isum = 0;
    DoubleSum dsum;
    for (const SqlValue* v : sorted) {
      isum += NumberAsInt(*v);
      dsum.Add(NumberAsDouble(*v));
    }
    return SumResult(spec_, static_cast<int64_t>(values_.size()), isum, dsum.Value(), out);
  }
  void Save(StateWriter* w) const override {
    w->PutU64(values_.size());
    for (const SqlValue& v : values_) w->PutValue(v);
  }
  Status Load(StateReader* r) override {
    uint64_t n = 0;
    GL_RETURN_IF_ERROR(r->GetU64(&n));
    for (uint64_t i = 0; i < n; ++i) {
      SqlValue v;
      GL_RETURN_IF_ERROR(r->GetValue(&v));
      Add(v, 0);
    }
    return Status::OK();
  }
  size_t Bytes() const override { return sizeof(*this) + bytes_; }

 private:
  const AggregateSpec& spec_;
  std::unordered_set<SqlValue, ValueHash, ValueEq> values_;
  size_t bytes_ = 0;
};

class MinMaxAccumulator final : public Accumulator {
 public:
  explicit MinMaxAccumulator(const AggregateSpec& spec)
      : max_(spec.kind == AggregateKind::kMax), best_(SqlValue::Null(spec.result_type)) {}
  void Add(const SqlValue& v, int64_t) override {
    if (v.is_null) return;
    if (best_.is_null) {
      best_ = v;
      return;
    }
    int c = CompareValues(v, best_);
    if (max_ ? c > 0 : c < 0) best_ = v;
  }
  Status Result(SqlValue* out) const override {
    *out = best_;
    return Status::OK();
  }
  void Save(StateWriter* w) const override { w->PutValue(best_); }
  Status Load(StateReader* r) override { return r->GetValue(&best_); }
  size_t Bytes() const override { return sizeof(*this) - sizeof(best_) + ValueBytes(best_); }

 private:
  bool max_;
  SqlValue best_;
};

class FirstLastAccumulator final : public Accumulator {
 public:
  explicit FirstLastAccumulator(const AggregateSpec& spec)
      : first_(spec.kind == AggregateKind::kFirstValue),
        ignore_nulls_(spec.ignore_nulls),
        value_(SqlValue::Null(spec.result_type)) {}
  void Add(const SqlValue& v, int64_t) override {
    if (ignore_nulls_ && v.is_null) return;
    if (first_ && has_) return;
    value_ = v;
    has_ = true;
  }
  Status Result(SqlValue* out) const override {
    *out = value_;
    return Status::OK();
  }
  void Save(StateWriter* w) const override {
    w->PutU64(has_ ? 1 : 0);
    w->PutValue(value_);
  }
  Status Load(StateReader* r) override {
    uint64_t has = 0;
    GL_RETURN_IF_ERROR(r->GetU64(&has));
    has_ = has != 0;
    return r->GetValue(&value_);
  }
  size_t Bytes() const override { return sizeof(*this) - sizeof(value_) + ValueBytes(value_); }

 private:
  bool first_;
  bool ignore_nulls_;
  bool has_ = false;
  SqlValue value_;
};

class MomentsAccumulator final : public Accumulator {
 public:
  explicit MomentsAccumulator(AggregateKind kind) : kind_(kind) {}
  void Add(const SqlValue& v, int64_t) override {
    if (!v.is_null) m_.Add(NumberAsDouble(v));
  }
  Status Result(SqlValue* out) const override {
    *out = MomentsResult(kind_, m_);
    return Status::OK();
  }
  void Save(StateWriter* w) const override { m_.Save(w); }
  Status Load(StateReader* r) override { return m_.Load(r); }
  size_t Bytes() const override { return sizeof(*this); }

 private:
  AggregateKind kind_;
  Moments m_;
};

// Weights relative to base_ (rebased as time moves on, so they stay finite);
// the average is the same whatever the base.
class ExpAvgAccumulator final : public Accumulator {
 public:
  explicit ExpAvgAccumulator(const AggregateSpec& spec)
      : half_life_(spec.half_life_ms > 0 ? spec.half_life_ms : 1) {}
  void Add(const SqlValue& v, int64_t rowtime) override {
    if (v.is_null) return;
    if (weight_ == 0) base_ = rowtime;
    if (rowtime - base_ > 256 * half_life_) {
      double scale = HalfLifeWeight(base_ - rowtime, half_life_);
      weight_ *= scale;
      weighted_ *= scale;
      base_ = rowtime;
    }
    double w = HalfLifeWeight(rowtime - base_, half_life_);
    weight_ += w;
    weighted_ += w * NumberAsDouble(v);
  }
  Status Result(SqlValue* out) const override {
    *out =
        weight_ == 0 ? SqlValue::Null(ValueType::kDouble) : SqlValue::Double(weighted_ / weight_);
    return Status::OK();
  }
  void Save(StateWriter* w) const override {
    w->PutI64(base_);
    w->PutDouble(weight_);
    w->PutDouble(weighted_);
  }
  Status Load(StateReader* r) override {
    GL_RETURN_IF_ERROR(r->GetI64(&base_));
    GL_RETURN_IF_ERROR(r->GetDouble(&weight_));
    return r->GetDouble(&weighted_);
  }
  size_t Bytes() const override { return sizeof(*this); }

 private:
  int64_t half_life_;
  int64_t base_ = 0;
  double weight_ = 0;
  double weighted_ = 0;
};

}  // namespace

std::unique_ptr<Accumulator> NewAccumulator(const AggregateSpec& spec) {
  if (spec.distinct && (spec.kind == AggregateKind::kCount || spec.kind == AggregateKind::kSum ||
                        spec.kind == AggregateKind::kAvg)) {
    return std::make_unique<DistinctAccumulator>(spec);
  }
  switch (spec.kind) {
    case AggregateKind::kCount:
      return std::make_unique<CountAccumulator>(false);
    case AggregateKind::kCountStar:
      return std::make_unique<CountAccumulator>(true);
    case AggregateKind::kSum:
    case AggregateKind::kAvg:
      return std::make_unique<SumAccumulator>(spec);
    case AggregateKind::kMin:
    case AggregateKind::kMax:
      return std::make_unique<MinMaxAccumulator>(spec);
    case AggregateKind::kFirstValue:
    case AggregateKind::kLastValue:
      return std::make_unique<FirstLastAccumulator>(spec);
    case AggregateKind::kExpAvg:
      return std::make_unique<ExpAvgAccumulator>(spec);
    case AggregateKind::kVarPop:
    case AggregateKind::kVarSamp:
    case AggregateKind::kStddevPop:
    case AggregateKind::kStddevSamp:
      return std::make_unique<MomentsAccumulator>(spec.kind);
  }
  return nullptr;
}

AggregateGroup::AggregateGroup(const std::vector<BoundAggregate>& aggregates) {
  accumulators_.reserve(aggregates.size());
  positions_.reserve(aggregates.size());
  for (const BoundAggregate& agg : aggregates) {
    accumulators_.push_back(NewAccumulator(agg.spec));
    positions_.push_back(agg.spec.pos);
  }
}

void AggregateGroup::Add(std::span<const SqlValue> args, int64_t rowtime) {
  for (size_t i = 0; i < accumulators_.size(); ++i) accumulators_[i]->Add(args[i], rowtime);
}

Status AggregateGroup::AppendResults(std::vector<SqlValue>* out, SqlPos* error_pos) const {
  for (size_t i = 0; i < accumulators_.size(); ++i) {
    out->emplace_back();
    Status s = accumulators_[i]->Result(&out->back());
    if (!s.ok()) {
      *error_pos = positions_[i];
      return s;
    }
  }
  return Status::OK();
}

void AggregateGroup::Save(StateWriter* w) const {
  for (const auto& acc : accumulators_) acc->Save(w);
}

Status AggregateGroup::Load(StateReader* r) {
  for (auto& acc : accumulators_) GL_RETURN_IF_ERROR(acc->Load(r));
  return Status::OK();
}

size_t AggregateGroup::Bytes() const {
  size_t n = sizeof(*this) + accumulators_.size() * (sizeof(void*) + sizeof(SqlPos));
  for (const auto& acc : accumulators_) n += acc->Bytes();
  return n;
}

}  // namespace gamelake

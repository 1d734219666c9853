#include "metrics/metric_store.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/civil_time.h"
#include "common/mutex.h"
#include "metrics/aggregate.h"
#include "metrics/chunk.h"
#include "metrics/metric_codec.h"

namespace gamelake {

std::vector<TierSpec> DefaultTiers() {
  return {
      {1, 3 * 3600, 300},        // 5-minute chunks.
      {60, 15 * 86400, 60},      // 1-hour chunks.
      {300, 63 * 86400, 288},    // 1-day chunks.
      {3600, 455 * 86400, 168},  // 1-week chunks.
  };
}

int64_t RoundStartSeconds(int64_t start_s, int64_t period_s, int64_t now_s) {
  int64_t age = now_s - start_s;
  int64_t unit = age > 63 * 86400 ? 3600 : age > 15 * 86400 ? 300 : 60;
  if (period_s < 60 && age <= 3 * 3600) unit = period_s;
  return FloorDiv(start_s, unit) * unit;
}

namespace {

constexpr std::string_view kLogStream = "metrics";
constexpr char kCheckpointName[] = "CHECKPOINT";

// A series: a metric + a unit, and its chunks per tier (by chunk start, s).
struct Series {
  MetricId id;
  std::string unit;
  std::vector<std::map<int64_t, Chunk>> tiers;
  int64_t last_ms = 0;  // Newest datum's timestamp, for ListMetrics' RecentlyActive.
};

// The series map's key: id and unit, in an order that groups a metric's units.
// Writes the key into *k (reusing its buffer: Apply builds one per datum).
void SeriesKeyInto(const MetricId& id, std::string_view unit, std::string* out) {
  std::string& k = *out;
  k.clear();
  auto add = [&k](std::string_view s) {
    k.append(s);
    k.push_back('\0');
  };
  add(id.ns);
  add(id.name);
  for (const Dimension& d : id.dimensions) {
    add(d.name);
    add(d.value);
  }
  k.push_back('\1');
  k.append(unit);
}

std::string SeriesKey(const MetricId& id, std::string_view unit) {
  std::string k;
  SeriesKeyInto(id, unit, &k);
  return k;
}

bool ValidTiers(const std::vector<TierSpec>& tiers) {
  if (tiers.empty()) return false;
  for (size_t i = 0; i < tiers.size(); ++i) {
    if (tiers[i].resolution_s <= 0 || tiers[i].chunk_slots == 0 || tiers[i].retention_s <= 0) {
      return false;
    }
    if (i > 0 && tiers[i].resolution_s % tiers[i - 1].resolution_s != 0) return false;
    if (i > 0 && tiers[i].resolution_s == tiers[i - 1].resolution_s) return false;
  }
  return true;
}

bool MatchesFilter(const MetricId& id, const ListMetricsFilter& f) {
  if (f.ns && id.ns != *f.ns) return false;
  if (f.name && id.name != *f.name) return false;
  for (const auto& filter : f.dimensions) {
    // A named variable, not a structured binding: clang before 16 cannot capture those.
    const auto& name = filter.first;
    const auto& value = filter.second;
    auto it = std::find_if(id.dimensions.begin(), id.dimensions.end(),
                           [&](const Dimension& d) { return d.name == name; });
    if (it == id.dimensions.end() || (value && it->value != *value)) return false;
  }
  return true;
}

class MetricStoreImpl : public MetricStore {
 public:
  explicit MetricStoreImpl(const MetricStoreOptions& o) : options_(o), env_(o.env) {}
  ~MetricStoreImpl() override { (void)Close(); }

  Status Init() {
    if (!ValidTiers(options_.tiers)) {
      return Status::InvalidArgument(
          "metric tiers: resolutions must be positive, increasing, each a multiple of the one "
          "before, with positive retention and chunk sizes");
    }
    GL_RETURN_IF_ERROR(env_->CreateDirs(options_.dir));
    GL_RETURN_IF_ERROR(LoadCheckpoint());
    WalOptions w;
    w.dir = options_.dir + "/log";
    w.env = env_;
    w.durability = options_.durability;
    w.segment_bytes = 16ull << 20;
    RecoveryReport report;
    auto wal = Wal::Open(w, &report);
    if (!wal.ok()) return wal.status().WithContext("opening the metrics log");
    wal_ = std::move(wal).value();
    GL_RETURN_IF_ERROR(Replay());
    if (options_.maintain_interval_s > 0) {
      maintainer_ = std::thread([this] { MaintainLoop(); });
    }
    return Status::OK();
  }

  Status Put(std::vector<MetricDatum> data) override GL_EXCLUDES(mu_) {
    if (data.empty()) return Status::OK();
    int64_t now_ms = env_->NowMicros() / 1000;
    for (size_t i = 0; i < data.size(); ++i) {
      // The member's name is only formatted for an error: validating again
      // gives the same answer (normalizing is idempotent).
      if (ValidateDatum(&data[i], now_ms, "").ok()) continue;
      return ValidateDatum(&data[i], now_ms, fmt::format("MetricData.member.{}", i + 1));
    }
    GL_RETURN_IF_ERROR(CheckSeriesLimit(data));
    std::string payload = EncodePutBatch(data);
    std::string_view record = payload;
    // The log's writer thread applies in log order (see the header).
    struct Wait {
      Mutex mu;
      CondVar cv;
      bool done GL_GUARDED_BY(mu) = false;
      Status result GL_GUARDED_BY(mu);
    } wait;
    wal_->AppendAsync(kLogStream, {&record, 1}, [&](Status s, uint64_t seq) {
      if (s.ok()) Apply(data, seq);
      MutexLock l(&wait.mu);
      wait.result = s;
      wait.done = true;
      wait.cv.Signal();  // Under the lock: `wait` is gone once Put returns.
    });
    MutexLock l(&wait.mu);
    wait.cv.Wait(&wait.mu, [&]() GL_REQUIRES(wait.mu) { return wait.done; });
    return wait.result;
  }

  Result<std::vector<StatisticsPoint>> GetStatistics(const StatisticsRequest& r) const override
      GL_EXCLUDES(mu_) {
    MetricId id;
    GL_RETURN_IF_ERROR(CheckRequest(r, &id));
    int64_t now_s = env_->NowMicros() / 1'000'000;
    int64_t start_s = RoundStartSeconds(FloorDiv(r.start_ms, 1000), r.period_s, now_s);
    int64_t end_s = FloorDiv(r.end_ms + 999, 1000);
    int64_t buckets = (end_s - start_s + r.period_s - 1) / r.period_s;
    if (buckets > static_cast<int64_t>(r.max_buckets)) {
      return Status::InvalidArgument(fmt::format(
          "InvalidParameterCombination: You have requested up to {} datapoints, which exceeds "
          "the limit of {}. You may reduce the datapoints requested by increasing Period, or "
          "decreasing the time range.",
          buckets, r.max_buckets));
    }
    int tier = PickTier(start_s, r.period_s);
    if (tier < 0 || buckets <= 0) return std::vector<StatisticsPoint>{};
    // Reused per thread: a 3-hour query at 1 s has 10,800 buckets, and fresh
    // vectors that large would be mapped and faulted in on every call.
    thread_local std::vector<Aggregate> acc;
    thread_local std::vector<int16_t>
        unit_of;  // Per bucket: index into units, or kNoUnit/kMixedUnits.
    acc.clear();
    acc.resize(static_cast<size_t>(buckets));
    unit_of.assign(static_cast<size_t>(buckets), kNoUnit);
    std::vector<std::string> units;
    GL_RETURN_IF_ERROR(Collect(r, id, tier, start_s, end_s, acc, unit_of, units));
    size_t filled = 0;
    for (const Aggregate& a : acc) filled += a.empty() ? 0 : 1;
    std::vector<StatisticsPoint> out;
    out.reserve(filled);
    for (size_t b = 0; b < acc.size(); ++b) {
      if (acc[b].empty()) continue;
      StatisticsPoint& p = out.emplace_back();
      p.timestamp_ms = (start_s + static_cast<int64_t>(b) * r.period_s) * 1000;
      p.unit = unit_of[b] >= 0 ? units[static_cast<size_t>(unit_of[b])] : "None";
      p.values.reserve(r.statistics.size());
      for (const Statistic& s : r.statistics) p.values.push_back(acc[b].Compute(s));
    }
    acc.clear();  // Frees the buckets' sketches now, keeps the capacity.
    return out;
  }

  std::vector<MetricId> ListMetrics(const ListMetricsFilter& f) const override GL_EXCLUDES(mu_) {
    std::vector<MetricId> out;
    MutexLock l(&mu_);
    for (const auto& [key, s] : series_) {
      if (s->last_ms < f.active_since_ms || !MatchesFilter(s->id, f)) continue;
      if (!out.empty() && out.back() == s->id) continue;  // Another unit of the same metric.
      out.push_back(s->id);
    }
    return out;
  }

  Status Maintain(bool force_checkpoint) override GL_EXCLUDES(checkpoint_mu_, mu_) {
    SealAndDrop();
    if (!force_checkpoint && !CheckpointDue()) return Status::OK();
    return WriteCheckpoint();
  }

  size_t series_count() const override GL_EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return series_.size();
  }

  MetricStoreStats stats() const override GL_EXCLUDES(mu_) {
    MetricStoreStats st;
    MutexLock l(&mu_);
    st.series = series_.size();
    st.tier_memory_bytes.assign(options_.tiers.size(), 0);
    for (const auto& [key, s] : series_) {
      st.memory_bytes += sizeof(Series) + key.capacity() + s->unit.capacity();
      for (size_t i = 0; i < s->tiers.size(); ++i) {
        for (const auto& [start, c] : s->tiers[i]) {
          ++st.chunks;
          st.sealed_chunks += c.sealed() ? 1 : 0;
          st.cells += c.cell_count();
          const uint64_t bytes = c.MemoryBytes() + 48;  // 48: the map node.
          st.memory_bytes += bytes;
          st.tier_memory_bytes[i] += bytes;
        }
      }
    }
    st.datapoints_put = datapoints_put_.load();
    st.log_bytes = wal_ ? wal_->pending_bytes() : 0;
    st.checkpoints = checkpoints_.load();
    return st;
  }

  Status Close() override GL_EXCLUDES(stop_mu_, checkpoint_mu_, mu_) {
    {
      MutexLock l(&stop_mu_);
      if (closed_) return Status::OK();
      closed_ = true;
    }
    stop_cv_.SignalAll();
    if (maintainer_.joinable()) maintainer_.join();
    if (!wal_) return Status::OK();
    Status s = WriteCheckpoint();
    Status c = wal_->Close();
    return s.ok() ? c : s;
  }

 private:
  bool CheckpointDue() const GL_EXCLUDES(mu_) {
    {
      MutexLock l(&mu_);
      if (applied_seq_ == checkpointed_seq_) return false;
    }
    return wal_->pending_bytes() >= options_.checkpoint_log_bytes ||
           env_->MonotonicMicros() - last_checkpoint_us_.load() >=
               options_.checkpoint_interval_s * 1'000'000;
  }

  Status CheckSeriesLimit(const std::vector<MetricDatum>& data) GL_EXCLUDES(mu_) {
    MutexLock l(&mu_);
    if (series_.size() + data.size() <= options_.max_series) return Status::OK();
    size_t fresh = 0;
    for (const MetricDatum& d : data) fresh += series_.count(SeriesKey(d.id, d.unit)) ? 0 : 1;
    if (series_.size() + fresh <= options_.max_series) return Status::OK();
    return Status::ResourceExhausted(
        fmt::format("LimitExceeded: the store holds {} series; metrics.max_series is {}",
                    series_.size(), options_.max_series));
  }

  // Adds a durable batch (log record `seq`) to the tiers. Runs on the log's
  // writer thread, in log order, or during replay.
  void Apply(const std::vector<MetricDatum>& data, uint64_t seq) GL_EXCLUDES(mu_) {
    int64_t now_s = env_->NowMicros() / 1'000'000;
    MutexLock l(&mu_);
    for (const MetricDatum& d : data) {
      Series& s = FindOrCreate(d);
      s.last_ms = std::max(s.last_ms, d.timestamp_ms);
      int64_t t = FloorDiv(d.timestamp_ms, 1000);
      for (size_t i = 0; i < options_.tiers.size(); ++i) {
        const TierSpec& tier = options_.tiers[i];
        if (tier.resolution_s < d.storage_resolution_s) continue;
        if (t < now_s - tier.retention_s) continue;
        int64_t span = tier.resolution_s * tier.chunk_slots;
        int64_t chunk_start = FloorDiv(t, span) * span;
        auto slot = static_cast<uint32_t>((t - chunk_start) / tier.resolution_s);
        auto [it, inserted] = s.tiers[i].try_emplace(chunk_start, tier.chunk_slots);
        if (inserted || it->second.sealed()) {
          open_chunks_.push_back({&s, static_cast<uint32_t>(i), chunk_start});
        }
        it->second.Cell(slot).AddDatum(d);
      }
    }
    applied_seq_ = seq;
    datapoints_put_.fetch_add(data.size(), std::memory_order_relaxed);
  }

  Series& FindOrCreate(const MetricDatum& d) GL_REQUIRES(mu_) {
    thread_local std::string key;
    SeriesKeyInto(d.id, d.unit, &key);
    auto it = series_.find(std::string_view(key));
    if (it != series_.end()) return *it->second;
    auto s = std::make_unique<Series>();
    s->id = d.id;
    s->unit = d.unit;
    s->tiers.resize(options_.tiers.size());
    return *series_.emplace(key, std::move(s)).first->second;
  }

  // Checks a request; on success *id is its metric, normalized.
  static Status CheckRequest(const StatisticsRequest& r, MetricId* id) {
    GL_RETURN_IF_ERROR(ValidatePeriod(r.period_s));
    if (r.start_ms >= r.end_ms) {
      return Status::InvalidArgument(
          "InvalidParameterValue: The parameter StartTime must be less than the parameter "
          "EndTime.");
    }
    if (r.statistics.empty()) {
      return Status::InvalidArgument("MissingParameter: at least one statistic is required");
    }
    *id = r.id;
    return NormalizeMetricId(id, "Metric");
  }

  // The coarsest tier whose periods tile the buckets and that still holds
  // data as old as start_s; -1 if none does.
  int PickTier(int64_t start_s, int64_t period_s) const {
    int64_t now_s = env_->NowMicros() / 1'000'000;
    for (int i = static_cast<int>(options_.tiers.size()) - 1; i >= 0; --i) {
      const TierSpec& t = options_.tiers[static_cast<size_t>(i)];
      if (period_s % t.resolution_s != 0 || start_s % t.resolution_s != 0) continue;
      if (start_s + period_s <= now_s - t.retention_s) continue;
      return i;
    }
    return -1;
  }

  static constexpr int16_t kNoUnit = -1;
  static constexpr int16_t kMixedUnits = -2;  // Answered as "None".

  // Merges the cells of every series of `id` (every unit, or r.unit's) in
  // [start_s, end_s) into acc's buckets; unit_of[b] indexes `units`, the
  // distinct units seen.
  Status Collect(const StatisticsRequest& r, const MetricId& id, int tier_index, int64_t start_s,
                 int64_t end_s, std::vector<Aggregate>& acc, std::vector<int16_t>& unit_of,
                 std::vector<std::string>& units) const GL_EXCLUDES(mu_) {
    const TierSpec& tier = options_.tiers[static_cast<size_t>(tier_index)];
    int64_t span = tier.resolution_s * tier.chunk_slots;
    std::string prefix = SeriesKey(id, "");
    MutexLock l(&mu_);
    for (auto it = series_.lower_bound(prefix); it != series_.end(); ++it) {
      if (!it->first.starts_with(prefix)) break;
      const Series& s = *it->second;
      if (r.unit && s.unit != *r.unit) continue;
      auto known = std::find(units.begin(), units.end(), s.unit);
      const auto unit = static_cast<int16_t>(known - units.begin());
      if (known == units.end()) units.push_back(s.unit);
      const auto& chunks = s.tiers[static_cast<size_t>(tier_index)];
      for (auto c = chunks.lower_bound(FloorDiv(start_s, span) * span);
           c != chunks.end() && c->first < end_s; ++c) {
        int64_t chunk_start = c->first;
        Status st = c->second.ForEach(0, tier.chunk_slots, [&](uint32_t slot, const Aggregate& a) {
          int64_t t = chunk_start + static_cast<int64_t>(slot) * tier.resolution_s;
          if (t < start_s || t >= end_s) return;
          auto b = static_cast<size_t>((t - start_s) / r.period_s);
          acc[b].Merge(a);
          if (unit_of[b] == kNoUnit) {
            unit_of[b] = unit;
          } else if (unit_of[b] != unit) {
            unit_of[b] = kMixedUnits;
          }
        });
        if (!st.ok()) return st.WithContext(fmt::format("reading {}", MetricIdText(s.id)));
      }
    }
    return Status::OK();
  }

  // Seals the open chunks that are due — and, in chunks still taking puts,
  // the cells whose periods ended seal_after_s ago (kMinCellsToSeal at a
  // time) — then drops chunks past retention and series left without chunks.
  void SealAndDrop() GL_EXCLUDES(mu_) {
    static constexpr size_t kMinCellsToSeal = 4;
    int64_t now_s = env_->NowMicros() / 1'000'000;
    MutexLock l(&mu_);
    std::erase_if(open_chunks_, [&](const OpenChunk& o) {
      const TierSpec& t = options_.tiers[o.tier];
      auto& chunks = o.series->tiers[o.tier];
      auto c = chunks.find(o.start);
      if (c == chunks.end()) return true;
      const int64_t done_s = now_s - options_.seal_after_s;  // Periods ended before are done.
      if (o.start + t.resolution_s * t.chunk_slots <= done_s) {
        c->second.Seal();
        return true;
      }
      if (done_s > o.start) {
        c->second.SealBefore(static_cast<uint32_t>((done_s - o.start) / t.resolution_s),
                             kMinCellsToSeal);
      }
      return false;
    });
    std::vector<const Series*> erased;
    for (auto it = series_.begin(); it != series_.end();) {
      bool any = false;
      for (size_t i = 0; i < options_.tiers.size(); ++i) {
        const TierSpec& t = options_.tiers[i];
        int64_t span = t.resolution_s * t.chunk_slots;
        auto& chunks = it->second->tiers[i];
        while (!chunks.empty() && chunks.begin()->first + span <= now_s - t.retention_s) {
          chunks.erase(chunks.begin());
        }
        any = any || !chunks.empty();
      }
      if (any) {
        ++it;
        continue;
      }
      erased.push_back(it->second.get());
      it = series_.erase(it);
    }
    if (erased.empty()) return;
    std::erase_if(open_chunks_, [&](const OpenChunk& o) {
      return std::find(erased.begin(), erased.end(), o.series) != erased.end();
    });
  }

  Status WriteCheckpoint() GL_EXCLUDES(checkpoint_mu_, mu_) {
    MutexLock cl(&checkpoint_mu_);
    Checkpoint c;
    c.tiers = options_.tiers;
    {
      MutexLock l(&mu_);
      c.applied_seq = applied_seq_;
      if (c.applied_seq == checkpointed_seq_) return Status::OK();  // Nothing new.
      c.series.reserve(series_.size());
      for (const auto& [key, s] : series_) {
        CheckpointSeries cs{s->id, s->unit, {}};
        cs.tiers.resize(s->tiers.size());
        for (size_t i = 0; i < s->tiers.size(); ++i) {
          for (const auto& [start, chunk] : s->tiers[i]) {
            if (!chunk.empty()) cs.tiers[i].push_back({start, chunk.Encoded()});
          }
        }
        c.series.push_back(std::move(cs));
      }
    }
    std::string file;
    EncodeCheckpoint(c, &file);
    GL_RETURN_IF_ERROR(env_->WriteFileAtomic(options_.dir + "/" + kCheckpointName, file));
    last_checkpoint_us_ = env_->MonotonicMicros();
    checkpoints_.fetch_add(1);
    {
      MutexLock l(&mu_);
      checkpointed_seq_ = c.applied_seq;
    }
    if (c.applied_seq > 0) GL_RETURN_IF_ERROR(wal_->Release(kLogStream, c.applied_seq));
    return Status::OK();
  }

  // Init's: no other thread sees the store yet, but mu_ is taken all the
  // same, so the analysis checks the series are only touched under it.
  Status LoadCheckpoint() GL_EXCLUDES(mu_) {
    std::string path = options_.dir + "/" + kCheckpointName;
    last_checkpoint_us_ = env_->MonotonicMicros();
    if (!env_->FileExists(path)) return Status::OK();
    GL_ASSIGN_OR_RETURN(std::string file, env_->ReadFile(path));
    auto c = DecodeCheckpoint(file);
    if (!c.ok()) return c.status().WithContext(path);
    MutexLock l(&mu_);
    applied_seq_ = checkpointed_seq_ = c->applied_seq;
    bool same_tiers = c->tiers.size() == options_.tiers.size();
    for (size_t i = 0; same_tiers && i < c->tiers.size(); ++i) {
      same_tiers = c->tiers[i].resolution_s == options_.tiers[i].resolution_s &&
                   c->tiers[i].chunk_slots == options_.tiers[i].chunk_slots;
    }
    for (CheckpointSeries& cs : c->series) {
      GL_RETURN_IF_ERROR(same_tiers ? AdoptSeries(cs) : ReslotSeries(cs, c->tiers));
    }
    return Status::OK();
  }

  Status AdoptSeries(CheckpointSeries& cs) GL_REQUIRES(mu_) {
    auto s = std::make_unique<Series>();
    s->id = std::move(cs.id);
    s->unit = std::move(cs.unit);
    s->tiers.resize(options_.tiers.size());
    for (size_t i = 0; i < cs.tiers.size(); ++i) {
      const TierSpec& t = options_.tiers[i];
      for (CheckpointChunk& cc : cs.tiers[i]) {
        auto chunk = Chunk::FromEncoded(t.chunk_slots, std::move(cc.encoded));
        if (!chunk.ok()) return chunk.status().WithContext("checkpoint: " + MetricIdText(s->id));
        s->last_ms = std::max(s->last_ms, (cc.start_s + t.resolution_s * t.chunk_slots) * 1000);
        s->tiers[i].emplace(cc.start_s, std::move(chunk).value());
      }
    }
    std::string key = SeriesKey(s->id, s->unit);
    series_.emplace(std::move(key), std::move(s));
    return Status::OK();
  }

  // The checkpoint was written with other tiers: cells move to the tier of
  // the same resolution, if there still is one.
  Status ReslotSeries(CheckpointSeries& cs, const std::vector<TierSpec>& old_tiers)
      GL_REQUIRES(mu_) {
    MetricDatum key;
    key.id = cs.id;
    key.unit = cs.unit;
    Series& s = FindOrCreate(key);
    for (size_t i = 0; i < old_tiers.size(); ++i) {
      auto to = std::find_if(options_.tiers.begin(), options_.tiers.end(), [&](const TierSpec& t) {
        return t.resolution_s == old_tiers[i].resolution_s;
      });
      if (to == options_.tiers.end()) continue;
      auto& chunks = s.tiers[static_cast<size_t>(to - options_.tiers.begin())];
      int64_t span = to->resolution_s * to->chunk_slots;
      for (CheckpointChunk& cc : cs.tiers[i]) {
        GL_ASSIGN_OR_RETURN(Chunk old, Chunk::FromEncoded(old_tiers[i].chunk_slots, cc.encoded));
        GL_RETURN_IF_ERROR(
            old.ForEach(0, old_tiers[i].chunk_slots, [&](uint32_t slot, const Aggregate& a) {
              int64_t t = cc.start_s + static_cast<int64_t>(slot) * old_tiers[i].resolution_s;
              int64_t start = FloorDiv(t, span) * span;
              auto [it, _] = chunks.try_emplace(start, to->chunk_slots);
              it->second.Cell(static_cast<uint32_t>((t - start) / to->resolution_s)).Merge(a);
              s.last_ms = std::max(s.last_ms, t * 1000);
            }));
      }
    }
    for (auto& chunks : s.tiers) {
      for (auto& [start, c] : chunks) c.Seal();
    }
    return Status::OK();
  }

  // Applies the log records the checkpoint does not hold, in order.
  Status Replay() GL_EXCLUDES(mu_) {
    uint64_t applied = 0;  // Apply's applied_seq_, followed here without the lock.
    {
      MutexLock l(&mu_);
      applied = applied_seq_;
    }
    auto cursor = wal_->NewCursor(applied + 1);
    LogRecord rec;
    uint64_t replayed = 0;
    while (true) {
      GL_ASSIGN_OR_RETURN(bool more, cursor->Next(&rec));
      if (!more) break;
      if (rec.stream != kLogStream || rec.seq <= applied) continue;
      auto data = DecodePutBatch(rec.payload);
      if (!data.ok()) {
        // The log's CRC passed, so this is a bug or a foreign writer: say so, keep the rest.
        spdlog::error("msg=\"skipping an unreadable metrics log record\" seq={} error=\"{}\"",
                      rec.seq, data.status().ToString());
        continue;
      }
      Apply(*data, rec.seq);
      applied = rec.seq;
      ++replayed;
    }
    if (replayed > 0) spdlog::info("msg=\"metrics: replayed the log\" batches={}", replayed);
    return Status::OK();
  }

  void MaintainLoop() GL_EXCLUDES(stop_mu_) {
    MutexLock l(&stop_mu_);
    while (!closed_) {
      stop_cv_.WaitFor(&stop_mu_, std::chrono::seconds(options_.maintain_interval_s));
      if (closed_) break;
      l.Unlock();
      Status s = Maintain(false);
      if (!s.ok()) spdlog::warn("msg=\"metrics maintenance failed\" error=\"{}\"", s.ToString());
      l.Lock();
    }
  }

  const MetricStoreOptions options_;
  Env* env_;
  std::unique_ptr<Wal> wal_;
  struct OpenChunk {
    Series* series;
    uint32_t tier;
    int64_t start;
  };
  Mutex checkpoint_mu_ GL_ACQUIRED_BEFORE(mu_);  // One checkpoint at a time.
  mutable Mutex mu_;
  std::map<std::string, std::unique_ptr<Series>, std::less<>> series_ GL_GUARDED_BY(mu_);
  // Chunks to seal once due (may repeat or be gone).
  std::vector<OpenChunk> open_chunks_ GL_GUARDED_BY(mu_);
  uint64_t applied_seq_ GL_GUARDED_BY(mu_) = 0;
  uint64_t checkpointed_seq_ GL_GUARDED_BY(mu_) = 0;
  std::atomic<int64_t> last_checkpoint_us_{0};
  std::atomic<uint64_t> datapoints_put_{0};
  std::atomic<uint64_t> checkpoints_{0};
  Mutex stop_mu_;
  CondVar stop_cv_;
  bool closed_ GL_GUARDED_BY(stop_mu_) = false;
  std::thread maintainer_;
};

}  // namespace

Result<std::unique_ptr<MetricStore>> MetricStore::Open(const MetricStoreOptions& options) {
  auto store = std::make_unique<MetricStoreImpl>(options);
  GL_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<MetricStore>(std::move(store));
}

}  // namespace gamelake

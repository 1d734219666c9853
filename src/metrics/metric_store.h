// MetricStore: the embedded, durable CloudWatch-style metrics store — series,
// roll-up tiers with retention, statistics per period.
//
// Durability: Put() validates a whole batch (all or nothing), appends it as one
// record to the store's own write-ahead log (log/, the same Wal as ingest: CRC'd
// entries, group commit, fdatasync, torn tails cut on recovery) and returns
// once the record is durable and applied. The log's writer thread applies
// batches in log order, so a checkpoint (CHECKPOINT, written atomically every
// checkpoint_interval_s or checkpoint_log_bytes) covers exactly a prefix of
// the log; on Open() the checkpoint is loaded and the rest of the log
// replayed, each batch once. Formats: metric_store_format.md.
//
// Tiers (CloudWatch's schedule by default): each datum is added, as it
// arrives, to the aggregate of its period in every tier it belongs to —
// 1-second data to all, 60-second data to all but the 1-second tier — so a
// coarser tier is an exact roll-up and keeps the sketch for percentiles. A
// tier drops chunks past its retention; old chunks are sealed (encoded) so
// memory is a few bytes per datapoint (see MemoryBytes and docs/metrics.md).
//
// Statistics follow CloudWatch's rules: start rounded by the data's age (and
// to the period below a minute), start inclusive, end exclusive, buckets of
// `period` from the rounded start, periods 1/5/10/20/30 or a multiple of 60
// (older data needs a multiple of the tier that still holds it), the exact
// set of dimensions, units never converted (no unit: every unit's data).
//
// Thread-safety: every method may be called from any thread. One mutex
// guards the series; Put's validation and encoding happen outside it. A
// maintenance thread seals, drops and checkpoints.
#ifndef GAMELAKE_METRICS_METRIC_STORE_H_
#define GAMELAKE_METRICS_METRIC_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "common/status.h"
#include "log/wal.h"
#include "metrics/metric_types.h"

namespace gamelake {

struct TierSpec {
  int64_t resolution_s = 60;
  int64_t retention_s = 15 * 86400;
  uint32_t chunk_slots = 60;  // Periods per chunk: the unit sealed and dropped.
};

// 1 s for 3 h, 1 min for 15 d, 5 min for 63 d, 1 h for 455 d (CloudWatch's).
std::vector<TierSpec> DefaultTiers();

// CloudWatch's rounding of a statistics start time: by its age to the minute
// (under 15 days), 5 minutes (under 63) or the hour; for periods under a
// minute and data of the last 3 hours, down to a multiple of the period.
int64_t RoundStartSeconds(int64_t start_s, int64_t period_s, int64_t now_s);

struct MetricStoreOptions {
  std::string dir;  // <data dir>/metrics; created if missing.
  Env* env = Env::Default();
  Durability durability = Durability::kFsync;
  std::vector<TierSpec> tiers = DefaultTiers();  // Finest first; resolutions divide each other.
  int64_t checkpoint_interval_s = 300;
  uint64_t checkpoint_log_bytes = 64ull << 20;  // Or sooner, once the log holds this much.
  int64_t seal_after_s = 120;       // Seal a chunk this long after its last period ends.
  int64_t maintain_interval_s = 1;  // Seal/drop/checkpoint pass; 0: only when called.
  size_t max_series = 1'000'000;    // Puts creating more fail with LimitExceeded.
};

struct StatisticsRequest {
  MetricId id;
  std::optional<std::string> unit;  // Only data put with this unit; none: every unit.
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t period_s = 60;
  std::vector<Statistic> statistics;
  size_t max_buckets = 1440;  // More buckets than this: InvalidParameterCombination.
};

// One bucket with data. values[i] answers statistics[i]; nullopt when that
// statistic is unavailable for the bucket (a percentile of a statistic set).
struct StatisticsPoint {
  int64_t timestamp_ms = 0;  // The bucket's start.
  std::string unit;          // The unit the data was put with ("None" if several).
  std::vector<std::optional<double>> values;
};

struct ListMetricsFilter {
  std::optional<std::string> ns;
  std::optional<std::string> name;
  // Metrics having each of these dimensions (a value of nullopt: any value).
  std::vector<std::pair<std::string, std::optional<std::string>>> dimensions;
  int64_t active_since_ms = 0;  // Only metrics with data at or after this time.
};

struct MetricStoreStats {
  uint64_t series = 0;
  uint64_t chunks = 0;
  uint64_t sealed_chunks = 0;
  uint64_t cells = 0;
  uint64_t memory_bytes = 0;                // Chunks and series keys.
  std::vector<uint64_t> tier_memory_bytes;  // Of memory_bytes, each tier's chunks.
  uint64_t datapoints_put = 0;
  uint64_t log_bytes = 0;
  uint64_t checkpoints = 0;
};

class MetricStore {
 public:
  static Result<std::unique_ptr<MetricStore>> Open(const MetricStoreOptions& options);
  virtual ~MetricStore() = default;

  // Validates (ValidateDatum: each error names "MetricData.member.<N>", N from
  // 1), then stores all of `data` durably; InvalidArgument (nothing stored),
  // LimitExceeded as ResourceExhausted, Unavailable once closed, IOError.
  virtual Status Put(std::vector<MetricDatum> data) = 0;

  // Statistics per period, ascending by time. InvalidArgument messages start
  // with the CloudWatch error code, like ValidateDatum's.
  virtual Result<std::vector<StatisticsPoint>> GetStatistics(
      const StatisticsRequest& request) const = 0;

  // Distinct metrics (units folded), sorted by namespace, name, dimensions.
  virtual std::vector<MetricId> ListMetrics(const ListMetricsFilter& filter) const = 0;

  // One seal/retention pass, then a checkpoint if due (force: always).
  virtual Status Maintain(bool force_checkpoint = false) = 0;
  // Walks every chunk under the store's lock: for tests, benchmarks and the
  // memory gauge, not for every request.
  virtual MetricStoreStats stats() const = 0;
  virtual size_t series_count() const = 0;  // Cheap.
  // Stops the maintenance thread, checkpoints, closes the log. Idempotent.
  virtual Status Close() = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_METRIC_STORE_H_

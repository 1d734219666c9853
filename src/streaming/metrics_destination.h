// MetricsDestination: rows of an in-application stream become CloudWatch-style
// datapoints in the metrics store — the lab's Lambda function, as
// configuration. Each row gives one datapoint per mapped numeric column
// (column -> metric name; without a map, every numeric column under its own
// name) in the namespace, stamped with the row's ROWTIME, without dimensions,
// at 1-second resolution; NULL values give none.
//
// A row whose datapoints the store would refuse (CloudWatch's rules: a ROWTIME
// over two weeks old or two hours ahead, a value out of range) fails alone,
// with the store's reason. Rows are put in batches of at most 1,000
// datapoints; a batch whose Put fails (other than as invalid) is retried with
// back-off, then its rows fail. Put is all or nothing, so a failed batch
// stored nothing; after a crash the runner may send rows again: at least once.
//
// Thread-safety: as Destination.
#ifndef GAMELAKE_STREAMING_METRICS_DESTINATION_H_
#define GAMELAKE_STREAMING_METRICS_DESTINATION_H_

#include <string>
#include <utility>
#include <vector>

#include "metrics/metric_store.h"
#include "streaming/destination.h"

namespace gamelake {

struct MetricsDestinationOptions {
  MetricStore* store = nullptr;  // Must outlive the destination.
  std::string ns;                // The namespace.
  // Column -> metric name; empty: every numeric column, named as the column.
  std::vector<std::pair<std::string, std::string>> metric_map;
  Env* env = Env::Default();  // The clock the store's timestamp rules use.
  RetryPolicy retry;
};

class MetricsDestination final : public Destination {
 public:
  explicit MetricsDestination(MetricsDestinationOptions options);

  Status Deliver(const StreamSchema& schema, const std::vector<OutputRow>& rows,
                 std::vector<FailedRow>* failed) override;
  void Stop() override { stop_.Stop(); }

 private:
  struct Metric {
    int column;
    std::string name;
  };
  struct Batch {
    std::vector<MetricDatum> data;
    std::vector<uint64_t> ordinals;  // Rows with datapoints in `data`.
  };

  // Which columns become which metrics for `schema`.
  Result<std::vector<Metric>> Plan(const StreamSchema& schema) const;
  // The row's datapoints, validated; an error is the row's reason to fail.
  Status RowData(const std::vector<Metric>& plan, const StreamRow& row, int64_t now_ms,
                 std::vector<MetricDatum>* out) const;
  // Puts one batch with retries. OK, Cancelled, or the error its rows fail with.
  Status Put(Batch* batch);

  const MetricsDestinationOptions options_;
  StopSignal stop_;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_METRICS_DESTINATION_H_

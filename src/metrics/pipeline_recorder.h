// PipelineRecorder: gamelake's own metrics, recorded into its metrics store
// once a second at 1-second resolution — Firehose's Monitoring tab and a
// query engine's vital signs, readable with the same APIs as any metric.
//
//   namespace gamelake/Streams, dimension StreamName=<stream>:
//     IncomingRecords, DuplicateRecords, ThrottledRecords, FailedRecords (Count),
//     IncomingBytes (Bytes), DeliveryToLake.Records (Count),
//     DeliveryToLake.Bytes (Bytes), DeliveryToLake.Success (None: files
//     delivered / files attempted, written when a file was attempted),
//     DeliveryToLake.DataFreshness (Seconds: the age of the stream's oldest
//     record not yet in the lake; 0 when none waits);
//   namespace gamelake/Queries, no dimensions:
//     Queries, QueryErrors (Count), QueryLatency (Milliseconds, each query's
//     latency, so its percentiles are right);
//   namespace gamelake/Apps, dimension Application=<name> (each running
//   streaming application, KDA's application metrics):
//     InputRecords, OutputRows, ErrorRows (Count), MillisBehindLatest
//     (Milliseconds: now - the ingest time of what it has delivered),
//     LagRecords (Count: log records it has not passed), StateBytes (Bytes).
//
// Each second's datapoints hold what the counters gained during that second
// (timestamped at its start). A stream is written only in seconds when one of
// its counters moved or records of it wait for delivery, so idle streams cost
// nothing; the query metrics only in seconds with queries. Recording goes
// through MetricStore::Put like any client's put (durable, one log record a
// second); a failure is logged and that second is skipped.
//
// Thread-safety: Start/Stop from one thread; RecordSecond is called by the
// recorder's thread (or by tests, when no thread was started).
#ifndef GAMELAKE_METRICS_PIPELINE_RECORDER_H_
#define GAMELAKE_METRICS_PIPELINE_RECORDER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "common/status.h"
#include "common/stream_stats.h"
#include "metrics/metric_store.h"

namespace gamelake {

// One streaming application as the recorder samples it: cumulative counters
// (of the application's life, so they survive restarts) and its lag now.
struct AppSample {
  std::string name;
  uint64_t records_in = 0, rows_out = 0, error_rows = 0;
  double lag_ms = 0;
  uint64_t lag_records = 0;
  uint64_t state_bytes = 0;
};

struct PipelineRecorderOptions {
  StreamStats* stats = nullptr;  // Must outlive the recorder.
  MetricStore* store = nullptr;  // Must outlive the recorder.
  Env* env = Env::Default();
  // Per stream, the ingest time (µs) of its oldest undelivered record; may be empty.
  std::function<std::map<std::string, int64_t>()> oldest_undelivered_us;
  // The running streaming applications; may be empty.
  std::function<std::vector<AppSample>()> apps;
};

class PipelineRecorder {
 public:
  static constexpr std::string_view kStreamsNamespace = "gamelake/Streams";
  static constexpr std::string_view kQueriesNamespace = "gamelake/Queries";
  static constexpr std::string_view kAppsNamespace = "gamelake/Apps";

  explicit PipelineRecorder(PipelineRecorderOptions options);
  ~PipelineRecorder();  // Stops.

  // Starts the thread that calls RecordSecond just after each second ends.
  void Start();
  void Stop() GL_EXCLUDES(mu_);

  // Records what the counters gained since the last call as the datapoints
  // of the second starting at second_start_ms.
  Status RecordSecond(int64_t second_start_ms);

 private:
  // What a stream's counters held at the last RecordSecond.
  struct Counts {
    uint64_t incoming_records = 0, incoming_bytes = 0, duplicate_records = 0;
    uint64_t throttled_records = 0, failed_records = 0;
    uint64_t delivered_records = 0, delivered_bytes = 0;
    uint64_t delivery_attempts = 0, delivery_successes = 0;
    bool operator==(const Counts&) const = default;
  };
  struct Seen {
    Counts counts;
    bool waiting = false;  // Records of the stream waited for delivery.
  };
  void StreamData(int64_t second_start_ms, std::vector<MetricDatum>* out);
  void QueryData(int64_t second_start_ms, std::vector<MetricDatum>* out);
  void AppData(int64_t second_start_ms, std::vector<MetricDatum>* out);
  void Loop() GL_EXCLUDES(mu_);

  const PipelineRecorderOptions options_;
  std::map<std::string, Seen> seen_;            // Only the recording thread touches it.
  std::map<std::string, AppSample> seen_apps_;  // Likewise: each app's last sample.
  Mutex mu_;
  CondVar cv_;
  bool stop_ GL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_PIPELINE_RECORDER_H_

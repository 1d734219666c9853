// DeliveryService: the Firehose part. Consumes the log and writes each
// stream's records into the lake as zstd-compressed Parquet files, through DuckDB.
//
// Each file goes to its stream's hour partition (by ingest time, UTC) under
// the name lake/lake_layout.h gives it: the first and last seq of the
// contiguous run of the stream's records it holds. The name is the delivery
// checkpoint: on start, each stream's watermark (ScanWatermarks) is where it
// resumes, and records at or below it are never delivered again.
// A file appears by atomic rename after it is fsync'd, then it is published
// to the lake's sink (lake/lake_sink.h: nothing for a local lake, an upload
// for an S3 lake), and only once the sink confirmed it does the log release
// the records it holds (exactly once, also across kill -9). A sink that
// fails is retried with back-off; the records stay in the log meanwhile and
// stats() reports the failures (health: degraded).
//
// On start, before anything is released, the sink recovers (Recover): the
// watermarks are the higher of the local files' and the sink's, and local
// files the sink lacks are published first. Until that succeeds (retried
// with back-off) nothing is read from the log.
//
// Each record becomes a row: its JSON fields as typed columns (union of the
// fields of the batch, NULL where absent, conflicting types as JSON text),
// plus _ingest_time (TIMESTAMP, UTC) and _record_id (BIGINT, the record's seq).
// A user field clashing with those names is renamed (see lake_writer.h).
//
// Buffer hints decide when a file is cut: when a stream's buffered bytes reach
// size_bytes, when its oldest buffered record is interval_us old, when the
// hour changes, or on Flush()/Stop(). Buffered records wait in staging NDJSON
// files (<staging_dir>/<stream>/), not in memory; they are rebuilt from the
// log after a restart.
//
// Thread-safety: all public methods are safe to call from any thread. The Wal
// must outlive the service: Stop() it before closing the Wal.
#ifndef GAMELAKE_DELIVERY_DELIVERY_SERVICE_H_
#define GAMELAKE_DELIVERY_DELIVERY_SERVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "common/env.h"
#include "common/metrics.h"
#include "common/result.h"
#include "common/status.h"
#include "common/stream_stats.h"
#include "lake/lake_sink.h"
#include "log/wal.h"

namespace gamelake {

struct BufferHints {
  uint64_t size_bytes = 64ull << 20;  // Firehose allows 1-128 MiB.
  int64_t interval_us = 60'000'000;   // Firehose allows 0-900 s.
};

struct DeliveryOptions {
  std::string lake_dir;     // <data>/lake
  std::string staging_dir;  // <data>/staging
  Env* env = Env::Default();
  BufferHints default_hints;
  std::map<std::string, BufferHints> stream_hints;  // Per-stream overrides.
  int duckdb_threads = 1;
  std::string duckdb_memory_limit = "1GB";
  Metrics* metrics = nullptr;  // Optional: registers gamelake_delivery_* series.
  // Optional: called on the converter thread after each file is durable in
  // the lake (path relative to lake_dir), before its log records are
  // released. Must not block for long.
  std::function<void(const std::string& lake_path)> on_file_delivered;
  // Per stream, the columns its table has (e.g. from the catalog): when a file
  // has more keys than a file may have columns, these stay columns first.
  std::map<std::string, std::set<std::string>> stream_columns;
  // Event ids: with both set, the ids of each batch (field as the write path
  // reads it; streams starting with '_' excluded) are written to the event
  // id index in id_index_dir before the batch's file enters the lake.
  std::string event_id_field;
  std::string id_index_dir;
  // Optional: per-stream delivered rows/bytes and file attempts/successes
  // (the pipeline metrics). Must outlive the service.
  StreamStats* stream_stats = nullptr;
  // Where each file goes once durable in lake_dir; null: the local lake
  // (NewLocalLakeSink).
  std::shared_ptr<LakeSink> sink;
  // This node's id in the names of the files it writes ("" for none;
  // lake_layout.h).
  std::string node_id;
};

struct DeliveryStats {
  uint64_t files_delivered = 0;
  uint64_t rows_delivered = 0;
  uint64_t bytes_delivered = 0;  // Parquet bytes written.
  uint64_t delivery_errors = 0;
  uint64_t buffered_records = 0;  // Read from the log, not yet in the lake.
  int64_t lag_us = 0;             // Age of the oldest undelivered record (0 if none).
  int consecutive_failures = 0;   // Failed attempts since the last file delivered.
  std::string last_error;         // The last failure's error while failures > 0.
};

class DeliveryService {
 public:
  // Scans the lake for watermarks, releases what is already delivered, removes
  // staging files, and starts delivering from the log. Run RemoveLeftovers
  // (lake/lake_files.h) on the lake first.
  static Result<std::unique_ptr<DeliveryService>> Start(Wal* wal, const DeliveryOptions& options);
  virtual ~DeliveryService() = default;

  // Delivers every record durable in the log when called (all buffers cut now).
  virtual Status Flush() = 0;
  // Flush, then stop the threads. Idempotent.
  virtual Status Stop() = 0;

  virtual DeliveryStats stats() const = 0;
  // Per stream with records read from the log but not yet in the lake: the
  // ingest time (µs since the epoch) of its oldest such record.
  virtual std::map<std::string, int64_t> OldestUndeliveredMicros() const = 0;
  // Highest delivered seq per stream.
  virtual std::map<std::string, uint64_t> watermarks() const = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_DELIVERY_DELIVERY_SERVICE_H_

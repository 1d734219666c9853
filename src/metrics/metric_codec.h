// The metrics store's on-disk formats, in one place: a put batch as one log
// record, and the checkpoint file. Described in metric_store_format.md; every
// decoder checks what it reads and says where it went wrong.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_METRICS_METRIC_CODEC_H_
#define GAMELAKE_METRICS_METRIC_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "metrics/encoding.h"
#include "metrics/metric_store.h"
#include "metrics/metric_types.h"

namespace gamelake {

// A put batch as the payload of one log record.
// A metric's id (namespace, name, dimensions), as every metrics format
// stores it (metric_store_format.md); GetMetricId refuses over 30 dimensions.
void PutMetricId(std::string* out, const MetricId& id);
Result<MetricId> GetMetricId(ByteReader& r);

std::string EncodePutBatch(const std::vector<MetricDatum>& data);
Result<std::vector<MetricDatum>> DecodePutBatch(std::string_view payload);

// The checkpoint: which log record it covers, the tiers it was written with,
// and every series' chunks in their sealed encoding.
struct CheckpointChunk {
  int64_t start_s = 0;  // The first period's start, seconds since the epoch.
  std::string encoded;  // Chunk::Encoded().
};
struct CheckpointSeries {
  MetricId id;
  std::string unit;
  std::vector<std::vector<CheckpointChunk>> tiers;  // Parallel to Checkpoint::tiers.
};
struct Checkpoint {
  uint64_t applied_seq = 0;  // Log records up to this seq are in it (0: none).
  std::vector<TierSpec> tiers;
  std::vector<CheckpointSeries> series;
};

// Appends to `out` (which may hold a prefix, e.g. reserved space); the file
// is magic, body and a CRC32C of both.
void EncodeCheckpoint(const Checkpoint& checkpoint, std::string* out);
Result<Checkpoint> DecodeCheckpoint(std::string_view file);

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_METRIC_CODEC_H_

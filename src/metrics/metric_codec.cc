#include "metrics/metric_codec.h"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "common/crc32c.h"
#include "metrics/aggregate.h"

namespace gamelake {
namespace {

constexpr char kBatchVersion = 1;
constexpr std::string_view kCheckpointMagic = "GLMCKPT1";

enum DatumKind : uint8_t { kValue = 0, kValues = 1, kValuesCounts = 2, kStatistics = 3 };

void PutDouble(std::string* out, double v) {
  char raw[8];
  std::memcpy(raw, &v, 8);
  out->append(raw, 8);
}

void PutDatum(std::string* out, const MetricDatum& d) {
  PutMetricId(out, d.id);
  PutString(out, d.unit);
  PutVarint(out, static_cast<uint64_t>(d.timestamp_ms));
  out->push_back(static_cast<char>(d.storage_resolution_s));
  if (d.value) {
    out->push_back(kValue);
    PutDouble(out, *d.value);
  } else if (d.statistics) {
    out->push_back(kStatistics);
    PutDouble(out, d.statistics->sample_count);
    PutDouble(out, d.statistics->sum);
    PutDouble(out, d.statistics->minimum);
    PutDouble(out, d.statistics->maximum);
  } else {
    out->push_back(d.counts.empty() ? kValues : kValuesCounts);
    PutVarint(out, d.values.size());
    for (double v : d.values) PutDouble(out, v);
    for (double c : d.counts) PutDouble(out, c);
  }
}

Status GetValues(ByteReader& r, uint8_t kind, MetricDatum* d) {
  switch (kind) {
    case kValue: {
      GL_ASSIGN_OR_RETURN(double v, r.Double("value"));
      d->value = v;
      return Status::OK();
    }
    case kStatistics: {
      StatisticSet s;
      GL_ASSIGN_OR_RETURN(s.sample_count, r.Double("sample count"));
      GL_ASSIGN_OR_RETURN(s.sum, r.Double("sum"));
      GL_ASSIGN_OR_RETURN(s.minimum, r.Double("minimum"));
      GL_ASSIGN_OR_RETURN(s.maximum, r.Double("maximum"));
      d->statistics = s;
      return Status::OK();
    }
    case kValues:
    case kValuesCounts: {
      GL_ASSIGN_OR_RETURN(uint64_t n, r.Count("value count", kind == kValues ? 8 : 16));
      if (n == 0 || n > kMaxValuesPerDatum) return r.Fail("bad value count");
      for (uint64_t i = 0; i < n; ++i) {
        GL_ASSIGN_OR_RETURN(double v, r.Double("value"));
        d->values.push_back(v);
      }
      for (uint64_t i = 0; kind == kValuesCounts && i < n; ++i) {
        GL_ASSIGN_OR_RETURN(double c, r.Double("count"));
        if (c <= 0) return r.Fail("count is not positive");
        d->counts.push_back(c);
      }
      return Status::OK();
    }
  }
  return r.Fail(fmt::format("unknown datum kind {}", kind));
}

Result<MetricDatum> GetDatum(ByteReader& r) {
  MetricDatum d;
  GL_ASSIGN_OR_RETURN(d.id, GetMetricId(r));
  GL_ASSIGN_OR_RETURN(d.unit, r.String("unit"));
  GL_ASSIGN_OR_RETURN(uint64_t ts, r.Varint("timestamp"));
  if (ts > static_cast<uint64_t>(INT64_MAX)) return r.Fail("timestamp out of range");
  d.timestamp_ms = static_cast<int64_t>(ts);
  GL_ASSIGN_OR_RETURN(uint8_t res, r.Byte("storage resolution"));
  if (res != 1 && res != 60) return r.Fail(fmt::format("storage resolution {}", res));
  d.storage_resolution_s = res;
  GL_ASSIGN_OR_RETURN(uint8_t kind, r.Byte("datum kind"));
  GL_RETURN_IF_ERROR(GetValues(r, kind, &d));
  return d;
}

void PutTiers(std::string* out, const std::vector<TierSpec>& tiers) {
  PutVarint(out, tiers.size());
  for (const TierSpec& t : tiers) {
    PutVarint(out, static_cast<uint64_t>(t.resolution_s));
    PutVarint(out, static_cast<uint64_t>(t.retention_s));
    PutVarint(out, t.chunk_slots);
  }
}

Result<std::vector<TierSpec>> GetTiers(ByteReader& r) {
  GL_ASSIGN_OR_RETURN(uint64_t n, r.Count("tier count", 3));
  if (n == 0 || n > 16) return r.Fail(fmt::format("{} tiers", n));
  std::vector<TierSpec> tiers(n);
  for (TierSpec& t : tiers) {
    GL_ASSIGN_OR_RETURN(uint64_t res, r.Varint("tier resolution"));
    GL_ASSIGN_OR_RETURN(uint64_t keep, r.Varint("tier retention"));
    GL_ASSIGN_OR_RETURN(uint64_t slots, r.Varint("tier chunk slots"));
    if (res == 0 || res > 86400 * 7 || keep > (1ull << 40) || slots == 0 || slots > 100000) {
      return r.Fail("tier out of range");
    }
    t = TierSpec{static_cast<int64_t>(res), static_cast<int64_t>(keep),
                 static_cast<uint32_t>(slots)};
  }
  return tiers;
}

Result<CheckpointSeries> GetSeries(ByteReader& r, size_t tiers) {
  CheckpointSeries s;
  GL_ASSIGN_OR_RETURN(s.id, GetMetricId(r));
  GL_ASSIGN_OR_RETURN(s.unit, r.String("unit"));
  s.tiers.resize(tiers);
  for (auto& chunks : s.tiers) {
    GL_ASSIGN_OR_RETURN(uint64_t n, r.Count("chunk count", 2));
    for (uint64_t i = 0; i < n; ++i) {
      CheckpointChunk c;
      GL_ASSIGN_OR_RETURN(uint64_t start, r.Varint("chunk start"));
      if (start > (1ull << 40)) return r.Fail("chunk start out of range");
      c.start_s = static_cast<int64_t>(start);
      GL_ASSIGN_OR_RETURN(c.encoded, r.String("chunk"));
      chunks.push_back(std::move(c));
    }
  }
  return s;
}

}  // namespace

void PutMetricId(std::string* out, const MetricId& id) {
  PutString(out, id.ns);
  PutString(out, id.name);
  PutVarint(out, id.dimensions.size());
  for (const Dimension& d : id.dimensions) {
    PutString(out, d.name);
    PutString(out, d.value);
  }
}

Result<MetricId> GetMetricId(ByteReader& r) {
  MetricId id;
  GL_ASSIGN_OR_RETURN(id.ns, r.String("namespace"));
  GL_ASSIGN_OR_RETURN(id.name, r.String("metric name"));
  GL_ASSIGN_OR_RETURN(uint64_t dims, r.Count("dimension count", 2));
  if (dims > kMaxDimensions) return r.Fail("more than 30 dimensions");
  for (uint64_t i = 0; i < dims; ++i) {
    Dimension d;
    GL_ASSIGN_OR_RETURN(d.name, r.String("dimension name"));
    GL_ASSIGN_OR_RETURN(d.value, r.String("dimension value"));
    id.dimensions.push_back(std::move(d));
  }
  return id;
}

std::string EncodePutBatch(const std::vector<MetricDatum>& data) {
  std::string out;
  out.reserve(data.size() * 64);
  out.push_back(kBatchVersion);
  PutVarint(&out, data.size());
  for (const MetricDatum& d : data) PutDatum(&out, d);
  return out;
}

Result<std::vector<MetricDatum>> DecodePutBatch(std::string_view payload) {
  ByteReader r(payload);
  GL_ASSIGN_OR_RETURN(uint8_t version, r.Byte("version"));
  if (version != kBatchVersion) return r.Fail(fmt::format("unknown batch version {}", version));
  GL_ASSIGN_OR_RETURN(uint64_t n, r.Count("datum count", 16));
  std::vector<MetricDatum> data;
  data.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    GL_ASSIGN_OR_RETURN(MetricDatum d, GetDatum(r));
    data.push_back(std::move(d));
  }
  if (!r.done()) return r.Fail("bytes after the last datum");
  return data;
}

void EncodeCheckpoint(const Checkpoint& c, std::string* out) {
  size_t begin = out->size();
  out->append(kCheckpointMagic);
  PutVarint(out, c.applied_seq);
  PutTiers(out, c.tiers);
  PutVarint(out, c.series.size());
  for (const CheckpointSeries& s : c.series) {
    PutMetricId(out, s.id);
    PutString(out, s.unit);
    for (const auto& chunks : s.tiers) {
      PutVarint(out, chunks.size());
      for (const CheckpointChunk& chunk : chunks) {
        PutVarint(out, static_cast<uint64_t>(chunk.start_s));
        PutString(out, chunk.encoded);
      }
    }
  }
  uint32_t crc = crc32c::Extend(0, out->data() + begin, out->size() - begin);
  char raw[4];
  std::memcpy(raw, &crc, 4);
  out->append(raw, 4);
}

Result<Checkpoint> DecodeCheckpoint(std::string_view file) {
  if (file.size() < kCheckpointMagic.size() + 4 || !file.starts_with(kCheckpointMagic)) {
    return Status::Corruption("not a gamelake metrics checkpoint (bad magic)");
  }
  uint32_t want;
  std::memcpy(&want, file.data() + file.size() - 4, 4);
  std::string_view body = file.substr(0, file.size() - 4);
  if (crc32c::Value(body) != want) {
    return Status::Corruption("checkpoint checksum mismatch (the file is damaged)");
  }
  ByteReader body_reader(body.substr(kCheckpointMagic.size()), kCheckpointMagic.size());
  Checkpoint c;
  GL_ASSIGN_OR_RETURN(c.applied_seq, body_reader.Varint("applied seq"));
  GL_ASSIGN_OR_RETURN(c.tiers, GetTiers(body_reader));
  GL_ASSIGN_OR_RETURN(uint64_t n, body_reader.Count("series count", 4));
  c.series.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    GL_ASSIGN_OR_RETURN(CheckpointSeries s, GetSeries(body_reader, c.tiers.size()));
    c.series.push_back(std::move(s));
  }
  if (!body_reader.done()) return body_reader.Fail("bytes after the last series");
  return c;
}

}  // namespace gamelake

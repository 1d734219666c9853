// MakeLakeSink: the LakeSink (lake/lake_sink.h) a config's lake.location
// asks for — the local lake's (nothing beyond <data>/lake), or an
// S3LakeSink for "s3://bucket/prefix" built from lake.s3.* and node.id.
// The S3 credentials are resolved here, so missing or half credentials stop
// the start with the reason. Kept apart from server.cc, whose HTTP types
// must not meet the S3 client's.
//
// Thread-safety: a pure function (it reads the environment and files).
#ifndef GAMELAKE_SERVER_LAKE_SINK_FACTORY_H_
#define GAMELAKE_SERVER_LAKE_SINK_FACTORY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "lake/lake_sink.h"
#include "server/config.h"

namespace gamelake {

Result<std::shared_ptr<LakeSink>> MakeLakeSink(const Config& config);

// The S3 client of an S3 lake.location (credentials resolved, as above).
class S3Client;
Result<std::unique_ptr<S3Client>> MakeLakeS3Client(const Config& config);

// What the lake maintainer needs to rewrite an S3 lake: the sink its new
// files are published through, and sweeps of this node's objects
// (s3/s3_lake_keeper.h; lake.s3.delete_grace_s). Thread-safe.
class LakeStoreUpkeep {
 public:
  virtual ~LakeStoreUpkeep() = default;
  virtual LakeSink* sink() = 0;
  // One sweep; returns how many replaced objects still wait for their grace.
  virtual Result<size_t> Sweep(const std::function<int64_t(const std::string&)>& cutoff_us) = 0;
};

// Null (and OK) when the lake is not on S3.
Result<std::unique_ptr<LakeStoreUpkeep>> MakeLakeStoreUpkeep(const Config& config);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_LAKE_SINK_FACTORY_H_

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

#include <memory>

#include "common/result.h"
#include "lake/lake_sink.h"
#include "server/config.h"

namespace gamelake {

Result<std::shared_ptr<LakeSink>> MakeLakeSink(const Config& config);

// The S3 client of an S3 lake.location (credentials resolved, as above).
class S3Client;
Result<std::unique_ptr<S3Client>> MakeLakeS3Client(const Config& config);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_LAKE_SINK_FACTORY_H_

// S3LakeSink: the lake on S3. Each file delivery makes durable in the node's
// local lake folder is uploaded to the object
//   <prefix> + <lake-relative path>     e.g. lake/events/dt=.../hr=10/<name>.parquet
// (the same Hive layout, so engines read the bucket as they read the folder),
// and Publish returns OK only once the store confirmed the whole object
// (PutObject, or a multipart upload above the threshold, with Content-MD5).
// The key is deterministic: uploading a file again writes the same bytes
// under the same key, which is harmless.
//
// Several nodes may share one prefix: each writes its node id into its file
// names (lake/lake_layout.h) and counts only its own files ("own": the node
// segment equals node_id, or no segment when node_id is empty).
//
// Recover(), at start, before delivery releases anything:
//   1. lists the objects under the prefix and keeps this node's files
//      (per table, the highest <last> is the store's watermark);
//   2. aborts this node's multipart uploads in progress under the prefix
//      (a crash mid-upload leaves them; a store without
//      ListMultipartUploads — s3rver — answers NotImplemented: none, with a
//      warning);
//   3. compares this node's local files with the listing: those missing in
//      the store, or there with another size, are returned to be published.
//
// Thread-safety: all methods may be called from any thread (the S3Client is
// thread-safe and the sink keeps no other state).
#ifndef GAMELAKE_S3_S3_LAKE_SINK_H_
#define GAMELAKE_S3_S3_LAKE_SINK_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/result.h"
#include "common/status.h"
#include "lake/lake_layout.h"
#include "lake/lake_sink.h"
#include "s3/s3_client.h"
#include "s3/s3_location.h"

namespace gamelake {

struct S3LakeSinkOptions {
  S3Location location;   // Bucket and prefix of the lake.
  std::string lake_dir;  // The local lake folder (<data>/lake).
  std::string node_id;   // "" for none.
  Env* env = Env::Default();
};

class S3LakeSink final : public LakeSink {
 public:
  // `client` must address options.location's bucket.
  S3LakeSink(std::unique_ptr<S3Client> client, S3LakeSinkOptions options);

  std::string Describe() const override { return options_.location.ToString(); }
  Result<LakeSinkRecovery> Recover() override;
  Status Publish(const std::string& lake_path) override;

  // The lake-relative path and name of `key` when it is one of this node's
  // files under the prefix; nullopt for anything else.
  struct OwnFile {
    std::string path;
    std::string table;
    LakeFileName name;
  };
  std::optional<OwnFile> ParseOwnKey(std::string_view key) const;

 private:
  // This node's objects: lake-relative path -> size.
  Result<std::map<std::string, uint64_t>> ListOwnObjects(LakeSinkRecovery* recovery);
  Status AbortOwnUploads();
  // Appends to recovery->missing the local files not in `remote` (or sized
  // otherwise).
  Status FindMissing(const std::map<std::string, uint64_t>& remote, LakeSinkRecovery* recovery);

  std::unique_ptr<S3Client> client_;
  const S3LakeSinkOptions options_;
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_S3_LAKE_SINK_H_

// S3LakeKeeper: keeps this node's objects of an S3 lake in line with its
// local lake folder once compaction, erasure and retention rewrite files
// (docs/lake_format.md, "Lifecycle on the S3 lake"). The local folder holds
// every file of this node and is the truth; the store follows it. Only this
// node's objects (its node id in the name) are ever touched, so two nodes
// never rewrite or delete one object.
//
// Sweep(), one pass, derived from a listing of the node's own objects and
// the local folder each time (nothing to persist: a restart re-derives it):
//   1. a local visible file the store lacks (or holds with another size) is
//      uploaded (S3LakeSink::Publish: same key, checksum and retries);
//   2. an object the local folder does not hold as a visible file is
//      - expired (its partition ended at or before its table's retention
//        cutoff): deleted at once;
//      - superseded by a local visible file the store holds too (the inputs
//        of a compaction, the original of an erasure): deleted once it has
//        been seen superseded for `delete_grace_us` (node clock, from the
//        first sweep of this process that saw it), so other nodes' listers
//        have seen the new object first — they prefer it by name anyway;
//      - otherwise overlapping a local visible file (the new object of a
//        rewrite whose upload was reported failed and rolled back locally,
//        yet reached the store): deleted at once, so it can never hide the
//        node's later rewrites from other nodes;
//      - otherwise kept (e.g. a node rebuilt without its local lake).
// A store that fails makes Sweep fail; the next one picks up where the
// state is (every step is idempotent).
//
// Thread-safety: Sweep calls are serialised by an internal mutex; the
// object may be used from any thread.
#ifndef GAMELAKE_S3_S3_LAKE_KEEPER_H_
#define GAMELAKE_S3_S3_LAKE_KEEPER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"
#include "s3/s3_client.h"
#include "s3/s3_lake_sink.h"

namespace gamelake {

struct S3LakeKeeperOptions {
  S3LakeSinkOptions sink;  // Location, local lake folder, node id, env.
  // How long an object stays after it was first seen superseded.
  int64_t delete_grace_us = 0;
};

// What one Sweep did (lake-relative paths).
struct S3LakeKeeperSweep {
  std::vector<std::string> uploaded;
  std::vector<std::string> deleted_superseded;
  std::vector<std::string> deleted_expired;
  std::vector<std::string> deleted_orphans;
  size_t waiting = 0;  // Superseded objects still within their grace period.
};

class S3LakeKeeper {
 public:
  // `client` must address options.sink.location's bucket.
  S3LakeKeeper(std::unique_ptr<S3Client> client, S3LakeKeeperOptions options);

  // The sink new files go through (the same upload path as delivery's).
  S3LakeSink* sink() { return &sink_; }

  // See the file comment. `cutoff_us(table)`: partitions ending at or
  // before it are past retention (INT64_MIN: keep forever).
  Result<S3LakeKeeperSweep> Sweep(const std::function<int64_t(const std::string&)>& cutoff_us)
      GL_EXCLUDES(mu_);

 private:
  // An object or a local file of this node.
  struct OwnEntry {
    std::string path;
    LakeFileName name;
    uint64_t bytes = 0;
  };
  using OwnByTable = std::map<std::string, std::vector<OwnEntry>>;

  Result<OwnByTable> ListStore();
  Result<OwnByTable> ListLocalVisible();
  // Decides the fate of one table's objects not held locally.
  void Judge(const std::vector<OwnEntry>& local, const std::vector<OwnEntry>& stored,
             int64_t cutoff, int64_t now, std::vector<std::string>* doomed, S3LakeKeeperSweep* out)
      GL_REQUIRES(mu_);

  S3Client* const client_;  // Owned by sink_.
  S3LakeSink sink_;
  const S3LakeKeeperOptions options_;
  Mutex mu_;
  // Superseded objects -> when a sweep first saw them so (monotonic us).
  std::map<std::string, int64_t> superseded_since_ GL_GUARDED_BY(mu_);
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_S3_LAKE_KEEPER_H_

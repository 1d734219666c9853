// RemoteLakeLister: how a node of a shared S3 lake (several node ids under
// one prefix) learns the files the OTHER nodes wrote, so its catalog and SQL
// see them. Every interval (lake.s3.list_interval_s) it lists the bucket
// under the prefix and brings the catalog's remote files (catalog.h,
// "Remote files") in line with it:
//   - an object named as gamelake names lake files (lake/lake_layout.h)
//     whose node segment is not this node's, visible among its node's files
//     (lake/lake_files.h: not superseded by another listed file), and not
//     in the catalog with the same size and ETag, is fetched into the cache
//     (s3/lake_file_cache.h), inspected from the copy and added;
//   - a remote file of the catalog that the listing covered and did not
//     find (deleted, e.g. compacted away by its node) is removed from the
//     catalog and its copy forgotten.
//   - an object whose partition ended at or before its table's retention
//     cutoff (retention_cutoff_us) is left out, as if gone: expired files
//     leave every node's SQL at once, before their node deletes them.
// This node's own objects are never touched: delivery owns them.
//
// Listing cost. A full listing (every object under the prefix) runs first,
// after a failure, and every full_every intervals. In between a listing is
// incremental: one delimiter listing of the prefix (the table folders) and,
// per table (those and the ones earlier listings saw), the keys from the
// newest dt= partition the last listing saw on (ListObjectsV2 start_after),
// so a listing costs the recent partitions, not the lake. A removal older
// than that partition, a whole table folder removed, or a file another node
// delivers late into an older partition, is seen by the next full listing;
// so is a new table on a store that does not group nested keys by the
// delimiter (s3rver).
//
// Failures. A listing that fails changes nothing; a download that fails
// leaves that file out until a later listing fetches it (the rest is
// applied); both make SyncOnce fail, counted in stats(). A file whose copy
// cannot be inspected is skipped (and logged once) until its ETag changes.
//
// Thread-safety: Start() runs SyncOnce on the lister's own thread every
// interval until Stop(); SyncOnce, stats() and Stop() may be called from any
// thread (SyncOnce calls are serialised).
#ifndef GAMELAKE_S3_REMOTE_LAKE_LISTER_H_
#define GAMELAKE_S3_REMOTE_LAKE_LISTER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "common/env.h"
#include "common/mutex.h"
#include "common/status.h"
#include "s3/lake_file_cache.h"
#include "s3/s3_client.h"
#include "s3/s3_location.h"

namespace gamelake {

struct RemoteLakeListerOptions {
  S3Location location;
  std::string node_id;             // This node's id ("" for none): its files are not remote.
  S3Client* client = nullptr;      // Not owned; must outlive the lister.
  Catalog* catalog = nullptr;      // Not owned.
  LakeFileCache* cache = nullptr;  // Not owned.
  int64_t interval_us = 30'000'000;
  int full_every = 10;      // A full listing every this many intervals (>= 1).
  size_t batch_files = 64;  // Files fetched and added per catalog change.
  // Per table, the end before which partitions are past retention
  // (INT64_MIN or unset: none).
  std::function<int64_t(const std::string& table)> retention_cutoff_us;
  Env* env = Env::Default();
};

struct RemoteLakeListerStats {
  uint64_t listings = 0;  // SyncOnce calls that listed successfully.
  uint64_t full_listings = 0;
  uint64_t failures = 0;  // SyncOnce calls that failed.
  uint64_t consecutive_failures = 0;
  std::string last_error;       // Of the last failure ("" after a success).
  uint64_t objects_listed = 0;  // By the last listing.
  uint64_t files_added = 0;     // Remote files added to the catalog, in total.
  uint64_t files_removed = 0;
};

class RemoteLakeLister {
 public:
  explicit RemoteLakeLister(RemoteLakeListerOptions options);
  ~RemoteLakeLister();  // Stops the thread.
  RemoteLakeLister(const RemoteLakeLister&) = delete;
  RemoteLakeLister& operator=(const RemoteLakeLister&) = delete;

  // One listing (full, or incremental as the file comment says) and its
  // changes applied to the catalog.
  Status SyncOnce(bool full) GL_EXCLUDES(sync_mu_, mu_);
  // Starts the thread: SyncOnce at once, then every interval.
  void Start() GL_EXCLUDES(mu_);
  void Stop() GL_EXCLUDES(mu_);

  RemoteLakeListerStats stats() const GL_EXCLUDES(mu_);

 private:
  // What a listing covered: everything, or per table the keys from a
  // partition on (other tables are not covered).
  struct Scope {
    bool full = true;
    std::map<std::string, std::string> from;  // Table -> lowest path covered.
  };
  // An object of another node, as listed.
  struct Listed {
    RemoteObject object;
    LakeFileName name;
    std::string table;
    int64_t mtime_us = 0;
  };

  Result<std::vector<S3ObjectInfo>> List(bool full, Scope* scope) GL_REQUIRES(sync_mu_);
  Result<std::vector<std::string>> ListTables() GL_REQUIRES(sync_mu_);
  // The visible objects of other nodes among `objects`; notes each table's
  // newest dt= partition.
  std::vector<Listed> OtherNodesFiles(const std::vector<S3ObjectInfo>& objects)
      GL_REQUIRES(sync_mu_);
  // True if files in partition folder `dir` of `table` are past retention.
  bool Expired(const std::string& table, const std::string& dir) const;
  Status Reconcile(const std::vector<Listed>& listed, const Scope& scope) GL_REQUIRES(sync_mu_);
  // Removes the catalog's remote files the listing covered and did not find.
  Status RemoveGone(const std::vector<Listed>& listed, const Scope& scope) GL_REQUIRES(sync_mu_);
  // Fetches `batch`, inspects and adds it; download failures are returned
  // after the rest was added.
  Status AddBatch(const std::vector<const Listed*>& batch) GL_REQUIRES(sync_mu_);
  void Record(const Status& s, bool full, uint64_t listed) GL_EXCLUDES(mu_);
  void Run() GL_EXCLUDES(mu_);

  const RemoteLakeListerOptions options_;
  Mutex sync_mu_;  // One SyncOnce at a time.
  // Per table, the newest dt= folder name the last listing saw ("dt=...").
  std::map<std::string, std::string> newest_dt_ GL_GUARDED_BY(sync_mu_);
  // Objects whose copy could not be inspected: path -> ETag (retried when it changes).
  std::map<std::string, std::string> unreadable_ GL_GUARDED_BY(sync_mu_);

  mutable Mutex mu_ GL_ACQUIRED_AFTER(sync_mu_);
  CondVar wake_;
  bool stop_ GL_GUARDED_BY(mu_) = false;
  RemoteLakeListerStats stats_ GL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_REMOTE_LAKE_LISTER_H_

// RemoteFileStore: where SQL finds the lake files other nodes wrote into a
// shared lake (lake.location on S3, several node ids). They are not in this
// node's lake folder: a store keeps local copies of them under dir(), at
//   <dir>/<lake-relative path>
// (the same Hive layout as the lake folder), fetching a copy on demand.
// The S3 implementation is s3/lake_file_cache.h; the query engine uses this
// interface only.
//
// Contract:
//   - Acquire(objects) returns once every object has a complete, verified
//     local copy at LocalPath(path), or fails naming the object it could
//     not fetch (nothing half-written is left at LocalPath). The copies stay
//     on disk at least as long as the returned lease lives (pinned); after
//     that the store may evict them.
//   - LocalPath is a pure function of dir() and the lake-relative path.
//
// Thread-safety: implementations allow calls from any thread; leases may be
// released on any thread.
#ifndef GAMELAKE_LAKE_REMOTE_FILE_STORE_H_
#define GAMELAKE_LAKE_REMOTE_FILE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace gamelake {

// One object of the shared lake, as listed: its lake-relative path (the key
// without the lake's prefix), size and ETag (without quotes).
struct RemoteObject {
  std::string path;
  uint64_t bytes = 0;
  std::string etag;
};

class RemoteFileStore {
 public:
  // Keeps the acquired copies on disk while it lives.
  class Lease {
   public:
    virtual ~Lease() = default;
  };

  virtual ~RemoteFileStore() = default;

  // The folder the local copies are under (absolute or as configured).
  virtual const std::string& dir() const = 0;
  // <dir>/<lake-relative path>.
  virtual std::string LocalPath(const std::string& path) const = 0;
  // See the file comment.
  virtual Result<std::unique_ptr<Lease>> Acquire(const std::vector<RemoteObject>& objects) = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_LAKE_REMOTE_FILE_STORE_H_

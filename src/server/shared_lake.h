// SharedLake: SQL over a lake several nodes share (lake.location on S3,
// each node with its node.id). It owns what a node needs to see the files
// the OTHER nodes write: an S3 client of its own, the bounded cache of
// their local copies (s3/lake_file_cache.h, lake.s3.cache_dir and
// lake.s3.cache_bytes) and the remote lake lister with its thread
// (s3/remote_lake_lister.h), listing every lake.s3.list_interval_s. The
// query engine fetches through files(); the lister adds to the catalog.
// Built here, apart from server.cc, whose HTTP types must not meet the S3
// client's (as lake_sink_factory.h).
//
// Thread-safety: Start/Stop from the server's thread (once each); files()
// and status() from any thread.
#ifndef GAMELAKE_SERVER_SHARED_LAKE_H_
#define GAMELAKE_SERVER_SHARED_LAKE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "common/result.h"
#include "lake/remote_file_store.h"
#include "server/config.h"

namespace gamelake {

// What the lister and the cache did so far, for metrics and health.
struct SharedLakeStatus {
  uint64_t listings = 0;
  uint64_t listing_failures = 0;
  uint64_t consecutive_failures = 0;
  std::string last_error;
  uint64_t files_added = 0;
  uint64_t files_removed = 0;
  uint64_t cache_bytes = 0;
  uint64_t cache_files = 0;
  uint64_t cache_downloads = 0;
  uint64_t cache_download_failures = 0;
  uint64_t cache_evictions = 0;
};

class SharedLake {
 public:
  virtual ~SharedLake() = default;
  // Where the query engine fetches other nodes' files; lives as long as this.
  virtual RemoteFileStore* files() = 0;
  // Starts the lister's thread (a first full listing at once); Stop ends it.
  virtual void Start() = 0;
  virtual void Stop() = 0;
  virtual SharedLakeStatus status() const = 0;
  // A full listing now (an object a query wanted was gone: the catalog
  // learns what replaced it); waits for a listing under way.
  virtual Status Resync() = 0;
};

// Null (and OK) when the lake is not on S3 or lake.s3.list_interval_s is 0.
Result<std::unique_ptr<SharedLake>> MakeSharedLake(const Config& config, Catalog* catalog);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_SHARED_LAKE_H_

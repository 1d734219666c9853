#include "server/shared_lake.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "common/civil_time.h"
#include "common/env.h"

#include "s3/lake_file_cache.h"
#include "s3/remote_lake_lister.h"
#include "s3/s3_client.h"
#include "s3/s3_location.h"
#include "server/lake_sink_factory.h"

namespace gamelake {
namespace {

// Per table, the end before which retention drops partitions, as of now.
std::function<int64_t(const std::string&)> RetentionCutoffs(const Config& config) {
  std::map<std::string, int64_t> days;
  for (const auto& [stream, d] : config.retention_stream_days) {
    days[stream] = static_cast<int64_t>(d);
  }
  int64_t default_days = static_cast<int64_t>(config.retention_days);
  return [days, default_days](const std::string& table) -> int64_t {
    auto it = days.find(table);
    int64_t d = it != days.end() ? it->second : default_days;
    if (d <= 0) return INT64_MIN;
    return Env::Default()->NowMicros() - d * kSecondsPerDay * kMicrosPerSecond;
  };
}

class S3SharedLake final : public SharedLake {
 public:
  S3SharedLake(std::unique_ptr<S3Client> client, std::unique_ptr<LakeFileCache> cache)
      : client_(std::move(client)), cache_(std::move(cache)) {}
  ~S3SharedLake() override { Stop(); }

  void SetLister(std::unique_ptr<RemoteLakeLister> lister) { lister_ = std::move(lister); }
  S3Client* client() { return client_.get(); }
  LakeFileCache* cache() { return cache_.get(); }

  RemoteFileStore* files() override { return cache_.get(); }
  void Start() override { lister_->Start(); }
  void Stop() override {
    if (lister_) lister_->Stop();
  }

  Status Resync() override { return lister_->SyncOnce(/*full=*/true); }

  SharedLakeStatus status() const override {
    RemoteLakeListerStats l = lister_->stats();
    LakeFileCacheStats c = cache_->stats();
    SharedLakeStatus s;
    s.listings = l.listings;
    s.listing_failures = l.failures;
    s.consecutive_failures = l.consecutive_failures;
    s.last_error = l.last_error;
    s.files_added = l.files_added;
    s.files_removed = l.files_removed;
    s.cache_bytes = c.bytes;
    s.cache_files = c.files;
    s.cache_downloads = c.downloads;
    s.cache_download_failures = c.download_failures;
    s.cache_evictions = c.evictions;
    return s;
  }

 private:
  // Destroyed in reverse order: the lister, which uses both, first.
  std::unique_ptr<S3Client> client_;
  std::unique_ptr<LakeFileCache> cache_;
  std::unique_ptr<RemoteLakeLister> lister_;
};

}  // namespace

Result<std::unique_ptr<SharedLake>> MakeSharedLake(const Config& config, Catalog* catalog) {
  if (!config.lake_on_s3() || config.lake_s3_list_interval_s <= 0) {
    return std::unique_ptr<SharedLake>();
  }
  GL_ASSIGN_OR_RETURN(S3Location location, S3Location::Parse(config.lake_location));
  GL_ASSIGN_OR_RETURN(std::unique_ptr<S3Client> client, MakeLakeS3Client(config));
  S3Client* raw = client.get();
  LakeFileCacheOptions c;
  c.dir = config.lake_cache_dir();
  c.max_bytes = config.lake_s3_cache_bytes;
  c.fetch = [raw, location](const std::string& path, const std::string& local) {
    return raw->GetObject(location.Key(path), local).status();
  };
  Result<std::unique_ptr<LakeFileCache>> cache = LakeFileCache::Open(std::move(c));
  if (!cache.ok()) {
    return cache.status().WithContext(
        "opening the cache of the shared lake's files (lake.s3.cache_dir)");
  }
  auto shared = std::make_unique<S3SharedLake>(std::move(client), std::move(cache).value());
  RemoteLakeListerOptions l;
  l.location = location;
  l.node_id = config.node_id;
  l.client = shared->client();
  l.catalog = catalog;
  l.cache = shared->cache();
  l.interval_us = static_cast<int64_t>(config.lake_s3_list_interval_s * 1e6);
  l.retention_cutoff_us = RetentionCutoffs(config);
  shared->SetLister(std::make_unique<RemoteLakeLister>(std::move(l)));
  return std::unique_ptr<SharedLake>(std::move(shared));
}

}  // namespace gamelake

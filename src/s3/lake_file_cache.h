// LakeFileCache: the bounded local cache of the files other nodes wrote into
// a shared S3 lake (lake/remote_file_store.h), under lake.s3.cache_dir
// (default <data>/lake-cache), at most lake.s3.cache_bytes of them.
//
// Layout (this class owns it; the round trip is tested by reopening a cache):
//   <dir>/<lake-relative path>        a complete, verified copy
//   <dir>/.incoming/<n>-<file name>   a download in progress (removed at Open)
//
// Download: the fetcher writes the whole object to a file under .incoming;
// its size must equal the listed size and, for a single-part ETag (MD5 hex
// of the body, no '-'), the MD5 of its bytes must equal the ETag (multipart
// ETags, "<hex>-<parts>", are checked by size only); then it is renamed into
// place. A failed or mismatching download leaves no file and fails with an
// error naming the object.
//
// Bound and eviction: after each download the least recently used copies
// that no lease pins are removed until the cache holds at most max_bytes. A
// pinned copy is never removed: while leases pin more than max_bytes, the
// cache stays above its bound until they end. Forget(path) (the object left
// the bucket) removes an unpinned copy at once, a pinned one when its last
// lease ends. Copies found at Open (a restart) are trusted by size: they were
// verified before they were renamed into place; they enter the LRU order by
// modification time.
//
// Thread-safety: all methods may be called from any thread. Two callers
// wanting the same missing object share one download (the second waits).
// Downloads run outside the lock.
#ifndef GAMELAKE_S3_LAKE_FILE_CACHE_H_
#define GAMELAKE_S3_LAKE_FILE_CACHE_H_

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"
#include "lake/remote_file_store.h"

namespace gamelake {

struct LakeFileCacheOptions {
  std::string dir;                   // Created if missing.
  uint64_t max_bytes = 10ull << 30;  // lake.s3.cache_bytes.
  Env* env = Env::Default();
  // Writes the whole object at lake-relative `path` to the new file `local`
  // (S3Client::GetObject of <prefix><path>). Required.
  std::function<Status(const std::string& path, const std::string& local)> fetch;
};

struct LakeFileCacheStats {
  uint64_t bytes = 0;  // Of the copies on disk (and downloads in progress).
  uint64_t files = 0;
  uint64_t pinned_files = 0;
  uint64_t hits = 0;       // Acquired objects already there.
  uint64_t downloads = 0;  // Completed and verified.
  uint64_t download_failures = 0;
  uint64_t evictions = 0;
};

class LakeFileCache final : public RemoteFileStore {
 public:
  static Result<std::unique_ptr<LakeFileCache>> Open(LakeFileCacheOptions options);
  ~LakeFileCache() override;

  const std::string& dir() const override { return options_.dir; }
  std::string LocalPath(const std::string& path) const override;
  Result<std::unique_ptr<Lease>> Acquire(const std::vector<RemoteObject>& objects) override
      GL_EXCLUDES(mu_);

  // The object at `path` left the store: its copy goes (see the file comment).
  void Forget(const std::string& path) GL_EXCLUDES(mu_);

  LakeFileCacheStats stats() const GL_EXCLUDES(mu_);
  // The lake-relative paths of the copies, least recently used first.
  std::vector<std::string> Files() const GL_EXCLUDES(mu_);

 private:
  struct Entry {
    uint64_t bytes = 0;
    std::string etag;  // "" when unknown (found at Open).
    int pins = 0;
    bool loading = false;  // Being downloaded by a caller of Acquire.
    bool doomed = false;   // Forgotten while pinned: removed when unpinned.
    std::list<std::string>::iterator lru;
  };
  class PinLease;

  explicit LakeFileCache(LakeFileCacheOptions options);
  Status Scan(const std::string& rel_dir, std::vector<std::pair<int64_t, std::string>>* found);
  // Pins `object`'s copy, downloading it first when missing; appends its
  // path to `pinned` on success.
  Status PinOne(const RemoteObject& object, std::vector<std::string>* pinned) GL_EXCLUDES(mu_);
  Status Download(const RemoteObject& object) GL_EXCLUDES(mu_);
  void Unpin(const std::vector<std::string>& paths) GL_EXCLUDES(mu_);
  void RemoveLocked(std::map<std::string, Entry>::iterator it) GL_REQUIRES(mu_);
  void EvictLocked() GL_REQUIRES(mu_);

  const LakeFileCacheOptions options_;
  mutable Mutex mu_;
  CondVar loaded_;                                           // Signalled when a download ends.
  std::map<std::string, Entry> entries_ GL_GUARDED_BY(mu_);  // By lake-relative path.
  std::list<std::string> lru_ GL_GUARDED_BY(mu_);            // Least recently used first.
  uint64_t next_incoming_ GL_GUARDED_BY(mu_) = 0;
  LakeFileCacheStats stats_ GL_GUARDED_BY(mu_);
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_LAKE_FILE_CACHE_H_

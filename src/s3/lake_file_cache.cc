#include "s3/lake_file_cache.h"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "common/ascii.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

constexpr std::string_view kIncomingDir = ".incoming";
constexpr size_t kHashChunk = 1 << 20;

// The lower-case hex MD5 of the file at `path`.
Result<std::string> Md5HexOfFile(Env* env, const std::string& path) {
  GL_ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(path));
  GL_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1) {
    return Status::Internal("OpenSSL MD5 initialisation failed");
  }
  std::string buffer(kHashChunk, '\0');
  for (uint64_t done = 0; done < size;) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kHashChunk, size - done));
    GL_ASSIGN_OR_RETURN(size_t got, file->Read(done, want, buffer.data()));
    if (got == 0) return Status::IOError(path + ": shorter than its size while hashing");
    EVP_DigestUpdate(ctx.get(), buffer.data(), got);
    done += got;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

// The downloaded file `local` is the object: its size, and its MD5 when the
// ETag is a single-part one.
Status VerifyDownload(Env* env, const RemoteObject& object, const std::string& local) {
  GL_ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(local));
  if (size != object.bytes) {
    return Status::Corruption(fmt::format("downloaded {} bytes of lake object {}, listed as {}",
                                          size, object.path, object.bytes));
  }
  if (object.etag.empty() || object.etag.find('-') != std::string::npos) return Status::OK();
  GL_ASSIGN_OR_RETURN(std::string md5, Md5HexOfFile(env, local));
  if (md5 != AsciiLowered(object.etag)) {
    return Status::Corruption(
        fmt::format("the MD5 of lake object {} as downloaded is {}, its ETag says {}", object.path,
                    md5, object.etag));
  }
  return Status::OK();
}

// The last component of a path.
std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

// Unpins its copies when it ends.
class LakeFileCache::PinLease final : public RemoteFileStore::Lease {
 public:
  explicit PinLease(LakeFileCache* cache) : cache_(cache) {}
  ~PinLease() override { cache_->Unpin(paths_); }
  std::vector<std::string>* paths() { return &paths_; }

 private:
  LakeFileCache* cache_;
  std::vector<std::string> paths_;
};

LakeFileCache::LakeFileCache(LakeFileCacheOptions options) : options_(std::move(options)) {}
LakeFileCache::~LakeFileCache() = default;

Result<std::unique_ptr<LakeFileCache>> LakeFileCache::Open(LakeFileCacheOptions options) {
  if (options.dir.empty() || options.env == nullptr || !options.fetch) {
    return Status::InvalidArgument("a lake file cache needs a dir, an env and a fetcher");
  }
  Env* env = options.env;
  GL_RETURN_IF_ERROR(env->CreateDirs(options.dir));
  const std::string incoming = JoinPath(options.dir, kIncomingDir);
  GL_RETURN_IF_ERROR(env->CreateDirs(incoming));
  GL_ASSIGN_OR_RETURN(std::vector<std::string> leftovers, env->ListDir(incoming));
  for (const std::string& name : leftovers) {
    GL_RETURN_IF_ERROR(env->RemoveFile(JoinPath(incoming, name)));
  }
  std::unique_ptr<LakeFileCache> cache(new LakeFileCache(std::move(options)));
  std::vector<std::pair<int64_t, std::string>> found;  // (mtime, path)
  GL_RETURN_IF_ERROR(cache->Scan("", &found));
  std::sort(found.begin(), found.end());
  MutexLock lock(&cache->mu_);
  for (const auto& [mtime, path] : found) {
    GL_ASSIGN_OR_RETURN(uint64_t bytes, env->GetFileSize(cache->LocalPath(path)));
    Entry& e = cache->entries_[path];
    e.bytes = bytes;
    e.lru = cache->lru_.insert(cache->lru_.end(), path);
    cache->stats_.bytes += bytes;
    cache->stats_.files++;
  }
  cache->EvictLocked();
  return cache;
}

// Every copy under <dir>/<rel_dir>, hidden folders (.incoming) excluded.
Status LakeFileCache::Scan(const std::string& rel_dir,
                           std::vector<std::pair<int64_t, std::string>>* found) {
  const std::string dir = rel_dir.empty() ? options_.dir : JoinPath(options_.dir, rel_dir);
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, options_.env->ListDir(dir));
  for (const std::string& name : names) {
    if (name.starts_with(".")) continue;
    const std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
    GL_ASSIGN_OR_RETURN(FileStat st, StatPath(JoinPath(dir, name)));
    if (!st.exists) continue;
    if (st.is_dir) {
      GL_RETURN_IF_ERROR(Scan(rel, found));
    } else {
      found->emplace_back(st.mtime_us, rel);
    }
  }
  return Status::OK();
}

std::string LakeFileCache::LocalPath(const std::string& path) const {
  return JoinPath(options_.dir, path);
}

Result<std::unique_ptr<RemoteFileStore::Lease>> LakeFileCache::Acquire(
    const std::vector<RemoteObject>& objects) {
  auto lease = std::make_unique<PinLease>(this);
  std::vector<std::string> seen;
  for (const RemoteObject& object : objects) {
    if (std::find(seen.begin(), seen.end(), object.path) != seen.end()) continue;
    seen.push_back(object.path);
    // On failure the lease unpins what it pinned so far.
    GL_RETURN_IF_ERROR(PinOne(object, lease->paths()));
  }
  return std::unique_ptr<RemoteFileStore::Lease>(std::move(lease));
}

Status LakeFileCache::PinOne(const RemoteObject& object, std::vector<std::string>* pinned) {
  // Keys come from a listing: only lake paths (no "..", no absolute path).
  if (Result<LakePath> split = SplitLakePath(object.path); !split.ok()) {
    return split.status().WithContext("lake object " + object.path);
  }
  {
    MutexLock lock(&mu_);
    loaded_.Wait(&mu_, [&]() GL_REQUIRES(mu_) {
      auto it = entries_.find(object.path);
      return it == entries_.end() || !it->second.loading;
    });
    auto it = entries_.find(object.path);
    if (it != entries_.end()) {
      Entry& e = it->second;
      bool same = e.bytes == object.bytes &&
                  (e.etag.empty() || object.etag.empty() || e.etag == object.etag);
      if (same && !e.doomed) {
        if (e.etag.empty()) e.etag = object.etag;
        if (e.pins++ == 0) stats_.pinned_files++;
        lru_.splice(lru_.end(), lru_, e.lru);
        stats_.hits++;
        pinned->push_back(object.path);
        return Status::OK();
      }
      if (e.pins > 0) {
        return Status::Unavailable(fmt::format(
            "lake object {} changed (now {} bytes, ETag {}) while a query reads its copy; "
            "try again",
            object.path, object.bytes, object.etag));
      }
      RemoveLocked(it);
    }
    Entry& e = entries_[object.path];
    e.bytes = object.bytes;
    e.etag = object.etag;
    e.pins = 1;
    e.loading = true;
    e.lru = lru_.insert(lru_.end(), object.path);
    stats_.bytes += object.bytes;
    stats_.files++;
    stats_.pinned_files++;
  }
  Status s = Download(object);
  {
    MutexLock lock(&mu_);
    auto it = entries_.find(object.path);
    it->second.loading = false;
    if (s.ok()) {
      stats_.downloads++;
      pinned->push_back(object.path);
      EvictLocked();
    } else {
      stats_.download_failures++;
      it->second.pins = 0;
      stats_.pinned_files--;
      RemoveLocked(it);
    }
  }
  loaded_.SignalAll();
  return s;
}

Status LakeFileCache::Download(const RemoteObject& object) {
  Env* env = options_.env;
  std::string incoming;
  {
    MutexLock lock(&mu_);
    incoming = JoinPath(JoinPath(options_.dir, kIncomingDir),
                        fmt::format("{}-{}", next_incoming_++, BaseName(object.path)));
  }
  const std::string local = LocalPath(object.path);
  Status s = options_.fetch(object.path, incoming);
  if (s.ok()) s = VerifyDownload(env, object, incoming);
  if (s.ok()) s = env->CreateDirs(DirName(local));
  if (s.ok()) s = env->RenameFile(incoming, local);
  if (!s.ok()) {
    (void)env->RemoveFile(incoming);
    spdlog::warn("msg=\"cannot fetch a lake object of another node\" object=\"{}\" error=\"{}\"",
                 object.path, s.ToString());
    return s.WithContext("fetching lake object " + object.path);
  }
  return Status::OK();
}

void LakeFileCache::Unpin(const std::vector<std::string>& paths) {
  MutexLock lock(&mu_);
  for (const std::string& path : paths) {
    auto it = entries_.find(path);
    if (it == entries_.end() || it->second.pins == 0) continue;
    if (--it->second.pins > 0) continue;
    stats_.pinned_files--;
    if (it->second.doomed) RemoveLocked(it);
  }
  EvictLocked();
}

void LakeFileCache::Forget(const std::string& path) {
  MutexLock lock(&mu_);
  auto it = entries_.find(path);
  if (it == entries_.end()) return;
  if (it->second.pins > 0 || it->second.loading) {
    it->second.doomed = true;
    return;
  }
  RemoveLocked(it);
}

void LakeFileCache::RemoveLocked(std::map<std::string, Entry>::iterator it) {
  if (!it->second.loading) {
    Status s = options_.env->RemoveFile(LocalPath(it->first));
    if (!s.ok() && options_.env->FileExists(LocalPath(it->first))) {
      spdlog::warn("msg=\"cannot remove a cached lake file\" file=\"{}\" error=\"{}\"", it->first,
                   s.ToString());
    }
  }
  stats_.bytes -= it->second.bytes;
  stats_.files--;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

void LakeFileCache::EvictLocked() {
  for (auto victim = lru_.begin(); stats_.bytes > options_.max_bytes && victim != lru_.end();) {
    auto it = entries_.find(*victim);
    ++victim;  // RemoveLocked invalidates the current position only.
    if (it->second.pins > 0 || it->second.loading) continue;
    RemoveLocked(it);
    stats_.evictions++;
  }
}

LakeFileCacheStats LakeFileCache::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

std::vector<std::string> LakeFileCache::Files() const {
  MutexLock lock(&mu_);
  return std::vector<std::string>(lru_.begin(), lru_.end());
}

}  // namespace gamelake

// LakeFileCache: downloads verified by size and ETag, LRU eviction within
// the bound, pinned copies never evicted, Forget, and the layout's round
// trip (a reopened cache finds its copies).
#include "s3/lake_file_cache.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"

namespace gamelake {
namespace {

namespace fs = std::filesystem;

std::string Md5Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

// Objects by lake-relative path; fetch writes them (or `served` instead).
struct FakeStore {
  std::map<std::string, std::string> objects;
  std::map<std::string, std::string> served;  // What a fetch writes, if set (a corruption).
  std::map<std::string, int> fetches;
  bool fail = false;

  Status Fetch(const std::string& path, const std::string& local) {
    fetches[path]++;
    if (fail) return Status::Unavailable("the store is down");
    const std::map<std::string, std::string>& from = served.count(path) ? served : objects;
    auto it = from.find(path);
    if (it == from.end()) return Status::NotFound("no object " + path);
    std::ofstream(local, std::ios::binary) << it->second;
    return Status::OK();
  }

  // The object as a listing describes it.
  RemoteObject Describe(const std::string& path, bool multipart = false) const {
    const std::string& body = objects.at(path);
    return RemoteObject{path, body.size(), multipart ? Md5Hex(body) + "-2" : Md5Hex(body)};
  }
};

std::string Path(int n) {
  return fmt::format("events/dt=2026-11-26/hr=10/events-{:020d}-{:020d}.b.parquet", n, n);
}

class LakeFileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int n = 1; n <= 5; ++n)
      store_.objects[Path(n)] = std::string(100, static_cast<char>('a' + n));
  }

  std::unique_ptr<LakeFileCache> OpenCache(uint64_t max_bytes) {
    LakeFileCacheOptions o;
    o.dir = dir_.path() + "/cache";
    o.max_bytes = max_bytes;
    o.fetch = [this](const std::string& path, const std::string& local) {
      return store_.Fetch(path, local);
    };
    Result<std::unique_ptr<LakeFileCache>> cache = LakeFileCache::Open(o);
    EXPECT_THAT(cache.status(), IsOk());
    return cache.ok() ? std::move(cache).value() : nullptr;
  }

  // Acquires and releases `paths` at once.
  void Touch(LakeFileCache* cache, const std::vector<int>& ns) {
    std::vector<RemoteObject> objects;
    for (int n : ns) objects.push_back(store_.Describe(Path(n)));
    Result<std::unique_ptr<RemoteFileStore::Lease>> lease = cache->Acquire(objects);
    ASSERT_THAT(lease.status(), IsOk());
  }

  // Files under the cache dir other than in .incoming, and in .incoming.
  std::vector<std::string> DiskFiles(bool incoming) const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_.path() + "/cache")) {
      if (!e.is_regular_file()) continue;
      std::string rel = fs::relative(e.path(), dir_.path() + "/cache").string();
      if (rel.starts_with(".incoming/") == incoming) out.push_back(rel);
    }
    return out;
  }

  ScratchDir dir_;
  FakeStore store_;
};

TEST_F(LakeFileCacheTest, DownloadsOnceToTheLakePathUnderTheDir) {
  auto cache = OpenCache(1 << 20);
  ASSERT_NE(cache, nullptr);
  Touch(cache.get(), {1, 2});
  Touch(cache.get(), {1});
  EXPECT_EQ(store_.fetches[Path(1)], 1);
  EXPECT_EQ(ReadFileBytes(cache->LocalPath(Path(1))), store_.objects[Path(1)]);
  EXPECT_EQ(cache->LocalPath(Path(1)), dir_.path() + "/cache/" + Path(1));
  LakeFileCacheStats st = cache->stats();
  EXPECT_EQ(st.downloads, 2u);
  EXPECT_EQ(st.hits, 1u);
  EXPECT_EQ(st.bytes, 200u);
  EXPECT_EQ(st.pinned_files, 0u);
  EXPECT_THAT(DiskFiles(true), ::testing::IsEmpty());
}

TEST_F(LakeFileCacheTest, EvictsLeastRecentlyUsedBeyondTheBound) {
  auto cache = OpenCache(300);  // Three objects of 100 bytes.
  ASSERT_NE(cache, nullptr);
  Touch(cache.get(), {1});
  Touch(cache.get(), {2});
  Touch(cache.get(), {3});
  Touch(cache.get(), {1});  // 1 is now the most recently used.
  Touch(cache.get(), {4});  // Evicts 2, the least recently used.
  EXPECT_THAT(cache->Files(), ::testing::ElementsAre(Path(3), Path(1), Path(4)));
  EXPECT_FALSE(fs::exists(cache->LocalPath(Path(2))));
  EXPECT_LE(cache->stats().bytes, 300u);
  EXPECT_EQ(cache->stats().evictions, 1u);
  Touch(cache.get(), {2});  // Gone, so fetched again.
  EXPECT_EQ(store_.fetches[Path(2)], 2);
  EXPECT_THAT(cache->Files(), ::testing::ElementsAre(Path(1), Path(4), Path(2)));
}

TEST_F(LakeFileCacheTest, NeverEvictsAPinnedCopy) {
  auto cache = OpenCache(200);
  ASSERT_NE(cache, nullptr);
  Result<std::unique_ptr<RemoteFileStore::Lease>> lease =
      cache->Acquire({store_.Describe(Path(1)), store_.Describe(Path(2))});
  ASSERT_THAT(lease.status(), IsOk());
  // Over the bound while 3 is read; once its reader is done it is the only
  // copy not pinned, so it goes, though 1 and 2 are older.
  Touch(cache.get(), {3});
  EXPECT_TRUE(fs::exists(cache->LocalPath(Path(1))));
  EXPECT_TRUE(fs::exists(cache->LocalPath(Path(2))));
  EXPECT_FALSE(fs::exists(cache->LocalPath(Path(3))));
  EXPECT_EQ(cache->stats().pinned_files, 2u);
  lease->reset();  // The query ends: within the bound, nothing to evict.
  EXPECT_THAT(cache->Files(), ::testing::ElementsAre(Path(1), Path(2)));
  EXPECT_EQ(cache->stats().pinned_files, 0u);
  Touch(cache.get(), {4});  // Now the least recently used unpinned copy goes: 1.
  EXPECT_THAT(cache->Files(), ::testing::ElementsAre(Path(2), Path(4)));
  EXPECT_LE(cache->stats().bytes, 200u);
}

TEST_F(LakeFileCacheTest, SizeMismatchFailsNamingTheObjectAndLeavesNoFile) {
  auto cache = OpenCache(1 << 20);
  ASSERT_NE(cache, nullptr);
  store_.served[Path(1)] = store_.objects[Path(1)] + "x";
  Result<std::unique_ptr<RemoteFileStore::Lease>> lease =
      cache->Acquire({store_.Describe(Path(2)), store_.Describe(Path(1))});
  EXPECT_THAT(lease.status(), StatusIs(Status::Code::kCorruption, Path(1)));
  EXPECT_FALSE(fs::exists(cache->LocalPath(Path(1))));
  EXPECT_THAT(DiskFiles(true), ::testing::IsEmpty());
  EXPECT_EQ(cache->stats().pinned_files, 0u);  // Path(2)'s pin was released.
  EXPECT_EQ(cache->stats().download_failures, 1u);
}

TEST_F(LakeFileCacheTest, EtagMismatchFailsAndLeavesNoFile) {
  auto cache = OpenCache(1 << 20);
  ASSERT_NE(cache, nullptr);
  std::string body = store_.objects[Path(1)];
  body[7] = 'Z';  // Same size, other bytes.
  store_.served[Path(1)] = body;
  Result<std::unique_ptr<RemoteFileStore::Lease>> lease =
      cache->Acquire({store_.Describe(Path(1))});
  EXPECT_THAT(lease.status(), StatusIs(Status::Code::kCorruption, "ETag"));
  EXPECT_THAT(lease.status(), StatusIs(Status::Code::kCorruption, Path(1)));
  EXPECT_FALSE(fs::exists(cache->LocalPath(Path(1))));
  EXPECT_THAT(DiskFiles(true), ::testing::IsEmpty());
  EXPECT_THAT(cache->Files(), ::testing::IsEmpty());
  // A multipart ETag is checked by size only.
  lease = cache->Acquire({store_.Describe(Path(1), /*multipart=*/true)});
  EXPECT_THAT(lease.status(), IsOk());
}

TEST_F(LakeFileCacheTest, FetchFailureNamesTheObject) {
  auto cache = OpenCache(1 << 20);
  ASSERT_NE(cache, nullptr);
  store_.fail = true;
  Result<std::unique_ptr<RemoteFileStore::Lease>> lease =
      cache->Acquire({store_.Describe(Path(3))});
  EXPECT_THAT(lease.status(), StatusIs(Status::Code::kUnavailable, Path(3)));
  EXPECT_THAT(DiskFiles(false), ::testing::IsEmpty());
  EXPECT_THAT(DiskFiles(true), ::testing::IsEmpty());
}

TEST_F(LakeFileCacheTest, RefusesPathsOutsideTheLake) {
  auto cache = OpenCache(1 << 20);
  ASSERT_NE(cache, nullptr);
  Result<std::unique_ptr<RemoteFileStore::Lease>> lease =
      cache->Acquire({RemoteObject{"events/../../escape.parquet", 1, ""}});
  EXPECT_FALSE(lease.ok());
  EXPECT_TRUE(store_.fetches.empty());
}

TEST_F(LakeFileCacheTest, ForgetRemovesNowOrWhenUnpinned) {
  auto cache = OpenCache(1 << 20);
  ASSERT_NE(cache, nullptr);
  Touch(cache.get(), {1});
  cache->Forget(Path(1));
  EXPECT_FALSE(fs::exists(cache->LocalPath(Path(1))));
  Result<std::unique_ptr<RemoteFileStore::Lease>> lease =
      cache->Acquire({store_.Describe(Path(2))});
  ASSERT_THAT(lease.status(), IsOk());
  cache->Forget(Path(2));
  EXPECT_TRUE(fs::exists(cache->LocalPath(Path(2))));  // A query still reads it.
  lease->reset();
  EXPECT_FALSE(fs::exists(cache->LocalPath(Path(2))));
  EXPECT_EQ(cache->stats().bytes, 0u);
}

TEST_F(LakeFileCacheTest, ReopenedCacheFindsItsCopiesAndDropsPartialDownloads) {
  {
    auto cache = OpenCache(1 << 20);
    ASSERT_NE(cache, nullptr);
    Touch(cache.get(), {1, 2});
  }
  dir_.WriteFile("cache/.incoming/7-x.parquet", "half");
  auto cache = OpenCache(1 << 20);
  ASSERT_NE(cache, nullptr);
  std::vector<std::string> files = cache->Files();
  std::sort(files.begin(), files.end());
  EXPECT_THAT(files, ::testing::ElementsAre(Path(1), Path(2)));
  EXPECT_EQ(cache->stats().bytes, 200u);
  EXPECT_THAT(DiskFiles(true), ::testing::IsEmpty());
  Touch(cache.get(), {1, 2});
  EXPECT_EQ(store_.fetches[Path(1)], 1);  // Found, not fetched again.
  EXPECT_EQ(cache->stats().hits, 2u);
  // A smaller bound at start evicts down to it.
  cache.reset();
  cache = OpenCache(100);
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(cache->Files().size(), 1u);
}

}  // namespace
}  // namespace gamelake

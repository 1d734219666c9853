// QueryEngine over a shared lake: other nodes' (remote) files are fetched
// into the remote file store before DuckDB reads them, pinned for the
// query's life and read from the store's dir; a fetch that fails fails the
// query naming the object; and this node's undelivered tail is seen once
// next to another node's files whose record ids are higher than its own.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../catalog/catalog_test_util.h"
#include "../common/status_matchers.h"
#include "common/mutex.h"
#include "lake/remote_file_store.h"
#include "log/wal.h"
#include "query/live_tail.h"
#include "query/query_engine.h"

namespace gamelake {
namespace {

namespace fs = std::filesystem;

const char* kOwn =
    "events/dt=2026-11-26/hr=11/events-00000000000000000001-00000000000000000003.a.parquet";
const char* kRemote =
    "events/dt=2026-11-26/hr=10/events-00000000000000000001-00000000000000000100.b.parquet";

// The first column of the first row, as text.
class FirstValue final : public ResultSink {
 public:
  Status Begin(const std::vector<ResultColumn>&) override { return Status::OK(); }
  Status AddRow(std::span<const Cell> row) override {
    if (value.empty() && !row.empty()) {
      value = row[0].kind == Cell::Kind::kInt    ? std::to_string(row[0].i)
              : row[0].kind == Cell::Kind::kUInt ? std::to_string(row[0].u)
                                                 : std::string(row[0].text);
    }
    return Status::OK();
  }
  Status Finish(const QueryStats&) override { return Status::OK(); }
  void Abort(const Status&) override {}
  std::string value;
};

// Copies objects from a "bucket" folder into its dir; counts live leases.
class FolderStore final : public RemoteFileStore {
 public:
  FolderStore(std::string bucket, std::string dir)
      : bucket_(std::move(bucket)), dir_(std::move(dir)) {}

  const std::string& dir() const override { return dir_; }
  std::string LocalPath(const std::string& path) const override { return dir_ + "/" + path; }
  Result<std::unique_ptr<Lease>> Acquire(const std::vector<RemoteObject>& objects) override {
    MutexLock lock(&mu_);
    for (const RemoteObject& o : objects) {
      acquired_.push_back(o.path);
      if (fail_) return Status::Unavailable("fetching lake object " + o.path + ": store down");
      if (!fs::exists(bucket_ + "/" + o.path)) {
        return Status::NotFound("fetching lake object " + o.path + ": 404 NoSuchKey");
      }
      fs::create_directories(fs::path(LocalPath(o.path)).parent_path());
      fs::copy_file(bucket_ + "/" + o.path, LocalPath(o.path),
                    fs::copy_options::overwrite_existing);
    }
    ++live_;
    return std::unique_ptr<Lease>(new Counted(this));
  }

  void set_fail(bool fail) {
    MutexLock lock(&mu_);
    fail_ = fail;
  }
  int live() {
    MutexLock lock(&mu_);
    return live_;
  }
  std::vector<std::string> acquired() {
    MutexLock lock(&mu_);
    return acquired_;
  }

 private:
  class Counted final : public Lease {
   public:
    explicit Counted(FolderStore* store) : store_(store) {}
    ~Counted() override {
      MutexLock lock(&store_->mu_);
      --store_->live_;
    }

   private:
    FolderStore* store_;
  };

  const std::string bucket_;
  const std::string dir_;
  Mutex mu_;
  bool fail_ GL_GUARDED_BY(mu_) = false;
  int live_ GL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> acquired_ GL_GUARDED_BY(mu_);
};

std::string Rows(int hour, int n) {
  return fmt::format(
      "SELECT TIMESTAMP '2026-11-26 {}:00:00' AS _ingest_time, (i + 1)::BIGINT AS _record_id, "
      "'p' || i AS PlayerID FROM range({}) t(i)",
      hour, n);
}

class QueryEngineRemoteTest : public testing::Test {
 protected:
  void SetUp() override {
    lake_.Copy(kOwn, Rows(11, 3));
    // Node b's file: in the "bucket" (outside the lake), known to the catalog.
    RemoteFileChange change;
    RemoteFileAddition added = lake_.RemoteCopy(kRemote, Rows(10, 100));
    fs::create_directories(fs::path(lake_.data() + "/bucket/" + kRemote).parent_path());
    fs::rename(added.local_path, lake_.data() + "/bucket/" + kRemote);
    added.local_path = lake_.data() + "/bucket/" + kRemote;
    change.added.push_back(added);
    catalog_ = lake_.Open();
    ASSERT_NE(catalog_, nullptr);
    ASSERT_THAT(catalog_->Crawl(false).status(), IsOk());
    ASSERT_THAT(catalog_->ApplyRemote(change).status(), IsOk());
    store_ = std::make_unique<FolderStore>(lake_.data() + "/bucket", lake_.data() + "/cache");
  }

  void OpenEngine(LiveTail* tail = nullptr) {
    QueryEngineOptions o;
    o.remote_files = store_.get();
    auto e = QueryEngine::Open(catalog_.get(), tail, o);
    ASSERT_THAT(e.status(), IsOk());
    engine_ = std::move(e).value();
  }

  Result<std::string> One(const std::string& sql) {
    FirstValue sink;
    QueryRequest r;
    r.sql = sql;
    Result<QueryStats> s = engine_->Run(r, &sink);
    if (!s.ok()) return s.status();
    return sink.value;
  }

  TestLake lake_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<FolderStore> store_;
  std::unique_ptr<QueryEngine> engine_;
};

TEST_F(QueryEngineRemoteTest, RemoteFilesAreFetchedPinnedAndReadFromTheStoresDir) {
  OpenEngine();
  Result<std::string> n = One("SELECT count(*) FROM events");
  ASSERT_THAT(n.status(), IsOk());
  EXPECT_EQ(*n, "103");
  EXPECT_EQ(store_->acquired(), std::vector<std::string>{kRemote});
  EXPECT_TRUE(fs::exists(lake_.data() + "/cache/" + kRemote));
  EXPECT_EQ(store_->live(), 0) << "the lease ends with the query";
  // A query the planner keeps off the remote file does not fetch it.
  n = One("SELECT count(*) FROM events WHERE _record_id > 50");
  ASSERT_THAT(n.status(), IsOk());
  EXPECT_EQ(*n, "50");
  // The sandbox still refuses anything else.
  EXPECT_FALSE(
      One("SELECT count(*) FROM read_parquet('" + lake_.data() + "/bucket/" + kRemote + "')").ok());
}

TEST_F(QueryEngineRemoteTest, AFetchThatFailsFailsTheQueryNamingTheObject) {
  OpenEngine();
  store_->set_fail(true);
  Result<std::string> n = One("SELECT count(*) FROM events");
  EXPECT_THAT(n.status(), StatusIs(Status::Code::kUnavailable, kRemote));
  EXPECT_THAT(n.status(), StatusIs(Status::Code::kUnavailable, "another node"));
  // A query the planner keeps off node b's file needs no fetch.
  n = One("SELECT count(*) FROM events WHERE hr = '11'");
  ASSERT_THAT(n.status(), IsOk());
  EXPECT_EQ(*n, "3");
  store_->set_fail(false);
  n = One("SELECT count(*) FROM events");
  ASSERT_THAT(n.status(), IsOk());
  EXPECT_EQ(*n, "103");
}

TEST_F(QueryEngineRemoteTest, TheOwnTailIsSeenOnceBesideHigherRemoteIds) {
  WalOptions wo;
  wo.dir = lake_.data() + "/log";
  wo.durability = Durability::kNone;
  RecoveryReport report;
  auto wal = Wal::Open(wo, &report);
  ASSERT_THAT(wal.status(), IsOk());
  std::vector<std::string> records;
  for (int i = 0; i < 5; ++i) records.push_back(fmt::format("{{\"PlayerID\":\"t{}\"}}", i));
  std::vector<std::string_view> views(records.begin(), records.end());
  ASSERT_TRUE((*wal)->Append("events", views).ok());  // Seqs 1..5.
  const uint64_t delivered = catalog_->Snapshot()->FindTable("events")->delivered_seq();
  EXPECT_EQ(delivered, 3u) << "node b's ids (up to 100) are not this node's";
  LiveTail tail(wal->get(), {{"events", delivered}}, {});
  ASSERT_TRUE(tail.CatchUp(5'000'000));
  OpenEngine(&tail);
  // 3 own delivered + 2 own in the tail (seqs 4, 5) + 100 of node b.
  Result<std::string> n = One("SELECT count(*) FROM events");
  ASSERT_THAT(n.status(), IsOk());
  EXPECT_EQ(*n, "105");
  n = One("SELECT count(*) FROM events WHERE PlayerID LIKE 't%'");
  ASSERT_THAT(n.status(), IsOk());
  EXPECT_EQ(*n, "2");
  engine_.reset();
  tail.Stop();
  ASSERT_THAT((*wal)->Close(), IsOk());
}

TEST_F(QueryEngineRemoteTest, AFileGoneFromTheStoreIsListedAgainAndTheQueryRunsOnce) {
  // Node b rewrote its file (an erasure: one version up, two rows fewer) and
  // deleted the original after this node listed it.
  const std::string rewritten =
      "events/dt=2026-11-26/hr=10/events-00000000000000000001-00000000000000000100-v1.b.parquet";
  RemoteFileAddition added = lake_.RemoteCopy(rewritten, Rows(10, 98));
  fs::create_directories(fs::path(lake_.data() + "/bucket/" + rewritten).parent_path());
  fs::rename(added.local_path, lake_.data() + "/bucket/" + rewritten);
  added.local_path = lake_.data() + "/bucket/" + rewritten;
  fs::remove(lake_.data() + "/bucket/" + kRemote);
  int resyncs = 0;
  QueryEngineOptions o;
  o.remote_files = store_.get();
  o.resync_remote_files = [&]() -> Status {
    ++resyncs;
    RemoteFileChange change;
    change.added.push_back(added);
    change.removed.push_back(kRemote);
    return catalog_->ApplyRemote(change).status();
  };
  auto e = QueryEngine::Open(catalog_.get(), nullptr, o);
  ASSERT_THAT(e.status(), IsOk());
  engine_ = std::move(e).value();
  Result<std::string> n = One("SELECT count(*) FROM events");
  ASSERT_THAT(n.status(), IsOk());
  EXPECT_EQ(*n, "101") << "3 own rows and the 98 of node b's rewrite, the original not at all";
  EXPECT_EQ(resyncs, 1);
  EXPECT_EQ(store_->acquired(), (std::vector<std::string>{kRemote, rewritten}));
  EXPECT_EQ(store_->live(), 0);

  // A listing that does not help: the query runs once more and fails with
  // the store's answer, naming the object; it does not loop.
  fs::remove(lake_.data() + "/bucket/" + rewritten);
  fs::remove(lake_.data() + "/cache/" + rewritten);
  o.resync_remote_files = [&]() -> Status {
    ++resyncs;
    return Status::OK();
  };
  engine_.reset();
  e = QueryEngine::Open(catalog_.get(), nullptr, o);
  ASSERT_THAT(e.status(), IsOk());
  engine_ = std::move(e).value();
  n = One("SELECT count(*) FROM events");
  EXPECT_THAT(n.status(), StatusIs(Status::Code::kNotFound, rewritten));
  EXPECT_EQ(resyncs, 2) << "one listing per query, not a loop";
}

}  // namespace
}  // namespace gamelake

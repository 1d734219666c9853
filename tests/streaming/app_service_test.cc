// AppService over a real log in a scratch dir: the lab's application end to
// end (discovery, the filter, ordinals, the live hub), restarts from the
// checkpoint, the checkpoint waiting for destinations, and the refusals.
#include "streaming/app_service.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/eventually.h"
#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"
#include "streaming/app_checkpoint.h"
#include "streaming/lab_task9.h"
#include "streaming/source_reader.h"

namespace gamelake {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

std::string LabRecord(int player, int losses) {
  return fmt::format(
      R"({{"PlayerID":{},"Wins":{},"Losses":{},"Time Played":{},"CaughtAt":{},"CaughtBy":{}}})",
      player, player % 7, losses, 1000 + player, player % 3, player % 5);
}

// What one destination object received; shared by the objects of successive
// runs.
struct Received {
  std::mutex mu;
  std::vector<uint64_t> ordinals;
  std::vector<int64_t> players;
  std::atomic<bool> fail{false};    // While true, Deliver fails as a whole.
  std::atomic<bool> refuse{false};  // While true, Deliver says InvalidArgument.
  std::atomic<int> deliveries{0};

  size_t size() {
    std::lock_guard<std::mutex> l(mu);
    return players.size();
  }
};

class RecordingDestination final : public Destination {
 public:
  explicit RecordingDestination(std::shared_ptr<Received> r) : r_(std::move(r)) {}
  Status Deliver(const StreamSchema& schema, const std::vector<OutputRow>& rows,
                 std::vector<FailedRow>* failed) override {
    if (rows.empty()) return Status::OK();  // The service's check at create (destination.h).
    r_->deliveries++;
    if (r_->fail) return Status::Unavailable("the test says no");
    if (r_->refuse) return Status::InvalidArgument("the test's columns are wrong");
    int player = schema.Find("PlayerID");
    std::lock_guard<std::mutex> l(r_->mu);
    for (const OutputRow& row : rows) {
      r_->ordinals.push_back(row.ordinal);
      r_->players.push_back(row.row.values[player].i);
    }
    return Status::OK();
  }
  void Stop() override {}

 private:
  std::shared_ptr<Received> r_;
};

class AppServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WalOptions w;
    w.dir = JoinPath(dir_.path(), "log");
    w.durability = Durability::kNone;
    RecoveryReport report;
    auto wal = Wal::Open(w, &report);
    GL_ASSERT_OK(wal);
    wal_ = std::move(wal).value();
    GL_ASSERT_OK(Env::Default()->CreateDirs(JoinPath(dir_.path(), "lake")));
    OpenService();
  }
  void TearDown() override {
    if (service_) service_->Shutdown();
    service_.reset();
    if (wal_) {
      GL_EXPECT_OK(wal_->Close());
    }
  }

  void OpenService(size_t max_apps = 64) {
    AppServiceOptions o;
    o.dir = JoinPath(dir_.path(), "apps");
    o.wal = wal_.get();
    o.max_apps = max_apps;
    o.checkpoint_interval_ms = 10;
    Wal* wal = wal_.get();
    std::string lake = JoinPath(dir_.path(), "lake");
    o.open_source = [wal, lake](const std::string& stream, uint64_t from_seq) {
      SourceReaderOptions s;
      s.wal = wal;
      s.lake_dir = lake;
      s.stream = stream;
      s.after_seq = from_seq == 0 ? 0 : from_seq - 1;
      return SourceReader::Create(std::move(s));
    };
    o.make_destination = [this](
                             const ApplicationDefinition&,
                             const DestinationSpec& spec) -> Result<std::unique_ptr<Destination>> {
      return std::unique_ptr<Destination>(
          std::make_unique<RecordingDestination>(received_[spec.target]));
    };
    o.sample_records = [](const std::string& stream, size_t n) -> Result<std::vector<std::string>> {
      if (stream != "events") return std::vector<std::string>{};
      return std::vector<std::string>{LabRecord(1, 3), LabRecord(2, 20)};
    };
    auto s = AppService::Open(std::move(o));
    GL_ASSERT_OK(s);
    service_ = std::move(s).value();
  }

  void Append(const std::vector<std::string>& records, std::string stream = "events") {
    std::vector<std::string_view> views(records.begin(), records.end());
    GL_ASSERT_OK(wal_->Append(stream, views));
  }

  // Waits (at most 30 s, not a timing assertion) for `what` to hold.
  template <typename F>
  bool Eventually(F what) {
    return ::gamelake::testing::Eventually(what, std::chrono::seconds(30),
                                           std::chrono::milliseconds(10));
  }

  AppSpec LabSpec(std::string name = "lab") {
    AppSpec spec;
    spec.name = std::move(name);
    spec.source = "events";
    spec.sql = std::string(kLabTask9Sql);
    spec.destinations = std::vector<DestinationSpec>{{"data_stream", "stream", "losers", {}}};
    received_["losers"] = std::make_shared<Received>();
    return spec;
  }

  Result<AppCheckpoint> Checkpoint(const std::string& name) {
    GL_ASSIGN_OR_RETURN(std::string bytes, Env::Default()->ReadFile(JoinPath(
                                               dir_.path(), "apps/" + name + "/checkpoint")));
    return DecodeAppCheckpoint(bytes);
  }

  ScratchDir dir_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<AppService> service_;
  std::map<std::string, std::shared_ptr<Received>> received_;
};

TEST_F(AppServiceTest, TheLabsFilterDeliversExactlyTheLosersInOrder) {
  Append({LabRecord(100, 50)});  // Before the app: --from now skips it.
  Result<AppDescription> app = service_->Create(LabSpec());
  GL_ASSERT_OK(app);
  EXPECT_EQ(app->status.state, "RUNNING");
  // Discovered from the sample: KDA's name for "Time Played".
  ASSERT_EQ(app->definition.input_schema.columns.size(), 6u);
  EXPECT_EQ(app->definition.input_schema.columns[3].name, "COL_TimePlayed");
  EXPECT_EQ(app->definition.input_schema.columns[3].mapping, "Time Played");
  ASSERT_EQ(app->streams.size(), 2u);
  EXPECT_EQ(app->streams[0].name, "data_stream");
  EXPECT_EQ(app->streams[1].name, "error_stream");

  Result<LiveHandle> live = service_->Subscribe("lab", "data_stream");
  GL_ASSERT_OK(live);
  std::vector<std::string> records;
  std::vector<int64_t> expected;
  for (int i = 0; i < 200; ++i) {
    int losses = (i * 7) % 23;
    records.push_back(LabRecord(i, losses));
    if (losses > 10) expected.push_back(i);
  }
  records.push_back("{\"PlayerID\":\"not a number\",\"Losses\":99}");  // To the error stream.
  Append(records);
  Append({LabRecord(999, 99)}, "other");  // Another stream: not the app's.
  std::shared_ptr<Received> got = received_["losers"];
  ASSERT_TRUE(Eventually([&] { return got->size() >= expected.size(); }));
  std::lock_guard<std::mutex> l(got->mu);
  EXPECT_THAT(got->players, ElementsAreArray(expected));
  for (size_t i = 0; i < got->ordinals.size(); ++i) EXPECT_EQ(got->ordinals[i], i);

  std::string events, all;
  while (all.find(fmt::format("\"PlayerID\":{},", expected.back())) == std::string::npos) {
    ASSERT_NE(live->subscription->Take(&events, 10'000), LiveSubscription::Wait::kTimeout);
    all += events;
  }
  EXPECT_THAT(all, HasSubstr(fmt::format("id: 0\ndata: {{\"ROWTIME\":")));
  EXPECT_THAT(all, HasSubstr(fmt::format("\"PlayerID\":{},\"Wins\"", expected[0])));

  ASSERT_TRUE(Eventually([&] {
    Result<AppDescription> d = service_->Describe("lab");
    return d.ok() && d->status.run.records_in == 201 && d->status.run.error_rows == 1;
  }));
}

TEST_F(AppServiceTest, ARestartResumesFromTheCheckpointWithTheSameOrdinals) {
  GL_ASSERT_OK(service_->Create(LabSpec()));
  Append({LabRecord(1, 11), LabRecord(2, 1), LabRecord(3, 12)});
  std::shared_ptr<Received> got = received_["losers"];
  ASSERT_TRUE(Eventually([&] { return got->size() == 2; }));
  service_->Shutdown();  // Checkpoints.
  service_.reset();
  Append({LabRecord(4, 13), LabRecord(5, 0)});  // While the server is down.
  OpenService();
  ASSERT_TRUE(Eventually([&] { return got->size() == 3; }));
  Append({LabRecord(6, 14)});
  ASSERT_TRUE(Eventually([&] { return got->size() == 4; }));
  std::lock_guard<std::mutex> l(got->mu);
  EXPECT_THAT(got->players, ElementsAreArray({1, 3, 4, 6}));
  EXPECT_THAT(got->ordinals, ElementsAreArray({0u, 1u, 2u, 3u}));
}

TEST_F(AppServiceTest, ADestinationThatCanNeverTakeTheRowsFailsTheAppAndSkipsNothing) {
  GL_ASSERT_OK(service_->Create(LabSpec()));
  Result<AppCheckpoint> first = Checkpoint("lab");
  GL_ASSERT_OK(first);
  received_["losers"]->refuse = true;
  Append({LabRecord(1, 11)});
  ASSERT_TRUE(Eventually([&] { return service_->Describe("lab")->status.state == "FAILED"; }));
  Result<AppDescription> app = service_->Describe("lab");
  EXPECT_THAT(app->status.last_error, HasSubstr("destination data_stream=stream:losers"));
  EXPECT_THAT(app->status.last_error, HasSubstr("the test's columns are wrong"));
  // The checkpoint did not move past the row no destination took.
  Result<AppCheckpoint> last = Checkpoint("lab");
  GL_ASSERT_OK(last);
  EXPECT_EQ(last->next_seq, first->next_seq);
  EXPECT_EQ(last->rows_out, 0u);
}

TEST_F(AppServiceTest, TheCheckpointWaitsForTheDestinations) {
  GL_ASSERT_OK(service_->Create(LabSpec()));
  Result<AppCheckpoint> first = Checkpoint("lab");  // Written at the first start.
  GL_ASSERT_OK(first);
  std::shared_ptr<Received> got = received_["losers"];
  got->fail = true;
  Append({LabRecord(1, 11)});
  ASSERT_TRUE(Eventually([&] { return got->deliveries >= 3; }));  // Retrying.
  Result<AppCheckpoint> stuck = Checkpoint("lab");
  GL_ASSERT_OK(stuck);
  EXPECT_EQ(stuck->next_seq, first->next_seq);  // Not past the undelivered row.
  Result<AppDescription> d = service_->Describe("lab");
  GL_ASSERT_OK(d);
  EXPECT_EQ(d->status.run.next_seq, first->next_seq);
  got->fail = false;
  ASSERT_TRUE(Eventually([&] { return got->size() == 1; }));
  ASSERT_TRUE(Eventually([&] {
    Result<AppCheckpoint> c = Checkpoint("lab");
    return c.ok() && c->next_seq > first->next_seq && c->next_ordinals[0].second == 1;
  }));
}

// With ingest-time ROWTIME a tumbling window is emitted once the clock passes
// its end, though no later record comes to push time forward.
TEST_F(AppServiceTest, ATumblingWindowClosesOnTheClock) {
  AppSpec spec = LabSpec("win");
  spec.sql =
      "CREATE OR REPLACE STREAM \"w\" (\"PlayerID\" BIGINT);\n"
      "CREATE OR REPLACE PUMP \"p\" AS INSERT INTO \"w\" SELECT STREAM COUNT(*) "
      "FROM \"SOURCE_SQL_STREAM_001\" GROUP BY STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY "
      "INTERVAL '1' SECOND);";
  spec.destinations = std::vector<DestinationSpec>{{"w", "stream", "counts", {}}};
  received_["counts"] = std::make_shared<Received>();
  GL_ASSERT_OK(service_->Create(spec));
  Append({LabRecord(1, 1), LabRecord(2, 2), LabRecord(3, 3)});
  std::shared_ptr<Received> got = received_["counts"];
  ASSERT_TRUE(Eventually([&] { return got->size() >= 1; }));
  std::lock_guard<std::mutex> l(got->mu);
  EXPECT_EQ(got->players[0], 3);  // The window's COUNT(*), in the column named PlayerID.
}

TEST_F(AppServiceTest, BadCodeIsRefusedWithItsPositionAndNothingIsStored) {
  AppSpec spec = LabSpec();
  spec.sql =
      "CREATE OR REPLACE STREAM \"s\" (\"a\" INTEGER);\nCREATE PUMP "
      "\"p\" AS INSERT INTO "
      "\"s\" SELECT STREAM \"nope\" FROM \"SOURCE_SQL_STREAM_001\";";
  Result<AppDescription> app = service_->Create(spec);
  EXPECT_THAT(app, StatusIs(Status::Code::kInvalidArgument, "2:"));
  EXPECT_FALSE(Env::Default()->FileExists(JoinPath(dir_.path(), "apps/lab")));
  EXPECT_TRUE(service_->List().empty());
}

TEST_F(AppServiceTest, Refusals) {
  AppSpec unknown_stream = LabSpec("a");
  unknown_stream.destinations = std::vector<DestinationSpec>{{"DATA_STREAM", "stream", "x", {}}};
  EXPECT_THAT(service_->Create(unknown_stream),
              StatusIs(Status::Code::kInvalidArgument, "creates no stream \"DATA_STREAM\""));
  AppSpec own_source = LabSpec("a");
  own_source.destinations = std::vector<DestinationSpec>{{"data_stream", "stream", "events", {}}};
  EXPECT_THAT(service_->Create(own_source), StatusIs(Status::Code::kInvalidArgument, "own source"));
  AppSpec no_records = LabSpec("a");
  no_records.source = "empty";
  EXPECT_THAT(service_->Create(no_records),
              StatusIs(Status::Code::kInvalidArgument, "cannot discover the input schema"));

  // a: events -> losers; b: losers -> events closes a loop.
  GL_ASSERT_OK(service_->Create(LabSpec("a")));
  AppSpec loop = LabSpec("b");
  loop.source = "losers";
  loop.input_schema = service_->Describe("a")->definition.input_schema;
  loop.destinations = std::vector<DestinationSpec>{{"data_stream", "stream", "events", {}}};
  EXPECT_THAT(service_->Create(loop),
              StatusIs(Status::Code::kInvalidArgument, "loop: losers -> events -> losers"));
  EXPECT_THAT(service_->Create(LabSpec("a")), StatusIs(Status::Code::kAlreadyExists, "'a'"));
  EXPECT_THAT(service_->Start("zz"), StatusIs(Status::Code::kNotFound, "'zz'"));
}

TEST_F(AppServiceTest, TooManyApps) {
  service_->Shutdown();
  OpenService(/*max_apps=*/1);
  GL_ASSERT_OK(service_->Create(LabSpec("one")));
  EXPECT_THAT(service_->Create(LabSpec("two")),
              StatusIs(Status::Code::kResourceExhausted, "too many apps"));
}

TEST_F(AppServiceTest, StopStartUpdateDelete) {
  GL_ASSERT_OK(service_->Create(LabSpec()));
  GL_ASSERT_OK(service_->Stop("lab"));
  EXPECT_EQ(service_->Describe("lab")->status.state, "READY");
  Append({LabRecord(1, 11)});  // Read when it starts again: the position was kept.
  GL_ASSERT_OK(service_->Start("lab"));
  std::shared_ptr<Received> got = received_["losers"];
  ASSERT_TRUE(Eventually([&] { return got->size() == 1; }));

  // Destinations only: the code version, and so the window state, stay.
  AppSpec same_code;
  same_code.name = "lab";
  same_code.destinations = LabSpec().destinations;
  Result<AppDescription> kept = service_->Update(same_code);
  GL_ASSERT_OK(kept);
  EXPECT_EQ(kept->definition.version, 2u);
  EXPECT_EQ(kept->definition.code_version, 1u);
  got = received_["losers"];  // LabSpec() gave the new destination a new record.

  AppSpec update;
  update.name = "lab";
  update.sql = std::string(kLabTask9Sql).replace(std::string(kLabTask9Sql).find("> 10"), 4, "> 12");
  Result<AppDescription> updated = service_->Update(update);
  GL_ASSERT_OK(updated);
  EXPECT_EQ(updated->definition.version, 3u);
  EXPECT_EQ(updated->definition.code_version, 3u);
  EXPECT_EQ(updated->status.state, "RUNNING");
  Append({LabRecord(2, 11), LabRecord(3, 13)});
  ASSERT_TRUE(Eventually([&] { return got->size() == 1; }));
  {
    std::lock_guard<std::mutex> l(got->mu);
    EXPECT_THAT(got->players, ElementsAreArray({3}));
    EXPECT_THAT(got->ordinals, ElementsAreArray({1u}));  // Ordinals go on across updates.
  }

  // Stopped apps stay stopped across a restart; the definition survived.
  GL_ASSERT_OK(service_->Stop("lab"));
  service_->Shutdown();
  OpenService();
  Result<AppDescription> d = service_->Describe("lab");
  GL_ASSERT_OK(d);
  EXPECT_EQ(d->status.state, "READY");
  EXPECT_EQ(d->definition.version, 3u);
  GL_ASSERT_OK(service_->Delete("lab"));
  EXPECT_THAT(service_->Describe("lab"), StatusIs(Status::Code::kNotFound, "lab"));
  EXPECT_FALSE(Env::Default()->FileExists(JoinPath(dir_.path(), "apps/lab")));
  GL_ASSERT_OK(service_->Create(LabSpec()));  // The name is free again.
}

}  // namespace
}  // namespace gamelake

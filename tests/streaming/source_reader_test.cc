#include "streaming/source_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"
#include "delivery/delivery_service.h"
#include "lake/file_reclaimer.h"
#include "lake/lake_layout.h"
#include "sql/duck_db.h"

namespace gamelake {
namespace {

std::string Record(int i) {
  return "{\"n\":" + std::to_string(i) + ",\"Time Played\":" + std::to_string(1000 + i) +
         ",\"s\":\"x" + std::to_string(i) + "\"}";
}

struct Read {
  uint64_t seq;
  std::string json;
};

class SourceReaderTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenWal(); }
  void TearDown() override {
    if (delivery_) {
      GL_EXPECT_OK(delivery_->Stop());
    }
    delivery_.reset();
    GL_EXPECT_OK(wal_->Close());
  }

  void OpenWal() {
    WalOptions o;
    o.dir = dir_.path() + "/log";
    o.durability = Durability::kNone;
    o.segment_bytes = 2048;  // Small segments: delivery's releases delete them.
    RecoveryReport report;
    auto wal = Wal::Open(o, &report);
    GL_ASSERT_OK(wal);
    wal_ = std::move(wal).value();
  }

  // Appends records [from, to) to `stream`, one append each; returns their seqs.
  std::vector<uint64_t> Append(const std::string& stream, int from, int to) {
    std::vector<uint64_t> seqs;
    for (int i = from; i < to; ++i) {
      std::string r = Record(i);
      std::string_view v = r;
      auto seq = wal_->Append(stream, std::span<const std::string_view>(&v, 1));
      EXPECT_THAT(seq, IsOk());
      if (seq.ok()) seqs.push_back(*seq);
    }
    return seqs;
  }

  // Starts delivery, moves everything durable into the lake (the log then
  // releases and deletes the segments it can), and stops it.
  void DeliverAll() {
    DeliveryOptions o;
    o.lake_dir = lake_dir();
    o.staging_dir = dir_.path() + "/staging";
    auto d = DeliveryService::Start(wal_.get(), o);
    GL_ASSERT_OK(d);
    GL_ASSERT_OK((*d)->Flush());
    GL_ASSERT_OK((*d)->Stop());
  }

  std::string lake_dir() const { return dir_.path() + "/lake"; }

  std::unique_ptr<SourceReader> Reader(uint64_t after_seq, size_t batch_rows = 7) {
    SourceReaderOptions o;
    o.stream = "events";
    o.after_seq = after_seq;
    o.wal = wal_.get();
    o.lake_dir = lake_dir();
    o.lake_batch_rows = batch_rows;
    o.reclaimer = reclaimer_;
    auto r = SourceReader::Create(o);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? std::move(r).value() : nullptr;
  }

  // Everything the reader has now.
  std::vector<Read> Drain(SourceReader* r) {
    std::vector<Read> out;
    SourceRecord rec;
    for (;;) {
      auto more = r->Next(&rec);
      EXPECT_THAT(more, IsOk());
      if (!more.ok() || !*more) return out;
      EXPECT_GT(rec.ingest_time_us, 0);
      out.push_back(Read{rec.seq, std::string(rec.json)});
    }
  }

  static std::vector<uint64_t> Seqs(const std::vector<Read>& reads) {
    std::vector<uint64_t> out;
    for (const Read& r : reads) out.push_back(r.seq);
    return out;
  }

  static std::vector<uint64_t> Concat(std::vector<uint64_t> a, const std::vector<uint64_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  ScratchDir dir_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<DeliveryService> delivery_;
  FileReclaimer* reclaimer_ = nullptr;
};

TEST_F(SourceReaderTest, ReadsTheStreamsRecordsFromTheLogInOrderAndPollsForMore) {
  std::vector<uint64_t> a = Append("events", 0, 5);
  Append("other", 0, 3);
  std::vector<uint64_t> b = Append("events", 5, 8);
  auto reader = Reader(0);
  std::vector<Read> got = Drain(reader.get());
  EXPECT_EQ(Seqs(got), Concat(a, b));
  EXPECT_EQ(got[0].json, Record(0));  // From the log: the bytes as sent.
  EXPECT_EQ(got[7].json, Record(7));
  EXPECT_EQ(reader->position(), b.back());
  EXPECT_EQ(reader->stats().lake_records, 0u);

  std::vector<uint64_t> c = Append("events", 8, 10);
  EXPECT_EQ(Seqs(Drain(reader.get())), c);  // Polling again picks up new records.
}

TEST_F(SourceReaderTest, StartsAfterAGivenPosition) {
  std::vector<uint64_t> seqs = Append("events", 0, 6);
  auto reader = Reader(seqs[2]);
  EXPECT_EQ(Seqs(Drain(reader.get())), std::vector<uint64_t>(seqs.begin() + 3, seqs.end()));
  auto now = Reader(wal_->next_seq() - 1);  // "--from now".
  EXPECT_TRUE(Drain(now.get()).empty());
  std::vector<uint64_t> later = Append("events", 6, 7);
  EXPECT_EQ(Seqs(Drain(now.get())), later);
}

TEST_F(SourceReaderTest, ReadsRecordsTheLogReleasedFromTheLake) {
  std::vector<uint64_t> seqs = Append("events", 0, 60);
  Append("other", 0, 20);
  DeliverAll();
  ASSERT_GT(wal_->first_seq(), seqs[40]) << "delivery did not let the log drop its segments";

  auto reader = Reader(0);
  std::vector<Read> got = Drain(reader.get());
  EXPECT_EQ(Seqs(got), seqs);
  EXPECT_GT(reader->stats().lake_records, 40u);
  // Read back from Parquet: the same keys and values, as DuckDB writes JSON.
  EXPECT_EQ(got[3].json, R"({"n":3,"Time Played":1003,"s":"x3"})");
}

TEST_F(SourceReaderTest, StartsInTheMiddleOfALakeFile) {
  std::vector<uint64_t> seqs = Append("events", 0, 60);
  DeliverAll();
  ASSERT_GT(wal_->first_seq(), seqs[40]);
  auto reader = Reader(seqs[24], 5);
  std::vector<Read> got = Drain(reader.get());
  EXPECT_EQ(Seqs(got), std::vector<uint64_t>(seqs.begin() + 25, seqs.end()));
  EXPECT_EQ(got[0].json, R"({"n":25,"Time Played":1025,"s":"x25"})");
}

TEST_F(SourceReaderTest, SwitchesFromTheLakeToTheLogWithoutGapOrDuplicate) {
  std::vector<uint64_t> first = Append("events", 0, 50);
  DeliverAll();
  const uint64_t log_start = wal_->first_seq();
  ASSERT_GT(log_start, first[10]);
  // Not delivered: only in the log.
  std::vector<uint64_t> second = Append("events", 50, 70);
  FileReclaimer reclaimer(Env::Default(), lake_dir());
  reclaimer_ = &reclaimer;
  auto reader = Reader(0, 4);
  std::vector<Read> got = Drain(reader.get());
  EXPECT_EQ(Seqs(got), Concat(first, second));
  EXPECT_GT(reader->stats().lake_records, 0u);
  EXPECT_GT(reader->stats().log_records, 0u);
  EXPECT_EQ(got.back().json, Record(69));
  EXPECT_EQ(reclaimer.readers(), 0u);  // The lake pass let go of its ticket.
}

TEST_F(SourceReaderTest, ASlowReaderWhoseSegmentsWereDeletedContinuesFromTheLake) {
  std::vector<uint64_t> seqs = Append("events", 0, 80);
  auto reader = Reader(0);
  SourceRecord rec;
  std::vector<uint64_t> got;
  for (int i = 0; i < 5; ++i) {
    auto more = reader->Next(&rec);
    GL_ASSERT_OK(more);
    ASSERT_TRUE(*more);
    got.push_back(rec.seq);
  }
  // Delivery moves everything into the lake and the log deletes the
  // segments ahead of the reader.
  DeliverAll();
  ASSERT_GT(wal_->first_seq(), seqs[40]);
  std::vector<uint64_t> later = Append("events", 80, 90);
  for (const Read& r : Drain(reader.get())) got.push_back(r.seq);
  EXPECT_EQ(got, Concat(seqs, later));
  EXPECT_GT(reader->stats().lake_records, 0u);
}

TEST_F(SourceReaderTest, WithoutALakeWhatTheLogLostIsSkipped) {
  std::vector<uint64_t> seqs = Append("events", 0, 60);
  DeliverAll();
  const uint64_t first = wal_->first_seq();
  SourceReaderOptions o;
  o.stream = "events";
  o.wal = wal_.get();
  auto reader = SourceReader::Create(o);
  GL_ASSERT_OK(reader);
  std::vector<Read> got = Drain(reader->get());
  for (const Read& r : got) EXPECT_GE(r.seq, first);
  EXPECT_LT(got.size(), seqs.size());
}

TEST_F(SourceReaderTest, RebuildsRecordsOfHandWrittenFilesWithOverflowKeys) {
  Append("other", 0, 60);
  DeliverAll();
  ASSERT_GT(wal_->first_seq(), 20u);
  // A file as delivery writes one past its column limit: the keys that did not
  // become columns are in _overflow.
  const std::string rel =
      LakeFilePath("events", LakePartition::Hour(474'000), LakeFileName{5, 7, 0});
  const std::string path = lake_dir() + "/" + rel;
  GL_ASSERT_OK(Env::Default()->CreateDirs(DirName(path)));
  auto db = DuckDb::Open({});
  GL_ASSERT_OK(db);
  GL_ASSERT_OK((*db)->Execute(
      "COPY (SELECT * FROM (VALUES "
      "(TIMESTAMP '2024-01-27 00:00:01', 5::BIGINT, 1::BIGINT, 'a', NULL::JSON), "
      "(TIMESTAMP '2024-01-27 00:00:02', 6::BIGINT, 2::BIGINT, NULL, '{\"extra\":[1,2]}'::JSON), "
      "(TIMESTAMP '2024-01-27 00:00:03', 7::BIGINT, NULL, 'c', '{\"x\":{\"y\":1}}'::JSON)) "
      "t(_ingest_time, _record_id, n, \"a b\", _overflow)) TO " +
      QuoteLiteral(path) + " (FORMAT parquet)"));
  auto reader = Reader(0);
  std::vector<Read> got = Drain(reader.get());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].seq, 5u);
  EXPECT_EQ(got[0].json, R"({"n":1,"a b":"a"})");
  EXPECT_EQ(got[1].json, R"({"n":2,"a b":null,"extra":[1,2]})");
  EXPECT_EQ(got[2].json, R"({"n":null,"a b":"c","x":{"y":1}})");
  SourceRecord rec;
  auto again = reader->Next(&rec);
  GL_ASSERT_OK(again);
  EXPECT_FALSE(*again);
}

TEST(SourceReaderCreateTest, NeedsALogAndAStream) {
  EXPECT_THAT(SourceReader::Create({}), StatusIs(Status::Code::kInvalidArgument, "no log"));
}

}  // namespace
}  // namespace gamelake

// Recovery from damaged segment files: torn tails and flipped bytes.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "log/log_format.h"
#include "log/wal.h"
#include "wal_test_util.h"

namespace gamelake {
namespace {

using wal_internal::EntrySize;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteBytes(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string SegmentPath(const std::string& dir, uint64_t seq) {
  return fmt::format("{}/{:020d}.log", dir, seq);
}

void ClearDir(const std::string& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) std::filesystem::remove(e.path());
}

// Records "rec-0".."rec-N" of stream "s": every entry has the same size.
constexpr size_t kEntry = 12 + 18 + 1 + 5;
static_assert(kEntry == 36);

TEST(WalRecoveryTest, TornTailAtEveryOffset) {
  ScratchDir source;
  WalOptions options;
  options.dir = source.path();
  constexpr int kRecords = 8;
  {
    auto wal = OpenOrDie(options);
    for (int i = 0; i < kRecords; ++i) {
      ASSERT_TRUE(AppendStrings(wal.get(), "s", {fmt::format("rec-{}", i)}).ok());
    }
  }
  ASSERT_EQ(EntrySize(1, 5), kEntry);
  const std::string original = ReadBytes(SegmentPath(source.path(), 1));
  ASSERT_EQ(original.size(), kRecords * kEntry);

  ScratchDir dir;
  options.dir = dir.path();
  for (size_t cut = 0; cut < original.size(); ++cut) {
    SCOPED_TRACE(fmt::format("cut at {}", cut));
    ClearDir(dir.path());
    WriteBytes(SegmentPath(dir.path(), 1), std::string_view(original).substr(0, cut));
    const uint64_t complete = cut / kEntry;
    {
      RecoveryReport report;
      auto wal = OpenOrDie(options, &report);
      ASSERT_NE(wal, nullptr);
      EXPECT_EQ(report.records, complete);
      EXPECT_EQ(report.torn_tail_bytes, cut % kEntry);
      EXPECT_EQ(report.corrupt_entries, 0u);
      EXPECT_EQ(report.problems.size(), cut % kEntry ? 1u : 0u);
      EXPECT_EQ(ReadBytes(SegmentPath(dir.path(), 1)).size(), complete * kEntry);
      auto records = ReadAll(wal.get());
      ASSERT_EQ(records.size(), complete);
      for (size_t i = 0; i < complete; ++i) {
        EXPECT_EQ(records[i].seq, i + 1);
        EXPECT_EQ(records[i].payload, fmt::format("rec-{}", i));
      }
      auto next = AppendStrings(wal.get(), "s", {"after"});
      ASSERT_TRUE(next.ok());
      EXPECT_EQ(next.value(), complete + 1);  // Follows every recovered seq.
    }
    RecoveryReport report;
    auto wal = OpenOrDie(options, &report);
    EXPECT_EQ(report.records, complete + 1);
    EXPECT_TRUE(report.problems.empty());
    auto records = ReadAll(wal.get());
    ASSERT_EQ(records.size(), complete + 1);
    EXPECT_EQ(records.back().payload, "after");
    EXPECT_EQ(records.back().seq, complete + 1);
    EXPECT_EQ(wal->next_seq(), complete + 2);
  }
}

// Three segments of ten entries: seqs 1-10, 11-20, 21-30.
class FlippedByteTest : public testing::Test {
 protected:
  void SetUp() override {
    options_.dir = source_.path();
    options_.segment_bytes = 10 * kEntry;
    {
      auto wal = OpenOrDie(options_);
      for (int i = 0; i < 6; ++i) {
        std::vector<std::string> batch;
        for (int r = 0; r < 5; ++r) batch.push_back(fmt::format("r{:04d}", i * 5 + r));
        ASSERT_TRUE(AppendStrings(wal.get(), "s", batch).ok());
      }
      ASSERT_EQ(wal->segment_count(), 3u);
    }
    for (uint64_t seq : {1, 11, 21}) {
      segments_[seq] = ReadBytes(SegmentPath(source_.path(), seq));
      ASSERT_EQ(segments_[seq].size(), 10 * kEntry);
    }
    options_.dir = dir_.path();
  }

  // Writes the log into dir_ with byte `offset` of segment `segment` flipped.
  void WriteWithFlip(uint64_t segment, size_t offset) {
    ClearDir(dir_.path());
    for (const auto& [seq, data] : segments_) {
      std::string copy = data;
      if (seq == segment) copy[offset] = static_cast<char>(copy[offset] ^ 0x5A);
      WriteBytes(SegmentPath(dir_.path(), seq), copy);
    }
  }

  static std::string Payload(uint64_t seq) { return fmt::format("r{:04d}", seq - 1); }

  ScratchDir source_;
  ScratchDir dir_;
  WalOptions options_;
  std::map<uint64_t, std::string> segments_;
};

TEST_F(FlippedByteTest, SkipsExactlyTheDamagedEntry) {
  // magic, crc, length (low and high byte), seq, time, stream_len, stream, record.
  for (size_t field : {0, 3, 5, 8, 11, 12, 19, 20, 28, 29, 30, 33, 35}) {
    for (uint64_t segment : {11, 21}) {  // The middle and the last segment.
      SCOPED_TRACE(fmt::format("segment {} field offset {}", segment, field));
      const uint64_t bad_seq = segment + 4;
      WriteWithFlip(segment, 4 * kEntry + field);
      RecoveryReport report;
      auto wal = OpenOrDie(options_, &report);
      ASSERT_NE(wal, nullptr);
      EXPECT_EQ(report.records, 29u);
      EXPECT_EQ(report.corrupt_entries, 1u);
      EXPECT_EQ(report.corrupt_bytes, kEntry);
      EXPECT_EQ(report.torn_tail_bytes, 0u);
      ASSERT_EQ(report.problems.size(), 1u);
      EXPECT_NE(report.problems[0].find(fmt::format("{:020d}.log", segment)), std::string::npos);
      EXPECT_NE(report.problems[0].find(fmt::format("offset {}", 4 * kEntry)), std::string::npos)
          << report.problems[0];
      EXPECT_EQ(wal->next_seq(), 31u);
      auto records = ReadAll(wal.get());
      ASSERT_EQ(records.size(), 29u);
      uint64_t expected = 1;
      for (const auto& r : records) {
        if (expected == bad_seq) ++expected;
        EXPECT_EQ(r.seq, expected);
        EXPECT_EQ(r.payload, Payload(expected));
        ++expected;
      }
      // A cursor starting right at the damaged entry continues after it.
      auto from_bad = ReadAll(wal.get(), bad_seq);
      ASSERT_FALSE(from_bad.empty());
      EXPECT_EQ(from_bad.front().seq, bad_seq + 1);
      ASSERT_EQ(AppendStrings(wal.get(), "s", {"new"}).value(), 31u);
    }
  }
}

TEST_F(FlippedByteTest, LastEntryOfMiddleSegmentIsCorruption) {
  WriteWithFlip(11, 9 * kEntry + 14);
  RecoveryReport report;
  auto wal = OpenOrDie(options_, &report);
  EXPECT_EQ(report.records, 29u);
  EXPECT_EQ(report.corrupt_entries, 1u);
  EXPECT_EQ(report.corrupt_bytes, kEntry);
  EXPECT_EQ(report.torn_tail_bytes, 0u);
  auto records = ReadAll(wal.get());
  ASSERT_EQ(records.size(), 29u);
  EXPECT_EQ(records[18].seq, 19u);
  EXPECT_EQ(records[19].seq, 21u);
  // The damaged segment is left as it was.
  EXPECT_EQ(ReadBytes(SegmentPath(dir_.path(), 11)).size(), 10 * kEntry);
}

TEST_F(FlippedByteTest, LastEntryOfLastSegmentIsTornTail) {
  WriteWithFlip(21, 9 * kEntry + 14);
  RecoveryReport report;
  auto wal = OpenOrDie(options_, &report);
  EXPECT_EQ(report.records, 29u);
  EXPECT_EQ(report.corrupt_entries, 0u);
  EXPECT_EQ(report.torn_tail_bytes, kEntry);
  EXPECT_EQ(ReadBytes(SegmentPath(dir_.path(), 21)).size(), 9 * kEntry);
  EXPECT_EQ(wal->next_seq(), 30u);
}

TEST_F(FlippedByteTest, GarbageBetweenEntries) {
  ClearDir(dir_.path());
  WriteBytes(SegmentPath(dir_.path(), 1), segments_[1]);
  std::string middle = segments_[11];
  middle.insert(3 * kEntry, std::string(100, '\x9e'));  // Magic-like bytes.
  WriteBytes(SegmentPath(dir_.path(), 11), middle);
  WriteBytes(SegmentPath(dir_.path(), 21), segments_[21]);
  RecoveryReport report;
  auto wal = OpenOrDie(options_, &report);
  EXPECT_EQ(report.records, 30u);
  EXPECT_EQ(report.corrupt_entries, 1u);
  EXPECT_EQ(report.corrupt_bytes, 100u);
  EXPECT_EQ(ReadAll(wal.get()).size(), 30u);
}

TEST_F(FlippedByteTest, EmptyNewestSegmentKeepsItsSeqs) {
  // A newest segment named 40 with nothing in it: seqs below 40 may have been
  // handed out, so the log continues at 40.
  ClearDir(dir_.path());
  for (const auto& [seq, data] : segments_) WriteBytes(SegmentPath(dir_.path(), seq), data);
  WriteBytes(SegmentPath(dir_.path(), 40), "");
  RecoveryReport report;
  auto wal = OpenOrDie(options_, &report);
  EXPECT_EQ(report.records, 30u);
  EXPECT_EQ(wal->next_seq(), 40u);
  EXPECT_EQ(AppendStrings(wal.get(), "s", {"x"}).value(), 40u);
}

TEST(LogFormatTest, SegmentFileNames) {
  EXPECT_EQ(wal_internal::SegmentFileName("/d", 42), "/d/00000000000000000042.log");
  EXPECT_EQ(wal_internal::ParseSegmentFileName("00000000000000000042.log"), 42u);
  EXPECT_EQ(wal_internal::ParseSegmentFileName("18446744073709551615.log"), UINT64_MAX);
  EXPECT_FALSE(wal_internal::ParseSegmentFileName("18446744073709551616.log").has_value());
  EXPECT_FALSE(wal_internal::ParseSegmentFileName("0000000000000000042.log").has_value());
  EXPECT_FALSE(wal_internal::ParseSegmentFileName("0000000000000000004x.log").has_value());
  EXPECT_FALSE(wal_internal::ParseSegmentFileName("00000000000000000042.tmp").has_value());
}

TEST(LogFormatTest, EncodeParseRoundTrip) {
  std::string buf(wal_internal::EntrySize(6, 11), '\0');
  wal_internal::EncodeEntry(buf.data(), 77, -5, "stream", "hello world");
  wal_internal::EntryView e;
  ASSERT_EQ(wal_internal::ParseEntry(buf.data(), buf.size(), &e), wal_internal::ParseResult::kOk);
  EXPECT_EQ(e.seq, 77u);
  EXPECT_EQ(e.ingest_time_us, -5);
  EXPECT_EQ(e.stream, "stream");
  EXPECT_EQ(e.record, "hello world");
  EXPECT_EQ(e.size, buf.size());
  EXPECT_EQ(wal_internal::ParseEntry(buf.data(), buf.size() - 1, &e),
            wal_internal::ParseResult::kTruncated);
  buf[20] ^= 1;
  EXPECT_EQ(wal_internal::ParseEntry(buf.data(), buf.size(), &e),
            wal_internal::ParseResult::kBadChecksum);
}

}  // namespace
}  // namespace gamelake

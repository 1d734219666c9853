// Tests of the on-disk queue (sdk/queue_format.md): round trip, torn and corrupted
// bytes, the cursor, the cap with critical copy-forward, the folder lock.
#include "queue.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace gamelake::internal {
namespace {

using gamelake::testing::ReadQueue;
using gamelake::testing::TempDir;

std::string Payload(int i, size_t pad = 0) {
  return "{\"event_id\":\"e" + std::to_string(i) + "\",\"pad\":\"" + std::string(pad, 'x') + "\"}";
}

// Appends n records (every `critical_every`-th critical) and closes the queue.
void Fill(const std::string& dir, int n, int critical_every = 0, QueueLimits limits = {},
          Dropped* dropped = nullptr) {
  Queue q;
  std::string error;
  ASSERT_TRUE(q.Open(dir, limits, &error, nullptr)) << error;
  Dropped d;
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(q.Append(Payload(i), critical_every > 0 && i % critical_every == 0, &d));
  }
  if (dropped) *dropped = d;
}

std::string SegmentFile(const std::string& dir, int n) {
  char name[32];
  snprintf(name, sizeof(name), "/seg-%016d.glq", n);
  return dir + name;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAt(const std::string& path, size_t offset, const std::string& bytes) {
  const int fd = open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)),
            static_cast<ssize_t>(bytes.size()));
  close(fd);
}

TEST(QueueTest, RoundTripAcrossReopen) {
  TempDir dir;
  Fill(dir.path(), 3000, 7);
  std::vector<CorruptRange> corrupt;
  const auto records = ReadQueue(dir.path(), &corrupt);
  ASSERT_EQ(records.size(), 3000u);
  EXPECT_TRUE(corrupt.empty());
  for (int i = 0; i < 3000; ++i) {
    ASSERT_EQ(records[i].payload, Payload(i));
    ASSERT_EQ(records[i].critical, i % 7 == 0);
  }
  // The bytes follow the format: magic, length, CRC, flags, payload.
  const std::string seg = ReadAll(SegmentFile(dir.path(), 1));
  ASSERT_GT(seg.size(), 13u);
  EXPECT_EQ(seg.substr(0, 4), "GLQ1");
  EXPECT_EQ(static_cast<uint8_t>(seg[4]), Payload(0).size());
  EXPECT_EQ(seg[12], 1);  // record 0 is critical
  EXPECT_EQ(seg.substr(13, Payload(0).size()), Payload(0));
}

TEST(QueueTest, TornTailIsDetectedAndTheRestRead) {
  TempDir dir;
  Fill(dir.path(), 10);
  // Cut the last record short, as a write interrupted mid-way leaves it.
  size_t end = 0;
  for (int i = 0; i < 10; ++i) end += 13 + Payload(i).size();
  const size_t last = 13 + Payload(9).size();
  WriteAt(SegmentFile(dir.path(), 1), end - 6, std::string(6, '\0'));
  std::vector<CorruptRange> corrupt;
  const auto records = ReadQueue(dir.path(), &corrupt);
  ASSERT_EQ(records.size(), 9u);
  EXPECT_EQ(records[8].payload, Payload(8));
  ASSERT_EQ(corrupt.size(), 1u);
  EXPECT_EQ(corrupt[0].offset, end - last);
  EXPECT_EQ(corrupt[0].bytes, last - 6);  // up to where only zeros follow
}

TEST(QueueTest, FlippedByteInTheMiddleSkipsOnlyThatRecord) {
  TempDir dir;
  Fill(dir.path(), 20);
  size_t off = 0;
  for (int i = 0; i < 10; ++i) off += 13 + Payload(i).size();
  const std::string path = SegmentFile(dir.path(), 1);
  std::string byte = ReadAll(path).substr(off + 20, 1);
  byte[0] ^= 0x20;
  WriteAt(path, off + 20, byte);
  std::vector<CorruptRange> corrupt;
  const auto records = ReadQueue(dir.path(), &corrupt);
  ASSERT_EQ(records.size(), 19u);
  EXPECT_EQ(records[9].payload, Payload(9));
  EXPECT_EQ(records[10].payload, Payload(11));
  ASSERT_EQ(corrupt.size(), 1u);
  EXPECT_EQ(corrupt[0].segment, 1u);
  EXPECT_EQ(corrupt[0].offset, off);
  EXPECT_EQ(corrupt[0].bytes, 13 + Payload(10).size());
}

TEST(QueueTest, GarbageBetweenRecordsIsSkipped) {
  TempDir dir;
  Fill(dir.path(), 3);
  const std::string path = SegmentFile(dir.path(), 1);
  const std::string seg = ReadAll(path);
  const size_t first = 13 + Payload(0).size();
  // Garbage over record 1 (a fake magic included), then records 0 and 2 stay.
  WriteAt(path, first, std::string("GLQ1zzzzGLQ") + std::string(13 + Payload(1).size() - 11, 'q'));
  std::vector<CorruptRange> corrupt;
  const auto records = ReadQueue(dir.path(), &corrupt);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].payload, Payload(2));
  ASSERT_EQ(corrupt.size(), 1u);
  EXPECT_EQ(corrupt[0].bytes, 13 + Payload(1).size());
}

TEST(CursorTest, RoundTripAndDamage) {
  const Cursor c{0x0102030405060708ull, 77};
  const std::string bytes = EncodeCursor(c);
  ASSERT_EQ(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(0, 4), "GLC1");
  Cursor back;
  ASSERT_TRUE(DecodeCursor(bytes, &back));
  EXPECT_EQ(back.segment, c.segment);
  EXPECT_EQ(back.offset, 77u);
  std::string bad = bytes;
  bad[10] ^= 1;
  EXPECT_FALSE(DecodeCursor(bad, &back));
  EXPECT_FALSE(DecodeCursor(bytes.substr(0, 20), &back));
}

// Acknowledges the first n pending records through the queue's own API.
void AckFirst(Queue* q, size_t n) {
  std::vector<SegmentView> views;
  q->PendingSegments(&views);
  std::vector<RecordRef> refs;
  for (const auto& v : views) {
    for (size_t pos = v.head; refs.size() < n;) {
      const auto item = ScanAt(v.segment->data, pos, v.segment->capacity, v.end);
      if (item.kind == ScanItem::kEnd) break;
      if (item.kind == ScanItem::kRecord) {
        refs.push_back({v.segment, static_cast<uint32_t>(pos), static_cast<uint32_t>(item.size),
                        item.critical});
      }
      pos += item.size;
    }
  }
  q->Ack(refs.data(), refs.size());
}

TEST(CursorTest, AcknowledgedRecordsAreNotReadAgain) {
  TempDir dir;
  {
    Queue q;
    std::string error;
    ASSERT_TRUE(q.Open(dir.path(), {}, &error, nullptr));
    Dropped d;
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(q.Append(Payload(i), false, &d));
    AckFirst(&q, 60);
    EXPECT_EQ(q.live_events(), 40u);
    const std::string bytes = EncodeCursor(q.cursor());
    const int fd = open((dir.path() + "/cursor").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_EQ(write(fd, bytes.data(), bytes.size()), 24);
    close(fd);
  }
  auto records = ReadQueue(dir.path());
  ASSERT_EQ(records.size(), 40u);
  EXPECT_EQ(records[0].payload, Payload(60));
  // A damaged cursor means "from the oldest segment": everything is resent.
  WriteAt(dir.path() + "/cursor", 5, "\xff");
  records = ReadQueue(dir.path());
  EXPECT_EQ(records.size(), 100u);
}

TEST(QueueCapTest, DropsOldestOrdinaryAndKeepsCritical) {
  TempDir dir;
  QueueLimits limits;
  limits.max_queue_bytes = 64 * 1024;  // segments of 8 KiB
  limits.max_queue_events = 1000000;
  limits.max_critical_bytes = 1 << 20;
  Dropped dropped;
  const int n = 5000;  // ~200 KB of records: well over the cap
  Fill(dir.path(), n, 10, limits, &dropped);
  const auto records = ReadQueue(dir.path(), nullptr, limits);
  size_t critical = 0;
  std::set<std::string> seen;
  for (const auto& r : records) {
    critical += r.critical;
    EXPECT_TRUE(seen.insert(r.payload).second) << "duplicate " << r.payload;
  }
  EXPECT_EQ(critical, static_cast<size_t>(n / 10));  // every critical one survived
  EXPECT_GT(dropped.events, 0u);
  EXPECT_EQ(dropped.critical_events, 0u);
  // Every ordinary event is either still queued or was counted as dropped.
  EXPECT_EQ(records.size() - critical + dropped.events, static_cast<size_t>(n - n / 10));
  size_t ordinary_bytes = 0;
  for (const auto& r : records) ordinary_bytes += r.critical ? 0 : 13 + r.payload.size();
  EXPECT_LE(ordinary_bytes, limits.max_queue_bytes);
  // The newest ordinary event is kept, the oldest went.
  EXPECT_EQ(seen.count(Payload(n - 1)), 1u);
  EXPECT_EQ(seen.count(Payload(1)), 0u);
}

TEST(QueueCapTest, EventCapAndCriticalLimit) {
  TempDir dir;
  QueueLimits limits;
  limits.max_queue_bytes = 1 << 20;
  limits.max_queue_events = 100;
  limits.max_critical_bytes = 2000;  // about 60 critical records
  Dropped dropped;
  Fill(dir.path(), 1000, 2, limits, &dropped);
  const auto records = ReadQueue(dir.path(), nullptr, limits);
  size_t critical = 0;
  for (const auto& r : records) critical += r.critical;
  EXPECT_LE(records.size() - critical, 100u);
  EXPECT_GT(dropped.critical_events, 0u);  // past max_critical_bytes the oldest critical go too
  EXPECT_EQ(records.size() + dropped.events + dropped.critical_events, 1000u);
}

TEST(QueueTest, OneInstancePerFolder) {
  TempDir dir;
  Queue a, b;
  std::string error;
  ASSERT_TRUE(a.Open(dir.path(), {}, &error, nullptr));
  EXPECT_FALSE(b.Open(dir.path(), {}, &error, nullptr));
  EXPECT_NE(error.find("in use"), std::string::npos);
  a.Close();
  EXPECT_TRUE(b.Open(dir.path(), {}, &error, nullptr)) << error;
}

}  // namespace
}  // namespace gamelake::internal

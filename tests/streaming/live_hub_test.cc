#include "streaming/live_hub.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gamelake {
namespace {

using Wait = LiveSubscription::Wait;

StreamSchema Schema() {
  SqlType integer;
  integer.kind = SqlType::Kind::kInteger;
  SqlType text;
  text.kind = SqlType::Kind::kVarchar;
  text.length = 8;
  StreamSchema s;
  s.columns = {{"PlayerID", integer}, {"name", text}};
  return s;
}

StreamRow Row(int64_t id) {
  StreamRow r;
  r.rowtime_ms = 1'700'000'000'123;  // 2023-11-14 22:13:20.123
  r.values = {SqlValue::Integer(id), SqlValue::String("x")};
  return r;
}

TEST(LiveHubTest, RowEventHasRowtimeFirstThenTheColumnsInOrder) {
  EXPECT_EQ(LiveRowEvent(42, Schema(), Row(7)),
            "id: 42\ndata: {\"ROWTIME\":\"2023-11-14 22:13:20.123\",\"PlayerID\":7,\"name\":\"x\"}"
            "\n\n");
  StreamRow empty;
  EXPECT_EQ(LiveRowEvent(0, StreamSchema{}, empty),
            "id: 0\ndata: {\"ROWTIME\":\"1970-01-01 00:00:00.000\"}\n\n");
}

TEST(LiveHubTest, SubscribersGetTheRowsOfTheirStreamOnly) {
  LiveHub hub;
  EXPECT_FALSE(hub.HasSubscribers());
  auto a = hub.Subscribe("data_stream");
  auto b = hub.Subscribe("error_stream");
  EXPECT_EQ(hub.subscribers(), 2u);
  hub.Publish("data_stream", 0, Schema(), Row(1));
  hub.Publish("other", 0, Schema(), Row(2));
  hub.Publish("data_stream", 1, Schema(), Row(3));
  std::string out;
  ASSERT_EQ(a->Take(&out, 0), Wait::kData);
  EXPECT_EQ(out, LiveRowEvent(0, Schema(), Row(1)) + LiveRowEvent(1, Schema(), Row(3)));
  EXPECT_EQ(a->Take(&out, 0), Wait::kTimeout);
  EXPECT_EQ(b->Take(&out, 0), Wait::kTimeout);
  EXPECT_TRUE(out.empty());
}

TEST(LiveHubTest, ASlowSubscriberIsDroppedAndThePublisherNeverWaits) {
  LiveHub hub;
  auto slow = hub.Subscribe("s");
  auto fast = hub.Subscribe("s");
  const size_t event = LiveRowEvent(0, Schema(), Row(0)).size();
  const size_t n = LiveHub::kMaxQueuedBytes / event + 10;
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    hub.Publish("s", i, Schema(), Row(static_cast<int64_t>(i)));
    if (i % 100 == 0) {
      ASSERT_EQ(fast->Take(&out, 0), Wait::kData);  // Keeps up.
    }
  }
  EXPECT_EQ(slow->Take(&out, 0), Wait::kDropped);
  EXPECT_THAT(out, ::testing::StartsWith("event: dropped\n"));
  EXPECT_EQ(hub.subscribers(), 1u);  // The dropped one is gone.
  EXPECT_EQ(fast->Take(&out, 0), Wait::kData);
}

TEST(LiveHubTest, CloseAllEndsEverySubscriptionAfterWhatWasQueued) {
  LiveHub hub;
  auto a = hub.Subscribe("s");
  hub.Publish("s", 0, Schema(), Row(1));
  hub.CloseAll();
  std::string out;
  EXPECT_EQ(a->Take(&out, 0), Wait::kData);
  EXPECT_EQ(a->Take(&out, 1000), Wait::kClosed);
  EXPECT_EQ(hub.Subscribe("s")->Take(&out, 1000), Wait::kClosed);  // Closed hubs take no one.
  EXPECT_FALSE(hub.HasSubscribers());
}

TEST(LiveHubTest, UnsubscribeForgetsTheReader) {
  LiveHub hub;
  auto a = hub.Subscribe("s");
  hub.Unsubscribe(a);
  EXPECT_FALSE(hub.HasSubscribers());
  hub.Publish("s", 0, Schema(), Row(1));
  std::string out;
  EXPECT_EQ(a->Take(&out, 1000), Wait::kClosed);
}

}  // namespace
}  // namespace gamelake

#include "auth/rate_limiter.h"

#include <gtest/gtest.h>

namespace gamelake {
namespace {

constexpr int64_t kSecond = 1'000'000;

TEST(RateLimiterTest, UnlimitedByDefaultAndNoBucket) {
  RateLimiter limiter(RateLimiter::Options{});
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.Admit("GLKA", 500, 1 << 20, 0).ok);
  EXPECT_EQ(limiter.tracked_keys(), 0u);
}

TEST(RateLimiterTest, RecordsBucketBurstThenRefill) {
  RateLimiter::Options options;
  options.defaults.records_per_s = 100;
  RateLimiter limiter(options);
  int64_t t = 10 * kSecond;
  // Burst: one second's worth.
  EXPECT_TRUE(limiter.Admit("k", 60, 0, t).ok);
  EXPECT_TRUE(limiter.Admit("k", 40, 0, t).ok);
  auto d = limiter.Admit("k", 1, 0, t);
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.limit, "records");
  EXPECT_EQ(d.retry_after_seconds, 1);  // 0.01s, rounded up.
  // 100 ms later: 10 tokens.
  t += kSecond / 10;
  EXPECT_TRUE(limiter.Admit("k", 10, 0, t).ok);
  EXPECT_FALSE(limiter.Admit("k", 1, 0, t).ok);
  // Other keys have their own buckets.
  EXPECT_TRUE(limiter.Admit("other", 100, 0, t).ok);
  EXPECT_EQ(limiter.tracked_keys(), 2u);
}

TEST(RateLimiterTest, RetryAfterIsRoundedUpSeconds) {
  RateLimiter::Options options;
  options.defaults.bytes_per_s = 1000;
  options.burst_seconds = 5;  // Bucket of 5000 bytes.
  RateLimiter limiter(options);
  EXPECT_TRUE(limiter.Admit("k", 1, 5000, 0).ok);
  auto d = limiter.Admit("k", 1, 2500, 0);
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.limit, "bytes");
  EXPECT_EQ(d.retry_after_seconds, 3);  // 2.5 s.
  d = limiter.Admit("k", 1, 2500, 2 * kSecond);
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.retry_after_seconds, 1);  // 0.5 s.
  EXPECT_TRUE(limiter.Admit("k", 1, 2500, 2500 * 1000).ok);
}

TEST(RateLimiterTest, OversizedRequestNeedsAFullBucketAndLeavesDebt) {
  RateLimiter::Options options;
  options.defaults.records_per_s = 100;
  RateLimiter limiter(options);
  // 500 records against a 100-record bucket: admitted when full.
  EXPECT_TRUE(limiter.Admit("k", 500, 0, 0).ok);
  // Now 400 in debt: 1 record needs 4.01 s.
  auto d = limiter.Admit("k", 1, 0, 0);
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.retry_after_seconds, 5);
  EXPECT_FALSE(limiter.Admit("k", 1, 0, 4 * kSecond).ok);
  EXPECT_TRUE(limiter.Admit("k", 1, 0, 4 * kSecond + kSecond / 50).ok);
  // And a refused request costs nothing.
  EXPECT_FALSE(limiter.Admit("k", 500, 0, 4 * kSecond + kSecond / 50).ok);
  EXPECT_TRUE(limiter.Admit("k", 99, 0, 5 * kSecond + kSecond / 50).ok);
}

TEST(RateLimiterTest, BothLimitsMustAdmitAndOwnLimitsOverrideDefaults) {
  RateLimiter::Options options;
  options.defaults.records_per_s = 1000;
  options.defaults.bytes_per_s = 1000;
  RateLimiter limiter(options);
  // Own records limit 10; bytes falls back to the default 1000.
  RateLimiter::Limits own{10, 0};
  EXPECT_TRUE(limiter.Admit("k", own, 5, 900, 0).ok);
  auto d = limiter.Admit("k", own, 1, 200, 0);  // Records fine, bytes not.
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.limit, "bytes");
  d = limiter.Admit("k", own, 6, 10, 0);  // Bytes fine, records not.
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.limit, "records");
  EXPECT_TRUE(limiter.Admit("k", own, 5, 100, 0).ok);  // Nothing was taken by the refusals.

  Principal p;
  p.key_id = "p";
  p.rate_records_per_s = 2;
  EXPECT_TRUE(limiter.Admit(p, 2, 0, 0).ok);
  EXPECT_FALSE(limiter.Admit(p, 1, 0, 0).ok);
}

TEST(RateLimiterTest, TimeGoingBackwardsAddsNothing) {
  RateLimiter::Options options;
  options.defaults.records_per_s = 10;
  RateLimiter limiter(options);
  EXPECT_TRUE(limiter.Admit("k", 10, 0, 100 * kSecond).ok);
  EXPECT_FALSE(limiter.Admit("k", 1, 0, 50 * kSecond).ok);
  EXPECT_FALSE(limiter.Admit("k", 1, 0, 100 * kSecond).ok);
  EXPECT_TRUE(limiter.Admit("k", 1, 0, 100 * kSecond + kSecond / 10).ok);
}

TEST(RateLimiterTest, MemoryIsBoundedByDroppingFullBuckets) {
  RateLimiter::Options options;
  options.defaults.records_per_s = 10;
  options.max_tracked_keys = 64;
  RateLimiter limiter(options);
  for (int i = 0; i < 10000; ++i) {
    // Each key takes one token, so its bucket is full again 0.1 s later.
    EXPECT_TRUE(limiter.Admit("key" + std::to_string(i), 1, 0, int64_t{i} * kSecond).ok);
    EXPECT_LE(limiter.tracked_keys(), 64u + RateLimiter::kShards);
  }
  // A key in debt keeps its bucket (its state matters).
  EXPECT_TRUE(limiter.Admit("hot", 10, 0, 20000 * kSecond).ok);
  EXPECT_FALSE(limiter.Admit("hot", 1, 0, 20000 * kSecond).ok);
}

}  // namespace
}  // namespace gamelake

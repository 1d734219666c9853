#include "streaming/app_checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

AppCheckpoint Sample() {
  AppCheckpoint c;
  c.code_version = 3;
  c.next_seq = 0x0102030405060708ull;
  c.records_in = 1'000'000;
  c.rows_out = 12'345;
  c.error_rows = 7;
  c.written_us = 1'700'000'000'123'456;
  c.next_ordinals = {{"data_stream", 12'000}, {"Mixed Case \"q\"", 345}, {"error_stream", 7}};
  c.program_state = std::string(
      "state\0with\xff"
      "bytes",
      16);
  return c;
}

TEST(AppCheckpointTest, RoundTrip) {
  AppCheckpoint c = Sample();
  std::string bytes = EncodeAppCheckpoint(c);
  Result<AppCheckpoint> back = DecodeAppCheckpoint(bytes);
  GL_ASSERT_OK(back);
  EXPECT_EQ(*back, c);
  EXPECT_EQ(bytes.substr(0, 8), "GLAPPCKP");

  AppCheckpoint empty;  // A first start: nothing consumed, no streams, no state.
  Result<AppCheckpoint> empty_back = DecodeAppCheckpoint(EncodeAppCheckpoint(empty));
  GL_ASSERT_OK(empty_back);
  EXPECT_EQ(*empty_back, empty);
}

TEST(AppCheckpointTest, LayoutIsAsDocumented) {
  AppCheckpoint c;
  c.next_seq = 0x11;
  c.next_ordinals = {{"s", 2}};
  c.program_state = "xy";
  std::string b = EncodeAppCheckpoint(c);
  // magic 8, format 4, six u64, count 4, (2 + 1 + 8), state length 8, state 2, crc 4
  ASSERT_EQ(b.size(), 8u + 4 + 6 * 8 + 4 + 11 + 8 + 2 + 4);
  EXPECT_EQ(b[8], 1);      // Format 1, little-endian.
  EXPECT_EQ(b[20], 0x11);  // next_seq follows the code version.
  EXPECT_EQ(b.substr(b.size() - 6, 2), "xy");
}

TEST(AppCheckpointTest, EveryTruncationIsRefused) {
  std::string bytes = EncodeAppCheckpoint(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THAT(DecodeAppCheckpoint(bytes.substr(0, n)),
                StatusIs(Status::Code::kCorruption, "app checkpoint"))
        << n;
  }
}

TEST(AppCheckpointTest, EveryFlippedByteIsRefused) {
  std::string bytes = EncodeAppCheckpoint(Sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_THAT(DecodeAppCheckpoint(bad), StatusIs(Status::Code::kCorruption, "")) << i;
  }
}

TEST(AppCheckpointTest, TrailingBytesAreRefused) {
  std::string bytes = EncodeAppCheckpoint(Sample());
  EXPECT_THAT(DecodeAppCheckpoint(bytes + "x"),
              StatusIs(Status::Code::kCorruption, "checksum mismatch"));
}

}  // namespace
}  // namespace gamelake

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "../common/status_matchers.h"
#include "streaming/operator.h"

namespace gamelake {
namespace {

TEST(OperatorStateTest, RoundTripsEveryKindOfValue) {
  StateWriter w;
  w.PutU64(0);
  w.PutU64(std::numeric_limits<uint64_t>::max());
  w.PutI64(-1);
  w.PutI64(std::numeric_limits<int64_t>::min());
  w.PutDouble(-0.5);
  w.PutDouble(std::numeric_limits<double>::infinity());
  w.PutString(std::string("a\0b", 3));
  StreamRow row;
  row.rowtime_ms = 1541034000000;
  row.values = {SqlValue::Integer(-7),
                SqlValue::Double(2.5),
                SqlValue::Decimal(1.25),
                SqlValue::String("Denver"),
                SqlValue::Timestamp(-86400000),
                SqlValue::Boolean(true),
                SqlValue::Null(ValueType::kInteger),
                SqlValue::Null(ValueType::kString),
                SqlValue::Make(ValueType::kIntervalDayTime, 60000)};
  row.values.push_back(SqlValue::Make(ValueType::kBinary, 0));
  row.values.back().s = std::string("\xff\x00", 2);
  w.PutRow(row);

  std::string data = w.Release();
  StateReader r(data);
  uint64_t u = 1;
  int64_t i = 0;
  double d = 0;
  std::string s;
  StreamRow back;
  GL_ASSERT_OK(r.GetU64(&u));
  EXPECT_EQ(u, 0u);
  GL_ASSERT_OK(r.GetU64(&u));
  EXPECT_EQ(u, std::numeric_limits<uint64_t>::max());
  GL_ASSERT_OK(r.GetI64(&i));
  EXPECT_EQ(i, -1);
  GL_ASSERT_OK(r.GetI64(&i));
  EXPECT_EQ(i, std::numeric_limits<int64_t>::min());
  GL_ASSERT_OK(r.GetDouble(&d));
  EXPECT_EQ(d, -0.5);
  GL_ASSERT_OK(r.GetDouble(&d));
  EXPECT_TRUE(std::isinf(d));
  GL_ASSERT_OK(r.GetString(&s));
  EXPECT_EQ(s, std::string("a\0b", 3));
  GL_ASSERT_OK(r.GetRow(&back));
  EXPECT_EQ(back, row);
  EXPECT_TRUE(r.done());
}

TEST(OperatorStateTest, SmallNumbersTakeOneByte) {
  StateWriter w;
  w.PutU64(127);
  EXPECT_EQ(w.data().size(), 1u);
  w.PutU64(128);
  EXPECT_EQ(w.data().size(), 3u);
}

TEST(OperatorStateTest, TruncatedOrBadStateIsCorruptionWithItsOffset) {
  StateWriter w;
  w.PutString("hello");
  std::string data = w.Release();
  std::string cut = data.substr(0, 3);
  StateReader r(cut);
  std::string s;
  EXPECT_THAT(r.GetString(&s), StatusIs(Status::Code::kCorruption, "at byte 0"));

  std::string bad_tag = "\x0e";
  StateReader r2(bad_tag);
  SqlValue v;
  EXPECT_THAT(r2.GetValue(&v), StatusIs(Status::Code::kCorruption, "bad value tag 14 at byte 0"));

  std::string short_double = "\x01\x02";
  StateReader r3(short_double);
  double d = 0;
  EXPECT_THAT(r3.GetDouble(&d), StatusIs(Status::Code::kCorruption, "double"));

  std::string overlong(11, '\xff');
  StateReader r4(overlong);
  uint64_t u = 0;
  EXPECT_THAT(r4.GetU64(&u), StatusIs(Status::Code::kCorruption, "overlong"));

  // A row claiming more values than bytes are left.
  StateWriter w5;
  w5.PutI64(0);
  w5.PutU64(1000);
  std::string huge = w5.Release();
  StateReader r5(huge);
  StreamRow row;
  EXPECT_THAT(r5.GetRow(&row), StatusIs(Status::Code::kCorruption, "1000 values"));
}

}  // namespace
}  // namespace gamelake

#include "streaming/datetime_format.h"

#include <gtest/gtest.h>

#include "../common/status_matchers.h"
#include "streaming/sql_value.h"

namespace gamelake {
namespace {

int64_t Ts(std::string_view text) { return ParseTimestampText(text).value(); }

std::string Format(std::string_view pattern, std::string_view ts) {
  Result<DateTimeFormat> f = DateTimeFormat::Compile(pattern);
  if (!f.ok()) return "error: " + f.status().message();
  std::string out;
  f->Format(Ts(ts), &out);
  return out;
}

TEST(DateTimeFormatTest, FormatsSimpleDateFormatLetters) {
  const char* ts = "2024-03-05 08:04:09.007";
  EXPECT_EQ(Format("yyyy-MM-dd HH:mm:ss.SSS", ts), "2024-03-05 08:04:09.007");
  EXPECT_EQ(Format("yy/M/d H:m:s.S", ts), "24/3/5 8:4:9.7");
  EXPECT_EQ(Format("MMM MMMM EEE EEEE", ts), "Mar March Tue Tuesday");
  EXPECT_EQ(Format("hh:mm a k K D u", ts), "08:04 AM 8 8 65 2");
  EXPECT_EQ(Format("'day' d 'o''clock' ''", ts), "day 5 o'clock '");
  EXPECT_EQ(Format("z Z X", ts), "UTC +0000 Z");
  EXPECT_EQ(Format("hh a", "2024-03-05 00:30:00"), "12 AM");
  EXPECT_EQ(Format("hh a", "2024-03-05 12:30:00"), "12 PM");
  EXPECT_EQ(Format("k", "2024-03-05 00:30:00"), "24");
  EXPECT_EQ(Format("yyyy-MM-dd", "0010-03-07 00:00:00"), "0010-03-07");
}

TEST(DateTimeFormatTest, RefusesUnsupportedLetters) {
  for (const char* p : {"ww", "YYYY", "G", "W", "F", "Q", "'open"}) {
    EXPECT_THAT(DateTimeFormat::Compile(p), StatusIs(Status::Code::kInvalidArgument, "")) << p;
  }
  EXPECT_THAT(
      DateTimeFormat::Compile("yyyy-ww"),
      StatusIs(Status::Code::kInvalidArgument, "unsupported letter 'w' in date format 'yyyy-ww'"));
}

TEST(DateTimeFormatTest, ParsesWithKdaRules) {
  auto parse = [](std::string_view pattern, std::string_view text) -> std::string {
    Result<DateTimeFormat> f = DateTimeFormat::Compile(pattern);
    if (!f.ok()) return "error: " + f.status().message();
    Result<int64_t> ms = f->Parse(text);
    if (!ms.ok()) return "error: " + ms.status().message();
    return FormatTimestampMs(*ms);
  };
  EXPECT_EQ(parse("yyyy-MM-dd", "2024-02-29"), "2024-02-29 00:00:00.000");
  EXPECT_EQ(parse("yyyy-MM-dd", "2023-02-29"), "error: cannot parse '2023-02-29' as 'yyyy-MM-dd'");
  EXPECT_EQ(parse("yyyy-MM-dd", "2023-13-01"), "error: cannot parse '2023-13-01' as 'yyyy-MM-dd'");
  EXPECT_EQ(parse("HH:mm", "24:00"), "error: cannot parse '24:00' as 'HH:mm'");
  EXPECT_EQ(parse("HH:mm", "7:5"), "1970-01-01 07:05:00.000");
  EXPECT_EQ(parse("yy", "49"), "2049-01-01 00:00:00.000");
  EXPECT_EQ(parse("yy", "50"), "1950-01-01 00:00:00.000");
  EXPECT_EQ(parse("MMM", "sep"), "1970-09-01 00:00:00.000");
  EXPECT_EQ(parse("MMMM d", "September 3"), "1970-09-03 00:00:00.000");
  EXPECT_EQ(parse("hh a", "12 AM"), "1970-01-01 00:00:00.000");
  EXPECT_EQ(parse("hh a", "12 PM"), "1970-01-01 12:00:00.000");
  EXPECT_EQ(parse("yyyy-MM-dd HH:mm Z", "2024-01-01 10:00 -0130"), "2024-01-01 11:30:00.000");
  EXPECT_EQ(parse("D yyyy", "60 2024"), "2024-02-29 00:00:00.000");
  EXPECT_EQ(parse("yyyy", ""), "error: cannot parse '' as 'yyyy'");
  EXPECT_EQ(parse("yyyy'x'", "2024y"), "error: cannot parse '2024y' as 'yyyy'x''");
}

TEST(DateTimeFormatTest, LiteralTextAndIntervals) {
  EXPECT_EQ(ParseTimestampText("2024-03-05T13:48:23.123456").value(),
            Ts("2024-03-05 13:48:23.123"));
  EXPECT_EQ(ParseTimestampText("2024-03-05").value(), Ts("2024-03-05 00:00:00"));
  EXPECT_THAT(ParseTimestampText("2024-03-05 25:00:00"),
              StatusIs(Status::Code::kInvalidArgument, "is not a timestamp"));
  EXPECT_THAT(ParseDateText("2024-3"), StatusIs(Status::Code::kInvalidArgument, "is not a date"));
  EXPECT_EQ(ParseTimeText("12:03:34.5").value(), 12 * kMsPerHour + 3 * kMsPerMinute + 34500);

  SqlInterval q;
  bool ym = false;
  q.start = SqlTimeUnit::kMinute;
  q.end = SqlTimeUnit::kSecond;
  EXPECT_EQ(ParseIntervalText("1:30", q, &ym).value(), 90 * kMsPerSecond);
  EXPECT_FALSE(ym);
  q.start = SqlTimeUnit::kSecond;
  q.end.reset();
  EXPECT_EQ(ParseIntervalText("100", q, &ym).value(), 100 * kMsPerSecond);
  q.negative = true;
  EXPECT_EQ(ParseIntervalText("5", q, &ym).value(), -5 * kMsPerSecond);
  q.negative = false;
  q.start = SqlTimeUnit::kYear;
  q.end = SqlTimeUnit::kMonth;
  EXPECT_EQ(ParseIntervalText("3-4", q, &ym).value(), 40);
  EXPECT_TRUE(ym);
  EXPECT_THAT(ParseIntervalText("3-12", q, &ym),
              StatusIs(Status::Code::kInvalidArgument, "not a valid INTERVAL YEAR TO MONTH"));
  q.start = SqlTimeUnit::kSecond;
  q.end = SqlTimeUnit::kMinute;
  EXPECT_THAT(ParseIntervalText("1", q, &ym), StatusIs(Status::Code::kInvalidArgument, ""));
  EXPECT_EQ(FormatDayTimeInterval(-(2 * kMsPerDay + 4 * kMsPerHour)), "-2 04:00:00.000");
  EXPECT_EQ(AddMonthsToTimestamp(Ts("2023-01-31 10:00:00"), 1), Ts("2023-02-28 10:00:00"));
  EXPECT_EQ(AddMonthsToTimestamp(Ts("2023-03-31 10:00:00"), -13), Ts("2022-02-28 10:00:00"));
}

}  // namespace
}  // namespace gamelake

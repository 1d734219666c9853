// Time for the template helpers: moment.js-style formats (date.now("YYYY-MM-DD
// HH:mm:ss")), UTC civil-time conversion, and parsing of the times users give
// (--start-time, date.between's bounds).
//
// All times are microseconds since the Unix epoch and are shown in UTC (the
// Kinesis Data Generator shows the browser's local time; a server-side tool
// has no meaningful local zone, so gamelake always uses UTC: Z and ZZ print
// "+00:00" and "+0000").
//
// Thread-safety: TimeFormat is immutable after Compile; functions are pure.
#ifndef GAMELAKE_GENERATOR_TIME_FORMAT_H_
#define GAMELAKE_GENERATOR_TIME_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/civil_time.h"
#include "common/result.h"

namespace gamelake {

// A moment.js display format, compiled once. Tokens: YYYY YY Q M MM MMM MMMM
// D DD Do DDD DDDD d dd ddd dddd E H HH h hh k kk m mm s ss S SS SSS SSSSSS A a
// Z ZZ X x; text in [brackets] is literal, as is any other character.
class TimeFormat {
 public:
  // Never fails: like moment, characters that are not tokens print as they are.
  static TimeFormat Compile(std::string_view format);
  // ISO 8601 in UTC: "2025-01-31T12:34:56Z", or with ".789Z" milliseconds.
  static TimeFormat Iso(bool millis);

  void Append(int64_t unix_us, std::string* out) const;
  std::string Format(int64_t unix_us) const;

 private:
  enum class Kind : uint8_t {
    kLiteral,
    kYear4,
    kYear2,
    kQuarter,
    kMonth,
    kMonth2,
    kMonthShort,
    kMonthLong,
    kDay,
    kDay2,
    kDayOrdinal,
    kYearDay,
    kYearDay3,
    kWeekday,
    kWeekdayMin,
    kWeekdayShort,
    kWeekdayLong,
    kIsoWeekday,
    kHour,
    kHour2,
    kHour12,
    kHour12_2,
    kHour24,
    kHour24_2,
    kMinute,
    kMinute2,
    kSecond,
    kSecond2,
    kFrac1,
    kFrac2,
    kFrac3,
    kFrac6,
    kAmPmUpper,
    kAmPmLower,
    kOffsetColon,
    kOffset,
    kUnixSeconds,
    kUnixMillis,
  };
  struct Token {
    Kind kind;
    std::string literal;
  };
  std::vector<Token> tokens_;
};

}  // namespace gamelake

#endif  // GAMELAKE_GENERATOR_TIME_FORMAT_H_

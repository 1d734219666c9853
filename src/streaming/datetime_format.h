// Date/time text of the streaming SQL engine: KDA's format templates (Java
// SimpleDateFormat patterns, as CHAR_TO_TIMESTAMP, TIMESTAMP_TO_CHAR and the
// other datetime conversion functions take them) and the SQL literal forms
// (TIMESTAMP '...', DATE '...', TIME '...', INTERVAL '...' unit, and what CAST
// reads from a string). Everything is UTC and milliseconds, like SqlValue.
//
// Templates: the letters y M d H h k K m s S a E D u z Z X, literal text in
// single quotes ('' for a quote), other non-letters literal. A letter KDA
// documents but gamelake does not support (G, Y, w, W, F) or any other letter
// is an error at Compile time. Parsing follows KDA's rules: fields the template
// leaves out default to 1970-01-01 00:00:00.000, each field must be in range
// (a month 1..12, a day that exists in that month), text after the template's
// end is ignored, spaces before a field are skipped, a two-digit "yy" year
// lands in 1950..2049 (SimpleDateFormat pivots on the current date; gamelake
// cannot read a clock here) and a single "y" reads the year as written (KDA's
// 'MMM dd,y' reads '10' as 0010).
//
// Thread-safety: a compiled format is immutable; pure functions otherwise.
#ifndef GAMELAKE_STREAMING_DATETIME_FORMAT_H_
#define GAMELAKE_STREAMING_DATETIME_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "streaming/sql_ast.h"

namespace gamelake {

inline constexpr int64_t kMsPerSecond = 1000;
inline constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
inline constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
inline constexpr int64_t kMsPerDay = 24 * kMsPerHour;
// Timestamps hold years 0001..9999 (what the literal and text forms can say).
inline constexpr int64_t kMinTimestampMs = -62135596800000;  // 0001-01-01 00:00:00.000
inline constexpr int64_t kMaxTimestampMs = 253402300799999;  // 9999-12-31 23:59:59.999

class DateTimeFormat {
 public:
  // InvalidArgument "unsupported letter 'w' in date format 'ww'" and the like.
  static Result<DateTimeFormat> Compile(std::string_view pattern);

  // Appends `ms` (a timestamp, milliseconds since the epoch) formatted.
  void Format(int64_t ms, std::string* out) const;
  // Milliseconds since the epoch; InvalidArgument "cannot parse 'x' as 'yyyy-MM-dd'".
  Result<int64_t> Parse(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Element {
    char letter = 0;   // 0 for literal text.
    int count = 0;     // How many times the letter repeats.
    std::string text;  // Literal text.
  };
  struct Fields;
  Status ParseElement(size_t index, std::string_view text, size_t* pos, Fields* f) const;
  void FormatElement(const Element& e, int64_t ms, std::string* out) const;

  std::string pattern_;
  std::vector<Element> elements_;
};

// "YYYY-MM-DD HH:MM:SS[.fff...]" (a 'T' for the space is fine; the time may be
// left out) to milliseconds; digits past milliseconds are dropped.
Result<int64_t> ParseTimestampText(std::string_view text);
// "YYYY-MM-DD" to days since the epoch.
Result<int64_t> ParseDateText(std::string_view text);
// "HH:MM[:SS[.fff]]" to milliseconds since midnight.
Result<int64_t> ParseTimeText(std::string_view text);
// The text of INTERVAL '<text>' start [TO end]: day-time intervals in
// milliseconds, year-month intervals in months (*year_month set). The sign may
// be written inside the text ('-2 04') as well as before it.
Result<int64_t> ParseIntervalText(std::string_view text, const SqlInterval& qualifier,
                                  bool* year_month);

// "2024-01-02" for days since the epoch; "03:04:05.678" for ms since midnight.
std::string FormatDateDays(int64_t days);
std::string FormatTimeOfDayMs(int64_t ms);
// A day-time interval as "+d hh:mm:ss.fff", a year-month one as "+y-mm".
std::string FormatDayTimeInterval(int64_t ms);
std::string FormatYearMonthInterval(int64_t months);

// Calendar arithmetic on timestamps: adds `months`, keeping the time of day and
// clamping the day to the month's last (Jan 31 + 1 month = Feb 28/29).
int64_t AddMonthsToTimestamp(int64_t ms, int64_t months);
// Year, month (1..12) and day of a timestamp; months since 1970-01.
void TimestampDate(int64_t ms, int64_t* year, int* month, int* day);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_DATETIME_FORMAT_H_

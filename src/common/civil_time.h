// CivilTime: UTC calendar arithmetic (proleptic Gregorian, no time zones) and
// parsing of the times users and files give, shared by the generator, the
// lake's partition names and the catalog's column statistics.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_COMMON_CIVIL_TIME_H_
#define GAMELAKE_COMMON_CIVIL_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace gamelake {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kSecondsPerDay = 86'400;

// a / b rounded towards negative infinity.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

struct CivilTime {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0, minute = 0, second = 0;
  int micros = 0;
  int weekday = 4;  // 0 = Sunday.
  int yday = 1;     // 1..366
};

// UTC calendar fields of a time (proleptic Gregorian calendar).
CivilTime ToCivil(int64_t unix_us);
// Days since 1970-01-01 of a calendar date (month 1..12).
int64_t DaysFromCivil(int64_t year, int month, int day);

// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" (a space for T is fine)
// with an optional "Z" or "+HH:MM"/"-HH:MM" offset, or an integer number of
// seconds since the epoch. Returns microseconds since the epoch.
Result<int64_t> ParseTime(std::string_view text);

// 1700000000123456 -> "2023-11-14T22:13:20.123456Z".
std::string FormatUtcMicros(int64_t micros);

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_CIVIL_TIME_H_

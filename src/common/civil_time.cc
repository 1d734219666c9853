#include "common/civil_time.h"

#include <charconv>

#include <fmt/format.h>

namespace gamelake {

int64_t DaysFromCivil(int64_t y, int m, int d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime ToCivil(int64_t unix_us) {
  CivilTime c;
  int64_t secs = FloorDiv(unix_us, kMicrosPerSecond);
  c.micros = static_cast<int>(unix_us - secs * kMicrosPerSecond);
  int64_t days = FloorDiv(secs, kSecondsPerDay);
  int64_t sod = secs - days * kSecondsPerDay;
  c.hour = static_cast<int>(sod / 3600);
  c.minute = static_cast<int>(sod / 60 % 60);
  c.second = static_cast<int>(sod % 60);
  c.weekday = static_cast<int>(FloorDiv(days + 4, 7) * -7 + days + 4);  // 1970-01-01: Thursday.
  // Howard Hinnant's civil_from_days.
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2);
  c.yday = static_cast<int>(days - DaysFromCivil(c.year, 1, 1) + 1);
  return c;
}

Result<int64_t> ParseTime(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format(
        "bad time \"{}\": {} (use e.g. 2025-01-31T12:00:00Z or epoch seconds)", text, why));
  };
  if (text.empty()) return bad("empty");
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && c >= '0' && c <= '9';
  if (all_digits) {
    int64_t s = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), s);
    if (ec != std::errc() || p != text.data() + text.size()) return bad("number out of range");
    return s * kMicrosPerSecond;
  }
  size_t i = 0;
  auto number = [&](size_t digits, int64_t* v) {
    if (i + digits > text.size()) return false;
    int64_t x = 0;
    for (size_t k = 0; k < digits; ++k) {
      char c = text[i + k];
      if (c < '0' || c > '9') return false;
      x = x * 10 + (c - '0');
    }
    i += digits;
    *v = x;
    return true;
  };
  auto expect = [&](char c) {
    if (i < text.size() && text[i] == c) {
      ++i;
      return true;
    }
    return false;
  };
  int64_t y, mo, d, h = 0, mi = 0, s = 0, us = 0;
  if (!number(4, &y) || !expect('-') || !number(2, &mo) || !expect('-') || !number(2, &d)) {
    return bad("expected YYYY-MM-DD");
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return bad("month or day out of range");
  if (i < text.size() && (text[i] == 'T' || text[i] == 't' || text[i] == ' ')) {
    ++i;
    if (!number(2, &h) || !expect(':') || !number(2, &mi)) return bad("expected HH:MM");
    if (expect(':')) {
      if (!number(2, &s)) return bad("expected seconds");
      if (expect('.')) {
        int64_t scale = 100000;
        size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
          if (scale > 0) us += (text[i] - '0') * scale;
          scale /= 10;
          ++i;
        }
        if (i == start) return bad("expected fraction digits");
      }
    }
    if (h > 23 || mi > 59 || s > 60) return bad("time of day out of range");
  }
  int64_t offset_s = 0;
  if (i < text.size()) {
    if (text[i] == 'Z' || text[i] == 'z') {
      ++i;
    } else if (text[i] == '+' || text[i] == '-') {
      int sign = text[i] == '-' ? -1 : 1;
      ++i;
      int64_t oh, om = 0;
      if (!number(2, &oh)) return bad("expected an offset +HH:MM");
      expect(':');
      if (i < text.size() && !number(2, &om)) return bad("expected an offset +HH:MM");
      offset_s = sign * (oh * 3600 + om * 60);
    }
  }
  if (i != text.size()) return bad("unexpected text at the end");
  int64_t secs = DaysFromCivil(y, static_cast<int>(mo), static_cast<int>(d)) * kSecondsPerDay +
                 h * 3600 + mi * 60 + s - offset_s;
  return secs * kMicrosPerSecond + us;
}

std::string FormatUtcMicros(int64_t micros) {
  CivilTime c = ToCivil(micros);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", c.year, c.month, c.day, c.hour,
                     c.minute, c.second, c.micros);
}

}  // namespace gamelake

#include "generator/time_format.h"

#include <charconv>
#include <utility>

#include <fmt/format.h>

#include "generator/word_lists.h"

namespace gamelake {
namespace {

constexpr int64_t kUsPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Appends v with at least `width` digits, zero-padded.
void AppendPadded(int64_t v, int width, std::string* out) {
  char buf[24];
  bool negative = v < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  char* end = std::to_chars(buf, buf + sizeof(buf), u).ptr;
  int digits = static_cast<int>(end - buf);
  if (negative) out->push_back('-');
  for (int i = digits; i < width; ++i) out->push_back('0');
  out->append(buf, end);
}

}  // namespace

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
  int64_t secs = FloorDiv(unix_us, kUsPerSecond);
  c.micros = static_cast<int>(unix_us - secs * kUsPerSecond);
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
    return s * kUsPerSecond;
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
  return secs * kUsPerSecond + us;
}

TimeFormat TimeFormat::Compile(std::string_view f) {
  // Longest tokens first, so "MMMM" is not read as "MM" twice.
  static constexpr std::pair<std::string_view, Kind> kTokens[] = {
      {"SSSSSS", Kind::kFrac6},  {"YYYY", Kind::kYear4},       {"MMMM", Kind::kMonthLong},
      {"DDDD", Kind::kYearDay3}, {"dddd", Kind::kWeekdayLong}, {"MMM", Kind::kMonthShort},
      {"DDD", Kind::kYearDay},   {"ddd", Kind::kWeekdayShort}, {"SSS", Kind::kFrac3},
      {"YY", Kind::kYear2},      {"MM", Kind::kMonth2},        {"DD", Kind::kDay2},
      {"Do", Kind::kDayOrdinal}, {"dd", Kind::kWeekdayMin},    {"HH", Kind::kHour2},
      {"hh", Kind::kHour12_2},   {"kk", Kind::kHour24_2},      {"mm", Kind::kMinute2},
      {"ss", Kind::kSecond2},    {"SS", Kind::kFrac2},         {"ZZ", Kind::kOffset},
      {"Y", Kind::kYear4},       {"Q", Kind::kQuarter},        {"M", Kind::kMonth},
      {"D", Kind::kDay},         {"d", Kind::kWeekday},        {"E", Kind::kIsoWeekday},
      {"H", Kind::kHour},        {"h", Kind::kHour12},         {"k", Kind::kHour24},
      {"m", Kind::kMinute},      {"s", Kind::kSecond},         {"S", Kind::kFrac1},
      {"A", Kind::kAmPmUpper},   {"a", Kind::kAmPmLower},      {"Z", Kind::kOffsetColon},
      {"X", Kind::kUnixSeconds}, {"x", Kind::kUnixMillis},
  };
  TimeFormat tf;
  auto literal = [&](std::string_view text) {
    if (!tf.tokens_.empty() && tf.tokens_.back().kind == Kind::kLiteral) {
      tf.tokens_.back().literal.append(text);
    } else {
      tf.tokens_.push_back({Kind::kLiteral, std::string(text)});
    }
  };
  size_t i = 0;
  while (i < f.size()) {
    if (f[i] == '[') {
      size_t close = f.find(']', i + 1);
      if (close != std::string_view::npos) {
        literal(f.substr(i + 1, close - i - 1));
        i = close + 1;
        continue;
      }
    }
    bool matched = false;
    for (const auto& [text, kind] : kTokens) {
      if (f.substr(i, text.size()) == text) {
        tf.tokens_.push_back({kind, {}});
        i += text.size();
        matched = true;
        break;
      }
    }
    if (!matched) literal(f.substr(i++, 1));
  }
  return tf;
}

TimeFormat TimeFormat::Iso(bool millis) {
  return Compile(millis ? "YYYY-MM-DD[T]HH:mm:ss.SSS[Z]" : "YYYY-MM-DD[T]HH:mm:ss[Z]");
}

std::string TimeFormat::Format(int64_t unix_us) const {
  std::string out;
  Append(unix_us, &out);
  return out;
}

void TimeFormat::Append(int64_t unix_us, std::string* out) const {
  const CivilTime c = ToCivil(unix_us);
  for (const Token& t : tokens_) {
    switch (t.kind) {
      case Kind::kLiteral:
        out->append(t.literal);
        break;
      case Kind::kYear4:
        AppendPadded(c.year, 4, out);
        break;
      case Kind::kYear2:
        AppendPadded(((c.year % 100) + 100) % 100, 2, out);
        break;
      case Kind::kQuarter:
        AppendPadded((c.month - 1) / 3 + 1, 1, out);
        break;
      case Kind::kMonth:
        AppendPadded(c.month, 1, out);
        break;
      case Kind::kMonth2:
        AppendPadded(c.month, 2, out);
        break;
      case Kind::kMonthShort:
        out->append(words::Months()[c.month - 1].substr(0, 3));
        break;
      case Kind::kMonthLong:
        out->append(words::Months()[c.month - 1]);
        break;
      case Kind::kDay:
        AppendPadded(c.day, 1, out);
        break;
      case Kind::kDay2:
        AppendPadded(c.day, 2, out);
        break;
      case Kind::kDayOrdinal: {
        AppendPadded(c.day, 1, out);
        int d = c.day;
        const char* suffix = "th";
        if (d % 100 < 11 || d % 100 > 13) {
          if (d % 10 == 1) suffix = "st";
          if (d % 10 == 2) suffix = "nd";
          if (d % 10 == 3) suffix = "rd";
        }
        out->append(suffix);
        break;
      }
      case Kind::kYearDay:
        AppendPadded(c.yday, 1, out);
        break;
      case Kind::kYearDay3:
        AppendPadded(c.yday, 3, out);
        break;
      case Kind::kWeekday:
        AppendPadded(c.weekday, 1, out);
        break;
      case Kind::kWeekdayMin:
        out->append(words::Weekdays()[c.weekday].substr(0, 2));
        break;
      case Kind::kWeekdayShort:
        out->append(words::Weekdays()[c.weekday].substr(0, 3));
        break;
      case Kind::kWeekdayLong:
        out->append(words::Weekdays()[c.weekday]);
        break;
      case Kind::kIsoWeekday:
        AppendPadded(c.weekday == 0 ? 7 : c.weekday, 1, out);
        break;
      case Kind::kHour:
        AppendPadded(c.hour, 1, out);
        break;
      case Kind::kHour2:
        AppendPadded(c.hour, 2, out);
        break;
      case Kind::kHour12:
        AppendPadded(c.hour % 12 == 0 ? 12 : c.hour % 12, 1, out);
        break;
      case Kind::kHour12_2:
        AppendPadded(c.hour % 12 == 0 ? 12 : c.hour % 12, 2, out);
        break;
      case Kind::kHour24:
        AppendPadded(c.hour == 0 ? 24 : c.hour, 1, out);
        break;
      case Kind::kHour24_2:
        AppendPadded(c.hour == 0 ? 24 : c.hour, 2, out);
        break;
      case Kind::kMinute:
        AppendPadded(c.minute, 1, out);
        break;
      case Kind::kMinute2:
        AppendPadded(c.minute, 2, out);
        break;
      case Kind::kSecond:
        AppendPadded(c.second, 1, out);
        break;
      case Kind::kSecond2:
        AppendPadded(c.second, 2, out);
        break;
      case Kind::kFrac1:
        AppendPadded(c.micros / 100000, 1, out);
        break;
      case Kind::kFrac2:
        AppendPadded(c.micros / 10000, 2, out);
        break;
      case Kind::kFrac3:
        AppendPadded(c.micros / 1000, 3, out);
        break;
      case Kind::kFrac6:
        AppendPadded(c.micros, 6, out);
        break;
      case Kind::kAmPmUpper:
        out->append(c.hour < 12 ? "AM" : "PM");
        break;
      case Kind::kAmPmLower:
        out->append(c.hour < 12 ? "am" : "pm");
        break;
      case Kind::kOffsetColon:
        out->append("+00:00");
        break;
      case Kind::kOffset:
        out->append("+0000");
        break;
      case Kind::kUnixSeconds:
        AppendPadded(FloorDiv(unix_us, kUsPerSecond), 1, out);
        break;
      case Kind::kUnixMillis:
        AppendPadded(FloorDiv(unix_us, 1000), 1, out);
        break;
    }
  }
}

}  // namespace gamelake

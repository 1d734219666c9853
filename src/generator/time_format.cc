#include "generator/time_format.h"

#include <charconv>
#include <utility>

#include <fmt/format.h>

#include "generator/word_lists.h"

namespace gamelake {
namespace {

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
        AppendPadded(FloorDiv(unix_us, kMicrosPerSecond), 1, out);
        break;
      case Kind::kUnixMillis:
        AppendPadded(FloorDiv(unix_us, 1000), 1, out);
        break;
    }
  }
}

}  // namespace gamelake

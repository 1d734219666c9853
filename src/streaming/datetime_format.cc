#include "streaming/datetime_format.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "common/civil_time.h"

namespace gamelake {
namespace {

constexpr const char* kMonthNames[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
constexpr const char* kDayNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                     "Thursday", "Friday", "Saturday"};

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

CivilTime CivilOfMs(int64_t ms) {
  int64_t days = FloorDiv(ms, kMsPerDay);
  CivilTime c = ToCivil(days * kSecondsPerDay * kMicrosPerSecond);
  int64_t in_day = ms - days * kMsPerDay;
  c.hour = static_cast<int>(in_day / kMsPerHour);
  c.minute = static_cast<int>(in_day / kMsPerMinute % 60);
  c.second = static_cast<int>(in_day / kMsPerSecond % 60);
  c.micros = static_cast<int>(in_day % kMsPerSecond) * 1000;
  return c;
}

void AppendPadded(int64_t v, int width, std::string* out) {
  if (v < 0) {
    out->push_back('-');
    v = -v;
  }
  std::string digits = std::to_string(v);
  for (int i = static_cast<int>(digits.size()); i < width; ++i) out->push_back('0');
  out->append(digits);
}

// Case-insensitive: does `text` at `pos` start with `word`?
bool StartsWithNoCase(std::string_view text, size_t pos, std::string_view word) {
  if (text.size() - pos < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(text[pos + i]) != Lower(word[i])) return false;
  }
  return true;
}

// Matches a full or a three-letter name from `names`; returns its index or -1.
int MatchName(std::string_view text, size_t* pos, const char* const* names, int n) {
  for (int i = 0; i < n; ++i) {
    std::string_view full = names[i];
    if (StartsWithNoCase(text, *pos, full)) {
      *pos += full.size();
      return i;
    }
  }
  for (int i = 0; i < n; ++i) {
    std::string_view abbrev = std::string_view(names[i]).substr(0, 3);
    if (StartsWithNoCase(text, *pos, abbrev)) {
      *pos += abbrev.size();
      return i;
    }
  }
  return -1;
}

bool IsNumericLetter(char c) {
  switch (c) {
    case 'y':
    case 'd':
    case 'H':
    case 'h':
    case 'k':
    case 'K':
    case 'm':
    case 's':
    case 'S':
    case 'D':
    case 'u':
      return true;
    default:
      return false;
  }
}

Status ParseError(std::string_view text, std::string_view pattern) {
  return Status::InvalidArgument("cannot parse '" + std::string(text) + "' as '" +
                                 std::string(pattern) + "'");
}

// Reads up to `max_digits` digits (at least one) into *v.
bool ReadNumber(std::string_view text, size_t* pos, size_t max_digits, int64_t* v) {
  size_t start = *pos;
  int64_t x = 0;
  while (*pos < text.size() && *pos - start < max_digits && IsDigit(text[*pos])) {
    if (x > 100'000'000'000LL) return false;
    x = x * 10 + (text[*pos] - '0');
    ++*pos;
  }
  if (*pos == start) return false;
  *v = x;
  return true;
}

// "+hh:mm", "+hhmm", "+hh", "Z", "UTC", "GMT[+hh:mm]": the offset east of UTC in ms.
bool ReadZone(std::string_view text, size_t* pos, int64_t* offset_ms) {
  *offset_ms = 0;
  if (StartsWithNoCase(text, *pos, "UTC")) {
    *pos += 3;
  } else if (StartsWithNoCase(text, *pos, "GMT")) {
    *pos += 3;
  } else if (*pos < text.size() && text[*pos] == 'Z') {
    ++*pos;
    return true;
  }
  if (*pos >= text.size() || (text[*pos] != '+' && text[*pos] != '-')) return true;
  int sign = text[*pos] == '-' ? -1 : 1;
  ++*pos;
  int64_t hours = 0;
  int64_t minutes = 0;
  if (!ReadNumber(text, pos, 2, &hours)) return false;
  if (*pos < text.size() && text[*pos] == ':') ++*pos;
  size_t before = *pos;
  if (!ReadNumber(text, pos, 2, &minutes)) *pos = before;
  if (hours > 23 || minutes > 59) return false;
  *offset_ms = sign * (hours * kMsPerHour + minutes * kMsPerMinute);
  return true;
}

Status CheckDigitsOnly(std::string_view s, std::string_view what) {
  if (s.empty()) return Status::InvalidArgument("bad " + std::string(what));
  for (char c : s) {
    if (!IsDigit(c)) return Status::InvalidArgument("bad " + std::string(what));
  }
  return Status::OK();
}

Result<int64_t> ToInt(std::string_view s, std::string_view what) {
  GL_RETURN_IF_ERROR(CheckDigitsOnly(s, what));
  if (s.size() > 15) return Status::InvalidArgument("bad " + std::string(what));
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// "ss[.fff...]" to milliseconds (digits past milliseconds dropped).
Result<int64_t> SecondsToMs(std::string_view s, std::string_view what) {
  size_t dot = s.find('.');
  GL_ASSIGN_OR_RETURN(int64_t whole, ToInt(s.substr(0, dot), what));
  int64_t ms = whole * kMsPerSecond;
  if (dot != std::string_view::npos) {
    std::string_view frac = s.substr(dot + 1);
    GL_RETURN_IF_ERROR(CheckDigitsOnly(frac, what));
    int64_t scale = 100;
    for (size_t i = 0; i < frac.size() && i < 3; ++i, scale /= 10) ms += (frac[i] - '0') * scale;
  }
  return ms;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

struct DateTimeFormat::Fields {
  int64_t year = 1970;
  int64_t month = 1;
  int64_t day = 1;
  int64_t day_of_year = 0;  // 0 when not given.
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t millis = 0;
  int pm = -1;          // -1 no marker, 0 AM, 1 PM.
  bool hour12 = false;  // h or K: the marker applies.
  int64_t offset_ms = 0;
};

Result<DateTimeFormat> DateTimeFormat::Compile(std::string_view pattern) {
  DateTimeFormat f;
  f.pattern_ = std::string(pattern);
  size_t i = 0;
  auto add_literal = [&f](std::string_view s) {
    if (!f.elements_.empty() && f.elements_.back().letter == 0) {
      f.elements_.back().text.append(s);
    } else {
      f.elements_.push_back(Element{0, 0, std::string(s)});
    }
  };
  while (i < pattern.size()) {
    char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
        add_literal("'");
        i += 2;
        continue;
      }
      size_t end = i + 1;
      std::string text;
      while (true) {
        if (end >= pattern.size()) {
          return Status::InvalidArgument("unterminated quote in date format '" + f.pattern_ + "'");
        }
        if (pattern[end] == '\'') {
          if (end + 1 < pattern.size() && pattern[end + 1] == '\'') {
            text.push_back('\'');
            end += 2;
            continue;
          }
          break;
        }
        text.push_back(pattern[end++]);
      }
      add_literal(text);
      i = end + 1;
      continue;
    }
    if (!IsAsciiLetter(c)) {
      add_literal(std::string_view(&pattern[i], 1));
      ++i;
      continue;
    }
    static constexpr std::string_view kSupported = "yMdHhkKmsSaEDuzZX";
    if (kSupported.find(c) == std::string_view::npos) {
      return Status::InvalidArgument(std::string("unsupported letter '") + c +
                                     "' in date format '" + f.pattern_ + "'");
    }
    size_t end = i;
    while (end < pattern.size() && pattern[end] == c) ++end;
    f.elements_.push_back(Element{c, static_cast<int>(end - i), {}});
    i = end;
  }
  return f;
}

void DateTimeFormat::FormatElement(const Element& e, int64_t ms, std::string* out) const {
  CivilTime c = CivilOfMs(ms);
  int millis = c.micros / 1000;
  switch (e.letter) {
    case 0:
      out->append(e.text);
      return;
    case 'y':
      if (e.count == 2) {
        AppendPadded(((c.year % 100) + 100) % 100, 2, out);
      } else {
        AppendPadded(c.year, e.count, out);
      }
      return;
    case 'M':
      if (e.count >= 4) {
        out->append(kMonthNames[c.month - 1]);
      } else if (e.count == 3) {
        out->append(std::string_view(kMonthNames[c.month - 1]).substr(0, 3));
      } else {
        AppendPadded(c.month, e.count, out);
      }
      return;
    case 'd':
      AppendPadded(c.day, e.count, out);
      return;
    case 'D':
      AppendPadded(c.yday, e.count, out);
      return;
    case 'H':
      AppendPadded(c.hour, e.count, out);
      return;
    case 'k':
      AppendPadded(c.hour == 0 ? 24 : c.hour, e.count, out);
      return;
    case 'K':
      AppendPadded(c.hour % 12, e.count, out);
      return;
    case 'h':
      AppendPadded(c.hour % 12 == 0 ? 12 : c.hour % 12, e.count, out);
      return;
    case 'm':
      AppendPadded(c.minute, e.count, out);
      return;
    case 's':
      AppendPadded(c.second, e.count, out);
      return;
    case 'S':
      AppendPadded(millis, e.count, out);
      return;
    case 'a':
      out->append(c.hour < 12 ? "AM" : "PM");
      return;
    case 'E':
      if (e.count >= 4) {
        out->append(kDayNames[c.weekday]);
      } else {
        out->append(std::string_view(kDayNames[c.weekday]).substr(0, 3));
      }
      return;
    case 'u':
      AppendPadded(c.weekday == 0 ? 7 : c.weekday, e.count, out);
      return;
    case 'z':
      out->append(e.count >= 4 ? "Coordinated Universal Time" : "UTC");
      return;
    case 'Z':
      out->append("+0000");
      return;
    case 'X':
      out->append("Z");
      return;
    default:
      return;
  }
}

void DateTimeFormat::Format(int64_t ms, std::string* out) const {
  for (const Element& e : elements_) FormatElement(e, ms, out);
}

Status DateTimeFormat::ParseElement(size_t index, std::string_view text, size_t* pos,
                                    Fields* f) const {
  const Element& e = elements_[index];
  if (e.letter == 0) {
    if (text.substr(*pos, e.text.size()) != e.text) return ParseError(text, pattern_);
    *pos += e.text.size();
    return Status::OK();
  }
  // Like SimpleDateFormat, spaces and tabs before a field are skipped.
  while (*pos < text.size() && (text[*pos] == ' ' || text[*pos] == '\t')) ++*pos;
  if (e.letter == 'M' && e.count >= 3) {
    int m = MatchName(text, pos, kMonthNames, 12);
    if (m < 0) return ParseError(text, pattern_);
    f->month = m + 1;
    return Status::OK();
  }
  if (e.letter == 'E') {
    if (MatchName(text, pos, kDayNames, 7) < 0) return ParseError(text, pattern_);
    return Status::OK();
  }
  if (e.letter == 'a') {
    if (StartsWithNoCase(text, *pos, "AM")) {
      f->pm = 0;
    } else if (StartsWithNoCase(text, *pos, "PM")) {
      f->pm = 1;
    } else {
      return ParseError(text, pattern_);
    }
    *pos += 2;
    return Status::OK();
  }
  if (e.letter == 'z' || e.letter == 'Z' || e.letter == 'X') {
    if (!ReadZone(text, pos, &f->offset_ms)) return ParseError(text, pattern_);
    return Status::OK();
  }
  // A number: exactly `count` digits when the next element is a number too
  // (abutting fields, "yyyyMMdd"), otherwise as many digits as there are.
  bool abutting = index + 1 < elements_.size() && elements_[index + 1].letter != 0 &&
                  (IsNumericLetter(elements_[index + 1].letter) ||
                   (elements_[index + 1].letter == 'M' && elements_[index + 1].count < 3));
  size_t max_digits = abutting ? static_cast<size_t>(e.count) : 18;
  size_t start = *pos;
  int64_t v = 0;
  if (!ReadNumber(text, pos, max_digits, &v)) return ParseError(text, pattern_);
  switch (e.letter) {
    case 'y':
      f->year = (e.count == 2 && *pos - start == 2) ? (v < 50 ? 2000 + v : 1900 + v) : v;
      return Status::OK();
    case 'M':
      f->month = v;
      return Status::OK();
    case 'd':
      f->day = v;
      return Status::OK();
    case 'D':
      f->day_of_year = v;
      return Status::OK();
    case 'H':
      f->hour = v;
      return Status::OK();
    case 'k':
      f->hour = v == 24 ? 0 : (v == 0 ? 99 : v);  // k is 1..24.
      return Status::OK();
    case 'K':
      f->hour = v > 11 ? 99 : v;
      f->hour12 = true;
      return Status::OK();
    case 'h':
      // SimpleDateFormat reads 12 as 0 and is lenient about 13..23.
      f->hour = v == 12 ? 0 : v;
      f->hour12 = v <= 12;
      return Status::OK();
    case 'm':
      f->minute = v;
      return Status::OK();
    case 's':
      f->second = v;
      return Status::OK();
    case 'S':
      f->millis = v;  // A count of milliseconds, as SimpleDateFormat reads it.
      return Status::OK();
    case 'u':
      if (v < 1 || v > 7) return ParseError(text, pattern_);
      return Status::OK();
    default:
      return ParseError(text, pattern_);
  }
}

Result<int64_t> DateTimeFormat::Parse(std::string_view text) const {
  Fields f;
  size_t pos = 0;
  for (size_t i = 0; i < elements_.size(); ++i) {
    GL_RETURN_IF_ERROR(ParseElement(i, text, &pos, &f));
  }
  if (f.hour12 && f.pm == 1 && f.hour < 12) f.hour += 12;
  if (f.year < 1 || f.year > 9999 || f.month < 1 || f.month > 12 || f.hour > 23 || f.minute > 59 ||
      f.second > 59 || f.day < 1 || f.day > DaysInMonth(f.year, static_cast<int>(f.month)) ||
      f.day_of_year > (IsLeap(f.year) ? 366 : 365) || f.millis > 86'400'000) {
    return ParseError(text, pattern_);
  }
  int64_t days = f.day_of_year > 0
                     ? DaysFromCivil(f.year, 1, 1) + f.day_of_year - 1
                     : DaysFromCivil(f.year, static_cast<int>(f.month), static_cast<int>(f.day));
  return days * kMsPerDay + f.hour * kMsPerHour + f.minute * kMsPerMinute +
         f.second * kMsPerSecond + f.millis - f.offset_ms;
}

Result<int64_t> ParseDateText(std::string_view text) {
  text = Trim(text);
  Status bad = Status::InvalidArgument("'" + std::string(text) + "' is not a date (YYYY-MM-DD)");
  if (text.size() < 8) return bad;
  size_t d1 = text.find('-', 1);
  size_t d2 = d1 == std::string_view::npos ? d1 : text.find('-', d1 + 1);
  if (d2 == std::string_view::npos) return bad;
  Result<int64_t> y = ToInt(text.substr(0, d1), "year");
  Result<int64_t> m = ToInt(text.substr(d1 + 1, d2 - d1 - 1), "month");
  Result<int64_t> d = ToInt(text.substr(d2 + 1), "day");
  if (!y.ok() || !m.ok() || !d.ok()) return bad;
  if (*y < 1 || *y > 9999 || *m < 1 || *m > 12 || *d < 1 ||
      *d > DaysInMonth(*y, static_cast<int>(*m))) {
    return bad;
  }
  return DaysFromCivil(*y, static_cast<int>(*m), static_cast<int>(*d));
}

Result<int64_t> ParseTimeText(std::string_view text) {
  text = Trim(text);
  Status bad = Status::InvalidArgument("'" + std::string(text) + "' is not a time (HH:MM:SS)");
  size_t c1 = text.find(':');
  if (c1 == std::string_view::npos) return bad;
  size_t c2 = text.find(':', c1 + 1);
  Result<int64_t> h = ToInt(text.substr(0, c1), "hour");
  Result<int64_t> m = ToInt(
      text.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1),
      "minute");
  Result<int64_t> s = c2 == std::string_view::npos ? Result<int64_t>(int64_t{0})
                                                   : SecondsToMs(text.substr(c2 + 1), "second");
  if (!h.ok() || !m.ok() || !s.ok() || *h > 23 || *m > 59 || *s >= 60 * kMsPerSecond) return bad;
  return *h * kMsPerHour + *m * kMsPerMinute + *s;
}

Result<int64_t> ParseTimestampText(std::string_view text) {
  text = Trim(text);
  size_t sep = text.find_first_of(" T");
  Result<int64_t> days = ParseDateText(text.substr(0, sep));
  Result<int64_t> time = sep == std::string_view::npos ? Result<int64_t>(int64_t{0})
                                                       : ParseTimeText(text.substr(sep + 1));
  if (!days.ok() || !time.ok()) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a timestamp (YYYY-MM-DD HH:MM:SS)");
  }
  return *days * kMsPerDay + *time;
}

namespace {

// The fields an interval qualifier names, from its start to its end unit.
Result<int64_t> DayTimeIntervalMs(std::string_view text, SqlTimeUnit start, SqlTimeUnit end) {
  static constexpr int64_t kUnitMs[] = {0, 0, kMsPerDay, kMsPerHour, kMsPerMinute, kMsPerSecond, 1};
  static constexpr int64_t kLimit[] = {0, 0, 0, 24, 60, 60, 1000};
  // Separators between fields: ' ' after DAY, ':' between HOUR, MINUTE and SECOND.
  int64_t total = 0;
  size_t pos = 0;
  for (int u = static_cast<int>(start); u <= static_cast<int>(end); ++u) {
    bool last = u == static_cast<int>(end);
    char sep = u == static_cast<int>(SqlTimeUnit::kDay) ? ' ' : ':';
    size_t next = last ? std::string_view::npos : text.find(sep, pos);
    if (!last && next == std::string_view::npos) return Status::InvalidArgument("missing field");
    std::string_view field = text.substr(pos, last ? std::string_view::npos : next - pos);
    int64_t ms = 0;
    if (u == static_cast<int>(SqlTimeUnit::kSecond)) {
      GL_ASSIGN_OR_RETURN(ms, SecondsToMs(field, "seconds"));
      if (u != static_cast<int>(start) && ms >= 60 * kMsPerSecond) {
        return Status::InvalidArgument("seconds out of range");
      }
    } else {
      GL_ASSIGN_OR_RETURN(int64_t v, ToInt(field, "field"));
      if (u != static_cast<int>(start) && v >= kLimit[u]) {
        return Status::InvalidArgument("field out of range");
      }
      ms = v * kUnitMs[u];
    }
    total += ms;
    pos = last ? text.size() : next + 1;
  }
  return total;
}

}  // namespace

Result<int64_t> ParseIntervalText(std::string_view text, const SqlInterval& q, bool* year_month) {
  std::string_view body = Trim(text);
  bool negative = q.negative;
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) {
    if (body.front() == '-') negative = !negative;
    body = Trim(body.substr(1));
  }
  SqlTimeUnit end = q.end.value_or(q.start);
  Status bad = Status::InvalidArgument(
      "'" + std::string(text) + "' is not a valid INTERVAL " + SqlTimeUnitName(q.start) +
      (q.end ? std::string(" TO ") + SqlTimeUnitName(*q.end) : std::string()));
  if (static_cast<int>(end) < static_cast<int>(q.start)) return bad;
  *year_month = q.start == SqlTimeUnit::kYear || q.start == SqlTimeUnit::kMonth;
  Result<int64_t> v = Status::InvalidArgument("");
  if (*year_month) {
    if (end == SqlTimeUnit::kYear || end == SqlTimeUnit::kMonth) {
      if (q.start == SqlTimeUnit::kYear && end == SqlTimeUnit::kMonth) {
        size_t dash = body.find('-');
        Result<int64_t> y = ToInt(body.substr(0, dash), "years");
        Result<int64_t> m = dash == std::string_view::npos ? Result<int64_t>(bad)
                                                           : ToInt(body.substr(dash + 1), "months");
        if (y.ok() && m.ok() && *m < 12) v = *y * 12 + *m;
      } else {
        Result<int64_t> n = ToInt(body, "value");
        if (n.ok()) v = q.start == SqlTimeUnit::kYear ? *n * 12 : *n;
      }
    }
  } else if (end != SqlTimeUnit::kYear && end != SqlTimeUnit::kMonth) {
    v = DayTimeIntervalMs(body, q.start, end);
  }
  if (!v.ok()) return bad;
  return negative ? -*v : *v;
}

std::string FormatDateDays(int64_t days) {
  CivilTime c = ToCivil(days * kSecondsPerDay * kMicrosPerSecond);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02d", static_cast<long long>(c.year), c.month,
                c.day);
  return buf;
}

std::string FormatTimeOfDayMs(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%03d", static_cast<int>(ms / kMsPerHour),
                static_cast<int>(ms / kMsPerMinute % 60), static_cast<int>(ms / 1000 % 60),
                static_cast<int>(ms % 1000));
  return buf;
}

std::string FormatDayTimeInterval(int64_t ms) {
  char sign = ms < 0 ? '-' : '+';
  uint64_t a = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%c%llu %02d:%02d:%02d.%03d", sign,
                static_cast<unsigned long long>(a / kMsPerDay),
                static_cast<int>(a / kMsPerHour % 24), static_cast<int>(a / kMsPerMinute % 60),
                static_cast<int>(a / 1000 % 60), static_cast<int>(a % 1000));
  return buf;
}

std::string FormatYearMonthInterval(int64_t months) {
  char sign = months < 0 ? '-' : '+';
  uint64_t a = months < 0 ? 0 - static_cast<uint64_t>(months) : static_cast<uint64_t>(months);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%c%llu-%02d", sign, static_cast<unsigned long long>(a / 12),
                static_cast<int>(a % 12));
  return buf;
}

void TimestampDate(int64_t ms, int64_t* year, int* month, int* day) {
  CivilTime c = CivilOfMs(ms);
  *year = c.year;
  *month = c.month;
  *day = c.day;
}

int64_t AddMonthsToTimestamp(int64_t ms, int64_t months) {
  int64_t days = FloorDiv(ms, kMsPerDay);
  int64_t in_day = ms - days * kMsPerDay;
  int64_t year = 0;
  int month = 0;
  int day = 0;
  TimestampDate(ms, &year, &month, &day);
  int64_t index = year * 12 + (month - 1) + months;
  int64_t new_year = FloorDiv(index, 12);
  int new_month = static_cast<int>(index - new_year * 12) + 1;
  int new_day = std::min(day, DaysInMonth(new_year, new_month));
  return DaysFromCivil(new_year, new_month, new_day) * kMsPerDay + in_day;
}

}  // namespace gamelake

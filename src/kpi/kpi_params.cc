#include "kpi/kpi_params.h"

#include <charconv>

#include <fmt/format.h>

#include "common/civil_time.h"

namespace gamelake {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::string_view KpiPeriodName(KpiPeriod period) {
  switch (period) {
    case KpiPeriod::kDay:
      return "day";
    case KpiPeriod::kWeek:
      return "week";
    case KpiPeriod::kMonth:
      return "month";
  }
  return "day";
}

Result<int64_t> ParseKpiDate(std::string_view text, std::string_view what) {
  auto bad = [&] {
    return Status::InvalidArgument(
        fmt::format("{} must be a date YYYY-MM-DD, e.g. 2025-03-01 (got \"{}\")", what, text));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(text[i])) return bad();
  }
  int year = 0, month = 0, day = 0;
  std::from_chars(text.data(), text.data() + 4, year);
  std::from_chars(text.data() + 5, text.data() + 7, month);
  std::from_chars(text.data() + 8, text.data() + 10, day);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return bad();
  }
  return DaysFromCivil(year, month, day);
}

std::string FormatKpiDate(int64_t day) {
  CivilTime c = ToCivil(day * kSecondsPerDay * kMicrosPerSecond);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

Status CheckKpiSegmentName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && !IsDigit(name[0]);
  for (char c : name) ok = ok && (IsLetter(c) || IsDigit(c) || c == '_');
  if (ok) return Status::OK();
  return Status::InvalidArgument(fmt::format(
      "segment must be a field name (1-64 letters, digits and _, not starting with a digit), "
      "e.g. platform, country or app_version (got \"{}\")",
      name));
}

Status CheckKpiTimeZone(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && IsLetter(name[0]);
  for (char c : name) {
    ok = ok && (IsLetter(c) || IsDigit(c) || c == '_' || c == '+' || c == '-' || c == '/');
  }
  if (ok) return Status::OK();
  return Status::InvalidArgument(fmt::format(
      "tz must be an IANA time zone name such as UTC or America/Los_Angeles (got \"{}\")", name));
}

}  // namespace gamelake

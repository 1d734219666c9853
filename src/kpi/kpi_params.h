// KpiParams: one KPI request, checked and resolved — the KPI, the stream
// and how its fields are named, the date range, the period, the segment,
// the time zone and the KPI's own options. Everything in it is safe to put
// into SQL as KpiSqlBuilder does (names quoted, dates and numbers formatted
// by us), so the builders never see a user's raw text.
//
// Dates are days since 1970-01-01 of the calendar in `time_zone`: a day is
// that zone's midnight to midnight.
//
// Thread-safety: a value type.
#ifndef GAMELAKE_KPI_KPI_PARAMS_H_
#define GAMELAKE_KPI_KPI_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "kpi/kpi_field_map.h"

namespace gamelake {

enum class KpiPeriod { kDay, kWeek, kMonth };
std::string_view KpiPeriodName(KpiPeriod period);  // "day", "week", "month"

// Retention: "classic" counts a player on day N if active on exactly day N;
// "rolling" (unbounded) if active on day N or any later day.
enum class KpiRetentionMode { kClassic, kRolling };

// Deaths: by level and enemy, or on a grid of positions.
enum class KpiDeathsView { kEnemy, kPosition };

struct KpiParams {
  std::string kpi;
  std::string stream;
  KpiFieldMap fields;
  int64_t from_day = 0;  // Inclusive.
  int64_t to_day = 0;    // Inclusive.
  KpiPeriod period = KpiPeriod::kDay;
  // A field name (checked as an identifier) or none.
  std::optional<std::string> segment;
  std::string time_zone = "UTC";  // An IANA name, checked for its characters.
  double session_gap_s = 1800;    // Inactivity that ends a derived session.
  KpiRetentionMode retention_mode = KpiRetentionMode::kClassic;
  int max_day = 30;  // Retention and LTV: days since install, 0..max_day.
  KpiDeathsView deaths_view = KpiDeathsView::kEnemy;
  int64_t cell = 100;  // Deaths by position: the grid's cell size.
};

// "2025-03-01" -> days since 1970-01-01; InvalidArgument naming `what`
// (e.g. "from") for anything but a valid YYYY-MM-DD date.
Result<int64_t> ParseKpiDate(std::string_view text, std::string_view what);
// Days since 1970-01-01 -> "2025-03-01".
std::string FormatKpiDate(int64_t day);
// OK for a field name a segment may use: 1-64 of [A-Za-z0-9_], not starting
// with a digit; else InvalidArgument saying so.
Status CheckKpiSegmentName(std::string_view name);
// OK for a time zone name: 1-64 of [A-Za-z0-9_+-/], starting with a letter
// (IANA names like America/Los_Angeles, Etc/GMT+8, UTC). Whether the zone
// exists is DuckDB's (ICU's) to say when the KPI runs.
Status CheckKpiTimeZone(std::string_view name);

}  // namespace gamelake

#endif  // GAMELAKE_KPI_KPI_PARAMS_H_

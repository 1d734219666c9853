// The parts every KPI's SQL shares: the scan of the stream's events, the
// players' first days, periods and segments.
#include "kpi/kpi_sql_builder.h"

#include <fmt/format.h>

namespace gamelake {

Result<std::string> KpiSqlBuilder::Build() const {
  const std::string& k = p_.kpi;
  if (k == "active_players") return ActivePlayers();
  if (k == "stickiness") return Stickiness();
  if (k == "sessions") return Sessions();
  if (k == "revenue") return Revenue();
  if (k == "retention") return Retention();
  if (k == "ltv") return Ltv();
  if (k == "progression") return Progression();
  if (k == "deaths") return Deaths();
  if (k == "first_purchase") return FirstPurchase();
  return Status::InvalidArgument(fmt::format("no KPI named \"{}\"", k));
}

std::vector<std::string_view> KpiSqlBuilder::AndSegment(
    std::vector<std::string_view> fields) const {
  if (p_.segment) fields.push_back("segment");
  return fields;
}

std::string KpiSqlBuilder::Table() const { return "lake." + QuoteSqlIdentifier(p_.stream); }

std::string KpiSqlBuilder::TimeZone() const { return QuoteSqlString(p_.time_zone); }

std::string KpiSqlBuilder::LocalDate(std::string_view time) const {
  // ICU's time zone conversion costs about 0.3 µs an event, three times
  // parsing ts; UTC days are whole multiples of 86,400 s since the epoch.
  static constexpr std::string_view kUtcNames[] = {"UTC", "Etc/UTC", "GMT", "Etc/GMT"};
  for (std::string_view utc : kUtcNames) {
    if (p_.time_zone == utc) {
      return fmt::format("DATE '1970-01-01' + CAST(floor(epoch_us({}) / 86400000000) AS INTEGER)",
                         time);
    }
  }
  return fmt::format("CAST(timezone({}, {}) AS DATE)", TimeZone(), time);
}

std::string KpiSqlBuilder::Date(int64_t day) const {
  return "DATE " + QuoteSqlString(FormatKpiDate(day));
}

std::string KpiSqlBuilder::Seg(std::string_view prefix) const {
  return p_.segment ? fmt::format(", {}segment", prefix) : std::string();
}

std::string KpiSqlBuilder::SegJoin(std::string_view a, std::string_view b) const {
  return p_.segment ? fmt::format(" AND {}.segment IS NOT DISTINCT FROM {}.segment", a, b)
                    : std::string();
}

std::string KpiSqlBuilder::PeriodOf(std::string_view day) const {
  if (p_.period == KpiPeriod::kDay) return std::string(day);
  // Weeks start on Monday (ISO); the first period starts at `from`.
  return fmt::format("greatest(date_trunc('{}', {}), {})", KpiPeriodName(p_.period), day,
                     FromDate());
}

std::string KpiSqlBuilder::FieldExpr(std::string_view field) const {
  const KpiFieldMap& f = p_.fields;
  if (field == "segment") {
    return fmt::format("CAST({} AS VARCHAR) AS segment", f.Quoted(*p_.segment));
  }
  // Numbers the KPIs compute with: text that is not a number counts as missing.
  if (field == "revenue" || field == "x" || field == "y") {
    return fmt::format("TRY_CAST({} AS DOUBLE) AS {}", f.Quoted(field), field);
  }
  // Levels keep their type, so numbered levels sort as numbers.
  if (field == "level") return fmt::format("{} AS level", f.Quoted(field));
  return fmt::format("CAST({} AS VARCHAR) AS {}", f.Quoted(field), field);
}

std::string KpiSqlBuilder::Scan(const std::vector<std::string_view>& fields,
                                std::optional<int64_t> first_day) const {
  const KpiFieldMap& f = p_.fields;
  std::string columns =
      fmt::format("CAST({} AS VARCHAR) AS player_id, TRY_CAST({} AS TIMESTAMPTZ) AS event_time",
                  f.Quoted("player_id"), f.Quoted("ts"));
  for (std::string_view field : fields) columns += ", " + FieldExpr(field);
  // ts is ISO 8601 text: comparing it with dates as text is what lets the
  // planner drop files by their ts statistics. A local day lies within a
  // day of its UTC date, and a ts written with the device's offset within
  // another day of that: two days either side (three after, as `to` is a
  // whole day) hold every event of the range, whatever the zones.
  std::string where =
      fmt::format("{} < {}", f.Quoted("ts"), QuoteSqlString(FormatKpiDate(p_.to_day + 3)));
  if (first_day) {
    where = fmt::format("{} >= {} AND {}", f.Quoted("ts"),
                        QuoteSqlString(FormatKpiDate(*first_day - 2)), where);
  }
  return fmt::format(
      "SELECT *, {} AS day\n"
      "    FROM (SELECT {}\n"
      "          FROM {}\n"
      "          WHERE {})\n"
      "    WHERE player_id IS NOT NULL AND event_time IS NOT NULL",
      LocalDate("event_time"), columns, Table(), where);
}

std::string KpiSqlBuilder::EventsCte(std::string_view name,
                                     const std::vector<std::string_view>& fields,
                                     int64_t first_day) const {
  return fmt::format(
      "{} AS (\n"
      "  SELECT * FROM (\n"
      "    {})\n"
      "  WHERE day BETWEEN {} AND {})",
      name, Scan(fields, first_day), Date(first_day), ToDate());
}

std::string KpiSqlBuilder::PlayerDaysCte() const {
  // One row per player and day: the first-seen day of every player comes
  // from these few rows, not from the events again. Segmented, the day keeps
  // its first non-null segment value and when it was seen.
  std::string segment =
      p_.segment ? ",\n         arg_min(segment, event_time) FILTER (WHERE segment IS NOT NULL) "
                   "AS segment,\n"
                   "         min(event_time) FILTER (WHERE segment IS NOT NULL) AS segment_time"
                 : "";
  return fmt::format(
      "player_days AS (\n"
      "  SELECT player_id, day{}\n"
      "  FROM (\n"
      "    {})\n"
      "  GROUP BY player_id, day)",
      segment, Scan(AndSegment({}), std::nullopt));
}

std::string KpiSqlBuilder::FirstSeenCte(bool cohorts_only) const {
  std::string segment =
      p_.segment ? ", arg_min(segment, segment_time) FILTER (WHERE segment IS NOT NULL) AS segment"
                 : "";
  std::string having =
      cohorts_only ? fmt::format("\n  HAVING min(day) BETWEEN {} AND {}", FromDate(), ToDate())
                   : std::string();
  return fmt::format(
      "first_seen AS (\n"
      "  SELECT player_id, min(day) AS first_day{}\n"
      "  FROM player_days\n"
      "  GROUP BY player_id{})",
      segment, having);
}

std::string KpiSqlBuilder::PeriodsCte() const {
  return fmt::format(
      "periods AS (\n"
      "  SELECT DISTINCT {} AS period\n"
      "  FROM (SELECT CAST(d AS DATE) AS day FROM range({}, {} + 1, INTERVAL 1 DAY) t(d)))",
      PeriodOf("day"), FromDate(), ToDate());
}

std::string KpiSqlBuilder::GridCte(std::string_view source) const {
  if (!p_.segment) return "grid AS (SELECT period FROM periods)";
  return fmt::format(
      "grid AS (SELECT period, segment FROM periods CROSS JOIN (SELECT DISTINCT segment FROM {}))",
      source);
}

}  // namespace gamelake

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
  return Status::InvalidArgument(fmt::format("no KPI named \"{}\"", k));
}

std::vector<std::string_view> KpiSqlBuilder::AndSegment(
    std::vector<std::string_view> fields) const {
  if (p_.segment) fields.push_back("segment");
  return fields;
}

std::string KpiSqlBuilder::Table() const { return "lake." + QuoteSqlIdentifier(p_.stream); }

std::string KpiSqlBuilder::TimeZone() const { return QuoteSqlString(p_.time_zone); }

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
      "SELECT *, CAST(timezone({}, event_time) AS DATE) AS day\n"
      "    FROM (SELECT {}\n"
      "          FROM {}\n"
      "          WHERE {})\n"
      "    WHERE player_id IS NOT NULL AND event_time IS NOT NULL",
      TimeZone(), columns, Table(), where);
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

std::string KpiSqlBuilder::FirstSeenCte(bool cohorts_only) const {
  std::string segment =
      p_.segment ? ", arg_min(segment, event_time) FILTER (WHERE segment IS NOT NULL) AS segment"
                 : "";
  std::string having =
      cohorts_only ? fmt::format("\n  HAVING min(day) BETWEEN {} AND {}", FromDate(), ToDate())
                   : std::string();
  return fmt::format(
      "first_seen AS (\n"
      "  SELECT player_id, min(day) AS first_day{}\n"
      "  FROM (\n"
      "    {})\n"
      "  GROUP BY player_id{})",
      segment, Scan(AndSegment({}), std::nullopt), having);
}

}  // namespace gamelake

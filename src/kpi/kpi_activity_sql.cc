// The SQL of the activity KPIs: active players, stickiness, sessions, revenue.
#include <fmt/format.h>

#include "kpi/kpi_sql_builder.h"

namespace gamelake {

std::string KpiSqlBuilder::ActivePlayers() const {
  // New: first seen (ever) within the period; the rest of the period's players return.
  std::string first_seen = fmt::format(
      "first_seen AS (\n"
      "  SELECT player_id, min(day) AS first_day\n"
      "  FROM (\n"
      "    {})\n"
      "  WHERE player_id IN (SELECT player_id FROM ev)\n"
      "  GROUP BY player_id)",
      Scan({}, std::nullopt));
  return fmt::format(
      "WITH {},\n"
      "{},\n"
      "act AS (SELECT DISTINCT {} AS period{}, player_id FROM ev)\n"
      "SELECT a.period{}, count(*) AS active_players,\n"
      "       count(*) FILTER (WHERE f.first_day >= a.period) AS new_players,\n"
      "       count(*) FILTER (WHERE f.first_day < a.period) AS returning_players\n"
      "FROM act a JOIN first_seen f USING (player_id)\n"
      "GROUP BY ALL\n"
      "ORDER BY ALL",
      EventsCte("ev", AndSegment({}), p_.from_day), first_seen, PeriodOf("day"), Seg(), Seg("a."));
}

std::string KpiSqlBuilder::Stickiness() const {
  // Each day: its DAU, the players of the 7 and 30 days ending that day.
  return fmt::format(
      "WITH {},\n"
      "pd AS (SELECT DISTINCT day{}, player_id FROM ev),\n"
      "days AS (SELECT CAST(d AS DATE) AS day{}\n"
      "         FROM range({}, {} + 1, INTERVAL 1 DAY) t(d){}),\n"
      "w AS (\n"
      "  SELECT d.day{},\n"
      "         count(DISTINCT p.player_id) FILTER (WHERE p.day = d.day) AS dau,\n"
      "         count(DISTINCT p.player_id) FILTER (WHERE p.day > d.day - 7) AS wau,\n"
      "         count(DISTINCT p.player_id) AS mau\n"
      "  FROM days d JOIN pd p ON p.day BETWEEN d.day - 29 AND d.day{}\n"
      "  GROUP BY ALL)\n"
      "SELECT *, dau / mau AS stickiness FROM w\n"
      "ORDER BY ALL",
      EventsCte("ev", AndSegment({}), p_.from_day - 29), Seg(), Seg("s."), FromDate(), ToDate(),
      p_.segment ? ", (SELECT DISTINCT segment FROM pd) s" : "", Seg("d."), SegJoin("p", "d"));
}

std::string KpiSqlBuilder::Sessions() const {
  std::string fields = p_.segment ? ", segment" : "";
  std::string scan = Scan(AndSegment({"session_id"}), p_.from_day);
  std::string sessions;
  if (p_.fields.derived_sessions()) {
    // No session ids: a session ends after session_gap_s without an event.
    scan = Scan(AndSegment({}), p_.from_day);
    sessions = fmt::format(
        "gaps AS (\n"
        "  SELECT *, CASE WHEN lag(event_time) OVER w IS NULL\n"
        "                   OR epoch_ms(event_time) - epoch_ms(lag(event_time) OVER w) > {} THEN 1 "
        "ELSE 0 END "
        "AS starts\n"
        "  FROM ev WINDOW w AS (PARTITION BY player_id ORDER BY event_time)),\n"
        "numbered AS (\n"
        "  SELECT *, sum(starts) OVER (PARTITION BY player_id ORDER BY event_time\n"
        "                              ROWS UNBOUNDED PRECEDING) AS session_id\n"
        "  FROM gaps),\n",
        static_cast<int64_t>(p_.session_gap_s * 1000));
  }
  std::string source = p_.fields.derived_sessions() ? "numbered" : "ev";
  return fmt::format(
      "WITH ev AS (\n"
      "  {}),\n"
      "{}"
      "s AS (\n"
      "  SELECT player_id, session_id, min(event_time) AS started, max(event_time) AS ended{}\n"
      "  FROM {} WHERE session_id IS NOT NULL\n"
      "  GROUP BY player_id, session_id),\n"
      "ss AS (\n"
      "  SELECT *, {} AS period FROM (\n"
      "    SELECT *, CAST(timezone({}, started) AS DATE) AS day,\n"
      "           (epoch_ms(ended) - epoch_ms(started)) / 1000.0 AS length_s\n"
      "    FROM s)\n"
      "  WHERE day BETWEEN {} AND {}),\n"
      "agg AS (\n"
      "  SELECT period{}, count(*) AS sessions, count(DISTINCT player_id) AS players,\n"
      "         avg(length_s) AS avg_length_s, quantile_cont(length_s, 0.5) AS p50_length_s,\n"
      "         quantile_cont(length_s, 0.9) AS p90_length_s\n"
      "  FROM ss GROUP BY ALL),\n"
      "dau AS (\n"
      "  SELECT period{}, count(*) AS player_days FROM (\n"
      "    SELECT DISTINCT {} AS period{}, player_id, day FROM ev\n"
      "    WHERE day BETWEEN {} AND {})\n"
      "  GROUP BY ALL)\n"
      "SELECT a.period{}, a.sessions, a.players, d.player_days,\n"
      "       a.sessions / a.players AS sessions_per_player,\n"
      "       a.sessions / d.player_days AS sessions_per_dau,\n"
      "       a.avg_length_s, a.p50_length_s, a.p90_length_s\n"
      "FROM agg a LEFT JOIN dau d ON d.period = a.period{}\n"
      "ORDER BY ALL",
      scan, sessions,
      p_.segment ? ", arg_min(segment, event_time) FILTER (WHERE segment IS NOT NULL) AS segment"
                 : "",
      source, PeriodOf("day"), TimeZone(), FromDate(), ToDate(), fields, fields, PeriodOf("day"),
      fields, FromDate(), ToDate(), Seg("a."), SegJoin("d", "a"));
}

std::string KpiSqlBuilder::Revenue() const {
  // Sums of prices in binary floating point carry noise (13.930000000000001);
  // six decimals keep every currency's precision and drop it.
  std::string fields = p_.segment ? ", segment" : "";
  return fmt::format(
      "WITH {},\n"
      "p AS (SELECT *, {} AS period FROM ev),\n"
      "act AS (\n"
      "  SELECT period{}, count(DISTINCT player_id) AS active_players, count(*) AS player_days\n"
      "  FROM (SELECT DISTINCT period{}, player_id, day FROM p)\n"
      "  GROUP BY ALL),\n"
      "pay AS (\n"
      "  SELECT period{}, round(coalesce(sum(revenue), 0), 6) AS revenue, count(*) AS purchases,\n"
      "         count(DISTINCT player_id) AS paying_players\n"
      "  FROM p WHERE event_type = 'purchase'\n"
      "  GROUP BY ALL)\n"
      "SELECT a.period{}, coalesce(y.revenue, 0) AS revenue,\n"
      "       coalesce(y.purchases, 0) AS purchases,\n"
      "       coalesce(y.paying_players, 0) AS paying_players,\n"
      "       a.active_players, a.player_days,\n"
      "       coalesce(y.paying_players, 0) / a.active_players AS conversion,\n"
      "       coalesce(y.revenue, 0) / a.player_days AS arpdau,\n"
      "       y.revenue / nullif(y.paying_players, 0) AS arppu\n"
      "FROM act a LEFT JOIN pay y ON y.period = a.period{}\n"
      "ORDER BY ALL",
      EventsCte("ev", AndSegment({"event_type", "revenue"}), p_.from_day), PeriodOf("day"), fields,
      fields, fields, Seg("a."), SegJoin("y", "a"));
}

}  // namespace gamelake

// The SQL of the activity KPIs: active players, stickiness, sessions, revenue.
// Periods without events are rows of zeros (PeriodsCte, GridCte): a chart of
// DAU shows the day nobody played.
#include <fmt/format.h>

#include "kpi/kpi_sql_builder.h"

namespace gamelake {

std::string KpiSqlBuilder::ActivePlayers() const {
  // One scan of all history up to `to`: the distinct player-days give both
  // the range's activity and each player's first day ever. New: first seen
  // within the period; the rest of the period's players return.
  return fmt::format(
      "WITH days AS (\n"
      "  SELECT DISTINCT player_id, day{}\n"
      "  FROM (\n"
      "    {})),\n"
      "first_seen AS (SELECT player_id, min(day) AS first_day FROM days GROUP BY player_id),\n"
      "act AS (\n"
      "  SELECT {}{} AS period{}, player_id FROM days\n"
      "  WHERE day BETWEEN {} AND {}),\n"
      "counts AS (\n"
      "  SELECT a.period{}, count(*) AS active_players,\n"
      "         count(*) FILTER (WHERE f.first_day >= a.period) AS new_players,\n"
      "         count(*) FILTER (WHERE f.first_day < a.period) AS returning_players\n"
      "  FROM act a JOIN first_seen f USING (player_id)\n"
      "  GROUP BY ALL),\n"
      "{},\n"
      "{}\n"
      "SELECT g.period{}, coalesce(c.active_players, 0) AS active_players,\n"
      "       coalesce(c.new_players, 0) AS new_players,\n"
      "       coalesce(c.returning_players, 0) AS returning_players\n"
      "FROM grid g LEFT JOIN counts c ON c.period = g.period{}\n"
      "ORDER BY ALL",
      Seg(), Scan(AndSegment({}), std::nullopt),
      // A day's rows of `days` are already one per player (and segment value).
      p_.period == KpiPeriod::kDay ? "" : "DISTINCT ", PeriodOf("day"), Seg(), FromDate(), ToDate(),
      Seg("a."), PeriodsCte(), GridCte("act"), Seg("g."), SegJoin("c", "g"));
}

std::string KpiSqlBuilder::Stickiness() const {
  // A player counts in a day's WAU (MAU) if active on one of the 7 (30)
  // days ending that day. Each active day opens a span that lasts 7 (30)
  // days or until the player's next active day, so a player's spans never
  // overlap: each day's WAU and MAU are running sums of spans opened minus
  // spans closed, without comparing every day with every other.
  return fmt::format(
      "WITH {},\n"
      "pd AS (SELECT DISTINCT day{}, player_id FROM ev),\n"
      "spans AS (\n"
      "  SELECT day{}, lead(day) OVER (PARTITION BY player_id{} ORDER BY day) AS next_day\n"
      "  FROM pd),\n"
      "moves AS (\n"
      "  SELECT day{}, 1 AS dau, 1 AS wau, 1 AS mau FROM spans\n"
      "  UNION ALL SELECT day + 1{}, -1, 0, 0 FROM spans\n"
      "  UNION ALL SELECT least(day + 7, coalesce(next_day, day + 7)){}, 0, -1, 0 FROM spans\n"
      "  UNION ALL SELECT least(day + 30, coalesce(next_day, day + 30)){}, 0, 0, -1 FROM spans),\n"
      "net AS (SELECT day{}, sum(dau) AS dau, sum(wau) AS wau, sum(mau) AS mau\n"
      "        FROM moves GROUP BY ALL),\n"
      "days AS (SELECT CAST(d AS DATE) AS day{}\n"
      "         FROM range({} - 29, {} + 1, INTERVAL 1 DAY) t(d){}),\n"
      "w AS (\n"
      "  SELECT d.day{},\n"
      "         CAST(sum(coalesce(n.dau, 0)) OVER r AS BIGINT) AS dau,\n"
      "         CAST(sum(coalesce(n.wau, 0)) OVER r AS BIGINT) AS wau,\n"
      "         CAST(sum(coalesce(n.mau, 0)) OVER r AS BIGINT) AS mau\n"
      "  FROM days d LEFT JOIN net n ON n.day = d.day{}\n"
      "  WINDOW r AS ({}ORDER BY d.day ROWS UNBOUNDED PRECEDING))\n"
      "SELECT *, dau / nullif(mau, 0) AS stickiness FROM w\n"
      "WHERE day BETWEEN {} AND {}\n"
      "ORDER BY ALL",
      EventsCte("ev", AndSegment({}), p_.from_day - 29), Seg(), Seg(), Seg(), Seg(), Seg(), Seg(),
      Seg(), Seg(), Seg("s."), FromDate(), ToDate(),
      p_.segment ? ", (SELECT DISTINCT segment FROM pd) s" : "", Seg("d."), SegJoin("n", "d"),
      p_.segment ? "PARTITION BY d.segment " : "", FromDate(), ToDate());
}

std::string KpiSqlBuilder::Sessions() const {
  std::string scan = Scan(AndSegment({"session_id"}), p_.from_day);
  std::string numbered;
  if (p_.fields.derived_sessions()) {
    // No session ids: a session ends after session_gap_s without an event.
    scan = Scan(AndSegment({}), p_.from_day);
    numbered = fmt::format(
        "gaps AS (\n"
        "  SELECT *, CASE WHEN lag(event_time) OVER w IS NULL\n"
        "                   OR epoch_ms(event_time) - epoch_ms(lag(event_time) OVER w) > {} "
        "THEN 1 ELSE 0 END AS starts\n"
        "  FROM ev WINDOW w AS (PARTITION BY player_id ORDER BY event_time)),\n"
        "numbered AS (\n"
        "  SELECT *, sum(starts) OVER (PARTITION BY player_id ORDER BY event_time\n"
        "                              ROWS UNBOUNDED PRECEDING) AS session_id\n"
        "  FROM gaps),\n",
        static_cast<int64_t>(p_.session_gap_s * 1000));
  }
  std::string fields = p_.segment ? ", segment" : "";
  // parts: a session's events of one day (and segment value), so that one
  // aggregation of the events gives both the sessions and the player-days.
  return fmt::format(
      "WITH ev AS (\n"
      "  {}),\n"
      "{}"
      "parts AS (\n"
      "  SELECT player_id, session_id, day{}, min(event_time) AS first_time,\n"
      "         max(event_time) AS last_time\n"
      "  FROM {} GROUP BY ALL),\n"
      "s AS (\n"
      "  SELECT player_id, session_id, min(first_time) AS started, max(last_time) AS ended{}\n"
      "  FROM parts WHERE session_id IS NOT NULL\n"
      "  GROUP BY player_id, session_id),\n"
      "ss AS (\n"
      "  SELECT *, {} AS period FROM (\n"
      "    SELECT *, {} AS day,\n"
      "           (epoch_ms(ended) - epoch_ms(started)) / 1000.0 AS length_s\n"
      "    FROM s)\n"
      "  WHERE day BETWEEN {} AND {}),\n"
      "agg AS (\n"
      "  SELECT period{}, count(*) AS sessions, count(DISTINCT player_id) AS players,\n"
      "         avg(length_s) AS avg_length_s, quantile_cont(length_s, 0.5) AS p50_length_s,\n"
      "         quantile_cont(length_s, 0.9) AS p90_length_s\n"
      "  FROM ss GROUP BY ALL),\n"
      "pd AS (\n"
      "  SELECT DISTINCT {} AS period{}, player_id, day FROM parts\n"
      "  WHERE day BETWEEN {} AND {}),\n"
      "dau AS (SELECT period{}, count(*) AS player_days FROM pd GROUP BY ALL),\n"
      "{},\n"
      "{}\n"
      "SELECT g.period{}, coalesce(a.sessions, 0) AS sessions, coalesce(a.players, 0) AS players,\n"
      "       coalesce(d.player_days, 0) AS player_days,\n"
      "       a.sessions / a.players AS sessions_per_player,\n"
      "       a.sessions / d.player_days AS sessions_per_dau,\n"
      "       a.avg_length_s, a.p50_length_s, a.p90_length_s\n"
      "FROM grid g LEFT JOIN agg a ON a.period = g.period{}\n"
      "LEFT JOIN dau d ON d.period = g.period{}\n"
      "ORDER BY ALL",
      scan, numbered, fields, p_.fields.derived_sessions() ? "numbered" : "ev",
      p_.segment ? ", arg_min(segment, first_time) FILTER (WHERE segment IS NOT NULL) AS segment"
                 : "",
      PeriodOf("day"), LocalDate("started"), FromDate(), ToDate(), fields, PeriodOf("day"), fields,
      FromDate(), ToDate(), fields, PeriodsCte(), GridCte("pd"), Seg("g."), SegJoin("a", "g"),
      SegJoin("d", "g"));
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
      "  GROUP BY ALL),\n"
      "{},\n"
      "{}\n"
      "SELECT g.period{}, coalesce(y.revenue, 0) AS revenue,\n"
      "       coalesce(y.purchases, 0) AS purchases,\n"
      "       coalesce(y.paying_players, 0) AS paying_players,\n"
      "       coalesce(a.active_players, 0) AS active_players,\n"
      "       coalesce(a.player_days, 0) AS player_days,\n"
      "       coalesce(y.paying_players, 0) / a.active_players AS conversion,\n"
      "       coalesce(y.revenue, 0) / a.player_days AS arpdau,\n"
      "       y.revenue / nullif(y.paying_players, 0) AS arppu\n"
      "FROM grid g LEFT JOIN act a ON a.period = g.period{}\n"
      "LEFT JOIN pay y ON y.period = g.period{}\n"
      "ORDER BY ALL",
      EventsCte("ev", AndSegment({"event_type", "revenue"}), p_.from_day), PeriodOf("day"), fields,
      fields, fields, PeriodsCte(), GridCte("act"), Seg("g."), SegJoin("a", "g"),
      SegJoin("y", "g"));
}

}  // namespace gamelake

// The SQL of the game-design KPIs: the level funnel and where players die.
#include <fmt/format.h>

#include "kpi/kpi_sql_builder.h"

namespace gamelake {

std::string KpiSqlBuilder::Progression() const {
  // Time to complete: from a level_start to the level_complete that follows
  // it, of the same player, session and level (the attempt that won; the
  // attempts that died end with a new level_start). Streams without session
  // ids pair a player's events. The starts and completions are a scan of
  // their own (from the day before `from`, so that a completion just after
  // midnight finds its start): shared with the funnel, the events would be
  // materialized whole.
  std::string session = p_.fields.derived_sessions() ? "" : ", session_id";
  std::vector<std::string_view> fields = {"event_type", "level"};
  if (!p_.fields.derived_sessions()) fields.push_back("session_id");
  return fmt::format(
      "WITH {},\n"
      "funnel AS (\n"
      "  SELECT level{},\n"
      "         count(DISTINCT player_id) FILTER (WHERE event_type = 'level_start') "
      "AS players_started,\n"
      "         count(*) FILTER (WHERE event_type = 'level_start') AS starts,\n"
      "         count(DISTINCT player_id) FILTER (WHERE event_type = 'level_complete') "
      "AS players_completed,\n"
      "         count(*) FILTER (WHERE event_type = 'level_complete') AS completions,\n"
      "         count(*) FILTER (WHERE event_type = 'death') AS deaths\n"
      "  FROM ev\n"
      "  WHERE event_type IN ('level_start', 'level_complete', 'death') AND level IS NOT NULL\n"
      "  GROUP BY ALL),\n"
      "lv AS (\n"
      "  SELECT * FROM (\n"
      "    {})\n"
      "  WHERE day BETWEEN {} AND {}\n"
      "    AND event_type IN ('level_start', 'level_complete') AND level IS NOT NULL),\n"
      "attempts AS (\n"
      "  SELECT level{}, day, event_type, lag(event_type) OVER w AS previous_type,\n"
      "         (epoch_ms(event_time) - epoch_ms(lag(event_time) OVER w)) / 1000.0 AS seconds\n"
      "  FROM lv\n"
      "  WINDOW w AS (PARTITION BY player_id{}, level ORDER BY event_time, event_type DESC)),\n"
      "timing AS (\n"
      "  SELECT level{}, quantile_cont(seconds, 0.5) AS p50_time_to_complete_s,\n"
      "         quantile_cont(seconds, 0.9) AS p90_time_to_complete_s\n"
      "  FROM attempts\n"
      "  WHERE event_type = 'level_complete' AND previous_type = 'level_start' AND day >= {}\n"
      "  GROUP BY ALL)\n"
      "SELECT f.*, f.players_completed / nullif(f.players_started, 0) AS completion_rate,\n"
      "       t.p50_time_to_complete_s, t.p90_time_to_complete_s\n"
      "FROM funnel f LEFT JOIN timing t ON t.level = f.level{}\n"
      "ORDER BY ALL",
      EventsCte("ev", AndSegment({"event_type", "level"}), p_.from_day), Seg(),
      Scan(AndSegment(fields), p_.from_day - 1), Date(p_.from_day - 1), ToDate(), Seg(), session,
      Seg(), FromDate(), SegJoin("t", "f"));
}

std::string KpiSqlBuilder::Deaths() const {
  if (p_.deaths_view == KpiDeathsView::kEnemy) {
    return fmt::format(
        "WITH {}\n"
        "SELECT level{}, enemy, count(*) AS deaths, count(DISTINCT player_id) AS players\n"
        "FROM ev WHERE event_type = 'death'\n"
        "GROUP BY ALL\n"
        "ORDER BY ALL",
        EventsCte("ev", AndSegment({"event_type", "level", "enemy"}), p_.from_day), Seg());
  }
  // A heat map: deaths per cell of a grid over the level's x/y positions.
  std::string cell = fmt::format("{}", p_.cell);
  return fmt::format(
      "WITH {}\n"
      "SELECT level{}, floor(x / {}) * {} AS cell_x, floor(y / {}) * {} AS cell_y,\n"
      "       count(*) AS deaths\n"
      "FROM ev WHERE event_type = 'death' AND x IS NOT NULL AND y IS NOT NULL\n"
      "GROUP BY ALL\n"
      "ORDER BY ALL",
      EventsCte("ev", AndSegment({"event_type", "level", "x", "y"}), p_.from_day), Seg(), cell,
      cell, cell, cell);
}

}  // namespace gamelake

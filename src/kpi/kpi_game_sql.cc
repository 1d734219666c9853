// The SQL of the game-design KPIs: the level funnel and where players die.
#include <fmt/format.h>

#include "kpi/kpi_sql_builder.h"

namespace gamelake {

std::string KpiSqlBuilder::Progression() const {
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
      "  GROUP BY ALL)\n"
      "SELECT *, players_completed / nullif(players_started, 0) AS completion_rate\n"
      "FROM funnel\n"
      "ORDER BY ALL",
      EventsCte("ev", AndSegment({"event_type", "level"}), p_.from_day), Seg());
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

// The SQL of the install-cohort KPIs: retention and LTV. A player's cohort
// is the local day of their first event ever (first_seen); day N is N days
// after it. Cells past `to` are not shown: they cannot be known yet.
#include <fmt/format.h>

#include "kpi/kpi_sql_builder.h"

namespace gamelake {

namespace {

constexpr std::string_view kCohortsCte =
    "cohorts AS (SELECT first_day AS cohort{}, count(*) AS cohort_size\n"
    "            FROM first_seen GROUP BY ALL),\n"
    "offsets AS (SELECT CAST(n AS INTEGER) AS day_n FROM range(0, {}) t(n))";

}  // namespace

std::string KpiSqlBuilder::Retention() const {
  std::string hits;
  if (p_.retention_mode == KpiRetentionMode::kClassic) {
    // Classic day N: active on exactly the Nth day after the first.
    hits = fmt::format(
        "hits AS (\n"
        "  SELECT f.first_day AS cohort{}, CAST(a.day - f.first_day AS INTEGER) AS day_n,\n"
        "         count(*) AS retained\n"
        "  FROM first_seen f JOIN act a USING (player_id)\n"
        "  WHERE a.day - f.first_day BETWEEN 0 AND {}\n"
        "  GROUP BY ALL)",
        Seg("f."), p_.max_day);
  } else {
    // Rolling (unbounded) day N: active on the Nth day or any day after it.
    hits = fmt::format(
        "last_seen AS (SELECT player_id, max(day) AS last_day FROM act GROUP BY player_id),\n"
        "hits AS (\n"
        "  SELECT f.first_day AS cohort{}, o.day_n, count(*) AS retained\n"
        "  FROM first_seen f JOIN last_seen l USING (player_id)\n"
        "       JOIN offsets o ON l.last_day - f.first_day >= o.day_n\n"
        "  GROUP BY ALL)",
        Seg("f."));
  }
  return fmt::format(
      "WITH {},\n"
      "{},\n"
      "act AS (SELECT DISTINCT player_id, day FROM ev),\n"
      "{},\n"
      "{}\n"
      "SELECT c.cohort{}, c.cohort_size, o.day_n AS day,\n"
      "       coalesce(h.retained, 0) AS retained_players,\n"
      "       coalesce(h.retained, 0) / c.cohort_size AS retention\n"
      "FROM cohorts c CROSS JOIN offsets o\n"
      "LEFT JOIN hits h ON h.cohort = c.cohort AND h.day_n = o.day_n{}\n"
      "WHERE c.cohort + o.day_n <= {}\n"
      "ORDER BY ALL",
      FirstSeenCte(true), EventsCte("ev", {}, p_.from_day),
      fmt::format(fmt::runtime(kCohortsCte), Seg(), p_.max_day + 1), hits, Seg("c."),
      SegJoin("h", "c"), ToDate());
}

std::string KpiSqlBuilder::Ltv() const {
  // Cumulative revenue of a cohort's players up to day N, over its size
  // (rounded as Revenue() rounds it).
  return fmt::format(
      "WITH {},\n"
      "{},\n"
      "{},\n"
      "pay AS (\n"
      "  SELECT f.first_day AS cohort{}, CAST(e.day - f.first_day AS INTEGER) AS day_n,\n"
      "         sum(e.revenue) AS revenue\n"
      "  FROM ev e JOIN first_seen f USING (player_id)\n"
      "  WHERE e.event_type = 'purchase' AND e.day - f.first_day BETWEEN 0 AND {}\n"
      "  GROUP BY ALL)\n"
      "SELECT c.cohort{}, c.cohort_size, o.day_n AS day,\n"
      "       round(coalesce(sum(y.revenue), 0), 6) AS revenue,\n"
      "       coalesce(sum(y.revenue), 0) / c.cohort_size AS ltv\n"
      "FROM cohorts c CROSS JOIN offsets o\n"
      "LEFT JOIN pay y ON y.cohort = c.cohort AND y.day_n <= o.day_n{}\n"
      "WHERE c.cohort + o.day_n <= {}\n"
      "GROUP BY c.cohort{}, c.cohort_size, o.day_n\n"
      "ORDER BY ALL",
      FirstSeenCte(true), EventsCte("ev", {"event_type", "revenue"}, p_.from_day),
      fmt::format(fmt::runtime(kCohortsCte), Seg(), p_.max_day + 1), Seg("f."), p_.max_day,
      Seg("c."), SegJoin("y", "c"), ToDate(), Seg("c."));
}

}  // namespace gamelake

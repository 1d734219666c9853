// The SQL of the install-cohort KPIs: retention, LTV and the timing of first
// purchases. A player's cohort is the local day of their first event ever
// (first_seen); day N is N days after it. Cells past `to` are not shown:
// they cannot be known yet.
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
  // The player-days of all history give the cohorts, and those in the
  // range the returns: one scan of player_id and ts.
  return fmt::format(
      "WITH {},\n"
      "{},\n"
      "act AS (SELECT player_id, day FROM player_days WHERE day BETWEEN {} AND {}),\n"
      "{},\n"
      "{}\n"
      "SELECT c.cohort{}, c.cohort_size, o.day_n AS day,\n"
      "       coalesce(h.retained, 0) AS retained_players,\n"
      "       coalesce(h.retained, 0) / c.cohort_size AS retention\n"
      "FROM cohorts c CROSS JOIN offsets o\n"
      "LEFT JOIN hits h ON h.cohort = c.cohort AND h.day_n = o.day_n{}\n"
      "WHERE c.cohort + o.day_n <= {}\n"
      "ORDER BY ALL",
      PlayerDaysCte(), FirstSeenCte(true), FromDate(), ToDate(),
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
      PlayerDaysCte(), FirstSeenCte(true), EventsCte("ev", {"event_type", "revenue"}, p_.from_day),
      fmt::format(fmt::runtime(kCohortsCte), Seg(), p_.max_day + 1), Seg("f."), p_.max_day,
      Seg("c."), SegJoin("y", "c"), ToDate(), Seg("c."));
}

std::string KpiSqlBuilder::FirstPurchase() const {
  // Of the players first seen in the range who have paid by `to`, how many
  // local days after their first day they first paid. A purchase is an
  // event, so it is never before the first day: the range's purchases hold
  // every first purchase of these cohorts. Zero-filled from day 0 to the
  // last day any of them took.
  std::string part = p_.segment ? "PARTITION BY g.segment " : "";
  return fmt::format(
      "WITH {},\n"
      "{},\n"
      "{},\n"
      "first_buy AS (\n"
      "  SELECT player_id, min(day) AS buy_day FROM ev WHERE event_type = 'purchase'\n"
      "  GROUP BY player_id),\n"
      "buyers AS (\n"
      "  SELECT CAST(b.buy_day - f.first_day AS INTEGER) AS day_n{}\n"
      "  FROM first_seen f JOIN first_buy b USING (player_id)),\n"
      "counts AS (SELECT day_n{}, count(*) AS players FROM buyers GROUP BY ALL),\n"
      "grid AS (\n"
      "  SELECT CAST(n AS INTEGER) AS day_n{} FROM range(0, {}) t(n){}\n"
      "  WHERE n <= (SELECT max(day_n) FROM buyers)),\n"
      "filled AS (\n"
      "  SELECT g.day_n{}, coalesce(c.players, 0) AS players,\n"
      "         sum(coalesce(c.players, 0)) OVER ({}) AS payers,\n"
      "         sum(coalesce(c.players, 0)) OVER ({}ORDER BY g.day_n\n"
      "                                          ROWS UNBOUNDED PRECEDING) AS so_far\n"
      "  FROM grid g LEFT JOIN counts c ON c.day_n = g.day_n{})\n"
      "SELECT day_n AS day{}, players, players / payers AS share,\n"
      "       so_far / payers AS cumulative_share\n"
      "FROM filled\n"
      "ORDER BY ALL",
      PlayerDaysCte(), FirstSeenCte(true), EventsCte("ev", {"event_type"}, p_.from_day), Seg("f."),
      Seg(), Seg("s."), p_.to_day - p_.from_day + 1,
      p_.segment ? ", (SELECT DISTINCT segment FROM buyers) s" : "", Seg("g."), part, part,
      SegJoin("c", "g"), Seg());
}

}  // namespace gamelake

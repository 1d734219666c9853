// KpiSqlBuilder: writes the DuckDB SQL of one KPI over `lake.<stream>` (the
// stream's files plus its live tail, query/query_engine.h). The SQL is what
// /v1/kpis answers with sql=true, so it is meant to be read, copied and
// adapted: one WITH clause per step, the convention's names as aliases.
//
// Every statement reads only the columns its KPI needs and bounds the
// stream's `ts` text by constants (two days before `from` to three days
// after `to`: room for any time zone and any offset ts is written with), so
// the query planner keeps only the
// files whose ts statistics overlap; the exact day test then runs on the
// local day in the request's time zone. KPIs that need a player's first
// day (new players, retention, LTV) also read player_id and ts of the
// earlier history, without the lower bound.
//
// Segments: activity KPIs (active players, sessions, revenue, progression,
// deaths) take each event's own value of the segment field; cohort KPIs
// (retention, LTV) take the value of the player's first event that has one
// (the install's platform, country, version).
//
// Thread-safety: a builder is immutable once made; Build() may be called
// from any thread.
#ifndef GAMELAKE_KPI_KPI_SQL_BUILDER_H_
#define GAMELAKE_KPI_KPI_SQL_BUILDER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kpi/kpi_params.h"

namespace gamelake {

class KpiSqlBuilder {
 public:
  explicit KpiSqlBuilder(KpiParams params) : p_(std::move(params)) {}

  // The statement for p_.kpi; InvalidArgument for a KPI it does not know.
  Result<std::string> Build() const;

 private:
  // One per KPI (kpi_activity_sql.cc, kpi_cohort_sql.cc, kpi_game_sql.cc).
  std::string ActivePlayers() const;
  std::string Stickiness() const;
  std::string Sessions() const;
  std::string Revenue() const;
  std::string Retention() const;
  std::string Ltv() const;
  std::string Progression() const;
  std::string Deaths() const;
  std::string FirstPurchase() const;

  // SELECT of the stream's events with player_id, event_time (TIMESTAMPTZ), day
  // (local DATE) and the named convention fields (plus "segment" for the
  // segment field), rows without a player or a readable ts left out. ts is
  // bounded to [first_day - 2, to_day + 3) as text; no lower bound without
  // first_day.
  std::string Scan(const std::vector<std::string_view>& fields,
                   std::optional<int64_t> first_day) const;
  // A CTE `name AS (...)` of Scan() restricted to local days first_day..to_day.
  std::string EventsCte(std::string_view name, const std::vector<std::string_view>& fields,
                        int64_t first_day) const;
  // fields, plus "segment" when the request is segmented.
  std::vector<std::string_view> AndSegment(std::vector<std::string_view> fields) const;
  // player_days(player_id, day[, segment, segment_time]): one row per
  // player and local day with an event, over all history up to to_day
  // (one scan of player_id and ts). Segmented, the day's first non-null
  // segment value and its time, for FirstSeenCte.
  std::string PlayerDaysCte() const;
  // first_seen(player_id, first_day[, segment]) from PlayerDaysCte(); with
  // cohorts_only, just the players first seen within from_day..to_day.
  std::string FirstSeenCte(bool cohorts_only) const;
  // periods(period): every period of from_day..to_day, so that a KPI can
  // show a period without events as zeros.
  std::string PeriodsCte() const;
  // grid(period[, segment]): PeriodsCte() crossed with the segment values
  // `source` has (a CTE name), when segmented.
  std::string GridCte(std::string_view source) const;
  // The expression of one field as Scan() selects it, with its alias.
  std::string FieldExpr(std::string_view field) const;
  // The period a `day` falls in, clipped to from_day: an expression.
  std::string PeriodOf(std::string_view day) const;
  // ", <prefix>segment" when segmented, else "".
  std::string Seg(std::string_view prefix = "") const;
  // " AND a.segment IS NOT DISTINCT FROM b.segment" when segmented, else "".
  std::string SegJoin(std::string_view a, std::string_view b) const;
  std::string Table() const;     // lake."<stream>"
  std::string TimeZone() const;  // 'America/Los_Angeles'
  // The local DATE of a TIMESTAMPTZ expression in the request's time zone.
  std::string LocalDate(std::string_view time) const;
  std::string Date(int64_t day) const;  // DATE '2025-03-01'
  std::string FromDate() const { return Date(p_.from_day); }
  std::string ToDate() const { return Date(p_.to_day); }

  KpiParams p_;
};

}  // namespace gamelake

#endif  // GAMELAKE_KPI_KPI_SQL_BUILDER_H_

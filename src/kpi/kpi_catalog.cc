#include "kpi/kpi_catalog.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/civil_time.h"
#include "common/stream_name.h"
#include "kpi/kpi_sql_builder.h"

namespace gamelake {
namespace {

// The range a request may cover: enough for years of daily rows, small
// enough that no request makes the engine build an enormous grid.
constexpr int64_t kMaxRangeDays = 1000;
constexpr int kMaxCohortDay = 180;

std::vector<KpiParameterInfo> CommonParameters() {
  return {
      {"stream", "the stream to read (default: kpi.stream, \"events\")"},
      {"from", "first day, YYYY-MM-DD, in the time zone (default: 29 days before to)"},
      {"to", "last day, YYYY-MM-DD, inclusive (default: today, UTC)"},
      {"segment",
       "a field to break the KPI down by: platform, country, app_version or any "
       "field name (default: none)"},
      {"tz", "the time zone days begin in, e.g. America/Los_Angeles (default: kpi.timezone)"},
  };
}

KpiParameterInfo Granularity() {
  return {"granularity",
          "day (default), week (from Monday) or month; periods are clipped to "
          "from..to"};
}

KpiInfo Make(std::string name, std::string description, std::vector<std::string> columns,
             std::vector<KpiParameterInfo> extra) {
  KpiInfo k{std::move(name), std::move(description), std::move(columns), CommonParameters()};
  for (auto& e : extra) k.parameters.push_back(std::move(e));
  return k;
}

std::vector<KpiInfo> AllKpis() {
  KpiParameterInfo days = {"days", "the last day since install shown, 0..180 (default 30)"};
  return {
      Make("active_players",
           "Players with at least one event in each period (DAU, WAU or MAU by granularity), "
           "split into new (first seen ever in that period) and returning",
           {"period", "active_players", "new_players", "returning_players"}, {Granularity()}),
      Make("stickiness",
           "Each day's DAU over the players of the 30 days ending that day (DAU/MAU), with the "
           "7-day WAU",
           {"day", "dau", "wau", "mau", "stickiness"}, {}),
      Make("retention",
           "The install-cohort grid: of the players first seen on a day, the share active N "
           "days later (D0..D30)",
           {"cohort", "cohort_size", "day", "retained_players", "retention"},
           {{"mode", "classic (default): active on exactly day N; rolling: on day N or later"},
            days}),
      Make("sessions",
           "Sessions started per period: per player, per daily active player, and their "
           "length (mean, median, 90th percentile, seconds)",
           {"period", "sessions", "players", "player_days", "sessions_per_player",
            "sessions_per_dau", "avg_length_s", "p50_length_s", "p90_length_s"},
           {Granularity()}),
      Make("progression",
           "The level funnel: players who started and completed each level, attempts, deaths, "
           "and the time to complete a level (median and 90th percentile, seconds)",
           {"level", "players_started", "starts", "players_completed", "completions", "deaths",
            "completion_rate", "p50_time_to_complete_s", "p90_time_to_complete_s"},
           {}),
      Make("deaths",
           "Where players die: deaths per level and enemy, or per cell of an x/y grid "
           "(a heat map)",
           {"level", "enemy", "deaths", "players"},
           {{"by", "enemy (default) or position"},
            {"cell", "position grid cell size (default 100)"}}),
      Make("revenue",
           "Revenue, purchases, paying players, conversion (paying / active), ARPDAU "
           "(revenue / daily active players) and ARPPU (revenue / paying players)",
           {"period", "revenue", "purchases", "paying_players", "active_players", "player_days",
            "conversion", "arpdau", "arppu"},
           {Granularity()}),
      Make("ltv",
           "Cumulative revenue per install cohort by days since install, and per player (LTV)",
           {"cohort", "cohort_size", "day", "revenue", "ltv"}, {days}),
      Make("first_purchase",
           "When players first pay: of the players first seen in the range who have paid, how "
           "many paid first N days after their first day, and the shares",
           {"day", "players", "share", "cumulative_share"}, {}),
  };
}

const std::string* Find(const std::map<std::string, std::string>& params, std::string_view name) {
  auto it = params.find(std::string(name));
  return it == params.end() || it->second.empty() ? nullptr : &it->second;
}

Result<int64_t> ParseInt(std::string_view text, std::string_view what, int64_t lo, int64_t hi) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) {
    return Status::InvalidArgument(
        fmt::format("{} must be a whole number {}..{} (got \"{}\")", what, lo, hi, text));
  }
  return v;
}

}  // namespace

KpiCatalog::KpiCatalog(KpiSettings settings) : settings_(std::move(settings)), kpis_(AllKpis()) {}

std::string KpiCatalog::Names() const {
  std::vector<std::string_view> names;
  for (const KpiInfo& k : kpis_) names.push_back(k.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

Result<std::string> KpiCatalog::Sql(std::string_view kpi,
                                    const std::map<std::string, std::string>& params) const {
  GL_ASSIGN_OR_RETURN(KpiParams p, Resolve(kpi, params));
  return KpiSqlBuilder(std::move(p)).Build();
}

Result<KpiParams> KpiCatalog::Resolve(std::string_view kpi,
                                      const std::map<std::string, std::string>& params) const {
  auto info =
      std::find_if(kpis_.begin(), kpis_.end(), [&](const KpiInfo& k) { return k.name == kpi; });
  if (info == kpis_.end()) {
    return Status::InvalidArgument(
        fmt::format("no KPI named \"{}\"; the KPIs are {}", kpi, Names()));
  }
  for (const auto& [name, value] : params) {
    bool known = std::any_of(info->parameters.begin(), info->parameters.end(),
                             [&](const KpiParameterInfo& i) { return i.name == name; });
    // granularity is accepted everywhere (a dashboard sends one to all
    // KPIs) but only the period KPIs use it.
    if (!known && name != "granularity") {
      std::vector<std::string_view> allowed;
      for (const KpiParameterInfo& i : info->parameters) allowed.push_back(i.name);
      return Status::InvalidArgument(fmt::format("{} has no parameter \"{}\"; it takes {}", kpi,
                                                 name, fmt::join(allowed, ", ")));
    }
  }
  KpiParams p;
  p.kpi = std::string(kpi);
  const std::string* stream = Find(params, "stream");
  p.stream = stream ? *stream : settings_.stream;
  if (Status s = ValidateStreamName(p.stream); !s.ok()) {
    return Status::InvalidArgument(fmt::format("stream \"{}\": {}", p.stream, s.message()));
  }
  if (auto it = settings_.streams.find(p.stream); it != settings_.streams.end()) {
    p.fields = it->second;
  }
  p.session_gap_s = settings_.session_gap_s;
  GL_RETURN_IF_ERROR(ResolveRange(params, &p));
  GL_RETURN_IF_ERROR(ResolveOptions(params, &p));
  return p;
}

Status KpiCatalog::ResolveRange(const std::map<std::string, std::string>& params,
                                KpiParams* p) const {
  const std::string* to = Find(params, "to");
  if (to) {
    GL_ASSIGN_OR_RETURN(p->to_day, ParseKpiDate(*to, "to"));
  } else {
    p->to_day = FloorDiv(settings_.env->NowMicros(), kSecondsPerDay * kMicrosPerSecond);
  }
  const std::string* from = Find(params, "from");
  if (from) {
    GL_ASSIGN_OR_RETURN(p->from_day, ParseKpiDate(*from, "from"));
  } else {
    p->from_day = p->to_day - 29;
  }
  if (p->from_day > p->to_day) {
    return Status::InvalidArgument(fmt::format(
        "from ({}) is after to ({})", FormatKpiDate(p->from_day), FormatKpiDate(p->to_day)));
  }
  if (p->to_day - p->from_day >= kMaxRangeDays) {
    return Status::InvalidArgument(fmt::format("from..to covers at most {} days", kMaxRangeDays));
  }
  const std::string* tz = Find(params, "tz");
  p->time_zone = tz ? *tz : settings_.time_zone;
  return CheckKpiTimeZone(p->time_zone);
}

Status KpiCatalog::ResolveOptions(const std::map<std::string, std::string>& params,
                                  KpiParams* p) const {
  if (const std::string* g = Find(params, "granularity")) {
    if (*g == "day") {
      p->period = KpiPeriod::kDay;
    } else if (*g == "week") {
      p->period = KpiPeriod::kWeek;
    } else if (*g == "month") {
      p->period = KpiPeriod::kMonth;
    } else {
      return Status::InvalidArgument(
          fmt::format("granularity is day, week or month (got \"{}\")", *g));
    }
  }
  if (const std::string* s = Find(params, "segment"); s && *s != "none") {
    GL_RETURN_IF_ERROR(CheckKpiSegmentName(*s));
    p->segment = *s;
  }
  if (const std::string* m = Find(params, "mode")) {
    if (*m != "classic" && *m != "rolling") {
      return Status::InvalidArgument(fmt::format("mode is classic or rolling (got \"{}\")", *m));
    }
    p->retention_mode = *m == "classic" ? KpiRetentionMode::kClassic : KpiRetentionMode::kRolling;
  }
  if (const std::string* d = Find(params, "days")) {
    GL_ASSIGN_OR_RETURN(int64_t days, ParseInt(*d, "days", 0, kMaxCohortDay));
    p->max_day = static_cast<int>(days);
  }
  if (const std::string* b = Find(params, "by")) {
    if (*b != "enemy" && *b != "position") {
      return Status::InvalidArgument(fmt::format("by is enemy or position (got \"{}\")", *b));
    }
    p->deaths_view = *b == "enemy" ? KpiDeathsView::kEnemy : KpiDeathsView::kPosition;
  }
  if (const std::string* c = Find(params, "cell")) {
    GL_ASSIGN_OR_RETURN(int64_t cell, ParseInt(*c, "cell", 1, 1'000'000));
    p->cell = cell;
  }
  return Status::OK();
}

}  // namespace gamelake

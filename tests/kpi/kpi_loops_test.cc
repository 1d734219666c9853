// The KPIs' SQL in DuckDB over a generated month of sessions (a fixed
// seed), every answer checked against numbers worked out here with plain
// loops over the generated records: the time to complete a level, the
// timing of first purchases, and the count KPIs' rows for every period of
// the range — zeros for the days nobody played (two such days are in the
// data, and the range runs past both ends of it) — in UTC and in Los Angeles
// (whose clocks change on 2025-03-09, inside the data), by segment.
#include <duckdb.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <set>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"
#include "common/civil_time.h"
#include "kpi/kpi_catalog.h"
#include "kpi_test_duck.h"

namespace gamelake {
namespace {

using Table = std::vector<std::vector<std::string>>;
using Params = std::map<std::string, std::string>;

constexpr int64_t kMsPerDay = 86'400'000;
const int64_t kDataFirstDay = DaysFromCivil(2025, 3, 1);
constexpr int kDataDays = 20;
// No event at all on these days (in UTC and in Los Angeles).
const std::set<int64_t> kQuietDays = {DaysFromCivil(2025, 3, 5), DaysFromCivil(2025, 3, 12)};
// The range most tests ask for: two days before the data to four after it.
constexpr const char* kFrom = "2025-02-27";
constexpr const char* kTo = "2025-03-24";

enum class Zone { kUtc, kLosAngeles };

// Los Angeles in 2025: UTC-8, and UTC-7 from 2025-03-09 10:00 UTC.
int64_t LocalDay(int64_t utc_ms, Zone zone) {
  int64_t offset = 0;
  if (zone == Zone::kLosAngeles) {
    const int64_t dst_start = (DaysFromCivil(2025, 3, 9) * 24 + 10) * 3'600'000;
    offset = (utc_ms >= dst_start ? -7 : -8) * 3'600'000;
  }
  return FloorDiv(utc_ms + offset, kMsPerDay);
}

std::string DayText(int64_t day) { return FormatKpiDate(day); }

// One generated event, as the loops read it.
struct LoopTestEvent {
  std::string type, player, session, platform, country;
  int64_t utc_ms = 0;
  int level = 0;  // 0: none.
  int revenue_cents = 0;
};

// Players who come back on some days for a session or two of levels:
// deaths and retries, completions, purchases; some resend a completion
// (which has no start of its own), some move to another country after
// their first session. Sessions keep to a day's 10:00-15:00 UTC, a few
// start at 02:00-03:00 UTC (the evening before in Los Angeles) or just
// before midnight, never next to a quiet day, so both zones have them.
class LoopTestData {
 public:
  LoopTestData() : rng_(20250301) {
    for (int p = 0; p < 120; ++p) MakePlayer(p);
  }
  const std::vector<LoopTestEvent>& events() const { return events_; }

 private:
  int64_t R(int64_t n) { return static_cast<int64_t>(rng_() % static_cast<uint64_t>(n)); }

  void MakePlayer(int p) {
    static const char* kPlatforms[] = {"ios", "android", "pc"};
    static const char* kCountries[] = {"US", "DE", "BR"};
    LoopTestEvent base;
    base.player = fmt::format("p{:03}", p);
    base.platform = kPlatforms[R(3)];
    base.country = kCountries[R(3)];
    bool payer = R(100) < 30;
    int loyalty = static_cast<int>(R(100));
    int first = static_cast<int>(R(kDataDays - 2));
    int sessions = 0;
    for (int d = first; d < kDataDays; ++d) {
      int64_t day = kDataFirstDay + d;
      if (kQuietDays.count(day) || (d != first && R(100) >= loyalty)) continue;
      // Most play in the day; some in the night (the evening before in Los
      // Angeles), some just before midnight UTC (into the next day).
      int64_t roll = R(100);
      int64_t t = day * kMsPerDay + 10 * 3'600'000 + R(4 * 3'600'000);
      if (roll < 15 && !kQuietDays.count(day - 1))
        t = day * kMsPerDay + 2 * 3'600'000 + R(3'600'000);
      if (roll >= 95 && !kQuietDays.count(day + 1)) t = (day + 1) * kMsPerDay - R(600'000);
      for (int s = 0, n = 1 + static_cast<int>(R(2)); s < n; ++s) {
        if (sessions == 1 && p % 10 == 3) base.country = "FR";
        base.session = fmt::format("{}-s{}", base.player, sessions++);
        t = Session(base, t, payer, p % 17 == 0) + R(3'600'000);
      }
    }
  }

  // One session from t; returns the time after its last event.
  int64_t Session(LoopTestEvent e, int64_t t, bool payer, bool resends) {
    auto add = [&](const std::string& type) {
      e.type = type;
      e.utc_ms = t;
      events_.push_back(e);
      e.revenue_cents = 0;
      t += 5'000 + R(200'000);
    };
    e.level = 0;
    add("session_start");
    for (int levels = 1 + static_cast<int>(R(3)); levels > 0; --levels) {
      e.level = 1 + static_cast<int>(R(4));
      add("level_start");
      while (R(100) < 40) {
        add("death");
        if (R(100) < 30) break;
        add("level_start");
      }
      if (events_.back().type == "death") continue;
      add("level_complete");
      if (resends) add("level_complete");
      if (payer && R(100) < 25) {
        static const int kPrices[] = {99, 499, 999};
        e.revenue_cents = kPrices[R(3)];
        add("purchase");
      }
    }
    e.level = 0;
    add("session_end");
    return t;
  }

  std::mt19937_64 rng_;
  std::vector<LoopTestEvent> events_;
};

// ---- what the loops expect ----

std::string SegmentOf(const LoopTestEvent& e, const std::string& segment) {
  if (segment == "platform") return e.platform;
  if (segment == "country") return e.country;
  return "";
}

// A row's leading text cells: the period (or level, or day N), then the
// segment's value when segmented.
std::vector<std::string> Head(const std::string& first, const std::string& segment,
                              const std::string& value) {
  if (segment.empty()) return {first};
  return {first, value};
}

std::string Int(int64_t v) { return std::to_string(v); }
std::string Num(double v) { return fmt::format("{:.6f}", v); }
std::string Ratio(int64_t a, int64_t b) {
  return b == 0 ? "NULL" : Num(static_cast<double>(a) / static_cast<double>(b));
}

// quantile_cont: linear interpolation between the closest ranks.
double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  double pos = q * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  if (lo + 1 >= v.size()) return v[lo];
  return v[lo] + (pos - static_cast<double>(lo)) * (v[lo + 1] - v[lo]);
}

int64_t RangeFrom() { return ParseKpiDate(kFrom, "from").value(); }
int64_t RangeTo() { return ParseKpiDate(kTo, "to").value(); }

// The first day of the period `day` is in, clipped to `from`.
int64_t PeriodStart(int64_t day, const std::string& granularity, int64_t from) {
  int64_t start = day;
  if (granularity == "week") start = day - ((day + 3) % 7 + 7) % 7;  // 1970-01-05: a Monday.
  if (granularity == "month") {
    CivilTime c = ToCivil(day * kMsPerDay * 1000);
    start = DaysFromCivil(c.year, c.month, 1);
  }
  return std::max(start, from);
}

std::vector<int64_t> Periods(const std::string& granularity, int64_t from, int64_t to) {
  std::vector<int64_t> out;
  for (int64_t d = from; d <= to; ++d) {
    if (out.empty() || out.back() != PeriodStart(d, granularity, from)) {
      out.push_back(PeriodStart(d, granularity, from));
    }
  }
  return out;
}

// Each player's first local day, and the segment value of their first event.
std::map<std::string, std::pair<int64_t, std::string>> FirstSeen(
    const std::vector<LoopTestEvent>& events, Zone zone, const std::string& segment) {
  std::map<std::string, const LoopTestEvent*> first;
  for (const LoopTestEvent& e : events) {
    auto [it, added] = first.emplace(e.player, &e);
    if (!added && e.utc_ms < it->second->utc_ms) it->second = &e;
  }
  std::map<std::string, std::pair<int64_t, std::string>> out;
  for (const auto& [player, e] : first) {
    out[player] = {LocalDay(e->utc_ms, zone), SegmentOf(*e, segment)};
  }
  return out;
}

Table ActivePlayers(const std::vector<LoopTestEvent>& events, Zone zone, const std::string& segment,
                    const std::string& granularity) {
  auto first = FirstSeen(events, zone, "");
  std::map<std::pair<int64_t, std::string>, std::set<std::string>> active;
  std::set<std::string> values;
  for (const LoopTestEvent& e : events) {
    int64_t day = LocalDay(e.utc_ms, zone);
    if (day < RangeFrom() || day > RangeTo()) continue;
    active[{PeriodStart(day, granularity, RangeFrom()), SegmentOf(e, segment)}].insert(e.player);
    values.insert(SegmentOf(e, segment));
  }
  if (segment.empty()) values = {""};
  Table out;
  for (int64_t period : Periods(granularity, RangeFrom(), RangeTo())) {
    for (const std::string& value : values) {
      const std::set<std::string>& players = active[{period, value}];
      int64_t fresh = 0;
      for (const std::string& p : players) fresh += first[p].first >= period;
      auto row = Head(DayText(period), segment, value);
      int64_t n = static_cast<int64_t>(players.size());
      for (int64_t v : {n, fresh, n - fresh}) row.push_back(Int(v));
      out.push_back(row);
    }
  }
  return out;
}

Table Stickiness(const std::vector<LoopTestEvent>& events, Zone zone, const std::string& segment) {
  std::map<std::pair<int64_t, std::string>, std::set<std::string>> by_day;
  std::set<std::string> values;
  for (const LoopTestEvent& e : events) {
    int64_t day = LocalDay(e.utc_ms, zone);
    if (day > RangeTo() || day < RangeFrom() - 29) continue;
    by_day[{day, SegmentOf(e, segment)}].insert(e.player);
    values.insert(SegmentOf(e, segment));
  }
  if (segment.empty()) values = {""};
  Table out;
  for (int64_t d = RangeFrom(); d <= RangeTo(); ++d) {
    for (const std::string& value : values) {
      std::set<std::string> week, month;
      for (int64_t back = 0; back < 30; ++back) {
        const std::set<std::string>& players = by_day[{d - back, value}];
        month.insert(players.begin(), players.end());
        if (back < 7) week.insert(players.begin(), players.end());
      }
      int64_t dau = static_cast<int64_t>(by_day[{d, value}].size());
      int64_t mau = static_cast<int64_t>(month.size());
      auto row = Head(DayText(d), segment, value);
      for (int64_t v : {dau, static_cast<int64_t>(week.size()), mau}) row.push_back(Int(v));
      row.push_back(Ratio(dau, mau));
      out.push_back(row);
    }
  }
  return out;
}

// Sessions by day: count, players, player-days and lengths (NULL without
// sessions).
Table Sessions(const std::vector<LoopTestEvent>& events, Zone zone) {
  std::map<std::string, std::pair<int64_t, int64_t>> span;  // session -> first, last ms
  std::map<std::string, std::string> player_of;
  std::map<int64_t, std::set<std::string>> player_days;
  for (const LoopTestEvent& e : events) {
    auto [it, added] = span.emplace(e.session, std::make_pair(e.utc_ms, e.utc_ms));
    it->second.first = std::min(it->second.first, e.utc_ms);
    it->second.second = std::max(it->second.second, e.utc_ms);
    player_of[e.session] = e.player;
    player_days[LocalDay(e.utc_ms, zone)].insert(e.player);
  }
  std::map<int64_t, std::vector<double>> lengths;
  std::map<int64_t, std::set<std::string>> players;
  for (const auto& [session, s] : span) {
    int64_t day = LocalDay(s.first, zone);
    lengths[day].push_back(static_cast<double>(s.second - s.first) / 1000.0);
    players[day].insert(player_of[session]);
  }
  Table out;
  for (int64_t d = RangeFrom(); d <= RangeTo(); ++d) {
    const std::vector<double>& l = lengths[d];
    int64_t n = static_cast<int64_t>(l.size());
    int64_t who = static_cast<int64_t>(players[d].size());
    int64_t days = static_cast<int64_t>(player_days[d].size());
    Table::value_type row = {DayText(d), Int(n),        Int(who),
                             Int(days),  Ratio(n, who), Ratio(n, days)};
    double sum = 0;
    for (double x : l) sum += x;
    for (std::optional<double> v :
         {n ? std::optional<double>(sum / static_cast<double>(n)) : std::nullopt,
          n ? std::optional<double>(Quantile(l, 0.5)) : std::nullopt,
          n ? std::optional<double>(Quantile(l, 0.9)) : std::nullopt}) {
      row.push_back(v ? Num(*v) : "NULL");
    }
    out.push_back(row);
  }
  return out;
}

Table Revenue(const std::vector<LoopTestEvent>& events, Zone zone, const std::string& granularity) {
  struct Sums {
    std::set<std::string> active, paying;
    std::set<std::pair<std::string, int64_t>> player_days;
    int64_t cents = 0, purchases = 0;
  };
  std::map<int64_t, Sums> by_period;
  for (const LoopTestEvent& e : events) {
    int64_t day = LocalDay(e.utc_ms, zone);
    if (day < RangeFrom() || day > RangeTo()) continue;
    Sums& s = by_period[PeriodStart(day, granularity, RangeFrom())];
    s.active.insert(e.player);
    s.player_days.insert({e.player, day});
    if (e.type != "purchase") continue;
    s.paying.insert(e.player);
    s.cents += e.revenue_cents;
    ++s.purchases;
  }
  Table out;
  for (int64_t period : Periods(granularity, RangeFrom(), RangeTo())) {
    const Sums& s = by_period[period];
    int64_t active = static_cast<int64_t>(s.active.size());
    int64_t days = static_cast<int64_t>(s.player_days.size());
    int64_t paying = static_cast<int64_t>(s.paying.size());
    double revenue = static_cast<double>(s.cents) / 100;
    out.push_back({DayText(period), Num(revenue), Int(s.purchases), Int(paying), Int(active),
                   Int(days), Ratio(paying, active),
                   days ? Num(revenue / static_cast<double>(days)) : "NULL",
                   paying ? Num(revenue / static_cast<double>(paying)) : "NULL"});
  }
  return out;
}

// Per level (and the completion's segment): the seconds from each
// completion's start — the same player's latest level_start of that level
// in that session with no completion since — for completions on a day of
// the range; the funnel's starts, completions and deaths beside them.
Table Progression(const std::vector<LoopTestEvent>& events, Zone zone, const std::string& segment,
                  int64_t from, int64_t to) {
  std::map<std::string, std::vector<const LoopTestEvent*>> sessions;
  for (const LoopTestEvent& e : events) sessions[e.session].push_back(&e);
  std::map<std::pair<int, std::string>, std::vector<double>> seconds;
  std::map<std::pair<int, std::string>, std::map<std::string, int64_t>> counts;
  for (auto& [id, list] : sessions) {
    std::stable_sort(list.begin(), list.end(), [](const LoopTestEvent* a, const LoopTestEvent* b) {
      return a->utc_ms < b->utc_ms;
    });
    std::map<int, int64_t> open;  // level -> its latest start
    for (const LoopTestEvent* e : list) {
      int64_t day = LocalDay(e->utc_ms, zone);
      std::pair<int, std::string> key = {e->level, SegmentOf(*e, segment)};
      bool in_range = day >= from && day <= to && e->level > 0;
      if (in_range && e->type != "purchase") ++counts[key][e->type];
      if (e->type == "level_start") open[e->level] = e->utc_ms;
      if (e->type != "level_complete") continue;
      auto it = open.find(e->level);
      if (it != open.end() && in_range) {
        seconds[key].push_back(static_cast<double>(e->utc_ms - it->second) / 1000.0);
      }
      if (it != open.end()) open.erase(it);
    }
  }
  Table out;
  for (auto& [key, c] : counts) {
    auto row = Head(Int(key.first), segment, key.second);
    for (const char* type : {"level_start", "level_complete", "death"}) {
      row.push_back(Int(c[type]));
    }
    const std::vector<double>& s = seconds[key];
    row.push_back(s.empty() ? "NULL" : Num(Quantile(s, 0.5)));
    row.push_back(s.empty() ? "NULL" : Num(Quantile(s, 0.9)));
    out.push_back(row);
  }
  return out;
}

// Of the players first seen in from..to who bought by `to`: how many first
// bought N days after their first day, N = 0..the largest N, with shares.
Table FirstPurchase(const std::vector<LoopTestEvent>& events, Zone zone, const std::string& segment,
                    int64_t from, int64_t to) {
  auto first = FirstSeen(events, zone, segment);
  std::map<std::string, int64_t> first_buy;
  for (const LoopTestEvent& e : events) {
    int64_t day = LocalDay(e.utc_ms, zone);
    if (e.type != "purchase" || day > to) continue;
    auto [it, added] = first_buy.emplace(e.player, day);
    it->second = std::min(it->second, day);
  }
  std::map<std::string, std::map<int64_t, int64_t>> by_value;  // segment -> N -> players
  int64_t last = -1;
  for (const auto& [player, day] : first_buy) {
    auto [first_day, value] = first[player];
    if (first_day < from || first_day > to) continue;
    ++by_value[value][day - first_day];
    last = std::max(last, day - first_day);
  }
  Table out;
  for (const auto& [value, counts] : by_value) {
    int64_t payers = 0;
    for (const auto& [n, players] : counts) payers += players;
    int64_t so_far = 0;
    for (int64_t n = 0; n <= last; ++n) {
      int64_t players = counts.count(n) ? counts.at(n) : 0;
      so_far += players;
      auto row = Head(Int(n), segment, value);
      row.push_back(Int(players));
      row.push_back(Ratio(players, payers));
      row.push_back(Ratio(so_far, payers));
      out.push_back(row);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::make_pair(std::stoll(a[0]), a) < std::make_pair(std::stoll(b[0]), b);
  });
  return out;
}

// ---- the SQL's answers ----

class KpiLoopsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(duck_.ok());
    Exec("CREATE SCHEMA lake");
    Exec(
        "CREATE TABLE lake.events (event_type VARCHAR, ts VARCHAR, player_id VARCHAR, "
        "session_id VARCHAR, level BIGINT, revenue DOUBLE, platform VARCHAR, country VARCHAR)");
    const std::vector<LoopTestEvent>& all = data_.events();
    for (size_t i = 0; i < all.size(); i += 1000) {
      std::string sql = "INSERT INTO lake.events VALUES ";
      for (size_t j = i; j < std::min(all.size(), i + 1000); ++j) {
        const LoopTestEvent& e = all[j];
        sql += fmt::format("{}('{}','{}Z','{}','{}',{},{},'{}','{}')", j == i ? "" : ",", e.type,
                           FormatUtcMicros(e.utc_ms * 1000).substr(0, 23), e.player, e.session,
                           e.level ? Int(e.level) : "NULL",
                           e.revenue_cents ? Num(e.revenue_cents / 100.0) : "NULL", e.platform,
                           e.country);
      }
      Exec(sql);
    }
    catalog_ = std::make_unique<KpiCatalog>(KpiSettings());
  }
  void Exec(const std::string& sql) { duck_.Exec(sql); }

  // The KPI's rows, only the named columns, as text: numbers with six
  // decimals (integers as they are), NULL as "NULL".
  Table Kpi(const std::string& kpi, Params params, const std::vector<std::string>& columns) {
    params.emplace("from", kFrom);
    params.emplace("to", kTo);
    Result<std::string> sql = catalog_->Sql(kpi, params);
    EXPECT_THAT(sql.status(), IsOk());
    if (!sql.ok()) return {};
    duckdb_result r;
    if (duckdb_query(duck_.conn(), sql->c_str(), &r) != DuckDBSuccess) {
      ADD_FAILURE() << duckdb_result_error(&r) << "\n" << *sql;
      duckdb_destroy_result(&r);
      return {};
    }
    std::vector<idx_t> picked;
    for (const std::string& name : columns) {
      for (idx_t c = 0; c < duckdb_column_count(&r); ++c) {
        if (name == duckdb_column_name(&r, c)) picked.push_back(c);
      }
    }
    EXPECT_EQ(picked.size(), columns.size()) << kpi;
    Table rows;
    for (idx_t i = 0; i < duckdb_row_count(&r); ++i) {
      rows.emplace_back();
      for (idx_t c : picked) rows.back().push_back(Text(&r, c, i));
    }
    duckdb_destroy_result(&r);
    return rows;
  }

  static std::string Text(duckdb_result* r, idx_t c, idx_t i) {
    if (duckdb_value_is_null(r, c, i)) return "NULL";
    duckdb_type type = duckdb_column_type(r, c);
    if (type == DUCKDB_TYPE_DOUBLE || type == DUCKDB_TYPE_DECIMAL) {
      return Num(duckdb_value_double(r, c, i));
    }
    char* s = duckdb_value_varchar(r, c, i);
    std::string out = s ? s : "?";
    duckdb_free(s);
    return out;
  }

  static std::vector<std::string> With(const std::string& segment,
                                       std::vector<std::string> columns) {
    if (!segment.empty()) columns.insert(columns.begin() + 1, "segment");
    return columns;
  }

  const std::vector<LoopTestEvent>& events() const { return data_.events(); }

  LoopTestData data_;
  KpiTestDuck duck_;
  std::unique_ptr<KpiCatalog> catalog_;
};

TEST_F(KpiLoopsTest, TheDataHasWhatTheTestsNeed) {
  std::set<int64_t> days;
  int resent = 0, purchases = 0, night = 0;
  for (size_t i = 0; i < events().size(); ++i) {
    const LoopTestEvent& e = events()[i];
    days.insert(LocalDay(e.utc_ms, Zone::kUtc));
    days.insert(LocalDay(e.utc_ms, Zone::kLosAngeles));
    night += LocalDay(e.utc_ms, Zone::kUtc) != LocalDay(e.utc_ms, Zone::kLosAngeles);
    purchases += e.type == "purchase";
    resent += i > 0 && e.type == "level_complete" && events()[i - 1].type == "level_complete";
  }
  for (int64_t quiet : kQuietDays) EXPECT_FALSE(days.count(quiet)) << DayText(quiet);
  EXPECT_GT(events().size(), 3000u);
  EXPECT_GT(purchases, 30);
  EXPECT_GT(resent, 5);
  EXPECT_GT(night, 100) << "events on another day in Los Angeles";
  std::map<std::string, std::set<int64_t>> session_days;
  for (const LoopTestEvent& e : events()) {
    session_days[e.session].insert(LocalDay(e.utc_ms, Zone::kUtc));
  }
  int midnight = 0;
  for (const auto& [session, d] : session_days) midnight += d.size() > 1;
  EXPECT_GT(midnight, 3) << "sessions over midnight UTC";
}

TEST_F(KpiLoopsTest, TimeToCompleteIsFromTheWinningAttemptsStart) {
  for (Zone zone : {Zone::kUtc, Zone::kLosAngeles}) {
    std::string tz = zone == Zone::kUtc ? "UTC" : "America/Los_Angeles";
    for (std::string segment : {"", "platform"}) {
      Params p = {{"tz", tz}};
      if (!segment.empty()) p["segment"] = segment;
      Table expected = Progression(events(), zone, segment, RangeFrom(), RangeTo());
      ASSERT_GE(expected.size(), 4u);
      EXPECT_EQ(Kpi("progression", p,
                    With(segment, {"level", "starts", "completions", "deaths",
                                   "p50_time_to_complete_s", "p90_time_to_complete_s"})),
                expected)
          << tz << " " << segment;
    }
  }
  // A range that starts mid-data: completions before it are left out, and
  // a completion on its first day keeps its start of the day before.
  Params p = {{"from", "2025-03-08"}, {"to", "2025-03-14"}};
  EXPECT_EQ(Kpi("progression", p,
                {"level", "starts", "completions", "deaths", "p50_time_to_complete_s",
                 "p90_time_to_complete_s"}),
            Progression(events(), Zone::kUtc, "", ParseKpiDate("2025-03-08", "").value(),
                        ParseKpiDate("2025-03-14", "").value()));
}

TEST_F(KpiLoopsTest, FirstPurchaseTiming) {
  const std::vector<std::string> columns = {"day", "players", "share", "cumulative_share"};
  for (Zone zone : {Zone::kUtc, Zone::kLosAngeles}) {
    std::string tz = zone == Zone::kUtc ? "UTC" : "America/Los_Angeles";
    Table expected = FirstPurchase(events(), zone, "", RangeFrom(), RangeTo());
    ASSERT_GE(expected.size(), 5u);
    EXPECT_EQ(Kpi("first_purchase", {{"tz", tz}}, columns), expected) << tz;
    // The install's country, though some players moved.
    EXPECT_EQ(Kpi("first_purchase", {{"tz", tz}, {"segment", "country"}}, With("country", columns)),
              FirstPurchase(events(), zone, "country", RangeFrom(), RangeTo()))
        << tz;
  }
  // Cohorts of a part of the data, and only purchases by its end.
  int64_t from = ParseKpiDate("2025-03-03", "").value(),
          to = ParseKpiDate("2025-03-10", "").value();
  EXPECT_EQ(Kpi("first_purchase", {{"from", "2025-03-03"}, {"to", "2025-03-10"}}, columns),
            FirstPurchase(events(), Zone::kUtc, "", from, to));
}

TEST_F(KpiLoopsTest, ActivePlayersHaveARowForEveryPeriod) {
  const std::vector<std::string> columns = {"period", "active_players", "new_players",
                                            "returning_players"};
  for (Zone zone : {Zone::kUtc, Zone::kLosAngeles}) {
    std::string tz = zone == Zone::kUtc ? "UTC" : "America/Los_Angeles";
    for (std::string g : {"day", "week", "month"}) {
      for (std::string segment : {"", "platform"}) {
        Params p = {{"tz", tz}, {"granularity", g}};
        if (!segment.empty()) p["segment"] = segment;
        Table expected = ActivePlayers(events(), zone, segment, g);
        EXPECT_EQ(Kpi("active_players", p, With(segment, columns)), expected)
            << tz << " " << g << " " << segment;
      }
    }
  }
  // The quiet days are zeros, not missing rows.
  Table days = Kpi("active_players", {}, columns);
  ASSERT_EQ(days.size(), static_cast<size_t>(RangeTo() - RangeFrom() + 1));
  for (int64_t quiet : kQuietDays) {
    EXPECT_EQ(days[quiet - RangeFrom()], (Table::value_type{DayText(quiet), "0", "0", "0"}));
  }
}

TEST_F(KpiLoopsTest, StickinessHasARowForEveryDay) {
  for (Zone zone : {Zone::kUtc, Zone::kLosAngeles}) {
    std::string tz = zone == Zone::kUtc ? "UTC" : "America/Los_Angeles";
    for (std::string segment : {"", "country"}) {
      Params p = {{"tz", tz}};
      if (!segment.empty()) p["segment"] = segment;
      EXPECT_EQ(Kpi("stickiness", p, With(segment, {"day", "dau", "wau", "mau", "stickiness"})),
                Stickiness(events(), zone, segment))
          << tz << " " << segment;
    }
  }
}

TEST_F(KpiLoopsTest, SessionsAndRevenueHaveARowForEveryPeriod) {
  for (Zone zone : {Zone::kUtc, Zone::kLosAngeles}) {
    std::string tz = zone == Zone::kUtc ? "UTC" : "America/Los_Angeles";
    EXPECT_EQ(Kpi("sessions", {{"tz", tz}},
                  {"period", "sessions", "players", "player_days", "sessions_per_player",
                   "sessions_per_dau", "avg_length_s", "p50_length_s", "p90_length_s"}),
              Sessions(events(), zone))
        << tz;
    for (std::string g : {"day", "week"}) {
      EXPECT_EQ(Kpi("revenue", {{"tz", tz}, {"granularity", g}},
                    {"period", "revenue", "purchases", "paying_players", "active_players",
                     "player_days", "conversion", "arpdau", "arppu"}),
                Revenue(events(), zone, g))
          << tz << " " << g;
    }
  }
}

}  // namespace
}  // namespace gamelake

// The game KPIs against the real server: a deterministic data set of 300
// players over 45 days is posted (shuffled, some of it late), and every KPI
// of GET /v1/kpis/{name} is checked against numbers worked out here with
// plain loops over the posted records — in UTC and in Los Angeles (whose
// clocks change on 2025-03-09, inside the range), unsegmented and by
// segment — plus a stream with its own field names, a stream without
// sessions, late events, and the requests that must fail.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "../common/run_command.h"
#include "common/civil_time.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;
constexpr int kPlayers = 300;
constexpr int kDays = 45;
constexpr const char* kFrom = "2025-02-25";
constexpr const char* kTo = "2025-03-31";

int64_t DayOf(int y, int m, int d) { return DaysFromCivil(y, m, d); }
const int64_t kFirstDay = DayOf(2025, 2, 20);

// One posted event, as the test knows it.
struct Ev {
  int id = 0;  // Its event_id: e<id>, unique in the data set.
  std::string player, session, type;
  int64_t utc_ms = 0;
  int level = 0;
  std::string enemy;
  double x = -1, y = -1;
  int revenue_cents = 0;
  std::string platform, country, version;
};

enum class Zone { kUtc, kLosAngeles };

// Los Angeles in 2025: UTC-8, and UTC-7 from 2025-03-09 10:00 UTC (2 am
// local) to 2025-11-02 09:00 UTC.
int64_t LocalDay(int64_t utc_ms, Zone zone) {
  int64_t offset = 0;
  if (zone == Zone::kLosAngeles) {
    const int64_t dst_start = (DayOf(2025, 3, 9) * 24 + 10) * 3'600'000;
    const int64_t dst_end = (DayOf(2025, 11, 2) * 24 + 9) * 3'600'000;
    offset = (utc_ms >= dst_start && utc_ms < dst_end ? -7 : -8) * 3'600'000;
  }
  return FloorDiv(utc_ms + offset, kMsPerDay);
}

std::string DateText(int64_t day) {
  CivilTime c = ToCivil(day * kMsPerDay * 1000);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

// The data set: players with a platform, country and version each, who
// come back on some days for a session or two of levels, deaths and
// purchases. Player p000 is seen on one day only.
class DataSet {
 public:
  DataSet() : rng_(20250220) { Make(); }
  const std::vector<Ev>& events() const { return events_; }

 private:
  uint64_t R(uint64_t n) { return rng_() % n; }
  void Make() {
    static const char* kPlatforms[] = {"ios", "android", "pc"};
    static const char* kCountries[] = {"US", "DE", "BR", "JP"};
    for (int p = 0; p < kPlayers; ++p) {
      Ev base;
      base.player = fmt::format("p{:03}", p);
      base.platform = kPlatforms[R(3)];
      base.country = kCountries[R(4)];
      base.version = R(2) ? "1.1.0" : "1.0.0";
      int first = static_cast<int>(R(40));
      int loyalty = static_cast<int>(R(100));
      int sessions = 0;
      for (int d = first; d < kDays; ++d) {
        if (d != first && (p == 0 || static_cast<int>(R(100)) >= loyalty / 2 + 10)) continue;
        int64_t t = ((kFirstDay + d) * 86400 + static_cast<int64_t>(R(86400 - 5 * 3600))) * 1000;
        for (int s = 0, n = 1 + static_cast<int>(R(2)); s < n; ++s) {
          base.session = fmt::format("{}-s{}", base.player, sessions++);
          t = Session(base, t) + (3600 + static_cast<int64_t>(R(3600))) * 1000;
        }
      }
    }
  }
  // One session from t; returns the time of its last event.
  int64_t Session(Ev e, int64_t t) {
    auto add = [&](const std::string& type) {
      e.type = type;
      e.utc_ms = t;
      e.id = static_cast<int>(events_.size());
      events_.push_back(e);
      e.enemy.clear();
      e.x = e.y = -1;
      e.revenue_cents = 0;
      t += (20 + static_cast<int64_t>(R(280))) * 1000 + static_cast<int64_t>(R(1000));
    };
    e.level = 0;
    add("session_start");
    for (int levels = 1 + static_cast<int>(R(3)); levels > 0; --levels) {
      e.level = 1 + static_cast<int>(R(5));
      add("level_start");
      if (R(100) < 35) {
        static const char* kEnemies[] = {"ghost", "bat", "spider", "witch"};
        e.enemy = kEnemies[R(4)];
        e.x = static_cast<double>(R(1000)) + 0.5;
        e.y = static_cast<double>(R(1000)) + 0.25;
        add("death");
        continue;
      }
      add("level_complete");
      if (R(100) < 10) {
        static const int kPrices[] = {99, 499, 999};
        e.revenue_cents = kPrices[R(3)];
        add("purchase");
      }
    }
    e.level = 0;
    int64_t last = t;
    add("session_end");
    return last;
  }

  std::mt19937_64 rng_;
  std::vector<Ev> events_;
};

// How a stream names the fields.
struct Naming {
  std::string player = "player_id", ts = "ts", session = "session_id", type = "event_type";
  std::string revenue = "revenue", country = "country";
  bool sessions = true;
};

std::string ToJson(const Ev& e, const Naming& n) {
  std::string out =
      fmt::format(R"({{"event_id":"e{}","{}":"{}","{}":"{}","{}":"{}")", e.id, n.type, e.type, n.ts,
                  FormatUtcMicros(e.utc_ms * 1000).substr(0, 23) + "Z", n.player, e.player);
  if (n.sessions) out += fmt::format(R"(,"{}":"{}")", n.session, e.session);
  out += fmt::format(R"(,"platform":"{}","{}":"{}","app_version":"{}")", e.platform, n.country,
                     e.country, e.version);
  if (e.level > 0) out += fmt::format(R"(,"level":{})", e.level);
  if (!e.enemy.empty()) {
    out += fmt::format(R"(,"enemy":"{}","x":{:.2f},"y":{:.2f})", e.enemy, e.x, e.y);
  }
  if (e.type == "purchase") {
    out += fmt::format(R"(,"{}":{}.{:02},"currency":"USD","amount":{}.{:02})", n.revenue,
                       e.revenue_cents / 100, e.revenue_cents % 100, e.revenue_cents / 100,
                       e.revenue_cents % 100);
  }
  return out + "}";
}

// Posts events in batches of at most 500, in the order given.
void Post(HttpClient& client, const std::string& stream, const std::vector<const Ev*>& events,
          const Naming& naming) {
  for (size_t i = 0; i < events.size(); i += 500) {
    std::string body;
    for (size_t j = i; j < std::min(events.size(), i + 500); ++j) {
      body += ToJson(*events[j], naming) + "\n";
    }
    HttpResult r = client.Post("/v1/streams/" + stream + "/records", body, "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body;
  }
}

// A KPI's answer: rows keyed by their text columns (period, segment...),
// each with its numeric columns by name.
struct KpiRows {
  int status = 0;
  std::string body;
  std::map<std::string, std::map<std::string, double>> rows;
  size_t count = 0;
};

KpiRows GetKpi(HttpClient& client, const std::string& kpi, const std::string& query,
               const std::vector<std::string>& key_columns) {
  KpiRows out;
  HttpResult r = client.Get("/v1/kpis/" + kpi + "?" + query);
  out.status = r.status;
  out.body = r.body;
  if (r.status != 200) return out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.body).value();
  std::vector<std::string> names;
  for (simdjson::dom::element c : doc["columns"].get_array()) {
    names.emplace_back(c["name"].get_string().value());
  }
  for (simdjson::dom::element row : doc["rows"].get_array()) {
    std::map<std::string, std::string> text;
    std::map<std::string, double> numbers;
    size_t i = 0;
    for (simdjson::dom::element v : row.get_array()) {
      std::string_view s;
      double d = 0;
      if (v.get(s) == simdjson::SUCCESS) {
        text[names[i]] = std::string(s);
      } else if (v.get(d) == simdjson::SUCCESS) {
        numbers[names[i]] = d;
        text[names[i]] = fmt::format("{}", d);
      } else {
        text[names[i]] = "null";
      }
      ++i;
    }
    std::string key;
    for (const std::string& k : key_columns) key += (key.empty() ? "" : "|") + text[k];
    out.rows[key] = numbers;
    ++out.count;
  }
  return out;
}

// Expected values: row key -> column -> value.
using Expected = std::map<std::string, std::map<std::string, double>>;

void ExpectRows(const KpiRows& actual, const Expected& expected, const std::string& what) {
  ASSERT_EQ(actual.status, 200) << what << ": " << actual.body;
  EXPECT_EQ(actual.count, expected.size()) << what;
  EXPECT_EQ(actual.rows.size(), actual.count) << what << ": duplicate keys";
  for (const auto& [key, columns] : expected) {
    auto it = actual.rows.find(key);
    if (it == actual.rows.end()) {
      ADD_FAILURE() << what << ": no row " << key;
      continue;
    }
    for (const auto& [column, value] : columns) {
      auto c = it->second.find(column);
      if (c == it->second.end()) {
        ADD_FAILURE() << what << " " << key << ": no number in " << column;
        continue;
      }
      EXPECT_NEAR(c->second, value, 1e-6 * std::max(1.0, std::fabs(value)))
          << what << " " << key << " " << column;
    }
  }
}

std::string Segment(const Ev& e, const std::string& segment) {
  if (segment == "platform") return e.platform;
  if (segment == "country") return e.country;
  if (segment == "app_version") return e.version;
  return "";
}

std::string Key(int64_t day, const std::string& segment_value) {
  return segment_value.empty() ? DateText(day) : DateText(day) + "|" + segment_value;
}

// Days since from..to as numbers.
const int64_t kFromDay = DayOf(2025, 2, 25);
const int64_t kToDay = DayOf(2025, 3, 31);

template <typename T>
double N(T v) {
  return static_cast<double>(v);
}

bool InRange(int64_t day) { return day >= kFromDay && day <= kToDay; }

// The period a local day falls in: itself, or its week (from Monday),
// clipped to from.
int64_t PeriodOf(int64_t day, bool weekly) {
  if (!weekly) return day;
  int64_t monday = day - ((day + 3) % 7 + 7) % 7;  // 1970-01-05 was a Monday.
  return std::max(monday, kFromDay);
}

// The count KPIs answer every period of the range, and every segment value
// seen, with zeros where nothing happened: adds those rows (zeros in
// `columns`; ratios over zero are null, so not expected as numbers).
void ZeroFill(Expected* out, bool weekly, const std::set<std::string>& values,
              const std::vector<std::string>& columns) {
  for (int64_t day = kFromDay; day <= kToDay; ++day) {
    for (const std::string& value : values) {
      auto [row, added] =
          out->emplace(Key(PeriodOf(day, weekly), value), std::map<std::string, double>());
      if (!added) continue;
      for (const std::string& c : columns) row->second[c] = 0;
    }
  }
}

// Each player's first local day, ever, and the segment of their first event.
struct FirstSeen {
  std::map<std::string, int64_t> day;
  std::map<std::string, std::string> segment;
};

FirstSeen FirstSeenOf(const std::vector<Ev>& events, Zone zone, const std::string& segment) {
  FirstSeen f;
  std::map<std::string, int64_t> first_ms;
  for (const Ev& e : events) {
    auto [it, added] = first_ms.emplace(e.player, e.utc_ms);
    if (added || e.utc_ms < it->second) {
      it->second = e.utc_ms;
      f.day[e.player] = LocalDay(e.utc_ms, zone);
      f.segment[e.player] = Segment(e, segment);
    }
  }
  return f;
}

Expected ActivePlayers(const std::vector<Ev>& events, Zone zone, const std::string& segment,
                       bool weekly) {
  FirstSeen first = FirstSeenOf(events, zone, "");
  std::map<std::string, std::set<std::string>> active;
  std::map<std::string, int64_t> period_of_key;
  std::set<std::string> values = {""};
  if (!segment.empty()) values.clear();
  for (const Ev& e : events) {
    int64_t day = LocalDay(e.utc_ms, zone);
    if (!InRange(day)) continue;
    std::string key = Key(PeriodOf(day, weekly), Segment(e, segment));
    active[key].insert(e.player);
    period_of_key[key] = PeriodOf(day, weekly);
    values.insert(Segment(e, segment));
  }
  Expected out;
  for (const auto& [key, players] : active) {
    int fresh = 0;
    for (const std::string& p : players) fresh += first.day[p] >= period_of_key[key];
    out[key] = {{"active_players", N(players.size())},
                {"new_players", N(fresh)},
                {"returning_players", static_cast<double>(players.size() - fresh)}};
  }
  ZeroFill(&out, weekly, values, {"active_players", "new_players", "returning_players"});
  return out;
}

Expected Stickiness(const std::vector<Ev>& events, Zone zone) {
  std::map<int64_t, std::set<std::string>> by_day;
  for (const Ev& e : events) by_day[LocalDay(e.utc_ms, zone)].insert(e.player);
  Expected out;
  for (int64_t d = kFromDay; d <= kToDay; ++d) {
    std::set<std::string> week, month;
    for (int64_t back = 0; back < 30; ++back) {
      const std::set<std::string>& players = by_day[d - back];
      month.insert(players.begin(), players.end());
      if (back < 7) week.insert(players.begin(), players.end());
    }
    double dau = static_cast<double>(by_day[d].size());
    out[DateText(d)] = {{"dau", dau}, {"wau", N(week.size())}, {"mau", N(month.size())}};
    if (!month.empty()) out[DateText(d)]["stickiness"] = dau / static_cast<double>(month.size());
  }
  return out;
}

Expected Retention(const std::vector<Ev>& events, Zone zone, const std::string& segment,
                   bool rolling) {
  FirstSeen first = FirstSeenOf(events, zone, segment);
  std::map<std::string, std::set<int64_t>> days;
  for (const Ev& e : events) {
    int64_t day = LocalDay(e.utc_ms, zone);
    if (InRange(day)) days[e.player].insert(day);
  }
  std::map<std::string, std::map<int, int>> retained;  // cohort key -> day N -> players
  std::map<std::string, int> size;
  std::map<std::string, int64_t> cohort_day;
  for (const auto& [player, first_day] : first.day) {
    if (!InRange(first_day)) continue;
    std::string key = Key(first_day, first.segment[player]);
    ++size[key];
    cohort_day[key] = first_day;
    int64_t last = *days[player].rbegin();
    for (int n = 0; n <= 30; ++n) {
      bool hit = rolling ? last - first_day >= n : days[player].count(first_day + n) > 0;
      retained[key][n] += hit;
    }
  }
  Expected out;
  for (const auto& [key, n_players] : size) {
    for (int n = 0; n <= 30 && cohort_day[key] + n <= kToDay; ++n) {
      double r = retained[key][n];
      out[key + "|" + std::to_string(n)] = {
          {"cohort_size", N(n_players)}, {"retained_players", r}, {"retention", r / n_players}};
    }
  }
  return out;
}

// quantile_cont: linear interpolation between the closest ranks.
double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  double pos = q * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  if (lo + 1 >= v.size()) return v[lo];
  return v[lo] + (pos - static_cast<double>(lo)) * (v[lo + 1] - v[lo]);
}

Expected Sessions(const std::vector<Ev>& events, Zone zone, const std::string& segment) {
  struct S {
    int64_t start = INT64_MAX, end = INT64_MIN;
    std::string player, segment;
  };
  std::map<std::string, S> sessions;
  std::map<std::string, std::set<std::pair<std::string, int64_t>>> player_days;
  std::set<std::string> values = {""};
  if (!segment.empty()) values.clear();
  for (const Ev& e : events) {
    S& s = sessions[e.session];
    if (e.utc_ms < s.start) s.segment = Segment(e, segment);
    s.start = std::min(s.start, e.utc_ms);
    s.end = std::max(s.end, e.utc_ms);
    s.player = e.player;
    int64_t day = LocalDay(e.utc_ms, zone);
    if (!InRange(day)) continue;
    player_days[Key(day, Segment(e, segment))].insert({e.player, day});
    values.insert(Segment(e, segment));
  }
  std::map<std::string, std::vector<double>> lengths;
  std::map<std::string, std::set<std::string>> players;
  for (const auto& [id, s] : sessions) {
    int64_t day = LocalDay(s.start, zone);
    if (!InRange(day)) continue;
    std::string key = Key(day, s.segment);
    lengths[key].push_back(static_cast<double>(s.end - s.start) / 1000.0);
    players[key].insert(s.player);
  }
  Expected out;
  for (const auto& [key, l] : lengths) {
    double n = static_cast<double>(l.size());
    double sum = 0;
    for (double x : l) sum += x;
    out[key] = {{"sessions", n},
                {"players", N(players[key].size())},
                {"player_days", N(player_days[key].size())},
                {"sessions_per_player", n / static_cast<double>(players[key].size())},
                {"sessions_per_dau", n / static_cast<double>(player_days[key].size())},
                {"avg_length_s", sum / n},
                {"p50_length_s", Quantile(l, 0.5)},
                {"p90_length_s", Quantile(l, 0.9)}};
  }
  ZeroFill(&out, false, values, {"sessions", "players"});
  for (auto& [key, row] : out) row["player_days"] = N(player_days[key].size());
  return out;
}

Expected Revenue(const std::vector<Ev>& events, Zone zone, const std::string& segment) {
  std::map<std::string, std::set<std::string>> active, paying;
  std::map<std::string, std::set<std::pair<std::string, int64_t>>> player_days;
  std::map<std::string, int> cents, purchases;
  std::set<std::string> values = {""};
  if (!segment.empty()) values.clear();
  for (const Ev& e : events) {
    int64_t day = LocalDay(e.utc_ms, zone);
    if (!InRange(day)) continue;
    values.insert(Segment(e, segment));
    std::string key = Key(day, Segment(e, segment));
    active[key].insert(e.player);
    player_days[key].insert({e.player, day});
    if (e.type != "purchase") continue;
    paying[key].insert(e.player);
    cents[key] += e.revenue_cents;
    ++purchases[key];
  }
  Expected out;
  for (const auto& [key, players] : active) {
    double revenue = cents[key] / 100.0;
    double payers = static_cast<double>(paying[key].size());
    auto& row = out[key];
    row = {{"revenue", revenue},
           {"purchases", N(purchases[key])},
           {"paying_players", payers},
           {"active_players", N(players.size())},
           {"player_days", N(player_days[key].size())},
           {"conversion", payers / static_cast<double>(players.size())},
           {"arpdau", revenue / static_cast<double>(player_days[key].size())}};
    if (payers > 0) row["arppu"] = revenue / payers;
  }
  ZeroFill(&out, false, values,
           {"revenue", "purchases", "paying_players", "active_players", "player_days"});
  return out;
}

Expected Ltv(const std::vector<Ev>& events, Zone zone) {
  FirstSeen first = FirstSeenOf(events, zone, "");
  std::map<int64_t, int> size;
  std::map<int64_t, std::map<int64_t, int>> cents;  // cohort -> day N -> cents
  for (const auto& [player, day] : first.day) {
    if (InRange(day)) ++size[day];
  }
  for (const Ev& e : events) {
    int64_t day = LocalDay(e.utc_ms, zone);
    int64_t cohort = first.day[e.player];
    if (e.type != "purchase" || !InRange(day) || !InRange(cohort) || day - cohort > 30) continue;
    cents[cohort][day - cohort] += e.revenue_cents;
  }
  Expected out;
  for (const auto& [cohort, n_players] : size) {
    int total = 0;
    for (int64_t n = 0; n <= 30 && cohort + n <= kToDay; ++n) {
      total += cents[cohort][n];
      out[DateText(cohort) + "|" + std::to_string(n)] = {{"cohort_size", N(n_players)},
                                                         {"revenue", total / 100.0},
                                                         {"ltv", total / 100.0 / n_players}};
    }
  }
  return out;
}

Expected Progression(const std::vector<Ev>& events, const std::string& segment) {
  std::map<std::string, std::set<std::string>> started, completed;
  std::map<std::string, std::map<std::string, double>> counts;
  for (const Ev& e : events) {
    if (!InRange(LocalDay(e.utc_ms, Zone::kUtc)) || e.level == 0) continue;
    std::string key = std::to_string(e.level);
    if (!segment.empty()) key += "|" + Segment(e, segment);
    if (e.type == "level_start") {
      started[key].insert(e.player);
      ++counts[key]["starts"];
    } else if (e.type == "level_complete") {
      completed[key].insert(e.player);
      ++counts[key]["completions"];
    } else if (e.type == "death") {
      ++counts[key]["deaths"];
    } else {
      continue;
    }
    counts[key]["starts"] += 0;
    counts[key]["completions"] += 0;
    counts[key]["deaths"] += 0;
  }
  for (auto& [key, row] : counts) {
    row["players_started"] = N(started[key].size());
    row["players_completed"] = N(completed[key].size());
    row["completion_rate"] =
        static_cast<double>(completed[key].size()) / static_cast<double>(started[key].size());
  }
  return counts;
}

Expected Deaths(const std::vector<Ev>& events, int cell) {
  std::map<std::string, std::set<std::string>> players;
  Expected out;
  for (const Ev& e : events) {
    if (!InRange(LocalDay(e.utc_ms, Zone::kUtc)) || e.type != "death") continue;
    std::string key = cell == 0 ? fmt::format("{}|{}", e.level, e.enemy)
                                : fmt::format("{}|{}|{}", e.level, std::floor(e.x / cell) * cell,
                                              std::floor(e.y / cell) * cell);
    ++out[key]["deaths"];
    players[key].insert(e.player);
  }
  if (cell == 0) {
    for (auto& [key, row] : out) row["players"] = N(players[key].size());
  }
  return out;
}

std::vector<Ev> PlayersBelow(const std::vector<Ev>& events, int n) {
  std::vector<Ev> out;
  for (const Ev& e : events) {
    if (std::stoi(e.player.substr(1)) < n) out.push_back(e);
  }
  return out;
}

std::string Range(const std::string& extra = "") {
  return fmt::format("from={}&to={}{}", kFrom, kTo, extra);
}

// One server and one data set for the suite: posting is the slow part.
class KpiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TempDir();
    server_ = new ServerProcess(
        data_->path(),
        {"--set", "delivery.buffer_interval_s=1", "--set", "kpi.streams.studio.player_id=PlayerID",
         "--set", "kpi.streams.studio.ts=EventTime", "--set",
         "kpi.streams.studio.session_id=SessionID", "--set",
         "kpi.streams.studio.event_type=EventType", "--set", "kpi.streams.studio.revenue=Revenue",
         "--set", "kpi.streams.studio.country=Country", "--set",
         "kpi.streams.nosessions.session_id=\"\""});
    ASSERT_TRUE(server_->Start()) << server_->Logs();
    data_set_ = new DataSet();
    HttpClient client(server_->port());
    // Shuffled: events arrive out of order, a player's first ones often last.
    std::vector<const Ev*> all;
    for (const Ev& e : data_set_->events()) all.push_back(&e);
    std::shuffle(all.begin(), all.end(), std::mt19937_64(7));
    Post(client, "events", all, Naming());
    std::vector<const Ev*> some;
    for (const Ev* e : all) {
      if (std::stoi(e->player.substr(1)) < 100) some.push_back(e);
    }
    Naming studio;
    studio.player = "PlayerID";
    studio.ts = "EventTime";
    studio.session = "SessionID";
    studio.type = "EventType";
    studio.revenue = "Revenue";
    studio.country = "Country";
    Post(client, "studio", some, studio);
    Naming no_sessions;
    no_sessions.sessions = false;
    Post(client, "nosessions", some, no_sessions);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete data_;
    delete data_set_;
  }
  const std::vector<Ev>& events() { return data_set_->events(); }
  HttpClient client_{server_->port()};

  static TempDir* data_;
  static ServerProcess* server_;
  static DataSet* data_set_;
};

TempDir* KpiTest::data_ = nullptr;
ServerProcess* KpiTest::server_ = nullptr;
DataSet* KpiTest::data_set_ = nullptr;

TEST_F(KpiTest, TheDataSetIsWhatTheTestsNeed) {
  EXPECT_GT(events().size(), 10'000u);
  std::set<std::string> before, one_day;
  std::map<std::string, std::set<int64_t>> days;
  for (const Ev& e : events()) days[e.player].insert(LocalDay(e.utc_ms, Zone::kUtc));
  for (const auto& [p, d] : days) {
    if (*d.begin() < kFromDay) before.insert(p);
    if (d.size() == 1) one_day.insert(p);
  }
  EXPECT_GT(before.size(), 10u) << "players first seen before the range";
  EXPECT_TRUE(one_day.count("p000"));
}

TEST_F(KpiTest, ActivePlayers) {
  for (Zone zone : {Zone::kUtc, Zone::kLosAngeles}) {
    std::string tz = zone == Zone::kUtc ? "" : "&tz=America/Los_Angeles";
    for (std::string segment : {"", "platform", "country"}) {
      std::string seg = segment.empty() ? "" : "&segment=" + segment;
      std::vector<std::string> keys = {"period"};
      if (!segment.empty()) keys.push_back("segment");
      ExpectRows(GetKpi(client_, "active_players", Range(tz + seg), keys),
                 ActivePlayers(events(), zone, segment, false), "active_players" + tz + seg);
    }
  }
  ExpectRows(GetKpi(client_, "active_players", Range("&granularity=week&segment=app_version"),
                    {"period", "segment"}),
             ActivePlayers(events(), Zone::kUtc, "app_version", true), "weekly active players");
}

TEST_F(KpiTest, Stickiness) {
  ExpectRows(GetKpi(client_, "stickiness", Range(), {"day"}), Stickiness(events(), Zone::kUtc),
             "stickiness");
  ExpectRows(GetKpi(client_, "stickiness", Range("&tz=America/Los_Angeles"), {"day"}),
             Stickiness(events(), Zone::kLosAngeles), "stickiness LA");
}

TEST_F(KpiTest, Retention) {
  for (Zone zone : {Zone::kUtc, Zone::kLosAngeles}) {
    std::string tz = zone == Zone::kUtc ? "" : "&tz=America/Los_Angeles";
    ExpectRows(GetKpi(client_, "retention", Range(tz), {"cohort", "day"}),
               Retention(events(), zone, "", false), "retention" + tz);
    ExpectRows(GetKpi(client_, "retention", Range(tz + "&mode=rolling"), {"cohort", "day"}),
               Retention(events(), zone, "", true), "rolling retention" + tz);
    ExpectRows(
        GetKpi(client_, "retention", Range(tz + "&segment=country"), {"cohort", "segment", "day"}),
        Retention(events(), zone, "country", false), "retention by country" + tz);
  }
}

TEST_F(KpiTest, Sessions) {
  for (Zone zone : {Zone::kUtc, Zone::kLosAngeles}) {
    std::string tz = zone == Zone::kUtc ? "" : "&tz=America/Los_Angeles";
    ExpectRows(GetKpi(client_, "sessions", Range(tz), {"period"}), Sessions(events(), zone, ""),
               "sessions" + tz);
    ExpectRows(GetKpi(client_, "sessions", Range(tz + "&segment=platform"), {"period", "segment"}),
               Sessions(events(), zone, "platform"), "sessions by platform" + tz);
  }
}

TEST_F(KpiTest, Revenue) {
  for (Zone zone : {Zone::kUtc, Zone::kLosAngeles}) {
    std::string tz = zone == Zone::kUtc ? "" : "&tz=America/Los_Angeles";
    ExpectRows(GetKpi(client_, "revenue", Range(tz), {"period"}), Revenue(events(), zone, ""),
               "revenue" + tz);
    ExpectRows(GetKpi(client_, "revenue", Range(tz + "&segment=country"), {"period", "segment"}),
               Revenue(events(), zone, "country"), "revenue by country" + tz);
  }
}

TEST_F(KpiTest, Ltv) {
  ExpectRows(GetKpi(client_, "ltv", Range(), {"cohort", "day"}), Ltv(events(), Zone::kUtc), "ltv");
  ExpectRows(GetKpi(client_, "ltv", Range("&tz=America/Los_Angeles"), {"cohort", "day"}),
             Ltv(events(), Zone::kLosAngeles), "ltv LA");
}

TEST_F(KpiTest, ProgressionAndDeaths) {
  ExpectRows(GetKpi(client_, "progression", Range(), {"level"}), Progression(events(), ""),
             "progression");
  ExpectRows(GetKpi(client_, "progression", Range("&segment=platform"), {"level", "segment"}),
             Progression(events(), "platform"), "progression by platform");
  ExpectRows(GetKpi(client_, "deaths", Range(), {"level", "enemy"}), Deaths(events(), 0), "deaths");
  ExpectRows(
      GetKpi(client_, "deaths", Range("&by=position&cell=250"), {"level", "cell_x", "cell_y"}),
      Deaths(events(), 250), "deaths by position");
}

TEST_F(KpiTest, AStreamWithItsOwnFieldNames) {
  std::vector<Ev> some = PlayersBelow(events(), 100);
  ExpectRows(GetKpi(client_, "active_players", Range("&stream=studio&segment=country"),
                    {"period", "segment"}),
             ActivePlayers(some, Zone::kUtc, "country", false), "studio active players");
  ExpectRows(GetKpi(client_, "revenue", Range("&stream=studio"), {"period"}),
             Revenue(some, Zone::kUtc, ""), "studio revenue");
}

TEST_F(KpiTest, AStreamWithoutSessionsDerivesThem) {
  // Sessions here are minutes apart inside and an hour apart between, so
  // the 30-minute gap finds exactly the sessions the ids say.
  std::vector<Ev> some = PlayersBelow(events(), 100);
  ExpectRows(GetKpi(client_, "sessions", Range("&stream=nosessions"), {"period"}),
             Sessions(some, Zone::kUtc, ""), "derived sessions");
}

TEST_F(KpiTest, LateEventsChangeAPastDay) {
  // Everything but 2025-03-10 (UTC) of 50 players, then that day, late.
  std::vector<Ev> some = PlayersBelow(events(), 50);
  const int64_t day = DayOf(2025, 3, 10);
  std::vector<const Ev*> early, late;
  for (const Ev& e : some) (LocalDay(e.utc_ms, Zone::kUtc) == day ? late : early).push_back(&e);
  ASSERT_FALSE(late.empty());
  Post(client_, "late", early, Naming());
  std::string query = "stream=late&from=2025-03-10&to=2025-03-10";
  KpiRows before = GetKpi(client_, "active_players", query, {"period"});
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.count, 1u) << before.body;
  EXPECT_EQ(before.rows["2025-03-10"]["active_players"], 0) << before.body;
  EXPECT_NE(before.body.find("\"as_of\":\""), std::string::npos) << before.body;
  Post(client_, "late", late, Naming());
  std::set<std::string> players;
  for (const Ev* e : late) players.insert(e->player);
  KpiRows after = GetKpi(client_, "active_players", query, {"period"});
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.rows["2025-03-10"]["active_players"], N(players.size()));
}

TEST_F(KpiTest, EdgeCasesAndBadRequests) {
  // An empty range: every KPI answers; the count KPIs with a row of zeros
  // for each day, the others with no rows.
  HttpResult list = client_.Get("/v1/kpis");
  ASSERT_EQ(list.status, 200) << list.body;
  const std::set<std::string> counted = {"active_players", "stickiness", "sessions", "revenue"};
  for (std::string kpi : {"active_players", "stickiness", "retention", "sessions", "progression",
                          "deaths", "revenue", "ltv", "first_purchase"}) {
    EXPECT_NE(list.body.find("\"name\":\"" + kpi + "\""), std::string::npos) << kpi;
    KpiRows r = GetKpi(client_, kpi, "from=2024-01-01&to=2024-01-31", {});
    EXPECT_EQ(r.status, 200) << kpi << ": " << r.body;
    EXPECT_EQ(r.count, counted.count(kpi) ? 31u : 0u) << kpi << ": " << r.body;
  }
  auto expect_400 = [&](const std::string& target, const std::string& says) {
    HttpResult r = client_.Get(target);
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    EXPECT_NE(r.body.find(says), std::string::npos) << target << ": " << r.body;
  };
  expect_400("/v1/kpis/dau?" + Range(),
             "the KPIs are active_players, stickiness, retention, sessions, progression, deaths, "
             "revenue, ltv, first_purchase");
  expect_400("/v1/kpis/revenue?" + Range("&segment=country%3Bdrop"),
             "segment must be a field name");
  expect_400("/v1/kpis/revenue?" + Range("&segment=shoe_size"), "shoe_size");
  expect_400("/v1/kpis/revenue?" + Range("&tz=Mars/Olympus_Mons"), "Mars/Olympus_Mons");
  expect_400("/v1/kpis/revenue?from=2025-03-10&to=2025-03-01", "is after to");
  expect_400("/v1/kpis/revenue?" + Range("&granularity=hour"), "granularity is day, week or month");
  expect_400("/v1/kpis/revenue?" + Range("&color=red"),
             "revenue has no parameter \\\"color\\\"; it takes stream, from, to");
  EXPECT_EQ(client_.Request("POST", "/v1/kpis/revenue").status, 405);
  // sql=true: the statement that ran, to copy.
  HttpResult r = client_.Get("/v1/kpis/retention?" + Range("&sql=true"));
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.body).value();
  std::string_view sql;
  ASSERT_EQ(doc["sql"].get(sql), simdjson::SUCCESS) << r.body;
  EXPECT_NE(sql.find("FROM lake.\"events\""), std::string::npos) << sql;
  EXPECT_EQ(doc["parameters"]["from"].get_string().value(), kFrom);
  EXPECT_EQ(doc["kpi"].get_string().value(), "retention");
  // ...which /v1/query answers the same way.
  std::string one_line(sql);
  std::replace(one_line.begin(), one_line.end(), '\n', ' ');
  QueryAnswer same = Query(client_, one_line);
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(same.rows.size(), doc["rows"].get_array().size());
}

// CSV lines "<date>,<active>,<new>,<returning>" of expected active players.
std::set<std::string> ActivePlayersCsv(const Expected& expected) {
  std::set<std::string> lines;
  for (const auto& [key, row] : expected) {
    lines.insert(fmt::format("{},{},{},{}", key, row.at("active_players"), row.at("new_players"),
                             row.at("returning_players")));
  }
  return lines;
}

std::set<std::string> CsvRows(const std::string& output) {
  std::set<std::string> lines;
  std::istringstream in(output);
  std::string line;
  std::getline(in, line);  // The header.
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.insert(line);
  }
  return lines;
}

TEST_F(KpiTest, TheCliAsksTheServer) {
  std::string url = fmt::format(" --url http://127.0.0.1:{}", server_->port());
  CommandResult csv = RunGamelake("kpi active_players --from " + std::string(kFrom) + " --to " +
                                  kTo + " --format csv" + url);
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  EXPECT_TRUE(csv.output.starts_with("period,active_players,new_players,returning_players\r\n"))
      << csv.output;
  EXPECT_EQ(CsvRows(csv.output), ActivePlayersCsv(ActivePlayers(events(), Zone::kUtc, "", false)));
  CommandResult sql = RunGamelake("kpi retention --days 7 --sql" + url);
  EXPECT_EQ(sql.exit_code, 0) << sql.output;
  EXPECT_NE(sql.output.find("-- The SQL:\nWITH player_days AS"), std::string::npos) << sql.output;
  CommandResult bad = RunGamelake("kpi dau" + url);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("no KPI named \"dau\"; the KPIs are active_players"), std::string::npos)
      << bad.output;
  CommandResult list = RunGamelake("kpi");
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.output.find("ltv "), std::string::npos) << list.output;
}

TEST(KpiCliTest, ADataDirWithoutAServer) {
  TempDir data;
  std::vector<Ev> some = PlayersBelow(DataSet().events(), 20);
  {
    ServerProcess server(data.path(), {"--set", "delivery.buffer_interval_s=0.2"});
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    std::vector<const Ev*> all;
    for (const Ev& e : some) all.push_back(&e);
    Post(client, "events", all, Naming());
    ASSERT_EQ(server.Stop(), 0);  // Delivers everything.
  }
  CommandResult csv = RunGamelake("kpi active_players --data-dir " + data.path() + " --from " +
                                  kFrom + " --to " + kTo + " --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  EXPECT_EQ(CsvRows(csv.output), ActivePlayersCsv(ActivePlayers(some, Zone::kUtc, "", false)));
  // Bad requests are refused before the lake is opened.
  CommandResult bad = RunGamelake("kpi revenue --data-dir " + data.path() + " --tz \"Nowhere'\"");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("tz must be an IANA time zone name"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace gamelake::testing

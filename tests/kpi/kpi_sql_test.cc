// The KPIs' SQL run in DuckDB over a small hand-made `lake.events`, each
// answer worked out by hand below: the SQL binds, days follow the time
// zone, first days and cohorts come from all history, and derived sessions
// match explicit ones.
#include <duckdb.h>

#include <algorithm>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"
#include "kpi/kpi_catalog.h"
#include "kpi_test_duck.h"

namespace gamelake {
namespace {

using Rows = std::vector<std::vector<std::string>>;
using Params = std::map<std::string, std::string>;

// Four sessions of three players around midnight UTC, which is the
// afternoon before in Los Angeles (UTC-8 in March before DST).
constexpr const char* kEvents[] = {
    // event_type, ts, player, session, level, enemy, x, y, revenue, platform, country
    "'session_start','2025-03-01T10:00:00.000Z','p1','s1',NULL,NULL,NULL,NULL,NULL,'ios','US'",
    "'level_start','2025-03-01T10:01:00.000Z','p1','s1',1,NULL,NULL,NULL,NULL,'ios','US'",
    "'death','2025-03-01T10:02:00.000Z','p1','s1',1,'ghost',150.5,250.0,NULL,'ios','US'",
    "'level_start','2025-03-01T10:03:00.000Z','p1','s1',1,NULL,NULL,NULL,NULL,'ios','US'",
    "'level_complete','2025-03-01T10:10:00.000Z','p1','s1',1,NULL,NULL,NULL,NULL,'ios','US'",
    "'purchase','2025-03-01T10:11:00.000Z','p1','s1',2,NULL,NULL,NULL,4.99,'ios','US'",
    "'session_end','2025-03-01T10:20:00.000Z','p1','s1',NULL,NULL,NULL,NULL,NULL,'ios','US'",
    "'session_start','2025-03-02T09:00:00.000Z','p1','s2',NULL,NULL,NULL,NULL,NULL,'ios','US'",
    "'session_end','2025-03-02T09:10:00.000Z','p1','s2',NULL,NULL,NULL,NULL,NULL,'ios','US'",
    "'session_start','2025-03-01T23:30:00.000Z','p2','s3',NULL,NULL,NULL,NULL,NULL,'android','DE'",
    "'level_start','2025-03-01T23:50:00.000Z','p2','s3',1,NULL,NULL,NULL,NULL,'android','DE'",
    "'session_end','2025-03-02T00:10:00.000Z','p2','s3',NULL,NULL,NULL,NULL,NULL,'android','DE'",
    "'session_start','2025-03-02T03:00:00.000Z','p3','s4',NULL,NULL,NULL,NULL,NULL,'pc','US'",
    "'session_end','2025-03-02T03:05:00.000Z','p3','s4',NULL,NULL,NULL,NULL,NULL,'pc','US'",
};

class KpiSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(duck_.ok());
    Exec("CREATE SCHEMA lake");
    for (const char* table : {"events", "nosessions"}) {
      Exec(std::string("CREATE TABLE lake.") + table +
           " (event_type VARCHAR, ts VARCHAR, player_id VARCHAR, session_id VARCHAR, "
           "level BIGINT, enemy VARCHAR, x DOUBLE, y DOUBLE, revenue DOUBLE, platform VARCHAR, "
           "country VARCHAR)");
      for (const char* e : kEvents)
        Exec(std::string("INSERT INTO lake.") + table + " VALUES (" + e + ")");
    }
    KpiSettings s;
    KpiFieldMap no_sessions;
    ASSERT_THAT(no_sessions.Map("session_id", ""), IsOk());
    s.streams["nosessions"] = no_sessions;
    catalog_ = std::make_unique<KpiCatalog>(std::move(s));
  }
  void Exec(const std::string& sql) { duck_.Exec(sql); }

  // The KPI's rows as text; numbers rounded to 4 decimals.
  Rows Kpi(const std::string& kpi, Params params) {
    params.emplace("from", "2025-03-01");
    params.emplace("to", "2025-03-03");
    Result<std::string> sql = catalog_->Sql(kpi, params);
    EXPECT_THAT(sql.status(), IsOk());
    if (!sql.ok()) return {};
    duckdb_result r;
    if (duckdb_query(duck_.conn(), sql->c_str(), &r) != DuckDBSuccess) {
      ADD_FAILURE() << duckdb_result_error(&r) << "\n" << *sql;
      duckdb_destroy_result(&r);
      return {};
    }
    Rows rows;
    for (idx_t i = 0; i < duckdb_row_count(&r); ++i) {
      rows.emplace_back();
      for (idx_t c = 0; c < duckdb_column_count(&r); ++c) {
        rows.back().push_back(Text(&r, c, i));
      }
    }
    duckdb_destroy_result(&r);
    return rows;
  }

  static std::string Text(duckdb_result* r, idx_t c, idx_t i) {
    if (duckdb_value_is_null(r, c, i)) return "NULL";
    if (duckdb_column_type(r, c) == DUCKDB_TYPE_DOUBLE) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.4f", duckdb_value_double(r, c, i));
      return buf;
    }
    char* s = duckdb_value_varchar(r, c, i);
    std::string out = s ? s : "?";
    duckdb_free(s);
    return out;
  }

  KpiTestDuck duck_;
  std::unique_ptr<KpiCatalog> catalog_;
};

TEST_F(KpiSqlTest, ActivePlayersFollowTheTimeZone) {
  // Nobody played on the 3rd: a row of zeros.
  EXPECT_EQ(Kpi("active_players", {}), (Rows{{"2025-03-01", "2", "2", "0"},
                                             {"2025-03-02", "3", "1", "2"},
                                             {"2025-03-03", "0", "0", "0"}}));
  // In Los Angeles all three first played on March 1st.
  EXPECT_EQ(Kpi("active_players", {{"tz", "America/Los_Angeles"}}),
            (Rows{{"2025-03-01", "3", "3", "0"},
                  {"2025-03-02", "1", "0", "1"},
                  {"2025-03-03", "0", "0", "0"}}));
  EXPECT_EQ(Kpi("active_players", {{"granularity", "month"}}),
            (Rows{{"2025-03-01", "3", "3", "0"}}));
  EXPECT_EQ(Kpi("active_players", {{"segment", "country"}}),
            (Rows{{"2025-03-01", "DE", "1", "1", "0"},
                  {"2025-03-01", "US", "1", "1", "0"},
                  {"2025-03-02", "DE", "1", "0", "1"},
                  {"2025-03-02", "US", "2", "1", "1"},
                  {"2025-03-03", "DE", "0", "0", "0"},
                  {"2025-03-03", "US", "0", "0", "0"}}));
}

TEST_F(KpiSqlTest, NewPlayersNeedTheirWholeHistory) {
  // Seen on the 1st, so not new on the 2nd even when the range starts then.
  EXPECT_EQ(Kpi("active_players", {{"from", "2025-03-02"}}),
            (Rows{{"2025-03-02", "3", "1", "2"}, {"2025-03-03", "0", "0", "0"}}));
}

TEST_F(KpiSqlTest, Stickiness) {
  EXPECT_EQ(Kpi("stickiness", {}), (Rows{{"2025-03-01", "2", "2", "2", "1.0000"},
                                         {"2025-03-02", "3", "3", "3", "1.0000"},
                                         {"2025-03-03", "0", "3", "3", "0.0000"}}));
}

TEST_F(KpiSqlTest, RetentionClassicAndRolling) {
  Rows classic = {{"2025-03-01", "2", "0", "2", "1.0000"},
                  {"2025-03-01", "2", "1", "2", "1.0000"},
                  {"2025-03-01", "2", "2", "0", "0.0000"},
                  {"2025-03-02", "1", "0", "1", "1.0000"},
                  {"2025-03-02", "1", "1", "0", "0.0000"}};
  EXPECT_EQ(Kpi("retention", {}), classic);
  EXPECT_EQ(Kpi("retention", {{"mode", "rolling"}}), classic);
  EXPECT_EQ(Kpi("retention", {{"days", "1"}}),
            (Rows{classic[0], classic[1], classic[3], classic[4]}));
  // Los Angeles: one cohort of three; only p1 comes back (on the 2nd).
  EXPECT_EQ(Kpi("retention", {{"tz", "America/Los_Angeles"}, {"days", "2"}}),
            (Rows{{"2025-03-01", "3", "0", "3", "1.0000"},
                  {"2025-03-01", "3", "1", "1", "0.3333"},
                  {"2025-03-01", "3", "2", "0", "0.0000"}}));
}

TEST_F(KpiSqlTest, SessionsExplicitAndDerivedAgree) {
  Rows expected = {
      {"2025-03-01", "2", "2", "2", "1.0000", "1.0000", "1800.0000", "1800.0000", "2280.0000"},
      {"2025-03-02", "2", "2", "3", "1.0000", "0.6667", "450.0000", "450.0000", "570.0000"},
      {"2025-03-03", "0", "0", "0", "NULL", "NULL", "NULL", "NULL", "NULL"}};
  EXPECT_EQ(Kpi("sessions", {}), expected);
  EXPECT_EQ(Kpi("sessions", {{"stream", "nosessions"}}), expected);
}

TEST_F(KpiSqlTest, Revenue) {
  EXPECT_EQ(Kpi("revenue", {}),
            (Rows{{"2025-03-01", "4.9900", "1", "1", "2", "2", "0.5000", "2.4950", "4.9900"},
                  {"2025-03-02", "0.0000", "0", "0", "3", "3", "0.0000", "0.0000", "NULL"},
                  {"2025-03-03", "0.0000", "0", "0", "0", "0", "NULL", "NULL", "NULL"}}));
  // March 1st is a Saturday: its week, clipped to `from`, holds the 1st and
  // 2nd; the next week (the 3rd) has no events, so zeros for each platform.
  EXPECT_EQ(
      Kpi("revenue", {{"segment", "platform"}, {"granularity", "week"}}),
      (Rows{{"2025-03-01", "android", "0.0000", "0", "0", "1", "2", "0.0000", "0.0000", "NULL"},
            {"2025-03-01", "ios", "4.9900", "1", "1", "1", "2", "1.0000", "2.4950", "4.9900"},
            {"2025-03-01", "pc", "0.0000", "0", "0", "1", "1", "0.0000", "0.0000", "NULL"},
            {"2025-03-03", "android", "0.0000", "0", "0", "0", "0", "NULL", "NULL", "NULL"},
            {"2025-03-03", "ios", "0.0000", "0", "0", "0", "0", "NULL", "NULL", "NULL"},
            {"2025-03-03", "pc", "0.0000", "0", "0", "0", "0", "NULL", "NULL", "NULL"}}));
}

TEST_F(KpiSqlTest, LtvAccumulates) {
  EXPECT_EQ(Kpi("ltv", {{"days", "2"}}), (Rows{{"2025-03-01", "2", "0", "4.9900", "2.4950"},
                                               {"2025-03-01", "2", "1", "4.9900", "2.4950"},
                                               {"2025-03-01", "2", "2", "4.9900", "2.4950"},
                                               {"2025-03-02", "1", "0", "0.0000", "0.0000"},
                                               {"2025-03-02", "1", "1", "0.0000", "0.0000"}}));
}

TEST_F(KpiSqlTest, ProgressionAndDeaths) {
  // p1 died once on level 1 and won the next attempt, 10:03 to 10:10.
  EXPECT_EQ(Kpi("progression", {}),
            (Rows{{"1", "2", "3", "1", "1", "1", "0.5000", "420.0000", "420.0000"}}));
  EXPECT_EQ(Kpi("deaths", {}), (Rows{{"1", "ghost", "1", "1"}}));
  EXPECT_EQ(Kpi("deaths", {{"by", "position"}, {"cell", "100"}}),
            (Rows{{"1", "100.0000", "200.0000", "1"}}));
}

TEST_F(KpiSqlTest, EveryKpiRunsSegmentedAtEveryGranularity) {
  for (const KpiInfo& k : catalog_->List()) {
    for (std::string g : {"day", "week", "month"}) {
      Rows rows = Kpi(k.name, {{"segment", "country"}, {"granularity", g}});
      ASSERT_FALSE(rows.empty()) << k.name << " " << g;
      ASSERT_EQ(rows[0].size(), k.columns.size() + 1) << k.name;
      for (const auto& row : rows) EXPECT_TRUE(row[1] == "DE" || row[1] == "US") << k.name;
    }
  }
}

TEST_F(KpiSqlTest, CohortsTakeTheFirstEventsSegment) {
  Exec(
      "INSERT INTO lake.events VALUES ('session_start','2025-03-02T12:00:00.000Z','p3','s5',"
      "NULL,NULL,NULL,NULL,NULL,'pc','FR')");
  // p3 moved to FR later; the cohort keeps US, where p3 started.
  EXPECT_EQ(Kpi("retention", {{"segment", "country"}, {"days", "0"}}),
            (Rows{{"2025-03-01", "DE", "1", "0", "1", "1.0000"},
                  {"2025-03-01", "US", "1", "0", "1", "1.0000"},
                  {"2025-03-02", "US", "1", "0", "1", "1.0000"}}));
}

TEST_F(KpiSqlTest, TsWrittenWithAnyOffsetCountsOnItsLocalDay) {
  // 2025-02-28 11:00 UTC, written two calendar days before `from` (-12:00),
  // is March 1st in Kiritimati (UTC+14).
  Exec(
      "INSERT INTO lake.events VALUES ('session_start','2025-02-27T23:00:00.000-12:00','p9',"
      "'s9',NULL,NULL,NULL,NULL,NULL,'pc','KI')");
  Rows rows = Kpi("active_players", {{"tz", "Pacific/Kiritimati"}, {"segment", "country"}});
  std::vector<std::string> expected = {"2025-03-01", "KI", "1", "1", "0"};
  EXPECT_NE(std::find(rows.begin(), rows.end(), expected), rows.end());
}

TEST_F(KpiSqlTest, AnEmptyRangeHasZerosForCountsAndNothingElse) {
  const std::set<std::string> counted = {"active_players", "stickiness", "sessions", "revenue"};
  for (const KpiInfo& k : catalog_->List()) {
    Rows rows = Kpi(k.name, {{"from", "2024-01-01"}, {"to", "2024-01-31"}});
    if (!counted.count(k.name)) {
      EXPECT_EQ(rows, Rows{}) << k.name;
      continue;
    }
    ASSERT_EQ(rows.size(), 31u) << k.name;
    EXPECT_EQ(rows.front()[0], "2024-01-01") << k.name;
    EXPECT_EQ(rows.back()[0], "2024-01-31") << k.name;
    for (const auto& row : rows) {
      for (size_t c = 1; c < row.size(); ++c) {
        EXPECT_TRUE(row[c] == "0" || row[c] == "0.0000" || row[c] == "NULL")
            << k.name << " " << row[0] << " column " << k.columns[c] << ": " << row[c];
      }
    }
  }
}

TEST_F(KpiSqlTest, FirstPurchaseOnTheInstallDay) {
  // p1 bought on their first day; nobody else bought.
  EXPECT_EQ(Kpi("first_purchase", {}), (Rows{{"0", "1", "1.0000", "1.0000"}}));
  Exec(
      "INSERT INTO lake.events VALUES ('purchase','2025-03-03T08:00:00.000Z','p2','s8',"
      "NULL,NULL,NULL,NULL,0.99,'android','DE')");
  // p2 (first seen on the 1st) bought two days later; day 1 is a zero.
  EXPECT_EQ(Kpi("first_purchase", {}), (Rows{{"0", "1", "0.5000", "0.5000"},
                                             {"1", "0", "0.0000", "0.5000"},
                                             {"2", "1", "0.5000", "1.0000"}}));
}

}  // namespace
}  // namespace gamelake

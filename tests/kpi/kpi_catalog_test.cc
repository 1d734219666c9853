// KpiCatalog and KpiSqlBuilder without an engine: which requests are
// refused and why, and what the SQL reads (quoted names, ts bounds that
// let the planner prune, the mapped columns).
#include "kpi/kpi_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/manual_clock_env.h"
#include "../common/status_matchers.h"
#include "common/civil_time.h"

namespace gamelake {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Params = std::map<std::string, std::string>;

class KpiCatalogTest : public ::testing::Test {
 protected:
  KpiCatalogTest() : clock_(DaysFromCivil(2025, 3, 15) * kSecondsPerDay * kMicrosPerSecond) {
    KpiSettings s;
    s.env = &clock_;
    KpiFieldMap mapped;
    EXPECT_THAT(mapped.Map("player_id", "PlayerID"), IsOk());
    EXPECT_THAT(mapped.Map("ts", "Event Time"), IsOk());
    EXPECT_THAT(mapped.Map("country", "Geo\"Country"), IsOk());
    EXPECT_THAT(mapped.Map("session_id", ""), IsOk());
    s.streams["mapped"] = mapped;
    catalog_ = std::make_unique<KpiCatalog>(std::move(s));
  }

  std::string Sql(const std::string& kpi, const Params& params) {
    Result<std::string> sql = catalog_->Sql(kpi, params);
    EXPECT_THAT(sql.status(), IsOk());
    return sql.ok() ? sql.value() : "";
  }

  ManualClockEnv clock_;
  std::unique_ptr<KpiCatalog> catalog_;
};

TEST_F(KpiCatalogTest, ListsEveryKpiWithItsParameters) {
  std::vector<std::string> names;
  for (const KpiInfo& k : catalog_->List()) {
    names.push_back(k.name);
    EXPECT_FALSE(k.description.empty()) << k.name;
    EXPECT_FALSE(k.columns.empty()) << k.name;
    EXPECT_GE(k.parameters.size(), 5u) << k.name;
  }
  EXPECT_THAT(names,
              ::testing::ElementsAre("active_players", "stickiness", "retention", "sessions",
                                     "progression", "deaths", "revenue", "ltv", "first_purchase"));
}

TEST_F(KpiCatalogTest, UnknownKpiListsTheKpis) {
  EXPECT_THAT(catalog_->Sql("dau", {}).status(),
              StatusIs(Status::Code::kInvalidArgument,
                       "no KPI named \"dau\"; the KPIs are active_players, stickiness"));
}

TEST_F(KpiCatalogTest, BadParametersSayWhatIsAllowed) {
  auto bad = [&](const std::string& kpi, const Params& p, const std::string& message) {
    EXPECT_THAT(catalog_->Sql(kpi, p).status(), StatusIs(Status::Code::kInvalidArgument, message))
        << kpi;
  };
  bad("active_players", {{"segment", "country; DROP TABLE x"}}, "segment must be a field name");
  bad("active_players", {{"segment", "1st"}}, "segment must be a field name");
  bad("active_players", {{"segment", "a\"b"}}, "segment must be a field name");
  bad("active_players", {{"from", "2025-02-30"}}, "from must be a date YYYY-MM-DD");
  bad("active_players", {{"to", "yesterday"}}, "to must be a date YYYY-MM-DD");
  bad("active_players", {{"from", "2025-03-10"}, {"to", "2025-03-01"}},
      "from (2025-03-10) is after to (2025-03-01)");
  bad("active_players", {{"from", "2020-01-01"}, {"to", "2025-03-01"}}, "at most 1000 days");
  bad("active_players", {{"granularity", "hour"}}, "granularity is day, week or month");
  bad("active_players", {{"tz", "Europe/Paris'; --"}}, "tz must be an IANA time zone name");
  bad("active_players", {{"stream", "a b"}}, "stream \"a b\"");
  bad("active_players", {{"mode", "rolling"}},
      "active_players has no parameter \"mode\"; it takes stream, from, to, segment, tz, "
      "granularity");
  bad("retention", {{"mode", "weekly"}}, "mode is classic or rolling");
  bad("retention", {{"days", "-1"}}, "days must be a whole number 0..180");
  bad("deaths", {{"by", "weapon"}}, "by is enemy or position");
  bad("deaths", {{"cell", "0"}}, "cell must be a whole number");
}

TEST_F(KpiCatalogTest, DefaultsAreTheLast30DaysOfTheConfiguredStream) {
  Result<KpiParams> p = catalog_->Resolve("active_players", {});
  ASSERT_THAT(p.status(), IsOk());
  EXPECT_EQ(p->stream, "events");
  EXPECT_EQ(FormatKpiDate(p->to_day), "2025-03-15");
  EXPECT_EQ(FormatKpiDate(p->from_day), "2025-02-14");
  EXPECT_EQ(p->time_zone, "UTC");
  EXPECT_FALSE(p->segment.has_value());
  // Empty values and segment=none are "not given".
  p = catalog_->Resolve("active_players", {{"segment", "none"}, {"tz", ""}});
  ASSERT_THAT(p.status(), IsOk());
  EXPECT_FALSE(p->segment.has_value());
  EXPECT_EQ(p->time_zone, "UTC");
}

TEST_F(KpiCatalogTest, SqlBoundsTsAsTextSoFilesArePruned) {
  std::string sql = Sql("sessions", {{"from", "2025-03-01"}, {"to", "2025-03-07"}});
  // Two days before and three after, as text against the ts column.
  EXPECT_THAT(sql, HasSubstr("WHERE \"ts\" >= '2025-02-27' AND \"ts\" < '2025-03-10'"));
  EXPECT_THAT(sql, HasSubstr("FROM lake.\"events\""));
  EXPECT_THAT(sql, HasSubstr("day BETWEEN DATE '2025-03-01' AND DATE '2025-03-07'"));
  // First days look back without a lower bound, in one scan of the few
  // columns they need.
  sql = Sql("active_players", {{"from", "2025-03-01"}, {"to", "2025-03-07"}});
  EXPECT_THAT(sql, HasSubstr("WHERE \"ts\" < '2025-03-10')"));
  EXPECT_THAT(sql, Not(HasSubstr("\"ts\" >=")));
  EXPECT_EQ(sql.find("FROM lake."), sql.rfind("FROM lake."));
  // Only the columns it needs.
  EXPECT_THAT(sql, Not(HasSubstr("SELECT * FROM lake")));
  EXPECT_THAT(sql, Not(HasSubstr("revenue")));
}

TEST_F(KpiCatalogTest, UtcDaysAreArithmeticOtherZonesIcus) {
  std::string utc = Sql("active_players", {{"tz", "UTC"}});
  EXPECT_THAT(utc, HasSubstr("DATE '1970-01-01' + CAST(floor(epoch_us(event_time) / 86400000000)"));
  EXPECT_THAT(utc, Not(HasSubstr("timezone(")));
  std::string la = Sql("sessions", {{"tz", "America/Los_Angeles"}});
  EXPECT_THAT(la, HasSubstr("CAST(timezone('America/Los_Angeles', event_time) AS DATE)"));
  EXPECT_THAT(la, HasSubstr("CAST(timezone('America/Los_Angeles', started) AS DATE)"));
}

TEST_F(KpiCatalogTest, StickinessLooksBack29Days) {
  std::string sql = Sql("stickiness", {{"from", "2025-03-01"}, {"to", "2025-03-07"}});
  EXPECT_THAT(sql, HasSubstr("\"ts\" >= '2025-01-29'"));
}

TEST_F(KpiCatalogTest, SegmentsAndTimeZonesAreQuoted) {
  std::string sql = Sql("revenue", {{"from", "2025-03-01"},
                                    {"to", "2025-03-07"},
                                    {"segment", "app_version"},
                                    {"tz", "America/Los_Angeles"}});
  EXPECT_THAT(sql, HasSubstr("CAST(\"app_version\" AS VARCHAR) AS segment"));
  EXPECT_THAT(sql, HasSubstr("timezone('America/Los_Angeles', event_time)"));
  EXPECT_THAT(sql, HasSubstr("TRY_CAST(\"revenue\" AS DOUBLE) AS revenue"));
}

TEST_F(KpiCatalogTest, MappedStreamsReadTheirOwnColumns) {
  std::string sql = Sql(
      "sessions",
      {{"stream", "mapped"}, {"from", "2025-03-01"}, {"to", "2025-03-02"}, {"segment", "country"}});
  EXPECT_THAT(sql, HasSubstr("CAST(\"PlayerID\" AS VARCHAR) AS player_id"));
  EXPECT_THAT(sql, HasSubstr("TRY_CAST(\"Event Time\" AS TIMESTAMPTZ) AS event_time"));
  EXPECT_THAT(sql, HasSubstr("\"Event Time\" >= '2025-02-27'"));
  // A quote in a configured name is doubled, not the end of the name.
  EXPECT_THAT(sql, HasSubstr("CAST(\"Geo\"\"Country\" AS VARCHAR) AS segment"));
  // No session ids: derived from the gap (1800 s by default).
  EXPECT_THAT(sql, HasSubstr("> 1800000 THEN 1 ELSE 0 END"));
  EXPECT_THAT(sql, Not(HasSubstr("\"session_id\"")));
}

TEST_F(KpiCatalogTest, EveryKpiBuildsForEveryGranularityAndSegment) {
  for (const KpiInfo& k : catalog_->List()) {
    for (std::string g : {"day", "week", "month"}) {
      for (std::string seg : {"", "platform"}) {
        Params p = {{"from", "2025-03-01"}, {"to", "2025-03-31"}, {"granularity", g}};
        if (!seg.empty()) p["segment"] = seg;
        std::string sql = Sql(k.name, p);
        EXPECT_THAT(sql, HasSubstr("WITH ")) << k.name;
        EXPECT_EQ(sql.find("segment") != std::string::npos, !seg.empty()) << k.name << "\n" << sql;
      }
    }
  }
}

TEST(KpiFieldMapTest, OnlyConventionFieldsMap) {
  KpiFieldMap m;
  EXPECT_THAT(m.Map("playerid", "x"),
              StatusIs(Status::Code::kInvalidArgument, "the fields are event_id, ts, player_id"));
  EXPECT_THAT(m.Map("ts", ""), StatusIs(Status::Code::kInvalidArgument, "only session_id"));
  EXPECT_THAT(m.Map("ts", std::string("a\0b", 3)), StatusIs(Status::Code::kInvalidArgument, "NUL"));
  EXPECT_THAT(m.Map("revenue", "Price USD"), IsOk());
  EXPECT_EQ(m.Column("revenue"), "Price USD");
  EXPECT_EQ(m.Quoted("revenue"), "\"Price USD\"");
  EXPECT_EQ(m.Column("country"), "country");
  EXPECT_FALSE(m.derived_sessions());
  EXPECT_THAT(m.Map("session_id", ""), IsOk());
  EXPECT_TRUE(m.derived_sessions());
}

TEST(KpiParamsTest, DatesRoundTrip) {
  Result<int64_t> d = ParseKpiDate("2024-02-29", "from");
  ASSERT_THAT(d.status(), IsOk());
  EXPECT_EQ(FormatKpiDate(*d), "2024-02-29");
  EXPECT_FALSE(ParseKpiDate("2023-02-29", "from").ok());
  EXPECT_FALSE(ParseKpiDate("2023-1-01", "from").ok());
  EXPECT_FALSE(ParseKpiDate("2023-01-01T00", "from").ok());
}

}  // namespace
}  // namespace gamelake

#include "lake/lake_layout.h"

#include <gtest/gtest.h>

#include "common/civil_time.h"

namespace gamelake {
namespace {

int64_t Hour(std::string_view iso) { return ParseTime(iso).value() / kMicrosPerHour; }

TEST(LakePartitionTest, DirsRoundTripForEveryHourOfAYearAndItsDays) {
  // 2024 is a leap year: Feb 29 is a day, Feb 30 is not.
  const int64_t start = Hour("2024-01-01T00:00:00Z");
  for (int64_t h = start; h < start + 366 * 24; ++h) {
    LakePartition hour = LakePartition::Hour(h);
    std::optional<LakePartition> back = ParsePartitionDir(hour.Dir());
    ASSERT_TRUE(back.has_value()) << hour.Dir();
    EXPECT_EQ(*back, hour);
    LakePartition day = LakePartition::DayOf(h);
    EXPECT_TRUE(day.whole_day);
    EXPECT_EQ(ParsePartitionDir(day.Dir()), day) << day.Dir();
    EXPECT_LE(day.start_us(), hour.start_us());
    EXPECT_GE(day.end_us(), hour.end_us());
  }
  EXPECT_EQ(LakePartition::Hour(Hour("2026-11-26T10:00:00Z")).Dir(), "dt=2026-11-26/hr=10");
  EXPECT_EQ(LakePartition::DayOf(Hour("2026-11-26T10:00:00Z")).Dir(), "dt=2026-11-26/hr=all");
  EXPECT_EQ(LakePartition::OfTime(ParseTime("2026-11-26T10:59:59.999999Z").value()),
            LakePartition::Hour(Hour("2026-11-26T10:00:00Z")));
  // Before the epoch, hours still floor.
  EXPECT_EQ(LakePartition::OfTime(-1).Dir(), "dt=1969-12-31/hr=23");
}

TEST(LakePartitionTest, ParseRefusesWhatDirDoesNotWrite) {
  for (std::string_view bad :
       {"", "dt=2026-11-26", "dt=2026-11-26/hr=24", "dt=2026-11-26/hr=1", "dt=2026-02-30/hr=00",
        "dt=2026-13-01/hr=00", "dt=2026-1-01/hr=00", "dt=2026-11-26/hr=ALL", "DT=2026-11-26/hr=00",
        "dt=2026-11-26/hr=00/x", "dt=2026-11-26/min=00", "dt=2026x11-26/hr=00"}) {
    EXPECT_FALSE(ParsePartitionDir(bad).has_value()) << bad;
  }
}

TEST(LakeFileNameTest, RoundTripsRangesAndVersions) {
  for (LakeFileName n : {LakeFileName{1, 1, 0}, LakeFileName{7, 9000, 0}, LakeFileName{5, 5, 1},
                         LakeFileName{UINT64_MAX - 1, UINT64_MAX, 4000000000u}}) {
    for (std::string_view table : {"events", "a-b_c", "_errors"}) {
      std::string name = n.Format(table);
      EXPECT_EQ(ParseLakeFileName(table, name), n) << name;
    }
  }
  EXPECT_EQ(LakeFileName({1, 2, 0}).Format("s"),
            "s-00000000000000000001-00000000000000000002.parquet");
  EXPECT_EQ(LakeFileName({1, 2, 3}).Format("s"),
            "s-00000000000000000001-00000000000000000002-v3.parquet");
  EXPECT_EQ(LakeFilePath("s", LakePartition::Hour(Hour("2026-11-26T10:00:00Z")), {1, 2, 0}),
            "s/dt=2026-11-26/hr=10/s-00000000000000000001-00000000000000000002.parquet");
}

TEST(LakeFileNameTest, ParseRefusesOtherNames) {
  const std::string good = LakeFileName{1, 2, 0}.Format("s");
  for (std::string bad : std::vector<std::string>{
           std::string("s-1-2.parquet"),
           "t" + good.substr(1),                                      // Another table.
           "s-00000000000000000002-00000000000000000001.parquet",     // first > last.
           "s-00000000000000000001-00000000000000000002-v0.parquet",  // v0 is never written.
           "s-00000000000000000001-00000000000000000002-v01.parquet",
           "s-00000000000000000001-00000000000000000002-v.parquet",
           "s-00000000000000000001-00000000000000000002-v4294967296.parquet",
           "s-99999999999999999999-99999999999999999999.parquet",  // Above UINT64_MAX.
           "s-00000000000000000001-00000000000000000002.parquet.tmp",
           "s-0000000000000000000a-00000000000000000002.parquet",
       }) {
    EXPECT_FALSE(ParseLakeFileName("s", bad).has_value()) << bad;
  }
  // A table whose name is a prefix of another's does not claim its files.
  EXPECT_FALSE(ParseLakeFileName("s", LakeFileName{1, 2, 0}.Format("s-x")).has_value());
}

TEST(LakeFileNameTest, RoundTripsNodeSegments) {
  for (std::string node :
       std::vector<std::string>{"a", "ingest-1", "0", "-", std::string(kMaxNodeIdLength, 'z')}) {
    for (uint32_t version : {0u, 1u, 12u}) {
      LakeFileName n{3, 7, version, node};
      for (std::string_view table : {"events", "a-b_c", "_errors", "s-v2"}) {
        std::string name = n.Format(table);
        EXPECT_EQ(ParseLakeFileName(table, name), n) << name;
        EXPECT_TRUE(ClassifyLakeFile(table, name).has_value()) << name;
      }
    }
  }
  EXPECT_EQ((LakeFileName{1, 2, 0, "n-1"}).Format("s"),
            "s-00000000000000000001-00000000000000000002.n-1.parquet");
  EXPECT_EQ((LakeFileName{1, 2, 3, "n-1"}).Format("s"),
            "s-00000000000000000001-00000000000000000002-v3.n-1.parquet");
  // Old names still parse, without a node.
  EXPECT_EQ(ParseLakeFileName("s", "s-00000000000000000001-00000000000000000002-v3.parquet")->node,
            "");
  // A node id that looks like a version stays a node id.
  std::optional<LakeFileName> tricky =
      ParseLakeFileName("s", "s-00000000000000000001-00000000000000000002.v3.parquet");
  ASSERT_TRUE(tricky.has_value());
  EXPECT_EQ(tricky->version, 0u);
  EXPECT_EQ(tricky->node, "v3");
}

TEST(LakeFileNameTest, ParseRefusesBadNodeSegments) {
  const std::string base = "s-00000000000000000001-00000000000000000002";
  for (std::string bad : std::vector<std::string>{
           base + "..parquet",                                                // Empty node.
           base + ".Node.parquet",                                            // Upper case.
           base + ".a_b.parquet",                                             // '_'.
           base + ".a.b.parquet",                                             // Two segments.
           base + "." + std::string(kMaxNodeIdLength + 1, 'a') + ".parquet",  // Too long.
           base + ".a-v1.parquet.tmp",
           "s-00000000000000000001.a-00000000000000000002.parquet",  // Segment mid-name.
       }) {
    EXPECT_FALSE(ParseLakeFileName("s", bad).has_value()) << bad;
  }
  EXPECT_TRUE(ValidateNodeId("eu-west-1a").ok());
  EXPECT_FALSE(ValidateNodeId("").ok());
  EXPECT_FALSE(ValidateNodeId("a.b").ok());
  EXPECT_FALSE(ValidateNodeId("A").ok());
  EXPECT_FALSE(ValidateNodeId(std::string(kMaxNodeIdLength + 1, 'a')).ok());
}

TEST(LakeFileNameTest, ContainsAndOverlaps) {
  LakeFileName a{10, 20, 0};
  EXPECT_TRUE(a.Contains({10, 20, 0}));
  EXPECT_TRUE(a.Contains({12, 13, 0}));
  EXPECT_FALSE(a.Contains({9, 13, 0}));
  EXPECT_TRUE(a.Overlaps({20, 30, 0}));
  EXPECT_FALSE(a.Overlaps({21, 30, 0}));
  EXPECT_FALSE(a.Overlaps({1, 9, 0}));
}

TEST(LakeLayoutTest, TempNamesAndClassification) {
  EXPECT_EQ(TempPathFor("/a/b/s-1-2.parquet"), "/a/b/.s-1-2.parquet.tmp");
  EXPECT_TRUE(IsTempName(".s-1-2.parquet.tmp"));
  EXPECT_FALSE(IsTempName("s-1-2.parquet"));
  EXPECT_FALSE(ClassifyLakeFile("s", ".s-1-2.parquet.tmp").has_value());
  EXPECT_TRUE(ClassifyLakeFile("_errors", LakeFileName{1, 2, 0}.Format("_errors")).has_value());
  EXPECT_FALSE(ClassifyLakeFile("s", "_SUCCESS").has_value());
  EXPECT_EQ(ClassifyLakeFile("s", "x.ndjson.gz")->format, FileFormat::kNdjson);
  EXPECT_TRUE(ClassifyLakeFile("s", "x.ndjson.gz")->gzip);
  EXPECT_EQ(ClassifyLakeFile("s", "X.CSV")->format, FileFormat::kCsv);
  EXPECT_FALSE(ClassifyLakeFile("s", "x.parquet.gz").has_value());
}

}  // namespace
}  // namespace gamelake

#include "delivery/lake_writer.h"
#include "lake/lake_layout.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/env.h"
#include "sql/duck_db.h"

namespace gamelake {
namespace {

class LakeWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gl_lake_writer_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto writer = LakeWriter::Open({});
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    writer_ = std::move(writer.value());
    auto db = DuckDb::Open({});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db.value());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes one staging line per record (record ids 1..n, ingest time 1e15+id)
  // and converts the file; returns the Parquet path.
  std::string Convert(const std::vector<std::string>& records, LakeWriter* writer = nullptr,
                      std::set<std::string>* columns = nullptr) {
    std::string staging;
    for (size_t i = 0; i < records.size(); ++i) {
      staging += "{\"_ingest_time\":" + std::to_string(kBaseTime + i + 1) +
                 ",\"_record_id\":" + std::to_string(i + 1) + ",\"r\":" + records[i] + "}\n";
    }
    std::string staging_path = JoinPath(dir_, "staging.ndjson");
    EXPECT_TRUE(Env::Default()->WriteFileAtomic(staging_path, staging).ok());
    std::string out = JoinPath(dir_, "lake/s/out.parquet");
    auto info = (writer != nullptr ? writer : writer_.get())->Convert(staging_path, out, columns);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    if (info.ok()) {
      EXPECT_EQ(info->rows, records.size());
      EXPECT_GT(info->bytes, 0u);
      EXPECT_EQ(info->bytes, Env::Default()->GetFileSize(out).value());
    }
    return out;
  }

  QueryResult Read(const std::string& path, const std::string& columns = "*") {
    auto r = db_->Query("SELECT " + columns + " FROM read_parquet(" + QuoteLiteral(path) +
                        ") ORDER BY _record_id");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : QueryResult{};
  }

  std::string TypeOf(const QueryResult& r, const std::string& column) {
    int i = r.ColumnIndex(column);
    return i < 0 ? "<missing>" : r.column_types[i];
  }
  std::optional<std::string> Value(const QueryResult& r, size_t row, const std::string& column) {
    int i = r.ColumnIndex(column);
    EXPECT_GE(i, 0) << column;
    if (i < 0 || row >= r.rows.size()) return "<missing>";
    return r.rows[row][i];
  }

  static constexpr int64_t kBaseTime = 1'700'000'000'000'000;
  std::string dir_;
  std::unique_ptr<LakeWriter> writer_;
  std::unique_ptr<DuckDb> db_;
};

TEST_F(LakeWriterTest, UnionOfFieldsWithNulls) {
  auto path = Convert({R"({"PlayerID":"p1","Wins":2})", R"({"PlayerID":"p2","Losses":1})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.column_names,
            (std::vector<std::string>{"_ingest_time", "_record_id", "PlayerID", "Wins", "Losses"}));
  EXPECT_EQ(TypeOf(r, "_ingest_time"), "TIMESTAMP");
  EXPECT_EQ(TypeOf(r, "_record_id"), "BIGINT");
  EXPECT_EQ(TypeOf(r, "PlayerID"), "VARCHAR");
  EXPECT_EQ(TypeOf(r, "Wins"), "BIGINT");
  EXPECT_EQ(Value(r, 0, "PlayerID"), "p1");
  EXPECT_EQ(Value(r, 0, "Wins"), "2");
  EXPECT_EQ(Value(r, 0, "Losses"), std::nullopt);
  EXPECT_EQ(Value(r, 1, "Wins"), std::nullopt);
  EXPECT_EQ(Value(r, 1, "Losses"), "1");
  EXPECT_EQ(Value(r, 0, "_record_id"), "1");
  EXPECT_EQ(Value(r, 1, "_record_id"), "2");
  // 1.7e15 us since the epoch is 2023-11-14 22:13:20 UTC.
  EXPECT_EQ(Value(r, 0, "_ingest_time"), "2023-11-14 22:13:20.000001");
  EXPECT_FALSE(Env::Default()->FileExists(TempPathFor(path)));
}

TEST_F(LakeWriterTest, ConflictingTypesWidenOrBecomeJson) {
  auto path = Convert({R"({"n":1,"x":1,"flag":true})", R"({"n":2.5,"x":"one","flag":7})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(TypeOf(r, "n"), "DOUBLE");
  EXPECT_EQ(Value(r, 0, "n"), "1.0");
  EXPECT_EQ(Value(r, 1, "n"), "2.5");
  EXPECT_EQ(TypeOf(r, "x"), "JSON");
  EXPECT_EQ(Value(r, 0, "x"), "1");
  EXPECT_EQ(Value(r, 1, "x"), "\"one\"");
  EXPECT_EQ(Value(r, 0, "flag"), "true");
  EXPECT_EQ(Value(r, 1, "flag"), "7");
}

TEST_F(LakeWriterTest, OddKeyNamesKeptExactly) {
  auto path = Convert({R"({"Time Played":1234,"a.b":1,"ünï cødé":"x","quote\"d":2,"select":3})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Value(r, 0, "Time Played"), "1234");
  EXPECT_EQ(Value(r, 0, "a.b"), "1");
  EXPECT_EQ(Value(r, 0, "ünï cødé"), "x");
  EXPECT_EQ(Value(r, 0, "quote\"d"), "2");
  EXPECT_EQ(Value(r, 0, "select"), "3");
}

TEST_F(LakeWriterTest, NestedObjectsAndArrays) {
  auto path = Convert({R"({"pos":{"x":1,"y":2},"tags":["a","b"],"items":[{"id":1}]})",
                       R"({"pos":{"x":3},"tags":[],"items":[{"id":2,"n":"k"}]})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(TypeOf(r, "pos"), "STRUCT(\"x\" BIGINT, \"y\" BIGINT)");
  EXPECT_EQ(TypeOf(r, "tags"), "VARCHAR[]");
  EXPECT_EQ(TypeOf(r, "items"), "STRUCT(\"id\" BIGINT, \"n\" VARCHAR)[]");
  EXPECT_EQ(Value(r, 0, "pos"), "{'x': 1, 'y': 2}");
  EXPECT_EQ(Value(r, 1, "pos"), "{'x': 3, 'y': NULL}");
  EXPECT_EQ(Value(r, 0, "tags"), "[a, b]");
  EXPECT_EQ(Value(r, 1, "tags"), "[]");
  EXPECT_EQ(Value(r, 1, "items"), "[{'id': 2, 'n': k}]");
}

TEST_F(LakeWriterTest, EmptyObjectAmongOthers) {
  auto path = Convert({R"({})", R"({"a":1})", R"({})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.column_names, (std::vector<std::string>{"_ingest_time", "_record_id", "a"}));
  EXPECT_EQ(Value(r, 0, "a"), std::nullopt);
  EXPECT_EQ(Value(r, 1, "a"), "1");
}

TEST_F(LakeWriterTest, AllRecordsEmpty) {
  auto path = Convert({R"({})", R"({})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.column_names, (std::vector<std::string>{"_ingest_time", "_record_id"}));
  EXPECT_EQ(TypeOf(r, "_ingest_time"), "TIMESTAMP");
  EXPECT_EQ(Value(r, 1, "_record_id"), "2");
}

TEST_F(LakeWriterTest, UserFieldsNamedLikeOursAreRenamed) {
  auto path = Convert({R"({"_ingest_time":"mine","_record_id":99,"_record_id_1":5,"x":1})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.column_names,
            (std::vector<std::string>{"_ingest_time", "_record_id", "_ingest_time_1",
                                      "_record_id_1", "_record_id_1_1", "x"}));
  EXPECT_EQ(TypeOf(r, "_ingest_time"), "TIMESTAMP");
  EXPECT_EQ(Value(r, 0, "_record_id"), "1");
  EXPECT_EQ(Value(r, 0, "_ingest_time_1"), "mine");
  EXPECT_EQ(Value(r, 0, "_record_id_1"), "99");
  EXPECT_EQ(Value(r, 0, "_record_id_1_1"), "5");
}

TEST_F(LakeWriterTest, KeysDifferingOnlyInCaseFallBackToJsonText) {
  auto path = Convert({R"({"a":1,"A":"x"})", R"({"a":2,"b":{"c":[1]}})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.column_names,
            (std::vector<std::string>{"_ingest_time", "_record_id", "a", "A_1", "b"}));
  EXPECT_EQ(Value(r, 0, "a"), "1");
  EXPECT_EQ(Value(r, 0, "A_1"), "\"x\"");
  EXPECT_EQ(Value(r, 1, "A_1"), std::nullopt);
  EXPECT_EQ(Value(r, 1, "b"), R"({"c":[1]})");
}

TEST_F(LakeWriterTest, JsonTextFallbackKeepsTheColumnLimitToo) {
  LakeWriterOptions o;
  o.column_limits.max_columns = 2;
  auto narrow = LakeWriter::Open(o);
  ASSERT_TRUE(narrow.ok()) << narrow.status().ToString();
  std::set<std::string> columns = {"b"};
  auto path =
      Convert({R"({"a":1,"A":"x","b":true})", R"({"a":2,"c":{"d":[1]}})"}, narrow->get(), &columns);
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 2u);
  // "b" is known, so it stays first; "a" fills the second column; "A" and "c" overflow.
  EXPECT_EQ(r.column_names,
            (std::vector<std::string>{"_ingest_time", "_record_id", "a", "b", "_overflow"}));
  EXPECT_EQ(Value(r, 0, "_overflow"), R"({"A":"x"})");
  EXPECT_EQ(Value(r, 1, "_overflow"), R"({"c":{"d":[1]}})");
  EXPECT_EQ(Value(r, 1, "b"), std::nullopt);
}

TEST_F(LakeWriterTest, NestedKeysDifferingOnlyInCaseMakeThatColumnJson) {
  auto path = Convert(
      {R"({"a":{"b":1,"B":2},"n":1,"l":[{"x":1},{"X":2}]})", R"({"a":{"b":3},"n":2,"l":[]})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.column_names,
            (std::vector<std::string>{"_ingest_time", "_record_id", "a", "n", "l"}));
  EXPECT_EQ(TypeOf(r, "a"), "JSON");
  EXPECT_EQ(TypeOf(r, "n"), "BIGINT");
  EXPECT_EQ(TypeOf(r, "l"), "JSON[]");
  EXPECT_EQ(Value(r, 0, "a"), R"({"b":1,"B":2})");
  EXPECT_EQ(Value(r, 1, "a"), R"({"b":3})");
  EXPECT_EQ(Value(r, 1, "n"), "2");
  EXPECT_EQ(Value(r, 0, "l"), R"([{"x":1}, {"X":2}])");
}

TEST_F(LakeWriterTest, ManyDistinctKeysStayColumns) {
  std::vector<std::string> records;
  for (int i = 0; i < 300; ++i) {
    records.push_back("{\"k" + std::to_string(i) + "\":" + std::to_string(i) + "}");
  }
  auto path = Convert(records);
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 300u);
  EXPECT_EQ(r.column_names.size(), 302u);
  EXPECT_EQ(TypeOf(r, "k299"), "BIGINT");
  EXPECT_EQ(Value(r, 299, "k299"), "299");
  EXPECT_EQ(Value(r, 0, "k299"), std::nullopt);
}

TEST_F(LakeWriterTest, KeysBeyondTheColumnLimitGoToOverflow) {
  LakeWriterOptions o;
  o.column_limits.max_columns = 4;
  o.column_limits.max_struct_fields = 2;
  auto narrow = LakeWriter::Open(o);
  ASSERT_TRUE(narrow.ok()) << narrow.status().ToString();
  // "m" has 3 fields (> 2): one JSON column. "a", "m", "b", "c" fit 4 columns;
  // "d" and "e" do not and are kept, whole, in _overflow.
  std::set<std::string> columns;
  auto path = Convert({R"({"a":1,"m":{"x":1,"y":2,"z":3},"b":"t","c":true,"d":4})",
                       R"({"a":2,"e":{"deep":[1,2]}})", R"({"b":"only columns"})"},
                      narrow->get(), &columns);
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.column_names.size(), 7u);  // _ingest_time, _record_id, a, m, b, c, _overflow.
  EXPECT_EQ(TypeOf(r, "a"), "BIGINT");
  EXPECT_EQ(TypeOf(r, "m"), "JSON");
  EXPECT_EQ(TypeOf(r, "_overflow"), "JSON");
  EXPECT_EQ(Value(r, 0, "m"), R"({"x":1,"y":2,"z":3})");
  EXPECT_EQ(Value(r, 0, "_overflow"), R"({"d":4})");
  EXPECT_EQ(Value(r, 1, "_overflow"), R"({"e":{"deep":[1,2]}})");
  EXPECT_EQ(Value(r, 2, "_overflow"), std::nullopt);
  EXPECT_EQ(Value(r, 2, "b"), "only columns");
  EXPECT_EQ(columns, (std::set<std::string>{"a", "b", "c", "m"}));

  // The next file keeps the table's columns first: "c" stays a column although
  // three new keys come before it.
  path = Convert({R"({"n1":1,"n2":2,"n3":3,"c":false,"a":5})"}, narrow->get(), &columns);
  r = Read(path);
  EXPECT_EQ(TypeOf(r, "c"), "BOOLEAN");
  EXPECT_EQ(TypeOf(r, "a"), "BIGINT");
  EXPECT_EQ(TypeOf(r, "n1"), "BIGINT");
  EXPECT_EQ(TypeOf(r, "n2"), "BIGINT");
  EXPECT_EQ(TypeOf(r, "n3"), "<missing>");
  EXPECT_EQ(Value(r, 0, "_overflow"), R"({"n3":3})");
}

TEST_F(LakeWriterTest, DateLikeStringsStayStrings) {
  auto path = Convert(
      {R"({"d":"2024-01-02","t":"2024-01-02T03:04:05Z","u":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","h":"10:00:00"})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 1u);
  for (const char* c : {"d", "t", "u", "h"}) EXPECT_EQ(TypeOf(r, c), "VARCHAR") << c;
  EXPECT_EQ(Value(r, 0, "t"), "2024-01-02T03:04:05Z");
}

TEST_F(LakeWriterTest, LargeIntegers) {
  // Within BIGINT: exact.
  auto path = Convert({R"({"i":9223372036854775807,"j":-9223372036854775808})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(TypeOf(r, "i"), "BIGINT");
  EXPECT_EQ(Value(r, 0, "i"), "9223372036854775807");
  EXPECT_EQ(Value(r, 0, "j"), "-9223372036854775808");

  // Above BIGINT but within uint64: integer columns degrade to exact JSON text.
  path = Convert({R"({"u":18446744073709551615,"w":1,"s":"x"})"});
  r = Read(path);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Value(r, 0, "u"), "18446744073709551615");
  EXPECT_EQ(Value(r, 0, "w"), "1");
  EXPECT_EQ(Value(r, 0, "s"), "x");

  // Beyond uint64: a DOUBLE (JSON numbers of that size are floats to DuckDB).
  path = Convert({R"({"big":123456789012345678901234567890})"});
  r = Read(path);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(TypeOf(r, "big"), "DOUBLE");
}

TEST_F(LakeWriterTest, EmptyKeyIsRenamed) {
  auto path = Convert({R"({"":1,"a":2})"});
  QueryResult r = Read(path);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Value(r, 0, "_1"), "1");
  EXPECT_EQ(Value(r, 0, "a"), "2");
}

TEST_F(LakeWriterTest, MissingStagingFileFailsWithoutLeavingFiles) {
  std::string out = JoinPath(dir_, "lake/s/out.parquet");
  auto info = writer_->Convert(JoinPath(dir_, "nope.ndjson"), out);
  EXPECT_FALSE(info.ok());
  EXPECT_FALSE(Env::Default()->FileExists(out));
  EXPECT_FALSE(Env::Default()->FileExists(TempPathFor(out)));
}

TEST(LakeWriterNames, TempNames) {
  EXPECT_EQ(TempPathFor("/a/b/s-1-2.parquet"), "/a/b/.s-1-2.parquet.tmp");
  EXPECT_TRUE(IsTempName(".s-1-2.parquet.tmp"));
  EXPECT_FALSE(IsTempName("s-1-2.parquet"));
}

TEST(DuckDbTest, QuotingAndErrors) {
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
  auto db = DuckDb::Open({});
  ASSERT_TRUE(db.ok());
  Status s = (*db)->Execute("SELEC 1");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("syntax error"), std::string::npos) << s.ToString();
  auto r = (*db)->Query("SELECT " + QuoteLiteral("it's") + " AS " + QuoteIdentifier("we\"ird") +
                        ", NULL::INTEGER AS n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->column_names, (std::vector<std::string>{"we\"ird", "n"}));
  EXPECT_EQ(r->rows.at(0).at(0), "it's");
  EXPECT_EQ(r->rows.at(0).at(1), std::nullopt);
  EXPECT_FALSE((*db)->Query(std::string("SELECT 1\0", 9)).ok());
}

}  // namespace
}  // namespace gamelake

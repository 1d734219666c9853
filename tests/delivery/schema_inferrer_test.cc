#include "delivery/schema_inferrer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/env.h"
#include "delivery/lake_writer.h"
#include "sql/duck_db.h"

namespace gamelake {
namespace {

// Infers the record type of `records`; "<error: ...>" if a record is refused,
// "<conflict>" for top-level keys no STRUCT can hold.
std::string Infer(const std::vector<std::string>& records, bool* wide = nullptr) {
  SchemaInferrer inferrer;
  for (const std::string& record : records) {
    Status s = inferrer.AddRecord(record);
    if (!s.ok()) return "<error: " + s.ToString() + ">";
  }
  if (wide != nullptr) *wide = inferrer.wide_integers();
  if (inferrer.top_level_key_conflict()) return "<conflict>";
  return inferrer.RecordType().ToString();
}

TEST(SchemaInferrerTest, Numbers) {
  EXPECT_EQ(Infer({R"({"a":1})"}), R"(STRUCT("a" BIGINT))");
  EXPECT_EQ(Infer({R"({"a":-0})"}), R"(STRUCT("a" BIGINT))");
  EXPECT_EQ(Infer({R"({"a":-9223372036854775808})"}), R"(STRUCT("a" BIGINT))");
  EXPECT_EQ(Infer({R"({"a":1.0})"}), R"(STRUCT("a" DOUBLE))");
  EXPECT_EQ(Infer({R"({"a":1e3})"}), R"(STRUCT("a" DOUBLE))");
  EXPECT_EQ(Infer({R"({"a":1})", R"({"a":2.5})"}), R"(STRUCT("a" DOUBLE))");
  EXPECT_EQ(Infer({R"({"a":2.5})", R"({"a":1})"}), R"(STRUCT("a" DOUBLE))");
  // simdjson cannot hold these; the ingest parser rejects them too.
  EXPECT_NE(Infer({R"({"a":18446744073709551616})"}).find("<error"), std::string::npos);
}

TEST(SchemaInferrerTest, IntegersAboveInt64Max) {
  bool wide = false;
  EXPECT_EQ(Infer({R"({"u":18446744073709551615,"w":1})"}, &wide),
            R"(STRUCT("u" BIGINT, "w" BIGINT))");
  EXPECT_TRUE(wide);
  EXPECT_EQ(Infer({R"({"a":{"b":[1,9223372036854775808]}})"}, &wide),
            R"(STRUCT("a" STRUCT("b" BIGINT[])))");
  EXPECT_TRUE(wide);
  // DOUBLE and JSON columns hold them: nothing to widen.
  EXPECT_EQ(Infer({R"({"a":18446744073709551615})", R"({"a":0.5})"}, &wide),
            R"(STRUCT("a" DOUBLE))");
  EXPECT_FALSE(wide);
  EXPECT_EQ(Infer({R"({"a":18446744073709551615})", R"({"a":"x"})", R"({"b":1})"}, &wide),
            R"(STRUCT("a" JSON, "b" BIGINT))");
  EXPECT_FALSE(wide);
  EXPECT_EQ(Infer({R"({"a":9223372036854775807})"}, &wide), R"(STRUCT("a" BIGINT))");
  EXPECT_FALSE(wide);
}

TEST(SchemaInferrerTest, StringsBooleansAndNulls) {
  EXPECT_EQ(Infer({R"({"s":"x","d":"2024-01-02","n":"1","t":"true"})"}),
            R"(STRUCT("s" VARCHAR, "d" VARCHAR, "n" VARCHAR, "t" VARCHAR))");
  EXPECT_EQ(Infer({R"({"b":true})", R"({"b":false})"}), R"(STRUCT("b" BOOLEAN))");
  EXPECT_EQ(Infer({R"({"a":null})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":null})", R"({"a":1})", R"({"a":null})"}), R"(STRUCT("a" BIGINT))");
  EXPECT_EQ(Infer({R"({"a":{"b":null}})"}), R"(STRUCT("a" STRUCT("b" JSON)))");
}

TEST(SchemaInferrerTest, ConflictingKindsBecomeJson) {
  EXPECT_EQ(Infer({R"({"a":"x"})", R"({"a":1})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":true})", R"({"a":1})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":true})", R"({"a":1.5})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":{"b":1}})", R"({"a":2})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":[1]})", R"({"a":1})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":[1]})", R"({"a":{"b":1}})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":{}})", R"({"a":1})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":[]})", R"({"a":"x"})"}), R"(STRUCT("a" JSON))");
  // Once JSON, later values of any kind leave it JSON.
  EXPECT_EQ(Infer({R"({"a":1})", R"({"a":"x"})", R"({"a":{"b":1}})", R"({"a":2})"}),
            R"(STRUCT("a" JSON))");
  // Duplicate keys in one object merge like keys of different records.
  EXPECT_EQ(Infer({R"({"a":1,"a":"x"})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":1,"a":2})"}), R"(STRUCT("a" BIGINT))");
}

TEST(SchemaInferrerTest, ObjectsMergeInOrderOfFirstAppearance) {
  EXPECT_EQ(Infer({R"({"a":1,"b":2})", R"({"b":3,"c":4,"a":5})"}),
            R"(STRUCT("a" BIGINT, "b" BIGINT, "c" BIGINT))");
  EXPECT_EQ(Infer({R"({"p":{"x":1,"y":2}})", R"({"p":{"z":"k","x":2}})"}),
            R"(STRUCT("p" STRUCT("x" BIGINT, "y" BIGINT, "z" VARCHAR)))");
  EXPECT_EQ(Infer({R"({"a":{}})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":{}})", R"({"a":{"b":1}})"}), R"(STRUCT("a" STRUCT("b" BIGINT)))");
  EXPECT_EQ(Infer({R"({"a":null})", R"({"a":{}})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":{"b":{}}})", R"({"a":{"b":{"c":1}}})"}),
            R"(STRUCT("a" STRUCT("b" STRUCT("c" BIGINT))))");
}

TEST(SchemaInferrerTest, Arrays) {
  EXPECT_EQ(Infer({R"({"a":[]})"}), R"(STRUCT("a" JSON[]))");
  EXPECT_EQ(Infer({R"({"a":[]})", R"({"a":[1]})"}), R"(STRUCT("a" BIGINT[]))");
  EXPECT_EQ(Infer({R"({"a":[]})", R"({"a":null})"}), R"(STRUCT("a" JSON[]))");
  EXPECT_EQ(Infer({R"({"a":[null]})"}), R"(STRUCT("a" JSON[]))");
  EXPECT_EQ(Infer({R"({"a":[null]})", R"({"a":[2]})"}), R"(STRUCT("a" BIGINT[]))");
  EXPECT_EQ(Infer({R"({"a":[[]]})"}), R"(STRUCT("a" JSON[][]))");
  EXPECT_EQ(Infer({R"({"a":[{}]})"}), R"(STRUCT("a" JSON[]))");
  EXPECT_EQ(Infer({R"({"a":[1,"x"]})"}), R"(STRUCT("a" JSON[]))");
  EXPECT_EQ(Infer({R"({"a":[1,2.5]})"}), R"(STRUCT("a" DOUBLE[]))");
  EXPECT_EQ(Infer({R"({"a":[1,[2]]})"}), R"(STRUCT("a" JSON[]))");
  EXPECT_EQ(Infer({R"({"a":[[1],[2.5]]})"}), R"(STRUCT("a" DOUBLE[][]))");
  EXPECT_EQ(Infer({R"({"a":[{"b":1},{"c":"x"}]})"}),
            R"(STRUCT("a" STRUCT("b" BIGINT, "c" VARCHAR)[]))");
  EXPECT_EQ(Infer({R"({"a":{"b":[]}})", R"({"a":{"b":[{"c":1}]}})"}),
            R"(STRUCT("a" STRUCT("b" STRUCT("c" BIGINT)[])))");
}

TEST(SchemaInferrerTest, KeysKeptExactly) {
  SchemaInferrer inferrer;
  ASSERT_TRUE(
      inferrer.AddRecord(R"({"Time Played":1,"a.b":2,"quote\"d":3,"\u00e9":4,"ü c":5,"select":6})")
          .ok());
  DuckType type = inferrer.RecordType();
  EXPECT_EQ(type.field_names, (std::vector<std::string>{"Time Played", "a.b", "quote\"d",
                                                        "\xC3\xA9", "ü c", "select"}));
}

TEST(SchemaInferrerTest, KeysEqualIgnoringCase) {
  // Top level: no STRUCT can hold them.
  EXPECT_EQ(Infer({R"({"a":1,"A":"x"})"}), "<conflict>");
  EXPECT_EQ(Infer({R"({"a":1})", R"({"A":2})"}), "<conflict>");
  EXPECT_EQ(Infer({R"({"":1,"a":2})"}), "<conflict>");
  // Nested: that level becomes JSON.
  EXPECT_EQ(Infer({R"({"a":{"b":1,"B":2},"c":1})"}), R"(STRUCT("a" JSON, "c" BIGINT))");
  EXPECT_EQ(Infer({R"({"a":{"b":1}})", R"({"a":{"B":2}})", R"({"a":{"b":3}})"}),
            R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":{"":1}})"}), R"(STRUCT("a" JSON))");
  EXPECT_EQ(Infer({R"({"a":[{"x":1},{"X":2}],"b":[{"y":1}]})"}),
            R"(STRUCT("a" JSON[], "b" STRUCT("y" BIGINT)[]))");
  // DuckDB folds ASCII case only.
  EXPECT_EQ(Infer({R"({"É":1,"é":2})"}), R"(STRUCT("É" BIGINT, "é" BIGINT))");
}

TEST(SchemaInferrerTest, RecordsThatAreNotObjects) {
  EXPECT_EQ(Infer({R"({})", R"({})"}), "JSON");
  EXPECT_NE(Infer({R"([1])"}).find("<error"), std::string::npos);
  EXPECT_NE(Infer({R"({"a":1)"}).find("<error"), std::string::npos);
  EXPECT_NE(Infer({R"({"a":tru})"}).find("<error"), std::string::npos);
  // NUL in a top-level name: DuckDB would cut it, so no schema from us.
  EXPECT_NE(Infer({R"({"a\u0000b":1})"}).find("<error"), std::string::npos);
  EXPECT_EQ(Infer({R"({"o":{"a\u0000b":1}})"}), R"(STRUCT("o" JSON))");
}

class StagingFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gl_schema_inferrer_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes records as staging lines (record ids 1..n) and returns the path.
  std::string WriteStaging(const std::vector<std::string>& records, const std::string& name) {
    std::string staging;
    for (size_t i = 0; i < records.size(); ++i) {
      staging += "{\"_ingest_time\":" + std::to_string(kBaseTime + i + 1) +
                 ",\"_record_id\":" + std::to_string(i + 1) + ",\"r\":" + records[i] + "}\n";
    }
    std::string path = JoinPath(dir_, name);
    EXPECT_TRUE(Env::Default()->WriteFileAtomic(path, staging).ok());
    return path;
  }

  static constexpr int64_t kBaseTime = 1'700'000'000'000'000;
  std::string dir_;
};

TEST_F(StagingFileTest, ReadsLinesAcrossChunks) {
  // A record larger than the 1 MiB read chunk, then more lines, a blank line
  // and a last line without a newline.
  std::string big(3 << 20, 'x');
  std::string staging = "{\"_ingest_time\":1,\"_record_id\":1,\"r\":{\"a\":1}}\n";
  staging += "{\"_ingest_time\":1,\"_record_id\":2,\"r\":{\"big\":\"" + big + "\"}}\n";
  staging += "\n";
  for (int i = 3; i < 20000; ++i) {
    staging += "{\"_ingest_time\":1,\"_record_id\":" + std::to_string(i) + ",\"r\":{\"k" +
               std::to_string(i % 7) + "\":" + std::to_string(i) + "}}\n";
  }
  staging += "{\"_record_id\":20000,\"r\":{\"last\":[true]},\"_ingest_time\":1}";
  std::string path = JoinPath(dir_, "s.ndjson");
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(path, staging).ok());
  SchemaInferrer inferrer;
  Status s = inferrer.AddStagingFile(Env::Default(), path);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(inferrer.records(), 20000u);
  EXPECT_EQ(inferrer.RecordType().ToString(),
            R"(STRUCT("a" BIGINT, "big" VARCHAR, "k3" BIGINT, "k4" BIGINT, "k5" BIGINT, )"
            R"("k6" BIGINT, "k0" BIGINT, "k1" BIGINT, "k2" BIGINT, "last" BOOLEAN[]))");
}

TEST_F(StagingFileTest, StopsAtTopLevelConflictAndReportsBadLines) {
  std::vector<std::string> records = {R"({"a":1})", R"({"A":1})"};
  for (int i = 0; i < 100; ++i) records.push_back(R"({"b":1})");
  SchemaInferrer inferrer;
  ASSERT_TRUE(inferrer.AddStagingFile(Env::Default(), WriteStaging(records, "c.ndjson")).ok());
  EXPECT_TRUE(inferrer.top_level_key_conflict());
  EXPECT_LT(inferrer.records(), records.size());

  std::string path = JoinPath(dir_, "bad.ndjson");
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(path, "{\"_record_id\":1,\"x\":{}}\n").ok());
  SchemaInferrer no_r;
  EXPECT_EQ(no_r.AddStagingFile(Env::Default(), path).code(), Status::Code::kInvalidArgument);

  SchemaInferrer missing;
  EXPECT_FALSE(missing.AddStagingFile(Env::Default(), JoinPath(dir_, "nope.ndjson")).ok());
}

// The lake_writer_test cases and more: what SchemaInferrer gives must be what
// DuckDB's own whole-file inference gives, and the lake files must match.
std::vector<std::vector<std::string>> Corpus() {
  std::vector<std::vector<std::string>> corpus = {
      {R"({"PlayerID":"p1","Wins":2})", R"({"PlayerID":"p2","Losses":1})"},
      {R"({"n":1,"x":1,"flag":true})", R"({"n":2.5,"x":"one","flag":7})"},
      {R"({"Time Played":1234,"a.b":1,"ünï cødé":"x","quote\"d":2,"select":3})"},
      {R"({"pos":{"x":1,"y":2},"tags":["a","b"],"items":[{"id":1}]})",
       R"({"pos":{"x":3},"tags":[],"items":[{"id":2,"n":"k"}]})"},
      {R"({})", R"({"a":1})", R"({})"},
      {R"({})", R"({})"},
      {R"({"_ingest_time":"mine","_record_id":99,"_record_id_1":5,"x":1})"},
      {R"({"d":"2024-01-02","t":"2024-01-02T03:04:05Z","u":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","h":"10:00:00"})"},
      {R"({"d":"2024-01-02"})", R"({"d":"2024-01-02 10:00:00"})", R"({"d":null})"},
      {R"({"i":9223372036854775807,"j":-9223372036854775808})"},
      {R"({"u":18446744073709551615,"w":1,"s":"x"})"},
      {R"({"u":[1,18446744073709551615],"v":{"w":2}})", R"({"x":0.5})"},
      {R"({"a":null,"b":[],"c":{},"d":[null],"e":[[]],"f":[{}]})"},
      {R"({"a":null,"b":[],"c":{}})", R"({"a":1,"b":[1.5],"c":{"z":[]}})"},
      {R"({"m":[1,"x"],"n":[1,2.5],"o":[1,[2]],"p":[[1],[2.5]],"q":[{"b":1},{"c":"x"}]})"},
      {R"({"a":1,"a":"x","b":1,"b":2})", R"({"c":{"d":1,"d":{"e":1}}})"},
      {R"({"s":"x","n":1})", R"({"s":true,"n":{"k":1}})", R"({"s":[1],"n":[1]})"},
      {R"({"e":"\u00e9\n\"","É":1,"é":2})"},
      {R"({"deep":{"a":{"b":{"c":{"d":[{"e":[1,2,{"f":null}]}]}}}}})",
       R"({"deep":{"a":{"b":{"c":{"d":[{"e":[3]},{"g":false}]}}}}})"},
  };
  std::vector<std::string> many;
  for (int i = 0; i < 300; ++i) {
    many.push_back("{\"k" + std::to_string(i) + "\":" + std::to_string(i) + "}");
  }
  corpus.push_back(many);
  return corpus;
}

TEST_F(StagingFileTest, SameSchemaAsDuckDbInference) {
  auto db = DuckDb::Open({});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  int n = 0;
  for (const auto& records : Corpus()) {
    std::string path = WriteStaging(records, "case" + std::to_string(n++) + ".ndjson");
    auto probe = (*db)->Query("SELECT r FROM read_json(" + QuoteLiteral(path) +
                              ", format='newline_delimited', sample_size=-1, "
                              "map_inference_threshold=-1) LIMIT 0");
    ASSERT_TRUE(probe.ok()) << probe.status().ToString();
    SchemaInferrer inferrer;
    Status s = inferrer.AddStagingFile(Env::Default(), path);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_FALSE(inferrer.top_level_key_conflict());
    EXPECT_EQ(inferrer.RecordType().ToString(),
              StorageType(probe->column_sql_types.at(0), false).ToString())
        << records.at(0);
  }
}

TEST_F(StagingFileTest, SameLakeFilesAsDuckDbInference) {
  LakeWriterOptions probe_options;
  probe_options.infer_schema = false;
  auto inferred_writer = LakeWriter::Open({});
  auto probe_writer = LakeWriter::Open(probe_options);
  auto db = DuckDb::Open({});
  ASSERT_TRUE(inferred_writer.ok() && probe_writer.ok() && db.ok());
  int n = 0;
  std::vector<std::vector<std::string>> corpus = Corpus();
  // Cases the two handle alike through the degraded modes.
  corpus.push_back({R"({"a":1,"A":"x"})", R"({"a":2,"b":{"c":[1]}})"});
  corpus.push_back({R"({"":1,"a":2})"});
  for (const auto& records : corpus) {
    std::string path = WriteStaging(records, "case" + std::to_string(n) + ".ndjson");
    std::string inferred_out = JoinPath(dir_, "lake/inferred" + std::to_string(n) + ".parquet");
    std::string probe_out = JoinPath(dir_, "lake/probe" + std::to_string(n) + ".parquet");
    ++n;
    auto a = (*inferred_writer)->Convert(path, inferred_out);
    auto b = (*probe_writer)->Convert(path, probe_out);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    EXPECT_EQ(a->rows, records.size());
    auto read = [&](const std::string& file) {
      auto r = (*db)->Query("SELECT * FROM read_parquet(" + QuoteLiteral(file) +
                            ") ORDER BY _record_id");
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      return r.ok() ? r.value() : QueryResult{};
    };
    QueryResult inferred = read(inferred_out);
    QueryResult probed = read(probe_out);
    EXPECT_EQ(inferred.column_names, probed.column_names) << records.at(0);
    EXPECT_EQ(inferred.column_types, probed.column_types) << records.at(0);
    EXPECT_EQ(inferred.rows, probed.rows) << records.at(0);
    EXPECT_EQ(inferred.rows.size(), records.size());
  }
}

}  // namespace
}  // namespace gamelake

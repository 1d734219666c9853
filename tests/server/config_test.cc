#include "server/config.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "server/server.h"

namespace gamelake {
namespace {

TEST(ConfigTest, DefaultsNeedNoFile) {
  Config c;
  EXPECT_TRUE(ValidateConfig(c).ok());
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.lake_dir(), "gamelake-data/lake");
}

TEST(ConfigTest, FileAndOverrides) {
  std::string path = ::testing::TempDir() + "/gamelake.toml";
  {
    std::ofstream f(path);
    f << "data_dir = \"/tmp/x\"\n[server]\nlisten = \"127.0.0.1:9000\"\n"
      << "[log]\ndurability = \"none\"\n[delivery]\nbuffer_interval_s = 5\n"
      << "[delivery.streams.events]\nbuffer_size_bytes = 1000\n";
  }
  Config c;
  ASSERT_TRUE(LoadConfigFile(path, &c).ok());
  EXPECT_EQ(c.data_dir, "/tmp/x");
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_FALSE(c.durable);
  EXPECT_EQ(c.buffer_interval_s, 5);
  EXPECT_EQ(c.streams["events"].buffer_size_bytes, 1000u);

  ASSERT_TRUE(ApplySetting("log.durability=fsync", &c).ok());
  EXPECT_TRUE(c.durable);
  ASSERT_TRUE(ApplySetting("delivery.buffer_interval_s=0.5", &c).ok());
  EXPECT_EQ(c.buffer_interval_s, 0.5);
  ASSERT_TRUE(ApplySetting("server.max_body_bytes=2048", &c).ok());
  EXPECT_EQ(c.max_body_bytes, 2048u);
}

TEST(ConfigTest, ErrorsNameTheSettingAndPlace) {
  std::string path = ::testing::TempDir() + "/bad.toml";
  {
    std::ofstream f(path);
    f << "[server]\nlisten = \"127.0.0.1:8080\"\nmax_body_bytez = 5\n";
  }
  Config c;
  Status s = LoadConfigFile(path, &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("server.max_body_bytez"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(":3:"), std::string::npos) << s.message();

  {
    std::ofstream f(path);
    f << "[server\n";
  }
  s = LoadConfigFile(path, &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bad.toml:"), std::string::npos) << s.message();

  EXPECT_FALSE(ApplySetting("log.durability=sometimes", &c).ok());
  EXPECT_FALSE(ApplySetting("server.max_body_bytes=-1", &c).ok());
  EXPECT_FALSE(ApplySetting("nonsense", &c).ok());
  EXPECT_FALSE(ApplySetting("delivery.streams.bad.name.buffer_size_bytes=1", &c).ok());
  EXPECT_FALSE(ParseListen("localhost", &c).ok());
  EXPECT_FALSE(ParseListen("127.0.0.1:99999", &c).ok());
  ASSERT_TRUE(ParseListen("[::1]:81", &c).ok());
  EXPECT_EQ(c.listen_host, "::1");

  Config bad;
  bad.max_decoded_body_bytes = 10;
  EXPECT_FALSE(ValidateConfig(bad).ok());
}

TEST(StreamNameTest, Rules) {
  EXPECT_TRUE(ValidateStreamName("events").ok());
  EXPECT_TRUE(ValidateStreamName("game-2_beta").ok());
  EXPECT_FALSE(ValidateStreamName("").ok());
  EXPECT_FALSE(ValidateStreamName("_errors").ok());
  EXPECT_FALSE(ValidateStreamName("a/b").ok());
  EXPECT_FALSE(ValidateStreamName("..").ok());
  EXPECT_FALSE(ValidateStreamName(std::string(65, 'a')).ok());
}

TEST(IngestConfigTest, SettingsAndTheirBounds) {
  Config c;
  EXPECT_EQ(c.event_id_field, "event_id");
  EXPECT_EQ(c.dedupe_window_s, 86400u);
  EXPECT_EQ(c.dead_letter_max_bytes, 65536u);
  ASSERT_TRUE(ApplySetting("ingest.event_id_field=request_id", &c).ok());
  ASSERT_TRUE(ApplySetting("ingest.dedupe_window_s=600", &c).ok());
  ASSERT_TRUE(ApplySetting("ingest.dedupe_max_entries=1000", &c).ok());
  ASSERT_TRUE(ApplySetting("ingest.dead_letter_max_bytes=1024", &c).ok());
  EXPECT_EQ(c.event_id_field, "request_id");
  EXPECT_EQ(c.dedupe_window_s, 600u);
  EXPECT_EQ(c.dedupe_max_entries, 1000u);
  EXPECT_EQ(c.dead_letter_max_bytes, 1024u);
  EXPECT_TRUE(ValidateConfig(c).ok());
  ASSERT_TRUE(ApplySetting("ingest.event_id_field=\"\"", &c).ok());
  EXPECT_EQ(c.event_id_field, "");
  EXPECT_TRUE(ValidateConfig(c).ok());  // "" turns deduplication off.
  Config bad = c;
  bad.event_id_field = "a\"b";
  EXPECT_FALSE(ValidateConfig(bad).ok());
  bad = c;
  bad.dedupe_window_s = 0;
  EXPECT_FALSE(ValidateConfig(bad).ok());
  EXPECT_FALSE(ApplySetting("ingest.dedupe_window_s=-1", &c).ok());
}

TEST(LogConfigTest, CommitWindowAndItsBound) {
  Config c;
  EXPECT_EQ(c.commit_window_us, 0u);  // Default: no wait before a group commit.
  ASSERT_TRUE(ApplySetting("log.commit_window_us=2000", &c).ok());
  EXPECT_EQ(c.commit_window_us, 2000u);
  EXPECT_TRUE(ValidateConfig(c).ok());
  c.commit_window_us = 100'001;
  Status s = ValidateConfig(c);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("log.commit_window_us"), std::string::npos) << s.ToString();
  EXPECT_FALSE(ApplySetting("log.commit_window_us=-5", &c).ok());
}

TEST(StreamingConfigTest, SettingsAndTheirBounds) {
  Config c;
  EXPECT_TRUE(c.streaming_enabled);
  EXPECT_EQ(c.streaming_max_apps, 64u);
  EXPECT_EQ(c.streaming_checkpoint_interval_ms, 1000u);
  EXPECT_EQ(c.streaming_max_state_bytes, 1ull << 30);
  EXPECT_EQ(c.apps_dir(), "gamelake-data/apps");
  ASSERT_TRUE(ApplySetting("streaming.enabled=false", &c).ok());
  ASSERT_TRUE(ApplySetting("streaming.max_apps=2", &c).ok());
  ASSERT_TRUE(ApplySetting("streaming.checkpoint_interval_ms=250", &c).ok());
  ASSERT_TRUE(ApplySetting("streaming.max_state_bytes=1048576", &c).ok());
  EXPECT_FALSE(c.streaming_enabled);
  EXPECT_EQ(c.streaming_max_apps, 2u);
  EXPECT_EQ(c.streaming_checkpoint_interval_ms, 250u);
  EXPECT_TRUE(ValidateConfig(c).ok());
  for (const char* bad : {"streaming.max_apps=0", "streaming.checkpoint_interval_ms=5",
                          "streaming.max_state_bytes=1000"}) {
    Config b = c;
    ASSERT_TRUE(ApplySetting(bad, &b).ok()) << bad;
    Status s = ValidateConfig(b);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find(std::string(bad).substr(0, std::string(bad).find('='))),
              std::string::npos)
        << s.message();
  }
  EXPECT_FALSE(ApplySetting("streaming.max_apps=-1", &c).ok());
}

TEST(KpiConfigTest, StreamMappingsAndTheirChecks) {
  Config c;
  ASSERT_TRUE(LoadConfigText("[kpi]\ntimezone = \"America/Los_Angeles\"\n"
                             "[kpi.streams.game]\nplayer_id = \"PlayerID\"\nsession_id = \"\"\n",
                             "kpi.toml", &c)
                  .ok());
  EXPECT_EQ(c.kpi_timezone, "America/Los_Angeles");
  EXPECT_EQ(c.kpi_stream_fields["game"]["player_id"], "PlayerID");
  EXPECT_EQ(c.kpi_stream_fields["game"]["session_id"], "");
  EXPECT_TRUE(ValidateConfig(c).ok());
  ASSERT_TRUE(ApplySetting("kpi.streams.game.revenue=PriceUSD", &c).ok());
  EXPECT_EQ(c.kpi_stream_fields["game"]["revenue"], "PriceUSD");

  Status s = ApplySetting("kpi.streams.game.playerid=PlayerID", &c);
  EXPECT_NE(s.message().find("not a field of the event convention"), std::string::npos)
      << s.ToString();
  EXPECT_FALSE(ApplySetting("kpi.streams.game.ts=\"\"", &c).ok());
  EXPECT_FALSE(ApplySetting("kpi.streams.bad name.ts=T", &c).ok());
  EXPECT_FALSE(ApplySetting("kpi.streams.game=T", &c).ok());
  Config tz;
  ASSERT_TRUE(ApplySetting("kpi.timezone=Europe/Paris'", &tz).ok());
  EXPECT_FALSE(ValidateConfig(tz).ok());
  Config gap;
  ASSERT_TRUE(ApplySetting("kpi.session_gap_s=0", &gap).ok());
  EXPECT_FALSE(ValidateConfig(gap).ok());
}

TEST(ConfigTest, TextLoadsLikeAFile) {
  Config c;
  ASSERT_TRUE(LoadConfigText("[log]\ndurability = \"none\"\n", "inline.toml", &c).ok());
  EXPECT_FALSE(c.durable);
  Status s = LoadConfigText("[server]\nmax_body_bytez = 5\n", "inline.toml", &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("inline.toml:2:"), std::string::npos) << s.message();
  s = LoadConfigText("[server\n", "inline.toml", &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("inline.toml:"), std::string::npos) << s.message();
}

// fuzz/config_fuzzer found it: toml++ 3.3 reaches undefined behaviour on a
// non-ASCII character outside quotes (here U+FEEF inside a key).
TEST(ConfigTest, NonAsciiOutsideQuotesIsRefusedBeforeToml) {
  Config c;
  Status s = LoadConfigText(
      "[server]\nidl\357\273\257"
      "e_timeout_s = 60.5\n",
      "fuzz.toml", &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("fuzz.toml:2: a non-ASCII character outside quotes"),
            std::string::npos)
      << s.message();
  EXPECT_FALSE(LoadConfigText("\303\251 = 1\n", "fuzz.toml", &c).ok());
  EXPECT_FALSE(LoadConfigText("a = 1\357\273\257\n", "fuzz.toml", &c).ok());
  // In strings and comments they are fine.
  ASSERT_TRUE(LoadConfigText("# \357\273\257 \303\251\ndata_dir = \"/tmp/\303\251\"  # \303\251\n"
                             "console.dir = '\357\273\257'\n"
                             "sql.memory_limit = \"\"\"\\\"\303\251\"\"\"\"\n",
                             "fuzz.toml", &c)
                  .ok());
  EXPECT_EQ(c.data_dir, "/tmp/\303\251");
  EXPECT_EQ(c.console_dir, "\357\273\257");
  EXPECT_EQ(c.sql_memory_limit, "\"\303\251\"");
  // A --set value with one is a bare string, as any other value that is not TOML.
  ASSERT_TRUE(ApplySetting("data_dir=\303\251", &c).ok());
  EXPECT_EQ(c.data_dir, "\303\251");
  // A string that is never closed is no string (fuzz/corpus/config/crash-unclosed-string-*).
  Status unclosed = LoadConfigText("a = 1\nb = \"x\357\273\257 y\n", "fuzz.toml", &c);
  EXPECT_NE(unclosed.message().find("fuzz.toml:2: a non-ASCII character in a string that is not "
                                    "closed"),
            std::string::npos)
      << unclosed.message();
  EXPECT_FALSE(LoadConfigText("b = 'x\357\273\257", "fuzz.toml", &c).ok());
  // A quote inside a bare value opens no string for toml++, which scans on as code
  // (fuzz/corpus/config/crash-quote-inside-bare-value).
  Status in_token = LoadConfigText("b = 104a.s\"u\357\273\257e\"\n", "fuzz.toml", &c);
  EXPECT_NE(in_token.message().find("fuzz.toml:1: a non-ASCII character outside quotes"),
            std::string::npos)
      << in_token.message();
  // Where a string may start (after '[', '.', ',', '='), non-ASCII in it passes this check.
  Status quoted = LoadConfigText("[\"caf\303\251\".x]\ny = [1, \"\303\251\"]\n", "fuzz.toml", &c);
  EXPECT_EQ(quoted.message().find("non-ASCII"), std::string::npos) << quoted.message();
  ASSERT_TRUE(ApplySetting("data_dir=r.s\"u\357\273\257e", &c).ok());  // Taken as a bare string.
  EXPECT_EQ(c.data_dir, "r.s\"u\357\273\257e");
}

// lake.*, lake.s3.* and node.id: each bad value stops the start with the key
// and the reason.
class LakeConfigTest : public ::testing::Test {
 protected:
  // A valid S3 lake config (path-style to a local store, a static pair).
  static Config S3() {
    Config c;
    c.lake_location = "s3://gl-test/lake";
    c.lake_s3_endpoint = "http://127.0.0.1:9000";
    c.lake_s3_path_style = true;
    c.lake_s3_access_key_id = "AKIDEXAMPLE";
    c.lake_s3_secret_access_key = "secret";
    return c;
  }
  // ValidateConfig(c) fails and its message holds every one of `parts`.
  static void ExpectRefused(const Config& c, std::vector<std::string> parts) {
    Status s = ValidateConfig(c);
    ASSERT_FALSE(s.ok()) << "expected a refusal naming " << parts.front();
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
    for (const std::string& p : parts) {
      EXPECT_NE(s.message().find(p), std::string::npos) << "'" << p << "' not in: " << s.message();
    }
  }
};

TEST_F(LakeConfigTest, EveryKeyLoadsFromTomlAndFlags) {
  Config c;
  ASSERT_TRUE(LoadConfigText("[node]\nid = \"ingest-a\"\n"
                             "[lake]\nlocation = \"s3://studio/gamelake\"\n"
                             "[lake.s3]\nendpoint = \"https://minio.internal:9000\"\n"
                             "region = \"eu-west-1\"\npath_style = true\n"
                             "access_key_id = \"AK\"\nsecret_access_key = \"SK\"\n"
                             "profile = \"gl\"\n"
                             "multipart_threshold_bytes = 10485760\n"
                             "part_size_bytes = 5242880\n",
                             "lake.toml", &c)
                  .ok());
  EXPECT_EQ(c.node_id, "ingest-a");
  EXPECT_EQ(c.lake_location, "s3://studio/gamelake");
  EXPECT_TRUE(c.lake_on_s3());
  EXPECT_EQ(c.lake_s3_endpoint, "https://minio.internal:9000");
  EXPECT_EQ(c.lake_s3_region, "eu-west-1");
  EXPECT_TRUE(c.lake_s3_path_style);
  EXPECT_EQ(c.lake_s3_access_key_id, "AK");
  EXPECT_EQ(c.lake_s3_secret_access_key, "SK");
  EXPECT_EQ(c.lake_s3_profile, "gl");
  EXPECT_EQ(c.lake_s3_multipart_threshold_bytes, 10485760u);
  EXPECT_EQ(c.lake_s3_part_size_bytes, 5242880u);
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c).ToString();
  // The lake's dir stays <data_dir>/lake: the node's local copy.
  EXPECT_EQ(c.lake_dir(), "gamelake-data/lake");

  ASSERT_TRUE(ApplySetting("lake.s3.path_style=false", &c).ok());
  EXPECT_FALSE(c.lake_s3_path_style);
  ASSERT_TRUE(ApplySetting("lake.s3.ca_file=/etc/ca.pem", &c).ok());
  EXPECT_EQ(c.lake_s3_ca_file, "/etc/ca.pem");
  ASSERT_TRUE(ApplySetting("node.id=b", &c).ok());
  EXPECT_EQ(c.node_id, "b");

  // Wrong types and unknown keys name the key.
  for (const char* bad : {"lake.s3.path_style=\"maybe\"", "lake.s3.part_size_bytes=-1",
                          "lake.s3.multipart_threshold_bytes=\"big\"", "lake.s3.regoin=x",
                          "node.id=7", "lake.location=[1]"}) {
    Status s = ApplySetting(bad, &c);
    ASSERT_FALSE(s.ok()) << bad;
    std::string key(bad, std::string_view(bad).find('='));
    EXPECT_NE(s.message().find(key), std::string::npos) << bad << ": " << s.message();
  }
  Status s = LoadConfigText("[lake.s3]\nendpont = \"http://x\"\n", "typo.toml", &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("lake.s3.endpont"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("typo.toml:2:"), std::string::npos) << s.message();
}

TEST_F(LakeConfigTest, LocalLakeAcceptsOnlyItsOwnDir) {
  Config c;
  EXPECT_FALSE(c.lake_on_s3());
  EXPECT_TRUE(ValidateConfig(c).ok());
  c.lake_location = c.lake_dir();
  EXPECT_TRUE(ValidateConfig(c).ok());
  EXPECT_FALSE(c.lake_on_s3());
  c.lake_location = "/mnt/elsewhere/lake";
  ExpectRefused(c, {"lake.location", "s3://bucket[/prefix]", "/mnt/elsewhere/lake"});
  c.lake_location = "S3://gl-test/lake";  // The scheme is lower case, as AWS's tools write it.
  ExpectRefused(c, {"lake.location"});
  c.lake_location = "gs://bucket/lake";
  ExpectRefused(c, {"lake.location"});
  // lake.s3.* is ignored on a local lake (a config can keep it while testing).
  Config local;
  local.lake_s3_endpoint = "not a url";
  local.lake_s3_part_size_bytes = 1;
  EXPECT_TRUE(ValidateConfig(local).ok());
  EXPECT_EQ(LakeRewritesRefused(local), "");
}

TEST_F(LakeConfigTest, S3LocationBucketAndPrefix) {
  EXPECT_TRUE(ValidateConfig(S3()).ok()) << ValidateConfig(S3()).ToString();
  for (const char* ok : {"s3://gl-test", "s3://gl-test/", "s3://gl-test/a/b/", "s3://a.b-c/x"}) {
    Config c = S3();
    c.lake_location = ok;
    EXPECT_TRUE(ValidateConfig(c).ok()) << ok << ": " << ValidateConfig(c).ToString();
  }
  for (const char* bad :
       {"s3://", "s3:///lake", "s3://Upper/lake", "s3://ab/lake", "s3://under_score/lake",
        "s3://192.168.0.1/lake", "s3://gl-test/a/../b", "s3://gl-test/a/./b", "s3://gl-test/a{b}",
        "s3://gl-test/what?", "s3://gl-test/a#b"}) {
    Config c = S3();
    c.lake_location = bad;
    SCOPED_TRACE(bad);
    ExpectRefused(c, {"lake.location: "});
  }
}

TEST_F(LakeConfigTest, S3EndpointRegionAndAddressing) {
  Config c = S3();
  c.lake_s3_endpoint = "ftp://127.0.0.1:9000";
  ExpectRefused(c, {"lake.s3.endpoint: ", "ftp://127.0.0.1:9000"});
  c.lake_s3_endpoint = "http://127.0.0.1:9000/some/path";
  ExpectRefused(c, {"lake.s3.endpoint: "});
  c.lake_s3_endpoint = "https://";
  ExpectRefused(c, {"lake.s3.endpoint: "});
  // An IP address cannot carry the bucket in its host name.
  c = S3();
  c.lake_s3_path_style = false;
  ExpectRefused(c, {"lake.s3.path_style", "IP address", "http://127.0.0.1:9000"});
  c.lake_s3_endpoint = "https://minio.internal:9000";  // A host name: virtual-hosted is fine.
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c).ToString();
  // No endpoint: AWS's for the region, so the region must make one.
  c = S3();
  c.lake_s3_endpoint = "";
  c.lake_s3_path_style = false;
  c.lake_s3_region = "eu-west-1";
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c).ToString();
  c.lake_s3_region = "eu west/1";
  ExpectRefused(c, {"lake.s3.region: "});
  c.lake_s3_region = "";
  ExpectRefused(c, {"lake.s3.region", "empty"});
  c = S3();  // With an endpoint, the region is still what requests are signed for.
  c.lake_s3_region = "";
  ExpectRefused(c, {"lake.s3.region", "empty"});
}

TEST_F(LakeConfigTest, S3CredentialsCaFileAndSizes) {
  Config c = S3();
  c.lake_s3_secret_access_key = "";
  ExpectRefused(c, {"lake.s3.access_key_id", "lake.s3.secret_access_key", "both"});
  c = S3();
  c.lake_s3_access_key_id = "";
  ExpectRefused(c, {"lake.s3.access_key_id", "lake.s3.secret_access_key", "both"});
  c.lake_s3_secret_access_key = "";  // Neither: the environment or the shared file, later.
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c).ToString();

  c = S3();
  c.lake_s3_ca_file = ::testing::TempDir() + "/no-such-ca.pem";
  ExpectRefused(c, {"lake.s3.ca_file", "no such file", "no-such-ca.pem"});
  std::string ca = ::testing::TempDir() + "/lake-ca.pem";
  { std::ofstream(ca) << "-----BEGIN CERTIFICATE-----\n"; }
  c.lake_s3_ca_file = ca;
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c).ToString();

  constexpr uint64_t kMiB = 1ull << 20, kGiB = 1ull << 30;
  for (uint64_t bytes : {uint64_t{0}, 5 * kMiB - 1, 5 * kGiB + 1}) {
    c = S3();
    c.lake_s3_part_size_bytes = bytes;
    SCOPED_TRACE(bytes);
    ExpectRefused(c, {"lake.s3.part_size_bytes", "5242880..5368709120"});
    c = S3();
    c.lake_s3_multipart_threshold_bytes = bytes;
    ExpectRefused(c, {"lake.s3.multipart_threshold_bytes", "5242880..5368709120"});
  }
  c = S3();
  c.lake_s3_part_size_bytes = 5 * kMiB;
  c.lake_s3_multipart_threshold_bytes = 5 * kGiB;
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c).ToString();
}

TEST_F(LakeConfigTest, SharedLakeListingAndCacheSettings) {
  Config c;
  c.data_dir = "/var/lib/gl";
  EXPECT_EQ(c.lake_s3_list_interval_s, 30);
  EXPECT_EQ(c.lake_s3_cache_bytes, 10ull << 30);
  EXPECT_EQ(c.lake_cache_dir(), "/var/lib/gl/lake-cache");
  ASSERT_TRUE(LoadConfigText("[lake.s3]\nlist_interval_s = 1.5\ncache_dir = \"/cache/gl\"\n"
                             "cache_bytes = 2097152\n",
                             "shared.toml", &c)
                  .ok());
  EXPECT_EQ(c.lake_s3_list_interval_s, 1.5);
  EXPECT_EQ(c.lake_cache_dir(), "/cache/gl");
  EXPECT_EQ(c.lake_s3_cache_bytes, 2097152u);
  ASSERT_TRUE(ApplySetting("lake.s3.list_interval_s=0", &c).ok());
  EXPECT_EQ(c.lake_s3_list_interval_s, 0);

  c = S3();
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c).ToString();
  c.lake_s3_list_interval_s = -1;
  ExpectRefused(c, {"lake.s3.list_interval_s", "0..86400"});
  c = S3();
  c.lake_s3_cache_bytes = 1000;
  ExpectRefused(c, {"lake.s3.cache_bytes", "1048576"});
  // The cache must be apart from the lake dir, either way round.
  c = S3();
  c.lake_s3_cache_dir = c.lake_dir() + "/cache";
  ExpectRefused(c, {"lake.s3.cache_dir", "apart from the lake dir"});
  c.lake_s3_cache_dir = c.data_dir;
  ExpectRefused(c, {"lake.s3.cache_dir", "apart from the lake dir"});
  c.lake_s3_cache_dir = c.data_dir + "/lake-copies";
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c).ToString();
}

TEST_F(LakeConfigTest, RetentionAndGraceOnS3ErasureAndOfflineRewritesRefused) {
  Config c = S3();
  c.retention_days = 30;
  c.retention_stream_days["events"] = 7;
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c).ToString();
  c.lake_s3_delete_grace_s = 0;
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c).ToString();
  c.lake_s3_delete_grace_s = -1;
  ExpectRefused(c, {"lake.s3.delete_grace_s"});
  c.lake_s3_delete_grace_s = 604801;
  ExpectRefused(c, {"lake.s3.delete_grace_s"});
  std::string refused = LakeRewritesRefused(S3());
  EXPECT_NE(refused.find("without its server"), std::string::npos) << refused;
  EXPECT_NE(refused.find("s3://gl-test/lake"), std::string::npos) << refused;
  std::string erasure = LakeErasureRefused(S3());
  EXPECT_NE(erasure.find("not supported on an S3 lake"), std::string::npos) << erasure;
  EXPECT_NE(erasure.find("other nodes"), std::string::npos) << erasure;
  EXPECT_EQ(LakeErasureRefused(Config{}), "");
}

TEST_F(LakeConfigTest, NodeId) {
  for (const char* ok : {"a", "ingest-a", "node-01", "0", "abcdefghijklmnopqrstuvwxyz012345"}) {
    Config c;
    c.node_id = ok;
    EXPECT_TRUE(ValidateConfig(c).ok()) << ok << ": " << ValidateConfig(c).ToString();
    Config s3 = S3();
    s3.node_id = ok;
    EXPECT_TRUE(ValidateConfig(s3).ok()) << ok << ": " << ValidateConfig(s3).ToString();
  }
  struct Bad {
    std::string id;
    std::string why;
  };
  for (const Bad& bad :
       {Bad{"Ingest-A", "'I'"}, Bad{"ingest_a", "'_'"}, Bad{"a.b", "'.'"}, Bad{"a/b", "'/'"},
        Bad{"a b", "' '"}, Bad{std::string(33, 'a'), "1 to 32 characters, not 33"}}) {
    Config c = S3();
    c.node_id = bad.id;
    SCOPED_TRACE(bad.id);
    ExpectRefused(c, {"node.id: ", bad.why});
    Config local;  // Checked on a local lake too (the id is in the file names).
    local.node_id = bad.id;
    ExpectRefused(local, {"node.id: "});
  }
}

}  // namespace
}  // namespace gamelake

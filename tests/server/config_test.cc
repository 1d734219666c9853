#include "server/config.h"

#include <cstdio>
#include <fstream>

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

}  // namespace
}  // namespace gamelake

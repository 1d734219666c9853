// The generate loop (determinism under a seed, the virtual clock, counts,
// NDJSON output, invalid templates), time formats, and the sessions model.
#include "generator/generator.h"

#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "generator/record_source.h"
#include "generator/session_simulator.h"
#include "generator/time_format.h"

namespace gamelake {
namespace {

class TempFile {
 public:
  TempFile() {
    char tmpl[] = "/tmp/gl-generator-test-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd >= 0) ::close(fd);
    path_ = tmpl;
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Generates `count` records of `spec` with options as given into a file;
// returns the file's bytes.
std::string GenerateToString(std::string_view spec, uint64_t seed, uint64_t count,
                             GenerateOptions o = {}, Status* status = nullptr) {
  TempFile out;
  o.output_path = out.path();
  o.count = count;
  o.seed = seed;
  auto source =
      spec.starts_with("builtin:") ? NewBuiltinSource(spec, seed) : NewTemplateSource(spec, seed);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  GenerateReport report;
  Status s = Generate(o, source->get(), &report);
  if (status != nullptr) {
    *status = s;
  } else {
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  if (s.ok()) {
    EXPECT_EQ(report.generated, count);
    EXPECT_EQ(report.written, count);
  }
  return Env::Default()->ReadFile(out.path()).value();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

TEST(TimeFormatTest, CivilConversionRoundTrips) {
  for (int64_t days = -800000; days <= 800000; days += 997) {
    CivilTime c = ToCivil(days * 86400'000'000 + 3'723'000'042);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), days);
    ASSERT_EQ(c.hour, 1);
    ASSERT_EQ(c.minute, 2);
    ASSERT_EQ(c.second, 3);
    ASSERT_EQ(c.micros, 42);
  }
  CivilTime leap = ToCivil(ParseTime("2024-02-29T23:59:59Z").value());
  EXPECT_EQ(leap.month, 2);
  EXPECT_EQ(leap.day, 29);
  EXPECT_EQ(leap.yday, 60);
  EXPECT_EQ(leap.weekday, 4);  // Thursday.
}

TEST(TimeFormatTest, MomentTokens) {
  int64_t t = ParseTime("2025-03-09T07:05:04.123456Z").value();
  EXPECT_EQ(TimeFormat::Compile("YYYY-MM-DD HH:mm:ss.SSS").Format(t), "2025-03-09 07:05:04.123");
  EXPECT_EQ(TimeFormat::Compile("YY M D H m s SSSSSS").Format(t), "25 3 9 7 5 4 123456");
  EXPECT_EQ(TimeFormat::Compile("MMM MMMM Do ddd dddd dd d E").Format(t),
            "Mar March 9th Sun Sunday Su 0 7");
  EXPECT_EQ(TimeFormat::Compile("h:mm A, hh a, k, Q, DDD, DDDD").Format(t),
            "7:05 AM, 07 am, 7, 1, 68, 068");
  EXPECT_EQ(TimeFormat::Compile("Z ZZ X x").Format(t), "+00:00 +0000 1741503904 1741503904123");
  EXPECT_EQ(TimeFormat::Compile("[Today is] dddd [at] HH[h]").Format(t), "Today is Sunday at 07h");
  EXPECT_EQ(TimeFormat::Iso(true).Format(t), "2025-03-09T07:05:04.123Z");
  EXPECT_EQ(TimeFormat::Compile("Do").Format(ParseTime("2025-03-22").value()), "22nd");
  EXPECT_EQ(TimeFormat::Compile("Do").Format(ParseTime("2025-03-13").value()), "13th");
}

TEST(TimeFormatTest, ParseTime) {
  EXPECT_EQ(ParseTime("1970-01-01").value(), 0);
  EXPECT_EQ(ParseTime("1970-01-01T00:00:01.5Z").value(), 1'500'000);
  EXPECT_EQ(ParseTime("1970-01-01 01:00+01:00").value(), 0);
  EXPECT_EQ(ParseTime("86400").value(), 86400'000'000);
  EXPECT_FALSE(ParseTime("2025-13-01").ok());
  EXPECT_FALSE(ParseTime("yesterday").ok());
  EXPECT_FALSE(ParseTime("2025-01-01T10").ok());
}

TEST(GenerateTest, SameSeedSameBytesAcrossRuns) {
  const std::string tmpl =
      R"({"id":"{{random.uuid}}","at":"{{date.now("YYYY-MM-DD HH:mm:ss.SSS")}}","ip":"{{internet.ip}}"})";
  std::string a = GenerateToString(tmpl, 99, 5000);
  std::string b = GenerateToString(tmpl, 99, 5000);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, GenerateToString(tmpl, 100, 5000));
  EXPECT_EQ(Lines(a).size(), 5000u);
  // The built-ins too.
  EXPECT_EQ(GenerateToString("builtin:sessions", 3, 20000),
            GenerateToString("builtin:sessions", 3, 20000));
  EXPECT_EQ(GenerateToString("builtin:lab", 3, 20000), GenerateToString("builtin:lab", 3, 20000));
}

TEST(GenerateTest, VirtualClockStartsAtTheStartTimeAndStepsPerRecord) {
  GenerateOptions o;
  o.start_time_us = ParseTime("2025-06-01T00:00:00Z").value();
  o.time_step_us = 250'000;
  std::vector<std::string> lines =
      Lines(GenerateToString(R"({"t":"{{date.now("HH:mm:ss.SSS")}}"})", 1, 5, o));
  EXPECT_EQ(lines, (std::vector<std::string>{R"({"t":"00:00:00.000"})", R"({"t":"00:00:00.250"})",
                                             R"({"t":"00:00:00.500"})", R"({"t":"00:00:00.750"})",
                                             R"({"t":"00:00:01.000"})"}));
  // With a seed alone: 2025-01-01, 1 ms a record when the rate is unlimited.
  lines = Lines(GenerateToString(R"({"t":"{{date.now}}"})", 1, 1001));
  EXPECT_EQ(lines[0], R"({"t":"2025-01-01T00:00:00Z"})");
  EXPECT_EQ(lines[1000], R"({"t":"2025-01-01T00:00:01Z"})");
}

TEST(GenerateTest, RateAndBatchDoNotChangeTheBytes) {
  const std::string tmpl = R"({"n":{{random.number(100)}},"t":"{{date.now("x")}}"})";
  GenerateOptions paced;
  paced.rate = 20000;
  paced.time_step_us = 1000;
  paced.batch = 7;
  GenerateOptions fast;
  fast.time_step_us = 1000;
  EXPECT_EQ(GenerateToString(tmpl, 5, 3000, paced), GenerateToString(tmpl, 5, 3000, fast));
}

TEST(GenerateTest, InvalidJsonStopsTheRunWithThePosition) {
  Status s;
  GenerateToString("{\"who\": {{name.firstName}}}", 1, 10, {}, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("template line 1, column 9: the record is not valid JSON"),
            std::string::npos)
      << s.message();
  // A value that breaks JSON only sometimes is caught with --check.
  const std::string sometimes =
      R"({"v":{{random.weightedArrayElement({"weights":[0.999,0.001],"data":["1","oops"]})}}})";
  GenerateOptions check;
  check.check_all = true;
  GenerateToString(sometimes, 1, 200000, check, &s);
  EXPECT_FALSE(s.ok());
}

TEST(GenerateTest, DurationAndStopEndTheRun) {
  TempFile out;
  GenerateOptions o;
  o.output_path = out.path();
  o.rate = 1000;
  o.duration_s = 0.2;
  auto source = NewBuiltinSource("builtin:lab", 1);
  GenerateReport report;
  ASSERT_TRUE(Generate(o, source->get(), &report).ok());
  EXPECT_GT(report.generated, 0u);
  EXPECT_EQ(report.written, report.generated);
  EXPECT_EQ(Lines(Env::Default()->ReadFile(out.path()).value()).size(), report.written);

  std::atomic<bool> stop{true};
  o.duration_s = 0;
  o.stop = &stop;
  ASSERT_TRUE(Generate(o, source->get(), &report).ok());
  EXPECT_TRUE(report.interrupted);
  EXPECT_EQ(report.generated, 0u);
}

TEST(GenerateTest, OutputErrorsAndBadOptions) {
  auto source = NewBuiltinSource("builtin:lab", 1);
  GenerateOptions o;
  o.output_path = "/nonexistent-dir/x.ndjson";
  o.count = 1;
  GenerateReport report;
  Status s = Generate(o, source->get(), &report);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--output"), std::string::npos) << s.message();
  EXPECT_FALSE(NewBuiltinSource("builtin:nope", 1).ok());
  Result<std::unique_ptr<RecordSource>> missing =
      OpenRecordSource("/nonexistent/template.json", 1, Env::Default());
  EXPECT_FALSE(missing.ok());
}

TEST(SessionsTest, EventsAreLinkedAndOrdered) {
  SessionSimulator sim(11);
  simdjson::dom::parser parser;
  std::map<std::string, std::string> session_player;  // session -> player
  std::map<std::string, std::string> session_last;    // session -> last event type
  std::map<std::string, int> types;
  std::set<std::string> event_ids;
  std::set<std::string> ended;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    std::string record;
    ASSERT_TRUE(sim.NextChecked(1735689600'000'000 + int64_t{i} * 1000, &record).ok()) << record;
    simdjson::dom::element e;
    ASSERT_FALSE(parser.parse(record).get(e)) << record;
    std::string type(e["event_type"].get_string().value());
    std::string session(e["session_id"].get_string().value());
    std::string player(e["player_id"].get_string().value());
    ASSERT_TRUE(event_ids.insert(std::string(e["event_id"].get_string().value())).second);
    ASSERT_FALSE(e["ts"].get_string().value().empty());
    ++types[type];
    if (type == "session_start") {
      ASSERT_EQ(session_player.count(session), 0u) << "session started twice";
      session_player[session] = player;
    } else {
      ASSERT_EQ(session_player[session], player) << "player changed within a session: " << record;
      ASSERT_EQ(ended.count(session), 0u) << "event after session_end: " << record;
      const std::string& last = session_last[session];
      if (type == "level_start") {
        ASSERT_TRUE(last == "session_start" || last == "death" || last == "level_complete" ||
                    last == "purchase")
            << last;
      }
      if (type == "death" || type == "level_complete") {
        ASSERT_EQ(last, "level_start");
      }
      if (type == "purchase") {
        ASSERT_EQ(last, "level_complete");
      }
    }
    if (type == "death") {
      for (const char* axis : {"x", "y"}) {
        double v = e[axis].get_double().value();
        ASSERT_GE(v, 0);
        ASSERT_LE(v, 1000);
      }
      ASSERT_FALSE(e["enemy"].get_string().value().empty());
    }
    if (type == "purchase") {
      ASSERT_GT(e["revenue"].get_double().value(), 0);
      ASSERT_EQ(e["amount"].get_double().value(), e["revenue"].get_double().value());
      ASSERT_EQ(e["currency"].get_string().value(), "USD");
    }
    // The event convention's segment fields are on every event (docs/events.md).
    for (const char* field : {"platform", "country", "app_version"}) {
      ASSERT_FALSE(e[field].get_string().value().empty()) << field << ": " << record;
    }
    if (type == "session_end") ended.insert(session);
    session_last[session] = type;
  }
  for (const char* t :
       {"session_start", "level_start", "death", "level_complete", "purchase", "session_end"}) {
    EXPECT_GT(types[t], 0) << t;
  }
  // Funnel-shaped: fewer completions than starts, few purchases; players return.
  EXPECT_LT(types["level_complete"], types["level_start"]);
  EXPECT_LT(types["purchase"], types["level_complete"] / 5);
  EXPECT_LT(sim.players(), static_cast<size_t>(types["session_start"]));
}

}  // namespace
}  // namespace gamelake

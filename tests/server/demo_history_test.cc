// AppendDemoHistory (server/demo_feed.h): the month of simulated players that
// `serve --demo` writes once, read back from a real log.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <simdjson.h>

#include "common/civil_time.h"
#include "generator/session_simulator.h"
#include "log/wal.h"
#include "server/demo_feed.h"

namespace gamelake {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;

TEST(DemoHistoryTest, EveryDayHasItsBurstAndNoSessionSpansTheNight) {
  const std::string dir = (std::filesystem::path(testing::TempDir()) /
                           ("gl_demo_history_" + std::to_string(::getpid())))
                              .string();
  std::filesystem::remove_all(dir);
  WalOptions options;
  options.dir = dir;
  options.durability = Durability::kNone;
  RecoveryReport report;
  auto wal = Wal::Open(options, &report);
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();

  DemoHistory history;
  history.days = 3;
  history.end_us = ParseTime("2026-03-10T09:30:00Z").value();
  history.first_day_records = 300;
  history.growth_per_day = 100;
  SessionSimulator players(7);
  auto stored = AppendDemoHistory(wal->get(), kDemoSessionsStream, &players, history, nullptr);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();

  // What the burst renders (300 + 400 + 500) plus the session_end of every
  // session still open when its day's burst ended.
  const int64_t first_day = ParseTime("2026-03-07").value();
  std::map<int64_t, uint64_t> per_day;
  std::map<std::string, std::set<int64_t>> session_days;
  std::set<std::string> ended;
  uint64_t records = 0;
  auto cursor = (*wal)->NewCursor(1);
  LogRecord r;
  simdjson::dom::parser parser;
  for (;;) {
    auto more = cursor->Next(&r);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    ++records;
    EXPECT_EQ(r.stream, kDemoSessionsStream);
    simdjson::dom::element e = parser.parse(r.payload.data(), r.payload.size());
    int64_t ts = ParseTime(std::string_view(e["ts"].get_string().value())).value();
    ASSERT_GE(ts, first_day) << r.payload;
    ASSERT_LT(ts, first_day + 3 * kDayUs) << r.payload;
    const int64_t day = (ts - first_day) / kDayUs;
    EXPECT_GE(ts - first_day - day * kDayUs, 18 * 3'600'000'000LL) << "before the 18:00 burst";
    ++per_day[day];
    std::string session(e["session_id"].get_string().value());
    session_days[session].insert(day);
    if (std::string_view(e["event_type"].get_string().value()) == "session_end") {
      EXPECT_TRUE(ended.insert(session).second) << "ended twice: " << session;
    }
  }
  EXPECT_EQ(records, *stored);
  ASSERT_EQ(per_day.size(), 3u);
  EXPECT_GE(per_day[0], 300u);
  EXPECT_GE(per_day[1], 400u);
  EXPECT_GE(per_day[2], 500u);
  EXPECT_LT(records, 1200u + 3 * 50) << "more than the bursts and one end per open session";
  for (const auto& [session, days] : session_days) {
    EXPECT_EQ(days.size(), 1u) << session << " spans the night";
    EXPECT_TRUE(ended.count(session)) << session << " never ended";
  }
  wal->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gamelake

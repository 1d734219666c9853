#include "ingest/event_deduper.h"

#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"
#include "ingest/event_id_index.h"
#include "ingest_test_util.h"
#include "lake/lake_layout.h"
#include "sql/duck_db.h"

namespace gamelake {
namespace {

constexpr int64_t kNow = 1'750'000'000'000'000;  // 2025-06-15T15:06:40Z, in microseconds.

using Verdict = EventDeduper::Verdict;

std::optional<std::string> Extract(std::string_view field, std::string_view record,
                                   EventId::Type* type = nullptr) {
  EventIdExtractor ex{std::string(field)};
  std::string scratch;
  EventId id;
  if (!ex.Extract(record, &scratch, &id)) return std::nullopt;
  if (type != nullptr) *type = id.type;
  return std::string(id.value);
}

TEST(EventIdExtractorTest, FindsTopLevelStringsAndIntegers) {
  EventId::Type type;
  EXPECT_EQ(Extract("event_id", R"({"event_id":"abc","x":1})", &type), "abc");
  EXPECT_EQ(type, EventId::Type::kString);
  EXPECT_EQ(Extract("event_id", R"({"a":1, "event_id" :  42 })", &type), "42");
  EXPECT_EQ(type, EventId::Type::kInteger);
  EXPECT_EQ(Extract("event_id", R"({"event_id":-7})"), "-7");
  EXPECT_EQ(Extract("event_id", R"({"event_id":-0})"), "0");
  EXPECT_EQ(Extract("event_id", R"({"event_id":18446744073709551615})"), "18446744073709551615");
  // Skips nested values holding the field name, braces and escaped quotes.
  EXPECT_EQ(Extract("event_id", R"({"n":{"event_id":"inner","s":"}\"{"},"l":[{"event_id":1},"]"],)"
                                R"("event_id":"outer"})"),
            "outer");
  // Escapes are undone, so "\u0061b" and "ab" are the same id.
  EXPECT_EQ(Extract("event_id", R"({"event_id":"\u0061b\n\"\\\/ \ud83d\ude00"})"),
            "ab\n\"\\/ \xF0\x9F\x98\x80");
  // The first top-level occurrence counts.
  EXPECT_EQ(Extract("id", R"({"id":"first","id":"second"})"), "first");
}

TEST(EventIdExtractorTest, KeysSpelledWithEscapesAreTheField) {
  EXPECT_EQ(Extract("event_id", R"({"event\u005fid":"a"})"), "a");
  EXPECT_EQ(Extract("event_id", R"({"\u0065vent_id":7})"), "7");
  EXPECT_EQ(Extract("event_id", R"({"x":"\\","event\u005Fid":"b","event_id":"c"})"), "b");
  // A key that only unescapes to something else is not the field.
  EXPECT_EQ(Extract("event_id", R"({"event\u005fids":"a","k":"\n"})"), std::nullopt);
}

TEST(EventIdExtractorTest, OtherValuesAreNoId) {
  for (const char* record : {
           R"({"event_id":null})",
           R"({"event_id":true})",
           R"({"event_id":1.5})",
           R"({"event_id":1e3})",
           R"({"event_id":""})",
           R"({"event_id":{"a":1}})",
           R"({"event_id":[1]})",
           R"({"other":"event_id"})",
           R"({"nested":{"event_id":"x"}})",
           R"({"list":[{"event_id":"x"}]})",
           R"({"s":"\"event_id\":\"x\""})",
           R"({})",
       }) {
    EXPECT_EQ(Extract("event_id", record), std::nullopt) << record;
  }
  EXPECT_EQ(Extract("", R"({"":"x"})"), std::nullopt);  // "" disables.
}

class EventDeduperTest : public ::testing::Test {
 protected:
  EventDeduperTest() : env_(kNow) {}

  std::unique_ptr<EventDeduper> Make(int64_t window_s = 3600, uint64_t max_entries = 1000) {
    EventDeduperOptions o;
    o.window_s = window_s;
    o.max_entries = max_entries;
    o.env = &env_;
    o.metrics = &metrics_;
    return std::make_unique<EventDeduper>(o);
  }
  static EventKey StrKey(const EventDeduper& d, std::string_view stream, std::string_view id) {
    return d.Key(stream, EventId{EventId::Type::kString, id});
  }
  static EventKey IntKey(const EventDeduper& d, std::string_view stream, std::string_view id) {
    return d.Key(stream, EventId{EventId::Type::kInteger, id});
  }

  // Begin + successful Complete with seqs first_seq, first_seq+1, ...
  EventDeduper::Claim Store(EventDeduper* d, std::vector<std::optional<EventKey>> keys,
                            uint64_t first_seq) {
    EventDeduper::Claim claim;
    d->Begin(keys, nullptr, &claim);
    std::vector<uint64_t> seqs;
    for (size_t k = 0; k < claim.new_count; ++k) seqs.push_back(first_seq + k);
    if (claim.new_count > 0) d->Complete(claim, Status::OK(), seqs);
    return claim;
  }

  ManualClockEnv env_;
  Metrics metrics_;
};

TEST_F(EventDeduperTest, RetryIsADuplicateWithTheOriginalRecordId) {
  auto d = Make();
  EventKey a = StrKey(*d, "s", "a");
  EventKey b = StrKey(*d, "s", "b");
  auto first = Store(d.get(), {a, std::nullopt, b}, 10);
  EXPECT_EQ(first.verdicts, (std::vector<Verdict>{Verdict::kNew, Verdict::kNoId, Verdict::kNew}));
  auto retry = Store(d.get(), {b, a, std::nullopt}, 20);
  EXPECT_EQ(retry.verdicts,
            (std::vector<Verdict>{Verdict::kDuplicate, Verdict::kDuplicate, Verdict::kNoId}));
  EXPECT_EQ(retry.seqs[0], 11u);
  EXPECT_EQ(retry.seqs[1], 10u);
  EXPECT_EQ(d->size(), 2u);
  EXPECT_NE(metrics_.Render().find("gamelake_dedupe_duplicates_total 2"), std::string::npos)
      << metrics_.Render();
}

TEST_F(EventDeduperTest, StreamsAndIdTypesAreSeparate) {
  auto d = Make();
  Store(d.get(), {StrKey(*d, "s", "7")}, 1);
  EXPECT_TRUE(d->Contains(StrKey(*d, "s", "7")));
  EXPECT_FALSE(d->Contains(IntKey(*d, "s", "7")));
  EXPECT_FALSE(d->Contains(StrKey(*d, "t", "7")));
  auto c = Store(d.get(), {IntKey(*d, "s", "7"), StrKey(*d, "t", "7")}, 2);
  EXPECT_EQ(c.verdicts, (std::vector<Verdict>{Verdict::kNew, Verdict::kNew}));
  EXPECT_EQ(d->size(), 3u);
}

TEST_F(EventDeduperTest, DuplicatesWithinOneBatchAreStoredOnce) {
  auto d = Make();
  EventKey a = StrKey(*d, "s", "a");
  auto c = Store(d.get(), {a, a, std::nullopt, a}, 1);
  EXPECT_EQ(c.verdicts, (std::vector<Verdict>{Verdict::kNew, Verdict::kSameBatch, Verdict::kNoId,
                                              Verdict::kSameBatch}));
  EXPECT_EQ(c.new_count, 1u);
  EXPECT_EQ(d->size(), 1u);
}

TEST_F(EventDeduperTest, IdsExpireAfterTheWindow) {
  auto d = Make(/*window_s=*/100);
  EventKey a = StrKey(*d, "s", "a");
  Store(d.get(), {a}, 1);
  env_.AdvanceSeconds(60);
  EventKey b = StrKey(*d, "s", "b");
  Store(d.get(), {b}, 2);
  env_.AdvanceSeconds(40);  // a is exactly 100 s old: still remembered.
  EXPECT_TRUE(d->Contains(a));
  env_.AdvanceSeconds(1);
  EXPECT_FALSE(d->Contains(a));
  EXPECT_TRUE(d->Contains(b));
  auto again = Store(d.get(), {a, b}, 3);
  EXPECT_EQ(again.verdicts, (std::vector<Verdict>{Verdict::kNew, Verdict::kDuplicate}));
  EXPECT_EQ(d->size(), 2u);  // a expired out and came back; b stayed.
  EXPECT_EQ(d->evictions(), 0u);
}

TEST_F(EventDeduperTest, FullTableEvictsTheOldestAndCountsIt) {
  auto d = Make(3600, /*max_entries=*/3);
  std::vector<EventKey> keys;
  for (int i = 0; i < 5; ++i) {
    keys.push_back(StrKey(*d, "s", std::to_string(i)));
    Store(d.get(), {keys.back()}, i);
    env_.AdvanceSeconds(1);
  }
  EXPECT_EQ(d->size(), 3u);
  EXPECT_EQ(d->evictions(), 2u);
  EXPECT_FALSE(d->Contains(keys[0]));
  EXPECT_FALSE(d->Contains(keys[1]));
  for (int i = 2; i < 5; ++i) EXPECT_TRUE(d->Contains(keys[i])) << i;
  EXPECT_NE(metrics_.Render().find("gamelake_dedupe_evictions_total 2"), std::string::npos);
  EXPECT_NE(metrics_.Render().find("gamelake_dedupe_entries 3"), std::string::npos);
}

// The ring and its open-addressing index against a plain model, through
// growth, eviction, expiry, failed appends and backward-shift deletion.
TEST_F(EventDeduperTest, MatchesAModelUnderChurn) {
  constexpr uint64_t kMax = 5000;
  auto d = Make(/*window_s=*/50, kMax);
  struct Slot {
    std::string id;
    int64_t at;
    bool dead;
  };
  std::deque<Slot> model;  // Ring order, oldest first; failed appends leave dead slots.
  std::set<std::string> live;
  uint64_t evictions = 0;
  std::mt19937 rng(7);
  for (int step = 0; step < 30000; ++step) {
    if (step % 500 == 0) env_.AdvanceSeconds(1);
    const int64_t now = env_.NowMicros() / 1'000'000;
    while (!model.empty() && (model.front().dead || model.front().at + 50 < now)) {
      if (!model.front().dead) live.erase(model.front().id);
      model.pop_front();
    }
    const std::string id = std::to_string(rng() % 20000);
    const bool fail = rng() % 10 == 0;
    EventDeduper::Claim c;
    d->Begin(std::vector<std::optional<EventKey>>{StrKey(*d, "s", id)}, nullptr, &c);
    const bool expected_dup = live.count(id) > 0;
    ASSERT_EQ(c.verdicts[0], expected_dup ? Verdict::kDuplicate : Verdict::kNew) << step;
    if (expected_dup) continue;
    while (model.size() >= kMax) {
      if (!model.front().dead) {
        live.erase(model.front().id);
        ++evictions;
      }
      model.pop_front();
    }
    model.push_back(Slot{id, now, fail});
    d->Complete(c, fail ? Status::IOError("injected") : Status::OK(),
                std::vector<uint64_t>{static_cast<uint64_t>(step)});
    if (!fail) live.insert(id);
    ASSERT_EQ(d->size(), live.size()) << step;
    ASSERT_EQ(d->Contains(StrKey(*d, "s", id)), !fail) << step;
  }
  EXPECT_EQ(d->evictions(), evictions);
  EXPECT_GT(evictions, 0u);
}

TEST_F(EventDeduperTest, RetryOfAnInFlightIdWaitsForTheOriginal) {
  auto d = Make();
  EventKey x = StrKey(*d, "s", "x");
  EventKey y = StrKey(*d, "s", "y");
  EventDeduper::Claim original;
  d->Begin(std::vector<std::optional<EventKey>>{x}, nullptr, &original);
  ASSERT_EQ(original.verdicts[0], Verdict::kNew);

  std::vector<std::tuple<size_t, bool, uint64_t>> calls;
  auto wait = std::make_shared<const EventDeduper::WaitFn>(
      [&](size_t i, const Status& st, uint64_t seq) { calls.emplace_back(i, st.ok(), seq); });
  EventDeduper::Claim retry;
  d->Begin(std::vector<std::optional<EventKey>>{y, x}, wait, &retry);
  EXPECT_EQ(retry.verdicts, (std::vector<Verdict>{Verdict::kNew, Verdict::kInFlight}));
  EXPECT_EQ(retry.wait_count, 1u);
  EXPECT_TRUE(calls.empty());  // Not before the original is durable.
  EXPECT_FALSE(d->Contains(x));

  d->Complete(original, Status::OK(), std::vector<uint64_t>{77});
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], std::make_tuple(size_t{1}, true, uint64_t{77}));
  EXPECT_TRUE(d->Contains(x));
  d->Complete(retry, Status::OK(), std::vector<uint64_t>{78});
  EXPECT_TRUE(d->Contains(y));
  EXPECT_EQ(calls.size(), 1u);
}

TEST_F(EventDeduperTest, RetryOfAFailedOriginalFailsAndTheIdIsForgotten) {
  auto d = Make();
  EventKey x = StrKey(*d, "s", "x");
  EventDeduper::Claim original;
  d->Begin(std::vector<std::optional<EventKey>>{x}, nullptr, &original);
  std::vector<Status> results;
  auto wait = std::make_shared<const EventDeduper::WaitFn>(
      [&](size_t, const Status& st, uint64_t) { results.push_back(st); });
  EventDeduper::Claim r1;
  EventDeduper::Claim r2;
  d->Begin(std::vector<std::optional<EventKey>>{x}, wait, &r1);
  d->Begin(std::vector<std::optional<EventKey>>{x}, wait, &r2);
  d->Complete(original, Status::IOError("disk on fire"), std::vector<uint64_t>{5});
  ASSERT_EQ(results.size(), 2u);
  for (const Status& s : results) EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_FALSE(d->Contains(x));
  // The next retry is stored anew.
  auto next = Store(d.get(), {x}, 9);
  EXPECT_EQ(next.verdicts[0], Verdict::kNew);
  EXPECT_TRUE(d->Contains(x));
}

TEST_F(EventDeduperTest, RebuildsFromTheLog) {
  ScratchDir dir;
  WalOptions wo;
  wo.dir = dir.path() + "/log";
  wo.durability = Durability::kNone;
  RecoveryReport report;
  auto wal = Wal::Open(wo, &report);
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  std::vector<std::string_view> records = {R"({"event_id":"a"})", R"({"x":1})",
                                           R"({"event_id":5})"};
  ASSERT_TRUE(wal.value()->Append("s", records).ok());
  std::vector<std::string_view> errors = {R"({"event_id":"e"})"};
  ASSERT_TRUE(wal.value()->Append("_errors", errors).ok());

  // The log stamps records with the real clock; keep the test clock near it.
  env_.SetNowMicros(Env::Default()->NowMicros());
  auto d = Make();
  ASSERT_TRUE(
      d->Rebuild(wal.value().get(), dir.path() + "/lake", "", EventIdExtractor("event_id")).ok());
  EXPECT_EQ(d->size(), 2u);
  EXPECT_TRUE(d->Contains(StrKey(*d, "s", "a")));
  EXPECT_TRUE(d->Contains(IntKey(*d, "s", "5")));
  EXPECT_FALSE(d->Contains(StrKey(*d, "_errors", "e")));
  EXPECT_TRUE(wal.value()->Close().ok());
}

TEST_F(EventDeduperTest, RebuildsFromTheLakeWithinTheWindow) {
  ScratchDir dir;
  const std::string lake = dir.path() + "/lake";
  auto db = DuckDb::Open({});
  ASSERT_TRUE(db.ok());
  // kNow is 2025-06-15 15:06:40 UTC; the window is 2 hours.
  auto write = [&](const std::string& rel, const std::string& select) {
    const std::string path = lake + "/" + rel;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    Status s =
        db.value()->Execute("COPY (" + select + ") TO " + QuoteLiteral(path) + " (FORMAT parquet)");
    ASSERT_TRUE(s.ok()) << s.ToString();
  };
  const std::string t = "TIMESTAMP '2025-06-15 14:30:00'";
  write("game/dt=2025-06-15/hr=14/game-1-2.parquet",
        "SELECT " + t +
            " AS _ingest_time, 1::BIGINT AS _record_id, 'a' AS event_id UNION ALL "
            "SELECT " +
            t + ", 2, NULL");
  write("game/dt=2025-06-15/hr=15/game-3-3.parquet",
        "SELECT TIMESTAMP '2025-06-15 15:00:00' AS _ingest_time, 3::BIGINT AS _record_id, "
        "42::BIGINT AS event_id");
  // Mixed types in one file are stored as JSON text.
  write("game/dt=2025-06-15/hr=15/game-4-5.parquet",
        "SELECT TIMESTAMP '2025-06-15 15:01:00' AS _ingest_time, 4::BIGINT AS _record_id, "
        "'\"j\"'::JSON AS event_id UNION ALL SELECT TIMESTAMP '2025-06-15 15:01:00', 5, '9'::JSON");
  write("game/dt=2025-06-15/hr=15/game-6-6.parquet",
        "SELECT TIMESTAMP '2025-06-15 15:02:00' AS _ingest_time, 6::BIGINT AS _record_id, "
        "1 AS other");
  write("other/dt=2025-06-15/hr=13/other-7-7.parquet",  // 13:00-14:00 overlaps the window...
        "SELECT TIMESTAMP '2025-06-15 13:05:00' AS _ingest_time, 7::BIGINT AS _record_id, "
        "'old' AS event_id");
  // Outside the window (pruned by folder name, so even a broken file is not read).
  std::filesystem::create_directories(lake + "/game/dt=2025-06-15/hr=12");
  { std::ofstream(lake + "/game/dt=2025-06-15/hr=12/game-0-0.parquet") << "not parquet"; }
  std::filesystem::create_directories(lake + "/game/dt=2025-06-14/hr=15");
  { std::ofstream(lake + "/game/dt=2025-06-14/hr=15/game-0-0.parquet") << "not parquet"; }

  auto d = Make(/*window_s=*/7200);
  Status s = d->Rebuild(nullptr, lake, "", EventIdExtractor("event_id"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(d->Contains(StrKey(*d, "game", "a")));
  EXPECT_TRUE(d->Contains(IntKey(*d, "game", "42")));
  EXPECT_TRUE(d->Contains(StrKey(*d, "game", "j")));
  EXPECT_TRUE(d->Contains(IntKey(*d, "game", "9")));
  EXPECT_FALSE(d->Contains(StrKey(*d, "game", "42")));
  EXPECT_FALSE(d->Contains(StrKey(*d, "other", "old")));  // ...but 13:05 is older than 2 h.
  EXPECT_EQ(d->size(), 4u);
  // A retry gets the original _record_id.
  EventDeduper::Claim c;
  d->Begin(std::vector<std::optional<EventKey>>{IntKey(*d, "game", "42")}, nullptr, &c);
  EXPECT_EQ(c.verdicts[0], Verdict::kDuplicate);
  EXPECT_EQ(c.seqs[0], 3u);
}

TEST_F(EventDeduperTest, RebuildsExactIdsFromTheIndexWhateverTheLakeSays) {
  ScratchDir dir;
  const std::string lake = dir.path() + "/lake";
  const std::string index = dir.path() + "/dedupe";
  auto db = DuckDb::Open({});
  ASSERT_TRUE(db.ok());
  // The lake file's id column widened to DOUBLE (12 next to 12.5): 12.0 is
  // no id the lake can give back exactly. The index has what ingest saw.
  const std::string rel = "game/dt=2025-06-15/hr=15/" + LakeFileName{1, 4, 0}.Format("game");
  std::filesystem::create_directories(std::filesystem::path(lake + "/" + rel).parent_path());
  GL_ASSERT_OK(db.value()->Execute(
      "COPY (SELECT TIMESTAMP '2025-06-15 15:00:00' AS _ingest_time, (i + 1)::BIGINT AS "
      "_record_id, [12.0, 12.5, 7.0, 99.0][i + 1] AS event_id FROM range(4) t(i)) TO " +
      QuoteLiteral(lake + "/" + rel) + " (FORMAT parquet)"));
  const int64_t t = kNow - 60'000'000;
  GL_ASSERT_OK(EventIdIndex::Write(Env::Default(), index, "game", 1, 4,
                                   {{1, t, EventId::Type::kInteger, "12"},
                                    {3, t, EventId::Type::kString, "7"},
                                    {4, t, EventId::Type::kString, "caf\xC3\xA9"}}));
  // An old index file, past the window: deleted, its range still covered.
  GL_ASSERT_OK(EventIdIndex::Write(Env::Default(), index, "game", 100, 100,
                                   {{100, kNow - 86400'000'000ll, EventId::Type::kString, "old"}}));
  auto d = Make(/*window_s=*/3600);
  GL_ASSERT_OK(d->Rebuild(nullptr, lake, index, EventIdExtractor("event_id")));
  EXPECT_TRUE(d->Contains(IntKey(*d, "game", "12")));
  EXPECT_TRUE(d->Contains(StrKey(*d, "game", "7")));   // A string that looks like a number...
  EXPECT_FALSE(d->Contains(IntKey(*d, "game", "7")));  // ...is not the number.
  EXPECT_FALSE(d->Contains(StrKey(*d, "game", "12")));
  EXPECT_TRUE(d->Contains(StrKey(*d, "game", "caf\xC3\xA9")));
  EXPECT_FALSE(d->Contains(IntKey(*d, "game", "99")));  // The lake is not read for a covered range.
  EXPECT_EQ(d->size(), 3u);
  auto files = EventIdIndex::List(Env::Default(), index);
  GL_ASSERT_OK(files);
  EXPECT_EQ(files->size(), 1u);
}

TEST_F(EventDeduperTest, RetentionHorizonForgetsOlderIdsOfItsStreamOnly) {
  auto d = Make(/*window_s=*/86400);
  EventKey a = StrKey(*d, "s", "a");
  EventKey b = StrKey(*d, "t", "a");
  Store(d.get(), {a}, 1);
  Store(d.get(), {b}, 2);
  env_.AdvanceSeconds(100);
  d->SetHorizon("s", kNow + 50'000'000);
  EventDeduper::Claim c;
  d->Begin("s", std::vector<std::optional<EventKey>>{a}, nullptr, &c);
  EXPECT_EQ(c.verdicts[0], Verdict::kNew);  // Stored again: retention dropped the original.
  d->Complete(c, Status::OK(), std::vector<uint64_t>{3});
  d->Begin("t", std::vector<std::optional<EventKey>>{b}, nullptr, &c);
  EXPECT_EQ(c.verdicts[0], Verdict::kDuplicate);
  d->Begin("s", std::vector<std::optional<EventKey>>{a}, nullptr, &c);
  EXPECT_EQ(c.verdicts[0], Verdict::kDuplicate);  // The new copy is after the horizon.
  EXPECT_EQ(c.seqs[0], 3u);
}

TEST(EventIdIndexTest, RoundTripsAndRefusesDamage) {
  ScratchDir dir;
  Env* env = Env::Default();
  std::vector<IndexedId> ids;
  for (uint64_t i = 0; i < 1000; ++i) {
    ids.push_back(
        {10 + i * 3, 1'700'000'000'000'000 + static_cast<int64_t>(i % 7) * 1000,
         i % 2 ? EventId::Type::kInteger : EventId::Type::kString,
         i % 2 ? std::to_string(i) : std::string(i % 50, static_cast<char>('a' + i % 26))});
  }
  ids[0].value = std::string("\0x\xff", 3);
  GL_ASSERT_OK(EventIdIndex::Write(env, dir.path(), "s", 10, 10 + 999 * 3, ids));
  auto files = EventIdIndex::List(env, dir.path());
  GL_ASSERT_OK(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].stream, "s");
  EXPECT_EQ((*files)[0].first_seq, 10u);
  EXPECT_EQ((*files)[0].last_seq, 10u + 999 * 3);
  auto back = EventIdIndex::Read(env, (*files)[0].path);
  GL_ASSERT_OK(back);
  EXPECT_EQ(*back, ids);
  auto newest = EventIdIndex::NewestTime(env, (*files)[0].path);
  GL_ASSERT_OK(newest);
  EXPECT_EQ(*newest, 1'700'000'000'000'000 + 6000);
  // Every truncation and a flipped byte anywhere are caught.
  std::string data = env->ReadFile((*files)[0].path).value();
  const std::string damaged = dir.path() + "/damaged.ids";
  for (size_t cut : {size_t{0}, size_t{5}, size_t{40}, data.size() / 2, data.size() - 1}) {
    GL_ASSERT_OK(env->WriteFileAtomic(damaged, data.substr(0, cut)));
    EXPECT_THAT(EventIdIndex::Read(env, damaged),
                StatusIs(Status::Code::kCorruption, "damaged.ids"));
  }
  for (size_t at = 0; at < data.size(); at += 97) {
    std::string flipped = data;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x10);
    GL_ASSERT_OK(env->WriteFileAtomic(damaged, flipped));
    EXPECT_FALSE(EventIdIndex::Read(env, damaged).ok()) << at;
  }
  // Pruning by age, per stream.
  GL_ASSERT_OK(EventIdIndex::Write(env, dir.path(), "t", 1, 1,
                                   {{1, 1'600'000'000'000'000, EventId::Type::kString, "x"}}));
  auto removed = EventIdIndex::Prune(env, dir.path(), 1'650'000'000'000'000);
  GL_ASSERT_OK(removed);
  EXPECT_EQ(*removed, 1u);
  removed = EventIdIndex::Prune(env, dir.path(), 0, {{"s", 1'800'000'000'000'000}});
  GL_ASSERT_OK(removed);
  EXPECT_EQ(*removed, 1u);
  EXPECT_TRUE(EventIdIndex::List(env, dir.path())->empty());
}

}  // namespace
}  // namespace gamelake

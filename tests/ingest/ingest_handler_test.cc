#include "ingest/ingest_handler.h"

#include <simdjson.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "ingest/dead_letter.h"
#include "ingest_test_util.h"

namespace gamelake {
namespace {

// Collects one Submit's outcome; Wait() blocks until it is there.
class OutcomeSlot {
 public:
  IngestHandler::Done Callback() {
    return [this](IngestOutcome out) {
      std::lock_guard<std::mutex> lock(mu_);
      outcome_ = std::move(out);
      cv_.notify_all();
    };
  }
  bool ready() {
    std::lock_guard<std::mutex> lock(mu_);
    return outcome_.has_value();
  }
  IngestOutcome Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return outcome_.has_value(); });
    return *outcome_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<IngestOutcome> outcome_;
};

std::string Base64Decode(std::string_view in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    acc = (acc << 6) | static_cast<uint32_t>(kAlphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

class IngestHandlerTest : public ::testing::Test {
 protected:
  IngestHandlerTest() : env_(Env::Default()->NowMicros()) {
    EventDeduperOptions o;
    o.env = &env_;
    o.metrics = &metrics_;
    deduper_ = std::make_unique<EventDeduper>(o);
  }

  IngestOptions Options() {
    IngestOptions o;
    o.deduper = deduper_.get();
    o.env = &env_;
    return o;
  }

  ParsedBody Parse(std::string_view body, BodyFormat format = BodyFormat::kNdjson) {
    ParsedBody parsed;
    Status s = parser_.Parse(body, format, false, &parsed);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return parsed;
  }

  IngestOutcome SubmitAndWait(IngestHandler* h, std::string_view stream, std::string_view body,
                              std::string_view key_id = "") {
    OutcomeSlot slot;
    h->Submit(stream, key_id, Parse(body), slot.Callback());
    return slot.Wait();
  }

  ManualClockEnv env_;
  Metrics metrics_;
  std::unique_ptr<EventDeduper> deduper_;
  RecordParser parser_;
};

class IngestHandlerWalTest : public IngestHandlerTest {
 protected:
  void SetUp() override {
    WalOptions wo;
    wo.dir = dir_.path() + "/log";
    wo.durability = Durability::kNone;
    RecoveryReport report;
    auto wal = Wal::Open(wo, &report);
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    wal_ = std::move(wal).value();
  }
  void TearDown() override { EXPECT_TRUE(wal_->Close().ok()); }

  // Every record of `stream` in the log, once what was appended so far is durable.
  std::vector<std::pair<uint64_t, std::string>> Stored(std::string_view stream) {
    EXPECT_TRUE(wal_->WaitForDurable(wal_->next_seq() - 1, 10'000'000));
    std::vector<std::pair<uint64_t, std::string>> out;
    auto cursor = wal_->NewCursor(0);
    LogRecord rec;
    for (;;) {
      auto more = cursor->Next(&rec);
      EXPECT_TRUE(more.ok());
      if (!more.ok() || !more.value()) break;
      if (rec.stream == stream) out.emplace_back(rec.seq, std::string(rec.payload));
    }
    return out;
  }

  ScratchDir dir_;
  std::unique_ptr<Wal> wal_;
};

TEST_F(IngestHandlerWalTest, RetriesAreAcknowledgedButStoredOnce) {
  IngestHandler h(wal_.get(), &metrics_, Options());
  const std::string body =
      "{\"event_id\":\"a\",\"v\":1}\n{\"event_id\":\"a\",\"v\":2}\n{\"v\":3}\n{\"event_id\":1}\n";
  IngestOutcome first = SubmitAndWait(&h, "game", body);
  ASSERT_TRUE(first.status.ok()) << first.status.ToString();
  EXPECT_EQ(first.accepted, 4u);
  EXPECT_EQ(first.duplicates, 1u);  // The second "a" of the same batch.
  auto stored = Stored("game");
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0].second, R"({"event_id":"a","v":1})");
  EXPECT_EQ(stored[1].second, R"({"v":3})");
  EXPECT_EQ(stored[2].second, R"({"event_id":1})");
  EXPECT_EQ(first.first_seq, stored[0].first);

  // The whole request again: only the record without an id is stored again.
  IngestOutcome second = SubmitAndWait(&h, "game", body);
  ASSERT_TRUE(second.status.ok());
  EXPECT_EQ(second.accepted, 4u);
  EXPECT_EQ(second.duplicates, 3u);
  stored = Stored("game");
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_EQ(stored[3].second, R"({"v":3})");
  EXPECT_EQ(second.first_seq, stored[3].first);

  // A retry alone gets its original _record_id.
  IngestOutcome third = SubmitAndWait(&h, "game", "{\"v\":9,\"event_id\":1}");
  EXPECT_EQ(third.accepted, 1u);
  EXPECT_EQ(third.duplicates, 1u);
  EXPECT_EQ(third.first_seq, stored[2].first);
  EXPECT_EQ(Stored("game").size(), 4u);
  // The same id in another stream, or as a string, is another event.
  EXPECT_EQ(SubmitAndWait(&h, "other", "{\"event_id\":1}").duplicates, 0u);
  EXPECT_EQ(SubmitAndWait(&h, "game", "{\"event_id\":\"1\"}").duplicates, 0u);
  EXPECT_NE(metrics_.Render().find("gamelake_dedupe_duplicates_total 5"), std::string::npos)
      << metrics_.Render();
}

TEST_F(IngestHandlerWalTest, WithoutADeduperEverythingIsStored) {
  IngestHandler h(wal_.get(), &metrics_, IngestOptions{});
  IngestOutcome out = SubmitAndWait(&h, "game", "{\"event_id\":\"a\"}\n{\"event_id\":\"a\"}");
  EXPECT_EQ(out.accepted, 2u);
  EXPECT_EQ(Stored("game").size(), 2u);
}

TEST_F(IngestHandlerWalTest, RejectedRecordsBecomeDeadLetters) {
  IngestOptions o = Options();
  o.dead_letter_max_bytes = 16;
  IngestHandler h(wal_.get(), &metrics_, o);
  std::string long_bad = "[";
  for (int i = 0; i < 20; ++i) long_bad += "1,";
  long_bad += "1]";
  const std::string body = "{\"ok\":1}\n{\"broken\":\n\"\xff\xfe\"\n" + long_bad + "\n";
  IngestOutcome out = SubmitAndWait(&h, "game", body, "key-1");
  EXPECT_EQ(out.accepted, 1u);
  ASSERT_EQ(out.errors.size(), 3u);
  for (const RecordError& e : out.errors) EXPECT_TRUE(e.raw.empty());

  auto letters = Stored(kErrorsStream);
  ASSERT_EQ(letters.size(), 3u);
  simdjson::dom::parser json;
  struct Want {
    uint64_t index;
    std::string code;
    std::string raw_bytes;
  };
  const std::vector<Want> want = {{1, "invalid_json", "{\"broken\":"},
                                  {2, "invalid_utf8", "\"\xff\xfe\""},
                                  {3, "not_an_object", long_bad}};
  for (size_t i = 0; i < 3; ++i) {
    simdjson::dom::element e;
    ASSERT_EQ(json.parse(letters[i].second).get(e), simdjson::SUCCESS) << letters[i].second;
    EXPECT_EQ(std::string_view(e["stream"]), "game");
    EXPECT_EQ(std::string_view(e["key_id"]), "key-1");
    EXPECT_EQ(std::string_view(e["code"]), want[i].code);
    EXPECT_EQ(uint64_t(e["index"]), want[i].index);
    EXPECT_FALSE(std::string_view(e["message"]).empty());
    const std::string_view received = e["received_at"];
    EXPECT_EQ(received.size(), 27u) << received;
    EXPECT_EQ(received.back(), 'Z');
    const bool truncated = want[i].raw_bytes.size() > 16;
    const std::string kept = want[i].raw_bytes.substr(0, 16);
    EXPECT_EQ(bool(e["raw_truncated"]), truncated);
    EXPECT_EQ(Base64Decode(std::string_view(e["raw_base64"])), kept);
    if (want[i].code == "invalid_utf8") {
      EXPECT_EQ(std::string_view(e["raw"]), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // U+FFFD twice.
    } else {
      EXPECT_EQ(std::string_view(e["raw"]), kept);
    }
  }
  // Counted by the append's completion, which nobody waits for (it may run
  // just after the letters became readable): poll, bounded at 10 s.
  bool counted = false;
  for (int i = 0; i < 1000 && !counted; ++i) {
    counted = metrics_.Render().find("gamelake_dead_letters_total 3") != std::string::npos;
    if (!counted) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(counted) << metrics_.Render();
}

TEST_F(IngestHandlerWalTest, RejectedBodiesBecomeDeadLetters) {
  IngestHandler h(wal_.get(), &metrics_, Options());
  h.DeadLetterBody("game", "", "malformed_body", "malformed JSON at byte 1", "[{\"a\":");
  auto letters = Stored(kErrorsStream);
  ASSERT_EQ(letters.size(), 1u);
  simdjson::dom::parser json;
  simdjson::dom::element e;
  ASSERT_EQ(json.parse(letters[0].second).get(e), simdjson::SUCCESS);
  EXPECT_TRUE(e["index"].is_null());
  EXPECT_EQ(std::string_view(e["code"]), "malformed_body");
  EXPECT_EQ(std::string_view(e["raw"]), "[{\"a\":");
  EXPECT_EQ(std::string_view(e["key_id"]), "");
}

TEST(DeadLetterTest, Base64AndTime) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode(std::string_view("\xff\x00\x10", 3)), "/wAQ");
  EXPECT_EQ(FormatUtcMicros(1'700'000'000'123'456), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(FormatUtcMicros(0), "1970-01-01T00:00:00.000000Z");
}

// In-flight retries, with appends the test completes by hand.
class IngestHandlerHeldTest : public IngestHandlerTest {
 protected:
  HeldWal wal_;
};

TEST_F(IngestHandlerHeldTest, RetryWaitsForTheOriginalToBeDurable) {
  IngestHandler h(&wal_, &metrics_, Options());
  OutcomeSlot a;
  OutcomeSlot b;
  h.Submit("game", "", Parse("{\"event_id\":\"x\"}"), a.Callback());
  h.Submit("game", "", Parse("{\"event_id\":\"x\"}\n{\"event_id\":\"y\"}"), b.Callback());
  ASSERT_EQ(wal_.pending(), 2u);  // A stores x; B stores only y.
  // B's own append is durable, but its x is not yet: no answer.
  wal_.Complete("game");  // A's.
  EXPECT_TRUE(a.ready());
  EXPECT_FALSE(b.ready());
  auto records = wal_.Complete("game");  // B's.
  EXPECT_EQ(records, (std::vector<std::string>{"{\"event_id\":\"y\"}"}));
  IngestOutcome ob = b.Wait();
  ASSERT_TRUE(ob.status.ok());
  EXPECT_EQ(ob.accepted, 2u);
  EXPECT_EQ(ob.duplicates, 1u);
  EXPECT_EQ(wal_.stored(),
            (std::vector<std::string>{"game:{\"event_id\":\"x\"}", "game:{\"event_id\":\"y\"}"}));
}

TEST_F(IngestHandlerHeldTest, RetryIsNotAnsweredBeforeItsOriginal) {
  IngestHandler h(&wal_, &metrics_, Options());
  OutcomeSlot a;
  OutcomeSlot b;
  h.Submit("game", "", Parse("{\"event_id\":\"x\"}"), a.Callback());
  h.Submit("game", "", Parse("{\"event_id\":\"x\"}"), b.Callback());
  EXPECT_EQ(wal_.pending(), 1u);
  EXPECT_FALSE(b.ready());
  wal_.Complete("game");
  IngestOutcome oa = a.Wait();
  IngestOutcome ob = b.Wait();
  EXPECT_EQ(oa.accepted, 1u);
  EXPECT_EQ(ob.accepted, 1u);
  EXPECT_EQ(ob.first_seq, oa.first_seq);  // The original's _record_id.
  EXPECT_EQ(wal_.stored().size(), 1u);
}

TEST_F(IngestHandlerHeldTest, RetryOfAFailedOriginalFailsToo) {
  IngestHandler h(&wal_, &metrics_, Options());
  OutcomeSlot a;
  OutcomeSlot b;
  OutcomeSlot c;
  h.Submit("game", "", Parse("{\"event_id\":\"x\"}"), a.Callback());
  h.Submit("game", "", Parse("{\"event_id\":\"x\"}"), b.Callback());
  h.Submit("game", "", Parse("{\"v\":1}\n{\"event_id\":\"x\"}"), c.Callback());
  ASSERT_EQ(wal_.pending(), 2u);                        // A's x and C's {"v":1}.
  wal_.Complete("game", Status::IOError("disk gone"));  // A's.
  EXPECT_EQ(a.Wait().status.code(), Status::Code::kIOError);
  // B had nothing else: the whole request fails as the original did.
  IngestOutcome ob = b.Wait();
  EXPECT_EQ(ob.status.code(), Status::Code::kIOError);
  EXPECT_EQ(ob.accepted, 0u);
  // C stored its other record: x is reported as a failed record.
  EXPECT_FALSE(c.ready());
  wal_.Complete("game");
  IngestOutcome oc = c.Wait();
  ASSERT_TRUE(oc.status.ok());
  EXPECT_EQ(oc.accepted, 1u);
  ASSERT_EQ(oc.errors.size(), 1u);
  EXPECT_EQ(oc.errors[0].index, 1u);
  EXPECT_EQ(oc.errors[0].code, "log_unavailable");
  // x was forgotten: the next retry is stored.
  OutcomeSlot d;
  h.Submit("game", "", Parse("{\"event_id\":\"x\"}"), d.Callback());
  ASSERT_EQ(wal_.pending(), 1u);
  wal_.Complete("game");
  EXPECT_EQ(d.Wait().duplicates, 0u);
  EXPECT_EQ(wal_.stored(),
            (std::vector<std::string>{"game:{\"v\":1}", "game:{\"event_id\":\"x\"}"}));
}

TEST_F(IngestHandlerHeldTest, RecordsWithoutIdsAreUnaffected) {
  IngestHandler h(&wal_, &metrics_, Options());
  for (int i = 0; i < 2; ++i) {
    OutcomeSlot s;
    h.Submit("game", "", Parse("{\"a\":1}\n{\"a\":1}\n{\"id\":\"event_id\"}"), s.Callback());
    ASSERT_EQ(wal_.pending(), 1u);
    EXPECT_EQ(wal_.Complete("game").size(), 3u);
    IngestOutcome o = s.Wait();
    EXPECT_EQ(o.accepted, 3u);
    EXPECT_EQ(o.duplicates, 0u);
  }
  EXPECT_EQ(deduper_->size(), 0u);
}

}  // namespace
}  // namespace gamelake

// Tests of the Client with a scripted Transport and a test Clock: concurrency of Track,
// event fields, per-record results, 413 halving, 401 keep-and-retry, sessions, opt-out.
#include "gamelake/client.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "answer.h"
#include "test_util.h"

namespace gamelake {
namespace {

using gamelake::testing::ReadQueue;
using gamelake::testing::TempDir;

std::string Gunzip(std::string_view in) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out(1 << 20, '\0');
  std::string result;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    rc = inflate(&z, Z_NO_FLUSH);
    result.append(out.data(), out.size() - z.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&z);
  return result;
}

std::vector<std::string> Lines(const std::string& body) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\n') {
      out.push_back(body.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// The value of a top-level string field in one of our events (test-only extraction).
std::string Field(const std::string& event, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  const size_t p = event.find(key);
  if (p == std::string::npos) return "";
  const size_t start = p + key.size();
  return event.substr(start, event.find('"', start) - start);
}

// A transport whose answers a test scripts; records every request's events.
class FakeTransport : public Transport {
 public:
  using Handler = std::function<HttpResponse(const std::vector<std::string>& events)>;
  explicit FakeTransport(Handler h) : handler_(std::move(h)) {}
  HttpResponse Send(const HttpRequest& req) override {
    bool gz = false;
    for (const auto& [k, v] : req.headers) gz = gz || (k == "Content-Encoding" && v == "gzip");
    const auto events = Lines(gz ? Gunzip(req.body) : std::string(req.body));
    std::lock_guard<std::mutex> lk(mu_);
    requests_.push_back(events);
    return handler_(events);
  }
  std::vector<std::vector<std::string>> requests() {
    std::lock_guard<std::mutex> lk(mu_);
    return requests_;
  }

 private:
  Handler handler_;
  std::mutex mu_;
  std::vector<std::vector<std::string>> requests_;
};

HttpResponse Ok(size_t n) {
  return HttpResponse{200, "", "", "{\"accepted\":" + std::to_string(n) + "}"};
}

class TestClock : public Clock {
 public:
  int64_t UnixMillis() override { return unix_.load(); }
  int64_t SteadyMillis() override { return steady_.load(); }
  void Advance(int64_t ms) {
    unix_ += ms;
    steady_ += ms;
  }
  std::atomic<int64_t> unix_{1764522303123}, steady_{1000};
};

Config TestConfig(const std::string& dir, std::shared_ptr<Transport> t) {
  Config c;
  c.base_url = "http://127.0.0.1:1";
  c.api_key = "k";
  c.queue_dir = dir;
  c.flush_interval_ms = 10;
  c.retry_base_ms = 1;
  c.retry_max_ms = 20;
  c.transport = std::move(t);
  return c;
}

TEST(ClientTest, FourThreadsTrackWithoutLossOrDuplicates) {
  TempDir dir;
  // The server is down: everything stays queued, so the queue holds exactly what was tracked.
  auto t = std::make_shared<FakeTransport>([](const auto&) {
    return HttpResponse{503, "", "0", ""};
  });
  std::vector<std::string> ids[4];
  {
    Client client(TestConfig(dir.path(), t));
    ASSERT_TRUE(client.ok()) << client.error();
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k) {
      threads.emplace_back([&, k] {
        Properties p;
        for (int i = 0; i < 5000; ++i) {
          p.Clear();
          p.SetInt("seq", i).SetInt("thread", k);
          ids[k].push_back(client.Track("shot", p));
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(client.PendingEvents(), 20001u);  // + session_start
    client.Shutdown(std::chrono::milliseconds(0));
  }
  std::set<std::string> tracked;
  for (const auto& v : ids) {
    for (const auto& id : v) {
      ASSERT_EQ(id.size(), 36u);
      tracked.insert(id);
    }
  }
  ASSERT_EQ(tracked.size(), 20000u);
  std::set<std::string> queued;
  size_t sessions = 0;
  for (const auto& r : ReadQueue(dir.path())) {
    const std::string type = Field(r.payload, "event_type");
    if (type == "shot") {
      EXPECT_TRUE(queued.insert(Field(r.payload, "event_id")).second) << "duplicate";
    } else {
      ++sessions;
      EXPECT_TRUE(r.critical);
    }
  }
  EXPECT_EQ(queued, tracked);
  EXPECT_EQ(sessions, 2u);  // session_start, and session_end at shutdown
}

TEST(ClientTest, EventCarriesTheSdkFieldsAndOverrides) {
  TempDir dir;
  auto t = std::make_shared<FakeTransport>([](const auto& ev) { return Ok(ev.size()); });
  auto clock = std::make_shared<TestClock>();
  Config c = TestConfig(dir.path(), t);
  c.clock = clock;
  c.app_version = "1.4.2";
  c.platform = "android";
  Client client(c);
  client.SetPlayerId("p-\"42\"");
  Properties p;
  p.Set("Time Played", 312).Set("CaughtBy", "Ghost").Set("event_id", "x");
  const std::string id = client.Track("death", p);
  Properties o;
  o.Set("ts", "2020-01-01T00:00:00.000Z").Set("platform", "pc");
  client.Track("backfill", o);
  EXPECT_EQ(client.Track("bad name!", p), "");
  EXPECT_EQ(client.Track("", p), "");
  ASSERT_TRUE(client.FlushAndWait(std::chrono::seconds(10)));
  std::vector<std::string> events;
  for (const auto& r : t->requests()) events.insert(events.end(), r.begin(), r.end());
  ASSERT_EQ(events.size(), 3u);
  const std::string session = Field(events[0], "session_id");
  EXPECT_EQ(Field(events[0], "event_type"), "session_start");
  EXPECT_EQ(
      events[1],
      "{\"event_id\":\"" + id +
          "\",\"event_type\":\"death\",\"ts\":\"2025-11-30T17:05:03.123Z\",\"session_id\":\"" +
          session +
          "\",\"player_id\":\"p-\\\"42\\\"\",\"platform\":\"android\",\"app_version\":\"1.4.2\","
          "\"sdk_version\":\"cpp/0.1.0\",\"Time Played\":312,\"CaughtBy\":\"Ghost\"}");
  EXPECT_EQ(events[2].find("\"platform\":\"android\""), std::string::npos);
  EXPECT_NE(events[2].find("\"ts\":\"2020-01-01T00:00:00.000Z\""), std::string::npos);
  EXPECT_EQ(events[2].find("2025-11-30T17:05:03.123Z"), std::string::npos);
}

TEST(ClientTest, InvalidRecordsAreReportedAndLogUnavailableResent) {
  TempDir dir;
  std::atomic<int> calls{0};
  auto t = std::make_shared<FakeTransport>([&](const std::vector<std::string>& ev) {
    if (calls++ == 0 && ev.size() == 4) {
      return HttpResponse{
          200, "", "",
          R"({"accepted":1,"failed":3,"errors":[{"index":1,"code":"too_deep","message":"m1"},)"
          R"({"index":2,"code":"log_unavailable","message":"m2"},{"index":3,"code":"invalid_json","message":"m3"}]})"};
    }
    return Ok(ev.size());
  });
  std::vector<std::string> invalid;
  std::mutex mu;
  Config c = TestConfig(dir.path(), t);
  c.flush_interval_ms = 100000;  // only Flush sends
  c.on_dropped = [&](DropReason r, uint64_t n, std::string_view d) {
    std::lock_guard<std::mutex> lk(mu);
    if (r == DropReason::kInvalid) invalid.push_back(std::to_string(n) + " " + std::string(d));
  };
  Client client(c);
  for (int i = 0; i < 3; ++i) client.Track("e");  // with session_start: 4 events
  ASSERT_TRUE(client.FlushAndWait(std::chrono::seconds(10)));
  const auto reqs = t->requests();
  ASSERT_EQ(reqs.size(), 2u);
  // Record 1 was dropped as invalid; 2 and 3 were resent (3's error was after the
  // first log_unavailable, so it is judged by the second answer).
  ASSERT_EQ(reqs[1].size(), 2u);
  EXPECT_EQ(reqs[1][0], reqs[0][2]);
  EXPECT_EQ(reqs[1][1], reqs[0][3]);
  std::lock_guard<std::mutex> lk(mu);
  ASSERT_EQ(invalid.size(), 1u);
  EXPECT_EQ(invalid[0], "1 too_deep: m1");
}

TEST(ClientTest, TooLargeBatchIsHalvedDownToOneEvent) {
  TempDir dir;
  auto t = std::make_shared<FakeTransport>([](const std::vector<std::string>& ev) {
    if (ev.size() > 2)
      return HttpResponse{413, "", "", R"({"error":"body_too_large","message":"big"})"};
    for (const auto& e : ev) {
      if (e.find("\"poison\"") != std::string::npos) {
        return HttpResponse{400, "", "", R"({"error":"malformed_body","message":"at byte 3"})"};
      }
    }
    return Ok(ev.size());
  });
  std::atomic<int> invalid{0};
  Config c = TestConfig(dir.path(), t);
  c.flush_interval_ms = 100000;
  c.on_dropped = [&](DropReason r, uint64_t n, std::string_view) {
    if (r == DropReason::kInvalid) invalid += static_cast<int>(n);
  };
  Client client(c);
  for (int i = 0; i < 8; ++i) client.Track("e");
  client.Track("poison");
  for (int i = 0; i < 8; ++i) client.Track("e");
  ASSERT_TRUE(client.FlushAndWait(std::chrono::seconds(10)));
  EXPECT_EQ(invalid.load(), 1);
  std::set<std::string> delivered;
  for (const auto& r : t->requests()) {
    bool poisoned = false;
    for (const auto& e : r) poisoned = poisoned || e.find("poison") != std::string::npos;
    if (r.size() <= 2 && !poisoned) {  // what the fake server accepted
      for (const auto& e : r) delivered.insert(Field(e, "event_id"));
    }
  }
  EXPECT_EQ(delivered.size(), 17u);  // session_start + 16
}

TEST(ClientTest, UnauthorizedKeepsEventsAndReportsError) {
  TempDir dir;
  std::atomic<bool> key_fixed{false};
  auto t = std::make_shared<FakeTransport>([&](const std::vector<std::string>& ev) {
    if (!key_fixed.load())
      return HttpResponse{401, "", "", R"({"error":"unauthorized","message":"bad key"})"};
    return Ok(ev.size());
  });
  std::atomic<int> errors{0};
  Config c = TestConfig(dir.path(), t);
  c.on_error = [&](std::string_view) { ++errors; };
  Client client(c);
  for (int i = 0; i < 10; ++i) client.Track("e");
  client.Flush();
  for (int i = 0; i < 1000 && errors.load() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(errors.load(), 2);  // refused, and retried: nothing was dropped
  EXPECT_EQ(client.PendingEvents(), 11u);
  key_fixed = true;
  EXPECT_TRUE(client.FlushAndWait(std::chrono::seconds(10)));
  EXPECT_EQ(client.PendingEvents(), 0u);
}

TEST(ClientTest, TlsFailureIsReportedOnceWithItsReasonAndKeepsEvents) {
  TempDir dir;
  std::atomic<bool> trusted{false};
  auto t = std::make_shared<FakeTransport>([&](const std::vector<std::string>& ev) {
    if (!trusted.load()) {
      HttpResponse r;
      r.network_error = "SSL certificate problem: unable to get local issuer certificate";
      r.tls_error = true;
      return r;
    }
    return Ok(ev.size());
  });
  std::mutex mu;
  std::vector<std::string> errors;
  Config c = TestConfig(dir.path(), t);
  c.ca_file = "/nonexistent/ca.pem";  // only named in the report (the fake transport ignores it)
  c.on_error = [&](std::string_view m) {
    std::lock_guard<std::mutex> lk(mu);
    errors.emplace_back(m);
  };
  Client client(c);
  for (int i = 0; i < 10; ++i) client.Track("e");
  client.Flush();
  for (int i = 0; i < 1000 && t->requests().size() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GE(t->requests().size(), 5u);  // retried, again and again
  EXPECT_EQ(client.PendingEvents(), 11u);
  {
    std::lock_guard<std::mutex> lk(mu);
    ASSERT_EQ(errors.size(), 1u);  // once per run of failures, not per retry
    EXPECT_NE(errors[0].find("unable to get local issuer certificate"), std::string::npos);
    EXPECT_NE(errors[0].find("/nonexistent/ca.pem"), std::string::npos);
  }
  trusted = true;
  EXPECT_TRUE(client.FlushAndWait(std::chrono::seconds(10)));
  EXPECT_EQ(client.PendingEvents(), 0u);
}

TEST(ClientTest, InsecureIsReportedAtStart) {
  TempDir dir;
  auto t = std::make_shared<FakeTransport>([](const auto& ev) { return Ok(ev.size()); });
  std::vector<std::string> errors;
  Config c = TestConfig(dir.path(), t);
  c.insecure_skip_tls_verify = true;
  c.on_error = [&](std::string_view m) { errors.emplace_back(m); };
  Client client(c);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("NOT checked"), std::string::npos);
}

TEST(ClientTest, SessionTimesOutAndEndsWithDuration) {
  TempDir dir;
  auto t = std::make_shared<FakeTransport>([](const auto& ev) { return Ok(ev.size()); });
  auto clock = std::make_shared<TestClock>();
  Config c = TestConfig(dir.path(), t);
  c.clock = clock;
  c.session_timeout_ms = 1000;
  Client client(c);
  client.Track("a");
  clock->Advance(400);
  client.Track("b");
  clock->Advance(1001);  // idle past the timeout
  client.Track("c");
  ASSERT_TRUE(client.FlushAndWait(std::chrono::seconds(10)));
  std::vector<std::string> events;
  for (const auto& r : t->requests()) events.insert(events.end(), r.begin(), r.end());
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(Field(e, "event_type"));
  EXPECT_EQ(types, (std::vector<std::string>{"session_start", "a", "b", "session_end",
                                             "session_start", "c"}));
  EXPECT_NE(events[3].find("\"duration_ms\":400"), std::string::npos) << events[3];
  EXPECT_EQ(Field(events[3], "ts"), Field(events[2], "ts"));  // stamped with the last event
  EXPECT_EQ(Field(events[3], "session_id"), Field(events[0], "session_id"));
  EXPECT_NE(Field(events[5], "session_id"), Field(events[0], "session_id"));
}

TEST(ClientTest, OptOutClearsTheQueueAndIsRemembered) {
  TempDir dir;
  auto t = std::make_shared<FakeTransport>([](const auto&) {
    return HttpResponse{503, "", "", ""};
  });
  {
    Client client(TestConfig(dir.path(), t));
    client.Track("e");
    EXPECT_GT(client.PendingEvents(), 0u);
    client.SetOptOut(true);
    EXPECT_EQ(client.PendingEvents(), 0u);
    EXPECT_EQ(client.Track("e"), "");
  }
  EXPECT_TRUE(ReadQueue(dir.path()).empty());
  Client again(TestConfig(dir.path(), t));
  EXPECT_TRUE(again.opted_out());
  EXPECT_EQ(again.Track("e"), "");
  again.SetOptOut(false);
  EXPECT_EQ(again.Track("e").size(), 36u);
}

TEST(ClientTest, TooLargeEventIsRefused) {
  TempDir dir;
  auto t = std::make_shared<FakeTransport>([](const auto& ev) { return Ok(ev.size()); });
  std::atomic<int> too_large{0};
  Config c = TestConfig(dir.path(), t);
  c.max_event_bytes = 1000;
  c.on_dropped = [&](DropReason r, uint64_t, std::string_view) {
    too_large += r == DropReason::kTooLarge;
  };
  Client client(c);
  Properties p;
  p.Set("pad", std::string(2000, 'x'));
  EXPECT_EQ(client.Track("big", p), "");
  EXPECT_EQ(too_large.load(), 1);
}

TEST(ClientTest, QueuedEventsAreSentByTheNextInstance) {
  TempDir dir;
  auto down = std::make_shared<FakeTransport>([](const auto&) {
    return HttpResponse{0, "refused", "", ""};
  });
  std::set<std::string> ids;
  {
    Client client(TestConfig(dir.path(), down));
    for (int i = 0; i < 100; ++i) ids.insert(client.Track("e"));
    client.Shutdown(std::chrono::milliseconds(0));
  }
  auto up = std::make_shared<FakeTransport>([](const auto& ev) { return Ok(ev.size()); });
  Client client(TestConfig(dir.path(), up));
  EXPECT_EQ(client.PendingEvents(), 102u);  // + session_start and session_end
  ASSERT_TRUE(client.FlushAndWait(std::chrono::seconds(10)));
  std::set<std::string> sent;
  for (const auto& r : up->requests()) {
    for (const auto& e : r) sent.insert(Field(e, "event_id"));
  }
  for (const auto& id : ids) EXPECT_EQ(sent.count(id), 1u);
}

// Answers several batches at once; the first call fails its middle batch.
class ParallelTransport : public FakeTransport {
 public:
  ParallelTransport() : FakeTransport([](const auto& ev) { return Ok(ev.size()); }) {}
  std::vector<HttpResponse> SendMany(const std::vector<HttpRequest>& requests) override {
    std::vector<HttpResponse> out;
    const bool first = calls_++ == 0;
    if (first) batches_in_first_ = requests.size();
    for (size_t k = 0; k < requests.size(); ++k) {
      HttpResponse r = Send(requests[k]);
      if (first && k == 1) r = HttpResponse{503, "", "0", ""};
      out.push_back(r);
    }
    return out;
  }
  std::atomic<int> calls_{0};
  std::atomic<size_t> batches_in_first_{0};
};

TEST(ClientTest, LaterAnswersWaitForEarlierOnes) {
  TempDir dir;
  Config c = TestConfig(dir.path(), std::make_shared<FakeTransport>([](const auto&) {
                          return HttpResponse{503, "", "", ""};
                        }));
  c.max_batch_events = 10;
  c.max_requests_in_flight = 3;
  {
    Client offline(c);  // queues session_start, 29 events and session_end
    for (int i = 0; i < 29; ++i) offline.Track("e");
    offline.Shutdown(std::chrono::milliseconds(0));
  }
  auto t = std::make_shared<ParallelTransport>();
  c.transport = t;
  Client client(c);  // finds 31 queued: its first round sends three batches at once
  ASSERT_TRUE(client.FlushAndWait(std::chrono::seconds(10)));
  EXPECT_EQ(t->batches_in_first_.load(), 3u);
  const auto reqs = t->requests();
  ASSERT_GE(reqs.size(), 5u);
  // Batch 0 was acknowledged; batch 1 failed, so batch 2's answer was not applied:
  // both were sent again, and nothing was lost.
  std::map<std::string, int> sent;
  for (const auto& r : reqs) {
    for (const auto& e : r) sent[Field(e, "event_id")]++;
  }
  EXPECT_EQ(sent.size(), 31u);
  for (const auto& e : reqs[0]) EXPECT_EQ(sent[Field(e, "event_id")], 1);
  for (const auto& e : reqs[1]) EXPECT_EQ(sent[Field(e, "event_id")], 2);
  for (const auto& e : reqs[2]) EXPECT_EQ(sent[Field(e, "event_id")], 2);
  EXPECT_EQ(client.PendingEvents(), 0u);
}

}  // namespace
}  // namespace gamelake

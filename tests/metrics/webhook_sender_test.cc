// WebhookSender against a real HTTP receiver on 127.0.0.1 (an ephemeral
// port): delivery, retry on 5xx, no retry on 4xx, giving up on a dead port.
#include "metrics/webhook_sender.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"
#include "../common/webhook_receiver.h"

namespace gamelake {
namespace {

using ::testing::HasSubstr;

// Sends one notification and waits (generously) for its outcome.
WebhookOutcome SendOne(const std::string& url, int attempts = 5) {
  WebhookSenderOptions o;
  o.attempts = attempts;
  o.first_backoff_ms = 10;
  o.http.connect_timeout_ms = 2000;
  o.http.io_timeout_ms = 2000;
  std::mutex mu;
  std::condition_variable cv;
  std::optional<WebhookOutcome> got;
  WebhookSender sender(o, [&](const WebhookNotification& n, const WebhookOutcome& out) {
    std::lock_guard<std::mutex> l(mu);
    got = out;
    cv.notify_all();
  });
  EXPECT_TRUE(sender.Enqueue(WebhookNotification{"a", url, R"({"AlarmName":"a"})", "ALARM", 1}));
  std::unique_lock<std::mutex> l(mu);
  cv.wait_for(l, std::chrono::seconds(60), [&] { return got.has_value(); });
  EXPECT_TRUE(got.has_value()) << "no outcome for " << url;
  return got.value_or(WebhookOutcome{});
}

std::string Url(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port) + "/hook"; }

TEST(WebhookSenderTest, DeliversTheBody) {
  WebhookReceiver r({200});
  WebhookOutcome o = SendOne(Url(r.port()));
  EXPECT_TRUE(o.delivered);
  EXPECT_EQ(o.attempts, 1);
  EXPECT_EQ(o.http_status, 200);
  EXPECT_THAT(r.bodies(), ::testing::ElementsAre(R"({"AlarmName":"a"})"));
}

TEST(WebhookSenderTest, RetriesA500ThenDelivers) {
  WebhookReceiver r({500, 200});
  WebhookOutcome o = SendOne(Url(r.port()));
  EXPECT_TRUE(o.delivered);
  EXPECT_EQ(o.attempts, 2);
  EXPECT_EQ(r.bodies().size(), 2u);
}

TEST(WebhookSenderTest, DoesNotRetryA400) {
  WebhookReceiver r({400, 200});
  WebhookOutcome o = SendOne(Url(r.port()));
  EXPECT_FALSE(o.delivered);
  EXPECT_EQ(o.attempts, 1);
  EXPECT_EQ(o.http_status, 400);
  EXPECT_EQ(o.error, "HTTP 400");
  EXPECT_EQ(r.bodies().size(), 1u);
}

TEST(WebhookSenderTest, GivesUpOnADeadPortAfterItsAttempts) {
  uint16_t port = 0;
  {
    WebhookReceiver gone({200});
    port = gone.port();
  }  // Closed: nothing listens there now.
  WebhookOutcome o = SendOne(Url(port), /*attempts=*/3);
  EXPECT_FALSE(o.delivered);
  EXPECT_EQ(o.attempts, 3);
  EXPECT_EQ(o.http_status, 0);
  EXPECT_THAT(o.error, HasSubstr("connect"));
}

TEST(WebhookSenderTest, RefusesWhenTheQueueIsFull) {
  WebhookReceiver r({200});
  WebhookSenderOptions o;
  o.max_queue = 1;
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  int done = 0;
  // on_done holds the first notification in flight until the test lets go.
  WebhookSender sender(o, [&](const WebhookNotification&, const WebhookOutcome&) {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return release; });
    ++done;
    cv.notify_all();
  });
  EXPECT_TRUE(sender.Enqueue(WebhookNotification{"a", Url(r.port()), "{}", "OK", 1}));
  EXPECT_FALSE(sender.Enqueue(WebhookNotification{"a", Url(r.port()), "{}", "OK", 1}));
  EXPECT_EQ(sender.pending(), 1u);
  std::unique_lock<std::mutex> l(mu);
  release = true;
  cv.notify_all();
  cv.wait_for(l, std::chrono::seconds(60), [&] { return done == 1; });
  EXPECT_EQ(done, 1);
}

TEST(HttpUrlTest, ParsesPlainHttpAndRefusesTheRest) {
  auto u = ParseHttpUrl("http://127.0.0.1:8080/a/b?c=d");
  ASSERT_THAT(u.status(), IsOk());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/a/b?c=d");
  EXPECT_EQ(ParseHttpUrl("http://example.com")->target, "/");
  EXPECT_EQ(ParseHttpUrl("http://example.com")->port, 80);
  EXPECT_EQ(ParseHttpUrl("http://[::1]:9/x")->host, "::1");
  EXPECT_THAT(ParseHttpUrl("https://example.com/").status(),
              StatusIs(Status::Code::kInvalidArgument, "https is not supported"));
  EXPECT_THAT(ParseHttpUrl("http://h:0/").status(),
              StatusIs(Status::Code::kInvalidArgument, "port"));
  EXPECT_THAT(ParseHttpUrl("ftp://h/").status(),
              StatusIs(Status::Code::kInvalidArgument, "http://"));
  EXPECT_THAT(ParseHttpUrl("http:///x").status(),
              StatusIs(Status::Code::kInvalidArgument, "no host"));
}

}  // namespace
}  // namespace gamelake

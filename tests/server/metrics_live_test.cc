// MetricsLive: every stream it started is ended (its last chunk written) by
// Stop(), including one whose start raced with Stop(): the stream starts
// without the mutex held, so Stop() can run in between and must not leave
// that subscriber open with no one to end it (the connection would then
// hold the server's drain until its timeout).
#include "server/metrics_live.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"

namespace gamelake {
namespace {

namespace http = boost::beast::http;

// What a writer was asked to do; shared because MetricsLive owns the writer.
struct WriterLog {
  std::atomic<int> writes{0};
  std::atomic<bool> finished{false};
};

class FakeWriter final : public ChunkWriter {
 public:
  explicit FakeWriter(std::shared_ptr<WriterLog> log) : log_(std::move(log)) {}
  bool Write(std::string_view) override {
    log_->writes.fetch_add(1);
    return true;
  }
  void Finish() override { log_->finished.store(true); }

 private:
  std::shared_ptr<WriterLog> log_;
};

class MetricsLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MetricStoreOptions o;
    o.dir = dir_.path() + "/metrics";
    o.maintain_interval_s = 0;
    auto store = MetricStore::Open(o);
    GL_ASSERT_OK(store.status());
    store_ = std::move(store).value();
    live_ = std::make_unique<MetricsLive>(store_.get(), Env::Default());
  }

  static HttpRequest Subscribe() {
    return HttpRequest{http::verb::get, "/v1/metrics/live?namespace=game&name=kills", 11};
  }

  // A Respond that streams into a FakeWriter logging to `log`; `on_stream`
  // runs as the stream starts. A whole response (an error) goes to *status.
  static Respond StreamingRespond(std::shared_ptr<WriterLog> log, std::optional<unsigned>* status,
                                  std::function<void()> on_stream = nullptr) {
    return Respond([status](HttpResponse res) { *status = res.result_int(); },
                   [log, on_stream](HttpResponse) -> std::unique_ptr<ChunkWriter> {
                     if (on_stream) on_stream();
                     return std::make_unique<FakeWriter>(log);
                   });
  }

  ScratchDir dir_;
  std::unique_ptr<MetricStore> store_;
  std::unique_ptr<MetricsLive> live_;
};

TEST_F(MetricsLiveTest, StopEndsEveryStream) {
  auto log = std::make_shared<WriterLog>();
  std::optional<unsigned> status;
  live_->Handle(Subscribe(), StreamingRespond(log, &status));
  EXPECT_FALSE(status.has_value());
  EXPECT_GE(log->writes.load(), 1);  // ": subscribed".
  EXPECT_FALSE(log->finished.load());
  live_->Stop();
  EXPECT_TRUE(log->finished.load());
}

TEST_F(MetricsLiveTest, StreamStartedWhileStoppingIsEnded) {
  auto log = std::make_shared<WriterLog>();
  std::optional<unsigned> status;
  // Stop() runs after Handle() checked stop_ and before it registers the
  // subscriber: the window the stream's start leaves open.
  live_->Handle(Subscribe(), StreamingRespond(log, &status, [this] { live_->Stop(); }));
  EXPECT_FALSE(status.has_value());
  EXPECT_TRUE(log->finished.load());
}

TEST_F(MetricsLiveTest, SubscribingAfterStopIsRefused) {
  live_->Stop();
  auto log = std::make_shared<WriterLog>();
  std::optional<unsigned> status;
  live_->Handle(Subscribe(), StreamingRespond(log, &status));
  EXPECT_EQ(status, 429u);
  EXPECT_EQ(log->writes.load(), 0);
}

}  // namespace
}  // namespace gamelake

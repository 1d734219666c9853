// LiveHub: the rows of one application's in-application streams (and its
// error stream) as they are produced, for live subscribers — what KDA's SQL
// editor showed under "Real-time analytics", served by
// GET /v1/apps/{name}/streams/{stream}/live as Server-Sent Events.
//
// The application's runner publishes each row once; the hub formats it as an
// SSE event only when the stream has subscribers, and appends it to each
// subscriber's queue. The runner never waits for a subscriber: a queue that
// grows past kMaxQueuedBytes (its reader is too slow) is dropped — the
// subscriber then reads a last "dropped" event and its stream ends.
//
// An event is
//   id: <the row's ordinal>
//   data: {"ROWTIME":"2026-01-02 03:04:05.678","PlayerID":7,...}
// — the row as a destination gets it (AppendRowJson: columns as stored, in
// order) with its ROWTIME first, as KDA's editor showed it.
//
// Thread-safety: every method is safe from any thread. Publish and
// HasSubscribers are cheap when nobody subscribes (one atomic load).
#ifndef GAMELAKE_STREAMING_LIVE_HUB_H_
#define GAMELAKE_STREAMING_LIVE_HUB_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "streaming/sql_value.h"

namespace gamelake {

class LiveSubscription {
 public:
  enum class Wait {
    kData,     // *out holds one or more events.
    kTimeout,  // Nothing new within the timeout.
    kClosed,   // The application was deleted or the server is stopping; nothing more comes.
    kDropped,  // The reader fell too far behind; *out holds the last ("dropped") event.
  };

  explicit LiveSubscription(std::string stream) : stream_(std::move(stream)) {}

  // Moves the queued events (SSE text) into *out; waits up to timeout_ms for some.
  Wait Take(std::string* out, int64_t timeout_ms) GL_EXCLUDES(mu_);
  // The reader has gone: nothing is queued for it any more.
  void Cancel() GL_EXCLUDES(mu_);
  const std::string& stream() const { return stream_; }

 private:
  friend class LiveHub;
  // False once the subscription is over (cancelled, dropped, closed).
  bool Append(std::string_view event, size_t max_bytes) GL_EXCLUDES(mu_);
  void Close() GL_EXCLUDES(mu_);

  const std::string stream_;
  Mutex mu_;  // Taken after the hub's (Publish, Subscribe).
  CondVar cv_;
  std::string queued_ GL_GUARDED_BY(mu_);
  bool closed_ GL_GUARDED_BY(mu_) = false;
  bool dropped_ GL_GUARDED_BY(mu_) = false;
  bool cancelled_ GL_GUARDED_BY(mu_) = false;
};

class LiveHub {
 public:
  static constexpr size_t kMaxQueuedBytes = 4u << 20;

  // A new subscriber of `stream` (an in-application stream or error_stream).
  std::shared_ptr<LiveSubscription> Subscribe(std::string stream) GL_EXCLUDES(mu_);
  bool HasSubscribers() const { return count_.load(std::memory_order_relaxed) > 0; }
  // Sends the row to the subscribers of `stream`; never blocks on them.
  void Publish(std::string_view stream, uint64_t ordinal, const StreamSchema& schema,
               const StreamRow& row) GL_EXCLUDES(mu_);
  // Forgets a subscription whose reader has gone (cancels it).
  void Unsubscribe(const std::shared_ptr<LiveSubscription>& sub) GL_EXCLUDES(mu_);
  // Ends every subscription (kClosed) and refuses new ones.
  void CloseAll() GL_EXCLUDES(mu_);
  size_t subscribers() const { return count_.load(std::memory_order_relaxed); }

 private:
  mutable Mutex mu_;  // Taken before the subscriptions'.
  std::vector<std::shared_ptr<LiveSubscription>> subs_ GL_GUARDED_BY(mu_);
  bool closed_ GL_GUARDED_BY(mu_) = false;
  std::atomic<size_t> count_{0};  // subs_.size().
};

// The SSE event of one row (see above).
std::string LiveRowEvent(uint64_t ordinal, const StreamSchema& schema, const StreamRow& row);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_LIVE_HUB_H_

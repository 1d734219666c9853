#include "streaming/live_hub.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

namespace gamelake {

constexpr std::string_view kDroppedEvent =
    "event: dropped\ndata: {\"reason\":\"the subscriber fell too far behind; reconnect\"}\n\n";

LiveSubscription::Wait LiveSubscription::Take(std::string* out, int64_t timeout_ms) {
  out->clear();
  MutexLock l(&mu_);
  cv_.WaitFor(&mu_, std::chrono::milliseconds(timeout_ms), [&]() GL_REQUIRES(mu_) {
    return !queued_.empty() || closed_ || dropped_ || cancelled_;
  });
  if (dropped_) {
    *out = kDroppedEvent;
    return Wait::kDropped;
  }
  if (!queued_.empty()) {
    out->swap(queued_);
    return Wait::kData;
  }
  return closed_ || cancelled_ ? Wait::kClosed : Wait::kTimeout;
}

void LiveSubscription::Cancel() {
  MutexLock l(&mu_);
  cancelled_ = true;
  queued_.clear();
  cv_.SignalAll();
}

bool LiveSubscription::Append(std::string_view event, size_t max_bytes) {
  MutexLock l(&mu_);
  if (closed_ || dropped_ || cancelled_) return false;
  if (queued_.size() + event.size() > max_bytes) {
    dropped_ = true;
    queued_.clear();
    queued_.shrink_to_fit();
  } else {
    queued_.append(event);
  }
  cv_.SignalAll();
  return !dropped_;
}

void LiveSubscription::Close() {
  MutexLock l(&mu_);
  closed_ = true;
  cv_.SignalAll();
}

std::string LiveRowEvent(uint64_t ordinal, const StreamSchema& schema, const StreamRow& row) {
  std::string json;
  AppendRowJson(schema, row, &json);
  std::string event =
      fmt::format("id: {}\ndata: {{\"ROWTIME\":\"{}\"", ordinal, FormatTimestampMs(row.rowtime_ms));
  // AppendRowJson writes "{...}": its members follow ROWTIME.
  if (json.size() > 2) {
    event.push_back(',');
    event.append(json, 1, json.size() - 1);
  } else {
    event.push_back('}');
  }
  event.append("\n\n");
  return event;
}

std::shared_ptr<LiveSubscription> LiveHub::Subscribe(std::string stream) {
  auto sub = std::make_shared<LiveSubscription>(std::move(stream));
  MutexLock l(&mu_);
  if (closed_) {
    sub->Close();
    return sub;
  }
  subs_.push_back(sub);
  count_.store(subs_.size(), std::memory_order_relaxed);
  return sub;
}

void LiveHub::Publish(std::string_view stream, uint64_t ordinal, const StreamSchema& schema,
                      const StreamRow& row) {
  if (!HasSubscribers()) return;
  MutexLock l(&mu_);
  std::string event;
  std::erase_if(subs_, [&](const std::shared_ptr<LiveSubscription>& s) {
    if (s->stream() != stream) return false;
    if (event.empty()) event = LiveRowEvent(ordinal, schema, row);
    return !s->Append(event, kMaxQueuedBytes);
  });
  count_.store(subs_.size(), std::memory_order_relaxed);
}

void LiveHub::Unsubscribe(const std::shared_ptr<LiveSubscription>& sub) {
  sub->Cancel();
  MutexLock l(&mu_);
  std::erase(subs_, sub);
  count_.store(subs_.size(), std::memory_order_relaxed);
}

void LiveHub::CloseAll() {
  std::vector<std::shared_ptr<LiveSubscription>> ending;
  {
    MutexLock l(&mu_);
    closed_ = true;
    ending.swap(subs_);
    count_.store(0, std::memory_order_relaxed);
  }
  for (auto& s : ending) s->Close();
}

}  // namespace gamelake

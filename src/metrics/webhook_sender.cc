#include "metrics/webhook_sender.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace gamelake {

WebhookSender::WebhookSender(WebhookSenderOptions options, OnDone on_done)
    : options_(std::move(options)), on_done_(std::move(on_done)) {
  thread_ = std::thread([this] { Loop(); });
}

WebhookSender::~WebhookSender() { Stop(); }

bool WebhookSender::Enqueue(WebhookNotification notification) {
  MutexLock l(&mu_);
  if (stop_ || queue_.size() + in_flight_ >= options_.max_queue) return false;
  queue_.push_back(Item{std::move(notification), {}, options_.env->MonotonicMicros()});
  cv_.SignalAll();
  return true;
}

size_t WebhookSender::pending() const {
  MutexLock l(&mu_);
  return queue_.size() + in_flight_;
}

void WebhookSender::Stop() {
  {
    MutexLock l(&mu_);
    stop_ = true;
    if (!queue_.empty()) {
      spdlog::warn("msg=\"alarm webhooks dropped at shutdown\" count={}", queue_.size());
    }
    queue_.clear();
    cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::Loop() {
  MutexLock l(&mu_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.Wait(&mu_, [&]() GL_REQUIRES(mu_) { return stop_ || !queue_.empty(); });
      continue;
    }
    auto next = std::min_element(queue_.begin(), queue_.end(),
                                 [](const Item& a, const Item& b) { return a.due_us < b.due_us; });
    int64_t wait_us = next->due_us - options_.env->MonotonicMicros();
    if (wait_us > 0) {
      cv_.WaitFor(&mu_, std::chrono::microseconds(wait_us));
      continue;  // Stopped, a new item, or due now: look again.
    }
    Item item = std::move(*next);
    queue_.erase(next);
    ++in_flight_;
    l.Unlock();
    bool finished = Attempt(&item);
    if (finished) on_done_(item.notification, item.outcome);
    l.Lock();
    --in_flight_;
    if (!finished && !stop_) queue_.push_back(std::move(item));
  }
}

bool WebhookSender::Attempt(Item* item) {
  WebhookOutcome& o = item->outcome;
  ++o.attempts;
  bool retry = true;
  auto url = ParseHttpUrl(item->notification.url);
  if (!url.ok()) {
    o.error = std::string(url.status().message());
    return true;
  }
  auto answer = HttpPost(*url, "application/json", item->notification.body, options_.http);
  if (answer.ok()) {
    o.http_status = answer->status;
    if (answer->status >= 200 && answer->status < 300) {
      o.delivered = true;
      o.error.clear();
      return true;
    }
    o.error = fmt::format("HTTP {}", answer->status);
    retry = answer->status >= 500 || answer->status == 429;
  } else {
    o.http_status = 0;
    o.error = answer.status().ToString();
  }
  if (!retry || o.attempts >= options_.attempts) return true;
  int64_t backoff_ms = options_.first_backoff_ms << std::min(o.attempts - 1, 20);
  item->due_us = options_.env->MonotonicMicros() + backoff_ms * 1000;
  return false;
}

}  // namespace gamelake

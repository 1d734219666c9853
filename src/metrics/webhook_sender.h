// WebhookSender: delivers alarm notifications — a JSON body POSTed to an
// http:// URL — on its own thread, so neither the alarm evaluator nor an API
// request ever waits for a webhook endpoint.
//
// Queue: bounded (max_queue notifications waiting, being sent or waiting for
// a retry); Enqueue refuses when it is full and the caller records that. Due
// retries are sent in the order they fall due, so one dead endpoint delays
// the others by at most one request's timeouts (HttpClientOptions).
// Retries: on a connection error, a timeout, HTTP 5xx or 429, up to
// `attempts` tries in all, waiting first_backoff_ms, then twice as long each
// time (defaults: 5 tries, waits of 1, 2, 4, 8 s); any other answer outside
// 2xx is final. Every notification ends in exactly one on_done call (from the
// sender's thread) unless Stop() drops it first.
//
// Thread-safety: Enqueue and pending may be called from any thread.
#ifndef GAMELAKE_METRICS_WEBHOOK_SENDER_H_
#define GAMELAKE_METRICS_WEBHOOK_SENDER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>

#include "common/env.h"
#include "common/mutex.h"
#include "metrics/http_client.h"

namespace gamelake {

struct WebhookNotification {
  std::string alarm_name;
  std::string url;
  std::string body;  // JSON.
  std::string new_state;
  int64_t state_change_ms = 0;
};

struct WebhookOutcome {
  bool delivered = false;
  int attempts = 0;
  int http_status = 0;  // The last answer's; 0 if none came.
  std::string error;    // Why the last attempt failed; empty when delivered.
};

struct WebhookSenderOptions {
  Env* env = Env::Default();
  size_t max_queue = 1'000;
  int attempts = 5;
  int64_t first_backoff_ms = 1'000;
  HttpClientOptions http;
};

class WebhookSender {
 public:
  using OnDone = std::function<void(const WebhookNotification&, const WebhookOutcome&)>;

  // Starts the sender's thread.
  WebhookSender(WebhookSenderOptions options, OnDone on_done);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // False when the queue is full or the sender stopped (nothing will be sent).
  bool Enqueue(WebhookNotification notification) GL_EXCLUDES(mu_);
  // Notifications not yet finished (queued, in flight or waiting to retry).
  size_t pending() const GL_EXCLUDES(mu_);
  // Ends the thread once the request in flight (if any) ends; drops the rest.
  // Idempotent.
  void Stop() GL_EXCLUDES(mu_);

 private:
  struct Item {
    WebhookNotification notification;
    WebhookOutcome outcome;
    int64_t due_us = 0;  // Env::MonotonicMicros.
  };

  void Loop() GL_EXCLUDES(mu_);
  // One attempt; true when the item is finished (delivered or final failure).
  // Sends, so never under mu_.
  bool Attempt(Item* item) GL_EXCLUDES(mu_);

  const WebhookSenderOptions options_;
  const OnDone on_done_;
  mutable Mutex mu_;
  CondVar cv_;
  std::deque<Item> queue_ GL_GUARDED_BY(mu_);
  size_t in_flight_ GL_GUARDED_BY(mu_) = 0;
  bool stop_ GL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_WEBHOOK_SENDER_H_

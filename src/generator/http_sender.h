// HttpSender: posts batches of generated records to a gamelake server, for
// `gamelake generate --url`.
//
// Several worker threads (options.connections) each keep one HTTP/1.1
// keep-alive connection and take batches from a bounded queue, so Send()
// blocks when the server is slower than the generator (backpressure, not
// unbounded memory). Two wire formats:
//   kNative:   POST <prefix>/v1/streams/<stream>/records, NDJSON body,
//              Authorization: Bearer <key> (none if the key is empty).
//   kFirehose: POST <prefix>/ with X-Amz-Target Firehose_20150804.PutRecordBatch,
//              one base64 Data entry a record, signed with AWS SigV4 (the key's
//              id is the access key id, its secret the secret key).
// Answers: accepted and failed records are counted from the body (a record the
// server rejected is reported, not resent). Connection errors, 408, 429, 5xx
// are retried with exponential backoff (honouring Retry-After) up to
// max_retries times (429 does not use up retries: it is the server pacing the
// key); a batch that still fails is counted as not sent. 401/403 (a rejected
// key), 404 and 413 and Firehose client errors are fatal: every worker stops
// and Send/Finish return the error.
//
// Thread-safety: Send and Finish from one thread; stats() from any.
#ifndef GAMELAKE_GENERATOR_HTTP_SENDER_H_
#define GAMELAKE_GENERATOR_HTTP_SENDER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"
#include "net/tls_context.h"

namespace gamelake {

struct Endpoint {
  std::string host;  // "127.0.0.1", "localhost", "[::1]" without brackets.
  uint16_t port = 80;
  std::string prefix;  // Path prefix without a trailing '/', usually "".
  bool tls = false;    // https://
};

// Parses "http[s]://host[:port][/prefix]" (port 80 or 443 by default).
Result<Endpoint> ParseUrl(std::string_view url);

enum class SendApi { kNative, kFirehose };

struct SenderOptions {
  Endpoint endpoint;
  SendApi api = SendApi::kNative;
  std::string stream = "events";
  std::string key;                   // "<id>.<secret>"; empty: no Authorization (auth disabled).
  std::string region = "us-east-1";  // Firehose signing scope.
  int connections = 4;
  int max_retries = 5;
  int64_t max_backoff_ms = 5000;
  double timeout_s = 30;
  TlsClientOptions tls;       // For https:// endpoints: the CA file, or insecure.
  Env* env = Env::Default();  // Clock for SigV4 dates.
};

struct SenderStats {
  uint64_t accepted = 0;  // Records the server acknowledged.
  uint64_t rejected = 0;  // Records the server refused (bad record).
  uint64_t unsent = 0;    // Records given up on after retries (or after a fatal error).
  uint64_t requests = 0;
  uint64_t retries = 0;
  std::string first_error;  // The first rejection or give-up, for the summary.
};

class HttpSender {
 public:
  // Checks that the server accepts connections (one attempt, a few seconds),
  // then starts the workers.
  static Result<std::unique_ptr<HttpSender>> Start(SenderOptions options);
  ~HttpSender();
  HttpSender(const HttpSender&) = delete;
  HttpSender& operator=(const HttpSender&) = delete;

  // Queues one batch: `lines` is `records` records, each ending with '\n'.
  // Blocks while the queue is full. Returns the fatal error if one happened.
  Status Send(std::string lines, size_t records) GL_EXCLUDES(mu_);
  // Sends what is queued, stops the workers and returns the fatal error if any.
  // With abandon = true, queued batches are dropped (counted as unsent).
  Status Finish(bool abandon = false) GL_EXCLUDES(mu_);

  SenderStats stats() const GL_EXCLUDES(mu_);
  // Records handed to Send and not yet answered.
  uint64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  struct Batch {
    std::string lines;
    size_t records = 0;
  };
  class Worker;
  explicit HttpSender(SenderOptions options);
  void Run(int worker) GL_EXCLUDES(mu_);
  void Fatal(Status s) GL_EXCLUDES(mu_);
  void NoteError(std::string_view message) GL_REQUIRES(mu_);

  SenderOptions options_;
  std::shared_ptr<TlsContext> tls_;  // For https://; shared by the workers.
  mutable Mutex mu_;
  CondVar queue_cv_;  // Batch queued, or stopping.
  CondVar space_cv_;  // Room in the queue.
  std::deque<Batch> queue_ GL_GUARDED_BY(mu_);
  bool closing_ GL_GUARDED_BY(mu_) = false;
  bool abandon_ GL_GUARDED_BY(mu_) = false;
  Status fatal_ GL_GUARDED_BY(mu_);
  SenderStats stats_ GL_GUARDED_BY(mu_);
  std::atomic<uint64_t> in_flight_{0};
  // Set under mu_ (so a wait on queue_cv_ cannot miss it); read without it
  // between attempts, hence atomic rather than GL_GUARDED_BY.
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace gamelake

#endif  // GAMELAKE_GENERATOR_HTTP_SENDER_H_

// gamelake::Client (gamelake/client.h): Track's fast path, sessions, and the one
// worker thread that batches, gzips, sends, reads per-record results and retries.
// Thread-safety: one mutex (mu_) guards the queue, the session and the worker's
// schedule. Track holds it only to serialize the event into a reused buffer and copy
// it into the mapped segment. Network I/O, gzip, fdatasync and user callbacks happen
// without it.
#include "gamelake/client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__APPLE__)
#include <TargetConditionals.h>
#endif

#include "answer.h"
#include "queue.h"
#include "uuid.h"

namespace gamelake {

std::string_view DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kQueueFull:
      return "queue_full";
    case DropReason::kInvalid:
      return "invalid";
    case DropReason::kTooLarge:
      return "too_large";
    case DropReason::kCorrupt:
      return "corrupt";
  }
  return "unknown";
}

namespace {

using internal::Dropped;
using internal::RecordRef;
using internal::ScanItem;
using internal::SegmentView;

class SystemClock final : public Clock {
 public:
  int64_t UnixMillis() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t SteadyMillis() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

std::string DefaultPlatform() {
#if defined(__ANDROID__)
  return "android";
#elif defined(__APPLE__)
#include <TargetConditionals.h>
#if TARGET_OS_IPHONE
  return "ios";
#else
  return "macos";
#endif
#elif defined(_WIN32)
  return "windows";
#elif defined(__linux__)
  return "linux";
#else
  return "unknown";
#endif
}

std::string DefaultQueueDir(const std::string& stream) {
  if (const char* x = std::getenv("XDG_STATE_HOME"); x != nullptr && *x != '\0') {
    return std::string(x) + "/gamelake/" + stream;
  }
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    return std::string(h) + "/.local/state/gamelake/" + stream;
  }
  return "gamelake-queue/" + stream;
}

bool ValidEventName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// `,"name":"value"` with value escaped, or "" when value is empty.
std::string Fragment(std::string_view name, std::string_view value) {
  if (value.empty()) return "";
  std::string out = ",\"" + std::string(name) + "\":";
  json::AppendString(out, value);
  return out;
}

bool WriteFileAtomically(const std::string& dir, const std::string& bytes) {
  const std::string tmp = dir + "/cursor.tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const bool ok = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
                  fdatasync(fd) == 0;
  close(fd);
  return ok && rename(tmp.c_str(), (dir + "/cursor").c_str()) == 0;
}

// gzip (RFC 1952) with one z_stream reused across batches.
class Gzipper {
 public:
  Gzipper() { ok_ = deflateInit2(&z_, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK; }
  ~Gzipper() {
    if (ok_) deflateEnd(&z_);
  }
  Gzipper(const Gzipper&) = delete;
  Gzipper& operator=(const Gzipper&) = delete;

  bool Compress(const std::string& in, std::string* out) {
    if (!ok_ || deflateReset(&z_) != Z_OK) return false;
    out->resize(deflateBound(&z_, static_cast<uLong>(in.size())) + 32);
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    z_.next_out = reinterpret_cast<Bytef*>(out->data());
    z_.avail_out = static_cast<uInt>(out->size());
    if (deflate(&z_, Z_FINISH) != Z_STREAM_END) return false;
    out->resize(out->size() - z_.avail_out);
    return true;
  }

 private:
  z_stream z_{};
  bool ok_ = false;
};

// What one answer means for the batch that was sent.
struct Outcome {
  size_t done = 0;  // a prefix of the batch that is finished (acked or dropped)
  std::vector<std::pair<size_t, std::string>> invalid;  // (index, "code: message") within done
  enum Retry { kNone, kBackoff, kSlow, kNow } retry = kNone;
  int64_t retry_after_ms = 0;
  bool halve = false;
  std::string error;  // for on_error
  std::string log;    // for the debug log
};

}  // namespace

class Client::Impl {
 public:
  explicit Impl(Config config);
  ~Impl() { Shutdown(std::chrono::milliseconds(0)); }

  std::string Track(std::string_view name, const Properties& props, bool critical);
  void SetPlayerId(std::string_view id);
  void StartSession();
  void EndSession();
  void Pause();
  void Resume();
  void Flush();
  bool FlushAndWait(std::chrono::milliseconds timeout);
  bool Shutdown(std::chrono::milliseconds timeout);
  void SetOptOut(bool opt_out);

  bool ok() const {
    std::lock_guard<std::mutex> lk(mu_);
    return ok_;
  }
  std::string error() const {
    std::lock_guard<std::mutex> lk(mu_);
    return error_;
  }
  bool opted_out() const {
    std::lock_guard<std::mutex> lk(mu_);
    return opted_out_;
  }
  uint64_t Pending() const {
    std::lock_guard<std::mutex> lk(mu_);
    return opted_out_ ? 0 : queue_.live_events();
  }
  void SetDebug(bool debug) { debug_.store(debug); }

 private:
  enum class AppendStatus { kOk, kTooLarge, kIoError };

  // Reports gathered under the lock, delivered after it is released.
  struct Reports {
    Dropped dropped;
    uint64_t too_large = 0;
    std::string too_large_detail;
    bool io_error = false;
  };

  void Log(std::string_view line) const;
  void Deliver(const Reports& r);
  AppendStatus AppendEvent(std::string_view name, const Properties& props, bool critical,
                           int64_t now_ms, char id[36], Reports* r);
  void StartSessionLocked(int64_t now_ms, Reports* r);
  void EndSessionLocked(Reports* r);
  void RollSessionLocked(int64_t now_ms, Reports* r);

  void WorkerLoop();
  void SyncLocked(std::unique_lock<std::mutex>& lk);
  void SendOneLocked(std::unique_lock<std::mutex>& lk);
  void BuildBatches(const std::vector<SegmentView>& views, size_t limit, size_t max_batches,
                    std::vector<RecordRef>* refs, std::vector<size_t>* starts,
                    std::vector<std::string>* bodies);
  Outcome Judge(const HttpResponse& resp, size_t n);
  int64_t BackoffMs(int64_t retry_after_ms);

  Config cfg_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<Transport> transport_;
  std::string url_;
  std::string auth_header_;
  std::atomic<bool> debug_{false};

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable drained_cv_;
  internal::Queue queue_;
  bool ok_ = true;
  std::string error_;
  bool opted_out_ = false;
  bool stopped_ = false;
  bool stop_worker_ = false;
  internal::Rng rng_;
  internal::UuidV7Generator uuid_{&rng_};
  internal::TimestampFormatter ts_;
  std::string buf_;  // the event being serialized (capacity reused)
  std::string player_fragment_, platform_fragment_, app_fragment_, sdk_fragment_;
  Properties session_props_;

  bool session_active_ = false;
  char session_id_[36] = {};
  int64_t session_start_ms_ = 0;
  int64_t last_event_ms_ = 0;
  bool paused_ = false;

  // The worker's schedule.
  std::thread worker_;
  bool worker_knows_pending_ = false;  // Track woke it for the first unsent event
  bool full_notified_ = false;         // Track woke it for a full batch
  bool flush_requested_ = false;
  bool dirty_ = false;           // appended since the last fdatasync
  int64_t next_attempt_ms_ = 0;  // steady ms: back-off
  int attempt_ = 0;
  uint32_t batch_limit_ = 500;
  // The worker's buffers, reused batch after batch (worker thread only).
  std::vector<SegmentView> views_;
  std::vector<RecordRef> refs_;
  std::vector<size_t> starts_;
  std::vector<std::string> bodies_, gz_;
  Gzipper gzipper_;
  std::string last_tls_error_;  // the TLS failure on_error last heard of (worker only)
};

Client::Impl::Impl(Config config) : cfg_(std::move(config)) {
  clock_ = cfg_.clock ? cfg_.clock : std::make_shared<SystemClock>();
  TlsOptions tls;
  tls.ca_file = cfg_.ca_file;
  tls.insecure = cfg_.insecure_skip_tls_verify;
  transport_ = cfg_.transport ? cfg_.transport : MakeCurlTransport(tls);
  debug_.store(cfg_.debug);
  if (cfg_.stream.empty()) cfg_.stream = "events";
  if (cfg_.queue_dir.empty()) cfg_.queue_dir = DefaultQueueDir(cfg_.stream);
  if (cfg_.platform.empty()) cfg_.platform = DefaultPlatform();
  cfg_.max_batch_events = std::max<uint32_t>(1, cfg_.max_batch_events);
  cfg_.max_event_bytes =
      std::min<uint32_t>(std::max<uint32_t>(64, cfg_.max_event_bytes), 1000 * 1024);
  batch_limit_ = cfg_.max_batch_events;
  std::string base = cfg_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  url_ = base + "/v1/streams/" + cfg_.stream + "/records";
  auth_header_ = "Bearer " + cfg_.api_key;
  platform_fragment_ = Fragment("platform", cfg_.platform);
  app_fragment_ = Fragment("app_version", cfg_.app_version);
  sdk_fragment_ = Fragment("sdk_version", kSdkVersion);
  buf_.reserve(4096);

  std::vector<internal::CorruptRange> corrupt;
  if (base.empty() || cfg_.api_key.empty()) {
    ok_ = false;
    error_ = "base_url and api_key are required";
  } else {
    internal::QueueLimits limits;
    limits.max_queue_bytes = cfg_.max_queue_bytes;
    limits.max_queue_events = cfg_.max_queue_events;
    limits.max_critical_bytes = cfg_.max_critical_bytes;
    limits.segment_bytes = 0;
    ok_ = queue_.Open(cfg_.queue_dir, limits, &error_, &corrupt);
  }
  if (ok_ && access((cfg_.queue_dir + "/optout").c_str(), F_OK) == 0) {
    opted_out_ = true;
    queue_.Clear();
  }
  if (!ok_) {
    if (cfg_.on_error) cfg_.on_error(error_);
    Log("not started: " + error_);
    return;
  }
  for (const auto& c : corrupt) {
    char detail[128];
    snprintf(detail, sizeof(detail), "seg-%016llu.glq offset %llu: %llu bytes skipped",
             static_cast<unsigned long long>(c.segment), static_cast<unsigned long long>(c.offset),
             static_cast<unsigned long long>(c.bytes));
    Log(std::string("corrupt queue bytes: ") + detail);
    if (cfg_.on_dropped) cfg_.on_dropped(DropReason::kCorrupt, c.bytes, detail);
  }
  Log("queue " + cfg_.queue_dir + ": " + std::to_string(queue_.live_events()) + " events pending");
  if (cfg_.insecure_skip_tls_verify) {
    const std::string warning =
        "insecure_skip_tls_verify is set: the server's TLS certificate is NOT checked (for "
        "tests only; never in a shipped game)";
    Log(warning);
    if (cfg_.on_error) cfg_.on_error(warning);
  }
  worker_ = std::thread([this] { WorkerLoop(); });
}

void Client::Impl::Log(std::string_view line) const {
  if (!debug_.load(std::memory_order_relaxed)) return;
  if (cfg_.log) {
    cfg_.log(line);
  } else {
    fprintf(stderr, "[gamelake] %.*s\n", static_cast<int>(line.size()), line.data());
  }
}

void Client::Impl::Deliver(const Reports& r) {
  if (r.dropped.events + r.dropped.critical_events > 0) {
    Log("queue full: dropped " + std::to_string(r.dropped.events) + " ordinary and " +
        std::to_string(r.dropped.critical_events) + " critical events");
    if (cfg_.on_dropped) {
      if (r.dropped.events > 0)
        cfg_.on_dropped(DropReason::kQueueFull, r.dropped.events, "oldest ordinary events");
      if (r.dropped.critical_events > 0) {
        cfg_.on_dropped(DropReason::kQueueFull, r.dropped.critical_events,
                        "critical events over max_critical_bytes");
      }
    }
  }
  if (r.too_large > 0) {
    Log("event refused: " + r.too_large_detail);
    if (cfg_.on_dropped) cfg_.on_dropped(DropReason::kTooLarge, r.too_large, r.too_large_detail);
  }
  if (r.io_error) {
    Log("event refused: the queue file could not be written");
    if (cfg_.on_error) cfg_.on_error("the queue file could not be written (disk full?)");
  }
}

Client::Impl::AppendStatus Client::Impl::AppendEvent(std::string_view name, const Properties& props,
                                                     bool critical, int64_t now_ms, char id[36],
                                                     Reports* r) {
  uuid_.Make(now_ms, id);
  buf_.clear();
  buf_.append("{\"event_id\":\"");
  buf_.append(id, 36);
  buf_.append("\",\"event_type\":\"");
  buf_.append(name);
  buf_.push_back('"');
  const uint32_t mask = props.overrides();
  if (!(mask & kOverrideTs)) {
    buf_.append(",\"ts\":\"");
    ts_.Append(now_ms, buf_);
    buf_.push_back('"');
  }
  if (!(mask & kOverrideSessionId) && session_active_) {
    buf_.append(",\"session_id\":\"");
    buf_.append(session_id_, 36);
    buf_.push_back('"');
  }
  if (!(mask & kOverridePlayerId)) buf_.append(player_fragment_);
  if (!(mask & kOverridePlatform)) buf_.append(platform_fragment_);
  if (!(mask & kOverrideAppVersion)) buf_.append(app_fragment_);
  if (!(mask & kOverrideSdkVersion)) buf_.append(sdk_fragment_);
  if (!props.empty()) {
    buf_.push_back(',');
    buf_.append(props.body());
  }
  buf_.push_back('}');
  if (buf_.size() > cfg_.max_event_bytes) {
    r->too_large++;
    r->too_large_detail = std::string(name) + ": " + std::to_string(buf_.size()) +
                          " bytes, over max_event_bytes " + std::to_string(cfg_.max_event_bytes);
    return AppendStatus::kTooLarge;
  }
  if (!queue_.Append(buf_, critical, &r->dropped)) {
    r->io_error = true;
    return AppendStatus::kIoError;
  }
  dirty_ = true;
  last_event_ms_ = now_ms;
  // Wake the worker only when it needs to know: the first unsent event starts its
  // batch timer, a full batch goes at once. Other appends cost no syscall.
  if (!worker_knows_pending_) {
    worker_knows_pending_ = true;
    work_cv_.notify_one();
  } else if (!full_notified_ && (queue_.live_events() >= batch_limit_ ||
                                 queue_.live_bytes() >= cfg_.max_batch_bytes)) {
    full_notified_ = true;
    work_cv_.notify_one();
  }
  return AppendStatus::kOk;
}

void Client::Impl::StartSessionLocked(int64_t now_ms, Reports* r) {
  uuid_.Make(now_ms, session_id_);
  session_active_ = true;
  session_start_ms_ = now_ms;
  char id[36];
  session_props_.Clear();
  AppendEvent("session_start", session_props_, true, now_ms, id, r);
}

void Client::Impl::EndSessionLocked(Reports* r) {
  if (!session_active_) return;
  char id[36];
  session_props_.Clear();
  session_props_.SetInt("duration_ms", last_event_ms_ - session_start_ms_);
  AppendEvent("session_end", session_props_, true, last_event_ms_, id, r);
  session_active_ = false;
}

void Client::Impl::RollSessionLocked(int64_t now_ms, Reports* r) {
  if (session_active_ && cfg_.session_timeout_ms > 0 &&
      now_ms - last_event_ms_ > cfg_.session_timeout_ms) {
    EndSessionLocked(r);
  }
  if (!session_active_) StartSessionLocked(now_ms, r);
}

std::string Client::Impl::Track(std::string_view name, const Properties& props, bool critical) {
  if (!ValidEventName(name)) {
    Log("event refused: bad name (1-64 of A-Z a-z 0-9 _ - . :)");
    return std::string();
  }
  if (props.ignored_reserved()) Log("properties event_id/event_type are the SDK's: ignored");
  if (name == "session_start" || name == "session_end" || name == "purchase") critical = true;
  Reports reports;
  char id[36];
  AppendStatus status;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!ok_ || stopped_ || opted_out_) return std::string();
    const int64_t now = clock_->UnixMillis();
    RollSessionLocked(now, &reports);
    status = AppendEvent(name, props, critical, now, id, &reports);
  }
  if (reports.too_large > 0 || reports.io_error ||
      reports.dropped.events + reports.dropped.critical_events > 0) {
    Deliver(reports);
  }
  return status == AppendStatus::kOk ? std::string(id, 36) : std::string();
}

void Client::Impl::SetPlayerId(std::string_view id) {
  std::string fragment = Fragment("player_id", id);
  std::lock_guard<std::mutex> lk(mu_);
  player_fragment_.swap(fragment);
}

void Client::Impl::StartSession() {
  Reports r;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!ok_ || stopped_ || opted_out_) return;
    EndSessionLocked(&r);
    StartSessionLocked(clock_->UnixMillis(), &r);
  }
  Deliver(r);
}

void Client::Impl::EndSession() {
  Reports r;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!ok_ || stopped_ || opted_out_) return;
    EndSessionLocked(&r);
  }
  Deliver(r);
}

void Client::Impl::Pause() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    paused_ = true;
  }
  Flush();
}

void Client::Impl::Resume() {
  Reports r;
  {
    std::lock_guard<std::mutex> lk(mu_);
    paused_ = false;
    if (!ok_ || stopped_ || opted_out_) return;
    const int64_t now = clock_->UnixMillis();
    if (session_active_ && cfg_.session_timeout_ms > 0 &&
        now - last_event_ms_ > cfg_.session_timeout_ms) {
      EndSessionLocked(&r);
    }
  }
  Deliver(r);
}

void Client::Impl::Flush() {
  std::lock_guard<std::mutex> lk(mu_);
  flush_requested_ = true;
  work_cv_.notify_one();
}

bool Client::Impl::FlushAndWait(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lk(mu_);
  if (!ok_ || stopped_) return queue_.live_events() == 0;
  flush_requested_ = true;
  work_cv_.notify_one();
  return drained_cv_.wait_for(lk, timeout,
                              [this] { return opted_out_ || queue_.live_events() == 0; });
}

bool Client::Impl::Shutdown(std::chrono::milliseconds timeout) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (stopped_) return queue_.live_events() == 0;
  }
  EndSession();
  const bool drained = timeout.count() > 0 ? FlushAndWait(timeout) : Pending() == 0;
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopped_ = true;
    stop_worker_ = true;
    work_cv_.notify_all();
  }
  transport_->Cancel();
  if (worker_.joinable()) worker_.join();
  std::lock_guard<std::mutex> lk(mu_);
  queue_.Close();  // fdatasyncs what was written, releases the folder's lock
  Log(std::string("shut down; ") +
      (drained ? "queue drained" : "events left queued for the next start"));
  return drained;
}

void Client::Impl::SetOptOut(bool opt_out) {
  std::lock_guard<std::mutex> lk(mu_);
  if (!ok_ || stopped_ || opt_out == opted_out_) return;
  const std::string path = cfg_.queue_dir + "/optout";
  opted_out_ = opt_out;
  if (opt_out) {
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
    queue_.Clear();
    session_active_ = false;
    drained_cv_.notify_all();
  } else {
    unlink(path.c_str());
  }
}

// ---- the worker ----

int64_t Client::Impl::BackoffMs(int64_t retry_after_ms) {
  const int64_t ceiling =
      internal::BackoffCeilingMs(attempt_, cfg_.retry_base_ms, cfg_.retry_max_ms);
  const int64_t jitter = static_cast<int64_t>(rng_.Uniform(static_cast<uint64_t>(ceiling)));
  return std::max(jitter, retry_after_ms);
}

void Client::Impl::SyncLocked(std::unique_lock<std::mutex>& lk) {
  std::vector<std::shared_ptr<internal::Segment>> dirty;
  queue_.TakeDirty(&dirty);
  dirty_ = false;
  lk.unlock();
  for (const auto& seg : dirty) fdatasync(seg->fd);
  lk.lock();
}

void Client::Impl::WorkerLoop() {
  std::unique_lock<std::mutex> lk(mu_);
  int64_t batch_deadline = -1;
  int64_t last_sync = clock_->SteadyMillis();
  while (!stop_worker_) {
    const int64_t now = clock_->SteadyMillis();
    if (dirty_ && now - last_sync >= cfg_.sync_interval_ms) {
      SyncLocked(lk);
      last_sync = now;
      continue;
    }
    const uint64_t pending = opted_out_ ? 0 : queue_.live_events();
    int64_t wake = dirty_ ? last_sync + cfg_.sync_interval_ms : now + 60000;
    if (pending == 0) {
      worker_knows_pending_ = false;
      full_notified_ = false;
      flush_requested_ = false;
      batch_deadline = -1;
      drained_cv_.notify_all();
      work_cv_.wait_for(lk, std::chrono::milliseconds(std::max<int64_t>(1, wake - now)));
      continue;
    }
    worker_knows_pending_ = true;
    if (batch_deadline < 0) batch_deadline = now + cfg_.flush_interval_ms;
    const bool full = pending >= batch_limit_ || queue_.live_bytes() >= cfg_.max_batch_bytes;
    bool due = full || flush_requested_ || paused_ || now >= batch_deadline;
    wake = std::min(wake, batch_deadline);
    if (now < next_attempt_ms_) {
      due = false;
      wake = std::max(wake, next_attempt_ms_);
      if (dirty_) wake = std::min(wake, last_sync + cfg_.sync_interval_ms);
    }
    if (!due) {
      work_cv_.wait_for(lk, std::chrono::milliseconds(std::max<int64_t>(1, wake - now)));
      continue;
    }
    SendOneLocked(lk);
    // What is left was waiting already: send it without a new timer.
    batch_deadline = clock_->SteadyMillis();
  }
}

Outcome Client::Impl::Judge(const HttpResponse& resp, size_t n) {
  Outcome o;
  const int s = resp.status;
  const auto answer = internal::ParseIngestAnswer(resp.body);
  auto retry_after = [&]() -> int64_t {
    if (resp.retry_after.empty()) return 0;
    return internal::ParseRetryAfterMs(resp.retry_after, clock_->UnixMillis()).value_or(0);
  };
  if (s == 0 && resp.tls_error) {
    // Not the network's weather: a certificate that is not trusted (or a wrong
    // ca_file) needs a human. Retried like any transport failure; nothing is dropped.
    o.retry = Outcome::kBackoff;
    o.log = "TLS error: " + resp.network_error;
    o.error = "TLS error talking to " + cfg_.base_url + ": " + resp.network_error +
              (cfg_.ca_file.empty() ? std::string() : " (ca_file " + cfg_.ca_file + ")") +
              "; events are kept and retried";
  } else if (s == 0) {
    o.retry = Outcome::kBackoff;
    o.log = "network error: " + resp.network_error;
  } else if (s == 200 || (s == 400 && answer.has_errors)) {
    o.done = n;
    for (const auto& e : answer.errors) {
      if (e.index < n && e.code == "log_unavailable") o.done = std::min<size_t>(o.done, e.index);
    }
    for (const auto& e : answer.errors) {
      if (e.index < o.done) o.invalid.emplace_back(e.index, e.code + ": " + e.message);
    }
    if (o.done < n) {
      o.retry = Outcome::kBackoff;
      o.retry_after_ms = retry_after();
    }
    o.log = "HTTP " + std::to_string(s) + ": " + std::to_string(n) + " sent, " +
            std::to_string(o.done) + " done, " + std::to_string(o.invalid.size()) + " invalid";
  } else if (s == 413 || (s == 400 && answer.error == "malformed_body")) {
    if (n > 1) {
      o.halve = true;
      o.retry = Outcome::kNow;
    } else {
      o.done = 1;
      o.invalid.emplace_back(
          0, (answer.error.empty() ? std::to_string(s) : answer.error) + ": " + answer.message);
    }
    o.log =
        "HTTP " + std::to_string(s) + " " + answer.error + " for " + std::to_string(n) + " events";
  } else if (s == 401 || s == 403) {
    o.retry = Outcome::kSlow;
    o.error = "HTTP " + std::to_string(s) + " " + answer.error + ": " + answer.message +
              " (check api_key: an ingest key for stream " + cfg_.stream + "); events are kept";
    o.log = o.error;
  } else if (s == 408 || s == 429 || s >= 500) {
    o.retry = Outcome::kBackoff;
    o.retry_after_ms = retry_after();
    o.log = "HTTP " + std::to_string(s) + ", Retry-After '" + resp.retry_after + "'";
  } else {
    o.retry = Outcome::kSlow;
    o.error = "HTTP " + std::to_string(s) + " " + answer.error + ": " + answer.message +
              "; events are kept";
    o.log = o.error;
  }
  return o;
}

// Reads up to `max_batches` consecutive batches from the views into refs/bodies;
// batch k is refs[starts[k], starts[k+1]).
void Client::Impl::BuildBatches(const std::vector<SegmentView>& views, size_t limit,
                                size_t max_batches, std::vector<RecordRef>* refs,
                                std::vector<size_t>* starts, std::vector<std::string>* bodies) {
  refs->clear();
  starts->assign(1, 0);
  size_t used = 0;  // bodies in use
  if (bodies->empty()) bodies->emplace_back();
  (*bodies)[0].clear();
  for (const auto& view : views) {
    const internal::Segment& seg = *view.segment;
    for (size_t pos = view.head;;) {
      const ScanItem item = internal::ScanAt(seg.data, pos, seg.capacity, view.end, !seg.trusted);
      if (item.kind == ScanItem::kEnd) break;
      if (item.kind == ScanItem::kRecord) {
        std::string* body = &(*bodies)[used];
        const size_t in_batch = refs->size() - starts->back();
        if (in_batch > 0 &&
            (in_batch >= limit || body->size() + item.payload_size + 1 > cfg_.max_batch_bytes)) {
          if (used + 1 >= max_batches) return;
          ++used;
          starts->push_back(refs->size());
          if (bodies->size() <= used) bodies->emplace_back();
          body = &(*bodies)[used];
          body->clear();
        }
        body->append(reinterpret_cast<const char*>(item.payload), item.payload_size);
        body->push_back('\n');
        refs->push_back(RecordRef{view.segment, static_cast<uint32_t>(pos),
                                  static_cast<uint32_t>(item.size), item.critical});
      }
      pos += item.size;
    }
  }
}

void Client::Impl::SendOneLocked(std::unique_lock<std::mutex>& lk) {
  queue_.PendingSegments(&views_);
  const size_t limit = std::min<size_t>(batch_limit_, cfg_.max_batch_events);
  // Several batches at once only while nothing is failing: a retry or a halving goes
  // one batch at a time.
  const size_t max_batches = attempt_ == 0 && batch_limit_ >= cfg_.max_batch_events
                                 ? std::max<uint32_t>(1, cfg_.max_requests_in_flight)
                                 : 1;
  lk.unlock();

  BuildBatches(views_, limit, max_batches, &refs_, &starts_, &bodies_);
  views_.clear();
  const size_t batches = refs_.empty() ? 0 : starts_.size();
  starts_.push_back(refs_.size());
  std::vector<HttpRequest> requests(batches);
  for (size_t k = 0; k < batches; ++k) {
    HttpRequest& req = requests[k];
    req.url = url_;
    req.timeout_ms = cfg_.request_timeout_ms;
    req.headers.emplace_back("Authorization", auth_header_);
    req.headers.emplace_back("Content-Type", "application/x-ndjson");
    req.headers.emplace_back("User-Agent", std::string("gamelake-sdk-") + std::string(kSdkVersion));
    req.body = bodies_[k];
    if (gz_.size() <= k) gz_.emplace_back();
    if (cfg_.gzip && bodies_[k].size() > 1024 && gzipper_.Compress(bodies_[k], &gz_[k])) {
      req.headers.emplace_back("Content-Encoding", "gzip");
      req.body = gz_[k];
    }
  }
  std::vector<Outcome> outcomes;
  if (batches > 0) {
    const std::vector<HttpResponse> responses = transport_->SendMany(requests);
    for (size_t k = 0; k < batches; ++k) {
      outcomes.push_back(k < responses.size() ? Judge(responses[k], starts_[k + 1] - starts_[k])
                                              : Judge(HttpResponse{0, "no answer", "", ""},
                                                      starts_[k + 1] - starts_[k]));
      Log(outcomes.back().log);
    }
  }

  lk.lock();
  bool cursor_moved = false;
  std::vector<std::pair<size_t, std::string>> invalid;
  std::string error;
  // Answers are applied in order, and only while every earlier batch is wholly done:
  // the cursor never passes a record without an answer. Later answers are dropped and
  // their batches sent again (the server acknowledges the ids it has).
  Outcome::Retry retry = Outcome::kNone;
  for (size_t k = 0; k < outcomes.size() && retry == Outcome::kNone; ++k) {
    Outcome& o = outcomes[k];
    const size_t n = starts_[k + 1] - starts_[k];
    if (o.done > 0) cursor_moved = queue_.Ack(refs_.data() + starts_[k], o.done) || cursor_moved;
    for (auto& item : o.invalid) invalid.push_back(std::move(item));
    if (!o.error.empty()) error = o.error;
    const int64_t now = clock_->SteadyMillis();
    retry = o.retry;
    switch (o.retry) {
      case Outcome::kNone:
        attempt_ = 0;
        batch_limit_ = std::min<uint32_t>(cfg_.max_batch_events, batch_limit_ * 2);
        break;
      case Outcome::kBackoff:
        next_attempt_ms_ = now + BackoffMs(o.retry_after_ms);
        attempt_ = std::min(attempt_ + 1, 62);
        break;
      case Outcome::kSlow:
        next_attempt_ms_ = now + cfg_.retry_max_ms;
        break;
      case Outcome::kNow:
        break;
    }
    if (o.halve) batch_limit_ = std::max<uint32_t>(1, static_cast<uint32_t>(n / 2));
  }
  std::vector<std::shared_ptr<internal::Segment>> finished;
  if (cursor_moved) queue_.TakeFinished(&finished);
  full_notified_ = false;
  const std::string cursor_bytes =
      cursor_moved ? internal::EncodeCursor(queue_.cursor()) : std::string();
  if (queue_.live_events() == 0) drained_cv_.notify_all();
  lk.unlock();

  // After each acknowledged batch the cursor is written and fdatasynced, then what is
  // done is deleted. The segments are fdatasynced every sync_interval_ms (WorkerLoop),
  // not per batch: syncing a mapped file write-protects its pages (a TLB shootdown
  // that interrupts the game's threads) and makes Track's next write fault — a third
  // of the SDK's CPU at 40k events/s, measured with perf.
  if (cursor_moved) WriteFileAtomically(queue_.dir(), cursor_bytes);
  for (const auto& seg : finished) unlink(seg->path.c_str());
  finished.clear();
  refs_.clear();
  // A TLS failure is reported once per run of them (retries come every few hundred ms);
  // any HTTP answer ends the run.
  bool report = !error.empty();
  if (!outcomes.empty()) {
    const bool tls = outcomes.front().log.rfind("TLS error", 0) == 0;
    if (tls) {
      report = report && error != last_tls_error_;
      last_tls_error_ = error;
    } else if (outcomes.front().log.rfind("network error", 0) != 0) {
      last_tls_error_.clear();
    }
  }
  if (report && cfg_.on_error) cfg_.on_error(error);
  if (cfg_.on_dropped) {
    for (const auto& [index, detail] : invalid) cfg_.on_dropped(DropReason::kInvalid, 1, detail);
  }
  lk.lock();
}

// ---- the public shell: no exception crosses it ----

Client::Client(Config config) {
  try {
    impl_ = std::make_unique<Impl>(std::move(config));
  } catch (...) {
    impl_.reset();
  }
}

Client::~Client() = default;

bool Client::ok() const { return impl_ && impl_->ok(); }

std::string Client::error() const {
  if (!impl_) return "out of memory";
  try {
    return impl_->error();
  } catch (...) {
    return std::string();
  }
}

std::string Client::Track(std::string_view name, const Properties& props, bool critical) {
  if (!impl_) return std::string();
  try {
    return impl_->Track(name, props, critical);
  } catch (...) {
    return std::string();
  }
}

#define GAMELAKE_GUARDED(call) \
  if (!impl_) return;          \
  try {                        \
    call;                      \
  } catch (...) {              \
  }

void Client::SetPlayerId(std::string_view id) { GAMELAKE_GUARDED(impl_->SetPlayerId(id)); }
void Client::StartSession() { GAMELAKE_GUARDED(impl_->StartSession()); }
void Client::EndSession() { GAMELAKE_GUARDED(impl_->EndSession()); }
void Client::Pause() { GAMELAKE_GUARDED(impl_->Pause()); }
void Client::Resume() { GAMELAKE_GUARDED(impl_->Resume()); }
void Client::Flush() { GAMELAKE_GUARDED(impl_->Flush()); }
void Client::SetOptOut(bool opt_out) { GAMELAKE_GUARDED(impl_->SetOptOut(opt_out)); }
void Client::SetDebug(bool debug) { GAMELAKE_GUARDED(impl_->SetDebug(debug)); }

bool Client::FlushAndWait(std::chrono::milliseconds timeout) {
  if (!impl_) return false;
  try {
    return impl_->FlushAndWait(timeout);
  } catch (...) {
    return false;
  }
}

bool Client::Shutdown(std::chrono::milliseconds timeout) {
  if (!impl_) return false;
  try {
    return impl_->Shutdown(timeout);
  } catch (...) {
    return false;
  }
}

bool Client::opted_out() const { return impl_ && impl_->opted_out(); }
uint64_t Client::PendingEvents() const { return impl_ ? impl_->Pending() : 0; }

}  // namespace gamelake

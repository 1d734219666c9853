// gamelake::Client — the C++ game SDK (docs/sdk.md): Track() writes an event to a
// memory-mapped queue file on disk and returns its event_id; one worker thread sends
// the queue to gamelake in gzipped NDJSON batches and retries until acknowledged.
// Thread-safety: every public member may be called from any thread. Callbacks run on
// the SDK's worker thread, or on the thread that called Track/SetOptOut/… — never
// while the SDK holds its lock, so a callback may call back into the Client.
// No exception escapes the API.
#ifndef GAMELAKE_CLIENT_H_
#define GAMELAKE_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gamelake/properties.h"
#include "gamelake/transport.h"

namespace gamelake {

inline constexpr std::string_view kSdkVersion = "cpp/0.1.0";

// The time seam: tests drive sessions and back-off with their own clock.
class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (event timestamps, session idle, UUID v7).
  virtual int64_t UnixMillis() = 0;
  // A monotonic millisecond counter (batch timers, back-off, sync interval).
  virtual int64_t SteadyMillis() = 0;
};

// Why events were dropped (on_dropped's first argument).
enum class DropReason {
  kQueueFull,  // the queue's cap: the oldest ordinary events went first
  kInvalid,    // the server refused the record (detail: "code: message")
  kTooLarge,   // over max_event_bytes, refused at Track
  kCorrupt,    // damaged queue bytes skipped at start (count = bytes, not events)
};
std::string_view DropReasonName(DropReason reason);

// Settings, named and defaulted as in docs/sdk.md.
struct Config {
  std::string base_url;  // required, e.g. http://127.0.0.1:8080 or https://…
  std::string api_key;   // required: an ingest key
  std::string stream = "events";
  // The queue folder. Empty: $XDG_STATE_HOME/gamelake/<stream>, else
  // $HOME/.local/state/gamelake/<stream>, else ./gamelake-queue/<stream>.
  std::string queue_dir;
  std::string app_version;  // empty: absent from events
  std::string platform;     // empty: the OS (linux, windows, macos, android, ios)
  uint32_t max_batch_events = 500;
  uint64_t max_batch_bytes = 1 << 20;
  uint32_t flush_interval_ms = 2000;
  bool gzip = true;
  uint64_t max_queue_bytes = 16ull << 20;
  uint64_t max_queue_events = 100000;
  uint64_t max_critical_bytes = 4ull << 20;
  uint32_t max_event_bytes = 65536;
  uint32_t retry_base_ms = 500;
  uint32_t retry_max_ms = 60000;
  uint32_t request_timeout_ms = 30000;
  uint32_t session_timeout_ms = 300000;
  uint32_t sync_interval_ms = 1000;
  // Batches sent at once (one connection each) while the server answers 200; any
  // failure falls back to one at a time. 1: strictly one request at a time.
  uint32_t max_requests_in_flight = 4;
  bool debug = false;
  // https: a PEM file of the CAs that signed the server's certificate (a private CA, a
  // self-signed server). Empty: the system's CAs. (libcurl's CURLOPT_CAINFO.)
  std::string ca_file;
  // !!! FOR TESTS ONLY !!! true: the server's certificate and host name are not
  // checked at all — anyone on the network path can read the api_key and the events,
  // and answer in the server's place. Never set it in a shipped game; use ca_file.
  // on_error says so once at start.
  bool insecure_skip_tls_verify = false;

  // count: events, except kCorrupt where it is bytes. detail: what and where.
  std::function<void(DropReason reason, uint64_t count, std::string_view detail)> on_dropped;
  // Problems that lose nothing but need a human: a refused key, a queue folder in use,
  // a TLS failure (the certificate not trusted, expired, for another host name: the
  // TLS library's reason; once per run of failures, events stay queued and are retried).
  std::function<void(std::string_view message)> on_error;
  // The debug log (one line per action); stderr when unset.
  std::function<void(std::string_view line)> log;

  std::shared_ptr<Transport> transport;  // null: libcurl (with ca_file, insecure_…)
  std::shared_ptr<Clock> clock;          // null: system_clock / steady_clock
};

class Client {
 public:
  // Opens (and locks) the queue folder and starts the worker. Never throws: when the
  // folder cannot be used, ok() is false, error() says why and Track refuses events.
  explicit Client(Config config);
  // Shutdown(0): ends the session, stops the worker; what is queued stays on disk.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool ok() const;
  std::string error() const;

  // Queues one event and returns its event_id, or "" when refused (bad name, too
  // large, opted out, queue unusable; logged and, where docs/sdk.md says so,
  // reported to on_dropped). Critical events survive the queue's cap.
  std::string Track(std::string_view name, const Properties& props = Properties(),
                    bool critical = false);

  void SetPlayerId(std::string_view player_id);  // "" clears it
  void StartSession();                           // ends the current one first
  void EndSession();
  // Engine hooks (OnApplicationPause / app backgrounded): Pause flushes; Resume ends the
  // session if it was paused longer than session_timeout_ms.
  void Pause();
  void Resume();

  void Flush();  // asynchronous: the worker sends everything queued now
  // Sends and waits up to `timeout` for the queue to empty; true if it did.
  bool FlushAndWait(std::chrono::milliseconds timeout);
  // Ends the session, FlushAndWait(timeout), then stops the worker and closes the
  // queue. Later calls do nothing; Track refuses afterwards.
  bool Shutdown(std::chrono::milliseconds timeout);

  // true: Track refuses, the queue is deleted, and the choice is kept (file `optout`).
  void SetOptOut(bool opt_out);
  bool opted_out() const;
  void SetDebug(bool debug);
  // Events queued and not yet acknowledged.
  uint64_t PendingEvents() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gamelake

#endif  // GAMELAKE_CLIENT_H_

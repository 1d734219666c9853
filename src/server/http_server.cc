#include "server/http_server.h"

#include "common/percent_decode.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <list>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/json_writer.h"
#include "common/mutex.h"

namespace gamelake {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::chrono::steady_clock::duration Seconds(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(s));
}

class HttpServerImpl;

// One io_context per I/O thread; a connection lives on one of them for its
// whole life, so its handlers never run concurrently and need no strand.
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using PlainStream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;
using TlsStream = beast::ssl_stream<PlainStream>;

constexpr size_t kDrainChunk = 64 * 1024;
// Beast's HTTP reads take at most 64 KiB at a time; a body gets that much room.
constexpr uint64_t kBodyReadChunk = 64 * 1024;
constexpr size_t kIdleBufferBytes = 8 * 1024;
constexpr size_t kMaxQueuedStreamBytes = 1 << 20;
constexpr uint64_t kMaxDrainBytes = 256ull << 20;

// What the server keeps of every connection, plain or TLS.
class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection if it is waiting for a request (shutdown).
  virtual void CloseIfIdle() = 0;
};

// Streamed responses (see ChunkWriter). Shared between the producer thread
// and the session's I/O thread.
struct StreamState {
  Mutex mu;
  CondVar cv;
  size_t queued GL_GUARDED_BY(mu) = 0;
  bool failed GL_GUARDED_BY(mu) = false;
};

// One connection over Stream (PlainStream or TlsStream). Lives as long as an
// async operation or a pending Respond holds it.
template <class Stream>
class Session final : public SessionBase {
 public:
  Session(Socket&& socket, HttpServerImpl* server);
  Session(Socket&& socket, std::shared_ptr<TlsContext> tls, HttpServerImpl* server);
  void Run(bool over_capacity);
  void CloseIfIdle() override;

 private:
  void ReadHeader();
  void OnHeader(beast::error_code ec);
  void OnBody(beast::error_code ec);
  void Dispatch();
  void Send(HttpResponse response, bool force_close);
  void OnWrite(bool close, beast::error_code ec);
  void Close();
  // After an error answer: stop sending, then read and discard what the client
  // is still sending (bounded in bytes and time) before closing. Closing with
  // unread input would reset the connection and could destroy the answer.
  void LingeringClose();
  void Drain(uint64_t drained);
  void FailRead(beast::error_code ec);
  // Reads are bounded by our own timer, not the stream's: the stream closes
  // the socket when its timer fires, and a slow client is owed a 408 first.
  void ArmReadDeadline(double seconds);
  // A request refused before it was read (413, 431): told to the server's
  // on_refused hook, then answered.
  void Refuse(unsigned status, std::string_view code, std::string message);

 public:
  std::unique_ptr<ChunkWriter> StartStream(HttpResponse head, unsigned version, bool keep_alive);
  void QueueChunk(std::string data, bool last, const std::shared_ptr<StreamState>& state);
  void AbortStream(const std::shared_ptr<StreamState>& state);

 private:
  void WriteNextChunk(const std::shared_ptr<StreamState>& state);
  static void FailStream(const std::shared_ptr<StreamState>& state);
  void Handshake();
  void Begin();
  std::shared_ptr<Session> Self() { return std::static_pointer_cast<Session>(shared_from_this()); }
  // The TCP layer under a TLS stream (or the stream itself): deadlines, the socket.
  PlainStream& Tcp() { return beast::get_lowest_layer(stream_); }

  std::shared_ptr<TlsContext> tls_;  // Outlives stream_, which refers to it.
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServerImpl* server_;
  bool idle_ = false;           // Waiting for the first byte of a request (strand-confined).
  bool counted_ = false;        // Counts toward server.max_connections.
  bool over_capacity_ = false;  // Answer 503 and close.
  net::steady_timer read_deadline_;
  bool read_timed_out_ = false;
  std::unique_ptr<char[]> drain_buffer_;
  std::shared_ptr<HttpResponse> out_;
  // Streaming: the head, then chunks in order; `last` ends the body.
  struct PendingChunk {
    std::string data;
    bool last = false;
  };
  std::shared_ptr<http::response<http::empty_body>> stream_head_;
  std::shared_ptr<http::response_serializer<http::empty_body>> stream_head_serializer_;
  bool head_sent_ = false;
  bool stream_keep_alive_ = true;
  bool chunk_writing_ = false;
  std::deque<PendingChunk> chunks_;
};

template <class Stream>
class SessionChunkWriter final : public ChunkWriter {
 public:
  SessionChunkWriter(std::shared_ptr<Session<Stream>> session, double timeout_s)
      : session_(std::move(session)),
        state_(std::make_shared<StreamState>()),
        timeout_(Seconds(timeout_s)) {}
  ~SessionChunkWriter() override {
    if (!finished_) session_->AbortStream(state_);
  }
  bool Write(std::string_view bytes) override {
    if (bytes.empty()) return !Failed();
    {
      StreamState& st = *state_;
      MutexLock lock(&st.mu);
      // Back-pressure, bounded by the request timeout in case the peer stalls.
      if (!st.cv.WaitFor(&st.mu, timeout_, [&]() GL_REQUIRES(st.mu) {
            return st.failed || st.queued < kMaxQueuedStreamBytes;
          })) {
        st.failed = true;
      }
      if (st.failed) return false;
      st.queued += bytes.size();
    }
    session_->QueueChunk(std::string(bytes), false, state_);
    return true;
  }
  void Finish() override {
    if (finished_) return;
    finished_ = true;
    session_->QueueChunk(std::string(), true, state_);
  }

 private:
  bool Failed() {
    StreamState& st = *state_;
    MutexLock lock(&st.mu);
    return st.failed;
  }
  std::shared_ptr<Session<Stream>> session_;
  std::shared_ptr<StreamState> state_;
  std::chrono::steady_clock::duration timeout_;
  bool finished_ = false;
};

class HttpServerImpl final : public HttpServer {
 public:
  HttpServerImpl(const HttpServerOptions& options, HttpHandler handler, Metrics* metrics)
      : options_(options), handler_(std::move(handler)), contexts_(MakeContexts(options.threads)) {
    listeners_.push_back(std::make_unique<Listener>(*contexts_[0], options.host, options.port,
                                                    static_cast<bool>(options.tls)));
    if (options.tls && !options.plain_host.empty()) {
      listeners_.push_back(
          std::make_unique<Listener>(*contexts_[0], options.plain_host, options.plain_port, false));
    }
    if (metrics != nullptr) {
      connections_total_ =
          metrics->AddCounter("gamelake_http_connections_total", "TCP connections accepted");
      metrics->AddCallbackGauge("gamelake_http_connections_open", "TCP connections open",
                                [this] { return static_cast<double>(connections_.load()); });
      rejected_total_ = metrics->AddCounter(
          "gamelake_http_connections_rejected_total",
          "Connections refused with 503 because server.max_connections was reached");
      if (options.tls) {
        handshake_failures_ = metrics->AddCounter(
            "gamelake_tls_handshake_failures_total",
            "TLS connections closed because the handshake failed (untrusted client "
            "certificate, no common protocol or cipher, not TLS, timeout)");
      }
    }
  }

  ~HttpServerImpl() override { Shutdown(0); }

  Status Bind() {
    for (auto& l : listeners_) GL_RETURN_IF_ERROR(l->Bind());
    return Status::OK();
  }

  void StartThreads() {
    for (auto& ctx : contexts_) {
      guards_.emplace_back(net::make_work_guard(*ctx));
    }
    for (auto& l : listeners_) Accept(l.get());
    for (auto& ctx : contexts_) {
      threads_.emplace_back([c = ctx.get()] { c->run(); });
    }
  }

  uint16_t port() const override { return listeners_[0]->port; }
  uint16_t plain_port() const override { return listeners_.size() > 1 ? listeners_[1]->port : 0; }

  void Shutdown(double timeout_s) override GL_EXCLUDES(mu_) {
    if (stopped_.exchange(true)) return;
    for (auto& l : listeners_) {
      net::post(l->acceptor.get_executor(), [l = l.get()] {
        beast::error_code ec;
        l->acceptor.close(ec);
      });
    }
    shutting_down_.store(true);
    CloseIdleSessions();
    auto deadline = std::chrono::steady_clock::now() + Seconds(timeout_s);
    {
      MutexLock lock(&mu_);
      inflight_cv_.WaitUntil(&mu_, deadline,
                             [&]() GL_REQUIRES(mu_) { return in_flight_.load() == 0; });
    }
    guards_.clear();
    for (auto& ctx : contexts_) ctx->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  const HttpServerOptions& options() const { return options_; }
  const HttpHandler& handler() const { return handler_; }
  bool shutting_down() const { return shutting_down_.load(); }

  void Register(const std::shared_ptr<SessionBase>& s) GL_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    sessions_.push_back(s);
    if (sessions_.size() > 2 * (connections_.load() + 64)) {
      sessions_.remove_if([](const std::weak_ptr<SessionBase>& w) { return w.expired(); });
    }
  }
  void ConnectionClosed() { connections_.fetch_sub(1); }
  void RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void RequestFinished() GL_EXCLUDES(mu_) {
    if (in_flight_.fetch_sub(1) == 1 && shutting_down_.load()) {
      // Under mu_ so the wake cannot fall between Shutdown's test of the
      // count and its wait.
      MutexLock lock(&mu_);
      inflight_cv_.SignalAll();
    }
  }
  void HandshakeFailed(beast::error_code ec) {
    if (handshake_failures_) handshake_failures_->Add();
    spdlog::debug("msg=\"TLS handshake failed\" error=\"{}\"", ec.message());
  }

 private:
  // One listening socket: the main one (TLS when options.tls is set) or the
  // plain one beside it.
  struct Listener {
    Listener(net::io_context& ctx, std::string host_in, uint16_t port_in, bool tls_in)
        : acceptor(ctx), host(std::move(host_in)), port(port_in), tls(tls_in) {}
    Status Bind() {
      beast::error_code ec;
      auto address = net::ip::make_address(host, ec);
      if (ec) return Status::InvalidArgument(fmt::format("listen host {}: {}", host, ec.message()));
      tcp::endpoint endpoint(address, port);
      acceptor.open(endpoint.protocol(), ec);
      if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
      if (!ec) acceptor.bind(endpoint, ec);
      if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
      if (ec) return Status::IOError(fmt::format("listen on {}:{}: {}", host, port, ec.message()));
      port = acceptor.local_endpoint().port();
      return Status::OK();
    }
    net::basic_socket_acceptor<tcp, Executor> acceptor;
    std::string host;
    uint16_t port;
    bool tls;
  };

  void Accept(Listener* l) {
    net::io_context& ctx = *contexts_[next_context_++ % contexts_.size()];
    l->acceptor.async_accept(ctx, [this, l](beast::error_code ec, Socket s) {
      if (ec) {
        if (ec == net::error::operation_aborted || !l->acceptor.is_open()) return;
        spdlog::warn("msg=\"accept failed\" error=\"{}\"", ec.message());
      } else {
        bool over = connections_.load() >= options_.max_connections;
        if (over) {
          if (rejected_total_) rejected_total_->Add();
        } else {
          connections_.fetch_add(1);
          if (connections_total_) connections_total_->Add();
        }
        std::shared_ptr<TlsContext> tls = l->tls ? options_.tls() : nullptr;
        if (tls) {
          auto session = std::make_shared<Session<TlsStream>>(std::move(s), std::move(tls), this);
          if (!over) Register(session);
          session->Run(over);
        } else {
          auto session = std::make_shared<Session<PlainStream>>(std::move(s), this);
          if (!over) Register(session);
          session->Run(over);
        }
      }
      if (l->acceptor.is_open()) Accept(l);
    });
  }

  void CloseIdleSessions() GL_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    for (auto& w : sessions_) {
      if (auto s = w.lock()) s->CloseIfIdle();
    }
  }

  HttpServerOptions options_;
  HttpHandler handler_;
  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (int i = 0; i < std::max(1, n); ++i) out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }

  std::vector<std::unique_ptr<net::io_context>> contexts_;
  std::vector<net::executor_work_guard<Executor>> guards_;
  size_t next_context_ = 0;  // Accept handlers only (they run on contexts_[0]).
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> shutting_down_{false};
  std::atomic<uint64_t> connections_{0};
  Counter* connections_total_ = nullptr;
  Counter* rejected_total_ = nullptr;
  Counter* handshake_failures_ = nullptr;

  Mutex mu_;
  CondVar inflight_cv_;  // Signalled (under mu_) when in_flight_ drops to 0 while shutting down.
  std::atomic<uint64_t> in_flight_{0};
  std::list<std::weak_ptr<SessionBase>> sessions_ GL_GUARDED_BY(mu_);
};

template <class Stream>
Session<Stream>::Session(Socket&& socket, HttpServerImpl* server)
    : stream_(std::move(socket)), server_(server), read_deadline_(stream_.get_executor()) {}

template <class Stream>
Session<Stream>::Session(Socket&& socket, std::shared_ptr<TlsContext> tls, HttpServerImpl* server)
    : tls_(std::move(tls)),
      stream_(std::move(socket), *tls_),
      server_(server),
      read_deadline_(stream_.get_executor()) {}

template <class Stream>
void Session<Stream>::Run(bool over_capacity) {
  counted_ = !over_capacity;
  over_capacity_ = over_capacity;
  net::dispatch(stream_.get_executor(), [self = Self()] {
    beast::error_code ec;
    self->Tcp().socket().set_option(tcp::no_delay(true), ec);
    self->Handshake();
  });
}

template <class Stream>
void Session<Stream>::Handshake() {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    // The handshake counts as part of the first request: a client that opens
    // TLS and stalls is cut off like one that stalls sending a request.
    Tcp().expires_after(Seconds(server_->options().request_timeout_s));
    stream_.async_handshake(net::ssl::stream_base::server, [self = Self()](beast::error_code ec) {
      if (ec) {
        self->server_->HandshakeFailed(ec);
        return self->Close();
      }
      self->Begin();
    });
  } else {
    Begin();
  }
}

template <class Stream>
void Session<Stream>::Begin() {
  if (over_capacity_) {
    return Send(JsonError(503, "too_many_connections",
                          "the server has reached server.max_connections; retry later", 11, false),
                true);
  }
  ReadHeader();
}

template <class Stream>
void Session<Stream>::CloseIfIdle() {
  net::post(stream_.get_executor(), [self = Self()] {
    if (self->idle_) {
      beast::error_code ec;
      self->Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
      self->Tcp().cancel();
    }
  });
}

template <class Stream>
void Session<Stream>::ReadHeader() {
  if (server_->shutting_down()) return Close();
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(server_->options().max_header_bytes));
  parser_->body_limit(server_->options().max_body_bytes);
  idle_ = buffer_.size() == 0;
  // An idle connection keeps no body-sized buffer (many may be open).
  if (idle_ && buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();
  ArmReadDeadline(server_->options().idle_timeout_s);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = Self()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
}

template <class Stream>
void Session<Stream>::OnHeader(beast::error_code ec) {
  idle_ = false;
  read_deadline_.cancel();
  if (ec) return FailRead(ec);
  size_t fields = 0;
  for (auto it = parser_->get().begin(); it != parser_->get().end(); ++it) ++fields;
  if (fields > server_->options().max_header_count) {
    return Refuse(431, "too_many_headers",
                  fmt::format("the request has {} header fields; the limit is "
                              "server.max_header_count ({})",
                              fields, server_->options().max_header_count));
  }
  // A body over the limit is refused before it is read.
  auto length = parser_->content_length();
  if (length && *length > server_->options().max_body_bytes) {
    return FailRead(http::error::body_limit);
  }
  // Beast reads as much as the buffer has room for (at least 512 bytes), and
  // the body parser empties it after each read: a buffer sized for headers
  // reads a 100 KB batch in ~1 KB pieces, each a recvmsg, an epoll wait and a
  // timer re-arm. Room for the body (up to kBodyReadChunk) takes a few.
  if (!parser_->is_done()) {
    uint64_t room = length ? std::min<uint64_t>(*length, kBodyReadChunk) : kBodyReadChunk;
    if (room > buffer_.capacity() - buffer_.size()) buffer_.reserve(buffer_.size() + room);
  }
  ArmReadDeadline(server_->options().request_timeout_s);
  http::async_read(stream_, buffer_, *parser_,
                   [self = Self()](beast::error_code ec, std::size_t) { self->OnBody(ec); });
}

template <class Stream>
void Session<Stream>::OnBody(beast::error_code ec) {
  read_deadline_.cancel();
  if (ec) return FailRead(ec);
  Dispatch();
}

template <class Stream>
void Session<Stream>::ArmReadDeadline(double seconds) {
  Tcp().expires_never();
  read_timed_out_ = false;
  read_deadline_.expires_after(Seconds(seconds));
  read_deadline_.async_wait([self = Self()](beast::error_code ec) {
    if (ec) return;  // Cancelled: the read finished first.
    self->read_timed_out_ = true;
    beast::error_code ignored;
    self->Tcp().socket().cancel(ignored);
  });
}

template <class Stream>
void Session<Stream>::Refuse(unsigned status, std::string_view code, std::string message) {
  if (const auto& hook = server_->options().on_refused) {
    hook(HttpRefusal{status, std::string(code), message, &parser_->get()});
  }
  Send(JsonError(status, code, message, 11, false), true);
}

template <class Stream>
void Session<Stream>::FailRead(beast::error_code ec) {
  if (read_timed_out_) {
    read_timed_out_ = false;
    // Silence on an idle keep-alive connection; a client that began a
    // request and is too slow to finish it (slowloris) is told why.
    if (!parser_->got_some()) return Close();
    return Send(JsonError(408, "request_timeout",
                          fmt::format("the request was not received in time "
                                      "(server.idle_timeout_s for headers, "
                                      "server.request_timeout_s for the body)"),
                          11, false),
                true);
  }
  if (ec == http::error::end_of_stream || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == net::error::operation_aborted) {
    return Close();
  }
  if (ec == beast::error::timeout) return Close();
  if (ec == http::error::body_limit) {
    return Refuse(413, "body_too_large",
                  fmt::format("the request body exceeds server.max_body_bytes ({} bytes)",
                              server_->options().max_body_bytes));
  }
  if (ec == http::error::header_limit) {
    return Refuse(431, "headers_too_large",
                  fmt::format("the request headers exceed server.max_header_bytes ({} bytes)",
                              server_->options().max_header_bytes));
  }
  if (ec == http::error::partial_message) return Close();
  if (ec.category() == beast::error_code(http::error::bad_method).category()) {
    return Send(JsonError(400, "bad_http", fmt::format("malformed HTTP request: {}", ec.message()),
                          11, false),
                true);
  }
  Close();
}

template <class Stream>
void Session<Stream>::Dispatch() {
  HttpRequest request = parser_->release();
  unsigned version = request.version();
  bool keep_alive = request.keep_alive();
  server_->RequestStarted();
  auto self = Self();
  // The handler may answer on another thread; hop back onto this session's strand.
  Respond respond(
      [self, version, keep_alive](HttpResponse response) {
        net::post(self->stream_.get_executor(),
                  [self, version, keep_alive, response = std::move(response)]() mutable {
                    response.version(version);
                    response.keep_alive(keep_alive && response.keep_alive());
                    self->server_->RequestFinished();
                    self->Send(std::move(response), false);
                  });
      },
      [self, version, keep_alive](HttpResponse head) {
        return self->StartStream(std::move(head), version, keep_alive);
      });
  server_->handler()(std::move(request), std::move(respond));
}

template <class Stream>
void Session<Stream>::Send(HttpResponse response, bool force_close) {
  bool close = force_close || !response.keep_alive() || server_->shutting_down();
  if (close) response.keep_alive(false);
  response.prepare_payload();
  out_ = std::make_shared<HttpResponse>(std::move(response));
  Tcp().expires_after(Seconds(server_->options().request_timeout_s));
  http::async_write(stream_, *out_, [self = Self(), close](beast::error_code ec, std::size_t) {
    self->OnWrite(close, ec);
  });
}

template <class Stream>
void Session<Stream>::OnWrite(bool close, beast::error_code ec) {
  out_.reset();
  if (ec) return Close();
  if (close) return LingeringClose();
  ReadHeader();
}

template <class Stream>
std::unique_ptr<ChunkWriter> Session<Stream>::StartStream(HttpResponse head, unsigned version,
                                                          bool keep_alive) {
  auto res = std::make_shared<http::response<http::empty_body>>(head.result(), version);
  for (const auto& field : head) res->set(field.name_string(), field.value());
  stream_keep_alive_ = keep_alive && head.keep_alive() && version >= 11;
  res->keep_alive(stream_keep_alive_);
  res->chunked(true);
  stream_head_ = std::move(res);
  return std::make_unique<SessionChunkWriter<Stream>>(Self(), server_->options().request_timeout_s);
}

template <class Stream>
void Session<Stream>::QueueChunk(std::string data, bool last,
                                 const std::shared_ptr<StreamState>& state) {
  net::post(stream_.get_executor(), [self = Self(), data = std::move(data), last, state]() mutable {
    self->chunks_.push_back({std::move(data), last});
    if (!self->chunk_writing_) self->WriteNextChunk(state);
  });
}

template <class Stream>
void Session<Stream>::AbortStream(const std::shared_ptr<StreamState>& state) {
  net::post(stream_.get_executor(), [self = Self(), state] {
    FailStream(state);
    self->chunks_.clear();
    self->server_->RequestFinished();
    self->Close();
  });
}

template <class Stream>
void Session<Stream>::FailStream(const std::shared_ptr<StreamState>& state) {
  StreamState& st = *state;
  MutexLock lock(&st.mu);
  st.failed = true;
  st.cv.SignalAll();
}

template <class Stream>
void Session<Stream>::WriteNextChunk(const std::shared_ptr<StreamState>& state) {
  if (!Tcp().socket().is_open()) {
    FailStream(state);
    chunks_.clear();
    return;
  }
  Tcp().expires_after(Seconds(server_->options().request_timeout_s));
  if (!head_sent_) {
    head_sent_ = true;
    chunk_writing_ = true;
    stream_head_serializer_ =
        std::make_shared<http::response_serializer<http::empty_body>>(*stream_head_);
    http::async_write_header(stream_, *stream_head_serializer_,
                             [self = Self(), state](beast::error_code ec, size_t) {
                               self->chunk_writing_ = false;
                               if (ec) {
                                 FailStream(state);
                                 return self->Close();
                               }
                               if (!self->chunks_.empty()) self->WriteNextChunk(state);
                             });
    return;
  }
  if (chunks_.empty()) return;
  chunk_writing_ = true;
  auto chunk = std::make_shared<PendingChunk>(std::move(chunks_.front()));
  chunks_.pop_front();
  auto done = [self = Self(), state, chunk](beast::error_code ec, size_t) {
    self->chunk_writing_ = false;
    {
      StreamState& st = *state;
      MutexLock lock(&st.mu);
      st.queued -= std::min(st.queued, chunk->data.size());
      st.cv.SignalAll();
    }
    if (ec) {
      FailStream(state);
      if (chunk->last) self->server_->RequestFinished();
      return self->Close();
    }
    if (chunk->last) {
      self->server_->RequestFinished();
      self->stream_head_serializer_.reset();
      self->stream_head_.reset();
      self->head_sent_ = false;
      if (!self->stream_keep_alive_ || self->server_->shutting_down()) {
        return self->LingeringClose();
      }
      return self->ReadHeader();
    }
    if (!self->chunks_.empty()) self->WriteNextChunk(state);
  };
  if (chunk->last) {
    net::async_write(stream_, http::make_chunk_last(), std::move(done));
  } else {
    net::async_write(stream_, http::make_chunk(net::buffer(chunk->data)), std::move(done));
  }
}

template <class Stream>
void Session<Stream>::LingeringClose() {
  beast::error_code ec;
  Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  drain_buffer_ = std::make_unique<char[]>(kDrainChunk);
  Tcp().expires_after(std::chrono::seconds(2));
  Drain(0);
}

template <class Stream>
void Session<Stream>::Drain(uint64_t drained) {
  if (drained > kMaxDrainBytes) return Close();
  Tcp().async_read_some(net::buffer(drain_buffer_.get(), kDrainChunk),
                        [self = Self(), drained](beast::error_code ec, size_t n) {
                          if (ec) return self->Close();
                          self->Drain(drained + n);
                        });
}

template <class Stream>
void Session<Stream>::Close() {
  // The read deadline's handler holds the session: let it go now, not when it fires.
  read_deadline_.cancel();
  if (!Tcp().socket().is_open()) return;
  beast::error_code ec;
  Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
  Tcp().socket().close(ec);
  if (counted_) server_->ConnectionClosed();
}

}  // namespace

HttpResponse JsonError(unsigned status, std::string_view code, std::string_view message,
                       unsigned http_version, bool keep_alive) {
  HttpResponse res{static_cast<http::status>(status), http_version};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  res.body() = fmt::format("{{\"error\":\"{}\",\"message\":\"{}\"}}\n", JsonEscape(code),
                           JsonEscape(message));
  return res;
}

namespace {
std::string_view SV(beast::string_view s) { return std::string_view(s.data(), s.size()); }
}  // namespace

std::string RedactedHead(const http::request_header<>& head) {
  std::string out = fmt::format("{} {} HTTP/{}.{}\r\n", SV(head.method_string()), SV(head.target()),
                                head.version() / 10, head.version() % 10);
  for (const auto& field : head) {
    std::string_view name = SV(field.name_string());
    bool secret = field.name() == http::field::authorization ||
                  field.name() == http::field::cookie ||
                  beast::iequals(field.name_string(), "x-amz-security-token");
    out += fmt::format("{}: {}\r\n", name,
                       secret ? std::string_view("[redacted]") : SV(field.value()));
  }
  return out;
}

HttpResponse JsonResponse(unsigned status, std::string body) {
  HttpResponse res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.body() += '\n';
  return res;
}

std::vector<std::pair<std::string, std::string>> QueryParams(const HttpRequest& request) {
  std::string_view target(request.target().data(), request.target().size());
  std::vector<std::pair<std::string, std::string>> out;
  size_t q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    out.emplace_back(PercentDecode(pair.substr(0, eq), true), PercentDecode(value, true));
  }
  return out;
}

std::string QueryParam(const HttpRequest& request, std::string_view name) {
  for (auto& [k, v] : QueryParams(request)) {
    if (k == name) return std::move(v);
  }
  return "";
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      HttpHandler handler, Metrics* metrics) {
  auto server = std::make_unique<HttpServerImpl>(options, std::move(handler), metrics);
  GL_RETURN_IF_ERROR(server->Bind());
  server->StartThreads();
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace gamelake

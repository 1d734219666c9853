#include "server/http_server.h"

#include "common/percent_decode.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
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

#include "common/json_writer.h"

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
using Stream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;

constexpr size_t kDrainChunk = 64 * 1024;
// Beast's HTTP reads take at most 64 KiB at a time; a body gets that much room.
constexpr uint64_t kBodyReadChunk = 64 * 1024;
constexpr size_t kIdleBufferBytes = 8 * 1024;
constexpr size_t kMaxQueuedStreamBytes = 1 << 20;
constexpr uint64_t kMaxDrainBytes = 256ull << 20;

// One connection. Lives as long as an async operation or a pending Respond holds it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket&& socket, HttpServerImpl* server);
  void Run(bool over_capacity);
  // Closes the connection if it is waiting for a request (shutdown).
  void CloseIfIdle();

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

 public:
  // Streamed responses (see ChunkWriter). Shared between the producer thread
  // and this session's I/O thread.
  struct StreamState {
    std::mutex mu;
    std::condition_variable cv;
    size_t queued = 0;
    bool failed = false;
  };
  std::unique_ptr<ChunkWriter> StartStream(HttpResponse head, unsigned version, bool keep_alive);
  void QueueChunk(std::string data, bool last, const std::shared_ptr<StreamState>& state);
  void AbortStream(const std::shared_ptr<StreamState>& state);

 private:
  void WriteNextChunk(const std::shared_ptr<StreamState>& state);
  static void FailStream(const std::shared_ptr<StreamState>& state);

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServerImpl* server_;
  bool idle_ = false;     // Waiting for the first byte of a request (strand-confined).
  bool counted_ = false;  // Counts toward server.max_connections.
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

class SessionChunkWriter final : public ChunkWriter {
 public:
  SessionChunkWriter(std::shared_ptr<Session> session, double timeout_s)
      : session_(std::move(session)),
        state_(std::make_shared<Session::StreamState>()),
        timeout_(Seconds(timeout_s)) {}
  ~SessionChunkWriter() override {
    if (!finished_) session_->AbortStream(state_);
  }
  bool Write(std::string_view bytes) override {
    if (bytes.empty()) return !Failed();
    {
      std::unique_lock lock(state_->mu);
      // Back-pressure, bounded by the request timeout in case the peer stalls.
      if (!state_->cv.wait_for(lock, timeout_, [&] {
            return state_->failed || state_->queued < kMaxQueuedStreamBytes;
          })) {
        state_->failed = true;
      }
      if (state_->failed) return false;
      state_->queued += bytes.size();
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
    std::lock_guard lock(state_->mu);
    return state_->failed;
  }
  std::shared_ptr<Session> session_;
  std::shared_ptr<Session::StreamState> state_;
  std::chrono::steady_clock::duration timeout_;
  bool finished_ = false;
};

class HttpServerImpl final : public HttpServer {
 public:
  HttpServerImpl(const HttpServerOptions& options, HttpHandler handler, Metrics* metrics)
      : options_(options),
        handler_(std::move(handler)),
        contexts_(MakeContexts(options.threads)),
        acceptor_(*contexts_[0]) {
    if (metrics != nullptr) {
      connections_total_ =
          metrics->AddCounter("gamelake_http_connections_total", "TCP connections accepted");
      metrics->AddCallbackGauge("gamelake_http_connections_open", "TCP connections open",
                                [this] { return static_cast<double>(connections_.load()); });
      rejected_total_ = metrics->AddCounter(
          "gamelake_http_connections_rejected_total",
          "Connections refused with 503 because server.max_connections was reached");
    }
  }

  ~HttpServerImpl() override { Shutdown(0); }

  Status Bind() {
    beast::error_code ec;
    auto address = net::ip::make_address(options_.host, ec);
    if (ec)
      return Status::InvalidArgument(
          fmt::format("listen host {}: {}", options_.host, ec.message()));
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::IOError(
          fmt::format("listen on {}:{}: {}", options_.host, options_.port, ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    return Status::OK();
  }

  void StartThreads() {
    for (auto& ctx : contexts_) {
      guards_.emplace_back(net::make_work_guard(*ctx));
    }
    Accept();
    for (auto& ctx : contexts_) {
      threads_.emplace_back([c = ctx.get()] { c->run(); });
    }
  }

  uint16_t port() const override { return port_; }

  void Shutdown(double timeout_s) override {
    if (stopped_.exchange(true)) return;
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    shutting_down_.store(true);
    CloseIdleSessions();
    auto deadline = std::chrono::steady_clock::now() + Seconds(timeout_s);
    {
      std::unique_lock<std::mutex> lock(mu_);
      inflight_cv_.wait_until(lock, deadline, [this] { return in_flight_.load() == 0; });
    }
    guards_.clear();
    for (auto& ctx : contexts_) ctx->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  const HttpServerOptions& options() const { return options_; }
  const HttpHandler& handler() const { return handler_; }
  bool shutting_down() const { return shutting_down_.load(); }

  void Register(const std::shared_ptr<Session>& s) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.push_back(s);
    if (sessions_.size() > 2 * (connections_.load() + 64)) {
      sessions_.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
    }
  }
  void ConnectionClosed() { connections_.fetch_sub(1); }
  void RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void RequestFinished() {
    if (in_flight_.fetch_sub(1) == 1 && shutting_down_.load()) {
      std::lock_guard<std::mutex> lock(mu_);
      inflight_cv_.notify_all();
    }
  }

 private:
  void Accept() {
    net::io_context& ctx = *contexts_[next_context_++ % contexts_.size()];
    acceptor_.async_accept(ctx, [this](beast::error_code ec, Socket s) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
        spdlog::warn("msg=\"accept failed\" error=\"{}\"", ec.message());
      } else {
        bool over = connections_.load() >= options_.max_connections;
        if (over) {
          if (rejected_total_) rejected_total_->Add();
        } else {
          connections_.fetch_add(1);
          if (connections_total_) connections_total_->Add();
        }
        auto session = std::make_shared<Session>(std::move(s), this);
        if (!over) Register(session);
        session->Run(over);
      }
      if (acceptor_.is_open()) Accept();
    });
  }

  void CloseIdleSessions() {
    std::lock_guard<std::mutex> lock(mu_);
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
  size_t next_context_ = 0;  // Accept handler only.
  net::basic_socket_acceptor<tcp, Executor> acceptor_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> shutting_down_{false};
  std::atomic<uint64_t> connections_{0};
  Counter* connections_total_ = nullptr;
  Counter* rejected_total_ = nullptr;

  std::mutex mu_;
  std::condition_variable inflight_cv_;
  std::atomic<uint64_t> in_flight_{0};
  std::list<std::weak_ptr<Session>> sessions_;
};

Session::Session(Socket&& socket, HttpServerImpl* server)
    : stream_(std::move(socket)), server_(server) {}

void Session::Run(bool over_capacity) {
  counted_ = !over_capacity;
  net::dispatch(stream_.get_executor(), [self = shared_from_this(), over_capacity] {
    if (over_capacity) {
      self->Send(JsonError(503, "too_many_connections",
                           "the server has reached server.max_connections; retry later", 11, false),
                 true);
      return;
    }
    beast::error_code ec;
    self->stream_.socket().set_option(tcp::no_delay(true), ec);
    self->ReadHeader();
  });
}

void Session::CloseIfIdle() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->idle_) {
      beast::error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.cancel();
    }
  });
}

void Session::ReadHeader() {
  if (server_->shutting_down()) return Close();
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(server_->options().max_header_bytes));
  parser_->body_limit(server_->options().max_body_bytes);
  idle_ = buffer_.size() == 0;
  // An idle connection keeps no body-sized buffer (many may be open).
  if (idle_ && buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();
  stream_.expires_after(Seconds(server_->options().idle_timeout_s));
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(beast::error_code ec) {
  idle_ = false;
  if (ec) return FailRead(ec);
  size_t fields = 0;
  for (auto it = parser_->get().begin(); it != parser_->get().end(); ++it) ++fields;
  if (fields > server_->options().max_header_count) {
    return Send(JsonError(431, "too_many_headers",
                          fmt::format("the request has {} header fields; the limit is "
                                      "server.max_header_count ({})",
                                      fields, server_->options().max_header_count),
                          11, false),
                true);
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
  stream_.expires_after(Seconds(server_->options().request_timeout_s));
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  if (ec) return FailRead(ec);
  Dispatch();
}

void Session::FailRead(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == net::error::operation_aborted) {
    return Close();
  }
  if (ec == beast::error::timeout) {
    // An idle keep-alive connection, or a client too slow to send its request
    // (slowloris): the stream has already closed the socket, so no answer.
    return Close();
  }
  if (ec == http::error::body_limit) {
    return Send(JsonError(413, "body_too_large",
                          fmt::format("the request body exceeds server.max_body_bytes ({} bytes)",
                                      server_->options().max_body_bytes),
                          11, false),
                true);
  }
  if (ec == http::error::header_limit) {
    return Send(JsonError(431, "headers_too_large",
                          fmt::format("the request headers exceed server.max_header_bytes ({} "
                                      "bytes)",
                                      server_->options().max_header_bytes),
                          11, false),
                true);
  }
  if (ec == http::error::partial_message) return Close();
  if (ec.category() == beast::error_code(http::error::bad_method).category()) {
    return Send(JsonError(400, "bad_http", fmt::format("malformed HTTP request: {}", ec.message()),
                          11, false),
                true);
  }
  Close();
}

void Session::Dispatch() {
  HttpRequest request = parser_->release();
  unsigned version = request.version();
  bool keep_alive = request.keep_alive();
  server_->RequestStarted();
  auto self = shared_from_this();
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

void Session::Send(HttpResponse response, bool force_close) {
  bool close = force_close || !response.keep_alive() || server_->shutting_down();
  if (close) response.keep_alive(false);
  response.prepare_payload();
  out_ = std::make_shared<HttpResponse>(std::move(response));
  stream_.expires_after(Seconds(server_->options().request_timeout_s));
  http::async_write(stream_, *out_,
                    [self = shared_from_this(), close](beast::error_code ec, std::size_t) {
                      self->OnWrite(close, ec);
                    });
}

void Session::OnWrite(bool close, beast::error_code ec) {
  out_.reset();
  if (ec) return Close();
  if (close) return LingeringClose();
  ReadHeader();
}

std::unique_ptr<ChunkWriter> Session::StartStream(HttpResponse head, unsigned version,
                                                  bool keep_alive) {
  auto res = std::make_shared<http::response<http::empty_body>>(head.result(), version);
  for (const auto& field : head) res->set(field.name_string(), field.value());
  stream_keep_alive_ = keep_alive && head.keep_alive() && version >= 11;
  res->keep_alive(stream_keep_alive_);
  res->chunked(true);
  stream_head_ = std::move(res);
  return std::make_unique<SessionChunkWriter>(shared_from_this(),
                                              server_->options().request_timeout_s);
}

void Session::QueueChunk(std::string data, bool last, const std::shared_ptr<StreamState>& state) {
  net::post(stream_.get_executor(),
            [self = shared_from_this(), data = std::move(data), last, state]() mutable {
              self->chunks_.push_back({std::move(data), last});
              if (!self->chunk_writing_) self->WriteNextChunk(state);
            });
}

void Session::AbortStream(const std::shared_ptr<StreamState>& state) {
  net::post(stream_.get_executor(), [self = shared_from_this(), state] {
    FailStream(state);
    self->chunks_.clear();
    self->server_->RequestFinished();
    self->Close();
  });
}

void Session::FailStream(const std::shared_ptr<StreamState>& state) {
  std::lock_guard lock(state->mu);
  state->failed = true;
  state->cv.notify_all();
}

void Session::WriteNextChunk(const std::shared_ptr<StreamState>& state) {
  if (!stream_.socket().is_open()) {
    FailStream(state);
    chunks_.clear();
    return;
  }
  stream_.expires_after(Seconds(server_->options().request_timeout_s));
  if (!head_sent_) {
    head_sent_ = true;
    chunk_writing_ = true;
    stream_head_serializer_ =
        std::make_shared<http::response_serializer<http::empty_body>>(*stream_head_);
    http::async_write_header(stream_, *stream_head_serializer_,
                             [self = shared_from_this(), state](beast::error_code ec, size_t) {
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
  auto done = [self = shared_from_this(), state, chunk](beast::error_code ec, size_t) {
    self->chunk_writing_ = false;
    {
      std::lock_guard lock(state->mu);
      state->queued -= std::min(state->queued, chunk->data.size());
      state->cv.notify_all();
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

void Session::LingeringClose() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  drain_buffer_ = std::make_unique<char[]>(kDrainChunk);
  stream_.expires_after(std::chrono::seconds(2));
  Drain(0);
}

void Session::Drain(uint64_t drained) {
  if (drained > kMaxDrainBytes) return Close();
  stream_.async_read_some(net::buffer(drain_buffer_.get(), kDrainChunk),
                          [self = shared_from_this(), drained](beast::error_code ec, size_t n) {
                            if (ec) return self->Close();
                            self->Drain(drained + n);
                          });
}

void Session::Close() {
  if (!stream_.socket().is_open()) return;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.socket().close(ec);
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

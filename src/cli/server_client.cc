#include "cli/server_client.h"

#include <cstdlib>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "auth/dev_keys.h"
#include "common/env.h"
#include "common/file_lock.h"
#include "generator/http_sender.h"
#include "net/client_stream.h"

namespace gamelake {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

std::string AdminKey(const std::string& flag, const std::string& data_dir) {
  if (!flag.empty()) return flag;
  if (const char* k = std::getenv("GAMELAKE_KEY")) return k;
  Result<std::string> text = Env::Default()->ReadFile(JoinPath(data_dir, kDevKeysFile));
  if (!text.ok()) return "";
  size_t pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    std::string line = text->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text->size() : nl + 1;
    if (line.rfind(std::string(kDevAdminName) + " ", 0) == 0) {
      return line.substr(line.find_last_of(' ') + 1);
    }
  }
  return "";
}

Result<std::optional<std::string>> ServerUrl(const std::string& url_flag,
                                             const std::string& data_dir) {
  if (!url_flag.empty()) return std::optional<std::string>(url_flag);
  if (!Env::Default()->FileExists(data_dir)) {
    return Status::NotFound(fmt::format(
        "there is no data dir {}: point --data-dir at one, or at a running server with --url",
        data_dir));
  }
  Result<FileLock> lock = FileLock::TryAcquire(JoinPath(data_dir, "LOCK"));
  if (lock.ok()) return std::optional<std::string>();
  if (lock.status().code() != Status::Code::kUnavailable) {
    // Not locked by a server: the dir cannot be opened (permissions, not a dir).
    return Status::InvalidArgument(
        fmt::format("cannot use the data dir {}: {}; point --data-dir at a data dir you can "
                    "write, or at a running server with --url",
                    data_dir, lock.status().message()));
  }
  Result<std::string> url = Env::Default()->ReadFile(JoinPath(data_dir, "server.url"));
  if (!url.ok() || url->empty()) {
    return Status::Unavailable(
        fmt::format("a server is using {}; give its address with --url", data_dir));
  }
  std::string u = *url;
  while (!u.empty() && (u.back() == '\n' || u.back() == ' ')) u.pop_back();
  return std::optional<std::string>(u);
}

std::string ServerReply::ErrorMessage() const {
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  std::string_view message;
  if (p.parse(body).get(doc) == simdjson::SUCCESS &&
      doc["message"].get(message) == simdjson::SUCCESS) {
    return std::string(message);
  }
  return body;
}

Result<ServerTarget> RunningServer(const std::string& url_flag, const std::string& data_dir_flag,
                                   const std::string& key_flag) {
  std::string data_dir = data_dir_flag.empty() ? "gamelake-data" : data_dir_flag;
  GL_ASSIGN_OR_RETURN(std::optional<std::string> url, ServerUrl(url_flag, data_dir));
  if (!url.has_value()) {
    return Status::Unavailable("no server holds " + data_dir +
                               ": start one (gamelake serve) or give --url");
  }
  return ServerTarget{*std::move(url), AdminKey(key_flag, data_dir)};
}

namespace {

// Set once by main from --ca-file/--insecure (or their environment variables).
TlsClientOptions& ClientTls() {
  static TlsClientOptions options;
  return options;
}

// Connects to the endpoint (TLS for https://) within a few seconds.
Result<std::unique_ptr<ClientStream>> Connect(const Endpoint& endpoint, net::io_context& ioc) {
  std::shared_ptr<TlsContext> tls;
  if (endpoint.tls) {
    GL_ASSIGN_OR_RETURN(tls, MakeClientTlsContext(ClientTls()));
  }
  return ClientStream::Connect(ioc, endpoint.host, endpoint.port, std::move(tls),
                               std::chrono::seconds(10));
}

// A request with the headers every call sends.
template <class Body>
http::request<Body> NewRequest(const Endpoint& endpoint, http::verb verb, const std::string& path,
                               const std::string& key, const std::string& accept) {
  http::request<Body> req{verb, endpoint.prefix + path, 11};
  req.set(http::field::host, endpoint.host);
  req.set(http::field::accept, accept);
  if (!key.empty()) req.set(http::field::authorization, "Bearer " + key);
  return req;
}

// Reads a streamed answer piece by piece into on_data (see FollowServer).
// Throws (Beast) on a transport failure; the caller catches at the edge.
template <class Stream>
Status Follow(Stream& stream, const std::function<bool(std::string_view data)>& on_data) {
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  http::read_header(stream, buffer, parser);
  const int status = static_cast<int>(parser.get().result_int());
  std::string error_body;
  char chunk[8192];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof(chunk);
    beast::error_code ec;
    http::read_some(stream, buffer, parser, ec);  // What has come, not a full buffer.
    if (ec == http::error::need_buffer) ec = {};
    if (ec) throw beast::system_error(ec);
    std::string_view got(chunk, sizeof(chunk) - parser.get().body().size);
    if (status != 200) {
      error_body.append(got);
    } else if (!got.empty() && !on_data(got)) {
      return Status::OK();
    }
  }
  if (status != 200) {
    ServerReply reply{status, std::move(error_body)};
    return Status::InvalidArgument(fmt::format("{} ({})", reply.ErrorMessage(), status));
  }
  return Status::OK();
}

}  // namespace

void SetClientTls(TlsClientOptions options) { ClientTls() = std::move(options); }
const TlsClientOptions& CurrentClientTls() { return ClientTls(); }

Result<ServerReply> CallServer(const std::string& url, const std::string& key,
                               const std::string& method, const std::string& path,
                               const std::string& body, const std::string& accept) {
  GL_ASSIGN_OR_RETURN(Endpoint endpoint, ParseUrl(url));
  try {
    net::io_context ioc;
    Result<std::unique_ptr<ClientStream>> stream = Connect(endpoint, ioc);
    if (!stream.ok()) {
      return Status::Unavailable(
          fmt::format("cannot reach {}: {}", url, stream.status().message()));
    }
    auto req =
        NewRequest<http::string_body>(endpoint, http::string_to_verb(method), path, key, accept);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    return (*stream)->Visit([&](auto& s) {
      http::write(s, req);
      beast::flat_buffer buffer;
      http::response_parser<http::string_body> parser;
      parser.body_limit(boost::none);
      http::read(s, buffer, parser);
      ServerReply reply;
      reply.status = static_cast<int>(parser.get().result_int());
      reply.body = std::move(parser.get().body());
      return reply;
    });
  } catch (const std::exception& e) {
    return Status::Unavailable(fmt::format("cannot reach {}: {}", url, e.what()));
  }
}

Status FollowServer(const std::string& url, const std::string& key, const std::string& path,
                    const std::function<bool(std::string_view data)>& on_data) {
  GL_ASSIGN_OR_RETURN(Endpoint endpoint, ParseUrl(url));
  try {
    net::io_context ioc;
    Result<std::unique_ptr<ClientStream>> stream = Connect(endpoint, ioc);
    if (!stream.ok()) {
      return Status::Unavailable(
          fmt::format("cannot follow {}{}: {}", url, path, stream.status().message()));
    }
    auto req =
        NewRequest<http::empty_body>(endpoint, http::verb::get, path, key, "text/event-stream");
    return (*stream)->Visit([&](auto& s) {
      http::write(s, req);
      return Follow(s, on_data);
    });
  } catch (const std::exception& e) {
    return Status::Unavailable(fmt::format("cannot follow {}{}: {}", url, path, e.what()));
  }
}

}  // namespace gamelake

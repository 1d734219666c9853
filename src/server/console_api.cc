#include "server/console_api.h"

#include <zlib.h>

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "auth/crypto_util.h"
#include "common/json_writer.h"

namespace gamelake {
namespace {

namespace http = boost::beast::http;

constexpr uint64_t kMaxConsoleBytes = 64ull << 20;
constexpr int kMaxDepth = 8;

// The page may load only its own files and talk only to this server; ECharts
// and the pages set inline style attributes, hence 'unsafe-inline' for styles.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

std::string_view ContentType(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (name.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

// gzip (RFC 1952) of data at the best compression; "" if zlib fails.
std::string Gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    return "";
  }
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : "";
}

bool AcceptsGzip(const HttpRequest& request) {
  auto it = request.find(http::field::accept_encoding);
  if (it == request.end()) return false;
  std::string_view value(it->value().data(), it->value().size());
  return value.find("gzip") != std::string_view::npos;
}

// Every regular file under dir, as (URL path, file path). Directories are
// told apart from files by ListDir succeeding on them.
Status CollectFiles(Env* env, const std::string& dir, const std::string& url_prefix, int depth,
                    std::vector<std::pair<std::string, std::string>>* out) {
  if (depth > kMaxDepth) return Status::InvalidArgument("console.dir nests too deep: " + dir);
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  for (const std::string& name : names) {
    std::string path = JoinPath(dir, name);
    std::string url = url_prefix + "/" + name;
    if (env->ListDir(path).ok()) {
      GL_RETURN_IF_ERROR(CollectFiles(env, path, url, depth + 1, out));
    } else {
      out->emplace_back(std::move(url), std::move(path));
    }
  }
  return Status::OK();
}

void SetCommonHeaders(HttpResponse* res) {
  res->set("X-Content-Type-Options", "nosniff");
  res->set("X-Frame-Options", "DENY");
  res->set("Referrer-Policy", "no-referrer");
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

Result<std::unique_ptr<ConsoleApi>> ConsoleApi::Open(Env* env, Options options) {
  std::unique_ptr<ConsoleApi> api(new ConsoleApi(std::move(options)));
  const std::string& dir = api->options_.dir;
  if (dir.empty() || !env->ListDir(dir).ok()) return api;
  std::vector<std::pair<std::string, std::string>> files;
  GL_RETURN_IF_ERROR(CollectFiles(env, dir, "", 0, &files));
  uint64_t total = 0;
  for (auto& [url, path] : files) {
    GL_ASSIGN_OR_RETURN(std::string body, env->ReadFile(path));
    total += body.size();
    if (total > kMaxConsoleBytes) {
      return Status::InvalidArgument(
          fmt::format("console.dir {} holds more than {} bytes", dir, kMaxConsoleBytes));
    }
    Asset asset;
    asset.content_type = ContentType(url);
    asset.etag = "\"" + HexEncode(Sha256(body)).substr(0, 32) + "\"";
    asset.immutable = url.starts_with("/assets/");
    std::string gz = Gzip(body);
    if (!gz.empty() && gz.size() < body.size()) asset.gzipped = std::move(gz);
    asset.body = std::move(body);
    api->files_.emplace(url, std::move(asset));
  }
  if (!api->files_.contains("/index.html")) {
    return Status::InvalidArgument("console.dir " + dir +
                                   " has no index.html (is it web/dist, built by npm run build?)");
  }
  return api;
}

bool ConsoleApi::Matches(std::string_view path) const {
  return path == "/" || path == "/v1/console/session" || files_.contains(path);
}

Result<std::string> ConsoleApi::File(std::string_view path) const {
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound(fmt::format("the console has no {}", path));
  return it->second.body;
}

// The host part of a Host header ("127.0.0.1:8080" -> "127.0.0.1",
// "[::1]:8080" -> "[::1]").
std::string_view HostOf(const HttpRequest& request) {
  auto it = request.find(http::field::host);
  if (it == request.end()) return "";
  std::string_view host(it->value().data(), it->value().size());
  if (host.starts_with('[')) return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.find(':'));
}

HttpResponse ConsoleApi::Session(const HttpRequest& request) const {
  JsonWriter w;
  w.BeginObject();
  // The page must also have been loaded by a loopback name: a web page whose
  // own domain was re-pointed at 127.0.0.1 (DNS rebinding) sends its domain
  // as Host, and gets no key.
  const bool hand_out = options_.demo && options_.loopback && !options_.demo_key.empty() &&
                        IsLoopbackHost(HostOf(request));
  w.Key("demo");
  w.Bool(hand_out);
  if (hand_out) {
    w.Key("key");
    w.String(options_.demo_key);
  }
  w.EndObject();
  HttpResponse res = JsonResponse(200, w.Take());
  res.set(http::field::cache_control, "no-store");
  return res;
}

HttpResponse ConsoleApi::NotBuilt() const {
  HttpResponse res{http::status::not_found, 11};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.body() =
      "<!doctype html><title>gamelake</title><h1>The console is not installed</h1>"
      "<p>Build it with <code>scripts/build.sh</code> (it runs <code>npm run build</code> in "
      "<code>web/</code>), or point <code>console.dir</code> at a built console. The HTTP API "
      "works without it: see docs/api.md.</p>\n";
  SetCommonHeaders(&res);
  res.prepare_payload();
  return res;
}

void ConsoleApi::Handle(std::string_view path, const HttpRequest& request, Respond respond) const {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    std::string_view method(request.method_string().data(), request.method_string().size());
    return respond(JsonError(405, "method_not_allowed",
                             fmt::format("{} {}: only GET is allowed", method, path)));
  }
  if (path == "/v1/console/session") return respond(Session(request));
  if (path == "/" && files_.empty()) return respond(NotBuilt());
  const Asset& asset = files_.find(path == "/" ? "/index.html" : path)->second;

  HttpResponse res{http::status::ok, request.version()};
  SetCommonHeaders(&res);
  res.set(http::field::etag, asset.etag);
  res.set(http::field::cache_control,
          asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (asset.content_type.starts_with("text/html")) {
    res.set("Content-Security-Policy", kContentSecurityPolicy);
  }
  auto inm = request.find(http::field::if_none_match);
  if (inm != request.end() &&
      std::string_view(inm->value().data(), inm->value().size()) == std::string_view(asset.etag)) {
    res.result(http::status::not_modified);
    return respond(std::move(res));
  }
  res.set(http::field::content_type, asset.content_type);
  res.set(http::field::vary, "Accept-Encoding");
  const bool gzip = !asset.gzipped.empty() && AcceptsGzip(request);
  if (gzip) res.set(http::field::content_encoding, "gzip");
  if (request.method() == http::verb::get) res.body() = gzip ? asset.gzipped : asset.body;
  res.prepare_payload();
  if (request.method() == http::verb::head) {
    res.content_length((gzip ? asset.gzipped : asset.body).size());
  }
  respond(std::move(res));
}

}  // namespace gamelake

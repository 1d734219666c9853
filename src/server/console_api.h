// ConsoleApi: the web console (web/, docs/console.md) served by gamelake itself.
//
//   GET /                      the console's index.html
//   GET /<file>                the console's other built files (assets/*.js,
//                              *.css, favicon.svg, analyses/lab.json ...)
//   GET /v1/console/session    {"demo": false}, or under `serve --demo` on a
//                              loopback address, asked for by a loopback Host
//                              (not a rebound domain), {"demo": true, "key":
//                              "<the dev admin key>"}, so the first page a new
//                              user opens is already signed in
//
// The files are read once, at start, from console.dir (the output of
// `npm run build` in web/); nothing a request names is ever looked up on
// disk, so no path can reach outside them. Each file is kept as is and
// gzipped; answers carry an ETag (304 on If-None-Match), Cache-Control
// (hashed assets/ for a year, the rest revalidated) and a Content-Security-
// Policy that lets the page talk only to this server. None of it needs a key:
// the files hold no data, and every API the console calls checks its key.
//
// Thread-safety: Handle() runs concurrently on the HTTP threads; the files
// are immutable after Open().
#ifndef GAMELAKE_SERVER_CONSOLE_API_H_
#define GAMELAKE_SERVER_CONSOLE_API_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/result.h"
#include "server/http_server.h"

namespace gamelake {

class ConsoleApi {
 public:
  struct Options {
    std::string dir;        // The built console; "" or missing: GET / explains how to build it.
    bool demo = false;      // serve --demo ...
    bool loopback = false;  // ... listening on a loopback address only.
    std::string demo_key;   // The dev admin key handed out under demo && loopback.
  };
  // Reads every file under options.dir (at most 64 MiB in all). A dir that
  // does not exist is not an error (the console is then "not built").
  static Result<std::unique_ptr<ConsoleApi>> Open(Env* env, Options options);

  // True for the paths this class answers: /, /v1/console/session and the files.
  bool Matches(std::string_view path) const;
  void Handle(std::string_view path, const HttpRequest& request, Respond respond) const;

  bool installed() const { return !files_.empty(); }
  // A built file's content ("/analyses/lab.json"); NotFound if there is none.
  Result<std::string> File(std::string_view path) const;

 private:
  struct Asset {
    std::string content_type;
    std::string body;
    std::string gzipped;  // Empty when gzip does not make it smaller.
    std::string etag;
    bool immutable = false;  // Under assets/: the name carries a content hash.
  };
  explicit ConsoleApi(Options options) : options_(std::move(options)) {}
  HttpResponse Session(const HttpRequest& request) const;
  HttpResponse NotBuilt() const;

  Options options_;
  std::map<std::string, Asset, std::less<>> files_;  // By URL path ("/index.html").
};

// Whether a listen host is a loopback address (127.0.0.0/8, ::1, localhost).
bool IsLoopbackHost(std::string_view host);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_CONSOLE_API_H_

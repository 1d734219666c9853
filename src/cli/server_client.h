// ServerClient: how a command reaches a running server — its URL from --url,
// or from <data>/server.url when a server holds the data dir's LOCK — and
// one HTTP/1.1 (or HTTPS) request to it with an admin key.
//
// Thread-safety: run from main only.
#ifndef GAMELAKE_CLI_SERVER_CLIENT_H_
#define GAMELAKE_CLI_SERVER_CLIENT_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "net/tls_context.h"

namespace gamelake {

// The admin key: `flag`, else $GAMELAKE_KEY, else the data dir's dev admin
// key (dev-keys.txt), else "".
std::string AdminKey(const std::string& flag, const std::string& data_dir);

// Where a command runs: `url_flag` if given; else, if a server holds
// data_dir, the URL it wrote into server.url; else nullopt (run on the data
// dir itself). Unavailable when a server holds the dir but left no URL.
Result<std::optional<std::string>> ServerUrl(const std::string& url_flag,
                                             const std::string& data_dir);

// A running server a command must talk to, and the admin key to use.
struct ServerTarget {
  std::string url;
  std::string key;
};
// ServerUrl and AdminKey for commands that need a running server: the data
// dir defaults to "gamelake-data"; no server is Unavailable, saying what
// to do.
Result<ServerTarget> RunningServer(const std::string& url_flag, const std::string& data_dir_flag,
                                   const std::string& key_flag);

// How https:// URLs are trusted by CallServer and FollowServer (main sets it
// from --ca-file and --insecure before running a command).
void SetClientTls(TlsClientOptions options);
const TlsClientOptions& CurrentClientTls();

struct ServerReply {
  int status = 0;
  std::string body;
  // The "message" of a JSON error body, or the body itself.
  std::string ErrorMessage() const;
};

// Sends one request; Unavailable (with the URL) if the server cannot be reached.
Result<ServerReply> CallServer(const std::string& url, const std::string& key,
                               const std::string& method, const std::string& path,
                               const std::string& body = "",
                               const std::string& accept = "application/json");

// GETs `path` and hands the body to on_data piece by piece as it arrives (a
// streamed answer such as Server-Sent Events), until the server ends it or
// on_data returns false. An answer other than 200 is an error carrying its
// message; Unavailable if the server cannot be reached or the connection breaks.
Status FollowServer(const std::string& url, const std::string& key, const std::string& path,
                    const std::function<bool(std::string_view data)>& on_data);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_SERVER_CLIENT_H_

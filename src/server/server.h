// Server: the running gamelake pipeline — front door, log, delivery — wired
// together from a Config.
//
// Start() opens (and recovers) the write-ahead log, starts lake delivery, then
// starts taking HTTP requests. Shutdown() is the clean stop of SIGINT/SIGTERM:
// stop accepting, answer the requests in flight, flush buffered records into
// the lake, close the log.
//
// Thread-safety: Start/Shutdown from one thread; everything else is internal.
#ifndef GAMELAKE_SERVER_SERVER_H_
#define GAMELAKE_SERVER_SERVER_H_

#include <memory>

#include "common/result.h"
#include "common/status.h"
#include "common/stream_name.h"  // ValidateStreamName, declared here before.
#include "server/config.h"

namespace gamelake {

class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(const Config& config);
  virtual ~Server() = default;

  virtual uint16_t port() const = 0;
  // The plain-HTTP listener beside a TLS one (server.plain_listen), else 0.
  virtual uint16_t plain_port() const = 0;
  // The URL clients use: https://host:port with TLS, else http://host:port.
  virtual std::string url() const = 0;
  // Re-reads server.tls_cert_file/tls_key_file (SIGHUP); the current ones
  // keep serving if the new ones are bad. OK without TLS.
  virtual Status ReloadTls() = 0;
  // Idempotent. Returns the first error met while flushing or closing.
  virtual Status Shutdown() = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_SERVER_H_

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
#include "server/config.h"

namespace gamelake {

class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(const Config& config);
  virtual ~Server() = default;

  virtual uint16_t port() const = 0;
  // Idempotent. Returns the first error met while flushing or closing.
  virtual Status Shutdown() = 0;
};

// Stream names: 1-64 of [A-Za-z0-9_-]; names starting with '_' are reserved
// for gamelake's own tables. Returns why a name is refused, or OK.
[[nodiscard]] Status ValidateStreamName(std::string_view name);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_SERVER_H_

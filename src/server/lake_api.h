// LakeApi: the lake's maintenance endpoints (admin keys only; the Router
// authorizes before calling in). Everything runs on the lake maintainer's
// thread (lifecycle/lake_maintainer.h), reached through a worker here so the
// HTTP threads never wait.
//
//   POST /v1/lake/compact            {"stream": "events", "dry_run": true}
//                                    -> the merges planned, and done unless dry_run
//   GET  /v1/lake/retention          the rules, and what they would drop now
//   POST /v1/lake/retention/apply    {"dry_run": false} -> what was dropped
//   POST /v1/erasures                {"stream": "events" | "streams": [...],
//                                     "where": "PlayerID = 42"} -> 202 and the request
//   GET  /v1/erasures                every request, oldest first
//   GET  /v1/erasures/{id}[?wait_s=N] one request; waits up to N s (max 300)
//                                    for it to finish
//
// Thread-safety: Handle() may be called concurrently from the HTTP threads.
#ifndef GAMELAKE_SERVER_LAKE_API_H_
#define GAMELAKE_SERVER_LAKE_API_H_

#include <string_view>

#include "auth/principal.h"
#include "lifecycle/lake_maintainer.h"
#include "server/http_server.h"
#include "server/worker_pool.h"

namespace gamelake {

class LakeApi {
 public:
  // maintainer must outlive this object.
  explicit LakeApi(LakeMaintainer* maintainer);

  static bool Matches(std::string_view path);
  void Handle(std::string_view path, const Principal& principal, HttpRequest&& request,
              Respond respond);
  void Stop();

 private:
  void Compact(const HttpRequest& request, const Respond& respond);
  void Retention(bool apply, const HttpRequest& request, const Respond& respond);
  void Erase(const Principal& principal, const HttpRequest& request, const Respond& respond);
  void Erasure(std::string_view id, const HttpRequest& request, const Respond& respond);

  LakeMaintainer* maintainer_;
  WorkerPool pool_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_LAKE_API_H_

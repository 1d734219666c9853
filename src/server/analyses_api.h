// AnalysesApi: the console's saved analyses over HTTP (admin keys only; the
// Router authorizes before calling in). See docs/api.md, "Console: analyses
// and generator jobs"; storage in analysis_store.h.
//
//   GET    /v1/analyses        {"analyses": [{"id","name","updated_at","bytes"}]} by name
//   GET    /v1/analyses/{id}   the stored document
//   PUT    /v1/analyses/{id}   a JSON object with a "name" -> 201 (new) or 200
//                              {"id","name","updated_at"}
//   DELETE /v1/analyses/{id}   {"id","deleted":true}
//
// Errors are JSON {"error","message"}: 400 invalid_request, 404 not_found,
// 405 method_not_allowed, 413 too_large, 429 busy.
//
// Requests run on one worker thread (never the HTTP I/O threads: a put fsyncs).
//
// Thread-safety: Handle() runs concurrently on the HTTP threads.
#ifndef GAMELAKE_SERVER_ANALYSES_API_H_
#define GAMELAKE_SERVER_ANALYSES_API_H_

#include <string_view>

#include "server/analysis_store.h"
#include "server/http_server.h"
#include "server/worker_pool.h"

namespace gamelake {

class AnalysesApi {
 public:
  // store must outlive this object.
  explicit AnalysesApi(AnalysisStore* store);

  static bool Matches(std::string_view path) {
    return path == "/v1/analyses" || path.starts_with("/v1/analyses/");
  }
  void Handle(std::string_view path, HttpRequest&& request, Respond respond);
  // Ends the worker (requests queued are answered first). Idempotent.
  void Stop() { pool_.Stop(); }

 private:
  HttpResponse Run(std::string_view path, const HttpRequest& request);

  AnalysisStore* store_;
  WorkerPool pool_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_ANALYSES_API_H_

// AppsApi: streaming SQL applications over HTTP (admin keys only; the Router
// authorizes before calling in). See docs/api.md, "Streaming applications".
//
//   GET    /v1/apps                      every application with its status
//   POST   /v1/apps                      create: {"name", "source", "sql",
//                                        ["input_schema"], ["start_position": "now"|"earliest"],
//                                        ["rowtime_field"], ["destinations": [...]],
//                                        ["start": true]} -> 201 and the application
//   POST   /v1/apps/discover             {"source", ["sample": 100]} -> the input schema
//                                        discovered from the source's recent records
//   GET    /v1/apps/{name}               one application: definition, status, streams
//   PUT    /v1/apps/{name}               update: the create fields to change
//   DELETE /v1/apps/{name}
//   POST   /v1/apps/{name}/start | stop
//   GET    /v1/apps/{name}/streams/{stream}/live   the stream's rows as Server-Sent
//                                        Events (live_hub.h), error_stream too
//
// A destination in a body is a string "STREAM=KIND:TARGET[,col=metric...]"
// (the CLI's --destination).
//
// Errors are JSON {"error", "message"}: 400 invalid_application (bad fields,
// the code's "line:column: message"), 404 not_found, 409 app_exists, 429
// too_many_apps (streaming.max_apps) or busy, 503 unavailable (stopping).
//
// Changes and discovery run on two worker threads (never the HTTP I/O
// threads: they compile, fsync and wait for runners to checkpoint). Each live
// subscriber has its own thread (at most kMaxLiveSubscribers), which moves
// the rows the hub queued for it into the connection: a slow client can only
// stall its own thread, and the hub drops it when its queue fills.
//
// Thread-safety: Handle() runs concurrently on the HTTP threads.
#ifndef GAMELAKE_SERVER_APPS_API_H_
#define GAMELAKE_SERVER_APPS_API_H_

#include <atomic>
#include <list>
#include <memory>
#include <string_view>
#include <thread>

#include "common/mutex.h"
#include "common/result.h"
#include "server/http_server.h"
#include "server/worker_pool.h"
#include "streaming/app_service.h"

namespace gamelake {

// A create or update body (see above). `name` is the path's name for an
// update ("" for a create: the body's). Errors name the field.
Result<AppSpec> ParseAppSpecJson(std::string_view body, std::string_view name);
// An application as the API answers it: {"application": <definition>,
// "status": {...}, "streams": [...]}.
std::string AppDescriptionJson(const AppDescription& app);

class AppsApi {
 public:
  static constexpr size_t kMaxLiveSubscribers = 64;

  // service must outlive this object.
  explicit AppsApi(AppService* service);
  ~AppsApi();  // Stop().

  static bool Matches(std::string_view path) {
    return path == "/v1/apps" || path.starts_with("/v1/apps/");
  }
  void Handle(std::string_view path, HttpRequest&& request, Respond respond) GL_EXCLUDES(mu_);
  // Ends every live stream (so HTTP can drain) and the workers. Idempotent.
  void Stop() GL_EXCLUDES(mu_);

 private:
  struct Live;
  // The answer to a change or read (on a worker).
  HttpResponse Run(std::string_view path, const HttpRequest& request);
  HttpResponse Discover(const HttpRequest& request);
  void StartLive(std::string name, std::string stream, Respond respond) GL_EXCLUDES(mu_);
  void ServeLive(Live* live, std::string name, std::string stream, Respond respond)
      GL_EXCLUDES(mu_);

  AppService* service_;
  WorkerPool pool_;
  // Taken before any Live::mu.
  Mutex mu_;
  std::list<std::unique_ptr<Live>> live_ GL_GUARDED_BY(mu_);
  bool stopped_ GL_GUARDED_BY(mu_) = false;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_APPS_API_H_

// GeneratorApi: the Kinesis Data Generator's page for the console — preview
// a template's records and run generator jobs inside the server (admin keys
// only; the Router authorizes before calling in). See docs/api.md, "Console:
// analyses and generator jobs".
//
//   POST /v1/generator/preview           {"template", ["count": 5 (1..100)]}
//                                        -> {"records": ["<record>", ...]}
//   POST /v1/generator/jobs              {"template", ["stream": "events"], "rate",
//                                        ["count"]} -> 201 the job
//   GET  /v1/generator/jobs              {"jobs": [...]}: the running ones and the
//                                        last kKeepFinished finished, oldest first
//   GET  /v1/generator/jobs/{id}         the job
//   POST /v1/generator/jobs/{id}/stop    the job, stopped
//
// A template is "builtin:lab", "builtin:sessions" or template text
// (generator/template.h). A job is {"id", "template" (the builtin's name or
// "custom"), "stream", "rate", "count" (null: until stopped), "state":
// "running" | "stopped" | "done", "sent", "started_at", "stopped_at"}; `sent`
// counts records the log stored. Each job is a DemoFeed (demo_feed.h): records
// go straight into the log and the stream's counters, as `serve --demo`'s.
//
// Errors are JSON {"error","message"}: 400 invalid_request (a field) or
// invalid_template (the generator's message, with the template's line and
// column when it has them), 404 not_found, 405 method_not_allowed, 429
// too_many_jobs (kMaxRunning), 503 unavailable (the server is stopping).
//
// Thread-safety: Handle() runs concurrently on the HTTP threads; one mutex.
#ifndef GAMELAKE_SERVER_GENERATOR_API_H_
#define GAMELAKE_SERVER_GENERATOR_API_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "common/stream_stats.h"
#include "log/wal.h"
#include "server/demo_feed.h"
#include "server/http_server.h"

namespace gamelake {

class GeneratorApi {
 public:
  static constexpr size_t kMaxRunning = 4;
  static constexpr size_t kKeepFinished = 20;
  static constexpr double kMaxRate = 100'000;
  static constexpr uint64_t kMaxPreview = 100;

  // The counters of a stream (StreamStats::For), or null.
  using CountersFor = std::function<StreamCounters*(std::string_view stream)>;
  // wal and what counters_for returns must outlive this object.
  GeneratorApi(Wal* wal, CountersFor counters_for);
  ~GeneratorApi();  // Stop().

  static bool Matches(std::string_view path) {
    return path == "/v1/generator" || path.starts_with("/v1/generator/");
  }
  void Handle(std::string_view path, HttpRequest&& request, Respond respond) GL_EXCLUDES(mu_);
  // Stops every running job (before the log closes) and refuses new ones. Idempotent.
  void Stop() GL_EXCLUDES(mu_);

 private:
  struct Job {
    std::string id;
    std::string template_name;  // The builtin's name or "custom".
    std::string stream;
    double rate = 0;
    uint64_t count = 0;  // 0: none.
    std::string state = "running";
    int64_t started_us = 0;
    int64_t stopped_us = 0;
    std::unique_ptr<DemoFeed> feed;
  };
  HttpResponse Run(std::string_view path, const HttpRequest& request) GL_EXCLUDES(mu_);
  HttpResponse StartJob(std::string_view body) GL_EXCLUDES(mu_);
  HttpResponse StopJob(std::string_view id) GL_EXCLUDES(mu_);
  HttpResponse GetJob(std::string_view id) GL_EXCLUDES(mu_);
  HttpResponse ListJobs() GL_EXCLUDES(mu_);
  // GET /v1/generator/templates: the builtin templates' KDG text.
  static HttpResponse Templates();
  // Marks the jobs whose feed is done and forgets the oldest finished ones.
  void ReapLocked() GL_REQUIRES(mu_);
  static std::string JobJson(const Job& job);

  Wal* wal_;
  CountersFor counters_for_;
  Mutex mu_;
  // Oldest first. The jobs' fields, too, are read and written only under mu_.
  std::vector<std::unique_ptr<Job>> jobs_ GL_GUARDED_BY(mu_);
  uint64_t next_id_ GL_GUARDED_BY(mu_) = 1;
  bool stopped_ GL_GUARDED_BY(mu_) = false;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_GENERATOR_API_H_

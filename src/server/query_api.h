// QueryApi: the SQL and catalog endpoints (admin keys only; the Router
// authorizes before calling in).
//
//   POST   /v1/query                 {"sql": "...", "timeout_s": 30} -> JSON rows,
//                                    or CSV with Accept: text/csv (or "format": "csv")
//   GET    /v1/queries               history (newest first, ?limit=N) and running queries
//   DELETE /v1/queries/{id}          cancel a running query
//   GET    /v1/catalog/tables        every table: columns, partitions, files, rows, bytes
//   GET    /v1/catalog/tables/{name} one table, with its files and schema history
//   GET    /v1/catalog/views         saved views
//   POST   /v1/catalog/crawl         re-read the whole lake (like `gamelake crawl`)
//   GET    /v1/catalog/ddl?dialect=athena|trino|spark&location=URI   DDL for other engines
//
// Queries and crawls run on a small pool of worker threads, never on the
// HTTP I/O threads. Results are streamed: the first 64 KiB are buffered, so
// small results and early errors get a plain response with Content-Length
// and a proper status; a larger result goes out with chunked encoding as it
// is produced, and a failure after that point ends the JSON document with an
// "error" member (CSV: the transfer is cut short).
//
// Thread-safety: Handle() may be called concurrently from the HTTP threads.
#ifndef GAMELAKE_SERVER_QUERY_API_H_
#define GAMELAKE_SERVER_QUERY_API_H_

#include <atomic>
#include <deque>
#include <functional>
#include <string_view>
#include <thread>
#include <vector>

#include "auth/principal.h"
#include "catalog/catalog.h"
#include "common/stream_stats.h"
#include "query/query_engine.h"
#include "server/http_server.h"
#include "server/worker_pool.h"

namespace gamelake {

// The HTTP answer for a failed query (or anything run through the query
// engine): InvalidArgument 400 `invalid_code`, PermissionDenied 403,
// NotFound 404, AlreadyExists 409, DeadlineExceeded 408, Cancelled 409,
// ResourceExhausted 429, Unavailable 503, anything else 500 `failed_code`.
HttpResponse QueryErrorResponse(const Status& s, std::string_view invalid_code = "invalid_query",
                                std::string_view failed_code = "query_failed");

class QueryApi {
 public:
  // engine and catalog must outlive this object. workers: threads that run
  // queries; up to max_queued more requests wait, beyond that 429.
  // counts (optional, must outlive this object) gets each query's latency and outcome.
  QueryApi(QueryEngine* engine, Catalog* catalog, int workers, size_t max_queued,
           QueryCounts* counts = nullptr);
  ~QueryApi();

  static bool Matches(std::string_view path);
  void Handle(std::string_view path, const Principal& principal, HttpRequest&& request,
              Respond respond);
  // Stops taking work and joins the workers (running queries are cancelled).
  void Stop();

 private:
  bool Submit(std::function<void()> task);
  void Query(const Principal& principal, const HttpRequest& request, const Respond& respond);
  void Tables(std::string_view name, const HttpRequest& request, const Respond& respond);
  void Views(const HttpRequest& request, const Respond& respond);
  void Queries(const HttpRequest& request, const Respond& respond);
  void Ddl(const HttpRequest& request, const Respond& respond);

  QueryEngine* engine_;
  Catalog* catalog_;
  QueryCounts* counts_;
  WorkerPool pool_;  // Queries yield the CPU to ingest (niceness 5).
  std::atomic<bool> stopped_{false};
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_QUERY_API_H_

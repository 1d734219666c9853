// KpiApi: the game KPIs over HTTP (docs/api.md, docs/kpis.md).
//
//   GET /v1/kpis          every KPI: name, description, columns, parameters
//   GET /v1/kpis/{name}?stream=&from=&to=&granularity=&segment=&tz=&sql=true
//                         the KPI computed now, as the /v1/query document
//                         ({"columns","rows","row_count",...}) headed by
//                         "kpi", "parameters" (as resolved) and "as_of" (the
//                         time it ran: late events change past days), plus
//                         "sql" when sql=true
//
// The KPI's SQL (kpi/kpi_catalog.h) runs on the query engine like any
// /v1/query statement, so it reads the live tail too and is bound by the
// same timeouts and limits; the Router gives it the same keys as /v1/query.
// Bad parameters are 400 with a message saying what is allowed.
// KPIs run on a small pool of worker threads, never on the HTTP threads.
//
// Thread-safety: Handle() may be called concurrently from the HTTP threads.
#ifndef GAMELAKE_SERVER_KPI_API_H_
#define GAMELAKE_SERVER_KPI_API_H_

#include <atomic>
#include <map>
#include <string>
#include <string_view>

#include "auth/principal.h"
#include "common/env.h"
#include "common/result.h"
#include "kpi/kpi_catalog.h"
#include "query/query_engine.h"
#include "server/config.h"
#include "server/http_server.h"
#include "server/worker_pool.h"

namespace gamelake {

// The KPI settings of a config (kpi.*); InvalidArgument for a bad mapping.
Result<KpiSettings> KpiSettingsOf(const Config& config);

// Computes one KPI with `engine`: the JSON document /v1/kpis/{name} answers
// with. Errors: the catalog's InvalidArgument for a bad request; the engine's
// for the query (InvalidArgument for a field the stream lacks or an unknown
// time zone, with DuckDB's words; DeadlineExceeded...).
Result<std::string> RunKpiJson(QueryEngine* engine, const KpiCatalog& catalog, std::string_view kpi,
                               const std::map<std::string, std::string>& params,
                               const std::string& user, bool include_sql, Env* env);

class KpiApi {
 public:
  // engine and catalog must outlive this object. workers: threads that run
  // KPIs; up to max_queued more requests wait, beyond that 429.
  KpiApi(QueryEngine* engine, const KpiCatalog* catalog, int workers, size_t max_queued,
         Env* env = Env::Default());
  ~KpiApi();

  static bool Matches(std::string_view path);
  void Handle(std::string_view path, const Principal& principal, HttpRequest&& request,
              Respond respond);
  // Stops taking work and joins the workers.
  void Stop();

 private:
  void List(const Respond& respond) const;
  void Run(const std::string& kpi, const Principal& principal, const HttpRequest& request,
           const Respond& respond);

  QueryEngine* engine_;
  const KpiCatalog* catalog_;
  Env* env_;
  WorkerPool pool_;  // KPIs yield the CPU to ingest (niceness 5), as queries do.
  std::atomic<bool> stopped_{false};
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_KPI_API_H_

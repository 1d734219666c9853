// KpiCatalog: the game KPIs gamelake computes as SQL (docs/kpis.md) — which
// there are, what each takes, and, for one request, its parameters checked
// and its SQL written. It runs nothing: the caller (the /v1/kpis API, the
// `gamelake kpi` command) runs the SQL with the query engine, so KPIs get
// the engine's freshness (the live tail), planning, sandbox and limits.
//
// A request names a KPI and gives parameters as text, as a URL's query
// string does: stream, from, to (dates), granularity (day|week|month),
// segment (a field name), tz (a time zone), and the KPI's own (mode and
// days for retention, days for ltv, by and cell for deaths). Missing ones
// take their defaults: the configured stream and time zone, the 30 days
// ending today (UTC, by the Env's clock). Anything else is InvalidArgument
// with a message that says what is allowed.
//
// Thread-safety: immutable after construction; every method is safe to call
// from any thread.
#ifndef GAMELAKE_KPI_KPI_CATALOG_H_
#define GAMELAKE_KPI_KPI_CATALOG_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "kpi/kpi_field_map.h"
#include "kpi/kpi_params.h"

namespace gamelake {

struct KpiSettings {
  std::string stream = "events";  // kpi.stream: the stream a request without one reads.
  std::string time_zone = "UTC";  // kpi.timezone: where days begin and end.
  double session_gap_s = 1800;    // kpi.session_gap_s: for streams without session ids.
  std::map<std::string, KpiFieldMap> streams;  // kpi.streams.<stream>.<field>
  Env* env = Env::Default();                   // Today, for the default range.
};

struct KpiParameterInfo {
  std::string name;
  std::string description;
};

struct KpiInfo {
  std::string name;
  std::string description;
  // Of its answer, in order; when segmented, "segment" is the second.
  std::vector<std::string> columns;
  std::vector<KpiParameterInfo> parameters;
};

class KpiCatalog {
 public:
  explicit KpiCatalog(KpiSettings settings);

  // Every KPI, in the order docs/kpis.md presents them.
  const std::vector<KpiInfo>& List() const { return kpis_; }
  // The names of List(), comma-separated (for messages).
  std::string Names() const;

  // Checks and resolves a request. InvalidArgument for an unknown KPI (listing
  // the KPIs), an unknown parameter (listing the KPI's), or a bad value
  // (saying what is allowed).
  Result<KpiParams> Resolve(std::string_view kpi,
                            const std::map<std::string, std::string>& params) const;
  // Resolve(), then the SQL that computes it.
  Result<std::string> Sql(std::string_view kpi,
                          const std::map<std::string, std::string>& params) const;

 private:
  Status ResolveRange(const std::map<std::string, std::string>& params, KpiParams* p) const;
  Status ResolveOptions(const std::map<std::string, std::string>& params, KpiParams* p) const;

  KpiSettings settings_;
  std::vector<KpiInfo> kpis_;
};

}  // namespace gamelake

#endif  // GAMELAKE_KPI_KPI_CATALOG_H_

#include "server/kpi_api.h"

#include <fmt/format.h>

#include "common/civil_time.h"
#include "common/json_writer.h"
#include "common/percent_decode.h"
#include "kpi/kpi_sql_builder.h"
#include "query/result_sink.h"
#include "server/query_api.h"

namespace gamelake {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kPrefix = "/v1/kpis/";

HttpResponse KpiError(const Status& s) {
  return QueryErrorResponse(s, "invalid_kpi_request", "kpi_failed");
}

// The request's parameters as a KPI reads them, as resolved.
void WriteParameters(JsonWriter& w, const KpiParams& p) {
  w.Key("parameters").BeginObject();
  w.Key("stream").String(p.stream);
  w.Key("from").String(FormatKpiDate(p.from_day));
  w.Key("to").String(FormatKpiDate(p.to_day));
  w.Key("granularity").String(KpiPeriodName(p.period));
  w.Key("segment");
  if (p.segment) {
    w.String(*p.segment);
  } else {
    w.Null();
  }
  w.Key("tz").String(p.time_zone);
  if (p.kpi == "retention") {
    w.Key("mode").String(p.retention_mode == KpiRetentionMode::kClassic ? "classic" : "rolling");
  }
  if (p.kpi == "retention" || p.kpi == "ltv") w.Key("days").Int(p.max_day);
  if (p.kpi == "deaths") {
    w.Key("by").String(p.deaths_view == KpiDeathsView::kEnemy ? "enemy" : "position");
    w.Key("cell").Int(p.cell);
  }
  if (p.kpi == "sessions") w.Key("derived_sessions").Bool(p.fields.derived_sessions());
  w.EndObject();
}

}  // namespace

Result<KpiSettings> KpiSettingsOf(const Config& config) {
  KpiSettings s;
  s.stream = config.kpi_stream;
  s.time_zone = config.kpi_timezone;
  s.session_gap_s = config.kpi_session_gap_s;
  for (const auto& [stream, fields] : config.kpi_stream_fields) {
    KpiFieldMap& m = s.streams[stream];
    for (const auto& [field, column] : fields) {
      Status st = m.Map(field, column);
      if (!st.ok()) return st.WithContext(fmt::format("setting kpi.streams.{}.{}", stream, field));
    }
  }
  return s;
}

Result<std::string> RunKpiJson(QueryEngine* engine, const KpiCatalog& catalog, std::string_view kpi,
                               const std::map<std::string, std::string>& params,
                               const std::string& user, bool include_sql, Env* env) {
  GL_ASSIGN_OR_RETURN(KpiParams p, catalog.Resolve(kpi, params));
  JsonWriter head;
  head.BeginObject().Key("kpi").String(p.kpi);
  WriteParameters(head, p);
  head.Key("as_of").String(FormatUtcMicros(env->NowMicros()));
  const std::string stream = p.stream;
  GL_ASSIGN_OR_RETURN(std::string sql, KpiSqlBuilder(std::move(p)).Build());
  if (include_sql) head.Key("sql").String(sql);
  // KPI answers are small (a row per period, cohort day or level): buffer
  // the document, then put the KPI's own members ahead of the query's.
  std::string doc;
  std::unique_ptr<ResultSink> sink = NewResultWriter(ResultFormat::kJson, [&](std::string_view b) {
    doc.append(b);
    return true;
  });
  QueryRequest q;
  q.sql = sql;
  q.user = user;
  Result<QueryStats> stats = engine->Run(q, sink.get());
  if (!stats.ok()) {
    return stats.status().WithContext(fmt::format("KPI {} over stream {}", kpi, stream));
  }
  if (doc.empty() || doc[0] != '{') return Status::Internal("the query's answer is not a document");
  std::string out = head.Take();  // {"kpi":...,"as_of":"..."  (still open)
  out += ',';
  out.append(doc, 1);
  return out;
}

KpiApi::KpiApi(QueryEngine* engine, const KpiCatalog* catalog, int workers, size_t max_queued,
               Env* env)
    : engine_(engine), catalog_(catalog), env_(env), pool_(workers, max_queued, /*nice=*/5) {}

KpiApi::~KpiApi() { Stop(); }

void KpiApi::Stop() {
  if (stopped_.exchange(true)) return;
  pool_.Stop();
}

bool KpiApi::Matches(std::string_view path) {
  return path == "/v1/kpis" || path.starts_with(kPrefix);
}

void KpiApi::Handle(std::string_view path, const Principal& principal, HttpRequest&& request,
                    Respond respond) {
  if (request.method() != http::verb::get) {
    HttpResponse res = JsonError(405, "method_not_allowed", fmt::format("{} allows GET", path));
    res.set(http::field::allow, "GET");
    return respond(std::move(res));
  }
  if (path == "/v1/kpis") return List(respond);
  std::string name = PercentDecode(path.substr(kPrefix.size()));
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  if (!pool_.Submit(
          [this, name, principal, shared, respond] { Run(name, principal, *shared, respond); })) {
    respond(JsonError(429, "too_many_queries",
                      "the KPI queue is full (sql.max_concurrent_queries); try again later"));
  }
}

void KpiApi::List(const Respond& respond) const {
  JsonWriter w;
  w.BeginObject().Key("kpis").BeginArray();
  for (const KpiInfo& k : catalog_->List()) {
    w.BeginObject().Key("name").String(k.name).Key("description").String(k.description);
    w.Key("columns").BeginArray();
    for (const std::string& c : k.columns) w.String(c);
    w.EndArray();
    w.Key("parameters").BeginArray();
    for (const KpiParameterInfo& p : k.parameters) {
      w.BeginObject().Key("name").String(p.name).Key("description").String(p.description);
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  respond(JsonResponse(200, w.Take()));
}

void KpiApi::Run(const std::string& kpi, const Principal& principal, const HttpRequest& request,
                 const Respond& respond) {
  std::map<std::string, std::string> params;
  bool include_sql = false;
  for (auto& [name, value] : QueryParams(request)) {
    if (name == "sql") {
      if (value != "true" && value != "false" && !value.empty()) {
        return respond(JsonError(400, "invalid_kpi_request", "sql is true or false"));
      }
      include_sql = value == "true";
      continue;
    }
    if (params.count(name)) {
      return respond(JsonError(400, "invalid_kpi_request",
                               fmt::format("the parameter {} is given twice", name)));
    }
    params[name] = std::move(value);
  }
  Result<std::string> doc =
      RunKpiJson(engine_, *catalog_, kpi, params, principal.key_id, include_sql, env_);
  if (!doc.ok()) return respond(KpiError(doc.status()));
  HttpResponse res{http::status::ok, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(doc).value();
  respond(std::move(res));
}

}  // namespace gamelake

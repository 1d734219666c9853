#include "server/router.h"

#include <chrono>

#include <fmt/format.h>

#include <simdjson.h>

#include "common/civil_time.h"
#include "common/env.h"
#include "common/json_writer.h"
#include "server/health_monitor.h"
#include "server/server.h"

namespace gamelake {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kRecordsPrefix = "/v1/streams/";
constexpr std::string_view kRecordsSuffix = "/records";

HttpResponse MethodNotAllowed(std::string_view allow, std::string_view method,
                              std::string_view path) {
  HttpResponse res = JsonError(405, "method_not_allowed",
                               fmt::format("{} is not allowed on {}; use {}", method, path, allow));
  res.set(http::field::allow, std::string(allow));
  return res;
}

std::string_view ToLowerAscii(std::string_view in, std::string* storage) {
  storage->assign(in);
  for (char& c : *storage) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return *storage;
}

// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view content_type) {
  std::string out;
  size_t semi = content_type.find(';');
  std::string_view type = content_type.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  ToLowerAscii(type, &out);
  return out;
}

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Router::Router(const Config& config, Deps deps)
    : wal_(deps.wal),
      delivery_(deps.delivery),
      metrics_(deps.metrics),
      ingest_(deps.ingest),
      auth_(deps.auth),
      limiter_(deps.limiter),
      keys_(deps.keys),
      firehose_(deps.firehose),
      query_(deps.query),
      kpis_(deps.kpis),
      lake_(deps.lake),
      metrics_api_(deps.metrics_api),
      cloudwatch_(deps.cloudwatch),
      metrics_live_(deps.metrics_live),
      apps_(deps.apps),
      analyses_(deps.analyses),
      generator_(deps.generator),
      console_(deps.console),
      health_(deps.health),
      cors_(config),
      data_dir_(config.data_dir),
      min_free_disk_bytes_(config.min_free_disk_bytes),
      started_us_(NowUs()) {
  limits_.max_decoded_body_bytes = config.max_decoded_body_bytes;
  limits_.max_record_bytes = config.max_record_bytes;
  limits_.max_records = config.max_records_per_request;
  limits_.max_depth = config.max_json_depth;
  limits_.max_keys = config.max_record_keys;

  bytes_received_ =
      metrics_->AddCounter("gamelake_bytes_received_total", "Ingest request body bytes, as sent");
  for (unsigned code :
       {200u, 204u, 400u, 401u, 403u, 404u, 405u, 408u, 413u, 415u, 429u, 431u, 500u, 503u}) {
    requests_by_status_[code] =
        metrics_->AddCounter("gamelake_http_requests_total", "HTTP requests answered, by status",
                             {{"code", std::to_string(code)}});
  }
  requests_other_status_ = metrics_->AddCounter(
      "gamelake_http_requests_total", "HTTP requests answered, by status", {{"code", "other"}});
  latency_ = metrics_->AddHistogram(
      "gamelake_http_request_duration_seconds",
      "Time from a request's arrival to its answer (ingest includes the group commit)",
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
}

Counter* Router::StatusCounter(unsigned status) {
  auto it = requests_by_status_.find(status);
  return it == requests_by_status_.end() ? requests_other_status_ : it->second;
}

void Router::Handle(HttpRequest&& request, Respond respond) {
  int64_t start = NowUs();
  // Count and time every answer, whichever route gives it.
  Respond counted(
      [this, start, respond](HttpResponse res) {
        StatusCounter(res.result_int())->Add();
        latency_->Observe(static_cast<double>(NowUs() - start) / 1e6);
        respond(std::move(res));
      },
      [this, start, respond](HttpResponse head) {
        StatusCounter(head.result_int())->Add();
        latency_->Observe(static_cast<double>(NowUs() - start) / 1e6);
        return respond.Stream(std::move(head));
      });

  std::string_view target(request.target().data(), request.target().size());
  std::string_view path = target.substr(0, target.find('?'));
  http::verb method = request.method();
  std::string_view method_name(request.method_string().data(), request.method_string().size());

  if (firehose_ != nullptr && FirehoseApi::Matches(request)) {
    return firehose_->Handle(std::move(request), std::move(counted));
  }
  if (cloudwatch_ != nullptr && CloudWatchApi::Matches(request)) {
    return cloudwatch_->Handle(std::move(request), std::move(counted));
  }
  if (path.starts_with(kRecordsPrefix) && path.ends_with(kRecordsSuffix) &&
      path.size() > kRecordsPrefix.size() + kRecordsSuffix.size()) {
    std::string_view stream = path.substr(
        kRecordsPrefix.size(), path.size() - kRecordsPrefix.size() - kRecordsSuffix.size());
    return IngestRoute(stream, path, std::move(request), std::move(counted));
  }
  if (path == "/v1/events") {
    return IngestRoute("events", path, std::move(request), std::move(counted));
  }
  if (path == "/v1/health") {
    if (method != http::verb::get && method != http::verb::head) {
      return counted(MethodNotAllowed("GET, HEAD", method_name, path));
    }
    return Health(request, std::move(counted));
  }
  if (path == "/v1/ready") {
    if (method != http::verb::get && method != http::verb::head) {
      return counted(MethodNotAllowed("GET, HEAD", method_name, path));
    }
    return Ready(request, std::move(counted));
  }
  if (path == "/metrics") {
    if (method != http::verb::get && method != http::verb::head) {
      return counted(MethodNotAllowed("GET, HEAD", method_name, path));
    }
    Principal principal;
    if (!Authorize(request, Need::kAdmin, "", &principal, counted)) return;
    return RenderMetrics(request, std::move(counted));
  }
  if (path == "/v1/keys" || path.starts_with("/v1/keys/")) {
    return Keys(path, std::move(request), std::move(counted));
  }
  if (query_ != nullptr && QueryApi::Matches(path)) {
    Principal principal;
    if (!Authorize(request, Need::kAdmin, "", &principal, counted)) return;
    return query_->Handle(path, principal, std::move(request), std::move(counted));
  }
  if (kpis_ != nullptr && KpiApi::Matches(path)) {
    // KPIs are SQL over the lake: whoever may query may read them.
    Principal principal;
    if (!Authorize(request, Need::kAdmin, "", &principal, counted)) return;
    return kpis_->Handle(path, principal, std::move(request), std::move(counted));
  }
  if (lake_ != nullptr && LakeApi::Matches(path)) {
    Principal principal;
    if (!Authorize(request, Need::kAdmin, "", &principal, counted)) return;
    return lake_->Handle(path, principal, std::move(request), std::move(counted));
  }
  if (metrics_live_ != nullptr && MetricsLive::Matches(path)) {
    Principal principal;
    if (!Authorize(request, Need::kReadMetrics, "", &principal, counted)) return;
    return metrics_live_->Handle(std::move(request), std::move(counted));
  }
  if (apps_ != nullptr && AppsApi::Matches(path)) {
    Principal principal;
    if (!Authorize(request, Need::kAdmin, "", &principal, counted)) return;
    return apps_->Handle(path, std::move(request), std::move(counted));
  }
  if (analyses_ != nullptr && AnalysesApi::Matches(path)) {
    Principal principal;
    if (!Authorize(request, Need::kAdmin, "", &principal, counted)) return;
    return analyses_->Handle(path, std::move(request), std::move(counted));
  }
  if (generator_ != nullptr && GeneratorApi::Matches(path)) {
    Principal principal;
    if (!Authorize(request, Need::kAdmin, "", &principal, counted)) return;
    return generator_->Handle(path, std::move(request), std::move(counted));
  }
  if (metrics_api_ != nullptr && MetricsApi::Matches(path)) {
    Principal principal;
    if (!Authorize(request, MetricsApi::Needs(path, request), "", &principal, counted)) return;
    return metrics_api_->Handle(path, std::move(request), std::move(counted));
  }
  if (console_ != nullptr && (method == http::verb::get || method == http::verb::head) &&
      console_->Matches(path)) {
    return console_->Handle(path, request, std::move(counted));
  }
  counted(JsonError(404, "not_found", fmt::format("no route for {} {}", method_name, path)));
}

void Router::IngestRoute(std::string_view stream, std::string_view path, HttpRequest&& request,
                         Respond respond) {
  std::string origin;
  if (auto it = request.find(http::field::origin); it != request.end()) {
    origin.assign(it->value().data(), it->value().size());
  }
  if (request.method() == http::verb::options) return respond(cors_.Preflight(stream, origin));
  if (request.method() != http::verb::post) {
    std::string_view method(request.method_string().data(), request.method_string().size());
    return respond(MethodNotAllowed("POST, OPTIONS", method, path));
  }
  if (!origin.empty()) {
    // Browsers only show the answer to the page when it carries the CORS headers.
    respond = [this, stream = std::string(stream), origin,
               respond = std::move(respond)](HttpResponse res) {
      cors_.Decorate(stream, origin, &res);
      respond(std::move(res));
    };
  }
  Principal principal;
  if (!Authorize(request, Need::kIngest, stream, &principal, respond)) return;
  Ingest(stream, principal, std::move(request), std::move(respond));
}

bool Router::Authorize(const HttpRequest& request, Need need, std::string_view stream,
                       Principal* principal, const Respond& respond) {
  auto header = [&](http::field f) {
    auto it = request.find(f);
    return it == request.end() ? std::string_view()
                               : std::string_view(it->value().data(), it->value().size());
  };
  std::string_view x_api_key;
  if (auto it = request.find("X-Api-Key"); it != request.end()) {
    x_api_key = std::string_view(it->value().data(), it->value().size());
  }
  AuthError error;
  if (auth_->Check(header(http::field::authorization), x_api_key, need, stream, principal,
                   &error)) {
    return true;
  }
  HttpResponse res = JsonError(error.http_status, error.code, error.message);
  if (error.http_status == 401) res.set(http::field::www_authenticate, "Bearer realm=\"gamelake\"");
  respond(std::move(res));
  return false;
}

void Router::Keys(std::string_view path, HttpRequest&& request, Respond respond) {
  Principal principal;
  if (!Authorize(request, Need::kAdmin, "", &principal, respond)) return;
  if (keys_ == nullptr) {
    return respond(JsonError(404, "auth_disabled",
                             "API keys are not in use: the server runs with auth.enabled = false"));
  }
  std::string_view method(request.method_string().data(), request.method_string().size());
  auto key_json = [](JsonWriter& w, const KeyInfo& k) {
    w.BeginObject().Key("id").String(k.id).Key("name").String(k.name);
    w.Key("scope").String(ScopeName(k.scope)).Key("streams").BeginArray();
    for (const std::string& st : k.streams) w.String(st);
    w.EndArray().Key("rate_records_per_s").UInt(k.rate_records_per_s);
    w.Key("rate_bytes_per_s").UInt(k.rate_bytes_per_s).Key("created_at").String(k.created_at);
    if (k.revoked()) {
      w.Key("revoked_at").String(k.revoked_at);
    } else {
      w.Key("revoked_at").Null();
    }
    w.EndObject();
  };
  if (path == "/v1/keys" && request.method() == http::verb::get) {
    Result<std::vector<KeyInfo>> list = keys_->List();
    if (!list.ok()) return respond(JsonError(500, "key_store", list.status().ToString()));
    JsonWriter w;
    w.BeginObject().Key("keys").BeginArray();
    for (const KeyInfo& k : *list) key_json(w, k);
    w.EndArray().EndObject();
    return respond(JsonResponse(200, w.Take()));
  }
  if (path == "/v1/keys" && request.method() == http::verb::post) {
    simdjson::dom::parser parser;
    simdjson::dom::object body;
    if (parser.parse(request.body()).get(body) != simdjson::SUCCESS) {
      return respond(
          JsonError(400, "malformed_body",
                    "expected a JSON object: {\"name\", \"scope\": \"ingest\"|\"admin\", "
                    "\"streams\": [...]}"));
    }
    KeySpec spec;
    std::string_view text;
    if (body["name"].get(text) != simdjson::SUCCESS || text.empty()) {
      return respond(
          JsonError(400, "invalid_key_spec", "\"name\" (a non-empty string) is required"));
    }
    spec.name = std::string(text);
    if (body["scope"].get(text) == simdjson::SUCCESS) {
      Result<Scope> scope = ParseScope(text);
      if (!scope.ok()) return respond(JsonError(400, "invalid_key_spec", scope.status().message()));
      spec.scope = *scope;
    }
    simdjson::dom::array streams;
    if (body["streams"].get(streams) == simdjson::SUCCESS) {
      for (simdjson::dom::element e : streams) {
        if (e.get(text) != simdjson::SUCCESS || !ValidateStreamName(text).ok()) {
          return respond(
              JsonError(400, "invalid_key_spec", "\"streams\" must be valid stream names"));
        }
        spec.streams.emplace_back(text);
      }
    }
    uint64_t n = 0;
    if (body["rate_records_per_s"].get(n) == simdjson::SUCCESS) spec.rate_records_per_s = n;
    if (body["rate_bytes_per_s"].get(n) == simdjson::SUCCESS) spec.rate_bytes_per_s = n;
    Result<CreatedKey> created = keys_->Create(spec);
    if (!created.ok())
      return respond(JsonError(400, "invalid_key_spec", created.status().message()));
    JsonWriter w;
    w.BeginObject().Key("key").String(created->full_key).Key("info");
    key_json(w, created->info);
    w.EndObject();
    return respond(JsonResponse(201, w.Take()));
  }
  if (path.starts_with("/v1/keys/") && request.method() == http::verb::delete_) {
    std::string_view id = path.substr(std::string_view("/v1/keys/").size());
    Status st = keys_->Revoke(id);
    if (st.code() == Status::Code::kNotFound)
      return respond(JsonError(404, "not_found", st.message()));
    if (!st.ok()) return respond(JsonError(400, "invalid_key_id", st.message()));
    JsonWriter w;
    w.BeginObject().Key("id").String(id).Key("revoked").Bool(true).EndObject();
    return respond(JsonResponse(200, w.Take()));
  }
  respond(MethodNotAllowed(path == "/v1/keys" ? "GET, POST" : "DELETE", method, path));
}

bool Router::LowOnDisk() {
  int64_t now = NowUs();
  int64_t checked = disk_checked_us_.load(std::memory_order_relaxed);
  if (now - checked > 500'000 &&
      disk_checked_us_.compare_exchange_strong(checked, now, std::memory_order_relaxed)) {
    Result<uint64_t> free_bytes = Env::Default()->FreeDiskBytes(data_dir_);
    low_disk_.store(free_bytes.ok() && *free_bytes < min_free_disk_bytes_,
                    std::memory_order_relaxed);
  }
  return low_disk_.load(std::memory_order_relaxed);
}

void Router::Ingest(std::string_view stream, const Principal& principal, HttpRequest&& request,
                    Respond respond) {
  bytes_received_->Add(request.body().size());
  if (Status s = ValidateStreamName(stream); !s.ok()) {
    return respond(JsonError(400, "invalid_stream_name", s.message()));
  }
  if (LowOnDisk()) {
    HttpResponse res = JsonError(
        503, "disk_full",
        fmt::format("the data disk has less than log.min_free_disk_bytes ({}) free; nothing was "
                    "stored, retry later",
                    min_free_disk_bytes_));
    res.set(http::field::retry_after, "5");
    return respond(std::move(res));
  }

  BodyFormat format = BodyFormat::kJson;
  auto ct = request.find(http::field::content_type);
  if (ct != request.end()) {
    std::string media = MediaType(std::string_view(ct->value().data(), ct->value().size()));
    if (media == "application/x-ndjson" || media == "application/jsonl" ||
        media == "application/x-jsonlines" || media == "application/ndjson") {
      format = BodyFormat::kNdjson;
    } else if (media != "application/json") {
      return respond(JsonError(
          415, "unsupported_media_type",
          fmt::format("Content-Type {} is not accepted; send application/json (one object or an "
                      "array of objects) or application/x-ndjson (one object per line)",
                      media.empty() ? "(empty)" : media)));
    }
  }
  bool gzip = false;
  auto ce = request.find(http::field::content_encoding);
  if (ce != request.end()) {
    std::string enc = MediaType(std::string_view(ce->value().data(), ce->value().size()));
    if (enc == "gzip" || enc == "x-gzip") {
      gzip = true;
    } else if (enc != "identity" && !enc.empty()) {
      return respond(JsonError(
          415, "unsupported_encoding",
          fmt::format("Content-Encoding {} is not accepted; send gzip or identity", enc)));
    }
  }

  RecordParser& parser = ThreadLocalRecordParser(limits_);
  ParsedBody parsed;
  Status s = parser.Parse(request.body(), format, gzip, &parsed);
  if (!s.ok()) {
    const bool too_large = s.code() == Status::Code::kResourceExhausted;
    const char* code = too_large ? "body_too_large" : "malformed_body";
    ingest_->DeadLetterBody(stream, principal.key_id, code, s.message(), request.body());
    return respond(JsonError(too_large ? 413 : 400, code, s.message()));
  }
  RateLimiter::Decision admit =
      limiter_->Admit(principal, parsed.total, request.body().size(), Env::Default()->NowMicros());
  if (!admit.ok) {
    ingest_->CountThrottled(stream, parsed.total);
    HttpResponse res = JsonError(
        429, "rate_limited",
        fmt::format("key {} is over its {} per second limit; nothing was stored, retry after {} s",
                    principal.key_id, admit.limit, admit.retry_after_seconds));
    res.set(http::field::retry_after, std::to_string(admit.retry_after_seconds));
    return respond(std::move(res));
  }
  ingest_->Submit(
      stream, principal.key_id, std::move(parsed),
      [respond = std::move(respond)](IngestOutcome out) {
        if (!out.status.ok()) {
          HttpResponse res =
              JsonError(503, "log_unavailable",
                        fmt::format("records not stored: {}; nothing was acknowledged, retry later",
                                    out.status.ToString()));
          res.set(http::field::retry_after, "1");
          return respond(std::move(res));
        }
        JsonWriter w;
        w.BeginObject().Key("accepted").UInt(out.accepted).Key("failed").UInt(out.errors.size());
        if (out.accepted > 0) w.Key("first_record_id").UInt(out.first_seq);
        w.Key("errors").BeginArray();
        for (const RecordError& e : out.errors) {
          w.BeginObject().Key("index").UInt(e.index).Key("code").String(e.code);
          w.Key("message").String(e.message).EndObject();
        }
        w.EndArray().EndObject();
        // Nothing accepted: the request as a whole failed.
        respond(JsonResponse(out.accepted > 0 ? 200 : 400, w.Take()));
      });
}

namespace {

void WriteProblems(const HealthReport& report, JsonWriter& w) {
  w.Key("problems").BeginArray();
  for (const HealthProblem& p : report.problems) {
    w.BeginObject()
        .Key("check")
        .String(p.check)
        .Key("status")
        .String(HealthStateName(p.state))
        .Key("message")
        .String(p.message)
        .Key("since")
        .String(FormatUtcMicros(p.since_us))
        .EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string Router::StreamOfTarget(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/v1/events") return "events";
  if (path.starts_with(kRecordsPrefix) && path.ends_with(kRecordsSuffix) &&
      path.size() > kRecordsPrefix.size() + kRecordsSuffix.size()) {
    return std::string(path.substr(kRecordsPrefix.size(),
                                   path.size() - kRecordsPrefix.size() - kRecordsSuffix.size()));
  }
  return "";
}

void Router::Health(const HttpRequest& request, Respond respond) {
  HealthReport report = health_ != nullptr ? health_->Evaluate() : HealthReport{};
  DeliveryStats d = delivery_->stats();
  JsonWriter w;
  w.BeginObject().Key("status").String(HealthStateName(report.state));
  if (!report.problems.empty()) {
    int64_t since = report.problems[0].since_us;
    for (const HealthProblem& p : report.problems) {
      if (p.state == report.state) since = std::min(since, p.since_us);
    }
    w.Key("since").String(FormatUtcMicros(since));
  }
  WriteProblems(report, w);
  w.Key("ready")
      .Bool(report.ready())
      .Key("uptime_s")
      .Double(static_cast<double>(NowUs() - started_us_) / 1e6)
      .Key("log")
      .BeginObject()
      .Key("pending_bytes")
      .UInt(wal_->pending_bytes())
      .Key("segments")
      .UInt(wal_->segment_count())
      .Key("next_record_id")
      .UInt(wal_->next_seq())
      .EndObject()
      .Key("delivery")
      .BeginObject()
      .Key("files")
      .UInt(d.files_delivered)
      .Key("rows")
      .UInt(d.rows_delivered)
      .Key("buffered_records")
      .UInt(d.buffered_records)
      .Key("lag_s")
      .Double(static_cast<double>(d.lag_us) / 1e6)
      .Key("errors")
      .UInt(d.delivery_errors)
      .Key("consecutive_failures")
      .UInt(static_cast<uint64_t>(d.consecutive_failures))
      .EndObject()
      .EndObject();
  // ok and degraded serve (200); failing cannot take writes (503).
  respond(JsonResponse(report.state == HealthState::kFailing ? 503 : 200, w.Take()));
}

void Router::Ready(const HttpRequest& request, Respond respond) {
  HealthReport report = health_ != nullptr ? health_->Evaluate() : HealthReport{};
  JsonWriter w;
  w.BeginObject()
      .Key("ready")
      .Bool(report.ready())
      .Key("status")
      .String(report.draining ? "draining" : HealthStateName(report.state));
  WriteProblems(report, w);
  w.EndObject();
  respond(JsonResponse(report.ready() ? 200 : 503, w.Take()));
}

void Router::RenderMetrics(const HttpRequest& request, Respond respond) {
  HttpResponse res{http::status::ok, 11};
  res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  res.body() = metrics_->Render();
  respond(std::move(res));
}

}  // namespace gamelake

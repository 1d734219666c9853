#include "server/lake_api.h"

#include <simdjson.h>

#include <charconv>

#include <fmt/format.h>

#include "common/json_writer.h"

namespace gamelake {

namespace http = boost::beast::http;

namespace {

HttpResponse LakeError(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      return JsonError(400, "invalid_request", s.message());
    case Status::Code::kNotFound:
      return JsonError(404, "not_found", s.message());
    case Status::Code::kUnavailable:
      return JsonError(503, "unavailable", s.message());
    case Status::Code::kPermissionDenied:  // Not on this lake (an S3 lake).
      return JsonError(409, "not_supported", s.message());
    default:
      return JsonError(500, "lake_maintenance_failed", s.ToString());
  }
}

// The body as a JSON object; an empty body is an empty object.
Result<simdjson::dom::object> BodyObject(simdjson::dom::parser* parser, const std::string& body) {
  simdjson::dom::object o;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    static const std::string kEmpty = "{}";
    if (parser->parse(kEmpty).get(o) != simdjson::SUCCESS) return Status::Internal("{}");
    return o;
  }
  if (parser->parse(body).get(o) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the body must be a JSON object");
  }
  return o;
}

bool BoolField(simdjson::dom::object o, std::string_view key, bool fallback) {
  bool v = fallback;
  if (o[key].get_bool().get(v) != simdjson::SUCCESS) v = fallback;
  return v;
}

}  // namespace

LakeApi::LakeApi(LakeMaintainer* maintainer)
    : maintainer_(maintainer), pool_(/*workers=*/2, /*max_queued=*/32, /*nice=*/5) {}

void LakeApi::Stop() { pool_.Stop(); }

bool LakeApi::Matches(std::string_view path) {
  return path.starts_with("/v1/lake/") || path == "/v1/erasures" ||
         path.starts_with("/v1/erasures/");
}

void LakeApi::Handle(std::string_view path, const Principal& principal, HttpRequest&& request,
                     Respond respond) {
  http::verb method = request.method();
  auto not_allowed = [&](std::string_view allow) {
    HttpResponse res =
        JsonError(405, "method_not_allowed", fmt::format("{} allows {}", path, allow));
    res.set(http::field::allow, std::string(allow));
    respond(std::move(res));
  };
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  auto run = [&](std::function<void()> task) {
    if (!pool_.Submit(std::move(task))) {
      respond(JsonError(429, "busy", "too many lake maintenance requests; try again later"));
    }
  };
  if (path == "/v1/lake/compact") {
    if (method != http::verb::post) return not_allowed("POST");
    return run([this, shared, respond] { Compact(*shared, respond); });
  }
  if (path == "/v1/lake/retention") {
    if (method != http::verb::get) return not_allowed("GET");
    return run([this, shared, respond] { Retention(false, *shared, respond); });
  }
  if (path == "/v1/lake/retention/apply") {
    if (method != http::verb::post) return not_allowed("POST");
    return run([this, shared, respond] { Retention(true, *shared, respond); });
  }
  if (path == "/v1/erasures") {
    if (method == http::verb::post) {
      return run([this, principal, shared, respond] { Erase(principal, *shared, respond); });
    }
    if (method != http::verb::get) return not_allowed("GET, POST");
    JsonWriter w;
    w.BeginObject().Key("erasures").BeginArray();
    for (const ErasureInfo& e : maintainer_->Erasures()) WriteErasureJson(&w, e);
    w.EndArray().EndObject();
    return respond(JsonResponse(200, w.Take()));
  }
  if (path.starts_with("/v1/erasures/")) {
    if (method != http::verb::get) return not_allowed("GET");
    std::string id(path.substr(std::string_view("/v1/erasures/").size()));
    return run([this, id, shared, respond] { Erasure(id, *shared, respond); });
  }
  respond(JsonError(404, "not_found", fmt::format("no route for {}", path)));
}

void LakeApi::Compact(const HttpRequest& request, const Respond& respond) {
  simdjson::dom::parser parser;
  Result<simdjson::dom::object> body = BodyObject(&parser, request.body());
  if (!body.ok()) return respond(LakeError(body.status()));
  std::string_view stream;
  if ((*body)["stream"].get_string().get(stream) != simdjson::SUCCESS) stream = "";
  Result<CompactionReport> report =
      maintainer_->Compact(std::string(stream), BoolField(*body, "dry_run", false));
  if (!report.ok()) return respond(LakeError(report.status()));
  JsonWriter w;
  WriteCompactionJson(&w, *report);
  respond(JsonResponse(200, w.Take()));
}

void LakeApi::Retention(bool apply, const HttpRequest& request, const Respond& respond) {
  bool dry_run = true;
  if (apply) {
    simdjson::dom::parser parser;
    Result<simdjson::dom::object> body = BodyObject(&parser, request.body());
    if (!body.ok()) return respond(LakeError(body.status()));
    dry_run = BoolField(*body, "dry_run", false);
  }
  Result<RetentionReport> report = maintainer_->ApplyRetention(dry_run);
  if (!report.ok()) return respond(LakeError(report.status()));
  JsonWriter w;
  WriteRetentionJson(&w, maintainer_->retention_rules(), *report);
  respond(JsonResponse(200, w.Take()));
}

void LakeApi::Erase(const Principal& principal, const HttpRequest& request,
                    const Respond& respond) {
  simdjson::dom::parser parser;
  Result<simdjson::dom::object> body = BodyObject(&parser, request.body());
  if (!body.ok()) return respond(LakeError(body.status()));
  std::vector<std::string> streams;
  std::string_view text;
  if ((*body)["stream"].get_string().get(text) == simdjson::SUCCESS) streams.emplace_back(text);
  simdjson::dom::array list;
  if ((*body)["streams"].get_array().get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : list) {
      if (e.get_string().get(text) != simdjson::SUCCESS) {
        return respond(JsonError(400, "invalid_request", "\"streams\" is a list of names"));
      }
      streams.emplace_back(text);
    }
  }
  std::string_view where;
  if ((*body)["where"].get_string().get(where) != simdjson::SUCCESS || streams.empty()) {
    return respond(JsonError(400, "invalid_request",
                             "expected {\"stream\": \"events\", \"where\": \"PlayerID = 42\"} "
                             "(or \"streams\": [...])"));
  }
  Result<ErasureInfo> info =
      maintainer_->SubmitErasure(streams, std::string(where), principal.key_id);
  if (!info.ok()) return respond(LakeError(info.status()));
  JsonWriter w;
  WriteErasureJson(&w, *info);
  respond(JsonResponse(202, w.Take()));
}

void LakeApi::Erasure(std::string_view id, const HttpRequest& request, const Respond& respond) {
  std::string wait_text = QueryParam(request, "wait_s");
  double wait_s = 0;
  if (!wait_text.empty()) {
    auto [end, ec] = std::from_chars(wait_text.data(), wait_text.data() + wait_text.size(), wait_s);
    if (ec != std::errc() || end != wait_text.data() + wait_text.size() || wait_s < 0) {
      return respond(JsonError(400, "invalid_request", "wait_s is a number of seconds"));
    }
  }
  Result<ErasureInfo> info =
      wait_s > 0 ? maintainer_->WaitForErasure(std::string(id),
                                               static_cast<int64_t>(std::min(wait_s, 300.0) * 1e6))
                 : maintainer_->Erasure(std::string(id));
  if (!info.ok()) return respond(LakeError(info.status()));
  JsonWriter w;
  WriteErasureJson(&w, *info);
  respond(JsonResponse(200, w.Take()));
}

}  // namespace gamelake

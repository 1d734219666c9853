#include "server/analyses_api.h"

#include <memory>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/percent_decode.h"

namespace gamelake {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kPrefix = "/v1/analyses/";

HttpResponse StoreError(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      return JsonError(400, "invalid_request", s.message());
    case Status::Code::kNotFound:
      return JsonError(404, "not_found", s.message());
    case Status::Code::kResourceExhausted:
      return JsonError(413, "too_large", s.message());
    default:
      return JsonError(500, "analyses_failed", s.ToString());
  }
}

HttpResponse NotAllowed(std::string_view path, std::string_view allow) {
  HttpResponse res = JsonError(405, "method_not_allowed", fmt::format("{} allows {}", path, allow));
  res.set(http::field::allow, std::string(allow));
  return res;
}

HttpResponse ListAnalyses(AnalysisStore* store) {
  Result<std::vector<AnalysisInfo>> list = store->List();
  if (!list.ok()) return StoreError(list.status());
  JsonWriter w;
  w.BeginObject().Key("analyses").BeginArray();
  for (const AnalysisInfo& a : *list) {
    w.BeginObject().Key("id").String(a.id).Key("name").String(a.name);
    w.Key("updated_at").String(a.updated_at).Key("bytes").UInt(a.bytes).EndObject();
  }
  w.EndArray().EndObject();
  return JsonResponse(200, w.Take());
}

HttpResponse PutAnalysis(AnalysisStore* store, std::string_view id, std::string_view body) {
  AnalysisInfo info;
  Status s = store->Put(id, body, &info);
  if (!s.ok()) return StoreError(s);
  JsonWriter w;
  w.BeginObject().Key("id").String(info.id).Key("name").String(info.name);
  w.Key("updated_at").String(info.updated_at).EndObject();
  return JsonResponse(info.created ? 201 : 200, w.Take());
}

}  // namespace

AnalysesApi::AnalysesApi(AnalysisStore* store)
    : store_(store), pool_(/*workers=*/1, /*max_queued=*/64, /*nice=*/0) {}

void AnalysesApi::Handle(std::string_view path, HttpRequest&& request, Respond respond) {
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  if (!pool_.Submit(
          [this, shared, path = std::string(path), respond] { respond(Run(path, *shared)); })) {
    respond(JsonError(429, "busy", "too many analysis requests at once; try again later"));
  }
}

HttpResponse AnalysesApi::Run(std::string_view path, const HttpRequest& request) {
  const http::verb method = request.method();
  if (path == "/v1/analyses" || path == kPrefix) {
    if (method != http::verb::get) return NotAllowed(path, "GET");
    return ListAnalyses(store_);
  }
  std::string id = PercentDecode(path.substr(kPrefix.size()));
  if (method == http::verb::get) {
    Result<std::string> doc = store_->Get(id);
    if (!doc.ok()) return StoreError(doc.status());
    return JsonResponse(200, std::move(doc).value());
  }
  if (method == http::verb::put) return PutAnalysis(store_, id, request.body());
  if (method == http::verb::delete_) {
    Status s = store_->Delete(id);
    if (!s.ok()) return StoreError(s);
    JsonWriter w;
    w.BeginObject().Key("id").String(id).Key("deleted").Bool(true).EndObject();
    return JsonResponse(200, w.Take());
  }
  return NotAllowed(path, "GET, PUT, DELETE");
}

}  // namespace gamelake

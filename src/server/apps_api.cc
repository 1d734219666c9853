#include "server/apps_api.h"

#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/civil_time.h"
#include "common/json_writer.h"
#include "common/percent_decode.h"

namespace gamelake {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kPrefix = "/v1/apps/";
constexpr std::string_view kStreamsPart = "/streams/";
constexpr std::string_view kLiveSuffix = "/live";
constexpr int64_t kKeepAliveMs = 10'000;

HttpResponse AppsError(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      return JsonError(400, "invalid_application", s.message());
    case Status::Code::kNotFound:
      return JsonError(404, "not_found", s.message());
    case Status::Code::kAlreadyExists:
      return JsonError(409, "app_exists", s.message());
    case Status::Code::kResourceExhausted:
      return JsonError(429, "too_many_apps", s.message());
    case Status::Code::kUnavailable:
      return JsonError(503, "unavailable", s.message());
    default:
      return JsonError(500, "apps_failed", s.ToString());
  }
}

HttpResponse NotAllowed(std::string_view path, std::string_view allow) {
  HttpResponse res = JsonError(405, "method_not_allowed", fmt::format("{} allows {}", path, allow));
  res.set(http::field::allow, std::string(allow));
  return res;
}

Status FieldError(std::string_view field, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}: {}", field, what));
}

Result<std::string> StringField(simdjson::dom::element e, std::string_view field) {
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS) return FieldError(field, "expected a string");
  return std::string(s);
}

Status ReadSpecField(std::string_view key, simdjson::dom::element value, AppSpec* spec) {
  if (key == "name") {
    GL_ASSIGN_OR_RETURN(std::string name, StringField(value, "name"));
    if (!spec->name.empty() && name != spec->name) {
      return FieldError(
          "name", fmt::format("'{}' is not the application '{}' of the path", name, spec->name));
    }
    spec->name = std::move(name);
  } else if (key == "source") {
    GL_ASSIGN_OR_RETURN(spec->source, StringField(value, "source"));
  } else if (key == "sql") {
    GL_ASSIGN_OR_RETURN(spec->sql, StringField(value, "sql"));
  } else if (key == "input_schema") {
    GL_ASSIGN_OR_RETURN(spec->input_schema, ReadInputSchema(value, "input_schema"));
  } else if (key == "start_position") {
    GL_ASSIGN_OR_RETURN(std::string text, StringField(value, "start_position"));
    Result<StartPosition> p = ParseStartPosition(text);
    if (!p.ok()) return FieldError("start_position", p.status().message());
    spec->start_position = *p;
  } else if (key == "rowtime_field") {
    GL_ASSIGN_OR_RETURN(spec->rowtime_field, StringField(value, "rowtime_field"));
  } else if (key == "destinations") {
    GL_ASSIGN_OR_RETURN(spec->destinations, ReadDestinations(value, "destinations"));
  } else if (key == "reference_data") {
    GL_ASSIGN_OR_RETURN(spec->reference_data, ReadReferenceData(value, "reference_data"));
  } else if (key == "start") {
    if (value.get(spec->start) != simdjson::SUCCESS)
      return FieldError("start", "expected true or false");
  } else {
    return FieldError(key,
                      "unknown field (name, source, sql, input_schema, start_position, "
                      "rowtime_field, destinations, reference_data, start)");
  }
  return Status::OK();
}

void WriteStatus(const AppStatus& s, JsonWriter* w) {
  w->BeginObject().Key("state").String(s.state).Key("last_error");
  if (s.last_error.empty()) {
    w->Null();
  } else {
    w->String(s.last_error);
  }
  w->Key("records_in").UInt(s.run.records_in).Key("rows_out").UInt(s.run.rows_out);
  w->Key("error_rows").UInt(s.run.error_rows).Key("next_record_id").UInt(s.run.next_seq);
  w->Key("lag_records").UInt(s.lag_records).Key("lag_seconds").Double(s.lag_seconds);
  w->Key("state_bytes").UInt(s.run.state_bytes);
  w->Key("live_subscribers").UInt(s.live_subscribers).Key("last_checkpoint_at");
  if (s.run.last_checkpoint_us > 0) {
    w->String(FormatUtcMicros(s.run.last_checkpoint_us));
  } else {
    w->Null();
  }
  w->EndObject();
}

void WriteStreams(const std::vector<InAppStream>& streams, JsonWriter* w) {
  w->BeginArray();
  for (const InAppStream& s : streams) {
    w->BeginObject().Key("name").String(s.name).Key("columns").BeginArray();
    for (const StreamColumn& c : s.schema.columns) {
      w->BeginObject().Key("name").String(c.name).Key("type").String(c.type.ToString());
      w->EndObject();
    }
    w->EndArray().EndObject();
  }
  w->EndArray();
}

void WriteApp(const AppDescription& app, JsonWriter* w) {
  w->BeginObject()
      .Key("application")
      .Raw(ApplicationDefinitionToJson(app.definition, /*reference_csv=*/false));
  w->Key("status");
  WriteStatus(app.status, w);
  w->Key("streams");
  WriteStreams(app.streams, w);
  w->EndObject();
}

}  // namespace

Result<AppSpec> ParseAppSpecJson(std::string_view body, std::string_view name) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(body.data(), body.size()).get(o) != simdjson::SUCCESS) {
    return Status::InvalidArgument(
        "expected a JSON object: {\"name\", \"source\", \"sql\", ...} (see docs/api.md)");
  }
  AppSpec spec;
  spec.name = std::string(name);
  for (auto [key, value] : o) {
    if (value.is_null()) continue;
    GL_RETURN_IF_ERROR(ReadSpecField(key, value, &spec));
  }
  if (spec.name.empty()) return FieldError("name", "is required");
  return spec;
}

std::string AppDescriptionJson(const AppDescription& app) {
  JsonWriter w;
  WriteApp(app, &w);
  return w.Take();
}

struct AppsApi::Live {
  std::thread thread;
  std::atomic<bool> done{false};
  Mutex mu;                             // Taken after AppsApi::mu_.
  LiveHandle handle GL_GUARDED_BY(mu);  // Set once subscribed.
  bool stop GL_GUARDED_BY(mu) = false;
};

AppsApi::AppsApi(AppService* service) : service_(service), pool_(2, 32, /*nice=*/0) {}

AppsApi::~AppsApi() { Stop(); }

void AppsApi::Handle(std::string_view path, HttpRequest&& request, Respond respond) {
  const http::verb method = request.method();
  if (path.starts_with(kPrefix) && path.ends_with(kLiveSuffix)) {
    std::string_view rest = path.substr(kPrefix.size());
    size_t streams = rest.find(kStreamsPart);
    if (streams != std::string_view::npos && streams > 0) {
      std::string_view stream = rest.substr(streams + kStreamsPart.size());
      stream.remove_suffix(kLiveSuffix.size());
      if (!stream.empty()) {
        if (method != http::verb::get) return respond(NotAllowed(path, "GET"));
        return StartLive(PercentDecode(rest.substr(0, streams)), PercentDecode(stream),
                         std::move(respond));
      }
    }
  }
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  auto path_copy = std::string(path);
  if (!pool_.Submit([this, shared, path_copy, respond] { respond(Run(path_copy, *shared)); })) {
    respond(JsonError(429, "busy", "too many application requests at once; try again later"));
  }
}

HttpResponse AppsApi::Run(std::string_view path, const HttpRequest& request) {
  const http::verb method = request.method();
  if (path == "/v1/apps") {
    if (method == http::verb::get) {
      JsonWriter w;
      w.BeginObject().Key("apps").BeginArray();
      for (const AppDescription& app : service_->List()) WriteApp(app, &w);
      w.EndArray().EndObject();
      return JsonResponse(200, w.Take());
    }
    if (method != http::verb::post) return NotAllowed(path, "GET, POST");
    Result<AppSpec> spec = ParseAppSpecJson(request.body(), "");
    if (!spec.ok()) return AppsError(spec.status());
    Result<AppDescription> app = service_->Create(*spec);
    return app.ok() ? JsonResponse(201, AppDescriptionJson(*app)) : AppsError(app.status());
  }
  if (path == "/v1/apps/discover" && method == http::verb::post) return Discover(request);
  std::string_view rest = path.substr(kPrefix.size());
  for (std::string_view action : {"/start", "/stop"}) {
    if (!rest.ends_with(action)) continue;
    if (method != http::verb::post) return NotAllowed(path, "POST");
    std::string name = PercentDecode(rest.substr(0, rest.size() - action.size()));
    // A start that fails leaves the application FAILED, its error in its status.
    Status s = action == "/start" ? service_->Start(name) : service_->Stop(name);
    if (!s.ok()) return AppsError(s);
    Result<AppDescription> app = service_->Describe(name);
    return app.ok() ? JsonResponse(200, AppDescriptionJson(*app)) : AppsError(app.status());
  }
  if (rest.empty() || rest.find('/') != std::string_view::npos) {
    return JsonError(404, "not_found", fmt::format("no route for {}", path));
  }
  std::string name = PercentDecode(rest);
  if (method == http::verb::get) {
    Result<AppDescription> app = service_->Describe(name);
    return app.ok() ? JsonResponse(200, AppDescriptionJson(*app)) : AppsError(app.status());
  }
  if (method == http::verb::put) {
    Result<AppSpec> spec = ParseAppSpecJson(request.body(), name);
    if (!spec.ok()) return AppsError(spec.status());
    Result<AppDescription> app = service_->Update(*spec);
    return app.ok() ? JsonResponse(200, AppDescriptionJson(*app)) : AppsError(app.status());
  }
  if (method == http::verb::delete_) {
    Status s = service_->Delete(name);
    if (!s.ok()) return AppsError(s);
    JsonWriter w;
    w.BeginObject().Key("name").String(name).Key("deleted").Bool(true).EndObject();
    return JsonResponse(200, w.Take());
  }
  return NotAllowed(path, "GET, PUT, DELETE");
}

HttpResponse AppsApi::Discover(const HttpRequest& request) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  std::string_view source;
  if (parser.parse(request.body()).get(o) != simdjson::SUCCESS ||
      o["source"].get(source) != simdjson::SUCCESS) {
    return JsonError(400, "invalid_application",
                     "expected {\"source\": \"<stream>\", \"sample\": <records, default 100>}");
  }
  uint64_t sample = AppService::kDiscoverySample;
  if (simdjson::dom::element e; o["sample"].get(e) == simdjson::SUCCESS && !e.is_null()) {
    if (e.get(sample) != simdjson::SUCCESS || sample == 0 || sample > 10'000) {
      return JsonError(400, "invalid_application", "sample: a number of records from 1 to 10000");
    }
  }
  Result<Discovery> d = service_->Discover(std::string(source), sample);
  if (!d.ok()) return AppsError(d.status());
  JsonWriter w;
  w.BeginObject().Key("source").String(source);
  w.Key("input_schema").Raw(InputSchemaToJson(d->schema));
  w.Key("raw_records").BeginArray();
  for (const std::string& r : d->sample) w.String(r);
  w.EndArray().EndObject();
  return JsonResponse(200, w.Take());
}

void AppsApi::StartLive(std::string name, std::string stream, Respond respond) {
  MutexLock l(&mu_);
  // Threads of streams that ended are joined here, so they never pile up.
  for (auto it = live_.begin(); it != live_.end();) {
    if ((*it)->done.load()) {
      (*it)->thread.join();
      it = live_.erase(it);
    } else {
      ++it;
    }
  }
  if (stopped_) return respond(JsonError(503, "unavailable", "the server is stopping"));
  if (live_.size() >= kMaxLiveSubscribers) {
    return respond(JsonError(429, "too_many_subscribers",
                             fmt::format("at most {} live subscribers", kMaxLiveSubscribers)));
  }
  auto live = std::make_unique<Live>();
  Live* p = live.get();
  p->thread = std::thread([this, p, name = std::move(name), stream = std::move(stream),
                           respond = std::move(respond)]() mutable {
    ServeLive(p, std::move(name), std::move(stream), std::move(respond));
    p->done.store(true);
  });
  live_.push_back(std::move(live));
}

void AppsApi::ServeLive(Live* live, std::string name, std::string stream, Respond respond) {
  Result<LiveHandle> handle = service_->Subscribe(name, stream);
  if (!handle.ok()) return respond(AppsError(handle.status()));
  {
    MutexLock l(&live->mu);
    live->handle = *handle;
    if (live->stop) handle->subscription->Cancel();
  }
  HttpResponse head{http::status::ok, 11};
  head.set(http::field::content_type, "text/event-stream");
  head.set(http::field::cache_control, "no-cache");
  std::unique_ptr<ChunkWriter> writer = respond.Stream(std::move(head));
  if (writer == nullptr) {
    handle->hub->Unsubscribe(handle->subscription);
    return respond(JsonError(500, "apps_failed", "this connection cannot stream"));
  }
  bool ok = writer->Write(fmt::format(": subscribed to {} {}\n\n", name, stream));
  std::string events;
  while (ok) {
    LiveSubscription::Wait w = handle->subscription->Take(&events, kKeepAliveMs);
    if (w == LiveSubscription::Wait::kClosed) break;
    ok = writer->Write(w == LiveSubscription::Wait::kTimeout ? ": keep-alive\n\n" : events);
    if (w == LiveSubscription::Wait::kDropped) break;
  }
  handle->hub->Unsubscribe(handle->subscription);
  if (ok) writer->Finish();  // Otherwise the writer aborts the transfer.
}

void AppsApi::Stop() {
  {
    MutexLock l(&mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& live : live_) {
      MutexLock ll(&live->mu);
      live->stop = true;
      if (live->handle.subscription) live->handle.subscription->Cancel();
    }
  }
  std::list<std::unique_ptr<Live>> ending;
  {
    MutexLock l(&mu_);
    ending.swap(live_);
  }
  for (auto& live : ending) live->thread.join();
  pool_.Stop();
}

}  // namespace gamelake

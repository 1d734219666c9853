#include "server/generator_api.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/civil_time.h"
#include "common/env.h"
#include "common/json_writer.h"
#include "common/stream_name.h"
#include "generator/record_source.h"

namespace gamelake {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kJobsPrefix = "/v1/generator/jobs/";
constexpr std::string_view kStopSuffix = "/stop";
// Records a new job's template must render as JSON objects before it starts.
constexpr int kProbeRecords = 10;

// A preview or job body.
struct GeneratorRequest {
  std::string template_text;
  std::string stream = "events";
  double rate = 0;
  bool has_rate = false;
  uint64_t count = 0;
  bool has_count = false;
};

HttpResponse BadRequest(std::string_view message) {
  return JsonError(400, "invalid_request", message);
}

HttpResponse NotAllowed(std::string_view path, std::string_view allow) {
  HttpResponse res = JsonError(405, "method_not_allowed", fmt::format("{} allows {}", path, allow));
  res.set(http::field::allow, std::string(allow));
  return res;
}

Status ReadField(std::string_view key, simdjson::dom::element value, bool job,
                 GeneratorRequest* out) {
  if (key == "template") {
    std::string_view s;
    if (value.get(s) != simdjson::SUCCESS) return Status::InvalidArgument("template: a string");
    out->template_text = std::string(s);
  } else if (key == "count") {
    if (value.get(out->count) != simdjson::SUCCESS) {
      return Status::InvalidArgument("count: expected a whole number");
    }
    out->has_count = true;
  } else if (job && key == "stream") {
    std::string_view s;
    if (value.get(s) != simdjson::SUCCESS) return Status::InvalidArgument("stream: a string");
    out->stream = std::string(s);
  } else if (job && key == "rate") {
    if (value.get(out->rate) != simdjson::SUCCESS) {
      return Status::InvalidArgument("rate: expected a number of records a second");
    }
    out->has_rate = true;
  } else {
    return Status::InvalidArgument(fmt::format(
        "{}: unknown field ({})", key, job ? "template, stream, rate, count" : "template, count"));
  }
  return Status::OK();
}

Result<GeneratorRequest> ParseRequest(std::string_view body, bool job) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(body.data(), body.size()).get(o) != simdjson::SUCCESS) {
    return Status::InvalidArgument(
        job ? R"(expected a JSON object: {"template", "stream", "rate", ["count"]})"
            : R"(expected a JSON object: {"template", ["count"]})");
  }
  GeneratorRequest r;
  for (auto [key, value] : o) {
    if (!value.is_null()) GL_RETURN_IF_ERROR(ReadField(key, value, job, &r));
  }
  if (r.template_text.empty()) {
    return Status::InvalidArgument(
        R"(template: required ("builtin:lab", "builtin:sessions" or template text))");
  }
  if (!job) {
    if (!r.has_count) r.count = 5;
    if (r.count < 1 || r.count > GeneratorApi::kMaxPreview) {
      return Status::InvalidArgument(fmt::format("count: from 1 to {}", GeneratorApi::kMaxPreview));
    }
    return r;
  }
  if (Status s = ValidateStreamName(r.stream); !s.ok()) {
    return Status::InvalidArgument(fmt::format("stream: {}", s.message()));
  }
  if (!r.has_rate || !(r.rate > 0) || r.rate > GeneratorApi::kMaxRate) {
    return Status::InvalidArgument(
        fmt::format("rate: records a second, more than 0 and at most {}", GeneratorApi::kMaxRate));
  }
  if (r.has_count && r.count == 0) return Status::InvalidArgument("count: at least 1");
  return r;
}

bool IsBuiltin(std::string_view text) { return text.starts_with("builtin:"); }

// The template's source; InvalidArgument with the generator's message
// ("template line L, column C: ...") when it does not compile.
Result<std::unique_ptr<RecordSource>> MakeSource(std::string_view text, uint64_t seed) {
  return IsBuiltin(text) ? NewBuiltinSource(text, seed) : NewTemplateSource(text, seed);
}

HttpResponse TemplateError(const Status& s) {
  return JsonError(400, "invalid_template", s.message());
}

// Renders `n` records, each checked to be a JSON object.
Result<std::vector<std::string>> Render(RecordSource* source, uint64_t n) {
  std::vector<std::string> out;
  int64_t now = Env::Default()->NowMicros();
  for (uint64_t i = 0; i < n; ++i) {
    std::string record;
    Status s = source->NextChecked(now, &record);
    if (!s.ok()) {
      return Status::InvalidArgument(fmt::format("record {}: {}", i + 1, s.message()));
    }
    out.push_back(std::move(record));
  }
  return out;
}

HttpResponse Preview(std::string_view body) {
  Result<GeneratorRequest> r = ParseRequest(body, /*job=*/false);
  if (!r.ok()) return BadRequest(r.status().message());
  Result<std::unique_ptr<RecordSource>> source =
      MakeSource(r->template_text, std::random_device{}());
  if (!source.ok()) return TemplateError(source.status());
  Result<std::vector<std::string>> records = Render(source->get(), r->count);
  if (!records.ok()) return TemplateError(records.status());
  JsonWriter w;
  w.BeginObject().Key("records").BeginArray();
  for (const std::string& record : *records) w.String(record);
  w.EndArray().EndObject();
  return JsonResponse(200, w.Take());
}

}  // namespace

GeneratorApi::GeneratorApi(Wal* wal, CountersFor counters_for)
    : wal_(wal), counters_for_(std::move(counters_for)) {}

GeneratorApi::~GeneratorApi() { Stop(); }

void GeneratorApi::Stop() {
  MutexLock l(&mu_);
  stopped_ = true;
  ReapLocked();
  for (auto& job : jobs_) {
    if (job->state != "running") continue;
    job->feed->Stop();
    job->state = "stopped";
    job->stopped_us = Env::Default()->NowMicros();
  }
}

void GeneratorApi::Handle(std::string_view path, HttpRequest&& request, Respond respond) {
  respond(Run(path, request));
}

HttpResponse GeneratorApi::Run(std::string_view path, const HttpRequest& request) {
  const http::verb method = request.method();
  if (path == "/v1/generator/preview") {
    if (method != http::verb::post) return NotAllowed(path, "POST");
    return Preview(request.body());
  }
  if (path == "/v1/generator/templates") {
    if (method != http::verb::get) return NotAllowed(path, "GET");
    return Templates();
  }
  if (path == "/v1/generator/jobs") {
    if (method == http::verb::get) return ListJobs();
    if (method == http::verb::post) return StartJob(request.body());
    return NotAllowed(path, "GET, POST");
  }
  if (path.starts_with(kJobsPrefix) && path.size() > kJobsPrefix.size()) {
    std::string_view id = path.substr(kJobsPrefix.size());
    if (id.ends_with(kStopSuffix)) {
      if (method != http::verb::post) return NotAllowed(path, "POST");
      return StopJob(id.substr(0, id.size() - kStopSuffix.size()));
    }
    if (method != http::verb::get) return NotAllowed(path, "GET");
    return GetJob(id);
  }
  return JsonError(404, "not_found", fmt::format("no generator route {}", path));
}

HttpResponse GeneratorApi::StartJob(std::string_view body) {
  Result<GeneratorRequest> r = ParseRequest(body, /*job=*/true);
  if (!r.ok()) return BadRequest(r.status().message());
  uint64_t seed = std::random_device{}();
  // A probe from another seed: a template that does not render JSON objects
  // must not reach the log.
  Result<std::unique_ptr<RecordSource>> probe = MakeSource(r->template_text, seed ^ 0x9e3779b9);
  if (!probe.ok()) return TemplateError(probe.status());
  if (auto rendered = Render(probe->get(), kProbeRecords); !rendered.ok()) {
    return TemplateError(rendered.status());
  }
  Result<std::unique_ptr<RecordSource>> source = MakeSource(r->template_text, seed);
  if (!source.ok()) return TemplateError(source.status());

  MutexLock l(&mu_);
  if (stopped_) return JsonError(503, "unavailable", "the server is stopping");
  ReapLocked();
  size_t running = std::count_if(jobs_.begin(), jobs_.end(),
                                 [](const auto& j) { return j->state == "running"; });
  if (running >= kMaxRunning) {
    return JsonError(429, "too_many_jobs",
                     fmt::format("{} generator jobs are running, the most there may be; stop one "
                                 "first",
                                 running));
  }
  auto job = std::make_unique<Job>();
  job->id = fmt::format("gen-{}", next_id_++);
  job->template_name = IsBuiltin(r->template_text) ? r->template_text : "custom";
  job->stream = r->stream;
  job->rate = r->rate;
  job->count = r->has_count ? r->count : 0;
  job->started_us = Env::Default()->NowMicros();
  job->feed =
      std::make_unique<DemoFeed>(wal_, r->rate, std::move(source).value(), r->stream,
                                 counters_for_ ? counters_for_(r->stream) : nullptr, job->count);
  jobs_.push_back(std::move(job));
  return JsonResponse(201, JobJson(*jobs_.back()));
}

HttpResponse GeneratorApi::StopJob(std::string_view id) {
  MutexLock l(&mu_);
  ReapLocked();
  for (auto& job : jobs_) {
    if (job->id != id) continue;
    if (job->state == "running") {
      job->feed->Stop();
      job->state = "stopped";
      job->stopped_us = Env::Default()->NowMicros();
    }
    return JsonResponse(200, JobJson(*job));
  }
  return JsonError(404, "not_found", fmt::format("there is no generator job '{}'", id));
}

HttpResponse GeneratorApi::GetJob(std::string_view id) {
  MutexLock l(&mu_);
  ReapLocked();
  for (auto& job : jobs_) {
    if (job->id == id) return JsonResponse(200, JobJson(*job));
  }
  return JsonError(404, "not_found", fmt::format("there is no generator job '{}'", id));
}

HttpResponse GeneratorApi::Templates() {
  // builtin:sessions is a simulator, not a template: it has no text.
  JsonWriter w;
  w.BeginObject().Key("templates").BeginArray();
  w.BeginObject()
      .Key("name")
      .String("builtin:lab")
      .Key("template")
      .String(kLabTemplate)
      .EndObject();
  w.EndArray().EndObject();
  return JsonResponse(200, w.Take());
}

HttpResponse GeneratorApi::ListJobs() {
  MutexLock l(&mu_);
  ReapLocked();
  JsonWriter w;
  w.BeginObject().Key("jobs").BeginArray();
  for (const auto& job : jobs_) w.Raw(JobJson(*job));
  w.EndArray().EndObject();
  return JsonResponse(200, w.Take());
}

void GeneratorApi::ReapLocked() {
  for (auto& job : jobs_) {
    if (job->state == "running" && job->feed->done()) {
      job->feed->Stop();  // Its thread has ended: this joins it.
      job->state = "done";
      job->stopped_us = job->feed->done_us();
    }
  }
  size_t finished = std::count_if(jobs_.begin(), jobs_.end(),
                                  [](const auto& j) { return j->state != "running"; });
  for (auto it = jobs_.begin(); finished > kKeepFinished && it != jobs_.end();) {
    if ((*it)->state != "running") {
      it = jobs_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
}

std::string GeneratorApi::JobJson(const Job& job) {
  JsonWriter w;
  w.BeginObject().Key("id").String(job.id).Key("template").String(job.template_name);
  w.Key("stream").String(job.stream).Key("rate").Double(job.rate).Key("count");
  if (job.count > 0) {
    w.UInt(job.count);
  } else {
    w.Null();
  }
  w.Key("state").String(job.state).Key("sent").UInt(job.feed->sent());
  w.Key("started_at").String(FormatUtcMicros(job.started_us)).Key("stopped_at");
  if (job.stopped_us > 0) {
    w.String(FormatUtcMicros(job.stopped_us));
  } else {
    w.Null();
  }
  w.EndObject();
  return w.Take();
}

}  // namespace gamelake

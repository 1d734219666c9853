#include "streaming/destination.h"

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "common/stream_name.h"
#include "metrics/http_client.h"
#include "metrics/metric_types.h"
#include "streaming/metrics_destination.h"
#include "streaming/stream_destination.h"
#include "streaming/webhook_destination.h"

namespace gamelake {
namespace {

constexpr std::string_view kKinds[] = {"metrics", "stream", "webhook"};

Status SpecError(std::string_view text, std::string_view what) {
  return Status::InvalidArgument(fmt::format("destination \"{}\": {}", text, what));
}

// ",col=metric,..." after a metrics namespace.
Status ParseMetricMap(std::string_view text, std::string_view rest, DestinationSpec* spec) {
  std::set<std::string, std::less<>> columns;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view entry = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos || entry.find('=', eq + 1) != std::string_view::npos) {
      return SpecError(text, fmt::format("metric map entry \"{}\" is not column=metric", entry));
    }
    std::string_view column = entry.substr(0, eq), metric = entry.substr(eq + 1);
    if (column.empty() || metric.empty()) {
      return SpecError(text, fmt::format("metric map entry \"{}\" has an empty side", entry));
    }
    if (metric.size() > kMaxNameBytes) {
      return SpecError(text,
                       fmt::format("metric name \"{}\" is over {} bytes", metric, kMaxNameBytes));
    }
    if (!columns.emplace(column).second) {
      return SpecError(text, fmt::format("column \"{}\" is mapped twice", column));
    }
    spec->metric_map.emplace_back(std::string(column), std::string(metric));
  }
  return Status::OK();
}

Status ParseTarget(std::string_view text, std::string_view target, DestinationSpec* spec) {
  if (spec->kind == "metrics") {
    size_t comma = target.find(',');
    std::string_view ns = target.substr(0, comma);
    if (ns.empty()) return SpecError(text, "empty metrics namespace");
    if (ns.size() > kMaxNameBytes) {
      return SpecError(text, fmt::format("namespace is over {} bytes", kMaxNameBytes));
    }
    spec->target = std::string(ns);
    if (comma == std::string_view::npos) return Status::OK();
    return ParseMetricMap(text, target.substr(comma + 1), spec);
  }
  if (target.empty()) return SpecError(text, fmt::format("empty {} target", spec->kind));
  spec->target = std::string(target);
  if (spec->kind == "stream") {
    Status s = ValidateStreamName(target);
    if (!s.ok()) return SpecError(text, "target stream: " + s.message());
    return Status::OK();
  }
  Result<HttpUrl> url = ParseHttpUrl(target);
  if (!url.ok()) return SpecError(text, "webhook URL: " + url.status().message());
  return Status::OK();
}

}  // namespace

Result<DestinationSpec> ParseDestinationSpec(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return SpecError(text, "expected IN_APP_STREAM=KIND:TARGET (no '=')");
  }
  DestinationSpec spec;
  spec.stream = std::string(text.substr(0, eq));
  if (spec.stream.empty()) return SpecError(text, "empty in-application stream name");
  std::string_view rest = text.substr(eq + 1);
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return SpecError(text, "expected KIND:TARGET after '=' (no ':')");
  }
  spec.kind = std::string(rest.substr(0, colon));
  if (std::find(std::begin(kKinds), std::end(kKinds), spec.kind) == std::end(kKinds)) {
    return SpecError(text,
                     fmt::format("unknown kind \"{}\" (metrics, stream or webhook)", spec.kind));
  }
  GL_RETURN_IF_ERROR(ParseTarget(text, rest.substr(colon + 1), &spec));
  return spec;
}

std::string FormatDestinationSpec(const DestinationSpec& spec) {
  std::string out = spec.stream + "=" + spec.kind + ":" + spec.target;
  for (const auto& [column, metric] : spec.metric_map) out += "," + column + "=" + metric;
  return out;
}

int64_t RetryPolicy::BackoffMs(int attempt) const {
  int64_t ms = first_backoff_ms;
  for (int i = 1; i < attempt && ms < max_backoff_ms; ++i) ms *= 2;
  return std::min(ms, max_backoff_ms);
}

void StopSignal::Stop() {
  MutexLock lock(&mu_);
  stopped_ = true;
  cv_.SignalAll();
}

bool StopSignal::stopped() const {
  MutexLock lock(&mu_);
  return stopped_;
}

bool StopSignal::WaitMs(Env* env, int64_t ms) {
  const int64_t deadline = env->MonotonicMicros() + ms * 1000;
  MutexLock lock(&mu_);
  for (;;) {
    if (stopped_) return false;
    int64_t left = deadline - env->MonotonicMicros();
    if (left <= 0) return true;
    // Short slices, so an Env whose clock jumps (tests) is followed promptly.
    cv_.WaitFor(&mu_, std::chrono::microseconds(std::min<int64_t>(left, 50'000)));
  }
}

Result<std::unique_ptr<Destination>> MakeDestination(const DestinationSpec& spec,
                                                     const DestinationContext& context) {
  if (spec.kind == "metrics") {
    if (context.metric_store == nullptr) {
      return Status::InvalidArgument("metrics destination: this server has no metrics store");
    }
    MetricsDestinationOptions o;
    o.store = context.metric_store;
    o.ns = spec.target;
    o.metric_map = spec.metric_map;
    o.env = context.env;
    return std::unique_ptr<Destination>(std::make_unique<MetricsDestination>(std::move(o)));
  }
  if (spec.kind == "stream") {
    if (context.ingest == nullptr) {
      return Status::InvalidArgument("stream destination: no ingest write path to write through");
    }
    StreamDestinationOptions o;
    o.ingest = context.ingest;
    o.app = context.app;
    o.in_app_stream = spec.stream;
    o.target = spec.target;
    o.event_id_field = context.event_id_field;
    o.env = context.env;
    return std::unique_ptr<Destination>(std::make_unique<StreamDestination>(std::move(o)));
  }
  if (spec.kind == "webhook") {
    WebhookDestinationOptions o;
    o.url = spec.target;
    o.app = context.app;
    o.env = context.env;
    GL_ASSIGN_OR_RETURN(std::unique_ptr<WebhookDestination> d,
                        WebhookDestination::Create(std::move(o)));
    return std::unique_ptr<Destination>(std::move(d));
  }
  return Status::InvalidArgument(fmt::format("unknown destination kind \"{}\"", spec.kind));
}

}  // namespace gamelake

#include "server/metrics_live.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <fmt/format.h>

#include "common/civil_time.h"
#include "common/json_writer.h"
#include "server/metrics_api.h"

namespace gamelake {
namespace {

namespace http = boost::beast::http;

constexpr int64_t kTickMs = 20;
constexpr int64_t kKeepAliveMs = 10'000;
constexpr int64_t kMaxCatchUpPeriods = 60;  // After a stall, older periods are skipped.

Result<int64_t> ParseInt(std::string_view name, std::string_view text, int64_t lo, int64_t hi) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) {
    return Status::InvalidArgument(fmt::format(
        "InvalidParameterValue: {} must be a whole number from {} to {}", name, lo, hi));
  }
  return v;
}

// The subscription's parameters from the query string.
Result<StatisticsRequest> ParseSubscription(const HttpRequest& request, int64_t* delay_ms) {
  StatisticsRequest r;
  r.period_s = 1;
  r.max_buckets = 1;
  for (auto& [name, value] : QueryParams(request)) {
    if (name == "namespace") {
      r.id.ns = value;
    } else if (name == "name") {
      r.id.name = value;
    } else if (name == "dimension") {
      size_t e = value.find('=');
      r.id.dimensions.push_back(
          {value.substr(0, e), e == std::string::npos ? "" : value.substr(e + 1)});
    } else if (name == "stat") {
      auto st = ParseStatistic(value);
      if (!st.ok())
        return Status::InvalidArgument("InvalidParameterValue: " + st.status().message());
      r.statistics.push_back(*st);
    } else if (name == "period") {
      GL_ASSIGN_OR_RETURN(r.period_s, ParseInt("period", value, 1, 86400));
    } else if (name == "unit") {
      r.unit = value;
    } else if (name == "delay_ms") {
      GL_ASSIGN_OR_RETURN(*delay_ms, ParseInt("delay_ms", value, 0, 60'000));
    } else if (!name.empty()) {
      return Status::InvalidArgument(fmt::format(
          "InvalidParameterValue: unknown parameter '{}' (namespace, name, dimension, stat, "
          "period, unit, delay_ms)",
          name));
    }
  }
  if (r.statistics.empty()) r.statistics.push_back(ParseStatistic("Sum").value());
  GL_RETURN_IF_ERROR(ValidatePeriod(r.period_s));
  GL_RETURN_IF_ERROR(NormalizeMetricId(&r.id, "subscription"));
  return r;
}

}  // namespace

struct MetricsLive::Subscriber {
  StatisticsRequest request;
  int64_t next_start_s = 0;  // The first period not sent yet.
  int64_t delay_ms = 100;
  int64_t last_write_ms = 0;
  std::unique_ptr<ChunkWriter> writer;
  bool failed = false;
};

MetricsLive::MetricsLive(MetricStore* store, Env* env)
    : store_(store), env_(env), thread_([this] { Run(); }) {}

MetricsLive::~MetricsLive() { Stop(); }

void MetricsLive::Handle(HttpRequest&& request, Respond respond) {
  if (request.method() != http::verb::get) {
    HttpResponse res = JsonError(405, "method_not_allowed", "/v1/metrics/live allows GET");
    res.set(http::field::allow, "GET");
    return respond(std::move(res));
  }
  auto s = std::make_unique<Subscriber>();
  auto parsed = ParseSubscription(request, &s->delay_ms);
  if (!parsed.ok()) return respond(MetricsErrorResponse(parsed.status()));
  s->request = std::move(parsed).value();
  {
    MutexLock l(&mu_);
    if (stop_ || subscribers_.size() >= kMaxSubscribers) {
      return respond(JsonError(429, "Throttling",
                               fmt::format("at most {} live subscribers", kMaxSubscribers)));
    }
  }
  HttpResponse head{http::status::ok, 11};
  head.set(http::field::content_type, "text/event-stream");
  head.set(http::field::cache_control, "no-cache");
  s->writer = respond.Stream(std::move(head));
  if (s->writer == nullptr) {
    return respond(JsonError(500, "InternalServiceError", "this connection cannot stream"));
  }
  int64_t now_ms = env_->NowMicros() / 1000;
  s->next_start_s = FloorDiv(now_ms / 1000, s->request.period_s) * s->request.period_s;
  s->last_write_ms = now_ms;
  if (!s->writer->Write(": subscribed\n\n")) return;
  {
    MutexLock l(&mu_);
    // Stop() may have run since the check above (mu_ is not held while the
    // stream starts): it has already ended the subscribers it found, so
    // this one is ended here rather than left open with nobody to end it.
    if (!stop_) {
      subscribers_.push_back(std::move(s));
      return;
    }
  }
  s->writer->Finish();
}

bool MetricsLive::Tick(Subscriber& s, int64_t now_ms) {
  StatisticsRequest& r = s.request;
  int64_t behind = (now_ms / 1000 - s.next_start_s) / r.period_s;
  if (behind > kMaxCatchUpPeriods) s.next_start_s += (behind - kMaxCatchUpPeriods) * r.period_s;
  while ((s.next_start_s + r.period_s) * 1000 + s.delay_ms <= now_ms) {
    r.start_ms = s.next_start_s * 1000;
    r.end_ms = (s.next_start_s + r.period_s) * 1000;
    auto points = store_->GetStatistics(r);
    JsonWriter w;
    w.BeginObject().Key("Timestamp").Int(s.next_start_s).Key("Values").BeginObject();
    for (size_t i = 0; i < r.statistics.size(); ++i) {
      w.Key(r.statistics[i].name);
      bool has = points.ok() && !points->empty() && (*points)[0].values[i].has_value();
      if (has) {
        w.Double(*(*points)[0].values[i]);
      } else {
        w.Null();
      }
    }
    w.EndObject().EndObject();
    if (!s.writer->Write(fmt::format("event: datapoint\ndata: {}\n\n", w.str()))) return false;
    s.last_write_ms = now_ms;
    s.next_start_s += r.period_s;
  }
  if (now_ms - s.last_write_ms >= kKeepAliveMs) {
    if (!s.writer->Write(": keep-alive\n\n")) return false;
    s.last_write_ms = now_ms;
  }
  return true;
}

void MetricsLive::Run() {
  MutexLock l(&mu_);
  while (!stop_) {
    cv_.WaitFor(&mu_, std::chrono::milliseconds(kTickMs));
    if (stop_) break;
    // Handle() only appends and only this thread removes, so the objects
    // stay put while the lock is released for the (possibly slow) writes.
    std::vector<Subscriber*> all;
    for (auto& s : subscribers_) all.push_back(s.get());
    l.Unlock();
    int64_t now_ms = env_->NowMicros() / 1000;
    for (Subscriber* s : all) s->failed = !Tick(*s, now_ms);
    l.Lock();
    std::erase_if(subscribers_, [](const auto& s) { return s->failed; });
  }
}

void MetricsLive::Stop() {
  std::vector<std::unique_ptr<Subscriber>> ending;
  {
    MutexLock l(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
  {
    MutexLock l(&mu_);
    ending.swap(subscribers_);
  }
  for (auto& s : ending) s->writer->Finish();
}

}  // namespace gamelake

#include "metrics/pipeline_recorder.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

namespace gamelake {
namespace {

MetricDatum Datum(std::string_view ns, std::string_view name, std::string_view stream,
                  std::string_view unit, int64_t timestamp_ms, double value,
                  std::string_view dimension = "StreamName") {
  MetricDatum d;
  d.id.ns = std::string(ns);
  d.id.name = std::string(name);
  if (!stream.empty()) d.id.dimensions.push_back({std::string(dimension), std::string(stream)});
  d.unit = std::string(unit);
  d.timestamp_ms = timestamp_ms;
  d.storage_resolution_s = 1;
  d.value = value;
  return d;
}

// When the recorder wakes after a second ends: late enough for requests
// finishing on that boundary, early enough for a live dashboard.
constexpr int64_t kAfterSecondUs = 20'000;

}  // namespace

PipelineRecorder::PipelineRecorder(PipelineRecorderOptions options)
    : options_(std::move(options)) {}

PipelineRecorder::~PipelineRecorder() { Stop(); }

void PipelineRecorder::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

void PipelineRecorder::Stop() {
  {
    MutexLock l(&mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void PipelineRecorder::Loop() {
  MutexLock l(&mu_);
  while (!stop_) {
    const int64_t now_us = options_.env->NowMicros();
    const int64_t wait_us = 1'000'000 - now_us % 1'000'000 + kAfterSecondUs;
    if (cv_.WaitFor(&mu_, std::chrono::microseconds(wait_us),
                    [&]() GL_REQUIRES(mu_) { return stop_; })) {
      break;
    }
    const int64_t second_start_ms = (options_.env->NowMicros() / 1'000'000 - 1) * 1000;
    l.Unlock();
    Status s = RecordSecond(second_start_ms);
    if (!s.ok()) {
      spdlog::warn("msg=\"pipeline metrics not recorded\" second_ms={} error=\"{}\"",
                   second_start_ms, s.ToString());
    }
    l.Lock();
  }
}

Status PipelineRecorder::RecordSecond(int64_t second_start_ms) {
  std::vector<MetricDatum> data;
  StreamData(second_start_ms, &data);
  QueryData(second_start_ms, &data);
  AppData(second_start_ms, &data);
  if (data.empty()) return Status::OK();
  return options_.store->Put(std::move(data));
}

void PipelineRecorder::StreamData(int64_t t, std::vector<MetricDatum>* out) {
  std::map<std::string, int64_t> oldest;
  if (options_.oldest_undelivered_us) oldest = options_.oldest_undelivered_us();
  const int64_t now_us = options_.env->NowMicros();
  options_.stats->ForEach([&](const std::string& stream, const StreamCounters& c) {
    const Counts now{
        c.incoming_records.value(),  c.incoming_bytes.value(),    c.duplicate_records.value(),
        c.throttled_records.value(), c.failed_records.value(),    c.delivered_records.value(),
        c.delivered_bytes.value(),   c.delivery_attempts.value(), c.delivery_successes.value()};
    Seen& seen = seen_[stream];
    const Counts& last = seen.counts;
    auto it = oldest.find(stream);
    const bool waiting = it != oldest.end();
    // Idle: nothing moved, nothing waits, and the last second said so (a
    // freshness of 0 is written once after the stream drains).
    if (now == last && !waiting && !seen.waiting) return;
    auto add = [&](std::string_view name, std::string_view unit, double v) {
      out->push_back(Datum(kStreamsNamespace, name, stream, unit, t, v));
    };
    add("IncomingRecords", "Count", now.incoming_records - last.incoming_records);
    add("IncomingBytes", "Bytes", now.incoming_bytes - last.incoming_bytes);
    add("DuplicateRecords", "Count", now.duplicate_records - last.duplicate_records);
    add("ThrottledRecords", "Count", now.throttled_records - last.throttled_records);
    add("FailedRecords", "Count", now.failed_records - last.failed_records);
    add("DeliveryToLake.Records", "Count", now.delivered_records - last.delivered_records);
    add("DeliveryToLake.Bytes", "Bytes", now.delivered_bytes - last.delivered_bytes);
    const uint64_t attempts = now.delivery_attempts - last.delivery_attempts;
    if (attempts > 0) {
      add("DeliveryToLake.Success", "None",
          static_cast<double>(now.delivery_successes - last.delivery_successes) / attempts);
    }
    add("DeliveryToLake.DataFreshness", "Seconds",
        waiting ? std::max<int64_t>(0, now_us - it->second) / 1'000'000 : 0);
    seen = Seen{now, waiting};
  });
}

void PipelineRecorder::AppData(int64_t t, std::vector<MetricDatum>* out) {
  if (!options_.apps) return;
  std::map<std::string, AppSample> now;
  for (AppSample& a : options_.apps()) now[a.name] = std::move(a);
  for (const auto& entry : now) {
    // Named variables, not a structured binding: clang before 16 cannot capture those.
    const std::string& name = entry.first;
    const AppSample& a = entry.second;
    auto it = seen_apps_.find(name);
    // The first second of an app (or of this server) counts from its sample:
    // its counters are cumulative over its life, not this second's.
    const AppSample& last = it != seen_apps_.end() ? it->second : a;
    auto delta = [](uint64_t now_v, uint64_t last_v) {
      return now_v >= last_v ? static_cast<double>(now_v - last_v) : 0.0;  // Reset: recreated.
    };
    auto add = [&](std::string_view metric, std::string_view unit, double v) {
      out->push_back(Datum(kAppsNamespace, metric, name, unit, t, v, "Application"));
    };
    add("InputRecords", "Count", delta(a.records_in, last.records_in));
    add("OutputRows", "Count", delta(a.rows_out, last.rows_out));
    add("ErrorRows", "Count", delta(a.error_rows, last.error_rows));
    add("MillisBehindLatest", "Milliseconds", a.lag_ms);
    add("LagRecords", "Count", static_cast<double>(a.lag_records));
    add("StateBytes", "Bytes", static_cast<double>(a.state_bytes));
  }
  seen_apps_ = std::move(now);
}

void PipelineRecorder::QueryData(int64_t t, std::vector<MetricDatum>* out) {
  QueryCounts::Drained q = options_.stats->queries()->Drain();
  if (q.succeeded + q.failed == 0) return;
  out->push_back(Datum(kQueriesNamespace, "Queries", "", "Count", t, q.succeeded + q.failed));
  out->push_back(Datum(kQueriesNamespace, "QueryErrors", "", "Count", t, q.failed));
  // A Values array holds at most kMaxValuesPerDatum values: one datum per slice.
  for (size_t i = 0; i < q.latencies_ms.size(); i += kMaxValuesPerDatum) {
    MetricDatum d = Datum(kQueriesNamespace, "QueryLatency", "", "Milliseconds", t, 0);
    d.value.reset();
    const size_t end = std::min(q.latencies_ms.size(), i + kMaxValuesPerDatum);
    d.values.assign(q.latencies_ms.begin() + i, q.latencies_ms.begin() + end);
    out->push_back(std::move(d));
  }
}

}  // namespace gamelake

#include "server/demo_feed.h"

#include <chrono>
#include <random>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/env.h"

namespace gamelake {

namespace {
constexpr int64_t kDayUs = 86'400'000'000;
constexpr size_t kHistoryBatch = 500;
}  // namespace

Result<uint64_t> AppendDemoHistory(Wal* wal, std::string_view stream, SessionSimulator* source,
                                   const DemoHistory& history, StreamCounters* counters) {
  const int64_t today = history.end_us - history.end_us % kDayUs;
  std::string buffer;
  std::vector<size_t> ends;
  std::vector<std::string_view> views;
  uint64_t stored = 0;
  auto flush = [&]() -> Status {
    views.clear();
    size_t start = 0;
    for (size_t end : ends) {
      views.emplace_back(buffer.data() + start, end - start);
      start = end;
    }
    Result<uint64_t> appended = wal->Append(stream, views);
    if (!appended.ok()) return appended.status();
    stored += views.size();
    if (counters != nullptr) {
      counters->incoming_records.Add(views.size());
      counters->incoming_bytes.Add(buffer.size());
    }
    buffer.clear();
    ends.clear();
    return Status::OK();
  };
  for (int d = 0; d < history.days; ++d) {
    int64_t t = today - (history.days - d) * kDayUs + history.burst_hour_utc * 3'600'000'000LL;
    const uint64_t n = history.first_day_records + history.growth_per_day * d;
    for (uint64_t i = 0; i < n; ++i, t += history.step_us) {
      source->Next(t, &buffer);
      ends.push_back(buffer.size());
      if (ends.size() == kHistoryBatch) GL_RETURN_IF_ERROR(flush());
    }
    while (source->EndASession(t, &buffer)) {
      ends.push_back(buffer.size());
      if (ends.size() == kHistoryBatch) GL_RETURN_IF_ERROR(flush());
    }
  }
  if (!ends.empty()) GL_RETURN_IF_ERROR(flush());
  return stored;
}

DemoFeed::DemoFeed(Wal* wal, double rate, std::unique_ptr<RecordSource> source, std::string stream,
                   StreamCounters* counters, uint64_t limit)
    : wal_(wal),
      rate_(rate),
      source_(std::move(source)),
      stream_(std::move(stream)),
      counters_(counters) {
  progress_->limit = limit;
  thread_ = std::thread([this] { Run(); });
}

DemoFeed::DemoFeed(Wal* wal, double rate, StreamCounters* counters)
    : DemoFeed(wal, rate, NewBuiltinSource("builtin:lab", std::random_device{}()).value(), "events",
               counters) {}

DemoFeed::~DemoFeed() { Stop(); }

void DemoFeed::Stop() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void DemoFeed::Run() {
  // Send in ticks of 100 ms so low rates still look continuous.
  const auto tick = std::chrono::milliseconds(100);
  double owed = 0;
  std::string buffer;
  std::vector<size_t> ends;
  std::vector<std::string_view> views;
  const uint64_t limit = progress_->limit;
  uint64_t rendered = 0;
  MutexLock lock(&mu_);
  while ((limit == 0 || rendered < limit) &&
         !cv_.WaitFor(&mu_, tick, [&]() GL_REQUIRES(mu_) { return stop_; })) {
    owed += rate_ / 10.0;
    buffer.clear();
    ends.clear();
    int64_t now = Env::Default()->NowMicros();
    while (owed >= 1 && (limit == 0 || rendered < limit)) {
      owed -= 1;
      ++rendered;
      source_->Next(now, &buffer);
      ends.push_back(buffer.size());
    }
    if (ends.empty()) continue;
    views.clear();
    size_t start = 0;
    for (size_t end : ends) {
      views.emplace_back(buffer.data() + start, end - start);
      start = end;
    }
    wal_->AppendAsync(stream_, views,
                      [counters = counters_, progress = progress_, n = views.size(),
                       bytes = buffer.size()](Status s, uint64_t) {
                        if (!s.ok()) {
                          spdlog::warn("msg=\"demo records not stored\" error=\"{}\"",
                                       s.ToString());
                        } else {
                          progress->sent.fetch_add(n);
                          if (counters != nullptr) {
                            counters->incoming_records.Add(n);
                            counters->incoming_bytes.Add(bytes);
                          }
                        }
                        if (progress->settled.fetch_add(n) + n == progress->limit) {
                          progress->done_us.store(Env::Default()->NowMicros());
                        }
                      });
  }
}

}  // namespace gamelake

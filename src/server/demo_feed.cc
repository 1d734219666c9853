#include "server/demo_feed.h"

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace gamelake {
namespace {

// random.weightedArrayElement over 1..6 with the lab's weights.
int Weighted(std::mt19937_64& rng, const std::vector<double>& weights) {
  std::discrete_distribution<int> d(weights.begin(), weights.end());
  return d(rng) + 1;
}

}  // namespace

DemoFeed::DemoFeed(Wal* wal, double rate) : wal_(wal), rate_(rate) {
  thread_ = std::thread([this] { Run(); });
}

DemoFeed::~DemoFeed() { Stop(); }

void DemoFeed::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DemoFeed::Run() {
  std::mt19937_64 rng(std::random_device{}());
  const std::vector<double> caught_at = {0.2, 0.5, 0.1, 0.05, 0.1, 0.05};
  const std::vector<double> caught_by = {0.2, 0.45, 0.15, 0.05, 0.1, 0.05};
  auto number = [&](int max) { return std::uniform_int_distribution<int>(0, max)(rng); };
  // Send in ticks of 100 ms so low rates still look continuous.
  const auto tick = std::chrono::milliseconds(100);
  double owed = 0;
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, tick, [this] { return stop_; })) {
    owed += rate_ / 10.0;
    std::vector<std::string> records;
    while (owed >= 1) {
      owed -= 1;
      records.push_back(fmt::format(
          "{{\"PlayerID\":{},\"Time Played\":{},\"Wins\":{},\"Losses\":{},\"CaughtAt\":{},"
          "\"CaughtBy\":{}}}",
          number(10000), number(100000), number(5), number(50), Weighted(rng, caught_at),
          Weighted(rng, caught_by)));
    }
    if (records.empty()) continue;
    std::vector<std::string_view> views(records.begin(), records.end());
    wal_->AppendAsync("events", views, [](Status s, uint64_t) {
      if (!s.ok()) spdlog::warn("msg=\"demo records not stored\" error=\"{}\"", s.ToString());
    });
  }
}

}  // namespace gamelake

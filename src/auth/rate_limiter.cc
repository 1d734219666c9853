#include "auth/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace gamelake {

RateLimiter::RateLimiter(Options options)
    : options_(options),
      max_per_shard_(std::max<size_t>(1, (options.max_tracked_keys + kShards - 1) / kShards)) {}

RateLimiter::Decision RateLimiter::Admit(const Principal& principal, uint64_t records,
                                         uint64_t bytes, int64_t now_us) {
  return Admit(principal.key_id, Limits{principal.rate_records_per_s, principal.rate_bytes_per_s},
               records, bytes, now_us);
}

void RateLimiter::Refill(Bucket* b, double records_rate, double bytes_rate, int64_t now_us) const {
  double elapsed_s = now_us > b->last_us ? static_cast<double>(now_us - b->last_us) / 1e6 : 0;
  b->last_us = std::max(b->last_us, now_us);
  b->records =
      std::min(records_rate * options_.burst_seconds, b->records + records_rate * elapsed_s);
  b->bytes = std::min(bytes_rate * options_.burst_seconds, b->bytes + bytes_rate * elapsed_s);
  b->records_rate = records_rate;
  b->bytes_rate = bytes_rate;
}

bool RateLimiter::IsFull(const Bucket& b, int64_t now_us) const {
  double elapsed_s = now_us > b.last_us ? static_cast<double>(now_us - b.last_us) / 1e6 : 0;
  return b.records + b.records_rate * elapsed_s >= b.records_rate * options_.burst_seconds &&
         b.bytes + b.bytes_rate * elapsed_s >= b.bytes_rate * options_.burst_seconds;
}

RateLimiter::Decision RateLimiter::Admit(std::string_view key_id, Limits own, uint64_t records,
                                         uint64_t bytes, int64_t now_us) {
  const double records_rate = static_cast<double>(
      own.records_per_s != 0 ? own.records_per_s : options_.defaults.records_per_s);
  const double bytes_rate =
      static_cast<double>(own.bytes_per_s != 0 ? own.bytes_per_s : options_.defaults.bytes_per_s);
  if (records_rate == 0 && bytes_rate == 0) return Decision{};

  Shard& shard = shards_[std::hash<std::string_view>{}(key_id) % kShards];
  MutexLock lock(&shard.mu);
  auto it = shard.buckets.find(key_id);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) {
      std::erase_if(shard.buckets, [&](const auto& kv) { return IsFull(kv.second, now_us); });
      if (shard.buckets.size() >= max_per_shard_) return Decision{};  // Untracked: admit.
    }
    Bucket fresh;
    fresh.records = records_rate * options_.burst_seconds;
    fresh.bytes = bytes_rate * options_.burst_seconds;
    fresh.last_us = now_us;
    it = shard.buckets.emplace(std::string(key_id), fresh).first;
  }
  Bucket& b = it->second;
  Refill(&b, records_rate, bytes_rate, now_us);

  // Seconds until a bucket holds min(cost, capacity); 0 when it does now.
  auto wait_s = [this](double tokens, double rate, uint64_t cost) -> double {
    if (rate == 0) return 0;
    double need = std::min(static_cast<double>(cost), rate * options_.burst_seconds);
    return tokens >= need ? 0 : (need - tokens) / rate;
  };
  double records_wait = wait_s(b.records, records_rate, records);
  double bytes_wait = wait_s(b.bytes, bytes_rate, bytes);
  if (records_wait > 0 || bytes_wait > 0) {
    Decision d;
    d.ok = false;
    d.limit = records_wait >= bytes_wait ? "records" : "bytes";
    d.retry_after_seconds =
        std::max<int64_t>(1, static_cast<int64_t>(std::ceil(std::max(records_wait, bytes_wait))));
    return d;
  }
  if (records_rate != 0) b.records -= static_cast<double>(records);
  if (bytes_rate != 0) b.bytes -= static_cast<double>(bytes);
  return Decision{};
}

size_t RateLimiter::tracked_keys() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    n += shard.buckets.size();
  }
  return n;
}

}  // namespace gamelake

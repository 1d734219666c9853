// Metrics: counters, gauges and histograms exposed in Prometheus text format.
//
// A Metrics registry owns named series; modules keep the Counter/Gauge/
// Histogram pointers they registered (stable for the registry's lifetime) and
// update them lock-free on hot paths. Render() writes the exposition format
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// Thread-safety: registration and Render() take a mutex; updates are atomic.
#ifndef GAMELAKE_COMMON_METRICS_H_
#define GAMELAKE_COMMON_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"

namespace gamelake {

class Counter {
 public:
  void Add(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

// Cumulative histogram with fixed upper bounds (seconds, bytes, ...).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Per-bucket counts (not cumulative), one more than bounds (the +Inf bucket).
  std::vector<uint64_t> counts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

class Metrics {
 public:
  // Labels render as {k="v",...}; a name+labels pair registered twice returns
  // the same series.
  using Labels = std::vector<std::pair<std::string, std::string>>;

  Counter* AddCounter(const std::string& name, const std::string& help, const Labels& labels = {})
      GL_EXCLUDES(mu_);
  Gauge* AddGauge(const std::string& name, const std::string& help, const Labels& labels = {})
      GL_EXCLUDES(mu_);
  Histogram* AddHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bounds, const Labels& labels = {}) GL_EXCLUDES(mu_);
  // A gauge computed when rendered (e.g. log bytes pending).
  void AddCallbackGauge(const std::string& name, const std::string& help,
                        std::function<double()> fn) GL_EXCLUDES(mu_);

  std::string Render() const GL_EXCLUDES(mu_);

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // Keyed by rendered labels.
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::function<double()> callback;
  };
  Family& GetFamily(const std::string& name, const std::string& help, const std::string& type)
      GL_REQUIRES(mu_);

  mutable Mutex mu_;
  std::map<std::string, Family> families_ GL_GUARDED_BY(mu_);
};

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_METRICS_H_

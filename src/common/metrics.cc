#include "common/metrics.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace gamelake {
namespace {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string RenderLabels(const Metrics::Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first + "=\"" + EscapeLabel(labels[i].second) + "\"";
  }
  return out + "}";
}

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

// Adds one label to rendered labels: "" + le="1" -> {le="1"}; {a="b"} -> {a="b",le="1"}.
std::string WithLabel(const std::string& rendered, const std::string& kv) {
  if (rendered.empty()) return "{" + kv + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + kv + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

Metrics::Family& Metrics::GetFamily(const std::string& name, const std::string& help,
                                    const std::string& type) {
  Family& f = families_[name];
  if (f.type.empty()) {
    f.help = help;
    f.type = type;
  }
  return f;
}

Counter* Metrics::AddCounter(const std::string& name, const std::string& help,
                             const Labels& labels) {
  MutexLock lock(&mu_);
  auto& slot = GetFamily(name, help, "counter").counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* Metrics::AddGauge(const std::string& name, const std::string& help, const Labels& labels) {
  MutexLock lock(&mu_);
  auto& slot = GetFamily(name, help, "gauge").gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* Metrics::AddHistogram(const std::string& name, const std::string& help,
                                 std::vector<double> bounds, const Labels& labels) {
  MutexLock lock(&mu_);
  auto& slot = GetFamily(name, help, "histogram").histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
  return slot.get();
}

void Metrics::AddCallbackGauge(const std::string& name, const std::string& help,
                               std::function<double()> fn) {
  MutexLock lock(&mu_);
  GetFamily(name, help, "gauge").callback = std::move(fn);
}

std::string Metrics::Render() const {
  MutexLock lock(&mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
    for (const auto& [labels, c] : f.counters) {
      out += fmt::format("{}{} {}\n", name, labels, c->value());
    }
    for (const auto& [labels, g] : f.gauges) {
      out += fmt::format("{}{} {}\n", name, labels, FormatValue(g->value()));
    }
    if (f.callback) out += fmt::format("{} {}\n", name, FormatValue(f.callback()));
    for (const auto& [labels, h] : f.histograms) {
      auto counts = h->counts();
      uint64_t cumulative = 0;
      for (size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        std::string le = i < h->bounds().size() ? FormatValue(h->bounds()[i]) : "+Inf";
        out += fmt::format("{}_bucket{} {}\n", name, WithLabel(labels, "le=\"" + le + "\""),
                           cumulative);
      }
      out += fmt::format("{}_sum{} {}\n", name, labels, FormatValue(h->sum()));
      out += fmt::format("{}_count{} {}\n", name, labels, h->count());
    }
  }
  return out;
}

}  // namespace gamelake

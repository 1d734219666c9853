#include "server/health_monitor.h"

#include <algorithm>

namespace gamelake {

std::string_view HealthStateName(HealthState state) {
  switch (state) {
    case HealthState::kOk:
      return "ok";
    case HealthState::kDegraded:
      return "degraded";
    case HealthState::kFailing:
      return "failing";
  }
  return "ok";
}

HealthMonitor::HealthMonitor(Env* env, Metrics* metrics) : env_(env), metrics_(metrics) {
  if (metrics_ == nullptr) return;
  metrics_->AddCallbackGauge(
      "gamelake_health_state",
      "This node's health, as /v1/health reports it: 0 ok, 1 degraded, 2 failing",
      [this] { return static_cast<double>(Evaluate().state); });
}

void HealthMonitor::AddCheck(std::string name, Check check) {
  // The gauge is registered before mu_ is taken: Metrics::Render() calls
  // Evaluate() with the registry's mutex held, so that one comes first.
  Gauge* gauge = nullptr;
  if (metrics_ != nullptr) {
    gauge = metrics_->AddGauge("gamelake_health_state_check",
                               "Each health check's state: 0 ok, 1 degraded, 2 failing",
                               {{"check", name}});
  }
  MutexLock lock(&mu_);
  checks_.push_back(Entry{std::move(name), std::move(check), gauge});
}

HealthReport HealthMonitor::Evaluate() {
  HealthReport report;
  report.draining = draining_.load();
  int64_t now = env_->NowMicros();
  MutexLock lock(&mu_);
  for (const Entry& e : checks_) {
    std::optional<HealthFinding> finding = e.check();
    if (e.gauge) e.gauge->Set(finding ? static_cast<double>(finding->state) : 0);
    if (!finding) {
      since_us_.erase(e.name);
      continue;
    }
    auto [it, added] = since_us_.emplace(e.name, now);
    report.problems.push_back(HealthProblem{e.name, finding->state, finding->message, it->second});
    report.state = std::max(report.state, finding->state);
  }
  return report;
}

}  // namespace gamelake

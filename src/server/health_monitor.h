// HealthMonitor: whether this node can do its job, for load balancers,
// alerts and operators (GET /v1/health, GET /v1/ready, gamelake_health_*).
//
// Checks are registered once at start; Evaluate() runs them all and gives one
// of three states: ok (nothing wrong), degraded (serving and keeping every
// acknowledged record, but something needs attention: delivery retrying, disk
// nearly at the guard, the live tail full, a streaming app failed, the
// certificate about to expire) or failing (cannot take writes: the disk is
// under the guard, the certificate expired). Each problem carries the check's
// name, what is wrong and since when (the first evaluation that saw it).
// Readiness adds draining: a node that is shutting down is not ready.
//
// Thread-safety: AddCheck before serving; Evaluate, SetDraining and ready
// from any thread.
#ifndef GAMELAKE_SERVER_HEALTH_MONITOR_H_
#define GAMELAKE_SERVER_HEALTH_MONITOR_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/metrics.h"
#include "common/mutex.h"

namespace gamelake {

enum class HealthState { kOk = 0, kDegraded = 1, kFailing = 2 };
std::string_view HealthStateName(HealthState state);

struct HealthFinding {
  HealthState state = HealthState::kDegraded;
  std::string message;  // What is wrong and what it means for data.
};

struct HealthProblem {
  std::string check;
  HealthState state = HealthState::kDegraded;
  std::string message;
  int64_t since_us = 0;  // When first seen (µs since the epoch).
};

struct HealthReport {
  HealthState state = HealthState::kOk;
  std::vector<HealthProblem> problems;  // In registration order.
  bool draining = false;
  // Ready for traffic: not draining and not failing.
  bool ready() const { return !draining && state != HealthState::kFailing; }
};

class HealthMonitor {
 public:
  // nullopt when the check finds nothing wrong.
  using Check = std::function<std::optional<HealthFinding>()>;

  // metrics may be null; else gamelake_health_state and
  // gamelake_health_state_check{check=...} (0 ok, 1 degraded, 2 failing).
  HealthMonitor(Env* env, Metrics* metrics);

  void AddCheck(std::string name, Check check) GL_EXCLUDES(mu_);
  // Runs the checks one at a time, in registration order.
  HealthReport Evaluate() GL_EXCLUDES(mu_);
  // Shutdown has begun: not ready from now on.
  void SetDraining() { draining_.store(true); }

 private:
  struct Entry {
    std::string name;
    Check check;
    Gauge* gauge = nullptr;
  };
  Env* const env_;
  Metrics* const metrics_;
  std::atomic<bool> draining_{false};
  // Also serialises the checks: a check may keep state between calls (the
  // live tail's remembers when it last saw drops), so two Evaluate() calls
  // (an HTTP request and a /metrics scrape) must not run one at once.
  Mutex mu_;
  std::vector<Entry> checks_ GL_GUARDED_BY(mu_);                // Fixed once serving.
  std::map<std::string, int64_t> since_us_ GL_GUARDED_BY(mu_);  // Checks with a problem.
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_HEALTH_MONITOR_H_

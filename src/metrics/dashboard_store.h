// DashboardStore: CloudWatch dashboards — named JSON bodies (`widgets` with
// metric widgets' `view`, `stacked`, `period`, `stat`, `liveData`...) stored
// and served exactly as they were put, so a body exported from AWS pastes in
// and the browser console draws what is stored.
//
// Each dashboard is one file <dir>/<name>.dashboard (format in
// metric_store_format.md), replaced atomically; names are CloudWatch's: 1 to
// 255 of [A-Za-z0-9_-]. Put validates the body (JSON object, `widgets` an
// array of objects with a known `type`, sizes and positions within the
// 24-column grid) and refuses it whole with messages that name the JSON path.
//
// Thread-safety: all methods may be called concurrently (one mutex).
#ifndef GAMELAKE_METRICS_DASHBOARD_STORE_H_
#define GAMELAKE_METRICS_DASHBOARD_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"

namespace gamelake {

inline constexpr size_t kMaxDashboardBodyBytes = 1u << 20;

struct Dashboard {
  std::string name;
  std::string body;  // As put.
  int64_t modified_ms = 0;
};

// One problem found in a body: where (a JSON pointer, "/widgets/2/width") and what.
struct DashboardProblem {
  std::string data_path;
  std::string message;
};

// Checks a body; empty when it is a valid dashboard.
std::vector<DashboardProblem> ValidateDashboardBody(std::string_view body);

class DashboardStore {
 public:
  // Creates `dir` if needed. env must outlive the store.
  static Result<std::unique_ptr<DashboardStore>> Open(Env* env, std::string dir);

  // InvalidArgument "InvalidParameterValue: ..." for a bad name;
  // "InvalidParameterInput: ..." for a bad body (see ValidateDashboardBody).
  Status Put(std::string_view name, std::string_view body) GL_EXCLUDES(mu_);
  // NotFound "ResourceNotFound: ..." if there is none.
  Result<Dashboard> Get(std::string_view name) const;
  // Every dashboard whose name starts with `prefix`, sorted by name (bodies included).
  Result<std::vector<Dashboard>> List(std::string_view prefix) const;
  // All or nothing: NotFound naming the first missing one, and nothing deleted.
  Status Delete(const std::vector<std::string>& names) GL_EXCLUDES(mu_);

 private:
  DashboardStore(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}
  std::string PathOf(std::string_view name) const;

  Env* env_;
  std::string dir_;
  // Orders writers; readers see whole files (atomic renames). It guards the
  // files, not a member, so nothing is GL_GUARDED_BY it.
  mutable Mutex mu_;
};

// Names: 1 to 255 of [A-Za-z0-9_-].
[[nodiscard]] Status ValidateDashboardName(std::string_view name);

// The lab's dashboard (Task 9), which `serve --demo` installs as
// "serverless-analytics": wins and losses of serverless-analytics-demo as a
// stacked area at a 1-second period over the last minute, live, and their p90.
inline constexpr std::string_view kLabDashboardName = "serverless-analytics";
std::string LabDashboardBody();

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_DASHBOARD_STORE_H_

// What `serve --demo` puts in the console: the lab's Athena view (Task 7:
// players with more than an hour played, saved as "data-view") and, when the
// console is installed, the lab's QuickSight analysis (Task 8), whose
// document the console owns (web/public/analyses/lab.json).
//
// Thread-safety: call once at start-up.
#ifndef GAMELAKE_SERVER_DEMO_CONSOLE_H_
#define GAMELAKE_SERVER_DEMO_CONSOLE_H_

#include "catalog/catalog.h"
#include "common/status.h"
#include "server/analysis_store.h"
#include "server/console_api.h"

namespace gamelake {

// The lab's view, as Task 7 creates it from its Athena query.
constexpr const char* kLabViewName = "data-view";
constexpr const char* kLabViewSql = "SELECT * FROM events WHERE \"Time Played\" > 3600";

// Creates the lab's view unless a view of that name exists (a user's own is kept).
[[nodiscard]] Status InstallLabView(Catalog* catalog, int64_t now_us);

// The console's lab analysis (its file /analyses/lab.json) saved as the
// analysis "lab", unless one of that id exists. Nothing when the console is
// not installed.
constexpr const char* kLabAnalysisId = "lab";
constexpr const char* kLabAnalysisFile = "/analyses/lab.json";
[[nodiscard]] Status InstallLabAnalysis(const ConsoleApi& console, AnalysisStore* analyses);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_DEMO_CONSOLE_H_

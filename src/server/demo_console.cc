#include "server/demo_console.h"

#include <spdlog/spdlog.h>

namespace gamelake {

Status InstallLabView(Catalog* catalog, int64_t now_us) {
  if (catalog->Snapshot()->FindView(kLabViewName) != nullptr) return Status::OK();
  CatalogView view;
  view.name = kLabViewName;
  view.sql = kLabViewSql;
  view.created_by = "demo";
  view.created_us = now_us;
  GL_RETURN_IF_ERROR(catalog->CreateView(view, /*or_replace=*/false));
  spdlog::info("msg=\"demo: created the lab's view\" view=\"{}\"", kLabViewName);
  return Status::OK();
}

Status InstallLabAnalysis(const ConsoleApi& console, AnalysisStore* analyses) {
  if (!console.installed() || analyses->Get(kLabAnalysisId).ok()) return Status::OK();
  Result<std::string> lab = console.File(kLabAnalysisFile);
  if (!lab.ok()) {
    spdlog::warn("msg=\"demo: the console has no lab analysis\" file=\"{}\"", kLabAnalysisFile);
    return Status::OK();
  }
  GL_RETURN_IF_ERROR(analyses->Put(kLabAnalysisId, *lab).WithContext("the lab's analysis"));
  spdlog::info("msg=\"demo: installed the lab's analysis\" analysis={}", kLabAnalysisId);
  return Status::OK();
}

}  // namespace gamelake

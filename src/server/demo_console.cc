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

}  // namespace gamelake

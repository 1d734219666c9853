#include "query/view_publisher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/ascii.h"
#include "sql/duck_handles.h"

namespace gamelake {

ViewPublisher::ViewPublisher(duckdb_connection admin, Catalog* catalog, LiveTail* tail)
    : admin_(admin), catalog_(catalog), tail_(tail) {}

ViewPublisher::Reading ViewPublisher::Read() { return Reading(&mu_, &state_); }

bool ViewPublisher::Current() const {
  if (!published_ || catalog_->Snapshot()->version != catalog_version_) return false;
  uint64_t tail_version = 0;
  if (tail_ != nullptr) (void)tail_->Schemas(&tail_version);
  return tail_version == tail_version_;
}

Status ViewPublisher::Refresh() {
  {
    // Every query refreshes, and nearly always nothing changed: check under a
    // shared hold, so that queries do not wait on each other's Readings.
    ReaderMutexLock shared(&mu_);
    if (Current()) return Status::OK();
  }
  WriterMutexLock lock(&mu_);
  std::shared_ptr<const CatalogSnapshot> snap = catalog_->Snapshot();
  uint64_t tail_version = 0;
  std::map<std::string, DuckType> tail_types;
  if (tail_ != nullptr) tail_types = tail_->Schemas(&tail_version);
  if (published_ && snap->version == catalog_version_ && tail_version == tail_version_) {
    return Status::OK();
  }
  std::map<std::string, TableShape> shapes =
      PlanShapes(*snap, tail_ != nullptr ? &tail_types : nullptr);
  bool shapes_changed = false;
  PublishTables(shapes, &shapes_changed);
  PublishViews(*snap, shapes_changed);

  Published next;
  next.snapshot = snap;
  next.planner = PlannerContextOf(shapes, snap->views);
  next.shapes = std::move(shapes);
  state_ = std::move(next);
  catalog_version_ = snap->version;
  tail_version_ = tail_version;
  published_ = true;
  // Queries now read files up to each stream's delivered seq: the tail may
  // forget what is below. (Pins are taken while a Reading is held.)
  if (tail_ != nullptr) {
    for (const auto& [name, table] : snap->tables) tail_->Trim(name, table->delivered_seq());
  }
  return Status::OK();
}

void ViewPublisher::PublishTables(const std::map<std::string, TableShape>& shapes, bool* changed) {
  for (const auto& [name, shape] : shapes) {
    auto old = state_.shapes.find(name);
    if (old != state_.shapes.end() && SameShape(old->second, shape)) continue;
    *changed = true;
    Status s = ExecOn(admin_, fmt::format("CREATE OR REPLACE TEMP VIEW {} AS {}",
                                          QuoteIdentifier(name), ShapeSelect(shape)));
    if (s.ok()) {
      s = ExecOn(admin_, CreateLakeView(name, "SELECT * FROM temp.main." + QuoteIdentifier(name)));
    }
    if (!s.ok()) {
      spdlog::error("msg=\"cannot publish the view of a table\" table=\"{}\" error=\"{}\"", name,
                    s.message());
    }
  }
  for (const auto& [name, shape] : state_.shapes) {
    if (shapes.count(name)) continue;
    *changed = true;
    (void)ExecOn(admin_, "DROP VIEW IF EXISTS lake." + QuoteIdentifier(name));
    (void)ExecOn(admin_, "DROP VIEW IF EXISTS temp.main." + QuoteIdentifier(name));
  }
}

void ViewPublisher::PublishViews(const CatalogSnapshot& snapshot, bool shapes_changed) {
  // Oldest first: a view may read an older one.
  std::vector<const CatalogView*> views;
  for (const auto& [key, v] : snapshot.views) views.push_back(&v);
  std::sort(views.begin(), views.end(), [](const CatalogView* a, const CatalogView* b) {
    return a->created_us < b->created_us;
  });
  std::map<std::string, std::string> published;
  for (const CatalogView* v : views) {
    std::string key = AsciiLowered(v->name);
    published[key] = v->sql;
    auto old = view_sql_.find(key);
    // A view's columns follow the tables it reads: re-bind it when they change.
    if (!shapes_changed && old != view_sql_.end() && old->second == v->sql) continue;
    Status s = ExecOn(admin_, CreateLakeView(v->name, v->sql));
    if (!s.ok()) {
      spdlog::warn("msg=\"a saved view no longer binds\" view=\"{}\" error=\"{}\"", v->name,
                   s.message());
      published.erase(key);
    }
  }
  for (const auto& [key, sql] : view_sql_) {
    if (published.count(key)) continue;
    (void)ExecOn(admin_, "DROP VIEW IF EXISTS lake." + QuoteIdentifier(key));
  }
  view_sql_ = std::move(published);
}

}  // namespace gamelake

// ViewPublisher: keeps DuckDB's catalog in line with gamelake's — one view
// lake.<table> per lake table and one lake.<view> per saved view — and hands
// queries a consistent picture of what it published.
//
// lake.<table> is `SELECT * FROM temp.main.<table>`: it delegates to a
// temporary view of whichever connection runs the query. The admin
// connection's temporary views have the table's shape and no rows (so
// DESCRIBE, SHOW and saved view definitions bind); a query's connection
// defines its own, with the rows of just the files it needs (query_engine.h).
// DuckDB checks that a view still has the types it had when created, so a
// query's views always have the published shape: a query holds a Reading
// from before it plans until its statement has started, and Refresh waits.
// Every query calls Refresh, which first checks under a shared hold whether
// anything changed: queries wait on each other only when there is news.
//
// Refresh also trims the live tail: once a published snapshot reads a
// stream's records from files up to its delivered seq, the tail forgets them.
// A Reading taken before pinning the tail guarantees the pin holds every
// record above the snapshot's delivered seqs.
//
// Thread-safety: all methods are safe to call from any thread.
#ifndef GAMELAKE_QUERY_VIEW_PUBLISHER_H_
#define GAMELAKE_QUERY_VIEW_PUBLISHER_H_

#include <duckdb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>

#include "catalog/catalog.h"
#include "common/status.h"
#include "query/live_tail.h"
#include "query/query_planner.h"
#include "query/view_builder.h"

namespace gamelake {

class ViewPublisher {
 public:
  // What queries see until the next Refresh.
  struct Published {
    std::shared_ptr<const CatalogSnapshot> snapshot;
    std::map<std::string, TableShape> shapes;  // By table name.
    PlannerContext planner;
  };

  // A shared hold on the published state; Refresh waits while any is held.
  class Reading {
   public:
    const Published& state() const { return *state_; }

   private:
    friend class ViewPublisher;
    Reading(std::shared_mutex* mu, const Published* state) : lock_(*mu), state_(state) {}
    std::shared_lock<std::shared_mutex> lock_;
    const Published* state_;
  };

  // admin: a connection of the engine's database only this object uses.
  // tail may be null. All must outlive the publisher.
  ViewPublisher(duckdb_connection admin, Catalog* catalog, LiveTail* tail);

  // Publishes the catalog's and the tail's current state if either changed.
  Status Refresh();
  Reading Read();

 private:
  // True if what is published is the catalog's and the tail's current state;
  // needs mu_ held (shared is enough).
  bool Current() const;
  // Re-creates what changed; needs mu_ held exclusively.
  void PublishTables(const std::map<std::string, TableShape>& shapes, bool* changed);
  void PublishViews(const CatalogSnapshot& snapshot, bool shapes_changed);

  duckdb_connection admin_;
  Catalog* catalog_;
  LiveTail* tail_;
  std::shared_mutex mu_;
  // Guarded by mu_.
  bool published_ = false;
  uint64_t catalog_version_ = 0;
  uint64_t tail_version_ = 0;
  Published state_;
  std::map<std::string, std::string> view_sql_;  // Saved views as published.
};

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_VIEW_PUBLISHER_H_

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
#include <set>
#include <string>

#include "catalog/catalog.h"
#include "common/mutex.h"
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
  // Not analysed: the hold outlives the scope that takes it (Read returns it).
  class Reading {
   public:
    ~Reading() GL_NO_THREAD_SAFETY_ANALYSIS { mu_->ReaderUnlock(); }
    Reading(const Reading&) = delete;
    Reading& operator=(const Reading&) = delete;
    const Published& state() const { return *state_; }

   private:
    friend class ViewPublisher;
    Reading(SharedMutex* mu, const Published* state) GL_NO_THREAD_SAFETY_ANALYSIS : mu_(mu),
                                                                                    state_(state) {
      mu_->ReaderLock();
    }
    SharedMutex* const mu_;
    const Published* state_;
  };

  // admin: a connection of the engine's database only this object uses.
  // tail may be null. All must outlive the publisher.
  ViewPublisher(duckdb_connection admin, Catalog* catalog, LiveTail* tail);

  // Publishes the catalog's and the tail's current state if either changed.
  Status Refresh() GL_EXCLUDES(mu_);
  Reading Read() GL_EXCLUDES(mu_);

 private:
  // True if what is published is the catalog's and the tail's current state.
  bool Current() const GL_REQUIRES_SHARED(mu_);
  // Re-create what changed.
  void PublishTables(const std::map<std::string, TableShape>& shapes, bool* changed)
      GL_REQUIRES(mu_);
  void PublishViews(const CatalogSnapshot& snapshot, bool shapes_changed) GL_REQUIRES(mu_);

  duckdb_connection admin_;
  Catalog* catalog_;
  LiveTail* tail_;
  SharedMutex mu_;
  bool published_ GL_GUARDED_BY(mu_) = false;
  uint64_t catalog_version_ GL_GUARDED_BY(mu_) = 0;
  uint64_t tail_version_ GL_GUARDED_BY(mu_) = 0;
  Published state_ GL_GUARDED_BY(mu_);
  // Saved views as published.
  std::map<std::string, std::string> view_sql_ GL_GUARDED_BY(mu_);
};

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_VIEW_PUBLISHER_H_

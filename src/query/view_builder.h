// ViewBuilder: the SQL of the views the query engine publishes — one per
// catalog table (its files plus its live tail, in the table's unified schema)
// and one per saved view. See query_engine.h for what a table's view reads.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_QUERY_VIEW_BUILDER_H_
#define GAMELAKE_QUERY_VIEW_BUILDER_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace gamelake {

struct ViewPlan {
  struct View {
    std::string name;
    std::string sql;  // CREATE OR REPLACE VIEW lake."name" AS ...
  };
  std::vector<View> tables;
  // Per table, its SELECT with each delivered file's hour bounds on
  // _ingest_time: lets a filter on _ingest_time drop partitions unopened, but
  // costs reading _ingest_time, so it is used only by queries that mention it.
  std::vector<View> pruned;
  std::vector<View> views;                    // Saved views, oldest first.
  std::map<std::string, uint64_t> delivered;  // Per stream: seqs up to here are in files.
};

// tail_types: per stream, the record type the live tail inferred (a STRUCT).
// tail_branches: the tables whose view reads gamelake_tail() (those the tail
// holds undelivered records of; an empty branch would cost the optimizer its
// statistics); null: none at all (no tail). Streams only the tail knows are
// tables too, when there is a tail.
ViewPlan PlanViews(const CatalogSnapshot& snapshot,
                   const std::map<std::string, SqlType>& tail_types,
                   const std::set<std::string>* tail_branches, const std::string& lake_dir);

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_VIEW_BUILDER_H_

// Retention: keeps each table only as long as the studio's privacy policy
// says, by dropping whole partitions once they are older than the table's
// rule (retention.days, per stream and for _errors).
//
// A partition is past its rule when its end (the end of its hour, or of its
// day for whole-day files and for hand-dropped files under dt= only) is at
// least `days` days ago. Its files leave the catalog in one switch and are
// deleted once no query reads them; folders left empty go too. Files
// without a dt= partition are never dropped.
//
// Other nodes' files of a shared S3 lake are theirs to delete, but past the
// cutoff they leave this node's catalog at once (remote_files), so every
// node answers alike before the owner's deletion is listed.
//
// Dropping a stream's newest files must not let delivery deliver them again
// from the log: before anything is deleted, the stream's watermark floor
// (lake/lake_files.h) and its catalog delivered_floor are raised to the
// highest record id the table has held.
//
// Thread-safety: pure planning; Apply is called by one thread at a time
// (the lake maintainer).
#ifndef GAMELAKE_LIFECYCLE_RETENTION_H_
#define GAMELAKE_LIFECYCLE_RETENTION_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/env.h"
#include "common/result.h"
#include "lake/file_reclaimer.h"

namespace gamelake {

struct RetentionRules {
  int64_t default_days = 0;               // 0: keep forever.
  std::map<std::string, int64_t> tables;  // Per table; 0 keeps it forever.
  int64_t DaysFor(const std::string& table) const;
};

// What one table loses.
struct RetentionDrop {
  std::string table;
  int64_t days = 0;
  int64_t cutoff_us = 0;                  // Partitions ending at or before this go.
  std::vector<std::string> files;         // Lake-relative; this node's.
  std::vector<std::string> remote_files;  // Other nodes' (hidden, not deleted).
  std::vector<std::string> partitions;    // Their partition folders, table-relative.
  uint64_t rows = 0;
  uint64_t bytes = 0;
  uint64_t floor = 0;  // The table's delivered seq before the drop.
};

std::vector<RetentionDrop> PlanRetention(const CatalogSnapshot& snapshot,
                                         const RetentionRules& rules, int64_t now_us);

// Raises the floors, switches the catalog, retires the files (deleted at
// once when reclaimer is null); removes the remote files from the catalog.
Status ApplyRetention(const RetentionDrop& drop, Env* env, const std::string& lake_dir,
                      Catalog* catalog, FileReclaimer* reclaimer);

}  // namespace gamelake

#endif  // GAMELAKE_LIFECYCLE_RETENTION_H_

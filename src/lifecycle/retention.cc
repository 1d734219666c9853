#include "lifecycle/retention.h"

#include <set>

#include <fmt/format.h>

#include "common/civil_time.h"
#include "lake/lake_files.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

// When the file's partition ends, if it has a dt= partition.
std::optional<int64_t> PartitionEnd(const CatalogFile& f, std::string* dir) {
  Result<LakePath> split = SplitLakePath(f.path);
  if (!split.ok()) return std::nullopt;
  *dir = split->dir;
  if (std::optional<LakePartition> p = ParsePartitionDir(split->dir)) return p->end_us();
  // A hand-dropped file: dt=YYYY-MM-DD, and perhaps hr=HH.
  std::string dt, hr;
  for (const auto& [k, v] : f.partitions) {
    if (k == "dt") dt = v;
    if (k == "hr") hr = v;
  }
  if (dt.size() != 10) return std::nullopt;
  if (std::optional<LakePartition> p = ParsePartitionDir("dt=" + dt + "/hr=" + hr)) {
    return p->end_us();
  }
  if (std::optional<LakePartition> p = ParsePartitionDir("dt=" + dt + "/hr=all")) {
    return p->end_us();
  }
  return std::nullopt;
}

}  // namespace

int64_t RetentionRules::DaysFor(const std::string& table) const {
  auto it = tables.find(table);
  return it != tables.end() ? it->second : default_days;
}

std::vector<RetentionDrop> PlanRetention(const CatalogSnapshot& snapshot,
                                         const RetentionRules& rules, int64_t now_us) {
  std::vector<RetentionDrop> drops;
  for (const auto& [name, table] : snapshot.tables) {
    int64_t days = rules.DaysFor(name);
    if (days <= 0) continue;
    RetentionDrop drop;
    drop.table = name;
    drop.days = days;
    drop.cutoff_us = now_us - days * kSecondsPerDay * kMicrosPerSecond;
    drop.floor = table->delivered_seq();
    std::set<std::string> partitions;
    for (const auto& [path, f] : table->files) {
      std::string dir;
      std::optional<int64_t> end = PartitionEnd(f, &dir);
      if (!end || *end > drop.cutoff_us) continue;
      if (f.remote) {  // Another node's file: hidden here, that node's to delete.
        drop.remote_files.push_back(path);
        continue;
      }
      drop.files.push_back(path);
      partitions.insert(dir);
      drop.rows += f.rows;
      drop.bytes += f.bytes;
    }
    drop.partitions.assign(partitions.begin(), partitions.end());
    if (!drop.files.empty() || !drop.remote_files.empty()) drops.push_back(std::move(drop));
  }
  return drops;
}

Status ApplyRetention(const RetentionDrop& drop, Env* env, const std::string& lake_dir,
                      Catalog* catalog, FileReclaimer* reclaimer) {
  if (!drop.remote_files.empty()) {
    RemoteFileChange hidden;
    hidden.removed = drop.remote_files;
    GL_RETURN_IF_ERROR(catalog->ApplyRemote(hidden).status());
  }
  if (drop.files.empty()) return Status::OK();
  // First the floors: records at or below them are never delivered again.
  GL_RETURN_IF_ERROR(RaiseWatermarkFloors(env, lake_dir, {{drop.table, drop.floor}}));
  FileSwitch change;
  change.table = drop.table;
  change.removed = drop.files;
  change.delivered_floor = drop.floor;
  GL_RETURN_IF_ERROR(catalog->Switch(change).status());
  if (reclaimer != nullptr) {
    reclaimer->Retire(drop.files);
  } else {
    FileReclaimer now(env, lake_dir);
    now.Retire(drop.files);
  }
  return Status::OK();
}

}  // namespace gamelake

#include "s3/s3_lake_keeper.h"

#include <spdlog/spdlog.h>

#include <set>
#include <utility>

#include "lake/lake_files.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

// True if a file named `a` supersedes one named `b` of the same node
// (lake/lake_files.h: a larger containing range, or the same range at a
// higher version).
bool KeeperSupersedes(const LakeFileName& a, const LakeFileName& b) {
  if (!a.Contains(b)) return false;
  bool same_range = a.first_seq == b.first_seq && a.last_seq == b.last_seq;
  return !same_range || a.version > b.version;
}

// When the partition folder of lake-relative `path` ends; nullopt if it is
// not one gamelake writes.
std::optional<int64_t> PartitionEndOf(const std::string& path) {
  Result<LakePath> split = SplitLakePath(path);
  if (!split.ok()) return std::nullopt;
  std::optional<LakePartition> p = ParsePartitionDir(split->dir);
  if (!p) return std::nullopt;
  return p->end_us();
}

}  // namespace

S3LakeKeeper::S3LakeKeeper(std::unique_ptr<S3Client> client, S3LakeKeeperOptions options)
    : client_(client.get()), sink_(std::move(client), options.sink), options_(std::move(options)) {}

Result<S3LakeKeeper::OwnByTable> S3LakeKeeper::ListStore() {
  GL_ASSIGN_OR_RETURN(std::vector<S3ObjectInfo> objects,
                      client_->ListAllObjects(options_.sink.location.prefix()));
  OwnByTable out;
  for (const S3ObjectInfo& o : objects) {
    std::optional<S3LakeSink::OwnFile> own = sink_.ParseOwnKey(o.key);
    if (!own) continue;
    out[own->table].push_back(OwnEntry{std::move(own->path), std::move(own->name), o.size});
  }
  return out;
}

Result<S3LakeKeeper::OwnByTable> S3LakeKeeper::ListLocalVisible() {
  Env* env = options_.sink.env;
  const std::string& lake = options_.sink.lake_dir;
  GL_ASSIGN_OR_RETURN(std::vector<std::string> tables, ListTables(env, lake));
  OwnByTable out;
  for (const std::string& table : tables) {
    GL_ASSIGN_OR_RETURN(std::vector<WrittenFile> files, ListWrittenFiles(env, lake, table));
    std::vector<WrittenFile> own;
    std::vector<LakeFileName> names;
    for (WrittenFile& f : files) {
      if (f.name.node != options_.sink.node_id) continue;
      names.push_back(f.name);
      own.push_back(std::move(f));
    }
    for (size_t i : ResolveVisibility(names).visible) {
      Result<uint64_t> size = env->GetFileSize(JoinPath(lake, own[i].path));
      if (!size.ok()) continue;  // Retired meanwhile: superseded, not visible.
      out[table].push_back(OwnEntry{own[i].path, own[i].name, *size});
    }
  }
  return out;
}

void S3LakeKeeper::Judge(const std::vector<OwnEntry>& local, const std::vector<OwnEntry>& stored,
                         int64_t cutoff, int64_t now, std::vector<std::string>* doomed,
                         S3LakeKeeperSweep* out) {
  std::set<std::string> local_paths, stored_paths;
  for (const OwnEntry& l : local) local_paths.insert(l.path);
  for (const OwnEntry& s : stored) stored_paths.insert(s.path);
  for (const OwnEntry& s : stored) {
    if (local_paths.count(s.path) > 0) continue;
    std::optional<int64_t> end = PartitionEndOf(s.path);
    if (end && *end <= cutoff) {
      doomed->push_back(s.path);
      out->deleted_expired.push_back(s.path);
      continue;
    }
    const OwnEntry* superseder = nullptr;
    bool overlaps = false;
    for (const OwnEntry& l : local) {
      if (!l.name.Overlaps(s.name)) continue;
      overlaps = true;
      if (KeeperSupersedes(l.name, s.name)) superseder = &l;
    }
    if (superseder != nullptr) {
      // Its replacement must be in the store before the clock starts.
      if (stored_paths.count(superseder->path) == 0) continue;
      auto [it, fresh] = superseded_since_.emplace(s.path, now);
      if (now - it->second >= options_.delete_grace_us) {
        doomed->push_back(s.path);
        out->deleted_superseded.push_back(s.path);
      } else {
        ++out->waiting;
      }
    } else if (overlaps) {
      doomed->push_back(s.path);
      out->deleted_orphans.push_back(s.path);
    }
  }
}

Result<S3LakeKeeperSweep> S3LakeKeeper::Sweep(
    const std::function<int64_t(const std::string&)>& cutoff_us) {
  MutexLock lock(&mu_);
  S3LakeKeeperSweep out;
  GL_ASSIGN_OR_RETURN(OwnByTable local, ListLocalVisible());
  GL_ASSIGN_OR_RETURN(OwnByTable stored, ListStore());
  // 1. Uploads: the store follows the local folder.
  for (const auto& [table, files] : local) {
    std::map<std::string, uint64_t> sizes;
    for (const OwnEntry& s : stored[table]) sizes[s.path] = s.bytes;
    for (const OwnEntry& l : files) {
      auto it = sizes.find(l.path);
      if (it != sizes.end() && it->second == l.bytes) continue;
      GL_RETURN_IF_ERROR(sink_.Publish(l.path).WithContext("uploading " + l.path));
      out.uploaded.push_back(l.path);
      if (it == sizes.end()) stored[table].push_back(l);
    }
  }
  // 2. What goes.
  const int64_t now = options_.sink.env->MonotonicMicros();
  std::vector<std::string> doomed;
  std::set<std::string> seen;
  for (const auto& [table, files] : stored) {
    for (const OwnEntry& s : files) seen.insert(s.path);
    Judge(local[table], files, cutoff_us ? cutoff_us(table) : INT64_MIN, now, &doomed, &out);
  }
  std::vector<std::string> keys;
  for (const std::string& path : doomed) keys.push_back(options_.sink.location.Key(path));
  if (!keys.empty()) {
    GL_RETURN_IF_ERROR(client_->DeleteObjects(keys).WithContext("deleting replaced objects"));
  }
  for (const std::string& path : doomed) seen.erase(path);
  // Forget what is no longer listed (deleted, or by hand).
  for (auto it = superseded_since_.begin(); it != superseded_since_.end();) {
    it = seen.count(it->first) > 0 ? std::next(it) : superseded_since_.erase(it);
  }
  if (!out.uploaded.empty() || !doomed.empty()) {
    spdlog::info(
        "msg=\"lake store swept\" lake=\"{}\" node=\"{}\" uploaded={} superseded_deleted={} "
        "expired_deleted={} orphans_deleted={} waiting={}",
        options_.sink.location.ToString(), options_.sink.node_id, out.uploaded.size(),
        out.deleted_superseded.size(), out.deleted_expired.size(), out.deleted_orphans.size(),
        out.waiting);
  }
  return out;
}

}  // namespace gamelake

#include "s3/remote_lake_lister.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "lake/lake_files.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

// The catalog's file at `path`, or null.
const CatalogFile* FindFile(const CatalogSnapshot& snap, const std::string& path) {
  auto t = snap.tables.find(path.substr(0, path.find('/')));
  if (t == snap.tables.end()) return nullptr;
  auto f = t->second->files.find(path);
  return f == t->second->files.end() ? nullptr : &f->second;
}

}  // namespace

RemoteLakeLister::RemoteLakeLister(RemoteLakeListerOptions options)
    : options_(std::move(options)) {}

RemoteLakeLister::~RemoteLakeLister() { Stop(); }

void RemoteLakeLister::Start() {
  {
    MutexLock lock(&mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void RemoteLakeLister::Stop() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void RemoteLakeLister::Run() {
  const int full_every = std::max(1, options_.full_every);
  bool need_full = true;
  int since_full = 0;
  MutexLock lock(&mu_);
  while (!stop_) {
    lock.Unlock();
    bool full = need_full || since_full >= full_every - 1;
    since_full = full ? 0 : since_full + 1;
    need_full = !SyncOnce(full).ok();  // After a failure, list everything again.
    lock.Lock();
    wake_.WaitFor(&mu_, std::chrono::microseconds(options_.interval_us),
                  [&]() GL_REQUIRES(mu_) { return stop_; });
  }
}

RemoteLakeListerStats RemoteLakeLister::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

Status RemoteLakeLister::SyncOnce(bool full) {
  MutexLock lock(&sync_mu_);
  Scope scope;
  Result<std::vector<S3ObjectInfo>> objects = List(full, &scope);
  if (!objects.ok()) {
    Status s =
        objects.status().WithContext("listing the shared lake " + options_.location.ToString());
    Record(s, scope.full, 0);
    return s;
  }
  std::vector<Listed> listed = OtherNodesFiles(*objects);
  Status s = Reconcile(listed, scope);
  Record(s, scope.full, objects->size());
  return s;
}

void RemoteLakeLister::Record(const Status& s, bool full, uint64_t listed) {
  MutexLock lock(&mu_);
  if (s.ok()) {
    stats_.listings++;
    if (full) stats_.full_listings++;
    stats_.consecutive_failures = 0;
    stats_.last_error.clear();
    stats_.objects_listed = listed;
    return;
  }
  stats_.failures++;
  stats_.consecutive_failures++;
  stats_.last_error = s.ToString();
  spdlog::warn(
      "msg=\"the shared lake's listing failed; other nodes' new files wait for the next one\" "
      "lake=\"{}\" consecutive_failures={} error=\"{}\"",
      options_.location.ToString(), stats_.consecutive_failures, stats_.last_error);
}

Result<std::vector<std::string>> RemoteLakeLister::ListTables() {
  const std::string& prefix = options_.location.prefix();
  std::vector<std::string> tables;
  S3ListRequest request;
  request.prefix = prefix;
  request.delimiter = "/";
  while (true) {
    GL_ASSIGN_OR_RETURN(S3ListPage page, options_.client->ListObjectsV2(request));
    for (const std::string& common : page.common_prefixes) {
      if (!common.starts_with(prefix) || !common.ends_with("/")) continue;
      std::string table = common.substr(prefix.size(), common.size() - prefix.size() - 1);
      if (table.empty() || IgnoredDirName(table, /*below_table=*/false)) continue;
      tables.push_back(std::move(table));
    }
    if (!page.truncated || page.next_continuation_token.empty()) break;
    request.continuation_token = page.next_continuation_token;
  }
  return tables;
}

Result<std::vector<S3ObjectInfo>> RemoteLakeLister::List(bool full, Scope* scope) {
  const std::string& prefix = options_.location.prefix();
  if (full || newest_dt_.empty()) {
    scope->full = true;
    newest_dt_.clear();  // Learnt again from everything.
    return options_.client->ListAllObjects(prefix);
  }
  scope->full = false;
  // The table folders the store groups, and those the last listings saw (a
  // store may not group nested keys: s3rver does not).
  GL_ASSIGN_OR_RETURN(std::vector<std::string> grouped, ListTables());
  std::set<std::string> tables(grouped.begin(), grouped.end());
  for (const auto& [table, dt] : newest_dt_) tables.insert(table);
  std::vector<S3ObjectInfo> all;
  for (const std::string& table : tables) {
    auto newest = newest_dt_.find(table);
    std::string from = newest == newest_dt_.end() ? "" : table + "/" + newest->second;
    scope->from[table] = from;
    GL_ASSIGN_OR_RETURN(
        std::vector<S3ObjectInfo> objects,
        options_.client->ListAllObjects(prefix + table + "/", from.empty() ? "" : prefix + from));
    for (S3ObjectInfo& o : objects) all.push_back(std::move(o));
  }
  return all;
}

bool RemoteLakeLister::Expired(const std::string& table, const std::string& dir) const {
  if (!options_.retention_cutoff_us) return false;
  std::optional<LakePartition> p = ParsePartitionDir(dir);
  return p && p->end_us() <= options_.retention_cutoff_us(table);
}

std::vector<RemoteLakeLister::Listed> RemoteLakeLister::OtherNodesFiles(
    const std::vector<S3ObjectInfo>& objects) {
  const std::string& prefix = options_.location.prefix();
  std::map<std::string, std::vector<Listed>> groups;  // By table and node.
  for (const S3ObjectInfo& o : objects) {
    if (!o.key.starts_with(prefix)) continue;
    std::string rel = o.key.substr(prefix.size());
    Result<LakePath> split = SplitLakePath(rel);
    if (!split.ok() || IgnoredDirName(split->table, /*below_table=*/false)) continue;
    if (split->dir.starts_with("dt=")) {
      std::string dt = split->dir.substr(0, split->dir.find('/'));
      std::string& newest = newest_dt_[split->table];
      newest = std::max(newest, dt);
    }
    std::optional<LakeFileName> name = ParseLakeFileName(split->table, split->name);
    if (!name || name->node == options_.node_id) continue;
    if (Expired(split->table, split->dir)) continue;
    std::string group = split->table + '/' + name->node;
    groups[group].push_back(
        Listed{RemoteObject{rel, o.size, o.etag}, *name, split->table, o.last_modified_us});
  }
  std::vector<Listed> out;
  for (auto& [group, files] : groups) {
    std::vector<LakeFileName> names;
    for (const Listed& l : files) names.push_back(l.name);
    for (size_t i : ResolveVisibility(names).visible) out.push_back(std::move(files[i]));
  }
  return out;
}

Status RemoteLakeLister::Reconcile(const std::vector<Listed>& listed, const Scope& scope) {
  std::shared_ptr<const CatalogSnapshot> snap = options_.catalog->Snapshot();
  std::vector<const Listed*> wanted;
  for (const Listed& l : listed) {
    auto bad = unreadable_.find(l.object.path);
    if (bad != unreadable_.end() && bad->second == l.object.etag) continue;
    const CatalogFile* f = FindFile(*snap, l.object.path);
    if (f != nullptr && (!f->remote || (f->bytes == l.object.bytes && f->etag == l.object.etag))) {
      continue;
    }
    wanted.push_back(&l);
  }
  Status status;
  const size_t batch = std::max<size_t>(1, options_.batch_files);
  for (size_t i = 0; i < wanted.size(); i += batch) {
    std::vector<const Listed*> part(wanted.begin() + i,
                                    wanted.begin() + std::min(wanted.size(), i + batch));
    Status s = AddBatch(part);
    if (!s.ok() && status.ok()) status = s;
  }
  // Removals only once everything listed is in: a file that replaced the
  // removed ones (another node's compaction) must not be missing meanwhile.
  if (!status.ok()) return status;
  return RemoveGone(listed, scope);
}

Status RemoteLakeLister::RemoveGone(const std::vector<Listed>& listed, const Scope& scope) {
  std::set<std::string> present;
  for (const Listed& l : listed) present.insert(l.object.path);
  std::shared_ptr<const CatalogSnapshot> snap = options_.catalog->Snapshot();
  RemoteFileChange change;
  for (const auto& [table, t] : snap->tables) {
    auto from = scope.from.find(table);
    for (const auto& [path, f] : t->files) {
      if (!f.remote || present.count(path) > 0) continue;
      bool covered = scope.full || (from != scope.from.end() && path >= from->second);
      if (covered) change.removed.push_back(path);
    }
  }
  if (change.removed.empty()) return Status::OK();
  GL_ASSIGN_OR_RETURN(RemoteApplyReport report, options_.catalog->ApplyRemote(change));
  for (const std::string& path : change.removed) options_.cache->Forget(path);
  spdlog::info("msg=\"other nodes' files left the shared lake\" lake=\"{}\" files={}",
               options_.location.ToString(), report.removed);
  MutexLock lock(&mu_);
  stats_.files_removed += report.removed;
  return Status::OK();
}

Status RemoteLakeLister::AddBatch(const std::vector<const Listed*>& batch) {
  std::vector<std::unique_ptr<RemoteFileStore::Lease>> leases;  // Held until added.
  RemoteFileChange change;
  Status first_error;
  for (const Listed* l : batch) {
    Result<std::unique_ptr<RemoteFileStore::Lease>> lease = options_.cache->Acquire({l->object});
    if (!lease.ok()) {
      if (first_error.ok()) first_error = lease.status();
      continue;
    }
    leases.push_back(std::move(lease).value());
    change.added.push_back(
        RemoteFileAddition{l->object, options_.cache->LocalPath(l->object.path), l->mtime_us});
  }
  if (change.added.empty()) return first_error;
  GL_ASSIGN_OR_RETURN(RemoteApplyReport report, options_.catalog->ApplyRemote(change));
  for (const BadFile& bad : report.unreadable) {
    for (const RemoteFileAddition& a : change.added) {
      if (a.object.path == bad.path) unreadable_[bad.path] = a.object.etag;
    }
    spdlog::warn(
        "msg=\"another node's lake file cannot be read; left out until it changes\" "
        "file=\"{}\" reason=\"{}\"",
        bad.path, bad.reason);
  }
  MutexLock lock(&mu_);
  stats_.files_added += report.added;
  return first_error;
}

}  // namespace gamelake

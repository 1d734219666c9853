#include "catalog/catalog.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <utility>

#include "catalog/catalog_json.h"
#include "catalog/file_inspector.h"
#include "common/ascii.h"
#include "common/mutex.h"
#include "lake/lake_files.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

constexpr const char* kCatalogFile = "catalog.json";

// A file found in the lake, with what a crawl compares.
struct FoundFile {
  std::string path;  // Lake-relative.
  LakeFileKind kind;
  FileStat stat;
};

// The outcome of inspecting one file.
struct Inspection {
  FoundFile file;
  Status status;  // Not OK: the file is bad, status.message() the reason.
  InspectedFile result;
};

// True if a written file named `a` supersedes one named `b` (lake_files.h).
bool Supersedes(const LakeFileName& a, const LakeFileName& b) {
  if (a.node != b.node || !a.Contains(b)) return false;
  bool same_range = a.first_seq == b.first_seq && a.last_seq == b.last_seq;
  return !same_range || a.version >= b.version;
}

// Copy-on-write edits of a snapshot: tables are shared between snapshots and
// copied only when changed.
class SnapshotEditor {
 public:
  SnapshotEditor(const CatalogSnapshot& base, std::map<std::string, BadFileStat> bad_stats,
                 int64_t now_us)
      : snap_(base), bad_stats_(std::move(bad_stats)), now_us_(now_us) {}

  bool changed() const { return changed_; }
  const CatalogSnapshot& snapshot() const { return snap_; }
  std::map<std::string, BadFileStat>& bad_stats() { return bad_stats_; }

  CatalogTable* MutableTable(const std::string& name) {
    auto it = snap_.tables.find(name);
    if (it == snap_.tables.end()) {
      auto table = std::make_shared<CatalogTable>();
      table->name = name;
      table->created_us = now_us_;
      table->updated_us = now_us_;
      CatalogTable* raw = table.get();
      snap_.tables.emplace(name, std::move(table));
      owned_.insert(name);
      changed_ = true;
      return raw;
    }
    if (owned_.insert(name).second) {
      it->second = std::make_shared<CatalogTable>(*it->second);
    }
    // Owned copies were made by this editor; casting away const is safe.
    return const_cast<CatalogTable*>(it->second.get());
  }

  void EnsureTable(const std::string& name) {
    if (snap_.tables.count(name) == 0) MutableTable(name);
  }

  void RemoveTable(const std::string& name) {
    if (snap_.tables.erase(name) > 0) changed_ = true;
  }

  bool RemoveFile(const std::string& table, const std::string& path) {
    auto it = snap_.tables.find(table);
    if (it == snap_.tables.end() || it->second->files.count(path) == 0) return false;
    const CatalogFile& f = it->second->files.at(path);
    auto index = ranges_.find(RangeKey(table, f.node));
    if (index != ranges_.end() && index->second.built) {
      auto [lo, hi] = index->second.by_first.equal_range(f.first_seq);
      for (auto r = lo; r != hi; ++r) {
        if (r->second == path) {
          index->second.by_first.erase(r);
          break;
        }
      }
    }
    CatalogTable* t = MutableTable(table);
    t->files.erase(path);
    t->updated_us = now_us_;
    changed_ = true;
    return true;
  }

  void SetFloor(const std::string& table, uint64_t floor) {
    auto it = snap_.tables.find(table);
    if (it != snap_.tables.end() && it->second->delivered_floor >= floor) return;
    MutableTable(table)->delivered_floor = floor;
    changed_ = true;
  }

  void PutBad(const FoundFile& f, const std::string& reason) {
    auto it = snap_.bad_files.find(f.path);
    auto st = bad_stats_.find(f.path);
    if (it != snap_.bad_files.end() && it->second.reason == reason && st != bad_stats_.end() &&
        st->second.bytes == f.stat.bytes && st->second.mtime_us == f.stat.mtime_us) {
      return;
    }
    BadFile b;
    b.path = f.path;
    b.reason = reason;
    b.seen_us = now_us_;
    snap_.bad_files[f.path] = std::move(b);
    bad_stats_[f.path] = BadFileStat{f.stat.bytes, f.stat.mtime_us};
    changed_ = true;
  }

  void RemoveBad(const std::string& path) {
    bad_stats_.erase(path);
    if (snap_.bad_files.erase(path) > 0) changed_ = true;
  }

  // Puts a readable file into its table and widens the table's schema. A
  // written file first meets the visibility rule (lake/lake_files.h): files
  // it supersedes leave the table; if it is superseded itself, or partly
  // overlaps a visible file, it stays out (the latter as a bad file).
  void PutFile(const std::string& table_name, CatalogFile file) {
    auto existing = snap_.tables.find(table_name);
    if (existing != snap_.tables.end()) {
      auto f = existing->second->files.find(file.path);
      if (f != existing->second->files.end() && f->second == file) {
        RemoveBad(file.path);
        return;
      }
      if (file.written()) {
        std::vector<std::string> replaced;
        for (const std::string& path : Overlapping(table_name, file.name())) {
          const CatalogFile& e = snap_.tables.at(table_name)->files.at(path);
          if (path == file.path) continue;
          if (Supersedes(e.name(), file.name())) {
            ++superseded_;
            return;
          }
          if (!Supersedes(file.name(), e.name())) {
            PutBad(FoundFile{file.path, {}, FileStat{true, false, file.bytes, file.mtime_us}},
                   "its record ids partly overlap those of " + path);
            return;
          }
          replaced.push_back(path);
        }
        for (const std::string& path : replaced) {
          RemoveFile(table_name, path);
          ++superseded_;
        }
      }
    }
    RemoveBad(file.path);
    CatalogTable* t = MutableTable(table_name);
    if (file.written()) {
      auto& index = ranges_[RangeKey(table_name, file.node)];
      if (!index.built) BuildRanges(*t, file.node, &index);
      index.by_first.emplace(file.first_seq, file.path);
    }
    changed_ = true;
    t->updated_us = now_us_;
    int version = t->schema_version + 1;
    bool schema_changed = false;
    for (const ColumnInfo& c : file.columns) {
      std::string folded = AsciiLowered(c.name);
      ColumnInfo* match = nullptr;
      for (ColumnInfo& have : t->columns) {
        if (AsciiLowered(have.name) == folded) {
          match = &have;
          break;
        }
      }
      if (match == nullptr) {
        t->columns.push_back(c);
        t->history.push_back(SchemaChange{
            version, now_us_, "added column \"" + c.name + "\" " + c.type.ToString(), file.path});
        schema_changed = true;
      } else if (match->type != c.type) {
        DuckType wide = WidenType(match->type, c.type);
        if (wide != match->type) {
          t->history.push_back(SchemaChange{version, now_us_,
                                            "widened \"" + match->name + "\" " +
                                                match->type.ToString() + " -> " + wide.ToString(),
                                            file.path});
          match->type = std::move(wide);
          schema_changed = true;
        }
      }
    }
    if (schema_changed) t->schema_version = version;
    for (const auto& [key, value] : file.partitions) {
      bool known = false;
      for (const std::string& k : t->partition_keys)
        known = known || AsciiLowered(k) == AsciiLowered(key);
      if (!known) t->partition_keys.push_back(key);
    }
    std::string path = file.path;
    t->files[path] = std::move(file);
  }

  void SetViews(std::map<std::string, CatalogView> views) {
    snap_.views = std::move(views);
    changed_ = true;
  }

  uint64_t superseded() const { return superseded_; }

  // The paths of the table's written files of name.node whose ranges overlap
  // `name` (built once per edit, table and node, then kept up to date: a
  // crawl adding thousands of files does not scan the table for each).
  // Nodes' record ids are independent: files of two nodes never overlap.
  std::vector<std::string> Overlapping(const std::string& table, const LakeFileName& name) {
    auto it = snap_.tables.find(table);
    std::vector<std::string> out;
    if (it == snap_.tables.end()) return out;
    RangeIndex& index = ranges_[RangeKey(table, name.node)];
    if (!index.built) BuildRanges(*it->second, name.node, &index);
    // Visible files never overlap: besides those starting inside the range,
    // only the last one starting before it can reach into it.
    auto from = index.by_first.lower_bound(name.first_seq);
    if (from != index.by_first.begin()) --from;
    for (auto r = from; r != index.by_first.end() && r->first <= name.last_seq; ++r) {
      const CatalogFile& f = it->second->files.at(r->second);
      if (f.name().Overlaps(name)) out.push_back(r->second);
    }
    return out;
  }

  CatalogSnapshot Finish(uint64_t version) {
    snap_.version = version;
    return std::move(snap_);
  }

 private:
  CatalogSnapshot snap_;
  std::map<std::string, BadFileStat> bad_stats_;
  int64_t now_us_;
  struct RangeIndex {
    bool built = false;
    std::multimap<uint64_t, std::string> by_first;  // first_seq -> path, written files.
  };
  static std::string RangeKey(const std::string& table, const std::string& node) {
    return table + '/' + node;  // Neither holds '/'.
  }
  static void BuildRanges(const CatalogTable& t, const std::string& node, RangeIndex* index) {
    for (const auto& [path, f] : t.files) {
      if (f.written() && f.node == node) index->by_first.emplace(f.first_seq, path);
    }
    index->built = true;
  }

  std::set<std::string> owned_;
  bool changed_ = false;
  uint64_t superseded_ = 0;                   // Written files left out or removed by visibility.
  std::map<std::string, RangeIndex> ranges_;  // By RangeKey(), built on first use.
};

CatalogFile MakeFile(const Inspection& in) {
  CatalogFile f;
  f.path = in.file.path;
  f.format = in.file.kind.format;
  f.gzip = in.file.kind.gzip;
  f.bytes = in.file.stat.bytes;
  f.mtime_us = in.file.stat.mtime_us;
  f.rows = in.result.rows;
  f.columns = in.result.columns;
  f.stats = in.result.stats;
  Result<LakePath> split = SplitLakePath(in.file.path);
  if (split.ok()) {
    f.partitions = ParsePartitions(split->dir);
    if (f.format == FileFormat::kParquet) {
      if (std::optional<LakeFileName> name = ParseLakeFileName(split->table, split->name)) {
        f.first_seq = name->first_seq;
        f.last_seq = name->last_seq;
        f.version = name->version;
        f.node = name->node;
      }
    }
  }
  return f;
}

std::string TableOf(const std::string& path) { return path.substr(0, path.find('/')); }

// The catalog entry of another node's file, from its listing and inspection.
CatalogFile MakeRemoteFile(const RemoteFileAddition& added, const LakePath& split,
                           const LakeFileName& name, InspectedFile inspected) {
  CatalogFile f;
  f.path = added.object.path;
  f.format = FileFormat::kParquet;
  f.bytes = added.object.bytes;
  f.mtime_us = added.mtime_us;
  f.rows = inspected.rows;
  f.columns = std::move(inspected.columns);
  f.stats = std::move(inspected.stats);
  f.partitions = ParsePartitions(split.dir);
  f.first_seq = name.first_seq;
  f.last_seq = name.last_seq;
  f.version = name.version;
  f.node = name.node;
  f.remote = true;
  f.etag = added.object.etag;
  return f;
}

// True if `path` is a local (not remote) file of the snapshot.
bool IsLocalFile(const CatalogSnapshot& snap, const std::string& path) {
  auto t = snap.tables.find(TableOf(path));
  if (t == snap.tables.end()) return false;
  auto f = t->second->files.find(path);
  return f != t->second->files.end() && !f->second.remote;
}

// The written files among `found` that another found file supersedes.
std::set<std::string> SupersededAmong(const std::vector<FoundFile>& found) {
  // By table and node: nodes' record ids are independent.
  std::map<std::string, std::vector<std::pair<std::string, LakeFileName>>> by_table;
  for (const FoundFile& f : found) {
    Result<LakePath> split = SplitLakePath(f.path);
    if (!split.ok()) continue;
    if (std::optional<LakeFileName> name = ParseLakeFileName(split->table, split->name)) {
      by_table[split->table + '/' + name->node].emplace_back(f.path, *name);
    }
  }
  std::set<std::string> out;
  for (const auto& [table, files] : by_table) {
    std::vector<LakeFileName> names;
    for (const auto& [path, name] : files) names.push_back(name);
    for (size_t i : ResolveVisibility(names).superseded) out.insert(files[i].first);
  }
  return out;
}

}  // namespace

uint64_t CatalogTable::rows() const {
  uint64_t n = 0;
  for (const auto& [path, f] : files) n += f.rows;
  return n;
}

uint64_t CatalogTable::bytes() const {
  uint64_t n = 0;
  for (const auto& [path, f] : files) n += f.bytes;
  return n;
}

uint64_t CatalogTable::delivered_seq() const {
  uint64_t n = delivered_floor;
  for (const auto& [path, f] : files) {
    if (!f.remote) n = std::max(n, f.last_seq);
  }
  return n;
}

const ColumnStats* CatalogFile::StatsOf(std::string_view column) const {
  for (size_t i = 0; i < columns.size() && i < stats.size(); ++i) {
    if (EqualsIgnoreCase(columns[i].name, column)) return &stats[i];
  }
  return nullptr;
}

const CatalogTable* CatalogSnapshot::FindTable(std::string_view name) const {
  auto it = tables.find(std::string(name));
  if (it != tables.end()) return it->second.get();
  std::string folded = AsciiLowered(name);
  for (const auto& [n, t] : tables) {
    if (AsciiLowered(n) == folded) return t.get();
  }
  return nullptr;
}

const CatalogView* CatalogSnapshot::FindView(std::string_view name) const {
  auto it = views.find(AsciiLowered(name));
  return it == views.end() ? nullptr : &it->second;
}

class Catalog::Impl {
 public:
  Impl(const CatalogOptions& options, std::unique_ptr<FileInspector> inspector)
      : options_(options),
        json_path_(JoinPath(options.dir, kCatalogFile)),
        inspector_(std::move(inspector)),
        snapshot_(std::make_shared<CatalogSnapshot>()) {}

  // Not analysed: runs in Catalog::Open, before any other thread can see the catalog.
  Status Load() GL_NO_THREAD_SAFETY_ANALYSIS;
  Result<CrawlReport> Crawl(bool full) GL_EXCLUDES(crawl_mu_, mu_);
  Status AddFile(const std::string& path) GL_EXCLUDES(mu_);
  Result<uint64_t> Switch(const FileSwitch& change) GL_EXCLUDES(mu_);
  Result<RemoteApplyReport> ApplyRemote(const RemoteFileChange& change) GL_EXCLUDES(mu_);
  Status CreateView(const CatalogView& view, bool or_replace) GL_EXCLUDES(mu_);
  Status DropView(std::string_view name, bool if_exists) GL_EXCLUDES(mu_);

  std::shared_ptr<const CatalogSnapshot> Snapshot() const GL_EXCLUDES(snap_mu_) {
    MutexLock lock(&snap_mu_);
    return snapshot_;
  }
  void SetListener(std::function<void(uint64_t)> listener) GL_EXCLUDES(listener_mu_) {
    MutexLock lock(&listener_mu_);
    listener_ = std::move(listener);
  }
  const std::string& lake_dir() const { return options_.lake_dir; }

 private:
  Result<std::vector<FoundFile>> ListLake(std::set<std::string>* tables);
  Status WalkDir(const std::string& table, const std::string& rel_dir, std::vector<FoundFile>* out);
  Inspection Inspect(const FoundFile& file);
  // Inspects many files: Parquet footers in batches, on up to 4 threads.
  Result<std::vector<Inspection>> InspectAll(const std::vector<const FoundFile*>& files)
      GL_REQUIRES(crawl_mu_);
  // Inspects the lake-relative `path` (of `table`, unless table is empty);
  // an error if it is no file the catalog tracks or is missing. A file that
  // cannot be read comes back as an Inspection with a failed status.
  Result<Inspection> InspectPath(const std::string& table, const std::string& path);
  // Saves and publishes the editor's snapshot as the next version. Returns
  // the new version (0 if nothing changed).
  Result<uint64_t> Commit(SnapshotEditor* editor) GL_REQUIRES(mu_) GL_EXCLUDES(snap_mu_);
  void Notify(uint64_t version) GL_EXCLUDES(listener_mu_);

  const CatalogOptions options_;
  const std::string json_path_;
  const std::unique_ptr<FileInspector> inspector_;
  Mutex crawl_mu_;  // One crawl at a time; held while inspecting.
  // For crawls: one per thread inspecting in parallel.
  std::vector<std::unique_ptr<FileInspector>> inspectors_ GL_GUARDED_BY(crawl_mu_);

  // The main mutex: serialises changes (apply, save, publish). Never held
  // while inspecting files.
  Mutex mu_ GL_ACQUIRED_AFTER(crawl_mu_);
  std::map<std::string, BadFileStat> bad_stats_ GL_GUARDED_BY(mu_);

  mutable Mutex snap_mu_ GL_ACQUIRED_AFTER(mu_);
  std::shared_ptr<const CatalogSnapshot> snapshot_ GL_GUARDED_BY(snap_mu_);

  Mutex listener_mu_;
  std::function<void(uint64_t)> listener_ GL_GUARDED_BY(listener_mu_);
};

Status Catalog::Impl::Load() {
  Env* env = options_.env;
  GL_RETURN_IF_ERROR(env->CreateDirs(options_.dir));
  if (!env->FileExists(json_path_)) return Status::OK();
  GL_ASSIGN_OR_RETURN(std::string text, env->ReadFile(json_path_));
  CatalogDocument doc;
  Status s = DecodeCatalog(text, &doc);
  if (!s.ok()) {
    std::string moved = json_path_ + ".corrupt-" + std::to_string(env->NowMicros());
    spdlog::error(
        "msg=\"catalog.json unreadable; starting empty, a crawl rebuilds it\" file=\"{}\" "
        "reason=\"{}\" moved_to=\"{}\"",
        json_path_, s.message(), moved);
    GL_RETURN_IF_ERROR(env->RenameFile(json_path_, moved));
    return env->SyncDir(options_.dir);
  }
  bad_stats_ = std::move(doc.bad_stats);
  snapshot_ = std::make_shared<CatalogSnapshot>(std::move(doc.snapshot));
  return Status::OK();
}

Status Catalog::Impl::WalkDir(const std::string& table, const std::string& rel_dir,
                              std::vector<FoundFile>* out) {
  std::string table_dir = JoinPath(options_.lake_dir, table);
  std::string dir = rel_dir.empty() ? table_dir : JoinPath(table_dir, rel_dir);
  Result<std::vector<std::string>> names = options_.env->ListDir(dir);
  if (!names.ok()) {
    // The folder went away while we walked it: its files are simply gone.
    GL_ASSIGN_OR_RETURN(FileStat st, StatPath(dir));
    if (!st.exists) return Status::OK();
    return names.status();
  }
  for (const std::string& name : *names) {
    std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
    GL_ASSIGN_OR_RETURN(FileStat st, StatPath(JoinPath(dir, name)));
    if (!st.exists) continue;
    if (st.is_dir) {
      if (IgnoredDirName(name, /*below_table=*/true)) continue;
      GL_RETURN_IF_ERROR(WalkDir(table, rel, out));
      continue;
    }
    std::optional<LakeFileKind> kind = ClassifyLakeFile(table, name);
    if (!kind) continue;
    out->push_back(FoundFile{table + "/" + rel, *kind, st});
  }
  return Status::OK();
}

Result<std::vector<FoundFile>> Catalog::Impl::ListLake(std::set<std::string>* tables) {
  std::vector<FoundFile> files;
  GL_ASSIGN_OR_RETURN(FileStat lake, StatPath(options_.lake_dir));
  if (!lake.exists) return files;  // No lake yet: an empty catalog.
  if (!lake.is_dir) return Status::InvalidArgument("lake dir " + options_.lake_dir + " is a file");
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, options_.env->ListDir(options_.lake_dir));
  for (const std::string& name : names) {
    if (IgnoredDirName(name, /*below_table=*/false)) continue;
    GL_ASSIGN_OR_RETURN(FileStat st, StatPath(JoinPath(options_.lake_dir, name)));
    if (!st.exists || !st.is_dir) continue;
    tables->insert(name);
    GL_RETURN_IF_ERROR(WalkDir(name, "", &files));
  }
  return files;
}

Inspection Catalog::Impl::Inspect(const FoundFile& file) {
  Inspection out;
  out.file = file;
  Result<InspectedFile> r =
      inspector_->Inspect(JoinPath(options_.lake_dir, file.path), file.kind.format, file.kind.gzip);
  if (r.ok()) {
    out.result = std::move(r).value();
  } else {
    out.status = r.status();
    spdlog::warn("msg=\"unreadable lake file\" file=\"{}\" reason=\"{}\"", file.path,
                 out.status.message());
  }
  return out;
}

Result<uint64_t> Catalog::Impl::Commit(SnapshotEditor* editor) {
  if (!editor->changed()) return uint64_t{0};
  uint64_t version = Snapshot()->version + 1;
  auto next = std::make_shared<CatalogSnapshot>(editor->Finish(version));
  GL_RETURN_IF_ERROR(
      options_.env->WriteFileAtomic(json_path_, EncodeCatalog(*next, editor->bad_stats())));
  bad_stats_ = std::move(editor->bad_stats());
  MutexLock lock(&snap_mu_);
  snapshot_ = std::move(next);
  return version;
}

void Catalog::Impl::Notify(uint64_t version) {
  if (version == 0) return;
  std::function<void(uint64_t)> listener;
  {
    MutexLock lock(&listener_mu_);
    listener = listener_;
  }
  if (listener) listener(version);
}

Result<CrawlReport> Catalog::Impl::Crawl(bool full) {
  MutexLock crawl_lock(&crawl_mu_);
  std::shared_ptr<const CatalogSnapshot> base = Snapshot();
  std::map<std::string, BadFileStat> base_bad;
  {
    MutexLock lock(&mu_);
    base_bad = bad_stats_;
  }
  std::set<std::string> table_names;
  GL_ASSIGN_OR_RETURN(std::vector<FoundFile> found, ListLake(&table_names));

  CrawlReport report;
  report.files_seen = found.size();
  std::set<std::string> hidden = SupersededAmong(found);
  report.files_superseded = hidden.size();
  std::vector<Inspection> inspections;
  std::vector<const FoundFile*> to_inspect;
  std::set<std::string> seen;
  for (const FoundFile& f : found) {
    seen.insert(f.path);
    if (hidden.count(f.path)) continue;  // Not worth reading: about to be deleted.
    bool known = false;
    if (!full) {
      const CatalogTable* t = nullptr;
      auto tit = base->tables.find(TableOf(f.path));
      if (tit != base->tables.end()) t = tit->second.get();
      if (t != nullptr) {
        auto it = t->files.find(f.path);
        known = it != t->files.end() && it->second.bytes == f.stat.bytes &&
                it->second.mtime_us == f.stat.mtime_us;
      }
      auto bad = base_bad.find(f.path);
      known =
          known || (bad != base_bad.end() && base->bad_files.count(f.path) > 0 &&
                    bad->second.bytes == f.stat.bytes && bad->second.mtime_us == f.stat.mtime_us);
    }
    if (known) continue;
    to_inspect.push_back(&f);
  }
  GL_ASSIGN_OR_RETURN(inspections, InspectAll(to_inspect));
  report.files_inspected = inspections.size();

  uint64_t version = 0;
  {
    MutexLock lock(&mu_);
    std::shared_ptr<const CatalogSnapshot> current = Snapshot();
    SnapshotEditor editor(*current, bad_stats_, options_.env->NowMicros());
    for (const std::string& name : table_names) editor.EnsureTable(name);
    for (Inspection& in : inspections) {
      std::string table = TableOf(in.file.path);
      if (in.status.ok()) {
        editor.PutFile(table, MakeFile(in));
      } else {
        editor.RemoveFile(table, in.file.path);
        editor.PutBad(in.file, in.status.message());
      }
    }
    // Forget what is gone. Whatever AddFile added meanwhile is not in `seen`
    // but still exists, so a stat decides.
    auto gone = [&](const std::string& rel) {
      Result<FileStat> st = StatPath(JoinPath(options_.lake_dir, rel));
      return st.ok() && !st->exists;
    };
    // Remote files are not in the folder: only ApplyRemote removes them.
    for (const auto& [name, table] : current->tables) {
      bool has_remote = std::any_of(table->files.begin(), table->files.end(),
                                    [](const auto& entry) { return entry.second.remote; });
      if (!has_remote && table_names.count(name) == 0 && gone(name)) {
        report.files_removed += table->files.size();
        editor.RemoveTable(name);
        continue;
      }
      for (const auto& [path, f] : table->files) {
        if (!f.remote && seen.count(path) == 0 && gone(path) && editor.RemoveFile(name, path)) {
          ++report.files_removed;
        }
      }
    }
    for (const auto& [path, b] : current->bad_files) {
      if (seen.count(path) == 0 && gone(path)) editor.RemoveBad(path);
    }
    GL_ASSIGN_OR_RETURN(version, Commit(&editor));
  }
  Notify(version);
  std::shared_ptr<const CatalogSnapshot> now = Snapshot();
  for (const auto& [path, b] : now->bad_files) report.bad_files.push_back(b);
  for (const auto& [name, t] : now->tables) report.tables.push_back(name);
  return report;
}

Result<std::vector<Inspection>> Catalog::Impl::InspectAll(
    const std::vector<const FoundFile*>& files) {
  constexpr size_t kBatch = 128;
  std::vector<Inspection> out(files.size());
  std::vector<std::pair<size_t, size_t>> batches;  // [begin, end) of `files`.
  for (size_t i = 0; i < files.size();) {
    size_t j = i + 1;
    if (files[i]->kind.format == FileFormat::kParquet) {
      while (j < files.size() && j - i < kBatch && files[j]->kind.format == FileFormat::kParquet)
        ++j;
    }
    batches.emplace_back(i, j);
    i = j;
  }
  size_t threads =
      std::min<size_t>({batches.size(), 4, std::max(1u, std::thread::hardware_concurrency())});
  while (inspectors_.size() < threads) {
    GL_ASSIGN_OR_RETURN(std::unique_ptr<FileInspector> inspector, FileInspector::Open());
    inspectors_.push_back(std::move(inspector));
  }
  std::atomic<size_t> next{0};
  auto work = [&](FileInspector* inspector) {
    for (size_t b = next++; b < batches.size(); b = next++) {
      auto [begin, end] = batches[b];
      if (files[begin]->kind.format != FileFormat::kParquet) {
        out[begin] = Inspect(*files[begin]);
        continue;
      }
      std::vector<std::string> paths;
      for (size_t k = begin; k < end; ++k)
        paths.push_back(JoinPath(options_.lake_dir, files[k]->path));
      std::vector<Result<InspectedFile>> results = inspector->InspectParquet(paths);
      for (size_t k = begin; k < end; ++k) {
        out[k].file = *files[k];
        Result<InspectedFile>& r = results[k - begin];
        if (r.ok()) {
          out[k].result = std::move(r).value();
        } else {
          out[k].status = r.status();
          spdlog::warn("msg=\"unreadable lake file\" file=\"{}\" reason=\"{}\"", files[k]->path,
                       out[k].status.message());
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, inspectors_[t].get());
  if (threads > 0) work(inspectors_[0].get());
  for (auto& t : pool) t.join();
  return out;
}

Result<Inspection> Catalog::Impl::InspectPath(const std::string& table, const std::string& path) {
  GL_ASSIGN_OR_RETURN(LakePath split, SplitLakePath(path));
  if (IgnoredDirName(split.table, /*below_table=*/false)) {
    return Status::InvalidArgument("\"" + path + "\" is in an ignored folder");
  }
  if (!table.empty() && split.table != table) {
    return Status::InvalidArgument("\"" + path + "\" is not a file of table " + table);
  }
  std::optional<LakeFileKind> kind = ClassifyLakeFile(split.table, split.name);
  if (!kind) {
    return Status::InvalidArgument("\"" + path + "\" is not a file the catalog tracks");
  }
  GL_ASSIGN_OR_RETURN(FileStat st, StatPath(JoinPath(options_.lake_dir, path)));
  if (!st.exists || st.is_dir) return Status::NotFound("lake file " + path + " not found");
  return Inspect(FoundFile{path, *kind, st});
}

Status Catalog::Impl::AddFile(const std::string& path) {
  GL_ASSIGN_OR_RETURN(Inspection in, InspectPath("", path));
  const std::string table = TableOf(path);
  uint64_t version = 0;
  {
    MutexLock lock(&mu_);
    SnapshotEditor editor(*Snapshot(), bad_stats_, options_.env->NowMicros());
    if (in.status.ok()) {
      editor.PutFile(table, MakeFile(in));
    } else {
      editor.EnsureTable(table);
      editor.RemoveFile(table, path);
      editor.PutBad(in.file, in.status.message());
    }
    GL_ASSIGN_OR_RETURN(version, Commit(&editor));
  }
  Notify(version);
  if (!in.status.ok()) return in.status.WithContext("lake file " + path);
  return Status::OK();
}

Result<uint64_t> Catalog::Impl::Switch(const FileSwitch& change) {
  if (change.table.empty()) return Status::InvalidArgument("a file switch needs a table");
  std::vector<Inspection> added;
  for (const std::string& path : change.added) {
    GL_ASSIGN_OR_RETURN(Inspection in, InspectPath(change.table, path));
    if (!in.status.ok()) return in.status.WithContext("lake file " + path);
    added.push_back(std::move(in));
  }
  uint64_t version = 0;
  {
    MutexLock lock(&mu_);
    std::shared_ptr<const CatalogSnapshot> current = Snapshot();
    SnapshotEditor editor(*current, bad_stats_, options_.env->NowMicros());
    editor.EnsureTable(change.table);
    for (const std::string& path : change.removed) {
      editor.RemoveFile(change.table, path);
      editor.RemoveBad(path);
    }
    for (Inspection& in : added) editor.PutFile(change.table, MakeFile(in));
    if (change.delivered_floor > 0) editor.SetFloor(change.table, change.delivered_floor);
    GL_ASSIGN_OR_RETURN(version, Commit(&editor));
    if (version == 0) version = current->version;
  }
  Notify(version);
  return version;
}

Result<RemoteApplyReport> Catalog::Impl::ApplyRemote(const RemoteFileChange& change) {
  const int64_t now = options_.env->NowMicros();
  RemoteApplyReport report;
  struct Named {
    const RemoteFileAddition* added;
    LakePath split;
    LakeFileName name;
  };
  std::vector<Named> named;
  std::vector<std::string> copies;
  for (const RemoteFileAddition& a : change.added) {
    Result<LakePath> split = SplitLakePath(a.object.path);
    std::optional<LakeFileName> name;
    if (split.ok() && !IgnoredDirName(split->table, /*below_table=*/false)) {
      name = ParseLakeFileName(split->table, split->name);
    }
    if (!name) {
      report.unreadable.push_back(BadFile{a.object.path, "not a file gamelake wrote", now});
      continue;
    }
    named.push_back(Named{&a, std::move(split).value(), std::move(*name)});
    copies.push_back(a.local_path);
  }
  std::vector<Result<InspectedFile>> inspected;
  if (!copies.empty()) inspected = inspector_->InspectParquet(copies);
  uint64_t version = 0;
  {
    MutexLock lock(&mu_);
    std::shared_ptr<const CatalogSnapshot> current = Snapshot();
    SnapshotEditor editor(*current, bad_stats_, now);
    for (const std::string& path : change.removed) {
      auto t = current->tables.find(TableOf(path));
      if (t == current->tables.end()) continue;
      auto f = t->second->files.find(path);
      if (f == t->second->files.end() || !f->second.remote) continue;
      if (editor.RemoveFile(t->first, path)) ++report.removed;
    }
    for (size_t i = 0; i < named.size(); ++i) {
      const std::string& path = named[i].added->object.path;
      if (!inspected[i].ok()) {
        report.unreadable.push_back(BadFile{path, inspected[i].status().message(), now});
        continue;
      }
      if (IsLocalFile(*current, path)) continue;  // This node's own copy wins.
      editor.PutFile(named[i].split.table,
                     MakeRemoteFile(*named[i].added, named[i].split, named[i].name,
                                    std::move(inspected[i]).value()));
      ++report.added;
    }
    GL_ASSIGN_OR_RETURN(version, Commit(&editor));
  }
  Notify(version);
  report.version = version;
  return report;
}

Status Catalog::Impl::CreateView(const CatalogView& view, bool or_replace) {
  if (view.name.empty()) return Status::InvalidArgument("a view needs a name");
  uint64_t version = 0;
  {
    MutexLock lock(&mu_);
    std::shared_ptr<const CatalogSnapshot> current = Snapshot();
    if (current->FindTable(view.name) != nullptr) {
      return Status::AlreadyExists("\"" + view.name + "\" already exists as a table");
    }
    if (!or_replace && current->FindView(view.name) != nullptr) {
      return Status::AlreadyExists("view \"" + view.name + "\" already exists");
    }
    SnapshotEditor editor(*current, bad_stats_, options_.env->NowMicros());
    std::map<std::string, CatalogView> views = current->views;
    views[AsciiLowered(view.name)] = view;
    editor.SetViews(std::move(views));
    GL_ASSIGN_OR_RETURN(version, Commit(&editor));
  }
  Notify(version);
  return Status::OK();
}

Status Catalog::Impl::DropView(std::string_view name, bool if_exists) {
  uint64_t version = 0;
  {
    MutexLock lock(&mu_);
    std::shared_ptr<const CatalogSnapshot> current = Snapshot();
    if (current->FindView(name) == nullptr) {
      if (if_exists) return Status::OK();
      return Status::NotFound("view \"" + std::string(name) + "\" not found");
    }
    SnapshotEditor editor(*current, bad_stats_, options_.env->NowMicros());
    std::map<std::string, CatalogView> views = current->views;
    views.erase(AsciiLowered(name));
    editor.SetViews(std::move(views));
    GL_ASSIGN_OR_RETURN(version, Commit(&editor));
  }
  Notify(version);
  return Status::OK();
}

Result<std::unique_ptr<Catalog>> Catalog::Open(const CatalogOptions& options) {
  if (options.dir.empty() || options.lake_dir.empty() || options.env == nullptr) {
    return Status::InvalidArgument("catalog needs a dir, a lake dir and an env");
  }
  GL_ASSIGN_OR_RETURN(std::unique_ptr<FileInspector> inspector, FileInspector::Open());
  auto impl = std::make_unique<Impl>(options, std::move(inspector));
  GL_RETURN_IF_ERROR(impl->Load());
  return std::unique_ptr<Catalog>(new Catalog(std::move(impl)));
}

Catalog::Catalog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Catalog::~Catalog() = default;

Result<CrawlReport> Catalog::Crawl(bool full) { return impl_->Crawl(full); }
Status Catalog::AddFile(const std::string& path) { return impl_->AddFile(path); }
Result<uint64_t> Catalog::Switch(const FileSwitch& change) { return impl_->Switch(change); }
Result<RemoteApplyReport> Catalog::ApplyRemote(const RemoteFileChange& change) {
  return impl_->ApplyRemote(change);
}
Status Catalog::CreateView(const CatalogView& view, bool or_replace) {
  return impl_->CreateView(view, or_replace);
}
Status Catalog::DropView(std::string_view name, bool if_exists) {
  return impl_->DropView(name, if_exists);
}
std::shared_ptr<const CatalogSnapshot> Catalog::Snapshot() const { return impl_->Snapshot(); }
void Catalog::SetListener(std::function<void(uint64_t version)> listener) {
  impl_->SetListener(std::move(listener));
}
const std::string& Catalog::lake_dir() const { return impl_->lake_dir(); }

}  // namespace gamelake
